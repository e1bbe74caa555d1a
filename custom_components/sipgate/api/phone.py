"""Phone numbers and sipgate extensions, read strictly.

A phone number is read exactly as written, apart from separators (spaces,
hyphens, slashes, dots and parentheses): ``+4921112345678`` or
``+49 (0)211 123 456 78`` in international form, ``00…`` with the
international prefix, or a national number with its leading ``0`` read in the
client's region (``0211 12345678`` in Germany). Anything else is refused, with
the reason: letters or other characters are never skipped, digits without
``+`` or ``0`` (``4921112345678``, the form sipgate writes numbers in) get a
hint to write ``+…``, and numbers that cannot exist are refused
(``phonenumbers`` validity, not mere possibility). Numbers are sent to sipgate
as E.164.

Numbers sipgate writes itself (the history's ``source`` and ``target``) are
read leniently with :func:`history_number`: bare digits are E.164 without
``+``, a leading ``0`` is national, anything else stays as written.

Extensions are sipgate's ids of phones, lines and users: a type letter and a
number without leading zeros (``e0``, ``p12``, ``w0``). They are recognised by
that pattern and accepted only where the API takes that kind of extension.
"""

from enum import StrEnum
import re
from typing import Final

from .exceptions import SipgateInvalidPhoneNumberError

EXTENSION_TYPES: Final = {
    "a": "APPLICATION",
    "c": "CONFERENCE_ROOM",
    "e": "REGISTER",
    "f": "FAX",
    "g": "GROUP",
    "h": "IVR",
    "i": "SIM",
    "p": "PERSON",
    "q": "QUEUE",
    "r": "CALLTHROUGH",
    "s": "SMS",
    "t": "TRUNKING",
    "v": "VOICEMAIL",
    "w": "WEBUSER",
    "x": "EXTERNAL",
    "y": "MOBILE",
}
ALL_EXTENSION_TYPES: Final = frozenset(EXTENSION_TYPES)
# Extensions that can ring and place a call: phones, lines, external phones, mobiles.
DIALABLE_EXTENSION_TYPES: Final = frozenset("epxy")
NO_EXTENSIONS: Final[frozenset[str]] = frozenset()

_EXTENSION: Final = re.compile(r"([a-z])(0|[1-9][0-9]*)")
# Something that looks like an extension of any letter (``e14``, ``P0``, ``z3``).
_EXTENSION_LIKE: Final = re.compile(r"[A-Za-z][0-9]+")
_SEPARATORS: Final = re.compile(r"[ \t\-/.()]")
_DIGITS: Final = re.compile(r"\+?[0-9]+")


class NumberProblem(StrEnum):
    """Why a value is not a phone number (each has its own translated message)."""

    EMPTY = "empty"
    CHARACTERS = "characters"  # letters or other characters besides digits and separators
    EXTENSION = "extension"  # an extension where this field takes none (or not this kind)
    NEEDS_PLUS = "needs_plus"  # digits without ``+`` or ``0``: write ``+…``
    NEEDS_REGION = "needs_region"  # a national number, but no country to read it in
    INVALID = "invalid"  # a number that cannot exist


class NumberReadError(SipgateInvalidPhoneNumberError):
    """A value that is not a phone number; ``problem`` says why, ``hint`` what was probably meant."""

    def __init__(
        self, message: str, *, field: str, value: str, problem: NumberProblem, hint: str | None = None
    ) -> None:
        """Store the field, the value, the problem and an optional hint."""
        super().__init__(message, field=field, value=value)
        self.problem = problem
        self.hint = hint


class ExtensionReadError(SipgateInvalidPhoneNumberError):
    """A value that is not a sipgate extension of the kinds a field takes (``types``, their letters)."""

    def __init__(self, message: str, *, field: str, value: str, types: frozenset[str]) -> None:
        """Store the field, the value and the extension letters the field takes."""
        super().__init__(message, field=field, value=value)
        self.types = types


def is_extension(value: str, types: frozenset[str] = ALL_EXTENSION_TYPES) -> bool:
    """Whether ``value`` is a sipgate extension of one of ``types`` (``e0``, ``p1`` …)."""
    match = _EXTENSION.fullmatch(value)
    return match is not None and match.group(1) in types


