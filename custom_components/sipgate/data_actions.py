"""Actions for messaging, sessions and data (spec §7.1, §7.3)."""

from collections.abc import Callable, Coroutine
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from homeassistant.core import HomeAssistant, ServiceCall, ServiceResponse, SupportsResponse, callback
from homeassistant.helpers import config_validation as cv
from homeassistant.helpers.service import async_register_admin_service
from homeassistant.util import dt as dt_util

from .api import Contact, HistoryChange, HistoryEntry, HistoryFilter, SipgateNotFoundError, WebhookSettings
from .call_actions import phone_number
from .compat import vol
from .const import ATTR_CONFIG_ENTRY_ID, DOMAIN
from .runtime import SipgateConfigEntry
from .service_helpers import mapped_errors, resolve_entry, service_error

if TYPE_CHECKING:
    from .api.contacts import NewContact

type Handler = Callable[
    [HomeAssistant, SipgateConfigEntry, dict[str, Any]], Coroutine[Any, Any, ServiceResponse]
]

ENTRY = {vol.Optional(ATTR_CONFIG_ENTRY_ID): cv.string}


def sipgate_choice(*values: str) -> Callable[[Any], str]:
    """One of sipgate's uppercase values, chosen by its lowercase selector key.

    The selectors offer ``call``, ``private`` …; sipgate wants ``CALL``, ``PRIVATE``.
    The uppercase form is accepted too (automations written before 0.2.0 use it).
    """
    by_key = {value.lower(): value for value in values}

    def validate(value: Any) -> str:
        if not isinstance(value, str) or value.lower() not in by_key:
            raise vol.Invalid(f"expected one of {', '.join(by_key)}")
        return by_key[value.lower()]

    return validate


HISTORY_TYPE = sipgate_choice("CALL", "VOICEMAIL", "SMS", "FAX")
HISTORY_DIRECTION = sipgate_choice("INCOMING", "OUTGOING", "MISSED_INCOMING", "MISSED_OUTGOING")
ANY_SCOPE = sipgate_choice("PRIVATE", "SHARED", "INTERNAL", "ALL")
WRITABLE_SCOPE = sipgate_choice("PRIVATE", "SHARED")
HISTORY_FILTER = {
    vol.Optional("types"): vol.All(cv.ensure_list, [HISTORY_TYPE]),
    vol.Optional("directions"): vol.All(cv.ensure_list, [HISTORY_DIRECTION]),
    vol.Optional("archived"): cv.boolean,
    vol.Optional("starred"): cv.boolean,
    vol.Optional("from"): cv.datetime,
    vol.Optional("to"): cv.datetime,
    vol.Optional("connection_ids"): vol.All(cv.ensure_list, [cv.string]),
}
PAGE = {
    vol.Optional("limit", default=50): vol.All(vol.Coerce(int), vol.Range(min=1, max=1000)),
    vol.Optional("offset", default=0): vol.All(vol.Coerce(int), vol.Range(min=0)),
}
MAX_FAX_BYTES = 30 * 1024 * 1024


def _new_contact() -> type[NewContact]:
    """The contact model, imported when a contact action first runs (it is not needed before)."""
    from .api.contacts import NewContact  # noqa: PLC0415

    return NewContact


def _aware(moment: datetime | None) -> datetime | None:
    """A datetime from a service field: naive means Home Assistant's time zone."""
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=dt_util.get_default_time_zone())


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


def contact_data(contact: Contact) -> dict[str, Any]:
    """A contact as action response data."""
    return dict(contact.to_object())


def settings_data(settings: WebhookSettings) -> dict[str, Any]:
    """Webhook settings as action response data."""
    return {
        "incoming_url": settings.incoming_url,
        "outgoing_url": settings.outgoing_url,
        "log": settings.log,
        "whitelist": None if settings.whitelist is None else list(settings.whitelist),
    }


def _history_filter(data: dict[str, Any]) -> HistoryFilter:
    return HistoryFilter(
        types=data.get("types", ()),
        directions=data.get("directions", ()),
        connection_ids=data.get("connection_ids", ()),
        archived=data.get("archived"),
        starred=data.get("starred"),
        start=_aware(data.get("from")),
        end=_aware(data.get("to")),
        phonenumber=data.get("phonenumber"),
    )


