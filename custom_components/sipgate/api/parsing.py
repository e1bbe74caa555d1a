"""Reading fields out of sipgate's JSON, tolerant of what the API leaves out.

Models call these from their ``from_dict``; a missing optional field becomes
``None`` and fields sipgate adds later are simply never read.
"""

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from .exceptions import SipgateInvalidResponseError


def required_str(data: Mapping[str, Any], key: str, model: str) -> str:
    """A string the model cannot do without."""
    value = data.get(key)
    if value is None or value == "":
        raise SipgateInvalidResponseError(f"{model}: field {key!r} is missing")
    return str(value)


def optional_str(data: Mapping[str, Any], key: str) -> str | None:
    """A string, or ``None`` when absent or empty."""
    value = data.get(key)
    return None if value is None or value == "" else str(value)


def optional_bool(data: Mapping[str, Any], key: str) -> bool | None:
    """A boolean; sipgate sometimes sends ``"true"``/``"false"`` strings."""
    value = data.get(key)
    if value is None:
        return None
    if isinstance(value, str):
        return value.strip().lower() == "true"
    return bool(value)


def flag(data: Mapping[str, Any], key: str) -> bool:
    """A boolean that defaults to ``False``."""
    return optional_bool(data, key) or False


def optional_int(data: Mapping[str, Any], key: str) -> int | None:
    """An integer, or ``None`` when absent or not a number."""
    value = data.get(key)
    if value is None or isinstance(value, bool):
        return None
    try:
        return int(value)
    except TypeError, ValueError, OverflowError:  # OverflowError: JSON's Infinity
        return None


def optional_datetime(data: Mapping[str, Any], key: str) -> datetime | None:
    """An ISO 8601 timestamp as an aware datetime (UTC when no offset is given)."""
    value = data.get(key)
    if not isinstance(value, str) or not value:
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def str_list(data: Mapping[str, Any], key: str) -> tuple[str, ...]:
    """A list of strings (empty when absent)."""
    value = data.get(key)
    if not isinstance(value, list):
        return ()
    return tuple(str(item) for item in value if item is not None)


def object_list(data: Mapping[str, Any], key: str) -> list[Mapping[str, Any]]:
    """A list of JSON objects (empty when absent); other entries are skipped."""
    value = data.get(key)
    if not isinstance(value, list):
        return []
    return [item for item in value if isinstance(item, Mapping)]
