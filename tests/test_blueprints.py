"""The blueprints, run by Home Assistant's automation engine (the end-to-end tests run the call blueprints).

They describe themselves in English and German, and compare numbers through the integration's
reading, in any form users write them.
"""

from pathlib import Path
import re
import shutil
from typing import Any

import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_mock_service
from pytest_homeassistant_custom_component.test_util.aiohttp import AiohttpClientMocker

from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ServiceValidationError
from homeassistant.setup import async_setup_component
from homeassistant.util.yaml import load_yaml

from .conftest import WEBHOOK_URL, WebhookCaller, api_url

BLUEPRINTS = Path(__file__).parent.parent / "blueprints" / "automation" / "sipgate"
HEAD = f'<?xml version="1.0" encoding="UTF-8"?>\n<Response onAnswer="{WEBHOOK_URL}" onHangup="{WEBHOOK_URL}">'
DEFAULT_REPLY = f"{HEAD[:-1]} />"
REJECTED = f'{HEAD}<Reject reason="busy" /></Response>'


def _install(target: Path, name: str) -> None:
    target.mkdir(parents=True, exist_ok=True)
    shutil.copy(BLUEPRINTS / name, target / name)


async def use_blueprint(
    hass: HomeAssistant, name: str, inputs: dict[str, Any], *more: dict[str, Any]
) -> None:
    """Automations from the project's blueprint ``name``: one with ``inputs``, one more for each of ``more``."""
    target = Path(hass.config.path("blueprints", "automation", "sipgate"))
    await hass.async_add_executor_job(_install, target, name)
    assert await async_setup_component(
        hass,
        "automation",
        {
            "automation": [
                {"alias": f"{name} {n}", "use_blueprint": {"path": f"sipgate/{name}", "input": each}}
                for n, each in enumerate((inputs, *more))
            ]
        },
    )
    await hass.async_block_till_done()


@pytest.mark.parametrize(
    "to_number",
    ["0211 12345671", "+49 211 123456-71", "0049 (211) 12345671", "+4921112345671", 4921112345671],
)
async def test_reject_anonymous_matches_a_number_in_any_form(
    hass: HomeAssistant, push: WebhookCaller, to_number: str | int
) -> None:
    """A national-format number (the form the integration shows) matches the call's E.164 number."""
    await use_blueprint(hass, "reject_anonymous_calls.yaml", {"to_number": to_number, "reason": "busy"})
    reply = await push.post("event=newCall&callId=B1&from=anonymous&to=4921112345671&direction=in")
    assert reply[2] == REJECTED
    # A call to another of the account's numbers is left alone.
    reply = await push.post("event=newCall&callId=B2&from=anonymous&to=4921112345670&direction=in")
    assert reply[2] == DEFAULT_REPLY


async def test_reject_anonymous_rejects_only_the_anonymous(hass: HomeAssistant, push: WebhookCaller) -> None:
    """Without a number every anonymous call is rejected; a caller with a number never is."""
    await use_blueprint(hass, "reject_anonymous_calls.yaml", {"reason": "busy"})
    assert (await push.post("event=newCall&callId=B3&from=anonymous&to=4921112345670&direction=in"))[
        2
    ] == REJECTED
    reply = await push.post("event=newCall&callId=B4&from=4915799912345&to=4921112345670&direction=in")
    assert reply[2] == DEFAULT_REPLY


async def test_redirect_matches_a_national_number(hass: HomeAssistant, push: WebhookCaller) -> None:
    """Nobody home: calls to 0211 12345671 ring the mobile, written nationally too."""
    await use_blueprint(
        hass,
        "redirect_when_nobody_home.yaml",
        {"to_number": "0211 12345671", "targets": ["01579 9912345"]},
    )
    reply = await push.post("event=newCall&callId=B5&from=4915790000001&to=4921112345671&direction=in")
    assert reply[2] == f"{HEAD}<Dial><Number>4915799912345</Number></Dial></Response>"
    reply = await push.post("event=newCall&callId=B6&from=4915790000001&to=4921112345670&direction=in")
    assert reply[2] == DEFAULT_REPLY


async def test_door_opener_asks_callers_of_a_national_number(
    hass: HomeAssistant, push: WebhookCaller
) -> None:
    """The PIN prompt answers calls to 0211 12345679 (written nationally), not to others."""
    await use_blueprint(
        hass,
        "dtmf_door_opener.yaml",
        {"to_number": "0211 12345679", "pin": "1234", "open_actions": []},
    )
    reply = await push.post("event=newCall&callId=B7&from=4915790000001&to=4921112345679&direction=in")
    assert "<Gather" in reply[2]
    reply = await push.post("event=newCall&callId=B8&from=anonymous&to=4921112345671&direction=in")
    assert reply[2] == DEFAULT_REPLY


