"""Reading sipgate's JSON leniently: the field declarations of the response models.

Every response model (:class:`.model.ApiModel`) declares its fields with the
helpers below: the JSON name (``alias``) and a reader that turns whatever
sipgate sent into the field's type without failing. The leniency is sipgate's,
observed in real answers: an empty string means "not set", booleans sometimes
come as ``"true"``/``"false"``, numbers can be missing or not numbers at all,
and lists can hold ``null`` or stray entries. Fields sipgate adds later are
never read. The readers (``read_*``) are also used on their own where an
answer carries a single value (``totalCount``).
"""

from collections.abc import Callable, Mapping
from dataclasses import MISSING, Field, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from mashumaro import field_options

if TYPE_CHECKING:
    from .model import ApiModel

# The metadata keys under which a field names the model of its nested object or of
# the objects of its list (read by ApiModel's check of required fields).
NESTED_MODEL = "sipgate_nested_model"
NESTED_LIST_MODEL = "sipgate_nested_list_model"


# --- readers: one JSON value in, the field's value out, never an exception ---------------------------


def read_str(value: Any) -> str | None:
    """A string, or ``None`` for an empty one (``null`` never reaches a reader)."""
    return None if value is None or value == "" else str(value)


def read_bool(value: Any) -> bool:
    """A boolean; sipgate sometimes sends ``"true"``/``"false"`` strings; ``null`` is ``False``."""
    if isinstance(value, str):
        return value.strip().lower() == "true"
    return bool(value)


def read_int(value: Any) -> int | None:
    """An integer, or ``None`` when absent or not a number (booleans are not numbers)."""
    if value is None or isinstance(value, bool):
        return None
    try:
        return int(value)
    except TypeError, ValueError, OverflowError:  # OverflowError: JSON's Infinity
        return None


def read_datetime(value: Any) -> datetime | None:
    """An ISO 8601 timestamp as an aware datetime (UTC when no offset is given)."""
    if not isinstance(value, str) or not value:
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def read_str_tuple(value: Any) -> tuple[str, ...]:
    """A list of strings (``null`` entries skipped); anything else is empty."""
    if not isinstance(value, list):
        return ()
    return tuple(str(item) for item in value if item is not None)


def read_objects(value: Any) -> list[Mapping[str, Any]]:
    """A list of JSON objects; other entries are skipped, anything else is empty."""
    if not isinstance(value, list):
        return []
    return [item for item in value if isinstance(item, Mapping)]


def read_object(value: Any) -> Mapping[str, Any]:
    """A JSON object; anything else is an empty one."""
    return value if isinstance(value, Mapping) else {}


# --- field declarations ---------------------------------------------------------------------------------


def _field(alias: str | None, reader: Callable[[Any], Any], default: Any = MISSING, **extra: Any) -> Any:
    metadata = field_options(alias=alias, deserialize=reader, **extra)
    if default is MISSING:
        return field(metadata=metadata)
    return field(default=default, metadata=metadata)


def required(alias: str | None = None) -> Any:
    """A string the model cannot do without: a missing or empty one fails the whole answer."""
    return _field(alias, str)


def text(alias: str | None = None, *, default: str | None = None) -> Any:
    """A string; absent, ``null`` or empty gives ``default``."""
    if default is None:
        return _field(alias, read_str, None)
    return _field(alias, lambda value: read_str(value) or default, default)


def flag(alias: str | None = None) -> Any:
    """A boolean that is ``False`` unless sipgate says otherwise."""
    return _field(alias, read_bool, False)


def maybe_flag(alias: str | None = None) -> Any:
    """A boolean that stays ``None`` when sipgate leaves it out."""
    return _field(alias, read_bool, None)


def number(alias: str | None = None, *, default: int | None = None) -> Any:
    """An integer; absent or not a number gives ``default``."""
    if default is None:
        return _field(alias, read_int, None)
    return _field(alias, lambda value: read_int(value) or default, default)


def moment(alias: str | None = None) -> Any:
    """A point in time (see :func:`read_datetime`)."""
    return _field(alias, read_datetime, None)


def texts(alias: str | None = None) -> Any:
    """A list of strings as a tuple."""
    return _field(alias, read_str_tuple, ())


def inner_text(alias: str, key: str) -> Any:
    """A string ``key`` of the object under ``alias`` (``belongsToEndpoint.extension``)."""
    return _field(alias, lambda value: read_str(read_object(value).get(key)), None)


def nested(model: type[ApiModel], alias: str | None = None) -> Any:
    """One nested object, or ``None`` when sipgate sent something else."""
    return _field(
        alias,
        lambda value: model.from_dict(value) if isinstance(value, Mapping) else None,
        None,
        **{NESTED_MODEL: model},
    )


def nested_list(model: type[ApiModel], alias: str | None = None) -> Any:
    """A list of nested objects as a tuple; entries that are not objects are skipped."""
    return _field(
        alias,
        lambda value: tuple(model.from_dict(item) for item in read_objects(value)),
        (),
        **{NESTED_LIST_MODEL: model},
    )


def custom(reader: Callable[[Any], Any], alias: str | None = None, *, default: Any = None) -> Any:
    """A field with a reader of its own (it must accept any JSON value)."""
    return _field(alias, reader, default)


def field_key(spec: Field[Any]) -> str:
    """The JSON name of a model field."""
    alias = spec.metadata.get("alias")
    return alias if isinstance(alias, str) else spec.name
