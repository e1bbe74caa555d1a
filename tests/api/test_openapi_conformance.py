"""Every client method sends only requests that sipgate's REST spec describes."""

import inspect

import pytest

from custom_components.sipgate.api import SipgateClient
from custom_components.sipgate.api.transport import Transport

from .conformance_cases import CASES, Case
from .conformance_contacts import CONTACT_CASES
from .conftest import FakeSipgate
from .openapi import validate_request

ALL_CASES: dict[str, Case] = CASES | CONTACT_CASES


def _client_methods() -> set[str]:
    """``area.method`` for every public method of every area of the client."""
    client = SipgateClient(None, None)  # type: ignore[arg-type]
    names: set[str] = set()
    for area_name, area in vars(client).items():
        if area_name.startswith("_") or isinstance(area, (str, int, float, Transport)):
            continue  # the transport sends the areas' requests; it is tested in test_client.py
        for method_name, _ in inspect.getmembers(type(area), inspect.isfunction):
            if not method_name.startswith("_"):
                names.add(f"{area_name}.{method_name}")
    return names


def test_every_client_method_has_a_conformance_case() -> None:
    """A method without a case fails here, so nothing escapes the spec check."""
    assert sorted(_client_methods() - set(ALL_CASES)) == []
    assert sorted(set(ALL_CASES) - _client_methods()) == []
    # The client itself only holds the areas and its transport: no request of its own escapes.
    assert [
        name for name, _ in inspect.getmembers(SipgateClient, inspect.isfunction) if not name.startswith("_")
    ] == []


@pytest.mark.parametrize("name", sorted(ALL_CASES))
async def test_requests_validate_against_sipgates_spec(
    name: str, client: SipgateClient, fake_sipgate: FakeSipgate
) -> None:
    """The method's requests all match a path, method, query and body of the spec."""
    case = ALL_CASES[name]
    for (method, path), answer in case.answers.items():
        fake_sipgate.answer(method, path, answer)

    await case.run(client)

    assert fake_sipgate.requests, f"{name} sent no request"
    for request in fake_sipgate.requests:
        assert (request.method, request.path) in case.answers, (
            f"{name}: unexpected {request.method} {request.path}"
        )
        validate_request(request.method, request.path, request.query, request.headers, request.body)


def test_the_validator_rejects_what_the_spec_does_not_allow() -> None:
    """The check has teeth: unknown paths, wrong methods and bad bodies fail."""
    from openapi_core.templating.paths.exceptions import OperationNotFound, PathNotFound
    from openapi_core.validation.request.exceptions import InvalidRequestBody, RequestValidationError

    headers = {"Content-Type": "application/json"}
    with pytest.raises(PathNotFound):
        validate_request("GET", "/no/such/path", [], headers, b"")
    with pytest.raises(OperationNotFound):
        validate_request("PATCH", "/history", [], headers, b"")
    with pytest.raises(InvalidRequestBody):
        validate_request(
            "POST",
            "/sessions/sms",
            [],
            headers,
            b'{"smsId":"s0","message":"x","recipient":"+49","sendAt":1.5}',
        )
    with pytest.raises(RequestValidationError):
        validate_request("GET", "/history", [("types", "PARCEL")], headers, b"")
