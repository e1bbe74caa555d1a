"""Call playback: the stand-in posts signed pushes to a webhook and follows its XML like sipgate.

Why one module of this size: one played call per test, through every verb the stand-in follows.
"""

import asyncio
import io
from typing import Any
import wave

from aiohttp import ClientSession
import pytest

from custom_components.sipgate.api.push_events import (
    AnswerEvent,
    DtmfEvent,
    HangupEvent,
    NewCallEvent,
    PushEvent,
)
from custom_components.sipgate.api.push_reply import (
    Dial,
    Gather,
    Hangup,
    Play,
    Reject,
    ReplyAction,
    build_reply,
)
from custom_components.sipgate.api.push_signature import SIPGATE_PUBLIC_KEY_PEM
from standin import PushSigner, StandIn

from .conftest import StartReceiver, call_api

CALLER = "+4915799912345"


def wav(seconds: float, *, channels: int = 1, rate: int = 8000, width: int = 2) -> bytes:
    """A WAV of silence, by default in sipgate's format (mono, 16-bit PCM, 8 kHz)."""
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(channels)
        out.setsampwidth(width)
        out.setframerate(rate)
        out.writeframes(b"\0" * round(seconds * rate) * channels * width)
    return buffer.getvalue()


LINE = "+4921112345671"


def replies(
    on_new_call: ReplyAction | None, on_dtmf: ReplyAction | None = None, *, follow: bool = True
) -> Any:
    """Answer newCall with ``on_new_call`` (and the follow-up URLs), dtmf with ``on_dtmf``, the rest empty."""

    def reply_for(event: PushEvent, url: str) -> bytes:
        match event:
            case NewCallEvent():
                return build_reply(
                    on_new_call, on_answer=url if follow else None, on_hangup=url if follow else None
                )
            case DtmfEvent():
                return build_reply(on_dtmf, on_answer=None, on_hangup=None)
            case _:
                return build_reply(None, on_answer=None, on_hangup=None)

    return reply_for


async def play(http: ClientSession, standin: StandIn, **call: Any) -> tuple[int, Any]:
    """``POST /_standin/calls``."""
    async with http.post(f"{standin.url}/_standin/calls", json=call) as response:
        return response.status, await response.json()


async def test_no_action_answered_then_hung_up(
    http: ClientSession, standin: StandIn, webhook: StartReceiver
) -> None:
    """The default reply (follow-ups only): answered by the script, then hung up, each push signed."""
    receiver = await webhook(replies(None))

    status, report = await play(
        http, standin, webhook_url=receiver.url, **{"from": CALLER, "to": LINE}, script=[{"answer": True}]
    )

    assert status == 200
    assert all(push.signature_valid for push in receiver.received)
    new_call, answer, hangup = receiver.events
    assert isinstance(new_call, NewCallEvent)
    assert (new_call.from_number, new_call.to_number, new_call.direction) == (CALLER, LINE, "in")
    assert (new_call.users, new_call.user_ids, new_call.full_user_ids) == (
        ("Anna Muster",),
        ("w0",),
        ("1234567w0",),
    )
    assert isinstance(answer, AnswerEvent)
    assert (answer.user, answer.user_id, answer.answering_number) == ("Anna Muster", "w0", LINE)
    assert isinstance(hangup, HangupEvent)
    assert hangup.cause == "normalClearing"
    assert {event.call_id for event in receiver.events} == {report["callId"]}

    # The wire format is sipgate's: form-encoded, repeated user%5B%5D keys, numbers without "+".
    body = receiver.received[0].body.decode()
    assert body.startswith("event=newCall&from=4915799912345&to=4921112345671&direction=in&callId=")
    assert "user%5B%5D=Anna+Muster&userId%5B%5D=w0&fullUserId%5B%5D=1234567w0" in body
    assert receiver.received[0].content_type == "application/x-www-form-urlencoded; charset=UTF-8"
    assert receiver.received[0].headers["User-Agent"] == "sipgate.io"

    assert [step["event"] for step in report["steps"]] == ["newCall", "answer", "hangup"]
    first = report["steps"][0]
    assert first["body"] == body
    assert first["response"]["status"] == 200
    assert first["response"]["content_type"] == "application/xml"
    assert f'onAnswer="{receiver.url}"' in first["response"]["text"]
    assert report["outcomes"] == [
        "no instructions in the reply to newCall",
        "answered by w0",
        "hangup: normalClearing",
    ]
    assert (report["answered"], report["cause"]) == (True, "normalClearing")
    entry = (await call_api(http, standin, "GET", f"history/{report['history_id']}"))[1]
    assert (entry["type"], entry["direction"], entry["callId"]) == ("CALL", "INCOMING", report["callId"])


