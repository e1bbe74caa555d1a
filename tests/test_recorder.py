"""What a call or a message leaves in the recorder: the events with their data, not a new attribute row each."""

from datetime import timedelta

from freezegun.api import FrozenDateTimeFactory
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_fire_time_changed
from pytest_homeassistant_custom_component.components.recorder.common import async_wait_recording_done
from pytest_homeassistant_custom_component.test_util.aiohttp import AiohttpClientMocker

from homeassistant.components.recorder import Recorder, history as recorder_history
from homeassistant.core import HomeAssistant
from homeassistant.util import dt as dt_util

from .conftest import WebhookCaller
from .test_arrivals import ENTITY as MESSAGES_EVENT, FAX, History, mock_account_with_history

CALL_STATE = "sensor.sipgate_muster_elektro_gmbh_call_state"
CALL_EVENT = "event.sipgate_muster_elektro_gmbh_call"
LAST_CALLER = "sensor.sipgate_muster_elektro_gmbh_last_caller"


# What the Messages event entity shows of each message.
MESSAGE_ATTRIBUTES = {
    "history_id",
    "time",
    "media_id",
    "from_number",
    "to_number",
    "from_name",
    "to_name",
    "line",
    "pages",
}


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations(recorder_mock: Recorder, enable_custom_integrations: None) -> None:
    """The recorder first (it must be set up before Home Assistant is), then the integration."""


@pytest.fixture
def history(aioclient_mock: AiohttpClientMocker) -> History:
    """The account's history, answered before anything else registers ``/history``."""
    return History(aioclient_mock)


@pytest.fixture
def sipgate_api(aioclient_mock: AiohttpClientMocker, history: History) -> AiohttpClientMocker:
    """Sipgate's REST API of a healthy account, with a history that changes."""
    return mock_account_with_history(aioclient_mock)


async def test_per_call_attributes_stay_out_of_the_recorder(
    recorder_mock: Recorder, hass: HomeAssistant, push: WebhookCaller, webhook_integration: MockConfigEntry
) -> None:
    """The call-state sensor and the Call event entity show who calls; the recorder keeps only the states."""
    start = dt_util.utcnow()
    await push.post("event=newCall&callId=REC1&from=4915799912345&to=4921112345671&direction=in")
    await hass.async_block_till_done()
    assert hass.states.get(CALL_STATE).attributes["from_number"] == "+4915799912345"
    assert hass.states.get(CALL_EVENT).attributes["call_id"] == "REC1"
    assert hass.states.get(LAST_CALLER).attributes["call_id"] == "REC1"
    await async_wait_recording_done(hass)

    def recorded() -> dict[str, list[dict[str, object]]]:
        states = recorder_history.get_significant_states(
            hass, start, entity_ids=[CALL_STATE, CALL_EVENT, LAST_CALLER], significant_changes_only=False
        )
        return {entity_id: [dict(s.attributes) for s in found] for entity_id, found in states.items()}

    stored = await hass.async_add_executor_job(recorded)
    for attributes in stored[CALL_STATE] + stored[CALL_EVENT]:
        assert not {"call_id", "from_number", "to_number", "from_name", "to_name"} & set(attributes)
    assert stored[CALL_STATE][-1]["active_calls"] == 1
    assert stored[CALL_EVENT][-1]["event_type"] == "incoming_call"
    for attributes in stored[LAST_CALLER]:
        assert not {"number", "name", "time", "call_id", "duration"} & set(attributes)
    assert stored[LAST_CALLER][-1]["direction"] == "incoming"


async def test_per_message_attributes_stay_out_of_the_recorder(
    recorder_mock: Recorder,
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    history: History,
    freezer: FrozenDateTimeFactory,
) -> None:
    """The Messages event entity shows the fax that came; the recorder keeps only the event type."""
    start = dt_util.utcnow()
    history.add(FAX)
    freezer.tick(timedelta(minutes=5, seconds=1))
    async_fire_time_changed(hass)
    await hass.async_block_till_done()
    assert hass.states.get(MESSAGES_EVENT).attributes["history_id"] == FAX
    await async_wait_recording_done(hass)

    def recorded() -> list[dict[str, object]]:
        states = recorder_history.get_significant_states(
            hass, start, entity_ids=[MESSAGES_EVENT], significant_changes_only=False
        )
        return [dict(s.attributes) for s in states[MESSAGES_EVENT]]

    stored = await hass.async_add_executor_job(recorded)
    assert stored[-1]["event_type"] == "fax"
    for attributes in stored:
        assert not MESSAGE_ATTRIBUTES & set(attributes)
