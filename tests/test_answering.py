"""Automations answer ringing calls: every verb, timing, many calls at once.

Why one module of this size: every answering verb and its timing, on one set of automations and
pushes.
"""

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

from .conftest import WEBHOOK_URL, WebhookCaller, api_url, call_path

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
            "data": {"numbers": "+49157000{{ trigger.event.data.from_number[-5:] }}"},
        },
        mode="parallel",
    )
    bodies = [
        f"event=newCall&from=49170{n:05d}&to=4921112345671&direction=in&callId=CALL{n}" for n in range(50)
    ]
    replies = await asyncio.gather(*(push.post(body) for body in bodies))
    for n, (status, _, text) in enumerate(replies):
        assert status == 200
        assert text == f"{HEAD}<Dial><Number>49157000{n:05d}</Number></Dial></Response>"


async def test_first_answer_wins_and_later_actions_use_the_call_api(
    hass: HomeAssistant, push: WebhookCaller, aioclient_mock: AiohttpClientMocker
) -> None:
    """The first answer is the reply; a later action on the call goes through sipgate's call API."""
    aioclient_mock.delete(api_url("calls/D1"), status=204)
    await answer_with(hass, {"action": "sipgate.reject_call"}, {"action": "sipgate.hang_up"})
    assert (await push.post(NEW_CALL.format(call_id="D1")))[
        2
    ] == f'{HEAD}<Reject reason="rejected" /></Response>'
    await hass.async_block_till_done()
    assert ("DELETE", api_url("calls/D1")) in [
        (m.upper(), str(u)) for m, u, _, _ in aioclient_mock.mock_calls
    ]


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
    await push.post(NEW_CALL.format(call_id="A1"))
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


# --- hanging up after an announcement -----------------------------------------------------------

BYE_URL = "https://example.com/bye.wav"


def short_wav(seconds: float, *, channels: int = 1) -> bytes:
    """A WAV file of silence (mono 16-bit PCM 8 kHz unless told otherwise)."""
    import io
    import wave

    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(channels)
        out.setsampwidth(2)
        out.setframerate(8000)
        out.writeframes(b"\0" * round(seconds * 8000) * 2 * channels)
    return buffer.getvalue()


def serve_audio(aioclient_mock: AiohttpClientMocker, wav: bytes, url: str = BYE_URL) -> None:
    """Serve ``wav`` at ``url`` as a web server answers a range request for its start."""
    header = wav[:4096]
    aioclient_mock.get(
        url,
        status=206,
        content=header,
        headers={"Content-Range": f"bytes 0-{len(header) - 1}/{len(wav)}", "Content-Type": "audio/wav"},
    )


def sent_to(aioclient_mock: AiohttpClientMocker, url: str) -> list[tuple[str, Any]]:
    """The method and headers of every request sent to ``url``."""
    return [
        (method.upper(), headers)
        for method, sent_url, _, headers in aioclient_mock.mock_calls
        if str(sent_url) == url
    ]


PLAY_AND_HANG_UP = {
    "action": "sipgate.play_announcement",
    "data": {"url": BYE_URL, "hang_up_after": True, "hang_up_delay": 0},
}


async def test_play_announcement_hangs_up_after_the_audio(
    hass: HomeAssistant, push: WebhookCaller, aioclient_mock: AiohttpClientMocker
) -> None:
    """The reply plays the audio; once it has played (length from the WAV header) the call is hung up."""
    serve_audio(aioclient_mock, short_wav(0.05))
    aioclient_mock.delete(api_url("calls/HU1"), status=204)
    await answer_with(hass, PLAY_AND_HANG_UP)

    status, _, text = await push.post(NEW_CALL.format(call_id="HU1"))
    assert status == 200
    assert text == f"{HEAD}<Play><Url>{BYE_URL}</Url></Play></Response>"
    await hass.async_block_till_done(wait_background_tasks=True)

    [(_, audio_headers)] = sent_to(aioclient_mock, BYE_URL)
    assert audio_headers["Range"] == "bytes=0-4095"
    assert [method for method, _ in sent_to(aioclient_mock, api_url("calls/HU1"))] == ["DELETE"]


async def test_no_hang_up_after_the_caller_hung_up(
    hass: HomeAssistant, push: WebhookCaller, aioclient_mock: AiohttpClientMocker
) -> None:
    """The caller hangs up while the announcement plays: nothing is sent to end the call."""
    serve_audio(aioclient_mock, short_wav(0.3))
    await answer_with(hass, PLAY_AND_HANG_UP)

    assert (await push.post(NEW_CALL.format(call_id="HU2")))[0] == 200
    await push.post(
        "event=hangup&cause=normalClearing&callId=HU2&from=4915799912345&to=4921112345671&direction=in"
    )
    await hass.async_block_till_done(wait_background_tasks=True)

    assert len(sent_to(aioclient_mock, BYE_URL)) == 1
    assert sent_to(aioclient_mock, api_url("calls/HU2")) == []


