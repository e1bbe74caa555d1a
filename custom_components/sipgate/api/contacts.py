"""Contacts: read, create, change and delete; import CSV and vCard; export CSV, vCard and objects.

sipgate keeps private contacts (the user's), shared contacts (the account's)
and internal ones (the account's users, read-only). ``GET /contacts`` has no
scope parameter, so reading one scope filters on the client. Everything the
Node library ``sipgateio`` offers for contacts is here, with its bugs fixed
(each fix is named where it is made). The models live in
:mod:`.contact_models`, the text formats in :mod:`.contacts_formats`; this
module holds the requests and the conversions between the two (export, import).
"""

import base64
from collections.abc import AsyncIterator, Iterable
from dataclasses import replace
from typing import Any, Final

from .contact_models import (
    ALL_SCOPES,
    Contact,
    ContactAddress,
    ContactEmail,
    ContactNumber,
    ContactScope,
    NewContact,
    filter_scope,
    writable_scope,
)
from .contacts_formats import (
    CsvContactRow,
    CsvImport,
    VCard,
    parse_vcard,
    read_import_csv,
    render_export_csv,
    render_import_csv,
    validate_delimiter,
)
from .exceptions import SipgateValidationError
from .pagination import Page, iterate_pages
from .parsing import read_int
from .phone import normalize_number, parse_number
from .transport import DEFAULT_REGION, Transport, items_of, path_segment

__all__ = [
    "ALL_SCOPES",
    "CSV_IMPORT_ENCODING",
    "Contact",
    "ContactAddress",
    "ContactEmail",
    "ContactNumber",
    "ContactScope",
    "ContactsApi",
    "CsvContactRow",
    "CsvImport",
    "NewContact",
    "build_number_index",
    "contact_to_vcard",
    "contacts_to_csv",
    "contacts_to_vcard",
    "new_contact_from_vcard",
    "prepare_csv_import",
    "prepare_vcard_import",
    "vcard_of",
]

SCOPE_READ: Final = "contacts:read"
SCOPE_WRITE: Final = "contacts:write"
DEFAULT_PAGE_SIZE: Final = 1000
# Latin-1, as sipgate's Node library sends it (see ContactsApi.import_csv).
CSV_IMPORT_ENCODING: Final = "latin-1"


def _id(contact_id: str, *, field: str = "contact_id") -> str:
    """A contact id; an empty one would turn ``/contacts/{id}`` into ``/contacts`` (all contacts)."""
    if not isinstance(contact_id, str) or not contact_id.strip():
        raise SipgateValidationError(f"{field}: a contact id is needed", field=field, value=contact_id)
    return contact_id.strip()


def _positive(value: int | None, *, field: str) -> int | None:
    if value is not None and value < 1:
        raise SipgateValidationError(f"{field}: {value} must be at least 1", field=field, value=value)
    return value


def vcard_of(contact: Contact) -> VCard:
    """The contact as a :class:`VCard`.

    ``N`` is ``family;given`` when sipgate sent them; otherwise the whole
    name stands in the family position (as in the Node library), so that a
    vCard export can be imported again with the same name.
    """
    if contact.given is None and contact.family is None:
        family, given = contact.name, ""
    else:
        family, given = contact.family or "", contact.given or ""
    return VCard(
        formatted_name=contact.name,
        family=family,
        given=given,
        organizations=contact.organization,
        numbers=contact.numbers,
        emails=contact.emails,
        addresses=contact.addresses,
    )


def new_contact_from_vcard(card: VCard, scope: ContactScope | str = ContactScope.PRIVATE) -> NewContact:
    """The contact a vCard import creates.

    vCard types (``HOME``, ``INTERNET`` …) are not carried over: they are
    not sipgate's vocabulary, and the Node library sends none either.
    """
    return NewContact(
        firstname=card.given,
        lastname=card.family,
        number=card.numbers[0].number if card.numbers else None,
        email=card.emails[0].email if card.emails else None,
        address=replace(card.addresses[0], types=()) if card.addresses else None,
        organization=card.organizations,
        scope=scope,
    )


