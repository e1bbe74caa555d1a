"""Refusals that last: clean-up and repairs decided per user and per line, across refreshes."""

from typing import Any

from freezegun.api import FrozenDateTimeFactory
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.test_util.aiohttp import AiohttpClientMocker
from pytest_homeassistant_custom_component.typing import MockHAClientWebSocket, WebSocketGenerator

from custom_components.sipgate.const import DOMAIN
from homeassistant.const import STATE_UNAVAILABLE
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr, entity_registry as er, issue_registry as ir
from homeassistant.setup import async_setup_component

from .conftest import load_json, sent_requests
from .test_account_resources import (
    ANNA,
    BOX,
    FORBIDDEN,
    MAILBOX,
    MOBIL_ANNA,
    NOT_BOOKED,
    _forwardings,
    answer,
    find_device,
    next_account_refresh,
    setup,
)

pytestmark = pytest.mark.freeze_time("2026-11-27 12:00:00+00:00")

W0_WITHOUT_Y0 = {"json": {"items": [d for d in load_json("devices.json")["items"] if d["id"] != "y0"]}}
P1_FORWARDING = {"alias": "Zentrale", "destination": "+4921112345670", "timeout": 15, "active": True}
P1_SWITCH = "switch.jonas_beispiel_forwarding_to_zentrale"


async def ui_delete(client: MockHAClientWebSocket, hass: HomeAssistant, device: dr.DeviceEntry) -> bool:
    """Whether deleting ``device`` on its device page succeeds."""
    entry = hass.config_entries.async_entries(DOMAIN)[0]
    await client.send_json_auto_id(
        {
            "type": "config/device_registry/remove_config_entry",
            "config_entry_id": entry.entry_id,
            "device_id": device.id,
        }
    )
    return bool((await client.receive_json())["success"])


# --- removal per user and per line ---------------------------------------------------------------


async def test_a_removed_phone_goes_while_another_users_devices_are_refused(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    sipgate_api: AiohttpClientMocker,
    freezer: FrozenDateTimeFactory,
    hass_ws_client: WebSocketGenerator,
) -> None:
    """w1's devices always refused: w0's removed phone leaves; w1's phone of an earlier run stays."""
    assert await async_setup_component(hass, "config", {})
    mock_config_entry.add_to_hass(hass)
    devices, entities = dr.async_get(hass), er.async_get(hass)
    gigaset = devices.async_get_or_create(
        config_entry_id=mock_config_entry.entry_id, identifiers={(DOMAIN, "1234567_device_e1")}
    )
    gigaset_dnd = entities.async_get_or_create(
        "switch", DOMAIN, "1234567_device_e1_dnd", config_entry=mock_config_entry, device_id=gigaset.id
    )
    answer(sipgate_api, w1__devices=FORBIDDEN)
    await setup(hass, mock_config_entry)
    assert hass.states.get("switch.mobiltelefon_anna_do_not_disturb").state == "on"
    client = await hass_ws_client(hass)  # before time moves on: its token expires

    answer(sipgate_api, w1__devices=FORBIDDEN, w0__devices=W0_WITHOUT_Y0)
    await next_account_refresh(hass, freezer)

    assert find_device(hass, "1234567_device_y0") is None
    assert entities.async_get("switch.mobiltelefon_anna_do_not_disturb") is None
    assert entities.async_get("binary_sensor.mobiltelefon_anna_online") is None
    assert hass.states.get("switch.yealink_buro_do_not_disturb").state == "off"
    # Nothing known of w1's phones: the one registered before stays and cannot be deleted.
    assert devices.async_get(gigaset.id) is not None
    assert entities.async_get(gigaset_dnd.entity_id) is not None
    assert await ui_delete(client, hass, gigaset) is False


async def test_stale_phones_can_be_deleted_while_one_user_is_refused(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    sipgate_api: AiohttpClientMocker,
    freezer: FrozenDateTimeFactory,
    hass_ws_client: WebSocketGenerator,
) -> None:
    """w1's devices refused after they were read: a phone no user has can go, w1's kept phone cannot."""
    assert await async_setup_component(hass, "config", {})
    client = await hass_ws_client(hass)  # before time moves on: its token expires
    answer(sipgate_api, w1__devices=FORBIDDEN)
    await next_account_refresh(hass, freezer)
    stale = dr.async_get(hass).async_get_or_create(
        config_entry_id=init_integration.entry_id, identifiers={(DOMAIN, "1234567_device_e99")}
    )
    gigaset = find_device(hass, "1234567_device_e1")
    assert gigaset is not None
    assert hass.states.get("switch.gigaset_empfang_do_not_disturb").state == STATE_UNAVAILABLE

    assert await ui_delete(client, hass, gigaset) is False
    assert await ui_delete(client, hass, stale) is True
    assert dr.async_get(hass).async_get(stale.id) is None


