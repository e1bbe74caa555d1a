"""Spoken announcements: a message Home Assistant's text-to-speech speaks, as the audio sipgate plays.

The test engine speaks 22.05 kHz stereo WAV (other formats where a test says
so); sipgate plays only WAV mono 16-bit PCM 8 kHz, so every announcement
fetched here went through the conversion.

Why one module of this size: speaking is one path (engine, conversion, address, fetch, expiry)
tested end to end with one test engine.
"""

import asyncio
import io
from pathlib import Path
import re
import shutil
import sys
import time
from typing import Any
from unittest.mock import AsyncMock, patch
import wave
from xml.etree import ElementTree

from aiohttp.test_utils import TestClient
import pytest
from pytest_homeassistant_custom_component.test_util.aiohttp import AiohttpClientMocker
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.sipgate.const import DOMAIN
from homeassistant.components.tts.media_source import generate_media_source_id
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers import issue_registry as ir
from homeassistant.setup import async_setup_component

from .conftest import EXTERNAL_URL, WebhookCaller, api_url, default_reply, tokenless
from .test_answering import NEW_CALL, answer_with
from .tts_engine import ENGINE_ID, VoiceBehaviour, async_setup_test_voice, spoken_seconds

ANNOUNCEMENT_URL = re.compile(rf"^{re.escape(EXTERNAL_URL)}/api/sipgate/announcement/[A-Za-z0-9_-]+\.wav$")
NOBODY_HOME = "Nobody is home right now. Please call again later."
MENU = "Please enter your PIN, then press the hash key."


@pytest.fixture
async def voice(hass: HomeAssistant, tmp_path: Path) -> VoiceBehaviour:
    """The test engine, set up as Home Assistant's only (so preferred) text-to-speech engine."""
    behaviour = VoiceBehaviour()
    await async_setup_test_voice(hass, behaviour, tmp_path / "tts")
    return behaviour


@pytest.fixture
async def media(hass: HomeAssistant) -> None:
    """Home Assistant's media sources (before the HTTP client starts)."""
    assert await async_setup_component(hass, "media_source", {})


@pytest.fixture
async def web(hass_client_no_auth: ClientSessionGenerator) -> TestClient:
    """An HTTP client without login, as sipgate fetches the audio."""
    return await hass_client_no_auth()


async def fetch(web: TestClient, url: str) -> tuple[int, str, bytes]:
    """Fetch an announcement URL the way sipgate does: status, content type, body."""
    assert ANNOUNCEMENT_URL.match(url), url
    response = await web.get(url.removeprefix(EXTERNAL_URL))
    return response.status, response.content_type, await response.read()


def assert_sipgate_wav(body: bytes, seconds: float) -> None:
    """``body`` is WAV mono 16-bit PCM 8 kHz of ``seconds`` (to a sample period of the input)."""
    with wave.open(io.BytesIO(body)) as audio:
        assert (audio.getnchannels(), audio.getsampwidth(), audio.getframerate(), audio.getcomptype()) == (
            1,
            2,
            8000,
            "NONE",
        )
        assert audio.getnframes() == pytest.approx(seconds * 8000, abs=2)
        frames = audio.readframes(audio.getnframes())
    assert any(frames), "the speech is not silence"


def play_url(reply: str) -> str:
    """The URL of the reply's Play (also inside a Gather)."""
    root = ElementTree.fromstring(reply)  # noqa: S314 - the integration's own reply
    url = root.findtext(".//Play/Url")
    assert url is not None, reply
    return url


# --- ringing calls ------------------------------------------------------------------------------


async def test_ringing_call_answered_with_a_message(
    hass: HomeAssistant, voice: VoiceBehaviour, push: WebhookCaller, web: TestClient
) -> None:
    """The reply plays a URL on the public address that serves the message as sipgate's WAV."""
    await answer_with(hass, {"action": "sipgate.play_announcement", "data": {"message": NOBODY_HOME}})

    status, _, reply = await push.post(NEW_CALL.format(call_id="TTS1"))

    assert status == 200
    url = play_url(reply)
    assert reply.endswith(f"<Play><Url>{url}</Url></Play></Response>")
    status, content_type, body = await fetch(web, url)
    assert (status, content_type) == (200, "audio/wav")
    assert_sipgate_wav(body, spoken_seconds(NOBODY_HOME))
    # The preferred (only) engine in its default language; without ffmpeg nothing asks it for
    # a format it cannot render, and the conversion is done by the integration.
    assert [(c.message, c.language, c.options) for c in voice.calls] == [(NOBODY_HOME, "en-US", {})]


