"""What ``POST /_standin/calls`` asks for: the call to play and its script, checked.

:func:`parse_call_request` turns the request's JSON (described in
:mod:`standin.playback`) into a :class:`CallSpec`, or raises
:class:`ScriptError` saying what is wrong; :mod:`standin.playback` plays it.
"""

from dataclasses import dataclass, field
import re
import secrets
from typing import Any, Final
from urllib.parse import urlsplit

from .state import Account, Json

MAX_WAIT: Final = 60.0  # seconds a script step or voicemail may wait
DEFAULT_REMOTE: Final = "+4915799912345"
DEFAULT_ACCOUNT_NUMBER: Final = "+4921112345671"
_NUMBER: Final = re.compile(r"^\+?[0-9]{3,20}$")
_DTMF: Final = re.compile(r"^[0-9A-D*#]*$")
_CALL_KEYS: Final = frozenset(
    {"webhook_url", "from", "to", "direction", "users", "call_id", "diversion", "script", "voicemail"}
)


class ScriptError(ValueError):
    """A call request or script the stand-in cannot play."""


@dataclass(frozen=True, slots=True)
class AnswerStep:
    """The call is answered, by ``user_id`` or the first ringing user."""

    user_id: str | None = None


@dataclass(frozen=True, slots=True)
class DtmfStep:
    """The caller types ``digits`` while a ``<Gather>`` waits."""

    digits: str


@dataclass(frozen=True, slots=True)
class WaitStep:
    """Time passes."""

    seconds: float


@dataclass(frozen=True, slots=True)
class HangupStep:
    """The call ends with ``cause`` (``None``: the default for its state)."""

    cause: str | None = None


type Step = AnswerStep | DtmfStep | WaitStep | HangupStep


@dataclass(frozen=True, slots=True)
class VoicemailSpec:
    """The voicemail the caller leaves: in the history ``after`` seconds after the hangup."""

    duration: int = 12
    transcription: str | None = None
    after: float = 0.0


def parse_voicemail(raw: Any) -> VoicemailSpec | None:
    """The ``voicemail`` key of a call request; raise :class:`ScriptError` for anything else."""
    if raw is None:
        return None
    if not isinstance(raw, dict) or set(raw) - {"duration", "transcription", "after"}:
        raise ScriptError("voicemail: an object with duration, transcription and after (all optional)")
    duration = raw.get("duration", 12)
    transcription = raw.get("transcription")
    after = raw.get("after", 0)
    if not isinstance(duration, int) or isinstance(duration, bool) or not 1 <= duration <= 600:
        raise ScriptError(f"voicemail.duration: {duration!r} is not 1-600 seconds")
    if transcription is not None and not isinstance(transcription, str):
        raise ScriptError("voicemail.transcription must be text")
    if not isinstance(after, int | float) or isinstance(after, bool) or not 0 <= after <= MAX_WAIT:
        raise ScriptError(f"voicemail.after: {after!r} is not 0-{MAX_WAIT:g} seconds")
    return VoicemailSpec(duration, transcription, float(after))


def _parse_step(raw: Any, index: int) -> Step:
    if not isinstance(raw, dict) or len(raw) != 1:
        raise ScriptError(f"script[{index}]: a step is an object with one key (answer, dtmf, wait, hangup)")
    ((key, value),) = raw.items()
    match key:
        case "answer" if value is True:
            return AnswerStep()
        case "answer" if isinstance(value, str) and value:
            return AnswerStep(value)
        case "dtmf" if isinstance(value, str) and _DTMF.match(value.upper()):
            return DtmfStep(value.upper())
        case "wait" if (
            isinstance(value, int | float) and not isinstance(value, bool) and 0 <= value <= MAX_WAIT
        ):
            return WaitStep(float(value))
        case "hangup" if value is True:
            return HangupStep()
        case "hangup" if isinstance(value, str) and value:
            return HangupStep(value)
    raise ScriptError(f"script[{index}]: {raw!r} is not a step (see standin/playback.py for the format)")


