"""Nothing left behind (README "Reliability suite"): unload/reload cycles and 10,000 calls.

Unloading or reloading an entry leaves no webhook, listener, dispatcher
connection, timer or task behind; calls that went through leave no pending
state, and what is remembered about calls stays bounded.
"""

import asyncio
from collections import Counter
from datetime import timedelta
import time
from typing import Any
from unittest.mock import patch
from urllib.parse import urlsplit

import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_capture_events,
    async_fire_time_changed,
)
from pytest_homeassistant_custom_component.test_util.aiohttp import AiohttpClientMocker

from custom_components.sipgate.calls import MAX_RECORDS, RETENTION
from custom_components.sipgate.const import CONF_CONTACT_LOOKUP, CONF_VERIFY_SIGNATURE, DEFAULT_OPTIONS
from homeassistant.components import webhook
from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant
from homeassistant.helpers.dispatcher import DATA_DISPATCHER
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util
from homeassistant.util.aiohttp import MockRequest

from ..conftest import FORM, WEBHOOK_ID, TestSigner as Signer, WebhookCaller, api_url, call_url, load_json

CYCLES = 10
CALLS = 10_000


def snapshot(hass: HomeAssistant) -> dict[str, Any]:
    """What the integration could leak: listeners, webhooks, dispatcher connections, timers, tasks."""
    dispatchers = hass.data.get(DATA_DISPATCHER, {})
    return {
        # Not counted: Home Assistant's storage flushing registries on its own schedule.
        "listeners": Counter(
            {
                key: n
                for key, n in hass.bus.async_listeners().items()
                if n and key != "homeassistant_final_write"
            }
        ),
        "webhooks": sorted(hass.data.get(webhook.DOMAIN, {})),
        "dispatcher": sorted(str(signal) for signal, targets in dispatchers.items() if targets),
        "timers": Counter(
            getattr(handle._callback, "__qualname__", repr(handle._callback))
            for handle in hass.loop._scheduled
            if not handle.cancelled() and not _is_storage_timer(handle)
        ),
        # Not counted: the server side of the test client's kept-alive connection.
        "tasks": Counter(
            name
            for task in asyncio.all_tasks()
            if not task.done() and (name := _task_name(task)) != "RequestHandler.start"
        ),
    }


def _is_storage_timer(handle: asyncio.TimerHandle) -> bool:
    return getattr(handle._callback, "__qualname__", "").startswith("Store.")


def _task_name(task: asyncio.Task[Any]) -> str:
    coro = task.get_coro()
    return getattr(coro, "__qualname__", None) or task.get_name()


def _diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    """What is in ``after`` and was not in ``before`` (and vice versa), per kind."""
    diff: dict[str, Any] = {}
    for key, was in before.items():
        now = after[key]
        if isinstance(was, Counter):
            grown, shrunk = now - was, was - now
            if grown or shrunk:
                diff[key] = {"left behind": dict(grown), "gone": dict(shrunk)}
        elif was != now:
            diff[key] = (was, now)
    return diff


@pytest.fixture
async def ready(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    external_url: str,
    sipgate_settings: AiohttpClientMocker,
    signer: Signer,
) -> None:
    """Home Assistant with automations that answer calls; the entry added, not set up."""
    sipgate_settings.get(api_url("calls"), json=load_json("calls.json"))
    sipgate_settings.delete(api_url("calls/C2"), status=204)
    assert await async_setup_component(hass, "webhook", {})
    assert await async_setup_component(
        hass,
        "automation",
        {
            "automation": [
                {
                    "alias": "answer",
                    "mode": "parallel",
                    "triggers": [{"trigger": "event", "event_type": "sipgate_new_call"}],
                    "conditions": [
                        {
                            "condition": "template",
                            "value_template": "{{ not trigger.event.data.call_id.startswith('HELD') }}",
                        }
                    ],
                    "actions": [{"action": "sipgate.gather_dtmf", "data": {"max_digits": 2}}],
                },
                {
                    "alias": "hold",
                    "mode": "parallel",
                    "triggers": [{"trigger": "event", "event_type": "sipgate_new_call"}],
                    "conditions": [
                        {
                            "condition": "template",
                            "value_template": "{{ trigger.event.data.call_id.startswith('HELD') }}",
                        }
                    ],
                    "actions": [
                        {"wait_for_trigger": [{"trigger": "event", "event_type": "let_go"}], "timeout": 10}
                    ],
                },
                {
                    "alias": "digits",
                    "mode": "parallel",
                    "triggers": [{"trigger": "event", "event_type": "sipgate_dtmf"}],
                    "actions": [{"action": "sipgate.hang_up"}],
                },
                {
                    "alias": "established",
                    "mode": "parallel",
                    "triggers": [{"trigger": "event", "event_type": "sipgate_answer"}],
                    "actions": [{"action": "sipgate.hang_up"}],
                },
            ]
        },
    )
    mock_config_entry.add_to_hass(hass)
    await hass.async_block_till_done()


