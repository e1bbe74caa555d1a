"""A real Home Assistant 2026.11 process with the integration, against the sipgate stand-in.

The integration is added through Home Assistant's REST API; calls are played by
the stand-in and answered by automations built from the project's blueprints;
actions reach the stand-in, whose every received request must validate against
sipgate's spec (checked when the module ends).
"""

from pathlib import Path
import time
from typing import Any
import urllib.request

import pytest

from .harness import STANDIN_TOKEN, STANDIN_TOKEN_ID, HomeAssistant, StandIn, wait_until, websocket

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
AUTOMATIONS = """
- id: reject_anonymous
  alias: Reject anonymous callers
  use_blueprint:
    path: sipgate/reject_anonymous_calls.yaml
    input:
      reason: busy
- id: redirect_away
  alias: Redirect calls when nobody is home
  use_blueprint:
    path: sipgate/redirect_when_nobody_home.yaml
    input:
      to_number: "+4921112345670"
      targets:
        - "+4915799912345"
- id: door_pin
  alias: Door PIN
  use_blueprint:
    path: sipgate/dtmf_door_opener.yaml
    input:
      to_number: "+4921112345679"
      pin: "1234"
      open_actions:
        - action: sipgate.send_sms
          data:
            recipient: "+4915799912345"
            message: "Door opened"
            sms_id: s0
- id: missed_call
  alias: Notify on a missed call
  use_blueprint:
    path: sipgate/notify_missed_call.yaml
    input:
      notify_target: notify.mama
"""


@pytest.fixture(scope="module")
def automations() -> str:
    """The blueprints, used by real automations."""
    return AUTOMATIONS


@pytest.fixture(scope="module")
def entry_id(hass: HomeAssistant) -> str:
    """Add the sipgate account through the config flow of Home Assistant's REST API."""
    flow = hass.api("POST", "/api/config/config_entries/flow", {"handler": "sipgate"})
    assert flow["type"] == "form"
    assert flow["step_id"] == "user"
    wrong = hass.api(
        "POST",
        f"/api/config/config_entries/flow/{flow['flow_id']}",
        {"token_id": STANDIN_TOKEN_ID, "token": "wrong"},
    )
    assert wrong["errors"] == {"base": "invalid_auth"}
    result = hass.api(
        "POST",
        f"/api/config/config_entries/flow/{flow['flow_id']}",
        {"token_id": STANDIN_TOKEN_ID, "token": STANDIN_TOKEN},
    )
    assert result["type"] == "create_entry"
    entry_id = str(result["result"]["entry_id"])
    wait_until(
        lambda: _entry(hass, entry_id)["state"] == "loaded", timeout=30, what="the sipgate entry loading"
    )
    return entry_id


def _entry(hass: HomeAssistant, entry_id: str) -> dict[str, Any]:
    return next(
        e
        for e in hass.api("GET", "/api/config/config_entries/entry?domain=sipgate")
        if e["entry_id"] == entry_id
    )


def _sent(standin: StandIn, method: str, path: str) -> list[dict[str, Any]]:
    return [r for r in standin.requests() if r["method"] == method and r["path"] == path]


def _webhook_url(standin: StandIn) -> str:
    return str(standin.sipgate("settings/sipgateio")["incomingUrl"])


def test_account_is_loaded_and_points_sipgate_here(
    hass: HomeAssistant, standin: StandIn, entry_id: str
) -> None:
    """The entry is loaded; sipgate's webhook URLs were set to this Home Assistant."""
    settings = wait_until(
        lambda: (s := standin.sipgate("settings/sipgateio"))["incomingUrl"].startswith(hass.url) and s,
        timeout=30,
        what="the integration setting sipgate's webhook URLs",
    )
    assert settings["outgoingUrl"] == settings["incomingUrl"]
    assert "/api/webhook/" in settings["incomingUrl"]


def test_entities_show_the_account(hass: HomeAssistant, entry_id: str) -> None:
    """States read over the REST API."""
    states = {
        s["entity_id"]: s
        for s in hass.api("GET", "/api/states")
        if "sipgate" in s["entity_id"] or s["entity_id"].startswith(("switch.", "binary_sensor."))
    }
    call_state = next(s for e, s in states.items() if e.endswith("_call_state"))
    assert call_state["state"] == "idle"
    balance = next(s for e, s in states.items() if e.endswith("_balance"))
    assert float(balance["state"]) > 0
    assert balance["attributes"]["unit_of_measurement"] == "EUR"
    assert any(e.endswith("_do_not_disturb") for e in states)


