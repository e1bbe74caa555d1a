"""The address sipgate fetches spoken announcements from: ``/api/sipgate/announcement/<token>.wav``.

Registered when the integration is set up (Home Assistant's HTTP server takes
views best before it serves); the announcements themselves live in
:mod:`.speech`, which is loaded only when one is spoken. No login: the token
is the secret, as with Home Assistant's own ``/api/tts_proxy``.
"""

import re
from typing import TYPE_CHECKING, Final

from aiohttp import web

from homeassistant.components.http import KEY_HASS, HomeAssistantView
from homeassistant.core import HomeAssistant, callback
from homeassistant.exceptions import HomeAssistantError
from homeassistant.util.hass_dict import HassKey

from .const import DOMAIN

if TYPE_CHECKING:
    from .speech import SpeechAnnouncements

VIEW_URL: Final = "/api/sipgate/announcement/{token}"
_TOKEN: Final = re.compile(r"[A-Za-z0-9_-]{16,64}\.wav")
DATA_SPEECH: HassKey[SpeechAnnouncements] = HassKey(f"{DOMAIN}_speech")


class AnnouncementView(HomeAssistantView):
    """Serves announcements to sipgate."""

    requires_auth = False
    url = VIEW_URL
    name = "api:sipgate:announcement"

    async def get(self, request: web.Request, token: str) -> web.Response:
        """The WAV, once rendered; 404 for unknown tokens, 500 when the speech failed."""
        hass = request.app[KEY_HASS]
        announcements = hass.data.get(DATA_SPEECH)
        if (
            not _TOKEN.fullmatch(token)
            or announcements is None
            or (found := announcements.get(token)) is None
        ):
            return web.Response(status=404)
        try:
            audio = await found.async_audio()
        except HomeAssistantError:
            return web.Response(status=500)
        return web.Response(body=audio.data, content_type="audio/wav", headers={"Cache-Control": "no-store"})


@callback
def async_register_announcement_view(hass: HomeAssistant) -> None:
    """Serve spoken announcements."""
    hass.http.register_view(AnnouncementView())
