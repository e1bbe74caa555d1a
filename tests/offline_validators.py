"""The checks of hassfest and HACS that need no network, written by this project.

Home Assistant's hassfest and the HACS action run in CI on GitHub (``.github/workflows``).
These functions check the same rules offline, so that the suite fails before CI would:

- translation keys match hassfest's pattern ``[a-z0-9-_]+`` at every level of the
  translation files, selector option keys included, and every value is a non-empty string;
- translation values follow hassfest's value rules (``translation_value_validator``): no HTML
  (``cv.string_with_no_html``, so ``<ID>`` counts as a tag), no placeholder in single quotes
  (``'{name}'``), placeholders that are identifiers and braces that pair up, no placeholder
  where Home Assistant does not fill one in (entity states, state attribute names and
  states, units), no combined reference (``text [%key:…%]``) and no URL (hassfest wants a
  link in a description placeholder). Hassfest applies them to most values and leaves a
  few, such as action field names, alone; here they hold for every value;
- every action, field and translated selector option of ``services.yaml`` is translated,
  every select with options has a ``translation_key`` (its options are shown as written
  otherwise, untranslated), and every action has an icon in ``icons.json``;
- ``manifest.json`` has the keys a custom integration needs and no unknown ones, in
  hassfest's order; ``hacs.json`` has its required key and no unknown ones.

Each function returns a list of problems (empty: valid), so a test can both assert that the
real files pass and that a planted mistake is found.
"""

from collections.abc import Collection, Iterator, Mapping
import json
from pathlib import Path
import re
import string
from typing import Any

import yaml

# hassfest's translation key pattern (script/hassfest/translations.py, translation_key_validator).
# As hassfest reads it: no leading, trailing or doubled "_"/"-".
TRANSLATION_KEY = re.compile(r"^(?!.+[_-]{2})(?![_-])[a-z0-9-_]+(?<![_-])$")

# hassfest's value rules, written down from script/hassfest/translations.py and
# homeassistant/helpers/config_validation.py (string_with_no_html).
HTML_TAG = re.compile(r"<[a-z].*?>", re.IGNORECASE)
SINGLE_QUOTED_PLACEHOLDER = re.compile(r"'\{\w+\}'")
COMBINED_REFERENCE = re.compile(r"(.+\[%)|(%\].+)")
URL = re.compile(
    r"((ftp|ftps|scp|http|https|mqtt|mqtts|socket|socks5)://|www\.)"
    r"[a-z0-9]+([-.][a-z0-9]+)*\.[a-z]{2,5}(:[0-9]{1,5})?(/\S*)?",
    re.IGNORECASE,
)
# Values Home Assistant shows without filling in placeholders (hassfest: allow_placeholders=False).
NO_PLACEHOLDERS = re.compile(
    r"^entity\.[^.]+\.[^.]+\.(state\.[^.]+|state_attributes\.[^.]+\.(name|state\.[^.]+)|unit_of_measurement)$"
    r"|^entity_component\.[^.]+\.(state\.[^.]+|state_attributes\.[^.]+\.state\.[^.]+)$"
)

# Keys a manifest may carry (Home Assistant's loader.Manifest); a custom integration needs
# "version" and everything hassfest marks as required.
MANIFEST_KEYS = {
    "domain",
    "name",
    "after_dependencies",
    "bluetooth",
    "codeowners",
    "config_flow",
    "dependencies",
    "dhcp",
    "disabled",
    "documentation",
    "homekit",
    "import_executor",
    "integration_type",
    "iot_class",
    "issue_tracker",
    "loggers",
    "mqtt",
    "quality_scale",
    "requirements",
    "single_config_entry",
    "ssdp",
    "usb",
    "version",
    "zeroconf",
}
MANIFEST_REQUIRED = {"domain", "name", "codeowners", "documentation", "iot_class", "version"}
IOT_CLASSES = {"assumed_state", "cloud_polling", "cloud_push", "local_polling", "local_push", "calculated"}
INTEGRATION_TYPES = {"device", "entity", "hardware", "helper", "hub", "service", "system", "virtual"}

# hacs.json keys (HACS' manifest schema, extra keys forbidden); "name" is required.
HACS_KEYS = {
    "name",
    "content_in_root",
    "country",
    "filename",
    "hacs",
    "hide_default_branch",
    "homeassistant",
    "persistent_directory",
    "render_readme",
    "zip_release",
}


def _walk(tree: Mapping[str, Any], path: str = "") -> Iterator[tuple[str, str, Any]]:
    """(path of the parent, key, value) for every key of a nested mapping."""
    for key, value in tree.items():
        yield path, key, value
        if isinstance(value, Mapping):
            yield from _walk(value, f"{path}.{key}" if path else key)


def _placeholder_problems(value: str, *, allowed: bool) -> list[str]:
    """Placeholders as hassfest reads them, with Python's format syntax."""
    try:
        names = [name for _, name, _, _ in string.Formatter().parse(value) if name]
    except ValueError:
        return ["braces do not form placeholders (write a literal brace as {{ or }})"]
    if names and not allowed:
        return ["placeholders are not filled in here"]
    return [f"placeholder {{{name}}} is not an identifier" for name in names if not name.isidentifier()]


def value_problems(value: str, path: str, *, allow_urls: bool = False) -> list[str]:
    """Hassfest's rules for one translation value at ``path`` (dotted keys)."""
    problems: list[str] = []
    if HTML_TAG.search(value):
        problems.append("value contains HTML (hassfest reads <…> as a tag)")
    if SINGLE_QUOTED_PLACEHOLDER.search(value):
        problems.append("value has a placeholder in single quotes")
    problems += _placeholder_problems(value, allowed=not NO_PLACEHOLDERS.match(path))
    if COMBINED_REFERENCE.search(value):
        problems.append("value combines a reference with text")
    if not allow_urls and URL.search(value):
        problems.append("value contains a URL (use a description placeholder)")
    return problems


