"""Parse sipgate push (webhook) requests into typed events.

sipgate POSTs every call event as ``application/x-www-form-urlencoded``; the
``event`` field names it (``newCall``, ``answer``, ``hangup``, ``dtmf``).
:func:`parse_push_event` turns such a body into one of the frozen event
classes below, or raises :class:`~.exceptions.SipgatePushError` and nothing
else, whatever the input.

Rules applied to the wire format:

* Repeated keys are read in both spellings sipgate and HTTP clients use:
  ``user[]=A&user[]=B`` (literal or percent-encoded brackets) and ``user=A``.
* ``origCallId`` (the wire name) and ``originalCallId`` (the Node library's
  name) are both read as :attr:`original_call_id`.
* Phone numbers (``from``, ``to``, ``diversion``, ``answeringNumber``) are
  E.164 without ``+`` on the wire; a value that starts with a digit gets a
  leading ``+``, anything else (``anonymous``, ``voicemail``, ``+…``) stays as
  sent (surrounding blanks are dropped).
* Optional fields that are absent or empty become ``None``; ``dtmf`` becomes
  ``""`` when no digit was entered. ``callId`` is required for every event.
* A single-valued key that is repeated counts with its first value.
"""

from collections.abc import Mapping
from dataclasses import dataclass, fields
from enum import StrEnum
import re
from typing import Any, ClassVar, Final
from urllib.parse import parse_qsl

from .exceptions import SipgatePushError

PUSH_CONTENT_TYPE: Final = "application/x-www-form-urlencoded"
DEFAULT_MAX_BODY_SIZE: Final = 64 * 1024
MAX_FIELDS: Final = 1024
ANONYMOUS: Final = "anonymous"
VOICEMAIL_USER: Final = "voicemail"

_CHARSETS: Final = frozenset({"utf-8", "utf8", "us-ascii", "ascii"})
_SHOWN_CHARS: Final = 40
_DIGITS: Final = frozenset("0123456789")


class PushEventType(StrEnum):
    """The wire name of a push event (the ``event`` field)."""

    NEW_CALL = "newCall"
    ANSWER = "answer"
    HANGUP = "hangup"
    DTMF = "dtmf"


class CallDirection(StrEnum):
    """Whether the call came in to the account or went out from it."""

    IN = "in"
    OUT = "out"


class HangupCause(StrEnum):
    """The hangup causes sipgate documents; others are passed on as given."""

    NORMAL_CLEARING = "normalClearing"
    BUSY = "busy"
    CANCEL = "cancel"
    NO_ANSWER = "noAnswer"
    CONGESTION = "congestion"
    NOT_FOUND = "notFound"
    FORWARDED = "forwarded"


@dataclass(frozen=True, slots=True, kw_only=True)
class BasePushEvent:
    """Fields every push event has (``None`` where the wire leaves them out).

    ``event`` is the wire name, fixed per class. ``original_call_id`` is the id
    of the first call when this one was created by a transfer or forward.
    """

    event: ClassVar[PushEventType]

    call_id: str
    original_call_id: str | None = None
    direction: CallDirection | None = None
    from_number: str | None = None
    to_number: str | None = None
    xcid: str | None = None

    def to_event_data(self) -> dict[str, Any]:
        """The event as plain data: snake_case keys, strings, lists and ``None``."""
        data: dict[str, Any] = {}
        for field in fields(self):
            value = getattr(self, field.name)
            if isinstance(value, tuple):
                value = list(value)
            elif isinstance(value, StrEnum):
                value = value.value
            data[field.name] = value
        return data


@dataclass(frozen=True, slots=True, kw_only=True)
class NewCallEvent(BasePushEvent):
    """A call starts ringing (``newCall``): the only event sent without asking.

    ``users`` names the users whose phones ring; the pseudo-user ``voicemail``
    means the call went to the voicemail. ``diversion`` is the number the call
    was forwarded from.
    """

    event: ClassVar[PushEventType] = PushEventType.NEW_CALL

    users: tuple[str, ...] = ()
    user_ids: tuple[str, ...] = ()
    full_user_ids: tuple[str, ...] = ()
    diversion: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class AnswerEvent(BasePushEvent):
    """The call was answered (``answer``); ``user`` is empty for voicemail and queues."""

    event: ClassVar[PushEventType] = PushEventType.ANSWER

    user: str | None = None
    user_id: str | None = None
    full_user_id: str | None = None
    answering_number: str | None = None
    diversion: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class HangupEvent(BasePushEvent):
    """The call ended (``hangup``); ``cause`` is one of :class:`HangupCause` or as sent."""

    event: ClassVar[PushEventType] = PushEventType.HANGUP

    cause: str | None = None
    answering_number: str | None = None
    diversion: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class DtmfEvent(BasePushEvent):
    """Digits the caller typed after a ``Gather`` (``dtmf``); ``""`` when none."""

    event: ClassVar[PushEventType] = PushEventType.DTMF

    dtmf: str = ""


PushEvent = NewCallEvent | AnswerEvent | HangupEvent | DtmfEvent


def _shown(value: str) -> str:
    """Quote a value for an error message, cut short so logs stay readable."""
    if len(value) > _SHOWN_CHARS:
        return repr(value[:_SHOWN_CHARS]) + "…"
    return repr(value)


