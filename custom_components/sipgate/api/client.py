"""The sipgate client: one transport, one attribute per area of the API."""

import aiohttp

from .account import AccountApi
from .auth import AuthProvider
from .calls import CallsApi
from .contacts import ContactsApi
from .devices import DevicesApi
from .fax import FaxApi
from .history import HistoryApi
from .numbers import NumbersApi
from .phonelines import PhonelinesApi
from .sms import SmsApi
from .transport import API_BASE_URL, DEFAULT_REGION, DEFAULT_REQUEST_TIMEOUT, Transport
from .voicemails import VoicemailsApi
from .webhook_settings import WebhookSettingsApi


class SipgateClient(Transport):
    """An asynchronous client for the sipgate REST API v2.

    >>> client = SipgateClient(session, PersonalAccessToken("token-AB12CD", "…"))
    >>> await client.sms.send(sms_id="s0", recipient="+4915799912345", message="Hi")

    Areas: ``account``, ``calls`` (click-to-dial and live calls), ``contacts``,
    ``devices``, ``fax``, ``history``, ``numbers``, ``phonelines``, ``sms``,
    ``voicemails``, ``webhook_settings``. National numbers are read in
    ``region`` (ISO country code).
    """

    def __init__(
        self,
        session: aiohttp.ClientSession,
        auth: AuthProvider,
        *,
        region: str = DEFAULT_REGION,
        base_url: str = API_BASE_URL,
        request_timeout: float = DEFAULT_REQUEST_TIMEOUT,
    ) -> None:
        """Create the client; nothing is sent until a method is awaited."""
        super().__init__(session, auth, region=region, base_url=base_url, request_timeout=request_timeout)
        self.account = AccountApi(self)
        self.calls = CallsApi(self)
        self.contacts = ContactsApi(self)
        self.devices = DevicesApi(self)
        self.fax = FaxApi(self)
        self.history = HistoryApi(self)
        self.numbers = NumbersApi(self)
        self.phonelines = PhonelinesApi(self)
        self.sms = SmsApi(self)
        self.voicemails = VoicemailsApi(self)
        self.webhook_settings = WebhookSettingsApi(self)
