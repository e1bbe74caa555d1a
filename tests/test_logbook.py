"""The logbook describes sipgate's events, read back through the logbook's websocket API.

The logbook reads from the recorder, so each test records into an in-memory
database. The frontend (a logbook dependency) is not installed in the test
environment; a stand-in integration takes its place.
"""

from typing import Any

import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, MockModule, mock_integration
from pytest_homeassistant_custom_component.components.recorder.common import async_wait_recording_done
from pytest_homeassistant_custom_component.typing import WebSocketGenerator

from custom_components.sipgate.const import (
    DOMAIN,
    EVENT_ANSWER,
    EVENT_DTMF,
    EVENT_FAX_RECEIVED,
    EVENT_FAX_STATUS,
    EVENT_HANGUP,
    EVENT_NEW_CALL,
    EVENT_SMS_RECEIVED,
    EVENT_VOICEMAIL_RECEIVED,
)
from homeassistant.components.recorder import Recorder
from homeassistant.core import HomeAssistant
from homeassistant.helpers.translation import async_get_translations
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util

from .conftest import WebhookCaller

CALL = {"call_id": "C1", "from_number": "+4915799912345", "to_number": "+4921112345671"}


@pytest.fixture
async def mock_recorder_before_hass(async_test_recorder: Any) -> None:
    """Prepare the recorder before Home Assistant starts (it must come first)."""


@pytest.fixture
async def logbook(recorder_mock: Recorder, hass: HomeAssistant) -> None:
    """The logbook and its websocket API, with the frontend it depends on stood in."""
    mock_integration(hass, MockModule("frontend"))
    assert await async_setup_component(hass, "logbook", {})
    assert await async_setup_component(hass, "websocket_api", {})
    await hass.async_block_till_done()


async def sipgate_entries(
    hass: HomeAssistant, hass_ws_client: WebSocketGenerator, since: Any
) -> list[tuple[str, str, str | None]]:
    """The logbook's sipgate entries since ``since``: (name, message, linked entity)."""
    await async_wait_recording_done(hass)
    client = await hass_ws_client()
    await client.send_json({"id": 1, "type": "logbook/get_events", "start_time": since.isoformat()})
    response = await client.receive_json()
    assert response["success"]
    return [
        (entry["name"], entry["message"], entry.get("entity_id"))
        for entry in response["result"]
        if entry.get("domain") == DOMAIN
    ]


ENTITY = "event.sipgate_muster_elektro_gmbh_call"
NAME = "sipgate Muster Elektro GmbH Call"

# Each event as sipgate's handlers fire it, and the logbook line it becomes (English).
DESCRIBED = [
    (
        EVENT_NEW_CALL,
        {**CALL, "direction": "in", "from_name": "Erika Mustermann"},
        "Incoming call: Erika Mustermann (+4915799912345) → +4921112345671",
    ),
    (
        EVENT_NEW_CALL,
        {**CALL, "direction": "out", "to_name": "Pizzeria"},
        "Outgoing call: +4915799912345 → Pizzeria (+4921112345671)",
    ),
    (
        EVENT_NEW_CALL,
        {"call_id": "C2", "direction": "in", "from_number": "anonymous", "to_number": None},
        "Incoming call: anonymous → ?",
    ),
    (
        EVENT_ANSWER,
        {**CALL, "direction": "in", "user": "Anna Muster"},
        "Answered: +4915799912345 → +4921112345671 (User: Anna Muster)",
    ),
    (EVENT_ANSWER, {**CALL, "direction": "in", "user": None}, "Answered: +4915799912345 → +4921112345671"),
    (
        EVENT_HANGUP,
        {**CALL, "direction": "in", "cause": "busy"},
        "Hung up: +4915799912345 → +4921112345671 (Reason for ending: Busy)",
    ),
    (
        EVENT_HANGUP,
        {**CALL, "direction": "in", "cause": "noAnswer"},
        "Hung up: +4915799912345 → +4921112345671 (Reason for ending: Not answered)",
    ),
    (
        EVENT_HANGUP,
        {**CALL, "direction": "in", "cause": "normalClearing"},
        "Hung up: +4915799912345 → +4921112345671",
    ),
    (EVENT_HANGUP, {**CALL, "direction": "in", "cause": None}, "Hung up: +4915799912345 → +4921112345671"),
    (EVENT_DTMF, {"call_id": "C1", "dtmf": "1234"}, "Digits entered: 1234"),
    (EVENT_DTMF, {"call_id": "C1", "dtmf": ""}, "Digits entered: -"),
]
FAX = (EVENT_FAX_STATUS, {"session_id": "F123", "status": "SENT", "final": True}, "Fax F123: sent")


@pytest.mark.usefixtures("logbook")
async def test_events_are_described(
    hass: HomeAssistant, init_integration: MockConfigEntry, hass_ws_client: WebSocketGenerator
) -> None:
    """Each call step is one natural line, linked to the account's Call entity; no sipgate codes."""
    since = dt_util.utcnow()
    for event_type, data, _ in DESCRIBED:
        hass.bus.async_fire(event_type, {**data, "config_entry_id": init_integration.entry_id})
    hass.bus.async_fire(FAX[0], {**FAX[1], "config_entry_id": init_integration.entry_id})

    assert await sipgate_entries(hass, hass_ws_client, since) == [
        *((NAME, message, ENTITY) for _, _, message in DESCRIBED),
        ("sipgate", FAX[2], None),  # a fax has no entity
    ]


