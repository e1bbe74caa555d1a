"""The account's event entities: one event per webhook push (README "Call events"), one per message that arrived."""

import re
from typing import Any

from homeassistant.components.event import EventEntity
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.dispatcher import async_dispatcher_connect
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .api.push_events import AnswerEvent, DtmfEvent, HangupCause, HangupEvent, NewCallEvent, PushEvent
from .arrivals import KIND_FAX, KIND_SMS, KIND_VOICEMAIL, signal_message
from .entity import SipgateAccountEntity, SipgateCallFollowingEntity
from .runtime import SipgateConfigEntry

PARALLEL_UPDATES = 0

EVENT_TYPES = ["incoming_call", "outgoing_call", "answered", "hung_up", "dtmf"]
# Event data shown as attributes: small values only, no lists.
ATTRIBUTES = (
    "call_id",
    "direction",
    "from_number",
    "to_number",
    "from_name",
    "to_name",
    "user",
    "cause",
    "dtmf",
)
MESSAGE_EVENT_TYPES = [KIND_VOICEMAIL, KIND_SMS, KIND_FAX]
# The message event's data shown as attributes (the SMS text and transcription are in the bus event).
MESSAGE_ATTRIBUTES = (
    "history_id",
    "from_number",
    "to_number",
    "from_name",
    "to_name",
    "line",
    "time",
    "duration",
    "pages",
    "media_id",
)


# The entity's `cause` attribute: sipgate's hangup cause in snake case (normalClearing →
# normal_clearing), so that its values can be translated (translation keys are lowercase).
def cause_key(cause: str) -> str:
    """Sipgate's hangup cause as the attribute value (``noAnswer`` → ``no_answer``)."""
    return re.sub(r"(?<!^)(?=[A-Z])", "_", cause).lower()


HANGUP_CAUSES = [cause_key(cause) for cause in HangupCause]


async def async_setup_entry(
    hass: HomeAssistant, entry: SipgateConfigEntry, async_add_entities: AddConfigEntryEntitiesCallback
) -> None:
    """Add the account's call event entity."""
    async_add_entities([SipgateCallEventEntity(entry), SipgateMessageEventEntity(entry)])


def event_type_of(event: PushEvent) -> str:
    """The entity's event type for a webhook event."""
    match event:
        case NewCallEvent():
            return "incoming_call" if event.direction == "in" else "outgoing_call"
        case AnswerEvent():
            return "answered"
        case HangupEvent():
            return "hung_up"
        case DtmfEvent():
            return "dtmf"
    raise ValueError(event)  # pragma: no cover - exhaustive


class SipgateCallEventEntity(SipgateCallFollowingEntity, EventEntity):
    """Fires for each call happening of the account."""

    _attr_translation_key = "call"
    _attr_event_types = EVENT_TYPES
    # Unique per call: kept out of the recorder (the bus event it mirrors is recorded with them).
    _unrecorded_attributes = frozenset(ATTRIBUTES)

    def __init__(self, entry: SipgateConfigEntry) -> None:
        """Create the account's call event entity."""
        super().__init__(entry, "call_event")

    @callback
    def _async_handle_call_event(self, event: PushEvent, data: dict[str, Any]) -> None:
        attributes = {key: data[key] for key in ATTRIBUTES if data.get(key) is not None}
        if "cause" in attributes:
            attributes["cause"] = cause_key(str(attributes["cause"]))
        self._trigger_event(event_type_of(event), attributes)
        self.async_write_ha_state()


class SipgateMessageEventEntity(SipgateAccountEntity, EventEntity):
    """Fires for each voicemail, SMS and fax that arrives at the account."""

    _attr_translation_key = "message"
    _attr_event_types = MESSAGE_EVENT_TYPES
    # Unique per message: kept out of the recorder (the bus event it mirrors is recorded with them).
    _unrecorded_attributes = frozenset(MESSAGE_ATTRIBUTES)

    def __init__(self, entry: SipgateConfigEntry) -> None:
        """Create the account's message event entity."""
        super().__init__(entry, "message_event")

    async def async_added_to_hass(self) -> None:
        """Follow the messages the history shows arriving."""
        await super().async_added_to_hass()
        self.async_on_remove(
            async_dispatcher_connect(self.hass, signal_message(self._entry.entry_id), self._async_message)
        )

    @callback
    def _async_message(self, kind: str, data: dict[str, Any]) -> None:
        self._trigger_event(kind, {key: data[key] for key in MESSAGE_ATTRIBUTES if data.get(key) is not None})
        self.async_write_ha_state()
