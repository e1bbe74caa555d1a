"""Automations answer ringing calls: every verb, timing, many calls at once."""

import asyncio
import time
from typing import Any

import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_capture_events
from pytest_homeassistant_custom_component.test_util.aiohttp import AiohttpClientMocker

from custom_components.sipgate.const import CONF_ANSWER_TIMEOUT, DEFAULT_OPTIONS, DOMAIN, EVENT_DTMF
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ServiceValidationError
from homeassistant.setup import async_setup_component

from .conftest import WEBHOOK_URL, WebhookCaller, api_url

NEW_CALL = (
    "event=newCall&from=4915799912345&to=4921112345671&direction=in&callId={call_id}&user%5B%5D=Anna+Muster"
)
HEAD = f'<?xml version="1.0" encoding="UTF-8"?>\n<Response onAnswer="{WEBHOOK_URL}" onHangup="{WEBHOOK_URL}">'
DEFAULT_REPLY = (
    f'<?xml version="1.0" encoding="UTF-8"?>\n<Response onAnswer="{WEBHOOK_URL}" onHangup="{WEBHOOK_URL}" />'
)


async def answer_with(
    hass: HomeAssistant, *actions: dict[str, Any], event_type: str = "sipgate_new_call", mode: str = "single"
) -> None:
    """One automation: when ``event_type`` fires, run ``actions``."""
    assert await async_setup_component(
        hass,
        "automation",
        {
            "automation": [
                {
                    "alias": "answer",
                    "mode": mode,
                    "max": 100,
                    "triggers": [{"trigger": "event", "event_type": event_type}],
                    "actions": list(actions),
                }
            ]
        },
    )
    await hass.async_block_till_done()


@pytest.mark.parametrize(
    ("action", "data", "xml"),
    [
        ("reject_call", {}, '<Reject reason="rejected" />'),
        ("reject_call", {"reason": "busy"}, '<Reject reason="busy" />'),
        ("hang_up", {}, "<Hangup />"),
        ("send_to_voicemail", {}, "<Dial><Voicemail /></Dial>"),
        ("redirect_call", {"numbers": ["0157 99912345"]}, "<Dial><Number>4915799912345</Number></Dial>"),
        (
            "redirect_call",
            {
                "numbers": ["+4915799912345", "+4921112345670"],
                "caller_id": "+4921112345671",
                "anonymous": False,
            },
            '<Dial callerId="4921112345671" anonymous="false"><Number>4915799912345</Number><Number>4921112345670</Number></Dial>',
        ),
        (
            "redirect_call",
            {"numbers": "+4915799912345", "anonymous": True},
            '<Dial anonymous="true"><Number>4915799912345</Number></Dial>',
        ),
        (
            "play_announcement",
            {"url": "https://example.com/hello.wav?v=1&lang=de"},
            "<Play><Url>https://example.com/hello.wav?v=1&amp;lang=de</Url></Play>",
        ),
        (
            "gather_dtmf",
            {"max_digits": 4, "timeout": 5, "announcement_url": "https://example.com/pin.wav"},
            f'<Gather onData="{WEBHOOK_URL}" maxDigits="4" timeout="5000"><Play><Url>https://example.com/pin.wav</Url></Play></Gather>',
        ),
        ("gather_dtmf", {}, f'<Gather onData="{WEBHOOK_URL}" maxDigits="1" timeout="2000" />'),
    ],
)
async def test_every_verb_answers_a_ringing_call(
    hass: HomeAssistant, push: WebhookCaller, action: str, data: dict[str, Any], xml: str
) -> None:
    """The automation's answer is the reply, exactly; follow-ups are always subscribed."""
    await answer_with(hass, {"action": f"sipgate.{action}", "data": data})
    status, content_type, text = await push.post(NEW_CALL.format(call_id="C1"))
    assert (status, content_type) == (200, "application/xml")
    assert text == f"{HEAD}{xml}</Response>"


