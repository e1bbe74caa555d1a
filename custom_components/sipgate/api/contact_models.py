"""The contacts area's models: a contact as sipgate stores it, one to create, its parts, the scopes.

:class:`Contact` and its parts (:class:`ContactEmail`, :class:`ContactNumber`,
:class:`ContactAddress`) are response models read from sipgate's JSON; their
``to_dict`` and :meth:`Contact.to_update_body` / :meth:`NewContact.to_create_body`
are the request bodies. Text formats (CSV, vCard) live in
:mod:`.contacts_formats`, the requests in :mod:`.contacts`.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
import re
from typing import Any, ClassVar, Final, Self

from .exceptions import SipgateValidationError
from .model import ApiModel
from .parsing import custom, nested_list, required, text, texts
from .phone import normalize_number
from .transport import DEFAULT_REGION

# Reading "all scopes" (sipgate has no such scope; the client filters).
ALL_SCOPES: Final = "ALL"
_EMAIL: Final = re.compile(r"[^@\s]+@[^@\s]+")


# --- the parts of a contact -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ContactEmail(ApiModel):
    """An e-mail address and its types (``home``, ``work`` …); ``to_dict`` is the API's ``EmailRequest``."""

    email: str = text(default="")
    types: tuple[str, ...] = texts("type")


@dataclass(frozen=True, slots=True)
class ContactNumber(ApiModel):
    """A phone number and its types (``cell``, ``home``, ``work``, ``fax`` …); ``to_dict`` is the API's ``NumberRequest``."""

    number: str = text(default="")
    types: tuple[str, ...] = texts("type")


@dataclass(frozen=True, slots=True, kw_only=True)
class ContactAddress(ApiModel):
    """A postal address: the seven fields of the API and of a vCard ``ADR``, in that order.

    Missing fields are read as ``""``; ``to_dict`` is the API's
    ``AddressRequest``, with ``type`` only when the address has types.
    """

    po_box: str = text("poBox", default="")
    extended_address: str = text("extendedAddress", default="")
    street_address: str = text("streetAddress", default="")
    locality: str = text(default="")
    region: str = text(default="")
    postal_code: str = text("postalCode", default="")
    country: str = text(default="")
    types: tuple[str, ...] = texts("type")

    def __post_serialize__(self, d: dict[Any, Any]) -> dict[Any, Any]:
        """Leave ``type`` out when there is none."""
        if not d["type"]:
            del d["type"]
        return d

    @classmethod
    def from_components(cls, components: Sequence[str], types: Sequence[str] = ()) -> Self:
        """Build from the seven components, post office box first, country last."""
        po_box, extended, street, locality, region, postal_code, country = components[:7]
        return cls(
            po_box=po_box,
            extended_address=extended,
            street_address=street,
            locality=locality,
            region=region,
            postal_code=postal_code,
            country=country,
            types=tuple(types),
        )

    @property
    def components(self) -> tuple[str, str, str, str, str, str, str]:
        """The seven fields in the order of the API and of vCard's ``ADR``."""
        return (
            self.po_box,
            self.extended_address,
            self.street_address,
            self.locality,
            self.region,
            self.postal_code,
            self.country,
        )


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


def writable_scope(value: object, *, field: str = "scope") -> ContactScope:
    """``PRIVATE`` or ``SHARED``: the scopes a contact can be written to."""
    return ContactScope(_scope(value, allowed=_WRITABLE_SCOPES, field=field))


def filter_scope(value: object) -> ContactScope | None:
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
        scope = writable_scope(self.scope)
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
            "scope": writable_scope(self.scope if scope is None else scope).value,
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
