"""Sending requests to the sipgate REST API v2 and mapping its answers."""

import asyncio
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from http import HTTPStatus
import json
from typing import Any, Final
from urllib.parse import quote, urljoin, urlsplit

import aiohttp

from .auth import AuthProvider
from .exceptions import (
    SipgateApiError,
    SipgateAuthenticationError,
    SipgateBadRequestError,
    SipgateConnectionError,
    SipgateForbiddenError,
    SipgateInsufficientFundsError,
    SipgateInvalidResponseError,
    SipgateNotFoundError,
    SipgateRateLimitError,
    SipgateServerError,
    SipgateTimeoutError,
)
from .query import QueryValue, build_query
from .rate_limit import RateLimitGate

API_BASE_URL: Final = "https://api.sipgate.com/v2"
DEFAULT_REQUEST_TIMEOUT: Final = 15.0
DEFAULT_REGION: Final = "DE"
USER_AGENT: Final = "sipgate-home-assistant"


@dataclass(frozen=True, slots=True)
class RawResponse:
    """What sipgate answered: status, content type, the undecoded body and ``Retry-After``."""

    status: int
    content_type: str
    body: bytes
    retry_after: float | None = None
    location: str | None = None


_REDIRECTS: Final = frozenset({301, 302, 303, 307, 308})


