"""A bare Home Assistant webhook: the baseline the sipgate webhook is measured against.

It reads the body and answers a fixed XML reply of the same size as the
integration's default reply, doing nothing else.
"""

from aiohttp import web

from homeassistant.components import webhook
from homeassistant.core import HomeAssistant
from homeassistant.helpers.typing import ConfigType

DOMAIN = "bench_bare"
WEBHOOK_ID = "bench-bare"
REPLY = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n'
    b'<Response onAnswer="http://127.0.0.1/api/webhook/bench-bare" onHangup="http://127.0.0.1/api/webhook/bench-bare" />'
)


async def _handle(hass: HomeAssistant, webhook_id: str, request: web.Request) -> web.Response:
    await request.read()
    return web.Response(body=REPLY, content_type="application/xml")


async def async_setup(hass: HomeAssistant, config: ConfigType) -> bool:
    """Register the bare webhook."""
    webhook.async_register(hass, DOMAIN, "bench bare", WEBHOOK_ID, _handle, allowed_methods=["POST"])
    return True
