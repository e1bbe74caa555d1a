"""Fuzzing the push API (README "Reliability suite"): parsers, reply builder, signatures, the webhook endpoint.

Every target tries a short, derandomized set of inputs in CI and at least
10,000 fresh ones in long mode (``SIPGATE_FUZZ_LONG=1``, see conftest.py).

Why one module of this size: every fuzz target of the push API with its strategies, which the
targets share.
"""

import base64
from collections.abc import AsyncGenerator, Callable
import gzip
import logging
import re
from typing import Any
from urllib.parse import quote, quote_plus
import xml.etree.ElementTree as ET
import zlib

import aiohttp
from hypothesis import example, given, settings, strategies as st
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.test_util.aiohttp import AiohttpClientMocker

from custom_components.sipgate.api.exceptions import SipgatePushError, SipgateValidationError
from custom_components.sipgate.api.push_events import (
    AnswerEvent,
    DtmfEvent,
    HangupEvent,
    NewCallEvent,
    parse_push_event,
)
from custom_components.sipgate.api.push_reply import (
    Dial,
    Gather,
    Hangup,
    Play,
    Reject,
    Voicemail,
    build_reply,
)
from custom_components.sipgate.api.push_signature import SignatureVerifier
from custom_components.sipgate.const import CONF_VERIFY_SIGNATURE, DEFAULT_OPTIONS, MAX_WEBHOOK_BODY
from homeassistant.const import MATCH_ALL
from homeassistant.core import Event, HomeAssistant, callback

from ..conftest import FORM, WEBHOOK_ID, TestSigner as Signer, api_url, call_path, load_json
from .conftest import examples

pytestmark = [
    # Hypothesis' own PRNG registration trips its garbage-collection check on Python 3.14.
    pytest.mark.filterwarnings("ignore:It looks like `register_random`:hypothesis.errors.HypothesisWarning"),
    # Huge bodies are meant to be huge.
    pytest.mark.filterwarnings("ignore:Generating overly large repr:hypothesis.errors.HypothesisWarning"),
]

# CI budget: the whole file runs in about 20 s. Per endpoint test 150 requests with
# verification on and 150 with it off; long mode tries 10,000 of each.
PARSER_EXAMPLES = examples(400)
ENDPOINT_EXAMPLES = examples(150)

WIRE_CASES = [case["body"] for case in load_json("push/requests.json")["cases"]]
EVENTS = ["newCall", "answer", "hangup", "dtmf"]
KNOWN_KEYS = [
    "event",
    "callId",
    "origCallId",
    "originalCallId",
    "direction",
    "from",
    "to",
    "xcid",
    "user",
    "user[]",
    "userId",
    "userId[]",
    "fullUserId",
    "fullUserId[]",
    "diversion",
    "answeringNumber",
    "cause",
    "dtmf",
]
VALID_CONTENT_TYPES = [
    "application/x-www-form-urlencoded",
    "application/x-www-form-urlencoded; charset=UTF-8",
    'application/x-www-form-urlencoded; charset="utf-8"',
    "Application/X-WWW-Form-Urlencoded;charset=us-ascii",
]
ODD_CONTENT_TYPES = [
    "application/x-www-form-urlencoded; charset=latin-1",
    "application/x-www-form-urlencoded; charset=utf-16",
    "application/x-www-form-urlencoded; charset",
    "application/x-www-form-urlencoded;;;",
    "application/json",
    "multipart/form-data; boundary=x",
    "text/plain",
    "text/xml",
    "application/octet-stream",
    "*/*",
    "",
    ";",
]

# Text that can be encoded (no lone surrogates).
TEXT = st.text(st.characters(exclude_categories=["Cs"]), max_size=40)
DIGITS = st.from_regex(r"[0-9]{1,15}", fullmatch=True)


# --- strategies for bodies ------------------------------------------------------------------


def _percent_bytes(raw: bytes) -> str:
    return "".join(f"%{byte:02X}" for byte in raw)


FIELD_KEY = st.one_of(st.sampled_from(KNOWN_KEYS), TEXT)
FIELD_VALUE = st.one_of(
    st.sampled_from([*EVENTS, "in", "out", "anonymous", "", "+", "%", "%%", "%zz", "[]", "="]), DIGITS, TEXT
)
FIELD_STYLE = st.sampled_from(["plus", "percent", "raw", "bytes", "latin1", "bare-key"])
FEW_BYTES = st.binary(min_size=1, max_size=8)


