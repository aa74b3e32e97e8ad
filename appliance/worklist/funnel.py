"""The funnel the case measures: calls captured, handled, converted, and how fast callbacks come.

* **captured**: every call that rang (the period's rows);
* **needing a callback**: the calls that entered the worklist (:mod:`.trace`); the others were
  dealt with by the box alone or by a person who took the call;
* **handled**: those whose callback was made or that were otherwise resolved (an outcome, marked
  handled, the urgent alert acknowledged, a later call taken);
* **converted**: calls marked converted;
* **time to callback**: from the call's start to its resolution, in minutes (median, p90);
* **within its limit**: the share handled by their due time, among those whose due time has
  passed or that were handled.

Per category (unanswered calls have none: ``unanswered``) and per week (Monday, local time).

>>> percentile([1, 2, 3, 4], 50), percentile([10], 90), percentile([], 50)
(2.5, 10.0, None)
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from ..directory.lookup import unanswered
from ..store.record import parse_iso
from .trace import RESOLUTIONS, Entry


def percentile(values: Sequence[float], p: float) -> float | None:
    """Linear interpolation between closest ranks; None without values."""
    if not values:
        return None
    xs = sorted(values)
    k = (len(xs) - 1) * p / 100
    lo = int(k)
    hi = min(lo + 1, len(xs) - 1)
    return float(xs[lo] + (xs[hi] - xs[lo]) * (k - lo))


def category_of(row: Mapping[str, Any]) -> str:
    if row.get("category"):
        return str(row["category"])
    if row.get("state") == "staff":
        return "staff"
    return "unanswered" if unanswered(row) else "other"


class _Tally:
    def __init__(self) -> None:
        self.captured = self.needing = self.handled = self.converted = 0
        self.within = self.due = 0
        self.minutes: list[float] = []

    def to_dict(self) -> dict[str, Any]:
        return {"captured": self.captured, "needing_callback": self.needing, "handled": self.handled,
                "converted": self.converted, "handled_within_limit": self.within, "due": self.due,
                "within_limit_share": (self.within / self.due) if self.due else None,
                "handled_share": (self.handled / self.needing) if self.needing else None,
                "time_to_callback_minutes": {"median": percentile(self.minutes, 50),
                                             "p90": percentile(self.minutes, 90), "n": len(self.minutes)}}


def funnel(rows: Iterable[Mapping[str, Any]], entries: Iterable[Entry], now: dt.datetime, tz: dt.tzinfo,
           first_week: dt.date, weeks: int,
           local_ordinal: Callable[[Mapping[str, Any]], int] | None = None) -> dict[str, Any]:
    """The funnel of ``rows`` (calls of the period) given their worklist ``entries``;
    ``local_ordinal(row)``: the local day of a row as an ordinal (the statistics' cached facts)."""
    ordinal = local_ordinal or (lambda r: parse_iso(str(r["started_at"])).astimezone(tz).date().toordinal())
    total = _Tally()
    by_cat: dict[str, _Tally] = {}
    by_week = [_Tally() for _ in range(weeks)]
    first = first_week.toordinal()
    slots: dict[int, list[_Tally]] = {}  # id(row) -> the tallies it counts in (rows outlive this call)

    def tallies(row: Mapping[str, Any]) -> list[_Tally]:
        hit = slots.get(id(row))
        if hit is not None:
            return hit
        cat = category_of(row)
        out = [total, by_cat.get(cat) or by_cat.setdefault(cat, _Tally())]
        idx = (ordinal(row) - first) // 7
        if 0 <= idx < weeks:
            out.append(by_week[idx])
        slots[id(row)] = out
        return out

    for row in rows:
        converted = 1 if row.get("converted") else 0
        for t in tallies(row):
            t.captured += 1
            t.converted += converted
    resolutions = dict.fromkeys(RESOLUTIONS, 0)
    for e in entries:
        for t in tallies(e.row):
            t.needing += 1
            if e.resolved_at is not None:
                t.handled += 1
                t.minutes.append(e.minutes_to_resolution or 0.0)
            if e.resolved_at is not None or now > e.due_at:
                t.due += 1
                t.within += 1 if e.within_limit else 0
        if e.resolution:
            resolutions[e.resolution] = resolutions.get(e.resolution, 0) + 1
    return total.to_dict() | {
        "resolutions": resolutions,
        "by_category": [{"category": c} | t.to_dict() for c, t in sorted(by_cat.items())],
        "by_week": [{"start": dt.date.fromordinal(first + 7 * i).isoformat()} | t.to_dict()
                    for i, t in enumerate(by_week)],
    }
