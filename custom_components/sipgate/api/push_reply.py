"""Build the XML a push (webhook) reply tells sipgate what to do with a call.

A reply is ``<Response>`` with optional ``onAnswer``/``onHangup`` URLs (where
sipgate should send the ``answer``/``hangup`` events of this call) and at most
one action: :class:`Dial`, :class:`Voicemail`, :class:`Reject`, :class:`Play`,
:class:`Gather` or :class:`Hangup`. Actions check their input when they are
created and raise :class:`~.exceptions.SipgateValidationError`, so
:func:`build_reply` only serialises; it does no I/O and is cheap enough for
the webhook's reply path.

Numbers are written as sipgate's documentation shows them: international
digits without ``+`` (``+4915799912345`` becomes ``4915799912345``).
Audio for :class:`Play` and :class:`Gather` must be a WAV file, mono, 16-bit
PCM at 8 kHz, at a public URL; it is not downloaded or checked here.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Final
from urllib.parse import urlsplit

from .exceptions import SipgateValidationError

REPLY_CONTENT_TYPE: Final = "application/xml"
MAX_DIAL_NUMBERS: Final = 5
DEFAULT_GATHER_MAX_DIGITS: Final = 1
DEFAULT_GATHER_TIMEOUT_MS: Final = 2000

_XML_DECLARATION: Final = b'<?xml version="1.0" encoding="UTF-8"?>\n'
_URL_SCHEMES: Final = frozenset({"http", "https"})
_NUMBER_FORMAT: Final = "digits in international format with an optional leading +, e.g. +4915799912345"


class RejectReason(StrEnum):
    """Why sipgate tells the caller the call was refused."""

    REJECTED = "rejected"
    BUSY = "busy"


def _phone_number(value: object, field: str) -> str:
    """A number as ``<Dial>`` wants it: digits only, the ``+`` stripped."""
    if not isinstance(value, str):
        raise SipgateValidationError(f"{field}: {value!r} is not a phone number", field=field, value=value)
    number = value.strip().removeprefix("+")
    if number.lower() == "anonymous":
        raise SipgateValidationError(
            f"{field}: 'anonymous' is not a phone number; set anonymous=True to suppress the caller ID",
            field=field,
            value=value,
        )
    if not (number.isascii() and number.isdigit()):
        raise SipgateValidationError(
            f"{field}: {value!r} is not a phone number ({_NUMBER_FORMAT})", field=field, value=value
        )
    return number


def _absolute_url(value: object, field: str) -> str:
    """An absolute http(s) URL that can go into XML as it is."""
    message = f"{field} must be an absolute http:// or https:// URL, got {value!r}"
    if not isinstance(value, str):
        raise SipgateValidationError(message, field=field, value=value)
    if not value.isprintable() or " " in value:
        raise SipgateValidationError(
            f"{field} must not contain spaces or control characters, got {value!r}", field=field, value=value
        )
    try:
        parts = urlsplit(value)
    except ValueError:  # e.g. an unclosed IPv6 bracket
        raise SipgateValidationError(message, field=field, value=value) from None
    if parts.scheme.lower() not in _URL_SCHEMES or not parts.hostname:
        raise SipgateValidationError(message, field=field, value=value)
    return value


def _positive_int(value: object, field: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise SipgateValidationError(
            f"{field} must be a whole number of at least 1, got {value!r}", field=field, value=value
        )
    return value


@dataclass(frozen=True, slots=True)
class Dial:
    """Put the call through to a number (incoming calls: up to five numbers).

    ``caller_id`` sets the number the callee sees, ``anonymous`` hides it;
    ``None`` leaves either to the account's settings. For outgoing calls the
    only number must be the one originally dialled (this changes the caller ID).
    ``numbers`` is stored as a tuple of digits without ``+``.
    """

    numbers: Sequence[str]
    caller_id: str | None = None
    anonymous: bool | None = None

    def __post_init__(self) -> None:
        """Check and normalise the numbers."""
        given: object = self.numbers
        if isinstance(given, str):
            given = (given,)
        if not isinstance(given, Iterable):
            raise SipgateValidationError(
                "numbers must be a list of phone numbers", field="numbers", value=self.numbers
            )
        items = tuple(given)
        if not 1 <= len(items) <= MAX_DIAL_NUMBERS:
            raise SipgateValidationError(
                f"numbers must hold 1 to {MAX_DIAL_NUMBERS} phone numbers, got {len(items)}",
                field="numbers",
                value=self.numbers,
            )
        object.__setattr__(self, "numbers", tuple(_phone_number(item, "numbers") for item in items))
        if self.caller_id is not None:
            object.__setattr__(self, "caller_id", _phone_number(self.caller_id, "caller_id"))
        if self.anonymous is not None and not isinstance(self.anonymous, bool):
            raise SipgateValidationError(
                f"anonymous must be true, false or unset, got {self.anonymous!r}",
                field="anonymous",
                value=self.anonymous,
            )


@dataclass(frozen=True, slots=True)
class Voicemail:
    """Send the call to the voicemail (``<Dial><Voicemail/></Dial>``; it must be booked)."""


@dataclass(frozen=True, slots=True)
class Reject:
    """Refuse the call; ``reason`` is ``rejected`` or ``busy``, ``None`` leaves sipgate's default (``rejected``)."""

    reason: RejectReason | str | None = None

    def __post_init__(self) -> None:
        """Check the reason."""
        if self.reason is None:
            return
        try:
            reason = RejectReason(self.reason)
        except ValueError:
            raise SipgateValidationError(
                f"reason must be 'rejected' or 'busy', got {self.reason!r}", field="reason", value=self.reason
            ) from None
        object.__setattr__(self, "reason", reason)


