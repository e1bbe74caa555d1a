"""The offline versions of hassfest's and HACS' checks pass, and catch what they should."""

import json
from pathlib import Path
import shutil

import pytest

from tests.offline_validators import (
    hacs_problems,
    integration_problems,
    manifest_problems,
    services_problems,
    translation_problems,
)

REPO = Path(__file__).parent.parent
COMPONENT = REPO / "custom_components" / "sipgate"


@pytest.fixture
def copy(tmp_path: Path) -> tuple[Path, Path]:
    """A copy of the integration folder and hacs.json to plant mistakes in."""
    component = tmp_path / "custom_components" / "sipgate"
    shutil.copytree(COMPONENT, component, ignore=shutil.ignore_patterns("__pycache__", "*.png"))
    shutil.copy(REPO / "hacs.json", tmp_path / "hacs.json")
    return component, tmp_path


def _edit_json(path: Path, change: object) -> None:
    data = json.loads(path.read_text(encoding="utf-8"))
    change(data)  # type: ignore[operator]
    path.write_text(json.dumps(data), encoding="utf-8")


def test_the_integration_passes() -> None:
    """The real files break none of the rules."""
    assert integration_problems(COMPONENT, REPO) == []


def test_planted_uppercase_selector_key_is_caught(copy: tuple[Path, Path]) -> None:
    """An uppercase option key, as hassfest refuses it, in the translations and services.yaml."""
    component, repo = copy
    _edit_json(
        component / "translations" / "de.json",
        lambda data: data["selector"]["history_type"]["options"].update({"CALL": "Anruf"}),
    )
    problems = integration_problems(component, repo)
    assert problems == ["de:selector.history_type.options.CALL: key 'CALL' does not match [a-z0-9-_]+"]

    services = (component / "services.yaml").read_text(encoding="utf-8")
    (component / "services.yaml").write_text(services.replace("- busy", "- BUSY"), encoding="utf-8")
    problems = integration_problems(component, repo)
    assert "services.yaml: option 'BUSY' of reject_call.reason does not match [a-z0-9-_]+" in problems
    assert "en: option 'BUSY' of selector reject_reason is not translated" in problems


def test_uppercase_keys_are_caught_at_any_depth() -> None:
    """Not only selector options: any key of a translation file."""
    tree = {"entity": {"sensor": {"Call_State": {"name": "Call state"}}}, "Title": "x"}
    assert translation_problems(tree, "en") == [
        "en:entity.sensor.Call_State: key 'Call_State' does not match [a-z0-9-_]+",
        "en:Title: key 'Title' does not match [a-z0-9-_]+",
    ]
    assert translation_problems({"a": {"b": ""}, "c": " padded"}, "de") == [
        "de:a.b: value must be a non-empty string",
        "de:c: value has leading or trailing whitespace",
    ]


def test_untranslated_actions_fields_options_and_missing_icons_are_caught() -> None:
    """Each action, field and option needs its text in every language; each action an icon."""
    services = {
        "ring": {
            "fields": {
                "mode": {
                    "selector": {
                        "select": {
                            "translation_key": "mode",
                            "options": ["loud", {"value": "soft", "label": "x"}],
                        }
                    }
                },
                "volume": {"selector": {"number": {}}},
            }
        }
    }
    english = {
        "services": {
            "ring": {
                "name": "Ring",
                "description": "Rings.",
                "fields": {"mode": {"name": "Mode"}, "gone": {"name": "Gone"}},
            }
        },
        "selector": {"mode": {"options": {"loud": "Loud"}}},
    }
    assert services_problems(services, {"en": english}, {"services": {}}) == [
        "icons.json: action ring has no icon",
        "en: field ring.mode has no description",
        "en: field ring.volume has no name",
        "en: field ring.volume has no description",
        "en: field ring.gone is not in services.yaml",
        "en: option 'soft' of selector mode is not translated",
    ]


def test_manifest_and_hacs_json_keys_are_checked(copy: tuple[Path, Path]) -> None:
    """Unknown keys, missing required ones and hassfest's order fail."""
    component, repo = copy
    manifest = json.loads((component / "manifest.json").read_text(encoding="utf-8"))
    assert manifest_problems(manifest, "sipgate") == []
    broken = {key: value for key, value in manifest.items() if key != "version"} | {"homepage": "https://x"}
    assert manifest_problems(broken, "sipgate") == [
        "manifest.json: unknown key homepage",
        "manifest.json: missing key version",
        "manifest.json: keys must be domain, name, then sorted",
        "manifest.json: version must be MAJOR.MINOR.PATCH",
    ]
    assert manifest_problems({**manifest, "iot_class": "cloud", "integration_type": "cloud"}, "other") == [
        "manifest.json: domain must be other",
        "manifest.json: unknown iot_class cloud",
        "manifest.json: unknown integration_type cloud",
    ]
    assert manifest_problems({**manifest, "documentation": "http://x"}, "sipgate") == [
        "manifest.json: documentation must be an https URL"
    ]
    assert hacs_problems({"name": "sipgate", "render_readme": True}) == []
    assert hacs_problems({"domains": ["sipgate"]}) == [
        "hacs.json: unknown key domains",
        "hacs.json: missing key name",
    ]
    _edit_json(repo / "hacs.json", lambda data: data.update({"iot_class": "cloud_push"}))
    assert integration_problems(component, repo) == ["hacs.json: unknown key iot_class"]


