"""Exceptions raised by the sipgate client.

Every exception derives from :class:`SipgateError`. Errors the API answered
with an HTTP status derive from :class:`SipgateApiError` and carry that status
and the server's message; transport problems are :class:`SipgateConnectionError`.
"""

from typing import Any


class SipgateError(Exception):
    """Base class of everything the sipgate client raises."""


class SipgateConnectionError(SipgateError):
    """sipgate could not be reached (DNS, TCP, TLS, broken response)."""


class SipgateTimeoutError(SipgateConnectionError):
    """sipgate did not answer within the request timeout."""


class SipgateInvalidResponseError(SipgateError):
    """sipgate answered with a body that is not what the API promises."""


class SipgateValidationError(SipgateError, ValueError):
    """Input was rejected before anything was sent to sipgate.

    ``field`` names the offending argument and ``value`` holds what was given,
    so callers can tell the user exactly what to fix.
    """

    def __init__(self, message: str, *, field: str | None = None, value: Any = None) -> None:
        """Store the message and the offending field and value."""
        super().__init__(message)
        self.field = field
        self.value = value


class SipgatePushError(SipgateError, ValueError):
    """A push (webhook) request could not be accepted.

    Raised for a wrong content type, an oversized or undecodable body, and a
    missing or unknown event; the message says which, for the log.
    """


class SipgateInvalidPhoneNumberError(SipgateValidationError):
    """A phone number (or extension) that cannot be read; ``field`` and ``value`` say which."""


class SipgateScheduleError(SipgateValidationError):
    """A send time in the past or more than 30 days ahead."""


class SipgateNotPdfError(SipgateValidationError):
    """A fax document that is not a PDF."""


class SipgateApiError(SipgateError):
    """sipgate answered with an HTTP error status."""

    def __init__(self, status: int, message: str | None = None) -> None:
        """Store the HTTP status and the server's message (if it sent one)."""
        self.status = status
        self.message = message
        super().__init__(f"HTTP {status}: {message}" if message else f"HTTP {status}")


class SipgateBadRequestError(SipgateApiError):
    """400: sipgate rejected the request's content."""


class SipgateAuthenticationError(SipgateApiError):
    """401: the token is wrong, revoked or expired."""


class SipgateInsufficientFundsError(SipgateApiError):
    """402: the account's balance does not cover the request (SMS, fax, call)."""


class SipgateForbiddenError(SipgateApiError):
    """403: the token lacks a scope, or the feature is not booked.

    ``scope`` is the scope the endpoint needs, when the client knows it.
    """

    def __init__(self, status: int, message: str | None = None, *, scope: str | None = None) -> None:
        """Store the status, the server's message and the required scope."""
        super().__init__(status, message)
        self.scope = scope


class SipgateNotFoundError(SipgateApiError):
    """404: the call, entry, device … does not exist (any more)."""


class SipgateRateLimitError(SipgateApiError):
    """429: too many requests; ``retry_after`` holds the seconds to wait, if given."""

    def __init__(self, status: int, message: str | None = None, *, retry_after: float | None = None) -> None:
        """Store the status, the server's message and the Retry-After delay."""
        super().__init__(status, message)
        self.retry_after = retry_after


class SipgateServerError(SipgateApiError):
    """5xx: sipgate failed on its side; retrying later may help."""
