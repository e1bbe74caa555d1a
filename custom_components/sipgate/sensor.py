"""Sensors of the account (README "Entities"): call state, balance, unread counters, numbers."""

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

from .api import ActiveCall, PhoneNumber
from .calls import CallRegistry, CallState
from .coordinator import (
    AccountCoordinator,
    AccountData,
    HistoryCoordinator,
    HistoryData,
    LiveCallsCoordinator,
)
from .entity import (
    SipgateCallFollowingEntity,
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


@dataclass(frozen=True, kw_only=True)
class SipgateCallSensorDescription(SensorEntityDescription):
    """A sensor of the calls the webhook reports, read from the call registry."""

    value_fn: Callable[[CallRegistry], str]
    attributes_fn: Callable[[CallRegistry], dict[str, Any]]


def _latest_call_attributes(calls: CallRegistry) -> dict[str, Any]:
    """Who is calling whom, and how many calls are going on."""
    latest = calls.latest
    return {
        "call_id": latest.call_id if latest else None,
        "direction": latest.direction if latest else None,
        "from_number": latest.from_number if latest else None,
        "to_number": latest.to_number if latest else None,
        "from_name": latest.from_name if latest else None,
        "to_name": latest.to_name if latest else None,
        "active_calls": calls.active_count,
    }


CALL_STATE = SipgateCallSensorDescription(
    key="call_state",
    translation_key="call_state",
    device_class=SensorDeviceClass.ENUM,
    options=CALL_STATES,
    value_fn=lambda calls: calls.state.value,
    attributes_fn=_latest_call_attributes,
)


@dataclass(frozen=True, kw_only=True)
class SipgateLiveCallsSensorDescription(SensorEntityDescription):
    """A sensor of sipgate's call list (``None`` while unread), the call registry standing in."""

    value_fn: Callable[[list[ActiveCall] | None, CallRegistry], int]


def _active_calls(live: list[ActiveCall] | None, calls: CallRegistry) -> int:
    """From sipgate's call list while calls go on, else from the webhook."""
    if live is not None:
        return len(live)
    return sum(1 for call in calls.calls if call.state is CallState.TALKING)


ACTIVE_CALLS = SipgateLiveCallsSensorDescription(
    key="active_calls",
    translation_key="active_calls",
    state_class=SensorStateClass.MEASUREMENT,
    value_fn=_active_calls,
)


@dataclass(frozen=True, kw_only=True)
class SipgateAccountSensorDescription(SensorEntityDescription):
    """A value of the account, with its unit from the account."""

    value_fn: Callable[[AccountData], Decimal | None]
    unit_fn: Callable[[AccountData], str | None]


BALANCE = SipgateAccountSensorDescription(
    key="balance",
    translation_key="balance",
    device_class=SensorDeviceClass.MONETARY,
    suggested_display_precision=2,
    value_fn=lambda data: data.balance.amount if data.balance else None,
    unit_fn=lambda data: data.balance.currency if data.balance else None,
)


@dataclass(frozen=True, kw_only=True)
class SipgateNumberSensorDescription(SensorEntityDescription):
    """A sensor per number of the account."""

    value_fn: Callable[[PhoneNumber], str | None]
    attributes_fn: Callable[[PhoneNumber], dict[str, Any]]


NUMBER = SipgateNumberSensorDescription(
    key="number",
    translation_key="number",
    entity_category=EntityCategory.DIAGNOSTIC,
    # Where a number rings rarely matters day to day: enable it when you need it.
    entity_registry_enabled_default=False,
    # Where the number rings: the phone line's, group's or device's name.
    value_fn=lambda number: number.endpoint_alias or number.endpoint_id,
    # The number itself, its form for display, its type (translated: landline, mobile …) and endpoint.
    attributes_fn=lambda number: {
        "number": number.number,
        "localized": number.localized,
        "type": number.type.lower() if number.type else None,
        "endpoint_id": number.endpoint_id,
    },
)


async def async_setup_entry(
    hass: HomeAssistant, entry: SipgateConfigEntry, async_add_entities: AddConfigEntryEntitiesCallback
) -> None:
    """Add the account's sensors, leaving out what the token may not read."""
    runtime = entry.runtime_data
    async_add_entities(
        [
            SipgateCallSensor(entry, CALL_STATE),
            SipgateLiveCallsSensor(entry, runtime.coordinators.live_calls, ACTIVE_CALLS),
            SipgateLastCallerSensor(entry, runtime.coordinators.history),
        ]
    )
    account = runtime.coordinators.account
    history = runtime.coordinators.history
    # While sipgate fails at start the balance and the history's sensors show as unavailable.
    async_add_when_ready(
        entry,
        account,
        partial(_balance_sensor, entry),
        async_add_entities,
        while_failing=lambda: [SipgateAccountSensor(entry, account, BALANCE)],
    )
    async_add_when_ready(
        entry,
        history,
        partial(_history_sensors, entry),
        async_add_entities,
        while_failing=lambda: [
            SipgateHistorySensor(entry, history, description) for description in HISTORY_SENSORS
        ],
    )

    def numbers() -> dict[str, Callable[[], SensorEntity]] | None:
        if account.data.numbers is None:
            return None
        return {
            f"number_{number.id}": partial(SipgateNumberSensor, entry, account, NUMBER, number)
            for number in account.data.numbers
        }

    async_follow_resources(
        hass, entry, account, async_add_entities, domain="sensor", family=NUMBER_KEY, wanted=numbers
    )


NUMBER_KEY = re.compile(r"number_.+")


def _balance_sensor(entry: SipgateConfigEntry, account: AccountCoordinator) -> list[SensorEntity]:
    return [SipgateAccountSensor(entry, account, BALANCE)] if account.data.balance is not None else []


def _history_sensors(entry: SipgateConfigEntry, history: HistoryCoordinator) -> list[SensorEntity]:
    if history.data is None:  # the token may not read the history
        return []
    return [SipgateHistorySensor(entry, history, description) for description in HISTORY_SENSORS]


class SipgateCallSensor(SipgateCallFollowingEntity, SensorEntity):
    """Idle, ringing, dialing or talking: the latest call of the account."""

    entity_description: SipgateCallSensorDescription
    # Unique per call: kept out of the recorder (the call events carry them), so that a busy
    # account does not write a new attribute row for every call.
    _unrecorded_attributes = frozenset(
        {"call_id", "direction", "from_number", "to_number", "from_name", "to_name"}
    )

    def __init__(self, entry: SipgateConfigEntry, description: SipgateCallSensorDescription) -> None:
        """Create the sensor ``description``."""
        super().__init__(entry, description.key)
        self.entity_description = description

    @property
    def native_value(self) -> str:
        """The latest call's state."""
        return self.entity_description.value_fn(self._entry.runtime_data.calls)

    @property
    def extra_state_attributes(self) -> dict[str, Any]:
        """Who is calling whom, and how many calls are going on."""
        return self.entity_description.attributes_fn(self._entry.runtime_data.calls)


class SipgateLiveCallsSensor(SipgateCoordinatorEntity[LiveCallsCoordinator], SensorEntity):
    """Established calls: from sipgate's call list while calls go on, else from the webhook."""

    entity_description: SipgateLiveCallsSensorDescription

    def __init__(
        self,
        entry: SipgateConfigEntry,
        coordinator: LiveCallsCoordinator,
        description: SipgateLiveCallsSensorDescription,
    ) -> None:
        """Create the sensor ``description``."""
        super().__init__(entry, coordinator, description.key, account_device_info(entry))
        self.entity_description = description

    @property
    def available(self) -> bool:
        """Always: with sipgate's call list unreadable, the webhook's count stands in."""
        return True

    @property
    def native_value(self) -> int:
        """The number of established calls."""
        live = self.coordinator.data if self.coordinator.last_update_success else None
        return self.entity_description.value_fn(live, self._entry.runtime_data.calls)


class SipgateAccountSensor(SipgateCoordinatorEntity[AccountCoordinator], SensorEntity):
    """A value of the account: the credit, in the account's currency."""

    entity_description: SipgateAccountSensorDescription

    def __init__(
        self,
        entry: SipgateConfigEntry,
        coordinator: AccountCoordinator,
        description: SipgateAccountSensorDescription,
    ) -> None:
        """Create the sensor ``description``."""
        super().__init__(entry, coordinator, description.key, account_device_info(entry))
        self.entity_description = description

    @property
    def available(self) -> bool:
        """Unavailable until sipgate has answered once (a start-up outage)."""
        return super().available and self.coordinator.data is not None

    @property
    def native_value(self) -> Decimal | None:
        """The value."""
        data = self.coordinator.data
        return self.entity_description.value_fn(data) if data is not None else None

    @property
    def native_unit_of_measurement(self) -> str | None:
        """The unit sipgate reports (the currency)."""
        data = self.coordinator.data
        return self.entity_description.unit_fn(data) if data is not None else None


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
    def available(self) -> bool:
        """Unavailable until sipgate has answered once (a start-up outage)."""
        return super().available and self.coordinator.data is not None

    @property
    def native_value(self) -> int | datetime | None:
        """The counter or timestamp."""
        return self.entity_description.value_fn(self.coordinator.data) if self.coordinator.data else None


class SipgateNumberSensor(SipgateCoordinatorEntity[AccountCoordinator], SensorEntity):
    """One of the account's numbers: where it rings."""

    entity_description: SipgateNumberSensorDescription

    def __init__(
        self,
        entry: SipgateConfigEntry,
        coordinator: AccountCoordinator,
        description: SipgateNumberSensorDescription,
        number: PhoneNumber,
    ) -> None:
        """Create the sensor ``description`` of ``number``."""
        super().__init__(entry, coordinator, f"{description.key}_{number.id}", account_device_info(entry))
        self.entity_description = description
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
        return self.entity_description.value_fn(number) if number else None

    @property
    def extra_state_attributes(self) -> dict[str, Any]:
        """The number itself, its form for display, its type and endpoint."""
        number = self._number
        return self.entity_description.attributes_fn(number) if number else {}
