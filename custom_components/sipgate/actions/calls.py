"""Call-control actions: one verb, the right mechanism.

README "Answering ringing calls" and "Established calls".

A call whose webhook reply is still held (ringing, or waiting after a Gather)
is answered with XML; an established call is controlled through sipgate's
real-time call API. Inside an automation started by a call event, ``call_id``
may be left out: the action then means that call.
"""

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from homeassistant.core import HomeAssistant, ServiceCall, ServiceResponse, SupportsResponse
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import config_validation as cv
from homeassistant.helpers.aiohttp_client import async_get_clientsession

from ..api import SipgateError, SipgateNotFoundError
from ..api.audio import fetch_wav_info
from ..api.phone import normalize_number
from ..api.push_reply import Dial, Gather, Hangup, Play, Reject, ReplyAction, Voicemail
from ..compat import vol
from ..const import ATTR_CALL_ID, DOMAIN, LOGGER
from ..runtime import SipgateConfigEntry
from .helpers import (
    ActionHandler,
    SipgateAction,
    for_entry,
    mapped_errors,
    phone_number,
    resolve_entry,
    service_error,
)

if TYPE_CHECKING:
    from ..speech import Announcement


# How a verb answers a held reply (entry, data, follow-up URL) and controls an established call.
type PendingAnswer = Callable[[SipgateConfigEntry, dict[str, Any], str], ReplyAction]
type CallControl = Callable[[SipgateConfigEntry, str, dict[str, Any]], Awaitable[None]]


@dataclass(frozen=True, kw_only=True)
class CallVerb:
    """How a call verb answers a held reply, and how it controls an established call."""

    name: str
    pending: PendingAnswer | None = None
    established: CallControl | None = None
    hangs_up_after: bool = False
    # The field with the audio's URL, which ``message`` or ``media_id`` may stand in for.
    audio_field: str | None = None
    audio_required: bool = False


def _numbers(entry: SipgateConfigEntry, data: dict[str, Any]) -> list[str]:
    region = entry.runtime_data.client.region
    return [normalize_number(number, field="numbers", region=region) for number in data["numbers"]]


def _caller_id(entry: SipgateConfigEntry, data: dict[str, Any]) -> str | None:
    if (caller_id := data.get("caller_id")) is None:
        return None
    return normalize_number(caller_id, field="caller_id", region=entry.runtime_data.client.region)


async def _transfer(entry: SipgateConfigEntry, call_id: str, data: dict[str, Any]) -> None:
    await entry.runtime_data.client.calls.transfer(
        call_id, _numbers(entry, data)[0], attended=data["attended"], caller_id=_caller_id(entry, data)
    )


async def _announce(entry: SipgateConfigEntry, call_id: str, data: dict[str, Any]) -> None:
    await entry.runtime_data.client.calls.announce(call_id, data["url"])


# Instead of a URL: a message Home Assistant's text-to-speech speaks, or a media-source item.
SPEECH_FIELDS: dict[Any, Any] = {
    vol.Exclusive("message", "audio"): cv.string,
    vol.Optional("tts_engine"): cv.string,
    vol.Optional("language"): cv.string,
    vol.Optional("options"): vol.Schema({cv.string: object}),
    vol.Exclusive("media_id", "audio"): cv.string,
}


async def _async_prepare_audio(
    hass: HomeAssistant, verb: CallVerb, audio_field: str, data: dict[str, Any]
) -> Announcement | None:
    """Put the URL of a spoken ``message`` (or a ``media_id``) into the verb's audio field.

    Only looks things up and starts the speech: sipgate's fetch waits for it.
    """
    message: str | None = data.get("message")
    media_id: str | None = data.get("media_id")
    if message is None and media_id is None:
        if verb.audio_required and audio_field not in data:
            raise service_error("announcement_required", action=f"{DOMAIN}.{verb.name}")
        return None
    try:
        # Imported when needed: text-to-speech's requirements are there once an engine is set up.
        from .. import speech  # noqa: PLC0415
    except ImportError as err:
        raise service_error("no_tts_engine") from err
    if media_id is not None:
        if (request := speech.speech_from_media_id(media_id)) is None:
            data[audio_field] = await speech.async_media_url(hass, media_id)
            return None
    else:
        request = speech.SpeechRequest(
            message=str(message),
            # Empty means the default (what a blueprint's optional input renders to).
            engine=data.get("tts_engine") or None,
            language=data.get("language") or None,
            options=data.get("options") or {},
        )
    announcement = await speech.async_get_announcements(hass).async_announce(request)
    data[audio_field] = announcement.url
    return announcement


