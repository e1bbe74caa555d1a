"""The sipgate integration: a sipgate.io telephony account in Home Assistant."""

from collections.abc import Callable
from datetime import datetime, timedelta
import secrets
from typing import TYPE_CHECKING, Any

from homeassistant.components.webhook import async_generate_id as generate_webhook_id
from homeassistant.const import Platform
from homeassistant.core import HomeAssistant, callback
from homeassistant.exceptions import ConfigEntryAuthFailed, ConfigEntryNotReady
from homeassistant.helpers import config_validation as cv, device_registry as dr
from homeassistant.helpers.dispatcher import async_dispatcher_connect
from homeassistant.helpers.event import async_track_time_interval
from homeassistant.helpers.typing import ConfigType

from .answering import CallAnswering
from .api import SipgateAuthenticationError, SipgateError, SipgateForbiddenError, SipgateRateLimitError
from .api.push_events import HangupEvent, PushEvent
from .api.push_signature import SIPGATE_PUBLIC_KEY_PEM, SignatureVerifier
from .api.rate_limit import wait_seconds
from .arrivals import STORE_PURPOSE as ARRIVALS_STORE, ArrivalTracker
from .call_memory import STORE_PURPOSE as CALLS_STORE, CallMemory
from .calls import CallRegistry
from .client_factory import create_client, webhook_public_key
from .cloudhook import async_delete_cloudhook
from .const import (
    CONF_ACCOUNT_SCAN_INTERVAL,
    CONF_ANSWER_TIMEOUT,
    CONF_CONTACT_LOOKUP,
    CONF_HISTORY_SCAN_INTERVAL,
    CONF_PUSH_SECRET,
    CONF_VERIFY_SIGNATURE,
    CONF_WEBHOOK_ID,
    DEFAULT_OPTIONS,
    DOMAIN,
    LOGGER,
)
from .contact_names import ContactNames, ContactRefresher
from .coordinator import AccountCoordinator, HistoryCoordinator, LiveCallsCoordinator
from .entry_store import async_remove_entry_stores
from .fax_tracking import FaxTracker
from .media import async_setup_media
from .runtime import (
    Contacts,
    Coordinators,
    MessageTracking,
    SipgateConfigEntry,
    SipgateRuntime,
    WebhookRuntime,
)
from .services import async_setup_services
from .webhook import SipgateWebhook, signal_call_event
from .webhook_publisher import (
    WebhookPublisher,
    async_restore_webhook_urls,
    async_update_development_issue,
    async_update_security_issues,
)

if TYPE_CHECKING:
    from .api import Account
    from .api.client import SipgateClient

CONFIG_SCHEMA = cv.config_entry_only_config_schema(DOMAIN)
# How often calls nobody has heard of for too long are ended and old records dropped.
CALL_EXPIRY_INTERVAL = timedelta(minutes=1)
PLATFORMS: list[Platform] = [
    Platform.BINARY_SENSOR,
    Platform.EVENT,
    Platform.NOTIFY,
    Platform.SENSOR,
    Platform.SWITCH,
]


async def async_setup(hass: HomeAssistant, config: ConfigType) -> bool:
    """Register the actions; they serve every account."""
    async_update_development_issue(hass)
    async_setup_services(hass)
    async_setup_media(hass)
    return True


