"""Which calls need a human action, by when, and what became of each one: pure functions over the
call log's compact rows (no I/O, no clock: ``now`` is passed in).

A call enters the worklist (:func:`reason_for`) when it is

* ``urgent`` and not yet acknowledged by the on-call person;
* ``missed``: abandoned or missed (or cut off before an answer) with a number to call back;
* ``callback``: answered by the box with a number, unless the caller declined a callback or its
  category is in ``worklist.skip_categories``.

Its due time (:func:`due_for`) comes from the urgency's time limit: urgent levels (15 minutes or
less) in plain minutes, the others in working minutes over the opening hours, a limit of a day or
more as "by the end of the next working day"; abandoned and missed calls get
``worklist.missed_limit_minutes`` working minutes (default 2 working hours).

It leaves the worklist (:func:`trace`) at the earliest of: an outcome recorded on the worklist
(``callback``), the call marked handled or converted, the urgent alert acknowledged, or a later
call from the same number that a person took (``staff``) or that was itself handled.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
from collections.abc import Iterable, Mapping
from typing import Any

from ..config import Config
from ..directory.lookup import unanswered
from ..directory.numbers import same_number_key
from ..store.record import parse_iso
from .hours import add_working_minutes, end_of_next_working_day

URGENT_MAX_MINUTES = 15
OUTCOMES = ("reached", "no_answer", "message_left", "wrong_number", "converted")
RESOLUTIONS = (*OUTCOMES, "handled", "acknowledged", "later_call")


@functools.lru_cache(maxsize=65536)
def number_key(number: str | None, country: str) -> str | None:
    return same_number_key(number, country)


@dataclasses.dataclass(frozen=True)
class Entry:
    """One call that needed a human action, and what became of it."""

    call_id: str
    key: str  # calls are grouped by it: the number's E.164 form (the call id when there is none)
    number: str | None  # the number to call back
    started_at: dt.datetime
    reason: str  # urgent | missed | callback
    due_at: dt.datetime
    row: Mapping[str, Any]
    resolved_at: dt.datetime | None = None
    resolution: str | None = None  # an outcome, handled, acknowledged or later_call
    resolved_by: str | None = None  # who recorded it (or the id of the later call)

    def overdue(self, now: dt.datetime) -> bool:
        return self.resolved_at is None and now > self.due_at

    @property
    def within_limit(self) -> bool:
        return self.resolved_at is not None and self.resolved_at <= self.due_at

    @property
    def minutes_to_resolution(self) -> float | None:
        if self.resolved_at is None:
            return None
        return max(0.0, (self.resolved_at - self.started_at).total_seconds() / 60)


def is_urgent(row: Mapping[str, Any]) -> bool:
    sla = row.get("sla_minutes")
    return bool(row.get("urgent")) or (isinstance(sla, int | float) and sla <= URGENT_MAX_MINUTES)


def callback_number(row: Mapping[str, Any]) -> str | None:
    """Where to call back: the number the caller gave, else the caller id."""
    if row.get("state") in ("answered", "interrupted") and row.get("callback"):
        return str(row["callback"])
    number = row.get("caller_number")
    return str(number) if number else None


def reason_for(row: Mapping[str, Any], skip_categories: Iterable[str] = ()) -> str | None:
    """Why this call needs a human action (urgent, missed, callback), or None."""
    state = row.get("state")
    if state in ("ringing", "in_call", "staff", None):
        return None
    number = callback_number(row)
    if is_urgent(row):
        return "urgent"
    if unanswered(row):
        return "missed" if number else None
    if state in ("answered", "interrupted") and number:
        if row.get("no_callback") or row.get("category") in set(skip_categories):
            return None
        return "callback"
    return None


def due_for(row: Mapping[str, Any], reason: str, started: dt.datetime, cfg: Config) -> dt.datetime:
    co = cfg.company
    if reason == "missed":
        return add_working_minutes(started, cfg.worklist.missed_limit_minutes, co)
    sla = row.get("sla_minutes")
    if reason == "urgent":
        minutes = sla if isinstance(sla, int | float) and sla <= URGENT_MAX_MINUTES else URGENT_MAX_MINUTES
        return started + dt.timedelta(minutes=float(minutes))
    if not isinstance(sla, int | float) or sla <= 0:
        sla = cfg.worklist.missed_limit_minutes
    if sla >= 24 * 60:
        return end_of_next_working_day(started, co)
    return add_working_minutes(started, float(sla), co)


def _time(value: Any) -> dt.datetime | None:
    if not value:
        return None
    try:
        return parse_iso(str(value))
    except ValueError:
        return None


def own_resolution(row: Mapping[str, Any], reason: str,
                   started: dt.datetime) -> tuple[dt.datetime | None, str | None, str | None]:
    """When and how the call itself was dealt with: outcome, handled mark, acknowledgement."""
    found: list[tuple[dt.datetime, str, str | None]] = []
    if row.get("callback_outcome"):
        at = _time(row.get("callback_at")) or started
        found.append((at, str(row["callback_outcome"]), row.get("callback_by")))
    elif row.get("handled") or row.get("converted"):
        at = _time(row.get("handled_at")) or started
        found.append((at, "converted" if row.get("converted") else "handled", None))
    if reason == "urgent" and row.get("acknowledged"):
        found.append((_time(row.get("acknowledged_at")) or started, "acknowledged", None))
    if not found:
        return None, None, None
    return min(found, key=lambda x: x[0])


def resolves_earlier(row: Mapping[str, Any]) -> bool:
    """A later call from the same number that settles earlier ones: a person took it, or it was
    itself answered and handled."""
    if row.get("state") == "staff":
        return True
    return row.get("state") in ("answered", "interrupted") and not unanswered(row) and bool(
        row.get("handled") or row.get("converted") or row.get("callback_outcome"))


@dataclasses.dataclass(frozen=True)
class _Facts:
    """What :func:`trace` derives from one row alone (reused while the row object is the same)."""

    call_id: str
    started: dt.datetime
    number: str | None
    key: str
    caller_key: str | None
    resolves: bool
    entry: Entry | None


class TraceCache:
    """Per-row facts reused while the store hands out the same row object (its day file unchanged),
    as the statistics' FactsCache does: after a write only that day's rows are worked out again."""

    def __init__(self, max_rows: int = 300_000) -> None:
        self._rows: dict[str, tuple[Mapping[str, Any], Any, _Facts | None]] = {}
        self.max_rows = max_rows

    def get(self, row: Mapping[str, Any], token: Any, make: Any) -> _Facts | None:
        key = str(row.get("id"))
        hit = self._rows.get(key)
        if hit is not None and hit[0] is row and hit[1] == token:
            return hit[2]
        facts = make(row)
        if len(self._rows) >= self.max_rows:
            self._rows.clear()
        self._rows[key] = (row, token, facts)
        return facts


def _facts(row: Mapping[str, Any], cfg: Config, countries: Mapping[str, str], skip: frozenset[str]) -> _Facts | None:
    started = _time(row.get("started_at"))
    if started is None:
        return None
    country = countries.get(str(row.get("line")), "FR")
    number = callback_number(row)
    key = number_key(number, country) or str(row.get("id"))
    reason = reason_for(row, skip)
    entry = None
    if reason is not None:
        at, how, by = own_resolution(row, reason, started)
        entry = Entry(call_id=str(row.get("id")), key=key, number=number, started_at=started, reason=reason,
                      due_at=due_for(row, reason, started, cfg), row=row, resolved_at=at, resolution=how,
                      resolved_by=by)
    return _Facts(str(row.get("id")), started, number, key, number_key(row.get("caller_number"), country),
                  resolves_earlier(row), entry)


def trace(rows: Iterable[Mapping[str, Any]], cfg: Config, countries: Mapping[str, str] | None = None,
          cache: TraceCache | None = None) -> list[Entry]:
    """Every call of ``rows`` that entered the worklist, oldest first, with its resolution."""
    countries = countries or {}
    skip = frozenset(cfg.worklist.skip_categories)
    token = (cfg, tuple(sorted(countries.items())))
    make = functools.partial(_facts, cfg=cfg, countries=countries, skip=skip)
    facts = [f for f in (cache.get(r, token, make) if cache is not None else make(r) for r in rows)
             if f is not None]
    facts.sort(key=lambda f: f.started)
    entries: list[Entry] = []
    open_by_key: dict[str, list[int]] = {}
    for f in facts:
        if f.resolves:
            for k in {f.key, f.caller_key} - {None}:
                for i in open_by_key.pop(str(k), []):
                    e = entries[i]
                    if e.resolved_at is None or e.resolved_at > f.started:
                        entries[i] = dataclasses.replace(e, resolved_at=f.started, resolution="later_call",
                                                         resolved_by=f.call_id)
        if f.entry is not None:
            entries.append(f.entry)
            open_by_key.setdefault(f.key, []).append(len(entries) - 1)
    return entries