async def _async_audio_duration(hass: HomeAssistant, url: str, spoken: Announcement | None) -> float | None:
    """How long the announcement plays: a spoken one's rendered length, else the WAV header's."""
    if spoken is not None:
        try:
            return (await spoken.async_audio()).duration
        except HomeAssistantError as err:
            LOGGER.warning("The spoken announcement failed, so the call is not hung up after it: %s", err)
            return None
    try:
        info = await fetch_wav_info(async_get_clientsession(hass), url)
    except SipgateError as err:
        LOGGER.warning("Cannot read the announcement %s to hang up after it: %s", url, err)
        return None
    if not info.suits_sipgate:
        LOGGER.warning(
            "The announcement %s is not WAV mono 16-bit PCM 8 kHz, which sipgate needs to play it", url
        )
    return info.duration


async def _async_hang_up_after_audio(
    hass: HomeAssistant,
    entry: SipgateConfigEntry,
    call_id: str,
    url: str,
    delay: float,
    *,
    spoken: Announcement | None = None,
) -> None:
    """Hang up once the announcement has played."""
    if (duration := await _async_audio_duration(hass, url, spoken)) is None:
        return
    await asyncio.sleep(duration + delay)
    if (record := entry.runtime_data.calls.get(call_id)) is None or not record.in_progress:
        return  # the call ended on its own
    try:
        await entry.runtime_data.client.calls.hang_up(call_id)
    except SipgateNotFoundError:
        return
    except SipgateError as err:
        LOGGER.warning("Could not hang up call %s after the announcement: %s", call_id, err)


def _verb_handler(verb: CallVerb) -> ActionHandler:
    async def handle(hass: HomeAssistant, call: ServiceCall) -> ServiceResponse:
        given_call_id: str | None = call.data.get(ATTR_CALL_ID)
        entry = resolve_entry(
            hass, call, prefer=lambda e: e.runtime_data.answering.knows(given_call_id, call.context)
        )
        answering = entry.runtime_data.answering
        data = dict(call.data)
        spoken = None
        if verb.audio_field is not None:
            spoken = await _async_prepare_audio(hass, verb, verb.audio_field, data)
        with mapped_errors(hass, entry):
            if (pending := answering.find_pending(given_call_id, call.context)) is not None:
                if verb.pending is None:
                    raise service_error("call_not_established", action=f"{DOMAIN}.{verb.name}")
                # The first answer decides the reply; later actions on the call (say, a
                # hang_up after a play_announcement) use the call API once it is established.
                pending.answer(verb.pending(entry, data, pending.reply_url))
                call_id = pending.call_id
            else:
                call_id = given_call_id or answering.call_id_for(call.context)  # type: ignore[assignment]
                if call_id is None:
                    raise service_error("call_id_required", action=f"{DOMAIN}.{verb.name}")
                if verb.established is None:
                    raise service_error("call_not_ringing", action=f"{DOMAIN}.{verb.name}", call_id=call_id)
                if spoken is not None:
                    # No reply is waiting: render first, so a failing engine is this action's error.
                    await spoken.async_audio()
                await verb.established(entry, call_id, data)
        if verb.hangs_up_after and data.get("hang_up_after"):
            entry.async_create_background_task(
                hass,
                _async_hang_up_after_audio(
                    hass, entry, call_id, data["url"], data["hang_up_delay"], spoken=spoken
                ),
                f"{DOMAIN} hang up {call_id} after announcement",
            )
        return None

    return handle


async def _get_calls(hass: HomeAssistant, entry: SipgateConfigEntry, data: dict[str, Any]) -> ServiceResponse:
    calls = await entry.runtime_data.client.calls.get_established()
    return {
        "calls": [
            {
                "call_id": active.call_id,
                "muted": active.muted,
                "recording": active.recording,
                "hold": active.hold,
                "participants": [
                    {
                        "participant_id": p.participant_id,
                        "phone_number": p.phone_number,
                        "muted": p.muted,
                        "hold": p.hold,
                        "owner": p.owner,
                    }
                    for p in active.participants
                ],
            }
            for active in calls
        ]
    }


