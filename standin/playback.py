"""Playing a call against the integration, the way sipgate's push API does.

``POST /_standin/calls`` takes a JSON object (all keys optional except where a
default cannot be found)::

    {
      "webhook_url": "http://127.0.0.1:8123/api/webhook/<id>",  # default: the stored incoming/outgoing URL
      "from": "+4915799912345",     # E.164 (with or without +) or "anonymous"
      "to": "+4921112345671",
      "direction": "in",            # or "out"
      "users": ["w0"],              # who rings; default: the users of the number's line (all for a group)
      "call_id": "…",               # default: a random one
      "diversion": "+49…",          # optional: the number the call was forwarded from
      "script": [{"answer": true}, {"dtmf": "1234"}, {"wait": 2}, {"hangup": "normalClearing"}],
      "voicemail": {"transcription": "…", "duration": 12, "after": 20}  # optional, see below
    }

The stand-in posts a signed ``newCall`` (form-encoded like sipgate: repeated
``user%5B%5D`` keys, numbers without ``+``), reads the XML reply and follows
it: ``<Dial>`` answers the call by the first number (or the voicemail),
``<Reject>`` ends it (``busy`` → cause ``busy``, ``rejected`` → ``noAnswer``),
``<Hangup>`` ends it (``normalClearing``), ``<Play>`` fetches its URL, checks
the file is WAV mono 16-bit PCM 8 kHz (:mod:`standin.audio`; otherwise the call
goes on without the audio, as with sipgate) and goes on,
``<Gather onData=…>`` takes the next ``dtmf`` step of the script (or none: a
timeout) and posts a ``dtmf`` push to ``onData``, whose reply is followed in
turn. Then the rest of the script runs:

* ``{"answer": true}`` or ``{"answer": "w1"}``: the call is answered (by the
  first ringing user, or that user); an ``answer`` push goes to ``onAnswer``
  when the reply asked for it. An answered call is listed by ``GET /calls``.
* ``{"dtmf": "1234"}``: digits for the next ``<Gather>`` (ignored when none waits).
* ``{"wait": 1.5}``: seconds to wait (at most 60); the call stays as it is, and
  ``DELETE /calls/{id}`` or a blind transfer ends it meanwhile.
* ``{"hangup": "normalClearing"}`` (any cause, or ``true`` for the default):
  the call ends; a ``hangup`` push goes to ``onHangup`` when the reply asked for it.

With ``voicemail`` the caller leaves a voicemail (as if the account's voicemail
had taken the call): once the call has ended, a ``VOICEMAIL`` entry joins the
history (``after`` seconds later, at most 60, like sipgate's lag; default at
once), with ``duration`` (default 12), the ``transcription`` when given, and a
``recordingUrl`` the stand-in serves (``GET /_standin/recordings/<id>.mp3``).
The report names it as ``voicemail_id``.

A call the script does not end is hung up at the end: ``normalClearing``
when it was answered, ``cancel`` (the caller gave up) when not. ``DELETE
/calls/{id}`` ends it too (``normalClearing``), a blind transfer through
``POST /calls/{id}/transfer`` with cause ``forwarded``. The answer reports
every push (event, URL, body, the reply's status, content type and text, an
``xml_error``, and the outcomes that followed it), every outcome
(``"rejected: busy"``, ``"redirected to 4915799912345"``, ``"gathered 1234"``,
``"played https://… (1.20 s)"``, ``"did not play https://…: …"`` …), every
announcement fetched (``audio``: url, accepted, error, duration) and the
history entry the call left.

The request is read and checked by :mod:`standin.call_request`; this module plays it.

Why one module of this size: playing a call is one state machine (:class:`CallPlayer`) whose
steps share the call's state: the pushes it sends, the replies it follows, the timeline.
"""

import asyncio
from collections import deque
from dataclasses import dataclass, field
from datetime import UTC, datetime
import logging
from typing import Final
from urllib.parse import urlencode
from xml.etree import ElementTree as ET

import aiohttp

from .audio import fetch_announcement
from .call_request import AnswerStep, CallSpec, DtmfStep, HangupStep, Step, WaitStep, http_url, wire_number
from .keys import PushSigner
from .state import Account, Json, LiveCall, now_iso

