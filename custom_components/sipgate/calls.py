"""The account's calls: one bounded registry of everything known per call.

Each call id has one :class:`CallRecord` with its state (ringing, dialing,
talking, ended), who takes part, the reply sipgate is waiting for, the
contexts of the automation and script runs its events started, the Gathers
that were asked for, which pushes were already delivered and when the call
ended. Nothing else in the integration keeps per-call state.

Every push costs O(1): records are kept in order of their last activity, so
expiring old ones only looks at the oldest. One rule evicts: a record is
dropped :data:`RETENTION` after its last activity (or, beyond
:data:`MAX_RECORDS`, the least recently active first). A call that is still
"in progress" but hears nothing for too long (:data:`RINGING_STALE` while it
rings, :data:`TALKING_STALE` while it is talking, :data:`VOICEMAIL_STALE`
while the voicemail records it) ends on its own, and so does an established
call that sipgate's call list stops showing (:meth:`CallRegistry.listed`;
the list never shows the voicemail's calls, so those are left to the time). README: "Security", "Call events".
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
import re
from time import monotonic
from typing import TYPE_CHECKING, Any

from homeassistant.core import Context
from homeassistant.util import dt as dt_util

if TYPE_CHECKING:
    from .answering import PendingReply

# A record is kept this long after its call's last push, so that a replayed
# newCall of the call (signatures carry no time) is refused for at least a day.
RETENTION = 26 * 3600.0
# Records kept at most; beyond this the least recently active one goes.
MAX_RECORDS = 20_000
# Contexts of event and run contexts kept at most (several per call).
MAX_CONTEXTS = 8192
# A ringing or dialling call without any push for this long has ended.
RINGING_STALE = 10 * 60.0
# A talking call without any push (and not seen in sipgate's call list) for this long has ended.
TALKING_STALE = 12 * 3600.0
# A call the voicemail answered (sipgate's call list never shows it) without any push for this long has ended.
VOICEMAIL_STALE = 3600.0
# An established call missing from this many call-list reads in a row has ended.
UNLISTED_POLLS_TO_END = 2
# A second delivery of the same push within this many seconds is a duplicate, not a replay.
DUPLICATE_WINDOW = 10.0


_GATHER_KIND = re.compile(r"dtmf:\d{1,6}")


def _now() -> float:
    """Monotonic seconds, looked up at each call (tests move the registry's time on)."""
    return monotonic()


class CallState(StrEnum):
    """The call-state sensor's states."""

    IDLE = "idle"
    RINGING = "ringing"
    DIALING = "dialing"
    TALKING = "talking"


@dataclass(slots=True, eq=False)
class CallRecord:
    """Everything known about one call id."""

    call_id: str
    touched: float
    state: CallState = CallState.IDLE
    direction: str | None = None
    from_number: str | None = None
    to_number: str | None = None
    from_name: str | None = None
    to_name: str | None = None
    since: datetime | None = None
    ended: bool = False
    # How the call ended when no hangup push told: "unlisted" or "stale".
    ended_without_hangup: str | None = None
    # Push kinds delivered ("newCall", "answer", "hangup", "dtmf:<gather>"): when, and the reply sent.
    deliveries: dict[str, tuple[float, bytes | None]] = field(default_factory=dict)
    gathers: int = 0
    gather_open: bool = False
    pending: PendingReply | None = None
    contexts: set[str] = field(default_factory=set)
    unlisted: int = 0
    # The voicemail took the call: sipgate's call list does not show a running recording.
    by_voicemail: bool = False

    @property
    def in_progress(self) -> bool:
        """Whether the call rings, dials or talks."""
        return not self.ended and self.state is not CallState.IDLE

    def delivery(self, kind: str) -> tuple[float, bytes | None] | None:
        """When a push of ``kind`` was delivered for this call, and the reply it got."""
        return self.deliveries.get(kind)

    def delivered(self, kind: str, when: float, reply: bytes | None = None) -> None:
        """Remember that a push of ``kind`` was accepted (and, once known, its reply)."""
        self.deliveries[kind] = (when, reply)

    def open_gather(self) -> str:
        """A Gather was sent: digits for it are accepted once. Returns its delivery key."""
        self.gathers += 1
        self.gather_open = True
        return self.gather_key

    @property
    def gather_key(self) -> str:
        """The delivery key of the newest Gather's digits."""
        return gather_key(self.gathers)


def gather_key(gather: int) -> str:
    """The delivery key of the digits for a call's ``gather``-th Gather."""
    return f"dtmf:{gather}"


class CallRegistry:
    """The calls of one account, bounded in count and time."""

    def __init__(self, *, clock: Callable[[], float] | None = None) -> None:
        """Start empty; ``clock`` gives monotonic seconds (default: :func:`time.monotonic`)."""
        self._clock = clock or _now
        # Least recently active first.
        self._records: OrderedDict[str, CallRecord] = OrderedDict()
        # Calls in progress, the one that changed last at the end.
        self._active: dict[str, CallRecord] = {}
        self._contexts: OrderedDict[str, CallRecord] = OrderedDict()
        # Established calls (a set, so that "is any call talking" costs nothing per push).
        self._talking: set[str] = set()

    def __len__(self) -> int:
        """How many call records are kept."""
        return len(self._records)

    @property
    def context_count(self) -> int:
        """How many event and run contexts are linked to calls."""
        return len(self._contexts)

    def now(self) -> float:
        """The registry's clock."""
        return self._clock()

    # Records

    def get(self, call_id: str) -> CallRecord | None:
        """The record of ``call_id``, if one is kept."""
        return self._records.get(call_id)

    def record(self, call_id: str) -> CallRecord:
        """The record of ``call_id``, made if new; either way marked as just active."""
        now = self._clock()
        if (record := self._records.get(call_id)) is not None:
            record.touched = now
            self._records.move_to_end(call_id)
            return record
        record = CallRecord(call_id, now)
        self._records[call_id] = record
        while len(self._records) > MAX_RECORDS:
            self._drop(next(iter(self._records.values())))
        return record

    def _drop(self, record: CallRecord) -> None:
        self._records.pop(record.call_id, None)
        self._active.pop(record.call_id, None)
        self._talking.discard(record.call_id)
        self._unlink_contexts(record)

    def _unlink_contexts(self, record: CallRecord) -> None:
        for context_id in record.contexts:
            if self._contexts.get(context_id) is record:
                del self._contexts[context_id]
        record.contexts.clear()

    # Call state

    @property
    def calls(self) -> list[CallRecord]:
        """The calls in progress, the one that changed last at the end."""
        return list(self._active.values())

    @property
    def active_count(self) -> int:
        """How many calls are in progress."""
        return len(self._active)

    @property
    def latest(self) -> CallRecord | None:
        """The call in progress that changed last."""
        return next(reversed(self._active.values()), None)

    @property
    def state(self) -> CallState:
        """The latest call's state, or idle."""
        latest = self.latest
        return latest.state if latest else CallState.IDLE

    @property
    def talking(self) -> bool:
        """Whether any call is established that sipgate's call list can show (not the voicemail's)."""
        return bool(self._talking)

    def set_state(self, record: CallRecord, state: CallState) -> bool:
        """Move a call to ``state`` (not after it ended); return whether that changed anything."""
        if record.ended:
            return False
        record.state = state
        if state is CallState.TALKING and not record.by_voicemail:
            self._talking.add(record.call_id)
        else:
            self._talking.discard(record.call_id)
        record.since = dt_util.utcnow()
        record.unlisted = 0
        self._active.pop(record.call_id, None)
        self._active[record.call_id] = record
        return True

    def end(self, record: CallRecord, *, without_hangup: str | None = None) -> bool:
        """The call ended; return whether it was in progress."""
        if record.ended:
            return False
        was_active = record.in_progress
        record.ended = True
        record.ended_without_hangup = without_hangup
        record.gather_open = False
        self._active.pop(record.call_id, None)
        self._talking.discard(record.call_id)
        self._unlink_contexts(record)
        return was_active

    def listed(self, call_ids: Iterable[str]) -> list[CallRecord]:
        """Sipgate's call list shows ``call_ids``; end established calls it stopped showing.

        Returns the calls that ended. A call must be missing twice in a row, so
        that a call answered just before the list was read is not ended.
        """
        shown = set(call_ids)
        ended: list[CallRecord] = []
        for record in list(self._active.values()):
            if record.call_id in shown:
                record.unlisted = 0
                self.record(record.call_id)
            elif record.state is CallState.TALKING and not record.by_voicemail:
                record.unlisted += 1
                if record.unlisted >= UNLISTED_POLLS_TO_END and self.end(record, without_hangup="unlisted"):
                    ended.append(record)
        return ended

    def expire(self) -> list[CallRecord]:
        """Drop records past their retention; end calls nobody has heard of for too long.

        Returns the calls that ended now.
        """
        now = self._clock()
        ended: list[CallRecord] = []
        for record in list(self._active.values()):
            if record.state is not CallState.TALKING:
                limit = RINGING_STALE
            else:
                limit = VOICEMAIL_STALE if record.by_voicemail else TALKING_STALE
            if now - record.touched > limit and self.end(record, without_hangup="stale"):
                ended.append(record)
        while self._records:
            oldest = next(iter(self._records.values()))
            if now - oldest.touched <= RETENTION:
                break
            self._drop(oldest)
        return ended

    # What outlives the process (see call_memory.py)

    def snapshot(self) -> list[list[Any]]:
        """Each call with accepted pushes: ``[call id, wall-clock time of last activity, kinds]``."""
        now, wall = self._clock(), dt_util.utcnow().timestamp()
        return [
            [record.call_id, round(wall - (now - record.touched), 1), list(record.deliveries)]
            for record in self._records.values()
            if record.deliveries
        ]

    def restore(self, items: Iterable[Any]) -> None:
        """Take back a :meth:`snapshot`: those pushes count as accepted long ago (a repeat is a replay).

        Entries past :data:`RETENTION` and malformed ones are skipped; the calls' states are not
        restored (they are not known after a restart).
        """
        now, wall = self._clock(), dt_util.utcnow().timestamp()
        for item in items:
            match item:
                case [str(call_id), int() | float() as seen, list(kinds)] if call_id:
                    age = max(wall - seen, 0.0)
                    if age > RETENTION or call_id in self._records:
                        continue
                    touched = now - age
                    record = CallRecord(call_id, touched)
                    record.deliveries = {
                        kind: (touched - DUPLICATE_WINDOW - 1.0, None)
                        for kind in kinds
                        if isinstance(kind, str)
                    }
                    # A new Gather of the call gets a number of its own, not one already answered.
                    record.gathers = max(
                        (int(kind[5:]) for kind in record.deliveries if _GATHER_KIND.fullmatch(kind)),
                        default=0,
                    )
                    self._records[call_id] = record
        # Oldest first, as the eviction expects.
        ordered = sorted(self._records.values(), key=lambda record: record.touched)
        self._records = OrderedDict((record.call_id, record) for record in ordered[-MAX_RECORDS:])

    # Contexts of the events and runs of a call

    def link_context(self, record: CallRecord, context_id: str) -> None:
        """Actions run under ``context_id`` are about ``record``'s call."""
        if (previous := self._contexts.get(context_id)) is not None and previous is not record:
            previous.contexts.discard(context_id)
        record.contexts.add(context_id)
        self._contexts[context_id] = record
        self._contexts.move_to_end(context_id)
        while len(self._contexts) > MAX_CONTEXTS:
            old_id, old = self._contexts.popitem(last=False)
            old.contexts.discard(old_id)

    def for_context(self, context: Context | None) -> CallRecord | None:
        """The call whose event (or a run started by it) runs under ``context``."""
        if context is None:
            return None
        if (record := self._contexts.get(context.id)) is not None:
            return record
        return self._contexts.get(context.parent_id) if context.parent_id else None