@st.composite
def form_field(draw: st.DrawFn) -> bytes:
    """One ``key=value`` pair, encoded in one of the ways (or wrong ways) a client might."""
    key = draw(FIELD_KEY)
    value = draw(FIELD_VALUE)
    style = draw(FIELD_STYLE)
    match style:
        case "plus":
            pair = f"{quote_plus(key)}={quote_plus(value)}".encode()
        case "percent":
            pair = f"{quote(key, safe='[]')}={quote(value, safe='')}".encode()
        case "raw":
            pair = f"{key}={value}".encode()
        case "bytes":  # percent-encoded bytes that are not UTF-8
            pair = f"{quote_plus(key)}={_percent_bytes(draw(FEW_BYTES))}".encode()
        case "latin1":
            pair = f"{key}={value}".encode("latin-1", "replace")
        case _:
            pair = quote_plus(key).encode()
    return pair


def huge(pieces: list[str], low: int, high: int) -> st.SearchStrategy[bytes]:
    """A long run of one piece (cheap to generate, big on the wire)."""
    return st.builds(
        lambda piece, count: (piece * count).encode(), st.sampled_from(pieces), st.integers(low, high)
    )


FIELDS = st.lists(form_field(), max_size=12)
EVENT = st.sampled_from(EVENTS)
HUGE_FIELD = st.one_of(
    st.builds(lambda v: b"user[]=" + v, huge(["x", "%41", "%FF", "+"], 1000, 25_000)),
    huge(["&", "a=b&", "user[]=&"], 500, 3000),
)
SEPARATOR = st.sampled_from([b"&", b"&", b"&", b";", b"&&", b"\n"])


@st.composite
def form_body(draw: st.DrawFn) -> bytes:
    """A body shaped like a push but wrong in random ways: keys, values, repeats, encodings, sizes."""
    fields = draw(FIELDS)
    if draw(st.booleans()):
        fields.insert(0, f"event={draw(EVENT)}".encode())
    if draw(st.booleans()):
        fields.insert(draw(st.integers(0, len(fields))), f"callId={quote_plus(draw(TEXT))}".encode())
    if draw(st.integers(0, 9)) == 0:  # a huge field, or a great many fields
        fields.append(draw(HUGE_FIELD))
    return draw(SEPARATOR).join(fields)


ANY_BODY = st.one_of(
    st.binary(max_size=300),
    form_body(),
    st.sampled_from(WIRE_CASES).map(str.encode),
    st.builds(lambda body, cut: body[:cut], st.sampled_from(WIRE_CASES).map(str.encode), st.integers(0, 200)),
    st.builds(
        lambda text, codec: text.encode(codec, "replace"),
        st.sampled_from(WIRE_CASES),
        st.sampled_from(["utf-16", "utf-16-le", "utf-32", "latin-1", "cp500", "utf-8-sig"]),
    ),
)
ANY_CONTENT_TYPE = st.one_of(
    st.none(),
    st.sampled_from(VALID_CONTENT_TYPES),
    st.sampled_from(ODD_CONTENT_TYPES),
    st.text(max_size=60),
    st.builds(lambda ct, tail: ct + tail, st.sampled_from(VALID_CONTENT_TYPES), st.text(max_size=30)),
)


def xml(text: str | bytes) -> ET.Element:
    """Parse a reply the integration built (trusted: it is what is under test)."""
    return ET.fromstring(text)  # noqa: S314


# --- the parser ------------------------------------------------------------------------------


def _check_event_data(event: Any) -> None:
    assert isinstance(event, NewCallEvent | AnswerEvent | HangupEvent | DtmfEvent)
    for key, value in event.to_event_data().items():
        assert (
            value is None
            or isinstance(value, str)
            or (isinstance(value, list) and all(isinstance(item, str) for item in value))
        ), (key, value)


@settings(max_examples=PARSER_EXAMPLES)
@given(
    body=ANY_BODY, content_type=ANY_CONTENT_TYPE, limit=st.sampled_from([64 * 1024, MAX_WEBHOOK_BODY, 100])
)
def test_fuzz_parser_raises_only_push_errors(body: bytes, content_type: str | None, limit: int) -> None:
    """Arbitrary bytes and content types: an event or SipgatePushError, never anything else."""
    try:
        event = parse_push_event(body, content_type, max_body_size=limit)
    except SipgatePushError:
        return
    _check_event_data(event)


