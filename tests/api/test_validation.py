"""Client-side validation, checked against the Node library's executed vector tables.

Where the Node library is wrong or stricter than sipgate, the test says so and
asserts the corrected behaviour.
"""

from datetime import UTC, datetime, timedelta

import pytest

from custom_components.sipgate.api import SipgateValidationError
from custom_components.sipgate.api.phone import (
    DIALABLE_EXTENSION_TYPES,
    NO_EXTENSIONS,
    NumberProblem,
    NumberReadError,
    history_number,
    is_extension,
    normalize_number,
    normalize_number_or_extension,
    parse_number,
    read_number,
    validate_extension,
)
from custom_components.sipgate.api.validation import (
    validate_dtmf,
    validate_http_url,
    validate_pdf,
    validate_send_at,
)

from ..conftest import load_json

VALIDATORS = load_json("sipgateio-vectors.json")["validators_executed"]
PHONE_CASES = VALIDATORS["phone_number_E164_libphonenumber_parse_no_region"]["results"]
# Where the strict reading differs from the Node library's (which parses without a region):
# letters are never skipped, numbers that cannot exist are refused, and in Germany national
# and 00-prefixed numbers are read.
STRICTER_THAN_NODE = {"+49123456789test", "+4912368712"}
NATIONAL_IN_GERMANY = {"004915739777777": "+4915739777777", "015739777777": "+4915739777777"}


@pytest.mark.parametrize("value", sorted(PHONE_CASES))
def test_phone_numbers_without_region_against_the_node_library(value: str) -> None:
    """With no region, the Node library's numbers are accepted unless letters or validity say no."""
    expected = PHONE_CASES[value]["isValid"] and value not in STRICTER_THAN_NODE
    assert (parse_number(value, region=None) is not None) is expected


@pytest.mark.parametrize("value", sorted(PHONE_CASES))
def test_phone_numbers_in_germany(value: str) -> None:
    """With region DE, national and 00-prefixed numbers work too; junk stays invalid."""
    expected = (PHONE_CASES[value]["isValid"] and value not in STRICTER_THAN_NODE) or (
        value in NATIONAL_IN_GERMANY
    )
    result = parse_number(value, region="DE")
    assert (result is not None) is expected
    if value in NATIONAL_IN_GERMANY:
        assert result == NATIONAL_IN_GERMANY[value]


# Every field that takes a phone number, and the extensions it also takes.
NUMBER_FIELDS = {
    "to": NO_EXTENSIONS,
    "recipient": NO_EXTENSIONS,
    "caller_id": NO_EXTENSIONS,
    "numbers": NO_EXTENSIONS,
    "phonenumber": NO_EXTENSIONS,
    "from": DIALABLE_EXTENSION_TYPES,
}
# What each string is, read in Germany: E.164, or the problem that refuses it.
READINGS: dict[str, str | NumberProblem] = {
    "e14": NumberProblem.EXTENSION,
    "p12": NumberProblem.EXTENSION,
    "g10": NumberProblem.EXTENSION,
    "w10": NumberProblem.EXTENSION,
    "e0": NumberProblem.EXTENSION,
    "s0": NumberProblem.EXTENSION,
    "f0": NumberProblem.EXTENSION,
    "x0": NumberProblem.EXTENSION,
    "y0": NumberProblem.EXTENSION,
    "p0": NumberProblem.EXTENSION,
    "+49 211 <&>": NumberProblem.CHARACTERS,
    "+49123456789test": NumberProblem.CHARACTERS,
    "0211 1234567a": NumberProblem.CHARACTERS,
    "p0\n": NumberProblem.EXTENSION,
    "+49++": NumberProblem.CHARACTERS,
    "anonymous": NumberProblem.CHARACTERS,
    "4915791234567": NumberProblem.NEEDS_PLUS,
    "12": NumberProblem.INVALID,
    "0211": NumberProblem.INVALID,
    "+4912368712": NumberProblem.INVALID,
    "": NumberProblem.EMPTY,
    "  ": NumberProblem.EMPTY,
    "+4915791234567": "+4915791234567",
    "+49 1579 1234567": "+4915791234567",
    "+49 (0)211 12345671": "+4921112345671",
    "0211 12345671": "+4921112345671",
    "0211/123 456-71": "+4921112345671",
    "(0211) 12345671": "+4921112345671",
    "0211.12345671": "+4921112345671",
    "00 49 211 12345671": "+4921112345671",
    "+1 202 555 1212": "+12025551212",
}
# Extensions a caller (``from``) may be: phones, lines, external phones, mobiles.
DIALABLE = {"e14", "p12", "e0", "x0", "y0", "p0"}


