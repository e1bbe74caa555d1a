"""Switches (README "Entities"): do-not-disturb per device, blocking anonymous calls and each forwarding per phone line.

Each switch writes through sipgate's API and shows the new state at once.
"""

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from functools import partial
import re
from typing import Any

from homeassistant.components.switch import SwitchEntity, SwitchEntityDescription
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
    coordinator = entry.runtime_data.coordinators.account

    def dnd() -> dict[str, Callable[[], SwitchEntity]] | None:
        data = coordinator.data
        if data.devices is None:
            return None
        return {
            f"device_{device.id}_dnd": partial(SipgateDeviceSwitch, entry, coordinator, DND, device)
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
                    SipgateLineSwitch, entry, coordinator, BLOCK_ANONYMOUS, line
                )
            for forwarding in line.forwardings or ():
                wanted[forwarding_key(line.line.id, forwarding.destination)] = partial(
                    SipgateLineSwitch, entry, coordinator, FORWARDING, line, forwarding
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
        gone=lambda key: coordinator.data.device_gone(key[1]),
    )
    async_follow_resources(
        hass,
        entry,
        coordinator,
        async_add_entities,
        domain="switch",
        family=LINE_KEY,
        wanted=lines,
        gone=lambda key: coordinator.data.setting_gone(
            key[1], "blockanonymous" if key[2] == "block_anonymous" else "forwardings"
        ),
    )


DND_KEY = re.compile(r"device_([a-z][0-9]+)_dnd")
# Block anonymous and forwardings (also the position-keyed forwardings of earlier versions).
LINE_KEY = re.compile(r"line_([a-z][0-9]+)_(block_anonymous|forwarding_.+)")


def forwarding_key(line_id: str, destination: str) -> str:
    """A forwarding is known by its destination within its line, not by its position."""
    return f"line_{line_id}_forwarding_{destination}"


@dataclass(frozen=True, kw_only=True)
class SipgateDeviceSwitchDescription(SwitchEntityDescription):
    """A setting of a sipgate device: how to read it, write it, and show what was written."""

    is_on_fn: Callable[[Device], bool]
    set_fn: Callable[[AccountCoordinator, str, bool], Awaitable[None]]
    updated_fn: Callable[[Device, bool], Device]


DND = SipgateDeviceSwitchDescription(
    key="dnd",
    translation_key="dnd",
    is_on_fn=lambda device: device.dnd,
    set_fn=lambda coordinator, device_id, enabled: coordinator.client.devices.set_dnd(device_id, enabled),
    updated_fn=lambda device, enabled: replace(device, dnd=enabled),
)


class SipgateDeviceSwitch(SipgateCoordinatorEntity[AccountCoordinator], SwitchEntity):
    """A switch of a sipgate device (do not disturb)."""

    entity_description: SipgateDeviceSwitchDescription

    def __init__(
        self,
        entry: SipgateConfigEntry,
        coordinator: AccountCoordinator,
        description: SipgateDeviceSwitchDescription,
        device: Device,
    ) -> None:
        """Create the switch ``description`` of ``device``."""
        super().__init__(
            entry, coordinator, f"device_{device.id}_{description.key}", sipgate_device_info(entry, device)
        )
        self.entity_description = description
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
        """Whether the setting is on."""
        return self.entity_description.is_on_fn(self._device) if self._device else None

    async def async_turn_on(self, **kwargs: Any) -> None:
        """Turn the setting on."""
        await self._set(True)

    async def async_turn_off(self, **kwargs: Any) -> None:
        """Turn the setting off."""
        await self._set(False)

    async def _set(self, enabled: bool) -> None:
        with mapped_errors(self.hass, self._entry):
            await self.entity_description.set_fn(self.coordinator, self._device_id, enabled)
        if (device := self._device) is not None:
            self.coordinator.set_device(self.entity_description.updated_fn(device, enabled))


@dataclass(frozen=True, kw_only=True)
class SipgateLineSwitchDescription(SwitchEntityDescription):
    """A setting of a phone line.

    ``destination`` tells a line's forwardings apart; it is ``None`` for the
    line's other settings. ``resource`` is what the token must be able to read
    (``<line>/<resource>``) for the switch to be available.
    """

    resource: str
    exists_fn: Callable[[LineData, str | None], bool]
    is_on_fn: Callable[[LineData, str | None], bool | None]
    set_fn: Callable[[AccountCoordinator, LineData, str | None, bool], Awaitable[None]]
    attributes_fn: Callable[[LineData, str | None], dict[str, Any]] | None = None


def _forwarding(line: LineData, destination: str | None) -> Forwarding | None:
    return next((item for item in (line.forwardings or ()) if item.destination == destination), None)


def _forwarding_attributes(line: LineData, destination: str | None) -> dict[str, Any]:
    """Where it forwards and after how many seconds."""
    forwarding = _forwarding(line, destination)
    if forwarding is None:
        return {}
    return {"destination": forwarding.destination, "timeout": forwarding.timeout}


