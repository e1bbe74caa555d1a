"""What every action shares: finding the account, and sipgate's errors as translated ones.

Why one module of this size: what every action shares (finding the account, error mapping) is tested
once here for all of them.
"""

import base64
from http import HTTPStatus
from pathlib import Path
from typing import Any
from unittest.mock import MagicMock

import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.test_util.aiohttp import (
    AiohttpClientMocker,
    AiohttpClientMockResponse,
)
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator
from yarl import URL

from custom_components.sipgate.api.exceptions import (
    SipgateAuthenticationError,
    SipgateConnectionError,
    SipgateError,
    SipgateForbiddenError,
    SipgateInsufficientFundsError,
    SipgateNotFoundError,
    SipgateRateLimitError,
    SipgateServerError,
    SipgateTimeoutError,
    SipgateValidationError,
)
from custom_components.sipgate.const import CONF_TOKEN_ID, CONF_WEBHOOK_ID, DEFAULT_OPTIONS, DOMAIN
from homeassistant.config_entries import SOURCE_REAUTH
from homeassistant.const import CONF_TOKEN
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.setup import async_setup_component

from .conftest import (
    FORM,
    TOKEN,
    TOKEN_ID,
    WEBHOOK_ID,
    TestSigner as Signer,
    api_url,
    load_json,
    sent_requests,
)

SECOND_TOKEN_ID = "token-ZW31T3"
SECOND_TOKEN = "5b0c6d2e-9f1a-4c3b-8e7d-6a5f4e3d2c1b"
SECOND_WEBHOOK_ID = "9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f1a0b9c8d7e6f5a4b3c2d1e0f9a8b"
SECOND_USERINFO = {"sub": "w0", "domain": "sipgate.de", "masterSipId": "7654321", "locale": "de_DE"}


def basic_auth(token_id: str, token: str) -> str:
    """The Authorization header of a personal access token."""
    return "Basic " + base64.b64encode(f"{token_id}:{token}".encode()).decode()


def authorizations(aioclient_mock: AiohttpClientMocker, url: str) -> list[str]:
    """The Authorization header of every request sent to ``url``, in order."""
    return [
        headers["Authorization"]
        for _, sent_url, _, headers in aioclient_mock.mock_calls
        if str(sent_url) == url
    ]


# --- sipgate's errors -------------------------------------------------------------------------
# How sipgate's answers become these client errors is tested in tests/api (test_client.py:
# statuses, Retry-After, timeouts, connection errors, their texts; the scope of GET /calls).


@pytest.mark.parametrize(
    ("error", "error_type", "key", "placeholders"),
    [
        pytest.param(
            SipgateForbiddenError(HTTPStatus.FORBIDDEN, "scope missing", scope="rtcm:read"),
            HomeAssistantError,
            "missing_scope",
            {"scope": "rtcm:read", "error": "scope missing"},
            id="403",
        ),
        pytest.param(
            SipgateInsufficientFundsError(HTTPStatus.PAYMENT_REQUIRED),
            HomeAssistantError,
            "insufficient_funds",
            None,
            id="402",
        ),
        pytest.param(
            SipgateRateLimitError(HTTPStatus.TOO_MANY_REQUESTS, retry_after=30.0),
            HomeAssistantError,
            "rate_limited",
            {"seconds": "30"},
            id="429",
        ),
        pytest.param(
            SipgateRateLimitError(HTTPStatus.TOO_MANY_REQUESTS, retry_after=29.2),
            HomeAssistantError,
            "rate_limited",
            {"seconds": "30"},
            id="429-rounded-up",
        ),
        pytest.param(
            SipgateRateLimitError(HTTPStatus.TOO_MANY_REQUESTS, retry_after=0.3),
            HomeAssistantError,
            "rate_limited",
            {"seconds": "1"},
            id="429-never-wait-0-s",
        ),
        pytest.param(
            SipgateRateLimitError(HTTPStatus.TOO_MANY_REQUESTS),
            HomeAssistantError,
            "rate_limited",
            {"seconds": "1"},
            id="429-without-retry-after",
        ),
        pytest.param(
            SipgateTimeoutError("sipgate did not answer GET calls within 15.0 s"),
            HomeAssistantError,
            "cannot_connect",
            {"error": "sipgate did not answer GET calls within 15.0 s"},
            id="timeout",
        ),
        pytest.param(
            SipgateConnectionError("Cannot reach sipgate for GET calls: refused"),
            HomeAssistantError,
            "cannot_connect",
            {"error": "Cannot reach sipgate for GET calls: refused"},
            id="connection-error",
        ),
        pytest.param(
            SipgateServerError(HTTPStatus.INTERNAL_SERVER_ERROR, "boom"),
            HomeAssistantError,
            "api_error",
            {"error": "HTTP 500: boom"},
            id="500",
        ),
    ],
)
async def test_sipgate_errors_become_translated_errors(
    hass: HomeAssistant,
    init_integration_mock_client: MockConfigEntry,
    mock_sipgate_client: MagicMock,
    error: SipgateError,
    error_type: type[HomeAssistantError],
    key: str,
    placeholders: dict[str, str] | None,
) -> None:
    """Each error of sipgate's client reaches the user as the matching translated error."""
    mock_sipgate_client.calls.get_established.side_effect = error

    with pytest.raises(HomeAssistantError) as caught:
        await hass.services.async_call(DOMAIN, "get_calls", {}, blocking=True, return_response=True)

    assert type(caught.value) is error_type
    assert caught.value.translation_domain == DOMAIN
    assert caught.value.translation_key == key
    assert caught.value.translation_placeholders == placeholders
    assert caught.value.__cause__ is error
    assert hass.config_entries.flow.async_progress() == []


