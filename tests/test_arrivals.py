"""Messages that arrive: each new voicemail, SMS and fax fires its event once, across reloads and restarts.

Why one module of this size: arrivals are one lifecycle (first read, new entries, reloads, restarts)
over one history fixture.
"""

import base64
import copy
from datetime import timedelta
from pathlib import Path
import re
from typing import Any
from unittest.mock import patch

from freezegun.api import FrozenDateTimeFactory
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_capture_events,
    async_fire_time_changed,
)
from pytest_homeassistant_custom_component.test_util.aiohttp import (
    AiohttpClientMocker,
    AiohttpClientMockResponse,
)
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator, WebSocketGenerator
from yarl import URL

from custom_components.sipgate.arrivals import MAX_REMEMBERED, VOICEMAIL_RETRIES
from custom_components.sipgate.const import (
    DOMAIN,
    EVENT_FAX_RECEIVED,
    EVENT_SMS_RECEIVED,
    EVENT_VOICEMAIL_RECEIVED,
)
from homeassistant.auth.models import User
from homeassistant.core import Context, Event, HomeAssistant
from homeassistant.exceptions import ServiceValidationError, Unauthorized
from homeassistant.setup import async_setup_component

from .conftest import (
    TOKEN,
    TOKEN_ID,
    WebhookCaller,
    api_url,
    load_json,
    mock_account_endpoints,
    sent_requests,
)

pytestmark = pytest.mark.freeze_time("2026-11-27 12:05:00+00:00")

ARRIVALS = {item["id"]: item for item in load_json("history_arrivals.json")["items"]}
VOICEMAIL, SMS, FAX = "100001300", "100001301", "100001302"
RECORDING = b"ID3\x04\x00\x00\x00\x00\x00\x00" + b"\xff\xfb\x90\x00" * 64
DOCUMENT = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
ENTITY = "event.sipgate_muster_elektro_gmbh_messages"
BASIC = "Basic " + base64.b64encode(f"{TOKEN_ID}:{TOKEN}".encode()).decode()
CALL = "callId={call}&from=4915799912345&to=4921112345671&direction={d}"


async def call_ends(push: WebhookCaller, call: str, direction: str = "in") -> None:
    """A call rings and ends (sipgate sends the hangup to the reply's onHangup URL)."""
    await push.post("event=newCall&" + CALL.format(call=call, d=direction))
    await push.post("event=hangup&cause=normalClearing&" + CALL.format(call=call, d=direction))


class History:
    """sipgate's history of the account: what ``GET /history`` lists, changeable while the test runs."""

    def __init__(self, mock: AiohttpClientMocker) -> None:
        """Answer ``/history`` (with its type and direction filters) and ``/history/{id}``."""
        self.mock = mock
        self.items: list[dict[str, Any]] = load_json("history.json")["items"]
        self.reads = 0
        # Items to add on a given read (1-based count of GET /history).
        self.on_read: dict[int, list[str]] = {}
        mock.get(api_url("history"), side_effect=self._list)
        mock.get(re.compile(r"^https://api\.sipgate\.com/v2/history/[0-9]+$"), side_effect=self._one)

    def add(self, *ids: str) -> None:
        """New entries arrive (newest first in the list, like sipgate)."""
        for entry_id in ids:
            self.items.insert(0, copy.deepcopy(ARRIVALS[entry_id]))

    async def _list(self, method: str, url: URL, data: Any) -> AiohttpClientMockResponse:
        self.reads += 1
        self.add(*self.on_read.pop(self.reads, []))
        types = url.query.getall("types", [])
        directions = url.query.getall("directions", [])
        items = [
            item
            for item in self.items
            if (not types or item["type"] in types) and (not directions or item["direction"] in directions)
        ]
        limit = int(url.query.get("limit", 10))
        return AiohttpClientMockResponse(method, url, json={"items": items[:limit], "totalCount": len(items)})

    async def _one(self, method: str, url: URL, data: Any) -> AiohttpClientMockResponse:
        entry_id = url.path.rsplit("/", 1)[1]
        for item in self.items:
            if item["id"] == entry_id:
                return AiohttpClientMockResponse(method, url, json=item)
        return AiohttpClientMockResponse(method, url, status=404, json={"message": "not found"})


