"""The request budget: with default options an idle hour costs at most 40 sipgate requests."""

from datetime import timedelta
from typing import Any

from freezegun.api import FrozenDateTimeFactory
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_fire_time_changed
from pytest_homeassistant_custom_component.test_util.aiohttp import AiohttpClientMocker

from homeassistant.core import HomeAssistant

from .conftest import api_url, load_json, sent_requests

pytestmark = pytest.mark.freeze_time("2026-11-27 12:00:00+00:00")

BUDGET = 40


def account_of(users: int) -> dict[str, Any]:
    """Sipgate's answers for an account of ``users`` users: each with a line, two devices, forwardings, a number."""
    answers: dict[str, Any] = {
        "authorization/userinfo": load_json("userinfo.json"),
        "account": load_json("account.json"),
        "balance": {"amount": 123456, "currency": "EUR"},
        "history": load_json("history.json"),
        "contacts": load_json("contacts.json"),
        "users": {"items": [{"id": f"w{n}", "firstname": f"User {n}"} for n in range(users)]},
        "numbers": {
            "items": [
                {
                    "id": str(40000 + n),
                    "number": f"+49211123456{n:02d}",
                    "localized": f"0211 123456{n:02d}",
                    "type": "LANDLINE",
                    "endpointId": f"p{n}",
                }
                for n in range(users)
            ]
        },
    }
    for n in range(users):
        line = [{"id": f"p{n}", "alias": f"Line {n}"}]
        answers[f"w{n}/devices"] = {
            "items": [
                {
                    "id": f"e{n}",
                    "alias": f"Desk {n}",
                    "type": "REGISTER",
                    "online": True,
                    "activePhonelines": line,
                },
                {"id": f"y{n}", "alias": f"Mobile {n}", "type": "MOBILE", "activePhonelines": line},
            ]
        }
        answers[f"w{n}/phonelines"] = {"items": line}
        answers[f"w{n}/phonelines/p{n}/forwardings"] = {
            "items": [
                {"alias": "Mobil", "destination": f"+49157999123{n:02d}", "timeout": 20, "active": True},
                {"alias": "Mailbox", "destination": "voicemail", "timeout": 45, "active": False},
            ]
        }
        answers[f"w{n}/phonelines/p{n}/blockanonymous"] = {"enabled": False, "target": "REJECT"}
    return answers


@pytest.mark.parametrize("users", [1, 3, 6, 10])
async def test_idle_hours_stay_within_the_budget(
    hass: HomeAssistant,
    aioclient_mock: AiohttpClientMocker,
    mock_config_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
    users: int,
) -> None:
    """Six idle hours in a row, each at most 40 requests, whatever the account's size."""
    for path, body in account_of(users).items():
        aioclient_mock.get(api_url(path), json=body)
    mock_config_entry.add_to_hass(hass)
    await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    assert len(hass.states.async_entity_ids("switch")) == users * 5  # 2 DND, blocking, 2 forwardings

    hours = []
    for _ in range(6):
        before = aioclient_mock.call_count
        for _ in range(60):
            freezer.tick(timedelta(minutes=1))
            async_fire_time_changed(hass)
            await hass.async_block_till_done()
        hours.append(aioclient_mock.call_count - before)
    print(f"{users} users: idle hours cost {hours} sipgate requests")  # noqa: T201 - README figures
    assert max(hours) <= BUDGET, hours
    paths = [path for _, path, _, _ in sent_requests(aioclient_mock)]
    assert "/voicemails" not in paths
    # Every user's line settings are read again within the six hours (changes at sipgate show).
    for n in range(users):
        assert paths.count(f"/w{n}/phonelines/p{n}/forwardings") >= 2
