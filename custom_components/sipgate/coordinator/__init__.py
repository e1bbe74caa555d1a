"""Polling sipgate, grouped by how fast the data changes (README "Entities"; docs/architecture.md, "The way of a poll").

* :class:`AccountCoordinator` — balance, numbers, users and their devices every
  ``account_scan_interval`` (default hourly); phone lines with forwardings and
  anonymous-call blocking in rotation (every user within ``SLOW_CYCLE``
  refreshes, at once when something shows they changed).
* :class:`HistoryCoordinator` — unread missed calls, voicemails, SMS and faxes and
  the last call: every ``history_scan_interval`` (default 5 min) and, debounced,
  right after calls end.
* :class:`LiveCallsCoordinator` — established calls: polled only while a call is
  going on (the webhook tells when), never while the account is idle.

A feature whose scope the token lacks (403 for every resource, from the start)
is dropped after the first try: its entities are not created, a repair issue
names the scope, and it is not requested again until the entry reloads. A 403
for one resource only affects that resource; "not booked" has its own repair
issue. Only ``userinfo`` failing fails setup.

The package holds one module per coordinator (``account``, ``history``,
``live_calls``) and their shared base (``base``: error mapping, 403 per feature,
the first-read retry).
"""

from .account import SLOW_CYCLE, AccountCoordinator, AccountData, LineData, Unreadable
from .base import FIRST_READ_RETRIES, SipgateCoordinator
from .history import HISTORY_REFRESH_COOLDOWN, HISTORY_WINDOW, HistoryCoordinator, HistoryData
from .live_calls import LIVE_CALLS_INTERVAL, LiveCallsCoordinator

__all__ = [
    "FIRST_READ_RETRIES",
    "HISTORY_REFRESH_COOLDOWN",
    "HISTORY_WINDOW",
    "LIVE_CALLS_INTERVAL",
    "SLOW_CYCLE",
    "AccountCoordinator",
    "AccountData",
    "HistoryCoordinator",
    "HistoryData",
    "LineData",
    "LiveCallsCoordinator",
    "SipgateCoordinator",
    "Unreadable",
]
