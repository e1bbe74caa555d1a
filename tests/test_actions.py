"""Messaging, history, contact and account-settings actions: the requests, the responses, the errors.

Most tests run on the client mock (``init_integration_mock_client``): what the
action asks of the client, what it returns, which error it raises. Those whose
point is the request itself or the client's own checks working through the
action (SMS input, contacts, webhook settings, which token) run against the
HTTP mock; how the client builds its requests is tested in tests/api.

Why one module of this size: the actions of four areas share their fixtures (client mock, SMS
extensions, files); splitting by area would repeat them.
"""

from datetime import datetime
from pathlib import Path
import threading
from typing import Any
from unittest.mock import MagicMock, call as mock_call, patch
from zoneinfo import ZoneInfo

from freezegun.api import FrozenDateTimeFactory
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_capture_events,
    async_fire_time_changed,
)
from pytest_homeassistant_custom_component.test_util.aiohttp import AiohttpClientMocker

from custom_components.sipgate.actions import contacts as contact_actions
from custom_components.sipgate.api import (
    Faxline,
    FaxStatus,
    HistoryChange,
    HistoryFilter,
    SipgateError,
    SipgateForbiddenError,
    SipgateInsufficientFundsError,
    SipgateNotFoundError,
    SipgateNotPdfError,
    SipgateValidationError,
    SmsExtension,
)
from custom_components.sipgate.compat import vol
from custom_components.sipgate.const import DOMAIN, EVENT_FAX_STATUS
from custom_components.sipgate.fax_tracking import POLL_INTERVAL
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError

from .conftest import api_url, assert_valid_against_spec, load_json, sent_requests

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


# The token owner's SMS extension and fax lines, as the client returns them.
OWNER_SMS = [SmsExtension.from_dict({"id": "s0", "alias": "SMS Anna", "callerId": "+4921112345671"})]
OWNER_FAXLINES = [
    Faxline.from_dict(
        {"id": "f0", "alias": "Empfang", "tagline": "Muster", "canSend": False, "canReceive": True}
    ),
    Faxline.from_dict(
        {"id": "f1", "alias": "Büro", "tagline": "Muster", "canSend": True, "canReceive": True}
    ),
]


def _new(mock: AiohttpClientMocker, before: int) -> list[tuple[str, str, list[tuple[str, str]], Any]]:
    return sent_requests(mock)[before:]


async def call(hass: HomeAssistant, action: str, data: dict[str, Any], *, response: bool = False) -> Any:
    """Run a sipgate action."""
    return await hass.services.async_call(DOMAIN, action, data, blocking=True, return_response=response)


async def test_send_sms_with_the_owners_extension(
    hass: HomeAssistant, init_integration_mock_client: MockConfigEntry, mock_sipgate_client: MagicMock
) -> None:
    """Without sms_id the owner's first SMS extension sends (looked up once); with it, the one named.

    The recipient goes to the client as written: it sends national numbers in
    E.164 (tests/api, test_send_sms_later_sends_whole_seconds).
    """
    mock_sipgate_client.sms.get_extensions.return_value = OWNER_SMS
    await call(hass, "send_sms", {"recipient": "0157 99912345", "message": "Die Waschmaschine ist fertig."})
    await call(hass, "send_sms", {"recipient": "+4915799912345", "message": "Noch eine", "sms_id": "s1"})
    await call(hass, "send_sms", {"recipient": "+4915799912345", "message": "Und noch eine"})
    assert mock_sipgate_client.sms.get_extensions.await_args_list == [mock_call("w0")]
    assert mock_sipgate_client.sms.send.await_args_list == [
        mock_call(
            sms_id="s0", recipient="0157 99912345", message="Die Waschmaschine ist fertig.", send_at=None
        ),
        mock_call(sms_id="s1", recipient="+4915799912345", message="Noch eine", send_at=None),
        mock_call(sms_id="s0", recipient="+4915799912345", message="Und noch eine", send_at=None),
    ]


