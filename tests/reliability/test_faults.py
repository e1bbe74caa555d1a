"""Faults of sipgate's API (README "Reliability suite"): auth, scopes, rate limits, outages, malformed answers.

Coordinators make entities unavailable and recover by themselves; actions raise
translated errors; nothing raises or logs an unexpected exception; and nothing
asks sipgate faster than its interval while sipgate is failing.

Why one module of this size: every fault of sipgate's API against every part that reads it, on
shared fault helpers.
"""

from collections.abc import Awaitable, Callable
from datetime import timedelta
from itertools import product
import json
import logging
from pathlib import Path
import re
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from hypothesis import example, given, settings, strategies as st
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_fire_time_changed
from pytest_homeassistant_custom_component.test_util.aiohttp import (
    AiohttpClientMocker,
    AiohttpClientMockResponse,
)
from yarl import URL

from custom_components.sipgate.const import CONF_TOKEN_ID, DOMAIN
from homeassistant.config_entries import SOURCE_REAUTH, ConfigEntryState
from homeassistant.const import CONF_TOKEN, STATE_UNAVAILABLE
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import issue_registry as ir

from ..conftest import ACCOUNT_ENDPOINTS, TOKEN, TOKEN_ID, api_url, load_json
from .conftest import examples

pytestmark = [
    pytest.mark.freeze_time("2026-11-27 12:00:00+00:00"),
    pytest.mark.filterwarnings("ignore:It looks like `register_random`:hypothesis.errors.HypothesisWarning"),
]

BALANCE = "sensor.sipgate_muster_elektro_gmbh_balance"
MISSED = "sensor.sipgate_muster_elektro_gmbh_missed_calls"
DND = "switch.yealink_buro_do_not_disturb"
DND = "switch.yealink_buro_do_not_disturb"
ONLINE = "binary_sensor.yealink_buro_online"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"

type Answer = dict[str, Any]


def healthy_routes() -> dict[tuple[str, str], Answer]:
    """What a healthy account answers, per (method, path)."""
    routes: dict[tuple[str, str], Answer] = {
        ("GET", "authorization/userinfo"): {"json": load_json("userinfo.json")},
        ("GET", "account"): {"json": load_json("account.json")},
        ("GET", "contacts"): {"json": load_json("contacts.json")},
        ("GET", "calls"): {"json": load_json("calls.json")},
        ("DELETE", "calls/C1"): {"status": 204},
        ("POST", "sessions/sms"): {"status": 204},
        ("POST", "sessions/calls"): {"json": {"sessionId": "S1"}},
        ("POST", "sessions/fax"): {"json": {"sessionId": "FAX1"}},
        ("GET", "history/FAX1"): {"json": load_json("history_entry_fax.json")},
        ("GET", "history/export"): {"text": "id,type\n1,CALL\n", "headers": {"Content-Type": "text/csv"}},
        ("DELETE", "history"): {"status": 204},
        ("GET", "settings/sipgateio"): {"json": {"incomingUrl": "", "outgoingUrl": "", "log": False}},
        ("PUT", "devices/e0"): {"status": 204},
    }
    for path, fixture in ACCOUNT_ENDPOINTS.items():
        routes["GET", path] = {"json": load_json(fixture) if isinstance(fixture, str) else fixture}
    return routes


