"""Models keep what sipgate's spec documents, typed, and ignore what it adds; pages end."""

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from custom_components.sipgate.api import (
    ActiveCall,
    ActiveRouting,
    Balance,
    Device,
    Forwarding,
    HistoryEndpoint,
    HistoryEntry,
    MnpState,
    Phoneline,
    PhoneNumber,
    SipgateInvalidResponseError,
    User,
    WebhookSettings,
)
from custom_components.sipgate.api.contacts import ContactAddress
from custom_components.sipgate.api.pagination import MAX_PAGES, Page, iterate_pages

UNKNOWN = {"someFutureField": {"nested": [1, 2]}, "anotherOne": "x"}


def test_history_entry_keeps_endpoints_and_preview() -> None:
    """Where a call went and a fax's preview are kept."""
    entry = HistoryEntry.from_dict(
        {
            "id": "1",
            "type": "FAX",
            "endpoints": [
                {"type": "ROUTED", "endpoint": {"extension": "p0", "type": "PERSON"}},
                {"type": "PICKUP", "endpoint": {"extension": "e14", "type": "REGISTER"}},
                {"type": "FORWARDED"},
                "junk",
            ],
            "previewUrl": "https://api.sipgate.com/v2/history/1/preview",
            **UNKNOWN,
        }
    )
    assert entry.endpoints == (
        HistoryEndpoint("ROUTED", "p0", "PERSON"),
        HistoryEndpoint("PICKUP", "e14", "REGISTER"),
        HistoryEndpoint("FORWARDED", None, None),
    )
    assert entry.preview_url == "https://api.sipgate.com/v2/history/1/preview"


def test_device_keeps_caller_id_and_owner() -> None:
    """A device's shown number and its owner."""
    device = Device.from_dict(
        {"id": "e14", "type": "REGISTER", "callerId": "+4921112345671", "owner": "w1", **UNKNOWN}
    )
    assert (device.caller_id, device.owner) == ("+4921112345671", "w1")
    assert Device.from_dict({"id": "e0"}).caller_id is None


def test_device_keeps_the_names_of_its_lines_and_groups() -> None:
    """``activePhonelines``/``activeGroups`` are ``{id, alias}`` objects; entries without an id are skipped."""
    device = Device.from_dict(
        {
            "id": "e0",
            "activePhonelines": [{"id": "p0", "alias": "Anna Muster", **UNKNOWN}, {"alias": "no id"}, "junk"],
            "activeGroups": [{"id": "g1", "alias": "Zentrale"}, {"id": "g2"}],
        }
    )
    assert device.phonelines == (ActiveRouting("p0", "Anna Muster"),)
    assert device.groups == (ActiveRouting("g1", "Zentrale"), ActiveRouting("g2", None))
    assert (device.active_phonelines, device.active_groups) == (("p0",), ("g1", "g2"))
    assert device.to_dict()["activeGroups"] == [
        {"id": "g1", "alias": "Zentrale"},
        {"id": "g2", "alias": None},
    ]
    assert Device.from_dict({"id": "e1", "activePhonelines": {"id": "p0"}}).phonelines == ()


def test_number_keeps_porting_state() -> None:
    """Numbers being ported keep their state and port id."""
    number = PhoneNumber.from_dict(
        {
            "id": "1",
            "number": "+4921112345670",
            "endpointUrl": "https://api.sipgate.com/v2/groups/g1",
            "mnpState": {"isReleased": True, "releasedUntil": "2026-12-31T00:00:00Z"},
            "portId": "PORT-7",
            **UNKNOWN,
        }
    )
    assert number.mnp_state == MnpState(True, datetime(2026, 12, 31, tzinfo=UTC))
    assert (number.port_id, number.endpoint_url) == ("PORT-7", "https://api.sipgate.com/v2/groups/g1")
    assert PhoneNumber.from_dict({"id": "2", "number": "+4921112345671", "mnpState": "?"}).mnp_state is None


