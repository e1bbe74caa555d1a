"""The call, SMS, fax and voicemail history: reading, flags, deletion, CSV export."""

import csv
import io
from typing import Final

from aiohttp import web

from ..context import account_of, multi_query, no_content, not_found, paged
from ..state import DEFAULT_HISTORY_LIMIT


async def get_history(request: web.Request) -> web.Response:
    """``GET /history`` with its filters; 10 entries unless ``limit`` says otherwise."""
    entries = account_of(request).filter_history(multi_query(request))
    return web.json_response(paged(entries, request, DEFAULT_HISTORY_LIMIT))


async def put_history(request: web.Request) -> web.Response:
    """``PUT /history``: flags of many entries."""
    account = account_of(request)
    for change in await request.json():
        if (entry := account.history_entry(str(change.get("id")))) is not None:
            account.update_history(entry, change)
    return no_content()


async def delete_history(request: web.Request) -> web.Response:
    """``DELETE /history?id=…&id=…``."""
    account_of(request).delete_history(request.query.getall("id", []))
    return no_content()


async def get_history_entry(request: web.Request) -> web.Response:
    """``GET /history/{entryId}`` (a fax's status moves on with each read)."""
    entry = account_of(request).read_history_entry(request.match_info["entryId"])
    return web.json_response(entry) if entry else not_found("history entry")


async def put_history_entry(request: web.Request) -> web.Response:
    """``PUT /history/{entryId}``."""
    account = account_of(request)
    entry = account.history_entry(request.match_info["entryId"])
    if entry is None:
        return not_found("history entry")
    account.update_history(entry, await request.json())
    return no_content()


async def delete_history_entry(request: web.Request) -> web.Response:
    """``DELETE /history/{entryId}``."""
    if not account_of(request).delete_history([request.match_info["entryId"]]):
        return not_found("history entry")
    return no_content()


EXPORT_COLUMNS: Final = (
    "id",
    "created",
    "type",
    "direction",
    "source",
    "target",
    "sourceAlias",
    "targetAlias",
    "status",
    "read",
    "archived",
    "starred",
    "note",
)


async def export_history(request: web.Request) -> web.Response:
    """``GET /history/export``: the filtered entries as CSV."""
    page = paged(account_of(request).filter_history(multi_query(request)), request, DEFAULT_HISTORY_LIMIT)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(EXPORT_COLUMNS)
    for entry in page["items"]:
        writer.writerow(
            [
                str(entry.get(column, "")).lower()
                if isinstance(entry.get(column), bool)
                else entry.get(column, "")
                for column in EXPORT_COLUMNS
            ]
        )
    return web.Response(text=out.getvalue(), content_type="text/csv")
