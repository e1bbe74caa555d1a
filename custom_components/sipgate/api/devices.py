"""Phones, apps and mobiles (devices) and their do-not-disturb setting."""

from dataclasses import dataclass
from typing import ClassVar

from .model import ApiModel
from .parsing import flag, ids, required, text
from .transport import Transport, path_segment


@dataclass(frozen=True, slots=True)
class Device(ApiModel):
    """A device (``DeviceResponse``): an ``e0`` VoIP phone, ``x1`` external phone, ``y2`` mobile and so on."""

    model_name: ClassVar[str] = "device"

    id: str = required()
    alias: str | None = text()
    type: str | None = text()
    online: bool = flag()
    dnd: bool = flag()
    active_phonelines: tuple[str, ...] = ids("activePhonelines")
    active_groups: tuple[str, ...] = ids("activeGroups")
    caller_id: str | None = text("callerId")
    owner: str | None = text()


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
