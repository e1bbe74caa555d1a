"""The blueprints, run by Home Assistant's automation engine (the end-to-end tests run all four)."""

from pathlib import Path
import shutil

import pytest
from pytest_homeassistant_custom_component.common import async_mock_service

from homeassistant.core import HomeAssistant
from homeassistant.setup import async_setup_component
from homeassistant.util.yaml import load_yaml

BLUEPRINTS = Path(__file__).parent.parent / "blueprints" / "automation" / "sipgate"


@pytest.fixture
def blueprints(hass: HomeAssistant) -> None:
    """The project's blueprints in Home Assistant's blueprint folder."""
    shutil.copytree(
        BLUEPRINTS, Path(hass.config.path("blueprints", "automation", "sipgate")), dirs_exist_ok=True
    )


@pytest.mark.parametrize(
    ("language", "title", "message"),
    [
        (None, "Missed call", "Erika Mustermann called +4921112345671 at 12:34."),
        ("en", "Missed call", "Erika Mustermann called +4921112345671 at 12:34."),
        ("de", "Verpasster Anruf", "Erika Mustermann hat um 12:34 Uhr +4921112345671 angerufen."),
    ],
)
@pytest.mark.freeze_time("2026-11-27 12:34:00+00:00")
@pytest.mark.usefixtures("blueprints")
async def test_missed_call_notification_in_both_languages(
    hass: HomeAssistant, language: str | None, title: str, message: str
) -> None:
    """An unanswered incoming call sends one notification, in the chosen language; answered calls none."""
    await hass.config.async_set_time_zone("UTC")
    sent = async_mock_service(hass, "notify", "send_message")
    inputs = {"notify_target": "notify.mama"} | ({"language": language} if language else {})
    assert await async_setup_component(
        hass,
        "automation",
        {"automation": {"use_blueprint": {"path": "sipgate/notify_missed_call.yaml", "input": inputs}}},
    )
    call = {"direction": "in", "from_number": "+4915799912345", "from_name": "Erika Mustermann"}
    hass.bus.async_fire("sipgate_hangup", {**call, "to_number": "+4921112345671", "cause": "normalClearing"})
    hass.bus.async_fire("sipgate_hangup", {**call, "to_number": "+4921112345671", "cause": "noAnswer"})
    await hass.async_block_till_done()

    assert [(c.data["entity_id"], c.data["title"], c.data["message"]) for c in sent] == [
        (["notify.mama"], title, message)
    ]


def test_blueprints_describe_themselves_in_english_and_german() -> None:
    """The missed-call blueprint is bilingual: its name, description and inputs name both languages."""
    blueprint = load_yaml(BLUEPRINTS / "notify_missed_call.yaml")["blueprint"]
    assert "Deutsch:" in blueprint["description"]
    assert "Benachrichtigung" in blueprint["name"]
    for spec in blueprint["input"].values():
        assert " / " in spec["name"], spec
