"""Messages that arrive: new voicemails, SMS and faxes, announced once each.

The history coordinator reads the newest history entries; this module finds
the voicemails, received SMS and received faxes among them that were not
announced before and fires ``sipgate_voicemail_received``,
``sipgate_sms_received`` or ``sipgate_fax_received`` for each (and tells the
account's **Messages** event entity). What was announced is kept in the
entry's storage, so neither a reload nor a restart announces an item again.
On the very first read (nothing stored yet) the history that is already
there counts as known: only what arrives later is announced.

Nothing is announced before Home Assistant has started (automations arm their
triggers at start-up) and the tracker starts only once the platforms, and with
them the **Messages** entity, are set up: what arrived while Home Assistant
was down is announced right after the start, to listeners that hear it.
A received fax counts only once it is complete (:func:`arrived`): one still
being received, or failed, is neither announced nor remembered, so it is
announced when it completes. Numbers are given in E.164 (:func:`history_number`).

A voicemail is often not in the history yet when the call's hangup arrives:
after a hangup of an incoming call the history is read again a few times,
backing off, until a new voicemail shows up (at most :data:`VOICEMAIL_RETRIES`).
"""

from collections.abc import Callable
from typing import Any, Final

from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.helpers.dispatcher import async_dispatcher_connect, async_dispatcher_send
from homeassistant.helpers.event import async_call_later
from homeassistant.helpers.start import async_at_started

from .api import FaxStatus, HistoryEntry
from .api.phone import history_number
from .api.push_events import HangupEvent, PushEvent
from .const import (
    ATTR_CONFIG_ENTRY_ID,
    DOMAIN,
    EVENT_FAX_RECEIVED,
    EVENT_SMS_RECEIVED,
    EVENT_VOICEMAIL_RECEIVED,
    LOGGER,
)
from .entry_store import entry_store
from .runtime import SipgateConfigEntry
from .webhook import signal_call_event

# Ids of announced items kept (the history window read is far smaller).
MAX_REMEMBERED: Final = 1000
# Seconds between the extra history reads after a hangup while no new voicemail shows up.
# With the debounced read right after the hangup, the last one is about a minute later.
VOICEMAIL_RETRIES: Final = (10.0, 15.0, 25.0)

KIND_VOICEMAIL: Final = "voicemail"
KIND_SMS: Final = "sms"
KIND_FAX: Final = "fax"
EVENTS: Final = {
    KIND_VOICEMAIL: EVENT_VOICEMAIL_RECEIVED,
    KIND_SMS: EVENT_SMS_RECEIVED,
    KIND_FAX: EVENT_FAX_RECEIVED,
}
# The entry's store of announced items (entry_store.py).
STORE_PURPOSE: Final = "arrivals"
# Fax statuses (``faxStatusType``) of a fax not through yet; sipgate writes STARTING too.
FAX_UNFINISHED: Final = frozenset(
    {status.value for status in FaxStatus if not status.is_final} | {"STARTING"}
)


def signal_message(entry_id: str) -> str:
    """The dispatcher signal sent with ``(kind, event data)`` for each announced item."""
    return f"{DOMAIN}_{entry_id}_message"


def media_id(entry_id: str, kind: str, history_id: str) -> str:
    """The media source id of a voicemail's recording or a fax's document."""
    return f"media-source://{DOMAIN}/{entry_id}/{kind}/{history_id}"


def kind_of(entry: HistoryEntry) -> str | None:
    """``voicemail``, ``sms`` or ``fax`` for what arrived; ``None`` for calls and what was sent."""
    match entry.type:
        case "VOICEMAIL":
            return KIND_VOICEMAIL
        case "SMS" if entry.is_incoming:
            return KIND_SMS
        case "FAX" if entry.is_incoming:
            return KIND_FAX
    return None


def fax_complete(entry: HistoryEntry) -> bool:
    """Whether a fax is through: a final status that is not ``FAILED``, and its document."""
    status = entry.fax_status
    return bool(entry.document_url) and status not in FAX_UNFINISHED and status != FaxStatus.FAILED


def arrived(entry: HistoryEntry) -> str | None:
    """:func:`kind_of` an item that has fully arrived (a received fax once it is complete)."""
    kind = kind_of(entry)
    if kind == KIND_FAX and not fax_complete(entry):
        return None
    return kind


def line_of(entry: HistoryEntry) -> str | None:
    """The extension the item reached: its phone line (``p0``) when listed, else the first one."""
    lines = [connection for connection in entry.connection_ids if connection.startswith("p")]
    return next(iter(lines or entry.connection_ids), None)


