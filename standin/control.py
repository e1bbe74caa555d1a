"""The control API under ``/_standin`` (not part of sipgate's; loopback only, no credentials).

====================================  ==========================================================
``GET /_standin``                      base URL, token id, counts
``GET|DELETE /_standin/requests``      the recorded REST requests (method, path, query, body,
                                       valid, error, status) / forget them (and the errors)
``GET|DELETE /_standin/errors``        the invalid or unserved requests / forget them
``GET /_standin/public_key``           the PEM public key pushes are signed with
``POST /_standin/calls``               play a call against a webhook (:mod:`standin.playback`)
``GET /_standin/recordings/<id>.mp3``  the recording of a voicemail a played call left
``GET /_standin/state``                SMS, faxes and calls sent, played calls, settings
``POST /_standin/reset``               back to the seed data
====================================  ==========================================================
"""

from typing import Final

from aiohttp import web

from .call_request import ScriptError, parse_call_request
from .context import STATE, Handler, error_response, no_content
from .openapi import API_PREFIX


async def control_info(request: web.Request) -> web.Response:
    """``GET /_standin``."""
    state = request.app[STATE]
    return web.json_response(
        {
            "base_url": str(request.url.origin()) + API_PREFIX,
            "token_id": state.token_id,
            "requests": len(state.requests),
            "errors": len(state.errors),
            "live_calls": len(state.account.live_calls),
        }
    )


async def control_requests(request: web.Request) -> web.Response:
    """``GET /_standin/requests``."""
    return web.json_response([record.to_json() for record in request.app[STATE].requests])


async def control_reset_requests(request: web.Request) -> web.Response:
    """``DELETE /_standin/requests``: forget the requests and the errors."""
    state = request.app[STATE]
    state.requests.clear()
    state.errors.clear()
    return no_content()


async def control_errors(request: web.Request) -> web.Response:
    """``GET /_standin/errors``."""
    return web.json_response([record.to_json() for record in request.app[STATE].errors])


async def control_reset_errors(request: web.Request) -> web.Response:
    """``DELETE /_standin/errors``."""
    request.app[STATE].errors.clear()
    return no_content()


async def control_public_key(request: web.Request) -> web.Response:
    """``GET /_standin/public_key``: the PEM the integration must trust for the stand-in's pushes."""
    return web.Response(text=request.app[STATE].signer.public_key_pem, content_type="application/x-pem-file")


async def control_play_call(request: web.Request) -> web.Response:
    """``POST /_standin/calls``: play a call, answer with the report."""
    state = request.app[STATE]
    try:
        body = await request.json()
    except ValueError:
        return error_response(400, "the body must be JSON")
    try:
        spec = parse_call_request(body, state.account)
    except ScriptError as err:
        return error_response(400, str(err))
    if state.player is None:
        return error_response(503, "the stand-in is not started")
    state.account.public_url = str(request.url.origin())
    return web.json_response(await state.player.play(spec))


async def control_recording(request: web.Request) -> web.Response:
    """``GET /_standin/recordings/<id>.mp3``: a voicemail's recording (a link in the history, no credentials)."""
    recording = request.app[STATE].account.recordings.get(request.match_info["voicemail_id"])
    if recording is None:
        return error_response(404, "no such recording")
    return web.Response(body=recording, content_type="audio/mpeg")


async def control_state(request: web.Request) -> web.Response:
    """``GET /_standin/state``."""
    return web.json_response(request.app[STATE].account.summary())


async def control_reset(request: web.Request) -> web.Response:
    """``POST /_standin/reset``: the account goes back to the seed data."""
    request.app[STATE].account.reset()
    return no_content()


CONTROL_ROUTES: Final[list[tuple[str, str, Handler]]] = [
    ("GET", "", control_info),
    ("GET", "/requests", control_requests),
    ("DELETE", "/requests", control_reset_requests),
    ("GET", "/errors", control_errors),
    ("DELETE", "/errors", control_reset_errors),
    ("GET", "/public_key", control_public_key),
    ("POST", "/calls", control_play_call),
    ("GET", "/recordings/{voicemail_id}.mp3", control_recording),
    ("GET", "/state", control_state),
    ("POST", "/reset", control_reset),
]
