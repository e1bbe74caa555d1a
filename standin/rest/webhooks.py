"""The webhook settings (``/settings/sipgateio``) and the webhook log."""

from aiohttp import web

from ..context import account_of, no_content


async def get_webhook_settings(request: web.Request) -> web.Response:
    """``GET /settings/sipgateio``."""
    return web.json_response(account_of(request).webhook_settings)


async def put_webhook_settings(request: web.Request) -> web.Response:
    """``PUT /settings/sipgateio``: the whole object."""
    body = await request.json()
    account_of(request).webhook_settings = {
        "incomingUrl": body.get("incomingUrl", ""),
        "outgoingUrl": body.get("outgoingUrl", ""),
        "log": bool(body.get("log", False)),
        "whitelist": body.get("whitelist"),
    }
    return no_content()


async def get_webhook_log(request: web.Request) -> web.Response:
    """``GET /log/webhooks`` (played pushes are added while ``log`` is on)."""
    return web.json_response({"items": account_of(request).webhook_log})
