"""Registers the actions (``actions/``, once, for every account) and the announcement address."""

from homeassistant.core import HomeAssistant, callback

from .actions import async_register_actions
from .announcement_view import async_register_announcement_view


@callback
def async_setup_services(hass: HomeAssistant) -> None:
    """Register all sipgate actions, and the address sipgate fetches spoken announcements from."""
    async_register_actions(hass)
    async_register_announcement_view(hass)
