"""Publishing the webhook: where sipgate reaches it, and pointing the account there.

``WebhookPublisher`` registers the entry's webhook in Home Assistant, finds its
public URL and writes it to sipgate's webhook settings; this module also
raises the webhook's repair issues (no public URL, signature failures,
security settings, the development override) and restores the previous URLs
when an entry is removed (README "The webhook: how sipgate reaches Home
Assistant").

The public URL is a Nabu Casa cloudhook when Home Assistant Cloud is
subscribed, else the webhook path on the external URL. With "manage webhook
URLs" on, the account's incoming and outgoing URLs are set to it once Home
Assistant has started (read-modify-write, so log and whitelist stay), and the
URLs found before are remembered and put back when the entry is removed.
"""

from contextlib import suppress
from typing import TYPE_CHECKING, Any

from aiohttp.hdrs import METH_POST

from homeassistant.components import webhook
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import issue_registry as ir
from homeassistant.helpers.network import NoURLAvailableError
from homeassistant.helpers.start import async_at_started

from .api import SipgateError, SipgateForbiddenError
from .client_factory import override_description
from .cloudhook import async_create_cloudhook, cloud_connected, cloud_subscribed
from .const import (
    CONF_CLOUDHOOK_URL,
    CONF_CONFIRMED_WEBHOOK_URL,
    CONF_MANAGE_WEBHOOK_URLS,
    CONF_PREVIOUS_WEBHOOK_URLS,
    CONF_WEBHOOK_ID,
    DOMAIN,
    LOGGER,
    SIGNATURE_FAILURES_FOR_ISSUE,
)
from .runtime import SipgateConfigEntry
from .webhook import SipgateWebhook

if TYPE_CHECKING:
    from .api.client import SipgateClient

DEVELOPMENT_ISSUE = "development_override"


def issue_id(entry: SipgateConfigEntry, kind: str) -> str:
    """Repair issues are per account."""
    return f"{kind}_{entry.entry_id}"


class WebhookPublisher:
    """Registers the webhook in Home Assistant and makes sipgate use it."""

    def __init__(
        self, hass: HomeAssistant, entry: SipgateConfigEntry, client: SipgateClient, handler: SipgateWebhook
    ) -> None:
        """Publish ``handler`` for ``entry``."""
        self._hass = hass
        self._entry = entry
        self._client = client
        self._handler = handler
        self.url_kind: str | None = None
        self.sipgate_points_here: bool | None = None

    @property
    def webhook_id(self) -> str:
        """The entry's webhook id."""
        return str(self._entry.data[CONF_WEBHOOK_ID])

    @callback
    def async_setup(self) -> None:
        """Register the webhook now; find the public URL once Home Assistant runs."""
        webhook_id = self.webhook_id  # the id registered now, even if the entry gets a new one later
        webhook.async_register(
            self._hass,
            DOMAIN,
            self._entry.title,
            webhook_id,
            self._handler.handle,
            allowed_methods=[METH_POST],
        )
        self._entry.async_on_unload(lambda: webhook.async_unregister(self._hass, webhook_id))
        self._entry.async_on_unload(async_at_started(self._hass, self._async_started))

    async def _async_started(self, hass: HomeAssistant) -> None:
        await self.async_publish()

    async def async_public_url(self) -> str | None:
        """The URL sipgate can reach, or ``None`` when Home Assistant has none."""
        if cloud_subscribed(self._hass):
            if url := self._entry.data.get(CONF_CLOUDHOOK_URL):
                self.url_kind = "cloudhook"
                return str(url)
            if cloud_connected(self._hass) and (
                url := await async_create_cloudhook(self._hass, self.webhook_id)
            ):
                self._hass.config_entries.async_update_entry(
                    self._entry, data={**self._entry.data, CONF_CLOUDHOOK_URL: url}
                )
                self.url_kind = "cloudhook"
                return url
        try:
            url = webhook.async_generate_url(
                self._hass, self.webhook_id, allow_internal=False, prefer_external=True
            )
        except NoURLAvailableError:
            self.url_kind = None
            return None
        self.url_kind = "external"
        return url

    async def async_publish(self) -> None:
        """Find the public URL and, if managed, point the account's webhooks to it."""
        url = await self.async_public_url()
        self._handler.public_url = url
        if url is None:
            self._raise_issue("no_public_url", ir.IssueSeverity.ERROR)
            return
        self._clear_issue("no_public_url")
        if self._entry.options.get(CONF_MANAGE_WEBHOOK_URLS, True):
            self._clear_issue("webhook_url_by_hand")  # management was turned on again
        else:
            # The user sets the URLs by hand now: a "set it by hand" issue has done its job.
            self._clear_issue("webhook_settings_forbidden")
            if self._entry.data.get(CONF_CONFIRMED_WEBHOOK_URL) == url:
                self._clear_issue("webhook_url_by_hand")
            else:  # a new entry, a new webhook address, a new external URL: sipgate needs to know
                self._raise_issue("webhook_url_by_hand", url=url)
            return
        try:
            settings = await self._client.webhook_settings.get()
            if settings.incoming_url == url and settings.outgoing_url == url:
                self.sipgate_points_here = True
            else:
                if CONF_PREVIOUS_WEBHOOK_URLS not in self._entry.data:
                    self._hass.config_entries.async_update_entry(
                        self._entry,
                        data={
                            **self._entry.data,
                            CONF_PREVIOUS_WEBHOOK_URLS: {
                                "incoming_url": settings.incoming_url,
                                "outgoing_url": settings.outgoing_url,
                            },
                        },
                    )
                await self._client.webhook_settings.update(incoming_url=url, outgoing_url=url)
                self.sipgate_points_here = True
                LOGGER.info("Pointed the webhook URLs of %s to Home Assistant", self._entry.title)
        except SipgateForbiddenError as err:
            self.sipgate_points_here = None
            self._raise_issue("webhook_settings_forbidden", url=url, scope=err.scope or "")
            return
        except SipgateError as err:
            LOGGER.warning("Could not set the webhook URLs of %s at sipgate: %s", self._entry.title, err)
            return
        self._clear_issue("webhook_settings_forbidden")

    def _raise_issue(
        self, kind: str, severity: ir.IssueSeverity = ir.IssueSeverity.WARNING, **placeholders: str
    ) -> None:
        """Raise the account's repair issue ``kind`` (its translation key)."""
        ir.async_create_issue(
            self._hass,
            DOMAIN,
            issue_id(self._entry, kind),
            is_fixable=False,
            severity=severity,
            translation_key=kind,
            translation_placeholders={"account": self._entry.title, **placeholders},
        )

    def _clear_issue(self, kind: str) -> None:
        ir.async_delete_issue(self._hass, DOMAIN, issue_id(self._entry, kind))

    @callback
    def async_first_push(self) -> bool:
        """Sipgate pushes to the current URL: a reminder to enter it by hand has done its job.

        Returns whether that is settled (``False`` while the public URL is not known yet,
        before Home Assistant has started: the next push asks again).
        """
        url = self._handler.public_url
        if url is None:
            return False
        if self._entry.data.get(CONF_CONFIRMED_WEBHOOK_URL) != url:
            self._hass.config_entries.async_update_entry(
                self._entry, data={**self._entry.data, CONF_CONFIRMED_WEBHOOK_URL: url}
            )
        self._clear_issue("webhook_url_by_hand")
        return True

    @callback
    def async_signature_failures(self, in_a_row: int) -> None:
        """Raise a repair issue when signatures keep failing; drop it when one is valid again."""
        if in_a_row == 0:
            self._clear_issue("signature_failures")
        elif in_a_row == SIGNATURE_FAILURES_FOR_ISSUE:
            self._raise_issue("signature_failures", count=str(in_a_row))


