"""Which pushes of which calls were accepted, kept across reloads and restarts.

Signatures carry no time, so a recorded push could be replayed for ever; the
call registry refuses a push it has accepted before (README "Security"). The
registry lives in memory: without this store a reload (every options change)
or a restart would make each recorded ``newCall``, ``answer`` and ``hangup``
of the last day acceptable again.

The store holds, per call id with accepted pushes, when it was last active
(wall-clock time) and the kinds of push accepted. It is written at most every
:data:`SAVE_DELAY` seconds while calls come in (Home Assistant writes what is
pending when it stops), and at once when the entry unloads.
"""

from __future__ import annotations

from typing import Any, Final

from homeassistant.core import HomeAssistant, callback

from .calls import CallRegistry
from .entry_store import entry_store

# Seconds between writes while pushes arrive.
SAVE_DELAY: Final = 30.0
# The entry's store of accepted pushes (entry_store.py).
STORE_PURPOSE: Final = "calls"


class CallMemory:
    """Saves and restores what the account's call registry accepted."""

    def __init__(self, hass: HomeAssistant, entry_id: str, calls: CallRegistry) -> None:
        """Keep ``calls``' accepted pushes in ``entry_id``'s store."""
        self._store = entry_store(hass, entry_id, STORE_PURPOSE)
        self._calls = calls
        self._save_pending = False

    async def async_load(self) -> None:
        """Restore what was accepted before (call before the webhook takes pushes)."""
        stored = await self._store.async_load()
        if stored and isinstance(calls := stored.get("calls"), list):
            self._calls.restore(calls)

    @callback
    def async_changed(self) -> None:
        """A push was accepted: write within :data:`SAVE_DELAY` (once, however many arrive)."""
        if not self._save_pending:
            self._save_pending = True
            self._store.async_delay_save(self._data, SAVE_DELAY)

    def _data(self) -> dict[str, Any]:
        self._save_pending = False
        return {"calls": self._calls.snapshot()}

    async def async_save(self) -> None:
        """Write now (the entry unloads)."""
        self._save_pending = False
        await self._store.async_save({"calls": self._calls.snapshot()})