async def test_send_sms_later(
    hass: HomeAssistant,
    init_integration_mock_client: MockConfigEntry,
    mock_sipgate_client: MagicMock,
    freezer: FrozenDateTimeFactory,
) -> None:
    """send_at without a zone is in Home Assistant's time zone (whole Unix seconds: tests/api)."""
    freezer.move_to("2026-11-27 10:00:00+00:00")
    await hass.config.async_set_time_zone("Europe/Berlin")
    await call(
        hass,
        "send_sms",
        {
            "recipient": "+4915799912345",
            "message": "Erinnerung",
            "sms_id": "s0",
            "send_at": "2026-11-28 08:30:00",
        },
    )
    send_at = mock_sipgate_client.sms.send.await_args.kwargs["send_at"]
    assert send_at.tzinfo == ZoneInfo("Europe/Berlin")
    assert send_at.timestamp() == 1795851000  # 2026-11-28 07:30 UTC


@pytest.mark.usefixtures("init_integration")
@pytest.mark.parametrize(
    ("data", "key", "placeholders"),
    [
        (
            {"recipient": "+49++", "message": "x", "sms_id": "s0"},
            "phone_number_characters",
            {"field": "recipient", "value": "+49++"},
        ),
        (
            {"recipient": "+4915799912345", "message": "x", "sms_id": "s0", "send_at": "2020-01-01 00:00:00"},
            "send_time_out_of_range",
            None,
        ),
        (
            {"recipient": "+4915799912345", "message": "x", "sms_id": "s0", "send_at": "2099-01-01 00:00:00"},
            "send_time_out_of_range",
            None,
        ),
    ],
)
async def test_send_sms_validation(
    hass: HomeAssistant,
    sipgate_api: AiohttpClientMocker,
    data: dict[str, Any],
    key: str,
    placeholders: dict[str, str] | None,
) -> None:
    """Invalid numbers and send times are explained, naming field and value."""
    before = sipgate_api.call_count
    with pytest.raises(ServiceValidationError) as caught:
        await call(hass, "send_sms", data)
    assert caught.value.translation_key == key
    if placeholders:
        assert caught.value.translation_placeholders == placeholders
    assert sipgate_api.call_count == before


@pytest.mark.parametrize(
    ("error", "key"),
    [
        (SipgateInsufficientFundsError(402), "insufficient_funds"),
        (SipgateForbiddenError(403, scope="sessions:sms:write"), "missing_scope"),
    ],
    ids=["402", "403"],
)
async def test_send_sms_api_errors(
    hass: HomeAssistant,
    init_integration_mock_client: MockConfigEntry,
    mock_sipgate_client: MagicMock,
    error: SipgateError,
    key: str,
) -> None:
    """No credit, or a token without the SMS scope: translated errors naming the scope."""
    mock_sipgate_client.sms.send.side_effect = error
    with pytest.raises(HomeAssistantError) as caught:
        await call(hass, "send_sms", {"recipient": "+4915799912345", "message": "x", "sms_id": "s0"})
    assert caught.value.translation_key == key
    if key == "missing_scope":
        assert caught.value.translation_placeholders["scope"] == "sessions:sms:write"


async def test_send_fax_and_follow_it(
    hass: HomeAssistant,
    init_integration_mock_client: MockConfigEntry,
    mock_sipgate_client: MagicMock,
    tmp_path: Path,
    freezer: FrozenDateTimeFactory,
) -> None:
    """A PDF from an allowed folder is sent from the first fax line that can send, then followed to SENT."""
    document = tmp_path / "Rechnung.pdf"
    document.write_bytes(PDF)
    hass.config.allowlist_external_dirs = {str(tmp_path)}
    mock_sipgate_client.fax.get_faxlines.return_value = OWNER_FAXLINES
    mock_sipgate_client.fax.send.return_value = "FAX1"
    mock_sipgate_client.fax.get_status.side_effect = [
        FaxStatus.PENDING,
        FaxStatus.SENDING,
        FaxStatus.SENDING,
        FaxStatus.SENT,
    ]
    events = async_capture_events(hass, EVENT_FAX_STATUS)

    result = await call(
        hass, "send_fax", {"recipient": "0211 99999999", "file": str(document)}, response=True
    )
    assert result == {"session_id": "FAX1"}
    mock_sipgate_client.fax.get_faxlines.assert_awaited_once_with("w0")
    # The client sends the recipient in E.164 (tests/api, test_send_fax_to_a_national_number).
    mock_sipgate_client.fax.send.assert_awaited_once_with(
        faxline_id="f1", recipient="0211 99999999", pdf=PDF, filename="Rechnung.pdf"
    )

    for _ in range(6):
        freezer.tick(POLL_INTERVAL)
        async_fire_time_changed(hass)
        await hass.async_block_till_done()
    assert [(e.data["status"], e.data["final"]) for e in events] == [
        ("PENDING", False),
        ("SENDING", False),
        ("SENT", True),
    ]
    assert init_integration_mock_client.runtime_data.messages.fax.following == []
    # no polling once the fax is final
    assert mock_sipgate_client.fax.get_status.await_args_list == [mock_call("FAX1")] * 4