async def async_restore_webhook_urls(
    hass: HomeAssistant, entry: SipgateConfigEntry, client: SipgateClient
) -> None:
    """Put back the account's previous webhook URLs if sipgate still points to this entry."""
    previous: dict[str, Any] | None = entry.data.get(CONF_PREVIOUS_WEBHOOK_URLS)
    if previous is None:
        return
    ours = {entry.data.get(CONF_CLOUDHOOK_URL)}
    with suppress(NoURLAvailableError):
        ours.add(webhook.async_generate_url(hass, str(entry.data[CONF_WEBHOOK_ID]), allow_internal=False))
    try:
        settings = await client.webhook_settings.get()
        restore_incoming = settings.incoming_url in ours
        restore_outgoing = settings.outgoing_url in ours
        if restore_incoming or restore_outgoing:
            await client.webhook_settings.update(
                incoming_url=str(previous.get("incoming_url", ""))
                if restore_incoming
                else settings.incoming_url,
                outgoing_url=str(previous.get("outgoing_url", ""))
                if restore_outgoing
                else settings.outgoing_url,
            )
    except SipgateError as err:
        LOGGER.warning("Could not restore the previous webhook URLs of %s: %s", entry.title, err)


@callback
def async_update_security_issues(
    hass: HomeAssistant, entry: SipgateConfigEntry, *, verify_signature: bool
) -> None:
    """A warning repair issue while the entry accepts pushes sipgate did not sign."""
    kind = "verify_signature_off"
    if verify_signature:
        ir.async_delete_issue(hass, DOMAIN, issue_id(entry, kind))
        return
    ir.async_create_issue(
        hass,
        DOMAIN,
        issue_id(entry, kind),
        is_fixable=False,
        severity=ir.IssueSeverity.WARNING,
        translation_key=kind,
        translation_placeholders={"account": entry.title},
    )
    entry.async_on_unload(lambda: ir.async_delete_issue(hass, DOMAIN, issue_id(entry, kind)))


@callback
def async_update_development_issue(hass: HomeAssistant) -> None:
    """A warning repair issue while the development override points the integration at a stand-in."""
    if (override := override_description()) is None:
        ir.async_delete_issue(hass, DOMAIN, DEVELOPMENT_ISSUE)
        return
    LOGGER.warning("The sipgate integration talks to %s, not to sipgate (development only)", override)
    ir.async_create_issue(
        hass,
        DOMAIN,
        DEVELOPMENT_ISSUE,
        is_fixable=False,
        severity=ir.IssueSeverity.WARNING,
        translation_key=DEVELOPMENT_ISSUE,
        translation_placeholders={"override": override},
    )
