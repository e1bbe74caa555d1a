"""The local sipgate stand-in: sipgate's REST API under ``/v2`` plus a control API under ``/_standin``.

This module builds the aiohttp application and runs it (:func:`create_app`,
:class:`StandIn`). The rest lives by concern:

- :mod:`standin.rest`: the REST handlers, one module per API area, and their routes;
- :mod:`standin.validation`: every REST request is recorded and validated against
  sipgate's OpenAPI spec (:mod:`standin.openapi`), then its HTTP Basic credentials
  are checked; answers come from the in-memory account (:class:`standin.state.Account`),
  so writes show in later reads;
- :mod:`standin.control`: the control API (``/_standin/…``);
- :mod:`standin.context`: the defaults, :class:`StandInState` and the handlers' helpers.
"""

from collections.abc import AsyncIterator
import ipaddress
from typing import Any, Self

import aiohttp
from aiohttp import web

from .call_request import parse_call_request
from .context import (
    CONTROL_PREFIX,
    DEFAULT_HOST,
    DEFAULT_PORT,
    DEFAULT_TOKEN,
    DEFAULT_TOKEN_ID,
    STATE,
    StandInState,
)
from .control import CONTROL_ROUTES
from .keys import PushSigner
from .openapi import API_PREFIX
from .playback import PUSH_TIMEOUT, CallPlayer
from .rest import API_ROUTES
from .state import Account, Json, RecordedRequest
from .validation import api_middleware

__all__ = [
    "DEFAULT_HOST",
    "DEFAULT_PORT",
    "DEFAULT_TOKEN",
    "DEFAULT_TOKEN_ID",
    "StandIn",
    "StandInState",
    "check_loopback",
    "create_app",
]


async def _stop_player(app: web.Application) -> None:
    """Calls still playing end when the stand-in stops (before it waits for open requests)."""
    if (player := app[STATE].player) is not None:
        player.stop()


async def _player_context(app: web.Application) -> AsyncIterator[None]:
    state = app[STATE]
    async with aiohttp.ClientSession() as session:
        state.player = CallPlayer(session, state.signer, state.account, push_timeout=state.push_timeout)
        yield
        state.player = None


def create_app(state: StandInState | None = None) -> web.Application:
    """The stand-in as an aiohttp application (usable with ``aiohttp.test_utils.TestServer``)."""
    app = web.Application(middlewares=[api_middleware])
    app[STATE] = state or StandInState()
    app.cleanup_ctx.append(_player_context)
    app.on_shutdown.append(_stop_player)
    for method, path, handler in API_ROUTES:
        app.router.add_route(method, API_PREFIX + path, handler)
    for method, path, control_handler in CONTROL_ROUTES:
        app.router.add_route(method, CONTROL_PREFIX + path, control_handler)
    return app


def check_loopback(host: str) -> str:
    """The stand-in listens on loopback only (its token is public)."""
    if host == "localhost":
        return host
    try:
        if ipaddress.ip_address(host).is_loopback:
            return host
    except ValueError:
        pass
    raise ValueError(f"the stand-in listens on loopback addresses only (127.0.0.1, ::1), not {host!r}")


class StandIn:
    """The stand-in, served on loopback for as long as the ``async with`` block runs.

    >>> async with StandIn() as standin:
    ...     client = SipgateClient(session, PersonalAccessToken(standin.token_id, standin.token),
    ...                            base_url=standin.base_url)
    """

    def __init__(
        self,
        *,
        host: str = DEFAULT_HOST,
        port: int = 0,
        token_id: str = DEFAULT_TOKEN_ID,
        token: str = DEFAULT_TOKEN,
        signer: PushSigner | None = None,
        account: Account | None = None,
        push_timeout: float = PUSH_TIMEOUT,
    ) -> None:
        """Prepare the stand-in; ``port=0`` picks a free port."""
        self.host = check_loopback(host)
        self.port = port
        self.state = StandInState(
            account=account or Account(),
            token_id=token_id,
            token=token,
            signer=signer or PushSigner(),
            push_timeout=push_timeout,
        )
        self.app = create_app(self.state)
        self._runner: web.AppRunner | None = None

    @property
    def url(self) -> str:
        """The root URL (``http://127.0.0.1:<port>``)."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    @property
    def base_url(self) -> str:
        """The REST base URL of the stand-in (``…/v2``), for ``SipgateClient(base_url=…)``."""
        return self.url + API_PREFIX

    @property
    def token_id(self) -> str:
        """The token id the stand-in accepts."""
        return self.state.token_id

    @property
    def token(self) -> str:
        """The token the stand-in accepts."""
        return self.state.token

    @property
    def account(self) -> Account:
        """The in-memory account."""
        return self.state.account

    @property
    def public_key_pem(self) -> str:
        """The public key pushes are signed with."""
        return self.state.signer.public_key_pem

    @property
    def requests(self) -> list[RecordedRequest]:
        """The REST requests received so far."""
        return self.state.requests

    @property
    def errors(self) -> list[RecordedRequest]:
        """The invalid or unserved requests received so far."""
        return self.state.errors

    async def play_call(self, **call: Any) -> Json:
        """Play a call (the keys of ``POST /_standin/calls``) and return the report."""
        if self.state.player is None:
            raise RuntimeError("the stand-in is not started")
        self.state.account.public_url = self.url
        return await self.state.player.play(parse_call_request(call, self.state.account))

    async def start(self) -> None:
        """Listen on ``host:port``."""
        runner = web.AppRunner(self.app, access_log=None)
        await runner.setup()
        try:
            site = web.TCPSite(runner, self.host, self.port)
            await site.start()
        except BaseException:
            await runner.cleanup()
            raise
        self._runner = runner
        self.port = int(runner.addresses[0][1])

    async def close(self) -> None:
        """Stop listening."""
        if self._runner is not None:
            runner, self._runner = self._runner, None
            await runner.cleanup()

    async def __aenter__(self) -> Self:
        """Start."""
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        """Stop."""
        await self.close()