@dataclass(frozen=True, slots=True)
class Play:
    """Play a WAV file (mono, 16-bit PCM, 8 kHz); then the call goes on as it would have."""

    url: str

    def __post_init__(self) -> None:
        """Check the URL."""
        _absolute_url(self.url, "url")


@dataclass(frozen=True, slots=True)
class Gather:
    """Collect up to ``max_digits`` key presses, optionally while playing ``play_url``.

    sipgate posts a ``dtmf`` event to ``on_data_url`` (with or without digits)
    once ``max_digits`` were typed or ``timeout_ms`` passed after the audio
    ended; the reply to that event decides what happens next.
    """

    on_data_url: str
    max_digits: int = DEFAULT_GATHER_MAX_DIGITS
    timeout_ms: int = DEFAULT_GATHER_TIMEOUT_MS
    play_url: str | None = None

    def __post_init__(self) -> None:
        """Check URLs and limits."""
        _absolute_url(self.on_data_url, "on_data_url")
        _positive_int(self.max_digits, "max_digits")
        _positive_int(self.timeout_ms, "timeout_ms")
        if self.play_url is not None:
            _absolute_url(self.play_url, "play_url")


@dataclass(frozen=True, slots=True)
class Hangup:
    """End the call."""


ReplyAction = Dial | Voicemail | Reject | Play | Gather | Hangup


# What ElementTree escapes, written by hand: the reply path builds its XML as text.
_ATTRIBUTE_ESCAPES: Final = str.maketrans(
    {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "\r": "&#13;", "\n": "&#10;", "\t": "&#09;"}
)
_TEXT_ESCAPES: Final = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;"})


def _attributes(pairs: Iterable[tuple[str, str]]) -> str:
    return "".join(f' {name}="{value.translate(_ATTRIBUTE_ESCAPES)}"' for name, value in pairs)


def _play_xml(url: str) -> str:
    return f"<Play><Url>{url.translate(_TEXT_ESCAPES)}</Url></Play>"


def _action_xml(action: ReplyAction) -> str:
    match action:
        case Dial():
            attributes: list[tuple[str, str]] = []
            if action.caller_id is not None:
                attributes.append(("callerId", action.caller_id))
            if action.anonymous is not None:
                attributes.append(("anonymous", "true" if action.anonymous else "false"))
            numbers = "".join(
                f"<Number>{number.translate(_TEXT_ESCAPES)}</Number>" for number in action.numbers
            )
            return f"<Dial{_attributes(attributes)}>{numbers}</Dial>"
        case Voicemail():
            return "<Dial><Voicemail /></Dial>"
        case Reject():
            reason = [] if action.reason is None else [("reason", str(action.reason))]
            return f"<Reject{_attributes(reason)} />"
        case Play():
            return _play_xml(action.url)
        case Gather():
            gather = _attributes(
                (
                    ("onData", action.on_data_url),
                    ("maxDigits", str(action.max_digits)),
                    ("timeout", str(action.timeout_ms)),
                )
            )
            if action.play_url is None:
                return f"<Gather{gather} />"
            return f"<Gather{gather}>{_play_xml(action.play_url)}</Gather>"
        case Hangup():
            return "<Hangup />"
        case _:
            raise SipgateValidationError(f"not a reply action: {action!r}", field="action", value=action)


def build_reply(action: ReplyAction | None, *, on_answer: str | None, on_hangup: str | None) -> bytes:
    """The UTF-8 XML reply to a push: ``<Response>`` with at most one action.

    The XML is written as text (the same bytes ElementTree would write): a
    reply costs a few string operations on the webhook's reply path.

    Args:
        action: what sipgate should do with the call; ``None`` lets it go on
            as if no reply had been given.
        on_answer: where sipgate should post this call's ``answer`` event.
        on_hangup: where sipgate should post this call's ``hangup`` event.

    Raises:
        SipgateValidationError: a URL is not absolute http(s), or ``action``
            is not one of the reply actions.
    """
    attributes: list[tuple[str, str]] = []
    if on_answer is not None:
        attributes.append(("onAnswer", _absolute_url(on_answer, "on_answer")))
    if on_hangup is not None:
        attributes.append(("onHangup", _absolute_url(on_hangup, "on_hangup")))
    head = f"<Response{_attributes(attributes)}"
    xml = f"{head} />" if action is None else f"{head}>{_action_xml(action)}</Response>"
    return _XML_DECLARATION + xml.encode("utf-8")
