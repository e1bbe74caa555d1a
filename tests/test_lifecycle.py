"""Unloading and reloading an account leave no webhook, listener, task or timer behind (README "Reliability suite")."""

import asyncio
from datetime import timedelta
import io
import time
import wave

import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_capture_events,
    async_fire_time_changed,
)
from pytest_homeassistant_custom_component.test_util.aiohttp import AiohttpClientMocker
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.sipgate.const import (
    CONF_TOKEN_ID,
    CONF_WEBHOOK_ID,
    DEFAULT_OPTIONS,
    DOMAIN,
    EVENT_NEW_CALL,
)
from homeassistant.components.automation import EVENT_AUTOMATION_TRIGGERED
from homeassistant.components.script.const import EVENT_SCRIPT_STARTED
from homeassistant.config_entries import ConfigEntryDisabler, ConfigEntryState
from homeassistant.const import CONF_TOKEN
from homeassistant.core import HomeAssistant, callback
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util

from .conftest import (
    FORM,
    TOKEN,
    TOKEN_ID,
    WEBHOOK_ID,
    WEBHOOK_URL,
    TestSigner as Signer,
    WebhookCaller,
    api_url,
)

NEW_CALL = "event=newCall&from=4915799912345&to=4921112345671&direction=in&callId={call_id}"
HEAD = f'<?xml version="1.0" encoding="UTF-8"?>\n<Response onAnswer="{WEBHOOK_URL}" onHangup="{WEBHOOK_URL}">'
DEFAULT_REPLY = (
    f'<?xml version="1.0" encoding="UTF-8"?>\n<Response onAnswer="{WEBHOOK_URL}" onHangup="{WEBHOOK_URL}" />'
)
FOLLOWED = (EVENT_AUTOMATION_TRIGGERED, EVENT_SCRIPT_STARTED)
LONG_AUDIO_URL = "https://example.com/long.wav"


def run_listeners(hass: HomeAssistant) -> dict[str, int]:
    """How many listeners follow automation and script runs."""
    listeners = hass.bus.async_listeners()
    return {event_type: listeners.get(event_type, 0) for event_type in FOLLOWED}


def sipgate_tasks() -> list[str]:
    """The names of the integration's tasks that are still running."""
    return [task.get_name() for task in asyncio.all_tasks() if task.get_name().startswith(DOMAIN)]


def wav_file(seconds: float) -> bytes:
    """A mono 16-bit PCM 8 kHz WAV of ``seconds``."""
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(8000)
        out.writeframes(b"\0" * round(seconds * 8000) * 2)
    return buffer.getvalue()


async def setup_entry(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    """Add ``entry`` and set it up."""
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()


async def answer_with(hass: HomeAssistant, *actions: dict[str, object]) -> None:
    """One automation that runs ``actions`` for every ringing call."""
    assert await async_setup_component(
        hass,
        "automation",
        {
            "automation": [
                {
                    "alias": "answer",
                    "triggers": [{"trigger": "event", "event_type": EVENT_NEW_CALL}],
                    "actions": list(actions),
                }
            ]
        },
    )
    await hass.async_block_till_done()


@pytest.mark.usefixtures("external_url", "sipgate_settings")
async def test_unload_leaves_nothing_behind(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    aioclient_mock: AiohttpClientMocker,
    hass_client_no_auth: ClientSessionGenerator,
    signer: Signer,
) -> None:
    """After unloading: no webhook, no run listeners, no pending reply, no task; time passing sends nothing."""
    listeners_before = run_listeners(hass)
    await setup_entry(hass, mock_config_entry)
    assert run_listeners(hass) != listeners_before
    answering = mock_config_entry.runtime_data.answering
    push = WebhookCaller(await hass_client_no_auth(), signer)

    # A call in progress with an announcement that hangs up after a minute: a background task.
    header = wav_file(60)[:44]
    aioclient_mock.get(
        LONG_AUDIO_URL, status=206, content=header, headers={"Content-Range": f"bytes 0-43/{44 + 960000}"}
    )
    aioclient_mock.post(api_url("calls/EST9/announcements"), status=204)
    aioclient_mock.delete(api_url("calls/EST9"), status=204)
    await push.post("event=answer&callId=EST9&user=Anna&from=4915799912345&to=4921112345671&direction=in")
    await hass.services.async_call(
        DOMAIN,
        "play_announcement",
        {"call_id": "EST9", "url": LONG_AUDIO_URL, "hang_up_after": True},
        blocking=True,
    )
    await hass.async_block_till_done()
    assert "sipgate hang up EST9 after announcement" in sipgate_tasks()

    assert await hass.config_entries.async_unload(mock_config_entry.entry_id)
    await hass.async_block_till_done()

    assert mock_config_entry.state is ConfigEntryState.NOT_LOADED
    assert sipgate_tasks() == []
    assert answering.pending_count == 0
    assert run_listeners(hass) == listeners_before

    requests_after_unload = aioclient_mock.call_count
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(days=1))
    await hass.async_block_till_done()
    assert aioclient_mock.call_count == requests_after_unload  # no timer fired: no refresh, no hang-up

    events = async_capture_events(hass, EVENT_NEW_CALL)
    body = NEW_CALL.format(call_id="AFTER").encode()
    response = await (await hass_client_no_auth()).post(
        f"/api/webhook/{WEBHOOK_ID}",
        data=body,
        headers={"Content-Type": FORM, "X-Sipgate-Signature": signer.sign(body)},
    )
    assert (response.status, await response.text()) == (
        200,
        "",
    )  # Home Assistant's answer to unknown webhooks
    await hass.async_block_till_done()
    assert events == []