@pytest.fixture
def history(aioclient_mock: AiohttpClientMocker) -> History:
    """The account's history, answered before anything else registers ``/history``."""
    return History(aioclient_mock)


def mock_account_with_history(mock: AiohttpClientMocker) -> AiohttpClientMocker:
    """A healthy account's other endpoints (register a :class:`History` first) and the files."""
    mock.get(api_url("authorization/userinfo"), json=load_json("userinfo.json"))
    mock.get(api_url("account"), json=load_json("account.json"))
    mock_account_endpoints(mock, skip=("history",))
    mock.get(
        api_url(f"history/{VOICEMAIL}/recording"), content=RECORDING, headers={"Content-Type": "audio/mpeg"}
    )
    mock.get(
        api_url(f"history/{FAX}/document"), content=DOCUMENT, headers={"Content-Type": "application/pdf"}
    )
    return mock


@pytest.fixture
def sipgate_api(aioclient_mock: AiohttpClientMocker, history: History) -> AiohttpClientMocker:
    """Sipgate's REST API of a healthy account, with a history that changes."""
    return mock_account_with_history(aioclient_mock)


def storage_key(entry: MockConfigEntry) -> str:
    """Where an entry keeps what it announced."""
    return f"sipgate.{entry.entry_id}.arrivals"


async def tick(hass: HomeAssistant, freezer: FrozenDateTimeFactory, seconds: float) -> None:
    """Let time pass."""
    freezer.tick(timedelta(seconds=seconds))
    async_fire_time_changed(hass)
    await hass.async_block_till_done()


async def next_history_read(hass: HomeAssistant, freezer: FrozenDateTimeFactory) -> None:
    """Wait one history interval (default options: 5 minutes)."""
    await tick(hass, freezer, 5 * 60 + 1)


def capture(hass: HomeAssistant) -> dict[str, list[Event]]:
    """Every arrival event fired from now on, by event type."""
    return {
        event_type: async_capture_events(hass, event_type)
        for event_type in (EVENT_VOICEMAIL_RECEIVED, EVENT_SMS_RECEIVED, EVENT_FAX_RECEIVED)
    }


def fired(events: dict[str, list[Event]]) -> list[tuple[str, str]]:
    """(event type, history id) of what was fired."""
    return sorted(
        (event_type, event.data["history_id"]) for event_type, found in events.items() for event in found
    )


ALL_THREE = [(EVENT_FAX_RECEIVED, FAX), (EVENT_SMS_RECEIVED, SMS), (EVENT_VOICEMAIL_RECEIVED, VOICEMAIL)]


async def test_the_history_already_there_is_not_announced(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    sipgate_api: AiohttpClientMocker,
    hass_storage: dict[str, Any],
) -> None:
    """The first run (nothing stored) treats the history as known: no flood of old voicemails."""
    events = capture(hass)
    mock_config_entry.add_to_hass(hass)
    await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()

    assert fired(events) == []
    known = hass_storage[storage_key(mock_config_entry)]["data"]["known"]
    # The voicemail, the received SMS and the received fax of the fixture; nothing sent, no calls.
    assert sorted(known) == ["100001240", "100001250", "100001260"]


