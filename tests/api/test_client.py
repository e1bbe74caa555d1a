"""The client core: authentication, transport, status mapping, bodies."""

from datetime import UTC, datetime, timedelta, timezone
from email.utils import format_datetime
import json

from aiohttp import ClientSession
import pytest

from custom_components.sipgate.api import (
    API_BASE_URL,
    Account,
    BearerToken,
    PersonalAccessToken,
    SipgateApiError,
    SipgateAuthenticationError,
    SipgateBadRequestError,
    SipgateClient,
    SipgateConnectionError,
    SipgateForbiddenError,
    SipgateInsufficientFundsError,
    SipgateInvalidResponseError,
    SipgateNotFoundError,
    SipgateRateLimitError,
    SipgateServerError,
    SipgateTimeoutError,
    UserInfo,
    rate_limit as rate_limit_module,
)
from custom_components.sipgate.api.rate_limit import RateLimitGate

from ..conftest import load_json
from .conftest import FakeSipgate

VECTORS_AUTH_HEADER = "Basic dG9rZW4tRlExVjEyOmU2OGVhZDQ2LWE3ZGItNDZjZC04YTFhLTQ0YWVkMWU0ZTM3Mg=="


async def test_personal_access_token_is_http_basic(client: SipgateClient, fake_sipgate: FakeSipgate) -> None:
    """The docs' example token gives exactly the docs' Basic header."""
    fake_sipgate.answer("GET", "authorization/userinfo", json=load_json("userinfo.json"))

    await client.account.get_userinfo()

    request = fake_sipgate.requests[0]
    assert request.headers["Authorization"] == VECTORS_AUTH_HEADER
    assert request.headers["Accept"] == "application/json"
    assert "Content-Type" not in request.headers


async def test_token_is_not_in_repr() -> None:
    """The secret never shows up when the credentials are logged."""
    token = PersonalAccessToken("token-FQ1V12", "super-secret")
    assert "super-secret" not in repr(token)
    assert "token-FQ1V12" in repr(token)


async def test_bearer_token_is_fetched_for_every_request(
    session: ClientSession, fake_sipgate: FakeSipgate
) -> None:
    """An OAuth2 provider is asked for the current token before each request."""
    tokens = iter(["first", "second"])

    async def access_token() -> str:
        return next(tokens)

    client = SipgateClient(session, BearerToken(access_token), base_url=fake_sipgate.base_url)
    fake_sipgate.answer("GET", "authorization/userinfo", json=load_json("userinfo.json"))

    await client.account.get_userinfo()
    await client.account.get_userinfo()

    assert [r.headers["Authorization"] for r in fake_sipgate.requests] == ["Bearer first", "Bearer second"]


def test_paths_keep_the_api_version() -> None:
    """Paths with and without a leading slash land below /v2 (no URL joining)."""
    client = SipgateClient(None, PersonalAccessToken("a", "b"))  # type: ignore[arg-type]
    assert client.transport.url("/sessions/sms") == f"{API_BASE_URL}/sessions/sms"
    assert client.transport.url("w0/sms") == "https://api.sipgate.com/v2/w0/sms"


async def test_userinfo_and_account_parse(client: SipgateClient, fake_sipgate: FakeSipgate) -> None:
    """Both first models parse, and fields sipgate adds later are ignored."""
    fake_sipgate.answer("GET", "authorization/userinfo", json={**load_json("userinfo.json"), "new": 1})
    fake_sipgate.answer("GET", "account", json=load_json("account.json"))

    assert await client.account.get_userinfo() == UserInfo(
        sub="w0", master_sip_id="1234567", domain="sipgate.de", locale="de_DE"
    )
    assert await client.account.get_account() == Account(
        company="Muster Elektro GmbH",
        main_product_type="TEAM",
        logo_url="https://static.sipgate.com/logos/1234567.png",
        verified=True,
        history_life_time="UNLIMITED",
    )
    assert [(r.method, r.path) for r in fake_sipgate.requests] == [
        ("GET", "/authorization/userinfo"),
        ("GET", "/account"),
    ]


async def test_account_with_sparse_fields(client: SipgateClient, fake_sipgate: FakeSipgate) -> None:
    """Every account field is optional in sipgate's spec."""
    fake_sipgate.answer("GET", "account", json={"verified": "false", "company": ""})
    assert await client.account.get_account() == Account(verified=False)


async def test_userinfo_without_account_id_is_invalid(
    client: SipgateClient, fake_sipgate: FakeSipgate
) -> None:
    """Without masterSipId the account cannot be told apart: refuse the answer."""
    fake_sipgate.answer("GET", "authorization/userinfo", json={"sub": "w0"})
    with pytest.raises(SipgateInvalidResponseError, match="masterSipId"):
        await client.account.get_userinfo()