def parse_script(raw: Any) -> list[Step]:
    """The script's steps; raise :class:`ScriptError` for anything else."""
    if raw is None:
        return []
    if not isinstance(raw, list):
        raise ScriptError("script must be a list of steps")
    return [_parse_step(item, index) for index, item in enumerate(raw)]


def _number(value: Any, field_name: str) -> str:
    """An E.164 number with ``+``, or ``anonymous``."""
    if isinstance(value, str) and value.strip().lower() == "anonymous":
        return "anonymous"
    if not isinstance(value, str) or not _NUMBER.match(value.strip()):
        raise ScriptError(
            f"{field_name}: {value!r} is not a number in international format (+49…) or 'anonymous'"
        )
    return "+" + value.strip().removeprefix("+")


def http_url(value: Any) -> bool:
    """Whether ``value`` is an http(s) URL with a host (a follow-up URL sipgate would call)."""
    if not isinstance(value, str):
        return False
    parts = urlsplit(value)
    return parts.scheme in {"http", "https"} and bool(parts.hostname)


def wire_number(number: str) -> str:
    """A number as sipgate pushes it: digits without ``+`` (or ``anonymous``)."""
    return number.removeprefix("+")


@dataclass
class CallSpec:
    """A call to play."""

    webhook_url: str
    from_number: str
    to_number: str
    direction: str
    users: list[Json]
    call_id: str
    script: list[Step]
    diversion: str | None = None
    voicemail: VoicemailSpec | None = None
    xcid: str = field(default_factory=lambda: secrets.token_hex(16))

    @property
    def account_number(self) -> str:
        """The account's side of the call."""
        return self.to_number if self.direction == "in" else self.from_number

    @property
    def remote_number(self) -> str:
        """The other side."""
        return self.from_number if self.direction == "in" else self.to_number


def parse_call_request(body: Any, account: Account) -> CallSpec:
    """Read ``POST /_standin/calls``; raise :class:`ScriptError` when it cannot be played."""
    if not isinstance(body, dict):
        raise ScriptError("the body must be a JSON object")
    if unknown := sorted(set(body) - _CALL_KEYS):
        raise ScriptError(f"unknown keys {unknown}; known: {sorted(_CALL_KEYS)}")
    direction = body.get("direction", "in")
    if direction not in {"in", "out"}:
        raise ScriptError(f"direction: {direction!r} is neither 'in' nor 'out'")
    incoming = direction == "in"
    from_number = _number(body.get("from", DEFAULT_REMOTE if incoming else DEFAULT_ACCOUNT_NUMBER), "from")
    to_number = _number(body.get("to", DEFAULT_ACCOUNT_NUMBER if incoming else DEFAULT_REMOTE), "to")
    settings_key = "incomingUrl" if incoming else "outgoingUrl"
    webhook_url = body.get("webhook_url") or account.webhook_settings.get(settings_key)
    if not http_url(webhook_url):
        raise ScriptError(
            f"webhook_url: {webhook_url!r} is not an http(s) URL (and no {settings_key} is stored either)"
        )
    account_number = to_number if incoming else from_number
    if (user_ids := body.get("users")) is not None:
        if not isinstance(user_ids, list) or not all(isinstance(item, str) for item in user_ids):
            raise ScriptError("users must be a list of user ids (w0 …)")
        users = []
        for user_id in user_ids:
            if (user := account.user(user_id)) is None:
                raise ScriptError(f"users: the account has no user {user_id!r}")
            users.append(user)
    else:
        users = account.ringing_users(account_number)
    call_id = body.get("call_id") or secrets.token_hex(8).upper()
    if not isinstance(call_id, str):
        raise ScriptError("call_id must be a string")
    diversion = body.get("diversion")
    return CallSpec(
        webhook_url=str(webhook_url),
        from_number=from_number,
        to_number=to_number,
        direction=direction,
        users=users,
        call_id=call_id,
        script=parse_script(body.get("script")),
        diversion=None if diversion is None else _number(diversion, "diversion"),
        voicemail=parse_voicemail(body.get("voicemail")),
    )