class FakeSipgate:
    """The REST API of sipgate, whose answers can be changed per endpoint while Home Assistant runs."""

    def __init__(self, mock: AiohttpClientMocker) -> None:
        """Answer every known endpoint through ``mock``."""
        self.mock = mock
        self.routes = healthy_routes()
        self.faults: dict[tuple[str, str], Answer] = {}
        self.fault_all: Answer | None = None
        for method, path in self.routes:
            mock.request(method, api_url(path), side_effect=self._answerer(method, path))
        # Paths built from fuzzed ids (a user "[]", a line "{'id': None}"): sipgate knows none of them.
        for method in ("GET", "POST", "PUT", "DELETE"):
            mock.request(
                method, re.compile(r"^https://api\.sipgate\.com/"), status=404, json={"message": "not found"}
            )

    def _answerer(self, method: str, path: str) -> Callable[..., Awaitable[AiohttpClientMockResponse]]:
        async def answer(request_method: str, url: URL, data: Any) -> AiohttpClientMockResponse:
            spec = self.faults.get((method, path))
            if spec is None and self.fault_all is not None and path != "authorization/userinfo":
                spec = self.fault_all
            answer = dict(spec or self.routes[method, path])
            if "json" in answer:  # the standard encoder: any JSON, including integers beyond 64 bits
                answer["response"] = json.dumps(answer.pop("json")).encode()
            return AiohttpClientMockResponse(request_method, url, **answer)

        return answer

    def fail(self, path: str, method: str = "GET", **answer: Any) -> None:
        """Let one endpoint answer ``answer`` (status, json, text, headers, exc, response)."""
        self.faults[method, path] = answer

    def heal(self) -> None:
        """Every endpoint answers normally again."""
        self.faults.clear()
        self.fault_all = None

    @property
    def count(self) -> int:
        """Requests sent so far."""
        return len(self.mock.mock_calls)

    def paths(self, since: int = 0) -> list[str]:
        """Paths requested since the ``since``-th request."""
        return [str(url.path).removeprefix("/v2/") for _, url, _, _ in self.mock.mock_calls[since:]]


@pytest.fixture
def fake(aioclient_mock: AiohttpClientMocker) -> FakeSipgate:
    """Sipgate's API, healthy until told otherwise."""
    return FakeSipgate(aioclient_mock)


@pytest.fixture
async def entry(
    hass: HomeAssistant, mock_config_entry: MockConfigEntry, fake: FakeSipgate
) -> MockConfigEntry:
    """The integration, set up against the fake API."""
    mock_config_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    return mock_config_entry


async def tick(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, minutes: float = 1, times: int = 1
) -> None:
    """Let time pass, one step at a time."""
    for _ in range(times):
        freezer.tick(timedelta(minutes=minutes))
        async_fire_time_changed(hass)
        await hass.async_block_till_done()


def unexpected(caplog: pytest.LogCaptureFixture) -> list[str]:
    """Log records that show an unhandled exception (the coordinators' own error lines are fine)."""
    return [
        record.getMessage()
        for record in caplog.records
        if (record.exc_info and record.levelno >= logging.WARNING)
        or "Unexpected" in record.getMessage()
        or record.levelno >= logging.CRITICAL
    ]


# --- coordinators ---------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["balance", "history"])  # the account and the history coordinator
async def test_401_while_polling_starts_reauth(
    hass: HomeAssistant, entry: MockConfigEntry, fake: FakeSipgate, freezer: FrozenDateTimeFactory, path: str
) -> None:
    """A token revoked later: the next poll of either coordinator starts re-authentication."""
    fake.fail(path, status=401, json={"message": "token revoked"})
    await tick(hass, freezer, minutes=60)
    flows = hass.config_entries.flow.async_progress()
    assert [(f["context"]["source"], f["context"]["entry_id"]) for f in flows] == [
        (SOURCE_REAUTH, entry.entry_id)
    ]