async def test_the_reply_is_not_delayed_by_rendering(
    hass: HomeAssistant, voice: VoiceBehaviour, push: WebhookCaller, web: TestClient
) -> None:
    """A slow engine: the reply goes out at once with the URL; the fetch waits for the speech."""
    voice.delay = 1.0
    await answer_with(hass, {"action": "sipgate.play_announcement", "data": {"message": NOBODY_HOME}})

    started = time.monotonic()
    _, _, reply = await push.post(NEW_CALL.format(call_id="TTS2"))
    replied = time.monotonic() - started
    status, _, body = await fetch(web, play_url(reply))
    fetched = time.monotonic() - started

    assert replied < 0.5, f"the reply took {replied:.2f} s"
    assert fetched >= 1.0
    assert status == 200
    assert_sipgate_wav(body, spoken_seconds(NOBODY_HOME))


async def test_a_gather_with_a_spoken_menu(
    hass: HomeAssistant, voice: VoiceBehaviour, push: WebhookCaller, web: TestClient
) -> None:
    """gather_dtmf with a message: the Gather plays the spoken menu, in the language asked for."""
    await answer_with(
        hass,
        {
            "action": "sipgate.gather_dtmf",
            "data": {"max_digits": 4, "message": "Bitte geben Sie Ihre PIN ein.", "language": "de-DE"},
        },
    )

    _, _, reply = await push.post(NEW_CALL.format(call_id="TTS3"))

    gather = ElementTree.fromstring(reply).find("Gather")  # noqa: S314
    assert gather is not None
    assert gather.get("maxDigits") == "4"
    status, _, body = await fetch(web, play_url(reply))
    assert status == 200
    assert_sipgate_wav(body, spoken_seconds("Bitte geben Sie Ihre PIN ein."))
    assert [(c.language, c.options) for c in voice.calls] == [("de-DE", {})]


async def test_the_engines_options_are_passed_on(
    hass: HomeAssistant, voice: VoiceBehaviour, push: WebhookCaller, web: TestClient
) -> None:
    """Options (say, a voice) reach the engine as given, and the speech is served."""
    await answer_with(
        hass,
        {
            "action": "sipgate.play_announcement",
            "data": {"message": NOBODY_HOME, "options": {"voice": "anna"}},
        },
    )

    _, _, reply = await push.post(NEW_CALL.format(call_id="OPT1"))
    status, _, body = await fetch(web, play_url(reply))

    assert status == 200
    assert_sipgate_wav(body, spoken_seconds(NOBODY_HOME))
    assert [(c.message, c.options) for c in voice.calls] == [(NOBODY_HOME, {"voice": "anna"})]


async def test_repeated_messages_are_served_from_the_cache(
    hass: HomeAssistant, voice: VoiceBehaviour, push: WebhookCaller, web: TestClient
) -> None:
    """The same message for two calls: one rendering, one URL; another message gets its own."""
    await answer_with(hass, {"action": "sipgate.play_announcement", "data": {"message": NOBODY_HOME}})

    first = play_url((await push.post(NEW_CALL.format(call_id="TTS4")))[2])
    assert (await fetch(web, first))[0] == 200
    second = play_url((await push.post(NEW_CALL.format(call_id="TTS5")))[2])
    status, _, body = await fetch(web, second)

    assert second == first
    assert status == 200
    assert_sipgate_wav(body, spoken_seconds(NOBODY_HOME))
    assert len(voice.calls) == 1


