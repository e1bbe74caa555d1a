"""Text messages: send now or later, SMS extensions and their sender numbers."""

from dataclasses import dataclass
from datetime import datetime
import re
from typing import Any, ClassVar

from .exceptions import SipgateValidationError
from .model import ApiModel
from .parsing import flag, number, required, text
from .phone import normalize_number
from .transport import Transport, path_segment
from .validation import validate_send_at

_SMS_ID = re.compile(r"s(0|[1-9][0-9]*)")
SCOPE_SEND = "sessions:sms:write"


@dataclass(frozen=True, slots=True)
class SmsExtension(ApiModel):
    """An SMS extension (``s0``, an item of ``GET /{userId}/sms``): the "device" that sends text messages."""

    model_name: ClassVar[str] = "SMS extension"

    id: str = required()
    alias: str | None = text()
    caller_id: str | None = text("callerId")


@dataclass(frozen=True, slots=True, kw_only=True)
class SmsCallerId(ApiModel):
    """A number an SMS extension may send from (an item of ``GET /{userId}/sms/{smsId}/callerids``)."""

    model_name: ClassVar[str] = "SMS caller id"

    id: int = number(default=0)
    phonenumber: str = required()
    verified: bool = flag()
    default_number: bool = flag("defaultNumber")


def validate_sms_id(sms_id: str, *, field: str = "sms_id") -> str:
    """An SMS extension id such as ``s0``."""
    if not _SMS_ID.fullmatch(sms_id):
        raise SipgateValidationError(
            f"{field}: {sms_id!r} is not an SMS extension (expected s0, s1 …)", field=field, value=sms_id
        )
    return sms_id


class SmsApi:
    """Send text messages and read the SMS extensions."""

    def __init__(self, transport: Transport) -> None:
        """Use ``transport`` for every request."""
        self._transport = transport

    async def send(
        self,
        *,
        sms_id: str,
        recipient: str,
        message: str,
        send_at: datetime | None = None,
        now: datetime | None = None,
    ) -> None:
        """Send ``message`` from extension ``sms_id`` to ``recipient``, now or at ``send_at``.

        ``send_at`` must lie in the next 30 days; it is sent as whole Unix
        seconds (the API's int64).
        """
        body: dict[str, Any] = {
            "smsId": validate_sms_id(sms_id),
            "message": self._validate_message(message),
            "recipient": normalize_number(recipient, field="recipient", region=self._transport.region),
        }
        if send_at is not None:
            body["sendAt"] = validate_send_at(send_at, now=now)
        await self._transport.request("POST", "sessions/sms", json_body=body, scope=SCOPE_SEND)

    async def send_from_number(
        self,
        *,
        user_id: str,
        sender_number: str,
        recipient: str,
        message: str,
        send_at: datetime | None = None,
    ) -> None:
        """Send from a verified sender number instead of the extension's default.

        sipgate chooses the sender by the extension's default caller id, so
        this switches the default to ``sender_number`` for the one message and
        switches it back afterwards, also when sending fails.
        """
        message = self._validate_message(message)
        extensions = await self.get_extensions(user_id)
        if not extensions:
            raise SipgateValidationError(
                f"user_id: {user_id!r} has no SMS extension", field="user_id", value=user_id
            )
        sms_id = extensions[0].id
        wanted = normalize_number(sender_number, field="sender_number", region=self._transport.region)
        caller_ids = await self.get_caller_ids(user_id, sms_id)
        match = next((c for c in caller_ids if c.phonenumber == wanted), None)
        if match is None:
            raise SipgateValidationError(
                f"sender_number: {sender_number!r} is not a sender number of this account",
                field="sender_number",
                value=sender_number,
            )
        if not match.verified:
            raise SipgateValidationError(
                f"sender_number: {sender_number!r} is not verified yet",
                field="sender_number",
                value=sender_number,
            )
        previous = next((c for c in caller_ids if c.default_number), None)
        if previous is None or previous.id != match.id:
            await self.set_default_caller_id(user_id, sms_id, match.id)
        try:
            await self.send(sms_id=sms_id, recipient=recipient, message=message, send_at=send_at)
        finally:
            if previous is not None and previous.id != match.id:
                await self.set_default_caller_id(user_id, sms_id, previous.id)

    async def get_extensions(self, user_id: str) -> list[SmsExtension]:
        """The user's SMS extensions (``GET /{userId}/sms``)."""
        items = await self._transport.get_items(f"{path_segment(user_id)}/sms", scope="sms:read")
        return [SmsExtension.from_dict(item) for item in items]

    async def get_caller_ids(self, user_id: str, sms_id: str) -> list[SmsCallerId]:
        """The numbers an SMS extension may send from."""
        items = await self._transport.get_items(
            f"{path_segment(user_id)}/sms/{path_segment(validate_sms_id(sms_id))}/callerids",
            scope="sms:callerid:read",
        )
        return [SmsCallerId.from_dict(item) for item in items]

    async def set_default_caller_id(self, user_id: str, sms_id: str, caller_id: int) -> None:
        """Make ``caller_id`` the extension's default sender (a JSON boolean, not ``"true"``)."""
        await self._transport.request(
            "PUT",
            f"{path_segment(user_id)}/sms/{path_segment(validate_sms_id(sms_id))}/callerids/{path_segment(caller_id)}",
            json_body={"defaultNumber": True},
            scope="sms:callerid:write",
        )

    @staticmethod
    def _validate_message(message: str) -> str:
        if not message or not message.strip():
            raise SipgateValidationError("message: the text message is empty", field="message", value=message)
        return message
