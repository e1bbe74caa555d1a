"""One conformance case per client method: a call and what the stand-in answers.

``test_openapi_conformance.py`` runs every case against the local stand-in
and validates each request the method sent against sipgate's spec.
"""

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from custom_components.sipgate.api import SipgateClient
from custom_components.sipgate.api.history import HistoryChange, HistoryFilter
from custom_components.sipgate.api.phonelines import Forwarding

from ..conftest import load_json
from .conftest import Answer

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
SETTINGS = {"incomingUrl": "https://old.example/in", "outgoingUrl": "", "log": False, "whitelist": None}


@dataclass
class Case:
    """Call ``run`` with the client while the stand-in gives ``answers``."""

    run: Callable[[SipgateClient], Awaitable[Any]]
    answers: dict[tuple[str, str], Answer] = field(default_factory=dict)


async def _collect(iterator: Any) -> list[Any]:
    return [item async for item in iterator]


def _ok(method: str, path: str, status: int = 204, **kwargs: Any) -> dict[tuple[str, str], Answer]:
    return {(method, path): Answer(status=status, **kwargs)}


SETTINGS_ANSWERS = {
    ("GET", "/settings/sipgateio"): Answer(json=SETTINGS),
    ("PUT", "/settings/sipgateio"): Answer(status=204),
}
HISTORY = {"items": [load_json("history_entry_call.json")], "totalCount": 1}