async def test_a_media_source_message_is_spoken_like_a_message(
    hass: HomeAssistant, voice: VoiceBehaviour, push: WebhookCaller, web: TestClient
) -> None:
    """media-source://tts/… (what the media browser picks): engine, language and options come from it."""
    media_id = generate_media_source_id(hass, "Hallo", ENGINE_ID, "de-DE", {"voice": "anna"})
    await answer_with(hass, {"action": "sipgate.play_announcement", "data": {"media_id": media_id}})

    _, _, reply = await push.post(NEW_CALL.format(call_id="TTS6"))
    status, _, body = await fetch(web, play_url(reply))

    assert status == 200
    assert_sipgate_wav(body, spoken_seconds("Hallo"))
    assert [(c.message, c.language, c.options) for c in voice.calls] == [
        ("Hallo", "de-DE", {"voice": "anna"})
    ]


async def test_other_media_is_handed_over_signed_on_the_public_url(
    hass: HomeAssistant, voice: VoiceBehaviour, push: WebhookCaller
) -> None:
    """A file of the media folder is played as it is, from a signed URL on the public address."""
    resolved = AsyncMock(return_value=type("Media", (), {"url": "/media/local/welcome.wav"})())
    with patch("homeassistant.components.media_source.async_resolve_media", resolved):
        await answer_with(
            hass,
            {
                "action": "sipgate.play_announcement",
                "data": {"media_id": "media-source://media_source/local/welcome.wav"},
            },
        )
        _, _, reply = await push.post(NEW_CALL.format(call_id="TTS7"))

    url = play_url(reply)
    assert url.startswith(f"{EXTERNAL_URL}/media/local/welcome.wav?authSig=")
    assert voice.calls == []


# --- established calls --------------------------------------------------------------------------


async def call_action_on(hass: HomeAssistant, call_id: str, action: str, data: dict[str, Any]) -> None:
    """Run an action on the established call ``call_id``."""
    await hass.services.async_call(DOMAIN, action, {"call_id": call_id, **data}, blocking=True)


async def call_action(hass: HomeAssistant, action: str, data: dict[str, Any]) -> None:
    """Run an action on the established call EST9."""
    await call_action_on(hass, "EST9", action, data)


async def answered_call(push: WebhookCaller, call_id: str) -> None:
    """A call that rang (nobody answered the push) and was then picked up."""
    await push.post(NEW_CALL.format(call_id=call_id))
    await push.post(
        f"event=answer&callId={call_id}&user=Anna&from=4915799912345&to=4921112345671&direction=in"
    )


def announced_urls(aioclient_mock: AiohttpClientMocker, call_id: str) -> list[str]:
    """The URLs given to sipgate's announcement endpoint for ``call_id``."""
    import json

    return [
        json.loads(data)["url"]
        for method, url, data, _ in aioclient_mock.mock_calls
        if method.upper() == "POST" and str(url) == api_url(f"calls/{call_id}/announcements")
    ]


async def test_established_call_gets_an_rtcm_announcement(
    hass: HomeAssistant,
    voice: VoiceBehaviour,
    push: WebhookCaller,
    web: TestClient,
    aioclient_mock: AiohttpClientMocker,
) -> None:
    """On a call in progress the speech is rendered first, then its URL goes to the call API."""
    aioclient_mock.post(api_url("calls/EST1/announcements"), status=204)
    await answered_call(push, "EST1")

    await hass.services.async_call(
        DOMAIN,
        "play_announcement",
        {"call_id": "EST1", "message": "The alarm went off in the garage.", "tts_engine": ENGINE_ID},
        blocking=True,
    )

    [url] = announced_urls(aioclient_mock, "EST1")
    status, _, body = await fetch(web, url)
    assert status == 200
    assert_sipgate_wav(body, spoken_seconds("The alarm went off in the garage."))