async def test_unanswered_call_is_cancelled(
    http: ClientSession, standin: StandIn, webhook: StartReceiver
) -> None:
    """Without an answer step the caller gives up: hangup ``cancel``, a missed call in the history."""
    receiver = await webhook(replies(None))

    _, report = await play(http, standin, webhook_url=receiver.url)

    assert [type(event) for event in receiver.events] == [NewCallEvent, HangupEvent]
    assert receiver.events[1].cause == "cancel"  # type: ignore[union-attr]
    entry = (await call_api(http, standin, "GET", f"history/{report['history_id']}"))[1]
    assert (entry["direction"], entry["callStatus"], entry["read"]) == ("MISSED_INCOMING", "MISSED", False)


async def test_reject_busy(http: ClientSession, standin: StandIn, webhook: StartReceiver) -> None:
    """``<Reject reason="busy"/>`` ends the call at once with cause busy; the script is not played."""
    receiver = await webhook(replies(Reject("busy")))

    _, report = await play(http, standin, webhook_url=receiver.url, script=[{"answer": True}])

    assert [type(event) for event in receiver.events] == [NewCallEvent, HangupEvent]
    assert receiver.events[1].cause == "busy"  # type: ignore[union-attr]
    assert report["outcomes"] == ["rejected: busy", "hangup: busy"]
    assert report["unused_script"] == [{"answer": True}]
    assert report["answered"] is False
    entry = (await call_api(http, standin, "GET", f"history/{report['history_id']}"))[1]
    assert (entry["status"], entry["callStatus"]) == ("BUSY", "BUSY")


async def test_reject_without_follow_ups(
    http: ClientSession, standin: StandIn, webhook: StartReceiver
) -> None:
    """A plain ``<Reject/>`` without onHangup: cause noAnswer, and no hangup push."""
    receiver = await webhook(replies(Reject(), follow=False))

    _, report = await play(http, standin, webhook_url=receiver.url)

    assert [type(event) for event in receiver.events] == [NewCallEvent]
    assert report["outcomes"] == [
        "rejected: rejected",
        "hangup: noAnswer",
        "no onHangup URL in the reply: no hangup push",
    ]


async def test_redirect(http: ClientSession, standin: StandIn, webhook: StartReceiver) -> None:
    """``<Dial>`` puts the call through: answered by the first number, hung up at the end."""
    receiver = await webhook(replies(Dial(["+4915799912345", "+4921100000010"], caller_id="+4921112345670")))

    _, report = await play(http, standin, webhook_url=receiver.url, **{"from": "+4917612345678"})

    assert [type(event) for event in receiver.events] == [NewCallEvent, AnswerEvent, HangupEvent]
    answer = receiver.events[1]
    assert isinstance(answer, AnswerEvent)
    assert (answer.user, answer.answering_number) == (None, "+4915799912345")
    assert receiver.events[2].cause == "normalClearing"  # type: ignore[union-attr]
    assert report["outcomes"][0] == "redirected to 4915799912345, 4921100000010 with caller id 4921112345670"
    entry = (await call_api(http, standin, "GET", f"history/{report['history_id']}"))[1]
    assert (entry["sourceAlias"], entry["direction"]) == ("Erika Mustermann", "INCOMING")


async def test_gather_dtmf_then_hangup(http: ClientSession, standin: StandIn, webhook: StartReceiver) -> None:
    """``<Gather>`` takes the script's digits, posts dtmf to onData, and follows that reply."""
    receiver = await webhook(replies(None))
    # onData points at the receiver: the Gather is built once its URL is known.
    receiver.audio["menu.wav"] = wav(0.5)
    receiver.reply_for = replies(
        Gather(on_data_url=receiver.url, max_digits=4, play_url=receiver.audio_url("menu.wav")), Hangup()
    )

    _, report = await play(http, standin, webhook_url=receiver.url, script=[{"dtmf": "12345"}])

    assert [type(event) for event in receiver.events] == [NewCallEvent, DtmfEvent, HangupEvent]
    assert receiver.events[1].dtmf == "1234"  # type: ignore[union-attr]
    assert receiver.events[2].cause == "normalClearing"  # type: ignore[union-attr]
    assert report["outcomes"] == [
        f"played {receiver.audio_url('menu.wav')} (0.50 s)",
        "gathered 1234",
        "hung up by the reply",
        "hangup: normalClearing",
    ]
    dtmf_step = report["steps"][1]
    assert dtmf_step["event"] == "dtmf"
    assert dtmf_step["body"].startswith("event=dtmf&dtmf=1234&callId=")
    assert "<Hangup />" in dtmf_step["response"]["text"]


