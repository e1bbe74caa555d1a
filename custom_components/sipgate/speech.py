"""Spoken announcements: Home Assistant's text-to-speech as the audio sipgate plays.

An action with ``message`` (or a ``media-source://tts/…`` id) gets an
announcement here at once, without waiting for the speech: the text-to-speech
engine starts rendering in the background and the action hands sipgate a URL
on Home Assistant's public address, ``/api/sipgate/announcement/<token>.wav``.
When sipgate fetches it, the view waits for the rendering and serves it as
sipgate's only format, WAV mono 16-bit PCM 8 kHz: the engine is asked for that
format (Home Assistant converts with ffmpeg when the engine cannot deliver
it); without ffmpeg the engine's own WAV is converted here in pure Python.

The language asked for is matched to the engine's own tags (``de-DE`` is
``de`` for Google Translate, ``de_DE`` for Piper). The same message (engine,
language, options) is served from a small cache, under the same URL, for
:data:`TIME_TO_LIVE` after an action last handed it out; a render that failed
or took too long is spoken anew. Messages and audio have a length limit. The
token is the secret, as with Home Assistant's own ``/api/tts_proxy``; a
cloudhook cannot carry audio, so the URL is always the external (or Home
Assistant Cloud remote) address.
"""

import asyncio
from collections import OrderedDict
from collections.abc import Mapping
from contextlib import aclosing
from dataclasses import dataclass, field
from datetime import datetime, timedelta
import json
import secrets
import shutil
import traceback
from typing import Any, Final

from homeassistant.components import ffmpeg, media_source, tts
from homeassistant.components.http.auth import async_sign_path
from homeassistant.components.tts.helper import get_engine_instance
from homeassistant.components.tts.media_source import parse_media_source_id
from homeassistant.core import HomeAssistant, callback
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import issue_registry as ir
from homeassistant.helpers.network import NoURLAvailableError, get_url
from homeassistant.util import dt as dt_util, language as language_util

from .actions.helpers import service_error
from .announcement_view import DATA_SPEECH, VIEW_URL
from .api.wav import NotWavError, SipgateAudio, to_sipgate_wav
from .const import DOMAIN, LOGGER

CACHE_SIZE: Final = 32
# How long an announcement is served after an action last handed out its URL.
TIME_TO_LIVE: Final = timedelta(hours=1)
# How long the engine may take, and sipgate's fetch (or an action on an established call) waits.
RENDER_TIMEOUT: Final = 30.0
MAX_MESSAGE_LENGTH: Final = 2000
# Five minutes: 4.8 MB of sipgate's WAV (8000 samples of 2 bytes a second). The engine's own
# audio may take as many bytes a second as 48 kHz stereo 16-bit before it is converted.
MAX_AUDIO_SECONDS: Final = 5 * 60
ENGINE_BYTES_PER_SECOND: Final = 48000 * 2 * 2
LANGUAGES_SHOWN: Final = 20
MEDIA_SIGNATURE_VALIDITY: Final = timedelta(hours=1)
FAILED_ISSUE: Final = "announcement_failed"
SIPGATE_FORMAT: Final[dict[str, Any]] = {
    tts.ATTR_PREFERRED_FORMAT: "wav",
    tts.ATTR_PREFERRED_SAMPLE_RATE: 8000,
    tts.ATTR_PREFERRED_SAMPLE_CHANNELS: 1,
    tts.ATTR_PREFERRED_SAMPLE_BYTES: 2,
}


class SpeechError(HomeAssistantError):
    """The speech could not be rendered (translated)."""


@dataclass(frozen=True, slots=True)
class SpeechRequest:
    """What to say, with which engine (``None``: the default one), language and options."""

    message: str
    engine: str | None = None
    language: str | None = None
    options: Mapping[str, Any] = field(default_factory=dict)


