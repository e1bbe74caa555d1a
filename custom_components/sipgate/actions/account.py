"""Account-settings actions: phone numbers, webhook settings, reading numbers like the integration.

README "Phone numbers" and "Numbers and webhook settings".

``sipgate.read_numbers`` is for blueprints: event data carries numbers in E.164
(``+4921112345671``); people write them in many forms (``0211 12345671``).
Automations compare the two through this action's reading: strict, in the
account's country, never a guess.
"""

from typing import Any

from homeassistant.core import HomeAssistant, ServiceResponse, SupportsResponse
from homeassistant.helpers import config_validation as cv

from ..api import WebhookSettings
from ..api.phone import read_number
from ..compat import vol
from ..runtime import SipgateConfigEntry
from .helpers import SipgateAction, for_entry, phone_number, service_error

URL_OR_EMPTY = vol.Any("", cv.url)


def settings_data(settings: WebhookSettings) -> dict[str, Any]:
    """Webhook settings as action response data."""
    return {
        "incoming_url": settings.incoming_url,
        "outgoing_url": settings.outgoing_url,
        "log": settings.log,
        "whitelist": None if settings.whitelist is None else list(settings.whitelist),
    }


async def _get_numbers(
    hass: HomeAssistant, entry: SipgateConfigEntry, data: dict[str, Any]
) -> ServiceResponse:
    return {
        "numbers": [
            {
                "id": number.id,
                "number": number.number,
                "localized": number.localized,
                "type": number.type,
                "endpoint_id": number.endpoint_id,
                "endpoint_alias": number.endpoint_alias,
            }
            async for number in entry.runtime_data.client.numbers.iterate()
        ]
    }


async def _get_webhook_settings(
    hass: HomeAssistant, entry: SipgateConfigEntry, data: dict[str, Any]
) -> ServiceResponse:
    return settings_data(await entry.runtime_data.client.webhook_settings.get())


async def _set_webhook_settings(
    hass: HomeAssistant, entry: SipgateConfigEntry, data: dict[str, Any]
) -> ServiceResponse:
    changes: dict[str, Any] = {
        key: data[key] for key in ("incoming_url", "outgoing_url", "log") if key in data
    }
    if data.get("whitelist_enabled") is False:
        changes["whitelist"] = None
    elif "whitelist" in data:
        changes["whitelist"] = data["whitelist"]
    if not changes:
        raise service_error("nothing_to_change")
    return settings_data(await entry.runtime_data.client.webhook_settings.update(**changes))


async def _read_numbers(
    hass: HomeAssistant, entry: SipgateConfigEntry, data: dict[str, Any]
) -> ServiceResponse:
    region = entry.runtime_data.client.region
    numbers: list[Any] = [
        read_number(value, field="numbers", region=region)
        for value in data["numbers"]
        if value is not None and value.strip()
    ]
    return {"numbers": numbers}


ACTIONS = [
    SipgateAction(
        name="get_numbers", handler=for_entry(_get_numbers), supports_response=SupportsResponse.ONLY
    ),
    SipgateAction(
        name="get_webhook_settings",
        handler=for_entry(_get_webhook_settings),
        supports_response=SupportsResponse.ONLY,
    ),
    SipgateAction(
        name="set_webhook_settings",
        handler=for_entry(_set_webhook_settings),
        fields={
            vol.Optional("incoming_url"): URL_OR_EMPTY,
            vol.Optional("outgoing_url"): URL_OR_EMPTY,
            vol.Optional("whitelist"): vol.All(cv.ensure_list, [cv.string]),
            vol.Optional("whitelist_enabled"): cv.boolean,
            vol.Optional("log"): cv.boolean,
        },
        supports_response=SupportsResponse.OPTIONAL,
    ),
    SipgateAction(
        name="read_numbers",
        handler=for_entry(_read_numbers),
        fields={vol.Required("numbers"): vol.All(cv.ensure_list, [vol.Any(None, phone_number("numbers"))])},
        supports_response=SupportsResponse.ONLY,
    ),
]
