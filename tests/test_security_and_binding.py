"""Live calls you can trust: pushes bound to this account and call, answering without polling.

Each test plays what a real account, a lost push or an attacker produces,
through Home Assistant's HTTP client, real automations and the registries.

Why one module of this size: the binding rules of issue 11 (account, call, token, Gather, replay)
build on each other's pushes.
"""

import asyncio
from datetime import timedelta
from http import HTTPStatus
import os
import time
from typing import Any
from unittest.mock import patch

from aiohttp import web
from freezegun.api import FrozenDateTimeFactory
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_capture_events,
    async_fire_time_changed,
)
from pytest_homeassistant_custom_component.test_util.aiohttp import (
    AiohttpClientMocker,
    AiohttpClientMockResponse,
)
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.sipgate.actions import ADMIN_ACTIONS
from custom_components.sipgate.api.audio import fetch_wav_info
from custom_components.sipgate.api.exceptions import SipgateValidationError
from custom_components.sipgate.calls import RINGING_STALE
from custom_components.sipgate.const import (
    CONF_PUSH_SECRET,
    CONF_REGENERATE_WEBHOOK,
    CONF_VERIFY_SIGNATURE,
    CONF_WEBHOOK_ID,
    DEFAULT_OPTIONS,
    DOMAIN,
    EVENT_ANSWER,
    EVENT_DTMF,
    EVENT_HANGUP,
    EVENT_NEW_CALL,
)
from homeassistant.auth.models import User
from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import STATE_UNAVAILABLE
from homeassistant.core import Context, HomeAssistant
from homeassistant.exceptions import Unauthorized
from homeassistant.helpers import entity_registry as er, issue_registry as ir
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util

from .conftest import (
    SETTINGS,
    WEBHOOK_ID,
    TestSigner,
    WebhookCaller,
    api_url,
    call_path,
    call_url,
    load_json,
    mock_account_endpoints,
    sent_requests,
)

RING = "event=newCall&callId={call_id}&from=4915799912345&to=4921112345671&direction=in"
OWN_USERS = "&user%5B%5D=Anna&userId%5B%5D=w0&fullUserId%5B%5D=1234567w0"
CALL_STATE = "sensor.sipgate_muster_elektro_gmbh_call_state"


async def automations(hass: HomeAssistant, *automations: dict[str, Any]) -> None:
    """Set up ``automations``."""
    assert await async_setup_component(hass, "automation", {"automation": list(automations)})
    await hass.async_block_till_done()


def on(event_type: str, *actions: dict[str, Any]) -> dict[str, Any]:
    """An automation: when ``event_type`` fires, run ``actions``."""
    return {"triggers": [{"trigger": "event", "event_type": event_type}], "actions": list(actions)}


PIN_MENU = (
    on(EVENT_NEW_CALL, {"action": "sipgate.gather_dtmf", "data": {"max_digits": 1}}),
    on(EVENT_DTMF, {"action": "sipgate.gather_dtmf", "data": {"max_digits": 1}}),
)


def later(seconds: float) -> Any:
    """Let the call registry's clock run ``seconds`` ahead."""
    return patch("custom_components.sipgate.calls.monotonic", return_value=time.monotonic() + seconds)


# --- pushes bound to this account and this call ----------------------------------------------


async def test_a_replayed_dtmf_an_hour_later_is_refused(hass: HomeAssistant, push: WebhookCaller) -> None:
    """A captured, validly signed dtmf body sent again an hour later fires nothing: the door stays shut."""
    await automations(hass, *PIN_MENU)
    digits = async_capture_events(hass, EVENT_DTMF)
    assert (await push.post(RING.format(call_id="DOOR")))[0] == 200
    dtmf = "event=dtmf&dtmf=1&callId=DOOR"
    captured_url = push.follow_up_url("DOOR", "dtmf")
    assert (await push.post(dtmf))[0] == 200
    await hass.async_block_till_done()
    assert [event.data["dtmf"] for event in digits] == ["1"]

    # The menu asks again; the captured request is sent again an hour later, to the URL it went to.
    with later(3600):
        status, _, _ = await push.post(dtmf, url=captured_url)
    await hass.async_block_till_done()
    assert status == HTTPStatus.FORBIDDEN
    assert len(digits) == 1


@pytest.mark.parametrize("url", ["other call", "no token", "no gather"])
async def test_digits_without_their_gathers_token_are_refused(
    hass: HomeAssistant, push: WebhookCaller, webhook_integration: MockConfigEntry, url: str
) -> None:
    """A Gather waits for digits, but digits sent without its own token open nothing."""
    await automations(hass, *PIN_MENU)
    digits = async_capture_events(hass, EVENT_DTMF)
    assert (await push.post(RING.format(call_id="GATE")))[0] == 200
    path = {
        "other call": call_path("OTHER", gather=1),
        "no token": call_path("").split("?")[0] + "?gather=1",
        "no gather": call_path("GATE"),
    }[url]
    assert (await push.post("event=dtmf&dtmf=1&callId=GATE", url=path))[0] == HTTPStatus.FORBIDDEN
    await hass.async_block_till_done()
    assert digits == []
    assert webhook_integration.runtime_data.webhook.handler.stats.refused["bad_token"] == 1
    # The real digits still open the Gather.
    assert (await push.post("event=dtmf&dtmf=1&callId=GATE"))[0] == 200