async def async_setup_entry(hass: HomeAssistant, entry: SipgateConfigEntry) -> bool:
    """Connect to one sipgate account.

    Answering comes first: once ``userinfo`` (the only request that can keep
    the entry from loading) has answered, the webhook is registered and
    answers ringing calls, whatever the polled endpoints do. A coordinator
    whose first read fails leaves its entities out until it reads again.
    """
    _drop_stale_runtime(entry)
    _ensure_entry_secrets(hass, entry)
    client = create_client(hass, entry.data)
    try:
        userinfo = await client.account.get_userinfo()
    except SipgateAuthenticationError as err:
        raise ConfigEntryAuthFailed(translation_domain=DOMAIN, translation_key="invalid_auth") from err
    except SipgateRateLimitError as err:
        # Home Assistant tries again later; until Retry-After the token's gate sends nothing.
        raise ConfigEntryNotReady(
            translation_domain=DOMAIN,
            translation_key="rate_limited",
            translation_placeholders={"seconds": str(wait_seconds(err))},
        ) from err
    except SipgateError as err:
        raise ConfigEntryNotReady(
            translation_domain=DOMAIN,
            translation_key="cannot_connect",
            translation_placeholders={"error": str(err)},
        ) from err

    options = {**DEFAULT_OPTIONS, **entry.options}
    calls = CallRegistry()
    call_memory = CallMemory(hass, entry.entry_id, calls)
    await call_memory.async_load()
    entry.async_on_unload(call_memory.async_save)
    answering = CallAnswering(hass, float(options[CONF_ANSWER_TIMEOUT]), calls)
    entry.async_on_unload(answering.async_start())
    contact_names = ContactNames(client.region)
    push_key = await hass.async_add_executor_job(webhook_public_key)
    handler = SipgateWebhook(
        hass,
        entry.entry_id,
        answering=answering,
        calls=calls,
        contact_names=contact_names,
        verifier=SignatureVerifier(push_key or SIPGATE_PUBLIC_KEY_PEM)
        if options[CONF_VERIFY_SIGNATURE]
        else None,
        account_id=userinfo.master_sip_id,
        secret=bytes.fromhex(str(entry.data[CONF_PUSH_SECRET])),
    )
    publisher = WebhookPublisher(hass, entry, client, handler)
    handler.on_signature_failures = publisher.async_signature_failures
    handler.on_first_push = publisher.async_first_push
    handler.on_accepted = call_memory.async_changed
    publisher.async_setup()
    async_update_security_issues(hass, entry, verify_signature=bool(options[CONF_VERIFY_SIGNATURE]))

    _track_call_expiry(hass, entry, handler, calls)

    missing_scopes: set[str] = set()
    fax_tracker = FaxTracker(hass, entry.entry_id, client)
    entry.async_on_unload(fax_tracker.async_stop)
    account_interval = timedelta(minutes=int(options[CONF_ACCOUNT_SCAN_INTERVAL]))
    contact_refresher = ContactRefresher(hass, entry, client, contact_names, account_interval)
    account_coordinator = AccountCoordinator(
        hass, entry, client, name="account", update_interval=account_interval
    )
    history_coordinator = HistoryCoordinator(
        hass, entry, client, timedelta(minutes=int(options[CONF_HISTORY_SCAN_INTERVAL]))
    )
    live_calls = LiveCallsCoordinator(hass, entry, client)
    arrivals = ArrivalTracker(hass, entry)
    await arrivals.async_load()
    entry.runtime_data = SipgateRuntime(
        client=client,
        userinfo=userinfo,
        account=None,
        coordinators=Coordinators(
            account=account_coordinator, history=history_coordinator, live_calls=live_calls
        ),
        calls=calls,
        answering=answering,
        webhook=WebhookRuntime(handler=handler, publisher=publisher),
        contacts=Contacts(names=contact_names, refresher=contact_refresher),
        messages=MessageTracking(arrivals=arrivals, fax=fax_tracker),
        missing_scopes=missing_scopes,
    )
    entry.async_on_unload(
        async_dispatcher_connect(hass, signal_call_event(entry.entry_id), _call_event_listener(entry))
    )
    entry.async_on_unload(live_calls.async_add_listener(_live_calls_listener(entry)))
    # Calls are answered from here on, while the account is read (see actions.helpers.ready_entries).
    entry.runtime_data.account = await _async_get_account(client, missing_scopes)
    # Not async_config_entry_first_refresh: a failing poll must not keep the webhook from answering.
    await account_coordinator.async_refresh()
    await history_coordinator.async_refresh()
    if options[CONF_CONTACT_LOOKUP]:
        contact_refresher.async_start()
    await hass.config_entries.async_forward_entry_setups(entry, PLATFORMS)
    # After the platforms: the Messages entity hears the first announcements (held until started).
    entry.async_on_unload(arrivals.async_start())
    return True


def _drop_stale_runtime(entry: SipgateConfigEntry) -> None:
    """Forget the runtime of a failed earlier try.

    Home Assistant removes an entry's runtime only on unload; answering actions look for
    entries still setting up that have a runtime, and must not find that dead one.
    """
    if hasattr(entry, "runtime_data"):
        object.__delattr__(entry, "runtime_data")


