"""The account's entities: snapshots, request budget, missing scopes, failures, switches.

Why one module of this size: every entity platform of the account, checked against the same set-up
and snapshots.
"""

from datetime import timedelta
from http import HTTPStatus
from typing import Any
from unittest.mock import patch

from freezegun.api import FrozenDateTimeFactory
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_time_changed,
    snapshot_platform,
)
from pytest_homeassistant_custom_component.test_util.aiohttp import AiohttpClientMocker
from syrupy.assertion import SnapshotAssertion

from custom_components.sipgate.coordinator import HISTORY_REFRESH_COOLDOWN
from homeassistant.config_entries import SOURCE_REAUTH, ConfigEntryState
from homeassistant.const import STATE_UNAVAILABLE, Platform
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import device_registry as dr, entity_registry as er, issue_registry as ir

from .conftest import WebhookCaller, api_url, load_json, mock_account_endpoints, sent_requests

pytestmark = pytest.mark.freeze_time("2026-11-27 12:00:00+00:00")


async def _setup(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    entry.add_to_hass(hass)
    await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()


@pytest.mark.usefixtures("entity_registry_enabled_by_default")
@pytest.mark.parametrize(
    "platform", [Platform.BINARY_SENSOR, Platform.EVENT, Platform.NOTIFY, Platform.SENSOR, Platform.SWITCH]
)
async def test_entities(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    sipgate_api: AiohttpClientMocker,
    entity_registry: er.EntityRegistry,
    snapshot: SnapshotAssertion,
    platform: Platform,
) -> None:
    """Every entity of a realistic account: two users, devices, lines with forwardings, history."""
    if platform is Platform.NOTIFY:
        from homeassistant.config_entries import ConfigSubentryDataWithId

        mock_config_entry = MockConfigEntry(
            domain=mock_config_entry.domain,
            title=mock_config_entry.title,
            unique_id=mock_config_entry.unique_id,
            data=dict(mock_config_entry.data),
            options=dict(mock_config_entry.options),
            subentries_data=[
                ConfigSubentryDataWithId(
                    data={"name": "Mama", "number": "+4917612345678"},
                    subentry_id="SUBENTRYMAMA",
                    subentry_type="sms_recipient",
                    title="Mama",
                    unique_id="+4917612345678",
                )
            ],
        )
    with patch("custom_components.sipgate.PLATFORMS", [platform]):
        await _setup(hass, mock_config_entry)
    await snapshot_platform(hass, entity_registry, snapshot, mock_config_entry.entry_id)


async def test_entity_values(hass: HomeAssistant, init_integration: MockConfigEntry) -> None:
    """The values users see, in plain terms."""
    _assert_entity_values(hass)


async def test_entity_values_with_the_mock_client(
    hass: HomeAssistant, init_integration_mock_client: MockConfigEntry
) -> None:
    """The client-level mock answers like the HTTP mock: loaded, with the same entities and values."""
    assert init_integration_mock_client.state is ConfigEntryState.LOADED
    runtime = init_integration_mock_client.runtime_data
    assert runtime.missing_scopes == set()
    # The contact cache read the contacts once Home Assistant ran: callers are named.
    assert runtime.contacts.names.lookup("+4921198765432") == "Jürgen Müller"
    _assert_entity_values(hass)


def _assert_entity_values(hass: HomeAssistant) -> None:
    assert hass.states.get("sensor.sipgate_muster_elektro_gmbh_balance").state == "12.3456"
    assert hass.states.get("sensor.sipgate_muster_elektro_gmbh_missed_calls").state == "2"
    assert hass.states.get("sensor.sipgate_muster_elektro_gmbh_unread_voicemails").state == "1"
    assert hass.states.get("sensor.sipgate_muster_elektro_gmbh_unread_sms").state == "1"
    assert hass.states.get("sensor.sipgate_muster_elektro_gmbh_unread_faxes").state == "1"
    assert (
        hass.states.get("sensor.sipgate_muster_elektro_gmbh_last_call").state == "2026-11-26T08:15:02+00:00"
    )
    # Where a number rings is there for whoever needs it, disabled by default.
    number = er.async_get(hass).async_get("sensor.sipgate_muster_elektro_gmbh_number_0211_12345671")
    assert number is not None
    assert number.disabled_by is er.RegistryEntryDisabler.INTEGRATION
    assert hass.states.get("switch.yealink_buro_do_not_disturb").state == "off"
    assert hass.states.get("switch.mobiltelefon_anna_do_not_disturb").state == "on"
    assert hass.states.get("binary_sensor.yealink_buro_online").state == "on"
    assert hass.states.get("switch.anna_muster_block_anonymous_calls").state == "on"
    assert hass.states.get("switch.anna_muster_forwarding_to_mobil_anna").state == "on"
    assert hass.states.get("switch.anna_muster_forwarding_to_mailbox").state == "off"


async def test_devices_have_no_untranslatable_model_names(
    hass: HomeAssistant, init_integration: MockConfigEntry, device_registry: dr.DeviceRegistry
) -> None:
    """Home Assistant cannot translate a device model: devices carry sipgate's type code instead."""
    devices = {
        device.name: (device.model, device.model_id)
        for device in dr.async_entries_for_config_entry(device_registry, init_integration.entry_id)
    }
    assert devices["sipgate Muster Elektro GmbH"] == ("Team", None)  # sipgate's product name
    assert devices["Yealink Büro"] == (None, "REGISTER")
    assert devices["Mobiltelefon Anna"] == (None, "MOBILE")
    assert devices["Festnetz zu Hause"] == (None, "EXTERNAL")
    assert devices["Anna Muster"] == (None, None)  # a phone line
    assert {model for model, _ in devices.values()} == {"Team", None}


async def test_idle_hour_stays_within_the_request_budget(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    sipgate_api: AiohttpClientMocker,
    freezer: FrozenDateTimeFactory,
) -> None:
    """With default options and no call, one hour costs at most 40 sipgate requests."""
    before = sipgate_api.call_count
    for _ in range(60):
        freezer.tick(timedelta(minutes=1))
        async_fire_time_changed(hass)
        await hass.async_block_till_done()
    used = sipgate_api.call_count - before
    print(f"idle hour: {used} sipgate requests")  # noqa: T201 - shown with pytest -s
    assert used <= 40, sent_requests(sipgate_api)[before:]
    paths = [path for _, path, _, _ in sent_requests(sipgate_api)[before:]]
    assert paths.count("/history") == 12  # every 5 minutes
    assert paths.count("/balance") == 1  # hourly
    assert "/calls" not in paths  # no live-call polling while idle
    # Finding new voicemails, SMS and faxes costs nothing extra: no voicemail is looked for without a call.
    assert init_integration.runtime_data.messages.arrivals.history_reads_after_hangup == 0
    assert not init_integration.runtime_data.messages.arrivals.looking_for_voicemail


async def test_a_burst_of_hangups_refreshes_the_history_once(
    hass: HomeAssistant,
    push: WebhookCaller,
    sipgate_settings: AiohttpClientMocker,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Calls ending: the history is read once, shortly after the last hangup."""
    before = len([r for r in sent_requests(sipgate_settings) if r[1] == "/history"])
    for n in range(5):
        await push.post(f"event=newCall&callId=H{n}&from=4915799912345&to=4921112345671&direction=in")
        await push.post(
            f"event=hangup&cause=normalClearing&callId=H{n}&from=4915799912345&to=4921112345671&direction=in"
        )
    freezer.tick(timedelta(seconds=HISTORY_REFRESH_COOLDOWN + 1))
    async_fire_time_changed(hass)
    await hass.async_block_till_done()
    after = len([r for r in sent_requests(sipgate_settings) if r[1] == "/history"])
    assert after - before == 1


async def test_live_calls_are_polled_only_during_calls(
    hass: HomeAssistant,
    push: WebhookCaller,
    sipgate_settings: AiohttpClientMocker,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Sipgate's call list is read while a call is connected, not before, not after."""
    sipgate_settings.get(api_url("calls"), json=load_json("calls.json"))
    sensor = "sensor.sipgate_muster_elektro_gmbh_active_calls"
    await push.post("event=newCall&callId=L1&from=4915799912345&to=4921112345671&direction=in")
    await hass.async_block_till_done()
    assert "/calls" not in [p for _, p, _, _ in sent_requests(sipgate_settings)]
    await push.post("event=answer&callId=L1&from=4915799912345&to=4921112345671&direction=in&user=Anna")
    await hass.async_block_till_done()
    assert hass.states.get(sensor).state == "1"
    polls = [p for _, p, _, _ in sent_requests(sipgate_settings)].count("/calls")
    assert polls >= 1
    await push.post(
        "event=hangup&cause=normalClearing&callId=L1&from=4915799912345&to=4921112345671&direction=in"
    )
    await hass.async_block_till_done()
    assert hass.states.get(sensor).state == "0"
    for _ in range(5):
        freezer.tick(timedelta(minutes=1))
        async_fire_time_changed(hass)
        await hass.async_block_till_done()
    assert [p for _, p, _, _ in sent_requests(sipgate_settings)].count("/calls") == polls


async def test_missing_balance_scope(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    aioclient_mock: AiohttpClientMocker,
    issue_registry: ir.IssueRegistry,
) -> None:
    """403 on the balance: no balance sensor, one repair issue naming balance:read, the rest works."""
    aioclient_mock.get(api_url("authorization/userinfo"), json=load_json("userinfo.json"))
    aioclient_mock.get(api_url("account"), json=load_json("account.json"))
    aioclient_mock.get(api_url("balance"), status=HTTPStatus.FORBIDDEN)
    mock_account_endpoints(aioclient_mock, skip=("balance",))
    await _setup(hass, mock_config_entry)

    assert hass.states.get("sensor.sipgate_muster_elektro_gmbh_balance") is None
    assert hass.states.get("sensor.sipgate_muster_elektro_gmbh_missed_calls") is not None
    issues = [i for i in issue_registry.issues.values() if i.translation_key == "missing_scope"]
    assert [i.translation_placeholders["scope"] for i in issues] == ["balance:read"]
    assert "balance:read" in mock_config_entry.runtime_data.missing_scopes

    # Not asked again on the next refreshes.
    before = [p for _, p, _, _ in sent_requests(aioclient_mock)].count("/balance")
    await mock_config_entry.runtime_data.coordinators.account.async_refresh()
    assert [p for _, p, _, _ in sent_requests(aioclient_mock)].count("/balance") == before


def _fail(mock: AiohttpClientMocker, path: str, **answer: Any) -> None:
    """Let every endpoint answer normally except ``path``."""
    mock.clear_requests()
    mock.get(api_url("authorization/userinfo"), json=load_json("userinfo.json"))
    mock.get(api_url("account"), json=load_json("account.json"))
    mock.get(api_url(path), **answer)
    mock_account_endpoints(mock, skip=(path,))


async def test_token_revoked_later_starts_reauth(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    sipgate_api: AiohttpClientMocker,
    freezer: FrozenDateTimeFactory,
) -> None:
    """401 while polling: re-authentication starts."""
    _fail(sipgate_api, "history", status=HTTPStatus.UNAUTHORIZED)
    freezer.tick(timedelta(minutes=5))
    async_fire_time_changed(hass)
    await hass.async_block_till_done()
    flows = hass.config_entries.flow.async_progress()
    assert [f["context"]["source"] for f in flows] == [SOURCE_REAUTH]


@pytest.mark.parametrize("answer", [{"status": HTTPStatus.BAD_GATEWAY}, {"exc": TimeoutError()}])
async def test_outage_makes_entities_unavailable_until_recovery(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    sipgate_api: AiohttpClientMocker,
    freezer: FrozenDateTimeFactory,
    answer: dict[str, Any],
) -> None:
    """5xx or a timeout: unavailable; back by itself when sipgate answers again."""
    sensor = "sensor.sipgate_muster_elektro_gmbh_missed_calls"
    _fail(sipgate_api, "history", **answer)
    freezer.tick(timedelta(minutes=5))
    async_fire_time_changed(hass)
    await hass.async_block_till_done()
    assert hass.states.get(sensor).state == STATE_UNAVAILABLE

    sipgate_api.clear_requests()
    sipgate_api.get(api_url("authorization/userinfo"), json=load_json("userinfo.json"))
    mock_account_endpoints(sipgate_api)
    freezer.tick(timedelta(minutes=5))
    async_fire_time_changed(hass)
    await hass.async_block_till_done()
    assert hass.states.get(sensor).state == "2"


async def test_rate_limit_postpones_the_next_poll(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    sipgate_api: AiohttpClientMocker,
    freezer: FrozenDateTimeFactory,
) -> None:
    """429 with Retry-After: the next poll waits at least that long."""
    _fail(sipgate_api, "history", status=HTTPStatus.TOO_MANY_REQUESTS, headers={"Retry-After": "900"})
    freezer.tick(timedelta(minutes=5))
    async_fire_time_changed(hass)
    await hass.async_block_till_done()
    polled = [p for _, p, _, _ in sent_requests(sipgate_api)].count("/history")
    assert polled == 1
    for _ in range(14):  # 14 minutes: still inside the 15 sipgate asked for
        freezer.tick(timedelta(minutes=1))
        async_fire_time_changed(hass)
        await hass.async_block_till_done()
    assert [p for _, p, _, _ in sent_requests(sipgate_api)].count("/history") == polled
    freezer.tick(timedelta(minutes=2))
    async_fire_time_changed(hass)
    await hass.async_block_till_done()
    assert [p for _, p, _, _ in sent_requests(sipgate_api)].count("/history") == polled + 1


async def test_after_a_429_nothing_goes_to_sipgate_before_retry_after(
    hass: HomeAssistant,
    push: WebhookCaller,
    sipgate_settings: AiohttpClientMocker,
    freezer: FrozenDateTimeFactory,
) -> None:
    """One gate for all: polls, the refresh after a hangup, switches and actions wait it out."""
    _fail(sipgate_settings, "history", status=HTTPStatus.TOO_MANY_REQUESTS, headers={"Retry-After": "900"})
    sipgate_settings.put(api_url("devices/e0"), status=204)
    sipgate_settings.post(api_url("sessions/sms"), status=204)
    freezer.tick(timedelta(minutes=5))
    async_fire_time_changed(hass)
    await hass.async_block_till_done()
    assert [p for _, p, _, _ in sent_requests(sipgate_settings)] == ["/history"]

    await push.post(
        "event=hangup&cause=normalClearing&callId=RL1&from=4915799912345&to=4921112345671&direction=in"
    )
    freezer.tick(timedelta(seconds=HISTORY_REFRESH_COOLDOWN + 1))
    async_fire_time_changed(hass)
    await hass.async_block_till_done()
    with pytest.raises(HomeAssistantError) as caught:
        await hass.services.async_call(
            "switch", "turn_on", {"entity_id": "switch.yealink_buro_do_not_disturb"}, blocking=True
        )
    assert caught.value.translation_key == "rate_limited"
    with pytest.raises(HomeAssistantError) as caught:
        await hass.services.async_call(
            "sipgate",
            "send_sms",
            {"recipient": "+4915799912345", "message": "x", "sms_id": "s0"},
            blocking=True,
        )
    assert caught.value.translation_key == "rate_limited"
    assert 880 <= int(caught.value.translation_placeholders["seconds"]) <= 900
    for _ in range(14):  # the rest of the 15 minutes sipgate asked for
        freezer.tick(timedelta(minutes=1))
        async_fire_time_changed(hass)
        await hass.async_block_till_done()
    assert [p for _, p, _, _ in sent_requests(sipgate_settings)] == ["/history"]

    sipgate_settings.clear_requests()  # sipgate answers again
    mock_account_endpoints(sipgate_settings)
    sipgate_settings.post(api_url("sessions/sms"), status=204)
    freezer.tick(timedelta(minutes=2))
    async_fire_time_changed(hass)
    await hass.async_block_till_done()
    await hass.services.async_call(
        "sipgate", "send_sms", {"recipient": "+4915799912345", "message": "x", "sms_id": "s0"}, blocking=True
    )
    assert [p for _, p, _, _ in sent_requests(sipgate_settings)] == ["/history", "/sessions/sms"]


@pytest.mark.parametrize(
    ("entity_id", "service", "method", "path", "body", "state"),
    [
        ("switch.yealink_buro_do_not_disturb", "turn_on", "PUT", "/devices/e0", {"dnd": True}, "on"),
        ("switch.mobiltelefon_anna_do_not_disturb", "turn_off", "PUT", "/devices/y0", {"dnd": False}, "off"),
        (
            "switch.anna_muster_block_anonymous_calls",
            "turn_off",
            "PUT",
            "/w0/phonelines/p0/blockanonymous",
            {"enabled": False, "target": "REJECT"},
            "off",
        ),
        (
            "switch.anna_muster_forwarding_to_mailbox",
            "turn_on",
            "PUT",
            "/w0/phonelines/p0/forwardings",
            {
                "forwardings": [
                    {"destination": "+4915799912345", "timeout": 20, "active": True},
                    {"destination": "voicemail", "timeout": 45, "active": True},
                ]
            },
            "on",
        ),
    ],
)
async def test_switches_write_through(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    sipgate_api: AiohttpClientMocker,
    entity_id: str,
    service: str,
    method: str,
    path: str,
    body: Any,
    state: str,
) -> None:
    """Each switch calls the right endpoint with the right body and shows the new state at once."""
    sipgate_api.put(
        api_url(path.lstrip("/")),
        status=204,
        json={"enabled": False, "target": "REJECT"} if "blockanonymous" in path else None,
    )
    before = sipgate_api.call_count
    await hass.services.async_call("switch", service, {"entity_id": entity_id}, blocking=True)
    # A forwarding is written into the line's forwardings as sipgate has them now.
    read_first = [("GET", path, [], None)] if path.endswith("/forwardings") else []
    assert sent_requests(sipgate_api)[before:] == [*read_first, (method, path, [], body)]
    assert hass.states.get(entity_id).state == state
    from .conftest import assert_valid_against_spec

    assert_valid_against_spec(sipgate_api)