async def _default_sms_id(entry: SipgateConfigEntry) -> str:
    """The token owner's first SMS extension, looked up once."""
    data = entry.runtime_data
    if "sms_id" not in data.defaults:
        extensions = await data.client.sms.get_extensions(data.userinfo.sub)
        if not extensions:
            raise service_error("no_sms_extension")
        data.defaults["sms_id"] = extensions[0].id
    return data.defaults["sms_id"]


async def _default_faxline(entry: SipgateConfigEntry) -> str:
    """The token owner's first fax line that can send, looked up once."""
    data = entry.runtime_data
    if "faxline_id" not in data.defaults:
        lines = [line for line in await data.client.fax.get_faxlines(data.userinfo.sub) if line.can_send]
        if not lines:
            raise service_error("no_faxline")
        data.defaults["faxline_id"] = lines[0].id
    return data.defaults["faxline_id"]


async def send_sms(
    entry: SipgateConfigEntry, *, recipient: str, message: str, sms_id: str | None, send_at: datetime | None
) -> None:
    """Send one SMS (shared by the action and the notify entities)."""
    await entry.runtime_data.client.sms.send(
        sms_id=sms_id or await _default_sms_id(entry),
        recipient=recipient,
        message=message,
        send_at=_aware(send_at),
    )


async def _send_sms(hass: HomeAssistant, entry: SipgateConfigEntry, data: dict[str, Any]) -> ServiceResponse:
    await send_sms(
        entry,
        recipient=data["recipient"],
        message=data["message"],
        sms_id=data.get("sms_id"),
        send_at=data.get("send_at"),
    )
    return None


