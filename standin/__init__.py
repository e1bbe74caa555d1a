"""A local stand-in for sipgate, for development and tests only (never shipped with the integration).

It serves sipgate's REST API (the endpoints the integration uses) with a
realistic account kept in memory, validates every request against sipgate's
OpenAPI spec, records what it received, and plays calls against a webhook
with pushes signed by its own key. See ``python -m standin --help``,
:class:`StandIn` and :func:`create_app`.
"""

from .call_request import ScriptError
from .keys import PushSigner
from .openapi import validate_request
from .server import (
    DEFAULT_HOST,
    DEFAULT_PORT,
    DEFAULT_TOKEN,
    DEFAULT_TOKEN_ID,
    StandIn,
    StandInState,
    create_app,
)
from .state import Account, RecordedRequest

__all__ = [
    "DEFAULT_HOST",
    "DEFAULT_PORT",
    "DEFAULT_TOKEN",
    "DEFAULT_TOKEN_ID",
    "Account",
    "PushSigner",
    "RecordedRequest",
    "ScriptError",
    "StandIn",
    "StandInState",
    "create_app",
    "validate_request",
]