async def test_each_new_item_fires_once_also_across_a_reload(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    history: History,
    freezer: FrozenDateTimeFactory,
    hass_storage: dict[str, Any],
) -> None:
    """A new voicemail, SMS and fax each fire their event once, with what automations need."""
    events = capture(hass)
    history.add(VOICEMAIL, SMS, FAX)
    await next_history_read(hass, freezer)

    assert fired(events) == ALL_THREE
    entry_id = init_integration.entry_id
    voicemail = events[EVENT_VOICEMAIL_RECEIVED][0].data
    assert voicemail == {
        "config_entry_id": entry_id,
        "history_id": VOICEMAIL,
        "from_number": "+4915799912345",
        "to_number": "+4921112345671",
        "from_name": "Max Kunde",
        "to_name": "Anna Muster",
        "line": "p0",
        "time": "2026-11-27T12:01:05+00:00",
        "duration": 37,
        "transcription": "Guten Tag, hier ist Max Kunde. Bitte rufen Sie mich wegen des Angebots zurück.",
        "media_id": f"media-source://sipgate/{entry_id}/voicemail/{VOICEMAIL}",
    }
    sms = events[EVENT_SMS_RECEIVED][0].data
    assert (sms["from_name"], sms["to_number"], sms["text"]) == (
        "Max Kunde",
        "+4921112345671",
        "Komme 10 Minuten später, Gruß Max",
    )
    fax = events[EVENT_FAX_RECEIVED][0].data
    assert (fax["from_name"], fax["pages"], fax["media_id"]) == (
        "Steuerbüro Schmitz",
        3,
        f"media-source://sipgate/{entry_id}/fax/{FAX}",
    )
    # The oldest first: the voicemail came before the SMS and the fax.
    state = hass.states.get(ENTITY)
    assert state.attributes["event_type"] == "fax"
    assert state.attributes["pages"] == 3

    await next_history_read(hass, freezer)
    await hass.config_entries.async_reload(entry_id)
    await hass.async_block_till_done()
    await next_history_read(hass, freezer)
    assert fired(events) == ALL_THREE  # still once each
    assert {VOICEMAIL, SMS, FAX} <= set(hass_storage[storage_key(init_integration)]["data"]["known"])


async def test_nothing_is_announced_again_after_a_restart(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    sipgate_api: AiohttpClientMocker,
    history: History,
    hass_storage: dict[str, Any],
) -> None:
    """What an earlier run announced (in the entry's storage) is not news; what came meanwhile is."""
    key = storage_key(mock_config_entry)
    hass_storage[key] = {
        "version": 1,
        "minor_version": 1,
        "key": key,
        "data": {"known": ["100001240", "100001250", "100001260", VOICEMAIL, SMS]},
    }
    history.add(VOICEMAIL, SMS, FAX)
    events = capture(hass)
    mock_config_entry.add_to_hass(hass)
    await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()

    assert fired(events) == [(EVENT_FAX_RECEIVED, FAX)]
    assert hass_storage[key]["data"]["known"][-1] == FAX


async def test_what_is_remembered_is_bounded(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    sipgate_api: AiohttpClientMocker,
    history: History,
    hass_storage: dict[str, Any],
) -> None:
    """The storage keeps the newest ids only."""
    key = storage_key(mock_config_entry)
    old = [str(n) for n in range(MAX_REMEMBERED)]
    hass_storage[key] = {"version": 1, "minor_version": 1, "key": key, "data": {"known": old}}
    mock_config_entry.add_to_hass(hass)
    await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()

    known = hass_storage[key]["data"]["known"]
    assert len(known) == MAX_REMEMBERED
    assert known[-3:] == ["100001260", "100001250", "100001240"]  # the fixture's items, oldest first
    assert "0" not in known


@pytest.mark.parametrize("late", [2, 1 + len(VOICEMAIL_RETRIES)])
async def test_a_voicemail_late_in_the_history_is_announced_within_a_minute(
    hass: HomeAssistant, push: WebhookCaller, history: History, freezer: FrozenDateTimeFactory, late: int
) -> None:
    """After a hangup the history is read again; a voicemail that shows up only on a later read still comes."""
    events = capture(hass)
    reads = history.reads
    history.on_read[reads + late] = [VOICEMAIL]
    await call_ends(push, "VM1")

    waited = 0
    while not events[EVENT_VOICEMAIL_RECEIVED] and waited < 120:
        await tick(hass, freezer, 1)
        waited += 1
    assert fired(events) == [(EVENT_VOICEMAIL_RECEIVED, VOICEMAIL)]
    assert waited <= 60
    # Found: no further reads for it.
    await tick(hass, freezer, 120)
    assert history.reads == reads + late
    assert fired(events) == [(EVENT_VOICEMAIL_RECEIVED, VOICEMAIL)]


async def test_reads_after_a_hangup_without_voicemail_stop(
    hass: HomeAssistant, push: WebhookCaller, history: History, freezer: FrozenDateTimeFactory
) -> None:
    """No voicemail follows: a few reads within a minute, then the normal interval again."""
    reads = history.reads
    await call_ends(push, "NV1")
    for _ in range(60):
        await tick(hass, freezer, 1)
    assert history.reads == reads + 1 + len(VOICEMAIL_RETRIES)
    await tick(hass, freezer, 120)
    assert history.reads == reads + 1 + len(VOICEMAIL_RETRIES)


