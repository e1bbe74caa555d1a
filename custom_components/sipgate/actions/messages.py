"""Actions for messages that arrived: mark them read, save their files (administrators only).

README "Marking read and saving attachments".

Items are named by history id or by an event's ``media_id``, which also names the account.
"""

from pathlib import Path

from homeassistant.core import HomeAssistant, ServiceCall, ServiceResponse, SupportsResponse
from homeassistant.helpers import config_validation as cv

from ..api import HistoryChange, SipgateNotFoundError
from ..compat import vol
from ..const import DOMAIN
from ..media import KINDS, async_fetch_attachment, valid_history_id
from ..runtime import SipgateConfigEntry
from .helpers import SipgateAction, async_check_allowed, mapped_errors, resolve_entry, service_error

MEDIA_PREFIX = f"media-source://{DOMAIN}/"


def parse_item(value: str) -> tuple[str | None, str | None, str]:
    """``(entry id, kind, history id)`` of a history id or of an event's ``media_id``."""
    if value.startswith(MEDIA_PREFIX):
        entry_id, kind, history_id = ([*value.removeprefix(MEDIA_PREFIX).split("/"), "", ""])[:3]
        if kind not in KINDS or not valid_history_id(history_id):
            raise service_error("invalid_item", item=value)
        return entry_id, kind, history_id
    if not valid_history_id(value):
        raise service_error("invalid_item", item=value)
    return None, None, value


def _entry_for(
    hass: HomeAssistant, call: ServiceCall, items: list[tuple[str | None, str | None, str]]
) -> SipgateConfigEntry:
    """The account: ``config_entry_id``, else the only one, else the one the media ids name."""
    named = {entry_id for entry_id, _, _ in items if entry_id}
    return resolve_entry(hass, call, prefer=lambda entry: entry.entry_id in named)


async def _mark_read(hass: HomeAssistant, call: ServiceCall) -> ServiceResponse:
    items = [parse_item(value) for value in call.data["items"]]
    entry = _entry_for(hass, call, items)
    read = call.data["read"]
    with mapped_errors(hass, entry):
        await entry.runtime_data.client.history.update_many(
            [HistoryChange(history_id, read=read) for _, _, history_id in items]
        )
    await entry.runtime_data.coordinators.history.async_refresh()
    return None


def _write(path: Path, body: bytes) -> None:
    if not path.parent.is_dir():
        raise service_error("directory_not_found", path=str(path.parent))
    path.write_bytes(body)


async def _save_attachment(hass: HomeAssistant, call: ServiceCall) -> ServiceResponse:
    item = parse_item(call.data["item"])
    entry = _entry_for(hass, call, [item])
    filename = call.data.get("filename")
    if filename is not None and (Path(filename).name != filename or filename in ("", ".", "..")):
        raise service_error("invalid_filename", filename=filename)
    directory = Path(call.data["directory"])
    # Checked before anything is fetched, and again with the final file name.
    await async_check_allowed(hass, str(directory / (filename or "attachment")))
    with mapped_errors(hass, entry):
        try:
            attachment = await async_fetch_attachment(entry, item[1], item[2])
        except SipgateNotFoundError as err:
            raise service_error("no_attachment", item=call.data["item"]) from err
    target = directory / (filename or attachment.filename)
    await async_check_allowed(hass, str(target))
    await hass.async_add_executor_job(_write, target, attachment.body)
    return {"path": str(target), "content_type": attachment.content_type, "size": len(attachment.body)}


ACTIONS = [
    SipgateAction(
        name="mark_read",
        handler=_mark_read,
        fields={
            vol.Required("items"): vol.All(cv.ensure_list, [cv.string], vol.Length(min=1)),
            vol.Optional("read", default=True): cv.boolean,
        },
    ),
    SipgateAction(
        name="save_attachment",
        handler=_save_attachment,
        fields={
            vol.Required("item"): cv.string,
            vol.Required("directory"): cv.string,
            vol.Optional("filename"): cv.string,
        },
        supports_response=SupportsResponse.OPTIONAL,
    ),
]
