"""The media browser's sipgate source: each account's voicemails and received faxes.

``media-source://sipgate`` lists the accounts, an account its two folders
(voicemails, received faxes), a folder its items, newest first, read from
sipgate when opened; a received fax is listed once it is complete (the rule of
:func:`.arrivals.arrived`). An item resolves to Home Assistant's own path of the file
(:mod:`.media`), which the media browser and media players get signed.
"""

from homeassistant.components.media_player import BrowseError, MediaClass, MediaType
from homeassistant.components.media_source import BrowseMediaSource, MediaSource, MediaSourceItem, PlayMedia
from homeassistant.components.media_source.error import Unresolvable
from homeassistant.core import HomeAssistant
from homeassistant.helpers.translation import async_get_translations
from homeassistant.util import dt as dt_util

from .actions.helpers import loaded_entries
from .api import HistoryEntry, HistoryFilter, SipgateError
from .api.phone import history_number
from .arrivals import KIND_FAX, KIND_VOICEMAIL, kind_of
from .const import DOMAIN
from .media import DEFAULT_MIME, KINDS, attachment_url, loaded_entry, media_path, valid_history_id
from .runtime import SipgateConfigEntry

# Items listed per folder (sipgate's history, newest first).
FOLDER_LIMIT = 50
FOLDER_FILTERS = {
    KIND_VOICEMAIL: HistoryFilter(types=["VOICEMAIL"]),
    # Incoming like the arrivals count it (kind_of checks each item's flag and direction too).
    KIND_FAX: HistoryFilter(types=["FAX"], directions=["INCOMING", "MISSED_INCOMING"]),
}
FALLBACK_TEXTS = {"voicemail": "Voicemails", "fax": "Received faxes", "pages": "pages"}


async def async_get_media_source(hass: HomeAssistant) -> MediaSource:
    """The sipgate media source."""
    return SipgateMediaSource(hass)


def _duration(seconds: int | None) -> str:
    seconds = seconds or 0
    return f"{seconds // 60}:{seconds % 60:02d}"


