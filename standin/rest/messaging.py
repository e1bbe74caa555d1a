"""SMS and fax (extensions, caller ids, fax lines, sending) and click-to-dial."""

import base64
import binascii
from datetime import UTC, datetime, timedelta
import re
from typing import Final

from aiohttp import web

from ..context import account_of, error_response, no_content, not_found
from ..state import Json

MAX_SMS_SCHEDULE: Final = timedelta(days=30)


async def get_sms_extensions(request: web.Request) -> web.Response:
    """``GET /{userId}/sms``."""
    account, user_id = account_of(request), request.match_info["userId"]
    if account.user(user_id) is None:
        return not_found("user")
    return web.json_response({"items": account.sms_extensions.get(user_id, [])})


def _caller_ids(request: web.Request) -> list[Json] | None:
    key = f"{request.match_info['userId']}/{request.match_info['smsId']}"
    account = account_of(request)
    found = account.sms_extension(request.match_info["smsId"])
    if found is None or found[0] != request.match_info["userId"]:
        return None
    return account.sms_caller_ids.setdefault(key, [])


async def get_sms_caller_ids(request: web.Request) -> web.Response:
    """``GET /{userId}/sms/{smsId}/callerids``."""
    caller_ids = _caller_ids(request)
    return not_found("SMS extension") if caller_ids is None else web.json_response({"items": caller_ids})


async def put_sms_caller_id(request: web.Request) -> web.Response:
    """``PUT /{userId}/sms/{smsId}/callerids/{callerId}``: make it the default sender."""
    caller_ids = _caller_ids(request)
    if caller_ids is None:
        return not_found("SMS extension")
    wanted = request.match_info["callerId"]
    target = next((c for c in caller_ids if str(c.get("id")) == wanted), None)
    if target is None:
        return not_found("caller id")
    body = await request.json()
    if body.get("defaultNumber"):
        for caller_id in caller_ids:
            caller_id["defaultNumber"] = caller_id is target
    else:
        target["defaultNumber"] = False
    return no_content()


async def get_faxlines(request: web.Request) -> web.Response:
    """``GET /{userId}/faxlines``."""
    account, user_id = account_of(request), request.match_info["userId"]
    if account.user(user_id) is None:
        return not_found("user")
    return web.json_response({"items": account.faxlines.get(user_id, [])})


async def post_sms(request: web.Request) -> web.Response:
    """``POST /sessions/sms``: kept, and listed in the history."""
    account = account_of(request)
    body = await request.json()
    if account.sms_extension(str(body["smsId"])) is None:
        return error_response(400, f"unknown SMS extension {body['smsId']!r}")
    if (send_at := body.get("sendAt")) is not None:
        moment = datetime.fromtimestamp(int(send_at), UTC)
        now = datetime.now(UTC)
        if not now - timedelta(minutes=1) <= moment <= now + MAX_SMS_SCHEDULE:
            return error_response(400, "sendAt must lie within the next 30 days")
    account.record_sms(body)
    return no_content()


_PAGE: Final = re.compile(rb"/Type\s*/Page(?![a-zA-Z])")


async def post_fax(request: web.Request) -> web.Response:
    """``POST /sessions/fax``: a PENDING history entry, SENT after a few reads."""
    account = account_of(request)
    body = await request.json()
    if account.faxline(str(body["faxlineId"])) is None:
        return error_response(400, f"unknown fax line {body['faxlineId']!r}")
    try:
        pdf = base64.b64decode(body["base64Content"], validate=True)
    except binascii.Error, ValueError:
        return error_response(400, "base64Content is not base64")
    if not pdf.startswith(b"%PDF-"):
        return error_response(400, "the document is not a PDF")
    session_id = account.record_fax(body, page_count=max(1, len(_PAGE.findall(pdf))))
    return web.json_response({"sessionId": session_id})


async def post_call_session(request: web.Request) -> web.Response:
    """``POST /sessions/calls`` (click-to-dial): kept, answered with a session id."""
    session_id = account_of(request).record_call_session(await request.json())
    return web.json_response({"sessionId": session_id})
