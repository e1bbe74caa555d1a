"""Snapshots per Home Assistant pin.

The suite runs on two Home Assistant versions (README "Development"). Their snapshots can
differ legitimately (syrupy's format, fields the registries gained), so each
pin keeps its own folder beside the tests, ``snapshots_ha<major>.<minor>``,
and both are checked strictly. ``scripts/test --snapshot-update`` refreshes
both. The folders are siblings of (not inside) ``snapshots/``, the folder
Home Assistant's own snapshot extension scans, so neither pin's run reports
the other pin's files as unused.
"""

from pathlib import Path

from pytest_homeassistant_custom_component.syrupy import HomeAssistantSnapshotExtension
from syrupy.location import PyTestLocation

from homeassistant.const import MAJOR_VERSION, MINOR_VERSION


class PinnedSnapshotExtension(HomeAssistantSnapshotExtension):
    """Home Assistant's snapshot format, in a folder of the running pin."""

    @classmethod
    def dirname(cls, *, test_location: PyTestLocation) -> str:
        """Return ``snapshots_ha<major>.<minor>`` beside the test file."""
        return str(Path(test_location.filepath).parent / f"snapshots_ha{MAJOR_VERSION}.{MINOR_VERSION}")
