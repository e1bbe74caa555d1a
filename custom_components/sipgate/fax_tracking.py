"""Follows sent faxes until sipgate reports them sent or failed (README "Fax")."""

from datetime import timedelta
from typing import TYPE_CHECKING

from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.helpers.event import async_call_later

from .api import FaxStatus, SipgateError, SipgateNotFoundError
from .const import ATTR_CONFIG_ENTRY_ID, EVENT_FAX_STATUS, LOGGER

if TYPE_CHECKING:
    from .api.client import SipgateClient

POLL_INTERVAL = timedelta(seconds=15)
# A fax still not final after this long is no longer followed.
GIVE_UP_AFTER = timedelta(hours=2)


class FaxTracker:
    """Polls each sent fax's status and fires ``sipgate_fax_status`` on every change."""

    def __init__(self, hass: HomeAssistant, entry_id: str, client: SipgateClient) -> None:
        """Follow faxes of ``entry_id``."""
        self._hass = hass
        self._entry_id = entry_id
        self._client = client
        self._timers: dict[str, CALLBACK_TYPE] = {}
        self._status: dict[str, FaxStatus | None] = {}
        self._polls_left: dict[str, int] = {}
        self._recipients: dict[str, str] = {}

    @property
    def following(self) -> list[str]:
        """Session ids of faxes still being followed."""
        return list(self._timers)

    @callback
    def follow(self, session_id: str, recipient: str) -> None:
        """Start following a fax just handed to sipgate."""
        self._status[session_id] = None
        self._polls_left[session_id] = int(GIVE_UP_AFTER / POLL_INTERVAL)
        self._recipients[session_id] = recipient
        self._schedule(session_id)

    def _schedule(self, session_id: str) -> None:
        if (cancel := self._timers.pop(session_id, None)) is not None:
            cancel()  # the same fax followed again: one timer, not two (the older could never be cancelled)

        @callback
        def poll(_now: object) -> None:
            self._timers.pop(session_id, None)
            self._hass.async_create_background_task(self._async_poll(session_id), f"sipgate fax {session_id}")

        self._timers[session_id] = async_call_later(self._hass, POLL_INTERVAL, poll)

    async def _async_poll(self, session_id: str) -> None:
        try:
            status = await self._client.fax.get_status(session_id)
        except SipgateNotFoundError:
            status = None  # not in the history yet
        except SipgateError as err:
            LOGGER.debug("Could not read the status of fax %s: %s", session_id, err)
            status = None
        if status is not None and status != self._status.get(session_id):
            self._status[session_id] = status
            self._hass.bus.async_fire(
                EVENT_FAX_STATUS,
                {
                    ATTR_CONFIG_ENTRY_ID: self._entry_id,
                    "session_id": session_id,
                    "recipient": self._recipients.get(session_id),
                    "status": status.value,
                    "final": status.is_final,
                },
            )
        self._polls_left[session_id] -= 1
        if (status is not None and status.is_final) or self._polls_left[session_id] <= 0:
            if status is None or not status.is_final:
                LOGGER.warning(
                    "Stopped following fax %s: no final status after %s", session_id, GIVE_UP_AFTER
                )
            self._forget(session_id)
            return
        self._schedule(session_id)

    def _forget(self, session_id: str) -> None:
        self._status.pop(session_id, None)
        self._polls_left.pop(session_id, None)
        self._recipients.pop(session_id, None)

    @callback
    def async_stop(self) -> None:
        """Stop following every fax (the entry unloads)."""
        for cancel in self._timers.values():
            cancel()
        self._timers.clear()