async def test_a_true_duplicate_delivery_is_suppressed(hass: HomeAssistant, push: WebhookCaller) -> None:
    """Sipgate delivering the same dtmf twice at once: one event, the same reply both times."""
    await automations(hass, *PIN_MENU)
    digits = async_capture_events(hass, EVENT_DTMF)
    await push.post(RING.format(call_id="DUP"))
    first = await push.post("event=dtmf&dtmf=7&callId=DUP", url=call_path("DUP", gather=1))
    second = await push.post("event=dtmf&dtmf=7&callId=DUP", url=call_path("DUP", gather=1))
    await hass.async_block_till_done()
    assert first == second
    assert "<Gather" in first[2]
    assert len(digits) == 1


async def test_the_same_digits_in_two_successive_gathers_both_arrive(
    hass: HomeAssistant, push: WebhookCaller
) -> None:
    """A menu asks twice and the caller presses 1 both times: two events, two answers."""
    await automations(hass, *PIN_MENU)
    digits = async_capture_events(hass, EVENT_DTMF)
    await push.post(RING.format(call_id="MENU"))
    assert "<Gather" in (await push.post("event=dtmf&dtmf=1&callId=MENU"))[2]
    assert "<Gather" in (await push.post("event=dtmf&dtmf=1&callId=MENU"))[2]
    await hass.async_block_till_done()
    assert [event.data["dtmf"] for event in digits] == ["1", "1"]


async def test_dtmf_carries_the_calls_numbers_and_names(hass: HomeAssistant, push: WebhookCaller) -> None:
    """Sipgate's dtmf push has no numbers: the event has the call's, so an automation can check the line."""
    await automations(hass, PIN_MENU[0])
    digits = async_capture_events(hass, EVENT_DTMF)
    await push.post("event=newCall&callId=NAMED&from=4921112345678&to=4921112345671&direction=in")
    await push.post("event=dtmf&dtmf=5&callId=NAMED")
    await hass.async_block_till_done()
    [event] = digits
    assert (event.data["from_number"], event.data["to_number"], event.data["direction"]) == (
        "+4921112345678",
        "+4921112345671",
        "in",
    )
    assert event.data["from_name"] == "Erika Mustermann"


async def test_a_new_call_of_another_account_is_refused(
    hass: HomeAssistant, push: WebhookCaller, webhook_integration: MockConfigEntry
) -> None:
    """A signed newCall naming only another account's users fires nothing and learns no redirect number."""
    await automations(
        hass, on(EVENT_NEW_CALL, {"action": "sipgate.redirect_call", "data": {"numbers": "+4915712345678"}})
    )
    calls = async_capture_events(hass, EVENT_NEW_CALL)
    foreign = RING.format(call_id="FOREIGN") + "&user%5B%5D=Eve&userId%5B%5D=w0&fullUserId%5B%5D=7654321w0"
    status, _, text = await push.post(foreign)
    assert status == HTTPStatus.FORBIDDEN
    assert "4915712345678" not in text

    # The same call naming a user of this account is answered.
    status, _, text = await push.post(RING.format(call_id="OWN") + OWN_USERS)
    await hass.async_block_till_done()
    assert status == 200
    assert "<Number>4915712345678</Number>" in text
    assert [event.data["call_id"] for event in calls] == ["OWN"]
    assert webhook_integration.runtime_data.webhook.handler.stats.refused["foreign_account"] == 1

    # A call that rings users of this account and of another (a shared number) is this account's too.
    both = RING.format(call_id="SHARED") + OWN_USERS + "&fullUserId%5B%5D=7654321w0"
    assert (await push.post(both))[0] == 200


async def test_the_node_librarys_signed_sample_is_refused(
    hass: HomeAssistant, push: WebhookCaller, webhook_integration: MockConfigEntry
) -> None:
    """Its account id does not start like ours and its call id is empty: refused whichever is checked."""
    calls = async_capture_events(hass, EVENT_NEW_CALL)
    sample = (
        "callId=&direction=in&event=newCall&from=4912354678&fullUserId%5B%5D%5B0%5D=123456789"
        "&originalCallId=&to=49999999&user%5B%5D%5B0%5D=TestUser&userId%5B%5D%5B0%5D=123456789&xcid="
    )
    assert (await push.post(sample))[0] == HTTPStatus.FORBIDDEN
    assert (await push.post(sample.replace("callId=&", "callId=X1&", 1)))[0] == HTTPStatus.FORBIDDEN
    await hass.async_block_till_done()
    assert calls == []
    refused = webhook_integration.runtime_data.webhook.handler.stats.refused
    assert (refused["no_call_id"], refused["foreign_account"]) == (1, 1)


