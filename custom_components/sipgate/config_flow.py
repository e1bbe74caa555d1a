"""Config flow: connect a sipgate account with a personal access token."""

from collections.abc import Mapping
import secrets
from typing import TYPE_CHECKING, Any

from homeassistant.components.webhook import async_generate_id as generate_webhook_id
from homeassistant.config_entries import (
    ConfigEntry,
    ConfigEntryState,
    ConfigFlow,
    ConfigFlowResult,
    ConfigSubentryFlow,
    OptionsFlowWithReload,
    SubentryFlowResult,
)
from homeassistant.const import CONF_NAME, CONF_TOKEN
from homeassistant.core import callback
from homeassistant.helpers.selector import (
    BooleanSelector,
    NumberSelector,
    NumberSelectorConfig,
    NumberSelectorMode,
    SelectOptionDict,
    SelectSelector,
    SelectSelectorConfig,
    SelectSelectorMode,
    TextSelector,
    TextSelectorConfig,
    TextSelectorType,
)

from .api import (
    SipgateAuthenticationError,
    SipgateConnectionError,
    SipgateError,
    SipgateRateLimitError,
    UserInfo,
)
from .api.phone import NumberProblem, NumberReadError, read_number
from .api.sms import SmsExtension, validate_sms_id
from .client_factory import create_client
from .cloudhook import async_delete_cloudhook
from .compat import vol
from .const import (
    ACCOUNT_SCAN_INTERVAL_RANGE,
    ANSWER_TIMEOUT_MAX,
    ANSWER_TIMEOUT_MIN,
    CONF_ACCOUNT_SCAN_INTERVAL,
    CONF_ANSWER_TIMEOUT,
    CONF_CLOUDHOOK_URL,
    CONF_CONTACT_LOOKUP,
    CONF_HISTORY_SCAN_INTERVAL,
    CONF_MANAGE_WEBHOOK_URLS,
    CONF_NUMBER,
    CONF_PUSH_SECRET,
    CONF_REGENERATE_WEBHOOK,
    CONF_SMS_ID,
    CONF_TOKEN_ID,
    CONF_VERIFY_SIGNATURE,
    CONF_WEBHOOK_ID,
    DEFAULT_OPTIONS,
    DEFAULT_REGION,
    DOMAIN,
    HISTORY_SCAN_INTERVAL_RANGE,
    LOGGER,
    SUBENTRY_SMS_RECIPIENT,
)
from .runtime import SipgateConfigEntry

TOKEN_SCHEMA = vol.Schema(
    {
        vol.Required(CONF_TOKEN_ID): TextSelector(TextSelectorConfig(autocomplete="username")),
        vol.Required(CONF_TOKEN): TextSelector(
            TextSelectorConfig(type=TextSelectorType.PASSWORD, autocomplete="current-password")
        ),
    }
)

if TYPE_CHECKING:
    from .api.client import SipgateClient


class _RangeInStep(NumberSelector):
    """A number selector whose range the step checks, to name it in a translated error.

    The frontend still shows min and max; Home Assistant's own check would only say
    "Value 0.0 is too small".
    """

    def __call__(self, data: Any) -> float:
        return float(vol.Coerce(float)(data))


def _minutes(bounds: tuple[int, int]) -> NumberSelector:
    return _RangeInStep(
        NumberSelectorConfig(
            min=bounds[0], max=bounds[1], step=1, unit_of_measurement="min", mode=NumberSelectorMode.BOX
        )
    )


# Option → (min, max); out of range, the form shows the error "<option>_out_of_range".
OPTION_RANGES: dict[str, tuple[float, float]] = {
    CONF_ANSWER_TIMEOUT: (ANSWER_TIMEOUT_MIN, ANSWER_TIMEOUT_MAX),
    CONF_ACCOUNT_SCAN_INTERVAL: ACCOUNT_SCAN_INTERVAL_RANGE,
    CONF_HISTORY_SCAN_INTERVAL: HISTORY_SCAN_INTERVAL_RANGE,
}
OPTION_RANGE_PLACEHOLDERS = {
    f"{key}_{bound}": f"{value:g}"
    for key, (low, high) in OPTION_RANGES.items()
    for bound, value in (("min", low), ("max", high))
}