@pytest.mark.parametrize("delay", [0, 1.5])
async def test_hang_up_after_uses_the_rendered_length(
    hass: HomeAssistant,
    voice: VoiceBehaviour,
    push: WebhookCaller,
    aioclient_mock: AiohttpClientMocker,
    delay: float,
) -> None:
    """hang_up_after waits the spoken message's real length (plus the delay), then ends the call."""
    aioclient_mock.delete(api_url("calls/HUT1"), status=204)
    await answer_with(
        hass,
        {
            "action": "sipgate.play_announcement",
            "data": {"message": NOBODY_HOME, "hang_up_after": True, "hang_up_delay": delay},
        },
    )
    slept: list[float] = []
    real_sleep = asyncio.sleep

    async def sleep(seconds: float) -> None:
        if seconds:  # the hang-up timer (patching asyncio patches every sleep)
            slept.append(seconds)
        await real_sleep(0)

    with patch("custom_components.sipgate.actions.calls.asyncio.sleep", sleep):
        await push.post(NEW_CALL.format(call_id="HUT1"))
        await hass.async_block_till_done(wait_background_tasks=True)

    assert slept == [pytest.approx(spoken_seconds(NOBODY_HOME) + delay, abs=1 / 8000)]
    assert [m.upper() for m, u, _, _ in aioclient_mock.mock_calls if str(u) == api_url("calls/HUT1")] == [
        "DELETE"
    ]


async def test_hang_up_after_on_an_established_call(
    hass: HomeAssistant,
    voice: VoiceBehaviour,
    push: WebhookCaller,
    aioclient_mock: AiohttpClientMocker,
) -> None:
    """On a call in progress too: announced through the call API, hung up after its rendered length."""
    aioclient_mock.post(api_url("calls/HUT2/announcements"), status=204)
    aioclient_mock.delete(api_url("calls/HUT2"), status=204)
    await answered_call(push, "HUT2")
    slept: list[float] = []
    real_sleep = asyncio.sleep

    async def sleep(seconds: float) -> None:
        if seconds:
            slept.append(seconds)
        await real_sleep(0)

    with patch("custom_components.sipgate.actions.calls.asyncio.sleep", sleep):
        await call_action_on(
            hass,
            "HUT2",
            "play_announcement",
            {"message": NOBODY_HOME, "hang_up_after": True, "hang_up_delay": 2},
        )
        await hass.async_block_till_done(wait_background_tasks=True)

    assert len(announced_urls(aioclient_mock, "HUT2")) == 1
    assert slept == [pytest.approx(spoken_seconds(NOBODY_HOME) + 2, abs=1 / 8000)]
    assert [m.upper() for m, u, _, _ in aioclient_mock.mock_calls if str(u) == api_url("calls/HUT2")] == [
        "DELETE"
    ]


FAKE_FFMPEG = Path(__file__).parent / "fake_ffmpeg.py"


@pytest.fixture
async def ffmpeg_voice(hass: HomeAssistant, tmp_path: Path) -> VoiceBehaviour:
    """The test engine, with Home Assistant's ffmpeg integration using a stand-in for ffmpeg."""
    binary = tmp_path / "ffmpeg"
    binary.write_text(f'#!/bin/sh\nexec "{sys.executable}" "{FAKE_FFMPEG}" "$@"\n', encoding="utf-8")
    binary.chmod(0o755)
    assert await async_setup_component(hass, "ffmpeg", {"ffmpeg": {"ffmpeg_bin": str(binary)}})
    behaviour = VoiceBehaviour()
    await async_setup_test_voice(hass, behaviour, tmp_path / "tts")
    return behaviour


async def test_with_ffmpeg_home_assistant_converts_to_sipgates_format(
    hass: HomeAssistant, ffmpeg_voice: VoiceBehaviour, push: WebhookCaller, web: TestClient
) -> None:
    """With ffmpeg, Home Assistant's text-to-speech is asked for WAV mono 16-bit 8 kHz and converts.

    The stand-in for ffmpeg refuses other arguments, and writes its WAV to the pipe with
    unknown sizes in the header, as ffmpeg does; the integration serves it complete.
    """
    await answer_with(hass, {"action": "sipgate.play_announcement", "data": {"message": NOBODY_HOME}})

    _, _, reply = await push.post(NEW_CALL.format(call_id="FF1"))
    status, _, body = await fetch(web, play_url(reply))

    assert status == 200
    assert_sipgate_wav(body, spoken_seconds(NOBODY_HOME))
    assert body[4:8] != b"\xff\xff\xff\xff"
    # The engine cannot render the format, so Home Assistant took the options for ffmpeg.
    assert [call.options for call in ffmpeg_voice.calls] == [{}]


