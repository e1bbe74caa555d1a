"""The sipgate client: it has one transport and one attribute per area of the API."""

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
from .rate_limit import RateLimitGate
from .sms import SmsApi
from .transport import API_BASE_URL, DEFAULT_REGION, DEFAULT_REQUEST_TIMEOUT, Transport
from .voicemails import VoicemailsApi
from .webhook_settings import WebhookSettingsApi


class SipgateClient:
    """An asynchronous client for the sipgate REST API v2.

    >>> client = SipgateClient(session, PersonalAccessToken("token-AB12CD", "…"))
    >>> await client.sms.send(sms_id="s0", recipient="+4915799912345", message="Hi")

    Areas: ``account``, ``calls`` (click-to-dial and live calls), ``contacts``,
    ``devices``, ``fax``, ``history``, ``numbers``, ``phonelines``, ``sms``,
    ``voicemails``, ``webhook_settings``. National numbers are read in
    ``region`` (ISO country code). ``transport`` sends the requests of every
    area (authentication, errors, rate limits, downloads of recordings and faxes);
    clients of one token should share one ``rate_limit`` gate.
    """

    def __init__(
        self,
        session: aiohttp.ClientSession,
        auth: AuthProvider,
        *,
        region: str = DEFAULT_REGION,
        base_url: str = API_BASE_URL,
        request_timeout: float = DEFAULT_REQUEST_TIMEOUT,
        rate_limit: RateLimitGate | None = None,
    ) -> None:
        """Create the client; nothing is sent until a method is awaited."""
        transport = Transport(
            session,
            auth,
            region=region,
            base_url=base_url,
            request_timeout=request_timeout,
            rate_limit=rate_limit,
        )
        self.transport = transport
        self.account = AccountApi(transport)
        self.calls = CallsApi(transport)
        self.contacts = ContactsApi(transport)
        self.devices = DevicesApi(transport)
        self.fax = FaxApi(transport)
        self.history = HistoryApi(transport)
        self.numbers = NumbersApi(transport)
        self.phonelines = PhonelinesApi(transport)
        self.sms = SmsApi(transport)
        self.voicemails = VoicemailsApi(transport)
        self.webhook_settings = WebhookSettingsApi(transport)

    @property
    def region(self) -> str:
        """The country national numbers are read in."""
        return self.transport.region
