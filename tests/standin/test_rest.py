"""The stand-in's REST API: realistic answers, persistent writes, loud failures, credentials, records."""

import base64
from datetime import UTC, datetime, timedelta
import logging
from typing import Any

from aiohttp import ClientSession
import pytest

from custom_components.sipgate.api import PersonalAccessToken, SipgateClient
from custom_components.sipgate.api.fax import FaxStatus
from custom_components.sipgate.api.phonelines import Forwarding
from standin import StandIn

from ..conftest import ACCOUNT_ENDPOINTS, load_json
from .conftest import AUTH, basic_auth, call_api

PDF = b"%PDF-1.4\n1 0 obj<</Type /Page>>endobj\n2 0 obj<</Type /Page>>endobj\ntrailer<<>>\n%%EOF\n"

# Path below /v2 → what the test suite's fixtures say sipgate answers.
FIXTURE_ANSWERS: dict[str, Any] = {
    "authorization/userinfo": load_json("userinfo.json"),
    "account": load_json("account.json"),
    "contacts": load_json("contacts.json"),
    "log/webhooks": load_json("webhook_log.json"),
    **{path: load_json(f) if isinstance(f, str) else f for path, f in ACCOUNT_ENDPOINTS.items()},
}


@pytest.mark.parametrize("path", sorted(FIXTURE_ANSWERS))
async def test_reads_answer_the_realistic_account(http: ClientSession, standin: StandIn, path: str) -> None:
    """Every read the coordinators make answers what the suite's fixtures hold."""
    assert await call_api(http, standin, "GET", path) == (200, FIXTURE_ANSWERS[path])
    assert standin.errors == []


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("users/w1", {"id": "w1", "firstname": "Jonas"}),
        ("devices/y0", {"id": "y0", "type": "MOBILE", "dnd": True}),
        ("history/123123", {"type": "FAX", "faxStatusType": "SENT"}),
        ("settings/sipgateio", {"incomingUrl": "", "whitelist": None}),
    ],
)
async def test_single_objects(
    http: ClientSession, standin: StandIn, path: str, expected: dict[str, Any]
) -> None:
    """Objects by id carry the seed data."""
    status, body = await call_api(http, standin, "GET", path)
    assert status == 200
    assert body | expected == body


@pytest.mark.parametrize(
    ("path", "ids"),
    [
        ("w0/sms", ["s0"]),
        ("w0/sms/s0/callerids", [0, 7, 8]),
        ("w0/faxlines", ["f0"]),
        ("w1/faxlines", []),
        ("numbers?limit=2&offset=1", ["40714", "40715"]),
        ("history?types=SMS", ["100001250", "100001251"]),
        ("history?directions=MISSED_INCOMING&limit=2", ["100001234", "100001235"]),
        ("history?phonenumber=%2B4915799912345&types=VOICEMAIL", ["100001240"]),
        ("history?from=2026-11-26T08:00:00.000Z&to=2026-11-26T08:59:59.000Z&types=CALL", ["100001234"]),
        ("contacts?phonenumbers=%2B4921112345678", ["0b8a3c1e-5d2f-4e7a-9c61-2f4d8e9a7b10"]),
    ],
)
async def test_lists_and_filters(http: ClientSession, standin: StandIn, path: str, ids: list[Any]) -> None:
    """Lists filter and page like sipgate's."""
    status, body = await call_api(http, standin, "GET", path)
    assert status == 200
    assert [item["id"] for item in body["items"]] == ids


async def test_established_calls_start_empty(http: ClientSession, standin: StandIn) -> None:
    """No call is established until one is played."""
    assert await call_api(http, standin, "GET", "calls") == (200, {"data": []})
    assert (await call_api(http, standin, "DELETE", "calls/ABCDEF0123456789"))[0] == 404


async def test_history_export_is_csv(http: ClientSession, standin: StandIn) -> None:
    """The export is CSV of the filtered entries."""
    status, text = await call_api(http, standin, "GET", "history/export?types=FAX&limit=5")
    assert status == 200
    lines = text.splitlines()
    assert lines[0].startswith("id,created,type,direction")
    assert [line.split(",")[0] for line in lines[1:]] == ["100001260", "123123"]