def contacts_to_csv(contacts: Iterable[Contact], *, delimiter: str = ",") -> str:
    """Contacts as the Node library's CSV export, with correct quoting (see :func:`render_export_csv`)."""
    return render_export_csv((contact.to_object() for contact in contacts), delimiter=delimiter)


def contact_to_vcard(contact: Contact) -> str:
    """One contact as a vCard 4.0 text (``FN``, ``N``, ``ORG``, ``TEL``, ``EMAIL``, ``ADR``)."""
    return vcard_of(contact).render()


def contacts_to_vcard(contacts: Iterable[Contact]) -> str:
    """Contacts as one vCard file: the vCards one after the other, each ending in CRLF."""
    return "".join(contact_to_vcard(contact) for contact in contacts)


def build_number_index(contacts: Iterable[Contact], *, region: str | None = DEFAULT_REGION) -> dict[str, str]:
    """Map every number of every named contact, in E.164, to the contact's name.

    Numbers are read in ``region`` (``0211 123456`` in Germany becomes
    ``+49211123456``); numbers that cannot be read and contacts without a name
    are skipped. When contacts share a number, the first one keeps it. Look
    up a caller with the E.164 form of their number.
    """
    index: dict[str, str] = {}
    for contact in contacts:
        if not contact.name.strip():
            continue
        for number in contact.numbers:
            e164 = parse_number(number.number, region=region)
            if e164 is not None:
                index.setdefault(e164, contact.name)
    return index


