"""Messaging actions: SMS, fax and starting calls (click-to-dial) (README "SMS", "Fax", "Starting calls").

``send_sms`` is public: the notify entities send through it too.
"""

from datetime import datetime
from pathlib import Path
from typing import Any

from homeassistant.core import HomeAssistant, ServiceResponse, SupportsResponse
from homeassistant.helpers import config_validation as cv

from ..api import SipgateNotFoundError
from ..compat import vol
from ..runtime import SipgateConfigEntry
from .helpers import SipgateAction, async_read_allowed_file, aware, for_entry, phone_number, service_error


async def _default_sms_id(entry: SipgateConfigEntry) -> str:
    """The token owner's first SMS extension, looked up once."""
    data = entry.runtime_data
    if "sms_id" not in data.defaults:
        extensions = await data.client.sms.get_extensions(data.userinfo.sub)
        if not extensions:
            raise service_error("no_sms_extension")
        data.defaults["sms_id"] = extensions[0].id
    return data.defaults["sms_id"]


async def _default_faxline(entry: SipgateConfigEntry) -> str:
    """The token owner's first fax line that can send, looked up once."""
    data = entry.runtime_data
    if "faxline_id" not in data.defaults:
        lines = [line for line in await data.client.fax.get_faxlines(data.userinfo.sub) if line.can_send]
        if not lines:
            raise service_error("no_faxline")
        data.defaults["faxline_id"] = lines[0].id
    return data.defaults["faxline_id"]


async def send_sms(
    entry: SipgateConfigEntry, *, recipient: str, message: str, sms_id: str | None, send_at: datetime | None
) -> None:
    """Send one SMS (shared by the action and the notify entities)."""
    await entry.runtime_data.client.sms.send(
        sms_id=sms_id or await _default_sms_id(entry),
        recipient=recipient,
        message=message,
        send_at=aware(send_at),
    )


async def _send_sms(hass: HomeAssistant, entry: SipgateConfigEntry, data: dict[str, Any]) -> ServiceResponse:
    await send_sms(
        entry,
        recipient=data["recipient"],
        message=data["message"],
        sms_id=data.get("sms_id"),
        send_at=data.get("send_at"),
    )
    return None


async def _send_fax(hass: HomeAssistant, entry: SipgateConfigEntry, data: dict[str, Any]) -> ServiceResponse:
    content = await async_read_allowed_file(hass, data["file"])
    faxline = data.get("faxline_id") or await _default_faxline(entry)
    filename = data.get("filename") or Path(data["file"]).name
    session_id = await entry.runtime_data.client.fax.send(
        faxline_id=faxline, recipient=data["recipient"], pdf=content, filename=filename
    )
    entry.runtime_data.messages.fax.follow(session_id, data["recipient"])
    return {"session_id": session_id}


async def _get_fax_status(
    hass: HomeAssistant, entry: SipgateConfigEntry, data: dict[str, Any]
) -> ServiceResponse:
    try:
        status = await entry.runtime_data.client.fax.get_status(data["session_id"])
    except SipgateNotFoundError as err:
        raise service_error("unknown_session", session_id=data["session_id"]) from err
    return {"session_id": data["session_id"], "status": status.value, "final": status.is_final}


async def _initiate_call(
    hass: HomeAssistant, entry: SipgateConfigEntry, data: dict[str, Any]
) -> ServiceResponse:
    session_id = await entry.runtime_data.client.calls.initiate(
        to=data["to"], caller=data["from"], device_id=data.get("device_id"), caller_id=data.get("caller_id")
    )
    return {"session_id": session_id}


ACTIONS = [
    SipgateAction(
        name="send_sms",
        handler=for_entry(_send_sms),
        fields={
            vol.Required("recipient"): phone_number("recipient"),
            vol.Required("message"): cv.string,
            vol.Optional("sms_id"): cv.string,
            vol.Optional("send_at"): cv.datetime,
        },
    ),
    SipgateAction(
        name="send_fax",
        handler=for_entry(_send_fax),
        fields={
            vol.Required("recipient"): phone_number("recipient"),
            vol.Required("file"): cv.string,
            vol.Optional("faxline_id"): cv.string,
            vol.Optional("filename"): cv.string,
        },
        supports_response=SupportsResponse.OPTIONAL,
    ),
    SipgateAction(
        name="get_fax_status",
        handler=for_entry(_get_fax_status),
        fields={vol.Required("session_id"): cv.string},
        supports_response=SupportsResponse.ONLY,
    ),
    SipgateAction(
        name="initiate_call",
        handler=for_entry(_initiate_call),
        fields={
            vol.Required("to"): phone_number("to"),
            vol.Required("from"): phone_number("from"),
            vol.Optional("caller_id"): phone_number("caller_id"),
            vol.Optional("device_id"): cv.string,
        },
        supports_response=SupportsResponse.OPTIONAL,
    ),
]
