"""What counts as arrived: after start-up only, a fax once complete, only what came in, numbers in E.164."""

import copy
from typing import Any

from freezegun.api import FrozenDateTimeFactory
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_mock_service
from pytest_homeassistant_custom_component.test_util.aiohttp import AiohttpClientMocker
from pytest_homeassistant_custom_component.typing import WebSocketGenerator

from custom_components.sipgate.const import EVENT_SMS_RECEIVED, EVENT_VOICEMAIL_RECEIVED
from homeassistant.core import CoreState, HomeAssistant
from homeassistant.setup import async_setup_component

from .test_arrivals import (
    ARRIVALS,
    ENTITY,
    FAX,
    SMS,
    VOICEMAIL,
    History,
    browse,
    capture,
    fired,
    mock_account_with_history,
    next_history_read,
    storage_key,
)

pytestmark = pytest.mark.freeze_time("2026-11-27 12:05:00+00:00")

# What the account's history fixture holds (announced by an earlier run).
KNOWN = ["100001240", "100001250", "100001260"]
EVENT_FAX = "sipgate_fax_received"


@pytest.fixture
def history(aioclient_mock: AiohttpClientMocker) -> History:
    """The account's history, answered before anything else registers ``/history``."""
    return History(aioclient_mock)


@pytest.fixture
def sipgate_api(aioclient_mock: AiohttpClientMocker, history: History) -> AiohttpClientMocker:
    """Sipgate's REST API of a healthy account, with a history that changes."""
    return mock_account_with_history(aioclient_mock)


def remembered(hass_storage: dict[str, Any], entry: MockConfigEntry) -> list[str]:
    """The ids the entry keeps as announced."""
    return list(hass_storage[storage_key(entry)]["data"]["known"])


def arrival(entry_id: str, new_id: str, **changes: Any) -> dict[str, Any]:
    """A copy of a fixture item under another id, with ``changes`` (``None`` drops a field)."""
    item = copy.deepcopy(ARRIVALS[entry_id]) | {"id": new_id}
    for key, value in changes.items():
        if value is None:
            item.pop(key, None)
        else:
            item[key] = value
    return item


async def on_voicemail_call_service(hass: HomeAssistant) -> list[Any]:
    """An automation on new voicemails; the calls of the action it runs."""
    calls = async_mock_service(hass, "test", "voicemail")
    assert await async_setup_component(
        hass,
        "automation",
        {
            "automation": {
                "triggers": [{"trigger": "event", "event_type": EVENT_VOICEMAIL_RECEIVED}],
                "actions": [
                    {"action": "test.voicemail", "data": {"id": "{{ trigger.event.data.history_id }}"}}
                ],
            }
        },
    )
    return calls


async def test_what_arrived_while_home_assistant_was_down_is_announced_once_it_has_started(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    sipgate_api: AiohttpClientMocker,
    history: History,
    hass_storage: dict[str, Any],
) -> None:
    """The first read is held until start-up: the automation and the Messages entity both get it."""
    key = storage_key(mock_config_entry)
    hass_storage[key] = {"version": 1, "minor_version": 1, "key": key, "data": {"known": KNOWN}}
    history.add(VOICEMAIL)
    hass.set_state(CoreState.not_running)
    calls = await on_voicemail_call_service(hass)
    mock_config_entry.add_to_hass(hass)
    await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    assert calls == []
    assert VOICEMAIL not in remembered(hass_storage, mock_config_entry)  # not lost before anyone listens

    await hass.async_start()
    await hass.async_block_till_done()
    assert [str(call.data["id"]) for call in calls] == [VOICEMAIL]
    state = hass.states.get(ENTITY)
    assert (state.attributes["event_type"], state.attributes["history_id"]) == ("voicemail", VOICEMAIL)
    assert remembered(hass_storage, mock_config_entry)[-1] == VOICEMAIL


async def test_what_arrived_during_a_reload_reaches_the_messages_entity(
    hass: HomeAssistant, init_integration: MockConfigEntry, history: History
) -> None:
    """The read made while the entry sets up again is announced once the entity listens."""
    events = capture(hass)
    history.add(SMS)
    await hass.config_entries.async_reload(init_integration.entry_id)
    await hass.async_block_till_done()
    assert fired(events) == [(EVENT_SMS_RECEIVED, SMS)]
    state = hass.states.get(ENTITY)
    assert (state.attributes["event_type"], state.attributes["history_id"]) == ("sms", SMS)