async def test_gather_without_digits_times_out(
    http: ClientSession, standin: StandIn, webhook: StartReceiver
) -> None:
    """No dtmf step: the dtmf push carries no digits."""
    receiver = await webhook(replies(None))
    receiver.reply_for = replies(Gather(on_data_url=receiver.url), None)

    _, report = await play(http, standin, webhook_url=receiver.url, script=[{"answer": True}])

    assert [type(event) for event in receiver.events] == [NewCallEvent, DtmfEvent, AnswerEvent, HangupEvent]
    assert receiver.events[1].dtmf == ""  # type: ignore[union-attr]
    assert "gathered nothing (timeout)" in report["outcomes"]


async def test_established_call_is_listed_and_can_be_hung_up(
    http: ClientSession, standin: StandIn, webhook: StartReceiver
) -> None:
    """While an answered call waits it is in GET /calls; DELETE /calls/{id} ends it with a hangup push."""
    receiver = await webhook(replies(None))
    playing = asyncio.create_task(
        play(
            http,
            standin,
            webhook_url=receiver.url,
            script=[{"answer": "w0"}, {"wait": 30}, {"hangup": "busy"}],
        )
    )
    try:
        await asyncio.wait_for(receiver.answered.wait(), 10)
        (call,) = (await call_api(http, standin, "GET", "calls"))[1]["data"]
        assert [(p["phoneNumber"], p["owner"]) for p in call["participants"]] == [
            (LINE, True),
            (CALLER, False),
        ]
        path = f"calls/{call['callId']}"
        controls = [
            ("PUT", "muted", {"value": True}),
            ("PUT", "hold", {"value": True}),
            ("PUT", "recording", {"announcement": True, "value": True}),
            ("POST", "announcements", {"url": "https://example.com/a.wav"}),
            ("POST", "dtmf", {"sequence": "*12#"}),
            ("POST", "transfer", {"attended": True, "phoneNumber": "+4921100000010"}),
        ]
        for method, what, body in controls:
            assert (await call_api(http, standin, method, f"{path}/{what}", json=body))[0] == 204, what
        (listed,) = (await call_api(http, standin, "GET", "calls"))[1]["data"]
        assert (listed["muted"], listed["hold"], listed["recording"]) == (True, True, True)
        assert [a["action"] for a in standin.account.live_calls[call["callId"]].actions] == [
            "muted",
            "hold",
            "recording",
            "announcements",
            "dtmf",
            "transfer",
        ]
        assert (await call_api(http, standin, "DELETE", f"calls/{call['callId']}"))[0] == 204
        _, report = await asyncio.wait_for(playing, 10)
    finally:
        playing.cancel()

    assert report["outcomes"][-2:] == [
        f"ended by DELETE /calls/{call['callId']}",
        "hangup: normalClearing",
    ]
    assert report["unused_script"] == [{"hangup": "busy"}]
    assert (await call_api(http, standin, "GET", "calls"))[1] == {"data": []}
    assert standin.errors == []


async def test_ringing_call_is_not_listed_but_can_be_hung_up(
    http: ClientSession, standin: StandIn, webhook: StartReceiver
) -> None:
    """GET /calls lists established calls only; DELETE /calls/{id} ends a ringing one too."""
    receiver = await webhook(replies(None))
    playing = asyncio.create_task(
        play(http, standin, webhook_url=receiver.url, call_id="RINGING01", script=[{"wait": 30}])
    )
    try:
        await asyncio.wait_for(receiver.ringing.wait(), 10)
        assert (await call_api(http, standin, "GET", "calls"))[1] == {"data": []}
        assert (await call_api(http, standin, "DELETE", "calls/RINGING01"))[0] == 204
        _, report = await asyncio.wait_for(playing, 10)
    finally:
        playing.cancel()
    assert report["outcomes"][-2:] == ["ended by DELETE /calls/RINGING01", "hangup: normalClearing"]
    assert report["answered"] is False
    assert [type(event) for event in receiver.events] == [NewCallEvent, HangupEvent]