async def test_403_later_drops_the_feature_once(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    fake: FakeSipgate,
    freezer: FrozenDateTimeFactory,
    issue_registry: ir.IssueRegistry,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A scope taken away later: one repair issue naming it, never asked again, the rest keeps working."""
    fake.fail("balance", status=403, json={"message": "forbidden"})
    await tick(hass, freezer, minutes=60)
    await tick(hass, freezer, minutes=60, times=3)

    assert fake.paths().count("balance") == 1 + 1  # setup, then the first hourly poll only
    issues = [i for i in issue_registry.issues.values() if i.translation_key == "missing_scope"]
    assert [i.translation_placeholders["scope"] for i in issues] == ["balance:read"]
    assert "balance:read" in entry.runtime_data.missing_scopes
    assert hass.states.get(BALANCE).state != "12.3456"
    assert hass.states.get(DND).state == "off"
    assert hass.states.get(MISSED).state == "2"
    assert [r for r in caplog.records if "no balance:read scope" in r.getMessage()].__len__() == 1
    assert unexpected(caplog) == []


MALFORMED = {
    "500": {"status": 500, "text": "Internal Server Error"},
    "502-html": {"status": 502, "text": "<html>Bad Gateway</html>", "headers": {"Content-Type": "text/html"}},
    "503": {"status": 503, "headers": {"Retry-After": "120"}},
    "timeout": {"exc": TimeoutError()},
    "200-html": {"text": "<html><body>Maintenance</body></html>", "headers": {"Content-Type": "text/html"}},
    "json-list": {"json": [1, 2, 3]},
    "items-not-a-list": {"json": {"items": "none"}},
    "missing-fields": {"json": {"items": [{"alias": "no id"}], "currency": "EUR"}},
    "binary": {"response": b"\xff\xfe{not json"},
    "infinite-numbers": {"response": b'{"amount": Infinity, "currency": NaN}'},
    "empty-200": {"response": b""},
}


@pytest.mark.parametrize(
    ("path", "entity", "healthy"),
    [("balance", BALANCE, "12.3456"), ("history", MISSED, "2"), ("w0/devices", ONLINE, "on")],
)
async def test_failures_make_entities_unavailable_then_recover(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    fake: FakeSipgate,
    freezer: FrozenDateTimeFactory,
    caplog: pytest.LogCaptureFixture,
    path: str,
    entity: str,
    healthy: str,
) -> None:
    """Outages and malformed answers (HTML, lists, missing fields): unavailable, no exception; back by itself."""
    for name, answer in MALFORMED.items():
        assert hass.states.get(entity).state == healthy, name
        fake.fail(path, **answer)
        await tick(hass, freezer, minutes=60)
        assert hass.states.get(entity).state == STATE_UNAVAILABLE, name

        fake.heal()
        await tick(hass, freezer, minutes=60)
        assert hass.states.get(entity).state == healthy, name
    assert unexpected(caplog) == []
    assert hass.config_entries.flow.async_progress() == []


async def test_rate_limit_with_a_long_retry_after_postpones_the_poll(
    hass: HomeAssistant, entry: MockConfigEntry, fake: FakeSipgate, freezer: FrozenDateTimeFactory
) -> None:
    """429 with Retry-After longer than the interval: the account is not asked again before it."""
    fake.fail("balance", status=429, headers={"Retry-After": "7200"})
    await tick(hass, freezer, minutes=60)
    assert fake.paths().count("balance") == 2
    fake.heal()
    await tick(hass, freezer, minutes=10, times=11)  # 110 minutes: still inside the two hours
    assert fake.paths().count("balance") == 2
    await tick(hass, freezer, minutes=10, times=2)
    assert fake.paths().count("balance") == 3
    assert hass.states.get(BALANCE).state == "12.3456"


async def test_a_reload_or_a_flow_during_the_back_off_sends_nothing(
    hass: HomeAssistant, entry: MockConfigEntry, fake: FakeSipgate, freezer: FrozenDateTimeFactory
) -> None:
    """After a 429 with Retry-After the token's new clients wait too; the setup retries until it may ask."""
    fake.fail("balance", status=429, headers={"Retry-After": "600"})
    await tick(hass, freezer, minutes=60)
    fake.heal()
    before = fake.count

    assert await hass.config_entries.async_reload(entry.entry_id) is False
    await hass.async_block_till_done()
    assert entry.state is ConfigEntryState.SETUP_RETRY  # not a re-authentication
    assert entry.error_reason_translation_key == "rate_limited"
    assert hass.config_entries.flow.async_progress() == []
    result = await entry.start_reconfigure_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_TOKEN_ID: TOKEN_ID, CONF_TOKEN: TOKEN}
    )
    assert result["errors"] == {"base": "rate_limited"}
    await tick(hass, freezer, minutes=1, times=9)  # the setup's retries within the ten minutes
    await hass.async_block_till_done(wait_background_tasks=True)
    assert fake.count == before

    await tick(hass, freezer, minutes=5, times=2)  # the first retry after Retry-After loads it
    await hass.async_block_till_done(wait_background_tasks=True)  # setup retries run in the background
    assert entry.state is ConfigEntryState.LOADED
    assert fake.paths(before)[0] == "authorization/userinfo"
    assert hass.states.get(BALANCE).state == "12.3456"


