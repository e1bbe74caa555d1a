"""``sipgate.read_numbers``: read phone numbers the way the integration does (for blueprints).

Event data carries numbers in E.164 (``+4921112345671``); people write them in
many forms (``0211 12345671``). Automations compare the two through this
action's reading: strict, in the account's country, never a guess.
"""

from typing import Any

from homeassistant.core import HomeAssistant, ServiceCall, ServiceResponse, SupportsResponse, callback
from homeassistant.helpers import config_validation as cv

from .api.phone import read_number
from .call_actions import phone_number
from .compat import vol
from .const import ATTR_CONFIG_ENTRY_ID, DOMAIN
from .service_helpers import mapped_errors, resolve_entry

SCHEMA = vol.Schema(
    {
        vol.Optional(ATTR_CONFIG_ENTRY_ID): cv.string,
        vol.Required("numbers"): vol.All(cv.ensure_list, [vol.Any(None, phone_number)]),
    }
)


@callback
def async_register_number_actions(hass: HomeAssistant) -> None:
    """Register ``sipgate.read_numbers``."""

    async def read_numbers(call: ServiceCall) -> ServiceResponse:
        entry = resolve_entry(hass, call)
        region = entry.runtime_data.client.region
        with mapped_errors(hass, entry):
            numbers: list[Any] = [
                read_number(value, field="numbers", region=region)
                for value in call.data["numbers"]
                if value is not None and value.strip()
            ]
        return {"numbers": numbers}

    hass.services.async_register(
        DOMAIN, "read_numbers", read_numbers, schema=SCHEMA, supports_response=SupportsResponse.ONLY
    )