@pytest.mark.parametrize("event", ["newCall", "answer", "hangup", "dtmf"])
async def test_an_empty_call_id_is_refused(hass: HomeAssistant, push: WebhookCaller, event: str) -> None:
    """No call id, no call: 403 and no event, whatever the event."""
    fired = async_capture_events(hass, f"sipgate_{'new_call' if event == 'newCall' else event}")
    status, _, _ = await push.post(
        f"event={event}&callId=&from=4915799912345&to=4921112345671", url=call_path("")
    )
    await hass.async_block_till_done()
    assert (status, fired) == (HTTPStatus.FORBIDDEN, [])


async def test_a_new_call_is_accepted_once(hass: HomeAssistant, push: WebhookCaller) -> None:
    """The same signed newCall later (a replay) is refused; at once (a re-delivery) it is a duplicate."""
    calls = async_capture_events(hass, EVENT_NEW_CALL)
    first = await push.post(RING.format(call_id="ONCE"))
    assert await push.post(RING.format(call_id="ONCE")) == first
    with later(3600 * 23):
        assert (await push.post(RING.format(call_id="ONCE")))[0] == HTTPStatus.FORBIDDEN
    await hass.async_block_till_done()
    assert len(calls) == 1


async def test_dtmf_for_an_unknown_call_is_refused(hass: HomeAssistant, push: WebhookCaller) -> None:
    """Digits for a call id never seen: refused, with or without a token."""
    digits = async_capture_events(hass, EVENT_DTMF)
    assert (await push.post("event=dtmf&dtmf=1&callId=NEVER"))[0] == HTTPStatus.FORBIDDEN
    assert (await push.post("event=dtmf&dtmf=1&callId=NEVER", url=call_path("NEVER", gather=1)))[0] == (
        HTTPStatus.FORBIDDEN
    )
    await hass.async_block_till_done()
    assert digits == []


async def test_dtmf_without_an_outstanding_gather_is_refused(
    hass: HomeAssistant, push: WebhookCaller
) -> None:
    """A ringing call that was not asked for digits takes none, even on its own URL."""
    digits = async_capture_events(hass, EVENT_DTMF)
    await push.post(RING.format(call_id="NOGATHER"))
    assert (await push.post("event=dtmf&dtmf=1&callId=NOGATHER", url=call_path("NOGATHER", gather=1)))[0] == (
        HTTPStatus.FORBIDDEN
    )
    await hass.async_block_till_done()
    assert digits == []


@pytest.mark.parametrize(
    "path",
    [
        f"/api/webhook/{WEBHOOK_ID}",
        f"/api/webhook/{WEBHOOK_ID}?token=",
        f"/api/webhook/{WEBHOOK_ID}?token=AAAAAAAAAAAAAAAAAAAAAA",
        call_path("SOMEONE-ELSE"),
    ],
    ids=["missing", "empty", "wrong", "another-calls"],
)
@pytest.mark.parametrize("event", ["answer", "hangup"])
async def test_a_follow_up_without_its_token_is_refused(
    hass: HomeAssistant, push: WebhookCaller, webhook_integration: MockConfigEntry, path: str, event: str
) -> None:
    """An answer or hangup for a real call, sent without that call's token, changes nothing."""
    await push.post(RING.format(call_id="REAL"))
    fired = async_capture_events(hass, EVENT_ANSWER if event == "answer" else EVENT_HANGUP)
    body = f"event={event}&callId=REAL&user=Eve&from=4915799912345&to=4921112345671&direction=in"
    assert (await push.post(body, url=path))[0] == HTTPStatus.FORBIDDEN
    await hass.async_block_till_done()
    assert fired == []
    assert hass.states.get(CALL_STATE).state == "ringing"
    assert webhook_integration.runtime_data.webhook.handler.stats.refused["bad_token"] == 1


async def test_follow_up_urls_carry_the_calls_token(hass: HomeAssistant, push: WebhookCaller) -> None:
    """onAnswer, onHangup and onData name the call's own URL; a token survives a restart (the entry keeps the key)."""
    await automations(hass, PIN_MENU[0])
    await push.post(RING.format(call_id="URLS"))
    url = call_url("URLS")
    on_data = call_url("URLS", gather=1).replace("&", "&amp;")
    assert push.last_reply == (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<Response onAnswer="{url}" onHangup="{url}">'
        f'<Gather onData="{on_data}" maxDigits="1" timeout="2000" /></Response>'
    )


async def test_a_hangup_after_a_restart_is_accepted(
    hass: HomeAssistant, push: WebhookCaller, webhook_integration: MockConfigEntry
) -> None:
    """A call that began before a reload still ends: its token is derived from the entry's key."""
    await push.post(RING.format(call_id="ACROSS"))
    await push.post("event=answer&callId=ACROSS&user=Anna&from=4915799912345&to=4921112345671&direction=in")
    assert await hass.config_entries.async_reload(webhook_integration.entry_id)
    await hass.async_block_till_done()
    hangups = async_capture_events(hass, EVENT_HANGUP)
    status, _, _ = await push.post(
        "event=hangup&cause=normalClearing&callId=ACROSS&from=4915799912345&to=4921112345671&direction=in"
    )
    await hass.async_block_till_done()
    assert status == 200
    assert [event.data["cause"] for event in hangups] == ["normalClearing"]


