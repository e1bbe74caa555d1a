"""What a loaded sipgate config entry keeps at run time."""

from dataclasses import dataclass, field

from homeassistant.config_entries import ConfigEntry

from .api import Account, SipgateClient, UserInfo


@dataclass(slots=True)
class SipgateData:
    """Runtime data of one sipgate account (``entry.runtime_data``)."""

    client: SipgateClient
    userinfo: UserInfo
    account: Account | None
    missing_scopes: set[str] = field(default_factory=set)


type SipgateConfigEntry = ConfigEntry[SipgateData]