async def test_rejected_token_starts_reauthentication(
    hass: HomeAssistant, init_integration_mock_client: MockConfigEntry, mock_sipgate_client: MagicMock
) -> None:
    """401 during an action: the error says so and a re-authentication flow starts."""
    mock_sipgate_client.calls.get_established.side_effect = SipgateAuthenticationError(
        HTTPStatus.UNAUTHORIZED
    )

    with pytest.raises(HomeAssistantError) as caught:
        await hass.services.async_call(DOMAIN, "get_calls", {}, blocking=True, return_response=True)
    await hass.async_block_till_done()

    assert type(caught.value) is HomeAssistantError
    assert caught.value.translation_key == "invalid_auth"
    flows = hass.config_entries.flow.async_progress()
    assert [(flow["context"]["source"], flow["context"]["entry_id"]) for flow in flows] == [
        (SOURCE_REAUTH, init_integration_mock_client.entry_id)
    ]


async def test_unknown_call_is_a_validation_error(
    hass: HomeAssistant, init_integration_mock_client: MockConfigEntry, mock_sipgate_client: MagicMock
) -> None:
    """404 when hanging up a call that has ended: the user is told sipgate does not know it."""
    mock_sipgate_client.calls.hang_up.side_effect = SipgateNotFoundError(HTTPStatus.NOT_FOUND, "no such call")

    with pytest.raises(ServiceValidationError) as caught:
        await hass.services.async_call(DOMAIN, "hang_up", {"call_id": "GONE"}, blocking=True)

    mock_sipgate_client.calls.hang_up.assert_awaited_once_with("GONE")
    assert caught.value.translation_key == "not_found"
    assert caught.value.translation_placeholders == {"error": "no such call"}


async def test_invalid_input_is_a_validation_error_naming_the_field(
    hass: HomeAssistant, init_integration_mock_client: MockConfigEntry, mock_sipgate_client: MagicMock
) -> None:
    """Input the client refuses is a validation error naming the field.

    That the client refuses ``12x`` for ``sequence`` before sending anything is
    tested in tests/api (test_live_call_control_validation).
    """
    mock_sipgate_client.calls.send_dtmf.side_effect = SipgateValidationError(
        "sequence: only 0-9, * and # are DTMF", field="sequence", value="12x"
    )

    with pytest.raises(ServiceValidationError) as caught:
        await hass.services.async_call(
            DOMAIN, "send_dtmf", {"call_id": "EST1", "sequence": "12x"}, blocking=True
        )

    mock_sipgate_client.calls.send_dtmf.assert_awaited_once_with("EST1", "12x")
    assert caught.value.translation_key == "invalid_input"
    assert caught.value.translation_placeholders == {
        "field": "sequence",
        "error": "sequence: only 0-9, * and # are DTMF",
    }


# --- which account --------------------------------------------------------------------------