async def test_rate_limit_with_a_short_retry_after_never_polls_faster(
    hass: HomeAssistant, entry: MockConfigEntry, fake: FakeSipgate, freezer: FrozenDateTimeFactory
) -> None:
    """429 whose Retry-After is shorter than the interval (or past): the interval still holds."""
    for retry_after in ("0", "1", "30", "Wed, 21 Oct 2015 07:28:00 GMT"):
        fake.fail("history", status=429, headers={"Retry-After": retry_after})
        fake.fail("balance", status=429, headers={"Retry-After": retry_after})
        before = fake.count
        await tick(hass, freezer, minutes=1, times=60)
        paths = fake.paths(before)
        assert paths.count("history") <= 12, (retry_after, paths.count("history"))  # every 5 minutes at most
        assert paths.count("balance") <= 1, retry_after
        assert len(paths) <= 40, retry_after
        fake.heal()
        await tick(hass, freezer, minutes=60)


OUTAGES = {
    "500": {"status": 500},
    "timeout": {"exc": TimeoutError()},
    "429-retry-now": {"status": 429, "headers": {"Retry-After": "0"}},
    "429": {"status": 429},
    "html": {"text": "<html>proxy error</html>"},
}


async def test_no_request_storm_during_an_outage_hour(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    fake: FakeSipgate,
    freezer: FrozenDateTimeFactory,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Sipgate down for an hour (a burst of calls ending in it): at most 40 requests, then recovery."""
    for name, answer in OUTAGES.items():
        fake.fault_all = answer
        before = fake.count
        for minute in range(60):
            if minute == 30:  # a burst of calls ends during the outage: one history refresh for all
                for _ in range(20):
                    entry.runtime_data.coordinators.history.async_schedule_refresh_after_calls()
            await tick(hass, freezer, minutes=1)
        used = fake.paths(before)
        assert len(used) <= 40, (name, used)
        assert hass.states.get(MISSED).state == STATE_UNAVAILABLE, name
        assert hass.states.get(BALANCE).state == STATE_UNAVAILABLE, name

        fake.heal()
        await tick(hass, freezer, minutes=60)
        assert hass.states.get(MISSED).state == "2", name
        assert hass.states.get(BALANCE).state == "12.3456", name
    assert unexpected(caplog) == []


async def test_live_calls_rate_limit_does_not_poll_faster_than_15_seconds(
    hass: HomeAssistant, entry: MockConfigEntry, fake: FakeSipgate, freezer: FrozenDateTimeFactory
) -> None:
    """While a call is connected sipgate's call list is read every 15 s, even when it asks to retry at once."""
    from custom_components.sipgate.calls import CallState

    fake.fail("calls", status=429, headers={"Retry-After": "1"})
    calls = entry.runtime_data.calls
    calls.set_state(calls.record("L1"), CallState.TALKING)
    entry.runtime_data.coordinators.live_calls.calls_changed(True)
    await hass.async_block_till_done()
    before = fake.paths().count("calls")
    for _ in range(60):  # one minute in 1-second steps
        freezer.tick(timedelta(seconds=1))
        async_fire_time_changed(hass)
        await hass.async_block_till_done()
    assert fake.paths().count("calls") - before <= 4 + 1
    entry.runtime_data.coordinators.live_calls.calls_changed(False)


# --- fuzzed answers -------------------------------------------------------------------------

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=10),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=12,
)
# Objects shaped like sipgate's, with fields of the wrong types.
FIELD_NAMES = st.sampled_from(
    [
        "items",
        "id",
        "amount",
        "currency",
        "alias",
        "type",
        "number",
        "localized",
        "endpointId",
        "created",
        "read",
        "direction",
        "status",
        "online",
        "dnd",
        "active",
        "destination",
        "timeout",
        "enabled",
        "target",
        "firstname",
        "lastname",
        "activePhonelines",
        "activeDevices",
        "totalCount",
        "duration",
        "new",
    ]
)
SHAPED = st.recursive(
    JSON,
    lambda children: (
        st.dictionaries(FIELD_NAMES, children, max_size=6)
        | st.builds(lambda items: {"items": items}, st.lists(children, max_size=3))
    ),
    max_leaves=16,
)
ANSWERS = st.one_of(
    st.builds(lambda body: {"json": body}, SHAPED),
    st.builds(lambda body: {"response": body}, st.binary(max_size=50)),
    st.builds(
        lambda status: {"status": status, "text": "error"},
        st.sampled_from([400, 404, 405, 409, 410, 418, 500, 502, 503, 504]),
    ),
    st.builds(
        lambda status, after: {"status": status, "headers": {"Retry-After": after}},
        st.just(429),
        st.sampled_from(["0", "-5", "nan", "1e9", "x", ""]),
    ),
    st.just({"exc": TimeoutError()}),
)
POLLED = [
    "balance",
    "numbers",
    "users",
    "w0/devices",
    "w1/devices",
    "w0/phonelines",
    "w0/phonelines/p0/forwardings",
    "w0/phonelines/p0/blockanonymous",
    "history",
    "contacts",
]


