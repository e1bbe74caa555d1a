"""Phone lines (``p0`` …): call forwardings and blocking anonymous callers."""

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
import re
from typing import Any, ClassVar

from .exceptions import SipgateValidationError
from .model import ApiModel, check_required
from .parsing import custom, flag, number, read_bool, required, text
from .phone import is_extension, normalize_number
from .transport import Transport, path_segment

MAX_FORWARDINGS = 3
_E164 = re.compile(r"\+[1-9][0-9]{1,14}")
FORWARDING_TIMEOUT_RANGE = (0, 600)


class BlockAnonymousTarget(StrEnum):
    """What happens to a blocked anonymous call."""

    REJECT = "REJECT"
    VOICEMAIL = "VOICEMAIL"


@dataclass(frozen=True, slots=True)
class Phoneline(ApiModel):
    """A phone line, from a ``SimplePhonelineResponse``."""

    model_name: ClassVar[str] = "phone line"

    id: str = required()
    alias: str | None = text()
    block_anonymous_url: str | None = text("blockAnonymousUrl")
    devices_url: str | None = text("devicesUrl")
    forwardings_url: str | None = text("forwardingsUrl")
    numbers_url: str | None = text("numbersUrl")
    parallel_forwardings_url: str | None = text("parallelForwardingsUrl")
    voicemails_url: str | None = text("voicemailsUrl")


@dataclass(frozen=True, slots=True)
class Forwarding(ApiModel):
    """A call forwarding (``ForwardingResponse``): after ``timeout`` seconds (0 = at once) ring ``destination``.

    Read from sipgate, ``active`` is what sipgate says (``False`` when it says
    nothing); a forwarding made here is active unless told otherwise.
    """

    model_name: ClassVar[str] = "forwarding"

    destination: str = required()
    timeout: int = number(default=0)
    active: bool = custom(read_bool, default=True)
    alias: str | None = text()

    @classmethod
    def __pre_deserialize__(cls, d: dict[Any, Any]) -> dict[Any, Any]:
        """A forwarding sipgate lists without ``active`` is not active."""
        check_required(cls, d)
        return d if "active" in d else {**d, "active": False}


@dataclass(frozen=True, slots=True)
class BlockAnonymous(ApiModel):
    """Whether anonymous calls to a line are blocked (``PhonelineBlockAnonymousResponse``), and what happens to them."""

    model_name: ClassVar[str] = "blocking of anonymous calls"

    enabled: bool = flag()
    target: str = text(default=BlockAnonymousTarget.REJECT)


class PhonelinesApi:
    """Read phone lines and change their forwardings and anonymous-call blocking."""

    def __init__(self, transport: Transport) -> None:
        """Use ``transport`` for every request."""
        self._transport = transport

    def _path(self, user_id: str, phoneline_id: str, what: str) -> str:
        return f"{path_segment(user_id)}/phonelines/{path_segment(phoneline_id)}/{what}"

    async def get_phonelines(self, user_id: str) -> list[Phoneline]:
        """A user's phone lines (``GET /{userId}/phonelines``)."""
        items = await self._transport.get_items(
            f"{path_segment(user_id)}/phonelines", scope="phonelines:read"
        )
        return [Phoneline.from_dict(item) for item in items]

    async def get_forwardings(self, user_id: str, phoneline_id: str) -> list[Forwarding]:
        """The line's forwardings."""
        items = await self._transport.get_items(
            self._path(user_id, phoneline_id, "forwardings"), scope="phonelines:forwardings:read"
        )
        return [Forwarding.from_dict(item) for item in items]

    async def set_forwardings(
        self, user_id: str, phoneline_id: str, forwardings: Sequence[Forwarding]
    ) -> None:
        """Replace the line's forwardings (at most 3, timeouts 0-600 s)."""
        if len(forwardings) > MAX_FORWARDINGS:
            raise SipgateValidationError(
                f"forwardings: a line takes at most {MAX_FORWARDINGS} forwardings, not {len(forwardings)}",
                field="forwardings",
                value=len(forwardings),
            )
        body = []
        for forwarding in forwardings:
            low, high = FORWARDING_TIMEOUT_RANGE
            if not low <= forwarding.timeout <= high:
                raise SipgateValidationError(
                    f"timeout: {forwarding.timeout} s is outside {low}-{high} s",
                    field="timeout",
                    value=forwarding.timeout,
                )
            destination = forwarding.destination
            # Destinations as sipgate lists them (E.164, voicemail, or an extension such as a
            # group's p1) go back unchanged: the whole list is written, so one must not block the rest.
            if not (destination == "voicemail" or _E164.fullmatch(destination) or is_extension(destination)):
                destination = normalize_number(
                    destination, field="destination", region=self._transport.region
                )
            body.append(
                {"destination": destination, "timeout": forwarding.timeout, "active": forwarding.active}
            )
        await self._transport.request(
            "PUT",
            self._path(user_id, phoneline_id, "forwardings"),
            json_body={"forwardings": body},
            scope="phonelines:forwardings:write",
        )

    async def get_block_anonymous(self, user_id: str, phoneline_id: str) -> BlockAnonymous:
        """Whether the line blocks anonymous calls."""
        data = await self._transport.get_object(
            self._path(user_id, phoneline_id, "blockanonymous"), scope="phonelines:blockanonymous:read"
        )
        return BlockAnonymous.from_dict(data)

    async def set_block_anonymous(
        self,
        user_id: str,
        phoneline_id: str,
        enabled: bool,
        target: BlockAnonymousTarget | str = BlockAnonymousTarget.REJECT,
    ) -> None:
        """Block (or allow) anonymous calls to the line."""
        await self._transport.request(
            "PUT",
            self._path(user_id, phoneline_id, "blockanonymous"),
            json_body={"enabled": enabled, "target": BlockAnonymousTarget(str(target)).value},
            scope="phonelines:blockanonymous:write",
        )
