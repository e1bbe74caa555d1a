"""Phones, apps and mobiles (devices) and their do-not-disturb setting."""

from dataclasses import dataclass
from typing import Any, ClassVar

from .model import ApiModel
from .parsing import custom, flag, read_objects, required, text
from .transport import Transport, path_segment


@dataclass(frozen=True, slots=True)
class ActiveRouting(ApiModel):
    """A phone line or group a device rings for (``ActiveRouting``): its id and its name."""

    model_name: ClassVar[str] = "active routing"

    id: str = required()
    alias: str | None = text()


def _routings(value: Any) -> tuple[ActiveRouting, ...]:
    """The routings of a list; entries without an id are skipped."""
    return tuple(ActiveRouting.from_dict(item) for item in read_objects(value) if item.get("id"))


@dataclass(frozen=True, slots=True)
class Device(ApiModel):
    """A device (``DeviceResponse``): an ``e0`` VoIP phone, ``x1`` external phone, ``y2`` mobile and so on.

    ``phonelines`` and ``groups`` are the lines and groups it rings for, with their
    names; ``active_phonelines`` and ``active_groups`` are just their ids.
    """

    model_name: ClassVar[str] = "device"

    id: str = required()
    alias: str | None = text()
    type: str | None = text()
    online: bool = flag()
    dnd: bool = flag()
    phonelines: tuple[ActiveRouting, ...] = custom(_routings, "activePhonelines", default=())
    groups: tuple[ActiveRouting, ...] = custom(_routings, "activeGroups", default=())
    caller_id: str | None = text("callerId")
    owner: str | None = text()

    @property
    def active_phonelines(self) -> tuple[str, ...]:
        """The ids of the phone lines the device rings for."""
        return tuple(routing.id for routing in self.phonelines)

    @property
    def active_groups(self) -> tuple[str, ...]:
        """The ids of the groups the device rings for."""
        return tuple(routing.id for routing in self.groups)


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
