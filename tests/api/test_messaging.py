"""SMS, fax and click-to-dial: the exact requests, the Node vectors, the validation."""

import base64
from datetime import UTC, datetime, timedelta

import pytest

from custom_components.sipgate.api import (
    FaxStatus,
    SipgateClient,
    SipgateForbiddenError,
    SipgateNotPdfError,
    SipgateValidationError,
)
from custom_components.sipgate.api.fax import default_fax_filename

from ..conftest import load_json
from .conftest import FakeSipgate, sent

REST = load_json("sipgateio-vectors.json")["rest_requests_executed"]
MATRIX = load_json("sipgateio-vectors.json")["validators_executed"]["call_data_matrix"]["rows"]
PDF = b"%PDF-1.4\n%%EOF\n"


def _vector(name: str, **body: object) -> list[tuple[str, str, object]]:
    """The vector's requests; ``body`` replaces fields of their bodies."""
    return [
        (r["method"], "/" + r["url"].lstrip("/"), {**r["body"], **body} if body else r.get("body"))
        for r in REST[name]["requests"]
    ]


# The Node vectors fax +4912368712, which cannot exist (no German number starts with 0123):
# the strict reading refuses it, so these tests fax a real Düsseldorf number instead.
FAX_RECIPIENT = "+4921112345678"


async def test_send_sms_matches_the_vector(client: SipgateClient, fake_sipgate: FakeSipgate) -> None:
    """Same request as the Node library's send({smsId, to, message})."""
    fake_sipgate.answer("POST", "sessions/sms", status=204)
    await client.sms.send(sms_id="s0", recipient="+4915739777777", message="ValidMessage")
    assert [(m, p, b) for m, p, _, b in sent(fake_sipgate)] == _vector("sms.send_with_smsId")


async def test_send_sms_later_sends_whole_seconds(client: SipgateClient, fake_sipgate: FakeSipgate) -> None:
    """SendAt is an integer (Node sends fractional seconds, which the spec's int64 forbids)."""
    fake_sipgate.answer("POST", "sessions/sms", status=204)
    now = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
    await client.sms.send(
        sms_id="s0",
        recipient="015739777777",
        message="Hallo",
        send_at=now + timedelta(hours=2, milliseconds=380),
        now=now,
    )
    body = sent(fake_sipgate)[0][3]
    assert body == {
        "smsId": "s0",
        "message": "Hallo",
        "recipient": "+4915739777777",
        "sendAt": int(now.timestamp()) + 7200,
    }
    assert isinstance(body["sendAt"], int)


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"sms_id": "xyz123", "recipient": "+4915739777777", "message": "ValidMessage"}, "sms_id"),
        ({"sms_id": "s0", "recipient": "", "message": "ValidMessage"}, "recipient"),
        ({"sms_id": "s0", "recipient": "+4915739777777", "message": ""}, "message"),
        (
            {
                "sms_id": "s0",
                "recipient": "+4915739777777",
                "message": "x",
                "send_at": datetime(2020, 1, 1, tzinfo=UTC),
            },
            "send_at",
        ),
    ],
)
async def test_send_sms_validation(
    client: SipgateClient, fake_sipgate: FakeSipgate, kwargs: dict[str, object], field: str
) -> None:
    """The vector's error cases fail before anything is sent, naming the field."""
    with pytest.raises(SipgateValidationError) as caught:
        await client.sms.send(**kwargs)  # type: ignore[arg-type]
    assert caught.value.field == field
    assert fake_sipgate.requests == []


async def test_send_sms_with_a_foreign_extension(client: SipgateClient, fake_sipgate: FakeSipgate) -> None:
    """403 on sending: forbidden, naming the scope the token needs."""
    fake_sipgate.answer("POST", "sessions/sms", status=403)
    with pytest.raises(SipgateForbiddenError) as caught:
        await client.sms.send(sms_id="s999", recipient="+4915739777777", message="ValidMessage")
    assert caught.value.scope == "sessions:sms:write"