async def test_announcement_on_an_established_call_then_hang_up(
    hass: HomeAssistant, push: WebhookCaller, aioclient_mock: AiohttpClientMocker
) -> None:
    """On a call in progress the announcement goes through the call API, then the call is ended."""
    serve_audio(aioclient_mock, short_wav(0.05))
    aioclient_mock.post(api_url("calls/EST2/announcements"), status=204)
    aioclient_mock.delete(api_url("calls/EST2"), status=204)
    await push.post(NEW_CALL.format(call_id="EST2"))
    await push.post("event=answer&callId=EST2&user=Anna&from=4915799912345&to=4921112345671&direction=in")

    await hass.services.async_call(
        DOMAIN,
        "play_announcement",
        {"call_id": "EST2", "url": BYE_URL, "hang_up_after": True, "hang_up_delay": 0},
        blocking=True,
    )
    await hass.async_block_till_done(wait_background_tasks=True)

    assert [(m.upper(), str(u)) for m, u, _, _ in aioclient_mock.mock_calls if "calls/EST2" in str(u)] == [
        ("POST", api_url("calls/EST2/announcements")),
        ("DELETE", api_url("calls/EST2")),
    ]


async def test_audio_in_the_wrong_format_is_warned_about(
    hass: HomeAssistant,
    push: WebhookCaller,
    aioclient_mock: AiohttpClientMocker,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Stereo audio sipgate cannot play: a warning says which format it needs; the call still ends."""
    serve_audio(aioclient_mock, short_wav(0.05, channels=2))
    aioclient_mock.delete(api_url("calls/HU3"), status=204)
    await answer_with(hass, PLAY_AND_HANG_UP)

    await push.post(NEW_CALL.format(call_id="HU3"))
    await hass.async_block_till_done(wait_background_tasks=True)

    assert f"The announcement {BYE_URL} is not WAV mono 16-bit PCM 8 kHz" in caplog.text
    assert [method for method, _ in sent_to(aioclient_mock, api_url("calls/HU3"))] == ["DELETE"]


async def test_unreadable_audio_leaves_the_call_alone(
    hass: HomeAssistant,
    push: WebhookCaller,
    aioclient_mock: AiohttpClientMocker,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The audio's length cannot be read: a warning, and the call is not cut off at a guess."""
    aioclient_mock.get(BYE_URL, status=404)
    await answer_with(hass, PLAY_AND_HANG_UP)

    await push.post(NEW_CALL.format(call_id="HU4"))
    await hass.async_block_till_done(wait_background_tasks=True)

    assert f"Cannot read the announcement {BYE_URL} to hang up after it" in caplog.text
    assert sent_to(aioclient_mock, api_url("calls/HU4")) == []


@pytest.mark.parametrize(("status", "warned"), [(404, False), (500, True)])
async def test_failed_hang_up_after_the_audio(
    hass: HomeAssistant,
    push: WebhookCaller,
    aioclient_mock: AiohttpClientMocker,
    caplog: pytest.LogCaptureFixture,
    status: int,
    warned: bool,
) -> None:
    """The call is already gone (404): nothing to say; sipgate fails (500): a warning."""
    serve_audio(aioclient_mock, short_wav(0.05))
    aioclient_mock.delete(api_url("calls/HU5"), status=status)
    await answer_with(hass, PLAY_AND_HANG_UP)

    await push.post(NEW_CALL.format(call_id="HU5"))
    await hass.async_block_till_done(wait_background_tasks=True)

    assert len(sent_to(aioclient_mock, api_url("calls/HU5"))) == 1
    assert ("Could not hang up call HU5 after the announcement" in caplog.text) is warned


# --- phone number fields ----------------------------------------------------------------------


async def test_phone_numbers_given_as_integers(
    hass: HomeAssistant, webhook_integration: MockConfigEntry, aioclient_mock: AiohttpClientMocker
) -> None:
    """YAML reads an unquoted +49… as an integer: it is taken as international digits."""
    import json

    aioclient_mock.post(api_url("calls/EST3/transfer"), status=204)
    await hass.services.async_call(
        DOMAIN,
        "redirect_call",
        {"call_id": "EST3", "numbers": 4915799912345, "caller_id": 4921112345671},
        blocking=True,
    )
    [(_, _, body, _)] = [call for call in aioclient_mock.mock_calls if "transfer" in str(call[1])]
    assert json.loads(body) == {
        "attended": False,
        "phoneNumber": "+4915799912345",
        "callerId": "+4921112345671",
    }


async def test_phone_numbers_from_a_template(hass: HomeAssistant, push: WebhookCaller) -> None:
    """A template rendering the caller's number yields an integer; the redirect dials it."""
    await answer_with(
        hass,
        {"action": "sipgate.redirect_call", "data": {"numbers": ["{{ trigger.event.data.from_number }}"]}},
    )
    text = (await push.post(NEW_CALL.format(call_id="TPL1")))[2]
    assert text == f"{HEAD}<Dial><Number>4915799912345</Number></Dial></Response>"


@pytest.mark.parametrize(
    "data", [{"numbers": True}, {"numbers": [False]}, {"numbers": "+4915799912345", "caller_id": True}]
)
async def test_booleans_are_not_phone_numbers(
    hass: HomeAssistant, webhook_integration: MockConfigEntry, data: dict[str, Any]
) -> None:
    """YAML's yes/no/true are refused instead of dialling 1 or 0."""
    from custom_components.sipgate.compat import vol

    with pytest.raises(vol.Invalid, match="expected a phone number"):
        await hass.services.async_call(DOMAIN, "redirect_call", {"call_id": "EST4", **data}, blocking=True)


# --- which runs hold the reply ----------------------------------------------------------------


async def test_an_automation_can_answer_through_a_script(hass: HomeAssistant, push: WebhookCaller) -> None:
    """A script called by the triggered automation answers the call without naming it."""
    assert await async_setup_component(
        hass,
        "script",
        {
            "script": {
                "turn_away": {"sequence": [{"action": "sipgate.reject_call", "data": {"reason": "busy"}}]}
            }
        },
    )
    await answer_with(hass, {"action": "script.turn_away"})

    assert (await push.post(NEW_CALL.format(call_id="SC1")))[
        2
    ] == f'{HEAD}<Reject reason="busy" /></Response>'


async def test_the_reply_waits_for_every_run(hass: HomeAssistant, push: WebhookCaller) -> None:
    """One automation only notifies and finishes at once; the reply still waits for the one that answers."""
    assert await async_setup_component(
        hass,
        "automation",
        {
            "automation": [
                {
                    "alias": "notify",
                    "triggers": [{"trigger": "event", "event_type": "sipgate_new_call"}],
                    "actions": [{"event": "call_seen"}],
                },
                {
                    "alias": "answer",
                    "triggers": [{"trigger": "event", "event_type": "sipgate_new_call"}],
                    "actions": [{"delay": {"milliseconds": 200}}, {"action": "sipgate.hang_up"}],
                },
            ]
        },
    )
    seen = async_capture_events(hass, "call_seen")

    assert (await push.post(NEW_CALL.format(call_id="W1")))[2] == f"{HEAD}<Hangup /></Response>"
    assert len(seen) == 1


async def test_unrelated_runs_do_not_hold_the_reply(hass: HomeAssistant, push: WebhookCaller) -> None:
    """An automation started by something else while a call rings is not waited for."""
    assert await async_setup_component(
        hass,
        "automation",
        {
            "automation": [
                {
                    "alias": "busy elsewhere",
                    "triggers": [{"trigger": "event", "event_type": "something_else"}],
                    "actions": [{"delay": {"seconds": 3}}],
                },
                {
                    "alias": "think",
                    "triggers": [{"trigger": "event", "event_type": "sipgate_new_call"}],
                    "actions": [{"delay": {"milliseconds": 300}}],
                },
            ]
        },
    )
    started = time.monotonic()
    reply = asyncio.create_task(push.post(NEW_CALL.format(call_id="U1")))
    await asyncio.sleep(0.1)
    hass.bus.async_fire("something_else")

    assert (await reply)[2] == DEFAULT_REPLY
    assert time.monotonic() - started < 1.5
    await hass.services.async_call("automation", "turn_off", {"entity_id": "all"}, blocking=True)


async def test_a_newer_push_for_the_same_call_releases_the_older_reply(
    hass: HomeAssistant, push: WebhookCaller
) -> None:
    """While a call's reply is held, a newer push for it takes over: the older reply goes out at once."""
    await answer_with(hass, {"delay": {"seconds": 3}})
    started = time.monotonic()
    first = asyncio.create_task(push.post(NEW_CALL.format(call_id="R1")))
    await asyncio.sleep(0.1)

    # The caller hangs up (sipgate sends the hangup to the call's URL, whose reply is still held).
    second = await push.post(
        "event=hangup&cause=cancel&callId=R1&from=4915799912345&to=4921112345671&direction=in",
        url=call_path("R1"),
    )

    assert (await first)[2] == DEFAULT_REPLY
    assert second[:2] == (200, "application/xml")
    assert time.monotonic() - started < 1.0
    await hass.services.async_call("automation", "turn_off", {"entity_id": "all"}, blocking=True)


async def test_a_hangup_forgets_the_call(
    hass: HomeAssistant, push: WebhookCaller, webhook_integration: MockConfigEntry
) -> None:
    """What was remembered to find a call from its automations is dropped when the call ends."""
    runtime = webhook_integration.runtime_data
    await push.post(NEW_CALL.format(call_id="F1"))
    await push.post("event=answer&callId=F1&user=Anna&from=4915799912345&to=4921112345671&direction=in")
    assert runtime.calls.context_count == 2

    await push.post(
        "event=hangup&cause=normalClearing&callId=F1&from=4915799912345&to=4921112345671&direction=in"
    )

    assert runtime.calls.context_count == 0
    assert runtime.answering.pending_count == 0