async def _some_calls(hass: HomeAssistant, push: WebhookCaller, cycle: int) -> None:
    """A ringing call answered through a PIN menu, an established call hung up, a call that ends."""
    for call in (f"A{cycle}", f"B{cycle}"):
        status, _, text = await push.post(
            f"event=newCall&callId={call}&from=4915799912345&to=4921112345671&direction=in"
        )
        assert status == 200
        assert "<Gather" in text
        assert "<Hangup />" in (await push.post(f"event=dtmf&dtmf=12&callId={call}"))[2]
    await push.post("event=answer&callId=C2&user=Anna&from=4915799912345&to=4921112345671&direction=in")
    for call in (f"A{cycle}", "C2"):
        await push.post(
            f"event=hangup&cause=normalClearing&callId={call}&from=4915799912345&to=4921112345671&direction=in"
        )
    await hass.async_block_till_done()


async def _time_travel(hass: HomeAssistant) -> None:
    """Two hours pass: every timer that is due fires."""
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(hours=2))
    await hass.async_block_till_done()


def _ours(names: Any) -> list[str]:
    return sorted(str(name) for name in names if "sipgate" in str(name) or WEBHOOK_ID in str(name))


@pytest.mark.usefixtures("ready")
async def test_setup_unload_reload_cycles_leave_nothing_behind(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    sipgate_settings: AiohttpClientMocker,
    signer: Signer,
    hass_client_no_auth: Any,
) -> None:
    """10 cycles of setup, calls (one still ringing) and unload or reload: back to where it started each time."""
    entry_id = mock_config_entry.entry_id
    events = async_capture_events(hass, "sipgate_new_call")
    before_setup = snapshot(hass)

    # The first setup loads the platforms' components (sensor, switch …) for good; measure from after it.
    assert await hass.config_entries.async_setup(entry_id)
    await hass.async_block_till_done()
    ready = WebhookCaller(await hass_client_no_auth(), signer)
    await _some_calls(hass, ready, 0)
    assert await hass.config_entries.async_unload(entry_id)
    await _time_travel(hass)
    baseline = snapshot(hass)
    for kind in ("webhooks", "dispatcher", "timers"):
        assert _ours(baseline[kind]) == _ours(before_setup[kind]) == [], kind
    # Only the automations listen to the integration's events, as many as before it was set up.
    assert {k: n for k, n in baseline["listeners"].items() if "sipgate" in str(k)} == {
        k: n for k, n in before_setup["listeners"].items() if "sipgate" in str(k)
    }
    assert baseline["tasks"] == before_setup["tasks"]

    for cycle in range(1, CYCLES + 1):
        assert await hass.config_entries.async_setup(entry_id)
        await hass.async_block_till_done()
        runtime = mock_config_entry.runtime_data
        await _some_calls(hass, ready, cycle)
        if cycle % 2:
            # A call whose automation is still thinking when the entry goes: its reply goes out at once.
            held = asyncio.create_task(
                # A call id of its own each cycle: an accepted newCall is remembered across reloads.
                ready.post(
                    f"event=newCall&callId=HELD{cycle}&from=4915799912345&to=4921112345671&direction=in"
                )
            )
            async with asyncio.timeout(2):
                while runtime.answering.pending_count == 0:  # noqa: ASYNC110 - no event tells
                    await asyncio.sleep(0.01)
            assert await hass.config_entries.async_unload(entry_id)
            status, _, text = await asyncio.wait_for(held, 1)
            assert (status, "<Dial" in text, "onAnswer" in text) == (200, False, True)
            hass.bus.async_fire("let_go")
        else:
            assert await hass.config_entries.async_reload(entry_id)
            await hass.async_block_till_done()
            assert mock_config_entry.state is ConfigEntryState.LOADED
            await _some_calls(hass, ready, 100 + cycle)
            assert await hass.config_entries.async_unload(entry_id)
        await hass.async_block_till_done()
        assert runtime.answering.pending_count == 0

        # The webhook is gone: a push fires nothing, and no timer asks sipgate for anything any more
        # (time travel also lets the automation that held a call finish, and Home Assistant's
        # registries write what the setup changed).
        fired = len(events)
        requests = sipgate_settings.call_count
        status, _, text = await ready.post(
            "event=newCall&callId=GONE&from=4915799912345&to=4921112345671&direction=in"
        )
        assert (status, text) == (200, "")
        await _time_travel(hass)
        assert len(events) == fired
        assert sipgate_settings.call_count == requests

        assert _diff(baseline, snapshot(hass)) == {}, f"cycle {cycle}"