async def test_a_replay_after_a_reload_is_refused(
    hass: HomeAssistant, push: WebhookCaller, webhook_integration: MockConfigEntry
) -> None:
    """The registry's memory of accepted pushes outlives a reload (every options change is one)."""
    ring = RING.format(call_id="BEFORE")
    hangup = (
        "event=hangup&cause=normalClearing&callId=BEFORE&from=4915799912345&to=4921112345671&direction=in"
    )
    await push.post(ring)
    await push.post(hangup)
    assert await hass.config_entries.async_reload(webhook_integration.entry_id)
    await hass.async_block_till_done()

    fired = async_capture_events(hass, EVENT_NEW_CALL)
    with later(3600):
        assert (await push.post(ring))[0] == HTTPStatus.FORBIDDEN
        assert (await push.post(hangup))[0] == HTTPStatus.FORBIDDEN
    assert fired == []
    assert webhook_integration.runtime_data.webhook.handler.stats.refused["replay"] == 2


async def test_a_replay_after_a_restart_is_refused(
    hass: HomeAssistant,
    hass_storage: dict[str, Any],
    mock_config_entry: MockConfigEntry,
    sipgate_settings: AiohttpClientMocker,
    external_url: str,
    signer: TestSigner,
    hass_client_no_auth: ClientSessionGenerator,
    freezer: FrozenDateTimeFactory,
) -> None:
    """What was accepted is written to the entry's storage and read at the next start, for 26 hours."""
    key = f"sipgate.{mock_config_entry.entry_id}.calls"
    now = dt_util.utcnow().timestamp()
    hass_storage[key] = {
        "version": 1,
        "key": key,
        "data": {
            "calls": [
                ["YESTERDAY", now - 25 * 3600, ["newCall", "hangup"]],
                ["TOO_OLD", now - 27 * 3600, ["newCall"]],
                ["junk"],
            ]
        },
    }
    mock_config_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    push = WebhookCaller(await hass_client_no_auth(), signer)

    assert (await push.post(RING.format(call_id="YESTERDAY")))[0] == HTTPStatus.FORBIDDEN
    assert (await push.post(RING.format(call_id="TOO_OLD")))[0] == HTTPStatus.OK
    await push.post(RING.format(call_id="TODAY"))
    freezer.tick(timedelta(seconds=31))
    async_fire_time_changed(hass)
    await hass.async_block_till_done()
    saved = {call_id: kinds for call_id, _, kinds in hass_storage[key]["data"]["calls"]}
    assert saved["TODAY"] == ["newCall"]
    assert saved["YESTERDAY"] == ["newCall", "hangup"]
    assert "junk" not in saved


# --- every run counts ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "start",
    [
        {"action": "script.turn_on", "target": {"entity_id": "script.answer_the_door"}},
        {"action": "script.answer_the_door", "continue_on_error": True},
    ],
    ids=["turn_on", "called"],
)
async def test_an_automation_that_answers_through_a_script_gets_its_answer(
    hass: HomeAssistant, push: WebhookCaller, start: dict[str, Any]
) -> None:
    """The automation starts a script (in the background with script.turn_on); the script's answer is the reply."""
    assert await async_setup_component(
        hass,
        "script",
        {
            "script": {
                "answer_the_door": {
                    "sequence": [
                        {"delay": {"milliseconds": 200}},
                        {"action": "sipgate.reject_call", "data": {"reason": "busy"}},
                    ]
                }
            }
        },
    )
    await automations(hass, on(EVENT_NEW_CALL, start))
    status, _, text = await push.post(RING.format(call_id="SCRIPT"))
    assert status == 200
    assert '<Reject reason="busy" />' in text
    await hass.async_block_till_done()


# --- numbers ---------------------------------------------------------------------------------


async def test_voicemail_stays_voicemail(hass: HomeAssistant, push: WebhookCaller) -> None:
    """The voicemail answers and hangs up: answering_number is "voicemail", without a "+"."""
    answers = async_capture_events(hass, EVENT_ANSWER)
    hangups = async_capture_events(hass, EVENT_HANGUP)
    tail = "&callId=VM&from=4915799912345&to=4921112345671&direction=in&answeringNumber=voicemail"
    await push.post(RING.format(call_id="VM"))
    await push.post("event=answer&user=" + tail)
    await push.post("event=hangup&cause=normalClearing" + tail)
    await hass.async_block_till_done()
    assert [e.data["answering_number"] for e in answers + hangups] == ["voicemail", "voicemail"]
    assert answers[0].data["from_number"] == "+4915799912345"


# --- calls that heal -------------------------------------------------------------------------