async def test_blind_transfer_ends_the_call(
    http: ClientSession, standin: StandIn, webhook: StartReceiver
) -> None:
    """A transfer through the REST API ends the account's call with cause forwarded."""
    receiver = await webhook(replies(None))
    playing = asyncio.create_task(
        standin.play_call(webhook_url=receiver.url, script=[{"answer": True}, {"wait": 30}])
    )
    try:
        await asyncio.wait_for(receiver.answered.wait(), 10)
        (call_id,) = standin.account.live_calls
        transfer = {"attended": False, "phoneNumber": "+4921100000010"}
        assert (await call_api(http, standin, "POST", f"calls/{call_id}/transfer", json=transfer))[0] == 204
        report = await asyncio.wait_for(playing, 10)
    finally:
        playing.cancel()
    assert receiver.events[-1].cause == "forwarded"  # type: ignore[union-attr]
    assert report["outcomes"][-2:] == ["ended by a transfer to +4921100000010", "hangup: forwarded"]


async def test_stopping_ends_playing_calls(push_signer: PushSigner, webhook: StartReceiver) -> None:
    """Stopping the stand-in ends a call that is still playing, without further pushes."""
    receiver = await webhook(replies(None))
    standin = StandIn(signer=push_signer)
    await standin.start()
    try:
        playing = asyncio.create_task(
            standin.play_call(webhook_url=receiver.url, script=[{"answer": True}, {"wait": 30}])
        )
        await asyncio.wait_for(receiver.answered.wait(), 10)
        assert standin.account.live_calls
    finally:
        async with asyncio.timeout(5):
            await standin.close()
    report = await asyncio.wait_for(playing, 5)

    assert report["outcomes"][-2:] == ["ended by the stand-in stopping", "hangup: normalClearing"]
    assert report["steps"][-1]["error"] == "not sent: the stand-in is stopping"
    assert [type(event) for event in receiver.events] == [NewCallEvent, AnswerEvent]
    with pytest.raises(RuntimeError, match="not started"):
        await standin.play_call(webhook_url=receiver.url)


async def test_the_stored_webhook_url_is_the_default(
    http: ClientSession, standin: StandIn, webhook: StartReceiver
) -> None:
    """Without webhook_url the call goes where the account's settings say (incoming or outgoing)."""
    receiver = await webhook(replies(None))
    settings = {"incomingUrl": "", "outgoingUrl": receiver.url, "log": True, "whitelist": None}
    await call_api(http, standin, "PUT", "settings/sipgateio", json=settings)

    status, report = await play(http, standin, direction="out", **{"from": LINE, "to": CALLER})

    assert status == 200
    new_call = receiver.events[0]
    assert isinstance(new_call, NewCallEvent)
    assert (new_call.direction, new_call.from_number, new_call.users) == ("out", LINE, ("Anna Muster",))
    log = (await call_api(http, standin, "GET", "log/webhooks"))[1]["items"]
    assert [entry["request"] for entry in log[:2]] == [step["body"] for step in reversed(report["steps"])]
    assert (await play(http, standin))[0] == 400  # no incoming URL stored


async def test_signatures_are_the_stand_ins_not_sipgates(
    http: ClientSession, standin: StandIn, webhook: StartReceiver
) -> None:
    """A receiver trusting sipgate's key refuses the stand-in's pushes (403, no instructions)."""
    receiver = await webhook(replies(None), public_key_pem=SIPGATE_PUBLIC_KEY_PEM)

    _, report = await play(http, standin, webhook_url=receiver.url, script=[{"answer": True}])

    assert [push.signature_valid for push in receiver.received] == [False]
    assert report["steps"][0]["response"]["status"] == 403
    assert "HTTP 403" in report["steps"][0]["error"]
    assert report["outcomes"][0] == "no instructions in the reply to newCall"