def _sender_answers(fake: FakeSipgate, *, post_status: int = 204) -> None:
    fake.answer("GET", "w0/sms", json={"items": [{"id": "s999", "alias": "SMS"}]})
    fake.answer(
        "GET",
        "w0/sms/s999/callerids",
        json={
            "items": [
                {"id": 0, "phonenumber": "+4921100000000", "verified": True, "defaultNumber": True},
                {"id": 123456, "phonenumber": "+4915739777777", "verified": True, "defaultNumber": False},
                {"id": 9, "phonenumber": "+4915700000000", "verified": False, "defaultNumber": False},
            ]
        },
    )
    fake.answer("PUT", "w0/sms/s999/callerids/123456", status=204)
    fake.answer("PUT", "w0/sms/s999/callerids/0", status=204)
    fake.answer("POST", "sessions/sms", status=post_status)


async def test_send_from_a_sender_number(client: SipgateClient, fake_sipgate: FakeSipgate) -> None:
    """The Node path: switch the default sender, send, switch back; defaultNumber is a boolean."""
    _sender_answers(fake_sipgate)

    await client.sms.send_from_number(
        user_id="w0", sender_number="+4915739777777", recipient="+4915739777777", message="Lorem Ipsum Dolor"
    )

    expected = [
        (m, p, {"defaultNumber": True} if b == {"defaultNumber": "true"} else b)
        for m, p, b in _vector("sms.send_from_number")
    ]
    assert [(m, p, b) for m, p, _, b in sent(fake_sipgate)] == expected


async def test_sender_is_restored_when_sending_fails(
    client: SipgateClient, fake_sipgate: FakeSipgate
) -> None:
    """Node leaves the account's default sender changed when sending fails; here it is restored."""
    _sender_answers(fake_sipgate, post_status=402)
    with pytest.raises(Exception, match="402"):
        await client.sms.send_from_number(
            user_id="w0", sender_number="+4915739777777", recipient="+4915739777777", message="x"
        )
    assert sent(fake_sipgate)[-1][:2] == ("PUT", "/w0/sms/s999/callerids/0")


@pytest.mark.parametrize(
    ("sender", "message"), [("+4915700000000", "not verified"), ("+4915711111111", "not a sender number")]
)
async def test_send_from_an_unusable_number(
    client: SipgateClient, fake_sipgate: FakeSipgate, sender: str, message: str
) -> None:
    """Unknown or unverified sender numbers are refused before any change."""
    _sender_answers(fake_sipgate)
    with pytest.raises(SipgateValidationError, match=message):
        await client.sms.send_from_number(
            user_id="w0", sender_number=sender, recipient="+4915739777777", message="x"
        )
    assert all(method == "GET" for method, *_ in sent(fake_sipgate))


async def test_send_from_a_user_without_sms(client: SipgateClient, fake_sipgate: FakeSipgate) -> None:
    """A user without an SMS extension cannot send."""
    fake_sipgate.answer("GET", "w0/sms", json={"items": []})
    with pytest.raises(SipgateValidationError, match="no SMS extension"):
        await client.sms.send_from_number(
            user_id="w0", sender_number="+4915739777777", recipient="+4915739777777", message="x"
        )


async def test_sms_extensions_and_caller_ids(client: SipgateClient, fake_sipgate: FakeSipgate) -> None:
    """Extensions and sender numbers parse."""
    fake_sipgate.answer("GET", "w0/sms", json={"items": REST["sms.getSmsExtensions"]["result"]})
    fake_sipgate.answer(
        "GET",
        "w0/sms/s0/callerids",
        json={"items": [{"id": 7, "phonenumber": "+4921112345678", "verified": True, "defaultNumber": True}]},
    )
    extensions = await client.sms.get_extensions("w0")
    assert [(e.id, e.alias, e.caller_id) for e in extensions] == [
        ("s0", "Alexander Bain's phone", "+491517777777")
    ]
    caller_ids = await client.sms.get_caller_ids("w0", "s0")
    assert [(c.id, c.phonenumber, c.verified, c.default_number) for c in caller_ids] == [
        (7, "+4921112345678", True, True)
    ]