@pytest.mark.parametrize(
    ("status", "body", "exception", "message"),
    [
        (400, {"message": "Invalid filter"}, SipgateBadRequestError, "Invalid filter"),
        (401, None, SipgateAuthenticationError, None),
        (402, {"message": "Insufficient funds"}, SipgateInsufficientFundsError, "Insufficient funds"),
        (404, None, SipgateNotFoundError, None),
        (
            409,
            {"errors": [{"status": 409, "title": "Conflict", "detail": "already blocked"}]},
            SipgateApiError,
            "already blocked",
        ),
        (500, "upstream failed", SipgateServerError, "upstream failed"),
        (503, None, SipgateServerError, None),
    ],
)
async def test_status_maps_to_exception(
    client: SipgateClient,
    fake_sipgate: FakeSipgate,
    status: int,
    body: object,
    exception: type[SipgateApiError],
    message: str | None,
) -> None:
    """Each HTTP error status raises its own exception with the server's message."""
    if isinstance(body, dict):
        fake_sipgate.answer("GET", "account", status=status, json=body)
    else:
        fake_sipgate.answer("GET", "account", status=status, text=body)

    with pytest.raises(exception) as caught:
        await client.account.get_account()

    assert type(caught.value) is exception
    assert caught.value.status == status
    assert caught.value.message == message
    # The text the glue shows the user (the "api_error" placeholder).
    assert str(caught.value) == (f"HTTP {status}: {message}" if message else f"HTTP {status}")


async def test_forbidden_names_the_scope(client: SipgateClient, fake_sipgate: FakeSipgate) -> None:
    """A 403 says which scope the endpoint needs."""
    fake_sipgate.answer("GET", "account", status=403, text="Forbidden")
    with pytest.raises(SipgateForbiddenError) as caught:
        await client.account.get_account()
    assert caught.value.scope == "account:read"
    assert caught.value.message == "Forbidden"


@pytest.mark.parametrize(
    ("retry_after", "expected"),
    [("120", 120.0), ("1.5", 1.5), (None, None), ("soon", None), ("-3", 0.0)],
)
async def test_rate_limit_carries_retry_after(
    client: SipgateClient, fake_sipgate: FakeSipgate, retry_after: str | None, expected: float | None
) -> None:
    """A 429 tells how long to wait, when sipgate says so."""
    headers = {"Retry-After": retry_after} if retry_after is not None else {}
    fake_sipgate.answer("GET", "account", status=429, headers=headers)
    with pytest.raises(SipgateRateLimitError) as caught:
        await client.account.get_account()
    assert caught.value.retry_after == expected


