"""The seed's numbers, computed from the call log's compact rows.

* calls per week, split answered / abandoned under 5 s / abandoned 5 s or more / missed
  (plus interrupted); "answered" includes calls taken by staff before the box answered;
* a heatmap of calls by local hour and weekday;
* opportunities (calls qualified as breakdown, quote, appointment or follow-up):
  captured, handled, converted, conversion rate and revenue; the conversion rate is the
  share converted among handled opportunities once at least 10 outcomes are marked, the
  average order value the mean of at least 3 marked amounts; before that, the configured values;
* lost calls (abandoned + missed) and what they are worth:
  lost × conversion rate × average order value;
* the projection: a least-squares line through the lost calls of the complete weeks
  of the period, summed over the next 52 weeks (never below zero), times the value of a call;
* saturation: weeks whose abandoned calls reach ``web.saturation_abandoned_per_week``, and
  the peak of simultaneous calls (ringing or in progress) against ``web.saturation_simultaneous``.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from ..config import CompanyConfig, Config
from ..store.record import parse_iso

OPPORTUNITY_CATEGORIES = frozenset({"breakdown", "quote", "appointment", "followup"})
SHORT_ABANDON_S = 5.0
MIN_CONVERSIONS_FOR_OWN_RATES = 3
MIN_OUTCOMES_FOR_OWN_RATE = 10
SERIES = ("answered", "abandoned_short", "abandoned_long", "missed", "interrupted")


@dataclasses.dataclass
class Week:
    start: dt.date
    complete: bool
    counts: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def abandoned(self) -> int:
        return self.counts["abandoned_short"] + self.counts["abandoned_long"]

    @property
    def lost(self) -> int:
        return self.abandoned + self.counts["missed"]


@dataclasses.dataclass
class Fit:
    """y = intercept + slope × x over weeks x = 0..n-1."""

    intercept: float
    slope: float
    n: int

    def at(self, x: float) -> float:
        return self.intercept + self.slope * x


def fit_line(ys: Sequence[float]) -> Fit | None:
    n = len(ys)
    if n < 2:
        return None
    mx = (n - 1) / 2
    my = sum(ys) / n
    sxx = sum((x - mx) ** 2 for x in range(n))
    sxy = sum((x - mx) * (y - my) for x, y in zip(range(n), ys))
    slope = sxy / sxx if sxx else 0.0
    return Fit(my - slope * mx, slope, n)


def week_start(d: dt.date) -> dt.date:
    return d - dt.timedelta(days=d.weekday())


def period_start(now: dt.datetime, tz: dt.tzinfo, weeks: int) -> dt.datetime:
    """Monday 00:00 local time, ``weeks - 1`` weeks before the current week."""
    monday = week_start(now.astimezone(tz).date()) - dt.timedelta(weeks=weeks - 1)
    return dt.datetime.combine(monday, dt.time(), tz).astimezone(dt.UTC)


def classify(row: Mapping[str, Any]) -> str | None:
    s = row.get("state")
    if s in ("answered", "staff"):
        return "answered"
    if s == "abandoned":
        return "abandoned_short" if float(row.get("ring_seconds") or 0) < SHORT_ABANDON_S else "abandoned_long"
    if s in ("missed", "interrupted"):
        return str(s)
    return None  # still open


def peak_simultaneous(intervals: Iterable[tuple[float, float]]) -> tuple[int, float | None]:
    """Largest number of overlapping [start, end) intervals and when it was first reached."""
    edges: list[tuple[float, int]] = []
    for a, b in intervals:
        edges.append((a, 1))
        edges.append((max(b, a + 0.001), -1))
    edges.sort()  # an end (-1) sorts before a start (+1) at the same instant
    cur = best = 0
    when: float | None = None
    for t, d in edges:
        cur += d
        if cur > best:
            best, when = cur, t
    return best, when


Facts = tuple[int, int, int, float, float, str | None, bool, bool, bool, float | None]


def row_facts(r: Mapping[str, Any], tz: dt.tzinfo) -> Facts:
    """What the statistics need of one row: local day (ordinal), weekday, hour, start and end
    (epoch seconds, ringing included), class, and the opportunity fields."""
    t = parse_iso(r["started_at"])
    local = t.astimezone(tz)
    start = t.timestamp()
    end = start + float(r.get("ring_seconds") or 0) + float(r.get("duration") or 0)
    amount = r.get("amount")
    return (local.toordinal(), local.weekday(), local.hour, start, end, classify(r),
            r.get("category") in OPPORTUNITY_CATEGORIES, bool(r.get("handled")), bool(r.get("converted")),
            float(amount) if amount is not None else None)


class FactsCache:
    """Row facts reused while the store hands out the same row object (its day file is
    unchanged); holding the row keeps its identity from being reused by another row."""

    def __init__(self, max_rows: int = 300_000) -> None:
        self._rows: dict[str, tuple[Mapping[str, Any], str, Facts]] = {}
        self.max_rows = max_rows

    def get(self, r: Mapping[str, Any], tz: dt.tzinfo) -> Facts:
        key = str(r.get("id"))
        tz_key = str(tz)
        hit = self._rows.get(key)
        if hit is not None and hit[0] is r and hit[1] == tz_key:
            return hit[2]
        f = row_facts(r, tz)
        if len(self._rows) >= self.max_rows:
            self._rows.clear()
        self._rows[key] = (r, tz_key, f)
        return f


@dataclasses.dataclass
class _Tally:
    """The rows counted: per week and class, per weekday and hour, the opportunities, the marked amounts,
    and each call's [start, end) for the peak of simultaneous calls."""

    weeks: list[Week]
    heat: list[list[int]] = dataclasses.field(default_factory=lambda: [[0] * 24 for _ in range(7)])
    opp: dict[str, int] = dataclasses.field(default_factory=lambda: {"captured": 0, "handled": 0, "converted": 0})
    amounts: list[float] = dataclasses.field(default_factory=list)
    revenue: float = 0.0
    intervals: list[tuple[float, float]] = dataclasses.field(default_factory=list)

    def add(self, f: Facts, first_ordinal: int) -> None:
        ordinal, weekday, hour, start, end, kind, is_opp, handled, converted, amount = f
        idx = (ordinal - first_ordinal) // 7
        if 0 <= idx < len(self.weeks) and kind is not None:
            self.weeks[idx].counts[kind] += 1
        self.heat[weekday][hour] += 1
        self.intervals.append((start, end))
        if is_opp:
            self.opp["captured"] += 1
            if handled or converted:
                self.opp["handled"] += 1
            if converted:
                self.opp["converted"] += 1
                if amount is not None:
                    self.amounts.append(amount)
                    self.revenue += amount


