"""Sensors of the account (spec §8): call state, balance, unread counters, numbers."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from functools import partial
import re
from typing import Any

from homeassistant.components.sensor import (
    SensorDeviceClass,
    SensorEntity,
    SensorEntityDescription,
    SensorStateClass,
)
from homeassistant.const import EntityCategory
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .api import PhoneNumber
from .calls import CallState
from .coordinator import AccountCoordinator, HistoryCoordinator, HistoryData, LiveCallsCoordinator
from .entity import (
    SipgateAccountEntity,
    SipgateCoordinatorEntity,
    account_device_info,
    async_add_when_ready,
    async_follow_resources,
)
from .last_caller import SipgateLastCallerSensor
from .runtime import SipgateConfigEntry

PARALLEL_UPDATES = 0
CALL_STATES = [state.value for state in CallState]


@dataclass(frozen=True, kw_only=True)
class HistorySensorDescription(SensorEntityDescription):
    """A counter or timestamp read from the history."""

    value_fn: Callable[[HistoryData], int | datetime | None]


HISTORY_SENSORS = (
    HistorySensorDescription(
        key="missed_calls",
        translation_key="missed_calls",
        state_class=SensorStateClass.MEASUREMENT,
        value_fn=lambda data: data.unread_missed_calls,
    ),
    HistorySensorDescription(
        key="unread_voicemails",
        translation_key="unread_voicemails",
        state_class=SensorStateClass.MEASUREMENT,
        value_fn=lambda data: data.unread_voicemails,
    ),
    HistorySensorDescription(
        key="unread_sms",
        translation_key="unread_sms",
        state_class=SensorStateClass.MEASUREMENT,
        value_fn=lambda data: data.unread_sms,
    ),
    HistorySensorDescription(
        key="unread_faxes",
        translation_key="unread_faxes",
        state_class=SensorStateClass.MEASUREMENT,
        value_fn=lambda data: data.unread_faxes,
    ),
    HistorySensorDescription(
        key="last_call",
        translation_key="last_call",
        device_class=SensorDeviceClass.TIMESTAMP,
        value_fn=lambda data: data.last_call.created if data.last_call else None,
    ),
)


async def async_setup_entry(
    hass: HomeAssistant, entry: SipgateConfigEntry, async_add_entities: AddConfigEntryEntitiesCallback
) -> None:
    """Add the account's sensors, leaving out what the token may not read."""
    runtime = entry.runtime_data
    async_add_entities(
        [
            SipgateCallStateSensor(entry),
            SipgateActiveCallsSensor(entry, runtime.live_calls),
            SipgateLastCallerSensor(entry, runtime.history_coordinator),
        ]
    )
    account = runtime.account_coordinator
    async_add_when_ready(entry, account, partial(_balance_sensor, entry), async_add_entities)
    async_add_when_ready(
        entry, runtime.history_coordinator, partial(_history_sensors, entry), async_add_entities
    )

    def numbers() -> dict[str, Callable[[], SensorEntity]] | None:
        if account.data.numbers is None:
            return None
        return {
            f"number_{number.id}": partial(SipgateNumberSensor, entry, account, number)
            for number in account.data.numbers
        }

    async_follow_resources(
        hass, entry, account, async_add_entities, domain="sensor", family=NUMBER_KEY, wanted=numbers
    )


NUMBER_KEY = re.compile(r"number_.+")


def _balance_sensor(entry: SipgateConfigEntry, account: AccountCoordinator) -> list[SensorEntity]:
    return [SipgateBalanceSensor(entry, account)] if account.data.balance is not None else []


def _history_sensors(entry: SipgateConfigEntry, history: HistoryCoordinator) -> list[SensorEntity]:
    if history.data is None:  # the token may not read the history
        return []
    return [SipgateHistorySensor(entry, history, description) for description in HISTORY_SENSORS]


class SipgateCallStateSensor(SipgateAccountEntity, SensorEntity):
    """Idle, ringing, dialing or talking: the latest call of the account."""

    _attr_translation_key = "call_state"
    _attr_device_class = SensorDeviceClass.ENUM
    _attr_options = CALL_STATES
    # Unique per call: kept out of the recorder (the call events carry them), so that a busy
    # account does not write a new attribute row for every call.
    _unrecorded_attributes = frozenset(
        {"call_id", "direction", "from_number", "to_number", "from_name", "to_name"}
    )

    def __init__(self, entry: SipgateConfigEntry) -> None:
        """Create the call-state sensor."""
        super().__init__(entry, "call_state")

    @property
    def native_value(self) -> str:
        """The latest call's state."""
        return self._entry.runtime_data.calls.state.value

    @property
    def extra_state_attributes(self) -> dict[str, Any]:
        """Who is calling whom, and how many calls are going on."""
        calls = self._entry.runtime_data.calls
        latest = calls.latest
        return {
            "call_id": latest.call_id if latest else None,
            "direction": latest.direction if latest else None,
            "from_number": latest.from_number if latest else None,
            "to_number": latest.to_number if latest else None,
            "from_name": latest.from_name if latest else None,
            "to_name": latest.to_name if latest else None,
            "active_calls": len(calls.calls),
        }