class ContactsApi:
    """Read, create, change, delete, import and export contacts."""

    def __init__(self, transport: Transport) -> None:
        """Use ``transport`` for every request."""
        self._transport = transport

    # --- writing ------------------------------------------------------------------------------------

    async def create(self, contact: NewContact, scope: ContactScope | str | None = None) -> None:
        """Create a contact (``POST /contacts``) in ``scope`` (default: ``contact.scope``)."""
        body = contact.to_create_body(region=self._transport.region, scope=scope)
        await self._transport.request("POST", "contacts", json_body=body, scope=SCOPE_WRITE)

    async def update(self, contact: Contact) -> None:
        """Replace a contact with ``contact`` (``PUT /contacts/{id}``), e.g. one changed with ``dataclasses.replace``."""
        contact_id = _id(contact.id, field="contact.id")
        body = contact.to_update_body(region=self._transport.region)
        await self._transport.request(
            "PUT", f"contacts/{path_segment(contact_id)}", json_body=body, scope=SCOPE_WRITE
        )

    async def delete(self, contact_id: str) -> None:
        """Delete one contact (``DELETE /contacts/{id}``); an empty id is refused."""
        await self._transport.request(
            "DELETE", f"contacts/{path_segment(_id(contact_id))}", scope=SCOPE_WRITE
        )

    async def delete_all(self, scope: ContactScope | str) -> int | None:
        """Delete every contact of ``scope`` (``PRIVATE`` or ``SHARED``).

        ``PRIVATE`` is one ``DELETE /contacts`` (sipgate's "delete all
        contacts", which removes the user's private ones) and returns ``None``:
        sipgate does not say how many. ``SHARED`` reads all contacts (every
        page, before deleting anything, so that deleting cannot shift the
        pages), then deletes the shared ones one by one and returns how many;
        the Node library neither reads past the first page nor awaits the
        deletions. An error stops the loop; contacts deleted so far stay deleted.
        """
        if writable_scope(scope) is ContactScope.PRIVATE:
            await self._transport.request("DELETE", "contacts", scope=SCOPE_WRITE)
            return None
        shared = await self.get_all(ContactScope.SHARED)
        for contact in shared:
            await self.delete(contact.id)
        return len(shared)

    # --- reading ------------------------------------------------------------------------------------

    def _numbers(self, phone_numbers: Iterable[str] | str) -> list[str]:
        """The filter numbers in E.164 (a single string is one number)."""
        numbers = [phone_numbers] if isinstance(phone_numbers, str) else list(phone_numbers)
        return [normalize_number(n, field="phone_numbers", region=self._transport.region) for n in numbers]

    async def _fetch(self, *, limit: int | None, offset: int | None, numbers: list[str]) -> Page[Contact]:
        """One page of ``GET /contacts``, all scopes."""
        if offset is not None and offset < 0:
            raise SipgateValidationError(f"offset: {offset} is negative", field="offset", value=offset)
        query = {"limit": _positive(limit, field="limit"), "offset": offset, "phonenumbers": numbers or None}
        data = await self._transport.request("GET", "contacts", params=query, scope=SCOPE_READ)
        items = [Contact.from_dict(item) for item in items_of(data, "contacts")]
        return Page(items, read_int(data.get("totalCount")))

    async def get(
        self,
        scope: ContactScope | str = ALL_SCOPES,
        *,
        limit: int | None = None,
        offset: int | None = None,
        phone_numbers: Iterable[str] | str = (),
    ) -> Page[Contact]:
        """One page of contacts (``GET /contacts``), optionally only those with ``phone_numbers``.

        sipgate returns up to 5000 contacts when ``limit`` is not given. The
        page's contacts of other scopes are dropped here (the API has no scope
        parameter), so a page may hold fewer than ``limit``; ``total_count``
        counts all scopes. Whether more pages follow:
        ``offset + limit < total_count``.
        """
        wanted = filter_scope(scope)
        page = await self._fetch(limit=limit, offset=offset, numbers=self._numbers(phone_numbers))
        return Page([c for c in page.items if wanted is None or c.scope == wanted], page.total_count)

    async def iterate(
        self,
        scope: ContactScope | str = ALL_SCOPES,
        *,
        phone_numbers: Iterable[str] | str = (),
        page_size: int = DEFAULT_PAGE_SIZE,
        limit: int | None = None,
    ) -> AsyncIterator[Contact]:
        """Every contact of ``scope``, ``page_size`` per request, up to ``limit`` contacts.

        Pages are read whole and filtered afterwards, so a page without
        contacts of ``scope`` does not end the walk early.
        """
        wanted = filter_scope(scope)
        numbers = self._numbers(phone_numbers)
        size = _positive(page_size, field="page_size") or DEFAULT_PAGE_SIZE
        _positive(limit, field="limit")

        async def fetch(offset: int, count: int) -> Page[Contact]:
            return await self._fetch(limit=count, offset=offset, numbers=numbers)

        yielded = 0
        async for contact in iterate_pages(fetch, page_size=size, key=lambda contact: contact.id):
            if wanted is not None and contact.scope != wanted:
                continue
            yield contact
            yielded += 1
            if limit is not None and yielded >= limit:
                return

    async def get_all(
        self, scope: ContactScope | str = ALL_SCOPES, *, phone_numbers: Iterable[str] | str = ()
    ) -> list[Contact]:
        """Every contact of ``scope`` (all pages)."""
        return [contact async for contact in self.iterate(scope, phone_numbers=phone_numbers)]

    async def number_index(self, scope: ContactScope | str = ALL_SCOPES) -> dict[str, str]:
        """E.164 number → contact name for every contact of ``scope`` (see :func:`build_number_index`)."""
        return build_number_index(await self.get_all(scope), region=self._transport.region)

    # --- export -------------------------------------------------------------------------------------

    async def export_csv(
        self,
        scope: ContactScope | str = ALL_SCOPES,
        *,
        delimiter: str = ",",
        phone_numbers: Iterable[str] | str = (),
    ) -> str:
        """Every contact of ``scope`` as CSV (see :func:`contacts_to_csv`).

        For one page only, pass ``(await api.get(...)).items`` to
        :func:`contacts_to_csv`; the same holds for the other exports.
        """
        validate_delimiter(delimiter)
        return contacts_to_csv(await self.get_all(scope, phone_numbers=phone_numbers), delimiter=delimiter)

    async def export_vcards(
        self, scope: ContactScope | str = ALL_SCOPES, *, phone_numbers: Iterable[str] | str = ()
    ) -> list[str]:
        """Every contact of ``scope`` as a vCard 4.0 text each."""
        return [contact_to_vcard(c) for c in await self.get_all(scope, phone_numbers=phone_numbers)]

    async def export_vcard(
        self, scope: ContactScope | str = ALL_SCOPES, *, phone_numbers: Iterable[str] | str = ()
    ) -> str:
        """Every contact of ``scope`` in one vCard text (a ``.vcf`` file)."""
        return contacts_to_vcard(await self.get_all(scope, phone_numbers=phone_numbers))

    async def export_objects(
        self, scope: ContactScope | str = ALL_SCOPES, *, phone_numbers: Iterable[str] | str = ()
    ) -> list[dict[str, Any]]:
        """Every contact of ``scope`` as a plain object (see :meth:`Contact.to_object`)."""
        return [c.to_object() for c in await self.get_all(scope, phone_numbers=phone_numbers)]

    # --- import -------------------------------------------------------------------------------------

    async def import_csv(self, csv_text: str, *, delimiter: str = ",") -> CsvImport:
        """Import contacts from CSV (``POST /contacts/import/csv``).

        The text is projected onto ``firstname,lastname,number`` by the rules of
        :func:`read_import_csv` (``delimiter`` may be ``;`` for German Excel
        files); numbers are sent in E.164. Records missing a value are skipped
        and returned in ``skipped_lines``; when nothing is left to import,
        nothing is sent.

        The CSV is sent base64-encoded in **Latin-1** (ISO 8859-1), the bytes
        sipgate's own Node library sends, so umlauts (``Müller``) arrive the way
        sipgate's importer has always read them; UTF-8 would arrive as
        ``MÃ¼ller`` if the server reads Latin-1. A character Latin-1 cannot
        hold (``Ł``, ``€``) is refused with its line instead of being silently
        mangled as the Node library does.
        """
        return await self.send_csv_import(
            prepare_csv_import(csv_text, delimiter=delimiter, region=self._transport.region)
        )

    async def send_csv_import(self, result: CsvImport) -> CsvImport:
        """Send what :func:`prepare_csv_import` read; nothing is sent when no row is left."""
        if rows := result.rows:
            content = render_import_csv(rows).encode(CSV_IMPORT_ENCODING)
            body = {"base64Content": base64.b64encode(content).decode("ascii")}
            await self._transport.request("POST", "contacts/import/csv", json_body=body, scope=SCOPE_WRITE)
        return result

    async def import_vcard(self, vcard: str, scope: ContactScope | str) -> None:
        """Create the contact of a vCard 4.0 (``POST /contacts``).

        The rules are :func:`parse_vcard`'s (those of the Node library; a vCard
        without ``ORG`` is fine, where the Node library crashes). The contact
        gets the vCard's first and last name from ``N``, its number (E.164),
        e-mail address, address and organizations.
        """
        await self.create(prepare_vcard_import(vcard, scope))