async def test_a_dtmf_event_is_answered_with_a_new_gather(hass: HomeAssistant, push: WebhookCaller) -> None:
    """A PIN menu: digits arrive as sipgate_dtmf; a wrong PIN asks again, the right one hangs up."""
    assert await async_setup_component(
        hass,
        "automation",
        {
            "automation": [
                {
                    "alias": "menu",
                    "triggers": [{"trigger": "event", "event_type": "sipgate_new_call"}],
                    "actions": [{"action": "sipgate.gather_dtmf", "data": {"max_digits": 4}}],
                },
                {
                    "alias": "pin",
                    "triggers": [{"trigger": "event", "event_type": "sipgate_dtmf"}],
                    "actions": [
                        {
                            "if": [
                                {
                                    "condition": "template",
                                    "value_template": "{{ trigger.event.data.dtmf == '1234' }}",
                                }
                            ],
                            "then": [{"action": "sipgate.hang_up"}],
                            "else": [{"action": "sipgate.gather_dtmf", "data": {"max_digits": 4}}],
                        }
                    ],
                },
            ]
        },
    )
    digits = async_capture_events(hass, EVENT_DTMF)
    assert (await push.post(NEW_CALL.format(call_id="PIN")))[
        2
    ] == f'{HEAD}<Gather onData="{WEBHOOK_URL}" maxDigits="4" timeout="2000" /></Response>'
    assert (await push.post("event=dtmf&dtmf=9999&callId=PIN"))[
        2
    ] == f'{HEAD}<Gather onData="{WEBHOOK_URL}" maxDigits="4" timeout="2000" /></Response>'
    assert (await push.post("event=dtmf&dtmf=1234&callId=PIN"))[2] == f"{HEAD}<Hangup /></Response>"
    assert [e.data["dtmf"] for e in digits] == ["9999", "1234"]


async def test_no_automation_replies_at_once(hass: HomeAssistant, push: WebhookCaller) -> None:
    """Nobody listens: the reply does not wait for the timeout."""
    started = time.monotonic()
    assert (await push.post(NEW_CALL.format(call_id="N1")))[2] == DEFAULT_REPLY
    assert time.monotonic() - started < 0.5


async def test_automation_that_only_notifies_replies_early(hass: HomeAssistant, push: WebhookCaller) -> None:
    """An automation that does not answer: the reply comes as soon as it has finished."""
    await answer_with(
        hass, {"event": "call_seen", "event_data": {"from": "caller {{ trigger.event.data.from_number }}"}}
    )
    seen = async_capture_events(hass, "call_seen")
    started = time.monotonic()
    assert (await push.post(NEW_CALL.format(call_id="N2")))[2] == DEFAULT_REPLY
    assert time.monotonic() - started < 1.0
    assert [e.data["from"] for e in seen] == ["caller +4915799912345"]


async def test_automation_whose_conditions_fail_replies_at_once(
    hass: HomeAssistant, push: WebhookCaller
) -> None:
    """A triggered automation whose condition is false starts no run."""
    assert await async_setup_component(
        hass,
        "automation",
        {
            "automation": [
                {
                    "triggers": [{"trigger": "event", "event_type": "sipgate_new_call"}],
                    "conditions": [{"condition": "template", "value_template": "{{ false }}"}],
                    "actions": [{"action": "sipgate.reject_call"}],
                }
            ]
        },
    )
    started = time.monotonic()
    assert (await push.post(NEW_CALL.format(call_id="N3")))[2] == DEFAULT_REPLY
    assert time.monotonic() - started < 0.5


async def test_slow_answer_inside_the_timeout_counts(hass: HomeAssistant, push: WebhookCaller) -> None:
    """An automation that thinks for a moment still answers the call."""
    await answer_with(
        hass, {"delay": {"milliseconds": 300}}, {"action": "sipgate.reject_call", "data": {"reason": "busy"}}
    )
    assert (await push.post(NEW_CALL.format(call_id="S1")))[2] == f'{HEAD}<Reject reason="busy" /></Response>'


