"""Calls list, call detail, recording, actions and export."""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
from typing import Any

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, send_file, url_for
from flask.typing import ResponseReturnValue

from ...errors import StoreError
from ...store.record import CallRecord, iso, parse_iso
from .. import query
from ..context import WebState, state
from ..i18n import Translator

bp = Blueprint("calls", __name__)
log = logging.getLogger(__name__)
MAX_NOTE = 2000


def filters_or_400() -> query.Filters:
    try:
        return query.parse_filters(request.args)
    except query.FilterError as exc:
        abort(400, description=str(exc))


DEFAULT_DAYS = 90


@bp.route("/calls")
def index() -> str:
    """Without dates, the list shows the last 90 days (``?all=1``: every call)."""
    st = state()
    f = filters_or_400()
    everything = request.args.get("all") == "1"
    if f.since is None and f.until is None and not everything:
        today = st.now().astimezone(st.tz).date()
        f = dataclasses.replace(f, since=today - dt.timedelta(days=DEFAULT_DAYS - 1))
    page = query.find(st.log, f, st.tz, st.search)
    return render_template("calls.html", page=page, f=f, categories=query.CATEGORIES, everything=everything,
                           states=query.STATE_FILTERS, urgencies=query.URGENCY_FILTERS)


def get_call_or_404(st: WebState, call_id: str) -> CallRecord:
    if not query.valid_call_id(call_id):
        abort(404)
    rec = st.log.get(call_id)
    if rec is None:
        abort(404)
    return rec


def timeline(rec: CallRecord) -> list[dict[str, Any]]:
    """Events, turns and alerts merged in time order (turns are placed after the answer)."""
    items: list[tuple[str, dict[str, Any]]] = []
    for e in rec.events:
        items.append((str(e.get("at", "")), {"kind": str(e.get("kind", "")), "at": e.get("at"),
                                             "detail": {k: v for k, v in e.items() if k not in ("at", "kind")}}))
    if not any(e.get("kind") in ("ring", "ringing") for e in rec.events):
        items.append((rec.started_at, {"kind": "ring", "at": rec.started_at,
                                       "detail": {"rings": rec.rings, "ring_seconds": rec.ring_seconds}}))
    if rec.answered_at and not any(e.get("kind") == "answered" for e in rec.events):
        items.append((rec.answered_at, {"kind": "answered", "at": rec.answered_at, "detail": {}}))
    if rec.answered_at:
        base = parse_iso(rec.answered_at)
        for t in rec.turns:
            try:
                at = iso(base + dt.timedelta(seconds=float(t.get("start", 0))))
            except (TypeError, ValueError):
                at = rec.answered_at
            items.append((at, {"kind": "turn", "at": at, "speaker": t.get("speaker"), "text": t.get("text", ""),
                               "detail": {}}))
    for a in rec.alerts:
        at = str(a.get("at") or a.get("created_at") or rec.started_at)
        items.append((at, {"kind": "alert", "at": at,
                           "detail": {k: v for k, v in a.items() if k not in ("at", "created_at")}}))
        if a.get("acknowledged_at") and not any(e.get("kind") == "acknowledged" for e in rec.events):
            items.append((str(a["acknowledged_at"]), {"kind": "acknowledged", "at": a["acknowledged_at"],
                                                      "detail": {"by": a.get("acknowledged_by", "")}}))
    if rec.ended_at and not any(e.get("kind") in ("hangup", "hung_up", "ended") for e in rec.events):
        items.append((rec.ended_at, {"kind": "hangup", "at": rec.ended_at, "detail": {"by": rec.hangup_by}}))
    items.sort(key=lambda x: x[0])
    return [i for _, i in items]


def fired_rules(rec: CallRecord) -> list[str]:
    q = rec.qualification
    if q is None:
        return []
    if q.rules:
        return list(q.rules)
    # an older record: the rules under "fired", or as a dict per rule (kept in ``extra`` as read)
    fired = q.extra.get("rules") or q.extra.get("fired") or []
    out: list[str] = []
    for r in fired if isinstance(fired, list) else [fired]:
        if isinstance(r, dict):
            out.append(" · ".join(f"{k}: {v}" for k, v in r.items()))
        else:
            out.append(str(r))
    return out


@bp.route("/calls/<call_id>")
def detail(call_id: str) -> str:
    st = state()
    rec = get_call_or_404(st, call_id)
    has_recording = st.log.recording_path(call_id).is_file()
    q = {k: v for k, v in (rec.qualification.to_dict() if rec.qualification else {}).items()
         if k not in ("rules", "fired", "id", *_CHECKS)}
    put = next((e for e in rec.events if e.get("kind") in ("transferred", "joined")), None)
    return render_template("call.html", rec=rec, row=rec.summary() | {"caller_withheld": rec.caller_withheld},
                           events=timeline(rec), qual=q, rules=fired_rules(rec), checks=field_checks(rec),
                           put_through=put,
                           has_recording=has_recording, writable=st.writable, **caller_facts(st, rec))