async def _set_block_anonymous(
    coordinator: AccountCoordinator, line: LineData, destination: str | None, enabled: bool
) -> None:
    if line.block_anonymous is None:
        return
    target = line.block_anonymous.target
    with mapped_errors(coordinator.hass, coordinator.config_entry):
        await coordinator.client.phonelines.set_block_anonymous(line.user_id, line.line.id, enabled, target)
    coordinator.set_line(replace(line, block_anonymous=BlockAnonymous(enabled, target)))


async def _set_forwarding(
    coordinator: AccountCoordinator, line: LineData, destination: str | None, active: bool
) -> None:
    """Write the line's forwardings as sipgate has them now, with only this one changed."""
    phonelines = coordinator.client.phonelines
    with mapped_errors(coordinator.hass, coordinator.config_entry):
        current = await phonelines.get_forwardings(line.user_id, line.line.id)
    if not any(forwarding.destination == destination for forwarding in current):
        coordinator.set_line(replace(line, forwardings=current))
        raise HomeAssistantError(
            translation_domain=DOMAIN,
            translation_key="forwarding_gone",
            translation_placeholders={
                "destination": str(destination),
                "line": line.line.alias or line.line.id,
            },
        )
    forwardings = [
        replace(forwarding, active=active) if forwarding.destination == destination else forwarding
        for forwarding in current
    ]
    with mapped_errors(coordinator.hass, coordinator.config_entry):
        await phonelines.set_forwardings(line.user_id, line.line.id, forwardings)
    coordinator.set_line(replace(line, forwardings=forwardings))


BLOCK_ANONYMOUS = SipgateLineSwitchDescription(
    key="block_anonymous",
    translation_key="block_anonymous",
    entity_category=EntityCategory.CONFIG,
    resource="blockanonymous",
    exists_fn=lambda line, _: line.block_anonymous is not None,
    is_on_fn=lambda line, _: line.block_anonymous.enabled if line.block_anonymous else None,
    set_fn=_set_block_anonymous,
)
FORWARDING = SipgateLineSwitchDescription(
    key="forwarding",
    translation_key="forwarding",
    entity_category=EntityCategory.CONFIG,
    resource="forwardings",
    exists_fn=lambda line, destination: _forwarding(line, destination) is not None,
    is_on_fn=lambda line, destination: (
        forwarding.active if (forwarding := _forwarding(line, destination)) else None
    ),
    set_fn=_set_forwarding,
    attributes_fn=_forwarding_attributes,
)


class SipgateLineSwitch(SipgateCoordinatorEntity[AccountCoordinator], SwitchEntity):
    """A setting of a phone line: blocking anonymous calls, or one forwarding known by its destination."""

    entity_description: SipgateLineSwitchDescription

    def __init__(
        self,
        entry: SipgateConfigEntry,
        coordinator: AccountCoordinator,
        description: SipgateLineSwitchDescription,
        line: LineData,
        forwarding: Forwarding | None = None,
    ) -> None:
        """Create the switch ``description`` of ``line`` (of its ``forwarding``, if one is given)."""
        key = description.key if forwarding is None else f"{description.key}_{forwarding.destination}"
        super().__init__(
            entry, coordinator, f"line_{line.line.id}_{key}", phoneline_device_info(entry, line.line)
        )
        self.entity_description = description
        self._line_id = line.line.id
        self._destination = forwarding.destination if forwarding else None
        if forwarding is not None:
            self._attr_translation_placeholders = {"destination": forwarding.alias or forwarding.destination}

    @property
    def _line(self) -> LineData | None:
        return (self.coordinator.data.lines or {}).get(self._line_id)

    @property
    def available(self) -> bool:
        """Unavailable while the line's setting cannot be read or is gone."""
        line = self._line
        return (
            super().available
            and line is not None
            and self.coordinator.data.readable(f"{line.line.id}/{self.entity_description.resource}")
            and self.entity_description.exists_fn(line, self._destination)
        )

    @property
    def is_on(self) -> bool | None:
        """Whether the setting is on."""
        line = self._line
        return self.entity_description.is_on_fn(line, self._destination) if line else None

    @property
    def extra_state_attributes(self) -> dict[str, Any] | None:
        """The setting's details (a forwarding's destination and timeout)."""
        attributes_fn = self.entity_description.attributes_fn
        if attributes_fn is None:
            return None
        line = self._line
        return attributes_fn(line, self._destination) if line else {}

    async def async_turn_on(self, **kwargs: Any) -> None:
        """Turn the setting on."""
        await self._set(True)

    async def async_turn_off(self, **kwargs: Any) -> None:
        """Turn the setting off."""
        await self._set(False)

    async def _set(self, enabled: bool) -> None:
        if (line := self._line) is not None:
            await self.entity_description.set_fn(self.coordinator, line, self._destination, enabled)