async def test_unknown_config_entry_id(
    hass: HomeAssistant, init_integration_mock_client: MockConfigEntry
) -> None:
    """An id that names no sipgate account (or another integration's entry) is refused.

    The check is Home Assistant's own (``service.async_get_config_entry``), with its translated errors.
    """
    other = MockConfigEntry(domain="other_integration", title="Other")
    other.add_to_hass(hass)
    for entry_id, key, placeholders in (
        ("no-such-entry", "service_config_entry_not_found", {"domain": DOMAIN, "entry_id": "no-such-entry"}),
        (other.entry_id, "service_config_entry_wrong_domain", {"domain": DOMAIN, "entry_title": "Other"}),
    ):
        with pytest.raises(ServiceValidationError) as caught:
            await hass.services.async_call(
                DOMAIN, "get_calls", {"config_entry_id": entry_id}, blocking=True, return_response=True
            )
        assert (caught.value.translation_domain, caught.value.translation_key) == ("homeassistant", key)
        assert caught.value.translation_placeholders == placeholders


async def test_unloaded_account(hass: HomeAssistant, init_integration_mock_client: MockConfigEntry) -> None:
    """An account that is not loaded cannot act; without it there is no account at all."""
    assert await hass.config_entries.async_unload(init_integration_mock_client.entry_id)
    await hass.async_block_till_done()

    with pytest.raises(ServiceValidationError) as caught:
        await hass.services.async_call(
            DOMAIN,
            "get_calls",
            {"config_entry_id": init_integration_mock_client.entry_id},
            blocking=True,
            return_response=True,
        )
    assert caught.value.translation_domain == "homeassistant"
    assert caught.value.translation_key == "service_config_entry_not_loaded"
    assert caught.value.translation_placeholders == {
        "domain": DOMAIN,
        "entry_title": init_integration_mock_client.title,
    }

    with pytest.raises(ServiceValidationError) as caught:
        await hass.services.async_call(DOMAIN, "get_calls", {}, blocking=True, return_response=True)
    assert caught.value.translation_key == "no_account"


@pytest.fixture
def userinfo_in_turn(aioclient_mock: AiohttpClientMocker) -> None:
    """Userinfo answers for the first account, then the second (each set up in turn).

    Registered before ``sipgate_api`` registers its single answer, so it is the one that matches.
    """
    answers = iter([load_json("userinfo.json"), SECOND_USERINFO])

    async def answer(method: str, url: URL, data: Any) -> AiohttpClientMockResponse:
        return AiohttpClientMockResponse(method, url, json=next(answers))

    aioclient_mock.get(api_url("authorization/userinfo"), side_effect=answer)


@pytest.fixture
async def two_accounts(
    hass: HomeAssistant,
    userinfo_in_turn: None,
    sipgate_api: AiohttpClientMocker,
    mock_config_entry: MockConfigEntry,
    signer: Signer,
) -> tuple[MockConfigEntry, MockConfigEntry]:
    """Two sipgate accounts, set up one after the other."""
    second = MockConfigEntry(
        domain=DOMAIN,
        title="sipgate Zweitkonto",
        unique_id=SECOND_USERINFO["masterSipId"],
        data={CONF_TOKEN_ID: SECOND_TOKEN_ID, CONF_TOKEN: SECOND_TOKEN, CONF_WEBHOOK_ID: SECOND_WEBHOOK_ID},
        options=dict(DEFAULT_OPTIONS),
    )
    for entry in (mock_config_entry, second):
        entry.add_to_hass(hass)
        assert await hass.config_entries.async_setup(entry.entry_id)
        await hass.async_block_till_done()
    assert mock_config_entry.runtime_data.userinfo.master_sip_id == "1234567"
    assert second.runtime_data.userinfo.master_sip_id == "7654321"
    return mock_config_entry, second


async def test_two_accounts_need_a_config_entry_id(
    hass: HomeAssistant,
    two_accounts: tuple[MockConfigEntry, MockConfigEntry],
    aioclient_mock: AiohttpClientMocker,
) -> None:
    """With two accounts an action must say which; given, that account's token is used."""
    first, second = two_accounts
    aioclient_mock.get(api_url("calls"), json=load_json("calls.json"))

    with pytest.raises(ServiceValidationError) as caught:
        await hass.services.async_call(DOMAIN, "get_calls", {}, blocking=True, return_response=True)
    assert caught.value.translation_key == "config_entry_id_required"
    with pytest.raises(ServiceValidationError) as caught:
        await hass.services.async_call(DOMAIN, "hang_up", {"call_id": "UNKNOWN"}, blocking=True)
    assert caught.value.translation_key == "config_entry_id_required"
    assert authorizations(aioclient_mock, api_url("calls")) == []

    for entry in (second, first):
        await hass.services.async_call(
            DOMAIN, "get_calls", {"config_entry_id": entry.entry_id}, blocking=True, return_response=True
        )
    assert authorizations(aioclient_mock, api_url("calls")) == [
        basic_auth(SECOND_TOKEN_ID, SECOND_TOKEN),
        basic_auth(TOKEN_ID, TOKEN),
    ]