async def test_unknown_objects_are_404(http: ClientSession, standin: StandIn) -> None:
    """Valid requests for things the account does not have: 404 (not an error of the request)."""
    for path in ("users/w9", "devices/e9", "history/1", "w9/devices", "w0/phonelines/p9/forwardings"):
        assert (await call_api(http, standin, "GET", path))[0] == 404, path
    assert standin.errors == []


async def test_settings_and_switches_persist(http: ClientSession, standin: StandIn) -> None:
    """Do-not-disturb, forwardings, anonymous blocking and webhook settings stay changed."""
    assert (await call_api(http, standin, "PUT", "devices/e0", json={"dnd": True}))[0] == 204
    assert (await call_api(http, standin, "GET", "devices/e0"))[1]["dnd"] is True
    devices = (await call_api(http, standin, "GET", "w0/devices"))[1]["items"]
    assert [d["dnd"] for d in devices if d["id"] == "e0"] == [True]

    forwardings = {"forwardings": [{"destination": "voicemail", "timeout": 30, "active": True}]}
    assert (await call_api(http, standin, "PUT", "w0/phonelines/p0/forwardings", json=forwardings))[0] == 204
    assert (await call_api(http, standin, "GET", "w0/phonelines/p0/forwardings"))[1] == {
        "items": [{"alias": "Mailbox", "destination": "voicemail", "timeout": 30, "active": True}]
    }

    setting = {"enabled": True, "target": "VOICEMAIL"}
    assert await call_api(http, standin, "PUT", "w1/phonelines/p1/blockanonymous", json=setting) == (
        200,
        setting,
    )
    assert await call_api(http, standin, "GET", "w1/phonelines/p1/blockanonymous") == (200, setting)

    settings = {"incomingUrl": "https://ha.example.com/api/webhook/abc", "outgoingUrl": "", "log": True}
    assert (
        await call_api(http, standin, "PUT", "settings/sipgateio", json=settings | {"whitelist": ["p0"]})
    )[0] == 204
    assert (await call_api(http, standin, "GET", "settings/sipgateio"))[1] == settings | {"whitelist": ["p0"]}

    assert (await call_api(http, standin, "PUT", "w0/sms/s0/callerids/7", json={"defaultNumber": True}))[
        0
    ] == 204
    caller_ids = (await call_api(http, standin, "GET", "w0/sms/s0/callerids"))[1]["items"]
    assert [c["id"] for c in caller_ids if c["defaultNumber"]] == [7]
    assert standin.errors == []


async def test_history_changes_persist(http: ClientSession, standin: StandIn) -> None:
    """Entries marked read, starred, noted and deleted stay so."""
    assert (
        await call_api(http, standin, "PUT", "history/100001234", json={"read": True, "note": "Rückruf"})
    )[0] == 204
    entry = (await call_api(http, standin, "GET", "history/100001234"))[1]
    assert (entry["read"], entry["note"]) == (True, "Rückruf")

    batch = [{"id": "100001235", "starred": True}, {"id": "100001250", "archived": True}]
    assert (await call_api(http, standin, "PUT", "history", json=batch))[0] == 204
    assert (await call_api(http, standin, "GET", "history?starred=STARRED"))[1]["items"][0][
        "id"
    ] == "100001235"
    assert [e["id"] for e in (await call_api(http, standin, "GET", "history?archived=true"))[1]["items"]] == [
        "100001250"
    ]

    assert (
        await call_api(http, standin, "DELETE", "history", params=[("id", "100001234"), ("id", "100001235")])
    )[0] == 204
    assert (await call_api(http, standin, "DELETE", "history/100001236"))[0] == 204
    assert (await call_api(http, standin, "GET", "history/100001236"))[0] == 404
    assert (await call_api(http, standin, "GET", "history?limit=100"))[1]["totalCount"] == 6


