"""Fixtures: one stand-in and one Home Assistant per test module."""

from collections.abc import Iterator
from pathlib import Path

import pytest

from .harness import HomeAssistant, StandIn, run_home_assistant, run_standin


@pytest.fixture(scope="module")
def work_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh folder for the module's processes."""
    return tmp_path_factory.mktemp("e2e")


@pytest.fixture(scope="module")
def standin(work_dir: Path) -> Iterator[StandIn]:
    """The sipgate stand-in; at the end, every request it got must have validated."""
    with run_standin(work_dir) as running:
        yield running
        assert running.errors() == [], "the integration sent requests that sipgate's spec does not allow"


@pytest.fixture(scope="module")
def automations() -> str:
    """automations.yaml of the module's Home Assistant (modules override this)."""
    return "[]\n"


@pytest.fixture(scope="module")
def hass(work_dir: Path, standin: StandIn, automations: str) -> Iterator[HomeAssistant]:
    """Home Assistant 2026.11 with the integration, onboarded, pointed at the stand-in."""
    with run_home_assistant(work_dir, standin, automations) as running:
        yield running
        # Home Assistant itself may complain about the machine (no ffmpeg, no turbojpeg);
        # the integration must not log errors or tracebacks.
        problems = [
            line
            for line in running.log().splitlines()
            if "custom_components/sipgate" in line
            or ("[custom_components.sipgate" in line and " ERROR " in line)
        ]
        assert problems == [], "\n".join(problems)
