"""Whether a push belongs to this account and this call (README "Security").

:class:`PushAdmission` decides for each parsed push: a ``newCall`` naming
users must name one of this account (``fullUserId`` starts with the account's
``masterSipId``) and is accepted once per call id; follow-ups (``answer``,
``hangup``, ``dtmf``) must arrive on the per-call URLs the reply gave sipgate,
whose token (:func:`call_token`) is derived from the entry's secret and the
call id; ``dtmf`` only for the call's outstanding Gather, once. The same push
again within :data:`~.calls.DUPLICATE_WINDOW` is a :class:`Duplicate`; later,
or without the token, it is refused (:class:`RefusedError`).
"""

import base64
from dataclasses import dataclass
import hashlib
import hmac
import re

from aiohttp import web

from .api.push_events import AnswerEvent, DtmfEvent, HangupEvent, NewCallEvent, PushEvent
from .calls import DUPLICATE_WINDOW, CallRecord, CallRegistry, gather_key

# The query parameters of follow-up URLs: the call's token, and which Gather an onData URL is for.
TOKEN_PARAM = "token"  # noqa: S105 - a parameter name, not a secret
GATHER_PARAM = "gather"
# Why a push was refused (diagnostics count each).
REFUSAL_REASONS = ("no_call_id", "foreign_account", "bad_token", "replay", "no_gather")


class RefusedError(Exception):
    """A push that does not belong to this account or call."""

    def __init__(self, reason: str) -> None:
        """Refused for ``reason`` (one of :data:`REFUSAL_REASONS`)."""
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True, slots=True)
class Duplicate:
    """The same push again, within the duplicate window: it gets the first one's reply."""

    reply: bytes | None


def call_token(secret: bytes, call_id: str, gather: int | None = None) -> str:
    """The token of a call's follow-up URLs: an HMAC-SHA256 (128 bits) over the call id.

    The ``onData`` URL of the call's ``gather``-th Gather has a token of its
    own, so that digits for one Gather cannot be replayed into the next.
    """
    message = call_id if gather is None else f"{call_id}\x00gather {gather}"
    digest = hmac.digest(secret, message.encode("utf-8"), hashlib.sha256)
    return base64.urlsafe_b64encode(digest[:16]).decode("ascii").rstrip("=")


def gather_of(request: web.Request) -> int | None:
    """Which Gather an ``onData`` URL was made for (``None``: not a valid number)."""
    value = request.query.get(GATHER_PARAM, "")
    return int(value) if value.isascii() and value.isdigit() and len(value) < 10 else None


class PushAdmission:
    """Admits the pushes of one account to its calls."""

    def __init__(self, calls: CallRegistry, *, account_id: str, secret: bytes) -> None:
        """Admit to ``calls``; ``account_id`` is the ``masterSipId``, ``secret`` the key of the tokens."""
        self._calls = calls
        self._secret = secret
        self._own_user = re.compile(re.escape(account_id) + r"[a-z]+[0-9]+")

    def token(self, call_id: str, gather: int | None = None) -> str:
        """The token of ``call_id``'s follow-up URLs (of its ``gather``-th Gather's ``onData``)."""
        return call_token(self._secret, call_id, gather)

    def _token_valid(self, event: PushEvent, request: web.Request, gather: int | None) -> bool:
        given = request.query.get(TOKEN_PARAM, "")
        return any(
            hmac.compare_digest(given, self.token(call_id, gather))
            for call_id in (event.call_id, event.original_call_id)
            if call_id
        )

    def admit(self, event: PushEvent, request: web.Request) -> tuple[CallRecord, str] | Duplicate:
        """The call record and delivery kind of an acceptable push, or a duplicate.

        Raises:
            RefusedError: the push does not belong to this account or call, or was delivered long ago.
        """
        if not event.call_id:
            raise RefusedError("no_call_id")
        calls = self._calls
        gather = gather_of(request) if isinstance(event, DtmfEvent) else None
        if isinstance(event, NewCallEvent):
            if event.full_user_ids and not any(self._own_user.fullmatch(f) for f in event.full_user_ids):
                raise RefusedError("foreign_account")
        elif (isinstance(event, DtmfEvent) and gather is None) or not self._token_valid(
            event, request, gather
        ):
            raise RefusedError("bad_token")
        record = calls.get(event.call_id)
        match event:
            case NewCallEvent():
                kind = "newCall"
            case DtmfEvent():
                kind = gather_key(gather or 0)
            case AnswerEvent():
                kind = "answer"
            case _:
                kind = "hangup"
        if record is not None and (delivery := record.delivery(kind)) is not None:
            if calls.now() - delivery[0] <= DUPLICATE_WINDOW:
                return Duplicate(delivery[1])
            raise RefusedError("replay")
        if isinstance(event, DtmfEvent) and (
            record is None or not record.gather_open or record.gather_key != kind
        ):
            raise RefusedError("no_gather")
        if isinstance(event, HangupEvent) and record is not None and record.ended_without_hangup:
            # The call was ended already because sipgate stopped listing it; its hangup came late.
            record.delivered(kind, calls.now())
            return Duplicate(None)
        record = calls.record(event.call_id)
        record.delivered(kind, calls.now())
        return record, kind