async def test_contacts_persist(http: ClientSession, standin: StandIn) -> None:
    """Created, changed, imported and deleted contacts show in later reads."""
    new = {
        "name": "Max Kunde",
        "given": "Max",
        "family": "Kunde",
        "organization": [],
        "scope": "SHARED",
        "addresses": [],
        "emails": [],
        "numbers": [{"number": "+4915799912345", "type": ["cell"]}],
    }
    assert (await call_api(http, standin, "POST", "contacts", json=new))[0] == 204
    found = (await call_api(http, standin, "GET", "contacts?phonenumbers=%2B4915799912345"))[1]["items"]
    assert [(c["name"], c["scope"]) for c in found] == [("Max Kunde", "SHARED")]
    contact_id = found[0]["id"]

    assert (await call_api(http, standin, "PUT", f"contacts/{contact_id}", json=new | {"name": "Max K."}))[
        0
    ] == 204
    assert (await call_api(http, standin, "GET", "contacts"))[1]["items"][-1]["name"] == "Max K."

    csv_text = "firstname,lastname,number\nJürgen,Müller,+4921155555555\n".encode("latin-1")
    body = {"base64Content": base64.b64encode(csv_text).decode()}
    assert (await call_api(http, standin, "POST", "contacts/import/csv", json=body))[0] == 204
    imported = (await call_api(http, standin, "GET", "contacts?phonenumbers=%2B4921155555555"))[1]["items"]
    assert [c["name"] for c in imported] == ["Jürgen Müller"]

    assert (await call_api(http, standin, "DELETE", "contacts"))[0] == 204  # every private contact
    assert all(
        c["scope"] != "PRIVATE" for c in (await call_api(http, standin, "GET", "contacts"))[1]["items"]
    )
    assert (await call_api(http, standin, "DELETE", f"contacts/{contact_id}"))[0] == 204
    assert (await call_api(http, standin, "DELETE", f"contacts/{contact_id}"))[0] == 404


async def test_sent_fax_is_pending_then_sent(http: ClientSession, standin: StandIn) -> None:
    """A fax appears in the history as PENDING and is SENT after a few polls."""
    body = {
        "faxlineId": "f0",
        "recipient": "+4921199999999",
        "filename": "Rechnung.pdf",
        "base64Content": base64.b64encode(PDF).decode(),
    }
    status, answer = await call_api(http, standin, "POST", "sessions/fax", json=body)
    assert status == 200
    session_id = answer["sessionId"]
    listed = (await call_api(http, standin, "GET", "history?types=FAX"))[1]["items"][0]
    assert (listed["id"], listed["faxStatusType"], listed["pageCount"]) == (session_id, "PENDING", 2)
    statuses = [
        (await call_api(http, standin, "GET", f"history/{session_id}"))[1]["faxStatusType"] for _ in range(4)
    ]
    assert statuses == ["PENDING", "PENDING", "SENT", "SENT"]
    assert standin.account.faxes_sent[0]["recipient"] == "+4921199999999"

    not_pdf = body | {"base64Content": base64.b64encode(b"hello").decode()}
    assert (await call_api(http, standin, "POST", "sessions/fax", json=not_pdf))[0] == 400


async def test_sms_and_click_to_dial_are_recorded(http: ClientSession, standin: StandIn) -> None:
    """Sent and scheduled SMS land in the history; calls started get a session id."""
    sms = {"smsId": "s0", "recipient": "+4915799912345", "message": "Hallo"}
    assert (await call_api(http, standin, "POST", "sessions/sms", json=sms))[0] == 204
    send_at = int((datetime.now(UTC) + timedelta(hours=1)).timestamp())
    assert (await call_api(http, standin, "POST", "sessions/sms", json=sms | {"sendAt": send_at}))[0] == 204
    too_late = int((datetime.now(UTC) + timedelta(days=40)).timestamp())
    assert (await call_api(http, standin, "POST", "sessions/sms", json=sms | {"sendAt": too_late}))[0] == 400
    assert (await call_api(http, standin, "POST", "sessions/sms", json=sms | {"smsId": "s7"}))[0] == 400

    entries = (await call_api(http, standin, "GET", "history?types=SMS&directions=OUTGOING"))[1]["items"]
    assert [(e["smsContent"], e["source"], e["targetAlias"]) for e in entries[:2]] == [
        ("Hallo", "+4921112345671", "Max Kunde"),
        ("Hallo", "+4921112345671", "Max Kunde"),
    ]
    assert [s["message"] for s in standin.account.sms_sent] == ["Hallo", "Hallo"]

    status, answer = await call_api(
        http, standin, "POST", "sessions/calls", json={"caller": "e0", "callee": "+4915799912345"}
    )
    assert status == 200
    assert standin.account.call_sessions[0]["sessionId"] == answer["sessionId"]
    state = await (await http.get(f"{standin.url}/_standin/state")).json()
    assert len(state["sms_sent"]) == 2
    assert state["call_sessions"][0]["callee"] == "+4915799912345"