async def test_a_call_of_one_account_needs_no_config_entry_id(
    hass: HomeAssistant,
    two_accounts: tuple[MockConfigEntry, MockConfigEntry],
    aioclient_mock: AiohttpClientMocker,
    hass_client_no_auth: ClientSessionGenerator,
    signer: Signer,
) -> None:
    """A call sipgate pushed to the second account is hung up with the second account's token."""
    aioclient_mock.delete(api_url("calls/ACC2CALL"), status=HTTPStatus.NO_CONTENT)
    client = await hass_client_no_auth()
    body = (
        b"event=newCall&callId=ACC2CALL&user%5B%5D=Anna&userId%5B%5D=w0&fullUserId%5B%5D=7654321w0"
        b"&from=4915799912345&to=4921112345671&direction=in"
    )
    response = await client.post(
        f"/api/webhook/{SECOND_WEBHOOK_ID}",
        data=body,
        headers={"Content-Type": FORM, "X-Sipgate-Signature": signer.sign(body)},
    )
    assert response.status == 200

    await hass.services.async_call(DOMAIN, "hang_up", {"call_id": "ACC2CALL"}, blocking=True)

    assert authorizations(aioclient_mock, api_url("calls/ACC2CALL")) == [
        basic_auth(SECOND_TOKEN_ID, SECOND_TOKEN)
    ]


async def test_an_automation_answers_a_call_of_either_account(
    hass: HomeAssistant,
    two_accounts: tuple[MockConfigEntry, MockConfigEntry],
    hass_client_no_auth: ClientSessionGenerator,
    signer: Signer,
) -> None:
    """With two accounts, an automation answers the ringing call that started it, naming neither."""
    assert await async_setup_component(
        hass,
        "automation",
        {
            "automation": {
                "triggers": [{"trigger": "event", "event_type": "sipgate_new_call"}],
                "actions": [{"action": "sipgate.reject_call", "data": {"reason": "busy"}}],
            }
        },
    )
    client = await hass_client_no_auth()
    for webhook_id, call_id in ((SECOND_WEBHOOK_ID, "RING2"), (WEBHOOK_ID, "RING1")):
        body = f"event=newCall&from=4915799912345&to=4921112345671&direction=in&callId={call_id}".encode()
        response = await client.post(
            f"/api/webhook/{webhook_id}",
            data=body,
            headers={"Content-Type": FORM, "X-Sipgate-Signature": signer.sign(body)},
        )
        assert response.status == 200
        assert '<Reject reason="busy" />' in await response.text()


# --- phone numbers, read strictly per field ------------------------------------------------------

# (action, data without the number, field, whether the field takes a dialable extension)
NUMBER_FIELDS = [
    ("send_sms", {"message": "x", "sms_id": "s0"}, "recipient", False),
    ("initiate_call", {"from": "e0"}, "to", False),
    ("initiate_call", {"to": "+4921112345678", "device_id": "e0"}, "from", True),
    ("initiate_call", {"to": "+4921112345678", "from": "e0"}, "caller_id", False),
    ("get_history", {}, "phonenumber", False),
    ("get_contacts", {}, "phone_numbers", False),
    ("create_contact", {"firstname": "Anna"}, "number", False),
    ("redirect_call", {"call_id": "EST9"}, "numbers", False),
    ("redirect_call", {"call_id": "EST9", "numbers": ["+4921112345678"]}, "caller_id", False),
]
REFUSED = {
    "e14": "phone_number_extension",
    "p12": "phone_number_extension",
    "g10": "phone_number_extension",
    "w10": "phone_number_extension",
    "s0": "phone_number_extension",
    "+49 211 <&>": "phone_number_characters",
    "4915791234567": "phone_number_needs_plus",
    "12": "invalid_phone_number",
    "0211": "invalid_phone_number",
}


