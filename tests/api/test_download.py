"""Downloading the files sipgate links to: credentials only for sipgate's API, sizes bounded."""

from aiohttp import web
import pytest

from custom_components.sipgate.api import (
    SipgateClient,
    SipgateConnectionError,
    SipgateInvalidResponseError,
    SipgateNotFoundError,
    SipgateRateLimitError,
)

from .conftest import Answer, FakeSipgate

MP3 = b"ID3\x04\x00" + b"\xff\xfb\x90\x00" * 100


def origin(fake: FakeSipgate) -> str:
    """The stand-in's scheme, host and port."""
    return fake.base_url.removesuffix("/v2")


async def test_a_link_into_the_api_is_fetched_with_the_token(
    client: SipgateClient, fake_sipgate: FakeSipgate
) -> None:
    """A recording under the API's base URL is sipgate's own: the token goes with the request."""
    fake_sipgate.answer(
        "GET",
        "history/1/recording",
        Answer(text=MP3.decode("latin-1"), headers={"Content-Type": "audio/mpeg"}),
    )
    raw = await client.transport.download(f"{fake_sipgate.base_url}/history/1/recording", max_bytes=10_000)
    assert raw.content_type == "audio/mpeg"
    assert raw.body == MP3.decode("latin-1").encode()
    assert fake_sipgate.requests[0].headers["Authorization"].startswith("Basic ")


async def test_a_redirect_elsewhere_gets_no_token(client: SipgateClient, fake_sipgate: FakeSipgate) -> None:
    """Where sipgate redirects to (pre-signed storage) the credentials do not follow; neither to other links."""

    async def storage(request: web.Request) -> web.Response:
        return web.Response(body=b"%PDF-1.4 fax", content_type="application/pdf")

    fake_sipgate.answer(
        "GET", "history/2/document", Answer(status=302, headers={"Location": "/storage/fax.pdf?sig=1"})
    )
    fake_sipgate.handlers[("GET", "/storage/fax.pdf")] = storage
    raw = await client.transport.download(f"{fake_sipgate.base_url}/history/2/document", max_bytes=10_000)
    assert (raw.status, raw.body) == (200, b"%PDF-1.4 fax")
    first, second = fake_sipgate.requests
    assert "Authorization" in first.headers
    assert second.path == "/storage/fax.pdf"
    assert "Authorization" not in second.headers

    await client.transport.download(f"{origin(fake_sipgate)}/storage/fax.pdf", max_bytes=10_000)
    assert "Authorization" not in fake_sipgate.requests[-1].headers
    # A look-alike path next to the API's is not the API.
    await client.transport.download(f"{origin(fake_sipgate)}/v2x/../storage/fax.pdf", max_bytes=10_000)
    assert "Authorization" not in fake_sipgate.requests[-1].headers


@pytest.mark.parametrize(
    "url", ["file:///etc/passwd", "ftp://example.com/x.mp3", "//example.com/x.mp3", "x.mp3"]
)
async def test_unusable_links_are_not_fetched(
    client: SipgateClient, fake_sipgate: FakeSipgate, url: str
) -> None:
    """Only http(s) links with a host (https unless the API itself is plain http)."""
    with pytest.raises(SipgateInvalidResponseError):
        await client.transport.download(url, max_bytes=10)
    assert fake_sipgate.requests == []


async def test_errors_and_sizes(client: SipgateClient, fake_sipgate: FakeSipgate) -> None:
    """A missing file is 404, a file over the limit is refused, an unreachable host is a connection error."""
    with pytest.raises(SipgateNotFoundError):
        await client.transport.download(f"{fake_sipgate.base_url}/history/3/recording", max_bytes=10)
    fake_sipgate.answer("GET", "history/4/recording", Answer(text="x" * 5000))
    with pytest.raises(SipgateInvalidResponseError, match="larger than 1000 bytes"):
        await client.transport.download(f"{fake_sipgate.base_url}/history/4/recording", max_bytes=1000)
    with pytest.raises(SipgateConnectionError):
        await client.transport.download("http://127.0.0.1:9/nothing-listens-here", max_bytes=10)


async def test_downloads_pass_the_rate_limit_gate(client: SipgateClient, fake_sipgate: FakeSipgate) -> None:
    """After a 429 with Retry-After a download fails at once, nothing sent; a download's own 429 closes it too."""
    fake_sipgate.answer("GET", "balance", status=429, headers={"Retry-After": "30"})
    with pytest.raises(SipgateRateLimitError):
        await client.account.get_balance()
    with pytest.raises(SipgateRateLimitError) as caught:
        await client.transport.download(f"{fake_sipgate.base_url}/history/1/recording", max_bytes=10_000)
    assert caught.value.retry_after is not None
    assert caught.value.retry_after > 0
    assert [r.path for r in fake_sipgate.requests] == ["/balance"]


async def test_a_429_on_a_download_closes_the_gate(client: SipgateClient, fake_sipgate: FakeSipgate) -> None:
    """Sipgate rate-limits a recording: the download fails with the wait, and the next request is not sent."""
    fake_sipgate.answer("GET", "history/1/recording", status=429, headers={"Retry-After": "60"})
    with pytest.raises(SipgateRateLimitError) as caught:
        await client.transport.download(f"{fake_sipgate.base_url}/history/1/recording", max_bytes=10_000)
    assert caught.value.retry_after == 60
    with pytest.raises(SipgateRateLimitError):
        await client.account.get_balance()
    assert [r.path for r in fake_sipgate.requests] == ["/history/1/recording"]
