"""Keeps the contact-name index of an account fresh, in the background (spec §7.3)."""

from datetime import timedelta
from typing import TYPE_CHECKING

from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.event import async_track_time_interval
from homeassistant.helpers.start import async_at_started

from .api import SipgateError, SipgateForbiddenError
from .const import LOGGER
from .contact_names import ContactNames
from .runtime import SipgateConfigEntry

if TYPE_CHECKING:
    from .api.client import SipgateClient


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
