"""What every action needs: finding the account and turning errors into translated ones."""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant, ServiceCall
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError

from .api import (
    SipgateAuthenticationError,
    SipgateConnectionError,
    SipgateError,
    SipgateForbiddenError,
    SipgateInsufficientFundsError,
    SipgateInvalidPhoneNumberError,
    SipgateNotFoundError,
    SipgateNotPdfError,
    SipgateRateLimitError,
    SipgateScheduleError,
    SipgateValidationError,
)
from .api.phone import NumberProblem, NumberReadError
from .const import ATTR_CONFIG_ENTRY_ID, DOMAIN
from .runtime import SipgateConfigEntry


def loaded_entries(hass: HomeAssistant) -> list[SipgateConfigEntry]:
    """The sipgate accounts that are set up."""
    return [
        entry for entry in hass.config_entries.async_entries(DOMAIN) if entry.state is ConfigEntryState.LOADED
    ]


def resolve_entry(
    hass: HomeAssistant, call: ServiceCall, *, prefer: Callable[[SipgateConfigEntry], bool] | None = None
) -> SipgateConfigEntry:
    """The account an action is for.

    ``config_entry_id`` when given; else the only account; else the one
    ``prefer`` picks (e.g. the account the call belongs to).
    """
    if entry_id := call.data.get(ATTR_CONFIG_ENTRY_ID):
        entry = hass.config_entries.async_get_entry(entry_id)
        if entry is None or entry.domain != DOMAIN:
            raise ServiceValidationError(
                translation_domain=DOMAIN,
                translation_key="entry_not_found",
                translation_placeholders={"entry_id": entry_id},
            )
        if entry.state is not ConfigEntryState.LOADED:
            raise ServiceValidationError(
                translation_domain=DOMAIN,
                translation_key="entry_not_loaded",
                translation_placeholders={"account": entry.title},
            )
        return entry
    entries = loaded_entries(hass)
    if not entries:
        raise ServiceValidationError(translation_domain=DOMAIN, translation_key="no_account")
    if len(entries) == 1:
        return entries[0]
    if prefer is not None:
        matching = [entry for entry in entries if prefer(entry)]
        if len(matching) == 1:
            return matching[0]
    raise ServiceValidationError(translation_domain=DOMAIN, translation_key="config_entry_id_required")


# Translation keys of the ways a value is not a phone number (the rest: invalid_phone_number).
NUMBER_PROBLEM_KEYS = {
    NumberProblem.CHARACTERS: "phone_number_characters",
    NumberProblem.EXTENSION: "phone_number_extension",
    NumberProblem.NEEDS_PLUS: "phone_number_needs_plus",
}


def api_error(err: SipgateError) -> HomeAssistantError:
    """The translated Home Assistant error for a client error."""
    match err:
        case NumberReadError() if err.problem in NUMBER_PROBLEM_KEYS:
            placeholders = {"field": err.field or "", "value": str(err.value)}
            if err.hint:
                placeholders["hint"] = err.hint
            return ServiceValidationError(
                translation_domain=DOMAIN,
                translation_key=NUMBER_PROBLEM_KEYS[err.problem],
                translation_placeholders=placeholders,
            )
        case SipgateInvalidPhoneNumberError():
            return ServiceValidationError(
                translation_domain=DOMAIN,
                translation_key="invalid_phone_number",
                translation_placeholders={"field": err.field or "", "value": str(err.value)},
            )
        case SipgateScheduleError():
            return ServiceValidationError(
                translation_domain=DOMAIN,
                translation_key="send_time_out_of_range",
                translation_placeholders={"value": str(err.value)},
            )
        case SipgateNotPdfError():
            return ServiceValidationError(translation_domain=DOMAIN, translation_key="not_a_pdf")
        case SipgateValidationError():
            return ServiceValidationError(
                translation_domain=DOMAIN,
                translation_key="invalid_input",
                translation_placeholders={"field": err.field or "", "error": str(err)},
            )
        case SipgateAuthenticationError():
            return HomeAssistantError(translation_domain=DOMAIN, translation_key="invalid_auth")
        case SipgateForbiddenError():
            return HomeAssistantError(
                translation_domain=DOMAIN,
                translation_key="missing_scope",
                translation_placeholders={"scope": err.scope or "?", "error": err.message or ""},
            )
        case SipgateInsufficientFundsError():
            return HomeAssistantError(translation_domain=DOMAIN, translation_key="insufficient_funds")
        case SipgateNotFoundError():
            return ServiceValidationError(
                translation_domain=DOMAIN,
                translation_key="not_found",
                translation_placeholders={"error": err.message or ""},
            )
        case SipgateRateLimitError():
            return HomeAssistantError(
                translation_domain=DOMAIN,
                translation_key="rate_limited",
                translation_placeholders={"seconds": str(round(err.retry_after or 0))},
            )
        case SipgateConnectionError():
            return HomeAssistantError(
                translation_domain=DOMAIN,
                translation_key="cannot_connect",
                translation_placeholders={"error": str(err)},
            )
    return HomeAssistantError(
        translation_domain=DOMAIN, translation_key="api_error", translation_placeholders={"error": str(err)}
    )


@contextmanager
def mapped_errors(hass: HomeAssistant, entry: SipgateConfigEntry | None = None) -> Iterator[None]:
    """Turn client errors into translated Home Assistant errors; a 401 starts re-authentication."""
    try:
        yield
    except SipgateError as err:
        if isinstance(err, SipgateAuthenticationError) and entry is not None:
            entry.async_start_reauth(hass)
        raise api_error(err) from err


def service_error(key: str, **placeholders: Any) -> ServiceValidationError:
    """A translated validation error of this integration."""
    return ServiceValidationError(
        translation_domain=DOMAIN,
        translation_key=key,
        translation_placeholders={name: str(value) for name, value in placeholders.items()} or None,
    )
