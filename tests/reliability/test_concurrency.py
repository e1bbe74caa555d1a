"""Many calls at once (README "Reliability suite"; docs/architecture.md, "The way of a call"): every reply belongs to its call."""

import asyncio
from typing import Any

import aiohttp
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.test_util.aiohttp import AiohttpClientMocker

from homeassistant.core import HomeAssistant
from homeassistant.setup import async_setup_component

from ..conftest import WEBHOOK_URL, TestSigner as Signer, WebhookCaller, api_url, load_json

CALLS = 200
HEAD = f'<?xml version="1.0" encoding="UTF-8"?>\n<Response onAnswer="{WEBHOOK_URL}" onHangup="{WEBHOOK_URL}">'
DEFAULT_REPLY = (
    f'<?xml version="1.0" encoding="UTF-8"?>\n<Response onAnswer="{WEBHOOK_URL}" onHangup="{WEBHOOK_URL}" />'
)


def new_call(n: int) -> str:
    """Call ``n`` rings: from a caller whose number ends in ``n``."""
    return f"event=newCall&from=49170{n:05d}&to=4921112345671&direction=in&callId=CALL{n}&user%5B%5D=Anna"


@pytest.fixture
async def pusher(
    hass: HomeAssistant,
    webhook_integration: MockConfigEntry,
    signer: Signer,
    aiohttp_client: Any,
    socket_enabled: None,
    sipgate_settings: AiohttpClientMocker,
) -> WebhookCaller:
    """Posts signed pushes over as many connections at once as needed."""
    sipgate_settings.get(api_url("calls"), json=load_json("calls.json"))
    # asyncio's debug mode (on in Home Assistant's tests) records a stack for every task and
    # future: with 200 calls and their automation runs that alone takes seconds.
    hass.loop.set_debug(False)
    # The longest answer timeout the options allow: a slow CI machine still gets every call ringing in time.
    webhook_integration.runtime_data.answering.timeout = 8.0
    client = await aiohttp_client(hass.http.app, connector=aiohttp.TCPConnector(limit=0))
    return WebhookCaller(client, signer)


async def automations(hass: HomeAssistant, *configs: dict[str, Any]) -> None:
    """Automations that may run 500 times at once."""
    assert await async_setup_component(
        hass,
        "automation",
        {"automation": [{"mode": "parallel", "max": 500, **config} for config in configs]},
    )
    await hass.async_block_till_done()


def is_kind(number: int) -> str:
    """A template that is true for calls whose caller number, modulo 4, is ``number``."""
    return "{{ (trigger.event.data.from_number[-5:] | int) % 4 == " + str(number) + " }}"


async def wait_for(condition: Any, within: float = 4.0) -> None:
    """Wait until ``condition()`` holds (it changes as requests arrive: there is no event to wait for)."""
    async with asyncio.timeout(within):
        while not condition():  # noqa: ASYNC110
            await asyncio.sleep(0.005)


async def test_200_concurrent_calls_each_get_their_own_redirect(
    hass: HomeAssistant, pusher: WebhookCaller, webhook_integration: MockConfigEntry
) -> None:
    """200 calls held at the same moment, then answered together: each is redirected to its own number."""
    answering = webhook_integration.runtime_data.answering
    await automations(
        hass,
        {
            "alias": "redirect",
            "triggers": [{"trigger": "event", "event_type": "sipgate_new_call"}],
            "actions": [
                {"wait_for_trigger": [{"trigger": "event", "event_type": "release_calls"}], "timeout": 7},
                {"delay": {"milliseconds": "{{ range(0, 30) | random }}"}},
                {
                    "action": "sipgate.redirect_call",
                    "data": {"numbers": ["+49157000{{ trigger.event.data.from_number[-5:] }}"]},
                },
            ],
        },
    )
    replies = asyncio.gather(*(pusher.post(new_call(n)) for n in range(CALLS)))
    await wait_for(lambda: answering.pending_count == CALLS, within=7)  # every call is ringing at once
    hass.bus.async_fire("release_calls")

    for n, (status, content_type, text) in enumerate(await replies):
        assert (status, content_type) == (200, "application/xml"), n
        assert text == f"{HEAD}<Dial><Number>49157000{n:05d}</Number></Dial></Response>", n
    assert answering.pending_count == 0
    await hass.services.async_call("automation", "turn_off", {"entity_id": "all"}, blocking=True)


