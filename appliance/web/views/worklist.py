"""The "To call back" page: every number that needs a human action, most pressing first;
a logged-in office account records what came of the callback."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from ...directory.numbers import national
from ...store.calllog import CallLog
from ...worklist import outcome as outcome_mod
from ...worklist.items import Item, group
from ...worklist.trace import OUTCOMES, Entry, trace
from .. import query
from ..context import WebState, state
from ..i18n import Translator

bp = Blueprint("worklist", __name__)
PER_PAGE = 30  # rows per page: the most pressing first, so a long list still opens at once
SHOWN_CALLS = 8  # calls listed under a row (its latest); the outcome applies to all of them


def countries(st: WebState) -> dict[str, str]:
    return {ln.name: ln.country for ln in st.cfg.lines}


def entries_since(st: WebState, since: dt.datetime) -> list[Entry]:
    """Worklist entries of the calls since ``since``, recomputed only when a call was written
    (the store hands out the same row objects while a day file is unchanged)."""
    rows = st.log.summaries(since=since)
    key = ("worklist", since, st.cfg)
    hit = st.stats_cache.get("worklist")
    if hit is not None and hit[0] == key and len(hit[1]) == len(rows) and all(
            a is b for a, b in zip(hit[1], rows)):
        cached: list[Entry] = hit[2]
        return cached
    result = trace(rows, st.cfg, countries(st), st.trace_cache)
    st.stats_cache["worklist"] = (key, rows, result)
    return result


def current_items(st: WebState) -> list[Item]:
    now = st.now()
    horizon = st.cfg.worklist.horizon_days
    day = (now - dt.timedelta(days=horizon)).astimezone(st.tz).date()
    since = dt.datetime.combine(day, dt.time(), st.tz).astimezone(dt.UTC)
    return group(entries_since(st, since), now, horizon)


def item_view(st: WebState, it: Item, now: dt.datetime) -> dict[str, Any]:
    """What the page and the API show of one row: the directory's values first; times also as local
    text, and at most ``SHOWN_CALLS`` of its calls (the latest; ``call_ids`` has them all)."""
    contact = st.directory.lookup(it.number) if st.directory is not None and it.number else None
    said_name, said_company = it.said()
    tz = st.tz
    short = "%d/%m %H:%M"
    return {
        "key": it.key, "number": it.number, "number_display": national(it.number) if it.number else "",
        "name": (contact.name if contact else "") or said_name or "",
        "company": (contact.company if contact else "") or said_company or "",
        "site": contact.site if contact else "", "contract": contact.contract if contact else "",
        "known": contact is not None, "attempts": it.attempts, "reasons": list(it.reasons),
        "urgent": it.urgent, "first_at": it.first_at.isoformat(), "last_at": it.last_at.isoformat(),
        "first_local": it.first_at.astimezone(tz).strftime(short), "last_local": it.last_at.astimezone(tz).strftime(short),
        "due_at": it.due_at.isoformat(), "due_local": it.due_at.astimezone(tz).strftime(short),
        "overdue": it.overdue(now), "overdue_minutes": max(0, round((now - it.due_at).total_seconds() / 60)),
        "call_ids": list(it.call_ids), "more_calls": max(0, it.attempts - SHOWN_CALLS),
        "calls": [{"id": e.call_id, "started_at": e.started_at.isoformat(),
                   "local": e.started_at.astimezone(tz).strftime(short), "reason": e.reason,
                   "state": e.row.get("state"), "category": e.row.get("category"),
                   "urgency": e.row.get("urgency"), "summary": e.row.get("summary") or "",
                   "rings": e.row.get("rings"), "ring_seconds": e.row.get("ring_seconds"),
                   "due_at": e.due_at.isoformat()} for e in it.entries[-SHOWN_CALLS:]],
    }


def page_arg(name: str, default: int, top: int) -> int:
    raw = request.args.get(name, str(default))
    try:
        value = int(raw)
    except ValueError:
        abort(400, description=f"{name}: expected a whole number from 1 to {top}, got {raw[:20]!r}")
    if not 1 <= value <= top:
        abort(400, description=f"{name}: expected a whole number from 1 to {top}, got {value}")
    return value


def worklist_data(st: WebState, page: int = 1, per_page: int = PER_PAGE) -> dict[str, Any]:
    """One page of rows (the most pressing first) and the counts of the whole list."""
    now = st.now()
    items = current_items(st)
    pages = max(1, -(-len(items) // per_page))
    page = min(page, pages)
    shown = [item_view(st, it, now) for it in items[(page - 1) * per_page:page * per_page]]
    return {"items": shown, "total": len(items), "overdue": sum(1 for it in items if it.overdue(now)),
            "calls": sum(it.attempts for it in items), "page": page, "pages": pages, "per_page": per_page,
            "outcomes": list(OUTCOMES)}


@bp.route("/worklist")
def index() -> str:
    st = state()
    return render_template("worklist.html", d=worklist_data(st, page_arg("page", 1, 10_000)),
                           writable=st.writable, tz=st.tz)


def record_outcome(st: WebState, form: dict[str, Any]) -> int:
    """Validate and record one outcome for the calls listed in the form; returns how many."""
    if not isinstance(st.log, CallLog):
        raise PermissionError("this page reads the call log only (no writer in this process)")
    raw = form.get("calls", "")
    ids = raw if isinstance(raw, list) else str(raw).split(",")
    ids = [str(i).strip() for i in ids if str(i).strip()]
    if not ids or not all(query.valid_call_id(i) for i in ids):
        raise outcome_mod.OutcomeError("calls: expected the call ids of the row")
    recs = outcome_mod.record(st.log, ids, str(form.get("outcome", "")), who=st.who,
                              amount=form.get("amount"), note=str(form.get("note", "")), now=st.now())
    return len(recs)


@bp.route("/worklist/outcome", methods=["POST"])
def outcome() -> ResponseReturnValue:
    st = state()
    tr = Translator(st.cfg.company.language)
    try:
        n = record_outcome(st, dict(request.form))
        flash(f"{tr('Saved.')} ({n} {tr('calls')})", "ok")
    except (outcome_mod.OutcomeError, PermissionError) as exc:
        flash(f"{tr('Not saved')}: {exc}", "error")
    return redirect(url_for("worklist.index"))


@bp.route("/worklist/history.csv")
def history() -> Response:
    """Every call that entered the worklist in the period, and what became of it (CSV)."""
    from ..worklist_csv import history_csv

    st = state()
    try:
        f = query.parse_filters(request.args)
    except query.FilterError as exc:
        abort(400, description=str(exc))
    lo, hi = f.utc_range(st.tz)
    rows = st.log.summaries(lo, hi)
    entries = trace(rows, st.cfg, countries(st), st.trace_cache)
    resp = Response(history_csv(entries, st.tz, st.now()), mimetype="text/csv")
    span = f"{f.since or 'start'}_{f.until or 'now'}"
    resp.headers["Content-Disposition"] = f'attachment; filename="worklist_{span}.csv"'
    return resp