def translation_problems(
    translations: Mapping[str, Any], language: str = "", *, allow_urls: Collection[str] = ()
) -> list[str]:
    """Keys outside hassfest's pattern and values that break hassfest's value rules.

    ``allow_urls``: dotted paths whose values may hold a URL (newer hassfest allows one in
    a few places); every other value must not.
    """
    problems: list[str] = []
    for path, key, value in _walk(translations):
        dotted = f"{path}.{key}" if path else str(key)
        where = f"{language}:{dotted}"
        if not TRANSLATION_KEY.match(str(key)):
            problems.append(f"{where}: key {key!r} does not match [a-z0-9-_]+")
        if not isinstance(value, Mapping) and not (isinstance(value, str) and value.strip()):
            problems.append(f"{where}: value must be a non-empty string")
        if isinstance(value, str) and value != value.strip():
            problems.append(f"{where}: value has leading or trailing whitespace")
        if isinstance(value, str):
            problems += [
                f"{where}: {problem}"
                for problem in value_problems(value, dotted, allow_urls=dotted in allow_urls)
            ]
    return problems


def _get(tree: Mapping[str, Any], *keys: str) -> Any:
    for key in keys:
        if not isinstance(tree, Mapping) or key not in tree:
            return None
        tree = tree[key]
    return tree


def services_problems(
    services: Mapping[str, Any], translations: Mapping[str, Mapping[str, Any]], icons: Mapping[str, Any]
) -> list[str]:
    """Every action, field and translated selector option translated in every language; icons."""
    problems: list[str] = []
    for action, spec in services.items():
        if not _get(icons, "services", action, "service"):
            problems.append(f"icons.json: action {action} has no icon")
        fields = (spec or {}).get("fields") or {}
        for language, tree in translations.items():
            problems.extend(
                f"{language}: action {action} has no {part}"
                for part in ("name", "description")
                if not _get(tree, "services", action, part)
            )
            problems.extend(
                f"{language}: field {action}.{field} has no {part}"
                for field in fields
                for part in ("name", "description")
                if not _get(tree, "services", action, "fields", field, part)
            )
            extra = set(_get(tree, "services", action, "fields") or {}) - set(fields)
            problems.extend(
                f"{language}: field {action}.{field} is not in services.yaml" for field in sorted(extra)
            )
        for field, field_spec in fields.items():
            select = _get(field_spec or {}, "selector", "select")
            if not isinstance(select, Mapping):
                continue
            if "translation_key" not in select:
                if select.get("options"):
                    problems.append(
                        f"services.yaml: select of {action}.{field} has options but no translation_key"
                    )
                continue
            key = select["translation_key"]
            for option in select.get("options", []):
                value = option["value"] if isinstance(option, Mapping) else option
                if not TRANSLATION_KEY.match(str(value)):
                    problems.append(
                        f"services.yaml: option {value!r} of {action}.{field} does not match [a-z0-9-_]+"
                    )
                for language, tree in translations.items():
                    if not _get(tree, "selector", key, "options", str(value)):
                        problems.append(f"{language}: option {value!r} of selector {key} is not translated")
    return problems


def manifest_problems(manifest: Mapping[str, Any], domain: str) -> list[str]:
    """A custom integration's manifest: required and known keys, values, hassfest's key order."""
    problems = [f"manifest.json: unknown key {key}" for key in manifest if key not in MANIFEST_KEYS]
    problems += [f"manifest.json: missing key {key}" for key in sorted(MANIFEST_REQUIRED - set(manifest))]
    keys = list(manifest)
    if keys[:2] != ["domain", "name"] or keys[2:] != sorted(keys[2:]):
        problems.append("manifest.json: keys must be domain, name, then sorted")
    if manifest.get("domain") != domain:
        problems.append(f"manifest.json: domain must be {domain}")
    if "iot_class" in manifest and manifest["iot_class"] not in IOT_CLASSES:
        problems.append(f"manifest.json: unknown iot_class {manifest['iot_class']}")
    if manifest.get("integration_type", "hub") not in INTEGRATION_TYPES:
        problems.append(f"manifest.json: unknown integration_type {manifest['integration_type']}")
    if not re.fullmatch(r"\d+\.\d+\.\d+", str(manifest.get("version", ""))):
        problems.append("manifest.json: version must be MAJOR.MINOR.PATCH")
    for key in ("documentation", "issue_tracker"):
        if key in manifest and not str(manifest[key]).startswith("https://"):
            problems.append(f"manifest.json: {key} must be an https URL")
    return problems


def hacs_problems(hacs: Mapping[str, Any]) -> list[str]:
    """hacs.json: "name" present, no key HACS does not know."""
    problems = [f"hacs.json: unknown key {key}" for key in hacs if key not in HACS_KEYS]
    if not hacs.get("name"):
        problems.append("hacs.json: missing key name")
    return problems


def integration_problems(component: Path, repo: Path) -> list[str]:
    """Every offline check over an integration folder and the repository's hacs.json."""

    def load_json(path: Path) -> Any:
        return json.loads(path.read_text(encoding="utf-8"))

    translations = {
        path.stem: load_json(path) for path in sorted((component / "translations").glob("*.json"))
    }
    problems: list[str] = []
    for language, tree in translations.items():
        problems += translation_problems(tree, language)
    services = yaml.safe_load((component / "services.yaml").read_text(encoding="utf-8")) or {}
    problems += services_problems(services, translations, load_json(component / "icons.json"))
    problems += manifest_problems(load_json(component / "manifest.json"), component.name)
    problems += hacs_problems(load_json(repo / "hacs.json"))
    return problems
