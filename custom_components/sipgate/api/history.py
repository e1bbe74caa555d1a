"""The call, fax, SMS and voicemail history: read, filter, update, delete, export."""

from collections.abc import AsyncIterator, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any, ClassVar

from .exceptions import SipgateValidationError
from .model import ApiModel, check_required
from .pagination import Page, iterate_pages
from .parsing import (
    custom,
    flag,
    inner_text,
    moment,
    nested_list,
    number,
    read_int,
    read_objects,
    read_str,
    required,
    text,
    texts,
)
from .phone import normalize_number, validate_extension
from .query import QueryValue
from .transport import Transport, items_of, path_segment

MAX_PAGE_SIZE = 1000
SCOPE_READ = "history:read"
SCOPE_WRITE = "history:write"
_FLAG_FIELDS = ("read", "archived", "starred")


class HistoryType(StrEnum):
    """What kind of entry."""

    CALL = "CALL"
    VOICEMAIL = "VOICEMAIL"
    SMS = "SMS"
    FAX = "FAX"


class HistoryDirection(StrEnum):
    """Which way, and whether it was missed."""

    INCOMING = "INCOMING"
    OUTGOING = "OUTGOING"
    MISSED_INCOMING = "MISSED_INCOMING"
    MISSED_OUTGOING = "MISSED_OUTGOING"


@dataclass(frozen=True, slots=True, kw_only=True)
class HistoryFilter:
    """Which entries to read. Empty collections and ``None`` mean "any"."""

    types: Sequence[HistoryType | str] = ()
    directions: Sequence[HistoryDirection | str] = ()
    connection_ids: Sequence[str] = ()
    archived: bool | None = None
    starred: bool | None = None
    start: datetime | None = None
    end: datetime | None = None
    phonenumber: str | None = None

    def to_query(self, *, region: str | None, with_phonenumber: bool = True) -> dict[str, QueryValue]:
        """The query parameters (``from``/``to`` are the start and end of the time range)."""
        types = [HistoryType(str(value)).value for value in self.types]
        directions = [HistoryDirection(str(value)).value for value in self.directions]
        query: dict[str, QueryValue] = {
            "archived": self.archived,
            "connectionIds": [validate_extension(c, field="connection_ids") for c in self.connection_ids]
            or None,
            "directions": directions or None,
            "from": self.start,
            "starred": None if self.starred is None else ("STARRED" if self.starred else "UNSTARRED"),
            "to": self.end,
            "types": types or None,
        }
        if self.phonenumber and not with_phonenumber:
            raise SipgateValidationError(
                "phonenumber: the CSV export cannot filter by phone number",
                field="phonenumber",
                value=self.phonenumber,
            )
        if self.phonenumber:
            query["phonenumber"] = normalize_number(self.phonenumber, field="phonenumber", region=region)
        return query


@dataclass(frozen=True, slots=True)
class HistoryEndpoint(ApiModel):
    """Where an entry went (``RoutedEndpointResponse``): ``ROUTED``, ``FORWARDED`` or ``PICKUP`` to an extension of a type."""

    model_name: ClassVar[str] = "history endpoint"

    type: str | None = text()
    extension: str | None = inner_text("endpoint", "extension")
    extension_type: str | None = inner_text("endpoint", "type")


def _urls(value: Any) -> tuple[str, ...]:
    """The ``url`` of each recording that has one."""
    return tuple(url for item in read_objects(value) if (url := read_str(item.get("url"))))


@dataclass(frozen=True, slots=True)
class HistoryEntry(ApiModel):
    """One history entry (``HistoryEntryResponse``); fields of other entry types stay ``None``."""

    model_name: ClassVar[str] = "history entry"

    id: str = required()
    type: str = text(default="UNKNOWN")
    direction: str | None = text()
    source: str | None = text()
    target: str | None = text()
    source_alias: str | None = text("sourceAlias")
    target_alias: str | None = text("targetAlias")
    created: datetime | None = moment()
    last_modified: datetime | None = moment("lastModified")
    status: str | None = text()
    incoming: bool = flag()
    read: bool = flag()
    archived: bool = flag()
    starred: bool = flag()
    note: str | None = text()
    connection_ids: tuple[str, ...] = texts("connectionIds")
    labels: tuple[str, ...] = texts()
    endpoints: tuple[HistoryEndpoint, ...] = nested_list(HistoryEndpoint)
    # Calls and voicemails
    call_id: str | None = text("callId")
    call_status: str | None = text("callStatus")
    duration: int | None = number()
    recording_urls: tuple[str, ...] = custom(_urls, "recordings", default=())
    transcription: str | None = text()
    # SMS
    sms_content: str | None = text("smsContent")
    # Fax
    fax_status: str | None = text("faxStatusType")
    page_count: int | None = number("pageCount")
    document_url: str | None = text("documentUrl")
    report_url: str | None = text("reportUrl")
    preview_url: str | None = text("previewUrl")
    # SMS and fax
    scheduled: datetime | None = moment()

    @property
    def is_missed(self) -> bool:
        """A missed call (in either direction)."""
        return self.direction in (HistoryDirection.MISSED_INCOMING, HistoryDirection.MISSED_OUTGOING)

    @property
    def is_incoming(self) -> bool:
        """It reached the account: the ``incoming`` flag, or the direction ``INCOMING``/``MISSED_INCOMING``."""
        return self.incoming or self.direction in (
            HistoryDirection.INCOMING,
            HistoryDirection.MISSED_INCOMING,
        )

    @classmethod
    def __pre_deserialize__(cls, d: dict[Any, Any]) -> dict[Any, Any]:
        """Sipgate's older names: ``recordingUrl`` (one more recording) and ``faxStatus`` (for ``faxStatusType``)."""
        check_required(cls, d)
        extra: dict[str, Any] = {}
        if read_str(d.get("recordingUrl")):
            extra["recordings"] = [*read_objects(d.get("recordings")), {"url": d["recordingUrl"]}]
        if not read_str(d.get("faxStatusType")) and read_str(d.get("faxStatus")):
            extra["faxStatusType"] = d["faxStatus"]
        return d | extra if extra else d


