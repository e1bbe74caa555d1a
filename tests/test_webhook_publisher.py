"""Publishing the webhook (webhook_publisher.py): where sipgate reaches it, and pointing the account there.

sipgate's ``settings/sipgateio`` is modelled as state: GET reads it, PUT
replaces it, so a reload or a removal sees what an earlier setup wrote.
Home Assistant Cloud cannot be imported in the test environment; a stand-in
module with the functions the integration uses takes its place.

Why one module of this size: publishing is one lifecycle (URL, cloudhook, sipgate's settings,
repairs, removal) over one modelled settings state.
"""

from collections.abc import Generator
from http import HTTPStatus
import json
import logging
import sys
from types import ModuleType
from typing import Any
from unittest.mock import AsyncMock, Mock, patch

import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.test_util.aiohttp import (
    AiohttpClientMocker,
    AiohttpClientMockResponse,
)
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator
from yarl import URL

from custom_components.sipgate.const import (
    CONF_CLOUDHOOK_URL,
    CONF_MANAGE_WEBHOOK_URLS,
    CONF_PREVIOUS_WEBHOOK_URLS,
    CONF_REGENERATE_WEBHOOK,
    CONF_WEBHOOK_ID,
    DEFAULT_OPTIONS,
    DOMAIN,
)
from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import EVENT_HOMEASSISTANT_STARTED
from homeassistant.core import CoreState, HomeAssistant
from homeassistant.core_config import async_process_ha_core_config
from homeassistant.helpers import issue_registry as ir

from .conftest import EXTERNAL_URL, WEBHOOK_ID, WEBHOOK_URL, TestSigner as Signer, WebhookCaller, api_url

SETTINGS_URL = api_url("settings/sipgateio")
OLD_SETTINGS = {
    "incomingUrl": "https://old.example/in",
    "outgoingUrl": "",
    "log": True,
    "whitelist": ["p0", "g1"],
}
CLOUDHOOK_URL = "https://hooks.nabu.casa/sipgate-test-cloudhook"
NEW_CALL = "event=newCall&from=4915799912345&to=4921112345671&direction=in&callId=C1"


class SipgateSettings:
    """sipgate's webhook settings of the account: what GET answers and PUT changes."""

    def __init__(self, aioclient_mock: AiohttpClientMocker, settings: dict[str, Any]) -> None:
        """Answer ``settings/sipgateio`` from ``settings``."""
        self._mock = aioclient_mock
        self.current = dict(settings)
        self.error: HTTPStatus | None = None
        aioclient_mock.get(SETTINGS_URL, side_effect=self._get)
        aioclient_mock.put(SETTINGS_URL, side_effect=self._put)

    async def _get(self, method: str, url: URL, data: Any) -> AiohttpClientMockResponse:
        if self.error is not None:
            return AiohttpClientMockResponse(method, url, status=self.error, json={"message": "nope"})
        return AiohttpClientMockResponse(method, url, json=self.current)

    async def _put(self, method: str, url: URL, data: bytes) -> AiohttpClientMockResponse:
        self.current = json.loads(data)
        return AiohttpClientMockResponse(method, url, status=HTTPStatus.NO_CONTENT)

    def requests(self) -> list[str]:
        """The methods of every request sent to settings/sipgateio, in order."""
        return [method.upper() for method, url, _, _ in self._mock.mock_calls if str(url) == SETTINGS_URL]

    def puts(self) -> list[dict[str, Any]]:
        """The bodies of every PUT to settings/sipgateio, in order."""
        return [
            json.loads(data)
            for method, url, data, _ in self._mock.mock_calls
            if method.upper() == "PUT" and str(url) == SETTINGS_URL
        ]


@pytest.fixture
def settings(sipgate_api: AiohttpClientMocker) -> SipgateSettings:
    """The account's webhook settings, pointing somewhere else at first."""
    return SipgateSettings(sipgate_api, OLD_SETTINGS)


