"""An entry's stores (what it announced, which pushes it accepted), one object each per run.

Sharing one :class:`Store` per entry and purpose across reloads means a save still
being written is what the next load reads.
"""

from typing import Any, Final

from homeassistant.core import HomeAssistant
from homeassistant.helpers.storage import Store

from .const import DOMAIN

STORAGE_VERSION: Final = 1
DATA_STORES: Final = f"{DOMAIN}_stores"


def entry_store(hass: HomeAssistant, entry_id: str, purpose: str) -> Store[dict[str, Any]]:
    """The store ``sipgate.<entry_id>.<purpose>``, the same object for the whole run."""
    stores: dict[str, Store[dict[str, Any]]] = hass.data.setdefault(DATA_STORES, {})
    key = f"{DOMAIN}.{entry_id}.{purpose}"
    if key not in stores:
        stores[key] = Store(hass, STORAGE_VERSION, key)
    return stores[key]


async def async_remove_entry_stores(hass: HomeAssistant, entry_id: str, *purposes: str) -> None:
    """Delete the entry's stores of ``purposes`` (the entry is removed)."""
    for purpose in purposes:
        await entry_store(hass, entry_id, purpose).async_remove()
        hass.data[DATA_STORES].pop(f"{DOMAIN}.{entry_id}.{purpose}", None)
