"""The webhook: signatures, parsing, events, duplicate suppression, bad input.

Why one module of this size: the whole way of a push through the webhook, each step with its
refusals, on shared pushes.
"""

import asyncio
import re
from typing import Any
from unittest.mock import patch

import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_capture_events
from pytest_homeassistant_custom_component.test_util.aiohttp import AiohttpClientMocker
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.sipgate.const import (
    CONF_CONTACT_LOOKUP,
    CONF_VERIFY_SIGNATURE,
    DEFAULT_OPTIONS,
    EVENT_ANSWER,
    EVENT_DTMF,
    EVENT_HANGUP,
    EVENT_NEW_CALL,
)
from custom_components.sipgate.event import HANGUP_CAUSES, cause_key
from homeassistant.core import HomeAssistant, StateMachine
from homeassistant.helpers import issue_registry as ir
from homeassistant.setup import async_setup_component

from .conftest import WEBHOOK_ID, WEBHOOK_URL, WebhookCaller, load_json, sent_requests

CASES = {case["name"]: case["body"] for case in load_json("push/requests.json")["cases"]}
SIGNED = load_json("push/signature.json")["cases"]
DEFAULT_REPLY = (
    f'<?xml version="1.0" encoding="UTF-8"?>\n<Response onAnswer="{WEBHOOK_URL}" onHangup="{WEBHOOK_URL}" />'
)


@pytest.mark.usefixtures("external_url", "sipgate_settings")
async def test_real_signed_vector_is_accepted(
    hass: HomeAssistant, mock_config_entry: MockConfigEntry, hass_client_no_auth: ClientSessionGenerator
) -> None:
    """Sipgate's own key verifies the Node library's signed sample; a changed byte does not.

    The sample is another account's call (and has no call id): its signature is
    valid, yet it is refused and fires nothing.
    """
    mock_config_entry.add_to_hass(hass)
    await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    client = await hass_client_no_auth()
    events = async_capture_events(hass, EVENT_NEW_CALL)
    valid = next(case for case in SIGNED if case["expected_valid"])
    headers = {
        "Content-Type": "application/x-www-form-urlencoded",
        "X-Sipgate-Signature": valid["signature_base64"],
    }

    stats = mock_config_entry.runtime_data.webhook.handler.stats
    response = await client.post(f"/api/webhook/{WEBHOOK_ID}", data=valid["body"].encode(), headers=headers)
    assert response.status == 403
    assert (stats.rejected_signature, stats.refused["no_call_id"]) == (0, 1)

    altered = valid["body"].replace("4912354678", "4912354679")
    response = await client.post(f"/api/webhook/{WEBHOOK_ID}", data=altered.encode(), headers=headers)
    assert response.status == 403
    assert stats.rejected_signature == 1
    await hass.async_block_till_done()
    assert events == []


async def test_bad_signatures_are_refused(
    hass: HomeAssistant, push: WebhookCaller, issue_registry: ir.IssueRegistry
) -> None:
    """Missing or wrong signature: 403, no event; repeated failures raise a repair issue, a valid one clears it."""
    events = async_capture_events(hass, EVENT_NEW_CALL)
    body = CASES["newCall_docs_curl"]

    assert (await push.post(body, sign=False))[0] == 403
    assert (await push.post(body, signature="bm90IGEgc2lnbmF0dXJl"))[0] == 403
    assert (await push.post(body, signature="%%%"))[0] == 403
    for _ in range(3):
        await push.post(body, sign=False)
    await hass.async_block_till_done()
    assert events == []
    assert any(issue.translation_key == "signature_failures" for issue in issue_registry.issues.values())

    status, _, _ = await push.post(body)
    assert status == 200
    assert not any(issue.translation_key == "signature_failures" for issue in issue_registry.issues.values())


