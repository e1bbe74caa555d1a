"""Spoken announcements: languages matched to the engine, announcements that expire, length limits.

Engines name their languages differently (Google Translate ``de``, Piper
``de_DE``, others ``de-DE``); the test engine is set up with each way.
"""

from datetime import timedelta
from pathlib import Path
from typing import Any
from unittest.mock import AsyncMock, patch

from aiohttp.test_utils import TestClient
from freezegun.api import FrozenDateTimeFactory
import pytest
from pytest_homeassistant_custom_component.test_util.aiohttp import AiohttpClientMocker
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.sipgate.const import DOMAIN
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers import issue_registry as ir

from .conftest import WebhookCaller, api_url, default_reply, tokenless
from .test_answering import NEW_CALL, answer_with
from .test_speech import (
    NOBODY_HOME,
    announced_urls,
    answered_call,
    assert_sipgate_wav,
    call_action,
    fetch,
    play_url,
    use_blueprint,
)
from .tts_engine import VoiceBehaviour, async_setup_test_voice, spoken_seconds

GOOGLE_LIKE = ("en", "de")
PIPER_LIKE = ("en_US", "de_DE")


@pytest.fixture
async def voice(hass: HomeAssistant, tmp_path: Path, request: pytest.FixtureRequest) -> VoiceBehaviour:
    """The test engine as Home Assistant's only engine, with the languages a test asks for."""
    behaviour = VoiceBehaviour(languages=getattr(request, "param", ("en-US", "de-DE")))
    await async_setup_test_voice(hass, behaviour, tmp_path / "tts")
    return behaviour


@pytest.fixture
async def web(hass_client_no_auth: ClientSessionGenerator) -> TestClient:
    """An HTTP client without login, as sipgate fetches the audio."""
    return await hass_client_no_auth()


# --- languages ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("voice", "asked", "spoken"),
    [
        (GOOGLE_LIKE, "de-DE", "de"),
        (GOOGLE_LIKE, "en-GB", "en"),
        (GOOGLE_LIKE, None, "en"),
        (("de_DE",), "de-DE", "de_DE"),
        (("de_DE",), "de", "de_DE"),
        (PIPER_LIKE, "en-US", "en_US"),
        (("en-US", "de-DE"), "de-DE", "de-DE"),
    ],
    indirect=["voice"],
)
async def test_the_language_is_matched_to_the_engines(
    hass: HomeAssistant,
    voice: VoiceBehaviour,
    push: WebhookCaller,
    web: TestClient,
    asked: str | None,
    spoken: str,
) -> None:
    """The engine is asked in its own tag for the language; none given is the engine's default."""
    data: dict[str, Any] = {"message": NOBODY_HOME}
    if asked is not None:
        data["language"] = asked
    await answer_with(hass, {"action": "sipgate.play_announcement", "data": data})

    _, _, reply = await push.post(NEW_CALL.format(call_id="LANG1"))
    status, _, body = await fetch(web, play_url(reply))

    assert status == 200
    assert_sipgate_wav(body, spoken_seconds(NOBODY_HOME))
    assert [c.language for c in voice.calls] == [spoken]


@pytest.mark.parametrize("voice", [GOOGLE_LIKE, PIPER_LIKE], indirect=True)
async def test_the_german_blueprint_speaks_with_google_and_piper(
    hass: HomeAssistant,
    voice: VoiceBehaviour,
    push: WebhookCaller,
    web: TestClient,
    aioclient_mock: AiohttpClientMocker,
) -> None:
    """The blueprint asks for de-DE; an engine that calls it de or de_DE speaks it (and it hangs up)."""
    hass.states.async_set("zone.home", "0")
    aioclient_mock.delete(api_url("calls/NH3"), status=204)
    await use_blueprint(hass, "spoken_nobody_home.yaml", {"language": "de"})

    with patch("custom_components.sipgate.actions.calls.asyncio.sleep", AsyncMock()):
        _, _, reply = await push.post(NEW_CALL.format(call_id="NH3"))
        status, _, _ = await fetch(web, play_url(reply))
        await hass.async_block_till_done(wait_background_tasks=True)

    assert status == 200
    assert [c.language for c in voice.calls] == [voice.languages[1]]
    assert [m.upper() for m, u, _, _ in aioclient_mock.mock_calls if str(u) == api_url("calls/NH3")] == [
        "DELETE"
    ]


@pytest.mark.parametrize("voice", [GOOGLE_LIKE], indirect=True)
async def test_a_language_the_engine_lacks_is_a_translated_error(
    hass: HomeAssistant, voice: VoiceBehaviour, push: WebhookCaller
) -> None:
    """No tag of the engine fits: the error names its languages; a ringing call still gets its reply."""
    with pytest.raises(ServiceValidationError) as err:
        await call_action(hass, "play_announcement", {"message": NOBODY_HOME, "language": "fr-FR"})
    assert err.value.translation_key == "tts_language_not_supported"
    assert "does not speak the language fr-FR. Its languages: de, en." in str(err.value)

    await answer_with(
        hass, {"action": "sipgate.play_announcement", "data": {"message": NOBODY_HOME, "language": "fr"}}
    )
    status, _, reply = await push.post(NEW_CALL.format(call_id="LANG2"))

    assert (status, reply) == (200, tokenless(default_reply("LANG2")))
    assert voice.calls == []


# --- expiry -------------------------------------------------------------------------------------