async def test_two_door_openers_keep_to_their_own_calls(
    hass: HomeAssistant, push: WebhookCaller, aioclient_mock: AiohttpClientMocker
) -> None:
    """Two doors, two PINs: digits typed at one door are checked by that door's automation only."""
    opened: list[str] = []
    hass.services.async_register("lock", "open", lambda call: opened.append(call.data["entity_id"]))
    aioclient_mock.delete(api_url("calls/FRONT"), status=204)
    await use_blueprint(
        hass,
        "dtmf_door_opener.yaml",
        *(
            {
                "to_number": number,
                "pin": pin,
                "open_actions": [{"action": "lock.open", "data": {"entity_id": lock}}],
            }
            for number, pin, lock in (
                ("0211 12345679", "1111", "lock.front"),
                ("0211 12345678", "2222", "lock.back"),
            )
        ),
    )
    assert (
        "<Gather"
        in (await push.post("event=newCall&callId=FRONT&from=4915790000001&to=4921112345679&direction=in"))[2]
    )
    # The back door's PIN typed at the front door opens nothing.
    assert "<Gather" in (await push.post("event=dtmf&dtmf=2222&callId=FRONT"))[2]
    assert "<Hangup" in (await push.post("event=dtmf&dtmf=1111&callId=FRONT"))[2]
    await hass.async_block_till_done()
    assert opened == ["lock.front"]


async def test_read_numbers(hass: HomeAssistant, push: WebhookCaller) -> None:
    """The action behind the blueprints: strict, in the account's country; empty ones skipped."""
    response = await hass.services.async_call(
        "sipgate",
        "read_numbers",
        {"numbers": ["0211 12345671", "", None, "+49 1579 1234567", 4921112345671]},
        blocking=True,
        return_response=True,
    )
    assert response == {"numbers": ["+4921112345671", "+4915791234567", "+4921112345671"]}
    for value, key in (
        ("anonymous", "phone_number_characters"),
        ("4921112345671", "phone_number_needs_plus"),
        # An unquoted 03545012555 in YAML is the octal integer 496244077: +496244077 or 03545012555?
        (0o3545012555, "phone_number_not_text"),
    ):
        with pytest.raises(ServiceValidationError) as caught:
            await hass.services.async_call(
                "sipgate", "read_numbers", {"numbers": [value]}, blocking=True, return_response=True
            )
        assert caught.value.translation_key == key


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


ENGLISH_WORDS = {"the", "a", "an", "of", "for", "only", "any", "empty", "where", "whether", "to", "is"}
GERMAN_WORDS = {
    "der",
    "die",
    "das",
    "den",
    "dem",
    "eine",
    "einer",
    "und",
    "oder",
    "für",
    "nur",
    "zu",
    "jeder",
    "wird",
    "leer",
    "ob",
}


def _words(text: str) -> set[str]:
    return set(re.findall(r"\w+", text.lower()))


@pytest.mark.parametrize("name", sorted(path.name for path in BLUEPRINTS.glob("*.yaml")))
def test_blueprints_describe_themselves_in_english_and_german(name: str) -> None:
    """Every blueprint: its name, its description and every input in English and German."""
    blueprint = load_yaml(BLUEPRINTS / name)["blueprint"]
    assert " / " in blueprint["name"]
    english, german = blueprint["description"].split("\nDeutsch: ")
    assert _words(english) & ENGLISH_WORDS
    assert _words(german) & GERMAN_WORDS
    for spec in blueprint["input"].values():
        assert " / " in spec["name"], spec
        if "description" in spec:
            assert _words(spec["description"]) & ENGLISH_WORDS, spec
            assert _words(spec["description"]) & GERMAN_WORDS, spec


def test_the_readme_lists_every_blueprint() -> None:
    """The parametrization above covers the folder, and the folder is what the README lists."""
    readme = (BLUEPRINTS.parents[2] / "README.md").read_text(encoding="utf-8")
    listed = set(re.findall(r"^\| `(\w+\.yaml)` \|", readme, re.MULTILINE))
    assert listed == {path.name for path in BLUEPRINTS.glob("*.yaml")}
    assert len(listed) == 8


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
        ("+49 211 123456-72", ["+4921112345672"]),
        (4921112345671, ["+4921112345671"]),
    ],
)
async def test_received_sms_are_forwarded(
    hass: HomeAssistant, init_integration: MockConfigEntry, only_to: str | int, forwarded: list[str]
) -> None:
    """Every SMS, or only those to one number written in any form, goes to the notify entity."""
    sent = async_mock_service(hass, "notify", "send_message")
    await use_blueprint(
        hass, "forward_sms.yaml", {"notify_target": "notify.handy", "only_to": only_to, "language": "de"}
    )
    for to in ("+4921112345671", "+4921112345672"):
        hass.bus.async_fire(
            "sipgate_sms_received",
            {
                "config_entry_id": init_integration.entry_id,
                "from_number": "+4915799912345",
                "from_name": None,
                "to_number": to,
                "text": f"Hallo {to}",
            },
        )
    await hass.async_block_till_done()
    assert [(c.data["title"], c.data["message"]) for c in sent] == [
        ("SMS von +4915799912345", f"Hallo {to}") for to in forwarded
    ]
