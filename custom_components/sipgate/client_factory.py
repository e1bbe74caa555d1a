"""The sipgate API client of an entry, and the development override of where it points.

``create_client`` builds the client for a token. Development only, the
integration can be pointed at a local sipgate stand-in instead of sipgate,
through two environment variables, read when they are needed (never cached):

* ``SIPGATE_API_URL``: the REST base URL to use instead of sipgate's, e.g.
  ``http://127.0.0.1:8124/v2`` (the stand-in of ``python -m standin``).
* ``SIPGATE_WEBHOOK_PUBLIC_KEY_FILE``: a PEM public key to verify push
  signatures with instead of sipgate's. It is honoured **only** together with
  ``SIPGATE_API_URL``, so a key file alone can never make the integration
  trust pushes that sipgate did not sign.

Neither is meant for a real installation: ``SIPGATE_API_URL`` is honoured
only for a loopback host (``127.0.0.0/8``, ``::1``, ``localhost``), and while
it is, a repair issue says so (README "Security").
"""

from collections.abc import Mapping
import ipaddress
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final
from urllib.parse import urlsplit

from homeassistant.const import CONF_TOKEN
from homeassistant.core import HomeAssistant
from homeassistant.helpers.aiohttp_client import async_get_clientsession
from homeassistant.util.hass_dict import HassKey

from .api.exceptions import SipgateValidationError
from .api.push_signature import SignatureVerifier
from .const import CONF_TOKEN_ID, DEFAULT_REGION, DOMAIN, LOGGER

if TYPE_CHECKING:
    from .api.client import SipgateClient
    from .api.rate_limit import RateLimitGate

ENV_API_URL: Final = "SIPGATE_API_URL"
ENV_WEBHOOK_PUBLIC_KEY_FILE: Final = "SIPGATE_WEBHOOK_PUBLIC_KEY_FILE"
# The rate-limit gate of each token (by token id): every client of a token shares it.
DATA_RATE_LIMITS: HassKey[dict[str, RateLimitGate]] = HassKey(f"{DOMAIN}_rate_limits")


def create_client(hass: HomeAssistant, credentials: Mapping[str, Any]) -> SipgateClient:
    """A client for the token in ``credentials`` (config entry data or flow input).

    National numbers are read in the instance's country; the API is sipgate's
    unless development points it at the local stand-in. Every client of one
    token shares its rate-limit gate, so a client made for a reload or a flow
    does not ask sipgate while it said to wait.
    """
    # The client (and with it every API area) is imported when the first entry is set up.
    from .api.auth import PersonalAccessToken  # noqa: PLC0415
    from .api.client import SipgateClient  # noqa: PLC0415
    from .api.rate_limit import RateLimitGate  # noqa: PLC0415
    from .api.transport import API_BASE_URL  # noqa: PLC0415

    token_id = str(credentials[CONF_TOKEN_ID])
    gates = hass.data.setdefault(DATA_RATE_LIMITS, {})
    if (gate := gates.get(token_id)) is None:
        gate = gates[token_id] = RateLimitGate()
    return SipgateClient(
        async_get_clientsession(hass),
        PersonalAccessToken(token_id, str(credentials[CONF_TOKEN])),
        region=hass.config.country or DEFAULT_REGION,
        base_url=api_base_url() or API_BASE_URL,
        rate_limit=gate,
    )


def _loopback(url: str) -> bool:
    try:
        host = urlsplit(url).hostname
    except ValueError:
        return False
    if not host:
        return False
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def api_base_url() -> str | None:
    """The REST base URL from ``SIPGATE_API_URL`` (without a trailing ``/``), or ``None``.

    A URL whose host is not a loopback address is ignored (and logged): the
    override exists for the local stand-in only.
    """
    value = os.environ.get(ENV_API_URL, "").strip().rstrip("/")
    if not value:
        return None
    if not _loopback(value):
        LOGGER.error(
            "%s=%s is ignored: only a loopback host (the local stand-in) is allowed", ENV_API_URL, value
        )
        return None
    return value


def webhook_public_key() -> str | None:
    """The PEM of ``SIPGATE_WEBHOOK_PUBLIC_KEY_FILE`` when ``SIPGATE_API_URL`` is set too, else ``None``.

    Reads a file: call it from an executor. A file that cannot be read or
    holds no RSA public key is logged and ignored (sipgate's key stays in use).
    """
    path = os.environ.get(ENV_WEBHOOK_PUBLIC_KEY_FILE, "").strip()
    if not path:
        return None
    if api_base_url() is None:
        LOGGER.warning(
            "%s is ignored: it is honoured only together with %s", ENV_WEBHOOK_PUBLIC_KEY_FILE, ENV_API_URL
        )
        return None
    try:
        pem = Path(path).read_text(encoding="ascii")
        SignatureVerifier(pem)
    except (OSError, UnicodeDecodeError, SipgateValidationError) as err:
        LOGGER.error("Cannot use the webhook public key %s=%s: %s", ENV_WEBHOOK_PUBLIC_KEY_FILE, path, err)
        return None
    return pem


def override_description() -> str | None:
    """What the development override changes, for its repair issue; ``None`` when inactive."""
    if (url := api_base_url()) is None:
        return None
    if key_file := os.environ.get(ENV_WEBHOOK_PUBLIC_KEY_FILE, "").strip():
        return f"{url}, push key {key_file}"
    return url
