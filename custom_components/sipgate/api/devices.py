"""Phones, apps and mobiles (devices) and their do-not-disturb setting."""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Self

from .parsing import flag, object_list, optional_str, required_str
from .transport import Transport, path_segment


@dataclass(frozen=True, slots=True)
class Device:
    """A device (``e0`` VoIP phone, ``x1`` external, ``y2`` mobile …)."""

    id: str
    alias: str | None = None
    type: str | None = None
    online: bool = False
    dnd: bool = False
    active_phonelines: tuple[str, ...] = ()
    active_groups: tuple[str, ...] = ()
    caller_id: str | None = None
    owner: str | None = None

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Self:
        """Build from a ``DeviceResponse``."""
        return cls(
            id=required_str(data, "id", "device"),
            alias=optional_str(data, "alias"),
            type=optional_str(data, "type"),
            online=flag(data, "online"),
            dnd=flag(data, "dnd"),
            active_phonelines=tuple(
                str(item["id"]) for item in object_list(data, "activePhonelines") if item.get("id")
            ),
            active_groups=tuple(
                str(item["id"]) for item in object_list(data, "activeGroups") if item.get("id")
            ),
            caller_id=optional_str(data, "callerId"),
            owner=optional_str(data, "owner"),
        )


class DevicesApi:
    """Read devices and switch do-not-disturb."""

    def __init__(self, transport: Transport) -> None:
        """Use ``transport`` for every request."""
        self._transport = transport

    async def get_devices(self, user_id: str) -> list[Device]:
        """A user's devices (``GET /{userId}/devices``)."""
        items = await self._transport.get_items(f"{path_segment(user_id)}/devices", scope="devices:read")
        return [Device.from_dict(item) for item in items]

    async def get_device(self, device_id: str) -> Device:
        """One device (``GET /devices/{deviceId}``)."""
        return Device.from_dict(
            await self._transport.get_object(f"devices/{path_segment(device_id)}", scope="devices:read")
        )

    async def set_dnd(self, device_id: str, enabled: bool) -> None:
        """Switch do-not-disturb of a device (``PUT /devices/{deviceId}``)."""
        await self._transport.request(
            "PUT", f"devices/{path_segment(device_id)}", json_body={"dnd": enabled}, scope="devices:write"
        )
