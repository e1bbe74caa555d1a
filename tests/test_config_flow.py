"""The config flow: adding an account, re-authenticating, reconfiguring, options."""

import json
from pathlib import Path
from unittest.mock import ANY, AsyncMock

import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.test_util.aiohttp import AiohttpClientMocker

from custom_components.sipgate.const import (
    CONF_ACCOUNT_SCAN_INTERVAL,
    CONF_ANSWER_TIMEOUT,
    CONF_CONTACT_LOOKUP,
    CONF_HISTORY_SCAN_INTERVAL,
    CONF_MANAGE_WEBHOOK_URLS,
    CONF_PUSH_SECRET,
    CONF_TOKEN_ID,
    CONF_VERIFY_SIGNATURE,
    CONF_WEBHOOK_ID,
    DEFAULT_OPTIONS,
    DOMAIN,
)
from homeassistant.config_entries import SOURCE_USER
from homeassistant.const import CONF_TOKEN
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType

from .conftest import ACCOUNT_ID, PUSH_SECRET, TOKEN, TOKEN_ID, WEBHOOK_ID, api_url, load_json

COMPONENT = Path(__file__).parent.parent / "custom_components" / "sipgate"

pytestmark = pytest.mark.usefixtures("mock_setup_entry")

NEW_TOKEN_ID = "token-ZX98YW"
NEW_TOKEN = "0f1e2d3c-4b5a-4968-8776-655443322110"


async def test_user_flow_creates_the_account(
    hass: HomeAssistant, sipgate_api: AiohttpClientMocker, mock_setup_entry: AsyncMock
) -> None:
    """A valid token creates one entry per account, named after the company."""
    result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "user"
    assert result["errors"] == {}

    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_TOKEN_ID: f" {TOKEN_ID} ", CONF_TOKEN: f"{TOKEN}\n"}
    )

    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["title"] == "sipgate Muster Elektro GmbH"
    assert result["data"] == {CONF_TOKEN_ID: TOKEN_ID, CONF_TOKEN: TOKEN, CONF_WEBHOOK_ID: ANY}
    assert len(result["data"][CONF_WEBHOOK_ID]) == 64
    assert result["options"] == DEFAULT_OPTIONS
    assert result["result"].unique_id == ACCOUNT_ID
    assert len(mock_setup_entry.mock_calls) == 1
    # The token is sent as HTTP Basic credentials.
    _, _, _, headers = sipgate_api.mock_calls[0]
    assert headers["Authorization"].startswith("Basic ")


async def test_user_flow_without_account_scope(
    hass: HomeAssistant, aioclient_mock: AiohttpClientMocker
) -> None:
    """A token without account:read still works; the entry is named after the account id."""
    aioclient_mock.get(api_url("authorization/userinfo"), json=load_json("userinfo.json"))
    aioclient_mock.get(api_url("account"), status=403)

    result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_TOKEN_ID: TOKEN_ID, CONF_TOKEN: TOKEN}
    )

    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["title"] == f"sipgate {ACCOUNT_ID}"


@pytest.mark.parametrize(
    ("answer", "error"),
    [
        ({"status": 401}, "invalid_auth"),
        ({"exc": TimeoutError()}, "cannot_connect"),
        ({"status": 503}, "unknown"),
        ({"text": "not json"}, "unknown"),
    ],
)
async def test_user_flow_errors_and_recovery(
    hass: HomeAssistant, aioclient_mock: AiohttpClientMocker, answer: dict[str, object], error: str
) -> None:
    """Each failure shows its error; the form keeps the token id; a retry succeeds."""
    aioclient_mock.get(api_url("authorization/userinfo"), **answer)  # type: ignore[arg-type]

    result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_TOKEN_ID: TOKEN_ID, CONF_TOKEN: TOKEN}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"base": error}

    aioclient_mock.clear_requests()
    aioclient_mock.get(api_url("authorization/userinfo"), json=load_json("userinfo.json"))
    aioclient_mock.get(api_url("account"), json=load_json("account.json"))
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_TOKEN_ID: TOKEN_ID, CONF_TOKEN: TOKEN}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY


async def test_user_flow_account_already_configured(
    hass: HomeAssistant, mock_config_entry: MockConfigEntry, sipgate_api: AiohttpClientMocker
) -> None:
    """The same account cannot be added twice, even with another token."""
    mock_config_entry.add_to_hass(hass)

    result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_TOKEN_ID: NEW_TOKEN_ID, CONF_TOKEN: NEW_TOKEN}
    )

    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"
    assert mock_config_entry.data[CONF_TOKEN] == TOKEN


