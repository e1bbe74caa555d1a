"""The account and its users: who the token belongs to, balance, users."""

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Self

from .exceptions import SipgateInvalidResponseError
from .parsing import flag, optional_bool, optional_int, optional_str, required_str, str_list
from .transport import Transport


@dataclass(frozen=True, slots=True)
class UserInfo:
    """The token's owner: ``GET /authorization/userinfo``.

    ``master_sip_id`` identifies the sipgate account, ``sub`` the web user
    (``w0``) who owns the token.
    """

    sub: str
    master_sip_id: str
    domain: str | None = None
    locale: str | None = None

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Self:
        """Build from the API's JSON object."""
        return cls(
            sub=required_str(data, "sub", "userinfo"),
            master_sip_id=required_str(data, "masterSipId", "userinfo"),
            domain=optional_str(data, "domain"),
            locale=optional_str(data, "locale"),
        )


@dataclass(frozen=True, slots=True)
class Account:
    """The account: ``GET /account``."""

    company: str | None = None
    main_product_type: str | None = None
    logo_url: str | None = None
    verified: bool | None = None
    history_life_time: str | None = None

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Self:
        """Build from the API's JSON object."""
        return cls(
            company=optional_str(data, "company"),
            main_product_type=optional_str(data, "mainProductType"),
            logo_url=optional_str(data, "logoUrl"),
            verified=optional_bool(data, "verified"),
            history_life_time=optional_str(data, "historyLifeTime"),
        )


@dataclass(frozen=True, slots=True)
class Balance:
    """The account's credit. sipgate sends ``amount`` in 1/10000 of the currency."""

    amount: Decimal
    currency: str

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Self:
        """Build from ``GET /balance``; 35000 becomes ``Decimal("3.5")``.

        An answer without a numeric ``amount`` is refused rather than shown as a balance of 0.
        """
        raw = optional_int(data, "amount")
        if raw is None:
            raise SipgateInvalidResponseError("balance: field 'amount' is missing or not a number")
        return cls(amount=Decimal(raw) / 10000, currency=optional_str(data, "currency") or "EUR")


@dataclass(frozen=True, slots=True)
class User:
    """A web user of the account (``w0``, ``w1`` …)."""

    id: str
    firstname: str | None = None
    lastname: str | None = None
    email: str | None = None
    default_device: str | None = None
    busy_on_busy: bool = False
    admin: bool = False
    direct_dial_ids: tuple[str, ...] = ()
    timezone: str | None = None
    address_id: str | None = None

    @property
    def name(self) -> str:
        """First and last name, or the id when both are empty."""
        return " ".join(part for part in (self.firstname, self.lastname) if part) or self.id

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Self:
        """Build from a ``UserResponse``."""
        return cls(
            id=required_str(data, "id", "user"),
            firstname=optional_str(data, "firstname"),
            lastname=optional_str(data, "lastname"),
            email=optional_str(data, "email"),
            default_device=optional_str(data, "defaultDevice"),
            busy_on_busy=flag(data, "busyOnBusy"),
            admin=flag(data, "admin"),
            direct_dial_ids=str_list(data, "directDialIds"),
            timezone=optional_str(data, "timezone"),
            address_id=optional_str(data, "addressId"),
        )


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