async def test_an_outgoing_call_leads_to_one_read(
    hass: HomeAssistant, push: WebhookCaller, history: History, freezer: FrozenDateTimeFactory
) -> None:
    """No voicemail is left on an outgoing call: its hangup reads the history once."""
    reads = history.reads
    await call_ends(push, "OUT1", "out")
    for _ in range(90):
        await tick(hass, freezer, 1)
    assert history.reads == reads + 1


async def test_an_idle_hour_with_messages_stays_within_the_request_budget(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    sipgate_api: AiohttpClientMocker,
    history: History,
    freezer: FrozenDateTimeFactory,
) -> None:
    """SMS and faxes arriving without calls cost no extra requests: found in the regular reads."""
    events = capture(hass)
    before = sipgate_api.call_count
    for minute in range(60):
        if minute == 7:
            history.add(SMS)
        if minute == 31:
            history.add(FAX)
        await tick(hass, freezer, 60)
    used = sipgate_api.call_count - before
    assert used <= 40, sent_requests(sipgate_api)[before:]
    assert [path for _, path, _, _ in sent_requests(sipgate_api)[before:]].count("/history") == 12
    assert fired(events) == [(EVENT_FAX_RECEIVED, FAX), (EVENT_SMS_RECEIVED, SMS)]
    assert init_integration.runtime_data.messages.arrivals.history_reads_after_hangup == 0


async def test_a_failed_read_announces_nothing_and_the_next_one_catches_up(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    history: History,
    sipgate_api: AiohttpClientMocker,
    freezer: FrozenDateTimeFactory,
) -> None:
    """A read fails (sipgate is down): the items come with the next good read, once."""
    events = capture(hass)
    history.add(SMS)
    sipgate_api.clear_requests()
    sipgate_api.get(api_url("history"), status=503)
    await next_history_read(hass, freezer)
    assert fired(events) == []
    sipgate_api.clear_requests()
    History.__init__(history, sipgate_api)  # sipgate answers again
    history.add(SMS)
    await next_history_read(hass, freezer)
    assert fired(events) == [(EVENT_SMS_RECEIVED, SMS)]


# --- the media browser, the file proxy, the actions ---------------------------------------------------


@pytest.fixture
async def media_source(hass: HomeAssistant, init_integration: MockConfigEntry) -> MockConfigEntry:
    """The media browser's sources, with the account's new voicemail and fax in its history."""
    await hass.config.async_set_time_zone("Europe/Berlin")
    assert await async_setup_component(hass, "media_source", {})
    await hass.async_block_till_done()
    return init_integration


async def ws(hass_ws_client: WebSocketGenerator, hass: HomeAssistant, message: dict[str, Any]) -> Any:
    """One websocket command of the frontend; its result."""
    client = await hass_ws_client(hass)
    await client.send_json_auto_id(message)
    response = await client.receive_json()
    assert response["success"], response
    return response["result"]


async def browse(hass_ws_client: WebSocketGenerator, hass: HomeAssistant, media_id: str) -> Any:
    """What the media browser shows for ``media_id``."""
    return await ws(hass_ws_client, hass, {"type": "media_source/browse_media", "media_content_id": media_id})


def titles(node: dict[str, Any]) -> list[tuple[str, str]]:
    """(title, media id) of a node's children."""
    return [(child["title"], child["media_content_id"]) for child in node["children"]]


