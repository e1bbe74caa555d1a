"""Validate captured requests against sipgate's own REST spec.

``tests/openapi/sipgate-openapi3.json`` is sipgate's Swagger 2.0 document
(2022) converted to OpenAPI 3.0; requests are checked with the maintained
``openapi-core`` validator. The spec is not perfect: where sipgate's servers
(and its own Node library) accept what the spec does not allow, the spec is
patched here, in one short list, each with its reason.
"""

from dataclasses import dataclass
from functools import cache
import json
from pathlib import Path
from typing import Any
import warnings

from openapi_core import OpenAPI
from openapi_core.datatypes import RequestParameters
from werkzeug.datastructures import Headers, ImmutableMultiDict

SPEC_FILE = Path(__file__).parent.parent / "openapi" / "sipgate-openapi3.json"
SPEC_HOST = "https://api.sipgate.com"

# (JSON path in the spec, value, why)
SPEC_DEVIATIONS: list[tuple[tuple[str, ...], Any, str]] = [
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
    """The spec with the deviations applied, loaded once per test session."""
    spec = json.loads(SPEC_FILE.read_text(encoding="utf-8"))
    for path, value, _reason in SPEC_DEVIATIONS:
        node = spec
        for key in path[:-1]:
            node = node[key]
        node[path[-1]] = value
    return OpenAPI.from_dict(spec)


@dataclass
class SpecRequest:
    """A captured request in the shape openapi-core reads."""

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


def validate_request(
    method: str, path: str, query: list[tuple[str, str]], headers: dict[str, str], body: bytes
) -> None:
    """Raise if the request is not one sipgate's spec describes (path, method, query, body)."""
    request = SpecRequest(
        method=method.lower(),
        path="/v2" + path,
        parameters=RequestParameters(
            query=ImmutableMultiDict(query), header=Headers(headers), cookie=ImmutableMultiDict(), path={}
        ),
        content_type=headers.get("Content-Type", "application/json"),
        body=body or None,
    )
    with warnings.catch_warnings():
        # The spec secures every operation with OAuth2, which openapi-core cannot check
        # (it warns); authentication is tested on its own (tests/api/test_client.py).
        warnings.filterwarnings("ignore", "Unsupported scheme type", UserWarning)
        sipgate_openapi().validate_request(request)
