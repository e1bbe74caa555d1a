"""Text formats of contacts: sipgate's CSV import, the CSV export and vCard 4.0.

Pure functions without I/O: :mod:`.contacts` fetches and sends, this module
turns text into values and values into text; the parts a contact is made of
(:class:`ContactEmail`, :class:`ContactNumber`, :class:`ContactAddress`), which
the API's JSON and the vCard share, are models of :mod:`.contact_models`.

Every rejected input raises :class:`SipgateValidationError` whose ``field`` is
``"csv"``, ``"vcard"`` or ``"delimiter"``; the messages start with the wording
of sipgate's Node library (``Missing header field in CSV: number``,
``Only one phone number is allowed`` …) and add where the problem is.

Why one module of this size: sipgate's CSV import, the CSV export and vCard 4.0
share their field escaping and number/e-mail types; splitting them apart would
duplicate that shared code.
"""

from collections.abc import Iterable, Mapping, Sequence
import csv
from dataclasses import dataclass
import io
import json
import re
from typing import Any, Final

from .contact_models import ContactAddress, ContactEmail, ContactNumber
from .exceptions import SipgateValidationError

IMPORT_CSV_HEADER: Final = ("firstname", "lastname", "number")
EXPORT_CSV_HEADER: Final = ("id", "name", "emails", "numbers", "addresses", "organizations")
VCARD_VERSION: Final = "4.0"
CRLF: Final = "\r\n"

_MAX_LINE_OCTETS: Final = 75
_TYPE_TOKEN: Final = re.compile(r"[A-Za-z0-9-]+")
_UNFOLD: Final = re.compile(r"(?:\r\n|\r|\n)[ \t]")
_LINE_BREAK: Final = re.compile(r"\r\n|\r|\n")


# --- CSV ----------------------------------------------------------------------------------------------


def validate_delimiter(delimiter: str) -> str:
    """A CSV delimiter: one character that is not a quote, a line break or a space."""
    if not isinstance(delimiter, str) or len(delimiter) != 1 or delimiter in '"\r\n ':
        raise SipgateValidationError(
            f"delimiter: {delimiter!r} cannot separate CSV columns (use one character such as , or ;)",
            field="delimiter",
            value=delimiter,
        )
    return delimiter


@dataclass(frozen=True, slots=True)
class CsvContactRow:
    """One contact of a CSV import and the line of the text it ends on."""

    firstname: str
    lastname: str
    number: str
    line: int = 0


@dataclass(frozen=True, slots=True)
class CsvImport:
    """The contacts a CSV import sends, and the lines skipped because a value was missing."""

    rows: tuple[CsvContactRow, ...]
    skipped_lines: tuple[int, ...] = ()

    @property
    def imported(self) -> int:
        """How many contacts are (or were) sent."""
        return len(self.rows)


