"""Holding a ringing call's webhook reply until an automation answers it.

When sipgate pushes ``newCall`` (or ``dtmf`` after a ``Gather``) it waits for
the XML reply, at most ten seconds. The integration fires its bus event and
holds the reply until the first of:

* an answering action for this call (``reject_call``, ``redirect_call`` …);
* every automation or script run started by the event has finished;
* the answer timeout.

Runs are recognised by their context: an automation triggered by the event
runs with a context whose ``parent_id`` is the event's context id, and a
script it starts runs with the automation's context. Home Assistant starts
event-triggered runs eagerly from a ``call_soon`` callback scheduled by the
event trigger, and announces each with ``automation_triggered`` from inside
the run's own task; so once a callback scheduled after firing the event has
run, every run the event started is known, and a call nobody answers gets
its reply at once instead of after the timeout.

A script started with ``script.turn_on`` (or in the background) runs in a task
of its own that is created *after* ``script_started`` was fired; that task is
found by the script's first state write, which carries the run's context and
happens inside the new task, before the starting automation goes on.

The held replies and the contexts live in the call registry (:mod:`.calls`).
"""

import asyncio
from dataclasses import dataclass, field
from typing import Any

from homeassistant.components.automation import EVENT_AUTOMATION_TRIGGERED
from homeassistant.components.script import EVENT_SCRIPT_STARTED
from homeassistant.const import EVENT_STATE_CHANGED
from homeassistant.core import CALLBACK_TYPE, Context, Event, EventStateChangedData, HomeAssistant, callback

from .api.push_reply import ReplyAction
from .calls import CallRecord, CallRegistry


@dataclass(eq=False)
class PendingReply:
    """A webhook reply sipgate is waiting for."""

    record: CallRecord
    context: Context
    future: asyncio.Future[ReplyAction | None]
    reply_url: str
    runs: set[asyncio.Task[Any]] = field(default_factory=set)

    @property
    def call_id(self) -> str:
        """The call the reply is for."""
        return self.record.call_id

    @property
    def done(self) -> bool:
        """Whether the reply is decided."""
        return self.future.done()

    def answer(self, action: ReplyAction | None) -> bool:
        """Decide the reply; only the first answer counts."""
        if self.future.done():
            return False
        self.future.set_result(action)
        return True

    def track_run(self, task: asyncio.Task[Any]) -> None:
        """Wait for this run too before replying without an answer."""
        if task in self.runs or task.done():
            return
        self.runs.add(task)
        task.add_done_callback(self._run_finished)

    def _run_finished(self, task: asyncio.Task[Any]) -> None:
        self.runs.discard(task)
        if not self.runs:
            self.answer(None)

    def runs_known(self) -> None:
        """Every run the event started has announced itself: none means reply now."""
        if not self.runs:
            self.answer(None)


class CallAnswering:
    """Holds the replies of one account's ringing calls and follows the runs that may answer them."""

    def __init__(self, hass: HomeAssistant, timeout: float, calls: CallRegistry) -> None:
        """Hold replies at most ``timeout`` seconds; calls and contexts live in ``calls``."""
        self._hass = hass
        self.timeout = timeout
        self._calls = calls
        self._pending = 0

    @callback
    def async_start(self) -> CALLBACK_TYPE:
        """Follow automation and script runs; returns the function that stops it."""
        unsubscribers = [
            self._hass.bus.async_listen(EVENT_AUTOMATION_TRIGGERED, self._async_run_started),
            self._hass.bus.async_listen(EVENT_SCRIPT_STARTED, self._async_run_started),
            self._hass.bus.async_listen(
                EVENT_STATE_CHANGED, self._async_script_state, event_filter=self._is_script_while_pending
            ),
        ]

        @callback
        def stop() -> None:
            for unsubscribe in unsubscribers:
                unsubscribe()
            for record in self._calls.calls:
                if record.pending is not None:
                    record.pending.answer(None)

        return stop

    @property
    def pending_count(self) -> int:
        """How many replies are being held right now."""
        return self._pending

    @callback
    def _is_script_while_pending(self, data: EventStateChangedData) -> bool:
        return self._pending > 0 and data["entity_id"].startswith("script.")

    @callback
    def _async_script_state(self, event: Event[EventStateChangedData]) -> None:
        """A script wrote its state: from inside its run's task when the run starts."""
        if (new_state := event.data["new_state"]) is not None and new_state.state == "on":
            self._follow(new_state.context)

    @callback
    def _async_run_started(self, event: Event) -> None:
        """A run started: if an event of ours (or a run of it) started it, follow it."""
        self._follow(event.context)

    def _follow(self, context: Context) -> None:
        record = self._calls.for_context(context)
        if record is None:
            return
        self._calls.link_context(record, context.id)
        pending = record.pending
        if pending is not None and not pending.done and (task := asyncio.current_task()) is not None:
            pending.track_run(task)

    @callback
    def release(self, record: CallRecord) -> None:
        """A newer push for the call: a reply still held for it goes out now, unanswered."""
        if record.pending is not None:
            record.pending.answer(None)

    @callback
    def begin(self, record: CallRecord, context: Context, reply_url: str) -> PendingReply:
        """Hold the reply for ``record``'s call; fire the call's event with ``context`` next.

        ``reply_url`` is the ``onData`` URL for a Gather the answer may ask for.
        """
        self.release(record)
        pending = PendingReply(record, context, self._hass.loop.create_future(), reply_url)
        record.pending = pending
        self._pending += 1
        self._calls.link_context(record, context.id)
        return pending

    async def wait(self, pending: PendingReply) -> ReplyAction | None:
        """The answer for a held reply, or ``None`` when nobody answers in time."""
        # Runs started by the event announce themselves in callbacks the event
        # trigger scheduled while the event was fired; this one runs after them.
        self._hass.loop.call_soon(pending.runs_known)
        try:
            async with asyncio.timeout(self.timeout):
                return await asyncio.shield(pending.future)
        except TimeoutError:
            pending.answer(None)
            return None
        finally:
            self._pending -= 1
            if pending.record.pending is pending:
                pending.record.pending = None

    def find_pending(self, call_id: str | None, context: Context | None) -> PendingReply | None:
        """The held reply an action is meant for: by call id, else by the action's context."""
        record = self._calls.get(call_id) if call_id is not None else self._calls.for_context(context)
        if record is None or (pending := record.pending) is None or pending.done:
            return None
        return pending

    def knows(self, call_id: str | None, context: Context | None) -> bool:
        """Whether an action with this call id or context is about a call of this account."""
        if call_id is not None:
            return self._calls.get(call_id) is not None
        return self._calls.for_context(context) is not None

    def call_id_for(self, context: Context | None) -> str | None:
        """The call whose event (or a run of it) runs under ``context``."""
        record = self._calls.for_context(context)
        return record.call_id if record is not None else None
