"""Contact actions: read, create, change, delete, import and export contacts (README "Contacts").

Each change refreshes the contact-name index, so callers are named by the new contacts at once.
"""

from dataclasses import replace
from functools import partial
from typing import TYPE_CHECKING, Any

from homeassistant.core import HomeAssistant, ServiceResponse, SupportsResponse
from homeassistant.helpers import config_validation as cv

from ..api import Contact
from ..api.contacts import prepare_csv_import, prepare_vcard_import
from ..compat import vol
from ..runtime import SipgateConfigEntry
from .helpers import (
    PAGE,
    SipgateAction,
    async_read_allowed_text,
    for_entry,
    phone_number,
    service_error,
    sipgate_choice,
)

if TYPE_CHECKING:
    from ..api.contacts import NewContact

ANY_SCOPE = sipgate_choice("PRIVATE", "SHARED", "INTERNAL", "ALL")
WRITABLE_SCOPE = sipgate_choice("PRIVATE", "SHARED")
DELIMITERS = {"comma": ",", "semicolon": ";", "tab": "\t"}


def csv_delimiter(value: Any) -> str:
    """The CSV delimiter of a selector key (``comma``, ``semicolon``, ``tab``).

    The character itself (``,``, ``;`` or a tab) is accepted too: automations written before
    the selector had translated choices use it.
    """
    if isinstance(value, str):
        if value in DELIMITERS.values():
            return value
        if value.lower() in DELIMITERS:
            return DELIMITERS[value.lower()]
    raise vol.Invalid(f"expected one of {', '.join(DELIMITERS)}")


def _new_contact() -> type[NewContact]:
    """The contact model, imported when a contact action first runs (it is not needed before)."""
    from ..api.contacts import NewContact  # noqa: PLC0415

    return NewContact


def contact_data(contact: Contact) -> dict[str, Any]:
    """A contact as action response data."""
    return dict(contact.to_object())


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
    from ..api.contact_models import ContactEmail, ContactNumber  # noqa: PLC0415 - only when used

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
    text = await async_read_allowed_text(hass, data["file"]) if "file" in data else data["content"]
    contacts = entry.runtime_data.client.contacts
    # Reading a file of up to 10 MiB is CPU work: it runs in the executor, only sending on the loop.
    if data["format"] == "csv":
        prepared = await hass.async_add_executor_job(
            partial(
                prepare_csv_import,
                text,
                delimiter=data["delimiter"],
                region=entry.runtime_data.client.region,
            )
        )
        result = await contacts.send_csv_import(prepared)
        response: dict[str, Any] = {"imported": result.imported, "skipped_lines": list(result.skipped_lines)}
    else:
        contact = await hass.async_add_executor_job(prepare_vcard_import, text, data["scope"])
        await contacts.create(contact)
        response = {"imported": 1, "skipped_lines": []}
    await entry.runtime_data.contacts.refresher.async_refresh()
    return response


async def _export_contacts(
    hass: HomeAssistant, entry: SipgateConfigEntry, data: dict[str, Any]
) -> ServiceResponse:
    contacts = entry.runtime_data.client.contacts
    if data["format"] == "csv":
        text = await contacts.export_csv(data["scope"], delimiter=data["delimiter"])
    else:
        text = await contacts.export_vcard(data["scope"])
    return {"content": text, "format": data["format"]}


ACTIONS = [
    SipgateAction(
        name="get_contacts",
        handler=for_entry(_get_contacts),
        fields={
            vol.Optional("scope", default="ALL"): ANY_SCOPE,
            vol.Optional("phone_numbers"): vol.All(cv.ensure_list, [phone_number("phone_numbers")]),
            **PAGE,
        },
        supports_response=SupportsResponse.ONLY,
    ),
    SipgateAction(
        name="create_contact",
        handler=for_entry(_create_contact),
        fields={
            vol.Optional("firstname", default=""): cv.string,
            vol.Optional("lastname", default=""): cv.string,
            vol.Optional("number"): phone_number("number"),
            vol.Optional("email"): cv.string,
            vol.Optional("organization"): cv.string,
            vol.Optional("scope", default="PRIVATE"): WRITABLE_SCOPE,
        },
    ),
    SipgateAction(
        name="update_contact",
        handler=for_entry(_update_contact),
        fields={
            vol.Required("contact_id"): cv.string,
            vol.Optional("name"): cv.string,
            vol.Optional("numbers"): vol.All(cv.ensure_list, [phone_number("numbers")]),
            vol.Optional("emails"): vol.All(cv.ensure_list, [cv.string]),
            vol.Optional("organization"): cv.string,
        },
    ),
    SipgateAction(
        name="delete_contact",
        handler=for_entry(_delete_contact),
        fields={vol.Required("contact_id"): cv.string},
    ),
    SipgateAction(
        name="delete_all_contacts",
        handler=for_entry(_delete_all_contacts),
        fields={vol.Required("scope"): WRITABLE_SCOPE, vol.Required("confirm"): cv.boolean},
        supports_response=SupportsResponse.OPTIONAL,
    ),
    SipgateAction(
        name="import_contacts",
        handler=for_entry(_import_contacts),
        fields={
            vol.Required("format"): vol.In(["csv", "vcard"]),
            vol.Optional("content"): cv.string,
            vol.Optional("file"): cv.string,
            vol.Optional("scope", default="PRIVATE"): WRITABLE_SCOPE,
            vol.Optional("delimiter", default="comma"): csv_delimiter,
        },
        supports_response=SupportsResponse.OPTIONAL,
    ),
    SipgateAction(
        name="export_contacts",
        handler=for_entry(_export_contacts),
        fields={
            vol.Optional("scope", default="ALL"): ANY_SCOPE,
            vol.Optional("format", default="csv"): vol.In(["csv", "vcard"]),
            vol.Optional("delimiter", default="comma"): csv_delimiter,
        },
        supports_response=SupportsResponse.ONLY,
    ),
]
