"""History and live-call control: the exact requests of the Node vectors, and the models."""

from datetime import UTC, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from custom_components.sipgate.api import (
    HistoryChange,
    HistoryFilter,
    SipgateClient,
    SipgateForbiddenError,
    SipgateValidationError,
)

from ..conftest import load_json
from .conftest import FakeSipgate, sent

REST = load_json("sipgateio-vectors.json")["rest_requests_executed"]


def _query(name: str) -> list[tuple[str, str]]:
    params = REST[name]["requests"][0].get("params", {})
    pairs: list[tuple[str, str]] = []
    for key, value in params.items():
        values = value if isinstance(value, list) else [value]
        pairs.extend((key, str(v).lower() if isinstance(v, bool) else str(v)) for v in values)
    return pairs


async def test_history_with_every_filter(client: SipgateClient, fake_sipgate: FakeSipgate) -> None:
    """The Node vector's full filter, sent with the same keys and values (order aside)."""
    fake_sipgate.answer(
        "GET", "history", json={"items": [load_json("history_entry_call.json")], "totalCount": 57}
    )
    page = await client.history.fetch(
        HistoryFilter(
            archived=False,
            connection_ids=["p0", "g1"],
            directions=["INCOMING", "MISSED_INCOMING"],
            start=datetime(2024, 1, 1, tzinfo=UTC),
            starred=True,
            end=datetime(2024, 1, 31, 23, 59, 59, tzinfo=UTC),
            types=["CALL", "VOICEMAIL"],
            phonenumber="+4921112345678",
        ),
        offset=0,
        limit=50,
    )
    assert sorted(sent(fake_sipgate)[0][2]) == sorted(_query("history.fetchAll_full_filter"))
    assert page.total_count == 57
    entry = page.items[0]
    assert entry.is_missed
    assert (entry.id, entry.type, entry.source, entry.call_status, entry.read) == (
        "100001234",
        "CALL",
        "+4915799912345",
        "MISSED",
        False,
    )
    assert entry.created == datetime(2026, 11, 26, 8, 15, 2, tzinfo=UTC)
    assert entry.connection_ids == ("p0", "g1")


@pytest.mark.parametrize(("starred", "name"), [(False, "history.fetchAll_starred_false")])
async def test_history_unstarred(
    client: SipgateClient, fake_sipgate: FakeSipgate, starred: bool, name: str
) -> None:
    """starred=False means only entries without a star."""
    fake_sipgate.answer("GET", "history", json={"items": []})
    await client.history.fetch(HistoryFilter(starred=starred))
    assert sent(fake_sipgate)[0][2] == _query(name)


async def test_history_without_filter(client: SipgateClient, fake_sipgate: FakeSipgate) -> None:
    """No filter, no query (sipgate then answers 10 entries)."""
    fake_sipgate.answer("GET", "history", json={"items": []})
    page = await client.history.fetch()
    assert sent(fake_sipgate)[0][2] == []
    assert page.items == []


async def test_history_national_number_and_local_time(
    client: SipgateClient, fake_sipgate: FakeSipgate
) -> None:
    """A national phonenumber is sent in E.164 (read in the client's region); times go as UTC."""
    fake_sipgate.answer("GET", "history", json={"items": []})
    berlin = ZoneInfo("Europe/Berlin")
    await client.history.fetch(
        HistoryFilter(phonenumber="0157 99912345", start=datetime(2026, 11, 1, tzinfo=berlin)),
        limit=20,
        offset=0,
    )
    assert sorted(sent(fake_sipgate)[0][2]) == [
        ("from", "2026-10-31T23:00:00.000Z"),
        ("limit", "20"),
        ("offset", "0"),
        ("phonenumber", "+4915799912345"),
    ]


async def test_history_invalid_input(client: SipgateClient, fake_sipgate: FakeSipgate) -> None:
    """Bad connection ids, types, limits and numbers fail before sending."""
    with pytest.raises(SipgateValidationError, match="sokx5"):
        await client.history.fetch(HistoryFilter(connection_ids=["sokx5"]))
    with pytest.raises(ValueError, match="PARCEL"):
        await client.history.fetch(HistoryFilter(types=["PARCEL"]))
    with pytest.raises(SipgateValidationError, match="limit"):
        await client.history.fetch(limit=5000)
    with pytest.raises(SipgateValidationError, match="phonenumber"):
        await client.history.fetch(HistoryFilter(phonenumber="abc"))
    assert fake_sipgate.requests == []


