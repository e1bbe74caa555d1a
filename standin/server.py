"""The local sipgate stand-in: sipgate's REST API under ``/v2`` plus a control API under ``/_standin``.

Every request under the REST API is recorded and validated against sipgate's
OpenAPI spec (:mod:`standin.openapi`). A request the spec does not describe,
or one the stand-in does not serve, fails loudly: HTTP 500 with a JSON body
naming the error, logged at ERROR and kept in the error list. Then HTTP Basic
credentials are checked (wrong ones: 401), and the request is answered from
the in-memory account (:class:`standin.state.Account`), so writes show in
later reads.

Control API (not part of sipgate's; loopback only, no credentials):

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

import base64
import binascii
from collections.abc import AsyncIterator, Awaitable, Callable
import csv
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
import hmac
import io
import ipaddress
import json
import logging
import re
from typing import Any, Final, Self
import uuid

import aiohttp
from aiohttp import web

from .keys import PushSigner
from .openapi import API_PREFIX, describe_error, validate_received_request
from .playback import PUSH_TIMEOUT, CallPlayer, ScriptError, parse_call_request
from .state import DEFAULT_CONTACTS_LIMIT, DEFAULT_HISTORY_LIMIT, Account, Json, RecordedRequest

LOGGER = logging.getLogger("standin")

DEFAULT_HOST: Final = "127.0.0.1"
DEFAULT_PORT: Final = 8124
DEFAULT_TOKEN_ID: Final = "token-STANDIN"  # noqa: S105 - documented development token id
DEFAULT_TOKEN: Final = "standin-secret"  # noqa: S105 - the stand-in's documented development token
CONTROL_PREFIX: Final = "/_standin"
MAX_SMS_SCHEDULE: Final = timedelta(days=30)

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


# --- helpers ----------------------------------------------------------------------------------------


def _error(status: int, message: str, **extra: Any) -> web.Response:
    return web.json_response({"status": status, "message": message, **extra}, status=status)


def _not_found(what: str) -> web.Response:
    return _error(404, f"{what} not found")


def _no_content() -> web.Response:
    return web.Response(status=204)


def _account(request: web.Request) -> Account:
    return request.app[STATE].account


def _int(request: web.Request, key: str, default: int) -> int:
    value = request.query.get(key)
    return int(value) if value is not None and value.lstrip("-").isdigit() else default


def _page(items: list[Json], request: web.Request, default_limit: int) -> Json:
    offset = max(0, _int(request, "offset", 0))
    limit = max(0, _int(request, "limit", default_limit))
    return {"items": items[offset : offset + limit], "totalCount": len(items)}


def _multi(request: web.Request) -> dict[str, list[str]]:
    query: dict[str, list[str]] = {}
    for key, value in request.query.items():
        query.setdefault(key, []).append(value)
    return query


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


# --- the REST API -----------------------------------------------------------------------------------


async def get_userinfo(request: web.Request) -> web.Response:
    """``GET /authorization/userinfo``."""
    return web.json_response(_account(request).userinfo)


async def get_account(request: web.Request) -> web.Response:
    """``GET /account``."""
    return web.json_response(_account(request).account)


async def get_balance(request: web.Request) -> web.Response:
    """``GET /balance``."""
    return web.json_response(_account(request).balance)


async def get_users(request: web.Request) -> web.Response:
    """``GET /users``."""
    return web.json_response({"items": _account(request).users})


async def get_user(request: web.Request) -> web.Response:
    """``GET /users/{userId}``."""
    user = _account(request).user(request.match_info["userId"])
    return web.json_response(user) if user else _not_found("user")


async def get_user_devices(request: web.Request) -> web.Response:
    """``GET /{userId}/devices``."""
    account, user_id = _account(request), request.match_info["userId"]
    if account.user(user_id) is None:
        return _not_found("user")
    return web.json_response({"items": account.devices.get(user_id, [])})


async def get_device(request: web.Request) -> web.Response:
    """``GET /devices/{deviceId}``."""
    device = _account(request).device(request.match_info["deviceId"])
    return web.json_response(device) if device else _not_found("device")


async def put_device(request: web.Request) -> web.Response:
    """``PUT /devices/{deviceId}``: switch do-not-disturb."""
    device = _account(request).device(request.match_info["deviceId"])
    if device is None:
        return _not_found("device")
    body = await request.json()
    if "dnd" in body:
        device["dnd"] = bool(body["dnd"])
    return _no_content()


async def get_phonelines(request: web.Request) -> web.Response:
    """``GET /{userId}/phonelines``."""
    account, user_id = _account(request), request.match_info["userId"]
    if account.user(user_id) is None:
        return _not_found("user")
    return web.json_response({"items": account.phonelines.get(user_id, [])})


def _line_key(request: web.Request) -> str | None:
    user_id, line_id = request.match_info["userId"], request.match_info["phonelineId"]
    return f"{user_id}/{line_id}" if _account(request).phoneline(user_id, line_id) else None


async def get_forwardings(request: web.Request) -> web.Response:
    """``GET /{userId}/phonelines/{phonelineId}/forwardings``."""
    if (key := _line_key(request)) is None:
        return _not_found("phone line")
    return web.json_response({"items": _account(request).forwardings.get(key, [])})


async def put_forwardings(request: web.Request) -> web.Response:
    """``PUT /{userId}/phonelines/{phonelineId}/forwardings``: replace them."""
    if (key := _line_key(request)) is None:
        return _not_found("phone line")
    account = _account(request)
    previous = {item.get("destination"): item.get("alias", "") for item in account.forwardings.get(key, [])}
    body = await request.json()
    items = []
    for forwarding in body.get("forwardings", []):
        destination = str(forwarding.get("destination", ""))
        alias = previous.get(destination) or (
            "Mailbox" if destination == "voicemail" else account.contact_name(destination)
        )
        items.append(
            {
                "alias": alias,
                "destination": destination,
                "timeout": int(forwarding.get("timeout", 0)),
                "active": bool(forwarding.get("active", True)),
            }
        )
    account.forwardings[key] = items
    return _no_content()


async def get_block_anonymous(request: web.Request) -> web.Response:
    """``GET /{userId}/phonelines/{phonelineId}/blockanonymous``."""
    if (key := _line_key(request)) is None:
        return _not_found("phone line")
    return web.json_response(
        _account(request).block_anonymous.setdefault(key, {"enabled": False, "target": "REJECT"})
    )


async def put_block_anonymous(request: web.Request) -> web.Response:
    """``PUT /{userId}/phonelines/{phonelineId}/blockanonymous``: answers the new setting."""
    if (key := _line_key(request)) is None:
        return _not_found("phone line")
    body = await request.json()
    setting = _account(request).block_anonymous.setdefault(key, {"enabled": False, "target": "REJECT"})
    setting["enabled"] = bool(body.get("enabled", False))
    if "target" in body:
        setting["target"] = body["target"]
    return web.json_response(setting)


async def get_voicemails(request: web.Request) -> web.Response:
    """``GET /voicemails``."""
    return web.json_response({"items": _account(request).voicemails})


async def get_numbers(request: web.Request) -> web.Response:
    """``GET /numbers`` (``offset``, ``limit``)."""
    return web.json_response(_page(_account(request).numbers, request, default_limit=1000))


async def get_sms_extensions(request: web.Request) -> web.Response:
    """``GET /{userId}/sms``."""
    account, user_id = _account(request), request.match_info["userId"]
    if account.user(user_id) is None:
        return _not_found("user")
    return web.json_response({"items": account.sms_extensions.get(user_id, [])})


def _caller_ids(request: web.Request) -> list[Json] | None:
    key = f"{request.match_info['userId']}/{request.match_info['smsId']}"
    account = _account(request)
    found = account.sms_extension(request.match_info["smsId"])
    if found is None or found[0] != request.match_info["userId"]:
        return None
    return account.sms_caller_ids.setdefault(key, [])


async def get_sms_caller_ids(request: web.Request) -> web.Response:
    """``GET /{userId}/sms/{smsId}/callerids``."""
    caller_ids = _caller_ids(request)
    return _not_found("SMS extension") if caller_ids is None else web.json_response({"items": caller_ids})


async def put_sms_caller_id(request: web.Request) -> web.Response:
    """``PUT /{userId}/sms/{smsId}/callerids/{callerId}``: make it the default sender."""
    caller_ids = _caller_ids(request)
    if caller_ids is None:
        return _not_found("SMS extension")
    wanted = request.match_info["callerId"]
    target = next((c for c in caller_ids if str(c.get("id")) == wanted), None)
    if target is None:
        return _not_found("caller id")
    body = await request.json()
    if body.get("defaultNumber"):
        for caller_id in caller_ids:
            caller_id["defaultNumber"] = caller_id is target
    else:
        target["defaultNumber"] = False
    return _no_content()


async def get_faxlines(request: web.Request) -> web.Response:
    """``GET /{userId}/faxlines``."""
    account, user_id = _account(request), request.match_info["userId"]
    if account.user(user_id) is None:
        return _not_found("user")
    return web.json_response({"items": account.faxlines.get(user_id, [])})


async def post_sms(request: web.Request) -> web.Response:
    """``POST /sessions/sms``: kept, and listed in the history."""
    account = _account(request)
    body = await request.json()
    if account.sms_extension(str(body["smsId"])) is None:
        return _error(400, f"unknown SMS extension {body['smsId']!r}")
    if (send_at := body.get("sendAt")) is not None:
        moment = datetime.fromtimestamp(int(send_at), UTC)
        now = datetime.now(UTC)
        if not now - timedelta(minutes=1) <= moment <= now + MAX_SMS_SCHEDULE:
            return _error(400, "sendAt must lie within the next 30 days")
    account.record_sms(body)
    return _no_content()


_PAGE: Final = re.compile(rb"/Type\s*/Page(?![a-zA-Z])")


async def post_fax(request: web.Request) -> web.Response:
    """``POST /sessions/fax``: a PENDING history entry, SENT after a few reads."""
    account = _account(request)
    body = await request.json()
    if account.faxline(str(body["faxlineId"])) is None:
        return _error(400, f"unknown fax line {body['faxlineId']!r}")
    try:
        pdf = base64.b64decode(body["base64Content"], validate=True)
    except binascii.Error, ValueError:
        return _error(400, "base64Content is not base64")
    if not pdf.startswith(b"%PDF-"):
        return _error(400, "the document is not a PDF")
    session_id = account.record_fax(body, page_count=max(1, len(_PAGE.findall(pdf))))
    return web.json_response({"sessionId": session_id})


async def post_call_session(request: web.Request) -> web.Response:
    """``POST /sessions/calls`` (click-to-dial): kept, answered with a session id."""
    session_id = _account(request).record_call_session(await request.json())
    return web.json_response({"sessionId": session_id})


async def get_history(request: web.Request) -> web.Response:
    """``GET /history`` with its filters; 10 entries unless ``limit`` says otherwise."""
    entries = _account(request).filter_history(_multi(request))
    return web.json_response(_page(entries, request, DEFAULT_HISTORY_LIMIT))


async def put_history(request: web.Request) -> web.Response:
    """``PUT /history``: flags of many entries."""
    account = _account(request)
    for change in await request.json():
        if (entry := account.history_entry(str(change.get("id")))) is not None:
            account.update_history(entry, change)
    return _no_content()


async def delete_history(request: web.Request) -> web.Response:
    """``DELETE /history?id=…&id=…``."""
    _account(request).delete_history(request.query.getall("id", []))
    return _no_content()


async def get_history_entry(request: web.Request) -> web.Response:
    """``GET /history/{entryId}`` (a fax's status moves on with each read)."""
    entry = _account(request).read_history_entry(request.match_info["entryId"])
    return web.json_response(entry) if entry else _not_found("history entry")


async def put_history_entry(request: web.Request) -> web.Response:
    """``PUT /history/{entryId}``."""
    account = _account(request)
    entry = account.history_entry(request.match_info["entryId"])
    if entry is None:
        return _not_found("history entry")
    account.update_history(entry, await request.json())
    return _no_content()


async def delete_history_entry(request: web.Request) -> web.Response:
    """``DELETE /history/{entryId}``."""
    if not _account(request).delete_history([request.match_info["entryId"]]):
        return _not_found("history entry")
    return _no_content()


EXPORT_COLUMNS: Final = (
    "id",
    "created",
    "type",
    "direction",
    "source",
    "target",
    "sourceAlias",
    "targetAlias",
    "status",
    "read",
    "archived",
    "starred",
    "note",
)


async def export_history(request: web.Request) -> web.Response:
    """``GET /history/export``: the filtered entries as CSV."""
    page = _page(_account(request).filter_history(_multi(request)), request, DEFAULT_HISTORY_LIMIT)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(EXPORT_COLUMNS)
    for entry in page["items"]:
        writer.writerow(
            [
                str(entry.get(column, "")).lower()
                if isinstance(entry.get(column), bool)
                else entry.get(column, "")
                for column in EXPORT_COLUMNS
            ]
        )
    return web.Response(text=out.getvalue(), content_type="text/csv")


def _contact_from(body: Json, contact_id: str) -> Json:
    return {
        "id": contact_id,
        "name": body.get("name") or " ".join(p for p in (body.get("given"), body.get("family")) if p),
        "picture": body.get("picture"),
        "emails": list(body.get("emails", [])),
        "numbers": list(body.get("numbers", [])),
        "addresses": list(body.get("addresses", [])),
        "organization": list(body.get("organization", [])),
        "scope": body.get("scope", "PRIVATE"),
    }


async def get_contacts(request: web.Request) -> web.Response:
    """``GET /contacts`` (``phonenumbers``, ``offset``, ``limit``)."""
    contacts = _account(request).contacts
    if wanted := set(request.query.getall("phonenumbers", [])):
        contacts = [
            contact
            for contact in contacts
            if wanted.intersection(number.get("number") for number in contact.get("numbers", []))
        ]
    return web.json_response(_page(contacts, request, DEFAULT_CONTACTS_LIMIT))


async def post_contact(request: web.Request) -> web.Response:
    """``POST /contacts``."""
    _account(request).contacts.append(_contact_from(await request.json(), str(uuid.uuid4())))
    return _no_content()


async def delete_contacts(request: web.Request) -> web.Response:
    """``DELETE /contacts``: sipgate's "delete all", which removes the private contacts."""
    contacts = _account(request).contacts
    contacts[:] = [contact for contact in contacts if contact.get("scope") != "PRIVATE"]
    return _no_content()


async def put_contact(request: web.Request) -> web.Response:
    """``PUT /contacts/{contactId}``: replace the contact."""
    contacts = _account(request).contacts
    contact_id = request.match_info["contactId"]
    for index, contact in enumerate(contacts):
        if contact.get("id") == contact_id:
            contacts[index] = _contact_from(await request.json(), contact_id)
            return _no_content()
    return _not_found("contact")


async def delete_contact(request: web.Request) -> web.Response:
    """``DELETE /contacts/{contactId}``."""
    contacts = _account(request).contacts
    contact_id = request.match_info["contactId"]
    remaining = [contact for contact in contacts if contact.get("id") != contact_id]
    if len(remaining) == len(contacts):
        return _not_found("contact")
    contacts[:] = remaining
    return _no_content()


async def import_contacts_csv(request: web.Request) -> web.Response:
    """``POST /contacts/import/csv``: base64 of Latin-1 CSV ``firstname,lastname,number``."""
    body = await request.json()
    try:
        text = base64.b64decode(body.get("base64Content", ""), validate=True).decode("latin-1")
    except binascii.Error, ValueError:
        return _error(400, "base64Content is not base64")
    rows = list(csv.DictReader(io.StringIO(text)))
    if not rows or not {"firstname", "lastname", "number"} <= set(rows[0]):
        return _error(400, "the CSV needs the columns firstname,lastname,number")
    contacts = _account(request).contacts
    for row in rows:
        contacts.append(
            _contact_from(
                {
                    "given": row["firstname"],
                    "family": row["lastname"],
                    "numbers": [{"number": row["number"], "type": ["other"]}],
                    "scope": "PRIVATE",
                },
                str(uuid.uuid4()),
            )
        )
    return _no_content()


async def get_calls(request: web.Request) -> web.Response:
    """``GET /calls``: the established calls (those of played calls once answered)."""
    calls = _account(request).live_calls.values()
    return web.json_response({"data": [call.to_json() for call in calls if call.established]})


async def delete_call(request: web.Request) -> web.Response:
    """``DELETE /calls/{callId}``: the played call ends (ringing or established)."""
    call_id = request.match_info["callId"]
    call = _account(request).live_calls.pop(call_id, None)
    if call is None:
        return _not_found("call")
    call.end(f"DELETE /calls/{call_id}")
    return _no_content()


async def put_call_setting(request: web.Request) -> web.Response:
    """``PUT /calls/{callId}/muted|hold|recording`` (``{"value": …}``)."""
    call = _account(request).live_calls.get(request.match_info["callId"])
    if call is None:
        return _not_found("call")
    what = request.match_info["what"]
    body = await request.json() if request.body_exists else {}
    if not isinstance(body, dict) or not isinstance(body.get("value"), bool):
        return _error(400, f"{what}: the body must be {{'value': true|false}}")
    setattr(call, "recording" if what == "recording" else what, body["value"])
    call.actions.append({"action": what, **body})
    return _no_content()


async def post_call_action(request: web.Request) -> web.Response:
    """``POST /calls/{callId}/announcements|transfer|dtmf``; a blind transfer ends the call here."""
    account = _account(request)
    call_id = request.match_info["callId"]
    call = account.live_calls.get(call_id)
    if call is None:
        return _not_found("call")
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
    return _no_content()


async def get_webhook_settings(request: web.Request) -> web.Response:
    """``GET /settings/sipgateio``."""
    return web.json_response(_account(request).webhook_settings)


async def put_webhook_settings(request: web.Request) -> web.Response:
    """``PUT /settings/sipgateio``: the whole object."""
    body = await request.json()
    _account(request).webhook_settings = {
        "incomingUrl": body.get("incomingUrl", ""),
        "outgoingUrl": body.get("outgoingUrl", ""),
        "log": bool(body.get("log", False)),
        "whitelist": body.get("whitelist"),
    }
    return _no_content()


async def get_webhook_log(request: web.Request) -> web.Response:
    """``GET /log/webhooks`` (played pushes are added while ``log`` is on)."""
    return web.json_response({"items": _account(request).webhook_log})


API_ROUTES: Final[list[tuple[str, str, Handler]]] = [
    ("GET", "/authorization/userinfo", get_userinfo),
    ("GET", "/account", get_account),
    ("GET", "/balance", get_balance),
    ("GET", "/users", get_users),
    ("GET", "/users/{userId}", get_user),
    ("GET", "/devices/{deviceId}", get_device),
    ("PUT", "/devices/{deviceId}", put_device),
    ("GET", "/voicemails", get_voicemails),
    ("GET", "/numbers", get_numbers),
    ("POST", "/sessions/sms", post_sms),
    ("POST", "/sessions/fax", post_fax),
    ("POST", "/sessions/calls", post_call_session),
    ("GET", "/history/export", export_history),
    ("GET", "/history", get_history),
    ("PUT", "/history", put_history),
    ("DELETE", "/history", delete_history),
    ("GET", "/history/{entryId}", get_history_entry),
    ("PUT", "/history/{entryId}", put_history_entry),
    ("DELETE", "/history/{entryId}", delete_history_entry),
    ("GET", "/contacts", get_contacts),
    ("POST", "/contacts", post_contact),
    ("DELETE", "/contacts", delete_contacts),
    ("POST", "/contacts/import/csv", import_contacts_csv),
    ("PUT", "/contacts/{contactId}", put_contact),
    ("DELETE", "/contacts/{contactId}", delete_contact),
    ("GET", "/calls", get_calls),
    ("DELETE", "/calls/{callId}", delete_call),
    ("PUT", "/calls/{callId}/{what:muted|hold|recording}", put_call_setting),
    ("POST", "/calls/{callId}/{what:announcements|transfer|dtmf}", post_call_action),
    ("GET", "/settings/sipgateio", get_webhook_settings),
    ("PUT", "/settings/sipgateio", put_webhook_settings),
    ("GET", "/log/webhooks", get_webhook_log),
    ("GET", "/{userId}/devices", get_user_devices),
    ("GET", "/{userId}/phonelines", get_phonelines),
    ("GET", "/{userId}/phonelines/{phonelineId}/forwardings", get_forwardings),
    ("PUT", "/{userId}/phonelines/{phonelineId}/forwardings", put_forwardings),
    ("GET", "/{userId}/phonelines/{phonelineId}/blockanonymous", get_block_anonymous),
    ("PUT", "/{userId}/phonelines/{phonelineId}/blockanonymous", put_block_anonymous),
    ("GET", "/{userId}/sms", get_sms_extensions),
    ("GET", "/{userId}/sms/{smsId}/callerids", get_sms_caller_ids),
    ("PUT", "/{userId}/sms/{smsId}/callerids/{callerId}", put_sms_caller_id),
    ("GET", "/{userId}/faxlines", get_faxlines),
]


# --- recording, validation, authentication -------------------------------------------------------------


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
        response: web.StreamResponse = _error(401, "Unauthorized: wrong token id or token")
        response.headers["WWW-Authenticate"] = 'Basic realm="sipgate stand-in"'
        return response
    try:
        response = await handler(request)
    except Exception as err:
        LOGGER.exception("sipgate stand-in: %s %s failed", request.method, request.path)
        return _fail(state, record, f"the stand-in failed: {type(err).__name__}: {err}")
    record.status = response.status
    return response


# --- the control API --------------------------------------------------------------------------------


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
    return _no_content()


async def control_errors(request: web.Request) -> web.Response:
    """``GET /_standin/errors``."""
    return web.json_response([record.to_json() for record in request.app[STATE].errors])


async def control_reset_errors(request: web.Request) -> web.Response:
    """``DELETE /_standin/errors``."""
    request.app[STATE].errors.clear()
    return _no_content()


async def control_public_key(request: web.Request) -> web.Response:
    """``GET /_standin/public_key``: the PEM the integration must trust for the stand-in's pushes."""
    return web.Response(text=request.app[STATE].signer.public_key_pem, content_type="application/x-pem-file")


async def control_play_call(request: web.Request) -> web.Response:
    """``POST /_standin/calls``: play a call, answer with the report."""
    state = request.app[STATE]
    try:
        body = await request.json()
    except ValueError:
        return _error(400, "the body must be JSON")
    try:
        spec = parse_call_request(body, state.account)
    except ScriptError as err:
        return _error(400, str(err))
    if state.player is None:
        return _error(503, "the stand-in is not started")
    state.account.public_url = str(request.url.origin())
    return web.json_response(await state.player.play(spec))


async def control_recording(request: web.Request) -> web.Response:
    """``GET /_standin/recordings/<id>.mp3``: a voicemail's recording (a link in the history, no credentials)."""
    recording = request.app[STATE].account.recordings.get(request.match_info["voicemail_id"])
    if recording is None:
        return _error(404, "no such recording")
    return web.Response(body=recording, content_type="audio/mpeg")


async def control_state(request: web.Request) -> web.Response:
    """``GET /_standin/state``."""
    return web.json_response(request.app[STATE].account.summary())


async def control_reset(request: web.Request) -> web.Response:
    """``POST /_standin/reset``: the account goes back to the seed data."""
    request.app[STATE].account.reset()
    return _no_content()


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
    control = [
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
    for method, path, control_handler in control:
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