def _check_content_type(content_type: str | None) -> None:
    if not isinstance(content_type, str) or not content_type.strip():
        raise SipgatePushError(f"missing content type, expected {PUSH_CONTENT_TYPE}")
    media_type, *params = content_type.split(";")
    if media_type.strip().lower() != PUSH_CONTENT_TYPE:
        raise SipgatePushError(f"content type {_shown(content_type)} is not {PUSH_CONTENT_TYPE}")
    for param in params:
        name, _, value = param.partition("=")
        if name.strip().lower() == "charset" and value.strip().strip('"').lower() not in _CHARSETS:
            raise SipgatePushError(f"unsupported charset in content type {_shown(content_type)}")


# "user[]" and the nested "user[][0]" that query-string libraries write both mean "user".
_BRACKETS = re.compile(r"(\[[^\]]*\])+\Z")


def _decode_fields(body: bytes, max_body_size: int) -> dict[str, list[str]]:
    """Decode the form body into ``key → values``, brackets (``user[]``) dropped."""
    if not isinstance(body, bytes | bytearray | memoryview):
        raise SipgatePushError("body is not bytes")
    data = bytes(body)
    if len(data) > max_body_size:
        raise SipgatePushError(f"body of {len(data)} bytes exceeds the limit of {max_body_size}")
    try:
        pairs = parse_qsl(
            data.decode("utf-8"),
            keep_blank_values=True,
            strict_parsing=False,
            encoding="utf-8",
            errors="strict",
            max_num_fields=MAX_FIELDS,
        )
    except ValueError as err:  # UnicodeDecodeError, or too many fields
        raise SipgatePushError(f"body cannot be decoded: {err}") from None
    decoded: dict[str, list[str]] = {}
    for key, value in pairs:
        decoded.setdefault(_BRACKETS.sub("", key) if "[" in key else key, []).append(value)
    return decoded


def _optional(decoded: Mapping[str, list[str]], *keys: str) -> str | None:
    """The first value of the first key present, ``None`` when absent or empty."""
    for key in keys:
        if values := decoded.get(key):
            return values[0] or None
    return None


def _number(value: str | None) -> str | None:
    """Give a wire number (it starts with a digit) its ``+``; anything else stays as it is.

    ``anonymous``, ``voicemail``, ``+…`` and every other word keep their form.
    Surrounding blanks are dropped first: an unencoded ``+`` on the wire reads
    as a space in form encoding.
    """
    if value is None or not (value := value.strip()):
        return None
    if value[0] in _DIGITS:
        return "+" + value
    return value


def _direction(value: str | None) -> CallDirection | None:
    if value is None:
        return None
    try:
        return CallDirection(value)
    except ValueError:
        raise SipgatePushError(f"unknown direction {_shown(value)}") from None


def parse_push_event(
    body: bytes, content_type: str | None, *, max_body_size: int = DEFAULT_MAX_BODY_SIZE
) -> PushEvent:
    """Parse a push request's raw body into its event.

    Args:
        body: the request body exactly as received.
        content_type: the request's ``Content-Type`` header (``None`` if absent).
        max_body_size: larger bodies are refused before they are decoded.

    Raises:
        SipgatePushError: wrong content type, oversized or undecodable body,
            missing or unknown ``event``, or missing ``callId``. No other
            exception escapes, whatever the input.
    """
    _check_content_type(content_type)
    decoded = _decode_fields(body, max_body_size)

    name = _optional(decoded, "event")
    if name is None:
        raise SipgatePushError("field 'event' is missing")
    try:
        event_type = PushEventType(name)
    except ValueError:
        raise SipgatePushError(f"unknown event {_shown(name)}") from None
    # sipgate always sends a call id; the signed sample of its Node library
    # sends an empty one, which parses (the webhook refuses it).
    if not (call_ids := decoded.get("callId")):
        raise SipgatePushError(f"field 'callId' is missing in {event_type} event")
    call_id = call_ids[0]

    common: dict[str, Any] = {
        "call_id": call_id,
        "original_call_id": _optional(decoded, "origCallId", "originalCallId"),
        "direction": _direction(_optional(decoded, "direction")),
        "from_number": _number(_optional(decoded, "from")),
        "to_number": _number(_optional(decoded, "to")),
        "xcid": _optional(decoded, "xcid"),
    }
    match event_type:
        case PushEventType.NEW_CALL:
            return NewCallEvent(
                **common,
                users=tuple(decoded.get("user", ())),
                user_ids=tuple(decoded.get("userId", ())),
                full_user_ids=tuple(decoded.get("fullUserId", ())),
                diversion=_number(_optional(decoded, "diversion")),
            )
        case PushEventType.ANSWER:
            return AnswerEvent(
                **common,
                user=_optional(decoded, "user"),
                user_id=_optional(decoded, "userId"),
                full_user_id=_optional(decoded, "fullUserId"),
                answering_number=_number(_optional(decoded, "answeringNumber")),
                diversion=_number(_optional(decoded, "diversion")),
            )
        case PushEventType.HANGUP:
            return HangupEvent(
                **common,
                cause=_optional(decoded, "cause"),
                answering_number=_number(_optional(decoded, "answeringNumber")),
                diversion=_number(_optional(decoded, "diversion")),
            )
        case _:  # PushEventType.DTMF
            return DtmfEvent(**common, dtmf=_optional(decoded, "dtmf") or "")