async def test_invalid_request_fails_loudly(
    http: ClientSession, standin: StandIn, caplog: pytest.LogCaptureFixture
) -> None:
    """A request the spec does not describe: 500 naming the error, logged at ERROR, kept as an error."""
    caplog.set_level(logging.ERROR, logger="standin")
    sms = {"smsId": "s0", "recipient": "+4915799912345", "message": "Hallo", "sendAt": 1.5}
    status, body = await call_api(http, standin, "POST", "sessions/sms", json=sms)

    assert status == 500
    assert body["error"].startswith("InvalidRequestBody")
    assert "sendAt: 1.5 is not of type 'integer'" in body["error"]
    assert "sendAt" in caplog.text
    assert [r.levelname for r in caplog.records if r.name == "standin"] == ["ERROR"]
    assert standin.account.sms_sent == []
    errors = await (await http.get(f"{standin.url}/_standin/errors")).json()
    assert [(e["method"], e["path"], e["valid"], e["status"]) for e in errors] == [
        ("POST", "/v2/sessions/sms", False, 500)
    ]


@pytest.mark.parametrize(
    ("method", "url_path", "error"),
    [
        ("GET", "/v2/no/such/path", "PathNotFound"),
        ("PATCH", "/v2/history", "OperationNotFound"),
        ("GET", "/v2/history?types=PARCEL", "InvalidParameter"),
        ("GET", "/v1/account", "ServerNotFound"),
        ("GET", "/v2/groups", "the stand-in does not serve GET /v2/groups"),
    ],
)
async def test_unknown_paths_and_bad_queries_fail_loudly(
    http: ClientSession, standin: StandIn, method: str, url_path: str, error: str
) -> None:
    """Unknown paths, methods and values, and spec paths the stand-in does not serve: 500 and an error."""
    async with http.request(method, standin.url + url_path, headers=AUTH) as response:
        assert response.status == 500
        assert error in (await response.json())["error"]
    assert len(standin.errors) == 1
    assert standin.errors[0].valid is False


@pytest.mark.parametrize(
    "headers",
    [
        {},
        basic_auth("token-STANDIN", "wrong"),
        basic_auth("token-OTHER", "standin-secret"),
        {"Authorization": "Bearer standin-secret"},
        {"Authorization": "Basic %%%"},
    ],
)
async def test_wrong_credentials_are_401(
    http: ClientSession, standin: StandIn, headers: dict[str, str]
) -> None:
    """Only the stand-in's token id and token pass."""
    async with http.get(f"{standin.base_url}/authorization/userinfo", headers=headers) as response:
        assert response.status == 401
        assert response.content_type == "application/json"
        assert "Unauthorized" in (await response.json())["message"]
    assert standin.requests[-1].authorized is False
    assert standin.errors == []


async def test_other_credentials_can_be_configured(socket_enabled: None, http: ClientSession) -> None:
    """Token id and token are the stand-in's settings."""
    async with StandIn(token_id="token-ABC123", token="other") as standin:
        assert (await call_api(http, standin, "GET", "account"))[0] == 401
        async with http.get(
            f"{standin.base_url}/account", headers=basic_auth("token-ABC123", "other")
        ) as response:
            assert response.status == 200


