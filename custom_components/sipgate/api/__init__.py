"""An asynchronous client for the sipgate REST API v2, free of Home Assistant.

Only relative imports are used inside this package, so it can be lifted into a
package of its own unchanged. Start with :class:`SipgateClient`.
"""

from .account import Account, Balance, User, UserInfo
from .auth import AuthProvider, BearerToken, PersonalAccessToken
from .calls import ActiveCall, CallParticipant
from .client import SipgateClient
from .contacts import Contact, ContactScope, NewContact
from .devices import Device
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
from .sms import SmsCallerId, SmsExtension
from .transport import API_BASE_URL
from .voicemails import Voicemail
from .webhook_settings import WebhookLogEntry, WebhookSettings

__all__ = [
    "API_BASE_URL",
    "Account",
    "ActiveCall",
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
