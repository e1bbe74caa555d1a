"""Spoken announcements: Home Assistant's text-to-speech as the audio sipgate plays.

An action with ``message`` (or a ``media-source://tts/…`` id) gets an
announcement here at once, without waiting for the speech: the text-to-speech
engine starts rendering in the background and the action hands sipgate a URL
on Home Assistant's public address, ``/api/sipgate/announcement/<token>.wav``.
When sipgate fetches it, the view waits for the rendering and serves it as
sipgate's only format, WAV mono 16-bit PCM 8 kHz: the engine is asked for that
format (Home Assistant converts with ffmpeg when the engine cannot deliver
it); without ffmpeg the engine's own WAV is converted here in pure Python.

The same message (engine, language, options) is served from a small cache,
under the same URL. The token is the secret, as with Home Assistant's own
``/api/tts_proxy``; a cloudhook cannot carry audio, so the URL is always the
external (or Home Assistant Cloud remote) address.
"""

import asyncio
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
import json
import secrets
import shutil
from typing import Any, Final

from homeassistant.components import ffmpeg, media_source, tts
from homeassistant.components.http.auth import async_sign_path
from homeassistant.components.tts.media_source import parse_media_source_id
from homeassistant.core import HomeAssistant, callback
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import issue_registry as ir
from homeassistant.helpers.network import NoURLAvailableError, get_url

from .actions.helpers import service_error
from .announcement_view import DATA_SPEECH, VIEW_URL
from .api.wav import NotWavError, SipgateAudio, to_sipgate_wav
from .const import DOMAIN, LOGGER

CACHE_SIZE: Final = 32
# How long sipgate's fetch (or an action on an established call) waits for the speech.
RENDER_TIMEOUT: Final = 30.0
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

    async def async_audio(self) -> SipgateAudio:
        """The audio once rendered, within :data:`RENDER_TIMEOUT` (raises :class:`SpeechError`)."""
        timeout = RENDER_TIMEOUT
        try:
            async with asyncio.timeout(timeout):
                return await asyncio.shield(self.task)
        except TimeoutError as err:
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
        """The announcement with ``token``."""
        return self._by_token.get(token)

    async def async_announce(self, request: SpeechRequest) -> Announcement:
        """The announcement for ``request``: cached, or rendering from now on.

        Returns at once (the speech renders in the background); raises a
        translated error when there is no engine, the engine refuses the
        language or options, or Home Assistant has no public URL.
        """
        base = public_base_url(self._hass)
        engine = resolve_engine(self._hass, request.engine)
        options = await self._options(request.options)
        key = json.dumps([engine, request.language, options, request.message], sort_keys=True, default=str)
        if (cached := self._by_request.get(key)) is not None:
            if not (cached.task.done() and cached.task.exception() is not None):
                self._by_request.move_to_end(key)
                return cached
            self._by_token.pop(cached.token, None)  # failed: speak it anew
        try:
            stream = tts.async_create_stream(self._hass, engine, request.language, options)
        except HomeAssistantError as err:
            raise service_error("tts_invalid", engine=engine, error=str(err)) from err
        stream.async_set_message(request.message)
        token = f"{secrets.token_urlsafe(16)}.wav"
        task = self._hass.async_create_background_task(
            self._async_render(stream, engine), f"{DOMAIN} speak announcement"
        )
        # A failure is logged and raised as a repair issue; nobody may ever fetch it.
        task.add_done_callback(lambda done: done.cancelled() or done.exception())
        announcement = Announcement(token, f"{base}{VIEW_URL.format(token=token)}", engine, task)
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
        try:
            data = b"".join([chunk async for chunk in stream.async_stream_result()])
        except FileNotFoundError as err:
            # Home Assistant started ffmpeg to convert the engine's audio, and there is none.
            raise self._failed("tts_needs_ffmpeg", engine=engine) from err
        except Exception as err:  # any engine failure is reported the same way
            raise self._failed("tts_failed", engine=engine, error=str(err) or type(err).__name__) from err
        try:
            audio = await self._hass.async_add_executor_job(to_sipgate_wav, data)
        except NotWavError as err:
            raise self._failed("tts_needs_ffmpeg", engine=engine) from err
        except ValueError as err:
            raise self._failed("tts_failed", engine=engine, error=str(err)) from err
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


def public_base_url(hass: HomeAssistant) -> str:
    """Home Assistant's address on the internet (never a cloudhook: it cannot carry audio)."""
    try:
        return get_url(hass, allow_internal=False, prefer_external=True)
    except NoURLAvailableError as err:
        raise service_error("no_public_url_for_audio") from err


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