@settings(max_examples=PARSER_EXAMPLES)
@given(body=form_body(), content_type=st.sampled_from(VALID_CONTENT_TYPES))
def test_fuzz_parser_structured_but_wrong_forms(body: bytes, content_type: str) -> None:
    """Form bodies with random keys, repeats, percent-encoding, invalid UTF-8 and huge fields."""
    try:
        event = parse_push_event(body, content_type)
    except SipgatePushError as err:
        message = str(err)
    else:
        _check_event_data(event)
        return
    assert 0 < len(message) < 500  # error messages quote input cut short


def _wire_number(value: str) -> str | None:
    """What the parser makes of a number field."""
    value = value.strip()
    if not value:
        return None
    if value.startswith("+") or value.lower() == "anonymous":
        return value
    return "+" + value


NUMBER = st.one_of(
    DIGITS,
    DIGITS.map(lambda d: "+" + d),
    st.sampled_from(["anonymous", "ANONYMOUS", ""]),
    st.builds(lambda d, pad: pad + d + pad, DIGITS, st.sampled_from([" ", "  "])),
)
KEY_SPELLINGS = {
    "user": st.sampled_from(["user[]", "user%5B%5D", "user", "user[0]"]),
    "userId": st.sampled_from(["userId[]", "userId%5B%5D", "userId"]),
    "fullUserId": st.sampled_from(["fullUserId[]", "fullUserId%5b%5d", "fullUserId"]),
}
ORIGINAL_CALL_ID_KEY = st.sampled_from(["origCallId", "originalCallId"])
DIRECTION = st.sampled_from(["in", "out"])
CAUSE = st.one_of(st.sampled_from(["normalClearing", "busy", "cancel"]), TEXT)
DTMF = st.from_regex(r"[0-9*#]{0,8}", fullmatch=True)
USERS = st.lists(TEXT, max_size=4)
# Users of this account (masterSipId 1234567), of another one, and anything else.
FULL_USER_IDS = st.lists(
    st.one_of(TEXT, st.sampled_from(["1234567w0", "1234567w12", "7654321w0", "123456789"])), max_size=4
)
EXTRA_KEYS = st.lists(st.sampled_from(["foo", "x[]", "version", "Event", "CALLID"]), max_size=3)
QUOTE_VALUE = st.sampled_from([quote_plus, lambda v: quote(v, safe="")])


@st.composite
def valid_push(draw: st.DrawFn) -> tuple[bytes, type, dict[str, Any]]:
    """A well-formed push in any of the wire spellings, and the fields it must parse into."""
    event = draw(EVENT)
    groups: list[list[tuple[str, str]]] = [[("event", event)]]
    call_id = draw(TEXT)
    groups.append([("callId", call_id)])
    expected: dict[str, Any] = {"call_id": call_id}

    def optional(key: str, field: str, values: st.SearchStrategy[str], convert: Callable[[str], Any]) -> None:
        if draw(st.booleans()):
            value = draw(values)
            group = [(key, value)]
            if draw(st.integers(0, 4)) == 0:  # repeated single-valued key: the first counts
                group.append((key, draw(values)))
            groups.append(group)
            expected[field] = convert(value)
        else:
            expected[field] = None

    optional(draw(ORIGINAL_CALL_ID_KEY), "original_call_id", TEXT, lambda v: v or None)
    optional("direction", "direction", DIRECTION, str)
    optional("from", "from_number", NUMBER, _wire_number)
    optional("to", "to_number", NUMBER, _wire_number)
    optional("xcid", "xcid", TEXT, lambda v: v or None)
    if event in ("newCall", "answer", "hangup"):
        optional("diversion", "diversion", NUMBER, _wire_number)
    if event in ("answer", "hangup"):
        optional("answeringNumber", "answering_number", NUMBER, _wire_number)
    if event == "hangup":
        optional("cause", "cause", CAUSE, lambda v: v or None)
    if event == "dtmf":
        optional("dtmf", "dtmf", DTMF, str)
        expected["dtmf"] = expected["dtmf"] or ""
    if event == "newCall":
        for name, field in (("user", "users"), ("userId", "user_ids"), ("fullUserId", "full_user_ids")):
            values = draw(FULL_USER_IDS if name == "fullUserId" else USERS)
            groups.append([(draw(KEY_SPELLINGS[name]), value) for value in values])
            expected[field] = tuple(values)
    if event == "answer":
        for name, field in (("user", "user"), ("userId", "user_id"), ("fullUserId", "full_user_id")):
            if draw(st.booleans()):
                value = draw(TEXT)
                groups.append([(draw(KEY_SPELLINGS[name]), value)])
                expected[field] = value or None
            else:
                expected[field] = None
    # Keys sipgate may add later are ignored.
    groups.extend([(extra, draw(TEXT))] for extra in draw(EXTRA_KEYS))

    draw(st.randoms(use_true_random=False)).shuffle(groups)
    quote_value = draw(QUOTE_VALUE)
    pairs = [pair for group in groups for pair in group]
    body = "&".join(
        f"{key if '%' in key or '[' in key else quote_plus(key)}={quote_value(value)}" for key, value in pairs
    )
    classes = {"newCall": NewCallEvent, "answer": AnswerEvent, "hangup": HangupEvent, "dtmf": DtmfEvent}
    return body.encode(), classes[event], expected


