"""What the account's calls are doing right now, from the webhook events."""

from collections import OrderedDict
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum

from homeassistant.util import dt as dt_util

from .api.push_events import AnswerEvent, HangupEvent, NewCallEvent, PushEvent

# How many ended calls are remembered to ignore their late pushes.
ENDED_REMEMBERED = 1024
# A call whose hangup never arrived is forgotten after this long.
STALE_AFTER = timedelta(hours=12)


class CallState(StrEnum):
    """The call-state sensor's states."""

    IDLE = "idle"
    RINGING = "ringing"
    DIALING = "dialing"
    TALKING = "talking"


@dataclass(frozen=True, slots=True)
class TrackedCall:
    """A call between its ``newCall`` and its ``hangup``."""

    call_id: str
    state: CallState
    direction: str | None
    from_number: str | None
    to_number: str | None
    from_name: str | None
    to_name: str | None
    since: datetime


class CallTracker:
    """Follows calls from ``newCall`` to ``hangup``; the latest call gives the state."""

    def __init__(self) -> None:
        """Start with no call."""
        self._calls: dict[str, TrackedCall] = {}
        # Calls that ended lately: a late or repeated push for one must not bring it back.
        self._ended: OrderedDict[str, None] = OrderedDict()

    @property
    def calls(self) -> list[TrackedCall]:
        """The calls in progress, oldest first."""
        return list(self._calls.values())

    @property
    def latest(self) -> TrackedCall | None:
        """The call that changed last."""
        return next(reversed(self._calls.values()), None)

    @property
    def state(self) -> CallState:
        """The latest call's state, or idle."""
        latest = self.latest
        return latest.state if latest else CallState.IDLE

    def update(self, event: PushEvent, *, from_name: str | None, to_name: str | None) -> bool:
        """Apply a webhook event; return whether anything changed."""
        now = dt_util.utcnow()
        self._drop_stale(now)
        match event:
            case _ if event.call_id in self._ended:
                return False
            case NewCallEvent():
                state = CallState.RINGING if event.direction == "in" else CallState.DIALING
                self._calls.pop(event.call_id, None)
                self._calls[event.call_id] = self._new(event, state, from_name, to_name, now)
                return True
            case AnswerEvent():
                call = self._calls.pop(event.call_id, None) or self._new(
                    event, CallState.TALKING, from_name, to_name, now
                )
                self._calls[event.call_id] = replace(call, state=CallState.TALKING, since=now)
                return True
            case HangupEvent():
                self._ended[event.call_id] = None
                while len(self._ended) > ENDED_REMEMBERED:
                    self._ended.popitem(last=False)
                return self._calls.pop(event.call_id, None) is not None
            case _:  # DtmfEvent: the call's state does not change
                return False

    @staticmethod
    def _new(
        event: PushEvent, state: CallState, from_name: str | None, to_name: str | None, now: datetime
    ) -> TrackedCall:
        direction = str(event.direction) if event.direction else None
        return TrackedCall(
            event.call_id, state, direction, event.from_number, event.to_number, from_name, to_name, now
        )

    def _drop_stale(self, now: datetime) -> None:
        for call_id in [c.call_id for c in self._calls.values() if now - c.since > STALE_AFTER]:
            del self._calls[call_id]
