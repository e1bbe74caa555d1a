"""Names for phone numbers, from the account's sipgate contacts (README "Options", *Look up caller names*).

``ContactNames`` is the in-memory index (phone number → name); the webhook
reply path only reads it, so naming a caller never waits for sipgate.
``ContactRefresher`` fills and refreshes it in the background: once Home
Assistant runs, then every account scan interval, and after a contact action.
"""

from collections.abc import Mapping
from datetime import timedelta
from functools import lru_cache
from typing import TYPE_CHECKING

from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.event import async_track_time_interval
from homeassistant.helpers.start import async_at_started

from .api import SipgateError, SipgateForbiddenError
from .api.phone import parse_number
from .const import LOGGER
from .runtime import SipgateConfigEntry

if TYPE_CHECKING:
    from .api.client import SipgateClient


class ContactNames:
    """Phone number (E.164) → contact name."""

    def __init__(self, region: str) -> None:
        """Read national numbers in ``region``."""
        self._region = region
        self._names: dict[str, str] = {}

    def __len__(self) -> int:
        """How many numbers have a name."""
        return len(self._names)

    def replace(self, names: Mapping[str, str]) -> None:
        """Use a freshly built index."""
        self._names = dict(names)

    def lookup(self, number: str | None) -> str | None:
        """The contact name of ``number``, if it has one (``anonymous`` never has).

        Webhook numbers arrive in E.164 already, so they are looked up as they
        are: this runs on the webhook reply path. Only other forms are parsed.
        """
        if not number or not self._names or number == "anonymous":
            return None
        if number.startswith("+"):
            return self._names.get(number)
        normalized = _normalized(number, self._region)
        return self._names.get(normalized) if normalized else None


@lru_cache(maxsize=1024)
def _normalized(number: str, region: str) -> str | None:
    return parse_number(number, region=region)


class ContactRefresher:
    """Reads the account's contacts once Home Assistant runs, then every ``interval``."""

    def __init__(
        self,
        hass: HomeAssistant,
        entry: SipgateConfigEntry,
        client: SipgateClient,
        names: ContactNames,
        interval: timedelta,
    ) -> None:
        """Refresh ``names`` from ``client`` for ``entry``."""
        self._hass = hass
        self._entry = entry
        self._client = client
        self._names = names
        self._interval = interval
        self.missing_scope: str | None = None

    @callback
    def async_start(self) -> None:
        """Refresh after start-up and then periodically; stops with the entry."""
        self._entry.async_on_unload(async_at_started(self._hass, self._async_started))

    async def _async_started(self, hass: HomeAssistant) -> None:
        self._entry.async_create_background_task(hass, self.async_refresh(), "sipgate contact names")
        self._entry.async_on_unload(async_track_time_interval(hass, self._async_tick, self._interval))

    async def _async_tick(self, _now: object) -> None:
        await self.async_refresh()

    async def async_refresh(self) -> None:
        """Read the contacts and replace the index; keep the old one on failure."""
        if self.missing_scope is not None:
            return
        try:
            index = await self._client.contacts.number_index()
        except SipgateForbiddenError as err:
            self.missing_scope = err.scope or "contacts:read"
            self._entry.runtime_data.missing_scopes.add(self.missing_scope)
            LOGGER.info("The sipgate token has no %s scope: callers are not named", self.missing_scope)
            return
        except SipgateError as err:
            LOGGER.debug("Could not refresh the sipgate contacts: %s", err)
            return
        self._names.replace(index)
