"""How requests to sipgate are authorised.

The client asks an :class:`AuthProvider` for the ``Authorization`` header value
before every request, so a provider can refresh what it hands out. Personal
access tokens use HTTP Basic; OAuth2 access tokens use Bearer.
"""

import base64
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable


@runtime_checkable
class AuthProvider(Protocol):
    """Something that can produce the ``Authorization`` header for a request."""

    async def authorization_header(self) -> str:
        """Return the complete header value, e.g. ``Basic …`` or ``Bearer …``."""
        ...


@dataclass(frozen=True, slots=True)
class PersonalAccessToken:
    """A sipgate personal access token: its id (``token-…``) and its secret."""

    token_id: str
    token: str = field(repr=False)

    async def authorization_header(self) -> str:
        """Return HTTP Basic credentials ``base64(token_id:token)``."""
        raw = f"{self.token_id}:{self.token}".encode()
        return "Basic " + base64.b64encode(raw).decode("ascii")


@dataclass(frozen=True, slots=True)
class BearerToken:
    """An OAuth2 access token, fetched fresh for every request.

    ``access_token`` is awaited before each request; it is where an OAuth2
    session refreshes an expired token.
    """

    access_token: Callable[[], Awaitable[str]] = field(repr=False)

    async def authorization_header(self) -> str:
        """Return ``Bearer <access token>``."""
        return "Bearer " + await self.access_token()
