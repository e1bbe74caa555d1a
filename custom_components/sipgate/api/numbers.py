"""The account's phone numbers and where they route."""

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime
from typing import ClassVar

from .model import ApiModel
from .pagination import Page, iterate_pages
from .parsing import flag, moment, nested, read_int, required, text
from .transport import Transport, items_of


@dataclass(frozen=True, slots=True)
class MnpState(ApiModel):
    """A number being ported away (a number's ``mnpState``): whether it is released, and until when."""

    model_name: ClassVar[str] = "porting state"

    is_released: bool = flag("isReleased")
    released_until: datetime | None = moment("releasedUntil")


@dataclass(frozen=True, slots=True)
class PhoneNumber(ApiModel):
    """A number of the account (``NumberResponseWithEndpoint``); ``endpoint_id`` is where it rings (``p0``, ``g1`` …)."""

    model_name: ClassVar[str] = "number"

    id: str = required()
    number: str = required()
    localized: str | None = text()
    type: str | None = text()
    endpoint_id: str | None = text("endpointId")
    endpoint_alias: str | None = text("endpointAlias")
    endpoint_url: str | None = text("endpointUrl")
    mnp_state: MnpState | None = nested(MnpState, "mnpState")
    port_id: str | None = text("portId")


class NumbersApi:
    """Read the account's numbers."""

    def __init__(self, transport: Transport) -> None:
        """Use ``transport`` for every request."""
        self._transport = transport

    async def fetch(self, *, limit: int | None = None, offset: int | None = None) -> Page[PhoneNumber]:
        """One page of numbers (``GET /numbers``)."""
        data = await self._transport.request(
            "GET", "numbers", params={"offset": offset, "limit": limit}, scope="numbers:read"
        )
        return Page(
            [PhoneNumber.from_dict(item) for item in items_of(data, "numbers")],
            read_int(data.get("totalCount")),
        )

    def iterate(self, *, page_size: int = 100) -> AsyncIterator[PhoneNumber]:
        """Every number of the account, page by page."""

        async def fetch(offset: int, size: int) -> Page[PhoneNumber]:
            return await self.fetch(limit=size, offset=offset)

        return iterate_pages(fetch, page_size=page_size, key=lambda number: number.id)
