"""The webhook sipgate pushes calls to: read, verify, parse, admit, fire events, reply.

A push is accepted only when it is signed by sipgate (unless verification is
off), parses, and belongs to this account and this call (README "Security"),
which :mod:`.push_admission` decides: a foreign or replayed push, or a
follow-up without its call's token, is refused with 403; the same push again
within seconds is a duplicate (same reply, no event). The reply path does no
network I/O: names come from the contact cache, the XML is built in memory,
and every outbound request an answer needs runs after the reply. The call
registry (``calls.py``), answering (``answering.py``) and the client's parser,
signature and reply (``api/push_*.py``) live apart.
"""

from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from http import HTTPStatus
import time
from typing import Any

from aiohttp import web
from yarl import URL

from homeassistant.core import Context, HomeAssistant, callback
from homeassistant.helpers.dispatcher import async_dispatcher_send
from homeassistant.util import dt as dt_util

from .answering import CallAnswering
from .api.exceptions import SipgatePushError, SipgateValidationError
from .api.push_events import AnswerEvent, DtmfEvent, HangupEvent, NewCallEvent, PushEvent, parse_push_event
from .api.push_reply import REPLY_CONTENT_TYPE, Gather, ReplyAction, build_reply
from .api.push_signature import SIGNATURE_HEADER, SignatureVerifier
from .calls import CallRecord, CallRegistry, CallState
from .const import (
    ATTR_CONFIG_ENTRY_ID,
    DOMAIN,
    EVENT_ANSWER,
    EVENT_DTMF,
    EVENT_HANGUP,
    EVENT_NEW_CALL,
    LOGGER,
    MAX_WEBHOOK_BODY,
)
from .contact_names import ContactNames
from .push_admission import GATHER_PARAM, REFUSAL_REASONS, TOKEN_PARAM, Duplicate, PushAdmission, RefusedError

EVENT_TYPES: dict[type[PushEvent], str] = {
    NewCallEvent: EVENT_NEW_CALL,
    AnswerEvent: EVENT_ANSWER,
    HangupEvent: EVENT_HANGUP,
    DtmfEvent: EVENT_DTMF,
}
# Warnings about bad requests are logged at most this often (seconds).
WARNING_INTERVAL = 60.0
RECENT_EVENTS = 10
# Call data a follow-up push may leave out; the call's record fills it in.
CALL_FIELDS = ("direction", "from_number", "to_number")


def signal_call_event(entry_id: str) -> str:
    """Dispatcher signal sent for each accepted webhook event of an entry."""
    return f"{DOMAIN}_{entry_id}_call_event"


def signal_call_events_done(entry_id: str) -> str:
    """Dispatcher signal sent once after the call events of one turn of the event loop.

    Entities that show the latest call write their state then: once for a burst
    of pushes, and before the automations the pushes' bus events started run.
    """
    return f"{DOMAIN}_{entry_id}_call_events_done"


class BodyTooLargeError(Exception):
    """The request body is over the limit."""


async def _read_body(request: web.Request, limit: int) -> bytes:
    """The raw body, refusing more than ``limit`` bytes without reading them all.

    Cloudhook pushes arrive as Home Assistant's ``MockRequest``: it has no
    ``content_length`` and makes a new stream each time ``content`` is read.
    """
    if (getattr(request, "content_length", None) or 0) > limit:
        raise BodyTooLargeError
    stream = request.content
    chunks: list[bytes] = []
    size = 0
    while chunk := await stream.read(limit + 1 - size):
        chunks.append(chunk)
        size += len(chunk)
        if size > limit:
            raise BodyTooLargeError
    return b"".join(chunks)


@dataclass
class WebhookStats:
    """What diagnostics show about the webhook."""

    accepted: int = 0
    rejected_signature: int = 0
    rejected_input: int = 0
    duplicates: int = 0
    refused: dict[str, int] = field(default_factory=lambda: dict.fromkeys(REFUSAL_REASONS, 0))
    signature_failures_in_a_row: int = 0
    recent: deque[dict[str, Any]] = field(default_factory=lambda: deque(maxlen=RECENT_EVENTS))