async def test_the_media_browser_lists_voicemails_and_faxes(
    hass: HomeAssistant, media_source: MockConfigEntry, history: History, hass_ws_client: WebSocketGenerator
) -> None:
    """Accounts, their two folders, and the items newest first with caller, time and length."""
    history.add(VOICEMAIL, FAX)
    entry_id = media_source.entry_id
    root = await browse(hass_ws_client, hass, "media-source://sipgate")
    assert titles(root) == [("sipgate Muster Elektro GmbH", f"media-source://sipgate/{entry_id}")]
    account = await browse(hass_ws_client, hass, f"media-source://sipgate/{entry_id}")
    assert titles(account) == [
        ("Voicemails", f"media-source://sipgate/{entry_id}/voicemail"),
        ("Received faxes", f"media-source://sipgate/{entry_id}/fax"),
    ]

    voicemails = await browse(hass_ws_client, hass, f"media-source://sipgate/{entry_id}/voicemail")
    assert titles(voicemails) == [
        (
            "● Max Kunde (+4915799912345) · 2026-11-27 13:01 · 0:37",
            f"media-source://sipgate/{entry_id}/voicemail/{VOICEMAIL}",
        ),
        (
            "● Max Kunde (+4915799912345) · 2026-11-26 08:51 · 0:24",
            f"media-source://sipgate/{entry_id}/voicemail/100001240",
        ),
    ]
    assert all(child["can_play"] and not child["can_expand"] for child in voicemails["children"])
    faxes = await browse(hass_ws_client, hass, f"media-source://sipgate/{entry_id}/fax")
    assert [title for title, _ in titles(faxes)] == [
        "● Steuerbüro Schmitz (+4921198765432) · 2026-11-27 13:03 · 3 pages",
        "● Fax Zentrale (+4921112345670) · 2026-11-26 10:00 · 2 pages",
    ]
    query = [r for r in sent_requests(history.mock) if r[1] == "/history"][-1][2]
    assert ("types", "FAX") in query
    assert ("directions", "INCOMING") in query


async def test_the_media_browser_in_german(
    hass: HomeAssistant, media_source: MockConfigEntry, history: History, hass_ws_client: WebSocketGenerator
) -> None:
    """Folder names and words follow Home Assistant's language."""
    hass.config.language = "de"
    history.add(FAX)
    entry_id = media_source.entry_id
    account = await browse(hass_ws_client, hass, f"media-source://sipgate/{entry_id}")
    assert [title for title, _ in titles(account)] == ["Sprachnachrichten", "Empfangene Faxe"]
    faxes = await browse(hass_ws_client, hass, f"media-source://sipgate/{entry_id}/fax")
    assert titles(faxes)[0][0].endswith("· 3 Seiten")


async def test_a_recording_plays_through_home_assistant(
    hass: HomeAssistant,
    media_source: MockConfigEntry,
    history: History,
    hass_ws_client: WebSocketGenerator,
    hass_client_no_auth: ClientSessionGenerator,
) -> None:
    """The browser gets a signed path of Home Assistant's; Home Assistant fetches the file with the token."""
    history.add(VOICEMAIL)
    media_id = f"media-source://sipgate/{media_source.entry_id}/voicemail/{VOICEMAIL}"
    resolved = await ws(
        hass_ws_client, hass, {"type": "media_source/resolve_media", "media_content_id": media_id}
    )
    url = resolved["url"]
    assert url.startswith(f"/api/sipgate/media/{media_source.entry_id}/voicemail/{VOICEMAIL}?authSig=")
    assert resolved["mime_type"] == "audio/mpeg"
    assert TOKEN not in url
    assert TOKEN_ID not in url
    assert "sipgate.com" not in url

    client = await hass_client_no_auth()
    response = await client.get(url)
    assert response.status == 200
    assert response.content_type == "audio/mpeg"
    assert await response.read() == RECORDING
    assert TOKEN not in str(response.headers)
    fetched = [
        headers
        for method, sent, _, headers in history.mock.mock_calls
        if str(sent) == api_url(f"history/{VOICEMAIL}/recording")
    ]
    assert fetched == [{**fetched[0], "Authorization": BASIC}]

    # Without the signature (or once it is changed) nothing is served.
    assert (await client.get(url.split("?")[0])).status == 401
    assert (await client.get(url[:-4] + "AAAA")).status == 401