async def test_history_fax_entry_and_by_id(client: SipgateClient, fake_sipgate: FakeSipgate) -> None:
    """fetch-by-id reads the type's own fields (fax status, pages, schedule)."""
    fake_sipgate.answer("GET", "history/123123", json=load_json("history_entry_fax.json"))
    entry = await client.history.get("123123")
    assert (entry.type, entry.fax_status, entry.page_count, entry.is_missed) == ("FAX", "SENT", 2, False)
    assert entry.scheduled == datetime(2026, 11, 26, 9, 0, tzinfo=UTC)


async def test_history_iterates_all_pages(client: SipgateClient, fake_sipgate: FakeSipgate) -> None:
    """The iterator walks limit/offset pages until sipgate has no more."""
    pages = {0: ["1", "2"], 2: ["3", "4"], 4: ["5"]}

    async def paged(request):  # type: ignore[no-untyped-def]
        from aiohttp import web

        offset, limit = int(request.query["offset"]), int(request.query["limit"])
        return web.json_response(
            {"items": [{"id": i, "type": "SMS"} for i in pages[offset][:limit]], "totalCount": 5}
        )

    fake_sipgate.handlers[("GET", "/history")] = paged
    ids = [entry.id async for entry in client.history.iterate(HistoryFilter(types=["SMS"]), page_size=2)]
    assert ids == ["1", "2", "3", "4", "5"]
    assert [dict(q)["offset"] for _, _, q, _ in sent(fake_sipgate)] == ["0", "2", "4"]

    fake_sipgate.requests.clear()
    ids = [entry.id async for entry in client.history.iterate(page_size=2, limit=3)]
    assert ids == ["1", "2", "3"]
    assert [(dict(q)["offset"], dict(q)["limit"]) for _, _, q, _ in sent(fake_sipgate)] == [
        ("0", "2"),
        ("2", "1"),
    ]


async def test_history_delete(client: SipgateClient, fake_sipgate: FakeSipgate) -> None:
    """Delete one, and many with repeated id keys; an empty list sends nothing."""
    fake_sipgate.answer("DELETE", "history/1", status=204)
    fake_sipgate.answer("DELETE", "history", status=204)
    await client.history.delete("1")
    await client.history.delete_many(["1", "2", "3"])
    await client.history.delete_many([])
    assert [(m, p, q) for m, p, q, _ in sent(fake_sipgate)] == [
        ("DELETE", "/history/1", []),
        ("DELETE", "/history", _query("history.deleteByListOfIds")),
    ]


async def test_history_batch_update(client: SipgateClient, fake_sipgate: FakeSipgate) -> None:
    """Node's batchUpdateEvents: notes one by one, flags in one batch, empty changes dropped."""
    fake_sipgate.answer("PUT", "history/3", status=204)
    fake_sipgate.answer("PUT", "history", status=204)
    await client.history.update_many(
        [
            HistoryChange("1", starred=True, archived=False),
            HistoryChange("2"),
            HistoryChange("3", note="Note Event", read=True),
        ]
    )
    expected = [
        (r["method"], "/" + r["url"].lstrip("/"), r["body"])
        for r in REST["history.batchUpdateEvents"]["requests"]
    ]
    assert sorted(((m, p, b) for m, p, _, b in sent(fake_sipgate)), key=lambda r: r[1]) == sorted(
        expected, key=lambda r: r[1]
    )


async def test_history_update_nothing_sends_nothing(client: SipgateClient, fake_sipgate: FakeSipgate) -> None:
    """Node sends an empty batch; nothing to change means no request here."""
    await client.history.update("3")
    await client.history.update_many([HistoryChange("1")])
    assert fake_sipgate.requests == []


async def test_history_export(client: SipgateClient, fake_sipgate: FakeSipgate) -> None:
    """CSV export with the vector's filter; the export cannot filter by number."""
    fake_sipgate.answer("GET", "history/export", text="csv")
    text = await client.history.export_csv(
        HistoryFilter(archived=True, starred=False, types=["SMS"]), offset=10, limit=20
    )
    assert text == "csv"
    assert sorted(sent(fake_sipgate)[0][2]) == sorted(_query("history.exportAsCsvString"))
    with pytest.raises(SipgateValidationError, match="phone number"):
        await client.history.export_csv(HistoryFilter(phonenumber="+4921112345678"))