@dataclass(eq=False)
class Announcement:
    """One rendered (or rendering) announcement and where sipgate fetches it."""

    token: str
    url: str
    engine: str
    task: asyncio.Task[SipgateAudio]
    expires: datetime
    timed_out: bool = False

    @property
    def usable(self) -> bool:
        """Whether it may be handed out again: not failed, not too slow."""
        if self.timed_out:
            return False
        return not self.task.done() or (not self.task.cancelled() and self.task.exception() is None)

    async def async_audio(self) -> SipgateAudio:
        """The audio once rendered, within :data:`RENDER_TIMEOUT` (raises :class:`SpeechError`)."""
        timeout = RENDER_TIMEOUT
        try:
            async with asyncio.timeout(timeout):
                return await asyncio.shield(self.task)
        except TimeoutError as err:
            self.timed_out = True  # the next request for the same message renders it anew
            raise SpeechError(
                translation_domain=DOMAIN,
                translation_key="tts_failed",
                translation_placeholders={
                    "engine": self.engine,
                    "error": f"no speech after {timeout:g} s",
                },
            ) from err


def _ffmpeg_found(hass: HomeAssistant) -> bool:
    # Text-to-speech depends on the ffmpeg integration, so its manager is there.
    return shutil.which(ffmpeg.get_ffmpeg_manager(hass).binary) is not None


