"""The stand-in's sipgate account: realistic data in memory, seeded from ``standin/data``.

``standin/data`` holds the JSON sipgate answers for a small team account (two
users, their devices, phone lines, forwardings, numbers, voicemails, a
history and contacts; the same data the test suite uses), plus
``extras.json`` for what the fixtures do not cover (balance, SMS extensions
and sender numbers, fax lines, anonymous-call blocking, webhook settings).
Files named ``devices_<user>.json``, ``phonelines_<user>.json`` and
``forwardings_<user>_<line>.json`` belong to that user (and line).

Everything a request changes stays changed until :meth:`Account.reset`.

Why one module of this size: it is the one account every REST area of the stand-in reads
and changes (users, devices, lines, numbers, history, contacts, calls, settings), so that a
change made through one endpoint shows in the others as on sipgate; the handlers live in
``standin/rest/``.
"""

import asyncio
from collections.abc import Iterable, Mapping
import copy
from dataclasses import dataclass, field
from datetime import UTC, datetime
import itertools
import json
from pathlib import Path
import secrets
from typing import Any, Final

DATA_DIR: Final = Path(__file__).parent / "data"
DEFAULT_HISTORY_LIMIT: Final = 10
DEFAULT_CONTACTS_LIMIT: Final = 5000
# GET /history/{id} of a sent fax answers PENDING this many times, then SENT.
DEFAULT_FAX_PENDING_POLLS: Final = 2

type Json = dict[str, Any]


def load_seed(data_dir: Path = DATA_DIR) -> dict[str, Any]:
    """Every ``*.json`` of the data directory, by file name without ``.json``."""
    return {
        path.stem: json.loads(path.read_text(encoding="utf-8")) for path in sorted(data_dir.glob("*.json"))
    }


def _e164(number: str) -> str:
    """A German-style number in E.164 (``0211 987`` → ``+49211987``), good enough for matching."""
    digits = "".join(char for char in number if char.isdigit())
    if number.strip().startswith("+"):
        return "+" + digits
    if digits.startswith("00"):
        return "+" + digits[2:]
    if digits.startswith("0"):
        return "+49" + digits[1:]
    return "+" + digits


def silent_mp3(seconds: int) -> bytes:
    """An MP3 of about ``seconds`` of silence, after an empty ID3 tag."""
    # A frame header (MPEG-1 Layer III, 32 kbit/s, 32 kHz, mono, no padding) and its zeroed body: 144 bytes.
    frame = b"\xff\xfb\x18\xc4" + bytes(140)
    return b"ID3\x04\x00\x00\x00\x00\x00\x00" + frame * max(1, round(seconds * 32000 / 1152))


