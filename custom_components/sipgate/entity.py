"""The base of every sipgate entity: the account's service device."""

from collections.abc import Callable, Iterable, Mapping
import re
from typing import Any

from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers.device_registry import DeviceEntryType, DeviceInfo
from homeassistant.helpers.dispatcher import async_dispatcher_connect
from homeassistant.helpers.entity import Entity
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.helpers.update_coordinator import CoordinatorEntity, DataUpdateCoordinator

from .api import Device, Phoneline
from .api.push_events import PushEvent
from .const import DOMAIN
from .runtime import SipgateConfigEntry
from .webhook import signal_call_event, signal_call_events_done


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


class SipgateCallFollowingEntity(SipgateAccountEntity):
    """An account entity that follows the webhook's call events.

    :meth:`_async_handle_call_event` runs for each accepted push. By default
    it only marks the state as changed; the state is written once when the
    webhook has handed over the events of one turn of the event loop
    (``signal_call_events_done``), so a burst of calls costs one state write,
    not one per push (the ``sipgate_*`` bus events and the call event entity
    still carry every push). That is still before the automations the pushes
    started run, so their templates and conditions see the new state.
    """

    _write_pending = False

    async def async_added_to_hass(self) -> None:
        """Follow the account's webhook events."""
        await super().async_added_to_hass()
        entry_id = self._entry.entry_id
        self.async_on_remove(
            async_dispatcher_connect(self.hass, signal_call_event(entry_id), self._async_handle_call_event)
        )
        self.async_on_remove(
            async_dispatcher_connect(
                self.hass, signal_call_events_done(entry_id), self._async_write_pending_state
            )
        )

    @callback
    def _async_handle_call_event(self, event: PushEvent, data: dict[str, Any]) -> None:
        """Show what the event changed."""
        self._async_write_state_soon()

    @callback
    def _async_write_state_soon(self) -> None:
        """Write the state once the events of this turn have been handed over (once, however often asked)."""
        self._write_pending = True

    @callback
    def _async_write_pending_state(self) -> None:
        if self._write_pending:
            self._write_pending = False
            self.async_write_ha_state()


def sipgate_device_info(entry: SipgateConfigEntry, device: Device) -> DeviceInfo:
    """A device of the account: a VoIP phone, an app, a mobile, an external phone.

    Home Assistant cannot translate a device's model, so the device carries sipgate's
    own type code (``REGISTER``, ``MOBILE``, ``EXTERNAL``) as its model ID instead of
    an English model name.
    """
    return DeviceInfo(
        identifiers={(DOMAIN, f"{entry.runtime_data.userinfo.master_sip_id}_device_{device.id}")},
        manufacturer="sipgate",
        model_id=device.type or None,
        name=device.alias or device.id,
        serial_number=device.id,
    )


def phoneline_device_info(entry: SipgateConfigEntry, line: Phoneline) -> DeviceInfo:
    """A phone line (``p0`` …) of the account."""
    return DeviceInfo(
        identifiers={(DOMAIN, f"{entry.runtime_data.userinfo.master_sip_id}_line_{line.id}")},
        entry_type=DeviceEntryType.SERVICE,
        manufacturer="sipgate",
        name=line.alias or line.id,
        serial_number=line.id,
    )


class SipgateCoordinatorEntity[C: DataUpdateCoordinator[Any]](CoordinatorEntity[C]):
    """An entity fed by one of the account's coordinators."""

    _attr_has_entity_name = True

    def __init__(self, entry: SipgateConfigEntry, coordinator: C, key: str, device_info: DeviceInfo) -> None:
        """Identify the entity by the account and ``key``."""
        super().__init__(coordinator)
        self._entry = entry
        self._attr_unique_id = resource_unique_id(entry, key)
        self._attr_device_info = device_info


