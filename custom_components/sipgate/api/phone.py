"""Phone numbers and sipgate extensions.

Numbers are accepted in E.164 (``+4921112345678``), international with 00,
or national form read in the client's region (``0211 12345678`` in Germany),
and always sent to sipgate as E.164. Extensions are sipgate's ids of phones,
lines and users: a type letter and a number without leading zeros (``e0``,
``p12``, ``w0``).
"""

import re
from typing import Final

import phonenumbers

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

_EXTENSION = re.compile(r"^([a-z])(0|[1-9][0-9]*)$")


def is_extension(value: str, types: frozenset[str] = ALL_EXTENSION_TYPES) -> bool:
    """Whether ``value`` is a sipgate extension of one of ``types`` (``e0``, ``p1`` …)."""
    match = _EXTENSION.match(value)
    return bool(match) and match.group(1) in types  # type: ignore[union-attr]


def validate_extension(value: str, *, field: str, types: frozenset[str] = ALL_EXTENSION_TYPES) -> str:
    """Return ``value`` if it is an extension of ``types``, else raise naming ``field``."""
    if not is_extension(value, types):
        kinds = ", ".join(sorted(types))
        raise SipgateInvalidPhoneNumberError(
            f"{field}: {value!r} is not a sipgate extension (expected one of the types {kinds} "
            "followed by a number, e.g. e0 or p1)",
            field=field,
            value=value,
        )
    return value


def parse_number(value: str, *, region: str | None) -> str | None:
    """The E.164 form of ``value``, or ``None`` if it is not a possible phone number."""
    text = value.strip()
    if not text or not any(char.isdigit() for char in text):
        return None
    try:
        parsed = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_possible_number(parsed):
        return None
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def normalize_number(value: str, *, field: str, region: str | None) -> str:
    """Return ``value`` in E.164 or raise a validation error naming ``field``."""
    number = parse_number(value, region=region)
    if number is None:
        raise SipgateInvalidPhoneNumberError(
            f"{field}: {value!r} is not a valid phone number (use E.164 such as +4921112345678"
            + (f", or a national number in {region}" if region else "")
            + ")",
            field=field,
            value=value,
        )
    return number


def normalize_number_or_extension(
    value: str, *, field: str, region: str | None, types: frozenset[str] = ALL_EXTENSION_TYPES
) -> str:
    """An extension of ``types`` unchanged, anything else as an E.164 number."""
    if is_extension(value.strip(), types):
        return value.strip()
    number = parse_number(value, region=region)
    if number is None:
        kinds = ", ".join(sorted(types))
        raise SipgateInvalidPhoneNumberError(
            f"{field}: {value!r} is neither a phone number nor a sipgate extension of the types {kinds}",
            field=field,
            value=value,
        )
    return number
