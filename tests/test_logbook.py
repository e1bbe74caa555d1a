"""The logbook describes sipgate's events, read back through the logbook's websocket API.

The logbook reads from the recorder, so each test records into an in-memory
database. The frontend (a logbook dependency) is not installed in the test
environment; a stand-in integration takes its place.
"""

from typing import Any

import pytest
from pytest_homeassistant_custom_component.common import MockModule, mock_integration
from pytest_homeassistant_custom_component.components.recorder.common import async_wait_recording_done
from pytest_homeassistant_custom_component.typing import WebSocketGenerator

from custom_components.sipgate.const import (
    DOMAIN,
    EVENT_ANSWER,
    EVENT_DTMF,
    EVENT_FAX_STATUS,
    EVENT_HANGUP,
    EVENT_NEW_CALL,
)
from homeassistant.components.recorder import Recorder
from homeassistant.core import HomeAssistant
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
) -> list[tuple[str, str]]:
    """The logbook's sipgate entries since ``since``: (name, message)."""
    await async_wait_recording_done(hass)
    client = await hass_ws_client()
    await client.send_json({"id": 1, "type": "logbook/get_events", "start_time": since.isoformat()})
    response = await client.receive_json()
    assert response["success"]
    return [
        (entry["name"], entry["message"]) for entry in response["result"] if entry.get("domain") == DOMAIN
    ]


# Each event as sipgate's handlers fire it, and the logbook line it becomes.
DESCRIBED = [
    (
        EVENT_NEW_CALL,
        {**CALL, "direction": "in", "from_name": "Erika Mustermann"},
        "incoming call from Erika Mustermann (+4915799912345) to +4921112345671",
    ),
    (
        EVENT_NEW_CALL,
        {**CALL, "direction": "out", "to_name": "Pizzeria"},
        "calls Pizzeria (+4921112345671) from +4915799912345",
    ),
    (
        EVENT_NEW_CALL,
        {"call_id": "C2", "direction": "in", "from_number": "anonymous", "to_number": None},
        "incoming call from anonymous to ?",
    ),
    (
        EVENT_ANSWER,
        {**CALL, "direction": "in", "user": "Anna Muster"},
        "call +4915799912345 → +4921112345671 answered by Anna Muster",
    ),
    (
        EVENT_ANSWER,
        {**CALL, "direction": "in", "user": None},
        "call +4915799912345 → +4921112345671 answered",
    ),
    (
        EVENT_HANGUP,
        {**CALL, "direction": "in", "cause": "busy"},
        "call +4915799912345 → +4921112345671 ended (busy)",
    ),
    (
        EVENT_HANGUP,
        {**CALL, "direction": "in", "cause": None},
        "call +4915799912345 → +4921112345671 ended (unknown)",
    ),
    (EVENT_DTMF, {"call_id": "C1", "dtmf": "1234"}, "caller entered 1234"),
    (EVENT_DTMF, {"call_id": "C1", "dtmf": ""}, "caller entered nothing"),
    (EVENT_FAX_STATUS, {"session_id": "F123", "status": "SENT", "final": True}, "fax F123 is sent"),
]


@pytest.mark.usefixtures("logbook", "init_integration")
async def test_events_are_described(hass: HomeAssistant, hass_ws_client: WebSocketGenerator) -> None:
    """Every sipgate event reads as one line in the logbook: new call in and out, answer, hangup, digits, fax."""
    since = dt_util.utcnow()
    for event_type, data, _ in DESCRIBED:
        hass.bus.async_fire(event_type, data)

    assert await sipgate_entries(hass, hass_ws_client, since) == [
        ("sipgate", message) for _, _, message in DESCRIBED
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
    await push.post(
        "event=hangup&cause=normalClearing&from=4921112345678&to=4921112345671&direction=in&callId=K1"
    )

    assert await sipgate_entries(hass, hass_ws_client, since) == [
        ("sipgate", "incoming call from Erika Mustermann (+4921112345678) to +4921112345671"),
        ("sipgate", "incoming call from +4930999999999 to +4921112345671"),
        ("sipgate", "incoming call from anonymous to +4921112345671"),
        ("sipgate", "call Erika Mustermann (+4921112345678) → +4921112345671 ended (normalClearing)"),
    ]
