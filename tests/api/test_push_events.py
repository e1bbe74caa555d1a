"""Parsing sipgate's push (webhook) requests into typed events.

Why one module of this size: every rule of the push wire format, with sipgate's and the Node
library's vectors.
"""

from dataclasses import FrozenInstanceError
import random
from typing import Any
from urllib.parse import urlencode

import pytest

from custom_components.sipgate.api.exceptions import SipgateError, SipgatePushError
from custom_components.sipgate.api.push_events import (
    DEFAULT_MAX_BODY_SIZE,
    MAX_FIELDS,
    AnswerEvent,
    BasePushEvent,
    CallDirection,
    DtmfEvent,
    HangupCause,
    HangupEvent,
    NewCallEvent,
    PushEvent,
    PushEventType,
    parse_push_event,
)

from ..conftest import load_json

FORM = "application/x-www-form-urlencoded"
REQUESTS = load_json("push/requests.json")

COMMON_KEYS = {"call_id", "original_call_id", "direction", "from_number", "to_number", "xcid"}
EVENT_DATA_KEYS = {
    PushEventType.NEW_CALL: COMMON_KEYS | {"users", "user_ids", "full_user_ids", "diversion"},
    PushEventType.ANSWER: COMMON_KEYS | {"user", "user_id", "full_user_id", "answering_number", "diversion"},
    PushEventType.HANGUP: COMMON_KEYS | {"cause", "answering_number", "diversion"},
    PushEventType.DTMF: COMMON_KEYS | {"dtmf"},
}

# The Node library's names for what it parsed, by event, mapped to our event data keys.
NODE_KEYS: dict[str, dict[str, str]] = {
    "common": {
        "callId": "call_id",
        "originalCallId": "original_call_id",
        "direction": "direction",
        "from": "from_number",
        "to": "to_number",
        "xcid": "xcid",
        "diversion": "diversion",
    },
    "newCall": {
        "user": "users",
        "users": "users",
        "userId": "user_ids",
        "userIds": "user_ids",
        "fullUserId": "full_user_ids",
        "fullUserIds": "full_user_ids",
    },
    "answer": {
        "user": "user",
        "userId": "user_id",
        "fullUserId": "full_user_id",
        "answeringNumber": "answering_number",
    },
    "hangup": {"cause": "cause", "answeringNumber": "answering_number"},
    "dtmf": {"dtmf": "dtmf"},
}


def parse(body: str | bytes, content_type: str | None = FORM, **kwargs: Any) -> PushEvent:
    """Parse a body given as text (UTF-8) or bytes."""
    raw = body.encode("utf-8") if isinstance(body, str) else body
    return parse_push_event(raw, content_type, **kwargs)


def expected_from_node(node_result: dict[str, Any]) -> dict[str, Any]:
    """Our event data for what the Node library parsed from the same body."""
    event = node_result["event"]
    expected: dict[str, Any] = dict.fromkeys(EVENT_DATA_KEYS[PushEventType(event)])
    if event == "newCall":
        expected |= {"users": [], "user_ids": [], "full_user_ids": []}
    if event == "dtmf":
        expected["dtmf"] = ""
    names = NODE_KEYS["common"] | NODE_KEYS[event]
    for key, value in node_result.items():
        if key != "event":
            expected[names[key]] = value
    return expected


@pytest.mark.parametrize("case", REQUESTS["cases"], ids=lambda case: case["name"])
def test_wire_examples_match_the_node_library(case: dict[str, Any]) -> None:
    """Every documented request parses to what the Node library makes of it (in snake_case)."""
    event = parse(case["body"], REQUESTS["content_type"])

    assert event.event == case["node_result"]["event"]
    data = event.to_event_data()
    assert data == expected_from_node(case["node_result"])
    assert set(data) == EVENT_DATA_KEYS[event.event]


def test_new_call_is_typed() -> None:
    """The docs' newCall becomes a frozen NewCallEvent with tuples and a direction enum."""
    event = parse(REQUESTS["cases"][0]["body"])

    assert event == NewCallEvent(
        call_id="123456",
        direction=CallDirection.IN,
        from_number="+492111234567",
        to_number="+4915791234567",
        users=("Alice", "Bob"),
        user_ids=("w0", "w1"),
        full_user_ids=("1234567w0", "1234567w1"),
    )
    assert isinstance(event, PushEvent)
    assert isinstance(event, BasePushEvent)
    assert event.event is PushEventType.NEW_CALL
    with pytest.raises(FrozenInstanceError):
        event.call_id = "other"  # type: ignore[misc]