def _read_pdf(path: str) -> bytes:
    file = Path(path)
    if not file.is_file():
        raise service_error("file_not_found", path=path)
    if file.stat().st_size > MAX_FAX_BYTES:
        raise service_error("file_too_large", path=path, limit_mb=MAX_FAX_BYTES // (1024 * 1024))
    return file.read_bytes()


async def _check_allowed(hass: HomeAssistant, path: str) -> None:
    """Refuse a path outside ``allowlist_external_dirs``, or one that cannot be checked."""
    try:
        allowed = await hass.async_add_executor_job(hass.config.is_allowed_path, path)
    except ValueError:  # e.g. a NUL character in a folder name
        allowed = False
    if not allowed:
        raise service_error("file_not_allowed", path=path)


async def read_allowed_file(hass: HomeAssistant, path: str) -> bytes:
    """A local file's content, only from inside ``allowlist_external_dirs``."""
    await _check_allowed(hass, path)
    return await hass.async_add_executor_job(_read_pdf, path)


async def _send_fax(hass: HomeAssistant, entry: SipgateConfigEntry, data: dict[str, Any]) -> ServiceResponse:
    content = await read_allowed_file(hass, data["file"])
    faxline = data.get("faxline_id") or await _default_faxline(entry)
    filename = data.get("filename") or Path(data["file"]).name
    session_id = await entry.runtime_data.client.fax.send(
        faxline_id=faxline, recipient=data["recipient"], pdf=content, filename=filename
    )
    entry.runtime_data.messages.fax.follow(session_id, data["recipient"])
    return {"session_id": session_id}


async def _get_fax_status(
    hass: HomeAssistant, entry: SipgateConfigEntry, data: dict[str, Any]
) -> ServiceResponse:
    try:
        status = await entry.runtime_data.client.fax.get_status(data["session_id"])
    except SipgateNotFoundError as err:
        raise service_error("unknown_session", session_id=data["session_id"]) from err
    return {"session_id": data["session_id"], "status": status.value, "final": status.is_final}


async def _initiate_call(
    hass: HomeAssistant, entry: SipgateConfigEntry, data: dict[str, Any]
) -> ServiceResponse:
    session_id = await entry.runtime_data.client.calls.initiate(
        to=data["to"], caller=data["from"], device_id=data.get("device_id"), caller_id=data.get("caller_id")
    )
    return {"session_id": session_id}


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


async def _get_contacts(
    hass: HomeAssistant, entry: SipgateConfigEntry, data: dict[str, Any]
) -> ServiceResponse:
    page = await entry.runtime_data.client.contacts.get(
        data["scope"], limit=data["limit"], offset=data["offset"], phone_numbers=data.get("phone_numbers", ())
    )
    return {"contacts": [contact_data(c) for c in page.items], "total_count": page.total_count}


async def _create_contact(
    hass: HomeAssistant, entry: SipgateConfigEntry, data: dict[str, Any]
) -> ServiceResponse:
    await entry.runtime_data.client.contacts.create(
        _new_contact()(
            firstname=data.get("firstname", ""),
            lastname=data.get("lastname", ""),
            number=data.get("number"),
            email=data.get("email"),
            organization=data.get("organization", ()),
            scope=data["scope"],
        )
    )
    await entry.runtime_data.contacts.refresher.async_refresh()
    return None


async def _find_contact(entry: SipgateConfigEntry, contact_id: str) -> Contact:
    async for contact in entry.runtime_data.client.contacts.iterate():
        if contact.id == contact_id:
            return contact
    raise service_error("unknown_contact", contact_id=contact_id)


async def _update_contact(
    hass: HomeAssistant, entry: SipgateConfigEntry, data: dict[str, Any]
) -> ServiceResponse:
    from .api.contacts_formats import ContactEmail, ContactNumber  # noqa: PLC0415 - only when used

    contact = await _find_contact(entry, data["contact_id"])
    changes: dict[str, Any] = {}
    if "name" in data:
        changes["name"] = data["name"]
    if "numbers" in data:
        changes["numbers"] = tuple(ContactNumber(number) for number in data["numbers"])
    if "emails" in data:
        changes["emails"] = tuple(ContactEmail(email) for email in data["emails"])
    if "organization" in data:
        changes["organization"] = ((data["organization"],),) if data["organization"] else ()
    if not changes:
        raise service_error("nothing_to_change")
    await entry.runtime_data.client.contacts.update(replace(contact, **changes))
    await entry.runtime_data.contacts.refresher.async_refresh()
    return None


async def _delete_contact(
    hass: HomeAssistant, entry: SipgateConfigEntry, data: dict[str, Any]
) -> ServiceResponse:
    await entry.runtime_data.client.contacts.delete(data["contact_id"])
    await entry.runtime_data.contacts.refresher.async_refresh()
    return None


async def _delete_all_contacts(
    hass: HomeAssistant, entry: SipgateConfigEntry, data: dict[str, Any]
) -> ServiceResponse:
    if data.get("confirm") is not True:
        raise service_error("confirm_required")
    deleted = await entry.runtime_data.client.contacts.delete_all(data["scope"])
    await entry.runtime_data.contacts.refresher.async_refresh()
    return {"deleted": deleted}


async def _import_contacts(
    hass: HomeAssistant, entry: SipgateConfigEntry, data: dict[str, Any]
) -> ServiceResponse:
    if ("content" in data) == ("file" in data):
        raise service_error("content_or_file")
    if "file" in data:
        await _check_allowed(hass, data["file"])
        text = await hass.async_add_executor_job(_read_text, data["file"])
    else:
        text = data["content"]
    contacts = entry.runtime_data.client.contacts
    if data["format"] == "csv":
        result = await contacts.import_csv(text, delimiter=data.get("delimiter", ","))
        response: dict[str, Any] = {"imported": result.imported, "skipped_lines": list(result.skipped_lines)}
    else:
        await contacts.import_vcard(text, data["scope"])
        response = {"imported": 1, "skipped_lines": []}
    await entry.runtime_data.contacts.refresher.async_refresh()
    return response


def _read_text(path: str) -> str:
    file = Path(path)
    if not file.is_file():
        raise service_error("file_not_found", path=path)
    try:
        return file.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as err:
        raise service_error(
            "invalid_input", field="file", error=f"{path} is not UTF-8 text ({err.reason})"
        ) from err


async def _export_contacts(
    hass: HomeAssistant, entry: SipgateConfigEntry, data: dict[str, Any]
) -> ServiceResponse:
    contacts = entry.runtime_data.client.contacts
    if data["format"] == "csv":
        text = await contacts.export_csv(data["scope"], delimiter=data["delimiter"])
    else:
        text = await contacts.export_vcard(data["scope"])
    return {"content": text, "format": data["format"]}


async def _get_numbers(
    hass: HomeAssistant, entry: SipgateConfigEntry, data: dict[str, Any]
) -> ServiceResponse:
    return {
        "numbers": [
            {
                "id": number.id,
                "number": number.number,
                "localized": number.localized,
                "type": number.type,
                "endpoint_id": number.endpoint_id,
                "endpoint_alias": number.endpoint_alias,
            }
            async for number in entry.runtime_data.client.numbers.iterate()
        ]
    }


async def _get_webhook_settings(
    hass: HomeAssistant, entry: SipgateConfigEntry, data: dict[str, Any]
) -> ServiceResponse:
    return settings_data(await entry.runtime_data.client.webhook_settings.get())


async def _set_webhook_settings(
    hass: HomeAssistant, entry: SipgateConfigEntry, data: dict[str, Any]
) -> ServiceResponse:
    changes: dict[str, Any] = {
        key: data[key] for key in ("incoming_url", "outgoing_url", "log") if key in data
    }
    if data.get("whitelist_enabled") is False:
        changes["whitelist"] = None
    elif "whitelist" in data:
        changes["whitelist"] = data["whitelist"]
    if not changes:
        raise service_error("nothing_to_change")
    return settings_data(await entry.runtime_data.client.webhook_settings.update(**changes))


URL_OR_EMPTY = vol.Any("", cv.url)

ACTIONS: dict[str, tuple[Handler, dict[Any, Any], SupportsResponse]] = {
    "send_sms": (
        _send_sms,
        {
            vol.Required("recipient"): phone_number,
            vol.Required("message"): cv.string,
            vol.Optional("sms_id"): cv.string,
            vol.Optional("send_at"): cv.datetime,
        },
        SupportsResponse.NONE,
    ),
    "send_fax": (
        _send_fax,
        {
            vol.Required("recipient"): phone_number,
            vol.Required("file"): cv.string,
            vol.Optional("faxline_id"): cv.string,
            vol.Optional("filename"): cv.string,
        },
        SupportsResponse.OPTIONAL,
    ),
    "get_fax_status": (_get_fax_status, {vol.Required("session_id"): cv.string}, SupportsResponse.ONLY),
    "initiate_call": (
        _initiate_call,
        {
            vol.Required("to"): phone_number,
            vol.Required("from"): phone_number,
            vol.Optional("caller_id"): phone_number,
            vol.Optional("device_id"): cv.string,
        },
        SupportsResponse.OPTIONAL,
    ),
    "get_history": (
        _get_history,
        {**HISTORY_FILTER, vol.Optional("phonenumber"): phone_number, **PAGE},
        SupportsResponse.ONLY,
    ),
    "update_history": (
        _update_history,
        {
            vol.Required("entry_ids"): vol.All(cv.ensure_list, [cv.string], vol.Length(min=1)),
            vol.Optional("read"): cv.boolean,
            vol.Optional("archived"): cv.boolean,
            vol.Optional("starred"): cv.boolean,
            vol.Optional("note"): cv.string,
        },
        SupportsResponse.NONE,
    ),
    "delete_history": (
        _delete_history,
        {vol.Required("entry_ids"): vol.All(cv.ensure_list, [cv.string], vol.Length(min=1))},
        SupportsResponse.NONE,
    ),
    "export_history": (
        _export_history,
        {
            **HISTORY_FILTER,
            vol.Optional("limit"): vol.All(vol.Coerce(int), vol.Range(min=1, max=1000)),
            vol.Optional("offset"): vol.All(vol.Coerce(int), vol.Range(min=0)),
        },
        SupportsResponse.ONLY,
    ),
    "get_contacts": (
        _get_contacts,
        {
            vol.Optional("scope", default="ALL"): ANY_SCOPE,
            vol.Optional("phone_numbers"): vol.All(cv.ensure_list, [phone_number]),
            **PAGE,
        },
        SupportsResponse.ONLY,
    ),
    "create_contact": (
        _create_contact,
        {
            vol.Optional("firstname", default=""): cv.string,
            vol.Optional("lastname", default=""): cv.string,
            vol.Optional("number"): phone_number,
            vol.Optional("email"): cv.string,
            vol.Optional("organization"): cv.string,
            vol.Optional("scope", default="PRIVATE"): WRITABLE_SCOPE,
        },
        SupportsResponse.NONE,
    ),
    "update_contact": (
        _update_contact,
        {
            vol.Required("contact_id"): cv.string,
            vol.Optional("name"): cv.string,
            vol.Optional("numbers"): vol.All(cv.ensure_list, [phone_number]),
            vol.Optional("emails"): vol.All(cv.ensure_list, [cv.string]),
            vol.Optional("organization"): cv.string,
        },
        SupportsResponse.NONE,
    ),
    "delete_contact": (_delete_contact, {vol.Required("contact_id"): cv.string}, SupportsResponse.NONE),
    "delete_all_contacts": (
        _delete_all_contacts,
        {vol.Required("scope"): WRITABLE_SCOPE, vol.Required("confirm"): cv.boolean},
        SupportsResponse.OPTIONAL,
    ),
    "import_contacts": (
        _import_contacts,
        {
            vol.Required("format"): vol.In(["csv", "vcard"]),
            vol.Optional("content"): cv.string,
            vol.Optional("file"): cv.string,
            vol.Optional("scope", default="PRIVATE"): WRITABLE_SCOPE,
            vol.Optional("delimiter", default=","): vol.In([",", ";", "\t"]),
        },
        SupportsResponse.OPTIONAL,
    ),
    "export_contacts": (
        _export_contacts,
        {
            vol.Optional("scope", default="ALL"): ANY_SCOPE,
            vol.Optional("format", default="csv"): vol.In(["csv", "vcard"]),
            vol.Optional("delimiter", default=","): vol.In([",", ";", "\t"]),
        },
        SupportsResponse.ONLY,
    ),
    "get_numbers": (_get_numbers, {}, SupportsResponse.ONLY),
    "get_webhook_settings": (_get_webhook_settings, {}, SupportsResponse.ONLY),
    "set_webhook_settings": (
        _set_webhook_settings,
        {
            vol.Optional("incoming_url"): URL_OR_EMPTY,
            vol.Optional("outgoing_url"): URL_OR_EMPTY,
            vol.Optional("whitelist"): vol.All(cv.ensure_list, [cv.string]),
            vol.Optional("whitelist_enabled"): cv.boolean,
            vol.Optional("log"): cv.boolean,
        },
        SupportsResponse.OPTIONAL,
    ),
}


def _make(
    hass: HomeAssistant, handler: Handler
) -> Callable[[ServiceCall], Coroutine[Any, Any, ServiceResponse]]:
    async def handle(call: ServiceCall) -> ServiceResponse:
        entry = resolve_entry(hass, call)
        with mapped_errors(hass, entry):
            response = await handler(hass, entry, dict(call.data))
        return response if call.return_response else None

    return handle


# Actions that change the account or read files: only administrators may call them.
ADMIN_ACTIONS = frozenset(
    {
        "set_webhook_settings",
        "delete_history",
        "update_history",
        "delete_contact",
        "delete_all_contacts",
        "create_contact",
        "update_contact",
        "import_contacts",
        "send_fax",
    }
)


@callback
def async_register_data_actions(hass: HomeAssistant) -> None:
    """Register the messaging and data actions; those of ADMIN_ACTIONS for administrators only."""
    for name, (handler, fields, supports_response) in ACTIONS.items():
        schema = vol.Schema({**ENTRY, **fields})
        if name in ADMIN_ACTIONS:
            async_register_admin_service(hass, DOMAIN, name, _make(hass, handler), schema, supports_response)
        else:
            hass.services.async_register(
                DOMAIN, name, _make(hass, handler), schema=schema, supports_response=supports_response
            )
