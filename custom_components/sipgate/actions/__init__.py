"""The integration's actions, one module per area, registered once for every account.

* ``calls``: the call verbs (answer a ringing call's held reply, or control an established one)
  and ``get_calls``.
* ``messaging``: SMS, fax and click-to-dial (``send_sms`` is shared with the notify entities).
* ``history``: read, change, delete and export the history.
* ``contacts``: read, change, import and export contacts.
* ``account``: phone numbers, webhook settings and ``read_numbers``.
* ``messages``: mark arrived messages read, save their attachments.
* ``helpers``: the action table shape (``SipgateAction``), the account an action is for, the
  translated errors, field readers and allow-listed file reading.
"""

from collections.abc import Callable, Coroutine
from typing import Any

from homeassistant.core import HomeAssistant, ServiceCall, ServiceResponse, callback
from homeassistant.helpers import config_validation as cv
from homeassistant.helpers.service import async_register_admin_service

from ..compat import vol
from ..const import ATTR_CONFIG_ENTRY_ID, DOMAIN
from . import account, calls, contacts, history, messages, messaging
from .helpers import ActionHandler, SipgateAction

ACTIONS: tuple[SipgateAction, ...] = (
    *calls.ACTIONS,
    *messaging.ACTIONS,
    *history.ACTIONS,
    *contacts.ACTIONS,
    *account.ACTIONS,
    *messages.ACTIONS,
)

# Actions that change the account, read files or write them: only administrators may call them.
ADMIN_ACTIONS = frozenset(
    {
        "set_webhook_settings",
        "delete_history",
        "update_history",
        "delete_contact",
        "delete_all_contacts",
        "create_contact",
        "update_contact",
        "import_contacts",
        "send_fax",
        "mark_read",
        "save_attachment",
    }
)


def _bound(
    hass: HomeAssistant, handler: ActionHandler
) -> Callable[[ServiceCall], Coroutine[Any, Any, ServiceResponse]]:
    async def handle(call: ServiceCall) -> ServiceResponse:
        response = await handler(hass, call)
        return response if call.return_response else None

    return handle


@callback
def async_register_actions(hass: HomeAssistant) -> None:
    """Register every action; those of ADMIN_ACTIONS for administrators only."""
    for action in ACTIONS:
        schema = vol.Schema({vol.Optional(ATTR_CONFIG_ENTRY_ID): cv.string, **action.fields})
        handler = _bound(hass, action.handler)
        if action.name in ADMIN_ACTIONS:
            async_register_admin_service(hass, DOMAIN, action.name, handler, schema, action.supports_response)
        else:
            hass.services.async_register(
                DOMAIN, action.name, handler, schema=schema, supports_response=action.supports_response
            )
