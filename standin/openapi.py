"""Validate requests against sipgate's own REST spec: the one implementation.

``standin/openapi/sipgate-openapi3.json`` is sipgate's Swagger 2.0 document
(2022) converted to OpenAPI 3.0; requests are checked with the maintained
``openapi-core`` validator. The local sipgate stand-in checks every request it
receives with it, and the tests (``tests/api/openapi.py``) import it from here.

The spec is not perfect: where sipgate's servers (and its own Node library)
accept what the spec does not allow, the spec is patched here, in one short
list (:data:`SPEC_DEVIATIONS`), each with its reason.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
import json
from pathlib import Path
from typing import Any, Final
import warnings

from openapi_core import OpenAPI
from openapi_core.datatypes import RequestParameters
from werkzeug.datastructures import Headers, ImmutableMultiDict

SPEC_FILE: Final = Path(__file__).parent / "openapi" / "sipgate-openapi3.json"
SPEC_HOST: Final = "https://api.sipgate.com"
API_PREFIX: Final = "/v2"

# (JSON path in the spec, value, why)
SPEC_DEVIATIONS: Final[list[tuple[tuple[str, ...], Any, str]]] = [
    (
        (
            "components",
            "schemas",
            "SetSipgateIoAccountSettingsRequest",
            "properties",
            "whitelist",
            "nullable",
        ),
        True,
        "whitelist null disables the whitelist (all lines and groups push); sipgate's Node library "
        "sends it (disableWhitelist) and GET returns it, but the spec does not mark it nullable",
    ),
]


@cache
def sipgate_openapi() -> OpenAPI:
    """The spec with the deviations applied, loaded once per process."""
    spec = json.loads(SPEC_FILE.read_text(encoding="utf-8"))
    for path, value, _reason in SPEC_DEVIATIONS:
        node = spec
        for key in path[:-1]:
            node = node[key]
        node[path[-1]] = value
    return OpenAPI.from_dict(spec)


@dataclass
class SpecRequest:
    """A received request in the shape openapi-core reads."""

    method: str
    path: str
    parameters: RequestParameters
    content_type: str
    body: bytes | None
    host_url: str = SPEC_HOST

    @property
    def full_url_pattern(self) -> str:
        """Host and path, as openapi-core matches them against the servers."""
        return self.host_url + self.path


def validate_received_request(
    method: str,
    full_path: str,
    query: Iterable[tuple[str, str]],
    headers: Mapping[str, str],
    body: bytes,
) -> None:
    """Raise if the request is not one sipgate's spec describes (path, method, query, body).

    ``full_path`` is the path as sent to the server, ``/v2`` included. The
    exceptions are openapi-core's (``PathNotFound``, ``OperationNotFound``,
    ``InvalidRequestBody`` …); :func:`describe_error` makes one readable.
    """
    header_map = Headers(list(headers.items()))
    request = SpecRequest(
        method=method.lower(),
        path=full_path,
        parameters=RequestParameters(
            query=ImmutableMultiDict(list(query)),
            header=header_map,
            cookie=ImmutableMultiDict(),
            path={},
        ),
        content_type=header_map.get("Content-Type", "application/json"),
        body=body or None,
    )
    with warnings.catch_warnings():
        # The spec secures every operation with OAuth2, which openapi-core cannot check
        # (it warns); authentication is checked on its own.
        warnings.filterwarnings("ignore", "Unsupported scheme type", UserWarning)
        sipgate_openapi().validate_request(request)


def validate_request(
    method: str, path: str, query: Iterable[tuple[str, str]], headers: Mapping[str, str], body: bytes
) -> None:
    """Like :func:`validate_received_request` for a ``path`` below ``/v2`` (``/history``)."""
    validate_received_request(method, API_PREFIX + path, query, headers, body)


def describe_error(err: Exception) -> str:
    """One line naming what is wrong, with the schema errors openapi-core keeps in the cause."""
    message = str(err) or type(err).__name__
    cause = err.__cause__
    schema_errors = getattr(cause, "schema_errors", None) or ()
    details = []
    for schema_error in schema_errors:
        where = "/".join(str(part) for part in getattr(schema_error, "absolute_path", ()))
        text = str(getattr(schema_error, "message", schema_error))
        details.append(f"{where}: {text}" if where else text)
    if details:
        # "Request body validation error: Value {…} not valid for schema …": the details say it better.
        message = f"{message.partition(': Value ')[0]}: {'; '.join(details)}"
    return f"{type(err).__name__}: {message}"
