"""Polling sipgate, grouped by how fast the data changes (spec §8).

* :class:`AccountCoordinator` — balance, numbers, users' devices and phone lines
  (with forwardings and anonymous-call blocking), voicemails: every
  ``account_scan_interval`` (default hourly).
* :class:`HistoryCoordinator` — unread missed calls, voicemails, SMS and faxes and
  the last call: every ``history_scan_interval`` (default 5 min) and, debounced,
  right after calls end.
* :class:`LiveCallsCoordinator` — established calls: polled only while a call is
  going on (the webhook tells when), never while the account is idle.

A feature whose scope the token lacks (403) is dropped after the first try:
its entities are not created, a repair issue names the scope, and it is not
requested again until the entry reloads. Only ``userinfo`` failing fails setup.
"""

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any

from homeassistant.core import HomeAssistant, callback
from homeassistant.exceptions import ConfigEntryAuthFailed
from homeassistant.helpers import issue_registry as ir
from homeassistant.helpers.debounce import Debouncer
from homeassistant.helpers.update_coordinator import DataUpdateCoordinator, UpdateFailed

from .api import (
    ActiveCall,
    Balance,
    BlockAnonymous,
    Device,
    Forwarding,
    HistoryEntry,
    HistoryFilter,
    Phoneline,
    PhoneNumber,
    SipgateAuthenticationError,
    SipgateClient,
    SipgateError,
    SipgateForbiddenError,
    SipgateRateLimitError,
    Voicemail,
)
from .const import DOMAIN, LOGGER
from .data import SipgateConfigEntry

# The newest history entries read for the unread counters.
HISTORY_WINDOW = 100
# Hangups within this many seconds lead to one history refresh.
HISTORY_REFRESH_COOLDOWN = 5.0
LIVE_CALLS_INTERVAL = timedelta(seconds=15)
# Seconds between tries while a coordinator has never read successfully (then its interval).
FIRST_READ_RETRIES = (60.0, 120.0, 300.0, 600.0, 1800.0)
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(slots=True)
class LineData:
    """A phone line with its forwardings and anonymous-call blocking (``None``: not readable)."""

    user_id: str
    line: Phoneline
    forwardings: list[Forwarding] | None = None
    block_anonymous: BlockAnonymous | None = None


@dataclass(slots=True)
class AccountData:
    """What the account coordinator read; ``None`` marks a feature the token may not read."""

    balance: Balance | None = None
    numbers: list[PhoneNumber] | None = None
    devices: dict[str, Device] | None = None
    device_owner: dict[str, str] = field(default_factory=dict)
    lines: dict[str, LineData] | None = None
    voicemails: list[Voicemail] | None = None


@dataclass(frozen=True, slots=True)
class HistoryData:
    """Unread counters and the last call, from the newest history entries."""

    unread_missed_calls: int = 0
    unread_voicemails: int = 0
    unread_sms: int = 0
    unread_faxes: int = 0
    last_call: HistoryEntry | None = None
    # The entries read, newest first (new voicemails, SMS and faxes are found in them).
    entries: tuple[HistoryEntry, ...] = ()


def _missing_scope_issue(hass: HomeAssistant, entry: SipgateConfigEntry, scope: str, feature: str) -> None:
    ir.async_create_issue(
        hass,
        DOMAIN,
        f"missing_scope_{entry.entry_id}_{scope}",
        is_fixable=False,
        severity=ir.IssueSeverity.WARNING,
        translation_key="missing_scope",
        translation_placeholders={"account": entry.title, "scope": scope, "feature": feature},
    )