async def test_the_file_proxy_serves_only_what_there_is(
    hass: HomeAssistant, media_source: MockConfigEntry, history: History, hass_client: ClientSessionGenerator
) -> None:
    """A fax's PDF to a signed-in user; 404 for calls, unknown entries and accounts; 502 when sipgate fails."""
    history.add(FAX)
    client = await hass_client()
    entry_id = media_source.entry_id
    response = await client.get(f"/api/sipgate/media/{entry_id}/fax/{FAX}")
    assert response.status == 200
    assert (response.content_type, await response.read()) == ("application/pdf", DOCUMENT)
    assert response.headers["Content-Disposition"] == f'inline; filename="sipgate-fax-{FAX}.pdf"'
    for path in (
        f"{entry_id}/voicemail/{FAX}",  # a fax is no voicemail
        f"{entry_id}/voicemail/100001234",  # a call
        f"{entry_id}/voicemail/999",  # not in the history
        f"{entry_id}/contacts/{FAX}",
        f"unknown/fax/{FAX}",
    ):
        assert (await client.get(f"/api/sipgate/media/{path}")).status == 404, path

    # A link elsewhere is fetched without the account's credentials; a plain http one not at all.
    history.items[0]["documentUrl"] = "https://files.example.net/fax/100001302.pdf?sig=abc"
    history.mock.get("https://files.example.net/fax/100001302.pdf", content=DOCUMENT)
    assert (await client.get(f"/api/sipgate/media/{entry_id}/fax/{FAX}")).status == 200
    outside = [h for _, sent, _, h in history.mock.mock_calls if sent.host == "files.example.net"]
    assert len(outside) == 1
    assert "Authorization" not in outside[0]
    history.items[0]["documentUrl"] = "http://files.example.net/fax.pdf"
    assert (await client.get(f"/api/sipgate/media/{entry_id}/fax/{FAX}")).status == 502


async def test_a_media_item_of_another_source_is_not_resolved(
    hass: HomeAssistant, media_source: MockConfigEntry, hass_ws_client: WebSocketGenerator
) -> None:
    """Unknown accounts and kinds are refused, not guessed."""
    client = await hass_ws_client(hass)
    for media_id in (
        "media-source://sipgate/unknown/voicemail/1",
        f"media-source://sipgate/{media_source.entry_id}/sms/1",
    ):
        await client.send_json_auto_id({"type": "media_source/resolve_media", "media_content_id": media_id})
        response = await client.receive_json()
        assert not response["success"]
        await client.send_json_auto_id({"type": "media_source/browse_media", "media_content_id": media_id})
        response = await client.receive_json()
        assert not response["success"]


async def test_save_attachment_writes_into_an_allowed_folder(
    hass: HomeAssistant, init_integration: MockConfigEntry, history: History, tmp_path: Path
) -> None:
    """The recording lands in the folder, named after the entry; the path comes back."""
    history.add(VOICEMAIL, FAX)
    hass.config.allowlist_external_dirs = {str(tmp_path)}
    media_id = f"media-source://sipgate/{init_integration.entry_id}/voicemail/{VOICEMAIL}"
    result = await hass.services.async_call(
        DOMAIN,
        "save_attachment",
        {"item": media_id, "directory": str(tmp_path)},
        blocking=True,
        return_response=True,
    )
    target = tmp_path / f"sipgate-voicemail-{VOICEMAIL}.mp3"
    assert result == {"path": str(target), "content_type": "audio/mpeg", "size": len(RECORDING)}
    assert target.read_bytes() == RECORDING

    result = await hass.services.async_call(
        DOMAIN,
        "save_attachment",
        {"item": FAX, "directory": str(tmp_path), "filename": "Steuerbüro.pdf"},
        blocking=True,
        return_response=True,
    )
    assert (tmp_path / "Steuerbüro.pdf").read_bytes() == DOCUMENT
    assert result["path"] == str(tmp_path / "Steuerbüro.pdf")