@dataclasses.dataclass(frozen=True)
class _Rates:
    """The conversion rate and average order value: the marked ones once there are enough, else the
    configured ones (``*_source``: "marked" or "config")."""

    rate: float
    rate_source: str
    aov: float
    aov_source: str

    @property
    def value_per_lost_call(self) -> float:
        return self.rate * self.aov


def _rates(t: _Tally, company: CompanyConfig) -> _Rates:
    if len(t.amounts) >= MIN_CONVERSIONS_FOR_OWN_RATES:
        aov, aov_source = sum(t.amounts) / len(t.amounts), "marked"
    else:
        aov, aov_source = company.average_order_value, "config"
    if t.opp["handled"] >= MIN_OUTCOMES_FOR_OWN_RATE:
        # among the opportunities whose outcome was recorded, the share converted
        rate, rate_source = t.opp["converted"] / t.opp["handled"], "marked"
    else:
        rate, rate_source = company.conversion_rate, "config"
    return _Rates(rate, rate_source, aov, aov_source)


def _projection(wk: Sequence[Week], first_day: dt.date | None, rates: _Rates) -> dict[str, Any]:
    """Lost calls over the next 52 weeks, from a line fitted through the complete weeks (3 or more)."""
    # weeks before the box started are not "zero calls" but "no data", and the week it
    # started in is partial: both are left out of the fit
    start_week = week_start(first_day) if first_day is not None else None
    complete = [w for w in wk if w.complete and (start_week is None or w.start > start_week)]
    while complete and complete[0].total == 0:
        complete.pop(0)
    fit_lost = fit_line([w.lost for w in complete]) if len(complete) >= 3 else None
    fit_total = fit_line([w.total for w in complete]) if len(complete) >= 3 else None
    if not (fit_lost and fit_total):
        return {"enough_data": False, "weeks_used": len(complete)}
    n = fit_lost.n
    next_year = sum(max(0.0, fit_lost.at(n - 1 + k)) for k in range(1, 53))
    flat = sum(w.lost for w in complete) / n * 52
    mean_total = sum(w.total for w in complete) / n
    growth = (fit_total.slope * 52 / mean_total) if mean_total else 0.0
    return {
        "enough_data": True, "weeks_used": n,
        "lost_per_week_now": max(0.0, fit_lost.at(n - 1)), "lost_slope_per_week": fit_lost.slope,
        "lost_next_year": next_year, "lost_next_year_flat": flat,
        "value_next_year": next_year * rates.value_per_lost_call,
        "opportunities_next_year": next_year * rates.rate,
        "calls_growth_per_year": growth,
        "fit": {"intercept": fit_lost.intercept, "slope": fit_lost.slope,
                "first_week": complete[0].start.isoformat()},
    }


