"""Dashboard: lines now, today's counts, urgent alerts, last calls."""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
from typing import Any

from flask import Blueprint, render_template

from ..context import WebState, state

bp = Blueprint("dashboard", __name__)


def line_dicts(live: dict[str, Any]) -> list[dict[str, Any]]:
    """Lines as plain dicts whatever the service passed (LineStatus or dict)."""
    out = []
    for ln in live.get("lines") or []:
        d = dataclasses.asdict(ln) if dataclasses.is_dataclass(ln) and not isinstance(ln, type) else dict(ln)
        d = {k: (v.value if isinstance(v, enum.Enum) else v) for k, v in d.items()}
        out.append(d)
    return out


def local_midnight(st: WebState) -> dt.datetime:
    now = st.now().astimezone(st.tz)
    return dt.datetime.combine(now.date(), dt.time(), st.tz).astimezone(dt.UTC)


def dashboard_data(st: WebState) -> dict[str, Any]:
    now = st.now()
    today = st.log.summaries(since=local_midnight(st))
    counts = {"total": len(today), "answered": 0, "abandoned": 0, "missed": 0, "urgent": 0, "open": 0}
    for r in today:
        s = r.get("state")
        if s in ("answered", "staff"):
            counts["answered"] += 1
        elif s == "abandoned":
            counts["abandoned"] += 1
        elif s == "missed":
            counts["missed"] += 1
        elif s in ("ringing", "in_call"):
            counts["open"] += 1
        if r.get("urgent"):
            counts["urgent"] += 1
    recent = st.log.summaries(since=now - dt.timedelta(days=7))
    if len(recent) < 10:
        recent = st.log.summaries(since=now - dt.timedelta(days=90))
    alerts = [r for r in recent if r.get("urgent") and (r.get("alerts_pending") or r.get("acknowledged")
                                                         or not r.get("handled"))][:20]
    from .worklist import current_items

    items = current_items(st)
    worklist = {"total": len(items), "overdue": sum(1 for it in items if it.overdue(now))}
    return {"counts": counts, "last": recent[:10], "alerts": alerts, "worklist": worklist,
            "lines": line_dicts(st.live_status())}


@bp.route("/")
def index() -> str:
    return render_template("dashboard.html", **dashboard_data(state()))