async def test_200_concurrent_calls_answered_in_different_ways(
    hass: HomeAssistant, pusher: WebhookCaller, webhook_integration: MockConfigEntry
) -> None:
    """Rejected, not answered, PIN menu (gather, then the digits redirect) and redirected calls, all at once."""
    runtime = webhook_integration.runtime_data
    await automations(
        hass,
        {
            "alias": "ringing",
            "triggers": [{"trigger": "event", "event_type": "sipgate_new_call"}],
            "actions": [
                {"delay": {"milliseconds": "{{ range(0, 40) | random }}"}},
                {
                    "choose": [
                        {
                            "conditions": [{"condition": "template", "value_template": is_kind(0)}],
                            "sequence": [{"action": "sipgate.reject_call", "data": {"reason": "busy"}}],
                        },
                        {
                            "conditions": [{"condition": "template", "value_template": is_kind(1)}],
                            "sequence": [{"event": "only_noticed"}],
                        },
                        {
                            "conditions": [{"condition": "template", "value_template": is_kind(2)}],
                            "sequence": [
                                {"action": "sipgate.gather_dtmf", "data": {"max_digits": 4, "timeout": 3}}
                            ],
                        },
                    ],
                    "default": [
                        {
                            "action": "sipgate.redirect_call",
                            "data": {"numbers": ["+49157000{{ trigger.event.data.from_number[-5:] }}"]},
                        }
                    ],
                },
            ],
        },
        {
            "alias": "digits",
            "triggers": [{"trigger": "event", "event_type": "sipgate_dtmf"}],
            "actions": [
                {"delay": {"milliseconds": "{{ range(0, 40) | random }}"}},
                {
                    "action": "sipgate.redirect_call",
                    "data": {"numbers": ["+49 30 {{ trigger.event.data.dtmf }}"]},
                },
            ],
        },
    )

    replies = await asyncio.gather(*(pusher.post(new_call(n)) for n in range(CALLS)))
    gather = f'{HEAD}<Gather onData="{WEBHOOK_URL}" maxDigits="4" timeout="3000" /></Response>'
    for n, (status, _, text) in enumerate(replies):
        assert status == 200, n
        expected = {
            0: f'{HEAD}<Reject reason="busy" /></Response>',
            1: DEFAULT_REPLY,
            2: gather,
            3: f"{HEAD}<Dial><Number>49157000{n:05d}</Number></Dial></Response>",
        }[n % 4]
        assert text == expected, n

    pin_calls = [n for n in range(CALLS) if n % 4 == 2]
    digits = await asyncio.gather(
        *(pusher.post(f"event=dtmf&dtmf={n:04d}&callId=CALL{n}") for n in pin_calls)
    )
    for n, (status, _, text) in zip(pin_calls, digits, strict=True):
        assert (status, text) == (200, f"{HEAD}<Dial><Number>4930{n:04d}</Number></Dial></Response>"), n

    hangups = await asyncio.gather(
        *(
            pusher.post(
                f"event=hangup&cause=normalClearing&callId=CALL{n}&from=49170{n:05d}&to=4921112345671&direction=in"
            )
            for n in range(CALLS)
        )
    )
    assert {status for status, _, _ in hangups} == {200}
    await hass.async_block_till_done()
    assert runtime.answering.pending_count == 0
    assert runtime.calls.context_count == 0
    assert runtime.calls.calls == []