@pytest.mark.parametrize(
    ("fields", "key"),
    [
        ({"directory": "/etc"}, "file_not_allowed"),
        ({"directory": "{tmp}/../"}, "file_not_allowed"),
        ({"directory": "{tmp}", "filename": "../escape.mp3"}, "invalid_filename"),
        ({"directory": "{tmp}/missing"}, "directory_not_found"),
        ({"directory": "{tmp}", "item": "100001234"}, "no_attachment"),
        ({"directory": "{tmp}", "item": "media-source://sipgate/x/sms/1"}, "invalid_item"),
        ({"directory": "{tmp}", "item": "../../etc"}, "invalid_item"),
        ({"directory": "{tmp}", "item": f"{VOICEMAIL}\n"}, "invalid_item"),
        ({"directory": "{tmp}", "item": f"media-source://sipgate/x/voicemail/{VOICEMAIL}\n"}, "invalid_item"),
    ],
)
async def test_save_attachment_refuses(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    history: History,
    tmp_path: Path,
    fields: dict[str, str],
    key: str,
) -> None:
    """Only into existing allow-listed folders, only plain file names, only entries with a file."""
    history.add(VOICEMAIL)
    hass.config.allowlist_external_dirs = {str(tmp_path)}
    data = {
        "item": VOICEMAIL,
        **{name: value.replace("{tmp}", str(tmp_path)) for name, value in fields.items()},
    }
    with pytest.raises(ServiceValidationError) as err:
        await hass.services.async_call(DOMAIN, "save_attachment", data, blocking=True, return_response=True)
    assert err.value.translation_key == key
    if key == "file_not_allowed":
        assert not [c for c in history.mock.mock_calls if str(c[1]).endswith("/recording")]  # nothing fetched
    assert await hass.async_add_executor_job(lambda: list(tmp_path.rglob("*.mp3"))) == []


async def test_message_actions_are_for_administrators(
    hass: HomeAssistant, init_integration: MockConfigEntry, hass_read_only_user: User, tmp_path: Path
) -> None:
    """Writing files and changing the account are refused to other users."""
    hass.config.allowlist_external_dirs = {str(tmp_path)}
    for action, data in (
        ("save_attachment", {"item": VOICEMAIL, "directory": str(tmp_path)}),
        ("mark_read", {"items": [VOICEMAIL]}),
    ):
        with pytest.raises(Unauthorized):
            await hass.services.async_call(
                DOMAIN, action, data, blocking=True, context=Context(user_id=hass_read_only_user.id)
            )


async def test_mark_read(
    hass: HomeAssistant, init_integration: MockConfigEntry, history: History, sipgate_api: AiohttpClientMocker
) -> None:
    """Items named by media id or history id are marked read in one request; the counters follow."""
    sipgate_api.put(api_url("history"), status=204)
    reads = history.reads
    media_id = f"media-source://sipgate/{init_integration.entry_id}/voicemail/100001240"
    await hass.services.async_call(DOMAIN, "mark_read", {"items": [media_id, "100001250"]}, blocking=True)
    await hass.async_block_till_done()
    puts = [body for method, path, _, body in sent_requests(sipgate_api) if method == "PUT"]
    assert puts == [[{"id": "100001240", "read": True}, {"id": "100001250", "read": True}]]
    assert history.reads > reads  # the unread counters are read again


async def test_removing_the_account_forgets_what_it_announced(
    hass: HomeAssistant, init_integration: MockConfigEntry, hass_storage: dict[str, Any]
) -> None:
    """The entry's storage goes with the entry."""
    with patch("custom_components.sipgate.async_restore_webhook_urls"):
        assert storage_key(init_integration) in hass_storage
        await hass.config_entries.async_remove(init_integration.entry_id)
        await hass.async_block_till_done()
    assert storage_key(init_integration) not in hass_storage


async def test_a_folder_sipgate_cannot_list_is_an_error(
    hass: HomeAssistant,
    media_source: MockConfigEntry,
    sipgate_api: AiohttpClientMocker,
    hass_ws_client: WebSocketGenerator,
) -> None:
    """Sipgate failing while the folder opens: the media browser says so."""
    sipgate_api.clear_requests()
    sipgate_api.get(api_url("history"), status=500, json={"message": "down"})
    client = await hass_ws_client(hass)
    media_id = f"media-source://sipgate/{media_source.entry_id}/voicemail"
    await client.send_json_auto_id({"type": "media_source/browse_media", "media_content_id": media_id})
    response = await client.receive_json()
    assert not response["success"]
    assert "down" in response["error"]["message"]


async def test_a_folder_name_that_cannot_be_checked_is_refused(
    hass: HomeAssistant, init_integration: MockConfigEntry, history: History
) -> None:
    """A NUL in the folder: refused like a folder outside the allowlist."""
    with pytest.raises(ServiceValidationError) as err:
        await hass.services.async_call(
            DOMAIN, "save_attachment", {"item": VOICEMAIL, "directory": "/media/\0x"}, blocking=True
        )
    assert err.value.translation_key == "file_not_allowed"
