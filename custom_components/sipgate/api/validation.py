"""Checks of input that sipgate would reject, with messages that say what to fix."""

from datetime import UTC, datetime, timedelta
import re
from typing import Final
from urllib.parse import urlsplit

from .exceptions import SipgateNotPdfError, SipgateScheduleError, SipgateValidationError

MAX_SCHEDULE_AHEAD: Final = timedelta(days=30)
_DTMF = re.compile(r"[0-9A-D#*]+")


def validate_send_at(send_at: datetime, *, now: datetime | None = None, field: str = "send_at") -> int:
    """Return the Unix time (whole seconds) of a send time in the next 30 days."""
    moment = send_at if send_at.tzinfo else send_at.replace(tzinfo=UTC)
    current = now or datetime.now(UTC)
    if moment <= current:
        raise SipgateScheduleError(
            f"{field}: the send time {moment.isoformat()} is not in the future", field=field, value=send_at
        )
    if moment > current + MAX_SCHEDULE_AHEAD:
        raise SipgateScheduleError(
            f"{field}: the send time {moment.isoformat()} is more than 30 days ahead",
            field=field,
            value=send_at,
        )
    return int(moment.timestamp())


def validate_dtmf(sequence: str, *, field: str = "sequence") -> str:
    """Upper-case a DTMF sequence and check it has only 0-9, A-D, * and #."""
    normalized = sequence.upper()
    if not _DTMF.fullmatch(normalized):
        raise SipgateValidationError(
            f"{field}: {sequence!r} is not a DTMF sequence (use only 0-9, A-D, * and #)",
            field=field,
            value=sequence,
        )
    return normalized


def validate_http_url(url: str, *, field: str = "url") -> str:
    """An absolute http(s) URL with a host; anything else is refused."""
    parts = urlsplit(url.strip()) if isinstance(url, str) else None
    if parts is None or parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        raise SipgateValidationError(f"{field}: {url!r} is not an http(s) URL", field=field, value=url)
    return url.strip()


def validate_pdf(content: bytes, *, field: str = "file") -> bytes:
    """A PDF document: starts with ``%PDF-`` and has an end-of-file marker."""
    if not content.startswith(b"%PDF-") or b"%%EOF" not in content:
        raise SipgateNotPdfError(f"{field}: the file is not a PDF document", field=field, value=None)
    return content