def caller_facts(st: WebState, rec: CallRecord) -> dict[str, Any]:
    """What the directory knows of the caller (as the call was answered, else as it is now) and the
    unanswered calls from the same number earlier that day."""
    from ...directory.lookup import earlier_unanswered

    country = next((ln.country for ln in st.cfg.lines if ln.name == rec.line), "FR")
    known = rec.known
    if not known and st.directory is not None and rec.caller_number:
        k = st.directory.known_caller(rec.caller_number, country)
        known = dataclasses.asdict(k) if k is not None else None
    earlier = rec.earlier_attempts
    if not earlier and rec.caller_number and rec.answered_at is None:
        start = parse_iso(rec.started_at)
        midnight = dt.datetime.combine(start.astimezone(st.tz).date(), dt.time(), st.tz)
        earlier = earlier_unanswered(st.log.summaries(since=midnight, until=start), rec.caller_number,
                                     rec.started_at, country)
    return {"known": known, "earlier": earlier}


_CHECKS = ("confirmed", "unconfirmed", "spelled", "heard")


def field_checks(rec: CallRecord) -> dict[str, dict[str, str]]:
    """Per qualification field: how the caller confirmed it ("confirmed", "spelled", "unconfirmed") and, when
    the box first heard something else, what it heard."""
    q = rec.qualification
    out: dict[str, dict[str, str]] = {}
    if q is None:
        return out
    for how, fields in (("confirmed", q.confirmed or ()), ("spelled", q.spelled), ("unconfirmed", q.unconfirmed)):
        for f in fields:
            out.setdefault(f, {})["state"] = how
    for f, v in q.heard.items():
        if v:
            out.setdefault(f, {})["heard"] = v
    return out


@bp.route("/calls/<call_id>/recording")
def recording(call_id: str) -> Response:
    st = state()
    get_call_or_404(st, call_id)
    path = st.log.recording_path(call_id)
    if not path.is_file():
        abort(404, description="this call has no recording")
    resp = send_file(path, mimetype="audio/wav", conditional=True, max_age=0,
                     download_name=f"{call_id}.wav")
    resp.headers["Cache-Control"] = "no-store"
    return resp


# --------------------------------------------------------------------------- actions

def apply_action(st: WebState, call_id: str, action: str, form: dict[str, Any], who: str) -> CallRecord:
    """Validate and apply one action through ``log.update``; raises ValueError on bad input."""
    from ...store.calllog import CallLog

    if not isinstance(st.log, CallLog):
        raise PermissionError("this page reads the call log only (no writer in this process)")
    now = iso(st.now())
    if action == "handled":
        value = str(form.get("value", "1")).lower() in ("1", "true", "yes", "on")

        def fn(r: CallRecord) -> None:
            r.handled = value
            r.actions.append({"at": now, "kind": "handled" if value else "unhandled", "by": who})
    elif action == "converted":
        raw = str(form.get("amount", "")).strip().replace(",", ".").replace("\u202f", "").replace(" ", "")
        try:
            amount = float(raw) if raw else None
        except ValueError:
            raise ValueError(f"amount: expected a number such as 1200 or 1200.50, got {raw[:40]!r}") from None
        if amount is not None and not 0 <= amount <= 1e9:
            raise ValueError("amount: expected a value from 0 to 1 000 000 000")

        def fn(r: CallRecord) -> None:
            r.converted = True
            r.handled = True
            r.amount = amount
            r.actions.append({"at": now, "kind": "converted", "amount": amount, "by": who})
    elif action == "note":
        text = str(form.get("text", "")).strip()
        if not text:
            raise ValueError("note: expected some text")
        if len(text) > MAX_NOTE:
            raise ValueError(f"note: expected at most {MAX_NOTE} characters")

        def fn(r: CallRecord) -> None:
            r.notes.append({"at": now, "by": who, "text": text})
    else:
        raise ValueError(f"unknown action {action!r}: expected handled, converted or note")
    try:
        return st.log.update(call_id, fn)
    except StoreError as exc:
        raise ValueError(str(exc)) from exc


@bp.route("/calls/<call_id>/<any(handled, converted, note):action>", methods=["POST"])
def act(call_id: str, action: str) -> ResponseReturnValue:
    st = state()
    get_call_or_404(st, call_id)
    tr = Translator(st.cfg.company.language)
    try:
        apply_action(st, call_id, action, dict(request.form), st.who)
        flash(tr("Saved."), "ok")
    except (ValueError, PermissionError) as exc:
        flash(f"{tr('Not saved')}: {exc}", "error")
    return redirect(url_for("calls.detail", call_id=call_id))


@bp.route("/calls/export")
def export() -> Response:
    st = state()
    f = filters_or_400()
    fmt = request.args.get("format", "csv")
    return export_response(st, f, fmt)


def export_response(st: WebState, f: query.Filters, fmt: str) -> Response:
    if fmt not in ("csv", "jsonl"):
        abort(400, description="format: expected csv or jsonl")
    records = query.export_records(st.log, f, st.tz)
    span = f"{f.since or 'start'}_{f.until or 'now'}"
    if fmt == "csv":
        body = query.csv_lines(records, st.tz)
        content_type = "text/csv; charset=utf-8"
    else:
        body = query.jsonl_lines(records)
        content_type = "application/x-ndjson; charset=utf-8"
    # content_type is sent as given (mimetype= would add a second charset to a text/ type)
    resp = Response(body, content_type=content_type)  # streamed: rows are serialised as they are sent
    resp.headers["Content-Disposition"] = f'attachment; filename="calls_{span}.{fmt}"'
    return resp