RTCM = [
    ("rtcm.mute", lambda c: c.calls.mute("ABCDEF0123456789", True)),
    ("rtcm.hold", lambda c: c.calls.hold("ABCDEF0123456789", False)),
    ("rtcm.record", lambda c: c.calls.record("ABCDEF0123456789", True, announcement=True)),
    (
        "rtcm.announce",
        lambda c: c.calls.announce("ABCDEF0123456789", "https://static.sipgate.com/examples/wav/example.wav"),
    ),
    ("rtcm.transfer", lambda c: c.calls.transfer("ABCDEF0123456789", "+4915799912345")),
    ("rtcm.sendDTMF_lowercase", lambda c: c.calls.send_dtmf("ABCDEF0123456789", "*12abc#")),
    ("rtcm.hangUp", lambda c: c.calls.hang_up("ABCDEF0123456789")),
]


@pytest.mark.parametrize(("name", "call"), RTCM, ids=[name for name, _ in RTCM])
async def test_live_call_control_matches_the_vectors(
    client: SipgateClient, fake_sipgate: FakeSipgate, name: str, call
) -> None:  # type: ignore[no-untyped-def]
    """Mute, hold, record, announce, transfer, DTMF and hang up send Node's exact requests."""
    request = REST[name]["requests"][0]
    fake_sipgate.answer(request["method"], request["url"], status=204)
    await call(client)
    assert [(m, p, b) for m, p, _, b in sent(fake_sipgate)] == [
        (request["method"], request["url"], request.get("body"))
    ]


async def test_live_call_control_validation(client: SipgateClient, fake_sipgate: FakeSipgate) -> None:
    """Invalid DTMF, a non-http announcement and a bad transfer target are refused."""
    with pytest.raises(SipgateValidationError, match="DTMF"):
        await client.calls.send_dtmf("ABC", "12 34")
    with pytest.raises(SipgateValidationError) as caught:
        await client.calls.send_dtmf("EST1", "12x")
    assert caught.value.field == "sequence"
    with pytest.raises(SipgateValidationError, match="url"):
        await client.calls.announce("ABC", "file:///etc/passwd")
    with pytest.raises(SipgateValidationError, match="number"):
        await client.calls.transfer("ABC", "anonymous")
    assert fake_sipgate.requests == []


async def test_call_ids_cannot_change_the_path(client: SipgateClient, fake_sipgate: FakeSipgate) -> None:
    """An id with a slash stays one path segment."""
    fake_sipgate.answer("DELETE", "calls/a%2F..%2Fhistory", status=204)
    await client.calls.hang_up("a/../history")
    assert fake_sipgate.raw_paths == ["/v2/calls/a%2F..%2Fhistory"]


async def test_established_calls(client: SipgateClient, fake_sipgate: FakeSipgate) -> None:
    """GET /calls lists calls under "data" (not "items")."""
    fake_sipgate.answer("GET", "calls", json=load_json("calls.json"))
    calls = await client.calls.get_established()
    assert [c.call_id for c in calls] == ["ABCDEF0123456789"]
    assert [(p.phone_number, p.owner) for p in calls[0].participants] == [
        ("+4921112345671", True),
        ("+4915799912345", False),
    ]


async def test_established_calls_forbidden(client: SipgateClient, fake_sipgate: FakeSipgate) -> None:
    """403 on GET /calls: forbidden, naming the scope and sipgate's message."""
    fake_sipgate.answer("GET", "calls", status=403, json={"message": "scope missing"})
    with pytest.raises(SipgateForbiddenError) as caught:
        await client.calls.get_established()
    assert (caught.value.scope, caught.value.message) == ("rtcm:read", "scope missing")


