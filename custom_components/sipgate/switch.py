"""Switches (spec §8): do-not-disturb per device, blocking anonymous calls and each forwarding per phone line.

Each switch writes through sipgate's API and shows the new state at once.
"""

from dataclasses import replace
from functools import partial
from typing import Any

from homeassistant.components.switch import SwitchEntity
from homeassistant.const import EntityCategory
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .api import BlockAnonymous, Device
from .coordinator import AccountCoordinator, LineData
from .data import SipgateConfigEntry
from .entity import SipgateCoordinatorEntity, async_add_when_ready, phoneline_device_info, sipgate_device_info
from .service_helpers import mapped_errors

PARALLEL_UPDATES = 1


async def async_setup_entry(
    hass: HomeAssistant, entry: SipgateConfigEntry, async_add_entities: AddConfigEntryEntitiesCallback
) -> None:
    """Add the switches the token may read and write."""
    async_add_when_ready(
        entry, entry.runtime_data.account_coordinator, partial(_switches, entry), async_add_entities
    )


def _switches(entry: SipgateConfigEntry, coordinator: AccountCoordinator) -> list[SwitchEntity]:
    entities: list[SwitchEntity] = [
        SipgateDndSwitch(entry, coordinator, device) for device in (coordinator.data.devices or {}).values()
    ]
    for line in (coordinator.data.lines or {}).values():
        if line.block_anonymous is not None:
            entities.append(SipgateBlockAnonymousSwitch(entry, coordinator, line))
        entities.extend(
            SipgateForwardingSwitch(entry, coordinator, line, index)
            for index in range(len(line.forwardings or ()))
        )
    return entities


class SipgateDndSwitch(SipgateCoordinatorEntity[AccountCoordinator], SwitchEntity):
    """Do not disturb on a sipgate device."""

    _attr_translation_key = "dnd"

    def __init__(self, entry: SipgateConfigEntry, coordinator: AccountCoordinator, device: Device) -> None:
        """Create the DND switch of ``device``."""
        super().__init__(entry, coordinator, f"device_{device.id}_dnd", sipgate_device_info(entry, device))
        self._device_id = device.id

    @property
    def _device(self) -> Device | None:
        return (self.coordinator.data.devices or {}).get(self._device_id)

    @property
    def available(self) -> bool:
        """Unavailable once the device is gone."""
        return super().available and self._device is not None

    @property
    def is_on(self) -> bool | None:
        """Whether do-not-disturb is on."""
        return self._device.dnd if self._device else None

    async def async_turn_on(self, **kwargs: Any) -> None:
        """Turn do-not-disturb on."""
        await self._set(True)

    async def async_turn_off(self, **kwargs: Any) -> None:
        """Turn do-not-disturb off."""
        await self._set(False)

    async def _set(self, enabled: bool) -> None:
        with mapped_errors(self.hass, self._entry):
            await self.coordinator.client.devices.set_dnd(self._device_id, enabled)
        if (device := self._device) is not None:
            self.coordinator.set_device(replace(device, dnd=enabled))


class _LineSwitch(SipgateCoordinatorEntity[AccountCoordinator], SwitchEntity):
    _attr_entity_category = EntityCategory.CONFIG

    def __init__(
        self, entry: SipgateConfigEntry, coordinator: AccountCoordinator, line: LineData, key: str
    ) -> None:
        super().__init__(
            entry, coordinator, f"line_{line.line.id}_{key}", phoneline_device_info(entry, line.line)
        )
        self._line_id = line.line.id

    @property
    def _line(self) -> LineData | None:
        return (self.coordinator.data.lines or {}).get(self._line_id)


class SipgateBlockAnonymousSwitch(_LineSwitch):
    """Block calls without caller ID on a phone line."""

    _attr_translation_key = "block_anonymous"

    def __init__(self, entry: SipgateConfigEntry, coordinator: AccountCoordinator, line: LineData) -> None:
        """Create the switch of ``line``."""
        super().__init__(entry, coordinator, line, "block_anonymous")

    @property
    def available(self) -> bool:
        """Unavailable once the line or its setting is gone."""
        return super().available and self._line is not None and self._line.block_anonymous is not None

    @property
    def is_on(self) -> bool | None:
        """Whether anonymous calls are blocked."""
        line = self._line
        return line.block_anonymous.enabled if line and line.block_anonymous else None

    async def async_turn_on(self, **kwargs: Any) -> None:
        """Block anonymous calls."""
        await self._set(True)

    async def async_turn_off(self, **kwargs: Any) -> None:
        """Let anonymous calls through."""
        await self._set(False)

    async def _set(self, enabled: bool) -> None:
        line = self._line
        if line is None or line.block_anonymous is None:
            return
        target = line.block_anonymous.target
        with mapped_errors(self.hass, self._entry):
            await self.coordinator.client.phonelines.set_block_anonymous(
                line.user_id, line.line.id, enabled, target
            )
        self.coordinator.set_line(replace(line, block_anonymous=BlockAnonymous(enabled, target)))


class SipgateForwardingSwitch(_LineSwitch):
    """One call forwarding of a phone line, on or off."""

    _attr_translation_key = "forwarding"

    def __init__(
        self, entry: SipgateConfigEntry, coordinator: AccountCoordinator, line: LineData, index: int
    ) -> None:
        """Create the switch of the line's ``index``-th forwarding."""
        super().__init__(entry, coordinator, line, f"forwarding_{index}")
        self._index = index
        forwarding = (line.forwardings or [])[index]
        self._attr_translation_placeholders = {"destination": forwarding.alias or forwarding.destination}

    @property
    def available(self) -> bool:
        """Unavailable once the forwarding is gone."""
        line = self._line
        return super().available and line is not None and self._index < len(line.forwardings or ())

    @property
    def is_on(self) -> bool | None:
        """Whether the forwarding is active."""
        line = self._line
        return line.forwardings[self._index].active if line and line.forwardings else None

    @property
    def extra_state_attributes(self) -> dict[str, Any]:
        """Where it forwards and after how many seconds."""
        line = self._line
        if not line or not line.forwardings or self._index >= len(line.forwardings):
            return {}
        forwarding = line.forwardings[self._index]
        return {"destination": forwarding.destination, "timeout": forwarding.timeout}

    async def async_turn_on(self, **kwargs: Any) -> None:
        """Activate the forwarding."""
        await self._set(True)

    async def async_turn_off(self, **kwargs: Any) -> None:
        """Deactivate the forwarding."""
        await self._set(False)

    async def _set(self, active: bool) -> None:
        line = self._line
        if line is None or not line.forwardings:
            return
        forwardings = [
            replace(forwarding, active=active) if index == self._index else forwarding
            for index, forwarding in enumerate(line.forwardings)
        ]
        with mapped_errors(self.hass, self._entry):
            await self.coordinator.client.phonelines.set_forwardings(line.user_id, line.line.id, forwardings)
        self.coordinator.set_line(replace(line, forwardings=forwardings))
