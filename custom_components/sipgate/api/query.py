"""Serialise query parameters the way the sipgate API reads them.

Lists become repeated keys (``types=CALL&types=SMS``, Swagger's
``collectionFormat: multi``), booleans ``true``/``false``, datetimes ISO 8601
in UTC, and ``None`` values are left out.
"""

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from enum import Enum

type QueryScalar = str | int | float | bool | datetime | Enum
type QueryValue = QueryScalar | Iterable[QueryScalar] | None


def _format_scalar(value: QueryScalar) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        moment = value if value.tzinfo else value.replace(tzinfo=UTC)
        return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    if isinstance(value, Enum):
        return str(value.value)
    return str(value)


def build_query(params: Mapping[str, QueryValue]) -> list[tuple[str, str]]:
    """Return ``(key, value)`` pairs in the given order, lists as repeated keys."""
    pairs: list[tuple[str, str]] = []
    for key, value in params.items():
        if value is None:
            continue
        if isinstance(value, (str, int, float, bool, datetime, Enum)):
            pairs.append((key, _format_scalar(value)))
        else:
            pairs.extend((key, _format_scalar(item)) for item in value)
    return pairs