async def test_account_areas(client: SipgateClient, fake_sipgate: FakeSipgate) -> None:
    """Balance (÷10000), users, numbers, devices, lines, forwardings, voicemails parse."""
    fake_sipgate.answer("GET", "balance", json={"amount": 35000, "currency": "EUR"})
    fake_sipgate.answer("GET", "users", json=load_json("users.json"))
    fake_sipgate.answer("GET", "users/w1", json=load_json("users.json")["items"][1])
    fake_sipgate.answer("GET", "numbers", json=load_json("numbers.json"))
    fake_sipgate.answer("GET", "w0/devices", json=load_json("devices.json"))
    fake_sipgate.answer("GET", "devices/e0", json=load_json("devices.json")["items"][0])
    fake_sipgate.answer("GET", "w0/phonelines", json=load_json("phonelines.json"))
    fake_sipgate.answer("GET", "w0/phonelines/p0/forwardings", json=load_json("forwardings.json"))
    fake_sipgate.answer(
        "GET", "w0/phonelines/p0/blockanonymous", json={"enabled": True, "target": "VOICEMAIL"}
    )
    fake_sipgate.answer("GET", "voicemails", json=load_json("voicemails.json"))

    balance = await client.account.get_balance()
    assert (balance.amount, balance.currency) == (Decimal("3.5"), "EUR")
    users = await client.account.get_users()
    assert [(u.id, u.name, u.admin) for u in users] == [
        ("w0", "Anna Muster", True),
        ("w1", "Jonas Beispiel", False),
    ]
    assert (await client.account.get_user("w1")).busy_on_busy is True
    numbers = (await client.numbers.fetch()).items
    assert [(n.number, n.endpoint_id) for n in numbers] == [
        ("+4921112345670", "g1"),
        ("+4921112345671", "p0"),
        ("+4915799900000", "y0"),
    ]
    devices = await client.devices.get_devices("w0")
    assert [(d.id, d.online, d.dnd, d.active_phonelines) for d in devices] == [
        ("e0", True, False, ("p0",)),
        ("y0", False, True, ("p0",)),
        ("x0", True, False, ()),
    ]
    assert (await client.devices.get_device("e0")).alias == "Yealink Büro"
    lines = await client.phonelines.get_phonelines("w0")
    assert [(line.id, line.alias) for line in lines] == [("p0", "Anna Muster")]
    forwardings = await client.phonelines.get_forwardings("w0", "p0")
    assert [(f.destination, f.timeout, f.active) for f in forwardings] == [
        ("+4915799912345", 20, True),
        ("voicemail", 45, False),
    ]
    block = await client.phonelines.get_block_anonymous("w0", "p0")
    assert (block.enabled, block.target) == (True, "VOICEMAIL")
    voicemails = await client.voicemails.get_voicemails()
    assert [(v.id, v.belongs_to) for v in voicemails] == [("v0", "w0"), ("v1", "w1")]


async def test_account_writes(client: SipgateClient, fake_sipgate: FakeSipgate) -> None:
    """DND, forwardings (voicemail stays "voicemail") and anonymous blocking write the right bodies."""
    from custom_components.sipgate.api import Forwarding

    fake_sipgate.answer("PUT", "devices/e0", status=204)
    fake_sipgate.answer("PUT", "w0/phonelines/p0/forwardings", status=204)
    fake_sipgate.answer("PUT", "w0/phonelines/p0/blockanonymous", json={"enabled": False, "target": "REJECT"})
    await client.devices.set_dnd("e0", True)
    await client.phonelines.set_forwardings(
        "w0", "p0", [Forwarding("0157 99912345", timeout=20), Forwarding("voicemail", 45, active=False)]
    )
    await client.phonelines.set_block_anonymous("w0", "p0", False)
    assert [(m, p, b) for m, p, _, b in sent(fake_sipgate)] == [
        ("PUT", "/devices/e0", {"dnd": True}),
        (
            "PUT",
            "/w0/phonelines/p0/forwardings",
            {
                "forwardings": [
                    {"destination": "+4915799912345", "timeout": 20, "active": True},
                    {"destination": "voicemail", "timeout": 45, "active": False},
                ]
            },
        ),
        ("PUT", "/w0/phonelines/p0/blockanonymous", {"enabled": False, "target": "REJECT"}),
    ]
    with pytest.raises(SipgateValidationError, match="at most 3"):
        await client.phonelines.set_forwardings("w0", "p0", [Forwarding("voicemail")] * 4)
    with pytest.raises(SipgateValidationError, match="destination"):
        await client.phonelines.set_forwardings("w0", "p0", [Forwarding("p01")])
    with pytest.raises(SipgateValidationError, match="timeout"):
        await client.phonelines.set_forwardings("w0", "p0", [Forwarding("voicemail", timeout=601)])


async def test_forwardings_to_extensions_go_back_unchanged(
    client: SipgateClient, fake_sipgate: FakeSipgate
) -> None:
    """Sipgate lists a forwarding to a group or line by its extension (``p1``); it is written back as is."""
    from custom_components.sipgate.api import Forwarding

    fake_sipgate.answer("PUT", "w0/phonelines/p0/forwardings", status=204)
    await client.phonelines.set_forwardings(
        "w0",
        "p0",
        [Forwarding("+4915799912345", timeout=20, active=False), Forwarding("p1"), Forwarding("g10")],
    )
    assert sent(fake_sipgate)[-1][3] == {
        "forwardings": [
            {"destination": "+4915799912345", "timeout": 20, "active": False},
            {"destination": "p1", "timeout": 0, "active": True},
            {"destination": "g10", "timeout": 0, "active": True},
        ]
    }