async def test_fax_following_stops_on_unload(
    hass: HomeAssistant,
    init_integration_mock_client: MockConfigEntry,
    mock_sipgate_client: MagicMock,
    tmp_path: Path,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Unloading the entry stops following its faxes."""
    (tmp_path / "a.pdf").write_bytes(PDF)
    hass.config.allowlist_external_dirs = {str(tmp_path)}
    mock_sipgate_client.fax.send.return_value = "FAX2"
    mock_sipgate_client.fax.get_status.return_value = FaxStatus.PENDING
    await call(
        hass, "send_fax", {"recipient": "+4921199999999", "file": str(tmp_path / "a.pdf"), "faxline_id": "f0"}
    )
    freezer.tick(POLL_INTERVAL)
    async_fire_time_changed(hass)
    await hass.async_block_till_done()
    assert mock_sipgate_client.fax.get_status.await_count == 1  # followed while loaded
    await hass.config_entries.async_unload(init_integration_mock_client.entry_id)
    freezer.tick(POLL_INTERVAL * 3)
    async_fire_time_changed(hass)
    await hass.async_block_till_done()
    assert mock_sipgate_client.fax.get_status.await_count == 1


async def test_fax_file_checks(
    hass: HomeAssistant,
    init_integration_mock_client: MockConfigEntry,
    mock_sipgate_client: MagicMock,
    tmp_path: Path,
) -> None:
    """Only allow-listed files, only PDFs, only files that exist."""
    outside = tmp_path / "outside.pdf"
    outside.write_bytes(PDF)
    allowed = tmp_path / "allowed"
    allowed.mkdir()
    (allowed / "note.txt").write_bytes(b"hello")
    hass.config.allowlist_external_dirs = {str(allowed)}
    before = len(mock_sipgate_client.mock_calls)
    for path, key in ((outside, "file_not_allowed"), (allowed / "missing.pdf", "file_not_found")):
        with pytest.raises(ServiceValidationError) as caught:
            await call(
                hass, "send_fax", {"recipient": "+4921199999999", "file": str(path), "faxline_id": "f0"}
            )
        assert caught.value.translation_key == key
    assert mock_sipgate_client.mock_calls[before:] == []

    # Whether a file is a PDF the client checks before sending (tests/api, test_send_fax_validation).
    mock_sipgate_client.fax.send.side_effect = SipgateNotPdfError(
        "file: the file is not a PDF document", field="file"
    )
    with pytest.raises(ServiceValidationError) as caught:
        await call(
            hass,
            "send_fax",
            {"recipient": "+4921199999999", "file": str(allowed / "note.txt"), "faxline_id": "f0"},
        )
    assert caught.value.translation_key == "not_a_pdf"
    mock_sipgate_client.fax.send.assert_awaited_once_with(
        faxline_id="f0", recipient="+4921199999999", pdf=b"hello", filename="note.txt"
    )


async def test_every_file_input_has_a_size_cap(
    hass: HomeAssistant,
    init_integration_mock_client: MockConfigEntry,
    mock_sipgate_client: MagicMock,
    tmp_path: Path,
) -> None:
    """A fax over 30 MiB and a contact file over 10 MiB are refused before anything is sent."""

    def sparse(name: str, size: int) -> Path:
        path = tmp_path / name
        with path.open("wb") as file:
            file.truncate(size)
        return path

    fax = await hass.async_add_executor_job(sparse, "big.pdf", 30 * 1024 * 1024 + 1)
    contacts = await hass.async_add_executor_job(sparse, "big.csv", 10 * 1024 * 1024 + 1)
    hass.config.allowlist_external_dirs = {str(tmp_path)}
    before = len(mock_sipgate_client.mock_calls)
    for action, data, limit in (
        ("send_fax", {"recipient": "+4921199999999", "file": str(fax), "faxline_id": "f0"}, "30"),
        ("import_contacts", {"format": "csv", "file": str(contacts)}, "10"),
    ):
        with pytest.raises(ServiceValidationError) as caught:
            await call(hass, action, data)
        assert caught.value.translation_key == "file_too_large"
        assert caught.value.translation_placeholders["limit_mb"] == limit
    assert mock_sipgate_client.mock_calls[before:] == []


async def test_fax_status(
    hass: HomeAssistant, init_integration_mock_client: MockConfigEntry, mock_sipgate_client: MagicMock
) -> None:
    """The status of a fax, and a translated error for an unknown session."""
    mock_sipgate_client.fax.get_status.side_effect = [FaxStatus.SENT, SipgateNotFoundError(404)]
    assert await call(hass, "get_fax_status", {"session_id": "123123"}, response=True) == {
        "session_id": "123123",
        "status": "SENT",
        "final": True,
    }
    with pytest.raises(ServiceValidationError) as caught:
        await call(hass, "get_fax_status", {"session_id": "999"}, response=True)
    assert caught.value.translation_key == "unknown_session"
    assert caught.value.translation_placeholders == {"session_id": "999"}
    assert mock_sipgate_client.fax.get_status.await_args_list == [mock_call("123123"), mock_call("999")]


async def test_initiate_call(
    hass: HomeAssistant, init_integration_mock_client: MockConfigEntry, mock_sipgate_client: MagicMock
) -> None:
    """Click-to-dial returns the session id; the client's refusal (a number as From needs a device) names the field.

    Which combinations the client refuses, and the request it sends, are tested
    in tests/api (test_call_combinations_match_the_node_table).
    """
    mock_sipgate_client.calls.initiate.return_value = "CALL77"
    result = await call(
        hass,
        "initiate_call",
        {"to": "0211 12345678", "from": "e0", "caller_id": "+4921112345670"},
        response=True,
    )
    assert result == {"session_id": "CALL77"}
    mock_sipgate_client.calls.initiate.assert_awaited_once_with(
        to="0211 12345678", caller="e0", device_id=None, caller_id="+4921112345670"
    )
    mock_sipgate_client.calls.initiate.side_effect = SipgateValidationError(
        "device_id: needed when calling from a phone number", field="device_id"
    )
    with pytest.raises(ServiceValidationError) as caught:
        await call(hass, "initiate_call", {"to": "0211 12345678", "from": "+4921112345671"})
    assert caught.value.translation_key == "invalid_input"
    assert caught.value.translation_placeholders["field"] == "device_id"
    assert mock_sipgate_client.calls.initiate.await_args == mock_call(
        to="0211 12345678", caller="+4921112345671", device_id=None, caller_id=None
    )


async def test_history_actions(
    hass: HomeAssistant, init_integration_mock_client: MockConfigEntry, mock_sipgate_client: MagicMock
) -> None:
    """Read with filters, update, delete and export the history.

    How the client sends filters and changes is tested in tests/api
    (test_history_with_every_filter, test_history_national_number_and_local_time,
    test_history_batch_update, test_history_delete, test_history_export).
    """
    history = mock_sipgate_client.history
    history.fetch.reset_mock()  # the history coordinator's read at set-up
    history.export_csv.return_value = "id,created\n100001234,2026-11-26T08:15:02Z\n"
    await hass.config.async_set_time_zone("Europe/Berlin")

    result = await call(
        hass,
        "get_history",
        {
            "types": ["call"],  # the selector's keys; sipgate gets CALL
            "directions": ["missed_incoming"],
            "archived": False,
            "starred": True,
            "limit": 20,
            "from": "2026-11-01 00:00:00",
            "phonenumber": "0157 99912345",
            "connection_ids": ["p0"],
        },
        response=True,
    )
    history.fetch.assert_awaited_once_with(
        HistoryFilter(
            types=["CALL"],
            directions=["MISSED_INCOMING"],
            connection_ids=["p0"],
            archived=False,
            starred=True,
            start=datetime(2026, 11, 1, tzinfo=ZoneInfo("Europe/Berlin")),
            phonenumber="0157 99912345",
        ),
        limit=20,
        offset=0,
    )
    assert history.fetch.await_args.args[0].start.tzinfo == ZoneInfo("Europe/Berlin")
    assert result["total_count"] == 9  # tests/fixtures/history.json
    assert result["entries"][0] | {} == {
        "id": "100001234",
        "type": "CALL",
        "direction": "MISSED_INCOMING",
        "source": "+4915799912345",
        "target": "+4921112345671",
        "source_alias": "Max Kunde",
        "target_alias": "Anna Muster",
        "created": "2026-11-26T08:15:02+00:00",
        "status": "NOPICKUP",
        "read": False,
        "archived": False,
        "starred": False,
        "note": None,
        "duration": 0,
        "call_status": "MISSED",
        "sms_content": None,
        "fax_status": None,
        "recording_urls": [],
        "transcription": None,
    }
    await call(hass, "update_history", {"entry_ids": ["100001234", "100001235"], "read": True})
    await call(hass, "update_history", {"entry_ids": "100001234", "note": "zurückgerufen"})
    assert history.update_many.await_args_list == [
        mock_call([HistoryChange("100001234", read=True), HistoryChange("100001235", read=True)]),
        mock_call([HistoryChange("100001234", note="zurückgerufen")]),
    ]
    await call(hass, "delete_history", {"entry_ids": ["1", "2"]})
    history.delete_many.assert_awaited_once_with(["1", "2"])
    # sipgate's own uppercase values still work (automations written before 0.2.0)
    export = await call(hass, "export_history", {"types": ["CALL"]}, response=True)
    assert export == {"csv": "id,created\n100001234,2026-11-26T08:15:02Z\n"}
    history.export_csv.assert_awaited_once_with(HistoryFilter(types=["CALL"]), limit=None, offset=None)

    with pytest.raises(ServiceValidationError) as caught:
        await call(hass, "update_history", {"entry_ids": ["1"]})
    assert caught.value.translation_key == "nothing_to_change"
    assert history.update_many.await_count == 2


@pytest.mark.usefixtures("init_integration_mock_client")
@pytest.mark.parametrize(
    ("action", "data"),
    [
        ("get_history", {"types": ["calls"]}),
        ("get_history", {"directions": ["missed"]}),
        ("get_history", {"types": [1]}),
        ("get_contacts", {"scope": "public"}),
        ("create_contact", {"firstname": "Ada", "scope": "internal"}),  # not writable
    ],
)
async def test_choice_fields_refuse_unknown_values(
    hass: HomeAssistant, action: str, data: dict[str, Any]
) -> None:
    """Only the selector's keys (or sipgate's uppercase values) pass."""
    with pytest.raises(vol.Invalid, match="expected one of"):
        await call(hass, action, data, response=action.startswith("get"))


@pytest.mark.usefixtures("init_integration")
async def test_contact_actions(hass: HomeAssistant, sipgate_api: AiohttpClientMocker, tmp_path: Path) -> None:
    """Read, create, change, delete, import and export contacts."""
    contacts = load_json("contacts.json")
    first = contacts["items"][0]
    sipgate_api.post(api_url("contacts"), status=204)
    sipgate_api.put(api_url(f"contacts/{first['id']}"), status=204)
    sipgate_api.delete(api_url(f"contacts/{first['id']}"), status=204)
    sipgate_api.delete(api_url("contacts"), status=204)
    sipgate_api.post(api_url("contacts/import/csv"), status=204)
    before = sipgate_api.call_count

    result = await call(hass, "get_contacts", {"scope": "shared"}, response=True)
    # Only the shared ones (and both of them): an empty answer must not pass.
    assert [c["scope"] for c in result["contacts"]] == ["SHARED", "SHARED"]
    await call(
        hass,
        "create_contact",
        {
            "firstname": "Jürgen",
            "lastname": "Beispiel",
            "number": "0176 1234567",
            "organization": "Muster GmbH",
        },
    )
    await call(hass, "update_contact", {"contact_id": first["id"], "numbers": ["+4921112345678"]})
    await call(hass, "delete_contact", {"contact_id": first["id"]})
    with pytest.raises(ServiceValidationError) as caught:
        await call(hass, "delete_all_contacts", {"scope": "private", "confirm": False})
    assert caught.value.translation_key == "confirm_required"
    await call(hass, "delete_all_contacts", {"scope": "PRIVATE", "confirm": True})
    imported = await call(
        hass,
        "import_contacts",
        {"format": "csv", "content": "firstname,lastname,number\nAda,Lovelace,+4921163553355\n"},
        response=True,
    )
    assert imported == {"imported": 1, "skipped_lines": []}
    exported = await call(hass, "export_contacts", {"format": "vcard", "scope": "ALL"}, response=True)
    assert exported["content"].startswith("BEGIN:VCARD")

    writes = [r for r in _new(sipgate_api, before) if r[0] != "GET"]
    assert [(m, p) for m, p, _, _ in writes] == [
        ("POST", "/contacts"),
        ("PUT", f"/contacts/{first['id']}"),
        ("DELETE", f"/contacts/{first['id']}"),
        ("DELETE", "/contacts"),
        ("POST", "/contacts/import/csv"),
    ]
    assert writes[0][3]["numbers"] == [{"number": "+491761234567", "type": []}]
    assert_valid_against_spec(sipgate_api)

    with pytest.raises(ServiceValidationError) as caught:
        await call(hass, "update_contact", {"contact_id": "nope", "name": "x"})
    assert caught.value.translation_key == "unknown_contact"
    with pytest.raises(ServiceValidationError) as caught:
        await call(hass, "import_contacts", {"format": "csv"})
    assert caught.value.translation_key == "content_or_file"
    hass.config.allowlist_external_dirs = set()
    with pytest.raises(ServiceValidationError) as caught:
        await call(hass, "import_contacts", {"format": "csv", "file": str(tmp_path / "c.csv")})
    assert caught.value.translation_key == "file_not_allowed"


@pytest.mark.usefixtures("init_integration")
@pytest.mark.parametrize(
    ("choice", "character"),
    [("comma", ","), ("semicolon", ";"), ("tab", "\t"), (",", ","), (";", ";"), ("\t", "\t")],
)
async def test_csv_delimiter_choices(
    hass: HomeAssistant, sipgate_api: AiohttpClientMocker, choice: str, character: str
) -> None:
    """The selector's translated choices, and the characters automations used before them."""
    sipgate_api.post(api_url("contacts/import/csv"), status=204)
    text = character.join(["firstname", "lastname", "number"]) + "\n"
    text += character.join(["Ada", "Lovelace", "+4921163553355"]) + "\n"
    imported = await call(
        hass, "import_contacts", {"format": "csv", "content": text, "delimiter": choice}, response=True
    )
    assert imported == {"imported": 1, "skipped_lines": []}
    exported = await call(hass, "export_contacts", {"format": "csv", "delimiter": choice}, response=True)
    assert exported["content"].splitlines()[0] == character.join(
        f'"{column}"' for column in ("id", "name", "emails", "numbers", "addresses", "organizations")
    )


