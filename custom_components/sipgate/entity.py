"""The base of every sipgate entity: the account's service device."""

from homeassistant.helpers.device_registry import DeviceEntryType, DeviceInfo
from homeassistant.helpers.entity import Entity

from .const import DOMAIN
from .data import SipgateConfigEntry


def account_device_info(entry: SipgateConfigEntry) -> DeviceInfo:
    """The service device that stands for the sipgate account."""
    data = entry.runtime_data
    return DeviceInfo(
        identifiers={(DOMAIN, data.userinfo.master_sip_id)},
        entry_type=DeviceEntryType.SERVICE,
        manufacturer="sipgate",
        model=data.account.main_product_type.title()
        if data.account and data.account.main_product_type
        else None,
        name=entry.title,
        configuration_url="https://app.sipgate.com",
    )


class SipgateAccountEntity(Entity):
    """An entity of the account device; unique ids start with the account id."""

    _attr_has_entity_name = True
    _attr_should_poll = False

    def __init__(self, entry: SipgateConfigEntry, key: str) -> None:
        """Belong to ``entry``'s account, identified by ``key``."""
        self._entry = entry
        self._attr_unique_id = f"{entry.runtime_data.userinfo.master_sip_id}_{key}"
        self._attr_device_info = account_device_info(entry)
