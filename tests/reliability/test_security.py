"""Security checks (README "Reliability suite", "Security"): files, audio URLs, XML escaping, secrets in logs and diagnostics.

Why one module of this size: each security rule of README "Security" with its attack, on one set-up.
"""

import asyncio
import base64
import json
import logging
from pathlib import Path
from typing import Any
from unittest.mock import patch
from urllib.parse import quote
import xml.etree.ElementTree as ET

import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.components.diagnostics import get_diagnostics_for_config_entry
from pytest_homeassistant_custom_component.test_util.aiohttp import AiohttpClientMocker
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.sipgate.compat import vol
from custom_components.sipgate.const import DOMAIN
from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.setup import async_setup_component

from ..conftest import TOKEN, TOKEN_ID, WEBHOOK_ID, WebhookCaller, api_url, load_json, mock_account_endpoints

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
CSV = "firstname,lastname,number\nErika,Mustermann,+4921112345678\n"
NEW_CALL = "event=newCall&from=4915799912345&to=4921112345671&direction=in&callId={call_id}"


def xml(text: str | bytes) -> ET.Element:
    """Parse a reply the integration built (trusted: it is what is under test)."""
    return ET.fromstring(text)  # noqa: S314


async def call(hass: HomeAssistant, action: str, data: dict[str, Any], *, response: bool = False) -> Any:
    """Run a sipgate action."""
    return await hass.services.async_call(DOMAIN, action, data, blocking=True, return_response=response)


# --- files --------------------------------------------------------------------------------------


@pytest.fixture
def files(hass: HomeAssistant, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Path]:
    """An allow-listed folder with a PDF and a CSV; secrets outside it, reachable by links."""
    allowed = tmp_path / "allowed"
    allowed.mkdir()
    (allowed / "good.pdf").write_bytes(PDF)
    (allowed / "good.csv").write_text(CSV)
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.pdf").write_bytes(PDF)
    (outside / "secret.csv").write_text(CSV)
    (allowed / "link.pdf").symlink_to(outside / "secret.pdf")
    (allowed / "link.csv").symlink_to(outside / "secret.csv")
    (allowed / "linkdir").symlink_to(outside, target_is_directory=True)
    hass.config.allowlist_external_dirs = {str(allowed)}
    monkeypatch.chdir(allowed)  # relative paths are read from here: "../outside/…" climbs out
    return {"allowed": allowed, "outside": outside}


def escapes(files: dict[str, Path], name: str) -> list[str]:
    """Paths that reach ``outside/name`` (or system files) from the allowed folder's point of view."""
    allowed, outside = files["allowed"], files["outside"]
    return [
        f"../outside/{name}",
        f"../../{outside.parent.name}/outside/{name}",
        str(outside / name),
        f"{allowed}/../outside/{name}",
        f"{allowed}/./../outside/{name}",
        f"{allowed}/link.{name.split('.')[1]}",
        f"{allowed}/linkdir/{name}",
        f"linkdir/{name}",
        "../../../../../../etc/passwd",
        "/etc/passwd",
        "/etc/shadow",
        "/proc/self/environ",
        "~/.ssh/id_rsa",
        f"file://{outside / name}",
        f"{allowed}\x00/../outside/{name}",
        f"/etc\x00/{name}",
    ]


class ReadSpy:
    """Records every file the integration reads."""

    def __init__(self) -> None:
        """Start with nothing read."""
        self.read: list[Path] = []

    def __enter__(self) -> ReadSpy:
        """Wrap Path.read_bytes and Path.read_text."""
        spy = self
        read_bytes, read_text = Path.read_bytes, Path.read_text

        def spy_bytes(path: Path) -> bytes:
            spy.read.append(path.resolve())
            return read_bytes(path)

        def spy_text(path: Path, *args: Any, **kwargs: Any) -> str:
            spy.read.append(path.resolve())
            return read_text(path, *args, **kwargs)

        self._patches = [
            patch.object(Path, "read_bytes", spy_bytes),
            patch.object(Path, "read_text", spy_text),
        ]
        for p in self._patches:
            p.start()
        return self

    def __exit__(self, *exc: object) -> None:
        """Unwrap."""
        for p in self._patches:
            p.stop()


