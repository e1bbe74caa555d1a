"""Typed models of what the sipgate API returns.

Every model is built with ``from_dict`` from the decoded JSON. Fields sipgate
adds later are ignored; fields it leaves out become ``None`` unless the API
guarantees them.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Self

from .exceptions import SipgateInvalidResponseError


def _required_str(data: Mapping[str, Any], key: str, model: str) -> str:
    value = data.get(key)
    if value is None or value == "":
        raise SipgateInvalidResponseError(f"{model}: field {key!r} is missing")
    return str(value)


def _optional_str(data: Mapping[str, Any], key: str) -> str | None:
    value = data.get(key)
    return None if value is None else str(value)


def _optional_bool(data: Mapping[str, Any], key: str) -> bool | None:
    value = data.get(key)
    if value is None:
        return None
    if isinstance(value, str):
        return value.strip().lower() == "true"
    return bool(value)


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
            sub=_required_str(data, "sub", "userinfo"),
            master_sip_id=_required_str(data, "masterSipId", "userinfo"),
            domain=_optional_str(data, "domain"),
            locale=_optional_str(data, "locale"),
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
            company=_optional_str(data, "company") or None,
            main_product_type=_optional_str(data, "mainProductType"),
            logo_url=_optional_str(data, "logoUrl"),
            verified=_optional_bool(data, "verified"),
            history_life_time=_optional_str(data, "historyLifeTime"),
        )
