"""Fax: send a PDF, follow its status, list the fax lines."""

import base64
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import ClassVar

from .exceptions import SipgateInvalidResponseError, SipgateValidationError
from .model import ApiModel
from .parsing import flag, read_str, required, text
from .phone import normalize_number, validate_extension
from .transport import Transport, path_segment
from .validation import validate_pdf


class FaxStatus(StrEnum):
    """Where a sent fax is (``faxStatusType`` of its history entry)."""

    SCHEDULED = "SCHEDULED"
    PENDING = "PENDING"
    SENDING = "SENDING"
    SENT = "SENT"
    FAILED = "FAILED"

    @property
    def is_final(self) -> bool:
        """Whether the fax will not change any more."""
        return self in (FaxStatus.SENT, FaxStatus.FAILED)


@dataclass(frozen=True, slots=True)
class Faxline(ApiModel):
    """A fax line (``f0``, an item of ``GET /{userId}/faxlines``)."""

    model_name: ClassVar[str] = "fax line"

    id: str = required()
    alias: str | None = text()
    tagline: str | None = text()
    can_send: bool = flag("canSend")
    can_receive: bool = flag("canReceive")


def default_fax_filename(now: datetime | None = None) -> str:
    """``Fax_YYYYMMDD_HHMM`` in UTC, the name sipgate's own tools give a fax."""
    return (now or datetime.now(UTC)).astimezone(UTC).strftime("Fax_%Y%m%d_%H%M")


class FaxApi:
    """Send faxes and follow them."""

    def __init__(self, transport: Transport) -> None:
        """Use ``transport`` for every request."""
        self._transport = transport

    async def send(self, *, faxline_id: str, recipient: str, pdf: bytes, filename: str | None = None) -> str:
        """Send a PDF from ``faxline_id`` to ``recipient``; return the session id."""
        body = {
            "base64Content": base64.b64encode(validate_pdf(pdf)).decode("ascii"),
            "faxlineId": validate_extension(faxline_id, field="faxline_id", types=frozenset("f")),
            "filename": filename or default_fax_filename(),
            "recipient": normalize_number(recipient, field="recipient", region=self._transport.region),
        }
        data = await self._transport.request(
            "POST", "sessions/fax", json_body=body, scope="sessions:fax:write"
        )
        session_id = read_str(data.get("sessionId")) if isinstance(data, dict) else None
        if session_id is None:
            raise SipgateInvalidResponseError("sipgate accepted the fax without a session id")
        return session_id

    async def get_status(self, session_id: str) -> FaxStatus:
        """The status of a sent fax, read from its history entry."""
        entry = await self._transport.get_object(f"history/{path_segment(session_id)}", scope="history:read")
        if entry.get("type") != "FAX":
            raise SipgateValidationError(
                f"session_id: {session_id!r} is not a fax", field="session_id", value=session_id
            )
        raw = entry.get("faxStatusType") or entry.get("faxStatus")
        try:
            return FaxStatus(str(raw))
        except ValueError as err:
            raise SipgateInvalidResponseError(f"unknown fax status {raw!r}") from err

    async def get_faxlines(self, user_id: str) -> list[Faxline]:
        """The user's fax lines (``GET /{userId}/faxlines``)."""
        items = await self._transport.get_items(f"{path_segment(user_id)}/faxlines", scope="faxlines:read")
        return [Faxline.from_dict(item) for item in items]
