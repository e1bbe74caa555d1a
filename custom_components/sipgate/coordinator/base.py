"""The coordinators' shared base: error mapping, a 403 per feature, the first-read retry.

:class:`SipgateCoordinator` maps the client's errors the same way for every
coordinator (401 starts re-authentication, 429 postpones the next poll, other
errors fail the update and, until a first read succeeded, retry sooner); a 403
for a feature drops it until the entry reloads and raises the repair issue that
names the missing scope.
"""

from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ConfigEntryAuthFailed
from homeassistant.helpers import issue_registry as ir
from homeassistant.helpers.debounce import Debouncer
from homeassistant.helpers.update_coordinator import DataUpdateCoordinator, UpdateFailed

from ..api import SipgateAuthenticationError, SipgateError, SipgateForbiddenError, SipgateRateLimitError
from ..api.rate_limit import wait_seconds
from ..const import DOMAIN, LOGGER
from ..runtime import SipgateConfigEntry

if TYPE_CHECKING:
    from ..api.client import SipgateClient

# Seconds between tries while a coordinator has never read successfully (then its interval).
FIRST_READ_RETRIES = (60.0, 120.0, 300.0, 600.0, 1800.0)


def _missing_scope_issue(hass: HomeAssistant, entry: SipgateConfigEntry, scope: str, feature: str) -> None:
    ir.async_create_issue(
        hass,
        DOMAIN,
        f"missing_scope_{entry.entry_id}_{scope}",
        is_fixable=False,
        severity=ir.IssueSeverity.WARNING,
        translation_key="missing_scope",
        translation_placeholders={"account": entry.title, "scope": scope, "feature": feature},
    )


class SipgateCoordinator[T](DataUpdateCoordinator[T]):
    """Maps client errors the same way for every coordinator."""

    config_entry: SipgateConfigEntry

    def __init__(
        self,
        hass: HomeAssistant,
        entry: SipgateConfigEntry,
        client: SipgateClient,
        *,
        name: str,
        update_interval: timedelta | None,
        request_refresh_debouncer: Debouncer[Any] | None = None,
    ) -> None:
        """Poll ``client`` for ``entry``."""
        super().__init__(
            hass,
            LOGGER,
            config_entry=entry,
            name=f"sipgate {name}",
            update_interval=update_interval,
            request_refresh_debouncer=request_refresh_debouncer,
        )
        self.client = client
        self.missing_scopes: set[str] = set()
        self._failed_reads = 0

    async def _guarded[R](self, scope: str, feature: str, fetch: Callable[[], Awaitable[R]]) -> R | None:
        """Fetch a feature; a 403 drops it for good (``None``), other errors fail the update."""
        if scope in self.missing_scopes:
            return None
        try:
            return await fetch()
        except SipgateForbiddenError as err:
            self._drop_scope(err.scope or scope, feature)
            return None

    def _drop_scope(self, scope: str, feature: str) -> None:
        """Leave out ``feature`` until the entry reloads; a repair issue names the missing ``scope``."""
        self.missing_scopes.add(scope)
        self.config_entry.runtime_data.missing_scopes.add(scope)
        LOGGER.warning("The sipgate token has no %s scope: %s is left out", scope, feature)
        _missing_scope_issue(self.hass, self.config_entry, scope, feature)

    async def _mapped(self, fetch: Awaitable[T]) -> T:
        """Await an update, turning client errors into what the coordinator expects.

        Until a first read has succeeded (sipgate was down at start-up), a
        failed read is tried again sooner than the interval, backing off.
        """
        try:
            data = await fetch
        except SipgateAuthenticationError as err:
            raise ConfigEntryAuthFailed(translation_domain=DOMAIN, translation_key="invalid_auth") from err
        except SipgateRateLimitError as err:
            # Retry-After only ever postpones the next poll: a shorter one (or 0) would poll
            # faster than the interval, a request storm while sipgate is rate limiting.
            interval = self.update_interval.total_seconds() if self.update_interval else 0.0
            retry_after = (
                err.retry_after if err.retry_after is not None and err.retry_after > interval else None
            )
            raise UpdateFailed(
                translation_domain=DOMAIN,
                translation_key="rate_limited",
                translation_placeholders={"seconds": str(wait_seconds(err))},
                retry_after=retry_after,
            ) from err
        except SipgateError as err:
            self._failed_reads += 1
            raise UpdateFailed(
                translation_domain=DOMAIN,
                translation_key="update_failed",
                translation_placeholders={"error": str(err)},
                retry_after=self._first_read_retry(),
            ) from err
        self._failed_reads = 0
        return data

    def _first_read_retry(self) -> float | None:
        """How soon to read again while no read has succeeded yet (``None``: at the interval)."""
        if self.data is not None or self.update_interval is None:
            return None
        step = FIRST_READ_RETRIES[min(self._failed_reads, len(FIRST_READ_RETRIES)) - 1]
        return step if step < self.update_interval.total_seconds() else None