def now_iso() -> str:
    """The current time as sipgate writes it (``2026-11-26T08:15:02Z``)."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_time(value: str) -> datetime | None:
    """An ISO 8601 time (``Z`` or an offset); naive times are UTC."""
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


@dataclass
class RecordedRequest:
    """One request the stand-in received under its REST API."""

    method: str
    path: str
    query: list[tuple[str, str]]
    body: Any
    valid: bool = True
    error: str | None = None
    status: int | None = None
    authorized: bool | None = None
    time: str = field(default_factory=now_iso)

    def to_json(self) -> Json:
        """The record as JSON (``query`` as ``[key, value]`` pairs, ``body`` decoded JSON or text)."""
        return {
            "method": self.method,
            "path": self.path,
            "query": [list(pair) for pair in self.query],
            "body": self.body,
            "valid": self.valid,
            "error": self.error,
            "status": self.status,
            "authorized": self.authorized,
            "time": self.time,
        }


@dataclass
class LiveCall:
    """A played call until it ends; ``GET /calls`` lists it once it is established (answered)."""

    call_id: str
    direction: str
    account_number: str
    remote_number: str
    established: bool = False
    muted: bool = False
    hold: bool = False
    recording: bool = False
    actions: list[Json] = field(default_factory=list)
    ended: asyncio.Event = field(default_factory=asyncio.Event)
    ended_by: str | None = None

    def to_json(self) -> Json:
        """The ``Call`` object of ``GET /calls`` (the account's side is the owner)."""
        remote = "" if self.remote_number == "anonymous" else self.remote_number
        return {
            "callId": self.call_id,
            "muted": self.muted,
            "recording": self.recording,
            "hold": self.hold,
            "participants": [
                {
                    "participantId": "1",
                    "phoneNumber": self.account_number,
                    "muted": self.muted,
                    "hold": self.hold,
                    "owner": True,
                },
                {"participantId": "2", "phoneNumber": remote, "muted": False, "hold": False, "owner": False},
            ],
        }

    def end(self, by: str) -> None:
        """End the call; ``by`` says what ended it (``DELETE /calls/…``, a transfer …)."""
        if not self.ended.is_set():
            self.ended_by = by
            self.ended.set()


def _per_owner(seed: Mapping[str, Any], prefix: str) -> dict[str, list[Json]]:
    """``<prefix>_<owner>`` files → owner → items (``forwardings_w0_p0`` → ``w0/p0``)."""
    found: dict[str, list[Json]] = {}
    for name, data in seed.items():
        if name.startswith(prefix + "_"):
            owner = name.removeprefix(prefix + "_").replace("_", "/")
            found[owner] = list(data["items"])
    return found


class Account:
    """The mutable sipgate account the stand-in serves."""

    def __init__(
        self, seed: Mapping[str, Any] | None = None, *, fax_pending_polls: int = DEFAULT_FAX_PENDING_POLLS
    ) -> None:
        """Seed from ``seed`` (default: ``standin/data``); ``fax_pending_polls`` see :meth:`read_history_entry`."""
        self._seed = copy.deepcopy(dict(seed) if seed is not None else load_seed())
        self.fax_pending_polls = fax_pending_polls
        # Where the stand-in is reached (set by the control API): links in the history point there.
        self.public_url = "http://127.0.0.1"
        self.reset()

    def reset(self) -> None:
        """Forget every change: back to the seed data."""
        seed = copy.deepcopy(self._seed)
        extras = seed.get("extras", {})
        self.userinfo: Json = seed["userinfo"]
        self.account: Json = seed["account"]
        self.balance: Json = extras.get("balance", {"amount": 0, "currency": "EUR"})
        self.users: list[Json] = seed["users"]["items"]
        self.devices: dict[str, list[Json]] = _per_owner(seed, "devices")
        self.phonelines: dict[str, list[Json]] = _per_owner(seed, "phonelines")
        self.forwardings: dict[str, list[Json]] = _per_owner(seed, "forwardings")
        for owner, data in extras.get("forwardings", {}).items():
            self.forwardings[owner] = list(data["items"])
        self.block_anonymous: dict[str, Json] = extras.get("blockanonymous", {})
        self.voicemails: list[Json] = seed["voicemails"]["items"]
        self.numbers: list[Json] = seed["numbers"]["items"]
        self.sms_extensions: dict[str, list[Json]] = {
            user: data["items"] for user, data in extras.get("sms", {}).items()
        }
        self.sms_caller_ids: dict[str, list[Json]] = {
            owner: data["items"] for owner, data in extras.get("sms_callerids", {}).items()
        }
        self.faxlines: dict[str, list[Json]] = {
            user: data["items"] for user, data in extras.get("faxlines", {}).items()
        }
        self.webhook_settings: Json = extras.get(
            "settings_sipgateio", {"incomingUrl": "", "outgoingUrl": "", "log": False, "whitelist": None}
        )
        self.webhook_log: list[Json] = seed["webhook_log"]["items"]
        self.history: list[Json] = seed["history"]["items"]
        self.contacts: list[Json] = seed["contacts"]["items"]
        self.live_calls: dict[str, LiveCall] = {}
        self.sms_sent: list[Json] = []
        self.faxes_sent: list[Json] = []
        self.call_sessions: list[Json] = []
        self.played_calls: list[Json] = []
        # Voicemail recordings the stand-in serves (GET /_standin/recordings/<id>.mp3), by history id.
        self.recordings: dict[str, bytes] = {}
        self._fax_reads: dict[str, int] = {}
        self._ids = itertools.count(
            max(
                (int(entry["id"]) for entry in self.history if str(entry.get("id", "")).isdigit()),
                default=100000000,
            )
            + 1
        )

    # --- lookups ------------------------------------------------------------------------------------

    def user(self, user_id: str) -> Json | None:
        """A web user by id."""
        return next((user for user in self.users if user.get("id") == user_id), None)

    def user_name(self, user: Mapping[str, Any]) -> str:
        """First and last name of a user."""
        return " ".join(part for part in (user.get("firstname"), user.get("lastname")) if part) or str(
            user["id"]
        )

    def device(self, device_id: str) -> Json | None:
        """A device of any user."""
        return next(
            (
                device
                for devices in self.devices.values()
                for device in devices
                if device.get("id") == device_id
            ),
            None,
        )

    def device_owner(self, device_id: str) -> str | None:
        """The user a device belongs to."""
        for user_id, devices in self.devices.items():
            if any(device.get("id") == device_id for device in devices):
                return user_id
        return None

    def phoneline(self, user_id: str, line_id: str) -> Json | None:
        """A phone line of a user."""
        return next((line for line in self.phonelines.get(user_id, []) if line.get("id") == line_id), None)

    def sms_extension(self, sms_id: str) -> tuple[str, Json] | None:
        """The user and the SMS extension with this id."""
        for user_id, extensions in self.sms_extensions.items():
            for extension in extensions:
                if extension.get("id") == sms_id:
                    return user_id, extension
        return None

    def faxline(self, faxline_id: str) -> Json | None:
        """A fax line of any user."""
        return next(
            (line for lines in self.faxlines.values() for line in lines if line.get("id") == faxline_id), None
        )

    def number(self, e164: str) -> Json | None:
        """The account's number entry for an E.164 number."""
        return next((number for number in self.numbers if number.get("number") == e164), None)

    def ringing_users(self, account_number: str) -> list[Json]:
        """The users whose phones ring for a call to (or from) ``account_number``.

        A number routed to a phone line or a device rings its user; a group
        number (or one the account does not have) rings everyone.
        """
        entry = self.number(account_number)
        endpoint = str(entry.get("endpointId", "")) if entry else ""
        if endpoint.startswith("p"):
            users = [user for user in self.users if endpoint in user.get("directDialIds", [])]
            users = users or [user for user in self.users if self.phoneline(str(user["id"]), endpoint)]
            if users:
                return users
        if owner := self.device_owner(endpoint):
            return [user for user in self.users if user["id"] == owner]
        return list(self.users)

    def contact_name(self, e164: str) -> str:
        """The name sipgate shows for a number: a contact's, else one the history knows ("" when none)."""
        for contact in self.contacts:
            if any(_e164(str(number.get("number", ""))) == e164 for number in contact.get("numbers", [])):
                return str(contact.get("name", ""))
        for entry in self.history:
            for side in ("source", "target"):
                if entry.get(side) == e164 and entry.get(f"{side}Alias"):
                    return str(entry[f"{side}Alias"])
        return ""

    # --- history ------------------------------------------------------------------------------------

    def new_id(self) -> str:
        """A fresh numeric id (history entries, fax and SMS sessions)."""
        return str(next(self._ids))

    def history_entry(self, entry_id: str) -> Json | None:
        """A history entry by id."""
        return next((entry for entry in self.history if entry.get("id") == entry_id), None)

    def add_history(self, entry: Json) -> Json:
        """Put a new entry in front (the history lists newest first)."""
        self.history.insert(0, entry)
        return entry

    def read_history_entry(self, entry_id: str) -> Json | None:
        """``GET /history/{id}``: a sent fax stays PENDING for ``fax_pending_polls`` reads, then is SENT."""
        entry = self.history_entry(entry_id)
        if entry is not None and entry_id in self._fax_reads:
            self._fax_reads[entry_id] += 1
            if self._fax_reads[entry_id] > self.fax_pending_polls:
                del self._fax_reads[entry_id]
                entry["faxStatusType"] = "SENT"
                entry["status"] = "PICKUP"
                entry["lastModified"] = now_iso()
        return entry

    def filter_history(self, query: Mapping[str, list[str]]) -> list[Json]:
        """The entries matching ``GET /history``'s filters (``query``: key → values)."""

        def one(key: str) -> str | None:
            values = query.get(key)
            return values[0] if values else None

        types, directions = set(query.get("types", [])), set(query.get("directions", []))
        connections = set(query.get("connectionIds", []))
        archived, starred, phonenumber = one("archived"), one("starred"), one("phonenumber")
        start = parse_time(value) if (value := one("from")) else None
        end = parse_time(value) if (value := one("to")) else None
        found = []
        for entry in self.history:
            created = parse_time(str(entry.get("created", "")))
            if (
                (types and entry.get("type") not in types)
                or (directions and entry.get("direction") not in directions)
                or (connections and not connections.intersection(entry.get("connectionIds", [])))
                or (archived is not None and bool(entry.get("archived")) != (archived == "true"))
                or (starred is not None and bool(entry.get("starred")) != (starred == "STARRED"))
                or (phonenumber is not None and phonenumber not in (entry.get("source"), entry.get("target")))
                or (start is not None and (created is None or created < start))
                or (end is not None and (created is None or created > end))
            ):
                continue
            found.append(entry)
        return found

    def update_history(self, entry: Json, changes: Mapping[str, Any]) -> None:
        """Apply ``read``/``archived``/``starred``/``note`` changes to an entry."""
        for key in ("read", "archived", "starred", "note"):
            if key in changes:
                entry[key] = changes[key]
        entry["lastModified"] = now_iso()

    def delete_history(self, entry_ids: Iterable[str]) -> int:
        """Delete entries; return how many existed."""
        ids = set(entry_ids)
        before = len(self.history)
        self.history[:] = [entry for entry in self.history if entry.get("id") not in ids]
        return before - len(self.history)

    # --- sending ------------------------------------------------------------------------------------

    def record_sms(self, body: Mapping[str, Any]) -> Json:
        """An SMS was sent (or scheduled): keep it and add it to the history."""
        sms_id = str(body["smsId"])
        found = self.sms_extension(sms_id)
        user_id = found[0] if found else ""
        sender = next(
            (
                c["phonenumber"]
                for c in self.sms_caller_ids.get(f"{user_id}/{sms_id}", [])
                if c.get("defaultNumber")
            ),
            found[1].get("callerId", "") if found else "",
        )
        created = now_iso()
        send_at = body.get("sendAt")
        scheduled = (
            datetime.fromtimestamp(int(send_at), UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
            if send_at is not None
            else created
        )
        entry = self.add_history(
            {
                "id": self.new_id(),
                "source": sender,
                "target": body["recipient"],
                "sourceAlias": found[1].get("alias", "") if found else "",
                "targetAlias": self.contact_name(str(body["recipient"])),
                "type": "SMS",
                "created": created,
                "lastModified": created,
                "direction": "OUTGOING",
                "incoming": False,
                "status": "PICKUP",
                "connectionIds": [sms_id],
                "read": True,
                "archived": False,
                "note": "",
                "endpoints": [],
                "starred": False,
                "labels": [],
                "smsContent": body["message"],
                "scheduled": scheduled,
            }
        )
        sent = {**dict(body), "sender": sender, "historyId": entry["id"], "time": created}
        self.sms_sent.append(sent)
        return sent

    def record_fax(self, body: Mapping[str, Any], page_count: int) -> str:
        """A fax was sent: a PENDING history entry whose id is the session id."""
        faxline_id = str(body["faxlineId"])
        faxline = self.faxline(faxline_id) or {}
        session_id = self.new_id()
        created = now_iso()
        self.add_history(
            {
                "id": session_id,
                "source": self._faxline_number(),
                "target": body["recipient"],
                "sourceAlias": faxline.get("alias", ""),
                "targetAlias": self.contact_name(str(body["recipient"])),
                "type": "FAX",
                "created": created,
                "lastModified": created,
                "direction": "OUTGOING",
                "incoming": False,
                "status": "NOPICKUP",
                "connectionIds": [faxline_id],
                "read": True,
                "archived": False,
                "note": "",
                "endpoints": [],
                "starred": False,
                "labels": [],
                "faxStatusType": "PENDING",
                "scheduled": created,
                "documentUrl": f"https://api.sipgate.com/v2/history/{session_id}/document",
                "reportUrl": f"https://api.sipgate.com/v2/history/{session_id}/report",
                "previewUrl": f"https://api.sipgate.com/v2/history/{session_id}/preview",
                "pageCount": page_count,
            }
        )
        self._fax_reads[session_id] = 0
        self.faxes_sent.append(
            {
                "sessionId": session_id,
                "faxlineId": faxline_id,
                "recipient": body["recipient"],
                "filename": body["filename"],
                "pageCount": page_count,
                "time": created,
            }
        )
        return session_id

    def _faxline_number(self) -> str:
        """The number faxes are sent from: the account's group number, else its first number."""
        group = next((n for n in self.numbers if str(n.get("endpointId", "")).startswith("g")), None)
        chosen = group or (self.numbers[0] if self.numbers else {})
        return str(chosen.get("number", ""))

    def record_call_session(self, body: Mapping[str, Any]) -> str:
        """A click-to-dial call was started: keep it, return its session id."""
        session_id = secrets.token_hex(8).upper()
        self.call_sessions.append({**dict(body), "sessionId": session_id, "time": now_iso()})
        return session_id

    def record_played_call(
        self,
        call_id: str,
        *,
        direction: str,
        remote: str,
        account_number: str,
        answered: bool,
        cause: str,
        started: datetime,
        users: list[Json],
    ) -> Json:
        """A played call ended: add it to the history like sipgate does."""
        ended = datetime.now(UTC)
        incoming = direction == "in"
        if answered:
            history_direction = "INCOMING" if incoming else "OUTGOING"
            status, call_status = "PICKUP", "SUCCESS"
        else:
            history_direction = "MISSED_INCOMING" if incoming else "MISSED_OUTGOING"
            status, call_status = {
                "busy": ("BUSY", "BUSY"),
                "noAnswer": ("NOPICKUP", "REJECTED"),
            }.get(cause, ("NOPICKUP", "MISSED"))
        entry_number = self.number(account_number) or {}
        line = str(entry_number.get("endpointId", ""))
        source, target = (remote, account_number) if incoming else (account_number, remote)
        account_alias = str(entry_number.get("endpointAlias", "")) or (
            self.user_name(users[0]) if users else ""
        )
        remote_alias = "" if remote == "anonymous" else self.contact_name(remote)
        created = started.strftime("%Y-%m-%dT%H:%M:%SZ")
        return self.add_history(
            {
                "id": self.new_id(),
                "source": source,
                "target": target,
                "sourceAlias": remote_alias if incoming else account_alias,
                "targetAlias": account_alias if incoming else remote_alias,
                "type": "CALL",
                "created": created,
                "lastModified": now_iso(),
                "direction": history_direction,
                "incoming": incoming,
                "status": status,
                "connectionIds": [line] if line else [],
                "read": not incoming or answered,
                "archived": False,
                "note": "",
                "endpoints": [],
                "starred": False,
                "labels": [],
                "callId": call_id,
                "recordings": [],
                "duration": int((ended - started).total_seconds()) if answered else 0,
                "callStatus": call_status,
            }
        )

    def record_voicemail(
        self,
        voicemail_id: str,
        *,
        caller: str,
        account_number: str,
        duration: int,
        transcription: str | None,
    ) -> Json:
        """The caller left a voicemail: a VOICEMAIL history entry and its recording."""
        entry_number = self.number(account_number) or {}
        line = str(entry_number.get("endpointId", ""))
        entry: Json = {
            "id": voicemail_id,
            "source": caller,
            "target": account_number,
            "sourceAlias": "" if caller == "anonymous" else self.contact_name(caller),
            "targetAlias": str(entry_number.get("endpointAlias", "")),
            "type": "VOICEMAIL",
            "created": now_iso(),
            "lastModified": now_iso(),
            "direction": "INCOMING",
            "incoming": True,
            "status": "PICKUP",
            "connectionIds": [line] if line else [],
            "read": False,
            "archived": False,
            "note": "",
            "endpoints": [],
            "starred": False,
            "labels": [],
            "recordingUrl": f"{self.public_url}/_standin/recordings/{voicemail_id}.mp3",
            "duration": duration,
        }
        if transcription:
            entry["transcription"] = transcription
        self.recordings[voicemail_id] = silent_mp3(duration)
        return self.add_history(entry)

    # --- what the stand-in saw --------------------------------------------------------------------------

    def summary(self) -> Json:
        """What was sent through the stand-in and what it holds now (``GET /_standin/state``)."""
        return {
            "sms_sent": self.sms_sent,
            "faxes_sent": self.faxes_sent,
            "call_sessions": self.call_sessions,
            "live_calls": [
                call.to_json() | {"established": call.established, "actions": call.actions}
                for call in self.live_calls.values()
            ],
            "played_calls": self.played_calls,
            "webhook_settings": self.webhook_settings,
            "devices": self.devices,
            "forwardings": self.forwardings,
            "block_anonymous": self.block_anonymous,
        }
