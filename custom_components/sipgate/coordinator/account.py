"""The account coordinator: balance, numbers, users' devices and phone lines.

:class:`AccountCoordinator` with what it reads (:class:`AccountData`, a phone
line as :class:`LineData`, why a resource was refused as :class:`Unreadable`)
and the rotation of phone lines (``SLOW_CYCLE``); it also removes phones and
lines gone at sipgate from the device registry.
"""

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from enum import StrEnum
from functools import partial
from math import ceil
from typing import Any

from homeassistant.helpers import device_registry as dr, issue_registry as ir

from ..api import Balance, BlockAnonymous, Device, Forwarding, Phoneline, PhoneNumber, SipgateForbiddenError
from ..const import DOMAIN, LOGGER
from .base import SipgateCoordinator

# Phone lines, forwardings and anonymous-call blocking change rarely: each account refresh
# reads them again for the users read longest ago, every user within this many refreshes
# (and at once for new users, or when numbers or devices point at lines that changed).
SLOW_CYCLE = 6


@dataclass(slots=True)
class LineData:
    """A phone line with its forwardings and anonymous-call blocking (``None``: not readable)."""

    user_id: str
    line: Phoneline
    forwardings: list[Forwarding] | None = None
    block_anonymous: BlockAnonymous | None = None


class Unreadable(StrEnum):
    """Why one resource (one user's devices, one line's forwardings …) could not be read."""

    FORBIDDEN = "forbidden"  # a 403 for this resource only
    NOT_BOOKED = "not_booked"  # sipgate: "Feature not booked"


@dataclass(slots=True)
class AccountData:
    """What the account coordinator read; ``None`` marks a feature the token may not read.

    ``unreadable`` names resources refused on their own (``w1/devices``,
    ``p1/forwardings``); what was known of them before is kept, shown unavailable.
    """

    balance: Balance | None = None
    numbers: list[PhoneNumber] | None = None
    devices: dict[str, Device] | None = None
    device_owner: dict[str, str] = field(default_factory=dict)
    lines: dict[str, LineData] | None = None
    unreadable: dict[str, Unreadable] = field(default_factory=dict)

    def complete(self, *kinds: str) -> bool:
        """Whether every resource of ``kinds`` (``"/devices"`` …) was read in the last refresh."""
        return not any(resource.endswith(kinds) for resource in self.unreadable)

    def readable(self, *resources: str) -> bool:
        """Whether none of ``resources`` was refused in the last refresh."""
        return not any(resource in self.unreadable for resource in resources)


def _not_booked(err: SipgateForbiddenError) -> bool:
    return "not booked" in (err.message or "").lower()


