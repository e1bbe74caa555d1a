"""The account's webhook (sipgate.io push) settings and debug log."""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime
import re
from typing import Any, Self

from .exceptions import SipgateValidationError
from .parsing import flag, optional_datetime, optional_str
from .transport import Transport
from .validation import validate_http_url

SCOPE_READ = "settings:sipgateio:read"
SCOPE_WRITE = "settings:sipgateio:write"
_WHITELIST_ENTRY = re.compile(r"[pg](0|[1-9][0-9]*)")


@dataclass(frozen=True, slots=True)
class WebhookSettings:
    """Where sipgate pushes call events.

    ``whitelist`` limits the push to these phone lines and groups; ``None``
    means every line and group (an empty tuple means none).
    """

    incoming_url: str = ""
    outgoing_url: str = ""
    log: bool = False
    whitelist: tuple[str, ...] | None = None

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Self:
        """Build from ``GET /settings/sipgateio``."""
        whitelist = data.get("whitelist")
        return cls(
            incoming_url=optional_str(data, "incomingUrl") or "",
            outgoing_url=optional_str(data, "outgoingUrl") or "",
            log=flag(data, "log"),
            whitelist=None if not isinstance(whitelist, list) else tuple(str(item) for item in whitelist),
        )

    def to_dict(self) -> dict[str, Any]:
        """The body of ``PUT /settings/sipgateio`` (the whole object)."""
        return {
            "incomingUrl": self.incoming_url,
            "outgoingUrl": self.outgoing_url,
            "log": self.log,
            "whitelist": None if self.whitelist is None else list(self.whitelist),
        }


@dataclass(frozen=True, slots=True)
class WebhookLogEntry:
    """One push sipgate sent, with what it got back."""

    created: datetime | None
    url: str | None
    request: str | None
    response: str | None
    xml_error: str | None
    status: str | None

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Self:
        """Build from a ``PhonelineSipgateIoLogResponse``."""
        return cls(
            created=optional_datetime(data, "created"),
            url=optional_str(data, "url"),
            request=optional_str(data, "request"),
            response=optional_str(data, "response"),
            xml_error=optional_str(data, "xmlError"),
            status=optional_str(data, "status"),
        )


_UNSET: Any = object()


def _webhook_url(url: str, field: str) -> str:
    """An http(s) URL, or the empty string to clear it."""
    return "" if url == "" else validate_http_url(url, field=field)


def validate_whitelist(extensions: Iterable[str]) -> tuple[str, ...]:
    """Only phone lines (``p…``) and groups (``g…``) can trigger pushes."""
    entries = tuple(extensions)
    for entry in entries:
        if not _WHITELIST_ENTRY.fullmatch(entry):
            raise SipgateValidationError(
                f"whitelist: {entry!r} is neither a phone line (p0 …) nor a group (g0 …)",
                field="whitelist",
                value=entry,
            )
    return entries


class WebhookSettingsApi:
    """Read and change the push settings; every change is read-modify-write."""

    def __init__(self, transport: Transport) -> None:
        """Use ``transport`` for every request."""
        self._transport = transport

    async def get(self) -> WebhookSettings:
        """The current settings."""
        return WebhookSettings.from_dict(
            await self._transport.get_object("settings/sipgateio", scope=SCOPE_READ)
        )

    async def update(
        self,
        *,
        incoming_url: str = _UNSET,
        outgoing_url: str = _UNSET,
        log: bool = _UNSET,
        whitelist: Iterable[str] | None = _UNSET,
    ) -> WebhookSettings:
        """Change the given settings, keep the others; return what was stored.

        An empty URL clears it; ``whitelist=None`` lets every line and group
        trigger pushes, an empty list none.
        """
        changes: dict[str, Any] = {}
        if incoming_url is not _UNSET:
            changes["incoming_url"] = _webhook_url(incoming_url, "incoming_url")
        if outgoing_url is not _UNSET:
            changes["outgoing_url"] = _webhook_url(outgoing_url, "outgoing_url")
        if log is not _UNSET:
            changes["log"] = bool(log)
        if whitelist is not _UNSET:
            changes["whitelist"] = None if whitelist is None else validate_whitelist(whitelist)
        settings = replace(await self.get(), **changes)
        await self._transport.request(
            "PUT", "settings/sipgateio", json_body=settings.to_dict(), scope=SCOPE_WRITE
        )
        return settings

    async def set_incoming_url(self, url: str) -> WebhookSettings:
        """Push incoming calls to ``url``."""
        return await self.update(incoming_url=validate_http_url(url, field="incoming_url"))

    async def set_outgoing_url(self, url: str) -> WebhookSettings:
        """Push outgoing calls to ``url``."""
        return await self.update(outgoing_url=validate_http_url(url, field="outgoing_url"))

    async def clear_incoming_url(self) -> WebhookSettings:
        """Stop pushing incoming calls."""
        return await self.update(incoming_url="")

    async def clear_outgoing_url(self) -> WebhookSettings:
        """Stop pushing outgoing calls."""
        return await self.update(outgoing_url="")

    async def set_whitelist(self, extensions: Iterable[str]) -> WebhookSettings:
        """Push only calls of these phone lines and groups."""
        return await self.update(whitelist=validate_whitelist(extensions))

    async def clear_whitelist(self) -> WebhookSettings:
        """Push calls of no line or group (an empty whitelist)."""
        return await self.update(whitelist=())

    async def disable_whitelist(self) -> WebhookSettings:
        """Push calls of every line and group (no whitelist)."""
        return await self.update(whitelist=None)

    async def set_log(self, enabled: bool) -> WebhookSettings:
        """Switch sipgate's debug log of pushes."""
        return await self.update(log=enabled)

    async def get_log(self) -> list[WebhookLogEntry]:
        """Sipgate's log of recent pushes (``GET /log/webhooks``)."""
        items = await self._transport.get_items("log/webhooks", scope="log:webhooks:read")
        return [WebhookLogEntry.from_dict(item) for item in items]
