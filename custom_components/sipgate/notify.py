"""Notify entities: one per "SMS recipient" subentry, driven by ``notify.send_message``."""

from homeassistant.components.notify import NotifyEntity, NotifyEntityFeature
from homeassistant.config_entries import (
    SIGNAL_CONFIG_ENTRY_CHANGED,
    ConfigEntry,
    ConfigEntryChange,
    ConfigSubentry,
)
from homeassistant.const import CONF_NAME
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.device_registry import DeviceEntryType, DeviceInfo
from homeassistant.helpers.dispatcher import async_dispatcher_connect
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .actions.helpers import mapped_errors
from .actions.messaging import send_sms
from .const import CONF_NUMBER, CONF_SMS_ID, DOMAIN, SUBENTRY_SMS_RECIPIENT
from .runtime import SipgateConfigEntry

PARALLEL_UPDATES = 1


async def async_setup_entry(
    hass: HomeAssistant, entry: SipgateConfigEntry, async_add_entities: AddConfigEntryEntitiesCallback
) -> None:
    """Add a notify entity for each SMS recipient, also for ones added later."""
    added: set[str] = set()

    @callback
    def add_new_recipients() -> None:
        for subentry_id, subentry in entry.subentries.items():
            if subentry.subentry_type != SUBENTRY_SMS_RECIPIENT or subentry_id in added:
                continue
            added.add(subentry_id)
            async_add_entities([SipgateSmsNotifyEntity(entry, subentry)], config_subentry_id=subentry_id)

    @callback
    def entry_changed(change: ConfigEntryChange, changed: ConfigEntry) -> None:
        if change is ConfigEntryChange.UPDATED and changed.entry_id == entry.entry_id:
            added.intersection_update(entry.subentries)
            add_new_recipients()

    add_new_recipients()
    entry.async_on_unload(async_dispatcher_connect(hass, SIGNAL_CONFIG_ENTRY_CHANGED, entry_changed))


class SipgateSmsNotifyEntity(NotifyEntity):
    """Sends text messages to one recipient (a device of its own, as it is its own subentry)."""

    _attr_has_entity_name = True
    _attr_name = None
    _attr_should_poll = False
    _attr_supported_features = NotifyEntityFeature.TITLE
    _attr_translation_key = "sms"

    def __init__(self, entry: SipgateConfigEntry, subentry: ConfigSubentry) -> None:
        """Send to the number of ``subentry`` from ``entry``'s account."""
        self._entry = entry
        self._subentry_id = subentry.subentry_id
        self._attr_unique_id = f"{entry.runtime_data.userinfo.master_sip_id}_sms_{subentry.subentry_id}"
        self._attr_device_info = DeviceInfo(
            identifiers={(DOMAIN, self._attr_unique_id)},
            entry_type=DeviceEntryType.SERVICE,
            manufacturer="sipgate",
            name=str(subentry.data.get(CONF_NAME) or subentry.title),
        )

    async def async_send_message(self, message: str, title: str | None = None) -> None:
        """Send ``message`` as an SMS; a title goes first on its own line."""
        text = f"{title}\n{message}" if title else message
        recipient = self._entry.subentries[self._subentry_id].data  # current, also after a reconfigure
        with mapped_errors(self.hass, self._entry):
            await send_sms(
                self._entry,
                recipient=str(recipient[CONF_NUMBER]),
                message=text,
                sms_id=recipient.get(CONF_SMS_ID) or None,
                send_at=None,
            )
