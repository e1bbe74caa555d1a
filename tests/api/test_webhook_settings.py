"""Webhook settings: read-modify-write of the whole object, as in the Node vectors."""

import pytest

from custom_components.sipgate.api import (
    SipgateClient,
    SipgateForbiddenError,
    SipgateValidationError,
    WebhookSettings,
)

from ..conftest import load_json
from .conftest import FakeSipgate, sent

REST = load_json("sipgateio-vectors.json")["rest_requests_executed"]
URL = "https://ha.example.com/api/webhook/abc123"

SETTERS = [
    ("settings.setIncomingUrl", lambda c: c.webhook_settings.set_incoming_url(URL)),
    ("settings.setOutgoingUrl", lambda c: c.webhook_settings.set_outgoing_url(URL)),
    ("settings.clearIncomingUrl", lambda c: c.webhook_settings.clear_incoming_url()),
    ("settings.setWhitelist", lambda c: c.webhook_settings.set_whitelist(["p0", "g1"])),
    ("settings.clearWhitelist", lambda c: c.webhook_settings.clear_whitelist()),
    ("settings.disableWhitelist", lambda c: c.webhook_settings.disable_whitelist()),
    ("settings.setLog", lambda c: c.webhook_settings.set_log(True)),
]


@pytest.fixture
def settings(fake_sipgate: FakeSipgate) -> FakeSipgate:
    """Sipgate holding the vectors' settings."""
    fake_sipgate.answer("GET", "settings/sipgateio", json=REST["settings.getWebhookSettings"]["result"])
    fake_sipgate.answer("PUT", "settings/sipgateio", status=204)
    return fake_sipgate


async def test_get(client: SipgateClient, settings: FakeSipgate) -> None:
    """Null whitelist means every line and group."""
    assert await client.webhook_settings.get() == WebhookSettings(incoming_url="https://old.example/in")


@pytest.mark.parametrize(("name", "call"), SETTERS, ids=[name for name, _ in SETTERS])
async def test_setters_match_the_vectors(
    client: SipgateClient, settings: FakeSipgate, name: str, call
) -> None:  # type: ignore[no-untyped-def]
    """GET, then PUT of the whole object with one field changed."""
    await call(client)
    expected = [(r["method"], "/" + r["url"].lstrip("/"), r.get("body")) for r in REST[name]["requests"]]
    assert [(m, p, b) for m, p, _, b in sent(settings)] == expected


async def test_clear_outgoing_and_update_returns_settings(
    client: SipgateClient, settings: FakeSipgate
) -> None:
    """Several changes at once; the stored settings are returned."""
    stored = await client.webhook_settings.update(outgoing_url=URL, incoming_url="", log=True)
    assert stored == WebhookSettings(incoming_url="", outgoing_url=URL, log=True, whitelist=None)
    await client.webhook_settings.clear_outgoing_url()
    assert sent(settings)[-1][3]["outgoingUrl"] == ""


@pytest.mark.parametrize(
    ("call", "field"),
    [
        (lambda c: c.webhook_settings.set_incoming_url("www.url.com"), "incoming_url"),
        (lambda c: c.webhook_settings.set_outgoing_url("ftp://x"), "outgoing_url"),
        (lambda c: c.webhook_settings.set_whitelist(["p0", "f19"]), "whitelist"),
    ],
)
async def test_invalid_input_is_refused(
    client: SipgateClient, settings: FakeSipgate, call, field: str
) -> None:  # type: ignore[no-untyped-def]
    """The vectors' invalid URL and whitelist fail before any request."""
    with pytest.raises(SipgateValidationError) as caught:
        await call(client)
    assert caught.value.field == field
    assert settings.requests == []


async def test_without_the_scope(client: SipgateClient, fake_sipgate: FakeSipgate) -> None:
    """403 names the settings scope."""
    fake_sipgate.answer("GET", "settings/sipgateio", status=403)
    with pytest.raises(SipgateForbiddenError) as caught:
        await client.webhook_settings.set_incoming_url(URL)
    assert caught.value.scope == "settings:sipgateio:read"


async def test_log(client: SipgateClient, fake_sipgate: FakeSipgate) -> None:
    """Sipgate's push log parses."""
    fake_sipgate.answer("GET", "log/webhooks", json=load_json("webhook_log.json"))
    entries = await client.webhook_settings.get_log()
    assert entries[0].status == "200"
    assert entries[0].request is not None
    assert entries[0].request.startswith("event=newCall")
