"""The "Last caller" sensor: who the latest call was with, kept after it ended (README "Entities").

It follows the webhook's call events (``signal_call_event``) and the history's
last call (for calls the webhook did not see, e.g. while Home Assistant was
down), and survives restarts.
"""

from datetime import datetime, timedelta
from typing import Any

from homeassistant.components.sensor import SensorEntity
from homeassistant.const import STATE_UNAVAILABLE, STATE_UNKNOWN
from homeassistant.core import callback
from homeassistant.helpers.restore_state import RestoreEntity
from homeassistant.util import dt as dt_util

from .api import HistoryEntry
from .api.phone import history_number
from .api.push_events import AnswerEvent, CallDirection, HangupEvent, NewCallEvent, PushEvent
from .coordinator import HistoryCoordinator
from .entity import SipgateCallFollowingEntity
from .runtime import SipgateConfigEntry

ATTRIBUTES = ("number", "name", "direction", "answered", "duration", "time", "call_id")
# A history entry this close to the call the webhook reported is that call.
SAME_CALL = timedelta(minutes=1)


class SipgateLastCallerSensor(SipgateCallFollowingEntity, RestoreEntity, SensorEntity):
    """The other side of the latest call: its name when known, else its number."""

    _attr_translation_key = "last_caller"
    # Unique per call: kept out of the recorder (the call events carry them; the state itself,
    # the caller, is recorded). Restoring after a restart does not need the recorder.
    _unrecorded_attributes = frozenset({"number", "name", "time", "call_id", "duration"})

    def __init__(self, entry: SipgateConfigEntry, history: HistoryCoordinator) -> None:
        """Create the sensor; it reads ``history`` for calls the webhook did not report."""
        super().__init__(entry, "last_caller")
        self._history = history
        self._call: dict[str, Any] | None = None
        self._answered_at: datetime | None = None

    async def async_added_to_hass(self) -> None:
        """Restore the last call, then follow call events and the history."""
        await super().async_added_to_hass()
        if (last := await self.async_get_last_state()) is not None and last.state not in (
            STATE_UNKNOWN,
            STATE_UNAVAILABLE,
        ):
            self._call = {key: last.attributes.get(key) for key in ATTRIBUTES}
        self.async_on_remove(self._history.async_add_listener(self._async_history_updated))
        self._async_history_updated()

    @property
    def native_value(self) -> str | None:
        """The caller's (or callee's) name, else the number."""
        if self._call is None:
            return None
        return self._call.get("name") or self._call.get("number")

    @property
    def extra_state_attributes(self) -> dict[str, Any]:
        """Number, name, direction, whether it was answered, duration (s) and time of the call."""
        return dict(self._call) if self._call else {}

    @callback
    def _async_handle_call_event(self, event: PushEvent, data: dict[str, Any]) -> None:
        now = dt_util.utcnow()
        if isinstance(event, NewCallEvent):
            incoming = event.direction is not CallDirection.OUT
            self._answered_at = None
            self._call = {
                "number": data.get("from_number") if incoming else data.get("to_number"),
                "name": data.get("from_name") if incoming else data.get("to_name"),
                "direction": "incoming" if incoming else "outgoing",
                "answered": False,
                "duration": None,
                "time": now.isoformat(),
                "call_id": event.call_id,
            }
        elif self._call is None or self._call.get("call_id") != event.call_id:
            return
        elif isinstance(event, AnswerEvent):
            self._answered_at = now
            self._call["answered"] = True
        elif isinstance(event, HangupEvent):
            answered = self._answered_at
            self._call["duration"] = round((now - answered).total_seconds()) if answered else 0
        self._async_write_state_soon()

    @callback
    def _async_history_updated(self) -> None:
        """Take the history's last call when it is newer than the one known."""
        entry = self._history.data.last_call if self._history.data else None
        if entry is None or entry.created is None:
            return
        known = self._call.get("time") if self._call else None
        known_time = dt_util.parse_datetime(known) if isinstance(known, str) else None
        if known_time is not None and entry.created < known_time + SAME_CALL:
            return
        self._call = _from_history(entry, self._entry.runtime_data.client.region)
        self.async_write_ha_state()


def _from_history(entry: HistoryEntry, region: str) -> dict[str, Any]:
    incoming = entry.is_incoming
    answered = entry.direction in ("INCOMING", "OUTGOING")
    return {
        # History numbers come as sipgate writes them; shown in E.164 like webhook numbers.
        "number": history_number(entry.source if incoming else entry.target, region=region),
        "name": entry.source_alias if incoming else entry.target_alias,
        "direction": "incoming" if incoming else "outgoing",
        "answered": answered,
        "duration": entry.duration,
        "time": entry.created.isoformat() if entry.created else None,
        "call_id": entry.call_id,
    }