class SipgateActiveCallsSensor(SipgateCoordinatorEntity[LiveCallsCoordinator], SensorEntity):
    """Established calls: from sipgate's call list while calls go on, else from the webhook."""

    _attr_translation_key = "active_calls"
    _attr_state_class = SensorStateClass.MEASUREMENT

    def __init__(self, entry: SipgateConfigEntry, coordinator: LiveCallsCoordinator) -> None:
        """Create the active-calls sensor."""
        super().__init__(entry, coordinator, "active_calls", account_device_info(entry))

    @property
    def available(self) -> bool:
        """Always: with sipgate's call list unreadable, the webhook's count stands in."""
        return True

    @property
    def native_value(self) -> int:
        """The number of established calls."""
        if self.coordinator.data is not None and self.coordinator.last_update_success:
            return len(self.coordinator.data)
        return sum(1 for call in self._entry.runtime_data.calls.calls if call.state is CallState.TALKING)


class SipgateBalanceSensor(SipgateCoordinatorEntity[AccountCoordinator], SensorEntity):
    """The account's credit, in the account's currency."""

    _attr_translation_key = "balance"
    _attr_device_class = SensorDeviceClass.MONETARY
    _attr_suggested_display_precision = 2

    def __init__(self, entry: SipgateConfigEntry, coordinator: AccountCoordinator) -> None:
        """Create the balance sensor."""
        super().__init__(entry, coordinator, "balance", account_device_info(entry))

    @property
    def native_value(self) -> Decimal | None:
        """The credit."""
        balance = self.coordinator.data.balance
        return balance.amount if balance else None

    @property
    def native_unit_of_measurement(self) -> str | None:
        """The currency sipgate reports."""
        balance = self.coordinator.data.balance
        return balance.currency if balance else None


class SipgateHistorySensor(SipgateCoordinatorEntity[HistoryCoordinator], SensorEntity):
    """An unread counter or the last call's time."""

    entity_description: HistorySensorDescription

    def __init__(
        self,
        entry: SipgateConfigEntry,
        coordinator: HistoryCoordinator,
        description: HistorySensorDescription,
    ) -> None:
        """Create the sensor described by ``description``."""
        super().__init__(entry, coordinator, description.key, account_device_info(entry))
        self.entity_description = description

    @property
    def native_value(self) -> int | datetime | None:
        """The counter or timestamp."""
        return self.entity_description.value_fn(self.coordinator.data) if self.coordinator.data else None


class SipgateNumberSensor(SipgateCoordinatorEntity[AccountCoordinator], SensorEntity):
    """One of the account's numbers: where it rings."""

    _attr_translation_key = "number"
    _attr_entity_category = EntityCategory.DIAGNOSTIC
    # Where a number rings rarely matters day to day: enable it when you need it.
    _attr_entity_registry_enabled_default = False

    def __init__(
        self, entry: SipgateConfigEntry, coordinator: AccountCoordinator, number: PhoneNumber
    ) -> None:
        """Create the sensor of ``number``."""
        super().__init__(entry, coordinator, f"number_{number.id}", account_device_info(entry))
        self._number_id = number.id
        self._attr_translation_placeholders = {"number": number.localized or number.number}

    @property
    def _number(self) -> PhoneNumber | None:
        return next((n for n in self.coordinator.data.numbers or () if n.id == self._number_id), None)

    @property
    def available(self) -> bool:
        """Unavailable once the number is gone from the account."""
        return super().available and self._number is not None

    @property
    def native_value(self) -> str | None:
        """Where the number rings: the phone line's, group's or device's name."""
        number = self._number
        return (number.endpoint_alias or number.endpoint_id) if number else None

    @property
    def extra_state_attributes(self) -> dict[str, Any]:
        """The number itself, its form for display, its type and endpoint."""
        number = self._number
        if number is None:
            return {}
        return {
            "number": number.number,
            "localized": number.localized,
            "type": number.type.lower() if number.type else None,  # translated: landline, mobile …
            "endpoint_id": number.endpoint_id,
        }