def _range_errors(user_input: Mapping[str, Any]) -> dict[str, str]:
    return {
        key: f"{key}_out_of_range"
        for key, (low, high) in OPTION_RANGES.items()
        if key in user_input and not low <= float(user_input[key]) <= high
    }


OPTIONS_SCHEMA = vol.Schema(
    {
        vol.Required(CONF_ANSWER_TIMEOUT): _RangeInStep(
            NumberSelectorConfig(
                min=ANSWER_TIMEOUT_MIN,
                max=ANSWER_TIMEOUT_MAX,
                step=0.5,
                unit_of_measurement="s",
                mode=NumberSelectorMode.SLIDER,
            )
        ),
        vol.Required(CONF_VERIFY_SIGNATURE): BooleanSelector(),
        vol.Required(CONF_MANAGE_WEBHOOK_URLS): BooleanSelector(),
        vol.Required(CONF_CONTACT_LOOKUP): BooleanSelector(),
        vol.Required(CONF_ACCOUNT_SCAN_INTERVAL): _minutes(ACCOUNT_SCAN_INTERVAL_RANGE),
        vol.Required(CONF_HISTORY_SCAN_INTERVAL): _minutes(HISTORY_SCAN_INTERVAL_RANGE),
        # Not stored: a new webhook id (and push key) when the URL may have leaked.
        vol.Optional(CONF_REGENERATE_WEBHOOK, default=False): BooleanSelector(),
    }
)


def _clean_token_input(user_input: Mapping[str, Any]) -> dict[str, str]:
    """Tokens are often pasted with a stray space or line break around them."""
    return {
        CONF_TOKEN_ID: str(user_input[CONF_TOKEN_ID]).strip(),
        CONF_TOKEN: str(user_input[CONF_TOKEN]).strip(),
    }