def prepare_csv_import(
    csv_text: str, *, delimiter: str = ",", region: str | None = DEFAULT_REGION
) -> CsvImport:
    """Read and check a CSV import without sending anything (the rules of :meth:`ContactsApi.import_csv`).

    Pure CPU work: for a large file, run it in an executor and pass the result
    to :meth:`ContactsApi.send_csv_import`. National numbers are read in ``region``.
    """
    projection = read_import_csv(csv_text, delimiter=delimiter)
    rows = tuple(_import_row(row, region) for row in projection.rows)
    return CsvImport(rows, projection.skipped_lines)


def _import_row(row: CsvContactRow, region: str | None) -> CsvContactRow:
    """A CSV row with its number in E.164, checked to fit into Latin-1."""
    for value in (row.firstname, row.lastname):
        try:
            value.encode(CSV_IMPORT_ENCODING)
        except UnicodeEncodeError as err:
            char = value[err.start]
            raise SipgateValidationError(
                f"csv: line {row.line}: {char!r} in {value!r} cannot be sent (sipgate's CSV import "
                "reads Latin-1)",
                field="csv",
                value=value,
            ) from err
    number = parse_number(row.number, region=region)
    if number is None:
        raise SipgateValidationError(
            f"csv: line {row.line}: {row.number!r} is not a valid phone number",
            field="csv",
            value=row.number,
        )
    return replace(row, number=number)


def prepare_vcard_import(vcard: str, scope: ContactScope | str) -> NewContact:
    """The contact :meth:`ContactsApi.import_vcard` creates from a vCard, read without sending (pure CPU work)."""
    return new_contact_from_vcard(parse_vcard(vcard), writable_scope(scope))
