"""Statistics page: the seed's numbers, charts and the projection."""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

from flask import Blueprint, abort, render_template, request

from ...worklist.funnel import funnel
from ...worklist.trace import trace
from .. import charts
from .. import stats as st_mod
from ..context import WebState, state
from ..i18n import Translator

bp = Blueprint("stats", __name__)
DEFAULT_WEEKS = 26
WEEKS_AHEAD = 12  # how far the lost-calls chart draws the fitted line ahead
WEEKDAYS = {"fr": ("lun", "mar", "mer", "jeu", "ven", "sam", "dim"),
            "en": ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")}


def weeks_arg() -> int:
    raw = request.args.get("weeks", str(DEFAULT_WEEKS))
    try:
        weeks = int(raw)
    except ValueError:
        abort(400, description=f"weeks: expected a whole number from 2 to 260, got {raw[:20]!r}")
    if not 2 <= weeks <= 260:
        abort(400, description=f"weeks: expected a whole number from 2 to 260, got {weeks}")
    return weeks


FIRST_DAY_TTL_S = 600.0


def _first_day(st: WebState) -> dt.date | None:
    """The log's first day (a directory walk), remembered for a few minutes: it only moves
    when retention deletes old days, and it only matters for the week the box started."""
    hit = st.stats_cache.get("first_day")
    now = time.monotonic()
    if hit is not None and now - hit[0] < FIRST_DAY_TTL_S:
        day: dt.date | None = hit[1]
        return day
    day = next(iter(st.log.iter_days()), None)
    st.stats_cache["first_day"] = (now, day)
    return day


def _same_rows(a: list[dict[str, Any]], b: list[dict[str, Any]]) -> bool:
    """True when both lists hold the very same row objects. The store hands out its cached
    rows while a day file's stamp (size, mtime) is unchanged and new objects as soon as the
    file is rewritten, so identity means "no write since". The cache keeps references to the
    old rows, so an identity can never be reused by a new row."""
    return len(a) == len(b) and all(x is y for x, y in zip(a, b))


def compute_stats(st: WebState, weeks: int) -> dict[str, Any]:
    """Statistics for the period, recomputed whenever a call was written since the last time."""
    now = st.now()
    rows = st.log.summaries(since=st_mod.period_start(now, st.tz, weeks))
    key = (weeks, now.astimezone(st.tz).date(), st.cfg)
    hit = st.stats_cache.get(("stats", weeks))
    if hit is not None and hit[0] == key and _same_rows(hit[1], rows):
        cached: dict[str, Any] = hit[2]
        return cached
    result = st_mod.compute(rows, st.cfg, now, weeks, _first_day(st), st.facts)
    first_week = dt.date.fromisoformat(result["period"]["from"])
    entries = trace(rows, st.cfg, {ln.name: ln.country for ln in st.cfg.lines}, st.trace_cache)
    tz = st.tz
    result["funnel"] = funnel(rows, entries, now, tz, first_week, weeks,
                              local_ordinal=lambda r: st.facts.get(r, tz)[0])
    st.stats_cache[("stats", weeks)] = (key, rows, result)
    return result


@bp.route("/stats")
def index() -> str:
    st = state()
    weeks = weeks_arg()
    data = compute_stats(st, weeks)
    lang = st.cfg.company.language
    tr = Translator(lang)
    # charts start at the first week with calls (at most 4 weeks before the end)
    all_weeks = data["weeks"]
    first = next((i for i, w in enumerate(all_weeks) if w["total"]), len(all_weeks))
    shown = all_weeks[min(first, max(0, len(all_weeks) - 4)):]
    labels = [dt.date.fromisoformat(w["start"]).strftime("%d/%m") for w in shown]
    fit = data["projection"].get("fit")
    fit_first = next((i for i, w in enumerate(shown) if fit and w["start"] == fit["first_week"]), 0)

    def trend(i: int) -> float | None:
        """The fitted line over the complete weeks, then extended over the weeks ahead."""
        if not fit or i < fit_first or (i < len(shown) and not shown[i]["complete"]):
            return None
        return float(fit["intercept"] + fit["slope"] * (i - fit_first))

    last_start = dt.date.fromisoformat(shown[-1]["start"]) if shown else dt.date.today()
    ahead = [(last_start + dt.timedelta(weeks=k)).strftime("%d/%m") for k in range(1, WEEKS_AHEAD + 1)]

    def col(key: str) -> list[float]:
        return [w[key] for w in shown]

    per_week = charts.stacked_bars(labels, [("total", tr("calls"), col("total"))], title=tr("Calls per week"))
    stacked = charts.stacked_bars(
        labels,
        [("answered", tr("Answered"), col("answered")),
         ("abandoned_short", tr("abandoned under 5 s"), col("abandoned_short")),
         ("abandoned_long", tr("abandoned 5 s or more"), col("abandoned_long")),
         ("missed", tr("Missed"), col("missed")),
         ("interrupted", tr("Interrupted"), col("interrupted"))],
        title=tr("Answered, abandoned, missed"))
    lost = charts.stacked_bars(labels + (ahead if fit else []),
                               [("missed", tr("Lost calls"), col("lost") + ([0] * WEEKS_AHEAD if fit else []))],
                               title=tr("Lost calls"), trend=trend if fit else None,
                               trend_label=tr("trend (least squares), extended"))
    heat = charts.heatmap(data["heatmap"], WEEKDAYS.get(lang, WEEKDAYS["en"]),
                          title=tr("Calls by hour and weekday"))
    return render_template("stats.html", d=data, weeks=weeks, chart_week=per_week, chart_stacked=stacked,
                           chart_lost=lost, chart_heat=heat)
