"""Voicemail boxes."""

from dataclasses import dataclass
from typing import ClassVar

from .model import ApiModel
from .parsing import inner_text, required, text
from .transport import Transport


@dataclass(frozen=True, slots=True)
class Voicemail(ApiModel):
    """A voicemail box (``SimpleVoicemailResponse``); ``belongs_to`` is the extension it serves (``w0``, ``p1`` …)."""

    model_name: ClassVar[str] = "voicemail"

    id: str = required()
    alias: str | None = text()
    belongs_to: str | None = inner_text("belongsToEndpoint", "extension")
    belongs_to_type: str | None = inner_text("belongsToEndpoint", "type")


class VoicemailsApi:
    """Read the voicemail boxes."""

    def __init__(self, transport: Transport) -> None:
        """Use ``transport`` for every request."""
        self._transport = transport

    async def get_voicemails(self) -> list[Voicemail]:
        """All voicemail boxes (``GET /voicemails``)."""
        return [
            Voicemail.from_dict(item)
            for item in await self._transport.get_items("voicemails", scope="voicemails:read")
        ]