def _saturation(t: _Tally, cfg: Config) -> dict[str, Any]:
    """Weeks with too many abandoned calls, and the peak of simultaneous calls, against their thresholds."""
    peak, peak_at = peak_simultaneous(t.intervals)
    web = cfg.web
    saturated_weeks = [w.start.isoformat() for w in t.weeks if w.abandoned >= web.saturation_abandoned_per_week]
    return {
        "abandoned_per_week_threshold": web.saturation_abandoned_per_week,
        "weeks_over": saturated_weeks,
        "simultaneous_threshold": web.saturation_simultaneous,
        "peak_simultaneous": peak,
        "peak_at": (dt.datetime.fromtimestamp(peak_at, dt.UTC).isoformat(timespec="seconds")
                    if peak_at is not None else None),
        "warning": bool(saturated_weeks) or peak >= web.saturation_simultaneous,
    }


def _tally(rows: Sequence[Mapping[str, Any]], cfg: Config, now: dt.datetime, weeks: int,
           facts: FactsCache | None) -> tuple[dt.date, _Tally]:
    """The first day of the period, and its rows counted."""
    tz = cfg.company.tz
    first = week_start(period_start(now, tz, weeks).astimezone(tz).date())
    this_week = week_start(now.astimezone(tz).date())
    t = _Tally([Week(first + dt.timedelta(weeks=i), first + dt.timedelta(weeks=i) < this_week,
                     dict.fromkeys(SERIES, 0)) for i in range(weeks)])
    cache = facts if facts is not None else FactsCache()
    first_ordinal = first.toordinal()
    for r in rows:
        t.add(cache.get(r, tz), first_ordinal)
    return first, t


def compute(rows: Sequence[Mapping[str, Any]], cfg: Config, now: dt.datetime, weeks: int,
            first_day: dt.date | None = None, facts: FactsCache | None = None) -> dict[str, Any]:
    """Everything the statistics page and ``/api/stats`` show, as plain data.

    ``first_day`` is the first (UTC) day of the whole log: the week it falls in is partial
    (the box started that week) and is left out of the projection."""
    first, t = _tally(rows, cfg, now, weeks, facts)
    wk, company = t.weeks, cfg.company
    rates = _rates(t, company)
    lost_total = sum(w.lost for w in wk)
    return {
        "period": {"weeks": weeks, "from": first.isoformat(),
                   "to": (first + dt.timedelta(weeks=weeks, days=-1)).isoformat(), "timezone": str(company.tz)},
        "weeks": [{"start": w.start.isoformat(), "complete": w.complete, "total": w.total, "lost": w.lost,
                   **w.counts} for w in wk],
        "totals": {k: sum(w.counts[k] for w in wk) for k in SERIES} | {"calls": sum(w.total for w in wk),
                                                                        "lost": lost_total},
        "heatmap": t.heat,
        "opportunities": t.opp | {"conversion_rate": rates.rate, "conversion_rate_source": rates.rate_source,
                                  "revenue": t.revenue, "average_order_value": rates.aov,
                                  "average_order_value_source": rates.aov_source, "currency": company.currency},
        "lost_value": lost_total * rates.value_per_lost_call,
        "value_per_lost_call": rates.value_per_lost_call,
        "projection": _projection(wk, first_day, rates),
        "saturation": _saturation(t, cfg),
    }

