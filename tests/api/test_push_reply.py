"""Building the XML reply to a push request."""

from dataclasses import FrozenInstanceError
from typing import Any
from xml.etree import ElementTree as ET

import pytest

from custom_components.sipgate.api.exceptions import SipgateValidationError
from custom_components.sipgate.api.push_reply import (
    DEFAULT_GATHER_MAX_DIGITS,
    DEFAULT_GATHER_TIMEOUT_MS,
    MAX_DIAL_NUMBERS,
    REPLY_CONTENT_TYPE,
    Dial,
    Gather,
    Hangup,
    Play,
    Reject,
    RejectReason,
    ReplyAction,
    Voicemail,
    build_reply,
)

from ..conftest import load_json

DECLARATION = b'<?xml version="1.0" encoding="UTF-8"?>\n'
HOOK = "https://ha.example.com/api/webhook/abc123"
WAV = "https://example.com/example.wav"
ACTIONS: dict[str, type[ReplyAction]] = {
    cls.__name__: cls for cls in (Dial, Voicemail, Reject, Play, Gather, Hangup)
}
XML_CASES = load_json("push/xml_replies.json")["cases"]


def reply(action: ReplyAction | None, on_answer: str | None = None, on_hangup: str | None = None) -> bytes:
    """The reply with the XML declaration stripped, for short expectations."""
    body = build_reply(action, on_answer=on_answer, on_hangup=on_hangup)
    assert body.startswith(DECLARATION)
    return body.removeprefix(DECLARATION)


def parse_xml(xml: bytes) -> ET.Element:
    """Parse XML the test made itself or copied from the vectors (trusted input)."""
    return ET.fromstring(xml)  # noqa: S314


def _tree(element: ET.Element) -> tuple[Any, ...]:
    """Tag, attributes, text and children: what two XML documents must agree on."""
    return (
        element.tag,
        dict(element.attrib),
        (element.text or "").strip(),
        [_tree(child) for child in element],
    )


def test_content_type_and_declaration() -> None:
    """The reply is UTF-8 XML with sipgate's declaration, sent as application/xml."""
    assert REPLY_CONTENT_TYPE == "application/xml"
    assert build_reply(None, on_answer=None, on_hangup=None) == DECLARATION + b"<Response />"


@pytest.mark.parametrize(
    ("action", "on_answer", "on_hangup", "expected"),
    [
        (None, HOOK, HOOK, f'<Response onAnswer="{HOOK}" onHangup="{HOOK}" />'),
        (None, HOOK, None, f'<Response onAnswer="{HOOK}" />'),
        (None, None, HOOK, f'<Response onHangup="{HOOK}" />'),
        (
            Dial(["4915799912345"]),
            None,
            None,
            "<Response><Dial><Number>4915799912345</Number></Dial></Response>",
        ),
        (
            Dial(["+4915799912345", "492111234567"], caller_id="+492111234567", anonymous=True),
            HOOK,
            HOOK,
            f'<Response onAnswer="{HOOK}" onHangup="{HOOK}"><Dial callerId="492111234567" anonymous="true">'
            "<Number>4915799912345</Number><Number>492111234567</Number></Dial></Response>",
        ),
        (
            Dial(["4915799912345"], anonymous=False),
            None,
            None,
            '<Response><Dial anonymous="false"><Number>4915799912345</Number></Dial></Response>',
        ),
        (Voicemail(), None, None, "<Response><Dial><Voicemail /></Dial></Response>"),
        (Reject(), None, None, "<Response><Reject /></Response>"),
        (Reject("busy"), None, None, '<Response><Reject reason="busy" /></Response>'),
        (
            Reject(RejectReason.REJECTED),
            None,
            None,
            '<Response><Reject reason="rejected" /></Response>',
        ),
        (Play(WAV), None, None, f"<Response><Play><Url>{WAV}</Url></Play></Response>"),
        (
            Gather(HOOK),
            None,
            None,
            f'<Response><Gather onData="{HOOK}" maxDigits="1" timeout="2000" /></Response>',
        ),
        (
            Gather(HOOK, max_digits=4, timeout_ms=10000, play_url=WAV),
            HOOK,
            HOOK,
            f'<Response onAnswer="{HOOK}" onHangup="{HOOK}"><Gather onData="{HOOK}" maxDigits="4" '
            f'timeout="10000"><Play><Url>{WAV}</Url></Play></Gather></Response>',
        ),
        (Hangup(), None, None, "<Response><Hangup /></Response>"),
    ],
    ids=[
        "follow-ups",
        "on-answer",
        "on-hangup",
        "dial",
        "dial-all",
        "dial-not-anonymous",
        "voicemail",
        "reject",
        "reject-busy",
        "reject-rejected",
        "play",
        "gather",
        "gather-play",
        "hangup",
    ],
)
def test_exact_bytes(
    action: ReplyAction | None, on_answer: str | None, on_hangup: str | None, expected: str
) -> None:
    """Every verb serialises to exactly these bytes (compact, attributes in the docs' order)."""
    assert reply(action, on_answer, on_hangup) == expected.encode("utf-8")


