"""Voicemail boxes."""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Self

from .parsing import optional_str, required_str
from .transport import Transport


@dataclass(frozen=True, slots=True)
class Voicemail:
    """A voicemail box; ``belongs_to`` is the extension it serves (``w0``, ``p1`` …)."""

    id: str
    alias: str | None = None
    belongs_to: str | None = None
    belongs_to_type: str | None = None

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Self:
        """Build from a ``SimpleVoicemailResponse``."""
        endpoint = data.get("belongsToEndpoint")
        endpoint = endpoint if isinstance(endpoint, Mapping) else {}
        return cls(
            id=required_str(data, "id", "voicemail"),
            alias=optional_str(data, "alias"),
            belongs_to=optional_str(endpoint, "extension"),
            belongs_to_type=optional_str(endpoint, "type"),
        )


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
