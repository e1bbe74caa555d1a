"""Diagnostics of a sipgate account."""

from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.components.diagnostics import get_diagnostics_for_config_entry
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator
from syrupy.assertion import SnapshotAssertion

from homeassistant.core import HomeAssistant

from .conftest import ACCOUNT_ID, TOKEN, TOKEN_ID


async def test_diagnostics_are_redacted(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    init_integration: MockConfigEntry,
    snapshot: SnapshotAssertion,
) -> None:
    """Diagnostics show the account's setup without tokens, ids or URLs."""
    diagnostics = await get_diagnostics_for_config_entry(hass, hass_client, init_integration)

    assert diagnostics == snapshot
    text = str(diagnostics)
    for secret in (TOKEN, TOKEN_ID, ACCOUNT_ID, "Muster Elektro", "static.sipgate.com"):
        assert secret not in text
