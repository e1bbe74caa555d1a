"""Holding a ringing call's webhook reply until an automation answers it (spec §6.4).

When sipgate pushes ``newCall`` (or ``dtmf`` after a ``Gather``) it waits for
the XML reply, at most ten seconds. The integration fires its bus event and
holds the reply until the first of:

* an answering action for this call (``reject_call``, ``redirect_call`` …);
* every automation or script run started by the event has finished;
* the answer timeout.

Runs are recognised by their context: an automation triggered by the event
runs with a context whose ``parent_id`` is the event's context id. Home
Assistant starts such runs eagerly from a ``call_soon`` callback scheduled
by the event trigger, and announces each with ``automation_triggered`` from
inside the run's own task; so once a callback scheduled after firing the
event has run, every run the event started is known, and a call nobody
answers gets its reply at once instead of after the timeout.
"""

import asyncio
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

from homeassistant.components.automation import EVENT_AUTOMATION_TRIGGERED
from homeassistant.components.script import EVENT_SCRIPT_STARTED
from homeassistant.core import CALLBACK_TYPE, Context, Event, HomeAssistant, callback

from .api.push_reply import ReplyAction

# Contexts of events and runs that belong to a call, kept for actions without call_id.
MAX_REMEMBERED_CONTEXTS = 1024


@dataclass(eq=False)
class PendingReply:
    """A webhook reply sipgate is waiting for."""

    call_id: str
    context: Context
    future: asyncio.Future[ReplyAction | None]
    reply_url: str
    runs: set[asyncio.Task[Any]] = field(default_factory=set)
    contexts: set[str] = field(default_factory=set)

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
    """Pending replies of one account, and which contexts belong to which call."""

    def __init__(self, hass: HomeAssistant, timeout: float) -> None:
        """Hold replies at most ``timeout`` seconds."""
        self._hass = hass
        self.timeout = timeout
        self._pending_by_call: dict[str, PendingReply] = {}
        self._pending_by_context: dict[str, PendingReply] = {}
        self._call_by_context: OrderedDict[str, str] = OrderedDict()

    @callback
    def async_start(self) -> CALLBACK_TYPE:
        """Follow automation and script runs; returns the function that stops it."""
        unsubscribers = [
            self._hass.bus.async_listen(EVENT_AUTOMATION_TRIGGERED, self._async_run_started),
            self._hass.bus.async_listen(EVENT_SCRIPT_STARTED, self._async_run_started),
        ]

        @callback
        def stop() -> None:
            for unsubscribe in unsubscribers:
                unsubscribe()
            for pending in list(self._pending_by_call.values()):
                pending.answer(None)

        return stop

    @property
    def pending_count(self) -> int:
        """How many replies are being held right now."""
        return len(self._pending_by_call)

    @property
    def remembered_count(self) -> int:
        """How many event and run contexts are remembered for actions without call_id."""
        return len(self._call_by_context)

    @callback
    def _async_run_started(self, event: Event) -> None:
        """A run started: if an event of ours (or a run of it) started it, follow it."""
        context = event.context
        for context_id in (context.parent_id, context.id):
            if context_id is None:
                continue
            if (pending := self._pending_by_context.get(context_id)) is not None:
                if (task := asyncio.current_task()) is not None:
                    pending.track_run(task)
                self._link_context(pending, context.id)
                return
            if (call_id := self._call_by_context.get(context_id)) is not None:
                self.remember(context.id, call_id)
                return

    def _link_context(self, pending: PendingReply, context_id: str) -> None:
        pending.contexts.add(context_id)
        self._pending_by_context[context_id] = pending
        self.remember(context_id, pending.call_id)

    def remember(self, context_id: str, call_id: str) -> None:
        """Let actions run under ``context_id`` find ``call_id`` without being told."""
        self._call_by_context[context_id] = call_id
        self._call_by_context.move_to_end(context_id)
        while len(self._call_by_context) > MAX_REMEMBERED_CONTEXTS:
            self._call_by_context.popitem(last=False)

    def forget_call(self, call_id: str) -> None:
        """The call ended: drop what was remembered about it."""
        for context_id in [key for key, value in self._call_by_context.items() if value == call_id]:
            del self._call_by_context[context_id]

    @callback
    def release(self, call_id: str) -> None:
        """A newer push for the call: a reply still held for it goes out now, unanswered."""
        if (previous := self._pending_by_call.get(call_id)) is not None:
            previous.answer(None)

    @callback
    def begin(self, call_id: str, context: Context, reply_url: str) -> PendingReply:
        """Hold the reply for ``call_id``; fire the call's event with ``context`` next.

        ``reply_url`` is where sipgate sends follow-ups (``onData`` of a Gather).
        """
        self.release(call_id)
        pending = PendingReply(call_id, context, self._hass.loop.create_future(), reply_url)
        self._pending_by_call[call_id] = pending
        self._link_context(pending, context.id)
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
            self._finish(pending)

    def _finish(self, pending: PendingReply) -> None:
        if self._pending_by_call.get(pending.call_id) is pending:
            del self._pending_by_call[pending.call_id]
        for context_id in pending.contexts:
            if self._pending_by_context.get(context_id) is pending:
                del self._pending_by_context[context_id]

    def find_pending(self, call_id: str | None, context: Context | None) -> PendingReply | None:
        """The held reply an action is meant for: by call id, else by the action's context."""
        if call_id is not None:
            pending = self._pending_by_call.get(call_id)
        elif context is not None:
            pending = self._pending_by_context.get(context.id) or (
                self._pending_by_context.get(context.parent_id) if context.parent_id else None
            )
        else:
            pending = None
        return pending if pending is not None and not pending.done else None

    def knows(self, call_id: str | None, context: Context | None) -> bool:
        """Whether an action with this call id or context is about a call of this account."""
        if call_id is not None:
            return call_id in self._pending_by_call or call_id in self._call_by_context.values()
        return self.call_id_for(context) is not None

    def call_id_for(self, context: Context | None) -> str | None:
        """The call whose event (or a run of it) runs under ``context``."""
        if context is None:
            return None
        return self._call_by_context.get(context.id) or (
            self._call_by_context.get(context.parent_id) if context.parent_id else None
        )
