"""Fixtures shared by the whole suite.

Why one module of this size: the suite's shared fixtures (HTTP mock, client mock, signer, webhook
caller) belong in one conftest, as in Home Assistant core.
"""

import base64
from collections.abc import AsyncGenerator, AsyncIterator, Generator, Iterable
from dataclasses import dataclass
import json
from pathlib import Path
import re
from typing import Any
from unittest.mock import AsyncMock, MagicMock, PropertyMock, create_autospec, patch
from urllib.parse import parse_qsl, urlsplit
from xml.etree import ElementTree

from aiohttp.test_utils import TestClient
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.test_util.aiohttp import AiohttpClientMocker
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator
from syrupy.assertion import SnapshotAssertion

from custom_components.sipgate.api import API_BASE_URL
from custom_components.sipgate.api.account import Account, AccountApi, Balance, User, UserInfo
from custom_components.sipgate.api.calls import CallsApi
from custom_components.sipgate.api.contact_models import Contact
from custom_components.sipgate.api.contacts import ContactsApi, build_number_index
from custom_components.sipgate.api.devices import Device, DevicesApi
from custom_components.sipgate.api.fax import FaxApi
from custom_components.sipgate.api.history import HistoryApi, HistoryEntry
from custom_components.sipgate.api.model import ApiModel
from custom_components.sipgate.api.numbers import NumbersApi, PhoneNumber
from custom_components.sipgate.api.pagination import Page
from custom_components.sipgate.api.phonelines import BlockAnonymous, Forwarding, Phoneline, PhonelinesApi
from custom_components.sipgate.api.sms import SmsApi
from custom_components.sipgate.api.transport import Transport
from custom_components.sipgate.api.voicemails import Voicemail, VoicemailsApi
from custom_components.sipgate.api.webhook_settings import WebhookSettingsApi
from custom_components.sipgate.const import (
    CONF_PUSH_SECRET,
    CONF_TOKEN_ID,
    CONF_WEBHOOK_ID,
    DEFAULT_OPTIONS,
    DOMAIN,
)
from custom_components.sipgate.push_admission import call_token
from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import CONF_TOKEN
from homeassistant.core import HomeAssistant
from homeassistant.core_config import async_process_ha_core_config

from .pinned_snapshots import PinnedSnapshotExtension

FIXTURES = Path(__file__).parent / "fixtures"

TOKEN_ID = "token-FQ1V12"
TOKEN = "e68ead46-a7db-46cd-8a1a-44aed1e4e372"
ACCOUNT_ID = "1234567"
WEBHOOK_ID = "0f3c4a9d6b1e4b2a8c7d5e6f1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b"
TOKEN_QUERY = re.compile(r"\?(gather=[0-9]+&(amp;)?)?token=[A-Za-z0-9_-]+")
# The entry's key for the per-call tokens of follow-up URLs.
PUSH_SECRET = "8d1f0c2b7a6e5d4c3b2a19f8e7d6c5b4a3928176f5e4d3c2b1a0f9e8d7c6b5a4"


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
        data={
            CONF_TOKEN_ID: TOKEN_ID,
            CONF_TOKEN: TOKEN,
            CONF_WEBHOOK_ID: WEBHOOK_ID,
            CONF_PUSH_SECRET: PUSH_SECRET,
        },
        options=dict(DEFAULT_OPTIONS),
    )


# What the account coordinators read, with realistic data: two users, their
# devices and phone lines (with forwardings), numbers, voicemails and a history.
ACCOUNT_ENDPOINTS: dict[str, Any] = {
    "balance": {"amount": 123456, "currency": "EUR"},
    "numbers": "numbers.json",
    "users": "users.json",
    "w0/devices": "devices.json",
    "w1/devices": "devices_w1.json",
    "w0/phonelines": "phonelines.json",
    "w1/phonelines": "phonelines_w1.json",
    "w0/phonelines/p0/forwardings": "forwardings.json",
    "w1/phonelines/p1/forwardings": {"items": []},
    "w0/phonelines/p0/blockanonymous": {"enabled": True, "target": "REJECT"},
    "w1/phonelines/p1/blockanonymous": {"enabled": False, "target": "VOICEMAIL"},
    "history": "history.json",
}


@pytest.fixture
def sipgate_api(aioclient_mock: AiohttpClientMocker) -> AiohttpClientMocker:
    """Sipgate's REST API answering like a healthy account does."""
    aioclient_mock.get(api_url("authorization/userinfo"), json=load_json("userinfo.json"))
    aioclient_mock.get(api_url("account"), json=load_json("account.json"))
    mock_account_endpoints(aioclient_mock)
    return aioclient_mock