def test_special_characters_are_escaped() -> None:
    """``& < > "`` in URLs are escaped by the XML library and read back unchanged."""
    tricky = 'https://example.com/a.wav?x=1&y=<2>&z="3"'
    body = build_reply(
        Gather(tricky, play_url=tricky), on_answer=tricky + "&answer", on_hangup=tricky + "&hangup"
    )

    escaped = "https://example.com/a.wav?x=1&amp;y=&lt;2&gt;&amp;z=&quot;3&quot;"
    assert (
        body
        == DECLARATION
        + (
            f'<Response onAnswer="{escaped}&amp;answer" onHangup="{escaped}&amp;hangup">'
            f'<Gather onData="{escaped}" maxDigits="1" timeout="2000"><Play>'
            '<Url>https://example.com/a.wav?x=1&amp;y=&lt;2&gt;&amp;z="3"</Url></Play></Gather></Response>'
        ).encode()
    )
    root = parse_xml(body)
    assert root.get("onAnswer") == tricky + "&answer"
    assert root.get("onHangup") == tricky + "&hangup"
    gather = root.find("Gather")
    assert gather is not None
    assert gather.get("onData") == tricky
    assert root.findtext("Gather/Play/Url") == tricky


def test_non_ascii_url_is_utf8() -> None:
    """Non-ASCII characters are written as UTF-8, matching the declaration."""
    url = "https://example.com/ansage-grüße.wav"
    body = build_reply(Play(url), on_answer=None, on_hangup=None)

    assert "grüße".encode() in body
    assert parse_xml(body).findtext("Play/Url") == url


def _action(spec: dict[str, Any] | None) -> ReplyAction | None:
    if spec is None:
        return None
    return ACTIONS[spec["type"]](**spec["kwargs"])


@pytest.mark.parametrize("case", XML_CASES, ids=lambda case: f"{case['source']}-{case['name']}")
def test_matches_docs_and_node_library(case: dict[str, Any]) -> None:
    """Semantically the same XML as sipgate's docs and the Node library, minus its bugs."""
    body = build_reply(_action(case["action"]), on_answer=case["on_answer"], on_hangup=case["on_hangup"])

    expected = parse_xml(case["xml"].encode())
    if case["known_node_bug"]:
        dial = expected.find("Dial")
        assert dial is not None
        assert dial.attrib.pop("anonymous") == "undefined"
        assert b"undefined" not in body
    assert _tree(parse_xml(body)) == _tree(expected)


def test_dial_normalises_numbers() -> None:
    """Numbers and caller ID are kept as digits without ``+``, numbers as a tuple."""
    dial = Dial(["+4915799912345", " 492111234567 "], caller_id="+492111234567")

    assert dial.numbers == ("4915799912345", "492111234567")
    assert dial.caller_id == "492111234567"
    assert dial.anonymous is None
    assert Dial("+4915799912345").numbers == ("4915799912345",)
    assert Dial(number for number in ["1", "2"]).numbers == ("1", "2")  # type: ignore[arg-type]
    assert Dial(["1"] * MAX_DIAL_NUMBERS).numbers == ("1",) * MAX_DIAL_NUMBERS
    with pytest.raises(FrozenInstanceError):
        dial.caller_id = "1"  # type: ignore[misc]


def test_defaults() -> None:
    """Gather defaults to one digit and two seconds; Reject to sipgate's default reason."""
    gather = Gather(HOOK)

    assert (gather.max_digits, gather.timeout_ms, gather.play_url) == (1, 2000, None)
    assert (DEFAULT_GATHER_MAX_DIGITS, DEFAULT_GATHER_TIMEOUT_MS) == (1, 2000)
    assert Reject().reason is None
    assert Reject("busy").reason is RejectReason.BUSY


def test_equal_replies_and_distinct_actions() -> None:
    """Equal input gives equal output; actions without fields are not mixed up (reuse is safe)."""
    first = reply(Dial(["+49211"]), HOOK, HOOK)

    assert reply(Dial(["49211"]), HOOK, HOOK) == first
    assert reply(Voicemail()) != reply(Hangup())
    assert reply(Voicemail()) == b"<Response><Dial><Voicemail /></Dial></Response>"
    assert reply(Hangup()) == b"<Response><Hangup /></Response>"
    assert reply(Reject()) != reply(Reject("rejected"))


