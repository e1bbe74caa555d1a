"""sipgate's REST API as the stand-in serves it (under ``/v2``), one module per area.

The routes are tried in the order of :data:`API_ROUTES`: fixed paths before the
``/{userId}/…`` ones.
"""

from typing import Final

from ..context import Handler
from . import account, calls, contacts, history, messaging, webhooks

API_ROUTES: Final[list[tuple[str, str, Handler]]] = [
    ("GET", "/authorization/userinfo", account.get_userinfo),
    ("GET", "/account", account.get_account),
    ("GET", "/balance", account.get_balance),
    ("GET", "/users", account.get_users),
    ("GET", "/users/{userId}", account.get_user),
    ("GET", "/devices/{deviceId}", account.get_device),
    ("PUT", "/devices/{deviceId}", account.put_device),
    ("GET", "/voicemails", account.get_voicemails),
    ("GET", "/numbers", account.get_numbers),
    ("POST", "/sessions/sms", messaging.post_sms),
    ("POST", "/sessions/fax", messaging.post_fax),
    ("POST", "/sessions/calls", messaging.post_call_session),
    ("GET", "/history/export", history.export_history),
    ("GET", "/history", history.get_history),
    ("PUT", "/history", history.put_history),
    ("DELETE", "/history", history.delete_history),
    ("GET", "/history/{entryId}", history.get_history_entry),
    ("PUT", "/history/{entryId}", history.put_history_entry),
    ("DELETE", "/history/{entryId}", history.delete_history_entry),
    ("GET", "/contacts", contacts.get_contacts),
    ("POST", "/contacts", contacts.post_contact),
    ("DELETE", "/contacts", contacts.delete_contacts),
    ("POST", "/contacts/import/csv", contacts.import_contacts_csv),
    ("PUT", "/contacts/{contactId}", contacts.put_contact),
    ("DELETE", "/contacts/{contactId}", contacts.delete_contact),
    ("GET", "/calls", calls.get_calls),
    ("DELETE", "/calls/{callId}", calls.delete_call),
    ("PUT", "/calls/{callId}/{what:muted|hold|recording}", calls.put_call_setting),
    ("POST", "/calls/{callId}/{what:announcements|transfer|dtmf}", calls.post_call_action),
    ("GET", "/settings/sipgateio", webhooks.get_webhook_settings),
    ("PUT", "/settings/sipgateio", webhooks.put_webhook_settings),
    ("GET", "/log/webhooks", webhooks.get_webhook_log),
    ("GET", "/{userId}/devices", account.get_user_devices),
    ("GET", "/{userId}/phonelines", account.get_phonelines),
    ("GET", "/{userId}/phonelines/{phonelineId}/forwardings", account.get_forwardings),
    ("PUT", "/{userId}/phonelines/{phonelineId}/forwardings", account.put_forwardings),
    ("GET", "/{userId}/phonelines/{phonelineId}/blockanonymous", account.get_block_anonymous),
    ("PUT", "/{userId}/phonelines/{phonelineId}/blockanonymous", account.put_block_anonymous),
    ("GET", "/{userId}/sms", messaging.get_sms_extensions),
    ("GET", "/{userId}/sms/{smsId}/callerids", messaging.get_sms_caller_ids),
    ("PUT", "/{userId}/sms/{smsId}/callerids/{callerId}", messaging.put_sms_caller_id),
    ("GET", "/{userId}/faxlines", messaging.get_faxlines),
]