class SpeechAnnouncements:
    """The announcements of this Home Assistant, by token and by what they say."""

    def __init__(self, hass: HomeAssistant) -> None:
        """Serve announcements through ``hass``'s HTTP server."""
        self._hass = hass
        self._by_token: dict[str, Announcement] = {}
        self._by_request: OrderedDict[str, Announcement] = OrderedDict()
        self._ffmpeg: bool | None = None

    async def async_ffmpeg_available(self) -> bool:
        """Whether Home Assistant can convert audio with ffmpeg (looked up once)."""
        if self._ffmpeg is None:
            self._ffmpeg = await self._hass.async_add_executor_job(_ffmpeg_found, self._hass)
        return self._ffmpeg

    def get(self, token: str) -> Announcement | None:
        """The announcement with ``token``, unless it has expired."""
        self._drop_expired()
        return self._by_token.get(token)

    def _drop_expired(self) -> None:
        # Handing out moves an announcement to the end: the oldest expiry comes first.
        now = dt_util.utcnow()
        while self._by_request:
            key, oldest = next(iter(self._by_request.items()))
            if oldest.expires > now:
                return
            del self._by_request[key]
            self._by_token.pop(oldest.token, None)

    async def async_announce(self, request: SpeechRequest) -> Announcement:
        """The announcement for ``request``: cached, or rendering from now on.

        Returns at once (the speech renders in the background); raises a
        translated error when the message is too long, there is no engine,
        the engine refuses the language or options, or Home Assistant has no
        public URL.
        """
        if len(request.message) > MAX_MESSAGE_LENGTH:
            raise service_error("message_too_long", length=len(request.message), limit=MAX_MESSAGE_LENGTH)
        base = public_base_url(self._hass)
        engine = resolve_engine(self._hass, request.engine)
        language = match_language(self._hass, engine, request.language)
        options = await self._options(request.options)
        key = json.dumps([engine, language, options, request.message], sort_keys=True, default=str)
        self._drop_expired()
        expires = dt_util.utcnow() + TIME_TO_LIVE
        if (cached := self._by_request.get(key)) is not None:
            if cached.usable:
                cached.expires = expires
                self._by_request.move_to_end(key)
                return cached
            self._by_token.pop(cached.token, None)  # failed or too slow: speak it anew
            del self._by_request[key]
        try:
            stream = tts.async_create_stream(self._hass, engine, language, options)
        except HomeAssistantError as err:
            raise service_error("tts_invalid", engine=engine, error=str(err)) from err
        stream.async_set_message(request.message)
        token = f"{secrets.token_urlsafe(16)}.wav"
        task = self._hass.async_create_background_task(
            self._async_render(stream, engine), f"{DOMAIN} speak announcement"
        )
        task.add_done_callback(_forget_failure_locals)
        announcement = Announcement(token, f"{base}{VIEW_URL.format(token=token)}", engine, task, expires)
        self._by_token[token] = announcement
        self._by_request[key] = announcement
        while len(self._by_request) > CACHE_SIZE:
            _, dropped = self._by_request.popitem(last=False)
            self._by_token.pop(dropped.token, None)
        return announcement

    async def _options(self, given: Mapping[str, Any]) -> dict[str, Any]:
        """The engine options: the user's, and as much of sipgate's format as can be had.

        With ffmpeg, Home Assistant converts whatever the engine speaks into it.
        Without, only WAV is asked for (else Home Assistant would convert to MP3,
        and any sample option makes it run ffmpeg); the engine's WAV is then
        converted here.
        """
        if await self.async_ffmpeg_available():
            return {**given, **SIPGATE_FORMAT}
        return {**given, tts.ATTR_PREFERRED_FORMAT: "wav"}

    async def _async_render(self, stream: tts.ResultStream, engine: str) -> SipgateAudio:
        timeout = RENDER_TIMEOUT
        try:
            async with asyncio.timeout(timeout):
                return await self._async_convert(stream, engine)
        except TimeoutError as err:
            raise self._failed("tts_failed", engine=engine, error=f"no speech after {timeout:g} s") from err

    async def _async_convert(self, stream: tts.ResultStream, engine: str) -> SipgateAudio:
        too_long = {"engine": engine, "minutes": f"{MAX_AUDIO_SECONDS / 60:g}"}
        try:
            data = await _async_engine_audio(stream, MAX_AUDIO_SECONDS * ENGINE_BYTES_PER_SECOND)
        except FileNotFoundError as err:
            # Home Assistant started ffmpeg to convert the engine's audio, and there is none.
            raise self._failed("tts_needs_ffmpeg", engine=engine) from err
        except Exception as err:  # any engine failure is reported the same way
            raise self._failed("tts_failed", engine=engine, error=str(err) or type(err).__name__) from err
        if data is None:
            raise self._failed("tts_too_long", **too_long)
        try:
            audio = await self._hass.async_add_executor_job(to_sipgate_wav, data)
        except NotWavError as err:
            raise self._failed("tts_needs_ffmpeg", engine=engine) from err
        except ValueError as err:
            raise self._failed("tts_failed", engine=engine, error=str(err)) from err
        if audio.duration > MAX_AUDIO_SECONDS:
            raise self._failed("tts_too_long", **too_long)
        ir.async_delete_issue(self._hass, DOMAIN, FAILED_ISSUE)
        return audio

    def _failed(self, key: str, **placeholders: str) -> SpeechError:
        """A translated rendering error, also shown as a repair issue (the reply has gone already)."""
        error = SpeechError(
            translation_domain=DOMAIN, translation_key=key, translation_placeholders=placeholders
        )
        LOGGER.error("A spoken announcement could not be rendered (%s): %s", key, placeholders)
        ir.async_create_issue(
            self._hass,
            DOMAIN,
            FAILED_ISSUE,
            is_fixable=False,
            is_persistent=False,
            severity=ir.IssueSeverity.WARNING,
            translation_key=f"issue_{key}",
            translation_placeholders=placeholders,
        )
        return error


def _forget_failure_locals(task: asyncio.Task[SipgateAudio]) -> None:
    """Let a failed render keep its error (its URL answers 500 until it expires), not the audio.

    The error's traceback holds the frames that held the engine's audio. A
    failure is logged and raised as a repair issue already; nobody may ever
    fetch it, so it is marked as retrieved here too.
    """
    if task.cancelled():
        return
    error: BaseException | None = task.exception()
    seen: set[int] = set()
    while error is not None and id(error) not in seen:
        seen.add(id(error))
        traceback.clear_frames(error.__traceback__)
        error = error.__cause__ or error.__context__


