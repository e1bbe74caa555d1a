"""Fixtures for the sipgate stand-in's tests: the stand-in on 127.0.0.1 and a tiny webhook receiver."""

import asyncio
import base64
from collections.abc import AsyncGenerator, Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import ClientSession, web
from aiohttp.test_utils import TestServer
import pytest

from custom_components.sipgate.api.push_events import AnswerEvent, NewCallEvent, PushEvent, parse_push_event
from custom_components.sipgate.api.push_signature import SIGNATURE_HEADER, SignatureVerifier
from standin import DEFAULT_TOKEN, DEFAULT_TOKEN_ID, PushSigner, StandIn


def basic_auth(token_id: str, token: str) -> dict[str, str]:
    """HTTP Basic credentials as a header."""
    return {"Authorization": "Basic " + base64.b64encode(f"{token_id}:{token}".encode()).decode()}


AUTH = basic_auth(DEFAULT_TOKEN_ID, DEFAULT_TOKEN)

type ReplyFor = Callable[[PushEvent, str], bytes]


@pytest.fixture(scope="session")
def push_signer() -> PushSigner:
    """One key for every stand-in of the session (generating keys is slow)."""
    return PushSigner()


@pytest.fixture
async def standin(socket_enabled: None, push_signer: PushSigner) -> AsyncGenerator[StandIn]:
    """The stand-in on a free loopback port, stopped after the test."""
    async with StandIn(signer=push_signer, push_timeout=5.0) as running:
        yield running


@pytest.fixture
async def http(socket_enabled: None) -> AsyncGenerator[ClientSession]:
    """A plain HTTP session for talking to the stand-in and the webhook receiver."""
    async with ClientSession() as session:
        yield session


async def call_api(
    http: ClientSession, standin: StandIn, method: str, path: str, *, json: Any = None, **kwargs: Any
) -> tuple[int, Any]:
    """One authenticated REST request to the stand-in; status and decoded body (JSON, text or None)."""
    async with http.request(
        method, f"{standin.base_url}/{path}", json=json, headers=AUTH, **kwargs
    ) as response:
        text = await response.text()
        if response.content_type == "application/json":
            return response.status, await response.json()
        return response.status, text or None


@dataclass
class ReceivedPush:
    """One push the webhook receiver got."""

    event: PushEvent | None
    body: bytes
    content_type: str
    signature_valid: bool
    headers: dict[str, str]


@dataclass
class WebhookReceiver:
    """A tiny stand-in for Home Assistant's webhook: verifies, parses, answers with XML."""

    verifier: SignatureVerifier
    reply_for: ReplyFor
    url: str = ""
    received: list[ReceivedPush] = field(default_factory=list)
    ringing: asyncio.Event = field(default_factory=asyncio.Event)
    answered: asyncio.Event = field(default_factory=asyncio.Event)
    # Files served at /audio/<name>, as Home Assistant serves announcements.
    audio: dict[str, bytes] = field(default_factory=dict)
    audio_fetches: list[str] = field(default_factory=list)

    def audio_url(self, name: str) -> str:
        """The URL of ``/audio/<name>`` on this receiver."""
        return self.url.split("/api/", 1)[0] + f"/audio/{name}"

    async def serve_audio(self, request: web.Request) -> web.Response:
        """A file of :attr:`audio`, or 404."""
        name = request.match_info["name"]
        self.audio_fetches.append(name)
        if (data := self.audio.get(name)) is None:
            return web.Response(status=404)
        return web.Response(body=data, content_type="audio/wav")

    async def handle(self, request: web.Request) -> web.Response:
        """Refuse bad signatures (403) like the integration; otherwise answer ``reply_for``'s XML."""
        body = await request.read()
        valid = self.verifier.verify(body, request.headers.get(SIGNATURE_HEADER))
        event = parse_push_event(body, request.content_type) if valid else None
        self.received.append(
            ReceivedPush(event, body, request.headers["Content-Type"], valid, dict(request.headers))
        )
        if event is None:
            return web.Response(status=403)
        if isinstance(event, NewCallEvent):
            self.ringing.set()
        if isinstance(event, AnswerEvent):
            self.answered.set()
        return web.Response(body=self.reply_for(event, self.url), content_type="application/xml")

    @property
    def events(self) -> list[PushEvent]:
        """The accepted events, in order."""
        return [push.event for push in self.received if push.event is not None]


type StartReceiver = Callable[..., Awaitable[WebhookReceiver]]


@pytest.fixture
async def webhook(socket_enabled: None, standin: StandIn) -> AsyncGenerator[StartReceiver]:
    """A factory that starts receivers on 127.0.0.1; it takes ``reply_for`` and an optional key.

    A receiver trusts the stand-in's public key unless given another one.
    """
    servers: list[TestServer] = []

    async def start(reply_for: ReplyFor, public_key_pem: str | None = None) -> WebhookReceiver:
        receiver = WebhookReceiver(SignatureVerifier(public_key_pem or standin.public_key_pem), reply_for)
        app = web.Application()
        app.router.add_post("/api/webhook/{webhook_id}", receiver.handle)
        app.router.add_get("/audio/{name}", receiver.serve_audio)
        server = TestServer(app, host="127.0.0.1")
        await server.start_server()
        servers.append(server)
        receiver.url = str(server.make_url("/api/webhook/0f3c4a9d"))
        return receiver

    yield start
    for server in servers:
        await server.close()