LOGGER = logging.getLogger(__name__)

PUSH_CONTENT_TYPE: Final = "application/x-www-form-urlencoded; charset=UTF-8"
PUSH_HEADERS: Final = {
    "Content-Type": PUSH_CONTENT_TYPE,
    "Accept": "application/xml, text/plain, text/html",
    "User-Agent": "sipgate.io",
}
PUSH_TIMEOUT: Final = 10.0  # sipgate waits at most this long for a reply
MAX_REPLIES: Final = 20  # replies followed in one call (a Gather may loop)


@dataclass(frozen=True, slots=True)
class Reply:
    """What a push reply says."""

    on_answer: str | None = None
    on_hangup: str | None = None
    action: ET.Element | None = None
    error: str | None = None


def read_reply(body: bytes) -> Reply:
    """Read a push reply's XML (an empty body is a reply without instructions)."""
    if not body.strip():
        return Reply()
    try:
        # The reply comes from the local integration under test; the stand-in is a development
        # tool, and Python's expat refuses entity expansion attacks since 3.7.1 / expat 2.4.
        root = ET.fromstring(body)  # noqa: S314
    except ET.ParseError as err:
        return Reply(error=f"not XML: {err}")
    if root.tag != "Response":
        return Reply(error=f"the root element is <{root.tag}>, not <Response>")
    actions = list(root)
    if len(actions) > 1:
        return Reply(error=f"more than one action: {', '.join(f'<{a.tag}>' for a in actions)}")
    return Reply(
        on_answer=root.get("onAnswer"), on_hangup=root.get("onHangup"), action=actions[0] if actions else None
    )


@dataclass
class _Playback:
    """One call being played: where its follow-ups go and what happened."""

    spec: CallSpec
    queue: deque[Step]
    on_answer: str | None = None
    on_hangup: str | None = None
    answered: bool = False
    answering_number: str | None = None
    ended: bool = False
    cause: str | None = None
    live: LiveCall | None = None
    pushes: int = 0
    started: datetime = field(default_factory=lambda: datetime.now(UTC))
    steps: list[Json] = field(default_factory=list)
    outcomes: list[str] = field(default_factory=list)
    audio: list[Json] = field(default_factory=list)
    history_id: str | None = None
    voicemail_id: str | None = None

    def outcome(self, text: str) -> None:
        """Note what happened; a push step lists what happened after it, up to the next push."""
        self.outcomes.append(text)
        if self.steps:
            self.steps[-1].setdefault("outcomes", []).append(text)