class CloudNotAvailable(Exception):  # noqa: N818 - Home Assistant Cloud's name
    """Home Assistant Cloud's ``CloudNotAvailable``."""


class CloudNotConnected(Exception):  # noqa: N818 - Home Assistant Cloud's name
    """Home Assistant Cloud's ``CloudNotConnected``."""


@pytest.fixture
def cloud(hass: HomeAssistant) -> Generator[ModuleType]:
    """Home Assistant Cloud, loaded, subscribed and connected (a stand-in module)."""
    module = ModuleType("homeassistant.components.cloud")
    module.CloudNotAvailable = CloudNotAvailable  # type: ignore[attr-defined]
    module.CloudNotConnected = CloudNotConnected  # type: ignore[attr-defined]
    module.async_active_subscription = Mock(return_value=True)  # type: ignore[attr-defined]
    module.async_is_connected = Mock(return_value=True)  # type: ignore[attr-defined]
    module.async_create_cloudhook = AsyncMock(return_value=CLOUDHOOK_URL)  # type: ignore[attr-defined]
    module.async_delete_cloudhook = AsyncMock(return_value=None)  # type: ignore[attr-defined]
    hass.config.components.add("cloud")
    with patch.dict(sys.modules, {"homeassistant.components.cloud": module}):
        yield module
    if "cloud" in hass.config.components:
        hass.config.components.remove("cloud")