# --- errors -------------------------------------------------------------------------------------


async def test_no_engine_is_a_translated_error_and_the_ringing_call_still_gets_its_reply(
    hass: HomeAssistant, push: WebhookCaller, caplog: pytest.LogCaptureFixture
) -> None:
    """Without text-to-speech: the action fails saying what to do; the caller gets the default reply."""
    with pytest.raises(ServiceValidationError) as err:
        await call_action(hass, "play_announcement", {"message": NOBODY_HOME})
    assert err.value.translation_key == "no_tts_engine"

    await answer_with(hass, {"action": "sipgate.play_announcement", "data": {"message": NOBODY_HOME}})
    started = time.monotonic()
    status, _, reply = await push.post(NEW_CALL.format(call_id="ERR1"))
    assert (status, reply) == (200, tokenless(default_reply("ERR1")))
    assert time.monotonic() - started < 1.0
    assert "No text-to-speech engine is set up" in caplog.text


@pytest.mark.parametrize(
    ("data", "key"),
    [
        ({"message": "Hi", "tts_engine": "tts.nobody"}, "tts_engine_not_found"),
        ({"message": "Hi", "language": "fr-FR"}, "tts_language_not_supported"),
        ({"message": "Hi", "options": {"speed": 2}}, "tts_invalid"),
        ({}, "announcement_required"),
    ],
)
async def test_refused_settings_are_translated_errors(
    hass: HomeAssistant,
    voice: VoiceBehaviour,
    push: WebhookCaller,
    aioclient_mock: AiohttpClientMocker,
    data: dict[str, Any],
    key: str,
) -> None:
    """An unknown engine, a language or option the engine refuses, no audio at all: nothing is sent."""
    with pytest.raises(ServiceValidationError) as err:
        await call_action(hass, "play_announcement", data)
    assert err.value.translation_key == key
    assert announced_urls(aioclient_mock, "EST9") == []


async def test_no_public_url_is_a_translated_error(
    hass: HomeAssistant, voice: VoiceBehaviour, push: WebhookCaller
) -> None:
    """Sipgate must fetch the audio from the internet: without a public URL the action says how to get one."""
    hass.config.external_url = None

    with pytest.raises(ServiceValidationError) as err:
        await call_action(hass, "gather_dtmf", {"message": MENU})

    assert err.value.translation_key == "no_public_url_for_audio"
    assert "A cloudhook alone is not enough: it cannot carry audio" in str(err.value)


async def test_no_public_url_on_a_ringing_call_still_gets_the_reply(
    hass: HomeAssistant, voice: VoiceBehaviour, push: WebhookCaller, caplog: pytest.LogCaptureFixture
) -> None:
    """Without a public URL the action fails at once; the caller gets the default reply, nothing is spoken."""
    hass.config.external_url = None
    await answer_with(hass, {"action": "sipgate.play_announcement", "data": {"message": NOBODY_HOME}})

    status, _, reply = await push.post(NEW_CALL.format(call_id="NPU1"))

    assert (status, reply) == (200, tokenless(default_reply("NPU1")))
    assert "Home Assistant has no public URL" in caplog.text
    assert voice.calls == []


@pytest.mark.parametrize(
    ("behaviour", "key", "detail"),
    [
        ({"error": "the voice server is down"}, "tts_failed", "the voice server is down"),
        ({"extension": "mp3"}, "tts_needs_ffmpeg", "tts.test_voice"),
    ],
)
async def test_a_failing_engine_on_an_established_call_is_the_actions_error(
    hass: HomeAssistant,
    voice: VoiceBehaviour,
    push: WebhookCaller,
    aioclient_mock: AiohttpClientMocker,
    behaviour: dict[str, Any],
    key: str,
    detail: str,
) -> None:
    """The engine fails (or speaks MP3 with no ffmpeg to convert it): a translated error, nothing sent."""
    for name, value in behaviour.items():
        setattr(voice, name, value)
    await answered_call(push, "EST9")

    with pytest.raises(HomeAssistantError) as err:
        await call_action(hass, "play_announcement", {"message": NOBODY_HOME})

    assert err.value.translation_key == key
    assert detail in str(err.value.translation_placeholders)
    assert announced_urls(aioclient_mock, "EST9") == []