def test_user_and_line_keep_every_field() -> None:
    """A user's address id and a line's sub-resource URLs."""
    assert User.from_dict({"id": "w1", "addressId": "a7", **UNKNOWN}).address_id == "a7"
    line = Phoneline.from_dict(
        {
            "id": "p0",
            "alias": "Anna",
            "blockAnonymousUrl": "b",
            "devicesUrl": "d",
            "forwardingsUrl": "f",
            "numbersUrl": "n",
            "parallelForwardingsUrl": "pf",
            "voicemailsUrl": "v",
            **UNKNOWN,
        }
    )
    assert (
        line.block_anonymous_url,
        line.devices_url,
        line.forwardings_url,
        line.numbers_url,
        line.parallel_forwardings_url,
        line.voicemails_url,
    ) == ("b", "d", "f", "n", "pf", "v")


@pytest.mark.parametrize(
    ("value", "expected"),
    [("", None), (None, None), ("Anna", "Anna"), (7, "7")],
)
def test_strings_empty_means_unset(value: object, expected: str | None) -> None:
    """An empty string is "not set"; other values are read as text."""
    assert User.from_dict({"id": "w1", "firstname": value}).firstname == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (True, True),
        ("true", True),
        (" TRUE ", True),
        ("false", False),
        ("yes", False),
        (None, False),
        (1, True),
    ],
)
def test_flags_accept_strings(value: object, expected: bool) -> None:
    """Sipgate sometimes sends booleans as strings; ``null`` is false."""
    assert User.from_dict({"id": "w1", "admin": value}).admin is expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [(30, 30), ("45", 45), ("soon", 0), (None, 0), (True, 0), (float("inf"), 0), ([5], 0)],
)
def test_numbers_that_are_not_numbers_fall_back(value: object, expected: int) -> None:
    """A forwarding's timeout that is not a number reads as 0 (at once)."""
    assert Forwarding.from_dict({"destination": "+4915799912345", "timeout": value}).timeout == expected


def test_history_entry_reads_every_kind_of_field() -> None:
    """Timestamps, lists with junk, older field names and unknown types."""
    entry = HistoryEntry.from_dict(
        {
            "id": 12,
            "created": "2026-11-30T08:15:00Z",
            "lastModified": "2026-11-30T08:16:00",
            "scheduled": "not a date",
            "connectionIds": ["p0", None, "g1"],
            "labels": "not a list",
            "recordings": [{"url": "https://r/1"}, {"url": ""}, "junk", {}],
            "recordingUrl": "https://r/2",
            "faxStatus": "SENT",
            "duration": "12",
            "pageCount": "many",
            **UNKNOWN,
        }
    )
    assert (entry.id, entry.type) == ("12", "UNKNOWN")
    assert entry.created == datetime(2026, 11, 30, 8, 15, tzinfo=UTC)
    assert entry.last_modified == datetime(2026, 11, 30, 8, 16, tzinfo=UTC)
    assert entry.scheduled is None
    assert (entry.connection_ids, entry.labels) == (("p0", "g1"), ())
    assert entry.recording_urls == ("https://r/1", "https://r/2")
    assert (entry.fax_status, entry.duration, entry.page_count) == ("SENT", 12, None)
    newer = HistoryEntry.from_dict({"id": "1", "faxStatusType": "FAILED", "faxStatus": "SENT"})
    assert newer.fax_status == "FAILED"


@pytest.mark.parametrize(
    ("model", "data", "message"),
    [
        (User, {"firstname": "Anna"}, "user: field 'id' is missing"),
        (User, {"id": ""}, "user: field 'id' is missing"),
        (HistoryEntry, {"id": None}, "history entry: field 'id' is missing"),
        (
            ActiveCall,
            {"callId": "c1", "participants": [{"phoneNumber": "+49"}]},
            "call participant: field 'participantId' is missing",
        ),
        (
            Balance,
            {"amount": "lots", "currency": "EUR"},
            "balance: field 'amount' is missing or not a number",
        ),
        (Balance, {"currency": "EUR"}, "balance: field 'amount' is missing or not a number"),
    ],
)
def test_broken_answers_name_the_model_and_field(model: type, data: dict[str, object], message: str) -> None:
    """A required field missing, here or in a nested object, fails the answer with the client's own error."""
    with pytest.raises(SipgateInvalidResponseError, match=message):
        model.from_dict(data)