def _track_call_expiry(
    hass: HomeAssistant, entry: SipgateConfigEntry, handler: SipgateWebhook, calls: CallRegistry
) -> None:
    """End the calls nobody has heard of for too long, and forget old records, every minute."""

    @callback
    def expire_calls(_now: datetime) -> None:
        handler.async_calls_ended(calls.expire())

    entry.async_on_unload(async_track_time_interval(hass, expire_calls, CALL_EXPIRY_INTERVAL))


def _ensure_entry_secrets(hass: HomeAssistant, entry: SipgateConfigEntry) -> None:
    """Give an entry its webhook id and its key for follow-up tokens, once."""
    added: dict[str, str] = {}
    if CONF_WEBHOOK_ID not in entry.data:
        added[CONF_WEBHOOK_ID] = generate_webhook_id()
    if CONF_PUSH_SECRET not in entry.data:
        added[CONF_PUSH_SECRET] = secrets.token_hex(32)
    if added:
        hass.config_entries.async_update_entry(entry, data={**entry.data, **added})


async def _async_get_account(client: SipgateClient, missing_scopes: set[str]) -> Account | None:
    """The account's details, or ``None`` when the token may not read them or sipgate fails now."""
    try:
        return await client.account.get_account()
    except SipgateForbiddenError as err:
        # A token without account:read still works; only what needs it degrades.
        LOGGER.info("The sipgate token has no %s scope; account details are not shown", err.scope)
        missing_scopes.add(err.scope or "account:read")
    except SipgateAuthenticationError as err:
        raise ConfigEntryAuthFailed(translation_domain=DOMAIN, translation_key="invalid_auth") from err
    except SipgateError as err:
        LOGGER.warning("Could not read the sipgate account's details, going on without them: %s", err)
    return None


def _call_event_listener(entry: SipgateConfigEntry) -> Callable[[PushEvent, dict[str, Any]], None]:
    """After a call: refresh the history (debounced); poll live calls only while calls go on."""

    @callback
    def on_call_event(event: PushEvent, data: dict[str, Any]) -> None:
        runtime = entry.runtime_data
        if isinstance(event, HangupEvent):
            runtime.coordinators.history.async_schedule_refresh_after_calls()
        runtime.coordinators.live_calls.calls_changed(runtime.calls.talking)

    return on_call_event


def _live_calls_listener(entry: SipgateConfigEntry) -> Callable[[], None]:
    """Sipgate's call list was read: calls it no longer shows have ended."""

    @callback
    def on_live_calls() -> None:
        runtime = entry.runtime_data
        coordinator = runtime.coordinators.live_calls
        if (
            coordinator.data is None
            or not coordinator.last_update_success
            or coordinator.update_interval is None
        ):
            return
        if ended := runtime.calls.listed(call.call_id for call in coordinator.data):
            runtime.webhook.handler.async_calls_ended(ended)

    return on_live_calls


async def async_unload_entry(hass: HomeAssistant, entry: SipgateConfigEntry) -> bool:
    """Disconnect from one sipgate account."""
    return await hass.config_entries.async_unload_platforms(entry, PLATFORMS)


async def async_remove_entry(hass: HomeAssistant, entry: SipgateConfigEntry) -> None:
    """Give the account its previous webhook URLs back and delete the cloudhook."""
    await async_restore_webhook_urls(hass, entry, create_client(hass, entry.data))
    await async_remove_entry_stores(hass, entry.entry_id, ARRIVALS_STORE, CALLS_STORE)
    if CONF_WEBHOOK_ID in entry.data:
        await async_delete_cloudhook(hass, str(entry.data[CONF_WEBHOOK_ID]))


async def async_remove_config_entry_device(
    hass: HomeAssistant, entry: SipgateConfigEntry, device: dr.DeviceEntry
) -> bool:
    """Let users delete a phone or line that is gone at sipgate (not the account, not a recipient).

    One that is merely unreadable now (its user's devices refused) cannot be deleted.
    """
    return entry.runtime_data.coordinators.account.is_stale(device)
