"""Client-side validation, checked against the Node library's executed vector tables.

Where the Node library is wrong or stricter than sipgate, the test says so and
asserts the corrected behaviour.
"""

from datetime import UTC, datetime, timedelta

import pytest

from custom_components.sipgate.api import SipgateValidationError
from custom_components.sipgate.api.phone import (
    is_extension,
    normalize_number,
    normalize_number_or_extension,
    parse_number,
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
# Node parses without a region, so it refuses national numbers; sipgate users in
# Germany type them all the time. With the instance's region they are accepted.
NATIONAL_IN_GERMANY = {"004915739777777": "+4915739777777", "015739777777": "+4915739777777"}


@pytest.mark.parametrize("value", sorted(PHONE_CASES))
def test_phone_numbers_without_region_match_the_node_library(value: str) -> None:
    """With no region, exactly the numbers Node accepts are accepted."""
    assert (parse_number(value, region=None) is not None) is PHONE_CASES[value]["isValid"]


@pytest.mark.parametrize("value", sorted(PHONE_CASES))
def test_phone_numbers_in_germany(value: str) -> None:
    """With region DE, national and 00-prefixed numbers work too; junk stays invalid."""
    expected_valid = PHONE_CASES[value]["isValid"] or value in NATIONAL_IN_GERMANY
    if value == "4915739777777":
        # Read as a German national number this is possible (a 13-digit subscriber number).
        expected_valid = True
    result = parse_number(value, region="DE")
    assert (result is not None) is expected_valid
    if value in NATIONAL_IN_GERMANY:
        assert result == NATIONAL_IN_GERMANY[value]


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