class SipgateConfigFlow(ConfigFlow, domain=DOMAIN):
    """Add a sipgate account, re-authenticate it, or give it a new token."""

    VERSION = 1
    MINOR_VERSION = 1

    def __init__(self) -> None:
        """Start with no account checked yet."""
        self._title: str | None = None

    @staticmethod
    @callback
    def async_get_options_flow(config_entry: SipgateConfigEntry) -> SipgateOptionsFlow:
        """Options of an existing account."""
        return SipgateOptionsFlow()

    @classmethod
    @callback
    def async_get_supported_subentry_types(
        cls, config_entry: ConfigEntry
    ) -> dict[str, type[ConfigSubentryFlow]]:
        """SMS recipients, each with a notify entity."""
        return {SUBENTRY_SMS_RECIPIENT: SmsRecipientFlow}

    async def _async_check_token(
        self, credentials: Mapping[str, str]
    ) -> tuple[UserInfo | None, dict[str, str]]:
        """Ask sipgate who the token belongs to; return it or the form errors."""
        client = create_client(self.hass, credentials)
        try:
            userinfo = await client.account.get_userinfo()
        except SipgateAuthenticationError:
            return None, {"base": "invalid_auth"}
        except SipgateConnectionError:
            return None, {"base": "cannot_connect"}
        except SipgateRateLimitError:
            return None, {"base": "rate_limited"}
        except SipgateError:
            LOGGER.exception("Unexpected answer from sipgate while checking the token")
            return None, {"base": "unknown"}
        self._title = await self._async_account_title(client, userinfo)
        return userinfo, {}

    @staticmethod
    async def _async_account_title(client: SipgateClient, userinfo: UserInfo) -> str:
        """Name the entry after the company when the token may read the account."""
        try:
            account = await client.account.get_account()
        except SipgateError:  # e.g. no account:read scope: the id will do
            account = None
        if account is not None and account.company:
            return f"sipgate {account.company}"
        return f"sipgate {userinfo.master_sip_id}"

    async def async_step_user(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Ask for the personal access token."""
        errors: dict[str, str] = {}
        if user_input is not None:
            credentials = _clean_token_input(user_input)
            userinfo, errors = await self._async_check_token(credentials)
            if userinfo is not None:
                await self.async_set_unique_id(userinfo.master_sip_id)
                self._abort_if_unique_id_configured()
                return self.async_create_entry(
                    title=self._title or f"sipgate {userinfo.master_sip_id}",
                    data={**credentials, CONF_WEBHOOK_ID: generate_webhook_id()},
                    options=dict(DEFAULT_OPTIONS),
                )
        return self.async_show_form(
            step_id="user",
            data_schema=self.add_suggested_values_to_schema(TOKEN_SCHEMA, user_input),
            errors=errors,
        )

    async def async_step_reauth(self, entry_data: Mapping[str, Any]) -> ConfigFlowResult:
        """Sipgate refused the token: ask for a new one."""
        return await self.async_step_reauth_confirm()

    async def async_step_reauth_confirm(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Take a new token for the same account."""
        entry = self._get_reauth_entry()
        return await self._async_step_replace_token("reauth_confirm", entry, user_input)

    async def async_step_reconfigure(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Replace the token of a working account."""
        entry = self._get_reconfigure_entry()
        return await self._async_step_replace_token("reconfigure", entry, user_input)

    async def _async_step_replace_token(
        self, step_id: str, entry: SipgateConfigEntry, user_input: dict[str, Any] | None
    ) -> ConfigFlowResult:
        errors: dict[str, str] = {}
        if user_input is not None:
            credentials = _clean_token_input(user_input)
            userinfo, errors = await self._async_check_token(credentials)
            if userinfo is not None:
                await self.async_set_unique_id(userinfo.master_sip_id)
                self._abort_if_unique_id_mismatch(reason="wrong_account")
                return self.async_update_reload_and_abort(entry, data_updates=credentials)
        suggested = user_input or {CONF_TOKEN_ID: entry.data[CONF_TOKEN_ID]}
        return self.async_show_form(
            step_id=step_id,
            data_schema=self.add_suggested_values_to_schema(TOKEN_SCHEMA, suggested),
            errors=errors,
            description_placeholders={"account": entry.title},
        )


class SipgateOptionsFlow(OptionsFlowWithReload):
    """Change how the account behaves; the entry reloads when options change."""

    async def async_step_init(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Show and store the options."""
        errors = _range_errors(user_input or {})
        if user_input is not None and not errors:
            options = {**DEFAULT_OPTIONS, **user_input}
            regenerate = bool(options.pop(CONF_REGENERATE_WEBHOOK, False))
            for key in (CONF_ACCOUNT_SCAN_INTERVAL, CONF_HISTORY_SCAN_INTERVAL):
                options[key] = int(options[key])
            options[CONF_ANSWER_TIMEOUT] = float(options[CONF_ANSWER_TIMEOUT])
            if regenerate:
                await self._async_regenerate_webhook(
                    unchanged_options=options == dict(self.config_entry.options)
                )
            return self.async_create_entry(data=options)
        return self.async_show_form(
            step_id="init",
            data_schema=self.add_suggested_values_to_schema(
                OPTIONS_SCHEMA, user_input or {**DEFAULT_OPTIONS, **self.config_entry.options}
            ),
            errors=errors,
            description_placeholders=OPTION_RANGE_PLACEHOLDERS,
        )

    async def _async_regenerate_webhook(self, *, unchanged_options: bool) -> None:
        """Give the entry a new webhook id and push key; the reload publishes the new URL.

        The old cloudhook is deleted, so the old URL stops working at once.
        """
        entry = self.config_entry
        if old_id := entry.data.get(CONF_WEBHOOK_ID):
            await async_delete_cloudhook(self.hass, str(old_id))
        data = {key: value for key, value in entry.data.items() if key != CONF_CLOUDHOOK_URL}
        data[CONF_WEBHOOK_ID] = generate_webhook_id()
        data[CONF_PUSH_SECRET] = secrets.token_hex(32)
        self.hass.config_entries.async_update_entry(entry, data=data)
        if unchanged_options:  # else the options change reloads the entry anyway
            self.hass.config_entries.async_schedule_reload(entry.entry_id)


def recipient_schema(extensions: list[SmsExtension] | None, current: str | None = None) -> vol.Schema:
    """Name, number and sender; the sender is chosen from the account's SMS extensions.

    Without the extensions (the token lacks ``sms:read``, sipgate is not reachable) the
    sender is typed in.
    """
    sender: SelectSelector | TextSelector = TextSelector()
    if extensions:
        options = [
            SelectOptionDict(value=ext.id, label=f"{ext.alias} ({ext.id})" if ext.alias else ext.id)
            for ext in extensions
        ]
        if current and all(ext.id != current for ext in extensions):
            options.append(SelectOptionDict(value=current, label=current))
        sender = SelectSelector(SelectSelectorConfig(options=options, mode=SelectSelectorMode.DROPDOWN))
    return vol.Schema(
        {
            vol.Required(CONF_NAME): TextSelector(),
            vol.Required(CONF_NUMBER): TextSelector(TextSelectorConfig(type=TextSelectorType.TEL)),
            vol.Optional(CONF_SMS_ID): sender,
        }
    )


# Form errors of the ways a value is not a phone number (the rest: invalid_number).
NUMBER_FORM_ERRORS = {
    NumberProblem.CHARACTERS: "number_characters",
    NumberProblem.EXTENSION: "number_is_extension",
    NumberProblem.NEEDS_PLUS: "number_needs_plus",
}


class SmsRecipientFlow(ConfigSubentryFlow):
    """Add or change an SMS recipient: a name, a number, optionally the sender extension."""

    _extensions: list[SmsExtension] | None = None
    _extensions_read = False

    async def _async_schema(self, current: str | None = None) -> vol.Schema:
        """The form, with the token owner's SMS extensions read once per flow."""
        if not self._extensions_read:
            self._extensions_read = True
            entry: SipgateConfigEntry = self._get_entry()
            if entry.state is ConfigEntryState.LOADED:
                data = entry.runtime_data
                try:
                    self._extensions = await data.client.sms.get_extensions(data.userinfo.sub)
                except SipgateError as err:  # e.g. no sms:read scope: the sender is typed in
                    LOGGER.debug("SMS extensions not readable, the sender is typed in: %s", err)
        return recipient_schema(self._extensions, current)

    def _check(self, user_input: dict[str, Any]) -> tuple[dict[str, str], dict[str, str]]:
        """The cleaned data, or the form errors."""
        region = self.hass.config.country or DEFAULT_REGION
        try:
            number = read_number(str(user_input[CONF_NUMBER]), field=CONF_NUMBER, region=region)
        except NumberReadError as err:
            return {}, {CONF_NUMBER: NUMBER_FORM_ERRORS.get(err.problem, "invalid_number")}
        data = {CONF_NAME: str(user_input[CONF_NAME]).strip(), CONF_NUMBER: number}
        if sms_id := str(user_input.get(CONF_SMS_ID) or "").strip():
            try:
                data[CONF_SMS_ID] = validate_sms_id(sms_id)
            except SipgateError:
                return {}, {CONF_SMS_ID: "invalid_sms_id"}
        return data, {}

    async def async_step_user(self, user_input: dict[str, Any] | None = None) -> SubentryFlowResult:
        """Ask for the recipient."""
        errors: dict[str, str] = {}
        if user_input is not None:
            data, errors = self._check(user_input)
            if not errors:
                entry = self._get_entry()
                if any(sub.unique_id == data[CONF_NUMBER] for sub in entry.subentries.values()):
                    return self.async_abort(reason="already_configured")
                return self.async_create_entry(title=data[CONF_NAME], data=data, unique_id=data[CONF_NUMBER])
        return self.async_show_form(
            step_id="user",
            data_schema=self.add_suggested_values_to_schema(await self._async_schema(), user_input),
            errors=errors,
        )

    async def async_step_reconfigure(self, user_input: dict[str, Any] | None = None) -> SubentryFlowResult:
        """Change a recipient's name, number or sender."""
        subentry = self._get_reconfigure_subentry()
        errors: dict[str, str] = {}
        if user_input is not None:
            data, errors = self._check(user_input)
            if not errors:
                # Aborts with "reconfigure_successful": the subentry's own text in its translations.
                return self.async_update_and_abort(
                    self._get_entry(), subentry, title=data[CONF_NAME], data=data, unique_id=data[CONF_NUMBER]
                )
        return self.async_show_form(
            step_id="reconfigure",
            data_schema=self.add_suggested_values_to_schema(
                await self._async_schema(subentry.data.get(CONF_SMS_ID)), user_input or dict(subentry.data)
            ),
            errors=errors,
        )