@pytest.mark.parametrize(
    ("behaviour", "issue"),
    [
        ({"error": "the voice server is down"}, "issue_tts_failed"),
        ({"extension": "mp3"}, "issue_tts_needs_ffmpeg"),
    ],
)
async def test_a_failing_engine_on_a_ringing_call(
    hass: HomeAssistant,
    voice: VoiceBehaviour,
    push: WebhookCaller,
    web: TestClient,
    aioclient_mock: AiohttpClientMocker,
    behaviour: dict[str, Any],
    issue: str,
) -> None:
    """The reply has gone: sipgate's fetch fails (the call goes on) and a repair issue says what to do.

    hang_up_after leaves the call alone; the next good announcement clears the issue.
    """
    for name, value in behaviour.items():
        setattr(voice, name, value)
    await answer_with(
        hass,
        {"action": "sipgate.play_announcement", "data": {"message": NOBODY_HOME, "hang_up_after": True}},
    )

    status, _, reply = await push.post(NEW_CALL.format(call_id="BAD1"))
    assert status == 200
    failed_url = play_url(reply)
    assert (await fetch(web, failed_url))[0] == 500
    await hass.async_block_till_done(wait_background_tasks=True)

    registry = ir.async_get(hass)
    found = registry.async_get_issue(DOMAIN, "announcement_failed")
    assert found is not None
    assert found.translation_key == issue
    assert [u for _, u, _, _ in aioclient_mock.mock_calls if "calls/BAD1" in str(u)] == []

    voice.error, voice.extension = None, "wav"
    _, _, reply = await push.post(NEW_CALL.format(call_id="GOOD1"))
    assert (await fetch(web, play_url(reply)))[0] == 200
    # The same message is spoken anew under a new URL; the failed one is gone.
    assert play_url(reply) != failed_url
    assert (await fetch(web, failed_url))[0] == 404
    assert registry.async_get_issue(DOMAIN, "announcement_failed") is None


async def test_unknown_announcements_are_not_found(
    hass: HomeAssistant, voice: VoiceBehaviour, push: WebhookCaller, web: TestClient
) -> None:
    """Only the tokens handed out are served."""
    await answer_with(hass, {"action": "sipgate.play_announcement", "data": {"message": NOBODY_HOME}})
    await push.post(NEW_CALL.format(call_id="TOK1"))

    for token in ("AAAAAAAAAAAAAAAAAAAAAA.wav", "../../etc/passwd", "x.wav"):
        response = await web.get(f"/api/sipgate/announcement/{token}")
        assert response.status == 404


async def test_url_and_message_together_are_refused(
    hass: HomeAssistant, voice: VoiceBehaviour, push: WebhookCaller
) -> None:
    """One source of audio per announcement."""
    with pytest.raises(Exception, match="exclusion"):
        await call_action(hass, "play_announcement", {"url": "https://example.com/a.wav", "message": "Hi"})


async def test_a_broken_wav_from_the_engine_is_a_failure(
    hass: HomeAssistant, voice: VoiceBehaviour, push: WebhookCaller
) -> None:
    """The engine claims WAV but sends a file without data: the action says the engine failed."""
    voice.audio = b"RIFF\0\0\0\0WAVEjunk"
    await answered_call(push, "EST9")

    with pytest.raises(HomeAssistantError) as err:
        await call_action(hass, "play_announcement", {"message": "Hi"})

    assert err.value.translation_key == "tts_failed"
    assert "no format or no data chunk" in str(err.value.translation_placeholders)


