"""A local stand-in for sipgate's REST API, served on 127.0.0.1.

Tests queue answers per ``(method, path)`` and read back what the client sent:
real HTTP through aiohttp, so headers, query strings and empty bodies are what
the client really produces.
"""

import asyncio
from collections.abc import AsyncGenerator, Awaitable, Callable
from dataclasses import dataclass, field
import json
from typing import Any
from urllib.parse import unquote

from aiohttp import ClientSession, web
from aiohttp.test_utils import TestServer
import pytest

from custom_components.sipgate.api import PersonalAccessToken, SipgateClient

TOKEN_ID = "token-FQ1V12"
TOKEN = "e68ead46-a7db-46cd-8a1a-44aed1e4e372"


@dataclass
class RecordedRequest:
    """One request as the stand-in received it."""

    method: str
    path: str
    query: list[tuple[str, str]]
    headers: dict[str, str]
    body: bytes


@dataclass
class Answer:
    """What the stand-in answers to a request."""

    status: int = 200
    json: Any = None
    text: str | None = None
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0


@dataclass
class FakeSipgate:
    """The stand-in's state: queued answers and received requests."""

    base_url: str = ""
    answers: dict[tuple[str, str], Answer] = field(default_factory=dict)
    handlers: dict[tuple[str, str], Callable[[web.Request], Awaitable[web.StreamResponse]]] = field(
        default_factory=dict
    )
    requests: list[RecordedRequest] = field(default_factory=list)
    raw_paths: list[str] = field(default_factory=list)

    def answer(self, method: str, path: str, answer: Answer | None = None, **kwargs: Any) -> None:
        """Answer ``method path`` (path below /v2, percent-decoded) with ``answer``."""
        self.answers[(method.upper(), unquote("/" + path.lstrip("/")))] = answer or Answer(**kwargs)

    async def handle(self, request: web.Request) -> web.Response:
        """Record the request and give the queued answer (404 if none)."""
        path = request.path.removeprefix("/v2")
        self.raw_paths.append(request.raw_path)
        self.requests.append(
            RecordedRequest(
                method=request.method,
                path=path,
                query=list(request.query.items()),
                headers=dict(request.headers),
                body=await request.read(),
            )
        )
        if handler := self.handlers.get((request.method, path)):
            return await handler(request)
        answer = self.answers.get((request.method, path), Answer(status=404))
        if answer.delay:
            await asyncio.sleep(answer.delay)
        if answer.json is not None:
            return web.json_response(answer.json, status=answer.status, headers=answer.headers)
        return web.Response(status=answer.status, text=answer.text, headers=answer.headers)


@pytest.fixture
async def fake_sipgate(socket_enabled: None) -> AsyncGenerator[FakeSipgate]:
    """Serve the stand-in on 127.0.0.1 for one test (sockets stay limited to loopback)."""
    fake = FakeSipgate()
    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", fake.handle)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    fake.base_url = str(server.make_url("/v2"))
    yield fake
    await server.close()


@pytest.fixture
async def session() -> AsyncGenerator[ClientSession]:
    """An aiohttp session owned by the test (the client never closes it)."""
    async with ClientSession() as client_session:
        yield client_session


@pytest.fixture
def client(session: ClientSession, fake_sipgate: FakeSipgate) -> SipgateClient:
    """A client pointed at the stand-in, with the docs' example token."""
    return SipgateClient(session, PersonalAccessToken(TOKEN_ID, TOKEN), base_url=fake_sipgate.base_url)


def sent(fake: FakeSipgate) -> list[tuple[str, str, list[tuple[str, str]], Any]]:
    """What the stand-in received: method, path below /v2, query pairs and decoded JSON body."""
    return [(r.method, r.path, r.query, json.loads(r.body) if r.body else None) for r in fake.requests]
