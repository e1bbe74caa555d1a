"""Logbook descriptions of the call events."""

from collections.abc import Callable, Mapping
from typing import Any

from homeassistant.components.logbook import LOGBOOK_ENTRY_MESSAGE, LOGBOOK_ENTRY_NAME
from homeassistant.core import Event, HomeAssistant, callback

from .const import DOMAIN, EVENT_ANSWER, EVENT_DTMF, EVENT_FAX_STATUS, EVENT_HANGUP, EVENT_NEW_CALL


def _party(data: Mapping[str, Any], which: str) -> str:
    number = data.get(f"{which}_number") or "?"
    name = data.get(f"{which}_name")
    return f"{name} ({number})" if name else str(number)


@callback
def async_describe_events(
    hass: HomeAssistant, async_describe_event: Callable[[str, str, Callable[[Event], dict[str, str]]], None]
) -> None:
    """Describe sipgate's bus events in the logbook."""

    @callback
    def describe(event: Event) -> dict[str, str]:
        data = event.data
        match event.event_type:
            case "sipgate_new_call" if data.get("direction") == "out":
                message = f"calls {_party(data, 'to')} from {_party(data, 'from')}"
            case "sipgate_new_call":
                message = f"incoming call from {_party(data, 'from')} to {_party(data, 'to')}"
            case "sipgate_answer":
                message = f"call {_party(data, 'from')} → {_party(data, 'to')} answered" + (
                    f" by {data['user']}" if data.get("user") else ""
                )
            case "sipgate_hangup":
                message = f"call {_party(data, 'from')} → {_party(data, 'to')} ended ({data.get('cause') or 'unknown'})"
            case "sipgate_dtmf":
                message = f"caller entered {data.get('dtmf') or 'nothing'}"
            case _:
                message = f"fax {data.get('session_id')} is {str(data.get('status', '')).lower()}"
        return {LOGBOOK_ENTRY_NAME: "sipgate", LOGBOOK_ENTRY_MESSAGE: message}

    for event_type in (EVENT_NEW_CALL, EVENT_ANSWER, EVENT_HANGUP, EVENT_DTMF, EVENT_FAX_STATUS):
        async_describe_event(DOMAIN, event_type, describe)