async def test_second_account_side_by_side(
    hass: HomeAssistant, mock_config_entry: MockConfigEntry, aioclient_mock: AiohttpClientMocker
) -> None:
    """Another account's token adds a second entry."""
    mock_config_entry.add_to_hass(hass)
    aioclient_mock.get(
        api_url("authorization/userinfo"), json={**load_json("userinfo.json"), "masterSipId": "7654321"}
    )
    aioclient_mock.get(api_url("account"), json={**load_json("account.json"), "company": "Zweitfirma"})

    result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_TOKEN_ID: NEW_TOKEN_ID, CONF_TOKEN: NEW_TOKEN}
    )

    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["result"].unique_id == "7654321"
    assert len(hass.config_entries.async_entries(DOMAIN)) == 2


async def test_reauth_with_a_new_token(
    hass: HomeAssistant, mock_config_entry: MockConfigEntry, sipgate_api: AiohttpClientMocker
) -> None:
    """Re-authentication stores the new token of the same account."""
    mock_config_entry.add_to_hass(hass)

    result = await mock_config_entry.start_reauth_flow(hass)
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "reauth_confirm"
    assert result["description_placeholders"]["account"] == mock_config_entry.title

    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_TOKEN_ID: NEW_TOKEN_ID, CONF_TOKEN: NEW_TOKEN}
    )

    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reauth_successful"
    assert mock_config_entry.data == {
        CONF_TOKEN_ID: NEW_TOKEN_ID,
        CONF_TOKEN: NEW_TOKEN,
        CONF_WEBHOOK_ID: WEBHOOK_ID,
        CONF_PUSH_SECRET: PUSH_SECRET,  # kept: calls going on keep their follow-up URLs
    }


async def test_reauth_error_then_success(
    hass: HomeAssistant, mock_config_entry: MockConfigEntry, aioclient_mock: AiohttpClientMocker
) -> None:
    """A refused token during re-authentication shows the error and can be corrected."""
    mock_config_entry.add_to_hass(hass)
    aioclient_mock.get(api_url("authorization/userinfo"), status=401)

    result = await mock_config_entry.start_reauth_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_TOKEN_ID: NEW_TOKEN_ID, CONF_TOKEN: "wrong"}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"base": "invalid_auth"}

    aioclient_mock.clear_requests()
    aioclient_mock.get(api_url("authorization/userinfo"), json=load_json("userinfo.json"))
    aioclient_mock.get(api_url("account"), json=load_json("account.json"))
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_TOKEN_ID: NEW_TOKEN_ID, CONF_TOKEN: NEW_TOKEN}
    )
    assert result["reason"] == "reauth_successful"


@pytest.mark.parametrize("source", ["reauth", "reconfigure"])
async def test_token_of_another_account_is_refused(
    hass: HomeAssistant, mock_config_entry: MockConfigEntry, aioclient_mock: AiohttpClientMocker, source: str
) -> None:
    """Re-authentication and reconfiguration keep the entry on its account."""
    mock_config_entry.add_to_hass(hass)
    aioclient_mock.get(
        api_url("authorization/userinfo"), json={**load_json("userinfo.json"), "masterSipId": "7654321"}
    )
    aioclient_mock.get(api_url("account"), json=load_json("account.json"))

    if source == "reauth":
        result = await mock_config_entry.start_reauth_flow(hass)
    else:
        result = await mock_config_entry.start_reconfigure_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_TOKEN_ID: NEW_TOKEN_ID, CONF_TOKEN: NEW_TOKEN}
    )

    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "wrong_account"
    assert mock_config_entry.data[CONF_TOKEN] == TOKEN


async def test_reconfigure_with_a_new_token(
    hass: HomeAssistant, mock_config_entry: MockConfigEntry, sipgate_api: AiohttpClientMocker
) -> None:
    """Reconfiguring replaces the token and keeps the account."""
    mock_config_entry.add_to_hass(hass)

    result = await mock_config_entry.start_reconfigure_flow(hass)
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "reconfigure"

    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_TOKEN_ID: NEW_TOKEN_ID, CONF_TOKEN: NEW_TOKEN}
    )

    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reconfigure_successful"
    assert mock_config_entry.data == {
        CONF_TOKEN_ID: NEW_TOKEN_ID,
        CONF_TOKEN: NEW_TOKEN,
        CONF_WEBHOOK_ID: WEBHOOK_ID,
        CONF_PUSH_SECRET: PUSH_SECRET,  # kept: calls going on keep their follow-up URLs
    }
    assert mock_config_entry.unique_id == ACCOUNT_ID


