"""The blueprints, run by Home Assistant's automation engine (the end-to-end tests run all four)."""

from pathlib import Path
import shutil
from typing import Any

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


VOICEMAIL = {
    "from_number": "+4915799912345",
    "from_name": "Max Kunde",
    "to_number": "+4921112345671",
    "to_name": "Anna Muster",
    "duration": 37,
    "transcription": "Bitte rufen Sie mich zurück.",
}


@pytest.mark.parametrize(
    ("inputs", "title", "message"),
    [
        (
            {},
            "New voicemail",
            "Max Kunde left Anna Muster a voicemail (0:37). „Bitte rufen Sie mich zurück.“",
        ),
        (
            {"language": "de"},
            "Neue Sprachnachricht",
            "Max Kunde hat Anna Muster eine Sprachnachricht hinterlassen (0:37). „Bitte rufen Sie mich zurück.“",
        ),
        ({"with_transcription": False}, "New voicemail", "Max Kunde left Anna Muster a voicemail (0:37)."),
    ],
)
@pytest.mark.usefixtures("blueprints")
async def test_new_voicemail_notification(
    hass: HomeAssistant, inputs: dict[str, Any], title: str, message: str
) -> None:
    """Each new voicemail is one notification, with its transcription unless turned off."""
    sent = async_mock_service(hass, "notify", "send_message")
    assert await async_setup_component(
        hass,
        "automation",
        {
            "automation": {
                "use_blueprint": {
                    "path": "sipgate/notify_new_voicemail.yaml",
                    "input": {"notify_target": "notify.mama", **inputs},
                }
            }
        },
    )
    hass.bus.async_fire("sipgate_voicemail_received", VOICEMAIL)
    await hass.async_block_till_done()
    assert [(c.data["title"], c.data["message"]) for c in sent] == [(title, message)]


@pytest.mark.parametrize(
    ("only_to", "forwarded"),
    [
        ("", ["+4921112345671", "+4921112345672"]),
        ("0211 12345671", ["+4921112345671"]),
        ("+49 211 12345672", ["+4921112345672"]),
    ],
)
@pytest.mark.usefixtures("blueprints")
async def test_received_sms_are_forwarded(hass: HomeAssistant, only_to: str, forwarded: list[str]) -> None:
    """Every SMS, or only those to one number written in any form, goes to the notify entity."""
    sent = async_mock_service(hass, "notify", "send_message")
    assert await async_setup_component(
        hass,
        "automation",
        {
            "automation": {
                "use_blueprint": {
                    "path": "sipgate/forward_sms.yaml",
                    "input": {"notify_target": "notify.handy", "only_to": only_to, "language": "de"},
                }
            }
        },
    )
    for to in ("+4921112345671", "+4921112345672"):
        hass.bus.async_fire(
            "sipgate_sms_received",
            {"from_number": "+4915799912345", "from_name": None, "to_number": to, "text": f"Hallo {to}"},
        )
    await hass.async_block_till_done()
    assert [(c.data["title"], c.data["message"]) for c in sent] == [
        ("SMS von +4915799912345", f"Hallo {to}") for to in forwarded
    ]


@pytest.mark.parametrize("name", ["notify_new_voicemail.yaml", "forward_sms.yaml"])
def test_message_blueprints_are_bilingual(name: str) -> None:
    """Like the missed-call blueprint: name, description and every input in English and German."""
    blueprint = load_yaml(BLUEPRINTS / name)["blueprint"]
    assert "Deutsch:" in blueprint["description"]
    assert " / " in blueprint["name"]
    for spec in blueprint["input"].values():
        assert " / " in spec["name"], spec