@settings(max_examples=PARSER_EXAMPLES)
@given(push=valid_push(), content_type=st.sampled_from(VALID_CONTENT_TYPES))
def test_fuzz_parser_round_trips_valid_events(
    push: tuple[bytes, type, dict[str, Any]], content_type: str
) -> None:
    """Generated valid pushes parse into exactly the fields they carry."""
    body, event_class, expected = push
    event = parse_push_event(body, content_type)
    assert type(event) is event_class
    actual = {field: getattr(event, field) for field in expected}
    if actual.get("direction") is not None:
        actual["direction"] = str(actual["direction"])
    assert actual == expected


# --- the reply builder -------------------------------------------------------------------------

URL_CHARS = st.characters(
    codec="utf-8",
    exclude_categories=["Cs", "Cc", "Cf", "Zs", "Zl", "Zp", "Co", "Cn"],
)
NASTY = ["&", "<", ">", '"', "'", "&amp;", "]]>", "<!--", "%", "?", "#", "=", ";", "\\"]
HOST = st.sampled_from(
    ["example.com", "a.example", "localhost", "10.0.0.1", "[::1]", "xn--mnchen-3ya.de", "h-1.b"]
)
SCHEME = st.sampled_from(["http", "https", "HTTPS"])
PORT = st.one_of(st.just(""), st.integers(1, 65535).map(lambda p: f":{p}"))
URL_TAIL = st.lists(st.one_of(st.sampled_from(NASTY), st.text(URL_CHARS, max_size=5)), max_size=10)


@st.composite
def urls(draw: st.DrawFn) -> str:
    """An absolute http(s) URL whose path and query hold characters XML must escape."""
    return f"{draw(SCHEME)}://{draw(HOST)}{draw(PORT)}/{''.join(draw(URL_TAIL))}"


ANY_URL = st.one_of(
    urls(), urls(), TEXT, st.sampled_from(["file:///etc/passwd", "javascript:alert(1)", "ftp://x/y"])
)
ANY_NUMBER = st.one_of(DIGITS, DIGITS.map(lambda d: "+" + d), TEXT, st.integers(), st.none())


ACTION_KIND = st.sampled_from(["dial", "voicemail", "reject", "play", "gather", "hangup", "none", "junk"])
DIAL_NUMBERS = st.one_of(st.lists(ANY_NUMBER, max_size=7), ANY_NUMBER)
MAYBE_NUMBER = st.one_of(st.none(), ANY_NUMBER)
ANONYMOUS = st.one_of(st.none(), st.booleans(), st.integers(0, 2))
REASON = st.one_of(st.none(), st.sampled_from(["busy", "rejected"]), TEXT)
MAX_DIGITS = st.one_of(st.integers(-2, 100), st.booleans())
TIMEOUT_MS = st.integers(-2, 10**7)
MAYBE_URL = st.one_of(st.none(), ANY_URL)
JUNK = st.one_of(st.integers(), TEXT, st.lists(st.integers(), max_size=2), st.just(object()))


