"""Contacts: read, create, change and delete; import CSV and vCard; export CSV, vCard and objects.

sipgate keeps private contacts (the user's), shared contacts (the account's)
and internal ones (the account's users, read-only). ``GET /contacts`` has no
scope parameter, so reading one scope filters on the client. Everything the
Node library ``sipgateio`` offers for contacts is here, with its bugs fixed
(each fix is named where it is made). Formats live in :mod:`.contacts_formats`.

Why one module of this size: it is the whole contacts area of the client (the
models, the requests and the import/export orchestration share the same
validation); the text formats live apart in :mod:`.contacts_formats`. Splitting
models from requests, as for the other areas, is left to issue 13's model work.
"""

import base64
from collections.abc import AsyncIterator, Iterable, Sequence
from dataclasses import dataclass, replace
from enum import StrEnum
import re
from typing import Any, ClassVar, Final, Self

from .contacts_formats import (
    ContactAddress,
    ContactEmail,
    ContactNumber,
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
from .model import ApiModel
from .pagination import Page, iterate_pages
from .parsing import custom, nested_list, read_int, required, text
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
]

SCOPE_READ: Final = "contacts:read"
SCOPE_WRITE: Final = "contacts:write"
ALL_SCOPES: Final = "ALL"
DEFAULT_PAGE_SIZE: Final = 1000
# Latin-1, as sipgate's Node library sends it (see ContactsApi.import_csv).
CSV_IMPORT_ENCODING: Final = "latin-1"
_EMAIL: Final = re.compile(r"[^@\s]+@[^@\s]+")


class ContactScope(StrEnum):
    """Whose contact it is: the user's, the account's, or one of the account's users."""

    PRIVATE = "PRIVATE"
    SHARED = "SHARED"
    INTERNAL = "INTERNAL"


_WRITABLE_SCOPES: Final = (ContactScope.PRIVATE, ContactScope.SHARED)


def _scope(value: object, *, allowed: Sequence[str], field: str = "scope") -> str:
    """``value`` upper-cased if it is one of ``allowed``, else a validation error."""
    scope = value.strip().upper() if isinstance(value, str) else ""
    if scope not in allowed:
        raise SipgateValidationError(
            f"{field}: {value!r} is not one of {', '.join(allowed)}", field=field, value=value
        )
    return scope


def _writable_scope(value: object, *, field: str = "scope") -> ContactScope:
    """``PRIVATE`` or ``SHARED``: the scopes a contact can be written to."""
    return ContactScope(_scope(value, allowed=_WRITABLE_SCOPES, field=field))


def _filter_scope(value: object) -> ContactScope | None:
    """The scope to keep when reading, ``None`` for ``ALL``."""
    scope = _scope(value, allowed=(ALL_SCOPES, *ContactScope))
    return None if scope == ALL_SCOPES else ContactScope(scope)


def _organization(value: Any) -> tuple[tuple[str, ...], ...]:
    """``organization`` as sipgate sends it: a list of lists of strings (units of one company)."""
    if not isinstance(value, list):
        return ()
    return tuple(
        tuple(str(unit) for unit in org if unit is not None) for org in value if isinstance(org, list)
    )


def _id(contact_id: str, *, field: str = "contact_id") -> str:
    """A contact id; an empty one would turn ``/contacts/{id}`` into ``/contacts`` (all contacts)."""
    if not isinstance(contact_id, str) or not contact_id.strip():
        raise SipgateValidationError(f"{field}: a contact id is needed", field=field, value=contact_id)
    return contact_id.strip()


def _positive(value: int | None, *, field: str) -> int | None:
    if value is not None and value < 1:
        raise SipgateValidationError(f"{field}: {value} must be at least 1", field=field, value=value)
    return value


