"""Binary sensors: whether each sipgate device is online (spec §8)."""

from collections.abc import Callable
from functools import partial
import re

from homeassistant.components.binary_sensor import BinarySensorDeviceClass, BinarySensorEntity
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .coordinator import AccountCoordinator
from .entity import SipgateCoordinatorEntity, async_follow_resources, sipgate_device_info
from .runtime import SipgateConfigEntry

PARALLEL_UPDATES = 0


async def async_setup_entry(
    hass: HomeAssistant, entry: SipgateConfigEntry, async_add_entities: AddConfigEntryEntitiesCallback
) -> None:
    """Add an online sensor per device, following devices as they come and go."""
    coordinator = entry.runtime_data.account_coordinator

    def wanted() -> dict[str, Callable[[], BinarySensorEntity]] | None:
        data = coordinator.data
        if data.devices is None:
            return None
        return {
            f"device_{device_id}_online": partial(SipgateDeviceOnlineSensor, entry, coordinator, device_id)
            for device_id in data.devices
        }

    async_follow_resources(
        hass,
        entry,
        coordinator,
        async_add_entities,
        domain="binary_sensor",
        family=ONLINE_KEY,
        wanted=wanted,
        complete=lambda: coordinator.data.complete("/devices"),
    )


ONLINE_KEY = re.compile(r"device_[a-z][0-9]+_online")


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
        """Unavailable while its owner's devices cannot be read."""
        data = self.coordinator.data
        return (
            super().available
            and self._device_id in (data.devices or {})
            and data.readable(f"{data.device_owner.get(self._device_id)}/devices")
        )

    @property
    def is_on(self) -> bool:
        """Whether the device is online."""
        return (self.coordinator.data.devices or {})[self._device_id].online