@pytest.mark.parametrize(
    "unfinished",
    [
        {"faxStatusType": "PENDING", "documentUrl": None, "pageCount": 0},
        {"faxStatusType": "SENDING"},
        {"faxStatusType": "FAILED"},
        {"documentUrl": None},
    ],
    ids=["pending", "receiving", "failed", "no_document"],
)
async def test_a_fax_is_announced_once_it_is_complete(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    history: History,
    freezer: FrozenDateTimeFactory,
    hass_storage: dict[str, Any],
    hass_ws_client: WebSocketGenerator,
    unfinished: dict[str, Any],
) -> None:
    """A fax still coming in (or failed) is not announced nor listed nor remembered; complete, it is, once."""
    assert await async_setup_component(hass, "media_source", {})
    events = capture(hass)
    history.items.insert(0, arrival(FAX, FAX, **unfinished))
    await next_history_read(hass, freezer)
    assert fired(events) == []
    assert FAX not in remembered(hass_storage, init_integration)
    folder = f"media-source://sipgate/{init_integration.entry_id}/fax"
    listed = [child["media_content_id"] for child in (await browse(hass_ws_client, hass, folder))["children"]]
    assert not [media_id for media_id in listed if media_id.endswith(f"/{FAX}")]

    history.items[0] = arrival(FAX, FAX)  # sipgate has it all now
    await next_history_read(hass, freezer)
    await next_history_read(hass, freezer)
    assert fired(events) == [(EVENT_FAX, FAX)]
    assert events[EVENT_FAX][0].data["pages"] == 3
    assert FAX in remembered(hass_storage, init_integration)
    listed = [child["media_content_id"] for child in (await browse(hass_ws_client, hass, folder))["children"]]
    assert listed[0] == f"{folder}/{FAX}"


async def test_what_was_sent_fires_nothing_and_what_came_in_by_direction_does(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    history: History,
    freezer: FrozenDateTimeFactory,
    hass_storage: dict[str, Any],
) -> None:
    """A sent SMS and a sent fax are no arrivals; an SMS listed only with the direction INCOMING is one."""
    events = capture(hass)
    sent = {"direction": "OUTGOING", "incoming": False}
    history.items[:0] = [
        arrival(SMS, "100001401", **sent),
        arrival(FAX, "100001402", **sent, faxStatusType="SENT"),
        arrival(SMS, "100001403", incoming=False),  # direction INCOMING without the flag
    ]
    await next_history_read(hass, freezer)
    assert fired(events) == [(EVENT_SMS_RECEIVED, "100001403")]
    assert not {"100001401", "100001402"} & set(remembered(hass_storage, init_integration))
    # The counter counts it like the arrivals do (the fixture's unread SMS and this one).
    assert hass.states.get("sensor.sipgate_muster_elektro_gmbh_unread_sms").state == "2"


@pytest.mark.parametrize(
    ("source", "target", "from_number", "to_number"),
    [
        ("0176-12345678", "4921112345671", "+4917612345678", "+4921112345671"),
        ("4917612345678", "0211 12345671", "+4917612345678", "+4921112345671"),
        ("+4917612345678", "+4921112345671", "+4917612345678", "+4921112345671"),
    ],
    ids=["national", "bare_digits", "e164"],
)
async def test_numbers_in_the_events_are_e164(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    history: History,
    freezer: FrozenDateTimeFactory,
    source: str,
    target: str,
    from_number: str,
    to_number: str,
) -> None:
    """Sipgate's national and bare-digit forms become E.164, and the caller is found in the contacts."""
    events = capture(hass)
    history.items.insert(
        0, arrival(SMS, SMS, source=source, target=target, sourceAlias=None, targetAlias=None)
    )
    await next_history_read(hass, freezer)
    data = events[EVENT_SMS_RECEIVED][0].data
    assert (data["from_number"], data["to_number"]) == (from_number, to_number)
    assert data["from_name"] == "Erika Mustermann"  # a contact with +4917612345678
    state = hass.states.get(ENTITY)
    assert (state.attributes["from_number"], state.attributes["to_number"]) == (from_number, to_number)


async def test_numbers_that_are_not_numbers_stay_as_sipgate_wrote_them(
    hass: HomeAssistant, init_integration: MockConfigEntry, history: History, freezer: FrozenDateTimeFactory
) -> None:
    """``anonymous`` and a national number that cannot exist keep their raw value."""
    events = capture(hass)
    history.items.insert(
        0, arrival(VOICEMAIL, VOICEMAIL, source="anonymous", sourceAlias=None, target="0123")
    )
    await next_history_read(hass, freezer)
    data = events[EVENT_VOICEMAIL_RECEIVED][0].data
    assert (data["from_number"], data["from_name"], data["to_number"]) == ("anonymous", None, "0123")