async def test_after_a_429_nothing_is_sent_until_retry_after(
    client: SipgateClient, fake_sipgate: FakeSipgate, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The gate: any request before Retry-After fails at once, naming the seconds left; none is sent."""
    now = [1_000_000.0]
    monkeypatch.setattr(rate_limit_module.time, "time", lambda: now[0])
    fake_sipgate.answer("GET", "balance", status=429, headers={"Retry-After": "30"})
    fake_sipgate.answer("GET", "account", json={"company": "Muster"})
    fake_sipgate.answer("POST", "sessions/sms", status=204)
    with pytest.raises(SipgateRateLimitError):
        await client.account.get_balance()
    assert client.transport.rate_limited_for == 30
    now[0] += 20
    with pytest.raises(SipgateRateLimitError) as caught:
        await client.account.get_account()
    assert caught.value.retry_after == 10
    with pytest.raises(SipgateRateLimitError):
        await client.sms.send(sms_id="s0", recipient="+4915739777777", message="x")
    assert [r.path for r in fake_sipgate.requests] == ["/balance"]
    now[0] += 10
    assert client.transport.rate_limited_for == 0
    assert (await client.account.get_account()).company == "Muster"
    assert len(fake_sipgate.requests) == 2


async def test_clients_of_one_token_share_the_gate(
    client: SipgateClient, fake_sipgate: FakeSipgate, session: ClientSession
) -> None:
    """A new client given the gate of a rate-limited one sends nothing either; its own gate is open."""
    gate = RateLimitGate()
    token = PersonalAccessToken("token-FQ1V12", "secret")
    first = SipgateClient(session, token, base_url=fake_sipgate.base_url, rate_limit=gate)
    fake_sipgate.answer("GET", "balance", status=429, headers={"Retry-After": "30"})
    fake_sipgate.answer("GET", "account", json={"company": "Muster"})
    with pytest.raises(SipgateRateLimitError):
        await first.account.get_balance()
    second = SipgateClient(session, token, base_url=fake_sipgate.base_url, rate_limit=gate)
    with pytest.raises(SipgateRateLimitError) as caught:
        await second.account.get_account()
    assert 29 <= caught.value.retry_after <= 30
    assert [r.path for r in fake_sipgate.requests] == ["/balance"]
    assert (await client.account.get_account()).company == "Muster"  # a gate of its own


async def test_a_429_without_retry_after_does_not_close_the_gate(
    client: SipgateClient, fake_sipgate: FakeSipgate
) -> None:
    """Without Retry-After only that request fails."""
    fake_sipgate.answer("GET", "balance", status=429)
    fake_sipgate.answer("GET", "account", json={"company": "Muster"})
    with pytest.raises(SipgateRateLimitError):
        await client.account.get_balance()
    assert client.transport.rate_limited_for == 0
    assert (await client.account.get_account()).company == "Muster"


async def test_rate_limit_retry_after_as_http_date(client: SipgateClient, fake_sipgate: FakeSipgate) -> None:
    """Retry-After may also be an HTTP date."""
    later = datetime.now(UTC) + timedelta(seconds=90)
    fake_sipgate.answer(
        "GET", "account", status=429, headers={"Retry-After": format_datetime(later, usegmt=True)}
    )
    with pytest.raises(SipgateRateLimitError) as caught:
        await client.account.get_account()
    assert caught.value.retry_after is not None
    assert 80 <= caught.value.retry_after <= 90


async def test_timeout(session: ClientSession, fake_sipgate: FakeSipgate) -> None:
    """A slow answer ends in SipgateTimeoutError, which is a connection error."""
    client = SipgateClient(
        session,
        PersonalAccessToken("token-FQ1V12", "x"),
        base_url=fake_sipgate.base_url,
        request_timeout=0.05,
    )
    fake_sipgate.answer("GET", "account", json={}, delay=1.0)
    with pytest.raises(SipgateTimeoutError) as caught:
        await client.account.get_account()
    assert isinstance(caught.value, SipgateConnectionError)
    assert str(caught.value) == "sipgate did not answer GET account within 0.05 s"


@pytest.mark.usefixtures("socket_enabled")
async def test_connection_refused(session: ClientSession) -> None:
    """Nothing listening: SipgateConnectionError, not an aiohttp exception."""
    client = SipgateClient(
        session, PersonalAccessToken("token-FQ1V12", "x"), base_url="http://127.0.0.1:9/v2"
    )
    with pytest.raises(SipgateConnectionError) as caught:
        await client.account.get_userinfo()
    assert str(caught.value).startswith("Cannot reach sipgate for GET authorization/userinfo: ")


@pytest.mark.parametrize(("status", "text"), [(204, None), (200, ""), (200, "  \n")])
async def test_empty_body_is_success(
    client: SipgateClient, fake_sipgate: FakeSipgate, status: int, text: str | None
) -> None:
    """Write endpoints answer 204 or an empty 200: no JSON is parsed."""
    fake_sipgate.answer("PUT", "calls/abc/muted", status=status, text=text)
    assert await client.transport.request("PUT", "calls/abc/muted", json_body={"value": True}) is None
    request = fake_sipgate.requests[0]
    assert request.headers["Content-Type"] == "application/json"
    assert json.loads(request.body) == {"value": True}


async def test_body_that_is_not_json(client: SipgateClient, fake_sipgate: FakeSipgate) -> None:
    """A success with a broken body is an invalid response, not a crash."""
    fake_sipgate.answer("GET", "account", text="<html>maintenance</html>")
    with pytest.raises(SipgateInvalidResponseError):
        await client.account.get_account()


async def test_answer_that_is_not_an_object(client: SipgateClient, fake_sipgate: FakeSipgate) -> None:
    """A JSON list where an object belongs is an invalid response."""
    fake_sipgate.answer("GET", "account", json=[1, 2])
    with pytest.raises(SipgateInvalidResponseError):
        await client.account.get_account()


async def test_text_answers(client: SipgateClient, fake_sipgate: FakeSipgate) -> None:
    """CSV exports come back as text, asked for with a matching Accept header."""
    fake_sipgate.answer("GET", "history/export", text="id,created\n1,2024-01-01\n")
    assert (
        await client.transport.request_text("GET", "history/export", scope="history:read")
        == "id,created\n1,2024-01-01\n"
    )
    assert fake_sipgate.requests[0].headers["Accept"] == "text/csv"


async def test_text_answer_errors_are_mapped(client: SipgateClient, fake_sipgate: FakeSipgate) -> None:
    """Errors of text endpoints raise like all others."""
    fake_sipgate.answer("GET", "history/export", status=403)
    with pytest.raises(SipgateForbiddenError) as caught:
        await client.transport.request_text("GET", "history/export", scope="history:read")
    assert caught.value.scope == "history:read"


async def test_query_serialisation(client: SipgateClient, fake_sipgate: FakeSipgate) -> None:
    """Lists as repeated keys, booleans as words, datetimes as ISO UTC, None dropped."""
    fake_sipgate.answer("GET", "history", json={"items": []})
    await client.transport.request(
        "GET",
        "history",
        params={
            "archived": False,
            "connectionIds": ["p0", "g1"],
            "types": ("CALL", "VOICEMAIL"),
            "from": datetime(2024, 1, 1, tzinfo=UTC),
            "to": datetime(2024, 1, 31, 23, 59, 59, tzinfo=timezone(timedelta(hours=1))),
            "phonenumber": "+4921112345678",
            "starred": None,
            "offset": 0,
            "limit": 50,
        },
    )
    assert fake_sipgate.requests[0].query == [
        ("archived", "false"),
        ("connectionIds", "p0"),
        ("connectionIds", "g1"),
        ("types", "CALL"),
        ("types", "VOICEMAIL"),
        ("from", "2024-01-01T00:00:00.000Z"),
        ("to", "2024-01-31T22:59:59.000Z"),
        ("phonenumber", "+4921112345678"),
        ("offset", "0"),
        ("limit", "50"),
    ]
