"""Translations read right: German differs from English, attribute values are translated."""

import json
from pathlib import Path
import re
from typing import Any

import pytest

from custom_components.sipgate.api.push_events import CallDirection
from custom_components.sipgate.event import HANGUP_CAUSES

REPO = Path(__file__).parent.parent
COMPONENT = REPO / "custom_components" / "sipgate"

# Words that are the same in German and English (names, formats, loanwords).
EQUAL_WORDS = {"CSV", "Fax", "Format", "International", "Name", "Online", "SMS", "Token", "vCard"}


def _translations(language: str) -> dict[str, Any]:
    return json.loads((COMPONENT / "translations" / f"{language}.json").read_text(encoding="utf-8"))


def _flat(tree: dict[str, Any], prefix: str = "") -> dict[str, str]:
    out: dict[str, str] = {}
    for key, value in tree.items():
        path = f"{prefix}.{key}" if prefix else key
        out |= _flat(value, path) if isinstance(value, dict) else {path: str(value)}
    return out


def test_german_differs_from_english_beyond_known_equal_words() -> None:
    """Every German string is translated, short ones too, except for a few words both languages share."""
    english, german = _flat(_translations("en")), _flat(_translations("de"))
    same = {key: text for key, text in english.items() if german[key] == text and text not in EQUAL_WORDS}
    assert same == {}


def _attribute_states(language: str, *path: str) -> set[str]:
    tree: Any = _translations(language)["entity"]
    for key in path:
        tree = tree[key]
    return set(tree["state"])


@pytest.mark.parametrize("language", ["en", "de"])
def test_attribute_values_are_translated(language: str) -> None:
    """The values users see in attributes: direction, hangup cause, number type."""
    directions = {direction.value for direction in CallDirection}
    assert _attribute_states(language, "sensor", "call_state", "state_attributes", "direction") == directions
    assert _attribute_states(language, "event", "call", "state_attributes", "direction") == directions
    assert _attribute_states(language, "event", "call", "state_attributes", "cause") == set(HANGUP_CAUSES)
    spec = (REPO / "standin" / "openapi" / "sipgate-openapi3.json").read_text(encoding="utf-8")
    number_types = {
        value.lower() for value in re.findall(r'"(MOBILE|LANDLINE|QUICKDIAL|INTERNATIONAL)"', spec)
    }
    assert _attribute_states(language, "sensor", "number", "state_attributes", "type") == number_types


def test_event_attributes_have_names() -> None:
    """Every attribute the call event entity shows has a translated name."""
    from custom_components.sipgate.event import ATTRIBUTES

    for language in ("en", "de"):
        names = _translations(language)["entity"]["event"]["call"]["state_attributes"]
        assert set(ATTRIBUTES) <= set(names), language
        assert all(names[key]["name"] for key in ATTRIBUTES)


def test_history_time_fields_describe_a_time_range() -> None:
    """from/to of the history actions filter by time (not: who calls whom), update_history sets values."""
    for language, words in (("en", ("after", "before")), ("de", ("danach", "davor"))):
        services = _translations(language)["services"]
        for action in ("get_history", "export_history"):
            fields = services[action]["fields"]
            assert words[0] in fields["from"]["description"], (language, action)
            assert words[1] in fields["to"]["description"], (language, action)
            assert fields["from"]["description"] != services["initiate_call"]["fields"]["from"]["description"]
        update = services["update_history"]["fields"]
        get = services["get_history"]["fields"]
        for field in ("archived", "starred"):
            assert update[field]["description"] != get[field]["description"], (language, field)