class AccountCoordinator(SipgateCoordinator[AccountData]):
    """Balance, numbers, users' devices and phone lines (with forwardings and blocking).

    Every refresh reads the balance, the numbers, the users and each user's
    devices. Phone lines with their forwardings and blocking are read for new
    users, for users whose lines the numbers or devices show changed, and for
    the ``ceil(users / SLOW_CYCLE)`` users read longest ago; the rest is kept.
    A 403 for one resource affects that resource only; a 403 for every
    resource of a feature (that is not "not booked") means the token lacks the
    scope.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        """Start with nothing known."""
        super().__init__(*args, **kwargs)
        self._refreshes = 0
        self._worked: set[str] = set()  # scopes that answered at least once
        self._user_lines: dict[str, list[Phoneline]] = {}
        self._lines_read: dict[str, int] = {}  # user id → refresh that last read its lines
        self._line_details: dict[str, LineData] = {}
        self._referenced: set[str] | None = None

    async def _async_update_data(self) -> AccountData:
        data = await self._mapped(self._fetch())
        self._remove_stale_devices(data)
        return data

    def wanted_devices(self, data: AccountData | None = None) -> set[str] | None:
        """Identifiers of the phones and lines that exist now (``None`` while some are unreadable)."""
        data = data or self.data
        if data is None or not data.complete("/devices", "/phonelines"):
            return None
        prefix = self.config_entry.runtime_data.userinfo.master_sip_id
        return {f"{prefix}_device_{device_id}" for device_id in data.devices or {}} | {
            f"{prefix}_line_{line_id}" for line_id in data.lines or {}
        }

    def _remove_stale_devices(self, data: AccountData) -> None:
        """Remove phones and lines that are gone at sipgate from the device registry."""
        wanted = self.wanted_devices(data)
        if wanted is None:
            return
        prefix = self.config_entry.runtime_data.userinfo.master_sip_id
        kinds = [
            (f"{prefix}_device_", data.devices is not None),
            (f"{prefix}_line_", data.lines is not None),
        ]
        registry = dr.async_get(self.hass)
        for device in dr.async_entries_for_config_entry(registry, self.config_entry.entry_id):
            ours = [ident for domain, ident in device.identifiers if domain == DOMAIN]
            stale = ours and all(
                ident not in wanted and any(ident.startswith(kind) and known for kind, known in kinds)
                for ident in ours
            )
            if stale:
                registry.async_update_device(device.id, remove_config_entry_id=self.config_entry.entry_id)

    async def _fetch(self) -> AccountData:
        client = self.client
        self._refreshes += 1
        previous = self.data
        data = AccountData()
        data.balance = await self._guarded("balance:read", "the balance", client.account.get_balance)
        data.numbers = await self._guarded("numbers:read", "the numbers", self._numbers)
        users = await self._guarded(
            "users:read", "the other users' devices and lines", client.account.get_users
        )
        user_ids = [user.id for user in users] if users else [self.config_entry.runtime_data.userinfo.sub]
        await self._devices(data, previous, user_ids)
        await self._lines(data, user_ids)
        return data

    async def _numbers(self) -> list[PhoneNumber]:
        return [number async for number in self.client.numbers.iterate()]

    async def _each[K, R](
        self,
        data: AccountData,
        scope: str,
        feature: str,
        fetches: dict[K, Callable[[], Awaitable[R]]],
        resource: Callable[[K], str],
        *,
        covers_all: bool = True,
    ) -> dict[K, R | None] | None:
        """Read one feature of several resources; ``None`` when the token lacks its scope.

        A refused resource is ``None`` in the result and named in ``data.unreadable``.
        """
        if scope in self.missing_scopes:
            return None
        results: dict[K, R | None] = {}
        denied: dict[K, SipgateForbiddenError] = {}
        for key, fetch in fetches.items():
            try:
                results[key] = await fetch()
            except SipgateForbiddenError as err:
                results[key] = None
                denied[key] = err
        not_booked = [key for key, refusal in denied.items() if _not_booked(refusal)]
        if len(results) > len(denied):
            self._worked.add(scope)
        elif denied and not not_booked and (covers_all or scope not in self._worked):
            # Refused for every resource (or every one asked, and it never worked): no scope.
            self._drop_scope(next(iter(denied.values())).scope or scope, feature)
            return None
        for key, refusal in denied.items():
            data.unreadable[resource(key)] = (
                Unreadable.NOT_BOOKED if key in not_booked else Unreadable.FORBIDDEN
            )
            LOGGER.info("sipgate refused %s of %s: %s", feature, resource(key), refusal.message)
        issue_id = f"not_booked_{self.config_entry.entry_id}_{scope}"
        if not_booked:
            ir.async_create_issue(
                self.hass,
                DOMAIN,
                issue_id,
                is_fixable=False,
                severity=ir.IssueSeverity.WARNING,
                translation_key="feature_not_booked",
                translation_placeholders={
                    "account": self.config_entry.title,
                    "feature": feature,
                    "resources": ", ".join(sorted(resource(key).split("/")[0] for key in not_booked)),
                },
            )
        elif fetches:
            ir.async_delete_issue(self.hass, DOMAIN, issue_id)
        return results

    async def _devices(self, data: AccountData, previous: AccountData | None, user_ids: list[str]) -> None:
        devices = await self._each(
            data,
            "devices:read",
            "devices",
            {user_id: partial(self.client.devices.get_devices, user_id) for user_id in user_ids},
            lambda user_id: f"{user_id}/devices",
        )
        if devices is None:
            return
        data.devices = {}
        for user_id in user_ids:
            listed = devices.get(user_id)
            if listed is None and previous is not None and previous.devices is not None:
                # Refused this time: keep what was known, shown unavailable.
                listed = [d for d in previous.devices.values() if previous.device_owner.get(d.id) == user_id]
            for device in listed or ():
                data.devices[device.id] = device
                data.device_owner[device.id] = user_id

    def _due(self, data: AccountData, user_ids: list[str]) -> list[str]:
        """The users whose phone lines are read in this refresh."""
        due = {user_id for user_id in user_ids if user_id not in self._lines_read}
        referenced = {
            number.endpoint_id
            for number in data.numbers or ()
            if number.endpoint_id and number.endpoint_id.startswith("p")
        } | {line for device in (data.devices or {}).values() for line in device.active_phonelines}
        if self._referenced is not None and (changed := referenced ^ self._referenced):
            owners = {
                details.user_id for line_id, details in self._line_details.items() if line_id in changed
            }
            owners |= {
                data.device_owner[device.id]
                for device in (data.devices or {}).values()
                if changed & set(device.active_phonelines)
            }
            due |= owners or set(user_ids)
        self._referenced = referenced
        longest_ago = sorted(user_ids, key=lambda user_id: self._lines_read.get(user_id, -1))
        due |= set(longest_ago[: ceil(len(user_ids) / SLOW_CYCLE)])
        return [user_id for user_id in user_ids if user_id in due]

    async def _lines(self, data: AccountData, user_ids: list[str]) -> None:
        phonelines = self.client.phonelines
        due = self._due(data, user_ids)
        everyone = len(due) == len(user_ids)
        read = await self._each(
            data,
            "phonelines:read",
            "phone lines",
            {user_id: partial(phonelines.get_phonelines, user_id) for user_id in due},
            lambda user_id: f"{user_id}/phonelines",
            covers_all=everyone,
        )
        if read is None:
            return
        for user_id, lines in read.items():
            if lines is not None:
                self._user_lines[user_id] = lines
                self._lines_read[user_id] = self._refreshes
        for user_id in set(self._user_lines) - set(user_ids):
            del self._user_lines[user_id]
            self._lines_read.pop(user_id, None)
        # The lines just listed get their forwardings and blocking read; the others keep theirs.
        fresh = {line.id: user_id for user_id, lines in read.items() for line in lines or ()}

        async def per_line[R](
            scope: str, feature: str, read_one: Callable[[str, str], Awaitable[R]], resource: str
        ) -> dict[str, R | None] | None:
            """One feature of each fresh line (``read_one(user_id, line_id)``)."""
            return await self._each(
                data,
                scope,
                feature,
                {line_id: partial(read_one, user_id, line_id) for line_id, user_id in fresh.items()},
                lambda line_id: f"{line_id}/{resource}",
                covers_all=everyone,
            )

        forwardings = await per_line(
            "phonelines:forwardings:read", "call forwardings", phonelines.get_forwardings, "forwardings"
        )
        blocking = await per_line(
            "phonelines:blockanonymous:read",
            "blocking anonymous calls",
            phonelines.get_block_anonymous,
            "blockanonymous",
        )
        data.lines = {}
        for user_id in user_ids:
            for line in self._user_lines.get(user_id, ()):
                known = self._line_details.get(line.id)
                details = LineData(
                    user_id,
                    line,
                    forwardings=known.forwardings if known else None,
                    block_anonymous=known.block_anonymous if known else None,
                )
                if forwardings is None:
                    details.forwardings = None
                elif (listed := forwardings.get(line.id)) is not None:
                    details.forwardings = listed
                if blocking is None:
                    details.block_anonymous = None
                elif (state := blocking.get(line.id)) is not None:
                    details.block_anonymous = state
                data.lines[line.id] = details
        self._line_details = dict(data.lines)

    def set_device(self, device: Device) -> None:
        """Show a changed device at once (after a write)."""
        if self.data.devices is not None:
            self.data.devices[device.id] = device
            self.async_set_updated_data(self.data)

    def set_line(self, line: LineData) -> None:
        """Show a changed phone line at once (after a write)."""
        if self.data.lines is not None:
            self.data.lines[line.line.id] = line
            self._line_details[line.line.id] = line
            self.async_set_updated_data(self.data)
