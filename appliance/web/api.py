"""JSON API under ``/api/`` (documented in docs/api.md). Same session and CSRF rules as the pages:
reads need a logged-in session; writes also need the ``X-CSRF-Token`` header."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, abort, request, url_for

from . import query
from .context import state
from .views.calls import apply_action, export_response, fired_rules, get_call_or_404, timeline
from .views.dashboard import dashboard_data, line_dicts
from .views.health import health_data
from .views.stats import compute_stats, weeks_arg
from .views.worklist import page_arg, record_outcome, worklist_data

bp = Blueprint("api", __name__, url_prefix="/api")


def json_response(obj: Any, status: int = 200) -> Response:
    """JSON with ``<``, ``>`` and ``&`` escaped as ``\\u003c``...: caller text never reads as markup."""
    return Response(query.html_safe_json(obj), status=status, mimetype="application/json")


def _filters() -> query.Filters:
    try:
        return query.parse_filters(request.args)
    except query.FilterError as exc:
        abort(400, description=str(exc))


@bp.route("/calls")
def calls() -> Response:
    st = state()
    f = _filters()
    page = query.find(st.log, f, st.tz, st.search)
    return json_response({"calls": page.rows, "total": page.total, "page": page.page, "pages": page.pages,
                          "per_page": f.per_page})


@bp.route("/calls/<call_id>")
def call(call_id: str) -> Response:
    st = state()
    rec = get_call_or_404(st, call_id)
    has_recording = st.log.recording_path(call_id).is_file()
    return json_response({"call": rec.to_dict(), "timeline": timeline(rec), "rules": fired_rules(rec),
                          "recording_url": url_for("calls.recording", call_id=call_id) if has_recording else None})


@bp.route("/calls/<call_id>/<any(handled, converted, note):action>", methods=["POST"])
def act(call_id: str, action: str) -> Response:
    st = state()
    get_call_or_404(st, call_id)
    body = request.get_json(silent=True)
    form = body if isinstance(body, dict) else dict(request.form)
    if action == "handled" and isinstance(form.get("handled"), bool):
        form["value"] = "1" if form["handled"] else "0"
    try:
        rec = apply_action(st, call_id, action, form, st.who)
    except PermissionError as exc:
        abort(409, description=str(exc))
    except ValueError as exc:
        abort(400, description=str(exc))
    return json_response({"call": rec.to_dict()})


@bp.route("/worklist")
def worklist() -> Response:
    """``?page=N&per_page=M`` (1 to 500, default 100)."""
    return json_response(worklist_data(state(), page_arg("page", 1, 10_000), page_arg("per_page", 100, 500)))


@bp.route("/worklist/outcome", methods=["POST"])
def worklist_outcome() -> Response:
    """``{"calls": [call ids of the row], "outcome": "reached", "amount": 1200, "note": "..."}``"""
    from ..worklist.outcome import OutcomeError

    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        abort(400, description="expected a JSON object")
    try:
        n = record_outcome(state(), body)
    except PermissionError as exc:
        abort(409, description=str(exc))
    except OutcomeError as exc:
        abort(400, description=str(exc))
    return json_response({"recorded": n, "worklist": worklist_data(state())})


@bp.route("/directory")
def directory() -> Response:
    st = state()
    if st.directory is None:
        abort(404)
    found = st.directory.search(request.args.get("q", "")[:100])
    return json_response({"total": len(st.directory), "matching": len(found),
                          "contacts": [c.to_dict() for c in found[:500]]})


@bp.route("/stats")
def stats() -> Response:
    return json_response(compute_stats(state(), weeks_arg()))


@bp.route("/dashboard")
def dashboard() -> Response:
    return json_response(dashboard_data(state()))


@bp.route("/health")
def health() -> Response:
    return json_response(health_data(state()))


@bp.route("/lines")
def lines() -> Response:
    return json_response({"lines": line_dicts(state().live_status())})


@bp.route("/export")
def export() -> Response:
    return export_response(state(), _filters(), request.args.get("format", "jsonl"))