def _retry_after_seconds(value: str | None, *, now: datetime | None = None) -> float | None:
    """Read ``Retry-After`` as seconds; it may be a number or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        moment = parsedate_to_datetime(value)
    except TypeError, ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return max(0.0, (moment - (now or datetime.now(UTC))).total_seconds())


def _error_message(body: bytes) -> str | None:
    """Pull a human-readable message out of an error body, whatever its shape."""
    text = body.decode("utf-8", "replace").strip()
    if not text:
        return None
    try:
        data = json.loads(text)
    except ValueError:
        return text[:500]
    if isinstance(data, dict):
        for key in ("message", "detail", "error_description", "error"):
            if isinstance(data.get(key), str) and data[key]:
                return str(data[key])
        errors = data.get("errors")
        if isinstance(errors, list) and errors and isinstance(errors[0], dict):
            first = errors[0]
            return str(first.get("detail") or first.get("title") or text[:500])
    return text[:500]


def raise_for_status(response: RawResponse, *, scope: str | None = None) -> None:
    """Raise the exception that matches an HTTP error status; do nothing on success."""
    status = response.status
    if status < HTTPStatus.BAD_REQUEST:
        return
    message = _error_message(response.body)
    match status:
        case HTTPStatus.BAD_REQUEST:
            raise SipgateBadRequestError(status, message)
        case HTTPStatus.UNAUTHORIZED:
            raise SipgateAuthenticationError(status, message)
        case HTTPStatus.PAYMENT_REQUIRED:
            raise SipgateInsufficientFundsError(status, message)
        case HTTPStatus.FORBIDDEN:
            raise SipgateForbiddenError(status, message, scope=scope)
        case HTTPStatus.NOT_FOUND:
            raise SipgateNotFoundError(status, message)
        case HTTPStatus.TOO_MANY_REQUESTS:
            raise SipgateRateLimitError(status, message, retry_after=response.retry_after)
    if status >= HTTPStatus.INTERNAL_SERVER_ERROR:
        raise SipgateServerError(status, message)
    raise SipgateApiError(status, message)


class Transport:
    """Talks to the sipgate REST API v2 over an injected ``aiohttp`` session.

    The session is owned by the caller (Home Assistant shares one) and never
    closed here. ``auth`` decides the ``Authorization`` header; ``region`` is
    the country national phone numbers are read in. ``rate_limit`` is the gate
    every request and download passes (pass the token's shared one; by default
    the transport has its own).
    """

    def __init__(
        self,
        session: aiohttp.ClientSession,
        auth: AuthProvider,
        *,
        region: str = DEFAULT_REGION,
        base_url: str = API_BASE_URL,
        request_timeout: float = DEFAULT_REQUEST_TIMEOUT,
        rate_limit: RateLimitGate | None = None,
    ) -> None:
        """Create a transport; nothing is sent until a request is awaited."""
        self._session = session
        self._auth = auth
        self.region = region
        self._base_url = base_url.rstrip("/")
        self.request_timeout = request_timeout
        # After a 429 with Retry-After nothing is sent before that time, whoever asks.
        self.rate_limit = rate_limit or RateLimitGate()

    @property
    def rate_limited_for(self) -> float:
        """Seconds left until sipgate may be asked again (0 when it may be asked now)."""
        return self.rate_limit.wait

    def url(self, path: str) -> str:
        """Return the absolute URL of an API path (``/v2`` is kept: no URL joining)."""
        return f"{self._base_url}/{path.lstrip('/')}"

    async def _send(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, QueryValue] | None = None,
        json_body: Any = None,
        accept: str = "application/json",
    ) -> RawResponse:
        self.rate_limit.check(f"{method} {path}")
        response = await self._exchange(method, path, params=params, json_body=json_body, accept=accept)
        self.rate_limit.answered(response.status, response.retry_after)
        return response

    async def _exchange(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, QueryValue] | None,
        json_body: Any,
        accept: str,
    ) -> RawResponse:
        headers = {
            "Authorization": await self._auth.authorization_header(),
            "Accept": accept,
            "User-Agent": USER_AGENT,
        }
        data: bytes | None = None
        if json_body is not None:
            headers["Content-Type"] = "application/json"
            data = json.dumps(json_body, separators=(",", ":")).encode()
        try:
            async with asyncio.timeout(self.request_timeout):
                async with self._session.request(
                    method,
                    self.url(path),
                    params=build_query(params) if params else None,
                    data=data,
                    headers=headers,
                ) as response:
                    body = await response.read()
                    return RawResponse(
                        status=response.status,
                        content_type=response.content_type,
                        body=body,
                        retry_after=_retry_after_seconds(response.headers.get("Retry-After")),
                    )
        except TimeoutError as err:
            raise SipgateTimeoutError(
                f"sipgate did not answer {method} {path} within {self.request_timeout} s"
            ) from err
        except aiohttp.ClientError as err:
            raise SipgateConnectionError(f"Cannot reach sipgate for {method} {path}: {err}") from err

    async def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, QueryValue] | None = None,
        json_body: Any = None,
        scope: str | None = None,
    ) -> Any:
        """Send a request and return the decoded JSON, or ``None`` for an empty body.

        ``scope`` is the token scope the endpoint needs; it is reported in
        :class:`SipgateForbiddenError` when sipgate answers 403.
        """
        response = await self._send(method, path, params=params, json_body=json_body)
        raise_for_status(response, scope=scope)
        if not response.body.strip():
            return None
        try:
            return json.loads(response.body)
        except ValueError as err:
            raise SipgateInvalidResponseError(
                f"sipgate answered {method} {path} with a body that is not JSON"
            ) from err

    async def request_text(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, QueryValue] | None = None,
        scope: str | None = None,
        accept: str = "text/csv",
    ) -> str:
        """Send a request whose answer is text (CSV exports) and return it decoded."""
        response = await self._send(method, path, params=params, accept=accept)
        raise_for_status(response, scope=scope)
        try:
            return response.body.decode("utf-8")
        except UnicodeDecodeError as err:
            raise SipgateInvalidResponseError(
                f"sipgate answered {method} {path} with a body that is not UTF-8 text"
            ) from err

    async def download(self, url: str, *, max_bytes: int, scope: str | None = None) -> RawResponse:
        """GET a file sipgate linked to (a voicemail recording, a fax document), at most ``max_bytes``.

        The credentials go only to sipgate's API itself: a link elsewhere (or
        where the API redirects to, such as a pre-signed storage URL) is fetched
        without them, and only over https (plain http only when the API itself
        is, as the local stand-in is). One redirect is followed.
        """
        raw = await self._download(url, max_bytes=max_bytes)
        if raw.status in _REDIRECTS and raw.location:
            raw = await self._download(urljoin(url, raw.location), max_bytes=max_bytes)
        raise_for_status(raw, scope=scope)
        return raw

    async def _download(self, url: str, *, max_bytes: int) -> RawResponse:
        self.rate_limit.check("the download of a file")
        raw = await self._fetch_file(url, max_bytes=max_bytes)
        self.rate_limit.answered(raw.status, raw.retry_after)
        return raw

    async def _fetch_file(self, url: str, *, max_bytes: int) -> RawResponse:
        parts = urlsplit(url)
        api = urlsplit(self._base_url)
        if parts.scheme not in ("https", api.scheme) or not parts.netloc:
            raise SipgateInvalidResponseError("sipgate linked to a file at a URL that is not https")
        headers = {"User-Agent": USER_AGENT, "Accept": "*/*"}
        if parts.netloc == api.netloc and (parts.path + "/").startswith(api.path.rstrip("/") + "/"):
            headers["Authorization"] = await self._auth.authorization_header()
        timeout = self.request_timeout * 2
        try:
            async with asyncio.timeout(timeout):
                async with self._session.get(url, headers=headers, allow_redirects=False) as response:
                    body = bytearray()
                    async for chunk in response.content.iter_chunked(64 * 1024):
                        body += chunk
                        if len(body) > max_bytes:
                            raise SipgateInvalidResponseError(
                                f"the file sipgate linked to is larger than {max_bytes} bytes"
                            )
                    return RawResponse(
                        status=response.status,
                        content_type=response.content_type,
                        body=bytes(body),
                        retry_after=_retry_after_seconds(response.headers.get("Retry-After")),
                        location=response.headers.get("Location"),
                    )
        except TimeoutError as err:
            raise SipgateTimeoutError(f"sipgate did not send the file within {timeout} s") from err
        except aiohttp.ClientError as err:
            raise SipgateConnectionError(f"Cannot fetch the file from sipgate: {err}") from err

    async def get_object(self, path: str, *, scope: str | None = None) -> dict[str, Any]:
        """GET a path whose answer must be a JSON object."""
        data = await self.request("GET", path, scope=scope)
        if not isinstance(data, dict):
            raise SipgateInvalidResponseError(f"sipgate answered GET {path} without a JSON object")
        return data

    async def get_items(
        self, path: str, *, scope: str | None = None, params: Mapping[str, QueryValue] | None = None
    ) -> list[dict[str, Any]]:
        """GET a list endpoint (``{"items": [...]}``) and return its items."""
        data = await self.request("GET", path, scope=scope, params=params)
        return items_of(data, path)


def items_of(data: Any, path: str, key: str = "items") -> list[dict[str, Any]]:
    """The list under ``key`` of a JSON object, checked to be a list of objects."""
    items = data.get(key) if isinstance(data, dict) else None
    if not isinstance(items, list) or not all(isinstance(item, dict) for item in items):
        raise SipgateInvalidResponseError(f"sipgate answered {path} without a list of {key!r}")
    return items


def path_segment(value: str | int) -> str:
    """One URL path segment: ids are quoted so that ``/`` or ``?`` cannot change the path."""
    return quote(str(value), safe="")