async def test_received_requests_are_recorded(http: ClientSession, standin: StandIn) -> None:
    """``/_standin/requests`` lists method, path, query, body and validity; DELETE forgets them."""
    await call_api(
        http, standin, "GET", "history", params=[("types", "CALL"), ("types", "SMS"), ("limit", "5")]
    )
    await call_api(http, standin, "PUT", "devices/e0", json={"dnd": True})
    await call_api(http, standin, "GET", "no/such/path")

    records = await (await http.get(f"{standin.url}/_standin/requests")).json()
    assert [(r["method"], r["path"], r["query"], r["body"], r["valid"], r["status"]) for r in records] == [
        ("GET", "/v2/history", [["types", "CALL"], ["types", "SMS"], ["limit", "5"]], None, True, 200),
        ("PUT", "/v2/devices/e0", [], {"dnd": True}, True, 204),
        ("GET", "/v2/no/such/path", [], None, False, 500),
    ]
    assert records[2]["error"].startswith("PathNotFound")
    assert records[0]["error"] is None

    async with http.delete(f"{standin.url}/_standin/requests") as response:
        assert response.status == 204
    assert await (await http.get(f"{standin.url}/_standin/requests")).json() == []
    assert await (await http.get(f"{standin.url}/_standin/errors")).json() == []


async def test_reset_restores_the_seed(http: ClientSession, standin: StandIn) -> None:
    """``POST /_standin/reset`` forgets every change."""
    await call_api(http, standin, "PUT", "devices/e0", json={"dnd": True})
    async with http.post(f"{standin.url}/_standin/reset") as response:
        assert response.status == 204
    assert (await call_api(http, standin, "GET", "devices/e0"))[1]["dnd"] is False
    info = await (await http.get(f"{standin.url}/_standin")).json()
    assert info["base_url"] == standin.base_url
    assert info["token_id"] == "token-STANDIN"


async def test_the_real_client_works_against_the_stand_in(http: ClientSession, standin: StandIn) -> None:
    """The integration's own client: reads, do-not-disturb, forwardings, SMS, fax and history."""
    client = SipgateClient(
        http, PersonalAccessToken(standin.token_id, standin.token), base_url=standin.base_url
    )

    userinfo = await client.account.get_userinfo()
    assert (userinfo.sub, userinfo.master_sip_id) == ("w0", "1234567")
    assert [d.id for d in await client.devices.get_devices("w0")] == ["e0", "y0", "x0"]

    await client.devices.set_dnd("e0", True)
    assert (await client.devices.get_device("e0")).dnd is True

    await client.phonelines.set_forwardings("w0", "p0", [Forwarding("+4915799912345", timeout=10)])
    assert [(f.destination, f.timeout) for f in await client.phonelines.get_forwardings("w0", "p0")] == [
        ("+4915799912345", 10)
    ]

    await client.sms.send(sms_id="s0", recipient="015799912345", message="Bin gleich da")
    assert standin.account.sms_sent[-1]["recipient"] == "+4915799912345"
    await client.sms.send_from_number(
        user_id="w0", sender_number="+4915799900000", recipient="+4915799912345", message="Vom Handy"
    )
    assert standin.account.sms_sent[-1]["sender"] == "+4915799900000"
    default = [c.phonenumber for c in await client.sms.get_caller_ids("w0", "s0") if c.default_number]
    assert default == ["+4921112345671"]  # switched back afterwards

    session_id = await client.fax.send(faxline_id="f0", recipient="+4921199999999", pdf=PDF, filename="a.pdf")
    assert [await client.fax.get_status(session_id) for _ in range(3)] == [
        FaxStatus.PENDING,
        FaxStatus.PENDING,
        FaxStatus.SENT,
    ]

    await client.history.update("100001234", read=True)
    assert (await client.history.get("100001234")).read is True
    settings = await client.webhook_settings.set_incoming_url("https://ha.example.com/api/webhook/abc")
    assert (await client.webhook_settings.get()) == settings
    assert len(await client.contacts.get_all()) == 4

    assert standin.errors == []
    assert all(record.valid and record.authorized for record in standin.requests)
