"""Models keep what sipgate's spec documents, typed, and ignore what it adds; pages end."""

from datetime import UTC, datetime

import pytest

from custom_components.sipgate.api import (
    Device,
    HistoryEndpoint,
    HistoryEntry,
    MnpState,
    Phoneline,
    PhoneNumber,
    User,
)
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
