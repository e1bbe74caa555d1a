"""The rate-limit gate: after a 429 with ``Retry-After`` nothing goes to sipgate until that time.

One gate is shared by every client of one token (Home Assistant keeps it per
token, so a client made for a reload, a re-authentication or a reconfiguration
stays quiet too), and it holds for every kind of request: polls, refreshes,
actions and downloads of recordings and faxes.
"""

from http import HTTPStatus
import math
import time
from typing import Final

from .exceptions import SipgateRateLimitError

# The longest wait a Retry-After can impose (a broken header saying "1e9" must not
# silence the integration for years).
MAX_RATE_LIMIT_WAIT: Final = 6 * 3600.0


class RateLimitGate:
    """When sipgate may be asked again (``time.time()``: ``Retry-After`` may be an HTTP date)."""

    def __init__(self) -> None:
        """An open gate."""
        self._quiet_until = 0.0

    @property
    def wait(self) -> float:
        """Seconds left until sipgate may be asked again (0 when it may be asked now)."""
        return max(0.0, self._quiet_until - time.time())

    def check(self, what: str) -> None:
        """Raise :class:`SipgateRateLimitError` (nothing is sent) while sipgate asked to wait."""
        if (wait := self.wait) > 0:
            raise SipgateRateLimitError(
                HTTPStatus.TOO_MANY_REQUESTS, f"sipgate asked to wait; {what} not sent", retry_after=wait
            )

    def answered(self, status: int, retry_after: float | None) -> None:
        """Close the gate for ``retry_after`` seconds (at most six hours) after a 429 that says so."""
        if status == HTTPStatus.TOO_MANY_REQUESTS and retry_after:
            wait = min(retry_after, MAX_RATE_LIMIT_WAIT)
            self._quiet_until = max(self._quiet_until, time.time() + wait)


def wait_seconds(err: SipgateRateLimitError) -> int:
    """The whole seconds to tell a user to wait: rounded up, at least 1 (never "wait 0 s")."""
    return max(1, math.ceil(err.retry_after or 0))
