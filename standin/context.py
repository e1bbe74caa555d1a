"""What the stand-in's modules share: its defaults, its state (:class:`StandInState`, :data:`STATE`) and the small helpers of its handlers."""

import base64
import binascii
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
import hmac
from typing import Any, Final

from aiohttp import web

from .keys import PushSigner
from .playback import PUSH_TIMEOUT, CallPlayer
from .state import Account, Json, RecordedRequest

DEFAULT_HOST: Final = "127.0.0.1"
DEFAULT_PORT: Final = 8124
DEFAULT_TOKEN_ID: Final = "token-STANDIN"  # noqa: S105 - documented development token id
DEFAULT_TOKEN: Final = "standin-secret"  # noqa: S105 - the stand-in's documented development token
CONTROL_PREFIX: Final = "/_standin"

type Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@dataclass
class StandInState:
    """Everything one stand-in holds: the account, credentials, key, records."""

    account: Account = field(default_factory=Account)
    token_id: str = DEFAULT_TOKEN_ID
    token: str = DEFAULT_TOKEN
    signer: PushSigner = field(default_factory=PushSigner)
    push_timeout: float = PUSH_TIMEOUT
    requests: list[RecordedRequest] = field(default_factory=list)
    errors: list[RecordedRequest] = field(default_factory=list)
    player: CallPlayer | None = None

    def authorized(self, header: str | None) -> bool:
        """Whether ``Authorization`` carries the stand-in's token id and token (HTTP Basic)."""
        if not header or not header.startswith("Basic "):
            return False
        try:
            decoded = base64.b64decode(header.removeprefix("Basic ").strip(), validate=True)
        except binascii.Error, ValueError:
            return False
        given_id, separator, given_token = decoded.partition(b":")
        id_ok = hmac.compare_digest(given_id, self.token_id.encode())
        token_ok = hmac.compare_digest(given_token, self.token.encode())
        return bool(separator) and id_ok and token_ok


STATE: Final = web.AppKey("standin_state", StandInState)


def error_response(status: int, message: str, **extra: Any) -> web.Response:
    """A JSON error as sipgate sends one."""
    return web.json_response({"status": status, "message": message, **extra}, status=status)


def not_found(what: str) -> web.Response:
    """404: ``what`` does not exist."""
    return error_response(404, f"{what} not found")


def no_content() -> web.Response:
    """204."""
    return web.Response(status=204)


def account_of(request: web.Request) -> Account:
    """The in-memory account of the stand-in that received ``request``."""
    return request.app[STATE].account


def query_int(request: web.Request, key: str, default: int) -> int:
    """The query parameter ``key`` as an integer, else ``default``."""
    value = request.query.get(key)
    return int(value) if value is not None and value.lstrip("-").isdigit() else default


def paged(items: list[Json], request: web.Request, default_limit: int) -> Json:
    """One page of ``items`` (``offset``, ``limit``), with the total count."""
    offset = max(0, query_int(request, "offset", 0))
    limit = max(0, query_int(request, "limit", default_limit))
    return {"items": items[offset : offset + limit], "totalCount": len(items)}


def multi_query(request: web.Request) -> dict[str, list[str]]:
    """The query with every value of repeated parameters."""
    query: dict[str, list[str]] = {}
    for key, value in request.query.items():
        query.setdefault(key, []).append(value)
    return query