def validate_extension(value: str, *, field: str, types: frozenset[str] = ALL_EXTENSION_TYPES) -> str:
    """Return ``value`` if it is an extension of ``types``, else raise naming ``field``."""
    if not is_extension(value, types):
        kinds = ", ".join(sorted(types))
        raise ExtensionReadError(
            f"{field}: {value!r} is not a sipgate extension (expected one of the types {kinds} "
            "followed by a number, e.g. e0 or p1)",
            field=field,
            value=value,
            types=types,
        )
    return value


def _refuse(
    field: str, value: str, problem: NumberProblem, detail: str, hint: str | None = None
) -> NumberReadError:
    return NumberReadError(
        f"{field}: {value!r} {detail}", field=field, value=value, problem=problem, hint=hint
    )


def _valid_e164(text: str, region: str | None) -> str | None:
    # phonenumbers (its metadata takes a while to load) is imported when a number is first read.
    import phonenumbers  # noqa: PLC0415

    try:
        parsed = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(parsed):
        return None
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def read_number(
    value: str, *, field: str, region: str | None, extensions: frozenset[str] = NO_EXTENSIONS
) -> str:
    """``value`` as E.164, or an extension of ``extensions`` unchanged; else :class:`NumberReadError`."""
    text = value.strip()
    if not text:
        raise _refuse(field, value, NumberProblem.EMPTY, "is empty (a phone number is needed)")
    if _EXTENSION_LIKE.fullmatch(text):
        # Extensions are ids: taken exactly as written, without surrounding blanks.
        if text == value and is_extension(text, extensions):
            return text
        detail = "is a sipgate extension, not a phone number"
        if extensions:
            detail += f" (this field takes phone numbers or extensions of the types {', '.join(sorted(extensions))})"
        raise _refuse(field, value, NumberProblem.EXTENSION, detail)
    compact = _SEPARATORS.sub("", text)
    if not _DIGITS.fullmatch(compact):
        raise _refuse(
            field,
            value,
            NumberProblem.CHARACTERS,
            "is not a phone number: only digits, a leading + and separators (spaces, - / . ( )) are allowed",
        )
    if compact.startswith("+"):
        number = _valid_e164(compact, None)
    elif compact.startswith("0"):
        if region is None:
            raise _refuse(
                field,
                value,
                NumberProblem.NEEDS_REGION,
                "is a national number; write it with + and the country code",
            )
        number = _valid_e164(compact, region)
    else:
        international = _valid_e164("+" + compact, None)
        if international is not None:
            raise _refuse(
                field,
                value,
                NumberProblem.NEEDS_PLUS,
                f"has neither + nor a leading 0; if {international} is meant, write it with +",
                hint=international,
            )
        number = None
    if number is None:
        raise _refuse(field, value, NumberProblem.INVALID, "is not a valid phone number")
    return number


def parse_number(value: str, *, region: str | None) -> str | None:
    """The E.164 form of ``value`` read strictly, or ``None`` if it is not a valid phone number."""
    try:
        return read_number(value, field="number", region=region)
    except NumberReadError:
        return None


def history_number(value: str | None, *, region: str | None) -> str | None:
    """A number as sipgate writes it in the history, in E.164 where it can be read.

    Bare digits (``4915791234567``) are E.164 without ``+``; a leading ``0``
    (``01579-9912345``) is national in ``region``; ``+…`` is read as written.
    Words (``anonymous``) and what cannot be read keep their raw value.
    """
    if value is None:
        return None
    compact = _SEPARATORS.sub("", value.strip())
    if not _DIGITS.fullmatch(compact):
        return value
    if not compact.startswith(("+", "0")):
        return "+" + compact
    if compact.startswith("0") and region is None:
        return value
    return parse_number(compact, region=region) or value


def normalize_number(value: str, *, field: str, region: str | None) -> str:
    """Return ``value`` in E.164 or raise a validation error naming ``field``."""
    return read_number(value, field=field, region=region)


def normalize_number_or_extension(
    value: str, *, field: str, region: str | None, types: frozenset[str] = ALL_EXTENSION_TYPES
) -> str:
    """An extension of ``types`` unchanged, anything else as an E.164 number."""
    return read_number(value, field=field, region=region, extensions=types)
