"""Every REST request is recorded, validated against sipgate's OpenAPI spec, then checked for credentials.

A request the spec does not describe, or one the stand-in does not serve,
fails loudly: HTTP 500 with a JSON body naming the error, logged at ERROR and
kept in the error list. Wrong credentials: 401.
"""

import json
import logging
from typing import Any

from aiohttp import web

from .context import CONTROL_PREFIX, STATE, Handler, StandInState, error_response
from .openapi import describe_error, validate_received_request
from .state import RecordedRequest

LOGGER = logging.getLogger("standin")


def _decoded_body(body: bytes, content_type: str) -> Any:
    if not body:
        return None
    text = body.decode("utf-8", "replace")
    if "json" in content_type:
        try:
            return json.loads(text)
        except ValueError:
            return text
    return text


def _fail(state: StandInState, record: RecordedRequest, message: str) -> web.Response:
    """Fail loudly: log at ERROR, keep the error, answer 500 naming it."""
    record.valid = False
    record.error = message
    record.status = 500
    state.errors.append(record)
    LOGGER.error("sipgate stand-in: invalid request %s %s: %s", record.method, record.path, message)
    return web.json_response(
        {
            "status": 500,
            "message": "the sipgate stand-in refused a request sipgate's REST spec does not describe",
            "error": message,
            "method": record.method,
            "path": record.path,
        },
        status=500,
    )


@web.middleware
async def api_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Record and validate every REST request, then check its credentials."""
    if request.path == CONTROL_PREFIX or request.path.startswith(CONTROL_PREFIX + "/"):
        return await handler(request)
    state = request.app[STATE]
    body = await request.read()
    record = RecordedRequest(
        method=request.method,
        path=request.path,
        query=list(request.query.items()),
        body=_decoded_body(body, request.content_type),
    )
    state.requests.append(record)
    try:
        validate_received_request(request.method, request.path, record.query, dict(request.headers), body)
    except Exception as err:  # openapi-core's many errors all mean "not valid"
        return _fail(state, record, describe_error(err))
    if request.match_info.http_exception is not None:
        return _fail(
            state, record, f"the stand-in does not serve {request.method} {request.path} (sipgate does)"
        )
    record.authorized = state.authorized(request.headers.get("Authorization"))
    if not record.authorized:
        record.status = 401
        response: web.StreamResponse = error_response(401, "Unauthorized: wrong token id or token")
        response.headers["WWW-Authenticate"] = 'Basic realm="sipgate stand-in"'
        return response
    try:
        response = await handler(request)
    except Exception as err:
        LOGGER.exception("sipgate stand-in: %s %s failed", request.method, request.path)
        return _fail(state, record, f"the stand-in failed: {type(err).__name__}: {err}")
    record.status = response.status
    return response
