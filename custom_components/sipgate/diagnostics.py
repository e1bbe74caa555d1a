"""Diagnostics: what support needs to see, with secrets and personal data redacted."""

from dataclasses import asdict
from typing import Any

from homeassistant.components.diagnostics import async_redact_data
from homeassistant.const import CONF_TOKEN
from homeassistant.core import HomeAssistant

from .const import CONF_TOKEN_ID
from .runtime import SipgateConfigEntry

# Tokens, ids that identify the account, URLs, phone numbers and names.
TO_REDACT = {
    CONF_TOKEN,
    CONF_TOKEN_ID,
    "title",
    "unique_id",
    "master_sip_id",
    "company",
    "logo_url",
    "webhook_id",
    "push_secret",
    "cloudhook_url",
    "confirmed_webhook_url",
    "previous_webhook_urls",
    "url",
    "incoming_url",
    "outgoing_url",
    "number",
    "numbers",
    "phone_number",
    "from_number",
    "to_number",
}


async def async_get_config_entry_diagnostics(
    hass: HomeAssistant, entry: SipgateConfigEntry
) -> dict[str, Any]:
    """Return diagnostics of one sipgate account."""
    data = entry.runtime_data
    return async_redact_data(
        {
            "entry": {
                "title": entry.title,
                "unique_id": entry.unique_id,
                "version": f"{entry.version}.{entry.minor_version}",
                "data": dict(entry.data),
                "options": dict(entry.options),
            },
            "userinfo": asdict(data.userinfo),
            "account": asdict(data.account) if data.account else None,
            "missing_scopes": sorted(data.missing_scopes),
            # Resources sipgate refused on their own (403 "forbidden" or "not_booked").
            "unreadable": dict(sorted(data.coordinators.account.data.unreadable.items()))
            if data.coordinators.account.data
            else {},
            "webhook": {
                "url_kind": data.webhook.publisher.url_kind,
                "url": data.webhook.handler.public_url,
                "sipgate_points_here": data.webhook.publisher.sipgate_points_here,
                "accepted": data.webhook.handler.stats.accepted,
                "rejected_signature": data.webhook.handler.stats.rejected_signature,
                "rejected_input": data.webhook.handler.stats.rejected_input,
                "duplicates": data.webhook.handler.stats.duplicates,
                "refused": dict(data.webhook.handler.stats.refused),
                "recent_events": list(data.webhook.handler.stats.recent),
                "pending_replies": data.answering.pending_count,
                "active_calls": data.calls.active_count,
                "call_records": len(data.calls),
            },
            "contact_names": len(data.contacts.names),
        },
        TO_REDACT,
    )