def _action(draw: st.DrawFn) -> Any:
    match draw(ACTION_KIND):
        case "dial":
            return Dial(draw(DIAL_NUMBERS), caller_id=draw(MAYBE_NUMBER), anonymous=draw(ANONYMOUS))
        case "voicemail":
            return Voicemail()
        case "reject":
            return Reject(draw(REASON))
        case "play":
            return Play(draw(ANY_URL))
        case "gather":
            return Gather(
                draw(ANY_URL),
                max_digits=draw(MAX_DIGITS),
                timeout_ms=draw(TIMEOUT_MS),
                play_url=draw(MAYBE_URL),
            )
        case "hangup":
            return Hangup()
        case "none":
            return None
    return draw(JUNK)


@st.composite
def reply_inputs(draw: st.DrawFn) -> tuple[Any, Any, Any]:
    """An action (or what fails to become one) and two follow-up URLs."""
    try:
        action = _action(draw)
    except SipgateValidationError:
        action = Hangup()
    on_answer = draw(MAYBE_URL)
    on_hangup = on_answer if draw(st.booleans()) else draw(MAYBE_URL)
    return action, on_answer, on_hangup


def _play_url(element: ET.Element) -> str | None:
    assert element.tag == "Play"
    [url] = list(element)
    assert url.tag == "Url"
    return url.text


@settings(max_examples=PARSER_EXAMPLES)
@given(inputs=reply_inputs())
@example(inputs=(Play("https://a.example/x?a=1&b=<2>&c=\"3\"&d='4'"), 'https://h.example/"><Hangup/>', None))
def test_fuzz_build_reply(inputs: tuple[Any, Any, Any]) -> None:
    """Well-formed XML that says exactly what was asked, escaped; or SipgateValidationError."""
    action, on_answer, on_hangup = inputs
    try:
        reply = build_reply(action, on_answer=on_answer, on_hangup=on_hangup)
    except SipgateValidationError:
        return
    assert reply.startswith(b'<?xml version="1.0" encoding="UTF-8"?>\n')
    root = xml(reply)
    # Written as text, byte for byte what ElementTree writes for the same tree.
    assert reply.split(b"\n", 1)[1] == ET.tostring(root, encoding="unicode").encode()
    assert root.tag == "Response"
    assert root.get("onAnswer") == on_answer
    assert root.get("onHangup") == on_hangup
    children = list(root)
    if action is None:
        assert children == []
        return
    [element] = children
    match action:
        case Dial():
            assert element.tag == "Dial"
            assert [n.text for n in element] == list(action.numbers)
            assert all(n.tag == "Number" for n in element)
            assert element.get("callerId") == action.caller_id
        case Voicemail():
            assert (element.tag, [c.tag for c in element]) == ("Dial", ["Voicemail"])
        case Reject():
            assert element.tag == "Reject"
            assert element.get("reason") == (None if action.reason is None else str(action.reason))
        case Play():
            assert _play_url(element) == action.url
        case Gather():
            assert element.tag == "Gather"
            assert element.get("onData") == action.on_data_url
            assert element.get("maxDigits") == str(action.max_digits)
            assert [_play_url(c) for c in element] == ([] if action.play_url is None else [action.play_url])
        case _:
            assert element.tag == "Hangup"


# --- signatures --------------------------------------------------------------------------------

SIPGATE_VERIFIER = SignatureVerifier()
SIGNATURE_HEADERS = st.one_of(
    st.none(),
    st.text(max_size=100),
    st.binary(max_size=600).map(lambda raw: base64.b64encode(raw).decode()),
    st.binary(min_size=512, max_size=512).map(lambda raw: base64.b64encode(raw).decode()),
    st.sampled_from(["", " ", "=", "====", "%%%", "bm90IGEgc2lnbmF0dXJl", "\x00", "é"]),
)


@settings(max_examples=examples(300))
@given(body=st.binary(max_size=500), signature=SIGNATURE_HEADERS)
def test_fuzz_signature_verifier_never_raises(body: bytes, signature: str | None) -> None:
    """Arbitrary bodies and header values: False (these are not sipgate's signatures), never an exception."""
    assert SIPGATE_VERIFIER.verify(body, signature) is False


