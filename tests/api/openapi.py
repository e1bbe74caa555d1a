"""Validate captured requests against sipgate's own REST spec.

There is one implementation, in ``standin/openapi.py``: the local sipgate
stand-in validates every request it receives with it, and the tests use the
same code, spec file (``standin/openapi/sipgate-openapi3.json``, sipgate's
Swagger 2.0 document converted to OpenAPI 3.0) and list of justified spec
deviations (``SPEC_DEVIATIONS``).
"""

from standin.openapi import (
    SPEC_DEVIATIONS,
    SPEC_FILE,
    SPEC_HOST,
    SpecRequest,
    describe_error,
    sipgate_openapi,
    validate_request,
)

__all__ = [
    "SPEC_DEVIATIONS",
    "SPEC_FILE",
    "SPEC_HOST",
    "SpecRequest",
    "describe_error",
    "sipgate_openapi",
    "validate_request",
]
