"""Statistics page: the seed's numbers, charts and the projection."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import Blueprint, abort, render_template, request

from .. import charts
from .. import stats as st_mod
from ..context import WebState, state
from ..i18n import Translator

bp = Blueprint("stats", __name__)
DEFAULT_WEEKS = 26
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


def compute_stats(st: WebState, weeks: int) -> dict[str, Any]:
    now = st.now()
    rows = st.log.summaries(since=st_mod.period_start(now, st.tz, weeks))
    first_day = next(iter(st.log.iter_days()), None)
    return st_mod.compute(rows, st.cfg, now, weeks, first_day)


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
        if not fit or i < fit_first or not shown[i]["complete"]:
            return None
        return float(fit["intercept"] + fit["slope"] * (i - fit_first))

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
    lost = charts.stacked_bars(labels, [("missed", tr("Lost calls"), col("lost"))],
                               title=tr("Lost calls"), trend=trend if fit else None,
                               trend_label=tr("trend (least squares)"))
    heat = charts.heatmap(data["heatmap"], WEEKDAYS.get(lang, WEEKDAYS["en"]),
                          title=tr("Calls by hour and weekday"))
    return render_template("stats.html", d=data, weeks=weeks, chart_week=per_week, chart_stacked=stacked,
                           chart_lost=lost, chart_heat=heat)