async def test_a_call_whose_hangup_never_arrives_ends_when_sipgate_stops_listing_it(
    hass: HomeAssistant,
    push: WebhookCaller,
    sipgate_settings: AiohttpClientMocker,
    freezer: FrozenDateTimeFactory,
) -> None:
    """The hangup push is lost: once /calls no longer lists the call it ends, and /calls is no longer read."""
    sipgate_settings.get(api_url("calls"), json={"data": []})
    hangups = async_capture_events(hass, EVENT_HANGUP)
    await push.post(RING.format(call_id="LOST"))
    await push.post("event=answer&callId=LOST&user=Anna&from=4915799912345&to=4921112345671&direction=in")
    await hass.async_block_till_done()
    assert hass.states.get(CALL_STATE).state == "talking"

    for _ in range(4):
        freezer.tick(timedelta(seconds=15))
        async_fire_time_changed(hass)
        await hass.async_block_till_done()
    assert hass.states.get(CALL_STATE).state == "idle"
    [hangup] = hangups
    assert (hangup.data["call_id"], hangup.data["cause"], hangup.data["inferred"]) == (
        "LOST",
        None,
        "unlisted",
    )
    assert hangup.data["from_number"] == "+4915799912345"

    polls = [path for _, path, _, _ in sent_requests(sipgate_settings)].count("/calls")
    for _ in range(20):  # five idle minutes
        freezer.tick(timedelta(seconds=15))
        async_fire_time_changed(hass)
        await hass.async_block_till_done()
    assert [path for _, path, _, _ in sent_requests(sipgate_settings)].count("/calls") == polls


async def test_a_listed_call_goes_on(
    hass: HomeAssistant,
    push: WebhookCaller,
    sipgate_settings: AiohttpClientMocker,
    freezer: FrozenDateTimeFactory,
) -> None:
    """While sipgate lists the call, it stays talking."""
    sipgate_settings.get(
        api_url("calls"), json={"data": [{**load_json("calls.json")["data"][0], "callId": "ON"}]}
    )
    await push.post(RING.format(call_id="ON"))
    await push.post("event=answer&callId=ON&user=Anna&from=4915799912345&to=4921112345671&direction=in")
    for _ in range(6):
        freezer.tick(timedelta(seconds=15))
        async_fire_time_changed(hass)
        await hass.async_block_till_done()
    assert hass.states.get(CALL_STATE).state == "talking"


