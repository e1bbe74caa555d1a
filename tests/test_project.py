"""Rules about the project's files: the HA-free client, translations, manifests."""

import ast
import configparser
import fnmatch
import hashlib
import json
from pathlib import Path
import re
import subprocess
import sys
import textwrap

import pytest

from tests.reliability.conftest import HYPOTHESIS_HOME

REPO = Path(__file__).parent.parent
COMPONENT = REPO / "custom_components" / "sipgate"
API = COMPONENT / "api"


def _imported_modules(path: Path) -> set[str]:
    modules: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            modules.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            modules.add(node.module)
    return modules


@pytest.mark.parametrize("path", sorted(API.rglob("*.py")), ids=lambda p: str(p.relative_to(API)))
def test_api_module_does_not_import_home_assistant(path: Path) -> None:
    """No module of the client imports homeassistant or the integration around it."""
    offending = {
        module
        for module in _imported_modules(path)
        if module.split(".")[0] in {"homeassistant", "custom_components", "voluptuous"}
    }
    assert not offending, f"{path.name} imports {offending}"


def test_api_package_imports_on_its_own() -> None:
    """Loaded as a top-level package in a fresh interpreter, the client pulls in no Home Assistant."""
    code = textwrap.dedent(
        f"""
        import importlib.util, sys
        spec = importlib.util.spec_from_file_location(
            "sipgate_api", {str(API / "__init__.py")!r}, submodule_search_locations=[{str(API)!r}]
        )
        module = importlib.util.module_from_spec(spec)
        sys.modules["sipgate_api"] = module
        spec.loader.exec_module(module)
        for name in module.__all__:
            getattr(module, name)
        loaded = sorted(m for m in sys.modules if m.split(".")[0] in ("homeassistant", "custom_components"))
        assert not loaded, loaded
        """
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)


def _flat(tree: dict[str, object], prefix: str = "") -> dict[str, str]:
    out: dict[str, str] = {}
    for key, value in tree.items():
        path = f"{prefix}.{key}" if prefix else key
        out |= _flat(value, path) if isinstance(value, dict) else {path: str(value)}
    return out


def _translations(language: str) -> dict[str, object]:
    return json.loads((COMPONENT / "translations" / f"{language}.json").read_text(encoding="utf-8"))


def test_translations_have_the_same_keys() -> None:
    """Every English string exists in German and vice versa."""
    english, german = set(_flat(_translations("en"))), set(_flat(_translations("de")))
    assert sorted(english - german) == [], "missing in de.json"
    assert sorted(german - english) == [], "missing in en.json"


def test_german_is_translated() -> None:
    """German strings are German: longer texts must differ from the English ones."""
    english, german = _flat(_translations("en")), _flat(_translations("de"))
    copied = [key for key, text in english.items() if len(text.split()) > 2 and german[key] == text]
    assert copied == []


def test_placeholders_match_between_languages() -> None:
    """A placeholder such as {account} appears in both languages of a string."""
    english, german = _flat(_translations("en")), _flat(_translations("de"))
    for key, text in english.items():
        assert set(re.findall(r"{(\w+)}", text)) == set(re.findall(r"{(\w+)}", german[key])), key


def test_manifest_follows_hassfest_and_hacs_rules() -> None:
    """Domain and name first, the rest sorted; the keys HACS and the spec require."""
    manifest = json.loads((COMPONENT / "manifest.json").read_text(encoding="utf-8"))
    keys = list(manifest)
    assert keys[:2] == ["domain", "name"]
    assert keys[2:] == sorted(keys[2:])
    assert manifest["domain"] == COMPONENT.name
    assert manifest["iot_class"] == "cloud_push"
    assert manifest["integration_type"] == "service"
    assert manifest["dependencies"] == ["http", "webhook"]
    assert manifest["after_dependencies"] == ["cloud", "ffmpeg", "media_source", "tts"]
    assert manifest["config_flow"] is True
    for key in ("documentation", "issue_tracker"):
        assert manifest[key].startswith("https://")
    assert manifest["codeowners"]
    assert manifest["version"]


def test_hacs_json_uses_only_allowed_keys() -> None:
    """hacs.json is validated by HACS with extra keys forbidden."""
    hacs = json.loads((REPO / "hacs.json").read_text(encoding="utf-8"))
    allowed = {
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
    assert set(hacs) <= allowed
    assert hacs["homeassistant"] == "2026.3.0"


def test_brand_images_are_pngs() -> None:
    """The brand icon (256 px) and logo ship with the integration."""
    for name, size in (("icon.png", (256, 256)), ("icon@2x.png", (512, 512))):
        data = (COMPONENT / "brand" / name).read_bytes()
        assert data[:8] == b"\x89PNG\r\n\x1a\n"
        width, height = int.from_bytes(data[16:20]), int.from_bytes(data[20:24])
        assert (width, height) == size
    logo = (COMPONENT / "brand" / "logo.png").read_bytes()
    assert logo[:8] == b"\x89PNG\r\n\x1a\n"


def test_test_data_paths_are_per_clone() -> None:
    """Coverage data and hypothesis' folder depend on the clone, so two clones can test at once."""
    config = configparser.ConfigParser()
    config.read(REPO / "setup.cfg", encoding="utf-8")
    data_file = config["coverage:run"]["data_file"]
    assert not Path(data_file).is_absolute()  # relative to the clone scripts/test runs in
    ignored = (REPO / ".gitignore").read_text(encoding="utf-8").split()
    assert any(fnmatch.fnmatch(data_file, pattern) for pattern in ignored), f"{data_file} is not ignored"
    assert not HYPOTHESIS_HOME.is_relative_to(REPO)
    assert _clone_id(REPO.resolve()) in HYPOTHESIS_HOME.name
    assert _clone_id(REPO.parent / "another-clone") not in HYPOTHESIS_HOME.name


def _clone_id(path: Path) -> str:
    return hashlib.sha256(str(path).encode()).hexdigest()[:12]


# Modules longer than this say in their docstring why they stay one module (issue 13).
MODULE_LINES = 420
SIZE_REASON = "Why one module of this size:"


def test_long_modules_say_why() -> None:
    """Every Python module of the project over ~400 lines states the reason for its size."""
    modules = [
        path
        for folder in ("custom_components", "standin", "bench", "scripts", "tests")
        for path in sorted((REPO / folder).rglob("*.py"))
        if "node_modules" not in path.parts and "artifacts" not in path.parts
    ]
    assert len(modules) > 100, "the project's modules were not found"
    unexplained = []
    for path in modules:
        name = path.relative_to(REPO)
        source = path.read_text(encoding="utf-8")
        if source.count("\n") <= MODULE_LINES:
            continue
        docstring = ast.get_docstring(ast.parse(source)) or ""
        if SIZE_REASON not in docstring:
            unexplained.append(f"{name} ({source.count(chr(10))} lines)")
    assert not unexplained, f"modules over {MODULE_LINES} lines without a reason: {unexplained}"
