"""Registers the integration's actions (once, for every account)."""

from homeassistant.core import HomeAssistant, callback

from .announcement_view import async_register_announcement_view
from .call_actions import async_register_call_actions
from .data_actions import async_register_data_actions
from .message_actions import async_register_message_actions
from .number_actions import async_register_number_actions


@callback
def async_setup_services(hass: HomeAssistant) -> None:
    """Register all sipgate actions, and the address sipgate fetches spoken announcements from."""
    async_register_call_actions(hass)
    async_register_data_actions(hass)
    async_register_message_actions(hass)
    async_register_number_actions(hass)
    async_register_announcement_view(hass)