@pytest.mark.usefixtures("external_url", "sipgate_settings")
async def test_verification_can_be_turned_off(
    hass: HomeAssistant, mock_config_entry: MockConfigEntry, hass_client_no_auth: ClientSessionGenerator
) -> None:
    """With verify_signature off, unsigned bodies are accepted."""
    mock_config_entry.add_to_hass(hass)
    hass.config_entries.async_update_entry(
        mock_config_entry, options={**DEFAULT_OPTIONS, CONF_VERIFY_SIGNATURE: False}
    )
    await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    events = async_capture_events(hass, EVENT_NEW_CALL)
    client = await hass_client_no_auth()
    response = await client.post(
        f"/api/webhook/{WEBHOOK_ID}",
        data=CASES["newCall_docs_curl"].encode(),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert response.status == 200
    await hass.async_block_till_done()
    assert len(events) == 1


COMMON = {
    "config_entry_id": "ENTRY",
    "original_call_id": None,
    "xcid": None,
    "from_name": None,
    "to_name": None,
}


@pytest.mark.parametrize(
    ("case", "event_type", "expected"),
    [
        (
            "newCall_docs_curl",
            EVENT_NEW_CALL,
            {
                "call_id": "123456",
                "direction": "in",
                "from_number": "+492111234567",
                "to_number": "+4915791234567",
                "users": ["Alice", "Bob"],
                "user_ids": ["w0", "w1"],
                "full_user_ids": ["1234567w0", "1234567w1"],
                "diversion": None,
            },
        ),
        (
            "newCall_encoded_brackets",
            EVENT_NEW_CALL,
            {
                "call_id": "123456",
                "original_call_id": "123456",
                "xcid": "abc",
                "direction": "in",
                "from_number": "+492111234567",
                "to_number": "+4915791234567",
                "users": ["Alice", "Bob"],
                "user_ids": ["w0", "w1"],
                "full_user_ids": ["1234567w0", "1234567w1"],
                "diversion": "+4921100000",
            },
        ),
        (
            "newCall_anonymous_troubleshooting_doc",
            EVENT_NEW_CALL,
            {
                "call_id": "4932215337270853042",
                "direction": "in",
                "from_number": "anonymous",
                "to_number": "+445603000514",
                "users": [],
                "user_ids": [],
                "full_user_ids": [],
                "diversion": None,
            },
        ),
        (
            "answer_docs_curl",
            EVENT_ANSWER,
            {
                "call_id": "123456",
                "direction": "in",
                "from_number": "+492111234567",
                "to_number": "+4915791234567",
                "user": "John Doe",
                "user_id": "w0",
                "full_user_id": "1234567w0",
                "answering_number": "+21199999999",
                "diversion": None,
            },
        ),
        (
            "dtmf_docs_curl",
            EVENT_DTMF,
            # The wire's dtmf has no numbers: they come from the call's newCall.
            {
                "call_id": "123456",
                "dtmf": "1",
                "direction": "in",
                "from_number": "+492111234567",
                "to_number": "+4915791234567",
            },
        ),
        (
            "dtmf_empty",
            EVENT_DTMF,
            {
                "call_id": "123456",
                "dtmf": "",
                "direction": "in",
                "from_number": "+492111234567",
                "to_number": "+4915791234567",
            },
        ),
    ],
)
async def test_wire_examples_become_events(
    hass: HomeAssistant,
    push: WebhookCaller,
    webhook_integration: MockConfigEntry,
    case: str,
    event_type: str,
    expected: dict[str, Any],
) -> None:
    """Each wire form yields its bus event with the documented data.

    Follow-ups come, as from sipgate, after the call's newCall (and digits after a Gather).
    """
    if event_type != EVENT_NEW_CALL:
        await _ring(hass, push, gather=event_type == EVENT_DTMF)
    events = async_capture_events(hass, event_type)
    status, content_type, _ = await push.post(CASES[case])
    await hass.async_block_till_done()
    assert (status, content_type) == (200, "application/xml")
    assert [e.data for e in events] == [
        {**COMMON, "config_entry_id": webhook_integration.entry_id, **expected}
    ]


async def _ring(hass: HomeAssistant, push: WebhookCaller, *, gather: bool = False) -> None:
    """Call 123456 rings (the docs' newCall); with ``gather``, an automation asks for digits."""
    if gather:
        assert await async_setup_component(
            hass,
            "automation",
            {
                "automation": {
                    "triggers": [{"trigger": "event", "event_type": EVENT_NEW_CALL}],
                    "actions": [{"action": "sipgate.gather_dtmf"}],
                }
            },
        )
    assert (await push.post(CASES["newCall_docs_curl"]))[0] == 200


@pytest.mark.parametrize(
    "cause", ["normalClearing", "busy", "cancel", "noAnswer", "congestion", "notFound", "forwarded"]
)
async def test_hangup_causes(hass: HomeAssistant, push: WebhookCaller, cause: str) -> None:
    """Every hangup cause arrives as given on the bus, in snake case on the event entity."""
    await _ring(hass, push)
    events = async_capture_events(hass, EVENT_HANGUP)
    await push.post(CASES["hangup_docs_curl"].replace("normalClearing", cause))
    await hass.async_block_till_done()
    assert [(e.data["cause"], e.data["answering_number"]) for e in events] == [(cause, "+4921199999999")]
    entity = hass.states.get("event.sipgate_muster_elektro_gmbh_call")
    assert entity.attributes["event_type"] == "hung_up"
    assert entity.attributes["cause"] == cause_key(cause)
    assert entity.attributes["cause"] in HANGUP_CAUSES
    assert entity.attributes["cause"] == re.sub("[A-Z]", lambda m: "_" + m[0].lower(), cause)


async def test_no_automation_replies_at_once_with_follow_ups(
    hass: HomeAssistant, push: WebhookCaller
) -> None:
    """Without an answering automation the reply subscribes to answer and hangup."""
    status, content_type, text = await push.post(CASES["newCall_docs_curl"])
    assert (status, content_type, text) == (200, "application/xml", DEFAULT_REPLY)


async def test_duplicates_are_ignored(hass: HomeAssistant, push: WebhookCaller) -> None:
    """The same push delivered twice fires one event."""
    events = async_capture_events(hass, EVENT_NEW_CALL)
    first = await push.post(CASES["newCall_docs_curl"])
    second = await push.post(CASES["newCall_docs_curl"])
    await hass.async_block_till_done()
    assert first == second
    assert len(events) == 1


@pytest.mark.parametrize(
    ("body", "content_type", "status"),
    [
        ("event=newCall&callId=1", "application/json", 400),
        ("event=somethingElse&callId=1", "application/x-www-form-urlencoded", 400),
        ("callId=1", "application/x-www-form-urlencoded", 400),
        (b"event=newCall&callId=\xff", "application/x-www-form-urlencoded", 400),
        ("event=newCall&callId=1&pad=" + "x" * 20000, "application/x-www-form-urlencoded", 413),
    ],
    ids=["json", "unknown-event", "no-event", "not-utf8", "oversized"],
)
async def test_bad_input_is_refused_without_traceback(
    hass: HomeAssistant,
    push: WebhookCaller,
    caplog: pytest.LogCaptureFixture,
    body: str | bytes,
    content_type: str,
    status: int,
) -> None:
    """Bad input: 4xx, no event, nothing worse than a warning in the log."""
    events = async_capture_events(hass, EVENT_NEW_CALL)
    assert (await push.post(body, content_type=content_type))[0] == status
    await hass.async_block_till_done()
    assert events == []
    assert "Traceback" not in caplog.text
    assert not [record for record in caplog.records if record.levelname in ("ERROR", "CRITICAL")]


async def test_get_is_not_allowed(
    hass: HomeAssistant, push: WebhookCaller, hass_client_no_auth: ClientSessionGenerator
) -> None:
    """Only POST reaches the handler."""
    client = await hass_client_no_auth()
    assert (await client.get(f"/api/webhook/{WEBHOOK_ID}")).status == 405


async def test_contact_names_fill_call_events(hass: HomeAssistant, push: WebhookCaller) -> None:
    """Numbers in the account's contacts get their names, from the cache (no request on the reply path)."""
    events = async_capture_events(hass, EVENT_NEW_CALL)
    await push.post("event=newCall&from=4921112345678&to=4921112345671&direction=in&callId=N1")
    await hass.async_block_till_done()
    assert (events[0].data["from_name"], events[0].data["to_name"]) == ("Erika Mustermann", None)


@pytest.mark.usefixtures("external_url", "signer")
async def test_contact_lookup_can_be_turned_off(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    hass_client_no_auth: ClientSessionGenerator,
    sipgate_settings: AiohttpClientMocker,
    signer: Any,
) -> None:
    """With contact_lookup off the contacts are never read and names stay empty."""
    mock_config_entry.add_to_hass(hass)
    hass.config_entries.async_update_entry(
        mock_config_entry, options={**DEFAULT_OPTIONS, CONF_CONTACT_LOOKUP: False}
    )
    await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    events = async_capture_events(hass, EVENT_NEW_CALL)
    await WebhookCaller(await hass_client_no_auth(), signer).post(
        "event=newCall&from=4921112345678&to=4921112345671&direction=in&callId=N2"
    )
    await hass.async_block_till_done()
    assert events[0].data["from_name"] is None
    assert "/contacts" not in [path for _, path, _, _ in sent_requests(sipgate_settings)]


async def test_a_late_push_does_not_revive_an_ended_call(
    hass: HomeAssistant, push: WebhookCaller, webhook_integration: MockConfigEntry
) -> None:
    """Pushes of one call can arrive out of order: after its hangup, a late answer changes nothing."""
    common = "callId=LATE&from=4915799912345&to=4921112345671&direction=in"
    await push.post(f"event=newCall&{common}")
    await push.post(f"event=hangup&cause=normalClearing&{common}")
    await push.post(f"event=answer&user=Anna&{common}")
    await hass.async_block_till_done()
    assert webhook_integration.runtime_data.calls.calls == []
    assert hass.states.get("sensor.sipgate_muster_elektro_gmbh_call_state").state == "idle"


async def test_a_burst_of_calls_costs_one_write_of_the_call_sensors(
    hass: HomeAssistant, push: WebhookCaller
) -> None:
    """Pushes handled in one turn of the event loop: every event, one state write per call sensor.

    The call event entity and the bus carry each push; the call state and last caller sensors
    show the end of the burst; the message event entity does not follow calls at all.
    """
    call_state = "sensor.sipgate_muster_elektro_gmbh_call_state"
    last_caller = "sensor.sipgate_muster_elektro_gmbh_last_caller"
    call_event = "event.sipgate_muster_elektro_gmbh_call"
    message_event = "event.sipgate_muster_elektro_gmbh_messages"
    assert hass.states.get(message_event) is not None
    # Every state write, changed or not (what a write costs is computing and setting it).
    writes: list[str] = []
    set_internal = StateMachine.async_set_internal

    def counting(states: StateMachine, entity_id: str, *args: Any, **kwargs: Any) -> None:
        writes.append(entity_id)
        set_internal(states, entity_id, *args, **kwargs)

    events = async_capture_events(hass, EVENT_NEW_CALL)
    with patch.object(StateMachine, "async_set_internal", counting):
        await asyncio.gather(
            *(
                push.post(f"event=newCall&callId=B{n}&from=491579991234{n}&to=4921112345671&direction=in")
                for n in range(5)
            )
        )
        await hass.async_block_till_done()
    assert len(events) == 5
    assert writes.count(call_event) == 5
    assert writes.count(message_event) == 0
    assert 1 <= writes.count(call_state) < 5
    assert 1 <= writes.count(last_caller) < 5
    assert hass.states.get(call_state).state == "ringing"
    assert hass.states.get(last_caller).attributes["number"] == events[-1].data["from_number"]

    # A call's own transitions arrive in separate requests: each is written.
    writes.clear()
    common = "callId=B0&from=4915799912340&to=4921112345671&direction=in"
    with patch.object(StateMachine, "async_set_internal", counting):
        await push.post(f"event=answer&user=Anna&{common}")
        await hass.async_block_till_done()
        await push.post(f"event=hangup&cause=normalClearing&{common}")
        await hass.async_block_till_done()
    assert writes.count(call_event) == 2
    assert writes.count(call_state) == 2


async def test_automations_on_call_events_see_the_new_states(
    hass: HomeAssistant, push: WebhookCaller
) -> None:
    """An automation started by a sipgate_* event sees Call state and Last caller after that push."""
    call_state = "sensor.sipgate_muster_elektro_gmbh_call_state"
    last_caller = "sensor.sipgate_muster_elektro_gmbh_last_caller"
    seen = async_capture_events(hass, "probe_seen")
    template = (
        f"{{{{ states('{call_state}') }}}}|{{{{ states('{last_caller}') }}}}|"
        f"{{{{ state_attr('{last_caller}', 'answered') }}}}"
    )
    assert await async_setup_component(
        hass,
        "automation",
        {
            "automation": [
                {
                    "triggers": [{"trigger": "event", "event_type": event_type}],
                    "actions": [{"event": "probe_seen", "event_data": {"on": event_type, "seen": template}}],
                }
                for event_type in (EVENT_NEW_CALL, EVENT_ANSWER, EVENT_HANGUP)
            ]
        },
    )
    common = "callId=SEEN&from=4915799912345&to=4921112345671&direction=in"
    await push.post(f"event=newCall&{common}")
    await hass.async_block_till_done()
    await push.post(f"event=answer&user=Anna&{common}")
    await hass.async_block_till_done()
    await push.post(f"event=hangup&cause=normalClearing&{common}")
    await hass.async_block_till_done()
    assert [(e.data["on"], e.data["seen"]) for e in seen] == [
        (EVENT_NEW_CALL, "ringing|+4915799912345|False"),
        (EVENT_ANSWER, "talking|+4915799912345|True"),
        (EVENT_HANGUP, "idle|+4915799912345|True"),
    ]