class SipgateWebhook:
    """Handles the pushes of one sipgate account."""

    def __init__(
        self,
        hass: HomeAssistant,
        entry_id: str,
        *,
        answering: CallAnswering,
        calls: CallRegistry,
        contact_names: ContactNames,
        verifier: SignatureVerifier | None,
        account_id: str,
        secret: bytes,
        on_signature_failures: Callable[[int], None] | None = None,
    ) -> None:
        """Handle pushes for ``entry_id``; ``verifier`` None accepts unsigned bodies.

        ``account_id`` is the account's ``masterSipId``; ``secret`` the entry's
        key for the per-call tokens of follow-up URLs.
        """
        self._hass = hass
        self._entry_id = entry_id
        self.answering = answering
        self.calls = calls
        self._names = contact_names
        self._verifier = verifier
        self.admission = PushAdmission(calls, account_id=account_id, secret=secret)
        self.on_signature_failures = on_signature_failures
        # Called for accepted pushes until it returns True (sipgate reaches the current URL).
        self.on_first_push: Callable[[], bool] | None = None
        # Called for each accepted push (the registry's accepted pushes are saved).
        self.on_accepted: Callable[[], None] | None = None
        self.stats = WebhookStats()
        self.public_url: str | None = None
        self._last_warning = 0.0
        # Accepted events whose follow-up work (entities, diagnostics) runs in the next turn.
        self._after_reply_queue: list[tuple[PushEvent, dict[str, Any]]] = []

    def _warn(self, message: str, *args: Any) -> None:
        """Log a warning, at most once a minute (bad requests can come in floods)."""
        now = time.monotonic()
        if now - self._last_warning >= WARNING_INTERVAL:
            self._last_warning = now
            LOGGER.warning(message, *args)
        else:
            LOGGER.debug(message, *args)

    def _follow_up_url(self, request: web.Request, call_id: str, gather: int | None = None) -> str:
        """Where sipgate sends the call's follow-ups: the public URL (else the request's) with its token.

        With ``gather``, the ``onData`` URL of the call's ``gather``-th Gather.
        """
        token = self.admission.token(call_id, gather)
        query = (
            f"{TOKEN_PARAM}={token}" if gather is None else f"{GATHER_PARAM}={gather}&{TOKEN_PARAM}={token}"
        )
        if self.public_url is not None and "?" not in self.public_url:
            return f"{self.public_url}?{query}"  # the usual case, without parsing a URL per push
        try:
            base = URL(self.public_url) if self.public_url else request.url.with_query(None)
            return str(base.update_query(query))
        except ValueError:  # a Host header yarl cannot build a URL from
            return ""

    def _reply_body(self, action: ReplyAction | None, url: str) -> bytes:
        try:
            return build_reply(action, on_answer=url, on_hangup=url)
        except SipgateValidationError:  # no public URL and a request URL that is not one (forged Host)
            return build_reply(action, on_answer=None, on_hangup=None)

    @staticmethod
    def _response(body: bytes) -> web.Response:
        return web.Response(body=body, content_type=REPLY_CONTENT_TYPE)

    async def handle(self, hass: HomeAssistant, webhook_id: str, request: web.Request) -> web.Response:
        """Answer one push. Never raises: bad input gets 400, a bad signature or a foreign push 403."""
        try:
            return await self._handle(request)
        except Exception:
            LOGGER.exception("Unexpected error while handling a sipgate webhook")
            return web.Response(status=HTTPStatus.BAD_REQUEST)

    async def _handle(self, request: web.Request) -> web.Response:
        try:
            body = await _read_body(request, MAX_WEBHOOK_BODY)
        except BodyTooLargeError:
            self.stats.rejected_input += 1
            self._warn("Refused a sipgate webhook request larger than %s bytes", MAX_WEBHOOK_BODY)
            return web.Response(status=HTTPStatus.REQUEST_ENTITY_TOO_LARGE)
        except web.RequestPayloadError as err:  # e.g. a Content-Encoding that does not decode
            self.stats.rejected_input += 1
            self._warn("Refused a sipgate webhook request whose body cannot be read: %s", err)
            return web.Response(status=HTTPStatus.BAD_REQUEST)
        if self._verifier is not None and not self._verifier.verify(
            body, request.headers.get(SIGNATURE_HEADER)
        ):
            self.stats.rejected_signature += 1
            self.stats.signature_failures_in_a_row += 1
            self._warn(
                "Refused a webhook request without a valid sipgate signature (%s so far)",
                self.stats.rejected_signature,
            )
            if self.on_signature_failures is not None:
                self.on_signature_failures(self.stats.signature_failures_in_a_row)
            return web.Response(status=HTTPStatus.FORBIDDEN)
        if self.stats.signature_failures_in_a_row:
            self.stats.signature_failures_in_a_row = 0
            if self.on_signature_failures is not None:
                self.on_signature_failures(0)
        try:
            event = parse_push_event(body, request.headers.get("Content-Type"))
        except SipgatePushError as err:
            self.stats.rejected_input += 1
            self._warn("Refused a sipgate webhook request: %s", err)
            return web.Response(status=HTTPStatus.BAD_REQUEST, text=str(err))
        try:
            admitted = self.admission.admit(event, request)
        except RefusedError as refused:
            self.stats.refused[refused.reason] += 1
            self._warn(
                "Refused a sipgate %s push for call %r: %s (see the README, Security)",
                event.event,
                event.call_id[:40],
                refused.reason.replace("_", " "),
            )
            return web.Response(status=HTTPStatus.FORBIDDEN)
        url = self._follow_up_url(request, event.call_id)
        if isinstance(admitted, Duplicate):
            self.stats.duplicates += 1
            LOGGER.debug("Ignored a repeated %s push for call %s", event.event, event.call_id)
            return self._response(admitted.reply or self._reply_body(None, url))
        record, kind = admitted
        self.stats.accepted += 1
        if self.on_accepted is not None:
            self.on_accepted()
        if self.on_first_push is not None and self.on_first_push():
            self.on_first_push = None
        action = await self._dispatch(event, record, request)
        if isinstance(action, Gather) and not record.ended:
            record.open_gather()
        reply = self._reply_body(action, url)
        record.delivered(kind, record.deliveries[kind][0], reply)
        return self._response(reply)

    async def _dispatch(
        self, event: PushEvent, record: CallRecord, request: web.Request
    ) -> ReplyAction | None:
        """Fire the event; for a ringing call or entered digits, wait for an answer.

        Entities, diagnostics and the follow-up work (history refresh, live-call
        polling) are updated right after the reply has gone out: the reply waits
        only for what can change it.
        """
        data = self._event_data(event, record)
        context = Context()
        event_type = EVENT_TYPES[type(event)]
        self._apply(event, record, data)
        self._queue_after_reply(event, data)
        if isinstance(event, HangupEvent):
            self.answering.release(record)
            self._hass.bus.async_fire_internal(event_type, data, context=context)
            return None
        self.calls.link_context(record, context.id)
        answerable = isinstance(event, (NewCallEvent, DtmfEvent))
        # Only automations (event triggers) listening to this event type can answer.
        if not answerable or not self._hass.bus.async_listeners().get(event_type):
            if answerable:
                self.answering.release(record)
            self._hass.bus.async_fire_internal(event_type, data, context=context)
            return None
        gather_url = self._follow_up_url(request, event.call_id, record.gathers + 1)
        pending = self.answering.begin(record, context, gather_url)
        self._hass.bus.async_fire_internal(event_type, data, context=context)
        return await self.answering.wait(pending)

    def _apply(self, event: PushEvent, record: CallRecord, data: dict[str, Any]) -> None:
        """What the push changes about the call."""
        if record.ended:
            return  # a late push does not bring an ended call back
        if record.direction is None or isinstance(event, NewCallEvent):
            record.direction = data["direction"]
            record.from_number = data["from_number"]
            record.to_number = data["to_number"]
            record.from_name = data["from_name"]
            record.to_name = data["to_name"]
        match event:
            case NewCallEvent():
                self.calls.set_state(
                    record, CallState.RINGING if event.direction == "in" else CallState.DIALING
                )
            case AnswerEvent():
                record.by_voicemail = "voicemail" in (event.answering_number, event.user)
                self.calls.set_state(record, CallState.TALKING)
            case HangupEvent():
                self.calls.end(record)
            case _:  # DtmfEvent: the Gather is answered; the call's state does not change
                record.gather_open = False

    @callback
    def async_calls_ended(self, records: list[CallRecord]) -> None:
        """Calls ended without a hangup push (sipgate stopped listing them, or nothing was heard).

        Each gets the ``sipgate_hangup`` event it would have had, with ``cause``
        ``None`` and ``inferred`` set, so automations and entities see the end.
        """
        for record in records:
            event = HangupEvent(
                call_id=record.call_id,
                direction=None,
                from_number=record.from_number,
                to_number=record.to_number,
            )
            data = self._event_data(event, record)
            data["inferred"] = record.ended_without_hangup
            LOGGER.info(
                "Call %s ended without a hangup push from sipgate (%s)", record.call_id, data["inferred"]
            )
            self._queue_after_reply(event, data)
            self._hass.bus.async_fire_internal(EVENT_HANGUP, data)

    @callback
    def _queue_after_reply(self, event: PushEvent, data: dict[str, Any]) -> None:
        """Hand the event to the entities in the next turn, before the bus event's automations run.

        Called before the bus event is fired, so that the hand-off (scheduled
        first) runs before the automation runs the event starts; the events of
        one turn are handed over together (:func:`signal_call_events_done` ends them).
        """
        if not self._after_reply_queue:
            self._hass.loop.call_soon(self._after_reply)
        self._after_reply_queue.append((event, data))

    @callback
    def _after_reply(self) -> None:
        queued, self._after_reply_queue = self._after_reply_queue, []
        now = dt_util.utcnow().isoformat()
        for event, data in queued:
            async_dispatcher_send(self._hass, signal_call_event(self._entry_id), event, data)
            self.stats.recent.append(
                {"event": str(event.event), "direction": data.get("direction"), "time": now}
            )
        async_dispatcher_send(self._hass, signal_call_events_done(self._entry_id))

    @callback
    def _event_data(self, event: PushEvent, record: CallRecord) -> dict[str, Any]:
        data = event.to_event_data()
        data[ATTR_CONFIG_ENTRY_ID] = self._entry_id
        known = record.direction is not None
        for key in CALL_FIELDS:
            if data.get(key) is None and known:
                data[key] = getattr(record, key)
        data["from_name"] = self._name(data.get("from_number"), record.from_number, record.from_name)
        data["to_name"] = self._name(data.get("to_number"), record.to_number, record.to_name)
        return data

    def _name(self, number: str | None, known_number: str | None, known_name: str | None) -> str | None:
        if known_name is not None and number == known_number:
            return known_name
        return self._names.lookup(number)
