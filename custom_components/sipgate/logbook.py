"""Logbook descriptions of the call and message events.

Each call step is one line, linked to the account's **Call** event entity; each voicemail,
SMS and fax that arrived one line, linked to its **Messages** event entity. What happened
(the entity's translated event type), who called whom, and what the entity's own state
change does not say (who answered, why the call ended, the digits). Every word comes from
the integration's translations in Home Assistant's language (attribute and selector texts);
sipgate's codes such as ``normalClearing`` never show.
"""

from collections.abc import Callable, Mapping
from typing import Any

from homeassistant.components.logbook import (
    LOGBOOK_ENTRY_ENTITY_ID,
    LOGBOOK_ENTRY_MESSAGE,
    LOGBOOK_ENTRY_NAME,
)
from homeassistant.const import Platform
from homeassistant.core import Event, HomeAssistant, callback
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers.translation import async_get_cached_translations

from .const import (
    ATTR_CONFIG_ENTRY_ID,
    DOMAIN,
    EVENT_ANSWER,
    EVENT_DTMF,
    EVENT_FAX_RECEIVED,
    EVENT_FAX_STATUS,
    EVENT_HANGUP,
    EVENT_NEW_CALL,
    EVENT_SMS_RECEIVED,
    EVENT_VOICEMAIL_RECEIVED,
)
from .event import cause_key

CALL_ATTRIBUTES = f"component.{DOMAIN}.entity.event.call.state_attributes"
MESSAGE_ATTRIBUTES = f"component.{DOMAIN}.entity.event.message.state_attributes"
MESSAGE_KINDS = {EVENT_VOICEMAIL_RECEIVED: "voicemail", EVENT_SMS_RECEIVED: "sms", EVENT_FAX_RECEIVED: "fax"}
NORMAL_CLEARING = "normal_clearing"  # the usual end of a call: not worth a word


def _party(data: Mapping[str, Any], which: str) -> str:
    number = data.get(f"{which}_number") or "?"
    name = data.get(f"{which}_name")
    return f"{name} ({number})" if name else str(number)


def _call_entity_id(hass: HomeAssistant, data: Mapping[str, Any], key: str = "call_event") -> str | None:
    """The Call (or Messages) event entity of the account the event belongs to."""
    entry = hass.config_entries.async_get_entry(str(data.get(ATTR_CONFIG_ENTRY_ID) or ""))
    if entry is None or entry.unique_id is None:
        return None
    return er.async_get(hass).async_get_entity_id(Platform.EVENT, DOMAIN, f"{entry.unique_id}_{key}")


@callback
def async_describe_events(
    hass: HomeAssistant, async_describe_event: Callable[[str, str, Callable[[Event], dict[str, str]]], None]
) -> None:
    """Describe sipgate's bus events in the logbook."""

    def text(category: str, key: str, fallback: str) -> str:
        """A translated text in Home Assistant's language (loaded with the entities)."""
        cached = async_get_cached_translations(hass, hass.config.language, category, DOMAIN)
        return cached.get(key) or fallback

    def event_word(event_type: str) -> str:
        return text("entity", f"{CALL_ATTRIBUTES}.event_type.state.{event_type}", event_type)

    def attribute(name: str, value: str) -> str:
        """``Name: value`` of one of the Call entity's attributes, both translated."""
        label = text("entity", f"{CALL_ATTRIBUTES}.{name}.name", name)
        return f"{label}: {text('entity', f'{CALL_ATTRIBUTES}.{name}.state.{value}', value)}"

    def call_message(event_type: str, data: Mapping[str, Any]) -> str:
        parties = f"{_party(data, 'from')} → {_party(data, 'to')}"
        match event_type:
            case "sipgate_new_call":
                event_type = "outgoing_call" if data.get("direction") == "out" else "incoming_call"
                return f"{event_word(event_type)}: {parties}"
            case "sipgate_answer" if data.get("user"):
                user = text("entity", f"{CALL_ATTRIBUTES}.user.name", "user")
                return f"{event_word('answered')}: {parties} ({user}: {data['user']})"
            case "sipgate_answer":
                return f"{event_word('answered')}: {parties}"
            case _:  # sipgate_hangup
                cause = cause_key(str(data.get("cause") or NORMAL_CLEARING))
                details = "" if cause == NORMAL_CLEARING else f" ({attribute('cause', cause)})"
                return f"{event_word('hung_up')}: {parties}{details}"

    @callback
    def describe(event: Event) -> dict[str, str]:
        data = event.data
        described: dict[str, str] = {LOGBOOK_ENTRY_NAME: "sipgate"}
        if event.event_type == EVENT_FAX_STATUS:
            status = str(data.get("status") or "").lower()
            word = text("selector", f"component.{DOMAIN}.selector.fax_status.options.{status}", status)
            described[LOGBOOK_ENTRY_MESSAGE] = f"Fax {data.get('session_id')}: {word}"
            return described
        if event.event_type == EVENT_DTMF:
            described[LOGBOOK_ENTRY_MESSAGE] = f"{event_word('dtmf')}: {data.get('dtmf') or '-'}"
        else:
            described[LOGBOOK_ENTRY_MESSAGE] = call_message(str(event.event_type), data)
        if entity_id := _call_entity_id(hass, data):
            described[LOGBOOK_ENTRY_ENTITY_ID] = entity_id
            if state := hass.states.get(entity_id):
                described[LOGBOOK_ENTRY_NAME] = state.name
        return described

    for event_type in (EVENT_NEW_CALL, EVENT_ANSWER, EVENT_HANGUP, EVENT_DTMF, EVENT_FAX_STATUS):
        async_describe_event(DOMAIN, event_type, describe)
    for event_type in MESSAGE_KINDS:
        async_describe_event(DOMAIN, event_type, _message_describer(hass))


def _message_describer(hass: HomeAssistant) -> Callable[[Event], dict[str, str]]:
    """Describes a voicemail, SMS or fax that arrived: what, from whom to whom, how long or how many pages."""

    def text(key: str, fallback: str) -> str:
        cached = async_get_cached_translations(hass, hass.config.language, "entity", DOMAIN)
        return cached.get(f"{MESSAGE_ATTRIBUTES}.{key}") or fallback

    def message_text(event_type: str, data: Mapping[str, Any]) -> str:
        kind = MESSAGE_KINDS[event_type]
        details = ""
        if kind == "voicemail" and data.get("duration") is not None:
            seconds = int(data["duration"])
            details = f" ({text('duration.name', 'Duration')}: {seconds // 60}:{seconds % 60:02d})"
        elif kind == "fax" and data.get("pages"):
            details = f" ({text('pages.name', 'Pages')}: {data['pages']})"
        return f"{text(f'event_type.state.{kind}', kind)}: {_party(data, 'from')} → {_party(data, 'to')}{details}"

    @callback
    def describe_message(event: Event) -> dict[str, str]:
        data = event.data
        described = {
            LOGBOOK_ENTRY_NAME: "sipgate",
            LOGBOOK_ENTRY_MESSAGE: message_text(str(event.event_type), data),
        }
        if entity_id := _call_entity_id(hass, data, "message_event"):
            described[LOGBOOK_ENTRY_ENTITY_ID] = entity_id
            if state := hass.states.get(entity_id):
                described[LOGBOOK_ENTRY_NAME] = state.name
        return described

    return describe_message
