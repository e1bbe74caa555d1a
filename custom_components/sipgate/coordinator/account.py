"""The account coordinator: balance, numbers, users' devices and phone lines.

:class:`AccountCoordinator` with what it reads (:class:`AccountData`, a phone
line as :class:`LineData`, why a resource was refused as :class:`Unreadable`)
and the rotation of phone lines (``SLOW_CYCLE``); it also removes phones and
lines gone at sipgate from the device registry.

Refusals are remembered per resource (``w1/devices``, ``p1/forwardings``) until
that resource reads again or its user or line is gone, so a resource read only
every few refreshes keeps its state (and its "not booked" repair) in between.
Something no longer listed counts as gone only when its user's (or line's)
list was read: what an unreadable user or line had stays.
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

# Each kind of per-user or per-line resource: the scope it is read with, and its name (logs, repairs).
FEATURES = {
    "devices": ("devices:read", "devices"),
    "phonelines": ("phonelines:read", "phone lines"),
    "forwardings": ("phonelines:forwardings:read", "call forwardings"),
    "blockanonymous": ("phonelines:blockanonymous:read", "blocking anonymous calls"),
}
LINE_SETTINGS = ("forwardings", "blockanonymous")


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

    ``unreadable`` names resources refused at their last read (``w1/devices``,
    ``p1/forwardings``); what was known of them before is kept, shown
    unavailable. ``unread`` names users' devices and phone lines not read once
    since setup. ``device_owner`` and ``line_owner`` hold the user of every
    device and line seen since setup, also of those gone since.
    """

    balance: Balance | None = None
    numbers: list[PhoneNumber] | None = None
    devices: dict[str, Device] | None = None
    device_owner: dict[str, str] = field(default_factory=dict)
    lines: dict[str, LineData] | None = None
    line_owner: dict[str, str] = field(default_factory=dict)
    unreadable: dict[str, Unreadable] = field(default_factory=dict)
    unread: set[str] = field(default_factory=set)

    def readable(self, *resources: str) -> bool:
        """Whether none of ``resources`` was refused at its last read."""
        return not any(resource in self.unreadable for resource in resources)

    def device_gone(self, device_id: str) -> bool:
        """Whether the phone ``device_id`` is gone at sipgate, not merely unreadable."""
        if self.devices is None or device_id in self.devices:
            return False
        return self._owner_read(self.device_owner.get(device_id), "devices")

    def line_gone(self, line_id: str) -> bool:
        """Whether the phone line ``line_id`` is gone at sipgate, not merely unreadable."""
        if self.lines is None or line_id in self.lines:
            return False
        return self._owner_read(self.line_owner.get(line_id), "phonelines")

    def setting_gone(self, line_id: str, kind: str) -> bool:
        """Whether a setting of ``kind`` of the line no longer listed is gone (a forwarding …).

        It is, when the line is gone, or when the line's ``kind`` was read and lacks it.
        """
        if self.lines is None:
            return False
        if (line := self.lines.get(line_id)) is None:
            return self.line_gone(line_id)
        known = line.forwardings if kind == "forwardings" else line.block_anonymous
        return known is not None and self.readable(f"{line_id}/{kind}")

    def _owner_read(self, owner: str | None, kind: str) -> bool:
        """Whether ``owner``'s ``kind`` was read at its last try (of every user, if not known)."""
        if owner is None:  # not seen since setup: it may belong to a user never read
            return not any(resource.endswith(f"/{kind}") for resource in self.unread)
        return self.readable(f"{owner}/{kind}")


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
        self._unreadable: dict[str, Unreadable] = {}  # resource → why it was refused at its last read
        self._devices_read: set[str] = set()  # users whose devices were read since setup
        self._device_owner: dict[str, str] = {}
        self._line_owner: dict[str, str] = {}
        self._user_lines: dict[str, list[Phoneline]] = {}
        self._lines_read: dict[str, int] = {}  # user id → refresh that last read its lines
        self._line_details: dict[str, LineData] = {}
        self._referenced: set[str] | None = None

    async def _async_update_data(self) -> AccountData:
        data = await self._mapped(self._fetch())
        self._remove_stale_devices(data)
        return data

    def is_stale(self, device: dr.DeviceEntry, data: AccountData | None = None) -> bool:
        """Whether ``device`` is a phone or line gone at sipgate (not one merely unreadable now)."""
        data = data or self.data
        prefix = self.config_entry.runtime_data.userinfo.master_sip_id
        ours = [ident for domain, ident in device.identifiers if domain == DOMAIN]

        def gone(ident: str) -> bool:
            if (device_id := ident.removeprefix(f"{prefix}_device_")) != ident:
                return data.device_gone(device_id)
            if (line_id := ident.removeprefix(f"{prefix}_line_")) != ident:
                return data.line_gone(line_id)
            return False  # the account, a recipient

        return data is not None and bool(ours) and all(gone(ident) for ident in ours)

    def _remove_stale_devices(self, data: AccountData) -> None:
        """Remove phones and lines that are gone at sipgate from the device registry."""
        registry = dr.async_get(self.hass)
        for device in dr.async_entries_for_config_entry(registry, self.config_entry.entry_id):
            if self.is_stale(device, data):
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
        self._settle(data, user_ids)
        return data

    async def _numbers(self) -> list[PhoneNumber]:
        return [number async for number in self.client.numbers.iterate()]

    async def _each[R](
        self, kind: str, fetches: dict[str, Callable[[], Awaitable[R]]], *, covers_all: bool = True
    ) -> dict[str, R | None] | None:
        """Read ``kind`` (``FEATURES``) of several users or lines; ``None`` when the token lacks its scope.

        A refused resource is ``None`` in the result and remembered as unreadable
        until it reads again.
        """
        scope, feature = FEATURES[kind]
        if scope in self.missing_scopes:
            return None
        results: dict[str, R | None] = {}
        denied: dict[str, SipgateForbiddenError] = {}
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
            self._unreadable = {r: why for r, why in self._unreadable.items() if not r.endswith(f"/{kind}")}
            return None
        for key in results:
            if (refusal := denied.get(key)) is None:
                self._unreadable.pop(f"{key}/{kind}", None)
                continue
            self._unreadable[f"{key}/{kind}"] = (
                Unreadable.NOT_BOOKED if key in not_booked else Unreadable.FORBIDDEN
            )
            LOGGER.info("sipgate refused %s of %s: %s", feature, key, refusal.message)
        return results

    def _settle(self, data: AccountData, user_ids: list[str]) -> None:
        """Forget refusals of users and lines that are gone; a "not booked" repair per scope while any is left."""
        lines = data.lines or {}

        def exists(resource: str) -> bool:
            owner, kind = resource.split("/")
            return owner in lines if kind in LINE_SETTINGS else owner in user_ids

        self._unreadable = {r: why for r, why in self._unreadable.items() if exists(r)}
        self._devices_read.intersection_update(user_ids)
        data.unreadable = dict(self._unreadable)
        data.unread = {f"{u}/devices" for u in user_ids if u not in self._devices_read} | {
            f"{u}/phonelines" for u in user_ids if u not in self._lines_read
        }
        data.device_owner = dict(self._device_owner)
        data.line_owner = dict(self._line_owner)
        for kind, (scope, feature) in FEATURES.items():
            issue_id = f"not_booked_{self.config_entry.entry_id}_{scope}"
            owners = sorted(
                resource.split("/")[0]
                for resource, why in self._unreadable.items()
                if why is Unreadable.NOT_BOOKED and resource.endswith(f"/{kind}")
            )
            if not owners:
                ir.async_delete_issue(self.hass, DOMAIN, issue_id)
                continue
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
                    "resources": ", ".join(owners),
                },
            )

    async def _devices(self, data: AccountData, previous: AccountData | None, user_ids: list[str]) -> None:
        devices = await self._each(
            "devices", {user_id: partial(self.client.devices.get_devices, user_id) for user_id in user_ids}
        )
        if devices is None:
            return
        data.devices = {}
        for user_id in user_ids:
            listed = devices.get(user_id)
            if listed is not None:
                self._devices_read.add(user_id)
            elif previous is not None and previous.devices is not None:
                # Refused this time: keep what was known, shown unavailable.
                listed = [d for d in previous.devices.values() if previous.device_owner.get(d.id) == user_id]
            for device in listed or ():
                data.devices[device.id] = device
                self._device_owner[device.id] = user_id
        data.device_owner = dict(self._device_owner)

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
            "phonelines",
            {user_id: partial(phonelines.get_phonelines, user_id) for user_id in due},
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
            kind: str, read_one: Callable[[str, str], Awaitable[R]]
        ) -> dict[str, R | None] | None:
            """``kind`` of each fresh line (``read_one(user_id, line_id)``)."""
            return await self._each(
                kind,
                {line_id: partial(read_one, user_id, line_id) for line_id, user_id in fresh.items()},
                covers_all=everyone,
            )

        forwardings = await per_line("forwardings", phonelines.get_forwardings)
        blocking = await per_line("blockanonymous", phonelines.get_block_anonymous)
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
                self._line_owner[line.id] = user_id
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