def one_user_with_two_lines(p0: dict[str, Any], p1: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """A one-user account (w0) with the lines p0 and p1, their forwardings answered with ``p0``/``p1``."""
    lines = [*load_json("phonelines.json")["items"], {"id": "p1", "alias": "Lager"}]
    return {
        "users": {"json": {"items": load_json("users.json")["items"][:1]}},
        "w0__phonelines": {"json": {"items": lines}},
        "w0__phonelines__p0__forwardings": p0,
        "w0__phonelines__p1__forwardings": p1,
        "w0__phonelines__p1__blockanonymous": {"json": {"enabled": True, "target": "REJECT"}},
    }


async def test_a_deleted_forwarding_goes_while_another_line_is_not_booked(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    sipgate_api: AiohttpClientMocker,
    freezer: FrozenDateTimeFactory,
) -> None:
    """p1's forwardings not booked: p0's deleted forwarding loses its switch, p1's are left alone."""
    mock_config_entry.add_to_hass(hass)
    registry = er.async_get(hass)
    earlier = registry.async_get_or_create(  # p1's forwarding, when it was still booked
        "switch", DOMAIN, "1234567_line_p1_forwarding_+4921112345670", config_entry=mock_config_entry
    )
    answer(sipgate_api, **one_user_with_two_lines(_forwardings(ANNA, BOX), NOT_BOOKED))
    await setup(hass, mock_config_entry)
    assert hass.states.get(MOBIL_ANNA).state == "on"

    answer(sipgate_api, **one_user_with_two_lines(_forwardings(BOX), NOT_BOOKED))
    await next_account_refresh(hass, freezer)

    assert registry.async_get(MOBIL_ANNA) is None
    assert hass.states.get(MAILBOX).state == "off"
    assert registry.async_get(earlier.entity_id) is not None
    assert hass.states.get("switch.lager_block_anonymous_calls").state == "on"
    assert ir.async_get(hass).async_get_issue(
        DOMAIN, f"not_booked_{mock_config_entry.entry_id}_phonelines:forwardings:read"
    )


# --- refusals remembered across the rotation -----------------------------------------------------


async def test_not_booked_stays_while_the_line_is_not_read(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    sipgate_api: AiohttpClientMocker,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Lines are read one user a refresh: the repair and p1's state hold until p1 reads again."""
    answer(sipgate_api, w1__phonelines__p1__forwardings=_forwardings(P1_FORWARDING))
    await setup(hass, mock_config_entry)
    assert hass.states.get(P1_SWITCH).state == "on"
    issue_id = f"not_booked_{mock_config_entry.entry_id}_phonelines:forwardings:read"
    coordinator = mock_config_entry.runtime_data.coordinators.account

    answer(sipgate_api, w1__phonelines__p1__forwardings=NOT_BOOKED)
    p1_read = []
    for _ in range(4):
        before = len(sent_requests(sipgate_api))
        await next_account_refresh(hass, freezer)
        paths = [path for _, path, _, _ in sent_requests(sipgate_api)[before:]]
        p1_read.append("/w1/phonelines/p1/forwardings" in paths)
        if not any(p1_read):
            continue  # not read since booking was cancelled: nothing known yet
        assert ir.async_get(hass).async_get_issue(DOMAIN, issue_id) is not None
        assert dict(coordinator.data.unreadable) == {"p1/forwardings": "not_booked"}
        assert hass.states.get(P1_SWITCH).state == STATE_UNAVAILABLE
        assert hass.states.get(MOBIL_ANNA).state == "on"
    assert p1_read.count(True) == 2  # the rotation: w1's lines every other refresh
    assert p1_read.count(False) == 2

    answer(sipgate_api, w1__phonelines__p1__forwardings=_forwardings(P1_FORWARDING))
    for _ in range(2):
        await next_account_refresh(hass, freezer)
    assert ir.async_get(hass).async_get_issue(DOMAIN, issue_id) is None
    assert dict(coordinator.data.unreadable) == {}
    assert hass.states.get(P1_SWITCH).state == "on"


async def test_not_booked_goes_with_its_line(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    sipgate_api: AiohttpClientMocker,
    freezer: FrozenDateTimeFactory,
) -> None:
    """p1 deleted at sipgate: its "not booked" repair and its refusal are forgotten."""
    answer(sipgate_api, w1__phonelines__p1__forwardings=NOT_BOOKED)
    await setup(hass, mock_config_entry)
    issue_id = f"not_booked_{mock_config_entry.entry_id}_phonelines:forwardings:read"
    assert ir.async_get(hass).async_get_issue(DOMAIN, issue_id) is not None

    answer(sipgate_api, w1__phonelines={"json": {"items": []}})
    for _ in range(2):  # w1's lines are read within two refreshes
        await next_account_refresh(hass, freezer)
    assert find_device(hass, "1234567_line_p1") is None
    assert ir.async_get(hass).async_get_issue(DOMAIN, issue_id) is None
    assert dict(mock_config_entry.runtime_data.coordinators.account.data.unreadable) == {}