@pytest.fixture(scope="module")
def test_key(request: pytest.FixtureRequest) -> tuple[Signer, SignatureVerifier]:
    """The suite's test key: a signer and a verifier for it."""
    from cryptography.hazmat.primitives import serialization

    key = request.getfixturevalue("_rsa_key")
    pem = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return Signer(key), SignatureVerifier(pem)


@settings(max_examples=examples(200))
@given(body=st.binary(max_size=300), other=st.binary(max_size=300), padding=st.sampled_from(["", " ", "\n"]))
def test_fuzz_signatures_bind_the_exact_body(
    test_key: tuple[Signer, SignatureVerifier], body: bytes, other: bytes, padding: str
) -> None:
    """A signature verifies its own body (surrounding blanks allowed) and no other."""
    signer, test_verifier = test_key
    signature = signer.sign(body)
    assert test_verifier.verify(body, padding + signature + padding) is True
    assert test_verifier.verify(other, signature) is (other == body)
    assert SIPGATE_VERIFIER.verify(body, signature) is False


# --- the webhook endpoint, through Home Assistant's HTTP server ---------------------------------


class Endpoint:
    """Posts raw requests to the webhook and records what the integration did about them."""

    def __init__(self, hass: HomeAssistant, client: Any, signer: Signer, verify: bool) -> None:
        """Post through ``client``; sign with ``signer`` when asked."""
        self.hass = hass
        self.client = client
        self.signer = signer
        self.verify = verify
        self.events: list[Event] = []
        self.stats: Any = None

        @callback
        def capture(event: Event) -> None:
            if event.event_type.startswith("sipgate_"):
                self.events.append(event)

        self.unsubscribe = hass.bus.async_listen(MATCH_ALL, capture)


@pytest.fixture(params=[True, False], ids=["verified", "unverified"])
async def endpoint(
    request: pytest.FixtureRequest,
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    external_url: str,
    sipgate_settings: AiohttpClientMocker,
    signer: Signer,
    aiohttp_client: Any,
    socket_enabled: None,
) -> AsyncGenerator[Endpoint]:
    """The integration set up with signature verification on (test key) or off."""
    sipgate_settings.get(api_url("calls"), json=load_json("calls.json"))  # polled while calls are connected
    mock_config_entry.add_to_hass(hass)
    hass.config_entries.async_update_entry(
        mock_config_entry, options={**DEFAULT_OPTIONS, CONF_VERIFY_SIGNATURE: request.param}
    )
    await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    client = await aiohttp_client(hass.http.app)
    target = Endpoint(hass, client, signer, request.param)
    target.stats = mock_config_entry.runtime_data.webhook.handler.stats
    yield target
    target.unsubscribe()


SIGNATURE_MODES = ["valid", "valid", "valid", "missing", "garbage", "other-body", "empty"]
ENCODINGS = [None, None, None, "gzip", "deflate", "br", "identity", "x-garbage"]


@st.composite
def requests(draw: st.DrawFn) -> dict[str, Any]:
    """Body, headers and transfer details of one malformed (or sometimes fine) push."""
    body = draw(
        st.one_of(
            ANY_BODY,
            ANY_BODY,
            huge(["a", "event=newCall&callId=1&"], MAX_WEBHOOK_BODY - 50, MAX_WEBHOOK_BODY * 4),
        )
    )
    encoding = draw(st.sampled_from(ENCODINGS))
    if encoding == "gzip" and draw(st.booleans()):
        body = gzip.compress(body)
    elif encoding == "deflate" and draw(st.booleans()):
        body = zlib.compress(body)
    extra = draw(
        st.dictionaries(
            st.sampled_from(
                ["Accept", "User-Agent", "Accept-Charset", "Accept-Encoding", "X-Custom", "Origin"]
            ),
            st.text(st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=40),
            max_size=3,
        )
    )
    return {
        "body": body,
        "content_type": draw(ANY_CONTENT_TYPE),
        "signature": draw(st.sampled_from(SIGNATURE_MODES)),
        "garbage_signature": draw(
            SIGNATURE_HEADERS.filter(lambda s: s is None or ("\r" not in s and "\n" not in s))
        ),
        "encoding": encoding,
        "chunked": draw(st.integers(0, 7)) == 0,
        "extra": extra,
    }


def _header_safe(value: str) -> bool:
    return all(0x20 <= ord(c) < 0x7F or c == "\t" for c in value)


