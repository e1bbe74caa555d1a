"""The account as it really is: resources with identity, 403s per resource, devices that come and go."""

from datetime import timedelta
from http import HTTPStatus
from typing import Any

from freezegun.api import FrozenDateTimeFactory
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_fire_time_changed
from pytest_homeassistant_custom_component.test_util.aiohttp import AiohttpClientMocker
from pytest_homeassistant_custom_component.typing import WebSocketGenerator

from custom_components.sipgate.const import DOMAIN
from homeassistant.const import STATE_UNAVAILABLE
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import device_registry as dr, entity_registry as er, issue_registry as ir
from homeassistant.setup import async_setup_component

from .conftest import api_url, load_json, mock_account_endpoints, sent_requests

pytestmark = pytest.mark.freeze_time("2026-11-27 12:00:00+00:00")

MOBIL_ANNA = "switch.anna_muster_forwarding_to_mobil_anna"
MAILBOX = "switch.anna_muster_forwarding_to_mailbox"
NOT_BOOKED = {"status": HTTPStatus.FORBIDDEN, "json": {"message": "Feature not booked"}}
FORBIDDEN = {"status": HTTPStatus.FORBIDDEN, "json": {"message": "Forbidden"}}


def answer(mock: AiohttpClientMocker, **overrides: dict[str, Any]) -> None:
    """Sipgate's answers from now on: the usual ones except ``overrides`` (path → mock arguments)."""
    mock.clear_requests()
    mock.get(api_url("authorization/userinfo"), json=load_json("userinfo.json"))
    mock.get(api_url("account"), json=load_json("account.json"))
    for path, kwargs in overrides.items():
        mock.get(api_url(path.replace("__", "/")), **kwargs)
    mock_account_endpoints(mock, skip=tuple(path.replace("__", "/") for path in overrides))


async def next_account_refresh(hass: HomeAssistant, freezer: FrozenDateTimeFactory) -> None:
    """Let the hourly account refresh run."""
    freezer.tick(timedelta(minutes=60))
    async_fire_time_changed(hass)
    await hass.async_block_till_done()