async def test_an_engine_that_never_finishes(
    hass: HomeAssistant, voice: VoiceBehaviour, push: WebhookCaller, web: TestClient
) -> None:
    """Sipgate's fetch does not wait forever: after the render timeout it gets an error."""
    voice.delay = 5
    await answer_with(hass, {"action": "sipgate.play_announcement", "data": {"message": "Hi"}})
    _, _, reply = await push.post(NEW_CALL.format(call_id="SLOW1"))

    with patch("custom_components.sipgate.speech.RENDER_TIMEOUT", 0.05):
        assert (await fetch(web, play_url(reply)))[0] == 500


async def test_the_cache_keeps_the_newest_messages(
    hass: HomeAssistant, voice: VoiceBehaviour, push: WebhookCaller, web: TestClient
) -> None:
    """Beyond the cache's size the oldest announcement is dropped; its URL is gone."""
    await answer_with(
        hass,
        {"action": "sipgate.play_announcement", "data": {"message": "{{ trigger.event.data.call_id }}"}},
    )
    with patch("custom_components.sipgate.speech.CACHE_SIZE", 1):
        first = play_url((await push.post(NEW_CALL.format(call_id="OLD1")))[2])
        second = play_url((await push.post(NEW_CALL.format(call_id="NEW1")))[2])

    assert (await fetch(web, first))[0] == 404
    assert (await fetch(web, second))[0] == 200
    assert [c.message for c in voice.calls] == ["OLD1", "NEW1"]


@pytest.mark.parametrize(
    ("media_id", "error"),
    [
        ("media-source://tts/tts.test_voice?language=de-DE", "No message specified"),
        ("media-source://tts/tts.test_voice?message=Hi&tts_options=%7Bbroken", "Invalid TTS options"),
        ("media-source://tts/-stream-/AAAAAAAAAAAAAAAAAAAAAA.wav", "a stream cannot be played again"),
        ("media-source://nothing_here/x.wav", "nothing_here"),
    ],
)
async def test_media_that_cannot_be_played(
    hass: HomeAssistant, media: None, voice: VoiceBehaviour, push: WebhookCaller, media_id: str, error: str
) -> None:
    """A text-to-speech id without a message or with broken options, a stream, an unknown source."""
    with pytest.raises(ServiceValidationError) as err:
        await call_action(hass, "play_announcement", {"media_id": media_id})

    assert err.value.translation_key == "media_not_playable"
    assert error in str(err.value.translation_placeholders)


# --- blueprints ---------------------------------------------------------------------------------

BLUEPRINTS = Path(__file__).parent.parent / "blueprints" / "automation" / "sipgate"


async def use_blueprint(hass: HomeAssistant, name: str, inputs: dict[str, Any]) -> None:
    """One automation from the project's blueprint ``name``."""
    shutil.copytree(
        BLUEPRINTS, Path(hass.config.path("blueprints", "automation", "sipgate")), dirs_exist_ok=True
    )
    assert await async_setup_component(
        hass, "automation", {"automation": {"use_blueprint": {"path": f"sipgate/{name}", "input": inputs}}}
    )
    await hass.async_block_till_done()


@pytest.mark.parametrize(
    ("inputs", "message", "language"),
    [
        ({}, "Hello, nobody is home right now. Please call again later.", "en-US"),
        (
            {"language": "de"},
            "Hallo, hier ist leider niemand zu Hause. Bitte rufen Sie später noch einmal an.",
            "de-DE",
        ),
        ({"message": "Back at six.", "tts_engine": ENGINE_ID}, "Back at six.", "en-US"),
    ],
)
async def test_spoken_nobody_home_blueprint(
    hass: HomeAssistant,
    voice: VoiceBehaviour,
    push: WebhookCaller,
    web: TestClient,
    aioclient_mock: AiohttpClientMocker,
    inputs: dict[str, Any],
    message: str,
    language: str,
) -> None:
    """Nobody in the home zone: the call hears the message (in the chosen language) and is hung up."""
    hass.states.async_set("zone.home", "0")
    aioclient_mock.delete(api_url("calls/NH1"), status=204)
    await use_blueprint(hass, "spoken_nobody_home.yaml", inputs)

    with patch("custom_components.sipgate.speech.RENDER_TIMEOUT", 5):
        _, _, reply = await push.post(NEW_CALL.format(call_id="NH1"))
        status, _, body = await fetch(web, play_url(reply))
        await hass.async_block_till_done(wait_background_tasks=True)

    assert status == 200
    assert_sipgate_wav(body, spoken_seconds(message))
    assert [(c.message, c.language) for c in voice.calls] == [(" ".join(message.split()), language)]
    assert [m.upper() for m, u, _, _ in aioclient_mock.mock_calls if str(u) == api_url("calls/NH1")] == [
        "DELETE"
    ]