async def test_send_fax_named(client: SipgateClient, fake_sipgate: FakeSipgate) -> None:
    """The Node vector: base64 content, fax line, filename, recipient; returns the session id."""
    fake_sipgate.answer("POST", "sessions/fax", json={"sessionId": "123123"})
    content = base64.b64decode(REST["fax.send_named"]["requests"][0]["body"]["base64Content"])
    session = await client.fax.send(
        faxline_id="f0", recipient=FAX_RECIPIENT, pdf=content, filename="testPdfFileName"
    )
    assert session == "123123"
    assert [(m, p, b) for m, p, _, b in sent(fake_sipgate)] == _vector(
        "fax.send_named", recipient=FAX_RECIPIENT
    )


async def test_send_fax_to_a_national_number(client: SipgateClient, fake_sipgate: FakeSipgate) -> None:
    """A national recipient is sent in E.164, read in the client's region."""
    fake_sipgate.answer("POST", "sessions/fax", json={"sessionId": "FAX1"})
    assert (
        await client.fax.send(faxline_id="f1", recipient="0211 99999999", pdf=PDF, filename="a.pdf") == "FAX1"
    )
    body = sent(fake_sipgate)[0][3]
    assert (body["faxlineId"], body["recipient"], body["filename"]) == ("f1", "+4921199999999", "a.pdf")
    assert base64.b64decode(body["base64Content"]) == PDF


async def test_fax_to_a_number_that_cannot_exist_is_refused(
    client: SipgateClient, fake_sipgate: FakeSipgate
) -> None:
    """The Node vector's +4912368712 is refused before anything is sent."""
    with pytest.raises(SipgateValidationError) as caught:
        await client.fax.send(faxline_id="f0", recipient="+4912368712", pdf=PDF)
    assert (caught.value.field, caught.value.value) == ("recipient", "+4912368712")
    assert fake_sipgate.requests == []


async def test_send_fax_unnamed_gets_a_dated_name(client: SipgateClient, fake_sipgate: FakeSipgate) -> None:
    """Without a filename the fax is called Fax_YYYYMMDD_HHMM (UTC), like sipgate's tools name it."""
    fake_sipgate.answer("POST", "sessions/fax", json={"sessionId": "123123"})
    await client.fax.send(faxline_id="f0", recipient=FAX_RECIPIENT, pdf=PDF)
    assert sent(fake_sipgate)[0][3]["filename"].startswith("Fax_2")
    assert default_fax_filename(datetime(2020, 9, 14, 10, 3, tzinfo=UTC)) == "Fax_20200914_1003"


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"faxline_id": "f0", "recipient": FAX_RECIPIENT, "pdf": b"12ABC34"}, "file"),
        ({"faxline_id": "s0", "recipient": FAX_RECIPIENT, "pdf": PDF}, "faxline_id"),
        ({"faxline_id": "f0", "recipient": "text", "pdf": PDF}, "recipient"),
    ],
)
async def test_send_fax_validation(
    client: SipgateClient, fake_sipgate: FakeSipgate, kwargs: dict[str, object], field: str
) -> None:
    """Not a PDF, not a fax line, not a number: refused before sending."""
    with pytest.raises(SipgateValidationError) as caught:
        await client.fax.send(**kwargs)  # type: ignore[arg-type]
    assert caught.value.field == field
    # Not a PDF has its own error (the glue's "not_a_pdf").
    assert isinstance(caught.value, SipgateNotPdfError) is (field == "file")
    assert fake_sipgate.requests == []