@pytest.mark.usefixtures("external_url", "sipgate_settings", "signer")
async def test_answer_past_the_timeout_gets_the_default_reply(
    hass: HomeAssistant, mock_config_entry: MockConfigEntry, hass_client_no_auth, signer
) -> None:
    """After answer_timeout the default reply goes out; the late answer is refused."""
    mock_config_entry.add_to_hass(hass)
    hass.config_entries.async_update_entry(
        mock_config_entry, options={**DEFAULT_OPTIONS, CONF_ANSWER_TIMEOUT: 0.5}
    )
    await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    await answer_with(hass, {"delay": {"seconds": 1}}, {"action": "sipgate.reject_call"})
    push = WebhookCaller(await hass_client_no_auth(), signer)
    started = time.monotonic()
    assert (await push.post(NEW_CALL.format(call_id="T1")))[2] == DEFAULT_REPLY
    assert 0.4 < time.monotonic() - started < 0.9
    await hass.async_block_till_done(wait_background_tasks=True)


async def test_fifty_concurrent_calls_get_their_own_answers(hass: HomeAssistant, push: WebhookCaller) -> None:
    """50 calls at once, each redirected to a number derived from its caller: no mix-ups."""
    await answer_with(
        hass,
        {"delay": {"milliseconds": "{{ range(0, 50) | random }}"}},
        # A template that renders "+49…" yields a number (Home Assistant's native types):
        # the action reads such a number as international digits.
        {
            "action": "sipgate.redirect_call",
            "data": {"numbers": "+49157{{ trigger.event.data.from_number[-5:] }}"},
        },
        mode="parallel",
    )
    bodies = [
        f"event=newCall&from=49170{n:05d}&to=4921112345671&direction=in&callId=CALL{n}" for n in range(50)
    ]
    replies = await asyncio.gather(*(push.post(body) for body in bodies))
    for n, (status, _, text) in enumerate(replies):
        assert status == 200
        assert text == f"{HEAD}<Dial><Number>49157{n:05d}</Number></Dial></Response>"


async def test_answering_twice_is_refused(hass: HomeAssistant, push: WebhookCaller) -> None:
    """The first answer wins; a second answer for the same call is an error in the automation."""
    await answer_with(hass, {"action": "sipgate.reject_call"}, {"action": "sipgate.hang_up"})
    assert (await push.post(NEW_CALL.format(call_id="D1")))[
        2
    ] == f'{HEAD}<Reject reason="rejected" /></Response>'


async def test_verbs_without_a_mechanism_for_a_ringing_call(hass: HomeAssistant, push: WebhookCaller) -> None:
    """Muting a call that is still ringing is explained; the call gets the default reply."""
    errors: list[BaseException] = []

    async def try_mute(call_id: str) -> None:
        try:
            await hass.services.async_call(DOMAIN, "mute_call", {"call_id": call_id}, blocking=True)
        except ServiceValidationError as err:
            errors.append(err)

    await answer_with(hass, {"delay": {"milliseconds": 300}})
    reply = asyncio.create_task(push.post(NEW_CALL.format(call_id="M1")))
    await asyncio.sleep(0.1)
    await try_mute("M1")
    assert [e.translation_key for e in errors] == ["call_not_established"]  # type: ignore[attr-defined]
    assert (await reply)[2] == DEFAULT_REPLY


