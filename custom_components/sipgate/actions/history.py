"""History actions: read, change, delete and export the history (README "History")."""

from datetime import datetime
from typing import Any

from homeassistant.core import HomeAssistant, ServiceResponse, SupportsResponse
from homeassistant.helpers import config_validation as cv

from ..api import HistoryChange, HistoryEntry, HistoryFilter
from ..compat import vol
from ..runtime import SipgateConfigEntry
from .helpers import PAGE, SipgateAction, aware, for_entry, phone_number, service_error, sipgate_choice

HISTORY_TYPE = sipgate_choice("CALL", "VOICEMAIL", "SMS", "FAX")
HISTORY_DIRECTION = sipgate_choice("INCOMING", "OUTGOING", "MISSED_INCOMING", "MISSED_OUTGOING")
HISTORY_FILTER = {
    vol.Optional("types"): vol.All(cv.ensure_list, [HISTORY_TYPE]),
    vol.Optional("directions"): vol.All(cv.ensure_list, [HISTORY_DIRECTION]),
    vol.Optional("archived"): cv.boolean,
    vol.Optional("starred"): cv.boolean,
    vol.Optional("from"): cv.datetime,
    vol.Optional("to"): cv.datetime,
    vol.Optional("connection_ids"): vol.All(cv.ensure_list, [cv.string]),
}
ENTRY_IDS = vol.All(cv.ensure_list, [cv.string], vol.Length(min=1))


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def history_entry_data(entry: HistoryEntry) -> dict[str, Any]:
    """A history entry as action response data."""
    return {
        "id": entry.id,
        "type": entry.type,
        "direction": entry.direction,
        "source": entry.source,
        "target": entry.target,
        "source_alias": entry.source_alias,
        "target_alias": entry.target_alias,
        "created": _iso(entry.created),
        "status": entry.status,
        "read": entry.read,
        "archived": entry.archived,
        "starred": entry.starred,
        "note": entry.note,
        "duration": entry.duration,
        "call_status": entry.call_status,
        "sms_content": entry.sms_content,
        "fax_status": entry.fax_status,
        "recording_urls": list(entry.recording_urls),
        "transcription": entry.transcription,
    }


def _history_filter(data: dict[str, Any]) -> HistoryFilter:
    return HistoryFilter(
        types=data.get("types", ()),
        directions=data.get("directions", ()),
        connection_ids=data.get("connection_ids", ()),
        archived=data.get("archived"),
        starred=data.get("starred"),
        start=aware(data.get("from")),
        end=aware(data.get("to")),
        phonenumber=data.get("phonenumber"),
    )


async def _get_history(
    hass: HomeAssistant, entry: SipgateConfigEntry, data: dict[str, Any]
) -> ServiceResponse:
    page = await entry.runtime_data.client.history.fetch(
        _history_filter(data), limit=data["limit"], offset=data["offset"]
    )
    return {"entries": [history_entry_data(item) for item in page.items], "total_count": page.total_count}


async def _update_history(
    hass: HomeAssistant, entry: SipgateConfigEntry, data: dict[str, Any]
) -> ServiceResponse:
    fields = {key: data[key] for key in ("read", "archived", "starred", "note") if key in data}
    if not fields:
        raise service_error("nothing_to_change")
    await entry.runtime_data.client.history.update_many(
        [HistoryChange(entry_id, **fields) for entry_id in data["entry_ids"]]
    )
    return None


async def _delete_history(
    hass: HomeAssistant, entry: SipgateConfigEntry, data: dict[str, Any]
) -> ServiceResponse:
    await entry.runtime_data.client.history.delete_many(data["entry_ids"])
    return None


async def _export_history(
    hass: HomeAssistant, entry: SipgateConfigEntry, data: dict[str, Any]
) -> ServiceResponse:
    csv = await entry.runtime_data.client.history.export_csv(
        _history_filter(data), limit=data.get("limit"), offset=data.get("offset")
    )
    return {"csv": csv}


ACTIONS = [
    SipgateAction(
        name="get_history",
        handler=for_entry(_get_history),
        fields={**HISTORY_FILTER, vol.Optional("phonenumber"): phone_number("phonenumber"), **PAGE},
        supports_response=SupportsResponse.ONLY,
    ),
    SipgateAction(
        name="update_history",
        handler=for_entry(_update_history),
        fields={
            vol.Required("entry_ids"): ENTRY_IDS,
            vol.Optional("read"): cv.boolean,
            vol.Optional("archived"): cv.boolean,
            vol.Optional("starred"): cv.boolean,
            vol.Optional("note"): cv.string,
        },
    ),
    SipgateAction(
        name="delete_history",
        handler=for_entry(_delete_history),
        fields={vol.Required("entry_ids"): ENTRY_IDS},
    ),
    SipgateAction(
        name="export_history",
        handler=for_entry(_export_history),
        fields={
            **HISTORY_FILTER,
            vol.Optional("limit"): vol.All(vol.Coerce(int), vol.Range(min=1, max=1000)),
            vol.Optional("offset"): vol.All(vol.Coerce(int), vol.Range(min=0)),
        },
        supports_response=SupportsResponse.ONLY,
    ),
]
