"""The account and its users: who the token belongs to, balance, users."""

from dataclasses import MISSING, dataclass
from decimal import Decimal
from typing import Any, ClassVar

from .exceptions import SipgateInvalidResponseError
from .model import ApiModel
from .parsing import custom, flag, maybe_flag, read_int, required, text, texts
from .transport import Transport


@dataclass(frozen=True, slots=True)
class UserInfo(ApiModel):
    """The token's owner: ``GET /authorization/userinfo``.

    ``master_sip_id`` identifies the sipgate account, ``sub`` the web user
    (``w0``) who owns the token.
    """

    model_name: ClassVar[str] = "userinfo"

    sub: str = required()
    master_sip_id: str = required("masterSipId")
    domain: str | None = text()
    locale: str | None = text()


@dataclass(frozen=True, slots=True)
class Account(ApiModel):
    """The account: ``GET /account``."""

    model_name: ClassVar[str] = "account"

    company: str | None = text()
    main_product_type: str | None = text("mainProductType")
    logo_url: str | None = text("logoUrl")
    verified: bool | None = maybe_flag()
    history_life_time: str | None = text("historyLifeTime")


def _ten_thousandths(value: Any) -> Decimal:
    """Sipgate's ``amount`` (1/10000 of the currency) as the amount; checked to be a number before."""
    return Decimal(read_int(value) or 0) / 10000


@dataclass(frozen=True, slots=True)
class Balance(ApiModel):
    """The account's credit. sipgate sends ``amount`` in 1/10000 of the currency: 35000 is 3.50."""

    model_name: ClassVar[str] = "balance"

    amount: Decimal = custom(_ten_thousandths, default=MISSING)
    currency: str = text(default="EUR")

    @classmethod
    def __pre_deserialize__(cls, d: dict[Any, Any]) -> dict[Any, Any]:
        """An answer without a numeric ``amount`` is refused rather than shown as a balance of 0."""
        if read_int(d.get("amount")) is None:
            raise SipgateInvalidResponseError("balance: field 'amount' is missing or not a number")
        return d


@dataclass(frozen=True, slots=True)
class User(ApiModel):
    """A web user of the account (``w0``, ``w1`` …), from a ``UserResponse``."""

    model_name: ClassVar[str] = "user"

    id: str = required()
    firstname: str | None = text()
    lastname: str | None = text()
    email: str | None = text()
    default_device: str | None = text("defaultDevice")
    busy_on_busy: bool = flag("busyOnBusy")
    admin: bool = flag()
    direct_dial_ids: tuple[str, ...] = texts("directDialIds")
    timezone: str | None = text()
    address_id: str | None = text("addressId")

    @property
    def name(self) -> str:
        """First and last name, or the id when both are empty."""
        return " ".join(part for part in (self.firstname, self.lastname) if part) or self.id


class AccountApi:
    """Who the token belongs to, the account, its balance and its users."""

    def __init__(self, transport: Transport) -> None:
        """Use ``transport`` for every request."""
        self._transport = transport

    async def get_userinfo(self) -> UserInfo:
        """Who owns the token (``GET /authorization/userinfo``; needs no scope)."""
        return UserInfo.from_dict(await self._transport.get_object("authorization/userinfo"))

    async def get_account(self) -> Account:
        """Company, product and history settings (``GET /account``)."""
        return Account.from_dict(await self._transport.get_object("account", scope="account:read"))

    async def get_balance(self) -> Balance:
        """The account's credit (``GET /balance``)."""
        return Balance.from_dict(await self._transport.get_object("balance", scope="balance:read"))

    async def get_users(self) -> list[User]:
        """All web users of the account (``GET /users``)."""
        return [User.from_dict(item) for item in await self._transport.get_items("users", scope="users:read")]

    async def get_user(self, user_id: str) -> User:
        """One web user (``GET /users/{userId}``)."""
        return User.from_dict(await self._transport.get_object(f"users/{user_id}", scope="users:read"))