@pytest.mark.parametrize("field", sorted(NUMBER_FIELDS))
@pytest.mark.parametrize("value", sorted(READINGS))
def test_every_string_is_read_exactly_or_refused_per_field(value: str, field: str) -> None:
    """A number exactly as written (separators aside), an allowed extension, or the reason why not."""
    extensions = NUMBER_FIELDS[field]
    reading = READINGS[value]
    if value in DIALABLE and extensions:
        assert read_number(value, field=field, region="DE", extensions=extensions) == value
        return
    if not isinstance(reading, NumberProblem):
        assert read_number(value, field=field, region="DE", extensions=extensions) == reading
        assert normalize_number(value, field=field, region="DE") == reading
        return
    with pytest.raises(NumberReadError) as caught:
        read_number(value, field=field, region="DE", extensions=extensions)
    assert (caught.value.problem, caught.value.field, caught.value.value) == (reading, field, value)
    assert field in str(caught.value)
    assert repr(value) in str(caught.value)
    assert parse_number(value, region="DE") is None


def test_digits_without_plus_get_a_hint() -> None:
    """Sipgate's own form (digits without +) is refused, naming what to write."""
    with pytest.raises(NumberReadError) as caught:
        read_number("4915791234567", field="recipient", region="DE")
    assert caught.value.hint == "+4915791234567"
    assert "+4915791234567" in str(caught.value)


@pytest.mark.parametrize(
    ("value", "region", "expected"),
    [
        ("4915791234567", "DE", "+4915791234567"),  # sipgate's digits without +
        ("01579-9912345", "DE", "+4915799912345"),  # the REST spec's example
        ("0211 12345678", "DE", "+4921112345678"),
        ("0664 1234567", "AT", "+436641234567"),  # national in the instance's country
        ("+49 211 12345678", "DE", "+4921112345678"),
        ("anonymous", "DE", "anonymous"),
        ("0123", "DE", "0123"),  # cannot exist: as written
        ("01579-9912345", None, "01579-9912345"),  # no region to read it in
        ("", "DE", ""),
        (None, "DE", None),
    ],
)
def test_history_numbers_become_e164_where_they_can(
    value: str | None, region: str | None, expected: str | None
) -> None:
    """The numbers sipgate writes in the history: E.164 where readable, else unchanged."""
    assert history_number(value, region=region) == expected


def test_national_numbers_need_a_region() -> None:
    """Without a country a national number cannot be read."""
    with pytest.raises(NumberReadError) as caught:
        read_number("0211 12345671", field="to", region=None)
    assert caught.value.problem is NumberProblem.NEEDS_REGION
    assert read_number("01 5880012", field="to", region="AT") == "+4315880012"


def test_number_error_names_field_and_value() -> None:
    """The error says which field was wrong and what it held."""
    with pytest.raises(SipgateValidationError) as caught:
        normalize_number("anonymous", field="recipient", region="DE")
    assert caught.value.field == "recipient"
    assert caught.value.value == "anonymous"
    assert "recipient" in str(caught.value)
    assert "'anonymous'" in str(caught.value)


def test_number_formats_become_e164() -> None:
    """Spaces, brackets and the trunk zero are normalised away."""
    assert normalize_number("+49 (0)211 12345678", field="to", region="DE") == "+4921112345678"
    assert normalize_number("0211 / 123 456 78", field="to", region="DE") == "+4921112345678"
    assert normalize_number("+1 202 555 1212", field="to", region="DE") == "+12025551212"


@pytest.mark.parametrize("value", sorted(VALIDATORS["extension_any_type"]["results"]))
def test_extensions_match_the_node_library(value: str) -> None:
    """Extension ids: a type letter and a number without leading zeros."""
    expected = VALIDATORS["extension_any_type"]["results"][value]["isValid"]
    assert is_extension(value) is expected
    if not expected:
        with pytest.raises(SipgateValidationError):
            validate_extension(value, field="connection_ids")


