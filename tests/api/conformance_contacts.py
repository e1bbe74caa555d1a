"""Conformance cases of the contacts area: one per public method of ``ContactsApi``.

``test_openapi_conformance.py`` runs each against the stand-in and validates
every request it sent against sipgate's spec.
"""

from typing import Any

from custom_components.sipgate.api.contacts import (
    Contact,
    ContactAddress,
    ContactEmail,
    ContactNumber,
    ContactScope,
    NewContact,
    prepare_csv_import,
)

from ..conftest import load_json
from .conformance_cases import Case, _collect, _ok
from .conftest import Answer

CONTACTS: dict[str, Any] = load_json("contacts.json")
VCARD = (
    "BEGIN:VCARD\r\nVERSION:4.0\r\nFN:Jürgen Müller\r\nN:Müller;Jürgen;;;\r\nORG:Muster GmbH\r\n"
    "TEL;TYPE=cell:0176 12345678\r\nEMAIL;TYPE=work:j.mueller@example.de\r\n"
    "ADR;TYPE=work:;;Königsallee 1;Düsseldorf;;40212;Deutschland\r\nEND:VCARD\r\n"
)
CSV = "Vorname,firstname,lastname,number\nx,Jürgen,Müller,0211 98765432\ny,Erika,Mustermann,+4921112345678"
NEW_CONTACT = NewContact(
    firstname="Erika",
    lastname="Mustermann",
    number=ContactNumber("0211 12345678", ("work",)),
    email=ContactEmail("erika.mustermann@example.de", ("home",)),
    address=ContactAddress(
        street_address="Heinrich-Heine-Allee 1", locality="Düsseldorf", postal_code="40213"
    ),
    organization=[["Muster GmbH", "Vertrieb"]],
    picture="iVBORw0KGgo=",
)
GET = {("GET", "/contacts"): Answer(json=CONTACTS)}

CONTACT_CASES: dict[str, Case] = {
    "contacts.create": Case(
        lambda c: c.contacts.create(NEW_CONTACT, ContactScope.SHARED), _ok("POST", "/contacts")
    ),
    "contacts.update": Case(
        lambda c: c.contacts.update(Contact.from_dict(CONTACTS["items"][0])),
        _ok("PUT", "/contacts/0b8a3c1e-5d2f-4e7a-9c61-2f4d8e9a7b10"),
    ),
    "contacts.delete": Case(lambda c: c.contacts.delete("abc"), _ok("DELETE", "/contacts/abc")),
    "contacts.delete_all": Case(
        lambda c: c.contacts.delete_all("SHARED"),
        GET
        | _ok("DELETE", "/contacts/5c1f9e02-8a4b-4d3c-b7e6-91a0d2c4f3e8")
        | _ok("DELETE", "/contacts/9e3d7a54-2b1c-4f8e-a6d0-3c5b7e9f1a24"),
    ),
    "contacts.get": Case(
        lambda c: c.contacts.get(
            "PRIVATE", limit=50, offset=10, phone_numbers=["0211 12345678", "+4915799912345"]
        ),
        GET,
    ),
    "contacts.iterate": Case(lambda c: _collect(c.contacts.iterate("SHARED", page_size=2)), GET),
    "contacts.get_all": Case(lambda c: c.contacts.get_all(phone_numbers="+4921112345678"), GET),
    "contacts.number_index": Case(lambda c: c.contacts.number_index(), GET),
    "contacts.export_csv": Case(lambda c: c.contacts.export_csv(delimiter=";"), GET),
    "contacts.export_vcards": Case(lambda c: c.contacts.export_vcards("SHARED"), GET),
    "contacts.export_vcard": Case(lambda c: c.contacts.export_vcard(), GET),
    "contacts.export_objects": Case(lambda c: c.contacts.export_objects("INTERNAL"), GET),
    "contacts.import_csv": Case(lambda c: c.contacts.import_csv(CSV), _ok("POST", "/contacts/import/csv")),
    "contacts.import_vcard": Case(
        lambda c: c.contacts.import_vcard(VCARD, "PRIVATE"), _ok("POST", "/contacts")
    ),
    "contacts.send_csv_import": Case(
        lambda c: c.contacts.send_csv_import(prepare_csv_import(CSV)), _ok("POST", "/contacts/import/csv")
    ),
}