@pytest.mark.usefixtures("init_integration")
async def test_csv_delimiter_defaults_to_a_comma_and_refuses_others(
    hass: HomeAssistant, sipgate_api: AiohttpClientMocker
) -> None:
    """Without a choice the export separates with commas; a pipe is no choice."""
    exported = await call(hass, "export_contacts", {}, response=True)
    assert exported["content"].startswith('"id","name",')
    with pytest.raises(vol.Invalid, match="expected one of comma, semicolon, tab"):
        await call(hass, "export_contacts", {"delimiter": "|"}, response=True)


@pytest.mark.usefixtures("init_integration")
async def test_contact_imports_are_read_off_the_event_loop(
    hass: HomeAssistant, sipgate_api: AiohttpClientMocker
) -> None:
    """A CSV or vCard import (up to 10 MiB) is read in the executor; only the request goes out on the loop."""
    sipgate_api.post(api_url("contacts/import/csv"), status=204)
    sipgate_api.post(api_url("contacts"), status=201)
    threads: dict[str, str] = {}

    def spy(name: str, original: Any) -> Any:
        def read(*args: Any, **kwargs: Any) -> Any:
            threads[name] = threading.current_thread().name
            return original(*args, **kwargs)

        return read

    with (
        patch.object(contact_actions, "prepare_csv_import", spy("csv", contact_actions.prepare_csv_import)),
        patch.object(
            contact_actions, "prepare_vcard_import", spy("vcard", contact_actions.prepare_vcard_import)
        ),
    ):
        rows = "".join(f"Ada{n},Lovelace,+49211635533{n:02d}\n" for n in range(50))
        imported = await call(
            hass,
            "import_contacts",
            {"format": "csv", "content": f"firstname,lastname,number\n{rows}"},
            response=True,
        )
        await call(
            hass,
            "import_contacts",
            {
                "format": "vcard",
                "scope": "PRIVATE",
                "content": "BEGIN:VCARD\nVERSION:4.0\nN:Lovelace;Ada;;;\nTEL:+4921163553355\nEND:VCARD\n",
            },
            response=True,
        )

    assert imported == {"imported": 50, "skipped_lines": []}
    assert set(threads) == {"csv", "vcard"}
    assert threading.main_thread().name not in threads.values()