async def test_a_call_the_voicemail_answered_is_not_ended_by_the_call_list(
    hass: HomeAssistant,
    push: WebhookCaller,
    sipgate_settings: AiohttpClientMocker,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Sipgate's /calls never lists a running voicemail recording: such a call waits for its hangup.

    It is not polled for, keeps talking while the caller speaks, and its real hangup arrives
    with sipgate's cause; without any push it ends after an hour.
    """
    sipgate_settings.get(api_url("calls"), json={"data": []})
    hangups = async_capture_events(hass, EVENT_HANGUP)
    await push.post(RING.format(call_id="VM"))
    await push.post(
        "event=answer&callId=VM&user=voicemail&answeringNumber=voicemail"
        "&from=4915799912345&to=4921112345671&direction=in"
    )
    for _ in range(8):  # two minutes of a long message
        freezer.tick(timedelta(seconds=15))
        async_fire_time_changed(hass)
        await hass.async_block_till_done()
    assert hass.states.get(CALL_STATE).state == "talking"
    assert "/calls" not in [path for _, path, _, _ in sent_requests(sipgate_settings)]

    status, _, _ = await push.post(
        "event=hangup&callId=VM&cause=normalClearing&answeringNumber=voicemail"
        "&from=4915799912345&to=4921112345671&direction=in"
    )
    assert status == 200
    [hangup] = hangups
    assert (hangup.data["cause"], hangup.data["answering_number"], hangup.data.get("inferred")) == (
        "normalClearing",
        "voicemail",
        None,
    )

    await push.post(RING.format(call_id="VM2"))
    await push.post(
        "event=answer&callId=VM2&user=voicemail&answeringNumber=voicemail"
        "&from=4915799912345&to=4921112345671&direction=in"
    )
    freezer.tick(timedelta(minutes=59))
    async_fire_time_changed(hass)
    await hass.async_block_till_done()
    assert hass.states.get(CALL_STATE).state == "talking"
    freezer.tick(timedelta(minutes=2))
    async_fire_time_changed(hass)
    await hass.async_block_till_done()
    assert hass.states.get(CALL_STATE).state == "idle"
    assert hangups[-1].data["inferred"] == "stale"


async def test_a_ringing_call_nobody_hears_of_ends_by_itself(
    hass: HomeAssistant, push: WebhookCaller, freezer: FrozenDateTimeFactory
) -> None:
    """A call that rang and then went silent (its hangup lost) is idle after a while, with an inferred hangup."""
    hangups = async_capture_events(hass, EVENT_HANGUP)
    await push.post(RING.format(call_id="SILENT"))
    assert hass.states.get(CALL_STATE).state == "ringing"
    with later(RINGING_STALE + 1):
        freezer.tick(timedelta(minutes=1))
        async_fire_time_changed(hass)
        await hass.async_block_till_done()
    assert hass.states.get(CALL_STATE).state == "idle"
    assert [(e.data["call_id"], e.data["inferred"]) for e in hangups] == [("SILENT", "stale")]


# --- answering before polling ----------------------------------------------------------------


async def test_ringing_calls_are_answered_while_every_optional_endpoint_fails(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    aioclient_mock: AiohttpClientMocker,
    external_url: str,
    signer: TestSigner,
    hass_client_no_auth: ClientSessionGenerator,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Sipgate answers 500 for everything but userinfo: the entry loads and the door phone still works.

    The account's entities appear by themselves once sipgate answers again.
    """
    aioclient_mock.get(api_url("authorization/userinfo"), json=load_json("userinfo.json"))
    for path in (
        "account",
        "balance",
        "numbers",
        "users",
        "w0/devices",
        "history",
        "contacts",
        "settings/sipgateio",
    ):
        aioclient_mock.get(api_url(path), status=HTTPStatus.INTERNAL_SERVER_ERROR)
    mock_config_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    assert mock_config_entry.state is ConfigEntryState.LOADED

    await automations(hass, on(EVENT_NEW_CALL, {"action": "sipgate.reject_call", "data": {"reason": "busy"}}))
    push = WebhookCaller(await hass_client_no_auth(), signer)
    status, _, text = await push.post(RING.format(call_id="OUTAGE"))
    assert (status, '<Reject reason="busy" />' in text) == (200, True)
    assert hass.states.get(CALL_STATE).state == "ringing"
    assert hass.states.get("sensor.sipgate_muster_elektro_gmbh_balance").state == STATE_UNAVAILABLE
    assert hass.states.get("sensor.sipgate_muster_elektro_gmbh_missed_calls").state == STATE_UNAVAILABLE

    aioclient_mock.clear_requests()
    aioclient_mock.get(api_url("authorization/userinfo"), json=load_json("userinfo.json"))
    aioclient_mock.get(api_url("account"), json=load_json("account.json"))
    mock_account_endpoints(aioclient_mock)
    freezer.tick(timedelta(minutes=2))
    async_fire_time_changed(hass)
    await hass.async_block_till_done()
    assert hass.states.get("sensor.sipgate_muster_elektro_gmbh_balance").state == "12.3456"
    assert hass.states.get("sensor.sipgate_muster_elektro_gmbh_missed_calls").state == "2"


async def test_entities_shown_during_an_outage_go_when_the_token_may_not_read_them(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    aioclient_mock: AiohttpClientMocker,
    external_url: str,
    freezer: FrozenDateTimeFactory,
) -> None:
    """The history answered 500 at start (its sensors unavailable), then 403: the sensors are removed."""
    aioclient_mock.get(api_url("authorization/userinfo"), json=load_json("userinfo.json"))
    aioclient_mock.get(api_url("account"), json=load_json("account.json"))
    aioclient_mock.get(api_url("history"), status=HTTPStatus.INTERNAL_SERVER_ERROR)
    mock_account_endpoints(aioclient_mock)
    aioclient_mock.get(api_url("settings/sipgateio"), json=SETTINGS)
    aioclient_mock.put(api_url("settings/sipgateio"), status=204)
    mock_config_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    missed = "sensor.sipgate_muster_elektro_gmbh_missed_calls"
    assert hass.states.get(missed).state == STATE_UNAVAILABLE
    assert hass.states.get("sensor.sipgate_muster_elektro_gmbh_balance").state == "12.3456"

    aioclient_mock.clear_requests()
    aioclient_mock.get(api_url("authorization/userinfo"), json=load_json("userinfo.json"))
    aioclient_mock.get(api_url("account"), json=load_json("account.json"))
    aioclient_mock.get(api_url("history"), status=HTTPStatus.FORBIDDEN, json={"message": "history:read"})
    mock_account_endpoints(aioclient_mock)
    aioclient_mock.get(api_url("settings/sipgateio"), json=SETTINGS)
    freezer.tick(timedelta(minutes=2))
    async_fire_time_changed(hass)
    await hass.async_block_till_done()
    assert hass.states.get(missed) is None
    assert er.async_get(hass).async_get(missed) is None


async def test_calls_are_answered_while_the_set_up_still_waits_for_sipgate(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    aioclient_mock: AiohttpClientMocker,
    external_url: str,
    signer: TestSigner,
    hass_client_no_auth: ClientSessionGenerator,
) -> None:
    """Sipgate is slow to give the account's details on a reload: a ringing call is answered meanwhile."""
    sipgate_answers = asyncio.Event()
    sipgate_answers.set()

    async def slow_account(method: str, url: Any, data: Any) -> AiohttpClientMockResponse:
        await sipgate_answers.wait()
        return AiohttpClientMockResponse(method, url, json=load_json("account.json"))

    aioclient_mock.get(api_url("authorization/userinfo"), json=load_json("userinfo.json"))
    aioclient_mock.get(api_url("account"), side_effect=slow_account)
    mock_account_endpoints(aioclient_mock)
    aioclient_mock.get(api_url("settings/sipgateio"), json=SETTINGS)
    aioclient_mock.put(api_url("settings/sipgateio"), status=204)
    # As the blueprints do: the account named by the event.
    await automations(
        hass,
        on(
            EVENT_NEW_CALL,
            {
                "action": "sipgate.reject_call",
                "data": {"reason": "busy", "config_entry_id": "{{ trigger.event.data.config_entry_id }}"},
            },
        ),
    )
    mock_config_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    assert await hass.config_entries.async_unload(mock_config_entry.entry_id)
    push = WebhookCaller(await hass_client_no_auth(), signer)

    sipgate_answers.clear()
    setup = hass.async_create_task(hass.config_entries.async_setup(mock_config_entry.entry_id))
    for _ in range(20):
        await asyncio.sleep(0)
    assert mock_config_entry.state is ConfigEntryState.SETUP_IN_PROGRESS

    status, _, text = await push.post(RING.format(call_id="EARLY"))
    assert (status, '<Reject reason="busy" />' in text) == (200, True)
    assert mock_config_entry.state is ConfigEntryState.SETUP_IN_PROGRESS

    sipgate_answers.set()
    assert await setup
    await hass.async_block_till_done()
    assert mock_config_entry.state is ConfigEntryState.LOADED


async def test_a_setup_retry_costs_one_request(
    hass: HomeAssistant, mock_config_entry: MockConfigEntry, aioclient_mock: AiohttpClientMocker
) -> None:
    """With sipgate down, each setup try asks for userinfo only."""
    aioclient_mock.get(api_url("authorization/userinfo"), status=HTTPStatus.INTERNAL_SERVER_ERROR)
    mock_config_entry.add_to_hass(hass)
    await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    assert mock_config_entry.state is ConfigEntryState.SETUP_RETRY
    assert [path for _, path, _, _ in sent_requests(aioclient_mock)] == ["/authorization/userinfo"]


# --- admin-only actions ----------------------------------------------------------------------


# Valid data for each admin action: the refusal must come from the user, not the schema.
ADMIN_CALLS: dict[str, dict[str, Any]] = {
    "set_webhook_settings": {"incoming_url": "https://evil.example/hook"},
    "delete_history": {"entry_ids": ["H1"]},
    "update_history": {"entry_ids": ["H1"], "read": True},
    "delete_contact": {"contact_id": "C1"},
    "delete_all_contacts": {"scope": "PRIVATE", "confirm": True},
    "create_contact": {"firstname": "Eve"},
    "update_contact": {"contact_id": "C1", "name": "Eve"},
    "import_contacts": {"format": "csv", "file": "/etc/passwd"},
    "send_fax": {"recipient": "+4921112345670", "file": "/etc/passwd"},
}


@pytest.mark.parametrize("action", sorted(ADMIN_CALLS))
async def test_a_read_only_user_cannot_change_the_account(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    hass_read_only_user: User,
    aioclient_mock: AiohttpClientMocker,
    action: str,
) -> None:
    """Each action that changes the account or reads files refuses a user who is not an administrator."""
    requests = aioclient_mock.call_count
    with pytest.raises(Unauthorized):
        await hass.services.async_call(
            DOMAIN,
            action,
            ADMIN_CALLS[action],
            blocking=True,
            context=Context(user_id=hass_read_only_user.id),
        )
    assert aioclient_mock.call_count == requests


async def test_admin_actions_are_exactly_these(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """The admin list names the actions that write the account or read or write a file."""
    assert {
        "set_webhook_settings",
        "delete_history",
        "update_history",
        "delete_contact",
        "delete_all_contacts",
        "create_contact",
        "update_contact",
        "import_contacts",
        "send_fax",
        "mark_read",
        "save_attachment",
    } == ADMIN_ACTIONS
    assert all(hass.services.has_service(DOMAIN, action) for action in ADMIN_ACTIONS)


# --- audio redirects -------------------------------------------------------------------------


@pytest.mark.usefixtures("socket_enabled")
async def test_an_audio_url_that_redirects_elsewhere_is_refused(aiohttp_client: Any) -> None:
    """A public URL redirecting to another host (an internal address, say) is not followed."""
    fetched: list[str] = []

    async def redirect(request: web.Request) -> web.Response:
        fetched.append(request.path)
        raise web.HTTPFound("http://127.0.0.2:9/internal.wav")

    async def same_host(request: web.Request) -> web.Response:
        fetched.append(request.path)
        raise web.HTTPFound("/audio.wav")

    async def audio(request: web.Request) -> web.Response:
        fetched.append(request.path)
        header = b"RIFF" + (36 + 8000).to_bytes(4, "little") + b"WAVEfmt " + (16).to_bytes(4, "little")
        header += (1).to_bytes(2, "little") + (1).to_bytes(2, "little") + (8000).to_bytes(4, "little")
        header += (16000).to_bytes(4, "little") + (2).to_bytes(2, "little") + (16).to_bytes(2, "little")
        return web.Response(body=header + b"data" + (8000).to_bytes(4, "little") + bytes(8000))

    app = web.Application()
    app.router.add_get("/redirect.wav", redirect)
    app.router.add_get("/moved.wav", same_host)
    app.router.add_get("/audio.wav", audio)
    client = await aiohttp_client(app)
    base = str(client.make_url(""))

    with pytest.raises(SipgateValidationError, match="another host"):
        await fetch_wav_info(client.session, f"{base}/redirect.wav")
    assert fetched == ["/redirect.wav"]

    info = await fetch_wav_info(client.session, f"{base}/moved.wav")
    assert (info.suits_sipgate, info.duration) == (True, 0.5)
    assert fetched == ["/redirect.wav", "/moved.wav", "/audio.wav"]


# --- visible security state ------------------------------------------------------------------


async def test_verification_off_raises_a_repair_issue(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    sipgate_api: AiohttpClientMocker,
    issue_registry: ir.IssueRegistry,
) -> None:
    """While signatures are not checked a warning says so; turning it back on removes it."""
    mock_config_entry.add_to_hass(hass)
    hass.config_entries.async_update_entry(
        mock_config_entry, options={**DEFAULT_OPTIONS, CONF_VERIFY_SIGNATURE: False}
    )
    await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    issue = issue_registry.async_get_issue(DOMAIN, f"verify_signature_off_{mock_config_entry.entry_id}")
    assert issue is not None
    assert (issue.severity, issue.translation_key) == (ir.IssueSeverity.WARNING, "verify_signature_off")

    hass.config_entries.async_update_entry(mock_config_entry, options=dict(DEFAULT_OPTIONS))
    assert await hass.config_entries.async_reload(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    assert (
        issue_registry.async_get_issue(DOMAIN, f"verify_signature_off_{mock_config_entry.entry_id}") is None
    )


@pytest.mark.parametrize(
    ("url", "active"),
    [
        ("http://127.0.0.1:8124/v2", True),
        ("http://localhost:8124/v2", True),
        ("http://[::1]:8124/v2", True),
        ("https://api.example.org/v2", False),
        ("http://10.0.0.5/v2", False),
        ("http://localhost.evil.example/v2", False),
        ("http://127.0.0.1.nip.io/v2", False),
        ("http://localhost@evil.example/v2", False),
        ("http://[::ffff:10.0.0.5]/v2", False),
    ],
)
async def test_the_development_override_is_loopback_only_and_visible(
    hass: HomeAssistant, issue_registry: ir.IssueRegistry, url: str, active: bool
) -> None:
    """SIPGATE_API_URL works only for a loopback host, and a repair issue shows while it does."""
    from custom_components.sipgate.client_factory import api_base_url

    with patch.dict(os.environ, {"SIPGATE_API_URL": url}):
        assert (api_base_url() == url) is active
        assert await async_setup_component(hass, DOMAIN, {})
        await hass.async_block_till_done()
    issue = issue_registry.async_get_issue(DOMAIN, "development_override")
    assert (issue is not None) is active
    if issue is not None:
        assert issue.severity == ir.IssueSeverity.WARNING
        assert url in issue.translation_placeholders["override"]


# --- a new webhook address -------------------------------------------------------------------


async def test_a_new_webhook_id_from_the_options(
    hass: HomeAssistant,
    webhook_integration: MockConfigEntry,
    sipgate_settings: AiohttpClientMocker,
    hass_client_no_auth: ClientSessionGenerator,
    signer: TestSigner,
) -> None:
    """After a leak: the options give the entry a new webhook id and key; the old URL stops working."""
    old_id = webhook_integration.data[CONF_WEBHOOK_ID]
    old_secret = webhook_integration.data[CONF_PUSH_SECRET]
    result = await hass.config_entries.options.async_init(webhook_integration.entry_id)
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {**DEFAULT_OPTIONS, CONF_REGENERATE_WEBHOOK: True}
    )
    await hass.async_block_till_done()
    assert CONF_REGENERATE_WEBHOOK not in webhook_integration.options
    new_id = webhook_integration.data[CONF_WEBHOOK_ID]
    assert new_id != old_id
    assert webhook_integration.data[CONF_PUSH_SECRET] != old_secret
    assert webhook_integration.state is ConfigEntryState.LOADED

    client = await hass_client_no_auth()
    body = RING.format(call_id="NEWURL").encode()
    headers = {"Content-Type": "application/x-www-form-urlencoded", "X-Sipgate-Signature": signer.sign(body)}
    assert (await client.post(f"/api/webhook/{old_id}", data=body, headers=headers)).status == 200
    assert (await (await client.post(f"/api/webhook/{old_id}", data=body, headers=headers)).text()) == ""
    response = await client.post(f"/api/webhook/{new_id}", data=body, headers=headers)
    assert "<Response" in await response.text()
    # sipgate is told the new URL.
    puts = [body for method, path, _, body in sent_requests(sipgate_settings) if method == "PUT"]
    assert puts[-1]["incomingUrl"].endswith(f"/api/webhook/{new_id}")