async def test_an_announcement_expires_an_hour_after_it_was_handed_out(
    hass: HomeAssistant,
    voice: VoiceBehaviour,
    push: WebhookCaller,
    web: TestClient,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Handing the same message out again keeps it; an hour after the last time its URL is gone."""
    await answer_with(hass, {"action": "sipgate.play_announcement", "data": {"message": NOBODY_HOME}})
    url = play_url((await push.post(NEW_CALL.format(call_id="TTL1")))[2])
    assert (await fetch(web, url))[0] == 200

    freezer.tick(timedelta(minutes=50))
    assert play_url((await push.post(NEW_CALL.format(call_id="TTL2")))[2]) == url
    freezer.tick(timedelta(minutes=50))
    assert (await fetch(web, url))[0] == 200  # 100 minutes old, handed out 50 minutes ago
    freezer.tick(timedelta(minutes=10, seconds=1))
    assert (await fetch(web, url))[0] == 404

    # The same message later gets a new URL (Home Assistant's own cache may still have the speech).
    again = play_url((await push.post(NEW_CALL.format(call_id="TTL3")))[2])
    assert again != url
    assert (await fetch(web, again))[0] == 200


async def test_a_render_that_took_too_long_is_spoken_anew(
    hass: HomeAssistant, voice: VoiceBehaviour, push: WebhookCaller, web: TestClient
) -> None:
    """An engine slower than the render timeout: the fetch fails, the repair says so, the next call renders again."""
    voice.delay = 1
    await answer_with(hass, {"action": "sipgate.play_announcement", "data": {"message": NOBODY_HOME}})
    with patch("custom_components.sipgate.speech.RENDER_TIMEOUT", 0.05):
        slow = play_url((await push.post(NEW_CALL.format(call_id="SLOW2")))[2])
        assert (await fetch(web, slow))[0] == 500
    issue = ir.async_get(hass).async_get_issue(DOMAIN, "announcement_failed")
    assert issue is not None
    assert issue.translation_placeholders == {"engine": "tts.test_voice", "error": "no speech after 0.05 s"}

    voice.delay = 0
    fresh = play_url((await push.post(NEW_CALL.format(call_id="FAST2")))[2])

    assert fresh != slow
    assert (await fetch(web, fresh))[0] == 200


async def test_a_fetch_that_gave_up_waiting_lets_the_next_call_render_anew(
    hass: HomeAssistant, voice: VoiceBehaviour, push: WebhookCaller, web: TestClient
) -> None:
    """Sipgate's fetch timed out while the engine was still busy: the same message is not handed out again."""
    voice.delay = 5
    await answer_with(hass, {"action": "sipgate.play_announcement", "data": {"message": NOBODY_HOME}})
    stuck = play_url((await push.post(NEW_CALL.format(call_id="SLOW3")))[2])
    with patch("custom_components.sipgate.speech.RENDER_TIMEOUT", 0.05):
        assert (await fetch(web, stuck))[0] == 500

    voice.delay = 0
    fresh = play_url((await push.post(NEW_CALL.format(call_id="FAST3")))[2])

    assert fresh != stuck
    assert (await fetch(web, fresh))[0] == 200


# --- limits -------------------------------------------------------------------------------------


async def test_a_message_over_the_limit_is_a_translated_error(
    hass: HomeAssistant, voice: VoiceBehaviour, push: WebhookCaller, aioclient_mock: AiohttpClientMocker
) -> None:
    """More than 2,000 characters: the action says how long it may be; nothing is spoken or sent."""
    await answered_call(push, "EST9")

    with pytest.raises(ServiceValidationError) as err:
        await call_action(hass, "play_announcement", {"message": "x" * 2001})

    assert err.value.translation_key == "message_too_long"
    assert "The message has 2001 characters; an announcement may have at most 2000." in str(err.value)
    assert voice.calls == []
    assert announced_urls(aioclient_mock, "EST9") == []


@pytest.mark.parametrize(
    "seconds",
    [
        0.5,  # the engine's audio fits, sipgate's WAV of it lasts too long
        0.05,  # the engine's audio is already larger than any allowed length
    ],
)
async def test_speech_over_the_length_limit_is_refused(
    hass: HomeAssistant,
    voice: VoiceBehaviour,
    push: WebhookCaller,
    web: TestClient,
    aioclient_mock: AiohttpClientMocker,
    seconds: float,
) -> None:
    """Audio longer than the limit: an established call gets a translated error, a ringing one a repair."""
    await answered_call(push, "EST9")
    await answer_with(hass, {"action": "sipgate.play_announcement", "data": {"message": NOBODY_HOME}})

    with patch("custom_components.sipgate.speech.MAX_AUDIO_SECONDS", seconds):
        with pytest.raises(HomeAssistantError) as err:
            await call_action(hass, "play_announcement", {"message": NOBODY_HOME})
        assert err.value.translation_key == "tts_too_long"
        assert announced_urls(aioclient_mock, "EST9") == []

        _, _, reply = await push.post(NEW_CALL.format(call_id="LONG1"))
        assert (await fetch(web, play_url(reply)))[0] == 500

    issue = ir.async_get(hass).async_get_issue(DOMAIN, "announcement_failed")
    assert issue is not None
    assert issue.translation_key == "issue_tts_too_long"
    assert issue.translation_placeholders == {"engine": "tts.test_voice", "minutes": f"{seconds / 60:g}"}