@dataclass(frozen=True, slots=True, kw_only=True)
class Contact(ApiModel):
    """A contact as sipgate stores it (``ContactResponse``).

    ``scope`` is ``PRIVATE``, ``SHARED`` or ``INTERNAL`` (``None`` if sipgate
    left it out). ``given`` and ``family`` are only known when sipgate sends
    them (its spec does not promise it); ``name`` is what sipgate shows.
    ``organization`` holds one tuple per organization (company, department …).
    ``picture`` is base64 image data.
    """

    model_name: ClassVar[str] = "contact"

    id: str = required()
    name: str = text(default="")
    scope: str | None = text()
    given: str | None = text()
    family: str | None = text()
    emails: tuple[ContactEmail, ...] = nested_list(ContactEmail)
    numbers: tuple[ContactNumber, ...] = nested_list(ContactNumber)
    addresses: tuple[ContactAddress, ...] = nested_list(ContactAddress)
    organization: tuple[tuple[str, ...], ...] = custom(_organization, default=())
    picture: str | None = text()

    def to_update_body(self, *, region: str | None = DEFAULT_REGION) -> dict[str, Any]:
        """The ``UpdateContactRequest``: the whole contact, numbers in E.164.

        Raises :class:`SipgateValidationError` for an ``INTERNAL`` contact
        (sipgate only writes ``PRIVATE`` and ``SHARED``) and for a number that
        cannot be read (``field`` is ``numbers[i]``). ``picture``, ``given`` and
        ``family`` are left out when unknown (the spec's ``picture`` is a
        string, so ``null`` is not sent).
        """
        scope = _writable_scope(self.scope)
        body: dict[str, Any] = {"id": self.id, "name": self.name}
        if self.family is not None:
            body["family"] = self.family
        if self.given is not None:
            body["given"] = self.given
        if self.picture is not None:
            body["picture"] = self.picture
        numbers = [
            ContactNumber(
                normalize_number(number.number, field=f"numbers[{index}]", region=region), number.types
            ).to_dict()
            for index, number in enumerate(self.numbers)
        ]
        return body | {
            "emails": [email.to_dict() for email in self.emails],
            "numbers": numbers,
            "addresses": [address.to_dict() for address in self.addresses],
            "organization": [list(org) for org in self.organization],
            "scope": scope.value,
        }

    def to_object(self) -> dict[str, Any]:
        """A plain object as the Node library exports it.

        ``{"id", "name", "emails": [address …], "numbers": [number …],
        "addresses": [AddressRequest …], "organizations": [[…]], "scope"}``.
        """
        return {
            "id": self.id,
            "name": self.name,
            "emails": [email.email for email in self.emails],
            "numbers": [number.number for number in self.numbers],
            "addresses": [address.to_dict() for address in self.addresses],
            "organizations": [list(org) for org in self.organization],
            "scope": self.scope,
        }

    def to_vcard(self) -> VCard:
        """The contact as a :class:`VCard`.

        ``N`` is ``family;given`` when sipgate sent them; otherwise the whole
        name stands in the family position (as in the Node library), so that a
        vCard export can be imported again with the same name.
        """
        if self.given is None and self.family is None:
            family, given = self.name, ""
        else:
            family, given = self.family or "", self.given or ""
        return VCard(
            formatted_name=self.name,
            family=family,
            given=given,
            organizations=self.organization,
            numbers=self.numbers,
            emails=self.emails,
            addresses=self.addresses,
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class NewContact:
    """A contact to create: at most one number, e-mail address and postal address.

    ``number`` is read in the client's region and sent in E.164; a plain
    string for ``number`` or ``email`` has no types. ``organization`` is one
    company name or a list of organizations, each a list of units.
    """

    firstname: str = ""
    lastname: str = ""
    number: ContactNumber | str | None = None
    email: ContactEmail | str | None = None
    address: ContactAddress | None = None
    organization: str | Sequence[Sequence[str]] = ()
    picture: str | None = None
    scope: ContactScope | str = ContactScope.PRIVATE

    @property
    def name(self) -> str:
        """``"<first> <last>"`` (without a stray space when one of them is empty)."""
        return " ".join(part for part in (self.firstname.strip(), self.lastname.strip()) if part)

    @classmethod
    def from_vcard(cls, card: VCard, scope: ContactScope | str = ContactScope.PRIVATE) -> Self:
        """The contact a vCard import creates.

        vCard types (``HOME``, ``INTERNET`` …) are not carried over: they are
        not sipgate's vocabulary, and the Node library sends none either.
        """
        return cls(
            firstname=card.given,
            lastname=card.family,
            number=card.numbers[0].number if card.numbers else None,
            email=card.emails[0].email if card.emails else None,
            address=replace(card.addresses[0], types=()) if card.addresses else None,
            organization=card.organizations,
            scope=scope,
        )

    def to_create_body(
        self, *, region: str | None = DEFAULT_REGION, scope: ContactScope | str | None = None
    ) -> dict[str, Any]:
        """The ``CreateContactRequest``; ``scope`` overrides :attr:`scope`.

        Raises :class:`SipgateValidationError` when both names are empty
        (``Names not given``), the number cannot be read, the e-mail address
        is not one, or the scope is neither ``PRIVATE`` nor ``SHARED``.
        """
        if not self.name:
            raise SipgateValidationError(
                "Names not given: firstname or lastname is needed", field="firstname", value=self.firstname
            )
        body: dict[str, Any] = {
            "name": self.name,
            "family": self.lastname.strip(),
            "given": self.firstname.strip(),
            "organization": self._organization(),
        }
        if self.picture:
            body["picture"] = self.picture
        return body | {
            "scope": _writable_scope(self.scope if scope is None else scope).value,
            "addresses": [self.address.to_dict()] if self.address is not None else [],
            "emails": [email.to_dict()] if (email := self._email()) else [],
            "numbers": [number.to_dict()] if (number := self._number(region)) else [],
        }

    def _organization(self) -> list[list[str]]:
        if isinstance(self.organization, str):
            return [[self.organization.strip()]] if self.organization.strip() else []
        return [[str(unit) for unit in org] for org in self.organization]

    def _email(self) -> ContactEmail | None:
        email = ContactEmail(self.email) if isinstance(self.email, str) else self.email
        if email is None or not email.email.strip():
            return None
        if not _EMAIL.fullmatch(email.email.strip()):
            raise SipgateValidationError(
                f"email: {email.email!r} is not an e-mail address", field="email", value=email.email
            )
        return ContactEmail(email.email.strip(), email.types)

    def _number(self, region: str | None) -> ContactNumber | None:
        number = ContactNumber(self.number) if isinstance(self.number, str) else self.number
        if number is None or not number.number.strip():
            return None
        return ContactNumber(normalize_number(number.number, field="number", region=region), number.types)


def contacts_to_csv(contacts: Iterable[Contact], *, delimiter: str = ",") -> str:
    """Contacts as the Node library's CSV export, with correct quoting (see :func:`render_export_csv`)."""
    return render_export_csv((contact.to_object() for contact in contacts), delimiter=delimiter)


def contact_to_vcard(contact: Contact) -> str:
    """One contact as a vCard 4.0 text (``FN``, ``N``, ``ORG``, ``TEL``, ``EMAIL``, ``ADR``)."""
    return contact.to_vcard().render()


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
        if _writable_scope(scope) is ContactScope.PRIVATE:
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
        wanted = _filter_scope(scope)
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
        wanted = _filter_scope(scope)
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
    return NewContact.from_vcard(parse_vcard(vcard), _writable_scope(scope))
