"""Development only: pointing the integration at a local sipgate stand-in (client_factory.py)."""

from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.test_util.aiohttp import AiohttpClientMocker
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.sipgate.client_factory import (
    ENV_API_URL,
    ENV_WEBHOOK_PUBLIC_KEY_FILE,
    api_base_url,
    webhook_public_key,
)
from custom_components.sipgate.const import CONF_TOKEN_ID, DOMAIN
from homeassistant.config_entries import SOURCE_USER, ConfigEntryState
from homeassistant.const import CONF_TOKEN
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType

from .conftest import (
    ACCOUNT_ENDPOINTS,
    SETTINGS,
    TOKEN,
    TOKEN_ID,
    TestSigner as KeySigner,
    WebhookCaller,
    load_json,
)

STANDIN_URL = "http://127.0.0.1:8124/v2"
NEW_CALL = (
    "event=newCall&from=4915799912345&to=4921112345671&direction=in&callId=CALL0001&user%5B%5D=Anna+Muster"
)


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every test starts without the development variables."""
    monkeypatch.delenv(ENV_API_URL, raising=False)
    monkeypatch.delenv(ENV_WEBHOOK_PUBLIC_KEY_FILE, raising=False)


@pytest.fixture(scope="module")
def development_key() -> rsa.RSAPrivateKey:
    """The key a stand-in signs its pushes with."""
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture
def key_file(tmp_path: Path, development_key: rsa.RSAPrivateKey) -> Path:
    """The stand-in's public key as a PEM file."""
    path = tmp_path / "standin-public-key.pem"
    path.write_bytes(
        development_key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    )
    return path


def _mock_standin(mock: AiohttpClientMocker) -> None:
    """The stand-in's REST API answering like the account fixtures."""
    mock.get(f"{STANDIN_URL}/authorization/userinfo", json=load_json("userinfo.json"))
    mock.get(f"{STANDIN_URL}/account", json=load_json("account.json"))
    for path, fixture in {**ACCOUNT_ENDPOINTS, "contacts": "contacts.json"}.items():
        mock.get(f"{STANDIN_URL}/{path}", json=load_json(fixture) if isinstance(fixture, str) else fixture)
    mock.get(f"{STANDIN_URL}/settings/sipgateio", json=SETTINGS)
    mock.put(f"{STANDIN_URL}/settings/sipgateio", status=204)


@pytest.mark.parametrize("value", [None, "", "   "])
def test_no_api_url_by_default(monkeypatch: pytest.MonkeyPatch, value: str | None) -> None:
    """Unset or blank: sipgate's own API."""
    if value is not None:
        monkeypatch.setenv(ENV_API_URL, value)
    assert api_base_url() is None


def test_api_url_is_read_at_call_time(monkeypatch: pytest.MonkeyPatch) -> None:
    """The variable is read on every call; a trailing slash is dropped."""
    monkeypatch.setenv(ENV_API_URL, f" {STANDIN_URL}/ ")
    assert api_base_url() == STANDIN_URL
    monkeypatch.delenv(ENV_API_URL)
    assert api_base_url() is None


