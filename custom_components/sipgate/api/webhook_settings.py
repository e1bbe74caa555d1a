"""The account's webhook (sipgate.io push) settings and debug log."""

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime
import re
from typing import Any, ClassVar

from .exceptions import SipgateValidationError
from .model import ApiModel
from .parsing import custom, flag, moment, text
from .transport import Transport
from .validation import validate_http_url

SCOPE_READ = "settings:sipgateio:read"
SCOPE_WRITE = "settings:sipgateio:write"
_WHITELIST_ENTRY = re.compile(r"[pg](0|[1-9][0-9]*)")


def _whitelist(value: Any) -> tuple[str, ...] | None:
    """``whitelist``: a list limits the push, anything else means every line and group."""
    return tuple(str(item) for item in value) if isinstance(value, list) else None


@dataclass(frozen=True, slots=True)
class WebhookSettings(ApiModel):
    """Where sipgate pushes call events (``GET``/``PUT /settings/sipgateio``; ``to_dict`` is the ``PUT`` body).

    ``whitelist`` limits the push to these phone lines and groups; ``None``
    means every line and group (an empty tuple means none).
    """

    model_name: ClassVar[str] = "webhook settings"

    incoming_url: str = text("incomingUrl", default="")
    outgoing_url: str = text("outgoingUrl", default="")
    log: bool = flag()
    whitelist: tuple[str, ...] | None = custom(_whitelist)


@dataclass(frozen=True, slots=True)
class WebhookLogEntry(ApiModel):
    """One push sipgate sent, with what it got back (a ``PhonelineSipgateIoLogResponse``)."""

    model_name: ClassVar[str] = "webhook log entry"

    created: datetime | None = moment()
    url: str | None = text()
    request: str | None = text()
    response: str | None = text()
    xml_error: str | None = text("xmlError")
    status: str | None = text()


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