async def _async_engine_audio(stream: tts.ResultStream, limit: int) -> bytes | None:
    """The engine's audio; ``None`` once it is larger than ``limit`` bytes."""
    chunks: list[bytes] = []
    size = 0
    async with aclosing(stream.async_stream_result()) as audio:
        async for chunk in audio:
            size += len(chunk)
            if size > limit:
                return None
            chunks.append(chunk)
    return b"".join(chunks)


def public_base_url(hass: HomeAssistant) -> str:
    """Home Assistant's address on the internet (never a cloudhook: it cannot carry audio)."""
    try:
        return get_url(hass, allow_internal=False, prefer_external=True)
    except NoURLAvailableError as err:
        raise service_error("no_public_url_for_audio") from err


def match_language(hass: HomeAssistant, engine: str, language: str | None) -> str | None:
    """The engine's own tag for ``language`` (``de-DE`` is ``de`` or ``de_DE``); ``None``: its default.

    Home Assistant's text-to-speech takes only a tag the engine lists; the best
    match (by Home Assistant's rules, with its country as the hint) is used.
    """
    if language is None or (instance := get_engine_instance(hass, engine)) is None:
        return language
    supported = list(instance.supported_languages or [])
    if not supported or language in supported:
        return language  # Home Assistant's own check decides
    if best := language_util.matches(language, supported, hass.config.country):
        return best[0]
    shown = ", ".join(sorted(supported)[:LANGUAGES_SHOWN])
    if len(supported) > LANGUAGES_SHOWN:
        shown += ", …"
    raise service_error("tts_language_not_supported", engine=engine, language=language, languages=shown)


def resolve_engine(hass: HomeAssistant, engine: str | None) -> str:
    """The text-to-speech engine to use: the one given, else Home Assistant's preferred one."""
    if tts.DOMAIN not in hass.config.components:
        raise service_error("no_tts_engine")
    if (resolved := tts.async_resolve_engine(hass, engine)) is None:
        if engine is not None:
            raise service_error("tts_engine_not_found", engine=engine)
        raise service_error("no_tts_engine")
    return resolved


def speech_from_media_id(media_id: str) -> SpeechRequest | None:
    """The speech a ``media-source://tts/…`` id asks for; ``None`` for other media."""
    if not media_id.startswith(f"{media_source.URI_SCHEME}{tts.DOMAIN}/"):
        return None
    try:
        parsed = parse_media_source_id(media_id.removeprefix(f"{media_source.URI_SCHEME}{tts.DOMAIN}/"))
    except media_source.Unresolvable as err:
        raise service_error("media_not_playable", media_id=media_id, error=str(err)) from err
    if "message" not in parsed:
        raise service_error("media_not_playable", media_id=media_id, error="a stream cannot be played again")
    options = parsed["options"]  # type: ignore[typeddict-item]
    return SpeechRequest(
        message=parsed["message"],  # type: ignore[typeddict-item]
        engine=options["engine"],
        language=options["language"],
        options=options["options"] or {},
    )


async def async_media_url(hass: HomeAssistant, media_id: str) -> str:
    """A public URL for another media-source item (a file in the media folder, played as it is)."""
    base = public_base_url(hass)
    try:
        media = await media_source.async_resolve_media(hass, media_id, None)
    except (media_source.Unresolvable, HomeAssistantError) as err:
        raise service_error("media_not_playable", media_id=media_id, error=str(err)) from err
    url = media.url
    if url.startswith("/"):
        # A path of this Home Assistant (the media folder needs a login): signed for an hour.
        url = f"{base}{async_sign_path(hass, url, MEDIA_SIGNATURE_VALIDITY, use_content_user=True)}"
    return url


@callback
def async_get_announcements(hass: HomeAssistant) -> SpeechAnnouncements:
    """The announcements of this Home Assistant (served by :mod:`.announcement_view`)."""
    if (announcements := hass.data.get(DATA_SPEECH)) is None:
        announcements = hass.data[DATA_SPEECH] = SpeechAnnouncements(hass)
    return announcements
