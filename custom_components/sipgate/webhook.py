"""The webhook sipgate pushes calls to: verify, parse, fire events, reply.

The reply path does no network I/O: names come from the contact cache, the
XML is built in memory, and every outbound request an answer needs (such as
hanging up after an announcement) runs after the reply, in the background.
"""

from collections import OrderedDict, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from http import HTTPStatus
import time
from typing import Any

from aiohttp import web

from homeassistant.core import Context, HomeAssistant, callback
from homeassistant.helpers.dispatcher import async_dispatcher_send
from homeassistant.util import dt as dt_util

from .answering import CallAnswering
from .api.exceptions import SipgatePushError, SipgateValidationError
from .api.push_events import AnswerEvent, DtmfEvent, HangupEvent, NewCallEvent, PushEvent, parse_push_event
from .api.push_reply import REPLY_CONTENT_TYPE, ReplyAction, build_reply
from .api.push_signature import SIGNATURE_HEADER, SignatureVerifier
from .call_state import CallTracker
from .const import (
    ATTR_CONFIG_ENTRY_ID,
    DOMAIN,
    DUPLICATE_WINDOW,
    EVENT_ANSWER,
    EVENT_DTMF,
    EVENT_HANGUP,
    EVENT_NEW_CALL,
    LOGGER,
    MAX_WEBHOOK_BODY,
)
from .contact_names import ContactNames

EVENT_TYPES: dict[type[PushEvent], str] = {
    NewCallEvent: EVENT_NEW_CALL,
    AnswerEvent: EVENT_ANSWER,
    HangupEvent: EVENT_HANGUP,
    DtmfEvent: EVENT_DTMF,
}
# Warnings about bad requests are logged at most this often (seconds).
WARNING_INTERVAL = 60.0
RECENT_EVENTS = 10
# Pushes remembered for duplicate suppression, at most: a flood must not grow memory without bound.
MAX_SEEN_PUSHES = 4096


def signal_call_event(entry_id: str) -> str:
    """Dispatcher signal sent for each accepted webhook event of an entry."""
    return f"{DOMAIN}_{entry_id}_call_event"


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
        tracker: CallTracker,
        contact_names: ContactNames,
        verifier: SignatureVerifier | None,
        on_signature_failures: Callable[[int], None] | None = None,
    ) -> None:
        """Handle pushes for ``entry_id``; ``verifier`` None accepts unsigned bodies."""
        self._hass = hass
        self._entry_id = entry_id
        self.answering = answering
        self.tracker = tracker
        self._names = contact_names
        self._verifier = verifier
        self.on_signature_failures = on_signature_failures
        self.stats = WebhookStats()
        self.public_url: str | None = None
        self._seen: OrderedDict[tuple[str, str, str], float] = OrderedDict()
        self._last_warning = 0.0

    def _warn(self, message: str, *args: Any) -> None:
        """Log a warning, at most once a minute (bad requests can come in floods)."""
        now = time.monotonic()
        if now - self._last_warning >= WARNING_INTERVAL:
            self._last_warning = now
            LOGGER.warning(message, *args)
        else:
            LOGGER.debug(message, *args)

    def _is_duplicate(self, event: PushEvent) -> bool:
        now = time.monotonic()
        while self._seen and next(iter(self._seen.values())) < now - DUPLICATE_WINDOW:
            self._seen.popitem(last=False)
        key = (event.event, event.call_id, event.dtmf if isinstance(event, DtmfEvent) else "")
        if key in self._seen:
            return True
        self._seen[key] = now
        if len(self._seen) > MAX_SEEN_PUSHES:
            self._seen.popitem(last=False)
        return False

    def _follow_up_url(self, request: web.Request) -> str:
        """Where sipgate sends follow-ups: the public URL, else the request's own ("" if unusable)."""
        if self.public_url:
            return self.public_url
        try:
            return str(request.url)
        except ValueError:  # a Host header yarl cannot build a URL from
            return ""

    def _reply(self, action: ReplyAction | None, request: web.Request) -> web.Response:
        url = self._follow_up_url(request)
        try:
            body = build_reply(action, on_answer=url, on_hangup=url)
        except SipgateValidationError:  # no public URL and a request URL that is not one (forged Host)
            body = build_reply(action, on_answer=None, on_hangup=None)
        return web.Response(body=body, content_type=REPLY_CONTENT_TYPE)

    async def handle(self, hass: HomeAssistant, webhook_id: str, request: web.Request) -> web.Response:
        """Answer one push. Never raises: bad input gets 400, a bad signature 403."""
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
        if self._is_duplicate(event):
            self.stats.duplicates += 1
            LOGGER.debug("Ignored a repeated %s push for call %s", event.event, event.call_id)
            return self._reply(None, request)
        self.stats.accepted += 1
        action = await self._dispatch(event, self._follow_up_url(request))
        return self._reply(action, request)

    async def _dispatch(self, event: PushEvent, reply_url: str) -> ReplyAction | None:
        """Fire the event; for a ringing call or entered digits, wait for an answer.

        Entities, diagnostics and the follow-up work (history refresh, live-call
        polling) are updated right after the reply has gone out: the reply waits
        only for what can change it.
        """
        data = self._event_data(event)
        context = Context()
        event_type = EVENT_TYPES[type(event)]
        self.answering.remember(context.id, event.call_id)
        self.tracker.update(event, from_name=data["from_name"], to_name=data["to_name"])
        self._hass.loop.call_soon(self._after_reply, event, data)
        answerable = isinstance(event, (NewCallEvent, DtmfEvent))
        # Only automations (event triggers) listening to this event type can answer.
        if not answerable or not self._hass.bus.async_listeners().get(event_type):
            if answerable:
                self.answering.release(event.call_id)
            self._hass.bus.async_fire_internal(event_type, data, context=context)
            if isinstance(event, HangupEvent):
                self.answering.forget_call(event.call_id)
            return None
        pending = self.answering.begin(event.call_id, context, reply_url)
        self._hass.bus.async_fire_internal(event_type, data, context=context)
        return await self.answering.wait(pending)

    @callback
    def _after_reply(self, event: PushEvent, data: dict[str, Any]) -> None:
        async_dispatcher_send(self._hass, signal_call_event(self._entry_id), event, data)
        self.stats.recent.append(
            {
                "event": str(event.event),
                "direction": data.get("direction"),
                "time": dt_util.utcnow().isoformat(),
            }
        )

    @callback
    def _event_data(self, event: PushEvent) -> dict[str, Any]:
        data = event.to_event_data()
        data[ATTR_CONFIG_ENTRY_ID] = self._entry_id
        data["from_name"] = self._names.lookup(data.get("from_number"))
        data["to_name"] = self._names.lookup(data.get("to_number"))
        return data