@pytest.mark.parametrize(
    ("event_class", "name"),
    [
        (NewCallEvent, "newCall"),
        (AnswerEvent, "answer"),
        (HangupEvent, "hangup"),
        (DtmfEvent, "dtmf"),
    ],
)
def test_each_class_carries_its_wire_name(event_class: type[BasePushEvent], name: str) -> None:
    """``event`` is the wire name, fixed per class."""
    assert event_class.event == name
    assert isinstance(parse(f"event={name}&callId=1"), event_class)


@pytest.mark.parametrize(
    "body",
    [
        "event=newCall&callId=1&user%5B%5D=Alice&user%5B%5D=Bob&userId%5B%5D=w0&userId%5B%5D=w1"
        "&fullUserId%5B%5D=1w0&fullUserId%5B%5D=1w1",
        "event=newCall&callId=1&user[]=Alice&user[]=Bob&userId[]=w0&userId[]=w1&fullUserId[]=1w0&fullUserId[]=1w1",
        "event=newCall&callId=1&user=Alice&user=Bob&userId=w0&userId=w1&fullUserId=1w0&fullUserId=1w1",
        "event=newCall&callId=1&user[]=Alice&userId=w0&user%5B%5D=Bob&fullUserId[]=1w0&userId%5b%5d=w1"
        "&fullUserId=1w1",
    ],
    ids=["percent-encoded", "literal-brackets", "plain", "mixed"],
)
def test_repeated_user_keys_in_every_spelling(body: str) -> None:
    """``user[]`` literal or percent-encoded and plain ``user`` all collect, in order."""
    event = parse(body)

    assert isinstance(event, NewCallEvent)
    assert event.users == ("Alice", "Bob")
    assert event.user_ids == ("w0", "w1")
    assert event.full_user_ids == ("1w0", "1w1")


def test_new_call_users_keep_voicemail_and_names_with_spaces() -> None:
    """The voicemail pseudo-user stays as it is; ``+`` in form encoding is a space."""
    event = parse("event=newCall&callId=1&user%5B%5D=voicemail&user%5B%5D=John+Doe&user%5B%5D=J%C3%BCrgen")

    assert isinstance(event, NewCallEvent)
    assert event.users == ("voicemail", "John Doe", "Jürgen")
    assert event.to_event_data()["users"] == ["voicemail", "John Doe", "Jürgen"]


def test_new_call_without_users() -> None:
    """A newCall with no users (e.g. an outgoing call from a device) has empty tuples."""
    event = parse("event=newCall&callId=1&direction=out&from=492111234567&to=4915791234567")

    assert isinstance(event, NewCallEvent)
    assert (event.users, event.user_ids, event.full_user_ids) == ((), (), ())
    assert event.direction is CallDirection.OUT


def test_answer_reads_singular_keys_and_bracketed_ones() -> None:
    """``answer`` names one user; a bracketed key counts with its first value."""
    singular = parse("event=answer&callId=1&user=John+Doe&userId=w0&fullUserId=1w0&answeringNumber=4921100")
    bracketed = parse("event=answer&callId=1&user%5B%5D=John+Doe&userId[]=w0&fullUserId[]=1w0&user[]=Other")

    assert isinstance(singular, AnswerEvent)
    assert (singular.user, singular.user_id, singular.full_user_id) == ("John Doe", "w0", "1w0")
    assert singular.answering_number == "+4921100"
    assert isinstance(bracketed, AnswerEvent)
    assert (bracketed.user, bracketed.user_id, bracketed.full_user_id) == ("John Doe", "w0", "1w0")


def test_answer_by_voicemail_has_no_user() -> None:
    """When the voicemail answers, sipgate sends ``user`` empty: it becomes ``None``."""
    event = parse("event=answer&callId=B&user=&direction=in&diversion=4920300")

    assert isinstance(event, AnswerEvent)
    assert event.user is None
    assert event.diversion == "+4920300"


