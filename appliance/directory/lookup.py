"""What the call handler learns about a caller when it answers: the directory's entry and how many
times the same number already called today without being answered.

The handler calls a :class:`CallerLookup` once per answered call; it costs a dict access and a read
of today's cached index rows. Any failure is logged and the call goes on unknown.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from ..conversation.base import KnownCaller
from ..store.calllog import CallLog, CallLogReader
from ..store.record import CallRecord, parse_iso
from .numbers import same_number_key
from .store import Directory

log = logging.getLogger(__name__)

UNANSWERED = frozenset({"abandoned", "missed"})


def unanswered(row: Mapping[str, Any]) -> bool:
    """A call nobody spoke to: abandoned, missed, or cut off by a crash before an answer."""
    state = row.get("state")
    return state in UNANSWERED or (state == "interrupted" and row.get("duration") is None)


def earlier_unanswered(rows: Iterable[Mapping[str, Any]], number: str | None, before: str,
                       country: str = "FR") -> int:
    """How many of ``rows`` came from ``number`` before ``before`` (ISO time) and were not answered."""
    key = same_number_key(number, country)
    if key is None:
        return 0
    t = parse_iso(before)
    n = 0
    for r in rows:
        if (r.get("started_at") and parse_iso(str(r["started_at"])) < t and unanswered(r)
                and same_number_key(r.get("caller_number"), country) == key):
            n += 1
    return n


class CallerLookup:
    """``lookup(rec, country) -> (KnownCaller | None, earlier unanswered attempts today)``."""

    def __init__(self, directory: Directory | None, log_: CallLog | CallLogReader, tz: dt.tzinfo,
                 *, clock: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC)) -> None:
        self.directory = directory
        self.log = log_
        self.tz = tz
        self.clock = clock

    def __call__(self, rec: CallRecord, country: str = "FR") -> tuple[KnownCaller | None, int]:
        if not rec.caller_number:
            return None, 0
        known = self.directory.known_caller(rec.caller_number, country) if self.directory else None
        local = parse_iso(rec.started_at).astimezone(self.tz)
        midnight = dt.datetime.combine(local.date(), dt.time(), self.tz)
        rows = self.log.summaries(since=midnight, until=parse_iso(rec.started_at))
        return known, earlier_unanswered(rows, rec.caller_number, rec.started_at, country)
