"""The history coordinator: unread counters and the last call, read again after calls end.

:class:`HistoryCoordinator` and what it reads (:class:`HistoryData`, with the
newest entries for the arrivals); a burst of hangups leads to one debounced
refresh (``HISTORY_REFRESH_COOLDOWN``).
"""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.debounce import Debouncer

from ..api import HistoryDirection, HistoryEntry, HistoryFilter
from ..const import LOGGER
from ..runtime import SipgateConfigEntry
from .base import SipgateCoordinator

if TYPE_CHECKING:
    from ..api.client import SipgateClient

# The newest history entries read for the unread counters.
HISTORY_WINDOW = 100
# Hangups within this many seconds lead to one history refresh.
HISTORY_REFRESH_COOLDOWN = 5.0
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


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
        """Read the history once calls have ended: a burst of hangups leads to one refresh.

        While sipgate asks to wait (429) nothing is requested: the next poll, after
        the wait, reads it.
        """
        if self.client.transport.rate_limited_for > 0:
            return
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
            # Incoming calls nobody answered; unanswered outgoing calls are not missed calls.
            unread_missed_calls=sum(
                1 for e in unread if e.type == "CALL" and e.direction == HistoryDirection.MISSED_INCOMING
            ),
            unread_voicemails=sum(1 for e in unread if e.type == "VOICEMAIL"),
            unread_sms=sum(1 for e in unread if e.type == "SMS" and e.is_incoming),
            unread_faxes=sum(1 for e in unread if e.type == "FAX" and e.is_incoming),
            last_call=max(calls, key=lambda e: e.created or EPOCH, default=None),
            entries=tuple(entries),
        )