@dataclass(frozen=True, slots=True)
class HistoryChange:
    """Changes to one entry; ``None`` leaves a field as it is."""

    entry_id: str
    read: bool | None = None
    archived: bool | None = None
    starred: bool | None = None
    note: str | None = None

    def flags(self) -> dict[str, bool]:
        """The flag changes as API fields."""
        return {name: value for name in _FLAG_FIELDS if (value := getattr(self, name)) is not None}


def _page_size(limit: int | None) -> int | None:
    if limit is not None and not 1 <= limit <= MAX_PAGE_SIZE:
        raise SipgateValidationError(
            f"limit: {limit} is outside 1-{MAX_PAGE_SIZE}", field="limit", value=limit
        )
    return limit


class HistoryApi:
    """Read and change the history."""

    def __init__(self, transport: Transport) -> None:
        """Use ``transport`` for every request."""
        self._transport = transport

    async def fetch(
        self,
        history_filter: HistoryFilter | None = None,
        *,
        limit: int | None = None,
        offset: int | None = None,
    ) -> Page[HistoryEntry]:
        """One page of entries. sipgate returns 10 when ``limit`` is not given (at most 1000)."""
        query = (history_filter or HistoryFilter()).to_query(region=self._transport.region)
        query |= {"offset": offset, "limit": _page_size(limit)}
        data = await self._transport.request("GET", "history", params=query, scope=SCOPE_READ)
        items = [HistoryEntry.from_dict(item) for item in items_of(data, "history")]
        return Page(items, read_int(data.get("totalCount")))

    def iterate(
        self, history_filter: HistoryFilter | None = None, *, page_size: int = 100, limit: int | None = None
    ) -> AsyncIterator[HistoryEntry]:
        """Every matching entry, page by page (up to ``limit`` entries)."""

        async def fetch(offset: int, size: int) -> Page[HistoryEntry]:
            return await self.fetch(history_filter, limit=size, offset=offset)

        return iterate_pages(
            fetch, page_size=_page_size(page_size) or 100, limit=limit, key=lambda entry: entry.id
        )

    async def get(self, entry_id: str) -> HistoryEntry:
        """One entry by id (also a fax's or SMS's session id)."""
        return HistoryEntry.from_dict(
            await self._transport.get_object(f"history/{path_segment(entry_id)}", scope=SCOPE_READ)
        )

    async def delete(self, entry_id: str) -> None:
        """Delete one entry."""
        await self._transport.request("DELETE", f"history/{path_segment(entry_id)}", scope=SCOPE_WRITE)

    async def delete_many(self, entry_ids: Iterable[str]) -> None:
        """Delete several entries in one request (``DELETE /history?id=…&id=…``)."""
        ids = [str(entry_id) for entry_id in entry_ids]
        if not ids:
            return
        await self._transport.request("DELETE", "history", params={"id": ids}, scope=SCOPE_WRITE)

    async def update(
        self,
        entry_id: str,
        *,
        read: bool | None = None,
        archived: bool | None = None,
        starred: bool | None = None,
        note: str | None = None,
    ) -> None:
        """Change one entry (``PUT /history/{id}``); only the given fields are sent."""
        change = HistoryChange(entry_id, read=read, archived=archived, starred=starred, note=note)
        body: dict[str, Any] = change.flags()
        if note is not None:
            body["note"] = note
        if not body:
            return
        await self._transport.request(
            "PUT", f"history/{path_segment(entry_id)}", json_body=body, scope=SCOPE_WRITE
        )

    async def update_many(self, changes: Iterable[HistoryChange]) -> None:
        """Apply many changes with as few requests as possible.

        Flag changes go together in one ``PUT /history``; an entry whose note
        changes needs its own ``PUT /history/{id}``. Changes without any field
        send nothing.
        """
        batch: list[dict[str, Any]] = []
        for change in changes:
            if change.note is not None:
                await self.update(
                    change.entry_id,
                    read=change.read,
                    archived=change.archived,
                    starred=change.starred,
                    note=change.note,
                )
            elif flags := change.flags():
                batch.append({"id": str(change.entry_id), **flags})
        if batch:
            await self._transport.request("PUT", "history", json_body=batch, scope=SCOPE_WRITE)

    async def export_csv(
        self,
        history_filter: HistoryFilter | None = None,
        *,
        limit: int | None = None,
        offset: int | None = None,
    ) -> str:
        """The matching entries as CSV text (``GET /history/export``)."""
        query = (history_filter or HistoryFilter()).to_query(
            region=self._transport.region, with_phonenumber=False
        )
        query |= {"offset": offset, "limit": _page_size(limit)}
        return await self._transport.request_text("GET", "history/export", params=query, scope=SCOPE_READ)
