"""Calls remembered: missed calls are unanswered incoming calls; the last caller is kept."""

from datetime import timedelta
from typing import Any

from freezegun.api import FrozenDateTimeFactory
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_time_changed,
    mock_restore_cache,
)
from pytest_homeassistant_custom_component.test_util.aiohttp import AiohttpClientMocker

from homeassistant.core import HomeAssistant, State

from .conftest import WebhookCaller, api_url, load_json, mock_account_endpoints

pytestmark = pytest.mark.freeze_time("2026-11-27 12:00:00+00:00")

LAST_CALLER = "sensor.sipgate_muster_elektro_gmbh_last_caller"
MISSED = "sensor.sipgate_muster_elektro_gmbh_missed_calls"


def _history(*entries: dict[str, Any]) -> dict[str, Any]:
    return {"items": list(entries), "totalCount": len(entries)}


def _call(entry_id: str, direction: str, *, read: bool = False, **extra: Any) -> dict[str, Any]:
    return {
        "id": entry_id,
        "type": "CALL",
        "direction": direction,
        "incoming": direction.endswith("INCOMING"),
        "read": read,
        "source": "+4915799912345",
        "target": "+4921112345671",
        "created": "2026-11-27T08:00:00Z",
        **extra,
    }


async def test_missed_calls_count_unanswered_incoming_calls_only(
    hass: HomeAssistant, aioclient_mock: AiohttpClientMocker, mock_config_entry: MockConfigEntry
) -> None:
    """Unread MISSED_INCOMING calls count; unanswered outgoing calls and read ones do not."""
    aioclient_mock.get(
        api_url("history"),
        json=_history(
            _call("1", "MISSED_INCOMING"),
            _call("2", "MISSED_OUTGOING"),
            _call("3", "MISSED_OUTGOING"),
            _call("4", "MISSED_INCOMING", read=True),
            _call("5", "INCOMING"),
        ),
    )
    aioclient_mock.get(api_url("authorization/userinfo"), json=load_json("userinfo.json"))
    aioclient_mock.get(api_url("account"), json=load_json("account.json"))
    mock_account_endpoints(aioclient_mock, skip=("history",))
    mock_config_entry.add_to_hass(hass)
    await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    assert hass.states.get(MISSED).state == "1"


async def test_the_last_caller_survives_the_end_of_the_call(
    hass: HomeAssistant, push: WebhookCaller, freezer: FrozenDateTimeFactory
) -> None:
    """Ringing, answered, hung up after 42 s: the caller stays, with direction, duration and time."""
    await push.post("event=newCall&callId=LC1&from=4915790000001&to=4921112345671&direction=in")
    await hass.async_block_till_done()
    state = hass.states.get(LAST_CALLER)
    assert state.state == "+4915790000001"
    assert state.attributes["direction"] == "incoming"
    assert state.attributes["answered"] is False
    freezer.tick(timedelta(seconds=5))
    await push.post("event=answer&callId=LC1&from=4915790000001&to=4921112345671&direction=in&user=Anna")
    freezer.tick(timedelta(seconds=42))
    await push.post(
        "event=hangup&cause=normalClearing&callId=LC1&from=4915790000001&to=4921112345671&direction=in"
    )
    await hass.async_block_till_done()
    freezer.tick(timedelta(minutes=10))
    async_fire_time_changed(hass)
    await hass.async_block_till_done()

    state = hass.states.get(LAST_CALLER)
    assert state.state == "+4915790000001"
    assert state.attributes == state.attributes | {
        "number": "+4915790000001",
        "name": None,
        "direction": "incoming",
        "answered": True,
        "duration": 42,
        "time": "2026-11-27T12:00:00+00:00",
        "call_id": "LC1",
    }
    # Another call's events do not change it; an outgoing call shows the callee.
    await push.post(
        "event=hangup&cause=normalClearing&callId=OTHER&from=4915790000009&to=4921112345671&direction=in"
    )
    await push.post("event=newCall&callId=LC2&from=4921112345671&to=4921112345678&direction=out")
    await hass.async_block_till_done()
    state = hass.states.get(LAST_CALLER)
    assert (state.state, state.attributes["number"], state.attributes["direction"]) == (
        "Erika Mustermann",  # the callee is a contact
        "+4921112345678",
        "outgoing",
    )


async def test_the_last_caller_is_named_from_the_contacts(hass: HomeAssistant, push: WebhookCaller) -> None:
    """A caller with a contact shows the contact's name; the number stays an attribute."""
    names = hass.config_entries.async_entries("sipgate")[0].runtime_data.contacts.names
    names.replace({"+4915790000002": "Erika Muster"})
    await push.post("event=newCall&callId=LC3&from=4915790000002&to=4921112345671&direction=in")
    await hass.async_block_till_done()
    state = hass.states.get(LAST_CALLER)
    assert (state.state, state.attributes["number"]) == ("Erika Muster", "+4915790000002")


async def test_the_last_caller_survives_a_restart(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """Without a newer call in the history, the call from before the restart is shown."""
    await hass.config_entries.async_unload(init_integration.entry_id)
    await hass.async_block_till_done()
    mock_restore_cache(
        hass,
        [
            State(
                LAST_CALLER,
                "Max Kunde",
                {
                    "number": "+4915799912345",
                    "name": "Max Kunde",
                    "direction": "incoming",
                    "answered": True,
                    "duration": 12,
                    "time": "2026-11-27T11:59:00+00:00",
                    "call_id": "R1",
                },
            )
        ],
    )
    await hass.config_entries.async_setup(init_integration.entry_id)
    await hass.async_block_till_done()
    state = hass.states.get(LAST_CALLER)
    assert state.state == "Max Kunde"
    assert (state.attributes["duration"], state.attributes["call_id"]) == (12, "R1")


async def test_the_last_caller_from_the_history(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """A call the webhook did not report (Home Assistant was down): the history's last call."""
    state = hass.states.get(LAST_CALLER)
    newest = max(
        (e for e in load_json("history.json")["items"] if e["type"] == "CALL"), key=lambda e: e["created"]
    )
    assert state.attributes["time"] == "2026-11-26T08:15:02+00:00" == newest["created"].replace("Z", "+00:00")
    assert state.attributes["direction"] == ("incoming" if newest["incoming"] else "outgoing")
    assert state.state == (newest["sourceAlias"] or newest["source"])