@pytest.mark.usefixtures("logbook", "init_integration")
async def test_events_of_an_unknown_account_are_not_linked(
    hass: HomeAssistant, hass_ws_client: WebSocketGenerator
) -> None:
    """Without the account (removed since), the line stands on its own."""
    since = dt_util.utcnow()
    hass.bus.async_fire(EVENT_DTMF, {"call_id": "C1", "dtmf": "9", "config_entry_id": "gone"})
    assert await sipgate_entries(hass, hass_ws_client, since) == [("sipgate", "Digits entered: 9", None)]


@pytest.mark.usefixtures("logbook")
async def test_lines_are_in_home_assistants_language(
    hass: HomeAssistant, init_integration: MockConfigEntry, hass_ws_client: WebSocketGenerator
) -> None:
    """With German as Home Assistant's language, the lines are German."""
    hass.config.language = "de"
    await async_get_translations(hass, "de", "entity", [DOMAIN])
    since = dt_util.utcnow()
    entry = {"config_entry_id": init_integration.entry_id}
    hass.bus.async_fire(EVENT_NEW_CALL, {**CALL, "direction": "in", **entry})
    hass.bus.async_fire(EVENT_ANSWER, {**CALL, "direction": "in", "user": "Anna Muster", **entry})
    hass.bus.async_fire(EVENT_HANGUP, {**CALL, "direction": "in", "cause": "busy", **entry})
    hass.bus.async_fire(EVENT_DTMF, {"call_id": "C1", "dtmf": "42", **entry})
    hass.bus.async_fire(EVENT_FAX_STATUS, {"session_id": "F1", "status": "FAILED", "final": True, **entry})

    assert [message for _, message, _ in await sipgate_entries(hass, hass_ws_client, since)] == [
        "Eingehender Anruf: +4915799912345 → +4921112345671",
        "Angenommen: +4915799912345 → +4921112345671 (Benutzer: Anna Muster)",
        "Aufgelegt: +4915799912345 → +4921112345671 (Beendigungsgrund: Besetzt)",
        "Ziffern eingegeben: 42",
        "Fax F1: fehlgeschlagen",
    ]


@pytest.mark.usefixtures("logbook")
async def test_a_call_from_a_contact_is_described_with_names(
    hass: HomeAssistant, push: WebhookCaller, hass_ws_client: WebSocketGenerator
) -> None:
    """Pushed calls reach the logbook; a caller in the sipgate contacts is named, others are not."""
    await hass.async_block_till_done(wait_background_tasks=True)  # the contacts have been read
    since = dt_util.utcnow()

    await push.post("event=newCall&from=4921112345678&to=4921112345671&direction=in&callId=K1")
    await push.post("event=newCall&from=4930999999999&to=4921112345671&direction=in&callId=K2")
    await push.post("event=newCall&from=anonymous&to=4921112345671&direction=in&callId=K3")
    await push.post("event=hangup&cause=cancel&from=4921112345678&to=4921112345671&direction=in&callId=K1")

    assert await sipgate_entries(hass, hass_ws_client, since) == [
        (NAME, "Incoming call: Erika Mustermann (+4921112345678) → +4921112345671", ENTITY),
        (NAME, "Incoming call: +4930999999999 → +4921112345671", ENTITY),
        (NAME, "Incoming call: anonymous → +4921112345671", ENTITY),
        (
            NAME,
            "Hung up: Erika Mustermann (+4921112345678) → +4921112345671 (Reason for ending: Cancelled by the caller)",
            ENTITY,
        ),
    ]


MESSAGES_ENTITY = "event.sipgate_muster_elektro_gmbh_messages"
MESSAGES_NAME = "sipgate Muster Elektro GmbH Messages"
ARRIVED = {"from_number": "+4915799912345", "from_name": "Max Kunde", "to_number": "+4921112345671"}
MESSAGES = [
    (EVENT_VOICEMAIL_RECEIVED, {**ARRIVED, "duration": 37, "transcription": "Bitte zurückrufen."}),
    (EVENT_SMS_RECEIVED, {**ARRIVED, "text": "Komme später"}),
    (EVENT_FAX_RECEIVED, {**ARRIVED, "from_name": None, "pages": 3}),
]


@pytest.mark.usefixtures("logbook")
@pytest.mark.parametrize(
    ("language", "lines"),
    [
        (
            "en",
            [
                "Voicemail: Max Kunde (+4915799912345) → +4921112345671 (Duration: 0:37)",
                "SMS: Max Kunde (+4915799912345) → +4921112345671",
                "Fax: +4915799912345 → +4921112345671 (Pages: 3)",
            ],
        ),
        (
            "de",
            [
                "Sprachnachricht: Max Kunde (+4915799912345) → +4921112345671 (Dauer: 0:37)",
                "SMS: Max Kunde (+4915799912345) → +4921112345671",
                "Fax: +4915799912345 → +4921112345671 (Seiten: 3)",
            ],
        ),
    ],
)
async def test_arrived_messages_are_described(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    hass_ws_client: WebSocketGenerator,
    language: str,
    lines: list[str],
) -> None:
    """A voicemail, SMS or fax that arrived is one line linked to the Messages entity; no text or transcription."""
    hass.config.language = language
    await async_get_translations(hass, language, "entity", [DOMAIN])
    since = dt_util.utcnow()
    for event_type, data in MESSAGES:
        hass.bus.async_fire(event_type, {**data, "config_entry_id": init_integration.entry_id})

    entries = await sipgate_entries(hass, hass_ws_client, since)
    assert [message for _, message, _ in entries] == lines
    assert {(name, entity) for name, _, entity in entries} == {(MESSAGES_NAME, MESSAGES_ENTITY)}