async def test_send_fax_without_session_id(client: SipgateClient, fake_sipgate: FakeSipgate) -> None:
    """A success without a session id cannot be followed: invalid response."""
    fake_sipgate.answer("POST", "sessions/fax", status=204)
    with pytest.raises(Exception, match="session id"):
        await client.fax.send(faxline_id="f0", recipient=FAX_RECIPIENT, pdf=PDF)


async def test_fax_status(client: SipgateClient, fake_sipgate: FakeSipgate) -> None:
    """The status comes from the fax's history entry; other entries are refused."""
    fake_sipgate.answer("GET", "history/12345", json={"id": "12345", "type": "FAX", "faxStatusType": "SENT"})
    fake_sipgate.answer("GET", "history/1", json={"id": "1", "type": "CALL"})
    fake_sipgate.answer("GET", "history/2", json={"id": "2", "type": "FAX", "faxStatusType": "SHREDDED"})
    status = await client.fax.get_status("12345")
    assert status is FaxStatus.SENT
    assert status.is_final
    assert not FaxStatus.SENDING.is_final
    with pytest.raises(SipgateValidationError, match="not a fax"):
        await client.fax.get_status("1")
    with pytest.raises(Exception, match="unknown fax status"):
        await client.fax.get_status("2")


async def test_faxlines(client: SipgateClient, fake_sipgate: FakeSipgate) -> None:
    """Fax lines parse from the vector's answer."""
    fake_sipgate.answer("GET", "w0/faxlines", json={"items": REST["fax.getFaxlines"]["result"]})
    lines = await client.fax.get_faxlines("w0")
    assert [(f.id, f.alias, f.tagline, f.can_send, f.can_receive) for f in lines] == [
        ("f0", "Alexander Bain's fax", "Example Ltd.", False, True)
    ]


@pytest.mark.parametrize("name", ["call.initiate", "call.initiate_group"])
async def test_initiate_call_matches_the_vectors(
    client: SipgateClient, fake_sipgate: FakeSipgate, name: str
) -> None:
    """Click-to-dial from an extension and from a group number with a device."""
    fake_sipgate.answer("POST", "sessions/calls", json={"sessionId": "123456"})
    body = REST[name]["requests"][0]["body"]
    session = await client.calls.initiate(
        to=body["callee"],
        caller=body["caller"],
        device_id=body.get("deviceId"),
        caller_id=body.get("callerId"),
    )
    assert session == REST[name]["result"]["sessionId"]
    assert [(m, p, b) for m, p, _, b in sent(fake_sipgate)] == _vector(name)


_NODE_CAUSE_FIELD = {
    "Caller is not a valid extension or phone number": "from",
    "Invalid extension": "device_id",
    "DeviceId is required if caller is not an extension": "device_id",
    "CallerId is not a valid phone number": "caller_id",
}


@pytest.mark.parametrize("row", MATRIX, ids=lambda r: "|".join(str(v) for v in r["input"].values()))
async def test_call_combinations_match_the_node_table(
    client: SipgateClient, fake_sipgate: FakeSipgate, row: dict
) -> None:
    """All 54 combinations of the Node library's table: same verdict, the error names the field."""
    fake_sipgate.answer("POST", "sessions/calls", json={"sessionId": "1"})
    data = row["input"]
    call = client.calls.initiate(
        to=data["to"], caller=data["from"], device_id=data["deviceId"], caller_id=data["callerId"]
    )
    if row["isValid"]:
        assert await call == "1"
        return
    with pytest.raises(SipgateValidationError) as caught:
        await call
    expected_field = (
        "to" if row["cause"].startswith("Invalid phone number") else _NODE_CAUSE_FIELD[row["cause"]]
    )
    assert caught.value.field == expected_field
    assert fake_sipgate.requests == []


async def test_initiate_call_without_session_id(client: SipgateClient, fake_sipgate: FakeSipgate) -> None:
    """A success without a session id is an invalid answer."""
    fake_sipgate.answer("POST", "sessions/calls", status=204)
    with pytest.raises(Exception, match="session id"):
        await client.calls.initiate(to="+4921165432", caller="e14")
