"""Names for phone numbers, from the account's sipgate contacts (spec §7.3).

The webhook reply path only reads this in-memory index; it is filled and
refreshed in the background, so naming a caller never waits for sipgate.
"""

from collections.abc import Mapping
from functools import lru_cache

from .api.phone import parse_number


class ContactNames:
    """Phone number (E.164) → contact name."""

    def __init__(self, region: str) -> None:
        """Read national numbers in ``region``."""
        self._region = region
        self._names: dict[str, str] = {}

    def __len__(self) -> int:
        """How many numbers have a name."""
        return len(self._names)

    def replace(self, names: Mapping[str, str]) -> None:
        """Use a freshly built index."""
        self._names = dict(names)

    def lookup(self, number: str | None) -> str | None:
        """The contact name of ``number``, if it has one (``anonymous`` never has).

        Webhook numbers arrive in E.164 already, so they are looked up as they
        are: this runs on the webhook reply path. Only other forms are parsed.
        """
        if not number or not self._names or number == "anonymous":
            return None
        if number.startswith("+"):
            return self._names.get(number)
        normalized = _normalized(number, self._region)
        return self._names.get(normalized) if normalized else None


@lru_cache(maxsize=1024)
def _normalized(number: str, region: str) -> str | None:
    return parse_number(number, region=region)