@pytest.mark.usefixtures("init_integration")
async def test_send_fax_reads_only_allowed_files(
    hass: HomeAssistant, sipgate_api: AiohttpClientMocker, files: dict[str, Path]
) -> None:
    """../, absolute paths, symlinks out of the folder, NUL bytes: refused before anything is read or sent."""
    sipgate_api.post(api_url("sessions/fax"), json={"sessionId": "FAX1"})
    before = sipgate_api.call_count
    with ReadSpy() as spy:
        for path in escapes(files, "secret.pdf"):
            with pytest.raises(ServiceValidationError) as caught:
                await call(
                    hass, "send_fax", {"recipient": "+4921199999999", "file": path, "faxline_id": "f0"}
                )
            assert caught.value.translation_key in ("file_not_allowed", "file_not_found"), (
                path,
                caught.value,
            )
            if "\x00" not in path and not path.startswith(("~", "file:")):
                assert caught.value.translation_key == "file_not_allowed", path
    assert spy.read == []
    assert sipgate_api.call_count == before

    # The allowed file itself goes out.
    with ReadSpy() as spy:
        result = await call(
            hass,
            "send_fax",
            {"recipient": "+4921199999999", "file": "good.pdf", "faxline_id": "f0"},
            response=True,
        )
    assert result == {"session_id": "FAX1"}
    assert spy.read == [files["allowed"] / "good.pdf"]
    await hass.config_entries.async_unload(hass.config_entries.async_entries(DOMAIN)[0].entry_id)


@pytest.mark.usefixtures("init_integration")
async def test_import_contacts_reads_only_allowed_files(
    hass: HomeAssistant, sipgate_api: AiohttpClientMocker, files: dict[str, Path]
) -> None:
    """The same for contact imports."""
    sipgate_api.post(api_url("contacts/import/csv"), status=204)
    before = sipgate_api.call_count
    with ReadSpy() as spy:
        for path in escapes(files, "secret.csv"):
            with pytest.raises(ServiceValidationError) as caught:
                await call(hass, "import_contacts", {"format": "csv", "file": path})
            assert caught.value.translation_key in ("file_not_allowed", "file_not_found"), (
                path,
                caught.value,
            )
            if "\x00" not in path and not path.startswith(("~", "file:")):
                assert caught.value.translation_key == "file_not_allowed", path
    assert spy.read == []
    assert sipgate_api.call_count == before

    with ReadSpy() as spy:
        await call(hass, "import_contacts", {"format": "csv", "file": str(files["allowed"] / "good.csv")})
    assert spy.read == [files["allowed"] / "good.csv"]


# --- audio URLs ---------------------------------------------------------------------------------

NOT_HTTP = [
    "file:///etc/passwd",
    "file://localhost/config/secrets.yaml",
    "ftp://example.com/hello.wav",
    "javascript:alert(1)",
    "data:audio/wav;base64,UklGRg==",
    "//example.com/hello.wav",
    "/local/hello.wav",
    "hello.wav",
    "gopher://example.com/1",
    "smb://nas/share/hello.wav",
    "http://",
    "https:///hello.wav",
    "",
]


@pytest.mark.parametrize("field", ["url", "announcement_url"])
async def test_audio_urls_must_be_http(
    hass: HomeAssistant, webhook_integration: MockConfigEntry, aioclient_mock: AiohttpClientMocker, field: str
) -> None:
    """play_announcement and gather_dtmf take only absolute http(s) URLs; nothing is sent otherwise."""
    action = "play_announcement" if field == "url" else "gather_dtmf"
    aioclient_mock.post(api_url("calls/EST1/announcements"), status=204)
    before = aioclient_mock.call_count
    for url in NOT_HTTP:
        with pytest.raises((vol.Invalid, ServiceValidationError)):
            await call(hass, action, {"call_id": "EST1", field: url})
    assert aioclient_mock.call_count == before


async def test_a_ringing_call_is_never_told_to_play_a_local_file(
    hass: HomeAssistant, push: WebhookCaller
) -> None:
    """An automation asking a ringing call to play file:// (etc.) fails in its trace; the call gets the default reply."""
    assert await async_setup_component(
        hass,
        "automation",
        {
            "automation": [
                {
                    "alias": "play",
                    "mode": "parallel",
                    "triggers": [{"trigger": "event", "event_type": "sipgate_new_call"}],
                    "actions": [
                        {
                            "action": "sipgate.gather_dtmf"
                            if field == "announcement_url"
                            else "sipgate.play_announcement",
                            "data": {field: "{{ trigger.event.data.xcid }}"},
                            "continue_on_error": True,
                        }
                        for field in ("url", "announcement_url")
                    ],
                }
            ]
        },
    )
    for n, url in enumerate(NOT_HTTP[:-1]):
        status, _, text = await push.post(NEW_CALL.format(call_id=f"F{n}") + "&xcid=" + quote(url, safe=""))
        assert status == 200
        assert list(xml(text)) == [], (url, text)


# --- XML escaping -------------------------------------------------------------------------------

NASTY_URL = "https://example.com/a.wav?x=\"><Hangup/><Play/a='1'&y=<z>&amp;#x27;]]>"