def test_sms_recipient_subentry(hass: HomeAssistant, entry_id: str) -> None:
    """An SMS recipient added through the subentry flow becomes notify.mama."""
    flow = hass.api(
        "POST", "/api/config/config_entries/subentries/flow", {"handler": [entry_id, "sms_recipient"]}
    )
    result = hass.api(
        "POST",
        f"/api/config/config_entries/subentries/flow/{flow['flow_id']}",
        {"name": "Mama", "number": "0176 12345678"},
    )
    assert result["type"] == "create_entry"
    wait_until(lambda: hass.api("GET", "/api/states/notify.mama"), timeout=10, what="notify.mama appearing")


def test_anonymous_caller_is_rejected_by_the_blueprint(
    hass: HomeAssistant, standin: StandIn, entry_id: str
) -> None:
    """reject_anonymous_calls: an anonymous call is rejected as busy."""
    report = standin.play(webhook_url=_webhook_url(standin), **{"from": "anonymous", "to": "+4921112345671"})
    assert "rejected: busy" in report["outcomes"], report


def test_call_is_redirected_when_nobody_is_home(hass: HomeAssistant, standin: StandIn, entry_id: str) -> None:
    """redirect_when_nobody_home: nobody is home, the call goes to the mobile."""
    report = standin.play(
        webhook_url=_webhook_url(standin), **{"from": "+4917000000001", "to": "+4921112345670"}
    )
    assert "redirected to 4915799912345" in report["outcomes"], report


def test_pin_menu_gathers_then_hangs_up(hass: HomeAssistant, standin: StandIn, entry_id: str) -> None:
    """dtmf_door_opener: the wrong PIN is asked again, the right one opens (an SMS here) and hangs up."""
    before = len(_sent(standin, "POST", "/v2/sessions/sms"))
    report = standin.play(
        webhook_url=_webhook_url(standin),
        script=[{"dtmf": "9999"}, {"dtmf": "1234"}],
        **{"from": "+4917000000002", "to": "+4921112345679"},
    )
    assert "gathered 9999" in report["outcomes"], report
    assert "gathered 1234" in report["outcomes"], report
    assert report["cause"] == "normalClearing", report
    wait_until(
        lambda: len(_sent(standin, "POST", "/v2/sessions/sms")) > before, timeout=10, what="the door SMS"
    )


def test_missed_call_notifies_by_sms(hass: HomeAssistant, standin: StandIn, entry_id: str) -> None:
    """notify_missed_call: an unanswered call sends an SMS through notify.mama."""
    before = len(_sent(standin, "POST", "/v2/sessions/sms"))
    report = standin.play(
        webhook_url=_webhook_url(standin),
        script=[{"hangup": "cancel"}],
        **{"from": "+4917000000003", "to": "+4921112345671"},
    )
    assert report["cause"] == "cancel"
    sms = wait_until(
        lambda: (sent := _sent(standin, "POST", "/v2/sessions/sms"))[before:] and sent[-1],
        timeout=10,
        what="the missed-call SMS",
    )
    assert sms["body"]["recipient"] == "+4917612345678"
    assert "Missed call" in sms["body"]["message"]


def test_call_events_reach_the_bus_and_the_call_state(
    hass: HomeAssistant, standin: StandIn, entry_id: str
) -> None:
    """A call that is answered shows as talking while it lasts and leaves a logbook trail."""
    standin.play(
        webhook_url=_webhook_url(standin),
        script=[{"answer": True}, {"wait": 1}, {"hangup": "normalClearing"}],
        **{"from": "+4917000000004", "to": "+4921112345671"},
    )

    def described() -> list[str] | None:
        # The logbook reads the recorder's database, which commits every second.
        messages = [
            str(entry.get("message", ""))
            for entry in hass.api("GET", "/api/logbook")
            if entry.get("domain") == "sipgate" and str(entry.get("entity_id", "")).startswith("event.")
        ]
        return (
            messages
            if any(m.startswith("Answered: ") for m in messages)
            and any(m.startswith("Hung up: ") for m in messages)
            else None
        )

    messages = wait_until(described, timeout=15, what="the call in the logbook")
    assert any(m.startswith("Incoming call: +4917000000004 → ") for m in messages), messages
    assert not any("normalClearing" in m for m in messages), messages