@pytest.mark.usefixtures("init_integration")
async def test_numbers_and_webhook_settings(
    hass: HomeAssistant, sipgate_settings: AiohttpClientMocker
) -> None:
    """Numbers and webhook settings are returned; changes are read-modify-write."""
    sipgate_settings.get(api_url("numbers"), json=load_json("numbers.json"))
    numbers = await call(hass, "get_numbers", {}, response=True)
    assert [n["number"] for n in numbers["numbers"]] == ["+4921112345670", "+4921112345671", "+4915799900000"]
    assert await call(hass, "get_webhook_settings", {}, response=True) == {
        "incoming_url": "https://old.example/in",
        "outgoing_url": "",
        "log": False,
        "whitelist": None,
    }
    stored = await call(
        hass,
        "set_webhook_settings",
        {"outgoing_url": "https://ha.example.com/hook", "whitelist": ["p0", "g1"]},
        response=True,
    )
    assert stored == {
        "incoming_url": "https://old.example/in",
        "outgoing_url": "https://ha.example.com/hook",
        "log": False,
        "whitelist": ["p0", "g1"],
    }
    await call(hass, "set_webhook_settings", {"whitelist_enabled": False, "incoming_url": ""})
    # sipgate still holds the old settings in this stand-in, so only the changed fields differ.
    assert sent_requests(sipgate_settings)[-1][3] == {
        "incomingUrl": "",
        "outgoingUrl": "",
        "log": False,
        "whitelist": None,
    }
    assert_valid_against_spec(sipgate_settings)


