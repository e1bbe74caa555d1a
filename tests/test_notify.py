"""SMS recipients: subentries with notify entities driven by notify.send_message."""

import json
from pathlib import Path
from typing import Any

import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.test_util.aiohttp import AiohttpClientMocker
from syrupy.assertion import SnapshotAssertion

from custom_components.sipgate.const import DOMAIN, SUBENTRY_SMS_RECIPIENT
from homeassistant.config_entries import ConfigSubentryDataWithId
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.helpers import entity_registry as er

from .conftest import api_url, assert_valid_against_spec, sent_requests

COMPONENT = Path(__file__).parent.parent / "custom_components" / "sipgate"

MAMA = ConfigSubentryDataWithId(
    data={"name": "Mama", "number": "+4917612345678"},
    subentry_id="SUBENTRYMAMA",
    subentry_type=SUBENTRY_SMS_RECIPIENT,
    title="Mama",
    unique_id="+4917612345678",
)


@pytest.fixture
def mock_config_entry(mock_config_entry: MockConfigEntry) -> MockConfigEntry:
    """The account with one SMS recipient."""
    return MockConfigEntry(
        domain=mock_config_entry.domain,
        title=mock_config_entry.title,
        unique_id=mock_config_entry.unique_id,
        data=dict(mock_config_entry.data),
        options=dict(mock_config_entry.options),
        subentries_data=[MAMA],
    )


async def test_notify_entity_sends_sms(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    sipgate_api: AiohttpClientMocker,
    entity_registry: er.EntityRegistry,
    snapshot: SnapshotAssertion,
) -> None:
    """notify.send_message sends an SMS to the subentry's number, the title on its own line first."""
    entity_id = entity_registry.async_get_entity_id("notify", DOMAIN, "1234567_sms_SUBENTRYMAMA")
    assert entity_id is not None, (
        init_integration.state,
        [e.unique_id for e in entity_registry.entities.values()],
    )
    assert entity_registry.async_get(entity_id) == snapshot(name="registry")
    sipgate_api.get(api_url("w0/sms"), json={"items": [{"id": "s0"}]})
    sipgate_api.post(api_url("sessions/sms"), status=204)

    await hass.services.async_call(
        "notify",
        "send_message",
        {"entity_id": entity_id, "title": "Haustür", "message": "Es hat geklingelt."},
        blocking=True,
    )

    assert sent_requests(sipgate_api)[-1] == (
        "POST",
        "/sessions/sms",
        [],
        {"smsId": "s0", "message": "Haustür\nEs hat geklingelt.", "recipient": "+4917612345678"},
    )
    assert hass.states.get(entity_id).state != "unknown"
    assert_valid_against_spec(sipgate_api)


async def test_adding_and_removing_recipients(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    entity_registry: er.EntityRegistry,
    sipgate_api: AiohttpClientMocker,
) -> None:
    """A recipient added through its flow gets a notify entity at once; removing it removes the entity."""
    sipgate_api.get(api_url("w0/sms"), status=403, json={})  # no sms:read: the sender is typed in
    result = await hass.config_entries.subentries.async_init(
        (init_integration.entry_id, SUBENTRY_SMS_RECIPIENT), context={"source": "user"}
    )
    assert result["type"] is FlowResultType.FORM
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], {"name": "Büro", "number": "abc"}
    )
    assert result["errors"] == {"number": "number_characters"}
    for number, error in (
        ("12", "invalid_number"),
        ("0211", "invalid_number"),
        ("4915791234567", "number_needs_plus"),
        ("+49 211 <&>", "number_characters"),
        ("e14", "number_is_extension"),
        ("s0", "number_is_extension"),
    ):
        result = await hass.config_entries.subentries.async_configure(
            result["flow_id"], {"name": "Büro", "number": number}
        )
        assert result["errors"] == {"number": error}, number
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], {"name": "Büro", "number": "0211 12345670", "sms_id": "sX"}
    )
    assert result["errors"] == {"sms_id": "invalid_sms_id"}
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], {"name": "Büro", "number": "0211 12345670", "sms_id": "s1"}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()
    office = next(sub for sub in init_integration.subentries.values() if sub.title == "Büro")
    assert dict(office.data) == {"name": "Büro", "number": "+4921112345670", "sms_id": "s1"}
    unique_id = f"1234567_sms_{office.subentry_id}"
    entity_id = entity_registry.async_get_entity_id("notify", DOMAIN, unique_id)
    assert entity_id is not None
    assert hass.states.get(entity_id) is not None

    # The same number again is refused.
    result = await hass.config_entries.subentries.async_init(
        (init_integration.entry_id, SUBENTRY_SMS_RECIPIENT), context={"source": "user"}
    )
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], {"name": "Again", "number": "+4921112345670"}
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"

    hass.config_entries.async_remove_subentry(init_integration, office.subentry_id)
    await hass.async_block_till_done()
    assert entity_registry.async_get_entity_id("notify", DOMAIN, unique_id) is None
    assert hass.states.get(entity_id) is None