@pytest.mark.parametrize(
    ("action", "data", "field", "value"),
    [
        (action, data, field, value)
        for action, data, field, dialable in NUMBER_FIELDS
        for value in sorted(REFUSED)
        # A phone or a line is a valid caller (see the next test).
        if not (dialable and value in ("e14", "p12"))
    ],
)
async def test_numbers_are_refused_naming_field_and_value(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    aioclient_mock: AiohttpClientMocker,
    action: str,
    data: dict[str, Any],
    field: str,
    value: str,
) -> None:
    """Every number field refuses letters, bare digits, cut-off and impossible numbers; nothing is sent."""
    before = aioclient_mock.call_count
    with pytest.raises(ServiceValidationError) as caught:
        await hass.services.async_call(
            DOMAIN, action, {**data, field: value}, blocking=True, return_response=action.startswith("get_")
        )
    assert caught.value.translation_key == REFUSED[value]
    placeholders = caught.value.translation_placeholders or {}
    assert (placeholders["field"], placeholders["value"]) == (field, value)
    if value == "4915791234567":
        assert placeholders["hint"] == "+4915791234567"
    assert aioclient_mock.call_count == before


@pytest.mark.parametrize(
    ("data", "body"),
    [
        ({"to": "0211 12345671", "from": "p12"}, {"callee": "+4921112345671", "caller": "p12"}),
        (
            {"to": "+49 (0)211 123456-71", "from": "e14", "caller_id": "0211/12345670"},
            {"callee": "+4921112345671", "caller": "e14", "callerId": "+4921112345670"},
        ),
        (
            {"to": 4921112345671, "from": "0211 12345670", "device_id": "y0"},
            {"callee": "+4921112345671", "caller": "+4921112345670", "deviceId": "y0"},
        ),
    ],
)
async def test_calls_take_numbers_as_written_and_dialable_extensions(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    aioclient_mock: AiohttpClientMocker,
    data: dict[str, Any],
    body: dict[str, str],
) -> None:
    """A caller may be a phone or line; numbers are read exactly; YAML's integers are +digits."""
    aioclient_mock.post(api_url("sessions/calls"), json={"sessionId": "S1"})
    await hass.services.async_call(DOMAIN, "initiate_call", data, blocking=True)
    assert sent_requests(aioclient_mock)[-1][3] == body


@pytest.mark.parametrize(("field", "value"), [("from", "g10"), ("from", "w10"), ("device_id", "g10")])
async def test_callers_must_be_dialable(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    aioclient_mock: AiohttpClientMocker,
    field: str,
    value: str,
) -> None:
    """Groups and web users cannot place a call: refused, naming the field."""
    before = aioclient_mock.call_count
    data = {"to": "+4921112345671", "from": "e0", field: value}
    with pytest.raises(ServiceValidationError) as caught:
        await hass.services.async_call(DOMAIN, "initiate_call", data, blocking=True)
    assert (caught.value.translation_placeholders or {})["field"] == field
    assert aioclient_mock.call_count == before


@pytest.mark.parametrize(
    ("action", "data", "field", "value", "kinds"),
    [
        (
            "initiate_call",
            {"to": "+4921112345671", "from": "0211 12345670"},
            "device_id",
            "g10",
            "e0, p0, x0, y0",
        ),
        ("send_fax", {"recipient": "+4921199999999", "file": "FAX"}, "faxline_id", "p0", "f0"),
        ("get_history", {}, "connection_ids", "x01", None),
    ],
)
async def test_extensions_are_refused_as_extensions(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    aioclient_mock: AiohttpClientMocker,
    tmp_path: Path,
    action: str,
    data: dict[str, Any],
    field: str,
    value: str,
    kinds: str | None,
) -> None:
    """A wrong device, fax line or connection id says which extensions the field takes, not "phone number"."""
    (tmp_path / "a.pdf").write_bytes(b"%PDF-1.4\n%%EOF\n")
    hass.config.allowlist_external_dirs = {str(tmp_path)}
    data = {k: (str(tmp_path / "a.pdf") if v == "FAX" else v) for k, v in data.items()}
    before = aioclient_mock.call_count
    with pytest.raises(ServiceValidationError) as caught:
        await hass.services.async_call(
            DOMAIN,
            action,
            {**data, field: [value] if field == "connection_ids" else value},
            blocking=True,
            return_response=action != "initiate_call",
        )
    assert caught.value.translation_key == "invalid_extension"
    placeholders = caught.value.translation_placeholders or {}
    assert (placeholders["field"], placeholders["value"]) == (field, value)
    if kinds is not None:
        assert placeholders["kinds"] == kinds
    assert aioclient_mock.call_count == before
