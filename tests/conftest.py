"""Fixtures shared by the whole suite."""

from collections.abc import AsyncGenerator, Generator
import json
from pathlib import Path
from typing import Any
from unittest.mock import AsyncMock, patch

import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.test_util.aiohttp import AiohttpClientMocker
from syrupy.assertion import SnapshotAssertion

from custom_components.sipgate.api import API_BASE_URL
from custom_components.sipgate.const import CONF_TOKEN_ID, DEFAULT_OPTIONS, DOMAIN
from homeassistant.const import CONF_TOKEN
from homeassistant.core import HomeAssistant

from .pinned_snapshots import PinnedSnapshotExtension

FIXTURES = Path(__file__).parent / "fixtures"

TOKEN_ID = "token-FQ1V12"
TOKEN = "e68ead46-a7db-46cd-8a1a-44aed1e4e372"
ACCOUNT_ID = "1234567"


def load_json(name: str) -> Any:
    """Load a JSON fixture from tests/fixtures."""
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


def api_url(path: str) -> str:
    """The absolute URL the client uses for an API path."""
    return f"{API_BASE_URL}/{path}"


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations(enable_custom_integrations: None) -> None:
    """Let Home Assistant load custom_components/sipgate in every test."""


@pytest.fixture
def snapshot(snapshot: SnapshotAssertion) -> SnapshotAssertion:
    """Snapshots in tests/snapshots, one set per Home Assistant pin."""
    return snapshot.use_extension(PinnedSnapshotExtension)


@pytest.fixture
def mock_config_entry() -> MockConfigEntry:
    """A configured sipgate account."""
    return MockConfigEntry(
        domain=DOMAIN,
        title="sipgate Muster Elektro GmbH",
        unique_id=ACCOUNT_ID,
        data={CONF_TOKEN_ID: TOKEN_ID, CONF_TOKEN: TOKEN},
        options=dict(DEFAULT_OPTIONS),
    )


@pytest.fixture
def sipgate_api(aioclient_mock: AiohttpClientMocker) -> AiohttpClientMocker:
    """Sipgate's REST API answering like a healthy account does."""
    aioclient_mock.get(api_url("authorization/userinfo"), json=load_json("userinfo.json"))
    aioclient_mock.get(api_url("account"), json=load_json("account.json"))
    return aioclient_mock


@pytest.fixture
def mock_setup_entry() -> Generator[AsyncMock]:
    """Keep config-flow tests from setting the entry up."""
    with patch("custom_components.sipgate.async_setup_entry", return_value=True) as mock:
        yield mock


@pytest.fixture
async def init_integration(
    hass: HomeAssistant, mock_config_entry: MockConfigEntry, sipgate_api: AiohttpClientMocker
) -> AsyncGenerator[MockConfigEntry]:
    """The sipgate integration, set up with one account."""
    mock_config_entry.add_to_hass(hass)
    await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    yield mock_config_entry