@pytest.mark.parametrize(
    ("action", "data", "method", "path", "body"),
    [
        ("hang_up", {}, "DELETE", "calls/EST1", None),
        (
            "redirect_call",
            {"numbers": ["0157 99912345"], "attended": True},
            "POST",
            "calls/EST1/transfer",
            {"attended": True, "phoneNumber": "+4915799912345"},
        ),
        (
            "play_announcement",
            {"url": "https://example.com/a.wav"},
            "POST",
            "calls/EST1/announcements",
            {"url": "https://example.com/a.wav"},
        ),
        ("send_dtmf", {"sequence": "*1a#"}, "POST", "calls/EST1/dtmf", {"sequence": "*1A#"}),
        ("mute_call", {"muted": True}, "PUT", "calls/EST1/muted", {"value": True}),
        ("hold_call", {"hold": False}, "PUT", "calls/EST1/hold", {"value": False}),
        (
            "record_call",
            {"recording": True, "announcement": True},
            "PUT",
            "calls/EST1/recording",
            {"announcement": True, "value": True},
        ),
    ],
)
async def test_verbs_on_an_established_call_use_rtcm(
    hass: HomeAssistant,
    webhook_integration: MockConfigEntry,
    aioclient_mock: AiohttpClientMocker,
    action: str,
    data: dict[str, Any],
    method: str,
    path: str,
    body: Any,
) -> None:
    """With no reply pending, the same verbs control the call through sipgate's call API."""
    getattr(aioclient_mock, method.lower())(api_url(path), status=204)
    calls_before = aioclient_mock.call_count
    await hass.services.async_call(DOMAIN, action, {"call_id": "EST1", **data}, blocking=True)
    sent = aioclient_mock.mock_calls[calls_before:]
    assert [(m.upper(), str(u)) for m, u, _, _ in sent] == [(method, api_url(path))]
    import json

    assert (json.loads(sent[0][2]) if sent[0][2] else None) == body


@pytest.mark.parametrize("action", ["reject_call", "send_to_voicemail", "gather_dtmf"])
async def test_ringing_only_verbs_on_an_established_call(
    hass: HomeAssistant, webhook_integration: MockConfigEntry, action: str
) -> None:
    """Rejecting an established call has no mechanism at sipgate: a translated error says so."""
    with pytest.raises(ServiceValidationError) as caught:
        await hass.services.async_call(DOMAIN, action, {"call_id": "EST1"}, blocking=True)
    assert caught.value.translation_key == "call_not_ringing"


async def test_call_id_needed_outside_a_call_automation(
    hass: HomeAssistant, webhook_integration: MockConfigEntry
) -> None:
    """Called from nowhere without call_id: the error says call_id is needed."""
    with pytest.raises(ServiceValidationError) as caught:
        await hass.services.async_call(DOMAIN, "hang_up", {}, blocking=True)
    assert caught.value.translation_key == "call_id_required"


async def test_automation_on_answer_mutes_without_call_id(
    hass: HomeAssistant, push: WebhookCaller, aioclient_mock: AiohttpClientMocker
) -> None:
    """An automation started by sipgate_answer controls that call without naming it."""
    aioclient_mock.put(api_url("calls/A1/recording"), status=204)
    await answer_with(hass, {"action": "sipgate.record_call"}, event_type="sipgate_answer")
    await push.post("event=answer&callId=A1&user=Anna&from=4915799912345&to=4921112345671&direction=in")
    await hass.async_block_till_done()
    assert [(m.upper(), str(u)) for m, u, _, _ in aioclient_mock.mock_calls if "calls/" in str(u)] == [
        ("PUT", api_url("calls/A1/recording"))
    ]


async def test_get_calls_returns_established_calls(
    hass: HomeAssistant, webhook_integration: MockConfigEntry, aioclient_mock: AiohttpClientMocker
) -> None:
    """get_calls answers with the calls and their participants."""
    from .conftest import load_json

    aioclient_mock.get(api_url("calls"), json=load_json("calls.json"))
    result = await hass.services.async_call(DOMAIN, "get_calls", {}, blocking=True, return_response=True)
    assert result == {
        "calls": [
            {
                "call_id": "ABCDEF0123456789",
                "muted": False,
                "recording": False,
                "hold": False,
                "participants": [
                    {
                        "participant_id": "1",
                        "phone_number": "+4921112345671",
                        "muted": False,
                        "hold": False,
                        "owner": True,
                    },
                    {
                        "participant_id": "2",
                        "phone_number": "+4915799912345",
                        "muted": False,
                        "hold": False,
                        "owner": False,
                    },
                ],
            }
        ]
    }