@pytest.mark.parametrize(
    ("make", "field", "message"),
    [
        (lambda: Dial([]), "numbers", "numbers must hold 1 to 5 phone numbers, got 0"),
        (lambda: Dial(["1"] * 6), "numbers", "numbers must hold 1 to 5 phone numbers, got 6"),
        (lambda: Dial(None), "numbers", "numbers must be a list of phone numbers"),
        (lambda: Dial(4915799912345), "numbers", "numbers must be a list of phone numbers"),
        (lambda: Dial(["anonymous"]), "numbers", "'anonymous' is not a phone number"),
        (lambda: Dial(["Anonymous"]), "numbers", "'anonymous' is not a phone number"),
        (lambda: Dial([""]), "numbers", "'' is not a phone number"),
        (lambda: Dial(["+"]), "numbers", r"'\+' is not a phone number"),
        (lambda: Dial(["0211 1234567"]), "numbers", "'0211 1234567' is not a phone number"),
        (lambda: Dial(["++49211"]), "numbers", "is not a phone number"),
        (lambda: Dial(["\uff14\uff19\uff12\uff11\uff11"]), "numbers", "is not a phone number"),
        (lambda: Dial(["49211", 49211]), "numbers", "numbers: 49211 is not a phone number"),
        (lambda: Dial(["49211"], caller_id="anonymous"), "caller_id", "set anonymous=True"),
        (lambda: Dial(["49211"], caller_id="sipgate"), "caller_id", "'sipgate' is not a phone number"),
        (lambda: Dial(["49211"], anonymous="true"), "anonymous", "anonymous must be true, false or unset"),
        (lambda: Dial(["49211"], anonymous=1), "anonymous", "anonymous must be true, false or unset"),
        (lambda: Reject("maybe"), "reason", "reason must be 'rejected' or 'busy', got 'maybe'"),
        (lambda: Reject("BUSY"), "reason", "reason must be 'rejected' or 'busy'"),
        (lambda: Reject(""), "reason", "reason must be 'rejected' or 'busy'"),
        (lambda: Play("ftp://example.com/a.wav"), "url", "url must be an absolute http:// or https:// URL"),
        (lambda: Play("/local/a.wav"), "url", "url must be an absolute http:// or https:// URL"),
        (lambda: Play("example.com/a.wav"), "url", "url must be an absolute http:// or https:// URL"),
        (lambda: Play("https://"), "url", "url must be an absolute http:// or https:// URL"),
        (lambda: Play("https://:443/a.wav"), "url", "url must be an absolute http:// or https:// URL"),
        (lambda: Play("http://[::1/a.wav"), "url", "url must be an absolute http:// or https:// URL"),
        (lambda: Play(""), "url", "url must be an absolute http:// or https:// URL"),
        (lambda: Play(None), "url", "url must be an absolute http:// or https:// URL"),
        (lambda: Play("https://example.com/a b.wav"), "url", "must not contain spaces or control characters"),
        (lambda: Play("https://example.com/a.wav\n"), "url", "must not contain spaces or control characters"),
        (
            lambda: Play("https://example.com/\x00.wav"),
            "url",
            "must not contain spaces or control characters",
        ),
        (lambda: Play("https://example.com/\ud800.wav"), "url", "must not contain spaces or control"),
        (lambda: Gather("mailto:a@example.com"), "on_data_url", "on_data_url must be an absolute http"),
        (lambda: Gather(HOOK, max_digits=0), "max_digits", "max_digits must be a whole number of at least 1"),
        (lambda: Gather(HOOK, max_digits=-1), "max_digits", "at least 1, got -1"),
        (lambda: Gather(HOOK, max_digits=True), "max_digits", "at least 1, got True"),
        (lambda: Gather(HOOK, max_digits=1.5), "max_digits", "at least 1, got 1.5"),
        (lambda: Gather(HOOK, max_digits="3"), "max_digits", "at least 1, got '3'"),
        (lambda: Gather(HOOK, timeout_ms=0), "timeout_ms", "timeout_ms must be a whole number of at least 1"),
        (lambda: Gather(HOOK, play_url="file:///a.wav"), "play_url", "play_url must be an absolute http"),
    ],
)
def test_validation_errors(make: Any, field: str, message: str) -> None:
    """Bad input is refused when the action is made, naming the field and the value."""
    with pytest.raises(SipgateValidationError, match=message) as caught:
        make()
    assert caught.value.field == field
    assert isinstance(caught.value, ValueError)


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"on_answer": "/relative", "on_hangup": None}, "on_answer"),
        ({"on_answer": None, "on_hangup": "javascript:alert(1)"}, "on_hangup"),
        ({"on_answer": HOOK, "on_hangup": "https://example.com/\r\n"}, "on_hangup"),
        ({"on_answer": [HOOK], "on_hangup": None}, "on_answer"),
    ],
    ids=["relative", "javascript", "newline", "unhashable"],
)
def test_follow_up_urls_are_validated(kwargs: dict[str, Any], field: str) -> None:
    """``onAnswer``/``onHangup`` must be absolute http(s) URLs too."""
    with pytest.raises(SipgateValidationError, match="must") as caught:
        build_reply(Hangup(), **kwargs)
    assert caught.value.field == field


@pytest.mark.parametrize("action", ["Hangup", ["Hangup"], {"Dial": "49211"}, 5], ids=repr)
def test_unknown_actions_are_refused(action: Any) -> None:
    """Only the reply action classes can be serialised."""
    with pytest.raises(SipgateValidationError, match="not a reply action") as caught:
        build_reply(action, on_answer=None, on_hangup=None)
    assert caught.value.field == "action"