@pytest.fixture
async def unverified_entry(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    external_url: str,
    sipgate_settings: AiohttpClientMocker,
) -> MockConfigEntry:
    """The integration without signature checks (the 10,000 calls need no RSA)."""
    sipgate_settings.get(api_url("calls"), json={"data": []})
    mock_config_entry.add_to_hass(hass)
    hass.config_entries.async_update_entry(
        mock_config_entry,
        options={**DEFAULT_OPTIONS, CONF_VERIFY_SIGNATURE: False, CONF_CONTACT_LOOKUP: False},
    )
    # Entities only mirror the calls; leaving them out keeps 10,000 calls fast.
    with patch("custom_components.sipgate.PLATFORMS", []):
        assert await hass.config_entries.async_setup(mock_config_entry.entry_id)
        await hass.async_block_till_done()
    return mock_config_entry


async def _cloudhook_push(
    hass: HomeAssistant, body: str, *, call_id: str | None = None, gather: int | None = None
) -> tuple[int, str]:
    """A push as Home Assistant Cloud delivers it to a cloudhook: a MockRequest, no HTTP.

    With ``call_id`` it goes to that call's follow-up URL (its token in the query).
    """
    query = urlsplit(call_url(call_id, gather=gather)).query if call_id is not None else ""
    request = MockRequest(
        content=body.encode(),
        mock_source="cloud",
        method="POST",
        headers={"Content-Type": FORM},
        query_string=query,
    )
    response = await webhook.async_handle_webhook(hass, WEBHOOK_ID, request)  # type: ignore[arg-type]
    return response.status, response.text or ""


async def test_pushes_through_a_cloudhook(hass: HomeAssistant, unverified_entry: MockConfigEntry) -> None:
    """Home Assistant Cloud hands cloudhook pushes over as MockRequest: they are answered like any other."""
    events = async_capture_events(hass, "sipgate_new_call")
    status, text = await _cloudhook_push(
        hass, "event=newCall&callId=CLOUD1&from=4915799912345&to=4921112345671&direction=in"
    )
    assert status == 200
    assert text.startswith('<?xml version="1.0" encoding="UTF-8"?>\n<Response onAnswer=')
    assert [event.data["call_id"] for event in events] == ["CLOUD1"]
    status, _ = await _cloudhook_push(hass, "event=newCall&callId=BIG&pad=" + "x" * 20_000)
    assert status == 413
    # Follow-ups through the cloud carry the call's token in the query too.
    answers = async_capture_events(hass, "sipgate_answer")
    assert (await _cloudhook_push(hass, "event=answer&callId=CLOUD1", call_id="CLOUD1"))[0] == 200
    assert (await _cloudhook_push(hass, "event=answer&callId=CLOUD2"))[0] == 403
    await hass.async_block_till_done()
    assert [event.data["call_id"] for event in answers] == ["CLOUD1"]


async def test_10000_calls_leave_no_pending_state(
    hass: HomeAssistant, unverified_entry: MockConfigEntry
) -> None:
    """10,000 calls (ring, stray digits for some, answer, hang up): nothing pending, the registry bounded.

    After the retention time the registry is empty.
    """
    hass.loop.set_debug(
        False
    )  # asyncio's debug mode records a stack for every future: minutes instead of seconds
    runtime = unverified_entry.runtime_data
    tail = "&from=4915799912345&to=4921112345671&direction=in"
    seen_max = 0
    for n in range(CALLS):
        call_id = f"X{n}"
        replies = [await _cloudhook_push(hass, f"event=newCall&callId={call_id}{tail}")]
        if n % 10 == 0:  # digits nobody asked for (no Gather): refused
            assert (
                await _cloudhook_push(hass, f"event=dtmf&dtmf=1&callId={call_id}", call_id=call_id, gather=1)
            )[0] == 403
        replies.append(
            await _cloudhook_push(hass, f"event=answer&callId={call_id}&user=Anna{tail}", call_id=call_id)
        )
        replies.append(
            await _cloudhook_push(
                hass, f"event=hangup&cause=normalClearing&callId={call_id}{tail}", call_id=call_id
            )
        )
        assert {status for status, _ in replies} == {200}, (n, replies)
        seen_max = max(seen_max, len(runtime.calls))
    await hass.async_block_till_done()

    assert runtime.webhook.handler.stats.accepted == CALLS * 3
    assert runtime.webhook.handler.stats.refused["no_gather"] == CALLS // 10
    assert runtime.answering.pending_count == 0
    assert runtime.calls.context_count == 0  # every call hung up
    assert runtime.calls.calls == []
    assert seen_max <= MAX_RECORDS
    assert len(runtime.webhook.handler.stats.recent) <= 10

    # Once the retention time has passed, the registry's timer leaves nothing behind.
    later = time.monotonic() + RETENTION + 1
    with patch("custom_components.sipgate.calls.monotonic", return_value=later):
        async_fire_time_changed(hass, dt_util.utcnow() + timedelta(minutes=2))
        await hass.async_block_till_done()
    assert len(runtime.calls) == 0