async def test_two_accounts_need_config_entry_id(
    hass: HomeAssistant, init_integration: MockConfigEntry, sipgate_api: AiohttpClientMocker
) -> None:
    """With two accounts an action must name one; the named account's token is used."""
    from custom_components.sipgate.const import CONF_TOKEN_ID, CONF_WEBHOOK_ID, DEFAULT_OPTIONS
    from homeassistant.const import CONF_TOKEN

    second = MockConfigEntry(
        domain=DOMAIN,
        title="sipgate Zweit",
        unique_id="7654321",
        data={CONF_TOKEN_ID: "token-ZWEIT1", CONF_TOKEN: "second-secret", CONF_WEBHOOK_ID: "b" * 64},
        options=dict(DEFAULT_OPTIONS),
    )
    second.add_to_hass(hass)
    await hass.config_entries.async_setup(second.entry_id)
    await hass.async_block_till_done()
    sipgate_api.post(api_url("sessions/sms"), status=204)

    with pytest.raises(ServiceValidationError) as caught:
        await call(hass, "send_sms", {"recipient": "+4915799912345", "message": "x", "sms_id": "s0"})
    assert caught.value.translation_key == "config_entry_id_required"

    await call(
        hass,
        "send_sms",
        {"config_entry_id": second.entry_id, "recipient": "+4915799912345", "message": "x", "sms_id": "s0"},
    )
    import base64

    _, _, _, headers = sipgate_api.mock_calls[-1]
    assert (
        base64.b64decode(headers["Authorization"].removeprefix("Basic ")).decode()
        == "token-ZWEIT1:second-secret"
    )
