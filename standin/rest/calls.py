"""The calls going on (those of played calls): list, hang up, mute/hold/record, announce/transfer/DTMF."""

from aiohttp import web

from ..context import STATE, account_of, error_response, no_content, not_found
from ..state import Json


async def get_calls(request: web.Request) -> web.Response:
    """``GET /calls``: the established calls (those of played calls once answered)."""
    calls = account_of(request).live_calls.values()
    return web.json_response({"data": [call.to_json() for call in calls if call.established]})


async def delete_call(request: web.Request) -> web.Response:
    """``DELETE /calls/{callId}``: the played call ends (ringing or established)."""
    call_id = request.match_info["callId"]
    call = account_of(request).live_calls.pop(call_id, None)
    if call is None:
        return not_found("call")
    call.end(f"DELETE /calls/{call_id}")
    return no_content()


async def put_call_setting(request: web.Request) -> web.Response:
    """``PUT /calls/{callId}/muted|hold|recording`` (``{"value": …}``)."""
    call = account_of(request).live_calls.get(request.match_info["callId"])
    if call is None:
        return not_found("call")
    what = request.match_info["what"]
    body = await request.json() if request.body_exists else {}
    if not isinstance(body, dict) or not isinstance(body.get("value"), bool):
        return error_response(400, f"{what}: the body must be {{'value': true|false}}")
    setattr(call, "recording" if what == "recording" else what, body["value"])
    call.actions.append({"action": what, **body})
    return no_content()


async def post_call_action(request: web.Request) -> web.Response:
    """``POST /calls/{callId}/announcements|transfer|dtmf``; a blind transfer ends the call here."""
    account = account_of(request)
    call_id = request.match_info["callId"]
    call = account.live_calls.get(call_id)
    if call is None:
        return not_found("call")
    what = request.match_info["what"]
    body = await request.json()
    action: Json = {"action": what, **body}
    if what == "announcements" and (player := request.app[STATE].player) is not None:
        # sipgate fetches the audio and plays it only in its one format; the call goes on either way.
        action["audio"] = await player.fetch_announcement(str(body.get("url", "")))
    call.actions.append(action)
    if what == "transfer" and not body.get("attended"):
        account.live_calls.pop(call_id, None)
        call.end(f"a transfer to {body.get('phoneNumber')}")
    return no_content()