@callback
def async_add_when_ready[C: DataUpdateCoordinator[Any]](
    entry: SipgateConfigEntry,
    coordinator: C,
    build: Callable[[C], Iterable[Entity]],
    async_add_entities: AddConfigEntryEntitiesCallback,
    *,
    while_failing: Callable[[], Iterable[Entity]] | None = None,
) -> None:
    """Add the entities ``build`` makes from the coordinator's data, now or once it has some.

    A coordinator whose first read failed (sipgate down at start-up) has no
    data yet: the entities ``while_failing`` makes (those every account has)
    are added at once and show as unavailable; once a read succeeds, the
    entities ``build`` makes from the data replace them (any the data does
    not have are removed), without a reload, while the webhook goes on
    answering calls meanwhile.
    """
    if coordinator.data is not None:
        async_add_entities(build(coordinator))
        return

    provisional: list[Entity] = []
    if while_failing is not None and not coordinator.last_update_success:
        provisional = list(while_failing())
        async_add_entities(provisional)
    added = False

    @callback
    def drop_provisional(keep: set[str | None]) -> set[str | None]:
        registry = er.async_get(coordinator.hass)
        for entity in provisional:
            if entity.unique_id not in keep and entity.entity_id and registry.async_get(entity.entity_id):
                registry.async_remove(entity.entity_id)
        kept = {entity.unique_id for entity in provisional if entity.unique_id in keep}
        provisional.clear()
        return kept

    @callback
    def first_data() -> None:
        nonlocal added
        if added or not coordinator.last_update_success:
            return
        if coordinator.data is None:  # read, but the token may not: nothing provisional stays
            drop_provisional(set())
            return
        added = True
        remove()
        entities = list(build(coordinator))
        there = drop_provisional({entity.unique_id for entity in entities})
        async_add_entities([entity for entity in entities if entity.unique_id not in there])

    @callback
    def on_unload() -> None:
        if not added:
            remove()

    # The listener also keeps the coordinator polling until then.
    remove = coordinator.async_add_listener(first_data)
    entry.async_on_unload(on_unload)


def resource_unique_id(entry: SipgateConfigEntry, key: str) -> str:
    """The unique id of the account's entity ``key``."""
    return f"{entry.runtime_data.userinfo.master_sip_id}_{key}"


@callback
def async_follow_resources(
    hass: HomeAssistant,
    entry: SipgateConfigEntry,
    coordinator: DataUpdateCoordinator[Any],
    async_add_entities: AddConfigEntryEntitiesCallback,
    *,
    domain: str,
    family: re.Pattern[str],
    wanted: Callable[[], Mapping[str, Callable[[], Entity]] | None],
    gone: Callable[[re.Match[str]], bool] = lambda _: True,
) -> None:
    """Entities that come and go with the account's resources (devices, lines, forwardings …).

    ``wanted`` gives, after each update, a factory per entity key that should
    exist now (``None``: the feature is not readable at all). New keys get
    entities; a registered entity of ``family`` (keys matching it) no longer
    wanted is removed from the entity registry when ``gone`` (given the key's
    match) says its resource is gone at sipgate, not merely unreadable: one
    user's or line's refusal keeps that user's or line's entities only.
    """
    added: set[str] = set()
    prefix = resource_unique_id(entry, "")

    def vanished(key: str, current: Mapping[str, Any]) -> bool:
        return key not in current and (match := family.fullmatch(key)) is not None and gone(match)

    @callback
    def sync() -> None:
        # Nothing read yet (a first refresh that failed): entities follow once it works.
        if not coordinator.last_update_success or coordinator.data is None or (current := wanted()) is None:
            return
        new = [factory() for key, factory in current.items() if key not in added]
        added.update(current)
        if new:
            async_add_entities(new)
        registry = er.async_get(hass)
        for registry_entry in er.async_entries_for_config_entry(registry, entry.entry_id):
            key = registry_entry.unique_id.removeprefix(prefix)
            if (
                registry_entry.domain == domain
                and registry_entry.unique_id.startswith(prefix)
                and vanished(key, current)
            ):
                registry.async_remove(registry_entry.entity_id)
        added.difference_update({key for key in added if vanished(key, current)})

    sync()
    entry.async_on_unload(coordinator.async_add_listener(sync))
