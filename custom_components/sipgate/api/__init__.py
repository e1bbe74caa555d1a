"""An asynchronous client for the sipgate REST API v2, free of Home Assistant.

Only relative imports are used inside this package, so it can be lifted into a
package of its own unchanged.
"""

from .auth import AuthProvider, BearerToken, PersonalAccessToken
from .client import API_BASE_URL, SipgateClient
from .exceptions import (
    SipgateApiError,
    SipgateAuthenticationError,
    SipgateBadRequestError,
    SipgateConnectionError,
    SipgateError,
    SipgateForbiddenError,
    SipgateInsufficientFundsError,
    SipgateInvalidResponseError,
    SipgateNotFoundError,
    SipgateRateLimitError,
    SipgateServerError,
    SipgateTimeoutError,
    SipgateValidationError,
)
from .models import Account, UserInfo

__all__ = [
    "API_BASE_URL",
    "Account",
    "AuthProvider",
    "BearerToken",
    "PersonalAccessToken",
    "SipgateApiError",
    "SipgateAuthenticationError",
    "SipgateBadRequestError",
    "SipgateClient",
    "SipgateConnectionError",
    "SipgateError",
    "SipgateForbiddenError",
    "SipgateInsufficientFundsError",
    "SipgateInvalidResponseError",
    "SipgateNotFoundError",
    "SipgateRateLimitError",
    "SipgateServerError",
    "SipgateTimeoutError",
    "SipgateValidationError",
    "UserInfo",
]