def test_key_file_alone_is_ignored(
    monkeypatch: pytest.MonkeyPatch, key_file: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """Without SIPGATE_API_URL the key file is never trusted."""
    monkeypatch.setenv(ENV_WEBHOOK_PUBLIC_KEY_FILE, str(key_file))
    assert webhook_public_key() is None
    assert "honoured only together with SIPGATE_API_URL" in caplog.text


def test_api_url_alone_keeps_sipgates_key(monkeypatch: pytest.MonkeyPatch) -> None:
    """The stand-in's URL without a key file: no key of its own."""
    monkeypatch.setenv(ENV_API_URL, STANDIN_URL)
    assert webhook_public_key() is None


def test_key_file_with_api_url(monkeypatch: pytest.MonkeyPatch, key_file: Path) -> None:
    """Both set: the file's PEM."""
    monkeypatch.setenv(ENV_API_URL, STANDIN_URL)
    monkeypatch.setenv(ENV_WEBHOOK_PUBLIC_KEY_FILE, str(key_file))
    assert webhook_public_key() == key_file.read_text(encoding="ascii")


@pytest.mark.parametrize("content", [None, b"not a key", "ü".encode()])
def test_unusable_key_file_is_ignored(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, caplog: pytest.LogCaptureFixture, content: bytes | None
) -> None:
    """A missing file, one without a PEM key or one that is not text: logged, sipgate's key stays."""
    path = tmp_path / "key.pem"
    if content is not None:
        path.write_bytes(content)
    monkeypatch.setenv(ENV_API_URL, STANDIN_URL)
    monkeypatch.setenv(ENV_WEBHOOK_PUBLIC_KEY_FILE, str(path))
    assert webhook_public_key() is None
    assert "Cannot use the webhook public key" in caplog.text


async def test_setup_talks_to_the_configured_api(
    hass: HomeAssistant,
    monkeypatch: pytest.MonkeyPatch,
    mock_config_entry: MockConfigEntry,
    aioclient_mock: AiohttpClientMocker,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """With SIPGATE_API_URL every request goes there, and a warning says so once."""
    monkeypatch.setenv(ENV_API_URL, STANDIN_URL)
    _mock_standin(aioclient_mock)
    mock_config_entry.add_to_hass(hass)

    await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()

    assert mock_config_entry.state is ConfigEntryState.LOADED
    assert aioclient_mock.mock_calls
    assert {str(url).rsplit("/v2/", 1)[0] for _, url, _, _ in aioclient_mock.mock_calls} == {
        "http://127.0.0.1:8124"
    }
    warnings = [r for r in caplog.records if r.levelname == "WARNING" and STANDIN_URL in r.getMessage()]
    assert len(warnings) == 1
    assert "not to sipgate" in warnings[0].getMessage()


async def test_no_warning_without_the_variable(
    hass: HomeAssistant, init_integration: MockConfigEntry, caplog: pytest.LogCaptureFixture
) -> None:
    """A normal installation logs nothing about development settings."""
    assert init_integration.state is ConfigEntryState.LOADED
    assert ENV_API_URL not in caplog.text


@pytest.mark.usefixtures("external_url")
async def test_development_key_replaces_sipgates_key(
    hass: HomeAssistant,
    monkeypatch: pytest.MonkeyPatch,
    mock_config_entry: MockConfigEntry,
    aioclient_mock: AiohttpClientMocker,
    hass_client_no_auth: ClientSessionGenerator,
    key_file: Path,
    development_key: rsa.RSAPrivateKey,
    signer: KeySigner,
) -> None:
    """Pointed at the stand-in, pushes signed with its key are accepted, others are not."""
    monkeypatch.setenv(ENV_API_URL, STANDIN_URL)
    monkeypatch.setenv(ENV_WEBHOOK_PUBLIC_KEY_FILE, str(key_file))
    _mock_standin(aioclient_mock)
    mock_config_entry.add_to_hass(hass)
    await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    client = await hass_client_no_auth()

    status, content_type, _ = await WebhookCaller(client, KeySigner(development_key)).post(NEW_CALL)
    assert (status, content_type) == (200, "application/xml")
    # The key the integration trusts otherwise (patched in by ``signer``) no longer is.
    assert (await WebhookCaller(client, signer).post(NEW_CALL))[0] == 403


@pytest.mark.usefixtures("external_url", "sipgate_settings")
async def test_key_file_without_api_url_is_not_trusted(
    hass: HomeAssistant,
    monkeypatch: pytest.MonkeyPatch,
    mock_config_entry: MockConfigEntry,
    hass_client_no_auth: ClientSessionGenerator,
    key_file: Path,
    development_key: rsa.RSAPrivateKey,
    signer: KeySigner,
) -> None:
    """A key file alone changes nothing: the stand-in's pushes are refused."""
    monkeypatch.setenv(ENV_WEBHOOK_PUBLIC_KEY_FILE, str(key_file))
    mock_config_entry.add_to_hass(hass)
    await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    client = await hass_client_no_auth()

    assert (await WebhookCaller(client, KeySigner(development_key)).post(NEW_CALL))[0] == 403
    assert (await WebhookCaller(client, signer).post(NEW_CALL))[0] == 200


@pytest.mark.usefixtures("mock_setup_entry")
async def test_config_flow_checks_the_token_at_the_configured_api(
    hass: HomeAssistant, monkeypatch: pytest.MonkeyPatch, aioclient_mock: AiohttpClientMocker
) -> None:
    """The config flow asks the stand-in, not sipgate, who the token belongs to."""
    monkeypatch.setenv(ENV_API_URL, STANDIN_URL)
    _mock_standin(aioclient_mock)
    result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})

    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_TOKEN_ID: TOKEN_ID, CONF_TOKEN: TOKEN}
    )

    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["title"] == "sipgate Muster Elektro GmbH"
    assert all(str(url).startswith(STANDIN_URL) for _, url, _, _ in aioclient_mock.mock_calls)
