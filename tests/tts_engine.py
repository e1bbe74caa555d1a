"""A text-to-speech engine for the tests: speaks in a format sipgate cannot play.

Its "speech" is a tone whose length follows the message (``SECONDS_PER_CHARACTER``
per character), as 22.05 kHz stereo 16-bit WAV unless told otherwise, so the
conversion to sipgate's WAV (mono, 16-bit PCM, 8 kHz) runs in every test.
"""

import asyncio
from collections.abc import Mapping
from dataclasses import dataclass, field
import io
import math
from pathlib import Path
import struct
from typing import Any
from unittest.mock import patch
import wave

from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    MockModule,
    MockPlatform,
    mock_config_flow,
    mock_integration,
    mock_platform,
)

from homeassistant.components.tts import TextToSpeechEntity, TtsAudioType
from homeassistant.config_entries import ConfigEntry, ConfigFlow
from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.setup import async_setup_component

SECONDS_PER_CHARACTER = 0.02
ENGINE_ID = "tts.test_voice"


def tone_wav(seconds: float, *, rate: int = 22050, channels: int = 2, bits: int = 16) -> bytes:
    """A 440 Hz tone of ``seconds`` as a PCM WAV."""
    frames = bytearray()
    width = bits // 8
    for index in range(round(seconds * rate)):
        value = round(math.sin(2 * math.pi * 440 * index / rate) * 0.5 * (2 ** (bits - 1) - 1))
        sample = struct.pack("<h", value) if width == 2 else bytes([(value + 128) & 0xFF])
        frames += sample * channels
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(channels)
        out.setsampwidth(width)
        out.setframerate(rate)
        out.writeframes(bytes(frames))
    return buffer.getvalue()


def spoken_seconds(message: str) -> float:
    """How long the test engine speaks ``message``."""
    return len(message) * SECONDS_PER_CHARACTER


@dataclass
class SpeechCall:
    """What the engine was asked to say."""

    message: str
    language: str
    options: dict[str, Any]


class TestVoice(TextToSpeechEntity):
    """The test engine, ``tts.test_voice``."""

    _attr_name = "Test voice"

    def __init__(self, behaviour: VoiceBehaviour) -> None:
        """Speak as ``behaviour`` says."""
        self._behaviour = behaviour
        self._attr_unique_id = "test-voice"
        self._attr_supported_languages = list(behaviour.languages)
        self._attr_default_language = behaviour.languages[0]
        self._attr_supported_options = ["voice", *behaviour.native_options]

    async def async_get_tts_audio(
        self, message: str, language: str, options: Mapping[str, Any]
    ) -> TtsAudioType:
        """The tone for ``message``, after ``delay`` seconds."""
        behaviour = self._behaviour
        behaviour.calls.append(SpeechCall(message, language, dict(options)))
        await asyncio.sleep(behaviour.delay)
        if behaviour.error:
            raise HomeAssistantError(behaviour.error)
        if behaviour.audio is not None:
            return "wav", behaviour.audio
        if behaviour.extension != "wav":
            return behaviour.extension, b"ID3\x04\x00\x00\x00\x00\x00\x00\xff\xfb\x90\x00" * 20
        if options.get("preferred_sample_rate") == 8000:
            # An engine that renders sipgate's format itself, when asked to.
            return "wav", tone_wav(spoken_seconds(message), rate=8000, channels=1)
        return "wav", tone_wav(spoken_seconds(message), rate=behaviour.rate, channels=behaviour.channels)


@dataclass
class VoiceBehaviour:
    """How the test engine behaves; changed by the tests."""

    # The language tags the engine takes, its default first (Google Translate: en, de; Piper: en_US …).
    languages: tuple[str, ...] = ("en-US", "de-DE")
    rate: int = 22050
    channels: int = 2
    delay: float = 0.0
    error: str | None = None
    extension: str = "wav"
    native_options: tuple[str, ...] = ()
    audio: bytes | None = None
    calls: list[SpeechCall] = field(default_factory=list)


class VoiceFlow(ConfigFlow):
    """The test engine's (unused) config flow."""

    VERSION = 1


async def async_setup_test_voice(hass: HomeAssistant, behaviour: VoiceBehaviour, cache_dir: Path) -> None:
    """Set up Home Assistant's text-to-speech with the test engine as its only engine."""

    async def setup_entry(hass: HomeAssistant, entry: ConfigEntry) -> bool:
        await hass.config_entries.async_forward_entry_setups(entry, [Platform.TTS])
        return True

    async def setup_platform(
        hass: HomeAssistant, entry: ConfigEntry, async_add_entities: AddConfigEntryEntitiesCallback
    ) -> None:
        async_add_entities([TestVoice(behaviour)])

    mock_integration(hass, MockModule("test_voice", async_setup_entry=setup_entry))
    mock_platform(hass, "test_voice.tts", MockPlatform(async_setup_entry=setup_platform))
    mock_platform(hass, "test_voice.config_flow")
    with patch("homeassistant.components.tts.DEFAULT_CACHE_DIR", str(cache_dir)):
        assert await async_setup_component(hass, "tts", {})
    entry = MockConfigEntry(domain="test_voice")
    entry.add_to_hass(hass)
    with mock_config_flow("test_voice", VoiceFlow):
        assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    assert hass.states.get(ENGINE_ID) is not None