class SipgateCoordinator[T](DataUpdateCoordinator[T]):
    """Maps client errors the same way for every coordinator."""

    config_entry: SipgateConfigEntry

    def __init__(
        self,
        hass: HomeAssistant,
        entry: SipgateConfigEntry,
        client: SipgateClient,
        *,
        name: str,
        update_interval: timedelta | None,
        request_refresh_debouncer: Debouncer[Any] | None = None,
    ) -> None:
        """Poll ``client`` for ``entry``."""
        super().__init__(
            hass,
            LOGGER,
            config_entry=entry,
            name=f"sipgate {name}",
            update_interval=update_interval,
            request_refresh_debouncer=request_refresh_debouncer,
        )
        self.client = client
        self.missing_scopes: set[str] = set()
        self._failed_reads = 0

    async def _guarded[R](self, scope: str, feature: str, fetch: Callable[[], Awaitable[R]]) -> R | None:
        """Fetch a feature; a 403 drops it for good (``None``), other errors fail the update."""
        if scope in self.missing_scopes:
            return None
        try:
            return await fetch()
        except SipgateForbiddenError as err:
            missing = err.scope or scope
            self.missing_scopes.add(missing)
            self.config_entry.runtime_data.missing_scopes.add(missing)
            LOGGER.warning("The sipgate token has no %s scope: %s is left out", missing, feature)
            _missing_scope_issue(self.hass, self.config_entry, missing, feature)
            return None

    async def _mapped(self, fetch: Awaitable[T]) -> T:
        """Await an update, turning client errors into what the coordinator expects.

        Until a first read has succeeded (sipgate was down at start-up), a
        failed read is tried again sooner than the interval, backing off.
        """
        try:
            data = await fetch
        except SipgateAuthenticationError as err:
            raise ConfigEntryAuthFailed(translation_domain=DOMAIN, translation_key="invalid_auth") from err
        except SipgateRateLimitError as err:
            # Retry-After only ever postpones the next poll: a shorter one (or 0) would poll
            # faster than the interval, a request storm while sipgate is rate limiting.
            interval = self.update_interval.total_seconds() if self.update_interval else 0.0
            retry_after = (
                err.retry_after if err.retry_after is not None and err.retry_after > interval else None
            )
            raise UpdateFailed(
                translation_domain=DOMAIN,
                translation_key="rate_limited",
                translation_placeholders={"seconds": str(round(err.retry_after or 0))},
                retry_after=retry_after,
            ) from err
        except SipgateError as err:
            self._failed_reads += 1
            raise UpdateFailed(
                translation_domain=DOMAIN,
                translation_key="update_failed",
                translation_placeholders={"error": str(err)},
                retry_after=self._first_read_retry(),
            ) from err
        self._failed_reads = 0
        return data

    def _first_read_retry(self) -> float | None:
        """How soon to read again while no read has succeeded yet (``None``: at the interval)."""
        if self.data is not None or self.update_interval is None:
            return None
        step = FIRST_READ_RETRIES[min(self._failed_reads, len(FIRST_READ_RETRIES)) - 1]
        return step if step < self.update_interval.total_seconds() else None


class AccountCoordinator(SipgateCoordinator[AccountData]):
    """Balance, numbers, devices, phone lines and voicemails."""

    async def _async_update_data(self) -> AccountData:
        return await self._mapped(self._fetch())

    async def _fetch(self) -> AccountData:
        client = self.client
        runtime = self.config_entry.runtime_data
        data = AccountData()
        data.balance = await self._guarded("balance:read", "the balance", client.account.get_balance)
        data.numbers = await self._guarded("numbers:read", "the numbers", self._numbers)
        users = await self._guarded(
            "users:read", "the other users' devices and lines", client.account.get_users
        )
        user_ids = [user.id for user in users] if users else [runtime.userinfo.sub]
        for user_id in user_ids:
            devices = await self._guarded(
                "devices:read", "devices", partial(client.devices.get_devices, user_id)
            )
            if devices is not None:
                data.devices = data.devices or {}
                for device in devices:
                    data.devices[device.id] = device
                    data.device_owner[device.id] = user_id
            lines = await self._guarded(
                "phonelines:read", "phone lines", partial(client.phonelines.get_phonelines, user_id)
            )
            if lines is not None:
                data.lines = data.lines or {}
                for line in lines:
                    data.lines[line.id] = await self._line(user_id, line)
        data.voicemails = await self._guarded(
            "voicemails:read", "voicemails", client.voicemails.get_voicemails
        )
        return data

    async def _numbers(self) -> list[PhoneNumber]:
        return [number async for number in self.client.numbers.iterate()]

    async def _line(self, user_id: str, line: Phoneline) -> LineData:
        phonelines = self.client.phonelines
        return LineData(
            user_id,
            line,
            forwardings=await self._guarded(
                "phonelines:forwardings:read",
                "call forwardings",
                lambda: phonelines.get_forwardings(user_id, line.id),
            ),
            block_anonymous=await self._guarded(
                "phonelines:blockanonymous:read",
                "blocking anonymous calls",
                lambda: phonelines.get_block_anonymous(user_id, line.id),
            ),
        )

    def set_device(self, device: Device) -> None:
        """Show a changed device at once (after a write)."""
        if self.data.devices is not None:
            self.data.devices[device.id] = device
            self.async_set_updated_data(self.data)

    def set_line(self, line: LineData) -> None:
        """Show a changed phone line at once (after a write)."""
        if self.data.lines is not None:
            self.data.lines[line.line.id] = line
            self.async_set_updated_data(self.data)


