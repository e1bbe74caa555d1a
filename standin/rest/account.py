"""The account, its users, devices, phone lines (forwardings, blocking anonymous calls), numbers and voicemails."""

from aiohttp import web

from ..context import account_of, no_content, not_found, paged


async def get_userinfo(request: web.Request) -> web.Response:
    """``GET /authorization/userinfo``."""
    return web.json_response(account_of(request).userinfo)


async def get_account(request: web.Request) -> web.Response:
    """``GET /account``."""
    return web.json_response(account_of(request).account)


async def get_balance(request: web.Request) -> web.Response:
    """``GET /balance``."""
    return web.json_response(account_of(request).balance)


async def get_users(request: web.Request) -> web.Response:
    """``GET /users``."""
    return web.json_response({"items": account_of(request).users})


async def get_user(request: web.Request) -> web.Response:
    """``GET /users/{userId}``."""
    user = account_of(request).user(request.match_info["userId"])
    return web.json_response(user) if user else not_found("user")


async def get_user_devices(request: web.Request) -> web.Response:
    """``GET /{userId}/devices``."""
    account, user_id = account_of(request), request.match_info["userId"]
    if account.user(user_id) is None:
        return not_found("user")
    return web.json_response({"items": account.devices.get(user_id, [])})


async def get_device(request: web.Request) -> web.Response:
    """``GET /devices/{deviceId}``."""
    device = account_of(request).device(request.match_info["deviceId"])
    return web.json_response(device) if device else not_found("device")


async def put_device(request: web.Request) -> web.Response:
    """``PUT /devices/{deviceId}``: switch do-not-disturb."""
    device = account_of(request).device(request.match_info["deviceId"])
    if device is None:
        return not_found("device")
    body = await request.json()
    if "dnd" in body:
        device["dnd"] = bool(body["dnd"])
    return no_content()


async def get_phonelines(request: web.Request) -> web.Response:
    """``GET /{userId}/phonelines``."""
    account, user_id = account_of(request), request.match_info["userId"]
    if account.user(user_id) is None:
        return not_found("user")
    return web.json_response({"items": account.phonelines.get(user_id, [])})


def _line_key(request: web.Request) -> str | None:
    user_id, line_id = request.match_info["userId"], request.match_info["phonelineId"]
    return f"{user_id}/{line_id}" if account_of(request).phoneline(user_id, line_id) else None


async def get_forwardings(request: web.Request) -> web.Response:
    """``GET /{userId}/phonelines/{phonelineId}/forwardings``."""
    if (key := _line_key(request)) is None:
        return not_found("phone line")
    return web.json_response({"items": account_of(request).forwardings.get(key, [])})


async def put_forwardings(request: web.Request) -> web.Response:
    """``PUT /{userId}/phonelines/{phonelineId}/forwardings``: replace them."""
    if (key := _line_key(request)) is None:
        return not_found("phone line")
    account = account_of(request)
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
    return no_content()


async def get_block_anonymous(request: web.Request) -> web.Response:
    """``GET /{userId}/phonelines/{phonelineId}/blockanonymous``."""
    if (key := _line_key(request)) is None:
        return not_found("phone line")
    return web.json_response(
        account_of(request).block_anonymous.setdefault(key, {"enabled": False, "target": "REJECT"})
    )


async def put_block_anonymous(request: web.Request) -> web.Response:
    """``PUT /{userId}/phonelines/{phonelineId}/blockanonymous``: answers the new setting."""
    if (key := _line_key(request)) is None:
        return not_found("phone line")
    body = await request.json()
    setting = account_of(request).block_anonymous.setdefault(key, {"enabled": False, "target": "REJECT"})
    setting["enabled"] = bool(body.get("enabled", False))
    if "target" in body:
        setting["target"] = body["target"]
    return web.json_response(setting)


async def get_voicemails(request: web.Request) -> web.Response:
    """``GET /voicemails``."""
    return web.json_response({"items": account_of(request).voicemails})


async def get_numbers(request: web.Request) -> web.Response:
    """``GET /numbers`` (``offset``, ``limit``)."""
    return web.json_response(paged(account_of(request).numbers, request, default_limit=1000))