@pytest.mark.parametrize(
    ("xml", "error"),
    [
        (b"<Response><Play>", "not XML"),
        (b"<Answer/>", "the root element is <Answer>, not <Response>"),
        (b"<Response><Hangup/><Reject/></Response>", "more than one action: <Hangup>, <Reject>"),
    ],
)
async def test_invalid_replies_are_reported(
    http: ClientSession, standin: StandIn, webhook: StartReceiver, xml: bytes, error: str
) -> None:
    """A reply sipgate could not read: reported, and the call goes on without instructions."""
    receiver = await webhook(lambda event, url: xml)

    _, report = await play(http, standin, webhook_url=receiver.url, script=[{"answer": True}])

    assert report["steps"][0]["xml_error"].startswith(error)
    assert report["outcomes"][0].startswith(f"invalid reply to newCall ({error}")
    assert report["outcomes"][1:] == [
        "answered by w0",
        "no onAnswer URL in the reply: no answer push",
        "hangup: normalClearing",
        "no onHangup URL in the reply: no hangup push",
    ]


async def test_unreachable_webhook_is_reported(http: ClientSession, standin: StandIn) -> None:
    """A webhook that cannot be reached: the error is in the report and the call goes on."""
    _, report = await play(http, standin, webhook_url="http://127.0.0.1:1/api/webhook/x")
    assert "cannot post to" in report["steps"][0]["error"]
    assert report["cause"] == "cancel"


@pytest.mark.parametrize(
    ("call", "message"),
    [
        ({"script": [{"answer": True, "dtmf": "1"}]}, "script[0]"),
        ({"script": [{"dtmf": "12x"}]}, "script[0]"),
        ({"script": [{"wait": 600}]}, "script[0]"),
        ({"script": {"answer": True}}, "script must be a list"),
        ({"from": "0211 123"}, "from:"),
        ({"direction": "sideways"}, "direction:"),
        ({"users": ["w7"]}, "no user 'w7'"),
        ({"webhook_url": "ftp://example.com"}, "webhook_url:"),
        ({"colour": "blue"}, "unknown keys ['colour']"),
        ({"voicemail": {"duration": 0}}, "voicemail.duration"),
        ({"voicemail": {"after": 61}}, "voicemail.after"),
        ({"voicemail": {"transcription": 5}}, "voicemail.transcription"),
        ({"voicemail": {"text": "x"}}, "voicemail: an object"),
    ],
)
async def test_bad_call_requests_are_400(
    http: ClientSession, standin: StandIn, call: dict[str, Any], message: str
) -> None:
    """What cannot be played is refused with a reason, before any push."""
    status, body = await play(http, standin, **({"webhook_url": "http://127.0.0.1:1/x"} | call))
    assert status == 400
    assert message in body["message"]


async def test_the_public_key_is_served(http: ClientSession, standin: StandIn) -> None:
    """``GET /_standin/public_key`` is the PEM the receiver must trust."""
    async with http.get(f"{standin.url}/_standin/public_key") as response:
        assert response.status == 200
        assert await response.text() == standin.public_key_pem
    assert standin.public_key_pem.startswith("-----BEGIN PUBLIC KEY-----")


async def test_a_voicemail_joins_the_history_after_the_call(
    http: ClientSession, standin: StandIn, webhook: StartReceiver
) -> None:
    """With ``voicemail`` the caller leaves one: in the history a little later, its recording served."""
    receiver = await webhook(replies(None))
    status, report = await play(
        http,
        standin,
        webhook_url=receiver.url,
        **{"from": CALLER, "to": LINE},
        voicemail={"transcription": "Bitte zurückrufen.", "duration": 3, "after": 0.3},
    )
    assert status == 200
    voicemail_id = report["voicemail_id"]
    assert f"voicemail {voicemail_id} left" in report["outcomes"]
    assert (await call_api(http, standin, "GET", f"history/{voicemail_id}"))[0] == 404  # not yet
    await asyncio.sleep(0.5)
    status, entry = await call_api(http, standin, "GET", f"history/{voicemail_id}")
    assert status == 200
    assert (entry["type"], entry["source"], entry["target"], entry["duration"], entry["transcription"]) == (
        "VOICEMAIL",
        CALLER,
        LINE,
        3,
        "Bitte zurückrufen.",
    )
    assert entry["recordingUrl"] == f"{standin.url}/_standin/recordings/{voicemail_id}.mp3"
    async with http.get(entry["recordingUrl"]) as response:  # no credentials: a link like sipgate's
        assert response.status == 200
        assert response.content_type == "audio/mpeg"
        body = await response.read()
    assert body.startswith(b"ID3")
    assert body[10:12] == b"\xff\xfb"  # an MPEG audio frame follows the tag
    async with http.get(f"{standin.url}/_standin/recordings/0.mp3") as response:
        assert response.status == 404


