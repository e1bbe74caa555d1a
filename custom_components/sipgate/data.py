"""What a loaded sipgate config entry keeps at run time."""

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from homeassistant.config_entries import ConfigEntry
from homeassistant.const import CONF_TOKEN
from homeassistant.core import HomeAssistant
from homeassistant.helpers.aiohttp_client import async_get_clientsession

from .const import CONF_TOKEN_ID, DEFAULT_REGION
from .development import api_base_url

if TYPE_CHECKING:
    from .answering import CallAnswering
    from .api import Account, UserInfo
    from .api.client import SipgateClient
    from .arrivals import ArrivalTracker
    from .calls import CallRegistry
    from .contact_names import ContactNames
    from .contact_refresh import ContactRefresher
    from .coordinator import AccountCoordinator, HistoryCoordinator, LiveCallsCoordinator
    from .fax_tracking import FaxTracker
    from .webhook import SipgateWebhook
    from .webhook_url import WebhookPublisher


@dataclass(slots=True)
class SipgateData:
    """Runtime data of one sipgate account (``entry.runtime_data``)."""

    client: SipgateClient
    userinfo: UserInfo
    account: Account | None
    contact_names: ContactNames
    answering: CallAnswering
    calls: CallRegistry
    webhook: SipgateWebhook
    publisher: WebhookPublisher
    fax_tracker: FaxTracker
    contact_refresher: ContactRefresher
    account_coordinator: AccountCoordinator
    history_coordinator: HistoryCoordinator
    live_calls: LiveCallsCoordinator
    arrivals: ArrivalTracker
    missing_scopes: set[str] = field(default_factory=set)
    # Looked up once when first needed: the owner's SMS extension and fax line.
    defaults: dict[str, str] = field(default_factory=dict)


type SipgateConfigEntry = ConfigEntry[SipgateData]


def create_client(hass: HomeAssistant, credentials: Mapping[str, Any]) -> SipgateClient:
    """A client for the token in ``credentials`` (config entry data or flow input).

    National numbers are read in the instance's country; the API is sipgate's
    unless development points it at the local stand-in.
    """
    # The client (and with it every API area) is imported when the first entry is set up.
    from .api.auth import PersonalAccessToken  # noqa: PLC0415
    from .api.client import SipgateClient  # noqa: PLC0415
    from .api.transport import API_BASE_URL  # noqa: PLC0415

    return SipgateClient(
        async_get_clientsession(hass),
        PersonalAccessToken(str(credentials[CONF_TOKEN_ID]), str(credentials[CONF_TOKEN])),
        region=hass.config.country or DEFAULT_REGION,
        base_url=api_base_url() or API_BASE_URL,
    )
