"""The live-calls coordinator: established calls, polled only while a call goes on."""

from datetime import timedelta
from typing import TYPE_CHECKING

from homeassistant.core import HomeAssistant

from ..api import ActiveCall
from ..runtime import SipgateConfigEntry
from .base import SipgateCoordinator

if TYPE_CHECKING:
    from ..api.client import SipgateClient

LIVE_CALLS_INTERVAL = timedelta(seconds=15)


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
