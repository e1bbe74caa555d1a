"""The account's phone numbers and where they route."""

from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Self

from .pagination import Page, iterate_pages
from .parsing import flag, optional_datetime, optional_int, optional_str, required_str
from .transport import Transport, items_of


@dataclass(frozen=True, slots=True)
class MnpState:
    """A number being ported away: whether it is released, and until when."""

    is_released: bool = False
    released_until: datetime | None = None

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Self:
        """Build from a number's ``mnpState``."""
        return cls(
            is_released=flag(data, "isReleased"), released_until=optional_datetime(data, "releasedUntil")
        )


@dataclass(frozen=True, slots=True)
class PhoneNumber:
    """A number of the account; ``endpoint_id`` is where it rings (``p0``, ``g1`` …)."""

    id: str
    number: str
    localized: str | None = None
    type: str | None = None
    endpoint_id: str | None = None
    endpoint_alias: str | None = None
    endpoint_url: str | None = None
    mnp_state: MnpState | None = None
    port_id: str | None = None

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Self:
        """Build from a ``NumberResponseWithEndpoint``."""
        return cls(
            id=required_str(data, "id", "number"),
            number=required_str(data, "number", "number"),
            localized=optional_str(data, "localized"),
            type=optional_str(data, "type"),
            endpoint_id=optional_str(data, "endpointId"),
            endpoint_alias=optional_str(data, "endpointAlias"),
            endpoint_url=optional_str(data, "endpointUrl"),
            mnp_state=MnpState.from_dict(mnp) if isinstance(mnp := data.get("mnpState"), Mapping) else None,
            port_id=optional_str(data, "portId"),
        )


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
            optional_int(data, "totalCount"),
        )

    def iterate(self, *, page_size: int = 100) -> AsyncIterator[PhoneNumber]:
        """Every number of the account, page by page."""

        async def fetch(offset: int, size: int) -> Page[PhoneNumber]:
            return await self.fetch(limit=size, offset=offset)

        return iterate_pages(fetch, page_size=page_size, key=lambda number: number.id)
