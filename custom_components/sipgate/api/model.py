"""The base of the client's response models: frozen dataclasses that mashumaro builds.

A model lists its fields with the declarations of :mod:`.parsing` (sipgate's
JSON name and a lenient reader) and names itself in ``model_name``;
``from_dict`` and ``to_dict`` (which writes the JSON names back) use mashumaro's
decoder and encoder for the class, generated on the class's first use: defining
a model costs no more than a plain dataclass, so importing the client stays
cheap (mashumaro's mixin would generate code for every class at import).

Before a model is built, :meth:`ApiModel.__pre_deserialize__` checks the fields
it cannot do without, and those of the nested models it holds, so that a
broken answer fails with :class:`SipgateInvalidResponseError` naming the model
and the field (``"user: field 'id' is missing"``) rather than with a
mashumaro error.
"""

from collections.abc import Mapping
from dataclasses import MISSING, fields
from typing import Any, ClassVar, Self

from mashumaro.codecs.basic import BasicDecoder, BasicEncoder
from mashumaro.config import BaseConfig

from .exceptions import SipgateInvalidResponseError
from .parsing import NESTED_LIST_MODEL, NESTED_MODEL, field_key, read_objects


class ApiModel:
    """A model of an answer of sipgate's REST API."""

    __slots__ = ()

    # How error messages name the model ("phone line", "SMS caller id" …).
    model_name: ClassVar[str] = "answer"

    class Config(BaseConfig):
        """Write sipgate's JSON names."""

        serialize_by_alias = True

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Self:
        """Build from sipgate's JSON object.

        Raises:
            SipgateInvalidResponseError: a field the model cannot do without is missing.
        """
        decoder = _DECODERS.get(cls)
        if decoder is None:
            decoder = _DECODERS[cls] = BasicDecoder(cls)
        result: Self = decoder.decode(data)
        return result

    def to_dict(self) -> dict[str, Any]:
        """The model as sipgate's JSON object (its field names)."""
        model = type(self)
        encoder = _ENCODERS.get(model)
        if encoder is None:
            encoder = _ENCODERS[model] = BasicEncoder(model)
        result: dict[str, Any] = encoder.encode(self)
        return result

    @classmethod
    def __pre_deserialize__(cls, d: dict[Any, Any]) -> dict[Any, Any]:
        """Refuse an answer that lacks a required field (here or in a nested model)."""
        check_required(cls, d)
        return d


# mashumaro's generated decoder and encoder of each model class, made on first use.
_DECODERS: dict[type[ApiModel], BasicDecoder[Any]] = {}
_ENCODERS: dict[type[ApiModel], BasicEncoder[Any]] = {}

type _Schema = tuple[tuple[str, ...], tuple[tuple[str, type[ApiModel], bool], ...]]
# One entry per model class, filled on the model's first answer.
_SCHEMAS: dict[type[ApiModel], _Schema] = {}


def _schema(model: type[ApiModel]) -> _Schema:
    """The JSON names of the required fields, and the nested models by JSON name."""
    if (known := _SCHEMAS.get(model)) is not None:
        return known
    required = tuple(
        field_key(spec)
        for spec in fields(model)  # type: ignore[arg-type]  # every ApiModel is a dataclass
        if spec.default is MISSING and spec.default_factory is MISSING
    )
    nested = tuple(
        (field_key(spec), spec.metadata[key], key == NESTED_LIST_MODEL)
        for spec in fields(model)  # type: ignore[arg-type]
        for key in (NESTED_MODEL, NESTED_LIST_MODEL)
        if key in spec.metadata
    )
    _SCHEMAS[model] = (required, nested)
    return required, nested


def check_required(model: type[ApiModel], data: Mapping[str, Any]) -> None:
    """Raise :class:`SipgateInvalidResponseError` when ``data`` cannot make a ``model``."""
    required, nested = _schema(model)
    for key in required:
        value = data.get(key)
        if value is None or value == "":
            raise SipgateInvalidResponseError(f"{model.model_name}: field {key!r} is missing")
    for key, inner, is_list in nested:
        value = data.get(key)
        if is_list:
            for item in read_objects(value):  # what the field's reader keeps
                check_required(inner, item)
        elif isinstance(value, Mapping):
            check_required(inner, value)
