"""Health page: lines, models, disk, uptime, last errors, capture files."""

from __future__ import annotations

import shutil
import time
from pathlib import Path
from typing import Any

from flask import Blueprint, Response, abort, render_template, send_file

from ..context import WebState, state
from .dashboard import line_dicts

bp = Blueprint("health", __name__)


def health_data(st: WebState) -> dict[str, Any]:
    live = st.live_status()
    try:
        du = shutil.disk_usage(st.log.data_dir)
        disk: dict[str, Any] = {"path": str(st.log.data_dir), "total": du.total, "free": du.free,
                                "used_pct": round(100 * (du.total - du.free) / du.total, 1) if du.total else None}
    except OSError as exc:
        disk = {"path": str(st.log.data_dir), "error": str(exc)}
    captures = [{"index": i, "name": Path(str(p)).name} for i, p in enumerate(live.get("captures") or [])]
    uptime = live.get("uptime_s")
    reserve = live.get("disk_reserve_bytes")
    if isinstance(reserve, int) and "free" in disk:
        disk["reserve"] = reserve
    return {
        "problems": [str(p) for p in (live.get("problems") or [])],
        "faults": [f for f in (live.get("faults") or []) if isinstance(f, dict)][:30],
        "lines": line_dicts(live),
        "models": dict(live.get("models") or {}),
        "uptime_s": uptime if uptime is not None else time.time() - st.started,
        "errors": [str(e) for e in (live.get("errors") or [])][-50:],
        "captures": captures,
        "disk": disk,
        "writer_alive": st.writable or st.log.writer_alive(),
    }


@bp.route("/health")
def index() -> str:
    return render_template("health.html", h=health_data(state()))


@bp.route("/health/captures/<int:index>")
def capture(index: int) -> Response:
    """Only files the service lists in live()["captures"]; never a path from the request."""
    st = state()
    paths = st.live_status().get("captures") or []
    if not 0 <= index < len(paths):
        abort(404)
    path = Path(str(paths[index]))
    if not path.is_file():
        abort(404, description="this capture file no longer exists")
    return send_file(path, mimetype="application/octet-stream", as_attachment=True, download_name=path.name,
                     max_age=0)