def _read_csv(text: str, delimiter: str) -> list[tuple[int, list[str]]]:
    """The records of ``text`` and the line each ends on; blank lines are dropped."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    records: list[tuple[int, list[str]]] = []
    try:
        records.extend(
            (reader.line_num, row) for row in reader if len(row) > 1 or any(cell.strip() for cell in row)
        )
    except csv.Error as err:
        raise SipgateValidationError(
            f"Invalid CSV string: line {reader.line_num}: {err}", field="csv", value=text
        ) from err
    return records


def read_import_csv(text: str, *, delimiter: str = ",") -> CsvImport:
    """Project a CSV text onto sipgate's import columns ``firstname,lastname,number``.

    The rules of sipgate's Node library, read with a real CSV parser (quoted
    fields may hold delimiters, quotes and line breaks): blank lines are
    dropped; the header, case-insensitive and in any order, must name
    ``firstname``, ``lastname`` and ``number`` (other columns are ignored);
    every record must have as many values as the header. A record missing one
    of the three values is skipped and its line reported (the Node library
    sends an empty line instead). A leading byte order mark (Excel) is ignored
    and values are stripped of surrounding spaces.
    """
    delimiter = validate_delimiter(delimiter)
    records = _read_csv(text.removeprefix("\ufeff"), delimiter)
    if not records:
        raise SipgateValidationError("Invalid CSV string: the text has no lines", field="csv", value=text)
    _, header = records[0]
    columns = [column.strip().lower() for column in header]
    positions: list[int] = []
    for name in IMPORT_CSV_HEADER:
        if name not in columns:
            raise SipgateValidationError(
                f"Missing header field in CSV: {name} (the header is {delimiter.join(header)!r})",
                field="csv",
                value=text,
            )
        positions.append(columns.index(name))
    for line, row in records[1:]:
        if len(row) != len(header):
            raise SipgateValidationError(
                f"Missing values in CSV: line {line} has {len(row)} values, the header has {len(header)}",
                field="csv",
                value=text,
            )
    rows: list[CsvContactRow] = []
    skipped: list[int] = []
    for line, row in records[1:]:
        firstname, lastname, number = (row[position].strip() for position in positions)
        if firstname and lastname and number:
            rows.append(CsvContactRow(firstname, lastname, number, line))
        else:
            skipped.append(line)
    return CsvImport(tuple(rows), tuple(skipped))


def _render_csv(rows: Iterable[Sequence[str]], *, delimiter: str, quote_all: bool) -> str:
    """CSV text with a line feed between records and none after the last (as the Node library)."""
    buffer = io.StringIO()
    writer = csv.writer(
        buffer,
        delimiter=delimiter,
        quoting=csv.QUOTE_ALL if quote_all else csv.QUOTE_MINIMAL,
        lineterminator="\n",
    )
    writer.writerows(rows)
    return buffer.getvalue().removesuffix("\n")


def render_import_csv(rows: Iterable[CsvContactRow]) -> str:
    """The CSV sipgate imports: header ``firstname,lastname,number``, values quoted only when needed."""
    return _render_csv(
        [IMPORT_CSV_HEADER, *((row.firstname, row.lastname, row.number) for row in rows)],
        delimiter=",",
        quote_all=False,
    )


def _export_cell(value: Any) -> str:
    """A text as it is; lists and objects as compact JSON (as json2csv does)."""
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def render_export_csv(objects: Iterable[Mapping[str, Any]], *, delimiter: str = ",") -> str:
    """The CSV export of sipgate's Node library, but with correct quoting.

    Columns ``id,name,emails,numbers,addresses,organizations``, every cell
    quoted; list cells hold compact JSON. ``objects`` are contacts in the
    shape of :meth:`Contact.to_object`.
    """
    delimiter = validate_delimiter(delimiter)
    rows = [
        EXPORT_CSV_HEADER,
        *([_export_cell(obj.get(key, "")) for key in EXPORT_CSV_HEADER] for obj in objects),
    ]
    return _render_csv(rows, delimiter=delimiter, quote_all=True)


# --- vCard 4.0 ----------------------------------------------------------------------------------------


def _escape(text: str) -> str:
    """Escape a text value (RFC 6350 §3.4): backslash, comma, semicolon, line breaks."""
    escaped = text.replace("\\", "\\\\").replace(",", "\\,").replace(";", "\\;")
    return _LINE_BREAK.sub(lambda _: "\\n", escaped)


def _compound(components: Iterable[str]) -> str:
    """A structured value (``N``, ``ADR``, ``ORG``): escaped components joined by ``;``."""
    return ";".join(_escape(component) for component in components)


def _fold(line: str) -> str:
    """Fold a content line after 75 octets (RFC 6350 §3.2), never inside a UTF-8 character."""
    pieces: list[str] = []
    current = ""
    size = 0
    for char in line:
        width = len(char.encode())
        if size + width > _MAX_LINE_OCTETS:
            pieces.append(current)
            current, size = " ", 1
        current += char
        size += width
    pieces.append(current)
    return CRLF.join(pieces)


def _property(name: str, value: str, types: Iterable[str] = ()) -> str:
    """``NAME[;TYPE=a,b]:value``; types that are not plain tokens are left out."""
    tokens = [token for token in types if _TYPE_TOKEN.fullmatch(token)]
    return f"{name};TYPE={','.join(tokens)}:{value}" if tokens else f"{name}:{value}"


@dataclass(frozen=True, slots=True, kw_only=True)
class VCard:
    """The properties of a vCard 4.0 that a sipgate contact has.

    ``formatted_name`` is ``FN``; ``family`` and ``given`` are the first two
    components of ``N``; each organization is one ``ORG`` (its units as
    components).
    """

    formatted_name: str = ""
    family: str = ""
    given: str = ""
    organizations: tuple[tuple[str, ...], ...] = ()
    numbers: tuple[ContactNumber, ...] = ()
    emails: tuple[ContactEmail, ...] = ()
    addresses: tuple[ContactAddress, ...] = ()

    def render(self) -> str:
        """The vCard text: CRLF after every line (also the last), folded after 75 octets.

        Unlike sipgate's Node library this writes ``FN``, a proper
        ``N:family;given;;;`` and ``ADR`` (the library writes ``ADDR``, which
        no vCard reader knows).
        """
        lines = [
            "BEGIN:VCARD",
            f"VERSION:{VCARD_VERSION}",
            _property("FN", _escape(self.formatted_name)),
            _property("N", _compound((self.family, self.given, "", "", ""))),
        ]
        lines.extend(_property("ORG", _compound(org)) for org in self.organizations if any(org))
        lines.extend(_property("TEL", _escape(number.number), number.types) for number in self.numbers)
        lines.extend(_property("EMAIL", _escape(email.email), email.types) for email in self.emails)
        lines.extend(
            _property("ADR", _compound(address.components), address.types) for address in self.addresses
        )
        lines.append("END:VCARD")
        return "".join(_fold(line) + CRLF for line in lines)


@dataclass(frozen=True, slots=True)
class _Property:
    """One content line: upper-case name (group removed), lower-case types, raw value."""

    name: str
    types: tuple[str, ...]
    value: str


def _components(raw: str) -> list[str]:
    """Split a raw value on unescaped ``;`` and unescape each component."""
    parts: list[str] = []
    current: list[str] = []
    escaped = False
    for char in raw:
        if escaped:
            current.append("\n" if char in "nN" else char)
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == ";":
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
    if escaped:
        current.append("\\")
    parts.append("".join(current))
    return parts


def _unescape(raw: str) -> str:
    """A single text value, unescaped (an unescaped ``;`` is kept)."""
    return ";".join(_components(raw))


def _split_outside_quotes(text: str, separator: str) -> list[str]:
    """Split on ``separator`` where it is not inside double quotes."""
    parts: list[str] = []
    current: list[str] = []
    quoted = False
    for char in text:
        if char == '"':
            quoted = not quoted
        if char == separator and not quoted:
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
    parts.append("".join(current))
    return parts


def _parse_property(line: str) -> _Property:
    """Read ``[group.]NAME *(;param) : value``."""
    head, *rest = _split_outside_quotes(line, ":")
    if not rest:
        raise SipgateValidationError(
            f"vCard line {line!r} is not a property (NAME:value)", field="vcard", value=line
        )
    name, *params = _split_outside_quotes(head, ";")
    types: list[str] = []
    for param in params:
        key, _, values = param.partition("=")
        if key.strip().upper() == "TYPE":
            types.extend(value.strip().strip('"').lower() for value in values.split(","))
    return _Property(name.rsplit(".", 1)[-1].strip().upper(), tuple(t for t in types if t), ":".join(rest))


def _fail(message: str, text: str) -> SipgateValidationError:
    return SipgateValidationError(message, field="vcard", value=text)


def parse_vcard(text: str) -> VCard:
    """Read one vCard 4.0 the way sipgate imports it, with the rules of its Node library.

    ``BEGIN:VCARD`` and ``END:VCARD`` are required, ``VERSION`` must be
    ``4.0``; ``N`` is required with at least family and given name (not both
    empty); exactly one ``TEL``; at most one ``EMAIL``; at most one ``ADR``
    with all seven components. ``ORG`` is optional (the Node library crashes
    without it). Folded lines, escapes, groups (``item1.TEL``) and ``tel:``
    URIs are understood; other properties are ignored.
    """
    lines = [line for line in _LINE_BREAK.split(_UNFOLD.sub("", text)) if line.strip()]
    markers = [line.strip().upper() for line in lines]
    if "BEGIN:VCARD" not in markers:
        raise _fail("vCard does not contain a valid BEGIN tag", text)
    begin = markers.index("BEGIN:VCARD")
    if "END:VCARD" not in markers[begin:]:
        raise _fail("vCard does not contain a valid END tag", text)
    if markers.count("BEGIN:VCARD") > 1:
        raise _fail("Only one vCard is allowed: the text holds several BEGIN:VCARD", text)
    end = markers.index("END:VCARD", begin)
    found: dict[str, list[_Property]] = {}
    for line in lines[begin + 1 : end]:
        prop = _parse_property(line)
        found.setdefault(prop.name, []).append(prop)

    if [prop.value.strip() for prop in found.get("VERSION", [])] != [VCARD_VERSION]:
        raise _fail("Invalid VCard Version given (only VERSION:4.0 is read)", text)
    if "N" not in found:
        raise _fail("Names not given: the vCard has no N property", text)
    name = _components(found["N"][0].value)
    if len(name) < 2:
        raise _fail("Missing Name Fields: N needs family and given name (N:family;given;;;)", text)
    family, given = name[0].strip(), name[1].strip()
    if not family and not given:
        raise _fail("Names not given: family and given name in N are empty", text)
    tels = found.get("TEL", [])
    if not tels:
        raise _fail("No phone number given: the vCard has no TEL", text)
    if len(tels) > 1:
        raise _fail("Only one phone number is allowed", text)
    addresses = found.get("ADR", [])
    if len(addresses) > 1:
        raise _fail("Only one address is allowed", text)
    address_parts = [_components(prop.value) for prop in addresses]
    if any(len(parts) < 7 for parts in address_parts):
        raise _fail("Address Fields are invalid: ADR needs seven components", text)
    emails = found.get("EMAIL", [])
    if len(emails) > 1:
        raise _fail("Only one email is allowed", text)

    number = _unescape(tels[0].value).strip()
    if number.lower().startswith("tel:"):
        number = number[4:]
    formatted = found.get("FN", [])
    return VCard(
        formatted_name=_unescape(formatted[0].value).strip() if formatted else "",
        family=family,
        given=given,
        organizations=tuple(tuple(_components(prop.value)) for prop in found.get("ORG", [])),
        numbers=(ContactNumber(number, tels[0].types),),
        emails=tuple(ContactEmail(_unescape(prop.value).strip(), prop.types) for prop in emails),
        addresses=tuple(
            ContactAddress.from_components(parts, prop.types)
            for parts, prop in zip(address_parts, addresses, strict=True)
        ),
    )
