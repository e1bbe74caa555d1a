"""What a loaded sipgate config entry keeps at run time (``entry.runtime_data``).

This module imports no other module of the integration at run time (the
types below are for the type checker only), so every module may import it
without an import cycle. The runtime is grouped by concern: the API client
and who the account is, the coordinators, the calls, the webhook, the
contact names and the tracking of arriving messages.
"""

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from homeassistant.config_entries import ConfigEntry

if TYPE_CHECKING:
    from .answering import CallAnswering
    from .api import Account, UserInfo
    from .api.client import SipgateClient
    from .arrivals import ArrivalTracker
    from .calls import CallRegistry
    from .contact_names import ContactNames, ContactRefresher
    from .coordinator import AccountCoordinator, HistoryCoordinator, LiveCallsCoordinator
    from .fax_tracking import FaxTracker
    from .webhook import SipgateWebhook
    from .webhook_publisher import WebhookPublisher


@dataclass(slots=True, frozen=True)
class Coordinators:
    """What is polled: the account's settings, its history, and (during calls) its live calls."""

    account: AccountCoordinator
    history: HistoryCoordinator
    live_calls: LiveCallsCoordinator


@dataclass(slots=True, frozen=True)
class WebhookRuntime:
    """The push receiver (verifies, binds, answers) and its publisher (URL, sipgate's settings)."""

    handler: SipgateWebhook
    publisher: WebhookPublisher


@dataclass(slots=True, frozen=True)
class Contacts:
    """The contact-name index and what keeps it fresh."""

    names: ContactNames
    refresher: ContactRefresher


@dataclass(slots=True, frozen=True)
class MessageTracking:
    """Arriving SMS, fax and voicemail, and the status of faxes sent."""

    arrivals: ArrivalTracker
    fax: FaxTracker


@dataclass(slots=True)
class SipgateRuntime:
    """Runtime data of one sipgate account."""

    client: SipgateClient
    userinfo: UserInfo
    account: Account | None
    coordinators: Coordinators
    calls: CallRegistry
    answering: CallAnswering
    webhook: WebhookRuntime
    contacts: Contacts
    messages: MessageTracking
    missing_scopes: set[str] = field(default_factory=set)
    # Looked up once when first needed: the owner's SMS extension and fax line.
    defaults: dict[str, str] = field(default_factory=dict)


type SipgateConfigEntry = ConfigEntry[SipgateRuntime]
