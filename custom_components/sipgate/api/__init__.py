"""An asynchronous client for the sipgate REST API v2, free of Home Assistant.

Only relative imports are used inside this package, so it can be lifted into a
package of its own unchanged. Start with :class:`SipgateClient`.

The names below are imported when first used (PEP 562): importing one module
of the package, such as the webhook's ``push_events``, does not load the
whole client.
"""

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .account import Account, Balance, User, UserInfo
    from .auth import AuthProvider, BearerToken, PersonalAccessToken
    from .calls import ActiveCall, CallParticipant
    from .client import SipgateClient
    from .contacts import Contact, ContactScope, NewContact
    from .devices import ActiveRouting, Device
    from .exceptions import (
        SipgateApiError,
        SipgateAuthenticationError,
        SipgateBadRequestError,
        SipgateConnectionError,
        SipgateError,
        SipgateForbiddenError,
        SipgateInsufficientFundsError,
        SipgateInvalidPhoneNumberError,
        SipgateInvalidResponseError,
        SipgateNotFoundError,
        SipgateNotPdfError,
        SipgateRateLimitError,
        SipgateScheduleError,
        SipgateServerError,
        SipgateTimeoutError,
        SipgateValidationError,
    )
    from .fax import Faxline, FaxStatus
    from .history import (
        HistoryChange,
        HistoryDirection,
        HistoryEndpoint,
        HistoryEntry,
        HistoryFilter,
        HistoryType,
    )
    from .numbers import MnpState, PhoneNumber
    from .pagination import Page
    from .phonelines import BlockAnonymous, BlockAnonymousTarget, Forwarding, Phoneline
    from .rate_limit import RateLimitGate
    from .sms import SmsCallerId, SmsExtension
    from .transport import API_BASE_URL
    from .voicemails import Voicemail
    from .webhook_settings import WebhookLogEntry, WebhookSettings

# Where each public name lives.
_MODULES: dict[str, str] = {
    "API_BASE_URL": "transport",
    "Account": "account",
    "ActiveCall": "calls",
    "ActiveRouting": "devices",
    "AuthProvider": "auth",
    "Balance": "account",
    "BearerToken": "auth",
    "BlockAnonymous": "phonelines",
    "BlockAnonymousTarget": "phonelines",
    "CallParticipant": "calls",
    "Contact": "contacts",
    "ContactScope": "contacts",
    "Device": "devices",
    "FaxStatus": "fax",
    "Faxline": "fax",
    "Forwarding": "phonelines",
    "HistoryChange": "history",
    "HistoryDirection": "history",
    "HistoryEndpoint": "history",
    "HistoryEntry": "history",
    "HistoryFilter": "history",
    "HistoryType": "history",
    "MnpState": "numbers",
    "NewContact": "contacts",
    "Page": "pagination",
    "PersonalAccessToken": "auth",
    "PhoneNumber": "numbers",
    "Phoneline": "phonelines",
    "RateLimitGate": "rate_limit",
    "SipgateApiError": "exceptions",
    "SipgateAuthenticationError": "exceptions",
    "SipgateBadRequestError": "exceptions",
    "SipgateClient": "client",
    "SipgateConnectionError": "exceptions",
    "SipgateError": "exceptions",
    "SipgateForbiddenError": "exceptions",
    "SipgateInsufficientFundsError": "exceptions",
    "SipgateInvalidPhoneNumberError": "exceptions",
    "SipgateInvalidResponseError": "exceptions",
    "SipgateNotFoundError": "exceptions",
    "SipgateNotPdfError": "exceptions",
    "SipgateRateLimitError": "exceptions",
    "SipgateScheduleError": "exceptions",
    "SipgateServerError": "exceptions",
    "SipgateTimeoutError": "exceptions",
    "SipgateValidationError": "exceptions",
    "SmsCallerId": "sms",
    "SmsExtension": "sms",
    "User": "account",
    "UserInfo": "account",
    "Voicemail": "voicemails",
    "WebhookLogEntry": "webhook_settings",
    "WebhookSettings": "webhook_settings",
}


def __getattr__(name: str) -> Any:
    """Import a public name's module when the name is first used."""
    if (module := _MODULES.get(name)) is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    """The public names."""
    return sorted(__all__)


__all__ = [
    "API_BASE_URL",
    "Account",
    "ActiveCall",
    "ActiveRouting",
    "AuthProvider",
    "Balance",
    "BearerToken",
    "BlockAnonymous",
    "BlockAnonymousTarget",
    "CallParticipant",
    "Contact",
    "ContactScope",
    "Device",
    "FaxStatus",
    "Faxline",
    "Forwarding",
    "HistoryChange",
    "HistoryDirection",
    "HistoryEndpoint",
    "HistoryEntry",
    "HistoryFilter",
    "HistoryType",
    "MnpState",
    "NewContact",
    "Page",
    "PersonalAccessToken",
    "PhoneNumber",
    "Phoneline",
    "RateLimitGate",
    "SipgateApiError",
    "SipgateAuthenticationError",
    "SipgateBadRequestError",
    "SipgateClient",
    "SipgateConnectionError",
    "SipgateError",
    "SipgateForbiddenError",
    "SipgateInsufficientFundsError",
    "SipgateInvalidPhoneNumberError",
    "SipgateInvalidResponseError",
    "SipgateNotFoundError",
    "SipgateNotPdfError",
    "SipgateRateLimitError",
    "SipgateScheduleError",
    "SipgateServerError",
    "SipgateTimeoutError",
    "SipgateValidationError",
    "SmsCallerId",
    "SmsExtension",
    "User",
    "UserInfo",
    "Voicemail",
    "WebhookLogEntry",
    "WebhookSettings",
]