def mock_account_endpoints(mock: AiohttpClientMocker, *, skip: tuple[str, ...] = ()) -> None:
    """Answer what the coordinators and the contact cache read (except ``skip``)."""
    for path, fixture in {**ACCOUNT_ENDPOINTS, "contacts": "contacts.json"}.items():
        if path not in skip:
            mock.get(api_url(path), json=load_json(fixture) if isinstance(fixture, str) else fixture)


@pytest.fixture
def mock_sipgate_client() -> Generator[MagicMock]:
    """The API client replaced by an autospec of it, for tests of Home Assistant behaviour.

    Each area of the API is an autospec of its class; ``account`` answers with
    the userinfo and account fixtures. Tests set ``side_effect``/``return_value``
    on the methods they care about; HTTP-level behaviour is tested in tests/api.
    """
    with patch("custom_components.sipgate.api.client.SipgateClient", autospec=True) as client_class:
        client = client_class.return_value
        client.region = "DE"
        client.transport = create_autospec(Transport, instance=True)
        for area, api_class in {
            "account": AccountApi,
            "calls": CallsApi,
            "contacts": ContactsApi,
            "devices": DevicesApi,
            "fax": FaxApi,
            "history": HistoryApi,
            "numbers": NumbersApi,
            "phonelines": PhonelinesApi,
            "sms": SmsApi,
            "voicemails": VoicemailsApi,
            "webhook_settings": WebhookSettingsApi,
        }.items():
            setattr(client, area, create_autospec(api_class, instance=True))
        client.account.get_userinfo.return_value = UserInfo.from_dict(load_json("userinfo.json"))
        client.account.get_account.return_value = Account.from_dict(load_json("account.json"))
        yield client


async def _async_iter[T](items: Iterable[T]) -> AsyncIterator[T]:
    for item in items:
        yield item


def _items[T: ApiModel](fixture: str | dict[str, Any], model: type[T]) -> list[T]:
    data = load_json(fixture) if isinstance(fixture, str) else fixture
    return [model.from_dict(item) for item in data["items"]]


def answer_like_a_healthy_account(client: MagicMock) -> None:
    """Make ``client`` answer every read of set-up with the models of ``ACCOUNT_ENDPOINTS``.

    The same data the HTTP mock serves (``sipgate_api``), as the client would
    return it: balance, numbers, users, each user's devices and phone lines,
    forwardings and anonymous-call blocking, the history, voicemails and the
    contacts (also as the caller-name index). Iterators answer anew each call.
    """
    endpoints = ACCOUNT_ENDPOINTS
    numbers = _items(endpoints["numbers"], PhoneNumber)
    contacts = _items("contacts.json", Contact)
    devices = {user: _items(endpoints[f"{user}/devices"], Device) for user in ("w0", "w1")}
    lines = {user: _items(endpoints[f"{user}/phonelines"], Phoneline) for user in ("w0", "w1")}
    forwardings = {
        ("w0", "p0"): _items(endpoints["w0/phonelines/p0/forwardings"], Forwarding),
        ("w1", "p1"): _items(endpoints["w1/phonelines/p1/forwardings"], Forwarding),
    }
    blocking = {
        ("w0", "p0"): BlockAnonymous.from_dict(endpoints["w0/phonelines/p0/blockanonymous"]),
        ("w1", "p1"): BlockAnonymous.from_dict(endpoints["w1/phonelines/p1/blockanonymous"]),
    }
    history = load_json(endpoints["history"])

    client.account.get_balance.return_value = Balance.from_dict(endpoints["balance"])
    client.account.get_users.return_value = _items(endpoints["users"], User)
    client.numbers.iterate.side_effect = lambda *args, **kwargs: _async_iter(numbers)
    client.devices.get_devices.side_effect = lambda user_id: devices[user_id]
    client.phonelines.get_phonelines.side_effect = lambda user_id: lines[user_id]
    client.phonelines.get_forwardings.side_effect = lambda user_id, line_id: forwardings[(user_id, line_id)]
    client.phonelines.get_block_anonymous.side_effect = lambda user_id, line_id: blocking[(user_id, line_id)]
    client.history.fetch.return_value = Page(
        [HistoryEntry.from_dict(item) for item in history["items"]], history["totalCount"]
    )
    client.voicemails.get_voicemails.return_value = _items("voicemails.json", Voicemail)
    client.contacts.iterate.side_effect = lambda *args, **kwargs: _async_iter(contacts)
    client.contacts.get_all.return_value = contacts
    client.contacts.number_index.return_value = build_number_index(contacts, region=client.region)
    client.calls.get_established.return_value = []
    client.transport.rate_limited_for = 0


