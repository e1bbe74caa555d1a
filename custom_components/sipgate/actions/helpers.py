"""What every action needs: table shape, account, translated errors, field readers, file reading.

Every action is one ``SipgateAction`` in its area's ``ACTIONS`` (``actions/<area>.py``);
``actions/__init__.py`` registers them all. The error mapping is also used outside the actions
(switches, notify entities, spoken announcements).
"""

from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import (
    HomeAssistant,
    ServiceCall,
    ServiceResponse,
    SupportsResponse,
    async_get_hass_or_none,
)
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers import config_validation as cv, service
from homeassistant.util import dt as dt_util

from ..api import (
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
from ..api.phone import ExtensionReadError, NumberProblem, NumberReadError, parse_number
from ..api.rate_limit import wait_seconds
from ..compat import vol
from ..const import ATTR_CONFIG_ENTRY_ID, DEFAULT_REGION, DOMAIN
from ..runtime import SipgateConfigEntry

type ActionHandler = Callable[[HomeAssistant, ServiceCall], Awaitable[ServiceResponse]]
type EntryHandler = Callable[[HomeAssistant, SipgateConfigEntry, dict[str, Any]], Awaitable[ServiceResponse]]


@dataclass(frozen=True, kw_only=True)
class SipgateAction:
    """One action: its name, its fields (``config_entry_id`` is added to all), what it does."""

    name: str
    handler: ActionHandler
    fields: dict[Any, Any] = field(default_factory=dict)
    supports_response: SupportsResponse = SupportsResponse.NONE


def loaded_entries(hass: HomeAssistant) -> list[SipgateConfigEntry]:
    """The sipgate accounts that are set up."""
    return [
        entry for entry in hass.config_entries.async_entries(DOMAIN) if entry.state is ConfigEntryState.LOADED
    ]


def ready_entries(hass: HomeAssistant) -> list[SipgateConfigEntry]:
    """The sipgate accounts that can act: set up, or still reading the account with calls answered.

    The webhook answers calls before the account's data is read (a slow or failing sipgate
    must not leave the door phone without a reply), so an automation answering such a call
    finds its account while the set-up still waits for sipgate.
    """
    return [
        entry
        for entry in hass.config_entries.async_entries(DOMAIN)
        if entry.state is ConfigEntryState.LOADED
        or (entry.state is ConfigEntryState.SETUP_IN_PROGRESS and hasattr(entry, "runtime_data"))
    ]


def resolve_entry(
    hass: HomeAssistant, call: ServiceCall, *, prefer: Callable[[SipgateConfigEntry], bool] | None = None
) -> SipgateConfigEntry:
    """The account an action is for.

    ``config_entry_id`` when given (an account ready to act, see :func:`ready_entries`;
    anything else gets Home Assistant's ``service.async_get_config_entry`` translated
    errors); else the only account ready to act; else the one ``prefer`` picks (e.g. the
    account the call belongs to).
    """
    entries = ready_entries(hass)
    if entry_id := call.data.get(ATTR_CONFIG_ENTRY_ID):
        if (given := hass.config_entries.async_get_entry(entry_id)) in entries:
            return given
        # Home Assistant's own check and errors: the entry exists, is sipgate's and is loaded.
        entry: SipgateConfigEntry = service.async_get_config_entry(hass, DOMAIN, entry_id)
        return entry
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
        case ExtensionReadError():
            return ServiceValidationError(
                translation_domain=DOMAIN,
                translation_key="invalid_extension",
                translation_placeholders={
                    "field": err.field or "",
                    "value": str(err.value),
                    "kinds": ", ".join(f"{letter}0" for letter in sorted(err.types)),
                },
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
                translation_placeholders={"seconds": str(wait_seconds(err))},
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


def for_entry(handler: EntryHandler) -> ActionHandler:
    """A handler for the account the action names (see ``resolve_entry``), with translated errors.

    ``handler`` gets a copy of the action's data, so it may add to it.
    """

    async def handle(hass: HomeAssistant, call: ServiceCall) -> ServiceResponse:
        entry = resolve_entry(hass, call)
        with mapped_errors(hass, entry):
            return await handler(hass, entry, dict(call.data))

    return handle


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


# --- field readers ---------------------------------------------------------------------------


def phone_number(field: str) -> Callable[[Any], str]:
    """The reader of the phone number field ``field``: text as given (read strictly later).

    YAML reads an unquoted ``+4915791234567`` as an integer, and a template that renders
    only ``+49…`` gives one too: an integer is read as ``+`` and its digits. But YAML also
    reads an unquoted ``021112345671`` (a leading ``0``, digits 0-7) as an *octal* integer
    (2301217721), so an integer whose octal reading is a number that exists in Home
    Assistant's country is refused with a translated error naming ``field``: which number
    was meant cannot be known, and a guess would call or text somebody else.
    """

    def validate(value: Any) -> str:
        if isinstance(value, bool):
            raise vol.Invalid("expected a phone number")
        if isinstance(value, int):
            if value < 0:
                raise vol.Invalid("expected a phone number")
            octal = f"0{value:o}"
            hass = async_get_hass_or_none()
            region = (hass.config.country if hass is not None else None) or DEFAULT_REGION
            if parse_number(octal, region=region) is not None:
                raise service_error("phone_number_not_text", field=field, value=value, octal=octal)
            return f"+{value}"
        return cv.string(value)

    return validate


def sipgate_choice(*values: str) -> Callable[[Any], str]:
    """One of sipgate's uppercase values, chosen by its lowercase selector key.

    The selectors offer ``call``, ``private`` …; sipgate wants ``CALL``, ``PRIVATE``.
    The uppercase form is accepted too (automations written before 0.2.0 use it).
    """
    by_key = {value.lower(): value for value in values}

    def validate(value: Any) -> str:
        if not isinstance(value, str) or value.lower() not in by_key:
            raise vol.Invalid(f"expected one of {', '.join(by_key)}")
        return by_key[value.lower()]

    return validate


PAGE = {
    vol.Optional("limit", default=50): vol.All(vol.Coerce(int), vol.Range(min=1, max=1000)),
    vol.Optional("offset", default=0): vol.All(vol.Coerce(int), vol.Range(min=0)),
}


def aware(moment: datetime | None) -> datetime | None:
    """A datetime from an action field: naive means Home Assistant's time zone."""
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=dt_util.get_default_time_zone())


# --- files -----------------------------------------------------------------------------------

MAX_FAX_BYTES = 30 * 1024 * 1024
MAX_TEXT_BYTES = 10 * 1024 * 1024


async def async_check_allowed(hass: HomeAssistant, path: str) -> None:
    """Refuse a path outside ``allowlist_external_dirs``, or one that cannot be checked."""
    try:
        allowed = await hass.async_add_executor_job(hass.config.is_allowed_path, path)
    except ValueError:  # e.g. a NUL character in a folder name
        allowed = False
    if not allowed:
        raise service_error("file_not_allowed", path=path)


def _checked(path: str, limit: int) -> Path:
    """``path`` as a file of at most ``limit`` bytes."""
    file = Path(path)
    if not file.is_file():
        raise service_error("file_not_found", path=path)
    if file.stat().st_size > limit:
        raise service_error("file_too_large", path=path, limit_mb=limit // (1024 * 1024))
    return file


def _read_bytes(path: str, limit: int) -> bytes:
    return _checked(path, limit).read_bytes()


def _read_text(path: str) -> str:
    file = _checked(path, MAX_TEXT_BYTES)
    try:
        return file.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as err:
        raise service_error(
            "invalid_input", field="file", error=f"{path} is not UTF-8 text ({err.reason})"
        ) from err


async def async_read_allowed_file(hass: HomeAssistant, path: str, *, limit: int = MAX_FAX_BYTES) -> bytes:
    """A local file's content, only from inside ``allowlist_external_dirs`` and up to ``limit`` bytes."""
    await async_check_allowed(hass, path)
    return await hass.async_add_executor_job(_read_bytes, path, limit)


async def async_read_allowed_text(hass: HomeAssistant, path: str) -> str:
    """A local UTF-8 text file, only from inside ``allowlist_external_dirs`` and up to 10 MiB."""
    await async_check_allowed(hass, path)
    return await hass.async_add_executor_job(_read_text, path)