async def setup(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    """Add ``entry`` (if new) and set it up."""
    if hass.config_entries.async_get_entry(entry.entry_id) is None:
        entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()


async def reload(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    """Reload ``entry``."""
    assert await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()


def issues(issue_registry: ir.IssueRegistry) -> dict[str, ir.IssueEntry]:
    """The integration's repair issues by translation key."""
    return {
        issue.translation_key: issue
        for issue in issue_registry.issues.values()
        if issue.domain == DOMAIN and issue.translation_key
    }


# --- the external URL -------------------------------------------------------------------------


@pytest.mark.usefixtures("external_url")
async def test_sipgate_is_pointed_to_the_external_url(
    hass: HomeAssistant, mock_config_entry: MockConfigEntry, settings: SipgateSettings
) -> None:
    """Both URLs are set to the webhook, log and whitelist stay, the old URLs are remembered."""
    await setup(hass, mock_config_entry)

    assert settings.requests() == ["GET", "GET", "PUT"]  # read, then read-modify-write
    assert settings.puts() == [
        {"incomingUrl": WEBHOOK_URL, "outgoingUrl": WEBHOOK_URL, "log": True, "whitelist": ["p0", "g1"]}
    ]
    assert mock_config_entry.data[CONF_PREVIOUS_WEBHOOK_URLS] == {
        "incoming_url": "https://old.example/in",
        "outgoing_url": "",
    }
    assert CONF_CLOUDHOOK_URL not in mock_config_entry.data


@pytest.mark.usefixtures("external_url")
async def test_a_reload_leaves_settings_that_point_here_alone(
    hass: HomeAssistant, mock_config_entry: MockConfigEntry, settings: SipgateSettings
) -> None:
    """The second setup finds sipgate pointing here: one GET, no PUT; the first old URLs stay remembered."""
    await setup(hass, mock_config_entry)
    await reload(hass, mock_config_entry)

    assert settings.requests() == ["GET", "GET", "PUT", "GET"]
    assert mock_config_entry.data[CONF_PREVIOUS_WEBHOOK_URLS]["incoming_url"] == "https://old.example/in"


@pytest.mark.usefixtures("external_url")
async def test_urls_are_set_once_home_assistant_has_started(
    hass: HomeAssistant, mock_config_entry: MockConfigEntry, settings: SipgateSettings
) -> None:
    """During start-up nothing is sent to sipgate; the webhook URLs are set once Home Assistant runs."""
    hass.set_state(CoreState.not_running)
    await setup(hass, mock_config_entry)
    assert settings.requests() == []

    hass.bus.async_fire(EVENT_HOMEASSISTANT_STARTED)
    await hass.async_block_till_done()
    assert settings.current["incomingUrl"] == WEBHOOK_URL


# --- removing the entry -----------------------------------------------------------------------


@pytest.mark.usefixtures("external_url")
async def test_removal_restores_the_previous_urls(
    hass: HomeAssistant, mock_config_entry: MockConfigEntry, settings: SipgateSettings
) -> None:
    """Removing the account puts sipgate's old URLs back, keeping log and whitelist."""
    await setup(hass, mock_config_entry)

    await hass.config_entries.async_remove(mock_config_entry.entry_id)
    await hass.async_block_till_done()

    assert settings.current == OLD_SETTINGS
    assert settings.puts()[-1] == OLD_SETTINGS


@pytest.mark.usefixtures("external_url")
async def test_removal_keeps_urls_the_user_changed(
    hass: HomeAssistant, mock_config_entry: MockConfigEntry, settings: SipgateSettings
) -> None:
    """URLs that no longer point here are the user's: removal leaves them alone."""
    await setup(hass, mock_config_entry)
    settings.current = {**settings.current, "incomingUrl": "https://mine.example/in", "outgoingUrl": ""}
    put_count = len(settings.puts())

    await hass.config_entries.async_remove(mock_config_entry.entry_id)
    await hass.async_block_till_done()

    assert len(settings.puts()) == put_count
    assert settings.current["incomingUrl"] == "https://mine.example/in"


@pytest.mark.usefixtures("external_url")
async def test_removal_restores_only_the_url_that_still_points_here(
    hass: HomeAssistant, mock_config_entry: MockConfigEntry, settings: SipgateSettings
) -> None:
    """Incoming still points here, outgoing was changed: only incoming is put back."""
    await setup(hass, mock_config_entry)
    settings.current = {**settings.current, "outgoingUrl": "https://mine.example/out"}

    await hass.config_entries.async_remove(mock_config_entry.entry_id)
    await hass.async_block_till_done()

    assert settings.current == {**OLD_SETTINGS, "outgoingUrl": "https://mine.example/out"}


@pytest.mark.usefixtures("external_url")
async def test_removal_without_remembered_urls_sends_nothing(
    hass: HomeAssistant, mock_config_entry: MockConfigEntry, settings: SipgateSettings
) -> None:
    """Sipgate pointed here from the start: there is nothing to put back."""
    settings.current = {**OLD_SETTINGS, "incomingUrl": WEBHOOK_URL, "outgoingUrl": WEBHOOK_URL}
    await setup(hass, mock_config_entry)
    assert CONF_PREVIOUS_WEBHOOK_URLS not in mock_config_entry.data

    await hass.config_entries.async_remove(mock_config_entry.entry_id)
    await hass.async_block_till_done()

    assert settings.requests() == ["GET"]


@pytest.mark.usefixtures("external_url")
async def test_removal_survives_a_sipgate_error(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    settings: SipgateSettings,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Sipgate fails while the URLs are put back: the entry is removed anyway, with a warning."""
    await setup(hass, mock_config_entry)
    settings.error = HTTPStatus.INTERNAL_SERVER_ERROR

    await hass.config_entries.async_remove(mock_config_entry.entry_id)
    await hass.async_block_till_done()

    assert hass.config_entries.async_entries(DOMAIN) == []
    assert "Could not restore the previous webhook URLs" in caplog.text


# --- Home Assistant Cloud ---------------------------------------------------------------------


@pytest.mark.usefixtures("external_url")
async def test_cloudhook_is_created_once_and_used(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    settings: SipgateSettings,
    cloud: ModuleType,
    hass_client_no_auth: ClientSessionGenerator,
    signer: Signer,
) -> None:
    """With a cloud subscription the cloudhook is the URL: stored, put at sipgate, used in replies."""
    await setup(hass, mock_config_entry)

    cloud.async_create_cloudhook.assert_awaited_once_with(hass, WEBHOOK_ID)
    assert mock_config_entry.data[CONF_CLOUDHOOK_URL] == CLOUDHOOK_URL
    assert settings.puts()[-1]["incomingUrl"] == CLOUDHOOK_URL
    assert settings.puts()[-1]["outgoingUrl"] == CLOUDHOOK_URL

    push = WebhookCaller(await hass_client_no_auth(), signer)
    status, _, text = await push.post(NEW_CALL)
    assert status == 200
    assert f'onAnswer="{CLOUDHOOK_URL}" onHangup="{CLOUDHOOK_URL}"' in text

    await reload(hass, mock_config_entry)
    cloud.async_create_cloudhook.assert_awaited_once()
    assert mock_config_entry.runtime_data.webhook.publisher.url_kind == "cloudhook"
    assert len(settings.puts()) == 1


@pytest.mark.usefixtures("external_url")
async def test_removal_deletes_the_cloudhook_and_restores_the_urls(
    hass: HomeAssistant, mock_config_entry: MockConfigEntry, settings: SipgateSettings, cloud: ModuleType
) -> None:
    """Removing the account deletes its cloudhook and gives sipgate its old URLs back."""
    await setup(hass, mock_config_entry)

    await hass.config_entries.async_remove(mock_config_entry.entry_id)
    await hass.async_block_till_done()

    cloud.async_delete_cloudhook.assert_awaited_once_with(hass, WEBHOOK_ID)
    assert settings.current == OLD_SETTINGS


@pytest.mark.parametrize("error", [CloudNotAvailable, ValueError])
@pytest.mark.usefixtures("external_url", "settings")
async def test_removal_when_the_cloudhook_cannot_be_deleted(
    hass: HomeAssistant, mock_config_entry: MockConfigEntry, cloud: ModuleType, error: type[Exception]
) -> None:
    """A cloud that is gone, or no cloudhook to delete, does not stop the removal."""
    cloud.async_delete_cloudhook.side_effect = error
    await setup(hass, mock_config_entry)

    await hass.config_entries.async_remove(mock_config_entry.entry_id)
    await hass.async_block_till_done()

    assert hass.config_entries.async_entries(DOMAIN) == []


@pytest.mark.usefixtures("external_url", "settings")
async def test_removal_without_cloud_deletes_no_cloudhook(
    hass: HomeAssistant, mock_config_entry: MockConfigEntry, cloud: ModuleType
) -> None:
    """Home Assistant Cloud not loaded: nothing is asked of it."""
    hass.config.components.remove("cloud")
    await setup(hass, mock_config_entry)

    await hass.config_entries.async_remove(mock_config_entry.entry_id)
    await hass.async_block_till_done()

    cloud.async_active_subscription.assert_not_called()
    cloud.async_delete_cloudhook.assert_not_awaited()


@pytest.mark.usefixtures("external_url")
async def test_stored_cloudhook_is_used_while_the_cloud_is_disconnected(
    hass: HomeAssistant, mock_config_entry: MockConfigEntry, settings: SipgateSettings, cloud: ModuleType
) -> None:
    """A cloudhook created earlier stays the URL even when the cloud is offline right now."""
    cloud.async_is_connected.return_value = False
    mock_config_entry.add_to_hass(hass)
    hass.config_entries.async_update_entry(
        mock_config_entry, data={**mock_config_entry.data, CONF_CLOUDHOOK_URL: CLOUDHOOK_URL}
    )
    await setup(hass, mock_config_entry)

    cloud.async_create_cloudhook.assert_not_awaited()
    assert settings.current["incomingUrl"] == CLOUDHOOK_URL


@pytest.mark.parametrize(
    "cloud_state",
    [
        pytest.param({"subscribed": False}, id="not-subscribed"),
        pytest.param({"connected": False}, id="not-connected"),
        pytest.param({"create_error": CloudNotConnected}, id="create-not-connected"),
        pytest.param({"create_error": CloudNotAvailable}, id="create-not-available"),
    ],
)
@pytest.mark.usefixtures("external_url")
async def test_without_a_usable_cloud_the_external_url_is_used(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    settings: SipgateSettings,
    cloud: ModuleType,
    cloud_state: dict[str, Any],
) -> None:
    """No subscription, offline, or the cloudhook cannot be made: the external URL serves."""
    cloud.async_active_subscription.return_value = cloud_state.get("subscribed", True)
    cloud.async_is_connected.return_value = cloud_state.get("connected", True)
    cloud.async_create_cloudhook.side_effect = cloud_state.get("create_error")

    await setup(hass, mock_config_entry)

    assert CONF_CLOUDHOOK_URL not in mock_config_entry.data
    assert settings.current["incomingUrl"] == WEBHOOK_URL
    assert mock_config_entry.runtime_data.webhook.publisher.url_kind == "external"


# --- no public URL ----------------------------------------------------------------------------


async def test_no_public_url_raises_a_repair_issue_until_there_is_one(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    settings: SipgateSettings,
    issue_registry: ir.IssueRegistry,
) -> None:
    """Neither external URL nor cloud: a repair issue, sipgate is not touched; a URL and a reload fix it."""
    await setup(hass, mock_config_entry)

    issue = issues(issue_registry)["no_public_url"]
    assert issue.severity is ir.IssueSeverity.ERROR
    assert issue.translation_placeholders == {"account": mock_config_entry.title}
    assert settings.requests() == []
    assert mock_config_entry.runtime_data.webhook.publisher.url_kind is None

    await async_process_ha_core_config(hass, {"external_url": EXTERNAL_URL})
    await reload(hass, mock_config_entry)

    assert "no_public_url" not in issues(issue_registry)
    assert settings.current["incomingUrl"] == WEBHOOK_URL


async def test_an_internal_url_is_not_public(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    settings: SipgateSettings,
    issue_registry: ir.IssueRegistry,
) -> None:
    """Sipgate cannot reach an internal URL: it is never offered."""
    await async_process_ha_core_config(hass, {"internal_url": "http://192.168.1.10:8123"})
    await setup(hass, mock_config_entry)

    assert "no_public_url" in issues(issue_registry)
    assert settings.requests() == []


# --- sipgate refuses or fails -----------------------------------------------------------------


@pytest.mark.usefixtures("external_url")
async def test_forbidden_settings_raise_an_issue_with_the_url_to_paste(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    settings: SipgateSettings,
    issue_registry: ir.IssueRegistry,
) -> None:
    """Without the settings scope the user is shown the URL to enter by hand; once allowed, it goes."""
    settings.error = HTTPStatus.FORBIDDEN
    await setup(hass, mock_config_entry)

    issue = issues(issue_registry)["webhook_settings_forbidden"]
    assert issue.severity is ir.IssueSeverity.WARNING
    assert issue.translation_placeholders == {
        "account": mock_config_entry.title,
        "url": WEBHOOK_URL,
        "scope": "settings:sipgateio:read",
    }
    assert settings.puts() == []
    assert mock_config_entry.state is ConfigEntryState.LOADED

    settings.error = None
    await reload(hass, mock_config_entry)
    assert "webhook_settings_forbidden" not in issues(issue_registry)
    assert settings.current["incomingUrl"] == WEBHOOK_URL


@pytest.mark.usefixtures("external_url")
async def test_other_sipgate_errors_only_log(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    settings: SipgateSettings,
    issue_registry: ir.IssueRegistry,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A server error is logged as a warning; no repair issue, the entry works."""
    settings.error = HTTPStatus.INTERNAL_SERVER_ERROR
    with caplog.at_level(logging.WARNING):
        await setup(hass, mock_config_entry)

    assert "Could not set the webhook URLs of sipgate Muster Elektro GmbH" in caplog.text
    assert issues(issue_registry) == {}
    assert settings.puts() == []
    assert mock_config_entry.state is ConfigEntryState.LOADED


@pytest.mark.usefixtures("external_url")
async def test_unmanaged_urls_are_not_touched(
    hass: HomeAssistant, mock_config_entry: MockConfigEntry, settings: SipgateSettings
) -> None:
    """manage_webhook_urls off: sipgate's settings are neither read nor written."""
    mock_config_entry.add_to_hass(hass)
    hass.config_entries.async_update_entry(
        mock_config_entry, options={**DEFAULT_OPTIONS, CONF_MANAGE_WEBHOOK_URLS: False}
    )
    await setup(hass, mock_config_entry)

    assert settings.requests() == []
    assert mock_config_entry.runtime_data.webhook.publisher.url_kind == "external"


@pytest.mark.usefixtures("external_url")
async def test_turning_management_off_clears_the_forbidden_issue(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    settings: SipgateSettings,
    issue_registry: ir.IssueRegistry,
) -> None:
    """The user entered the URL by hand and stopped the integration managing it: the issue has done its job."""
    settings.error = HTTPStatus.FORBIDDEN
    await setup(hass, mock_config_entry)
    assert "webhook_settings_forbidden" in issues(issue_registry)

    hass.config_entries.async_update_entry(
        mock_config_entry, options={**DEFAULT_OPTIONS, CONF_MANAGE_WEBHOOK_URLS: False}
    )
    await reload(hass, mock_config_entry)

    assert "webhook_settings_forbidden" not in issues(issue_registry)


@pytest.mark.usefixtures("external_url")
async def test_urls_set_by_hand_are_shown_until_sipgate_pushes_to_them(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    settings: SipgateSettings,
    issue_registry: ir.IssueRegistry,
    hass_client_no_auth: ClientSessionGenerator,
    signer: Signer,
) -> None:
    """manage_webhook_urls off: a repair issue shows the URL to enter until the first push arrives on it.

    After a new webhook address (a leak) it shows the new URL again.
    """
    mock_config_entry.add_to_hass(hass)
    hass.config_entries.async_update_entry(
        mock_config_entry, options={**DEFAULT_OPTIONS, CONF_MANAGE_WEBHOOK_URLS: False}
    )
    await setup(hass, mock_config_entry)
    issue = issues(issue_registry)["webhook_url_by_hand"]
    assert issue.translation_placeholders == {
        "account": "sipgate Muster Elektro GmbH",
        "url": WEBHOOK_URL,
    }

    push = WebhookCaller(await hass_client_no_auth(), signer)
    assert (await push.post(NEW_CALL))[0] == 200
    assert "webhook_url_by_hand" not in issues(issue_registry)
    await reload(hass, mock_config_entry)
    assert "webhook_url_by_hand" not in issues(issue_registry)

    result = await hass.config_entries.options.async_init(mock_config_entry.entry_id)
    await hass.config_entries.options.async_configure(
        result["flow_id"],
        {**DEFAULT_OPTIONS, CONF_MANAGE_WEBHOOK_URLS: False, CONF_REGENERATE_WEBHOOK: True},
    )
    await hass.async_block_till_done()
    new_url = f"{EXTERNAL_URL}/api/webhook/{mock_config_entry.data[CONF_WEBHOOK_ID]}"
    assert new_url != WEBHOOK_URL
    assert issues(issue_registry)["webhook_url_by_hand"].translation_placeholders["url"] == new_url
    assert settings.requests() == []

    # Management on again: the integration points sipgate to the URL itself.
    hass.config_entries.async_update_entry(mock_config_entry, options=DEFAULT_OPTIONS)
    await reload(hass, mock_config_entry)
    assert "webhook_url_by_hand" not in issues(issue_registry)