async def answer_with(hass: HomeAssistant, *actions: dict[str, Any]) -> None:
    """One automation that answers ringing calls with ``actions``."""
    assert await async_setup_component(
        hass,
        "automation",
        {
            "automation": [
                {
                    "alias": "answer",
                    "mode": "parallel",
                    "triggers": [{"trigger": "event", "event_type": "sipgate_new_call"}],
                    "actions": list(actions),
                }
            ]
        },
    )


async def test_urls_in_replies_are_escaped(hass: HomeAssistant, push: WebhookCaller) -> None:
    """Quotes, angle brackets and ampersands in an announcement URL stay text: one Play, the exact URL."""
    await answer_with(
        hass,
        {
            "choose": [
                {
                    "conditions": [
                        {
                            "condition": "template",
                            "value_template": "{{ trigger.event.data.call_id == 'P1' }}",
                        }
                    ],
                    "sequence": [{"action": "sipgate.play_announcement", "data": {"url": NASTY_URL}}],
                }
            ],
            "default": [
                {"action": "sipgate.gather_dtmf", "data": {"announcement_url": NASTY_URL, "max_digits": 3}}
            ],
        },
    )
    status, _, text = await push.post(NEW_CALL.format(call_id="P1"))
    root = xml(text)
    [play] = list(root)
    assert (status, play.tag, [(c.tag, c.text) for c in play]) == (200, "Play", [("Url", NASTY_URL)])
    assert "<Hangup" not in text.replace("&lt;Hangup", "")

    status, _, text = await push.post(NEW_CALL.format(call_id="G1"))
    [gather] = list(xml(text))
    assert gather.tag == "Gather"
    assert gather.get("maxDigits") == "3"
    [inner] = list(gather)
    assert [(c.tag, c.text) for c in inner] == [("Url", NASTY_URL)]


@pytest.mark.parametrize(
    "caller_id",
    ['+49211" anonymous="true', "+49<Hangup/>", "4921112345670'/><Reject/>", "+49&amp;211", "+49\n211"],
)
async def test_caller_id_with_markup_is_refused(
    hass: HomeAssistant, push: WebhookCaller, caplog: pytest.LogCaptureFixture, caller_id: str
) -> None:
    """A caller ID with quotes or markup is not a number: the redirect fails, the reply stays clean."""
    errors: list[BaseException] = []

    async def redirect(call_id: str) -> None:
        try:
            await call(
                hass,
                "redirect_call",
                {"call_id": call_id, "numbers": ["+4915799912345"], "caller_id": caller_id},
            )
        except (ServiceValidationError, vol.Invalid) as err:
            errors.append(err)

    await answer_with(hass, {"delay": {"milliseconds": 200}})
    reply = asyncio.create_task(push.post(NEW_CALL.format(call_id="X1")))
    await asyncio.sleep(0.05)
    await redirect("X1")
    status, _, text = await reply
    assert status == 200
    assert list(xml(text)) == []
    assert len(errors) == 1
    if isinstance(errors[0], ServiceValidationError):
        assert errors[0].translation_key in ("invalid_phone_number", "phone_number_characters")


async def test_numbers_with_markup_in_pushes_do_not_reach_the_reply(
    hass: HomeAssistant, push: WebhookCaller
) -> None:
    """Whatever a push carries (quotes, tags) ends up in event data only; the reply is built from the answer."""
    await answer_with(hass, {"action": "sipgate.reject_call"})
    body = "event=newCall&from=%22%3E%3CHangup%2F%3E&to=%3C%2FResponse%3E&direction=in&callId=%22%3E%3C&user%5B%5D=%3Cb%3E"
    status, _, text = await push.post(body)
    root = xml(text)
    assert status == 200
    assert [c.tag for c in root] == ["Reject"]


# --- secrets ------------------------------------------------------------------------------------

SECRETS = [TOKEN, base64.b64encode(f"{TOKEN_ID}:{TOKEN}".encode()).decode(), TOKEN_ID]


def assert_no_secrets(text: str) -> None:
    """None of the token's parts (nor the Authorization header) appear."""
    for secret in SECRETS:
        assert secret not in text, secret


