"""Sensors of the account: the call state (spec §8)."""

from typing import Any

from homeassistant.components.sensor import SensorDeviceClass, SensorEntity
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.dispatcher import async_dispatcher_connect
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .api.push_events import PushEvent
from .call_state import CallState
from .data import SipgateConfigEntry
from .entity import SipgateAccountEntity
from .webhook import signal_call_event

PARALLEL_UPDATES = 0
CALL_STATES = [state.value for state in CallState]


async def async_setup_entry(
    hass: HomeAssistant, entry: SipgateConfigEntry, async_add_entities: AddConfigEntryEntitiesCallback
) -> None:
    """Add the account's sensors."""
    async_add_entities([SipgateCallStateSensor(entry)])


class SipgateCallStateSensor(SipgateAccountEntity, SensorEntity):
    """Idle, ringing, dialing or talking: the latest call of the account."""

    _attr_translation_key = "call_state"
    _attr_device_class = SensorDeviceClass.ENUM
    _attr_options = CALL_STATES

    def __init__(self, entry: SipgateConfigEntry) -> None:
        """Create the call-state sensor."""
        super().__init__(entry, "call_state")

    async def async_added_to_hass(self) -> None:
        """Follow the account's webhook events."""
        await super().async_added_to_hass()
        self.async_on_remove(
            async_dispatcher_connect(self.hass, signal_call_event(self._entry.entry_id), self._async_handle)
        )

    @callback
    def _async_handle(self, event: PushEvent, data: dict[str, Any]) -> None:
        self.async_write_ha_state()

    @property
    def native_value(self) -> str:
        """The latest call's state."""
        return self._entry.runtime_data.tracker.state.value

    @property
    def extra_state_attributes(self) -> dict[str, Any]:
        """Who is calling whom, and how many calls are going on."""
        tracker = self._entry.runtime_data.tracker
        latest = tracker.latest
        return {
            "call_id": latest.call_id if latest else None,
            "direction": latest.direction if latest else None,
            "from_number": latest.from_number if latest else None,
            "to_number": latest.to_number if latest else None,
            "from_name": latest.from_name if latest else None,
            "to_name": latest.to_name if latest else None,
            "active_calls": len(tracker.calls),
        }
