"""Switches (spec §8): do-not-disturb per device, blocking anonymous calls and each forwarding per phone line.

Each switch writes through sipgate's API and shows the new state at once.
"""

from collections.abc import Callable
from dataclasses import replace
from functools import partial
import re
from typing import Any

from homeassistant.components.switch import SwitchEntity
from homeassistant.const import EntityCategory
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .actions.helpers import mapped_errors
from .api import BlockAnonymous, Device, Forwarding
from .const import DOMAIN
from .coordinator import AccountCoordinator, LineData
from .entity import (
    SipgateCoordinatorEntity,
    async_follow_resources,
    phoneline_device_info,
    sipgate_device_info,
)
from .runtime import SipgateConfigEntry

PARALLEL_UPDATES = 1


async def async_setup_entry(
    hass: HomeAssistant, entry: SipgateConfigEntry, async_add_entities: AddConfigEntryEntitiesCallback
) -> None:
    """Add the switches the token may read and write; follow devices, lines and forwardings."""
    coordinator = entry.runtime_data.account_coordinator

    def dnd() -> dict[str, Callable[[], SwitchEntity]] | None:
        data = coordinator.data
        if data.devices is None:
            return None
        return {
            f"device_{device.id}_dnd": partial(SipgateDndSwitch, entry, coordinator, device)
            for device in data.devices.values()
        }

    def lines() -> dict[str, Callable[[], SwitchEntity]] | None:
        data = coordinator.data
        if data.lines is None:
            return None
        wanted: dict[str, Callable[[], SwitchEntity]] = {}
        for line in data.lines.values():
            if line.block_anonymous is not None:
                wanted[f"line_{line.line.id}_block_anonymous"] = partial(
                    SipgateBlockAnonymousSwitch, entry, coordinator, line
                )
            for forwarding in line.forwardings or ():
                wanted[forwarding_key(line.line.id, forwarding.destination)] = partial(
                    SipgateForwardingSwitch, entry, coordinator, line, forwarding
                )
        return wanted

    async_follow_resources(
        hass,
        entry,
        coordinator,
        async_add_entities,
        domain="switch",
        family=DND_KEY,
        wanted=dnd,
        complete=lambda: coordinator.data.complete("/devices"),
    )
    async_follow_resources(
        hass,
        entry,
        coordinator,
        async_add_entities,
        domain="switch",
        family=LINE_KEY,
        wanted=lines,
        complete=lambda: coordinator.data.complete("/phonelines", "/forwardings", "/blockanonymous"),
    )


DND_KEY = re.compile(r"device_[a-z][0-9]+_dnd")
# Block anonymous and forwardings (also the position-keyed forwardings of earlier versions).
LINE_KEY = re.compile(r"line_[a-z][0-9]+_(block_anonymous|forwarding_.+)")


def forwarding_key(line_id: str, destination: str) -> str:
    """A forwarding is known by its destination within its line, not by its position."""
    return f"line_{line_id}_forwarding_{destination}"


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
        """Unavailable while its owner's devices cannot be read."""
        owner = self.coordinator.data.device_owner.get(self._device_id)
        return (
            super().available
            and self._device is not None
            and self.coordinator.data.readable(f"{owner}/devices")
        )

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
        """Unavailable while the line's setting cannot be read."""
        line = self._line
        return (
            super().available
            and line is not None
            and line.block_anonymous is not None
            and self.coordinator.data.readable(f"{line.line.id}/blockanonymous")
        )

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
    """One call forwarding of a phone line, on or off, known by its destination."""

    _attr_translation_key = "forwarding"

    def __init__(
        self,
        entry: SipgateConfigEntry,
        coordinator: AccountCoordinator,
        line: LineData,
        forwarding: Forwarding,
    ) -> None:
        """Create the switch of the line's forwarding to ``forwarding.destination``."""
        super().__init__(entry, coordinator, line, f"forwarding_{forwarding.destination}")
        self._destination = forwarding.destination
        self._attr_translation_placeholders = {"destination": forwarding.alias or forwarding.destination}

    @property
    def _forwarding(self) -> Forwarding | None:
        line = self._line
        return (
            next((item for item in (line.forwardings or ()) if item.destination == self._destination), None)
            if line
            else None
        )

    @property
    def available(self) -> bool:
        """Unavailable while the line's forwardings cannot be read."""
        line = self._line
        return (
            super().available
            and line is not None
            and self.coordinator.data.readable(f"{line.line.id}/forwardings")
            and self._forwarding is not None
        )

    @property
    def is_on(self) -> bool | None:
        """Whether the forwarding is active."""
        forwarding = self._forwarding
        return forwarding.active if forwarding else None

    @property
    def extra_state_attributes(self) -> dict[str, Any]:
        """Where it forwards and after how many seconds."""
        forwarding = self._forwarding
        if forwarding is None:
            return {}
        return {"destination": forwarding.destination, "timeout": forwarding.timeout}

    async def async_turn_on(self, **kwargs: Any) -> None:
        """Activate the forwarding."""
        await self._set(True)

    async def async_turn_off(self, **kwargs: Any) -> None:
        """Deactivate the forwarding."""
        await self._set(False)

    async def _set(self, active: bool) -> None:
        """Write the line's forwardings as sipgate has them now, with only this one changed."""
        line = self._line
        if line is None:
            return
        phonelines = self.coordinator.client.phonelines
        with mapped_errors(self.hass, self._entry):
            current = await phonelines.get_forwardings(line.user_id, line.line.id)
        if not any(forwarding.destination == self._destination for forwarding in current):
            self.coordinator.set_line(replace(line, forwardings=current))
            raise HomeAssistantError(
                translation_domain=DOMAIN,
                translation_key="forwarding_gone",
                translation_placeholders={
                    "destination": self._destination,
                    "line": line.line.alias or line.line.id,
                },
            )
        forwardings = [
            replace(forwarding, active=active) if forwarding.destination == self._destination else forwarding
            for forwarding in current
        ]
        with mapped_errors(self.hass, self._entry):
            await phonelines.set_forwardings(line.user_id, line.line.id, forwardings)
        self.coordinator.set_line(replace(line, forwardings=forwardings))
