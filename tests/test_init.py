"""Setting up and unloading a sipgate account."""

from http import HTTPStatus
from typing import Any
from unittest.mock import MagicMock

import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_capture_events
from pytest_homeassistant_custom_component.test_util.aiohttp import AiohttpClientMocker
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.sipgate.api.exceptions import (
    SipgateAuthenticationError,
    SipgateError,
    SipgateRateLimitError,
    SipgateServerError,
    SipgateTimeoutError,
)
from custom_components.sipgate.const import DOMAIN, EVENT_NEW_CALL
from homeassistant.config_entries import SOURCE_REAUTH, ConfigEntryState
from homeassistant.core import HomeAssistant

from .conftest import FORM, WEBHOOK_ID, api_url, load_json, mock_account_endpoints
from .test_arrivals import storage_key

UNSIGNED_NEW_CALL = "event=newCall&from=4915799912345&to=4921112345671&direction=in&callId=unload-1"


async def test_setup_and_unload(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    sipgate_api: AiohttpClientMocker,
    hass_client_no_auth: ClientSessionGenerator,
    hass_storage: dict[str, Any],
) -> None:
    """A working token loads the entry; unloading and removing leave nothing behind."""
    mock_config_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    client = await hass_client_no_auth()
    events = async_capture_events(hass, EVENT_NEW_CALL)
    unsigned = {"data": UNSIGNED_NEW_CALL, "headers": {"Content-Type": FORM}}

    assert mock_config_entry.state is ConfigEntryState.LOADED
    assert mock_config_entry.runtime_data.userinfo.master_sip_id == mock_config_entry.unique_id
    assert mock_config_entry.runtime_data.account is not None
    assert mock_config_entry.runtime_data.missing_scopes == set()
    # Set-up reads who the token belongs to, the account, the account's data for the
    # entities, the history counters and the contacts for caller names, each once (no
    # public URL here, so no webhook settings). The order is incidental and not pinned.
    assert sorted(str(url).split("?")[0] for _, url, _, _ in sipgate_api.mock_calls) == sorted(
        api_url(path)
        for path in (
            "authorization/userinfo",
            "account",
            "balance",
            "numbers",
            "users",
            "w0/devices",
            "w1/devices",
            "w0/phonelines",
            "w1/phonelines",
            "w0/phonelines/p0/forwardings",
            "w1/phonelines/p1/forwardings",
            "w0/phonelines/p0/blockanonymous",
            "w1/phonelines/p1/blockanonymous",
            "history",
            "contacts",
        )
    )

    # While loaded, the integration's webhook answers pushes (this one unsigned: refused).
    response = await client.post(f"/api/webhook/{WEBHOOK_ID}", **unsigned)
    assert response.status == HTTPStatus.FORBIDDEN
    assert storage_key(mock_config_entry) in hass_storage

    assert await hass.config_entries.async_unload(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    assert mock_config_entry.state is ConfigEntryState.NOT_LOADED
    # Unloaded, the webhook is gone: Home Assistant answers 200 with nothing for an
    # unregistered webhook, and no call event fires.
    response = await client.post(f"/api/webhook/{WEBHOOK_ID}", **unsigned)
    assert (response.status, await response.text()) == (HTTPStatus.OK, "")
    await hass.async_block_till_done()
    assert events == []

    await hass.config_entries.async_remove(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    assert hass.config_entries.async_entries(DOMAIN) == []
    # What the entry announced is deleted with it.
    assert storage_key(mock_config_entry) not in hass_storage


async def test_invalid_token_starts_reauth(
    hass: HomeAssistant, mock_config_entry: MockConfigEntry, mock_sipgate_client: MagicMock
) -> None:
    """401 on userinfo: the entry fails to set up and a re-authentication flow starts."""
    mock_sipgate_client.account.get_userinfo.side_effect = SipgateAuthenticationError(HTTPStatus.UNAUTHORIZED)
    mock_config_entry.add_to_hass(hass)

    await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()

    assert mock_config_entry.state is ConfigEntryState.SETUP_ERROR
    flows = hass.config_entries.flow.async_progress()
    assert len(flows) == 1
    assert flows[0]["context"]["source"] == SOURCE_REAUTH
    assert flows[0]["context"]["entry_id"] == mock_config_entry.entry_id


async def test_token_revoked_between_requests_starts_reauth(
    hass: HomeAssistant, mock_config_entry: MockConfigEntry, mock_sipgate_client: MagicMock
) -> None:
    """401 on the account request is an authentication failure too."""
    mock_sipgate_client.account.get_account.side_effect = SipgateAuthenticationError(HTTPStatus.UNAUTHORIZED)
    mock_config_entry.add_to_hass(hass)

    await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()

    assert mock_config_entry.state is ConfigEntryState.SETUP_ERROR
    assert hass.config_entries.flow.async_progress()[0]["context"]["source"] == SOURCE_REAUTH


@pytest.mark.parametrize(
    "error",
    [
        SipgateTimeoutError("timed out"),
        SipgateServerError(HTTPStatus.INTERNAL_SERVER_ERROR),
        SipgateRateLimitError(HTTPStatus.TOO_MANY_REQUESTS, retry_after=30),
    ],
    ids=["timeout", "server_error", "rate_limited"],
)
async def test_connection_problems_retry_later(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    mock_sipgate_client: MagicMock,
    error: SipgateError,
) -> None:
    """Timeouts and server errors of userinfo make Home Assistant retry the setup later.

    (Only userinfo can: see test_security_and_binding.py for the account and the polled endpoints.)
    """
    mock_sipgate_client.account.get_userinfo.side_effect = error
    mock_config_entry.add_to_hass(hass)

    await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()

    assert mock_config_entry.state is ConfigEntryState.SETUP_RETRY
    assert hass.config_entries.flow.async_progress() == []
    mock_sipgate_client.account.get_userinfo.assert_awaited_once()
    mock_sipgate_client.account.get_account.assert_not_awaited()


async def test_missing_account_scope_degrades(
    hass: HomeAssistant, mock_config_entry: MockConfigEntry, aioclient_mock: AiohttpClientMocker
) -> None:
    """A token without account:read still loads; the missing scope is remembered."""
    aioclient_mock.get(api_url("authorization/userinfo"), json=load_json("userinfo.json"))
    aioclient_mock.get(api_url("account"), status=HTTPStatus.FORBIDDEN)
    mock_account_endpoints(aioclient_mock)
    mock_config_entry.add_to_hass(hass)

    await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()

    assert mock_config_entry.state is ConfigEntryState.LOADED
    assert mock_config_entry.runtime_data.account is None
    assert mock_config_entry.runtime_data.missing_scopes == {"account:read"}
