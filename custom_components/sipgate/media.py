"""Voicemail recordings and fax documents, fetched from sipgate through Home Assistant.

The media browser, media players and notifications never see sipgate's links or
the account's token: they get a path of Home Assistant's own
(``/api/sipgate/media/<entry>/<kind>/<history id>``, authenticated or signed),
and Home Assistant fetches the file from sipgate with the account's credentials
(:meth:`Transport.download` sends them to sipgate's API only).
"""

from dataclasses import dataclass
from http import HTTPStatus
import re
from typing import Final

from aiohttp import web

from homeassistant.components.http import HomeAssistantView
from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant, callback

from .api import HistoryEntry, SipgateError, SipgateNotFoundError
from .arrivals import KIND_FAX, KIND_VOICEMAIL, arrived, kind_of
from .const import DOMAIN, LOGGER
from .runtime import SipgateConfigEntry

MEDIA_PATH: Final = "/api/sipgate/media"
# Larger files are refused (a voicemail of several minutes is a few MB).
MAX_ATTACHMENT_BYTES: Final = 30 * 1024 * 1024
KINDS: Final = (KIND_VOICEMAIL, KIND_FAX)
DEFAULT_MIME: Final = {KIND_VOICEMAIL: "audio/mpeg", KIND_FAX: "application/pdf"}
EXTENSIONS: Final = {
    "audio/mpeg": ".mp3",
    "audio/mp3": ".mp3",
    "audio/wav": ".wav",
    "audio/x-wav": ".wav",
    "audio/ogg": ".ogg",
    "application/pdf": ".pdf",
}
_HISTORY_ID: Final = re.compile(r"[A-Za-z0-9_-]{1,64}")


@dataclass(frozen=True, slots=True)
class Attachment:
    """A file of a history entry, as sipgate sent it."""

    kind: str
    history_id: str
    content_type: str
    body: bytes

    @property
    def filename(self) -> str:
        """A file name for it (``sipgate-voicemail-100001240.mp3``)."""
        extension = EXTENSIONS.get(self.content_type, EXTENSIONS[DEFAULT_MIME[self.kind]])
        return f"sipgate-{self.kind}-{self.history_id}{extension}"


def media_path(entry_id: str, kind: str, history_id: str) -> str:
    """Home Assistant's path of an item's file."""
    return f"{MEDIA_PATH}/{entry_id}/{kind}/{history_id}"


def valid_history_id(history_id: str) -> bool:
    """A history id as sipgate writes them (digits; letters for sessions), nothing that changes a path."""
    return _HISTORY_ID.fullmatch(history_id) is not None


def attachment_url(entry: HistoryEntry) -> str | None:
    """The link sipgate gives to the recording of a voicemail or the document of a complete received fax."""
    match arrived(entry):
        case "voicemail":
            return entry.recording_urls[0] if entry.recording_urls else None
        case "fax":
            return entry.document_url
    return None


async def async_fetch_attachment(entry: SipgateConfigEntry, kind: str | None, history_id: str) -> Attachment:
    """The recording or document of one history entry (of ``kind``; ``None``: whichever it has).

    Raises :class:`SipgateNotFoundError` when the entry is not a ``kind`` or has no file.
    """
    client = entry.runtime_data.client
    history_entry = await client.history.get(history_id)
    found = kind_of(history_entry)
    kind = kind or found
    url = attachment_url(history_entry) if found == kind else None
    if url is None or kind is None:
        raise SipgateNotFoundError(HTTPStatus.NOT_FOUND, f"history entry {history_id} has no {kind} file")
    raw = await client.transport.download(url, max_bytes=MAX_ATTACHMENT_BYTES, scope="history:read")
    content_type = raw.content_type or DEFAULT_MIME[kind]
    if content_type == "application/octet-stream":
        content_type = DEFAULT_MIME[kind]
    return Attachment(kind, history_id, content_type, raw.body)


def loaded_entry(hass: HomeAssistant, entry_id: str) -> SipgateConfigEntry | None:
    """A set-up sipgate entry by id."""
    entry = hass.config_entries.async_get_entry(entry_id)
    if entry is None or entry.domain != DOMAIN or entry.state is not ConfigEntryState.LOADED:
        return None
    return entry


class SipgateMediaView(HomeAssistantView):
    """Serves a voicemail's recording or a fax's document to signed-in users and signed paths."""

    url = MEDIA_PATH + "/{entry_id}/{kind}/{history_id}"
    name = "api:sipgate:media"
    requires_auth = True

    async def get(self, request: web.Request, entry_id: str, kind: str, history_id: str) -> web.Response:
        """The file, fetched from sipgate now."""
        hass: HomeAssistant = request.app["hass"]
        entry = loaded_entry(hass, entry_id)
        if entry is None or kind not in KINDS or not valid_history_id(history_id):
            return web.Response(status=HTTPStatus.NOT_FOUND)
        try:
            attachment = await async_fetch_attachment(entry, kind, history_id)
        except SipgateNotFoundError:
            return web.Response(status=HTTPStatus.NOT_FOUND)
        except SipgateError as err:
            LOGGER.warning(
                "Could not fetch the %s of history entry %s from sipgate: %s", kind, history_id, err
            )
            return web.Response(status=HTTPStatus.BAD_GATEWAY)
        return web.Response(
            body=attachment.body,
            content_type=attachment.content_type,
            headers={
                "Content-Disposition": f'inline; filename="{attachment.filename}"',
                "Cache-Control": "private, max-age=300",
            },
        )


@callback
def async_setup_media(hass: HomeAssistant) -> None:
    """Serve the account's recordings and documents."""
    hass.http.register_view(SipgateMediaView())