class CallPlayer:
    """Plays calls against a webhook URL with the stand-in's account and key."""

    def __init__(
        self,
        session: aiohttp.ClientSession,
        signer: PushSigner,
        account: Account,
        *,
        push_timeout: float = PUSH_TIMEOUT,
    ) -> None:
        """Post with ``session``, sign with ``signer``, keep state in ``account``."""
        self._session = session
        self._signer = signer
        self._account = account
        self.push_timeout = push_timeout
        self.stopping = asyncio.Event()

    def stop(self) -> None:
        """The stand-in stops: end every call, send no more pushes."""
        self.stopping.set()
        for call in list(self._account.live_calls.values()):
            call.end("the stand-in stopping")

    # --- the wire ------------------------------------------------------------------------------------

    def _common_tail(self, spec: CallSpec) -> list[tuple[str, str]]:
        pairs = [("origCallId", spec.call_id), ("xcid", spec.xcid)]
        if spec.diversion:
            pairs.append(("diversion", wire_number(spec.diversion)))
        return pairs

    def _numbers(self, spec: CallSpec) -> list[tuple[str, str]]:
        return [
            ("from", wire_number(spec.from_number)),
            ("to", wire_number(spec.to_number)),
            ("direction", spec.direction),
        ]

    def _full_user_id(self, user_id: str) -> str:
        return f"{self._account.userinfo.get('masterSipId', '')}{user_id}"

    async def _push(self, play: _Playback, event: str, url: str, pairs: list[tuple[str, str]]) -> bytes:
        """Post one signed push; return the reply body (empty when there is none to follow)."""
        body = urlencode(pairs).encode("ascii")
        step: Json = {"event": event, "url": url, "body": body.decode("ascii")}
        play.steps.append(step)
        play.pushes += 1
        if self.stopping.is_set():
            step["error"] = "not sent: the stand-in is stopping"
            return b""
        headers = {**PUSH_HEADERS, "X-Sipgate-Signature": self._signer.sign(body)}
        reply = b""
        status: int | None = None
        try:
            async with (
                asyncio.timeout(self.push_timeout),
                self._session.post(url, data=body, headers=headers, allow_redirects=False) as response,
            ):
                raw = await response.read()
                status = response.status
                step["response"] = {
                    "status": status,
                    "content_type": response.content_type,
                    "text": raw.decode("utf-8", "replace"),
                }
                if 200 <= status < 300:
                    reply = raw
                else:
                    step["error"] = f"HTTP {status}: sipgate goes on as if there were no reply"
        except TimeoutError:
            step["error"] = (
                f"no reply within {self.push_timeout} s: sipgate goes on as if there were no reply"
            )
        except aiohttp.ClientError as err:
            step["error"] = f"cannot post to {url}: {err}"
        if reply and (xml_error := read_reply(reply).error):
            step["xml_error"] = xml_error
        if "error" in step:
            LOGGER.warning("Push %s to %s: %s", event, url, step["error"])
        self._log_push(url, body, step, status)
        return reply

    def _log_push(self, url: str, body: bytes, step: Json, status: int | None) -> None:
        """Add the push to sipgate's push log (``GET /log/webhooks``) when ``log`` is on."""
        if not self._account.webhook_settings.get("log"):
            return
        response = step.get("response") or {}
        self._account.webhook_log.insert(
            0,
            {
                "created": now_iso(),
                "url": url,
                "request": body.decode("ascii"),
                "response": response.get("text", ""),
                "xmlError": step.get("xml_error", ""),
                "status": str(status) if status is not None else "600",
            },
        )

    # --- following replies -------------------------------------------------------------------------

    async def _follow(self, play: _Playback, body: bytes, *, event: str) -> None:
        """Do what a reply says (replies to ``answer``/``hangup`` are not followed, like sipgate)."""
        reply = read_reply(body)
        if reply.error:
            play.outcome(f"invalid reply to {event} ({reply.error}): no instructions")
            return
        play.on_answer = reply.on_answer or play.on_answer
        play.on_hangup = reply.on_hangup or play.on_hangup
        action = reply.action
        if action is None:
            play.outcome(f"no instructions in the reply to {event}")
            return
        match action.tag:
            case "Dial":
                await self._dial(play, action)
            case "Reject":
                reason = action.get("reason") or "rejected"
                play.outcome(f"rejected: {reason}")
                await self._hangup(play, "busy" if reason == "busy" else "noAnswer")
            case "Hangup":
                play.outcome("hung up by the reply")
                await self._hangup(play, "normalClearing")
            case "Play":
                await self._play_audio(play, action.findtext("Url", "").strip())
            case "Gather":
                await self._gather(play, action)
            case _:
                play.outcome(f"unknown action <{action.tag}> ignored")

    async def _play_audio(self, play: _Playback, url: str) -> None:
        """Fetch and check the announcement like sipgate; note whether it played."""
        check = await fetch_announcement(self._session, url)
        play.audio.append(check.to_json())
        play.outcome(check.outcome)

    async def fetch_announcement(self, url: str) -> dict[str, object]:
        """An announcement of ``POST /calls/{callId}/announcements``, fetched and checked."""
        return (await fetch_announcement(self._session, url)).to_json()

    async def _dial(self, play: _Playback, action: ET.Element) -> None:
        if action.find("Voicemail") is not None:
            play.outcome("sent to voicemail")
            await self._answer(play, None, play.spec.account_number)
            return
        numbers = [(number.text or "").strip() for number in action.findall("Number")]
        numbers = [number for number in numbers if number]
        if not numbers:
            play.outcome("invalid <Dial> without <Number> or <Voicemail>: ignored")
            return
        text = f"redirected to {', '.join(numbers)}"
        if caller_id := action.get("callerId"):
            text += f" with caller id {caller_id}"
        if action.get("anonymous") == "true":
            text += " anonymously"
        play.outcome(text)
        await self._answer(play, None, "+" + numbers[0].removeprefix("+"))

    async def _gather(self, play: _Playback, action: ET.Element) -> None:
        on_data = action.get("onData")
        if not http_url(on_data):
            play.outcome(f"invalid <Gather>: onData {on_data!r} is not an http(s) URL")
            return
        try:
            max_digits = max(1, int(action.get("maxDigits") or 1))
        except ValueError:
            play.outcome(f"invalid <Gather>: maxDigits {action.get('maxDigits')!r}")
            return
        if play_url := action.findtext("Play/Url"):
            await self._play_audio(play, play_url.strip())
        digits = ""
        if play.queue and isinstance(play.queue[0], DtmfStep):
            step = play.queue.popleft()
            assert isinstance(step, DtmfStep)  # noqa: S101
            digits = step.digits[:max_digits]
        play.outcome(f"gathered {digits}" if digits else "gathered nothing (timeout)")
        if play.pushes >= MAX_REPLIES:
            play.outcome(f"stopped after {MAX_REPLIES} pushes")
            await self._hangup(play, "normalClearing")
            return
        pairs = [
            ("event", "dtmf"),
            ("dtmf", digits),
            ("callId", play.spec.call_id),
            ("origCallId", play.spec.call_id),
        ]
        reply = await self._push(play, "dtmf", str(on_data), pairs)
        await self._follow(play, reply, event="dtmf")

    # --- call states ---------------------------------------------------------------------------------

    async def _answer(self, play: _Playback, user: Json | None, answering_number: str) -> None:
        if play.answered:
            play.outcome("already answered")
            return
        spec = play.spec
        play.answered = True
        play.answering_number = answering_number
        if play.live is not None:
            play.live.established = True
        if not http_url(play.on_answer):
            play.outcome("no onAnswer URL in the reply: no answer push")
            return
        user_fields = (
            [
                ("user", self._account.user_name(user)),
                ("userId", str(user["id"])),
                ("fullUserId", self._full_user_id(str(user["id"]))),
            ]
            if user is not None
            else [("user", ""), ("userId", ""), ("fullUserId", "")]
        )
        pairs = [
            ("event", "answer"),
            ("callId", spec.call_id),
            *user_fields,
            *self._numbers(spec),
            ("answeringNumber", wire_number(answering_number)),
            *self._common_tail(spec),
        ]
        await self._push(play, "answer", str(play.on_answer), pairs)

    async def _hangup(self, play: _Playback, cause: str) -> None:
        if play.ended:
            return
        spec = play.spec
        play.ended = True
        play.cause = cause
        if play.live is not None:
            self._account.live_calls.pop(spec.call_id, None)
            play.live.end("hangup")
        play.outcome(f"hangup: {cause}")
        if http_url(play.on_hangup):
            pairs = [("event", "hangup"), ("cause", cause), ("callId", spec.call_id), *self._numbers(spec)]
            if play.answering_number:
                pairs.append(("answeringNumber", wire_number(play.answering_number)))
            pairs += self._common_tail(spec)
            await self._push(play, "hangup", str(play.on_hangup), pairs)
        else:
            play.outcome("no onHangup URL in the reply: no hangup push")
        entry = self._account.record_played_call(
            spec.call_id,
            direction=spec.direction,
            remote=spec.remote_number,
            account_number=spec.account_number,
            answered=play.answered,
            cause=cause,
            started=play.started,
            users=spec.users,
        )
        play.history_id = str(entry["id"])
        if (voicemail := spec.voicemail) is not None:
            play.voicemail_id = self._account.new_id()
            play.outcome(f"voicemail {play.voicemail_id} left")

            def leave(voicemail_id: str = play.voicemail_id) -> None:
                self._account.record_voicemail(
                    voicemail_id,
                    caller=spec.remote_number,
                    account_number=spec.account_number,
                    duration=voicemail.duration,
                    transcription=voicemail.transcription,
                )

            if voicemail.after:
                asyncio.get_running_loop().call_later(voicemail.after, leave)
            else:
                leave()

    async def _ended_elsewhere(self, play: _Playback) -> bool:
        """End the playback when the call was ended from outside (REST hang-up or transfer, stopping)."""
        live = play.live
        if live is None or not live.ended.is_set() or play.ended:
            return False
        play.outcome(f"ended by {live.ended_by}")
        cause = "forwarded" if (live.ended_by or "").startswith("a transfer") else "normalClearing"
        await self._hangup(play, cause)
        return True

    async def _wait(self, play: _Playback, seconds: float) -> None:
        play.outcome(f"waited {seconds:g} s")
        waiters = [asyncio.ensure_future(self.stopping.wait())]
        if play.live is not None:
            waiters.append(asyncio.ensure_future(play.live.ended.wait()))
        try:
            await asyncio.wait(waiters, timeout=seconds, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for waiter in waiters:
                waiter.cancel()

    # --- the call ------------------------------------------------------------------------------------

    def _new_call_pairs(self, spec: CallSpec) -> list[tuple[str, str]]:
        pairs = [
            ("event", "newCall"),
            *self._numbers(spec),
            ("callId", spec.call_id),
            ("origCallId", spec.call_id),
        ]
        pairs += [("user[]", self._account.user_name(user)) for user in spec.users]
        pairs += [("userId[]", str(user["id"])) for user in spec.users]
        pairs += [("fullUserId[]", self._full_user_id(str(user["id"]))) for user in spec.users]
        pairs.append(("xcid", spec.xcid))
        if spec.diversion:
            pairs.append(("diversion", wire_number(spec.diversion)))
        return pairs

    async def play(self, spec: CallSpec) -> Json:
        """Play the call to its end; return the report."""
        play = _Playback(spec, deque(spec.script))
        # Known from the start (DELETE /calls/{id} ends a ringing call), listed once established.
        play.live = LiveCall(spec.call_id, spec.direction, spec.account_number, spec.remote_number)
        self._account.live_calls[spec.call_id] = play.live
        reply = await self._push(play, "newCall", spec.webhook_url, self._new_call_pairs(spec))
        await self._follow(play, reply, event="newCall")
        while not play.ended and play.queue:
            if await self._ended_elsewhere(play):
                break
            step = play.queue.popleft()
            match step:
                case AnswerStep(user_id=user_id):
                    user = self._account.user(user_id) if user_id else (spec.users[0] if spec.users else None)
                    if user_id and user is None:
                        play.outcome(f"answer by {user_id!r} ignored: the account has no such user")
                        continue
                    who = str(user["id"]) if user else "the account"
                    play.outcome(f"answered by {who}")
                    await self._answer(play, user if spec.direction == "in" else None, spec.to_number)
                case DtmfStep(digits=digits):
                    play.outcome(f"dtmf {digits} ignored: no <Gather> is waiting for digits")
                case WaitStep(seconds=seconds):
                    await self._wait(play, seconds)
                case HangupStep(cause=cause):
                    await self._hangup(play, cause or ("normalClearing" if play.answered else "cancel"))
        if not await self._ended_elsewhere(play) and not play.ended:
            await self._hangup(play, "normalClearing" if play.answered else "cancel")
        report: Json = {
            "callId": spec.call_id,
            "from": spec.from_number,
            "to": spec.to_number,
            "direction": spec.direction,
            "webhook_url": spec.webhook_url,
            "users": [str(user["id"]) for user in spec.users],
            "answered": play.answered,
            "cause": play.cause,
            "outcomes": play.outcomes,
            "audio": play.audio,
            # What the REST API did to the call meanwhile (announcements with their audio check …).
            "call_actions": list(play.live.actions) if play.live is not None else [],
            "steps": play.steps,
            "unused_script": [_step_json(step) for step in play.queue],
            "history_id": play.history_id,
            "voicemail_id": play.voicemail_id,
        }
        self._account.played_calls.append(report)
        return report


def _step_json(step: Step) -> Json:
    match step:
        case AnswerStep(user_id=user_id):
            return {"answer": user_id or True}
        case DtmfStep(digits=digits):
            return {"dtmf": digits}
        case WaitStep(seconds=seconds):
            return {"wait": seconds}
        case HangupStep(cause=cause):
            return {"hangup": cause or True}
