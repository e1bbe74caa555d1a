"""Constants of the sipgate integration."""

import logging
from typing import Final

from .api.transport import DEFAULT_REGION as _API_DEFAULT_REGION

DOMAIN: Final = "sipgate"
LOGGER = logging.getLogger(__package__)

# National phone numbers are read in the instance's country; sipgate is a German provider.
# The value is defined once, in the API package (its transport reads numbers in it too).
DEFAULT_REGION: Final = _API_DEFAULT_REGION

CONF_TOKEN_ID: Final = "token_id"  # noqa: S105 - a config key, not a secret

# Option keys (README "Options"): automations, tests and the README name them.
CONF_ANSWER_TIMEOUT: Final = "answer_timeout"
CONF_VERIFY_SIGNATURE: Final = "verify_signature"
CONF_MANAGE_WEBHOOK_URLS: Final = "manage_webhook_urls"
CONF_CONTACT_LOOKUP: Final = "contact_lookup"
CONF_ACCOUNT_SCAN_INTERVAL: Final = "account_scan_interval"
CONF_HISTORY_SCAN_INTERVAL: Final = "history_scan_interval"

# sipgate gives up on a webhook reply after 10 s; stay well below.
ANSWER_TIMEOUT_MIN: Final = 0.0
ANSWER_TIMEOUT_MAX: Final = 8.0
ACCOUNT_SCAN_INTERVAL_RANGE: Final = (15, 1440)  # minutes
HISTORY_SCAN_INTERVAL_RANGE: Final = (1, 60)  # minutes

DEFAULT_OPTIONS: Final[dict[str, float | int | bool]] = {
    CONF_ANSWER_TIMEOUT: 5.0,
    CONF_VERIFY_SIGNATURE: True,
    CONF_MANAGE_WEBHOOK_URLS: True,
    CONF_CONTACT_LOOKUP: True,
    CONF_ACCOUNT_SCAN_INTERVAL: 60,
    CONF_HISTORY_SCAN_INTERVAL: 5,
}

CONF_WEBHOOK_ID: Final = "webhook_id"
# The entry's key for the per-call tokens of follow-up URLs (hex; README "Security").
CONF_PUSH_SECRET: Final = "push_secret"  # noqa: S105 - a config key, not a secret
# Options-flow field (not stored): give the entry a new webhook id and push key.
CONF_REGENERATE_WEBHOOK: Final = "regenerate_webhook_id"
CONF_CLOUDHOOK_URL: Final = "cloudhook_url"
# The account's webhook URLs before this integration set its own (restored on removal).
CONF_PREVIOUS_WEBHOOK_URLS: Final = "previous_webhook_urls"
# The webhook URL sipgate has been seen pushing to (with URLs set by hand: no more reminder).
CONF_CONFIRMED_WEBHOOK_URL: Final = "confirmed_webhook_url"

# Bus events (README "Call events").
EVENT_NEW_CALL: Final = "sipgate_new_call"
EVENT_ANSWER: Final = "sipgate_answer"
EVENT_HANGUP: Final = "sipgate_hangup"
EVENT_DTMF: Final = "sipgate_dtmf"
EVENT_FAX_STATUS: Final = "sipgate_fax_status"
# Messages that arrived, found in the history (once each).
EVENT_VOICEMAIL_RECEIVED: Final = "sipgate_voicemail_received"
EVENT_SMS_RECEIVED: Final = "sipgate_sms_received"
EVENT_FAX_RECEIVED: Final = "sipgate_fax_received"

ATTR_CONFIG_ENTRY_ID: Final = "config_entry_id"
ATTR_CALL_ID: Final = "call_id"

# The largest webhook body accepted; real ones are a few hundred bytes.
MAX_WEBHOOK_BODY: Final = 16 * 1024
# After this many bad signatures in a row a repair issue is raised.
SIGNATURE_FAILURES_FOR_ISSUE: Final = 5

# "SMS recipient" subentries (README "SMS"): one notify entity each.
SUBENTRY_SMS_RECIPIENT: Final = "sms_recipient"
CONF_NUMBER: Final = "number"
CONF_SMS_ID: Final = "sms_id"