@pytest.fixture
async def init_integration_mock_client(
    hass: HomeAssistant, mock_config_entry: MockConfigEntry, mock_sipgate_client: MagicMock
) -> MockConfigEntry:
    """The integration set up with one account whose client is ``mock_sipgate_client``.

    For tests of Home Assistant behaviour: the client answers like a healthy
    account (``answer_like_a_healthy_account``); a test sets ``return_value`` or
    ``side_effect`` on the client methods its action calls and checks how they
    were called. What goes over HTTP is tested in tests/api.
    """
    answer_like_a_healthy_account(mock_sipgate_client)
    mock_config_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    assert mock_config_entry.state is ConfigEntryState.LOADED
    return mock_config_entry


@pytest.fixture
def entity_registry_enabled_by_default() -> Generator[None]:
    """Create every entity enabled, also those disabled by default (for snapshots)."""
    with patch(
        "homeassistant.helpers.entity.Entity.entity_registry_enabled_default",
        new_callable=PropertyMock,
        return_value=True,
    ):
        yield


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


FORM = "application/x-www-form-urlencoded; charset=UTF-8"
EXTERNAL_URL = "https://ha.example.com"
WEBHOOK_URL = f"{EXTERNAL_URL}/api/webhook/{WEBHOOK_ID}"


def tokenless(text: str) -> str:
    """``text`` with the per-call tokens of follow-up URLs taken out."""
    return TOKEN_QUERY.sub("", text)


def call_url(call_id: str, base: str = WEBHOOK_URL, *, gather: int | None = None) -> str:
    """The follow-up URL the integration gives sipgate for a call (``onAnswer``, ``onHangup``).

    With ``gather``: the ``onData`` URL of the call's ``gather``-th Gather.
    """
    token = call_token(bytes.fromhex(PUSH_SECRET), call_id, gather)
    return f"{base}?gather={gather}&token={token}" if gather is not None else f"{base}?token={token}"


def call_path(call_id: str, *, gather: int | None = None) -> str:
    """The path and query of a call's follow-up URL, to post to with the test client."""
    return call_url(call_id, f"/api/webhook/{WEBHOOK_ID}", gather=gather)


def reply_head(call_id: str) -> str:
    """The start of a reply to a push of ``call_id``, up to its action."""
    url = call_url(call_id)
    return f'<?xml version="1.0" encoding="UTF-8"?>\n<Response onAnswer="{url}" onHangup="{url}">'


def default_reply(call_id: str) -> str:
    """The reply to a push of ``call_id`` that nobody answered."""
    url = call_url(call_id)
    return f'<?xml version="1.0" encoding="UTF-8"?>\n<Response onAnswer="{url}" onHangup="{url}" />'


SETTINGS = {"incomingUrl": "https://old.example/in", "outgoingUrl": "", "log": False, "whitelist": None}


@dataclass
class TestSigner:
    """Signs webhook bodies with a key the integration is made to trust in tests."""

    private_key: rsa.RSAPrivateKey

    def sign(self, body: bytes) -> str:
        """The X-Sipgate-Signature value for ``body``."""
        signature = self.private_key.sign(body, padding.PKCS1v15(), hashes.SHA256())
        return base64.b64encode(signature).decode("ascii")


