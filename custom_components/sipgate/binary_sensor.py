"""Binary sensors: whether each sipgate device is online (README "Entities")."""

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
import re

from homeassistant.components.binary_sensor import (
    BinarySensorDeviceClass,
    BinarySensorEntity,
    BinarySensorEntityDescription,
)
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .api import Device
from .coordinator import AccountCoordinator
from .entity import SipgateCoordinatorEntity, async_follow_resources, sipgate_device_info
from .runtime import SipgateConfigEntry

PARALLEL_UPDATES = 0


async def async_setup_entry(
    hass: HomeAssistant, entry: SipgateConfigEntry, async_add_entities: AddConfigEntryEntitiesCallback
) -> None:
    """Add an online sensor per device, following devices as they come and go."""
    coordinator = entry.runtime_data.coordinators.account

    def wanted() -> dict[str, Callable[[], BinarySensorEntity]] | None:
        data = coordinator.data
        if data.devices is None:
            return None
        return {
            f"device_{device_id}_{ONLINE.key}": partial(
                SipgateDeviceBinarySensor, entry, coordinator, ONLINE, device_id
            )
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
        gone=lambda key: coordinator.data.device_gone(key[1]),
    )


ONLINE_KEY = re.compile(r"device_([a-z][0-9]+)_online")


@dataclass(frozen=True, kw_only=True)
class SipgateDeviceBinarySensorDescription(BinarySensorEntityDescription):
    """A state of a sipgate device."""

    is_on_fn: Callable[[Device], bool]


# On while the phone, app or mobile is registered at sipgate.
ONLINE = SipgateDeviceBinarySensorDescription(
    key="online",
    translation_key="online",
    device_class=BinarySensorDeviceClass.CONNECTIVITY,
    is_on_fn=lambda device: device.online,
)


class SipgateDeviceBinarySensor(SipgateCoordinatorEntity[AccountCoordinator], BinarySensorEntity):
    """A binary sensor of a sipgate device (online)."""

    entity_description: SipgateDeviceBinarySensorDescription

    def __init__(
        self,
        entry: SipgateConfigEntry,
        coordinator: AccountCoordinator,
        description: SipgateDeviceBinarySensorDescription,
        device_id: str,
    ) -> None:
        """Create the sensor ``description`` of ``device_id``."""
        device = (coordinator.data.devices or {})[device_id]
        super().__init__(
            entry, coordinator, f"device_{device_id}_{description.key}", sipgate_device_info(entry, device)
        )
        self.entity_description = description
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
        """Whether the device is in that state."""
        return self.entity_description.is_on_fn((self.coordinator.data.devices or {})[self._device_id])
