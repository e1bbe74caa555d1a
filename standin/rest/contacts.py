"""The contacts: reading, writing, deleting, CSV import."""

import base64
import binascii
import csv
import io
import uuid

from aiohttp import web

from ..context import account_of, error_response, no_content, not_found, paged
from ..state import DEFAULT_CONTACTS_LIMIT, Json


def _contact_from(body: Json, contact_id: str) -> Json:
    return {
        "id": contact_id,
        "name": body.get("name") or " ".join(p for p in (body.get("given"), body.get("family")) if p),
        "picture": body.get("picture"),
        "emails": list(body.get("emails", [])),
        "numbers": list(body.get("numbers", [])),
        "addresses": list(body.get("addresses", [])),
        "organization": list(body.get("organization", [])),
        "scope": body.get("scope", "PRIVATE"),
    }


async def get_contacts(request: web.Request) -> web.Response:
    """``GET /contacts`` (``phonenumbers``, ``offset``, ``limit``)."""
    contacts = account_of(request).contacts
    if wanted := set(request.query.getall("phonenumbers", [])):
        contacts = [
            contact
            for contact in contacts
            if wanted.intersection(number.get("number") for number in contact.get("numbers", []))
        ]
    return web.json_response(paged(contacts, request, DEFAULT_CONTACTS_LIMIT))


async def post_contact(request: web.Request) -> web.Response:
    """``POST /contacts``."""
    account_of(request).contacts.append(_contact_from(await request.json(), str(uuid.uuid4())))
    return no_content()


async def delete_contacts(request: web.Request) -> web.Response:
    """``DELETE /contacts``: sipgate's "delete all", which removes the private contacts."""
    contacts = account_of(request).contacts
    contacts[:] = [contact for contact in contacts if contact.get("scope") != "PRIVATE"]
    return no_content()


async def put_contact(request: web.Request) -> web.Response:
    """``PUT /contacts/{contactId}``: replace the contact."""
    contacts = account_of(request).contacts
    contact_id = request.match_info["contactId"]
    for index, contact in enumerate(contacts):
        if contact.get("id") == contact_id:
            contacts[index] = _contact_from(await request.json(), contact_id)
            return no_content()
    return not_found("contact")


async def delete_contact(request: web.Request) -> web.Response:
    """``DELETE /contacts/{contactId}``."""
    contacts = account_of(request).contacts
    contact_id = request.match_info["contactId"]
    remaining = [contact for contact in contacts if contact.get("id") != contact_id]
    if len(remaining) == len(contacts):
        return not_found("contact")
    contacts[:] = remaining
    return no_content()


async def import_contacts_csv(request: web.Request) -> web.Response:
    """``POST /contacts/import/csv``: base64 of Latin-1 CSV ``firstname,lastname,number``."""
    body = await request.json()
    try:
        text = base64.b64decode(body.get("base64Content", ""), validate=True).decode("latin-1")
    except binascii.Error, ValueError:
        return error_response(400, "base64Content is not base64")
    rows = list(csv.DictReader(io.StringIO(text)))
    if not rows or not {"firstname", "lastname", "number"} <= set(rows[0]):
        return error_response(400, "the CSV needs the columns firstname,lastname,number")
    contacts = account_of(request).contacts
    for row in rows:
        contacts.append(
            _contact_from(
                {
                    "given": row["firstname"],
                    "family": row["lastname"],
                    "numbers": [{"number": row["number"], "type": ["other"]}],
                    "scope": "PRIVATE",
                },
                str(uuid.uuid4()),
            )
        )
    return no_content()