def test_extension_types_are_enforced() -> None:
    """Only the allowed kinds of extension pass where a specific kind is needed."""
    assert validate_extension("e14", field="device_id", types=frozenset("epxy")) == "e14"
    with pytest.raises(SipgateValidationError, match="device_id"):
        validate_extension("g5", field="device_id", types=frozenset("epxy"))
    assert normalize_number_or_extension("p0", field="from", region="DE") == "p0"
    assert normalize_number_or_extension("0211 12345678", field="from", region="DE") == "+4921112345678"
    with pytest.raises(SipgateValidationError, match="from"):
        normalize_number_or_extension("g", field="from", region="DE")
    for trailing in ("s0\n", "e0\n", "p0 \n"):
        assert not is_extension(trailing)
        with pytest.raises(SipgateValidationError):
            validate_extension(trailing, field="device_id")


@pytest.mark.parametrize("sequence", sorted(VALIDATORS["dtmf_sequence_after_uppercasing"]["results"]))
def test_dtmf(sequence: str) -> None:
    """DTMF is upper-cased first (as sendDTMF does), then 0-9, A-D, * and # are allowed.

    Node's table applies the pattern to the raw text, so it lists "aa" as
    invalid although its own sendDTMF sends "AA"; upper-casing first is what
    sipgate receives.
    """
    valid = VALIDATORS["dtmf_sequence_after_uppercasing"]["results"][sequence]["isValid"]
    valid = valid or sequence.upper() in ("*AABB#", "AA")
    if valid:
        assert validate_dtmf(sequence) == sequence.upper()
    else:
        with pytest.raises(SipgateValidationError, match="DTMF"):
            validate_dtmf(sequence)


@pytest.mark.parametrize("url", sorted(VALIDATORS["webhook_url"]["results"]))
def test_urls(url: str) -> None:
    """http(s) URLs only; unlike Node, a URL must also name a host ("http://" alone is refused)."""
    valid = VALIDATORS["webhook_url"]["results"][url]["isValid"] and url not in ("http://", "https://")
    if valid:
        assert validate_http_url(url) == url
    else:
        with pytest.raises(SipgateValidationError):
            validate_http_url(url)


@pytest.mark.parametrize(
    ("content", "valid"),
    [
        (b"%PDF-1.4\n...\n%%EOF", True),
        (b"%PDF-1.4\n...no end", False),
        (b" \n%PDF-1.4\n%%EOF", False),
        # Node refuses a PDF that contains "%PDF-" again later (an embedded document):
        # a valid PDF may well do that, so it is accepted here.
        (b"%PDF-1.4\nstream %PDF-1.3 endstream\n%%EOF", True),
        (b"12ABC34", False),
    ],
)
def test_pdf_detection(content: bytes, valid: bool) -> None:
    """A PDF starts with %PDF- and has an end-of-file marker."""
    if valid:
        assert validate_pdf(content) == content
    else:
        with pytest.raises(SipgateValidationError, match="PDF"):
            validate_pdf(content)


def test_send_at() -> None:
    """Future, at most 30 days ahead, sent as whole seconds (Node sends fractions)."""
    now = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
    assert validate_send_at(now + timedelta(days=1, microseconds=380000), now=now) == int(
        (now + timedelta(days=1)).timestamp()
    )
    assert validate_send_at(datetime(2026, 12, 27, 12, 0), now=now)  # noqa: DTZ001 - naive is read as UTC == int(datetime(2026, 12, 27, 12, 0, tzinfo=UTC).timestamp())
    with pytest.raises(SipgateValidationError, match="not in the future"):
        validate_send_at(now - timedelta(seconds=3), now=now)
    for days in (31, 40):
        with pytest.raises(SipgateValidationError, match="30 days"):
            validate_send_at(now + timedelta(days=days), now=now)


@pytest.mark.parametrize("value", ["s0\n", "s0 ", "\ns0"])
def test_patterns_match_whole_strings(value: str) -> None:
    """A trailing newline is not part of an id or a DTMF sequence."""
    from custom_components.sipgate.api.sms import validate_sms_id

    with pytest.raises(SipgateValidationError):
        validate_sms_id(value)
    with pytest.raises(SipgateValidationError):
        validate_dtmf(value.replace("s0", "12"))
    assert validate_sms_id("s0") == "s0"
