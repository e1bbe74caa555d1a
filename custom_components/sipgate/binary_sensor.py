"""Binary sensors: whether each sipgate device is online (spec §8)."""

from homeassistant.components.binary_sensor import BinarySensorDeviceClass, BinarySensorEntity
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .coordinator import AccountCoordinator
from .data import SipgateConfigEntry
from .entity import SipgateCoordinatorEntity, async_add_when_ready, sipgate_device_info

PARALLEL_UPDATES = 0


async def async_setup_entry(
    hass: HomeAssistant, entry: SipgateConfigEntry, async_add_entities: AddConfigEntryEntitiesCallback
) -> None:
    """Add an online sensor per device."""
    async_add_when_ready(
        entry,
        entry.runtime_data.account_coordinator,
        lambda coordinator: [
            SipgateDeviceOnlineSensor(entry, coordinator, device_id)
            for device_id in coordinator.data.devices or {}
        ],
        async_add_entities,
    )


class SipgateDeviceOnlineSensor(SipgateCoordinatorEntity[AccountCoordinator], BinarySensorEntity):
    """On while the phone, app or mobile is registered at sipgate."""

    _attr_translation_key = "online"
    _attr_device_class = BinarySensorDeviceClass.CONNECTIVITY

    def __init__(self, entry: SipgateConfigEntry, coordinator: AccountCoordinator, device_id: str) -> None:
        """Create the online sensor of ``device_id``."""
        device = (coordinator.data.devices or {})[device_id]
        super().__init__(entry, coordinator, f"device_{device_id}_online", sipgate_device_info(entry, device))
        self._device_id = device_id

    @property
    def available(self) -> bool:
        """Unavailable once the device is gone."""
        return super().available and self._device_id in (self.coordinator.data.devices or {})

    @property
    def is_on(self) -> bool:
        """Whether the device is online."""
        return (self.coordinator.data.devices or {})[self._device_id].online