async def setup(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    entry.add_to_hass(hass)
    await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()


def find_device(hass: HomeAssistant, identifier: str) -> dr.DeviceEntry | None:
    """The sipgate device with ``identifier`` (works on every pinned Home Assistant)."""
    entry = hass.config_entries.async_entries(DOMAIN)[0]
    return next(
        (
            device
            for device in dr.async_entries_for_config_entry(dr.async_get(hass), entry.entry_id)
            if (DOMAIN, identifier) in device.identifiers
        ),
        None,
    )


def _forwardings(*items: dict[str, Any]) -> dict[str, Any]:
    return {"json": {"items": list(items)}}


ANNA = {"alias": "Mobil Anna", "destination": "+4915799912345", "timeout": 20, "active": True}
BOX = {"alias": "Mailbox", "destination": "voicemail", "timeout": 45, "active": False}


# --- forwardings by identity ---------------------------------------------------------------------


async def test_forwarding_switches_are_keyed_by_destination(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """The unique id names the forwarding's destination within its line."""
    registry = er.async_get(hass)
    assert registry.async_get(MOBIL_ANNA).unique_id == "1234567_line_p0_forwarding_+4915799912345"
    assert registry.async_get(MAILBOX).unique_id == "1234567_line_p0_forwarding_voicemail"


async def test_a_forwarding_deleted_at_sipgate(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    sipgate_api: AiohttpClientMocker,
    freezer: FrozenDateTimeFactory,
) -> None:
    """After Mobil Anna is deleted in the app, Mailbox still means Mailbox and writes only itself."""
    answer(sipgate_api, w0__phonelines__p0__forwardings=_forwardings(BOX))
    sipgate_api.put(api_url("w0/phonelines/p0/forwardings"), status=204)
    await next_account_refresh(hass, freezer)  # w0's lines are read again (read longest ago)

    assert hass.states.get(MOBIL_ANNA) is None
    assert er.async_get(hass).async_get(MOBIL_ANNA) is None
    assert hass.states.get(MAILBOX).state == "off"
    assert hass.states.get(MAILBOX).attributes["destination"] == "voicemail"

    before = sipgate_api.call_count
    await hass.services.async_call("switch", "turn_on", {"entity_id": MAILBOX}, blocking=True)
    assert sent_requests(sipgate_api)[before:][-1] == (
        "PUT",
        "/w0/phonelines/p0/forwardings",
        [],
        {"forwardings": [{"destination": "voicemail", "timeout": 45, "active": True}]},
    )
    assert hass.states.get(MAILBOX).state == "on"


async def test_toggling_writes_the_forwarding_as_sipgate_has_it_now(
    hass: HomeAssistant, init_integration: MockConfigEntry, sipgate_api: AiohttpClientMocker
) -> None:
    """Deleted in the app since the last refresh: a gone one is refused, the write keeps it deleted."""
    answer(sipgate_api, w0__phonelines__p0__forwardings=_forwardings(BOX))
    sipgate_api.put(api_url("w0/phonelines/p0/forwardings"), status=204)
    with pytest.raises(HomeAssistantError) as caught:
        await hass.services.async_call("switch", "turn_off", {"entity_id": MOBIL_ANNA}, blocking=True)
    assert caught.value.translation_key == "forwarding_gone"
    await hass.async_block_till_done()
    assert [r[0] for r in sent_requests(sipgate_api)] == ["GET"]  # nothing written
    assert hass.states.get(MOBIL_ANNA) is None  # and the switch is gone

    await hass.services.async_call("switch", "turn_on", {"entity_id": MAILBOX}, blocking=True)
    assert sent_requests(sipgate_api)[-1][3] == {
        "forwardings": [{"destination": "voicemail", "timeout": 45, "active": True}]
    }


async def test_a_forwarding_to_an_extension_leaves_the_others_switchable(
    hass: HomeAssistant, init_integration: MockConfigEntry, sipgate_api: AiohttpClientMocker
) -> None:
    """A line forwarding to +49… and to the group line p1: toggling +49… writes both, p1 unchanged."""
    group = {"alias": "Accounting group", "destination": "p1", "timeout": 0, "active": True}
    answer(sipgate_api, w0__phonelines__p0__forwardings=_forwardings(ANNA, group))
    sipgate_api.put(api_url("w0/phonelines/p0/forwardings"), status=204)

    await hass.services.async_call("switch", "turn_off", {"entity_id": MOBIL_ANNA}, blocking=True)
    assert sent_requests(sipgate_api)[-1] == (
        "PUT",
        "/w0/phonelines/p0/forwardings",
        [],
        {
            "forwardings": [
                {"destination": "+4915799912345", "timeout": 20, "active": False},
                {"destination": "p1", "timeout": 0, "active": True},
            ]
        },
    )
    assert hass.states.get(MOBIL_ANNA).state == "off"


async def test_forwardings_of_earlier_versions_are_replaced(
    hass: HomeAssistant, mock_config_entry: MockConfigEntry, sipgate_api: AiohttpClientMocker
) -> None:
    """Switches keyed by position (before this version) leave the registry."""
    mock_config_entry.add_to_hass(hass)
    registry = er.async_get(hass)
    old = registry.async_get_or_create(
        "switch", DOMAIN, "1234567_line_p0_forwarding_0", config_entry=mock_config_entry
    )
    await setup(hass, mock_config_entry)
    assert registry.async_get(old.entity_id) is None
    assert registry.async_get(MOBIL_ANNA) is not None


# --- 403 per resource ----------------------------------------------------------------------------


async def test_a_line_without_booked_forwardings_leaves_the_others_working(
    hass: HomeAssistant, mock_config_entry: MockConfigEntry, sipgate_api: AiohttpClientMocker
) -> None:
    """'Feature not booked' for p1's forwardings: p0's switches work; a repair says 'not booked'."""
    answer(sipgate_api, w1__phonelines__p1__forwardings=NOT_BOOKED)
    sipgate_api.put(api_url("w0/phonelines/p0/forwardings"), status=204)
    await setup(hass, mock_config_entry)

    assert hass.states.get(MOBIL_ANNA).state == "on"
    await hass.services.async_call("switch", "turn_off", {"entity_id": MOBIL_ANNA}, blocking=True)
    assert hass.states.get(MOBIL_ANNA).state == "off"
    issues = ir.async_get(hass)
    assert (
        issues.async_get_issue(
            DOMAIN, f"missing_scope_{mock_config_entry.entry_id}_phonelines:forwardings:read"
        )
        is None
    )
    issue = issues.async_get_issue(
        DOMAIN, f"not_booked_{mock_config_entry.entry_id}_phonelines:forwardings:read"
    )
    assert issue is not None
    assert issue.translation_key == "feature_not_booked"
    assert issue.translation_placeholders["resources"] == "p1"
    coordinator = mock_config_entry.runtime_data.coordinators.account
    assert dict(coordinator.data.unreadable) == {"p1/forwardings": "not_booked"}
    assert mock_config_entry.runtime_data.missing_scopes == set()
    assert hass.states.get("switch.jonas_beispiel_block_anonymous_calls").state == "off"


async def test_one_users_devices_refused(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    sipgate_api: AiohttpClientMocker,
    freezer: FrozenDateTimeFactory,
) -> None:
    """A 403 on w1's devices: w1's phone is unavailable (kept), w0's switches and sensors work."""
    answer(sipgate_api, w1__devices=FORBIDDEN)
    await next_account_refresh(hass, freezer)
    assert hass.states.get("switch.gigaset_empfang_do_not_disturb").state == STATE_UNAVAILABLE
    assert hass.states.get("binary_sensor.gigaset_empfang_online").state == STATE_UNAVAILABLE
    assert hass.states.get("switch.yealink_buro_do_not_disturb").state == "off"
    assert hass.states.get("binary_sensor.yealink_buro_online").state == "on"
    assert init_integration.runtime_data.missing_scopes == set()
    assert find_device(hass, "1234567_device_e1") is not None

    answer(sipgate_api)
    await next_account_refresh(hass, freezer)
    assert hass.states.get("switch.gigaset_empfang_do_not_disturb").state == "off"


async def test_a_scope_wide_403_names_the_scope(
    hass: HomeAssistant, mock_config_entry: MockConfigEntry, sipgate_api: AiohttpClientMocker
) -> None:
    """Every user's devices refused from the start: the token lacks devices:read."""
    answer(sipgate_api, w0__devices=FORBIDDEN, w1__devices=FORBIDDEN)
    await setup(hass, mock_config_entry)
    assert mock_config_entry.runtime_data.missing_scopes == {"devices:read"}
    issue = ir.async_get(hass).async_get_issue(
        DOMAIN, f"missing_scope_{mock_config_entry.entry_id}_devices:read"
    )
    assert issue is not None
    assert hass.states.get("switch.yealink_buro_do_not_disturb") is None


async def test_a_scope_taken_away_later(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    sipgate_api: AiohttpClientMocker,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Every user's devices refused after working: the scope is gone; not asked again."""
    answer(sipgate_api, w0__devices=FORBIDDEN, w1__devices=FORBIDDEN)
    await next_account_refresh(hass, freezer)
    assert init_integration.runtime_data.missing_scopes == {"devices:read"}
    assert hass.states.get("switch.yealink_buro_do_not_disturb").state == STATE_UNAVAILABLE
    await next_account_refresh(hass, freezer)
    assert [p for _, p, _, _ in sent_requests(sipgate_api)].count("/w0/devices") == 1


# --- devices that come and go --------------------------------------------------------------------


async def test_devices_come_and_go_without_a_reload(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    sipgate_api: AiohttpClientMocker,
    freezer: FrozenDateTimeFactory,
) -> None:
    """A phone added at sipgate appears at the next refresh; a removed one leaves the registries."""
    devices = load_json("devices.json")
    added = {"id": "e7", "alias": "Konferenzraum", "type": "REGISTER", "online": True, "dnd": True}
    answer(
        sipgate_api,
        w0__devices={"json": {"items": [*(d for d in devices["items"] if d["id"] != "y0"), added]}},
    )
    await next_account_refresh(hass, freezer)

    assert hass.states.get("switch.konferenzraum_do_not_disturb").state == "on"
    assert hass.states.get("binary_sensor.konferenzraum_online").state == "on"
    assert find_device(hass, "1234567_device_e7") is not None
    assert find_device(hass, "1234567_device_y0") is None
    assert hass.states.get("switch.mobiltelefon_anna_do_not_disturb") is None
    assert er.async_get(hass).async_get("switch.mobiltelefon_anna_do_not_disturb") is None


async def test_lines_and_numbers_come_and_go(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    sipgate_api: AiohttpClientMocker,
    freezer: FrozenDateTimeFactory,
) -> None:
    """A new line a number points at is read at once; a removed number's sensor goes away."""
    numbers = load_json("numbers.json")["items"]
    new_number = {
        "id": "40799",
        "number": "+4921112345679",
        "localized": "0211 12345679",
        "type": "LANDLINE",
        "endpointId": "p2",
        "endpointAlias": "Lager",
    }
    lines = load_json("phonelines_w1.json")["items"]
    answer(
        sipgate_api,
        numbers={"json": {"items": [*numbers[1:], new_number]}},
        w1__phonelines={"json": {"items": [*lines, {"id": "p2", "alias": "Lager"}]}},
        w1__phonelines__p2__forwardings=_forwardings(),
        w1__phonelines__p2__blockanonymous={"json": {"enabled": True, "target": "REJECT"}},
    )
    await next_account_refresh(hass, freezer)

    assert find_device(hass, "1234567_line_p2") is not None
    assert hass.states.get("switch.lager_block_anonymous_calls").state == "on"
    registry = er.async_get(hass)
    assert registry.async_get_entity_id("sensor", DOMAIN, "1234567_number_40799") is not None
    assert registry.async_get_entity_id("sensor", DOMAIN, "1234567_number_40713") is None

    answer(sipgate_api)  # p2 deleted again: the number is gone, so w1's lines are read again
    await next_account_refresh(hass, freezer)
    assert find_device(hass, "1234567_line_p2") is None
    assert hass.states.get("switch.lager_block_anonymous_calls") is None


async def test_users_delete_stale_devices_only(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    hass_ws_client: WebSocketGenerator,
) -> None:
    """A device sipgate no longer has can be deleted; current ones and the account cannot."""
    assert await async_setup_component(hass, "config", {})
    registry = dr.async_get(hass)
    stale = registry.async_get_or_create(
        config_entry_id=init_integration.entry_id, identifiers={(DOMAIN, "1234567_device_e99")}
    )
    current = find_device(hass, "1234567_device_e0")
    account = find_device(hass, "1234567")
    client = await hass_ws_client(hass)
    for device, removable in ((current, False), (account, False), (stale, True)):
        await client.send_json_auto_id(
            {
                "type": "config/device_registry/remove_config_entry",
                "config_entry_id": init_integration.entry_id,
                "device_id": device.id,
            }
        )
        response = await client.receive_json()
        assert response["success"] is removable, device.identifiers
    assert registry.async_get(stale.id) is None