def test_a_list_field_that_is_not_a_list_is_empty() -> None:
    """``participants`` as an object (not a list) reads as none, as every list field does."""
    assert ActiveCall.from_dict({"callId": "c1", "participants": {"phoneNumber": "+49"}}).participants == ()
    assert (
        ActiveCall.from_dict({"callId": "c1", "participants": [{"participantId": "p", "muted": "true"}, 7]})
        .participants[0]
        .muted
    )


def test_balance_in_ten_thousandths() -> None:
    """35000 is 3.50; the currency defaults to euro."""
    assert Balance.from_dict({"amount": 35000}) == Balance(Decimal("3.5"), "EUR")
    assert Balance.from_dict({"amount": "-2500", "currency": "USD"}).amount == Decimal("-0.25")


def test_forwarding_active_as_read_and_as_made() -> None:
    """Read from sipgate, a forwarding without ``active`` is inactive; a new one is active."""
    assert Forwarding.from_dict({"destination": "voicemail"}).active is False
    assert Forwarding.from_dict({"destination": "voicemail", "active": "true"}).active is True
    assert Forwarding("voicemail").active is True


def test_models_write_sipgate_json_names() -> None:
    """``to_dict`` gives sipgate's names: the bodies of ``PUT`` requests."""
    settings = WebhookSettings.from_dict(
        {"incomingUrl": "https://a/in", "outgoingUrl": None, "log": "true", "whitelist": ["p0", "g1"]}
    )
    assert settings.to_dict() == {
        "incomingUrl": "https://a/in",
        "outgoingUrl": "",
        "log": True,
        "whitelist": ["p0", "g1"],
    }
    assert WebhookSettings.from_dict({"whitelist": "all"}).whitelist is None
    address = ContactAddress.from_dict({"locality": "Düsseldorf", "postalCode": 40219, "type": ["work"]})
    assert address.to_dict() == {
        "poBox": "",
        "extendedAddress": "",
        "streetAddress": "",
        "locality": "Düsseldorf",
        "region": "",
        "postalCode": "40219",
        "country": "",
        "type": ["work"],
    }
    assert "type" not in ContactAddress(locality="Köln").to_dict()


async def test_pages_stop_when_offset_is_ignored() -> None:
    """Sipgate answering the same full page to every offset, without totalCount: two requests."""
    offsets: list[int] = []

    async def fetch(offset: int, size: int) -> Page[str]:
        offsets.append(offset)
        return Page([f"n{i}" for i in range(size)])

    items = [item async for item in iterate_pages(fetch, page_size=3, key=lambda item: item)]
    assert items == ["n0", "n1", "n2"]
    assert offsets == [0, 3]


async def test_pages_skip_repeats_and_stop_after_a_bound() -> None:
    """Overlapping pages yield each item once; an endless list stops after the bound."""
    calls = 0

    async def endless(offset: int, size: int) -> Page[int]:
        nonlocal calls
        calls += 1
        start = offset - 1 if offset else 0  # each page repeats the previous page's last item
        return Page(list(range(start, start + size)))

    items = [item async for item in iterate_pages(endless, page_size=2, max_pages=5)]
    # pages [0, 1] [1, 2] [3, 4] [5, 6] [7, 8]: every item once, then the bound
    assert items == [0, 1, 2, 3, 4, 5, 6, 7, 8]
    assert calls == 5
    assert MAX_PAGES >= 100


async def test_page_size_must_be_positive() -> None:
    """A page size of 0 would never end."""
    with pytest.raises(ValueError, match="page_size"):
        [item async for item in iterate_pages(lambda o, s: None, page_size=0)]  # type: ignore[arg-type,return-value]