@pytest.fixture(scope="session")
def _rsa_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture
def signer(_rsa_key: rsa.RSAPrivateKey) -> Generator[TestSigner]:
    """Make the integration verify signatures against a test key instead of sipgate's."""
    pem = (
        _rsa_key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    with patch("custom_components.sipgate.SIPGATE_PUBLIC_KEY_PEM", pem):
        yield TestSigner(_rsa_key)


@pytest.fixture
async def external_url(hass: HomeAssistant) -> str:
    """Home Assistant with a public https URL (as sipgate needs)."""
    await async_process_ha_core_config(hass, {"external_url": EXTERNAL_URL})
    return EXTERNAL_URL


@pytest.fixture
def sipgate_settings(sipgate_api: AiohttpClientMocker) -> AiohttpClientMocker:
    """Sipgate's webhook settings, readable and writable."""
    sipgate_api.get(api_url("settings/sipgateio"), json=SETTINGS)
    sipgate_api.put(api_url("settings/sipgateio"), status=204)
    return sipgate_api


@pytest.fixture
async def webhook_integration(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    external_url: str,
    sipgate_settings: AiohttpClientMocker,
    signer: TestSigner,
) -> MockConfigEntry:
    """The integration with a public URL, signatures checked against the test key."""
    mock_config_entry.add_to_hass(hass)
    await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    return mock_config_entry


class WebhookCaller:
    """Posts signed pushes to the integration's webhook, as sipgate does.

    Like sipgate, it sends a call's follow-ups (``answer``, ``hangup``,
    ``dtmf``) to the URLs the replies named (``onAnswer``, ``onHangup``,
    ``onData``), which carry the call's token; ``url`` overrides that.
    The reply texts it returns have the tokens taken out (``?token=…``), so
    tests of the reply's action compare with the plain webhook URL; the reply
    exactly as sent is in :attr:`last_reply` (the token tests read it).
    """

    def __init__(self, client: TestClient, signer: TestSigner) -> None:
        """Post through ``client``, signing with ``signer``."""
        self._client = client
        self._signer = signer
        # call id → wire event → the URL the integration asked for
        self.follow_ups: dict[str, dict[str, str]] = {}
        self.last_reply = ""

    def follow_up_url(self, call_id: str, event: str) -> str | None:
        """The URL a reply named for ``event`` of ``call_id`` (path and query), if any."""
        if (url := self.follow_ups.get(call_id, {}).get(event)) is None:
            return None
        parts = urlsplit(url)
        return f"{parts.path}?{parts.query}" if parts.query else parts.path

    async def post(
        self,
        body: str | bytes,
        *,
        sign: bool = True,
        signature: str | None = None,
        content_type: str = FORM,
        url: str | None = None,
    ) -> tuple[int, str, str]:
        """Post ``body``; return status, content type and text of the reply."""
        raw = body.encode() if isinstance(body, str) else body
        headers = {"Content-Type": content_type}
        if signature is not None:
            headers["X-Sipgate-Signature"] = signature
        elif sign:
            headers["X-Sipgate-Signature"] = self._signer.sign(raw)
        fields = dict(parse_qsl(raw.decode("utf-8", "replace"), keep_blank_values=True))
        call_id, event = fields.get("callId", ""), fields.get("event", "")
        if url is None:
            url = self.follow_up_url(call_id, event) or f"/api/webhook/{WEBHOOK_ID}"
        response = await self._client.post(url, data=raw, headers=headers)
        text = self.last_reply = await response.text()
        if response.status == 200 and text.startswith("<?xml"):
            self._remember(call_id, text)
        return response.status, response.content_type, tokenless(text)

    def _remember(self, call_id: str, reply: str) -> None:
        root = ElementTree.fromstring(reply)  # noqa: S314 - the integration's own reply
        urls = self.follow_ups.setdefault(call_id, {})
        for event, attribute in (("answer", "onAnswer"), ("hangup", "onHangup")):
            if value := root.get(attribute):
                urls[event] = value
        if (gather := root.find("Gather")) is not None and (on_data := gather.get("onData")):
            urls["dtmf"] = on_data


@pytest.fixture
async def push(
    hass_client_no_auth: ClientSessionGenerator, signer: TestSigner, webhook_integration: MockConfigEntry
) -> WebhookCaller:
    """Send pushes to the set-up integration."""
    return WebhookCaller(await hass_client_no_auth(), signer)


def sent_requests(mock: AiohttpClientMocker) -> list[tuple[str, str, list[tuple[str, str]], Any]]:
    """The sipgate requests made so far: method, path below /v2, query pairs, decoded JSON body."""
    requests = []
    for method, url, data, _headers in mock.mock_calls:
        path = url.path.removeprefix("/v2")
        body = json.loads(data) if data else None
        requests.append((method.upper(), path, list(url.query.items()), body))
    return requests


def assert_valid_against_spec(mock: AiohttpClientMocker) -> None:
    """Every request sent to sipgate matches sipgate's REST spec (path, method, query, body)."""
    from .api.openapi import validate_request

    for method, url, data, headers in mock.mock_calls:
        if url.host != "api.sipgate.com":
            continue
        validate_request(
            method.upper(),
            url.path.removeprefix("/v2"),
            list(url.query.items()),
            {"Content-Type": "application/json", **(headers or {})},
            data or b"",
        )