def test_a_voicemail_after_a_call_is_announced_and_browsable(
    hass: HomeAssistant, standin: StandIn, entry_id: str
) -> None:
    """The caller leaves a voicemail that sipgate lists only seconds after the hangup.

    The history is read again after the hangup until it shows up: the Messages event entity
    and the logbook show it, the media browser lists it, and it plays through Home Assistant
    (a signed path of Home Assistant's, no sipgate link, no token) and can be saved.
    """
    wait_until(
        lambda: _webhook_url(standin).startswith(hass.url),
        timeout=30,
        what="the integration setting sipgate's webhook URLs",
    )
    report = standin.play(
        webhook_url=_webhook_url(standin),
        script=[{"hangup": "cancel"}],
        voicemail={"transcription": "Hallo, bitte rufen Sie zurück.", "duration": 5, "after": 8},
        **{"from": "+4917000000005", "to": "+4921112345671"},
    )
    voicemail_id = report["voicemail_id"]
    started = time.monotonic()

    def announced() -> dict[str, Any] | None:
        state = next(
            (
                s
                for s in hass.api("GET", "/api/states")
                if s["entity_id"].startswith("event.") and s["entity_id"].endswith("_messages")
            ),
            None,
        )
        return state if state and state["attributes"].get("history_id") == voicemail_id else None

    state = wait_until(announced, timeout=75, what="the voicemail announced")
    assert time.monotonic() - started < 70
    assert state["attributes"]["event_type"] == "voicemail"
    assert state["attributes"]["from_number"] == "+4917000000005"
    assert state["attributes"]["duration"] == 5
    media_id = f"media-source://sipgate/{entry_id}/voicemail/{voicemail_id}"
    assert state["attributes"]["media_id"] == media_id
    wait_until(
        lambda: any(
            str(entry.get("message", "")).startswith("Voicemail: +4917000000005 → ")
            for entry in hass.api("GET", "/api/logbook")
            if entry.get("domain") == "sipgate"
        ),
        timeout=15,
        what="the voicemail in the logbook",
    )

    folder = websocket(
        hass,
        {
            "type": "media_source/browse_media",
            "media_content_id": f"media-source://sipgate/{entry_id}/voicemail",
        },
    )
    assert folder["success"], folder
    item = folder["result"]["children"][0]  # the newest first
    assert item["media_content_id"] == media_id
    assert item["title"].startswith("● "), item  # unread
    assert item["title"].endswith(" · 0:05"), item
    resolved = websocket(hass, {"type": "media_source/resolve_media", "media_content_id": media_id})
    assert resolved["success"], resolved
    url = resolved["result"]["url"]
    assert url.startswith("/api/sipgate/media/")
    assert "authSig=" in url
    assert STANDIN_TOKEN not in url
    assert standin.url not in url
    with urllib.request.urlopen(f"{hass.url}{url}", timeout=10) as response:  # no login: the signature
        assert response.headers.get_content_type() == "audio/mpeg"
        assert response.read().startswith(b"ID3")

    saved = hass.api(
        "POST",
        "/api/services/sipgate/save_attachment?return_response",
        {"item": media_id, "directory": str(hass.config_dir / "media")},
    )["service_response"]
    assert Path(saved["path"]).read_bytes().startswith(b"ID3")
    assert not standin.errors()


def test_actions_reach_sipgate(hass: HomeAssistant, standin: StandIn, entry_id: str) -> None:
    """SMS, fax and click-to-dial through the REST API arrive at the stand-in."""
    media = hass.config_dir / "media"
    (media / "brief.pdf").write_bytes(PDF)
    hass.api(
        "POST",
        "/api/services/sipgate/send_sms",
        {"recipient": "0157 99912345", "message": "Hallo aus Home Assistant"},
    )
    fax = hass.api(
        "POST",
        "/api/services/sipgate/send_fax?return_response",
        {"recipient": "0211 99999999", "file": str(media / "brief.pdf")},
    )
    assert fax["service_response"]["session_id"]
    call = hass.api(
        "POST", "/api/services/sipgate/initiate_call?return_response", {"from": "e0", "to": "+4915799912345"}
    )
    assert call["service_response"]["session_id"]

    sms = _sent(standin, "POST", "/v2/sessions/sms")[-1]
    assert sms["body"]["recipient"] == "+4915799912345"
    assert _sent(standin, "POST", "/v2/sessions/fax")[-1]["body"]["filename"] == "brief.pdf"
    assert _sent(standin, "POST", "/v2/sessions/calls")[-1]["body"] == {
        "callee": "+4915799912345",
        "caller": "e0",
    }
    assert all(r["valid"] for r in standin.requests())


def test_nothing_is_left_pending(hass: HomeAssistant, entry_id: str) -> None:
    """After the calls: no held replies, no calls in progress (diagnostics)."""
    time.sleep(0.5)
    webhook = hass.api("GET", f"/api/diagnostics/config_entry/{entry_id}")["data"]["webhook"]
    assert webhook["pending_replies"] == 0
    assert webhook["active_calls"] == 0
    assert webhook["rejected_signature"] == 0
    assert webhook["accepted"] > 0


def test_home_assistant_log_is_clean(hass: HomeAssistant, entry_id: str, work_dir: Path) -> None:
    """The integration logged no error (the fixture checks tracebacks at the end too)."""
    assert "[custom_components.sipgate] " not in "\n".join(
        line for line in hass.log().splitlines() if " ERROR " in line
    )