class SipgateMediaSource(MediaSource):
    """Voicemails and received faxes of the sipgate accounts."""

    name = "sipgate"

    def __init__(self, hass: HomeAssistant) -> None:
        """Serve every loaded sipgate account."""
        super().__init__(DOMAIN)
        self.hass = hass

    async def _texts(self) -> dict[str, str]:
        """The folder names and words in Home Assistant's language."""
        cached = await async_get_translations(self.hass, self.hass.config.language, "common", {DOMAIN})
        prefix = f"component.{DOMAIN}.common."
        return {key: cached.get(prefix + key, fallback) for key, fallback in FALLBACK_TEXTS.items()}

    async def async_resolve_media(self, item: MediaSourceItem) -> PlayMedia:
        """An item's file: Home Assistant's path, never sipgate's link."""
        entry_id, _, rest = item.identifier.partition("/")
        kind, _, history_id = rest.partition("/")
        if loaded_entry(self.hass, entry_id) is None or kind not in KINDS or not valid_history_id(history_id):
            raise Unresolvable(
                translation_domain=DOMAIN,
                translation_key="media_not_found",
                translation_placeholders={"item": item.identifier},
            )
        return PlayMedia(media_path(entry_id, kind, history_id), DEFAULT_MIME[kind])

    async def async_browse_media(self, item: MediaSourceItem) -> BrowseMediaSource:
        """The accounts, an account's folders or a folder's items."""
        if not item.identifier:
            return self._accounts()
        entry_id, _, kind = item.identifier.partition("/")
        entry = loaded_entry(self.hass, entry_id)
        if entry is None or (kind and kind not in KINDS) or "/" in kind:
            raise BrowseError(
                translation_domain=DOMAIN,
                translation_key="media_not_found",
                translation_placeholders={"item": item.identifier},
            )
        texts = await self._texts()
        if not kind:
            return self._account(entry, texts)
        return await self._folder(entry, kind, texts)

    def _accounts(self) -> BrowseMediaSource:
        return BrowseMediaSource(
            domain=DOMAIN,
            identifier=None,
            media_class=MediaClass.APP,
            media_content_type=MediaType.APPS,
            title=self.name or DOMAIN,
            can_play=False,
            can_expand=True,
            children_media_class=MediaClass.DIRECTORY,
            children=[
                BrowseMediaSource(
                    domain=DOMAIN,
                    identifier=entry.entry_id,
                    media_class=MediaClass.DIRECTORY,
                    media_content_type=MediaType.APPS,
                    title=entry.title,
                    can_play=False,
                    can_expand=True,
                )
                for entry in loaded_entries(self.hass)
            ],
        )

    def _folder_node(self, entry: SipgateConfigEntry, kind: str, texts: dict[str, str]) -> BrowseMediaSource:
        return BrowseMediaSource(
            domain=DOMAIN,
            identifier=f"{entry.entry_id}/{kind}",
            media_class=MediaClass.DIRECTORY,
            media_content_type=MediaType.PLAYLIST if kind == KIND_VOICEMAIL else MediaType.APPS,
            title=texts[kind],
            can_play=False,
            can_expand=True,
            children_media_class=MediaClass.MUSIC if kind == KIND_VOICEMAIL else MediaClass.URL,
        )

    def _account(self, entry: SipgateConfigEntry, texts: dict[str, str]) -> BrowseMediaSource:
        return BrowseMediaSource(
            domain=DOMAIN,
            identifier=entry.entry_id,
            media_class=MediaClass.DIRECTORY,
            media_content_type=MediaType.APPS,
            title=entry.title,
            can_play=False,
            can_expand=True,
            children_media_class=MediaClass.DIRECTORY,
            children=[self._folder_node(entry, kind, texts) for kind in KINDS],
        )

    async def _folder(self, entry: SipgateConfigEntry, kind: str, texts: dict[str, str]) -> BrowseMediaSource:
        try:
            page = await entry.runtime_data.client.history.fetch(FOLDER_FILTERS[kind], limit=FOLDER_LIMIT)
        except SipgateError as err:
            raise BrowseError(
                translation_domain=DOMAIN,
                translation_key="media_unavailable",
                translation_placeholders={"error": str(err)},
            ) from err
        node = self._folder_node(entry, kind, texts)
        node.children = [
            self._item(entry, kind, history_entry, texts)
            for history_entry in sorted(
                page.items, key=lambda e: e.created or dt_util.utc_from_timestamp(0), reverse=True
            )
            if kind_of(history_entry) == kind
            and attachment_url(history_entry) is not None
            and valid_history_id(history_entry.id)
        ]
        return node

    def _item(
        self, entry: SipgateConfigEntry, kind: str, history_entry: HistoryEntry, texts: dict[str, str]
    ) -> BrowseMediaSource:
        names = entry.runtime_data.contacts.names
        number = history_number(history_entry.source, region=entry.runtime_data.client.region)
        who = history_entry.source_alias or names.lookup(number) or number or "?"
        if history_entry.source_alias and number and number != "anonymous":
            who = f"{who} ({number})"
        parts = [who]
        if history_entry.created:
            parts.append(dt_util.as_local(history_entry.created).strftime("%Y-%m-%d %H:%M"))
        if kind == KIND_VOICEMAIL:
            parts.append(_duration(history_entry.duration))
        elif history_entry.page_count:
            parts.append(f"{history_entry.page_count} {texts['pages']}")
        title = " · ".join(parts)
        if not history_entry.read:
            title = f"● {title}"
        return BrowseMediaSource(
            domain=DOMAIN,
            identifier=f"{entry.entry_id}/{kind}/{history_entry.id}",
            media_class=MediaClass.MUSIC if kind == KIND_VOICEMAIL else MediaClass.URL,
            media_content_type=DEFAULT_MIME[kind],
            title=title,
            can_play=True,
            can_expand=False,
        )