class HistoryCoordinator(SipgateCoordinator[HistoryData | None]):
    """Unread counters and the last call; refreshed after calls end."""

    def __init__(
        self, hass: HomeAssistant, entry: SipgateConfigEntry, client: SipgateClient, interval: timedelta
    ) -> None:
        """Poll every ``interval``; requested refreshes wait for a quiet moment."""
        super().__init__(
            hass,
            entry,
            client,
            name="history",
            update_interval=interval,
            request_refresh_debouncer=Debouncer(
                hass, LOGGER, cooldown=HISTORY_REFRESH_COOLDOWN, immediate=False
            ),
        )

    @callback
    def async_schedule_refresh_after_calls(self) -> None:
        """Read the history once calls have ended: a burst of hangups leads to one refresh."""
        self.hass.async_create_task(self.async_request_refresh())

    async def _async_update_data(self) -> HistoryData | None:
        return await self._mapped(self._fetch())

    async def _fetch(self) -> HistoryData | None:
        page = await self._guarded(
            "history:read",
            "the history counters",
            lambda: self.client.history.fetch(HistoryFilter(), limit=HISTORY_WINDOW),
        )
        if page is None:
            return None
        entries = page.items
        unread = [entry for entry in entries if not entry.read]
        calls = [entry for entry in entries if entry.type == "CALL"]
        return HistoryData(
            unread_missed_calls=sum(1 for e in unread if e.type == "CALL" and e.is_missed),
            unread_voicemails=sum(1 for e in unread if e.type == "VOICEMAIL"),
            unread_sms=sum(1 for e in unread if e.type == "SMS" and e.incoming),
            unread_faxes=sum(1 for e in unread if e.type == "FAX" and e.incoming),
            last_call=max(calls, key=lambda e: e.created or EPOCH, default=None),
            entries=tuple(entries),
        )


class LiveCallsCoordinator(SipgateCoordinator[list[ActiveCall] | None]):
    """Established calls, polled only while the webhook reports a call in progress."""

    def __init__(self, hass: HomeAssistant, entry: SipgateConfigEntry, client: SipgateClient) -> None:
        """Start idle: no polling until a call begins."""
        super().__init__(hass, entry, client, name="live calls", update_interval=None)

    async def _async_update_data(self) -> list[ActiveCall] | None:
        return await self._mapped(
            self._guarded("rtcm:read", "established calls", self.client.calls.get_established)
        )

    def calls_changed(self, active: bool) -> None:
        """Poll while calls are active; stop (and show none) once all have ended."""
        if active and "rtcm:read" not in self.missing_scopes:
            if self.update_interval is None:
                self.update_interval = LIVE_CALLS_INTERVAL
                self.hass.async_create_task(self.async_request_refresh())
        elif self.update_interval is not None:
            self.update_interval = None
            self.async_set_updated_data([] if self.data is not None else None)
