"""The sipgate integration: a sipgate.io telephony account in Home Assistant."""

from homeassistant.const import CONF_TOKEN, Platform
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ConfigEntryAuthFailed, ConfigEntryNotReady
from homeassistant.helpers import config_validation as cv
from homeassistant.helpers.aiohttp_client import async_get_clientsession
from homeassistant.helpers.typing import ConfigType

from .api import (
    PersonalAccessToken,
    SipgateAuthenticationError,
    SipgateClient,
    SipgateError,
    SipgateForbiddenError,
)
from .const import CONF_TOKEN_ID, DOMAIN, LOGGER
from .data import SipgateConfigEntry, SipgateData

CONFIG_SCHEMA = cv.config_entry_only_config_schema(DOMAIN)
PLATFORMS: list[Platform] = []


async def async_setup(hass: HomeAssistant, config: ConfigType) -> bool:
    """Set up the parts that do not belong to one account."""
    return True


async def async_setup_entry(hass: HomeAssistant, entry: SipgateConfigEntry) -> bool:
    """Connect to one sipgate account."""
    client = SipgateClient(
        async_get_clientsession(hass),
        PersonalAccessToken(entry.data[CONF_TOKEN_ID], entry.data[CONF_TOKEN]),
    )
    try:
        userinfo = await client.get_userinfo()
    except SipgateAuthenticationError as err:
        raise ConfigEntryAuthFailed(translation_domain=DOMAIN, translation_key="invalid_auth") from err
    except SipgateError as err:
        raise ConfigEntryNotReady(
            translation_domain=DOMAIN,
            translation_key="cannot_connect",
            translation_placeholders={"error": str(err)},
        ) from err

    missing_scopes: set[str] = set()
    try:
        account = await client.get_account()
    except SipgateForbiddenError as err:
        # A token without account:read still works; only what needs it degrades.
        LOGGER.info("The sipgate token has no %s scope; account details are not shown", err.scope)
        missing_scopes.add(err.scope or "account:read")
        account = None
    except SipgateAuthenticationError as err:
        raise ConfigEntryAuthFailed(translation_domain=DOMAIN, translation_key="invalid_auth") from err
    except SipgateError as err:
        raise ConfigEntryNotReady(
            translation_domain=DOMAIN,
            translation_key="cannot_connect",
            translation_placeholders={"error": str(err)},
        ) from err

    entry.runtime_data = SipgateData(
        client=client, userinfo=userinfo, account=account, missing_scopes=missing_scopes
    )
    await hass.config_entries.async_forward_entry_setups(entry, PLATFORMS)
    return True


async def async_unload_entry(hass: HomeAssistant, entry: SipgateConfigEntry) -> bool:
    """Disconnect from one sipgate account."""
    return await hass.config_entries.async_unload_platforms(entry, PLATFORMS)
