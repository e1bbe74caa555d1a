"""Constants of the sipgate integration."""

import logging
from typing import Final

DOMAIN: Final = "sipgate"
LOGGER = logging.getLogger(__package__)

CONF_TOKEN_ID: Final = "token_id"  # noqa: S105 - a config key, not a secret

# Option keys (spec §4): automations, tests and the README name them.
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