@settings(max_examples=examples(60))
@given(faults=st.dictionaries(st.sampled_from(POLLED), ANSWERS, min_size=1, max_size=3))
@example(
    faults={
        "balance": {"response": b'{"amount": Infinity}'},
        "history": {"response": b'{"items": [{"id": 1e999}]}'},
    }
)
async def test_fuzz_api_answers_never_break_the_coordinators(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    fake: FakeSipgate,
    freezer: FrozenDateTimeFactory,
    caplog: pytest.LogCaptureFixture,
    faults: dict[str, Answer],
) -> None:
    """Whatever sipgate answers to the polled endpoints: no unhandled exception; healthy again, all is back."""
    runtime = entry.runtime_data
    caplog.clear()
    for path, answer in faults.items():
        fake.fail(path, **answer)
    for coordinator in (runtime.coordinators.account, runtime.coordinators.history):
        await coordinator.async_refresh()
    await runtime.contacts.refresher.async_refresh()
    await hass.async_block_till_done()
    assert unexpected(caplog) == []

    fake.heal()
    # A 429 closes the gate until its Retry-After (at most six hours): wait it out.
    freezer.tick(timedelta(seconds=runtime.client.transport.rate_limited_for + 1))
    for coordinator in (runtime.coordinators.account, runtime.coordinators.history):
        await coordinator.async_refresh()
        assert coordinator.last_update_success
    await hass.async_block_till_done()
    assert hass.states.get(MISSED).state == "2"
    # A fuzzed 401 starts re-authentication; forget it for the next example.
    for flow in hass.config_entries.flow.async_progress():
        hass.config_entries.flow.async_abort(flow["flow_id"])


# --- actions --------------------------------------------------------------------------------

ACTIONS = [
    # action, data, (method, path) that fails, scope named on 403, returns a response
    ("get_calls", {}, ("GET", "calls"), "rtcm:read", True),
    ("hang_up", {"call_id": "C1"}, ("DELETE", "calls/C1"), "rtcm:write", False),
    (
        "send_sms",
        {"recipient": "+4915799912345", "message": "Hallo", "sms_id": "s0"},
        ("POST", "sessions/sms"),
        "sessions:sms:write",
        False,
    ),
    (
        "initiate_call",
        {"from": "e0", "to": "+4915799912345"},
        ("POST", "sessions/calls"),
        "sessions:calls:write",
        True,
    ),
    ("get_history", {}, ("GET", "history"), "history:read", True),
    ("export_history", {}, ("GET", "history/export"), "history:read", True),
    ("delete_history", {"entry_ids": ["1"]}, ("DELETE", "history"), "history:write", False),
    ("get_fax_status", {"session_id": "FAX1"}, ("GET", "history/FAX1"), "history:read", True),
    ("get_numbers", {}, ("GET", "numbers"), "numbers:read", True),
    ("get_contacts", {}, ("GET", "contacts"), "contacts:read", True),
    ("get_webhook_settings", {}, ("GET", "settings/sipgateio"), "settings:sipgateio:read", True),
    (
        "send_fax",
        {"recipient": "+4921199999999", "file": "FAX", "faxline_id": "f0"},
        ("POST", "sessions/fax"),
        "sessions:fax:write",
        True,
    ),
]
FAULTS = {
    "403": ({"status": 403, "json": {"message": "insufficient scope"}}, "missing_scope"),
    "429": ({"status": 429, "headers": {"Retry-After": "42"}}, "rate_limited"),
    "500": ({"status": 500, "text": "oops"}, "api_error"),
    "503-html": (
        {"status": 503, "text": "<html>down</html>", "headers": {"Content-Type": "text/html"}},
        "api_error",
    ),
    "timeout": ({"exc": TimeoutError()}, "cannot_connect"),
    "200-html": ({"text": "<html>captive portal</html>", "headers": {"Content-Type": "text/html"}}, None),
    "200-binary": ({"response": b"\xff\xfe\x00garbage"}, None),
    "200-json-list": ({"json": ["not", "an", "object"]}, None),
}


