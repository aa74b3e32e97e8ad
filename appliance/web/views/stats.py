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
    return st_mod.compute(rows, st.cfg, now, weeks)


@bp.route("/stats")
def index() -> str:
    st = state()
    weeks = weeks_arg()
    data = compute_stats(st, weeks)
    lang = st.cfg.company.language
    tr = Translator(lang)
    labels = [dt.date.fromisoformat(w["start"]).strftime("%d/%m") for w in data["weeks"]]
    fit = data["projection"].get("fit")
    first_complete = next((i for i, w in enumerate(data["weeks"]) if w["complete"] and w["total"]), 0)

    def trend(i: int) -> float:
        return fit["intercept"] + fit["slope"] * (i - first_complete) if fit else 0.0

    per_week = charts.stacked_bars(labels, [("total", tr("calls"), [w["total"] for w in data["weeks"]])],
                                   title=tr("Calls per week"))
    stacked = charts.stacked_bars(
        labels,
        [("answered", tr("Answered"), [w["answered"] for w in data["weeks"]]),
         ("abandoned_short", tr("abandoned under 5 s"), [w["abandoned_short"] for w in data["weeks"]]),
         ("abandoned_long", tr("abandoned 5 s or more"), [w["abandoned_long"] for w in data["weeks"]]),
         ("missed", tr("Missed"), [w["missed"] for w in data["weeks"]]),
         ("interrupted", tr("Interrupted"), [w["interrupted"] for w in data["weeks"]])],
        title=tr("Answered, abandoned, missed"))
    lost = charts.stacked_bars(labels, [("missed", tr("Lost calls"), [w["lost"] for w in data["weeks"]])],
                               title=tr("Lost calls"), trend=trend if fit else None,
                               trend_label=tr("trend (least squares)"))
    heat = charts.heatmap(data["heatmap"], WEEKDAYS.get(lang, WEEKDAYS["en"]),
                          title=tr("Calls by hour and weekday"))
    return render_template("stats.html", d=data, weeks=weeks, chart_week=per_week, chart_stacked=stacked,
                           chart_lost=lost, chart_heat=heat)