CASES: dict[str, Case] = {
    # account
    "account.get_userinfo": Case(
        lambda c: c.account.get_userinfo(),
        _ok("GET", "/authorization/userinfo", 200, json=load_json("userinfo.json")),
    ),
    "account.get_account": Case(
        lambda c: c.account.get_account(), _ok("GET", "/account", 200, json=load_json("account.json"))
    ),
    "account.get_balance": Case(
        lambda c: c.account.get_balance(),
        _ok("GET", "/balance", 200, json={"amount": 35000, "currency": "EUR"}),
    ),
    "account.get_users": Case(
        lambda c: c.account.get_users(), _ok("GET", "/users", 200, json=load_json("users.json"))
    ),
    "account.get_user": Case(
        lambda c: c.account.get_user("w0"),
        _ok("GET", "/users/w0", 200, json=load_json("users.json")["items"][0]),
    ),
    # sms
    "sms.send": Case(
        lambda c: c.sms.send(
            sms_id="s0",
            recipient="015799912345",
            message="Hallo",
            send_at=datetime.now(UTC) + timedelta(hours=1),
        ),
        _ok("POST", "/sessions/sms"),
    ),
    "sms.send_from_number": Case(
        lambda c: c.sms.send_from_number(
            user_id="w0", sender_number="+4921112345678", recipient="+4915799912345", message="Hallo"
        ),
        {
            ("GET", "/w0/sms"): Answer(
                json={"items": [{"id": "s0", "alias": "SMS", "callerId": "+4921100000000"}]}
            ),
            ("GET", "/w0/sms/s0/callerids"): Answer(
                json={
                    "items": [
                        {"id": 0, "phonenumber": "+4921100000000", "verified": True, "defaultNumber": True},
                        {"id": 7, "phonenumber": "+4921112345678", "verified": True, "defaultNumber": False},
                    ]
                }
            ),
            ("PUT", "/w0/sms/s0/callerids/7"): Answer(status=204),
            ("PUT", "/w0/sms/s0/callerids/0"): Answer(status=204),
            ("POST", "/sessions/sms"): Answer(status=204),
        },
    ),
    "sms.get_extensions": Case(
        lambda c: c.sms.get_extensions("w0"),
        _ok(
            "GET",
            "/w0/sms",
            200,
            json={"items": [{"id": "s0", "alias": "SMS", "callerId": "+4921100000000"}]},
        ),
    ),
    "sms.get_caller_ids": Case(
        lambda c: c.sms.get_caller_ids("w0", "s0"),
        _ok("GET", "/w0/sms/s0/callerids", 200, json={"items": []}),
    ),
    "sms.set_default_caller_id": Case(
        lambda c: c.sms.set_default_caller_id("w0", "s0", 7), _ok("PUT", "/w0/sms/s0/callerids/7")
    ),
    # fax
    "fax.send": Case(
        lambda c: c.fax.send(faxline_id="f0", recipient="+4921112345678", pdf=PDF, filename="Rechnung.pdf"),
        _ok("POST", "/sessions/fax", 200, json={"sessionId": "123123"}),
    ),
    "fax.get_status": Case(
        lambda c: c.fax.get_status("123123"),
        _ok("GET", "/history/123123", 200, json=load_json("history_entry_fax.json")),
    ),
    "fax.get_faxlines": Case(
        lambda c: c.fax.get_faxlines("w0"),
        _ok(
            "GET",
            "/w0/faxlines",
            200,
            json={
                "items": [
                    {"id": "f0", "alias": "Fax", "tagline": "Muster", "canSend": True, "canReceive": True}
                ]
            },
        ),
    ),
    # calls
    "calls.initiate": Case(
        lambda c: c.calls.initiate(to="+4921165432", caller="e14", caller_id="+4917012345678"),
        _ok("POST", "/sessions/calls", 200, json={"sessionId": "123456"}),
    ),
    "calls.get_established": Case(
        lambda c: c.calls.get_established(), _ok("GET", "/calls", 200, json=load_json("calls.json"))
    ),
    "calls.hang_up": Case(
        lambda c: c.calls.hang_up("ABCDEF0123456789"), _ok("DELETE", "/calls/ABCDEF0123456789")
    ),
    "calls.mute": Case(
        lambda c: c.calls.mute("ABCDEF0123456789", True), _ok("PUT", "/calls/ABCDEF0123456789/muted")
    ),
    "calls.hold": Case(
        lambda c: c.calls.hold("ABCDEF0123456789", False), _ok("PUT", "/calls/ABCDEF0123456789/hold")
    ),
    "calls.record": Case(
        lambda c: c.calls.record("ABCDEF0123456789", True, announcement=True),
        _ok("PUT", "/calls/ABCDEF0123456789/recording"),
    ),
    "calls.announce": Case(
        lambda c: c.calls.announce("ABCDEF0123456789", "https://example.com/a.wav"),
        _ok("POST", "/calls/ABCDEF0123456789/announcements"),
    ),
    "calls.transfer": Case(
        lambda c: c.calls.transfer("ABCDEF0123456789", "+4915799912345", caller_id="+4921112345678"),
        _ok("POST", "/calls/ABCDEF0123456789/transfer"),
    ),
    "calls.send_dtmf": Case(
        lambda c: c.calls.send_dtmf("ABCDEF0123456789", "*12abc#"),
        _ok("POST", "/calls/ABCDEF0123456789/dtmf"),
    ),
    # history
    "history.fetch": Case(
        lambda c: c.history.fetch(
            HistoryFilter(
                types=["CALL", "VOICEMAIL"],
                directions=["MISSED_INCOMING"],
                connection_ids=["p0", "g1"],
                archived=False,
                starred=True,
                start=datetime(2024, 1, 1, tzinfo=UTC),
                end=datetime(2024, 1, 31, tzinfo=UTC),
                phonenumber="+4921112345678",
            ),
            limit=50,
            offset=0,
        ),
        _ok("GET", "/history", 200, json=HISTORY),
    ),
    "history.iterate": Case(
        lambda c: _collect(c.history.iterate(HistoryFilter(types=["SMS"]), page_size=2)),
        _ok("GET", "/history", 200, json=HISTORY),
    ),
    "history.get": Case(
        lambda c: c.history.get("100001234"),
        _ok("GET", "/history/100001234", 200, json=load_json("history_entry_call.json")),
    ),
    "history.delete": Case(lambda c: c.history.delete("1"), _ok("DELETE", "/history/1")),
    "history.delete_many": Case(lambda c: c.history.delete_many(["1", "2", "3"]), _ok("DELETE", "/history")),
    "history.update": Case(
        lambda c: c.history.update("3", read=True, note="Rückruf"), _ok("PUT", "/history/3")
    ),
    "history.update_many": Case(
        lambda c: c.history.update_many(
            [HistoryChange("1", starred=True, archived=False), HistoryChange("3", read=True, note="Rückruf")]
        ),
        {("PUT", "/history"): Answer(status=204), ("PUT", "/history/3"): Answer(status=204)},
    ),
    "history.export_csv": Case(
        lambda c: c.history.export_csv(
            HistoryFilter(archived=True, starred=False, types=["SMS"]), limit=20, offset=10
        ),
        _ok("GET", "/history/export", 200, text="id,created\n"),
    ),
    # numbers, devices, phone lines, voicemails
    "numbers.fetch": Case(
        lambda c: c.numbers.fetch(limit=10, offset=0),
        _ok("GET", "/numbers", 200, json=load_json("numbers.json")),
    ),
    "numbers.iterate": Case(
        lambda c: _collect(c.numbers.iterate()), _ok("GET", "/numbers", 200, json=load_json("numbers.json"))
    ),
    "devices.get_devices": Case(
        lambda c: c.devices.get_devices("w0"), _ok("GET", "/w0/devices", 200, json=load_json("devices.json"))
    ),
    "devices.get_device": Case(
        lambda c: c.devices.get_device("e0"),
        _ok("GET", "/devices/e0", 200, json=load_json("devices.json")["items"][0]),
    ),
    "devices.set_dnd": Case(lambda c: c.devices.set_dnd("e0", True), _ok("PUT", "/devices/e0")),
    "phonelines.get_phonelines": Case(
        lambda c: c.phonelines.get_phonelines("w0"),
        _ok("GET", "/w0/phonelines", 200, json=load_json("phonelines.json")),
    ),
    "phonelines.get_forwardings": Case(
        lambda c: c.phonelines.get_forwardings("w0", "p0"),
        _ok("GET", "/w0/phonelines/p0/forwardings", 200, json=load_json("forwardings.json")),
    ),
    "phonelines.set_forwardings": Case(
        lambda c: c.phonelines.set_forwardings(
            "w0",
            "p0",
            [Forwarding("+4915799912345", timeout=20), Forwarding("voicemail", timeout=40, active=False)],
        ),
        _ok("PUT", "/w0/phonelines/p0/forwardings"),
    ),
    "phonelines.get_block_anonymous": Case(
        lambda c: c.phonelines.get_block_anonymous("w0", "p0"),
        _ok("GET", "/w0/phonelines/p0/blockanonymous", 200, json={"enabled": True, "target": "REJECT"}),
    ),
    "phonelines.set_block_anonymous": Case(
        lambda c: c.phonelines.set_block_anonymous("w0", "p0", True, "VOICEMAIL"),
        _ok("PUT", "/w0/phonelines/p0/blockanonymous", 200, json={"enabled": True, "target": "VOICEMAIL"}),
    ),
    "voicemails.get_voicemails": Case(
        lambda c: c.voicemails.get_voicemails(),
        _ok("GET", "/voicemails", 200, json=load_json("voicemails.json")),
    ),
    # webhook settings
    "webhook_settings.get": Case(
        lambda c: c.webhook_settings.get(), _ok("GET", "/settings/sipgateio", 200, json=SETTINGS)
    ),
    "webhook_settings.update": Case(
        lambda c: c.webhook_settings.update(incoming_url="https://ha.example.com/api/webhook/abc", log=True),
        SETTINGS_ANSWERS,
    ),
    "webhook_settings.set_incoming_url": Case(
        lambda c: c.webhook_settings.set_incoming_url("https://ha.example.com/api/webhook/abc"),
        SETTINGS_ANSWERS,
    ),
    "webhook_settings.set_outgoing_url": Case(
        lambda c: c.webhook_settings.set_outgoing_url("https://ha.example.com/api/webhook/abc"),
        SETTINGS_ANSWERS,
    ),
    "webhook_settings.clear_incoming_url": Case(
        lambda c: c.webhook_settings.clear_incoming_url(), SETTINGS_ANSWERS
    ),
    "webhook_settings.clear_outgoing_url": Case(
        lambda c: c.webhook_settings.clear_outgoing_url(), SETTINGS_ANSWERS
    ),
    "webhook_settings.set_whitelist": Case(
        lambda c: c.webhook_settings.set_whitelist(["p0", "g1"]), SETTINGS_ANSWERS
    ),
    "webhook_settings.clear_whitelist": Case(
        lambda c: c.webhook_settings.clear_whitelist(), SETTINGS_ANSWERS
    ),
    "webhook_settings.disable_whitelist": Case(
        lambda c: c.webhook_settings.disable_whitelist(), SETTINGS_ANSWERS
    ),
    "webhook_settings.set_log": Case(lambda c: c.webhook_settings.set_log(True), SETTINGS_ANSWERS),
    "webhook_settings.get_log": Case(
        lambda c: c.webhook_settings.get_log(),
        _ok("GET", "/log/webhooks", 200, json=load_json("webhook_log.json")),
    ),
}