async def _run(hass: HomeAssistant, action: str, data: dict[str, Any], response: bool) -> Any:
    return await hass.services.async_call(DOMAIN, action, data, blocking=True, return_response=response)


async def _error_of(run: Awaitable[Any]) -> HomeAssistantError | None:
    """The error an action raised, or None when it succeeded."""
    try:
        await run
    except HomeAssistantError as err:
        return err
    return None


@pytest.fixture
def fax_file(hass: HomeAssistant, tmp_path: Path) -> str:
    """A PDF in an allow-listed folder."""
    (tmp_path / "doc.pdf").write_bytes(PDF)
    hass.config.allowlist_external_dirs = {str(tmp_path)}
    return str(tmp_path / "doc.pdf")


async def test_action_faults_are_translated_errors(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    fake: FakeSipgate,
    freezer: FrozenDateTimeFactory,
    fax_file: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Each fault, for each action: a translated HomeAssistantError saying what happened, nothing else."""
    for (fault, (answer, key)), (action, raw_data, (method, path), scope, response) in product(
        FAULTS.items(), ACTIONS
    ):
        data = {k: (fax_file if v == "FAX" else v) for k, v in raw_data.items()}
        fake.heal()
        freezer.tick(
            timedelta(seconds=entry.runtime_data.client.transport.rate_limited_for + 1)
        )  # after a 429
        await _run(hass, action, data, response)  # healthy first
        fake.fail(path, method, **answer)
        err = await _error_of(_run(hass, action, data, response))
        await hass.async_block_till_done()
        if err is None:
            # Only a 2xx body can be taken: by writes that do not read the answer, and the CSV export.
            assert key is None, (fault, action)
            assert action in ("hang_up", "send_sms", "delete_history", "export_history"), (fault, action)
            continue
        assert type(err) is HomeAssistantError, (fault, action, repr(err))
        assert err.translation_domain == DOMAIN, (fault, action, repr(err))
        # A success status with a body that is not what the endpoint returns is an API error.
        assert err.translation_key == (key or "api_error"), (fault, action, err.translation_key)
        placeholders = err.translation_placeholders or {}
        if key == "missing_scope":
            assert placeholders["scope"] == scope, action
        if key == "rate_limited":
            assert placeholders["seconds"] == "42", action
            # The gate is closed: the same action fails at once, nothing reaches sipgate.
            before = fake.count
            again = await _error_of(_run(hass, action, data, response))
            assert again is not None, action
            assert again.translation_key == "rate_limited", action
            assert fake.count == before, action
    assert unexpected(caplog) == []
    assert hass.config_entries.flow.async_progress() == []
    await hass.config_entries.async_unload(entry.entry_id)  # stops following the faxes sent


async def test_action_401_starts_reauth(
    hass: HomeAssistant, entry: MockConfigEntry, fake: FakeSipgate, fax_file: str
) -> None:
    """A token refused during any action: invalid_auth, and re-authentication starts."""
    for action, raw_data, (method, path), _, response in ACTIONS:
        data = {k: (fax_file if v == "FAX" else v) for k, v in raw_data.items()}
        fake.heal()
        fake.fail(path, method, status=401)
        with pytest.raises(HomeAssistantError) as caught:
            await _run(hass, action, data, response)
        await hass.async_block_till_done()
        assert caught.value.translation_key == "invalid_auth", action
        flows = hass.config_entries.flow.async_progress()
        assert [(f["context"]["source"], f["context"]["entry_id"]) for f in flows] == [
            (SOURCE_REAUTH, entry.entry_id)
        ], action
        hass.config_entries.flow.async_abort(flows[0]["flow_id"])