async def _post(endpoint: Endpoint, spec: dict[str, Any]) -> tuple[int, str, bytes, bool]:
    """Send one request; return status, content type, body and whether the signature was valid."""
    body: bytes = spec["body"]
    headers: dict[str, str] = dict(spec["extra"])
    skip: list[str] = []
    content_type = spec["content_type"]
    if content_type is None:
        skip.append("Content-Type")
    elif _header_safe(content_type):
        headers["Content-Type"] = content_type
    else:
        headers["Content-Type"] = FORM
    signed = False
    match spec["signature"]:
        case "valid":
            headers["X-Sipgate-Signature"] = endpoint.signer.sign(body)
            signed = True
        case "other-body":
            headers["X-Sipgate-Signature"] = endpoint.signer.sign(body + b"!")
        case "empty":
            headers["X-Sipgate-Signature"] = ""
        case "garbage" if spec["garbage_signature"] is not None and _header_safe(spec["garbage_signature"]):
            headers["X-Sipgate-Signature"] = spec["garbage_signature"]
    if spec["encoding"] is not None:
        headers["Content-Encoding"] = spec["encoding"]
    data: Any = body
    if spec["chunked"]:

        async def stream() -> AsyncGenerator[bytes]:
            for start in range(0, len(body), 1000):
                yield body[start : start + 1000]

        data = stream()
    try:
        response = await endpoint.client.post(
            spec.get("path") or f"/api/webhook/{WEBHOOK_ID}",
            data=data,
            headers=headers,
            skip_auto_headers=skip,
        )
        return response.status, response.content_type, await response.read(), signed
    except aiohttp.ClientConnectionError:
        # The server answered (413, 400) and closed while the client was still sending.
        return 0, "", b"", signed


def _is_problem(record: logging.LogRecord, spec: dict[str, Any]) -> bool:
    """An error or traceback in the log, other than aiohttp's own about an undecodable body.

    A Content-Encoding that does not decode is aiohttp's business, not the
    integration's: aiohttp refuses an encoding it cannot decode (``br`` without
    Brotli) before any handler runs, and after a reply to a body that failed to
    decode it logs "Unhandled exception" while draining the rest. It logs the same
    for every Home Assistant endpoint (an unregistered webhook even answers 500).
    """
    ours = record.name.startswith(("custom_components", "homeassistant"))
    if record.levelno < logging.ERROR and not (record.exc_info and ours):
        return False
    return not (record.name == "aiohttp.server" and spec["encoding"] in ("gzip", "deflate", "br"))


@settings(max_examples=ENDPOINT_EXAMPLES)
@given(spec=requests())
async def test_fuzz_webhook_endpoint(
    hass: HomeAssistant, endpoint: Endpoint, caplog: pytest.LogCaptureFixture, spec: dict[str, Any]
) -> None:
    """Malformed bodies, headers and encodings: never a 5xx or an error log; no event for bad input."""
    endpoint.events.clear()
    caplog.clear()

    status, content_type, reply, signed = await _post(endpoint, spec)
    await hass.async_block_till_done()

    assert status in (0, 200, 400, 403, 413), status  # never a 5xx
    if status == 0:  # the connection closed early: only after refusing a big or undecodable body
        assert len(spec["body"]) > MAX_WEBHOOK_BODY or spec["encoding"] or spec["chunked"], spec
    if endpoint.verify and not signed:
        assert status in (0, 403, 413, 400), status  # 400: the HTTP server refused the body itself
    if status == 200:
        assert content_type == "application/xml"
        assert xml(reply).tag == "Response"
        assert len(endpoint.events) <= 1  # a repeated push fires nothing
    else:
        assert endpoint.events == []
    problems = [r for r in caplog.records if _is_problem(r, spec)]
    assert problems == [], [r.getMessage() for r in problems]


def _own_user(full_user_id: str) -> bool:
    return re.fullmatch(r"1234567[a-z]+[0-9]+", full_user_id) is not None