@pytest.mark.parametrize("cause", [*REQUESTS["hangup_causes"], "someFutureCause"])
def test_hangup_causes_are_kept_as_sent(cause: str) -> None:
    """Known causes compare equal to :class:`HangupCause`; unknown ones are passed on."""
    event = parse(f"event=hangup&callId=1&cause={cause}")

    assert isinstance(event, HangupEvent)
    assert event.cause == cause
    assert (cause in set(HangupCause)) is (cause != "someFutureCause")


def test_hangup_without_cause() -> None:
    """A hangup without ``cause`` still parses; the cause is ``None``."""
    event = parse("event=hangup&callId=1")

    assert isinstance(event, HangupEvent)
    assert event.cause is None
    assert event.to_event_data()["cause"] is None


@pytest.mark.parametrize(
    ("body", "digits"),
    [
        ("event=dtmf&dtmf=1&callId=1", "1"),
        ("event=dtmf&dtmf=0123&callId=1", "0123"),
        ("event=dtmf&dtmf=%2A%23&callId=1", "*#"),
        ("event=dtmf&dtmf=&callId=1", ""),
        ("event=dtmf&callId=1", ""),
    ],
    ids=["digit", "leading-zero", "star-hash", "empty", "missing"],
)
def test_dtmf_digits(body: str, digits: str) -> None:
    """Digits stay a string; none entered (empty or left out) is ``""``."""
    event = parse(body)

    assert isinstance(event, DtmfEvent)
    assert event.dtmf == digits
    assert event.to_event_data() == {
        "call_id": "1",
        "original_call_id": None,
        "direction": None,
        "from_number": None,
        "to_number": None,
        "xcid": None,
        "dtmf": digits,
    }


@pytest.mark.parametrize(
    ("wire", "number"),
    [
        ("492111234567", "+492111234567"),
        ("%2B492111234567", "+492111234567"),
        ("+492111234567", "+492111234567"),
        ("anonymous", "anonymous"),
        ("Anonymous", "Anonymous"),
        ("", None),
        ("+", None),
    ],
    ids=["e164", "encoded-plus", "literal-plus", "anonymous", "Anonymous", "empty", "blank"],
)
@pytest.mark.parametrize("key", ["from", "to", "diversion", "answeringNumber"])
def test_numbers_get_a_plus(key: str, wire: str, number: str | None) -> None:
    """Numbers get ``+`` unless anonymous; a literal ``+`` (a space in forms) is not doubled."""
    attribute = {
        "from": "from_number",
        "to": "to_number",
        "diversion": "diversion",
        "answeringNumber": "answering_number",
    }[key]
    event = parse(f"event=hangup&callId=1&{key}={wire}")

    assert getattr(event, attribute) == number


def test_optional_fields_absent_or_empty_are_none() -> None:
    """Absent and empty optional fields both become ``None``."""
    absent = parse("event=newCall&callId=1")
    empty = parse("event=newCall&callId=1&origCallId=&xcid=&from=&to=&direction=&diversion=")

    assert absent == empty
    assert absent.to_event_data() == {
        "call_id": "1",
        "original_call_id": None,
        "direction": None,
        "from_number": None,
        "to_number": None,
        "xcid": None,
        "users": [],
        "user_ids": [],
        "full_user_ids": [],
        "diversion": None,
    }


@pytest.mark.parametrize(
    ("body", "original"),
    [
        ("origCallId=A", "A"),
        ("originalCallId=B", "B"),
        ("origCallId=A&originalCallId=B", "A"),
        ("originalCallId=B&origCallId=A", "A"),
    ],
)
def test_original_call_id_in_both_spellings(body: str, original: str) -> None:
    """``origCallId`` (wire) wins over ``originalCallId`` (Node library)."""
    assert parse(f"event=answer&callId=1&{body}").original_call_id == original


def test_repeated_single_value_keys_count_with_the_first() -> None:
    """A repeated single-valued key counts with its first value."""
    event = parse("event=hangup&callId=1&callId=2&cause=busy&cause=cancel&event=newCall")

    assert isinstance(event, HangupEvent)
    assert (event.call_id, event.cause) == ("1", "busy")