async def test_spoken_nobody_home_blueprint_while_someone_is_home(
    hass: HomeAssistant, voice: VoiceBehaviour, push: WebhookCaller
) -> None:
    """Someone is home: the call rings as usual, nothing is spoken."""
    hass.states.async_set("zone.home", "1")
    await use_blueprint(hass, "spoken_nobody_home.yaml", {"to_number": "+4921112345671"})

    assert (await push.post(NEW_CALL.format(call_id="NH2")))[2] == tokenless(default_reply("NH2"))
    assert voice.calls == []


@pytest.mark.parametrize(
    ("language", "prompt", "wrong", "opened"),
    [
        ("en", "Please enter your PIN.", "That PIN is wrong. Please try again.", "The door opens. Goodbye."),
        (
            "de",
            "Bitte geben Sie Ihre PIN ein.",
            "Die PIN ist falsch. Bitte versuchen Sie es noch einmal.",
            "Die Tür öffnet sich. Auf Wiederhören.",
        ),
    ],
)
async def test_spoken_door_pin_blueprint(
    hass: HomeAssistant,
    voice: VoiceBehaviour,
    push: WebhookCaller,
    web: TestClient,
    aioclient_mock: AiohttpClientMocker,
    language: str,
    prompt: str,
    wrong: str,
    opened: str,
) -> None:
    """A spoken prompt; a wrong PIN is told so and asked again; the right one is confirmed, opens, hangs up."""
    aioclient_mock.delete(api_url("calls/DOOR1"), status=204)
    opened_by: list[str] = []
    hass.services.async_register("lock", "open", lambda call: opened_by.append(call.data["entity_id"]))
    await use_blueprint(
        hass,
        "spoken_door_pin.yaml",
        {
            "to_number": "0211 12345671",  # the national form the integration shows
            "pin": "1234",
            "language": language,
            "open_actions": [{"action": "lock.open", "data": {"entity_id": "lock.front_door"}}],
        },
    )

    replies = [(await push.post(NEW_CALL.format(call_id="DOOR1")))[2]]
    replies.append((await push.post("event=dtmf&dtmf=9999&callId=DOOR1"))[2])
    replies.append((await push.post("event=dtmf&dtmf=1234&callId=DOOR1"))[2])
    bodies = [await fetch(web, play_url(reply)) for reply in replies]
    await hass.async_block_till_done(wait_background_tasks=True)

    assert ["Gather" in replies[0], "Gather" in replies[1], "Gather" in replies[2]] == [True, True, False]
    assert [c.message for c in voice.calls] == [prompt, wrong, opened]
    assert {c.language for c in voice.calls} == {"de-DE" if language == "de" else "en-US"}
    for (status, _, body), text in zip(bodies, (prompt, wrong, opened), strict=True):
        assert status == 200
        assert_sipgate_wav(body, spoken_seconds(text))
    assert opened_by == ["lock.front_door"]
    assert [m.upper() for m, u, _, _ in aioclient_mock.mock_calls if str(u) == api_url("calls/DOOR1")] == [
        "DELETE"
    ]


def test_the_spoken_blueprints_describe_themselves_in_english_and_german() -> None:
    """Names, descriptions and every input in both languages, like the missed-call blueprint."""
    from homeassistant.util.yaml import load_yaml

    for name in ("spoken_nobody_home.yaml", "spoken_door_pin.yaml"):
        blueprint = load_yaml(BLUEPRINTS / name)["blueprint"]
        assert "Deutsch:" in blueprint["description"]
        assert " / " in blueprint["name"]
        for spec in blueprint["input"].values():
            assert " / " in spec["name"], spec