def _allowed_refusals(kind: type, expected: dict[str, Any], with_token: bool) -> set[str]:
    """Why a valid, correctly signed push may be refused: it is not bound to this account or call."""
    if not expected["call_id"]:
        return {"no_call_id"}
    if kind is NewCallEvent:
        users = expected["full_user_ids"]
        if users and not any(_own_user(user) for user in users):
            return {"foreign_account"}
        return {"replay"}  # the same call id came in an earlier example, long ago
    if not with_token:
        return {"bad_token"}
    if kind is DtmfEvent:
        return {"no_gather", "replay"}
    return {"replay"}


@settings(max_examples=examples(100))
@given(
    push=valid_push(),
    content_type=st.sampled_from(VALID_CONTENT_TYPES),
    signature=st.sampled_from(SIGNATURE_MODES),
    with_token=st.booleans(),
)
async def test_fuzz_webhook_valid_pushes(
    hass: HomeAssistant,
    endpoint: Endpoint,
    caplog: pytest.LogCaptureFixture,
    push: tuple[bytes, type, dict[str, Any]],
    content_type: str,
    signature: str,
    with_token: bool,
) -> None:
    """Generated valid pushes: one event each (or none for a repeat); refused for a bad signature or binding.

    Follow-ups are posted to the call's own URL (with its token) or, as an attacker would, without it.
    """
    endpoint.events.clear()
    caplog.clear()
    body, kind, expected = push
    spec = {
        "body": body,
        "content_type": content_type,
        "signature": signature,
        "garbage_signature": "not-base64!",
        "encoding": None,
        "chunked": False,
        "extra": {},
        "path": call_path(expected["call_id"], gather=1 if kind is DtmfEvent else None)
        if with_token
        else None,
    }
    refused_before = dict(endpoint.stats.refused)
    status, _, reply, signed = await _post(endpoint, spec)
    await hass.async_block_till_done()
    refused = {reason for reason, count in endpoint.stats.refused.items() if count != refused_before[reason]}

    if endpoint.verify and not signed:
        assert (status, endpoint.events, refused) == (403, [], set())
    elif status == 403:
        assert endpoint.events == []
        assert len(refused) == 1
        assert refused <= _allowed_refusals(kind, expected, with_token), (refused, expected)
    else:
        assert status == 200
        assert not refused
        assert xml(reply).tag == "Response"
        assert len(endpoint.events) <= 1
        for event in endpoint.events:
            assert event.data["call_id"] == expected["call_id"]
            if expected["from_number"] is not None or kind is NewCallEvent:
                assert event.data["from_number"] == expected["from_number"]
    assert not [r for r in caplog.records if r.levelname in ("ERROR", "CRITICAL") or r.exc_info]


HOST_HEADERS = st.one_of(
    st.text(st.characters(min_codepoint=0x21, max_codepoint=0x7E), max_size=60),
    st.sampled_from(
        ['evil.example"><Hangup/>', "a b", "[::1", "host:99999", "h:-1", "ä.example", "", "@", "x/y?z#"]
    ),
)


@pytest.fixture
async def no_url_client(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    sipgate_api: AiohttpClientMocker,
    signer: Signer,
    aiohttp_client: Any,
    socket_enabled: None,
) -> Any:
    """The integration in a Home Assistant without an external URL (no public webhook URL)."""
    mock_config_entry.add_to_hass(hass)
    await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    assert mock_config_entry.runtime_data.webhook.handler.public_url is None
    return await aiohttp_client(hass.http.app)


@settings(max_examples=examples(150))
@given(host=HOST_HEADERS, call=st.integers(0, 10**6))
async def test_fuzz_webhook_host_header_without_public_url(
    hass: HomeAssistant,
    no_url_client: Any,
    signer: Signer,
    caplog: pytest.LogCaptureFixture,
    host: str,
    call: int,
) -> None:
    """Without a public URL the follow-up URLs come from the request: a forged Host cannot break the reply."""
    caplog.clear()
    body = f"event=newCall&callId=H{call}&from=4915799912345&to=4921112345671&direction=in".encode()
    response = await no_url_client.post(
        f"/api/webhook/{WEBHOOK_ID}",
        data=body,
        headers={"Content-Type": FORM, "X-Sipgate-Signature": signer.sign(body), "Host": host},
    )
    status, reply = response.status, await response.read()
    await hass.async_block_till_done()

    assert status in (200, 400), status  # 400: the HTTP server refused the Host header itself
    if status == 200:
        root = xml(reply)
        assert root.tag == "Response"
        assert list(root) == []
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info] == []