def test_call_forwarded_to_voicemail_flow() -> None:
    """The real event flow of issue #134, sent as sipgate encodes it, keeps the calls apart."""
    flow = REQUESTS["real_event_flow_call_forwarded_to_voicemail"]
    bodies = [
        urlencode(
            [(f"{key}[]" if isinstance(value, list) else key, value) for key, value in fields.items()],
            doseq=True,
        )
        for fields in flow
    ]
    first, hangup, second = (parse(body, REQUESTS["content_type"]) for body in bodies)

    assert isinstance(first, NewCallEvent)
    assert isinstance(hangup, HangupEvent)
    assert isinstance(second, NewCallEvent)
    assert first.users == ("Oliver ...",)
    assert first.xcid == hangup.xcid == second.xcid == "5aada1e696b94cec"
    assert hangup.call_id == first.call_id
    assert hangup.cause == HangupCause.FORWARDED
    assert second.call_id != first.call_id
    assert second.original_call_id == first.call_id
    assert second.users == ("voicemail",)
    assert second.diversion == "+49203..."
    assert second.from_number == "+49178..."


@pytest.mark.parametrize(
    "content_type",
    [
        FORM,
        "application/x-www-form-urlencoded; charset=UTF-8",
        "APPLICATION/X-WWW-FORM-URLENCODED;Charset=utf-8",
        'application/x-www-form-urlencoded; charset="utf-8"',
        "application/x-www-form-urlencoded; charset=utf8",
        "application/x-www-form-urlencoded; charset=US-ASCII",
        " application/x-www-form-urlencoded ; foo=bar",
    ],
)
def test_content_types_accepted(content_type: str) -> None:
    """The form type, any case, with or without a UTF-8 (or ASCII) charset."""
    assert parse("event=dtmf&callId=1", content_type).call_id == "1"


@pytest.mark.parametrize(
    ("content_type", "message"),
    [
        (None, "missing content type"),
        ("", "missing content type"),
        ("   ", "missing content type"),
        (b"application/x-www-form-urlencoded", "missing content type"),
        ("application/json", "is not application/x-www-form-urlencoded"),
        ("text/plain; charset=utf-8", "is not application/x-www-form-urlencoded"),
        ("multipart/form-data; boundary=x", "is not application/x-www-form-urlencoded"),
        ("application/x-www-form-urlencodedx", "is not application/x-www-form-urlencoded"),
        ("application/x-www-form-urlencoded; charset=iso-8859-1", "unsupported charset"),
        ("application/x-www-form-urlencoded; charset=", "unsupported charset"),
    ],
)
def test_content_types_rejected(content_type: Any, message: str) -> None:
    """Anything but a UTF-8 form is refused before the body is read."""
    with pytest.raises(SipgatePushError, match=message):
        parse("event=dtmf&callId=1", content_type)


def test_body_size_limit() -> None:
    """Bodies over the limit are refused; the limit is a parameter."""
    body = "event=dtmf&callId=1&pad="
    exact = body + "x" * (DEFAULT_MAX_BODY_SIZE - len(body))

    assert parse(exact).call_id == "1"
    with pytest.raises(SipgatePushError, match=r"body of 65537 bytes exceeds the limit of 65536"):
        parse(exact + "x")
    with pytest.raises(SipgatePushError, match="exceeds the limit of 10"):
        parse(body, max_body_size=10)
    assert parse(exact + "x" * 100, max_body_size=DEFAULT_MAX_BODY_SIZE + 100).call_id == "1"