def call_verb(
    *,
    name: str,
    fields: dict[Any, Any] | None = None,
    pending: PendingAnswer | None = None,
    established: CallControl | None = None,
    hangs_up_after: bool = False,
    audio_field: str | None = None,
    audio_required: bool = False,
) -> SipgateAction:
    """The action of a call verb: its ``fields`` and an optional ``call_id``; the rest see ``CallVerb``."""
    verb = CallVerb(
        name=name,
        pending=pending,
        established=established,
        hangs_up_after=hangs_up_after,
        audio_field=audio_field,
        audio_required=audio_required,
    )
    return SipgateAction(
        name=name,
        handler=_verb_handler(verb),
        fields={vol.Optional(ATTR_CALL_ID): cv.string, **(fields or {})},
    )


ACTIONS = [
    call_verb(
        name="hang_up",
        pending=lambda entry, data, url: Hangup(),
        established=lambda entry, call_id, data: entry.runtime_data.client.calls.hang_up(call_id),
    ),
    call_verb(
        name="redirect_call",
        fields={
            vol.Required("numbers"): vol.All(
                cv.ensure_list, [phone_number("numbers")], vol.Length(min=1, max=5)
            ),
            vol.Optional("anonymous"): cv.boolean,
            vol.Optional("caller_id"): phone_number("caller_id"),
            vol.Optional("attended", default=False): cv.boolean,
        },
        pending=lambda entry, data, url: Dial(
            _numbers(entry, data), caller_id=_caller_id(entry, data), anonymous=data.get("anonymous")
        ),
        established=_transfer,
    ),
    call_verb(
        name="reject_call",
        fields={vol.Optional("reason", default="rejected"): vol.In(["rejected", "busy"])},
        pending=lambda entry, data, url: Reject(data["reason"]),
    ),
    call_verb(name="send_to_voicemail", pending=lambda entry, data, url: Voicemail()),
    call_verb(
        name="play_announcement",
        fields={
            vol.Exclusive("url", "audio"): cv.url,
            **SPEECH_FIELDS,
            vol.Optional("hang_up_after", default=False): cv.boolean,
            vol.Optional("hang_up_delay", default=0): vol.All(vol.Coerce(float), vol.Range(min=0, max=60)),
        },
        pending=lambda entry, data, url: Play(data["url"]),
        established=_announce,
        hangs_up_after=True,
        audio_field="url",
        audio_required=True,
    ),
    call_verb(
        name="gather_dtmf",
        fields={
            vol.Optional("max_digits", default=1): vol.All(vol.Coerce(int), vol.Range(min=1, max=50)),
            vol.Optional("timeout", default=2.0): vol.All(vol.Coerce(float), vol.Range(min=0.1, max=60)),
            vol.Exclusive("announcement_url", "audio"): cv.url,
            **SPEECH_FIELDS,
        },
        pending=lambda entry, data, url: Gather(
            url,
            max_digits=data["max_digits"],
            timeout_ms=round(data["timeout"] * 1000),
            play_url=data.get("announcement_url"),
        ),
        audio_field="announcement_url",
    ),
    call_verb(
        name="send_dtmf",
        fields={vol.Required("sequence"): cv.string},
        established=lambda entry, call_id, data: entry.runtime_data.client.calls.send_dtmf(
            call_id, data["sequence"]
        ),
    ),
    call_verb(
        name="mute_call",
        fields={vol.Optional("muted", default=True): cv.boolean},
        established=lambda entry, call_id, data: entry.runtime_data.client.calls.mute(call_id, data["muted"]),
    ),
    call_verb(
        name="hold_call",
        fields={vol.Optional("hold", default=True): cv.boolean},
        established=lambda entry, call_id, data: entry.runtime_data.client.calls.hold(call_id, data["hold"]),
    ),
    call_verb(
        name="record_call",
        fields={
            vol.Optional("recording", default=True): cv.boolean,
            vol.Optional("announcement", default=False): cv.boolean,
        },
        established=lambda entry, call_id, data: entry.runtime_data.client.calls.record(
            call_id, data["recording"], announcement=data["announcement"]
        ),
    ),
    SipgateAction(name="get_calls", handler=for_entry(_get_calls), supports_response=SupportsResponse.ONLY),
]
