"""Calls: start one (click-to-dial) and control established ones (real-time call manipulation)."""

from dataclasses import dataclass
from typing import Any, ClassVar

from .exceptions import SipgateInvalidResponseError, SipgateValidationError
from .model import ApiModel
from .parsing import flag, nested_list, read_str, required, text
from .phone import (
    DIALABLE_EXTENSION_TYPES,
    normalize_number,
    normalize_number_or_extension,
    validate_extension,
)
from .transport import Transport, items_of, path_segment
from .validation import validate_dtmf, validate_http_url

SCOPE_WRITE = "rtcm:write"


@dataclass(frozen=True, slots=True)
class CallParticipant(ApiModel):
    """One side of an established call (a ``Participant``)."""

    model_name: ClassVar[str] = "call participant"

    participant_id: str = required("participantId")
    phone_number: str | None = text("phoneNumber")
    muted: bool = flag()
    hold: bool = flag()
    owner: bool = flag()


@dataclass(frozen=True, slots=True)
class ActiveCall(ApiModel):
    """An established call as ``GET /calls`` lists it (a ``Call``; ringing calls are not listed)."""

    model_name: ClassVar[str] = "call"

    call_id: str = required("callId")
    muted: bool = flag()
    recording: bool = flag()
    hold: bool = flag()
    participants: tuple[CallParticipant, ...] = nested_list(CallParticipant)


class CallsApi:
    """Start calls and control the established ones."""

    def __init__(self, transport: Transport) -> None:
        """Use ``transport`` for every request."""
        self._transport = transport

    async def initiate(
        self, *, to: str, caller: str, device_id: str | None = None, caller_id: str | None = None
    ) -> str:
        """Ring ``caller`` first, then dial ``to``; return the session id (usable as call id).

        ``caller`` is an extension that can ring (``e``, ``p``, ``x``, ``y``) or a
        phone number; with a number ``device_id`` says which phone places the
        call. ``caller_id`` is the number shown to the callee.
        """
        region = self._transport.region
        body: dict[str, str] = {"callee": normalize_number(to, field="to", region=region)}
        body["caller"] = normalize_number_or_extension(
            caller, field="from", region=region, types=DIALABLE_EXTENSION_TYPES
        )
        if device_id is not None:
            body["deviceId"] = validate_extension(
                device_id, field="device_id", types=DIALABLE_EXTENSION_TYPES
            )
        elif body["caller"].startswith("+"):
            raise SipgateValidationError(
                "device_id: a device is needed when the call starts from a phone number "
                "(say which phone places it, e.g. e0)",
                field="device_id",
                value=None,
            )
        if caller_id is not None:
            body["callerId"] = normalize_number(caller_id, field="caller_id", region=region)
        data = await self._transport.request(
            "POST", "sessions/calls", json_body=body, scope="sessions:calls:write"
        )
        session_id = read_str(data.get("sessionId")) if isinstance(data, dict) else None
        if session_id is None:
            raise SipgateInvalidResponseError("sipgate started the call without a session id")
        return session_id

    async def get_established(self) -> list[ActiveCall]:
        """The account's established calls (``GET /calls``, listed under ``data``)."""
        data = await self._transport.request("GET", "calls", scope="rtcm:read")
        return [ActiveCall.from_dict(item) for item in items_of(data, "calls", key="data")]

    async def hang_up(self, call_id: str) -> None:
        """End a call."""
        await self._transport.request("DELETE", f"calls/{path_segment(call_id)}", scope=SCOPE_WRITE)

    async def mute(self, call_id: str, muted: bool) -> None:
        """Mute or unmute the account's side of a call."""
        await self._put_value(call_id, "muted", muted)

    async def hold(self, call_id: str, hold: bool) -> None:
        """Put a call on hold or take it off hold."""
        await self._put_value(call_id, "hold", hold)

    async def record(self, call_id: str, recording: bool, *, announcement: bool = False) -> None:
        """Start or stop recording; ``announcement`` tells the other side first."""
        await self._transport.request(
            "PUT",
            f"calls/{path_segment(call_id)}/recording",
            json_body={"announcement": announcement, "value": recording},
            scope=SCOPE_WRITE,
        )

    async def announce(self, call_id: str, url: str) -> None:
        """Play a WAV file (mono, 16-bit PCM, 8 kHz, public URL) into the call."""
        await self._transport.request(
            "POST",
            f"calls/{path_segment(call_id)}/announcements",
            json_body={"url": validate_http_url(url)},
            scope=SCOPE_WRITE,
        )

    async def transfer(
        self, call_id: str, number: str, *, attended: bool = False, caller_id: str | None = None
    ) -> None:
        """Transfer a call to ``number``; ``attended`` first connects the account to it."""
        region = self._transport.region
        body: dict[str, Any] = {
            "attended": attended,
            "phoneNumber": normalize_number(number, field="number", region=region),
        }
        if caller_id is not None:
            body["callerId"] = normalize_number(caller_id, field="caller_id", region=region)
        await self._transport.request(
            "POST", f"calls/{path_segment(call_id)}/transfer", json_body=body, scope=SCOPE_WRITE
        )

    async def send_dtmf(self, call_id: str, sequence: str) -> None:
        """Send DTMF tones (0-9, A-D, *, #; lower case is accepted)."""
        await self._transport.request(
            "POST",
            f"calls/{path_segment(call_id)}/dtmf",
            json_body={"sequence": validate_dtmf(sequence)},
            scope=SCOPE_WRITE,
        )

    async def _put_value(self, call_id: str, what: str, value: bool) -> None:
        await self._transport.request(
            "PUT", f"calls/{path_segment(call_id)}/{what}", json_body={"value": value}, scope=SCOPE_WRITE
        )