class ArrivalTracker:
    """Announces each new voicemail, SMS and fax of one account once."""

    def __init__(self, hass: HomeAssistant, entry: SipgateConfigEntry) -> None:
        """Follow ``entry``'s history; call :meth:`async_load` before the first read."""
        self._hass = hass
        self._entry = entry
        self._store = entry_store(hass, entry.entry_id, STORE_PURPOSE)
        # Announced (or known at the first run) ids, oldest first; None: nothing stored yet.
        self._known: dict[str, None] | None = None
        self._retries_left = 0
        self._retry: CALLBACK_TYPE | None = None
        # Nothing is announced before Home Assistant has started.
        self._started = False
        self.history_reads_after_hangup = 0

    async def async_load(self) -> None:
        """Read what earlier runs announced."""
        stored = await self._store.async_load()
        if stored is not None:
            self._known = dict.fromkeys(str(item) for item in stored.get("known", []))

    @callback
    def async_start(self) -> Callable[[], None]:
        """Follow the history coordinator and the account's hangups; the returned callable stops.

        Call it once the platforms are set up. The read made during setup is
        looked at once Home Assistant has started (at once when it runs already).
        """
        coordinator = self._entry.runtime_data.coordinators.history
        remove_listener = coordinator.async_add_listener(self._async_history_read)
        remove_signal = async_dispatcher_connect(
            self._hass, signal_call_event(self._entry.entry_id), self._async_call_event
        )
        remove_started = async_at_started(self._hass, self._async_started)

        @callback
        def stop() -> None:
            remove_started()
            remove_listener()
            remove_signal()
            self._cancel_retry()

        return stop

    @callback
    def _async_started(self, _hass: HomeAssistant) -> None:
        self._started = True
        self._async_history_read()

    @property
    def looking_for_voicemail(self) -> bool:
        """Whether the history is still being read again for a voicemail after a hangup."""
        return self._retries_left > 0 or self._retry is not None

    @callback
    def _async_call_event(self, event: PushEvent, data: dict[str, Any]) -> None:
        """An incoming call ended: a voicemail may follow (the hangup's own history read comes first)."""
        if isinstance(event, HangupEvent) and event.direction != "out":
            self._cancel_retry()
            self._retries_left = len(VOICEMAIL_RETRIES)

    def _cancel_retry(self) -> None:
        if self._retry is not None:
            self._retry()
            self._retry = None

    @callback
    def _async_history_read(self) -> None:
        if not self._started:
            return  # looked at once Home Assistant has started
        coordinator = self._entry.runtime_data.coordinators.history
        data = coordinator.data
        announced_voicemail = False
        if data is not None and coordinator.last_update_success:
            announced_voicemail = KIND_VOICEMAIL in self._announce_new(data.entries)
        if announced_voicemail:
            self._retries_left = 0
            self._cancel_retry()
        elif self._retries_left > 0 and self._retry is None:
            delay = VOICEMAIL_RETRIES[len(VOICEMAIL_RETRIES) - self._retries_left]
            self._retries_left -= 1
            self._retry = async_call_later(self._hass, delay, self._async_read_again)

    @callback
    def _async_read_again(self, _now: object) -> None:
        self._retry = None
        self.history_reads_after_hangup += 1
        self._hass.async_create_task(
            self._entry.runtime_data.coordinators.history.async_refresh(),
            f"sipgate history read for a voicemail {self._entry.entry_id}",
        )

    def _announce_new(self, entries: tuple[HistoryEntry, ...]) -> set[str]:
        """Fire an event for each new item (oldest first); return the kinds announced."""
        items = [(kind, entry) for entry in entries if (kind := arrived(entry)) is not None]
        if self._known is None:
            # The first run: what is there is known already; only what arrives later is news.
            self._known = dict.fromkeys(entry.id for _, entry in reversed(items))
            self._save()
            return set()
        new = [(kind, entry) for kind, entry in reversed(items) if entry.id not in self._known]
        for kind, entry in new:
            self._known[entry.id] = None
            self._fire(kind, entry)
        if new:
            while len(self._known) > MAX_REMEMBERED:
                del self._known[next(iter(self._known))]
            self._save()
        return {kind for kind, _ in new}

    def _save(self) -> None:
        known = list(self._known or ())
        self._hass.async_create_task(
            self._store.async_save({"known": known}), f"sipgate save arrivals {self._entry.entry_id}"
        )

    def _fire(self, kind: str, entry: HistoryEntry) -> None:
        data = self.event_data(kind, entry)
        LOGGER.debug("New %s in the history: %s", kind, entry.id)
        self._hass.bus.async_fire(EVENTS[kind], data)
        async_dispatcher_send(self._hass, signal_message(self._entry.entry_id), kind, data)

    def event_data(self, kind: str, entry: HistoryEntry) -> dict[str, Any]:
        """The bus event's data for an item."""
        runtime = self._entry.runtime_data
        names = runtime.contacts.names
        from_number = history_number(entry.source, region=runtime.client.region)
        to_number = history_number(entry.target, region=runtime.client.region)
        data: dict[str, Any] = {
            ATTR_CONFIG_ENTRY_ID: self._entry.entry_id,
            "history_id": entry.id,
            "from_number": from_number,
            "to_number": to_number,
            "from_name": entry.source_alias or names.lookup(from_number),
            "to_name": entry.target_alias or names.lookup(to_number),
            "line": line_of(entry),
            "time": entry.created.isoformat() if entry.created else None,
        }
        match kind:
            case "voicemail":
                data["duration"] = entry.duration
                data["transcription"] = entry.transcription or None
                data["media_id"] = media_id(self._entry.entry_id, kind, entry.id)
            case "sms":
                data["text"] = entry.sms_content or ""
            case _:
                data["pages"] = entry.page_count
                data["media_id"] = media_id(self._entry.entry_id, kind, entry.id)
        return data