async def test_reconfigure_cannot_connect(
    hass: HomeAssistant, mock_config_entry: MockConfigEntry, aioclient_mock: AiohttpClientMocker
) -> None:
    """A connection failure during reconfiguration shows the error."""
    mock_config_entry.add_to_hass(hass)
    aioclient_mock.get(api_url("authorization/userinfo"), exc=TimeoutError())

    result = await mock_config_entry.start_reconfigure_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_TOKEN_ID: NEW_TOKEN_ID, CONF_TOKEN: NEW_TOKEN}
    )

    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"base": "cannot_connect"}


async def test_options_flow_stores_and_reloads(
    hass: HomeAssistant, init_integration: MockConfigEntry, mock_setup_entry: AsyncMock
) -> None:
    """Options are stored with their types, and the entry reloads to use them."""
    assert len(mock_setup_entry.mock_calls) == 1
    result = await hass.config_entries.options.async_init(init_integration.entry_id)
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "init"

    new_options = {
        CONF_ANSWER_TIMEOUT: 3.5,
        CONF_VERIFY_SIGNATURE: False,
        CONF_MANAGE_WEBHOOK_URLS: False,
        CONF_CONTACT_LOOKUP: False,
        CONF_ACCOUNT_SCAN_INTERVAL: 120.0,
        CONF_HISTORY_SCAN_INTERVAL: 10.0,
    }
    result = await hass.config_entries.options.async_configure(result["flow_id"], new_options)
    await hass.async_block_till_done()

    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert init_integration.options == {
        **new_options,
        CONF_ACCOUNT_SCAN_INTERVAL: 120,
        CONF_HISTORY_SCAN_INTERVAL: 10,
    }
    assert isinstance(init_integration.options[CONF_ACCOUNT_SCAN_INTERVAL], int)
    # The entry was set up again to use the new options.
    assert len(mock_setup_entry.mock_calls) == 2


async def test_options_out_of_range_name_the_allowed_range(
    hass: HomeAssistant, init_integration: MockConfigEntry, mock_setup_entry: AsyncMock
) -> None:
    """A value outside an option's range gets an error that states the range, in both languages."""
    result = await hass.config_entries.options.async_init(init_integration.entry_id)
    wrong = {
        CONF_ANSWER_TIMEOUT: 9,
        CONF_VERIFY_SIGNATURE: True,
        CONF_MANAGE_WEBHOOK_URLS: True,
        CONF_CONTACT_LOOKUP: True,
        CONF_ACCOUNT_SCAN_INTERVAL: 5,
        CONF_HISTORY_SCAN_INTERVAL: 0,
    }
    result = await hass.config_entries.options.async_configure(result["flow_id"], wrong)

    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {
        CONF_ANSWER_TIMEOUT: "answer_timeout_out_of_range",
        CONF_ACCOUNT_SCAN_INTERVAL: "account_scan_interval_out_of_range",
        CONF_HISTORY_SCAN_INTERVAL: "history_scan_interval_out_of_range",
    }
    placeholders = result["description_placeholders"]
    texts = {
        language: {
            key: json.loads((COMPONENT / "translations" / f"{language}.json").read_text(encoding="utf-8"))[
                "options"
            ]["error"][error].format(**placeholders)
            for key, error in result["errors"].items()
        }
        for language in ("en", "de")
    }
    assert texts["en"][CONF_HISTORY_SCAN_INTERVAL] == "Choose a history update interval from 1 to 60 minutes."
    assert texts["de"][CONF_ACCOUNT_SCAN_INTERVAL] == (
        "Wähle für das Konto ein Abfrageintervall von 15 bis 1440 Minuten."
    )
    assert texts["en"][CONF_ANSWER_TIMEOUT] == "Choose an answer timeout from 0 to 8 seconds."

    # The form keeps what was typed; fixed values are stored.
    result = await hass.config_entries.options.async_configure(
        result["flow_id"],
        wrong | {CONF_ANSWER_TIMEOUT: 8, CONF_ACCOUNT_SCAN_INTERVAL: 15, CONF_HISTORY_SCAN_INTERVAL: 1},
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert init_integration.options[CONF_HISTORY_SCAN_INTERVAL] == 1