async def test_tokens_never_in_logs_or_diagnostics(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    aioclient_mock: AiohttpClientMocker,
    external_url: str,
    signer: Any,
    hass_client: ClientSessionGenerator,
    hass_client_no_auth: ClientSessionGenerator,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Setup (failing, then working), polling errors, action errors, pushes and diagnostics at DEBUG level."""
    caplog.set_level(logging.DEBUG)
    logging.getLogger("custom_components.sipgate").setLevel(logging.DEBUG)
    assert await async_setup_component(hass, "diagnostics", {})  # before any test client freezes the router

    # Setup fails: sipgate down, then the token refused.
    mock_config_entry.add_to_hass(hass)
    aioclient_mock.get(api_url("authorization/userinfo"), status=500, text="Internal Server Error")
    await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    assert mock_config_entry.state is ConfigEntryState.SETUP_RETRY
    aioclient_mock.clear_requests()
    aioclient_mock.get(api_url("authorization/userinfo"), json=load_json("userinfo.json"))
    aioclient_mock.get(api_url("account"), json=load_json("account.json"))
    aioclient_mock.get(api_url("balance"), status=401)
    aioclient_mock.get(api_url("settings/sipgateio"), status=401)
    mock_account_endpoints(aioclient_mock, skip=("balance",))
    await hass.config_entries.async_reload(mock_config_entry.entry_id)
    await hass.async_block_till_done()

    # Working setup, then errors while polling and in actions.
    aioclient_mock.clear_requests()
    aioclient_mock.get(api_url("authorization/userinfo"), json=load_json("userinfo.json"))
    aioclient_mock.get(api_url("account"), json=load_json("account.json"))
    aioclient_mock.get(
        api_url("settings/sipgateio"), json={"incomingUrl": "", "outgoingUrl": "", "log": False}
    )
    aioclient_mock.put(api_url("settings/sipgateio"), status=204)
    mock_account_endpoints(aioclient_mock)
    aioclient_mock.get(api_url("calls"), status=403, json={"message": "forbidden"})
    aioclient_mock.post(api_url("sessions/sms"), status=401)
    aioclient_mock.delete(api_url("calls/C1"), exc=TimeoutError())
    for entry in hass.config_entries.flow.async_progress():
        hass.config_entries.flow.async_abort(entry["flow_id"])
    await hass.config_entries.async_reload(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    assert mock_config_entry.state is ConfigEntryState.LOADED
    await mock_config_entry.runtime_data.coordinators.history.async_refresh()
    raised: list[str] = []
    for action, data in (
        ("get_calls", {}),
        ("send_sms", {"recipient": "+4915799912345", "message": "x", "sms_id": "s0"}),
        ("hang_up", {"call_id": "C1"}),
    ):
        with pytest.raises(HomeAssistantError) as caught:
            await call(hass, action, data, response=action == "get_calls")
        raised.append(f"{caught.value!r} {caught.value} {caught.value.translation_placeholders}")
    push = WebhookCaller(await hass_client_no_auth(), signer)
    await push.post(NEW_CALL.format(call_id="S1"))
    await push.post(NEW_CALL.format(call_id="S2"), sign=False)

    diagnostics = await get_diagnostics_for_config_entry(hass, hass_client, mock_config_entry)
    diagnostics_text = json.dumps(diagnostics)
    assert_no_secrets(diagnostics_text)
    assert WEBHOOK_ID not in diagnostics_text
    assert_no_secrets("\n".join(raised))
    assert_no_secrets(caplog.text)
    assert_no_secrets(repr(mock_config_entry.runtime_data))
    # The log saw the requests, errors and pushes (so the check above looked at something).
    for seen in (
        "Finished fetching sipgate account data",
        "Refused a webhook request",
        "Pointed the webhook URLs",
    ):
        assert seen in caplog.text, seen


@pytest.mark.usefixtures("init_integration")
async def test_unreadable_allowed_files_are_explained(
    hass: HomeAssistant, sipgate_api: AiohttpClientMocker, files: dict[str, Path]
) -> None:
    """A folder, a file that is not UTF-8 text, a PDF that is not one: translated errors, nothing sent."""
    allowed = files["allowed"]
    (allowed / "latin1.csv").write_bytes("Jürgen,Müller,+4921112345678\n".encode("latin-1"))
    (allowed / "fake.pdf").write_bytes(b"GIF89a not a pdf")
    before = sipgate_api.call_count
    for action, data in (
        ("import_contacts", {"format": "csv", "file": str(allowed / "latin1.csv")}),
        ("import_contacts", {"format": "vcard", "file": str(allowed / "good.pdf")}),
        ("import_contacts", {"format": "csv", "file": str(allowed)}),
        ("send_fax", {"recipient": "+4921199999999", "file": str(allowed), "faxline_id": "f0"}),
        ("send_fax", {"recipient": "+4921199999999", "file": str(allowed / "fake.pdf"), "faxline_id": "f0"}),
    ):
        with pytest.raises(ServiceValidationError) as caught:
            await call(hass, action, data)
        assert caught.value.translation_key in ("file_not_found", "not_a_pdf", "invalid_input"), (
            action,
            data,
        )
    assert sipgate_api.call_count == before