def test_keys_with_leading_or_doubled_separators_are_caught() -> None:
    """Hassfest also refuses "_invalid", "invalid_" and "a__b" (a merge once left "_invalid" behind)."""
    tree = {
        "exceptions": {"_invalid": {"message": "x"}, "ok_key": {"message": "y"}, "a__b": {"message": "z"}}
    }
    assert [problem.split(":")[1] for problem in translation_problems(tree, "en")] == [
        "exceptions._invalid",
        "exceptions.a__b",
    ]


def test_planted_html_in_an_action_field_is_caught(copy: tuple[Path, Path]) -> None:
    """``<ID>`` reads as an HTML tag to hassfest (it once stood in save_attachment's file name)."""
    component, repo = copy
    _edit_json(
        component / "translations" / "en.json",
        lambda data: data["services"]["save_attachment"]["fields"]["filename"].update(
            {"description": "Default: sipgate-fax-<ID>.pdf."}
        ),
    )
    assert integration_problems(component, repo) == [
        "en:services.save_attachment.fields.filename.description: value contains HTML "
        "(hassfest reads <…> as a tag)"
    ]


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ("Call <b>now</b>", "value contains HTML (hassfest reads <…> as a tag)"),
        ("Calls '{number}' now", "value has a placeholder in single quotes"),
        ("Calls {1number}", "placeholder {1number} is not an identifier"),
        ("Calls {number", "braces do not form placeholders (write a literal brace as {{ or }})"),
        ("Done [%key:common::state::on%]", "value combines a reference with text"),
        ("See https://app.sipgate.com/ first", "value contains a URL (use a description placeholder)"),
        ("See www.sipgate.de", "value contains a URL (use a description placeholder)"),
        ("See HTTP://sipgate.io:8080", "value contains a URL (use a description placeholder)"),
    ],
)
def test_planted_value_mistakes_are_caught(value: str, problem: str) -> None:
    """Each of hassfest's value rules, at any depth of a translation file."""
    tree = {"config": {"step": {"user": {"description": value}}}}
    assert translation_problems(tree, "de") == [f"de:config.step.user.description: {problem}"]


def test_values_hassfest_accepts_pass() -> None:
    """Placeholders, doubled braces, a lone "<", a whole reference and a bare host name are fine."""
    tree = {
        "exceptions": {
            "a": {"message": 'Calls "{number}" at {time}; write {{ and }} for braces'},
            "b": {"message": "Less than 5 s: 3 < 5"},
            "c": {"message": "[%key:common::state::on%]"},
            "d": {"message": "sipgate.io pushes to Home Assistant"},
        }
    }
    assert translation_problems(tree, "en") == []


def test_placeholders_are_refused_where_home_assistant_does_not_fill_them_in() -> None:
    """Entity states, state attribute names and states, and units; entity names may have them."""
    tree = {
        "entity": {
            "sensor": {
                "line": {
                    "name": "Line {line}",
                    "state": {"busy": "Busy on {line}"},
                    "state_attributes": {"peer": {"name": "Peer {n}", "state": {"x": "X {n}"}}},
                    "unit_of_measurement": "{unit}",
                }
            }
        }
    }
    assert [problem.split(":")[1] for problem in translation_problems(tree, "en")] == [
        "entity.sensor.line.state.busy",
        "entity.sensor.line.state_attributes.peer.name",
        "entity.sensor.line.state_attributes.peer.state.x",
        "entity.sensor.line.unit_of_measurement",
    ]


def test_urls_pass_only_where_allowed() -> None:
    """A URL is refused unless its value's path is named as one where hassfest lets it stand."""
    tree = {"config": {"step": {"user": {"description": "Open https://app.sipgate.com/"}}}}
    assert translation_problems(tree, "en", allow_urls={"config.step.user.description"}) == []
    assert translation_problems(tree, "en", allow_urls={"config.step.user.title"}) == [
        "en:config.step.user.description: value contains a URL (use a description placeholder)"
    ]


def test_select_options_without_translation_key_are_caught(copy: tuple[Path, Path]) -> None:
    """Options without a translation_key would show as written (a tab as nothing at all)."""
    component, repo = copy
    services = (component / "services.yaml").read_text(encoding="utf-8")
    planted = services.replace("          translation_key: reject_reason\n", "", 1)
    assert planted != services
    (component / "services.yaml").write_text(planted, encoding="utf-8")
    assert integration_problems(component, repo) == [
        "services.yaml: select of reject_call.reason has options but no translation_key"
    ]
    # A select without options (filled in at run time) needs none.
    assert (
        services_problems(
            {"a": {"fields": {"f": {"selector": {"select": {}}}}}},
            {},
            {"services": {"a": {"service": "mdi:x"}}},
        )
        == []
    )