@pytest.mark.parametrize(
    ("name", "audio", "outcome"),
    [
        ("good.wav", wav(1.25), "played {url} (1.25 s)"),
        (
            "stereo.wav",
            wav(0.1, channels=2, rate=22050),
            "did not play {url}: the WAV is 2 channel(s), 16-bit PCM, 22050 Hz; sipgate plays only mono"
            " 16-bit PCM 8 kHz; the call goes on without the audio",
        ),
        (
            "speech.mp3",
            b"ID3\x04\0\0\0\0\0\0" + b"\xff\xfb" * 50,
            "did not play {url}: not a WAV file; the call goes on without the audio",
        ),
        ("gone.wav", None, "did not play {url}: HTTP 404; the call goes on without the audio"),
        (
            "empty.wav",
            b"RIFF\0\0\0\0WAVE",
            "did not play {url}: the WAV has no format or no data chunk; the call goes on without the audio",
        ),
    ],
)
async def test_play_fetches_the_audio_and_checks_its_format(
    http: ClientSession,
    standin: StandIn,
    webhook: StartReceiver,
    name: str,
    audio: bytes | None,
    outcome: str,
) -> None:
    """Like sipgate, the stand-in fetches a Play's URL and plays only WAV mono 16-bit PCM 8 kHz.

    Otherwise the call goes on without the audio (the script still runs).
    """
    receiver = await webhook(replies(None))
    if audio is not None:
        receiver.audio[name] = audio
    url = receiver.audio_url(name)
    receiver.reply_for = replies(Play(url))

    _, report = await play(http, standin, webhook_url=receiver.url, script=[{"answer": True}])

    assert receiver.audio_fetches == [name]
    assert report["outcomes"][0] == outcome.format(url=url)
    assert report["audio"][0]["accepted"] is (name == "good.wav")
    assert "answered by w0" in report["outcomes"]


async def test_unfetchable_audio_urls(http: ClientSession, standin: StandIn, webhook: StartReceiver) -> None:
    """A URL that is not http(s), or a host that does not answer: not played, the call goes on."""
    receiver = await webhook(replies(None))
    on_dtmf = replies(None, Play("http://127.0.0.1:9/x.wav"))

    def reply_for(event: PushEvent, url: str) -> bytes:
        if isinstance(event, NewCallEvent):  # what the integration's builder would refuse to write
            return (
                f'<?xml version="1.0"?><Response><Gather onData="{url}">'
                "<Play><Url>ftp://example.com/menu.wav</Url></Play></Gather></Response>"
            ).encode()
        return bytes(on_dtmf(event, url))

    receiver.reply_for = reply_for

    _, report = await play(http, standin, webhook_url=receiver.url, script=[{"dtmf": "1"}])

    assert report["outcomes"][0] == (
        "did not play ftp://example.com/menu.wav: not an http(s) URL; the call goes on without the audio"
    )
    assert report["outcomes"][2].startswith("did not play http://127.0.0.1:9/x.wav: cannot fetch")


async def test_announcements_on_an_established_call_are_fetched(
    http: ClientSession, standin: StandIn, webhook: StartReceiver
) -> None:
    """POST /calls/{id}/announcements: the stand-in fetches and checks the audio; the call goes on."""
    receiver = await webhook(replies(None))
    receiver.audio["bye.wav"] = wav(0.5)
    receiver.audio["bad.wav"] = wav(0.5, rate=16000)
    playing = asyncio.create_task(
        play(http, standin, webhook_url=receiver.url, script=[{"answer": True}, {"wait": 5}])
    )
    await asyncio.wait_for(receiver.answered.wait(), 5)
    call_id = receiver.events[0].call_id

    for name in ("bye.wav", "bad.wav"):
        status, _ = await call_api(
            http, standin, "POST", f"calls/{call_id}/announcements", json={"url": receiver.audio_url(name)}
        )
        assert status == 204
    async with http.get(f"{standin.url}/_standin/state") as response:
        state = await response.json()
    await call_api(http, standin, "DELETE", f"calls/{call_id}")
    await playing

    assert receiver.audio_fetches == ["bye.wav", "bad.wav"]
    [live] = [call for call in state["live_calls"] if call["callId"] == call_id] or [None]
    audio = [action["audio"] for action in live["actions"] if action["action"] == "announcements"]
    assert [(a["accepted"], a["duration"]) for a in audio] == [(True, 0.5), (False, 0.0)]
    assert "sipgate plays only mono 16-bit PCM 8 kHz" in audio[1]["error"]
