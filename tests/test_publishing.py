"""What a published custom integration carries: licence, CI workflows, quality scale, changelog."""

import json
from pathlib import Path
import re
from typing import Any

import pytest
import yaml

REPO = Path(__file__).parent.parent
COMPONENT = REPO / "custom_components" / "sipgate"
WORKFLOWS = REPO / ".github" / "workflows"

# The inputs each action documents (its README / action.yml); nothing else may be passed.
DOCUMENTED_INPUTS: dict[str, set[str]] = {
    "actions/checkout": {"repository", "ref", "token", "fetch-depth", "submodules", "lfs", "path"},
    "actions/setup-python": {
        "python-version",
        "python-version-file",
        "cache",
        "architecture",
        "check-latest",
        "allow-prereleases",
        "update-environment",
    },
    "home-assistant/actions/hassfest": set(),
    "hacs/action": {"category", "ignore"},
}


def _workflow(name: str) -> dict[Any, Any]:
    data = yaml.safe_load((WORKFLOWS / name).read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def _steps(workflow: dict[Any, Any]) -> list[dict[str, Any]]:
    return [step for job in workflow["jobs"].values() for step in job["steps"]]


@pytest.mark.parametrize("name", ["validate.yml", "tests.yml"])
def test_workflow_is_valid_and_uses_documented_inputs(name: str) -> None:
    """Each workflow parses, has triggers and jobs, and passes actions only their documented inputs."""
    workflow = _workflow(name)
    assert workflow.get("on", workflow.get(True))  # YAML 1.1 reads a bare `on` as True
    for job in workflow["jobs"].values():
        assert job["runs-on"] == "ubuntu-latest"
        assert job["steps"]
    for step in _steps(workflow):
        assert ("uses" in step) != ("run" in step), step
        if "uses" in step:
            action, _, ref = step["uses"].partition("@")
            assert ref, f"{action} is not pinned to a ref"
            assert action in DOCUMENTED_INPUTS, f"unknown action {action}"
            assert set(step.get("with", {})) <= DOCUMENTED_INPUTS[action], step


def test_validate_workflow_runs_hassfest_and_hacs() -> None:
    """The validate workflow runs hassfest and the HACS action (category integration)."""
    jobs = _workflow("validate.yml")["jobs"]
    for job in jobs.values():
        assert job["steps"][0]["uses"].startswith("actions/checkout@")
    uses = {step["uses"].partition("@")[0]: step for step in _steps(_workflow("validate.yml"))}
    assert "home-assistant/actions/hassfest" in uses
    assert uses["hacs/action"]["with"] == {"category": "integration"}


def test_tests_workflow_runs_the_readme_commands_on_python_314() -> None:
    """Python 3.14 on the runner (host-Python path of scripts/setup), then setup, lint, test."""
    steps = _steps(_workflow("tests.yml"))
    python = next(step for step in steps if step.get("uses", "").startswith("actions/setup-python@"))
    assert str(python["with"]["python-version"]) == "3.14"
    assert [step["run"] for step in steps if "run" in step] == [
        "scripts/setup",
        "scripts/lint",
        "scripts/test",
    ]
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert "scripts/setup" in readme
    assert "scripts/test" in readme


def test_licence_is_apache_2_and_named_in_readme() -> None:
    """The full Apache License 2.0, as Home Assistant core uses."""
    text = (REPO / "LICENSE").read_text(encoding="utf-8")
    assert text.lstrip().startswith("Apache License")
    assert "Version 2.0, January 2004" in text
    assert "END OF TERMS AND CONDITIONS" in text
    assert len(text.splitlines()) > 150
    assert "Apache License 2.0" in (REPO / "README.md").read_text(encoding="utf-8")


# Every rule of Home Assistant's quality scale (script/hassfest/quality_scale.py, ALL_RULES).
QUALITY_SCALE_RULES = {
    "bronze": [
        "action-setup",
        "appropriate-polling",
        "brands",
        "common-modules",
        "config-flow",
        "config-flow-test-coverage",
        "dependency-transparency",
        "docs-actions",
        "docs-conditions",
        "docs-high-level-description",
        "docs-installation-instructions",
        "docs-removal-instructions",
        "docs-triggers",
        "entity-event-setup",
        "entity-unique-id",
        "has-entity-name",
        "runtime-data",
        "test-before-configure",
        "test-before-setup",
        "unique-config-entry",
    ],
    "silver": [
        "action-exceptions",
        "config-entry-unloading",
        "docs-configuration-parameters",
        "docs-installation-parameters",
        "entity-unavailable",
        "integration-owner",
        "log-when-unavailable",
        "parallel-updates",
        "reauthentication-flow",
        "test-coverage",
    ],
    "gold": [
        "devices",
        "diagnostics",
        "discovery",
        "discovery-update-info",
        "docs-data-update",
        "docs-examples",
        "docs-known-limitations",
        "docs-supported-devices",
        "docs-supported-functions",
        "docs-troubleshooting",
        "docs-use-cases",
        "dynamic-devices",
        "entity-category",
        "entity-device-class",
        "entity-disabled-by-default",
        "entity-translations",
        "exception-translations",
        "icon-translations",
        "reconfiguration-flow",
        "repair-issues",
        "stale-devices",
    ],
    "platinum": ["async-dependency", "inject-websession", "strict-typing"],
}


def _quality_scale() -> dict[str, tuple[str, str | None]]:
    rules = yaml.safe_load((COMPONENT / "quality_scale.yaml").read_text(encoding="utf-8"))["rules"]
    return {
        rule: (value, None) if isinstance(value, str) else (value["status"], value.get("comment"))
        for rule, value in rules.items()
    }


def test_quality_scale_lists_every_rule_with_a_status() -> None:
    """Every rule once, done / todo / exempt; an exemption says why."""
    scale = _quality_scale()
    assert set(scale) == {rule for rules in QUALITY_SCALE_RULES.values() for rule in rules}
    for rule, (status, comment) in scale.items():
        assert status in {"done", "todo", "exempt"}, rule
        if status in {"exempt", "todo"}:
            assert comment, f"{rule} is {status} without a reason"


def test_quality_scale_is_honest_about_what_is_missing() -> None:
    """What another issue still builds is todo; facts the suite can check back the done rules."""
    scale = _quality_scale()
    assert {rule for rule, (status, _) in scale.items() if status == "todo"} == {
        "test-coverage",  # the gate is over the whole integration, not per module
    }
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert scale["docs-known-limitations"][0] == "done"
    assert "\n## Known limitations\n" in readme
    for platform in ("binary_sensor", "event", "notify", "sensor", "switch"):
        assert re.search(r"^PARALLEL_UPDATES = \d+$", (COMPONENT / f"{platform}.py").read_text(), re.M), (
            platform
        )
    assert (COMPONENT / "brand" / "icon.png").is_file()
    assert (COMPONENT / "diagnostics.py").is_file()
    assert (COMPONENT / "api" / "py.typed").is_file()
    assert json.loads((COMPONENT / "manifest.json").read_text(encoding="utf-8"))["codeowners"]


def test_changelog_has_the_manifest_version_on_top() -> None:
    """CHANGELOG.md starts with the version in manifest.json, a minor step after 0.1.0."""
    version = json.loads((COMPONENT / "manifest.json").read_text(encoding="utf-8"))["version"]
    assert version == "0.2.0"
    headings = re.findall(r"^## (\d+\.\d+\.\d+)", (REPO / "CHANGELOG.md").read_text(encoding="utf-8"), re.M)
    assert headings[0] == version
    assert headings[-1] == "0.1.0"