@pytest.mark.usefixtures("external_url", "sipgate_settings")
async def test_reload_answers_calls_once(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    hass_client_no_auth: ClientSessionGenerator,
    signer: Signer,
) -> None:
    """After a reload calls are answered again, by one handler: one event, no doubled listeners."""
    await answer_with(hass, {"action": "sipgate.reject_call", "data": {"reason": "busy"}})
    await setup_entry(hass, mock_config_entry)
    listeners_loaded = hass.bus.async_listeners()

    assert await hass.config_entries.async_reload(mock_config_entry.entry_id)
    await hass.async_block_till_done()

    assert mock_config_entry.state is ConfigEntryState.LOADED
    assert hass.bus.async_listeners() == listeners_loaded
    events = async_capture_events(hass, EVENT_NEW_CALL)
    push = WebhookCaller(await hass_client_no_auth(), signer)
    status, _, text = await push.post(NEW_CALL.format(call_id="RL1"))
    await hass.async_block_till_done()
    assert (status, text) == (200, f'{HEAD}<Reject reason="busy" /></Response>')
    assert [event.data["call_id"] for event in events] == ["RL1"]


async def test_unload_releases_a_held_reply(
    hass: HomeAssistant, push: WebhookCaller, webhook_integration: MockConfigEntry
) -> None:
    """A reply held by a slow automation goes out with the default at once when the account unloads."""
    await answer_with(hass, {"delay": {"seconds": 4}}, {"action": "sipgate.hang_up"})
    answering = webhook_integration.runtime_data.answering
    triggered = asyncio.Event()
    hass.bus.async_listen_once(EVENT_AUTOMATION_TRIGGERED, callback(lambda _: triggered.set()))
    reply = asyncio.create_task(push.post(NEW_CALL.format(call_id="HELD")))
    async with asyncio.timeout(2):
        await triggered.wait()
    assert answering.pending_count == 1

    started = time.monotonic()
    assert await hass.config_entries.async_unload(webhook_integration.entry_id)

    assert (await reply)[2] == DEFAULT_REPLY
    assert time.monotonic() - started < 1.0
    assert answering.pending_count == 0
    await hass.services.async_call("automation", "turn_off", {"entity_id": "all"}, blocking=True)


async def test_a_webhook_id_is_made_when_missing(
    hass: HomeAssistant, sipgate_api: AiohttpClientMocker
) -> None:
    """An entry without a webhook id gets one at setup, and keeps it across reloads."""
    entry = MockConfigEntry(
        domain=DOMAIN,
        title="sipgate Muster Elektro GmbH",
        unique_id="1234567",
        data={CONF_TOKEN_ID: TOKEN_ID, CONF_TOKEN: TOKEN},
        options=dict(DEFAULT_OPTIONS),
    )
    await setup_entry(hass, entry)
    webhook_id = entry.data[CONF_WEBHOOK_ID]
    assert len(webhook_id) >= 32

    assert await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()
    assert entry.data[CONF_WEBHOOK_ID] == webhook_id


async def test_removing_an_account_that_never_ran(
    hass: HomeAssistant, aioclient_mock: AiohttpClientMocker
) -> None:
    """A disabled account that was never set up is removed without asking sipgate or the cloud anything."""
    entry = MockConfigEntry(
        domain=DOMAIN,
        unique_id="1234567",
        data={CONF_TOKEN_ID: TOKEN_ID, CONF_TOKEN: TOKEN},
        disabled_by=ConfigEntryDisabler.USER,
    )
    entry.add_to_hass(hass)

    await hass.config_entries.async_remove(entry.entry_id)
    await hass.async_block_till_done()

    assert hass.config_entries.async_entries(DOMAIN) == []
    assert aioclient_mock.mock_calls == []
