"""Spoken announcements on a real Home Assistant 2026.11: the stand-in fetches and accepts them.

Home Assistant gets a small text-to-speech engine of its own (a legacy platform in
the configuration folder) that speaks 16 kHz stereo WAV, so the conversion to
sipgate's format runs; the stand-in downloads every announcement like sipgate and
plays only WAV mono 16-bit PCM 8 kHz. The automations name that engine: onboarding
also sets up Google Translate's, which needs the internet.

Home Assistant runs with ``PYTHONSAFEPATH``: started in the repository, Python would
otherwise import the repository's ``custom_components`` package (it has an
``__init__.py`` for the unit tests) instead of the configuration folder's, and the test
engine there would not be found (the integration is linked into that folder too).
"""

from collections.abc import Iterator
import json
from pathlib import Path

import pytest

from .harness import STANDIN_TOKEN, STANDIN_TOKEN_ID, HomeAssistant, StandIn, run_home_assistant, wait_until

VOICE_MANIFEST = {
    "domain": "e2e_voice",
    "name": "End-to-end test voice",
    "codeowners": [],
    "dependencies": ["tts"],
    "documentation": "https://example.com",
    "iot_class": "local_push",
    "requirements": [],
    "version": "1.0.0",
}
VOICE_PLATFORM = '''"""A text-to-speech engine for the end-to-end tests: a tone per character, 16 kHz stereo WAV."""

import io
import math
import struct
import wave

from homeassistant.components.tts import Provider


async def async_get_engine(hass, config, discovery_info=None):
    return ToneVoice()


class ToneVoice(Provider):
    name = "Tone voice"

    @property
    def default_language(self):
        return "en-US"

    @property
    def supported_languages(self):
        return ["en-US", "de-DE"]

    def get_tts_audio(self, message, language, options):
        rate = 16000
        frames = b"".join(
            struct.pack("<h", round(8000 * math.sin(2 * math.pi * 440 * i / rate))) * 2
            for i in range(round(len(message) * 0.02 * rate))
        )
        buffer = io.BytesIO()
        with wave.open(buffer, "wb") as out:
            out.setnchannels(2)
            out.setsampwidth(2)
            out.setframerate(rate)
            out.writeframes(frames)
        return "wav", buffer.getvalue()
'''
GREETING = "Nobody is home right now. Please call again later."
ALARM = "The alarm went off in the garage."
AUTOMATIONS = f"""
- id: spoken_reply
  alias: Spoken reply
  mode: parallel
  triggers:
    - trigger: event
      event_type: sipgate_new_call
  actions:
    - action: sipgate.play_announcement
      data:
        message: "{GREETING}"
        tts_engine: e2e_voice
- id: spoken_alarm
  alias: Spoken alarm into the call
  mode: parallel
  triggers:
    - trigger: event
      event_type: sipgate_answer
  actions:
    - action: sipgate.play_announcement
      data:
        message: "{ALARM}"
        tts_engine: e2e_voice
"""


def add_voice(config_dir: Path) -> None:
    """The test engine as a custom integration, and text-to-speech in the configuration."""
    voice = config_dir / "custom_components" / "e2e_voice"
    voice.mkdir(parents=True, exist_ok=True)
    (voice / "manifest.json").write_text(json.dumps(VOICE_MANIFEST), encoding="utf-8")
    (voice / "__init__.py").write_text('"""End-to-end test voice."""\n', encoding="utf-8")
    (voice / "tts.py").write_text(VOICE_PLATFORM, encoding="utf-8")
    configuration = config_dir / "configuration.yaml"
    configuration.write_text(
        configuration.read_text(encoding="utf-8") + "\ntts:\n  - platform: e2e_voice\n", encoding="utf-8"
    )


@pytest.fixture(scope="module")
def automations() -> str:
    """A spoken answer for ringing calls, a spoken alarm for answered ones."""
    return AUTOMATIONS


@pytest.fixture(scope="module")
def hass(work_dir: Path, standin: StandIn, automations: str) -> Iterator[HomeAssistant]:
    """Home Assistant 2026.11 with the test voice; the integration must log no errors."""
    with run_home_assistant(
        work_dir, standin, automations, add_voice, extra_env={"PYTHONSAFEPATH": "1"}
    ) as running:
        yield running
        problems = [
            line
            for line in running.log().splitlines()
            if "custom_components/sipgate" in line
            or ("[custom_components.sipgate" in line and " ERROR " in line)
            or ("e2e_voice" in line and "not found" in line)
        ]
        assert problems == [], "\n".join(problems)


@pytest.fixture(scope="module")
def entry_id(hass: HomeAssistant) -> str:
    """The sipgate account, added through the config flow."""
    flow = hass.api("POST", "/api/config/config_entries/flow", {"handler": "sipgate"})
    result = hass.api(
        "POST",
        f"/api/config/config_entries/flow/{flow['flow_id']}",
        {"token_id": STANDIN_TOKEN_ID, "token": STANDIN_TOKEN},
    )
    assert result["type"] == "create_entry"
    return str(result["result"]["entry_id"])


def test_the_stand_in_fetched_and_accepted_the_spoken_files(
    hass: HomeAssistant, standin: StandIn, entry_id: str
) -> None:
    """A ringing call is answered with a spoken Play, and the answered call gets a spoken announcement.

    Both URLs are on Home Assistant's external URL; the stand-in downloaded both and found
    WAV mono 16-bit PCM 8 kHz of the rendered length.
    """
    webhook_url = wait_until(
        lambda: (url := standin.sipgate("settings/sipgateio")["incomingUrl"]).startswith(hass.url) and url,
        timeout=30,
        what="the integration setting sipgate's webhook URL",
    )
    report = standin.play(webhook_url=webhook_url, script=[{"answer": True}, {"wait": 6}])

    played = report["audio"]
    assert len(played) == 1, report
    assert played[0]["url"].startswith(f"{hass.url}/api/sipgate/announcement/"), report
    assert played[0]["accepted"] is True, report
    assert abs(played[0]["duration"] - len(GREETING) * 0.02) < 0.01, report
    announced = [action for action in report["call_actions"] if action["action"] == "announcements"]
    assert len(announced) == 1, report
    assert announced[0]["audio"]["accepted"] is True, report
    assert abs(announced[0]["audio"]["duration"] - len(ALARM) * 0.02) < 0.01, report