async def test_reconfiguring_a_recipient(
    hass: HomeAssistant, init_integration: MockConfigEntry, sipgate_api: AiohttpClientMocker
) -> None:
    """A changed number is used by the existing notify entity."""
    sipgate_api.get(api_url("w0/sms"), json={"items": [{"id": "s0"}]})
    subentry_id = next(iter(init_integration.subentries))
    result = await init_integration.start_subentry_reconfigure_flow(hass, subentry_id)
    assert result["step_id"] == "reconfigure"
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], {"name": "Mama mobil", "number": "+4915111111111"}
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reconfigure_successful"
    sipgate_api.get(api_url("w0/sms"), json={"items": [{"id": "s0"}]})
    sipgate_api.post(api_url("sessions/sms"), status=204)
    await hass.services.async_call(
        "notify", "send_message", {"entity_id": "notify.mama", "message": "Hallo"}, blocking=True
    )
    assert sent_requests(sipgate_api)[-1][3]["recipient"] == "+4915111111111"


async def test_recipient_form_offers_the_accounts_sms_extensions(
    hass: HomeAssistant, init_integration: MockConfigEntry, sipgate_api: AiohttpClientMocker
) -> None:
    """The sender is a choice of the token owner's SMS extensions, named by alias and id."""
    sipgate_api.get(
        api_url("w0/sms"),
        json={"items": [{"id": "s0", "alias": "SMS Anna", "callerId": "+4921112345671"}, {"id": "s3"}]},
    )
    result = await hass.config_entries.subentries.async_init(
        (init_integration.entry_id, SUBENTRY_SMS_RECIPIENT), context={"source": "user"}
    )
    assert _sender_selector(result) == {
        "select": {
            "options": [{"value": "s0", "label": "SMS Anna (s0)"}, {"value": "s3", "label": "s3"}],
            "mode": "dropdown",
            "multiple": False,
            "custom_value": False,
            "sort": False,
        }
    }
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], {"name": "Büro", "number": "0211 12345670", "sms_id": "s3"}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["data"] == {"name": "Büro", "number": "+4921112345670", "sms_id": "s3"}
    assert [r for r in sent_requests(sipgate_api) if r[1] == "/w0/sms"] == [("GET", "/w0/sms", [], None)]
    assert_valid_against_spec(sipgate_api)


async def test_reconfigure_keeps_a_sender_sipgate_no_longer_lists(
    hass: HomeAssistant, init_integration: MockConfigEntry, sipgate_api: AiohttpClientMocker
) -> None:
    """A recipient's sender that is gone from sipgate's list stays choosable; the step ends with its own text."""
    subentry_id = next(iter(init_integration.subentries))
    hass.config_entries.async_update_subentry(
        init_integration, init_integration.subentries[subentry_id], data={**MAMA["data"], "sms_id": "s7"}
    )
    sipgate_api.get(api_url("w0/sms"), json={"items": [{"id": "s0", "alias": "SMS Anna"}]})
    result = await init_integration.start_subentry_reconfigure_flow(hass, subentry_id)
    options = _sender_selector(result)["select"]["options"]
    assert options == [{"value": "s0", "label": "SMS Anna (s0)"}, {"value": "s7", "label": "s7"}]
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], {"name": "Mama", "number": "nummer"}
    )
    assert result["errors"] == {"number": "number_characters"}
    assert _sender_selector(result)["select"]["options"] == options
    assert [request[1] for request in sent_requests(sipgate_api)].count("/w0/sms") == 1  # once per flow
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], {"name": "Mama", "number": "+4917612345678", "sms_id": "s0"}
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reconfigure_successful"
    for language, text in (
        ("en", "The SMS recipient has been changed."),
        ("de", "Der SMS-Empfänger wurde geändert."),
    ):
        translations = json.loads(
            (COMPONENT / "translations" / f"{language}.json").read_text(encoding="utf-8")
        )
        assert translations["config_subentries"]["sms_recipient"]["abort"]["reconfigure_successful"] == text


@pytest.mark.parametrize("status", [403, 500])
async def test_recipient_form_falls_back_to_free_text(
    hass: HomeAssistant, init_integration: MockConfigEntry, sipgate_api: AiohttpClientMocker, status: int
) -> None:
    """Without sms:read (or when sipgate fails) the sender is typed in, and still checked."""
    sipgate_api.get(api_url("w0/sms"), status=status, json={})
    result = await hass.config_entries.subentries.async_init(
        (init_integration.entry_id, SUBENTRY_SMS_RECIPIENT), context={"source": "user"}
    )
    assert _sender_selector(result) == {"text": {"multiline": False, "multiple": False}}
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], {"name": "Büro", "number": "0211 12345670", "sms_id": "nope"}
    )
    assert result["errors"] == {"sms_id": "invalid_sms_id"}


def _sender_selector(result: Any) -> dict[str, Any]:
    """The form's sender field as the frontend gets it."""
    selector = next(value for key, value in result["data_schema"].schema.items() if key == "sms_id")
    return selector.serialize()["selector"]


async def test_recipient_form_of_an_unloaded_account_asks_for_free_text(
    hass: HomeAssistant, mock_config_entry: MockConfigEntry, sipgate_api: AiohttpClientMocker
) -> None:
    """An account that is not set up cannot be asked for its extensions."""
    mock_config_entry.add_to_hass(hass)
    result = await hass.config_entries.subentries.async_init(
        (mock_config_entry.entry_id, SUBENTRY_SMS_RECIPIENT), context={"source": "user"}
    )
    assert _sender_selector(result) == {"text": {"multiline": False, "multiple": False}}
    assert sent_requests(sipgate_api) == []
