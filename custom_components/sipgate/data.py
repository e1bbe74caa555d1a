"""What a loaded sipgate config entry keeps at run time."""

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from homeassistant.config_entries import ConfigEntry

from .api import Account, SipgateClient, UserInfo

if TYPE_CHECKING:
    from .answering import CallAnswering
    from .call_state import CallTracker
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
    tracker: CallTracker
    webhook: SipgateWebhook
    publisher: WebhookPublisher
    fax_tracker: FaxTracker
    contact_refresher: ContactRefresher
    account_coordinator: AccountCoordinator
    history_coordinator: HistoryCoordinator
    live_calls: LiveCallsCoordinator
    missing_scopes: set[str] = field(default_factory=set)
    # Looked up once when first needed: the owner's SMS extension and fax line.
    defaults: dict[str, str] = field(default_factory=dict)


type SipgateConfigEntry = ConfigEntry[SipgateData]