@pytest.mark.parametrize(
    "body",
    [bytearray(b"event=dtmf&callId=1"), memoryview(b"event=dtmf&callId=1")],
    ids=["bytearray", "memoryview"],
)
def test_bytes_like_bodies(body: bytearray | memoryview) -> None:
    """Any bytes-like body is read."""
    assert parse_push_event(body, FORM).call_id == "1"  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("event=dtmf&callId=1", "body is not bytes"),
        (None, "body is not bytes"),
        (b"event=dtmf&callId=\xff", "body cannot be decoded"),
        (b"event=dtmf&callId=%FF", "body cannot be decoded"),
        (b"event=dtmf&callId=%C3%28", "body cannot be decoded"),
        (b"&".join([b"a=b"] * (MAX_FIELDS + 1)), "body cannot be decoded"),
    ],
    ids=[
        "str",
        "none",
        "raw-invalid-utf8",
        "encoded-invalid-utf8",
        "encoded-bad-sequence",
        "too-many-fields",
    ],
)
def test_undecodable_bodies(body: Any, message: str) -> None:
    """A body that is not UTF-8 form data is refused."""
    with pytest.raises(SipgatePushError, match=message):
        parse_push_event(body, FORM)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("", "field 'event' is missing"),
        ("callId=1", "field 'event' is missing"),
        ("event=&callId=1", "field 'event' is missing"),
        ("event=foo&callId=1", "unknown event 'foo'"),
        ("event=NEWCALL&callId=1", "unknown event 'NEWCALL'"),
        ("event=newCall;callId=1", "unknown event 'newCall;callId=1'"),
        ("event=" + "x" * 500, "unknown event 'x{40}'…"),
        ("event=newCall", "field 'callId' is missing in newCall event"),
        ("event=hangup&callid=1", "field 'callId' is missing in hangup event"),
        ("event=dtmf&dtmf=1", "field 'callId' is missing in dtmf event"),
        ("event=newCall&callId=1&direction=sideways", "unknown direction 'sideways'"),
        ("event=newCall&callId=1&direction=IN", "unknown direction 'IN'"),
    ],
)
def test_malformed_events(body: str, message: str) -> None:
    """Missing or unknown event, missing callId, unknown direction: clear errors."""
    with pytest.raises(SipgatePushError, match=message) as caught:
        parse(body)
    assert isinstance(caught.value, SipgateError)
    assert isinstance(caught.value, ValueError)


def test_signed_test_vector_body_is_a_new_call() -> None:
    """The Node library's signed sample (a ``qs`` artefact: empty callId, ``user[][0]`` keys) parses."""
    body = load_json("push/signature.json")["cases"][0]["body"]
    event = parse(body)
    assert isinstance(event, NewCallEvent)
    assert event.call_id == ""
    assert (event.from_number, event.to_number, event.direction) == ("+4912354678", "+49999999", "in")
    assert (event.users, event.user_ids, event.full_user_ids) == (
        ("TestUser",),
        ("123456789",),
        ("123456789",),
    )


@pytest.mark.parametrize("event_type", list(PushEventType))
def test_event_data_keys_per_type(event_type: PushEventType) -> None:
    """Each event type's data holds exactly its keys from the spec (§6.3)."""
    event = parse(f"event={event_type}&callId=1")
    assert set(event.to_event_data()) == EVENT_DATA_KEYS[event_type]


def _mutations(rng: random.Random, seeds: list[bytes]) -> list[bytes]:
    alphabet = b"=&%[]+;#?\x00\xff\xc3\xa4 abcdefABCDEF0123456789"
    bodies: list[bytes] = []
    for _ in range(1500):
        body = bytearray(rng.choice(seeds))
        for _ in range(rng.randint(1, 6)):
            position = rng.randint(0, len(body))
            match rng.randint(0, 2):
                case 0:
                    body[position:position] = bytes([rng.choice(alphabet)])
                case 1:
                    del body[position : position + rng.randint(1, 4)]
                case _:
                    body[position:position] = rng.choice(seeds)[: rng.randint(0, 20)]
        bodies.append(bytes(body))
    bodies.extend(rng.randbytes(rng.randint(0, 200)) for _ in range(300))
    return bodies


def test_fuzzed_bodies_raise_only_push_errors() -> None:
    """Mutated and random bodies either parse or raise :class:`SipgatePushError`, nothing else."""
    rng = random.Random(20260101)  # noqa: S311 - reproducible fuzzing, not cryptography
    seeds = [case["body"].encode() for case in REQUESTS["cases"]]
    content_types = [FORM, f"{FORM}; charset=UTF-8", f"{FORM}; charset=latin1", "text/xml", None]
    parsed = 0
    for body in _mutations(rng, seeds):
        try:
            event = parse_push_event(body, rng.choice(content_types), max_body_size=rng.choice([64, 65536]))
        except SipgatePushError:
            continue
        parsed += 1
        assert event.call_id
        assert set(event.to_event_data()) == EVENT_DATA_KEYS[event.event]
    assert parsed > 0
