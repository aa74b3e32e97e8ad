"""The Flask application factory: security wiring, auth gate, blueprints."""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from flask import Flask, Response, abort, g, jsonify, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue
from werkzeug.exceptions import HTTPException

from ..config import Config
from ..directory import Directory
from ..store.calllog import CallLog, CallLogReader
from ..textsafe import strip_bidi
from . import fmt
from .auth import AuthStore, RateLimiter
from .context import WebActions, WebState, state
from .csrf import check_csrf, csrf_token
from .i18n import Translator
from .roles import allowed

log = logging.getLogger(__name__)

CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; media-src 'self'; "
       "connect-src 'self'; font-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'")
PUBLIC_ENDPOINTS = frozenset({"static", "auth.setup", "auth.login"})


def create_app(cfg: Config, log_: CallLog | CallLogReader, *, live: Callable[[], Mapping[str, Any]] | None = None,
               config_path: Path | None = None, actions: WebActions | None = None,
               limiter: RateLimiter | None = None, directory: Directory | None = None) -> Flask:
    """Build the status page application (see the package docstring for the contract)."""
    here = Path(__file__).parent
    app = Flask("appliance.web", template_folder=str(here / "templates"), static_folder=str(here / "static"))
    quarantine = log_.quarantine if isinstance(log_, CallLog) else None  # the service's: a health fault
    auth = AuthStore(log_.data_dir, quarantine=quarantine)
    country = cfg.lines[0].country if cfg.lines else "FR"
    st = WebState(cfg=cfg, log=log_, auth=auth, limiter=limiter or RateLimiter(), live=live,
                  config_path=Path(config_path) if config_path else None, actions=actions,
                  started=time.time(),
                  directory=directory or Directory(log_.data_dir, cfg.directory, country=country,
                                                   quarantine=quarantine))
    app.extensions["permanence"] = st
    app.config.update(
        SECRET_KEY=auth.secret_key(),
        SESSION_COOKIE_NAME="permanence_session",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Strict",
        SESSION_COOKIE_SECURE=bool(cfg.web.https),
        PERMANENT_SESSION_LIFETIME=dt.timedelta(minutes=cfg.web.session_minutes),
        MAX_CONTENT_LENGTH=2 * 1024 * 1024,
        JSON_SORT_KEYS=False,
        SEND_FILE_MAX_AGE_DEFAULT=3600,
    )
    app.jinja_env.autoescape = True
    # no caller-controlled text can reverse or reorder what the page shows (bidi controls dropped)
    app.jinja_env.finalize = lambda v: strip_bidi(v) if isinstance(v, str) else v
    code = auth.setup_code()
    if code is not None:
        log.warning("status page: no password yet; open the page and enter the setup code %s "
                    "(also shown by `permanence passwd`)", code)

    from .api import bp as api_bp
    from .views.accounts import bp as accounts_bp
    from .views.auth_views import bp as auth_bp
    from .views.calls import bp as calls_bp
    from .views.dashboard import bp as dash_bp
    from .views.directory import bp as directory_bp
    from .views.health import bp as health_bp
    from .views.settings import bp as settings_bp
    from .views.stats import bp as stats_bp
    from .views.worklist import bp as worklist_bp

    for bp in (auth_bp, worklist_bp, dash_bp, calls_bp, directory_bp, stats_bp, health_bp, settings_bp,
               accounts_bp, api_bp):
        app.register_blueprint(bp)

    app.before_request(_gate)
    app.after_request(_headers)
    app.register_error_handler(HTTPException, _http_error)
    app.context_processor(_template_globals)
    return app


def _is_api() -> bool:
    return request.path.startswith("/api/")


def _gate() -> ResponseReturnValue | None:
    """Authentication first (the session's account and generations, checked on every request),
    then the role, then CSRF: nothing personal is reachable without all three."""
    st = state()
    if request.endpoint in PUBLIC_ENDPOINTS:
        check_csrf()
        return None
    if not st.auth.has_password():
        if _is_api():
            return _json_error(401, "no password is set yet: open the page to complete the setup")
        return redirect(url_for("auth.setup"))
    login_at = session.get("at")
    expired = not isinstance(login_at, int | float) or time.time() - login_at > st.cfg.web.session_minutes * 60
    acc = None if expired or not session.get("auth") else st.auth.session_valid(
        session.get("user"), session.get("gen"), session.get("box"))
    if acc is None:
        session.pop("auth", None)
        if _is_api():
            return _json_error(401, "log in first")
        nxt = request.full_path if request.method == "GET" else "/"
        return redirect(url_for("auth.login", next=nxt.rstrip("?")))
    g.account = acc
    if not allowed(acc.role, request.endpoint, request.method):
        if request.endpoint == "dashboard.index" and acc.role == "technician":
            return redirect(url_for("worklist.index"))
        abort(403, description="your account may not open this page or do this (ask the administrator)")
    check_csrf()
    return None


def _headers(resp: Response) -> Response:
    h = resp.headers
    h.setdefault("Content-Security-Policy", CSP)
    h["X-Content-Type-Options"] = "nosniff"
    h["X-Frame-Options"] = "DENY"
    h["Referrer-Policy"] = "no-referrer"
    h["Cross-Origin-Opener-Policy"] = "same-origin"
    h["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()"
    if state().cfg.web.https:
        h["Strict-Transport-Security"] = "max-age=31536000"
    if request.endpoint != "static":
        h["Cache-Control"] = "no-store"
        h["Pragma"] = "no-cache"
    return resp


def _json_error(status: int, message: str) -> Response:
    resp = jsonify({"error": message, "status": status})
    resp.status_code = status
    return resp


def _http_error(exc: HTTPException) -> ResponseReturnValue:
    status = exc.code or 500
    if _is_api():
        return _json_error(status, exc.description or exc.name)
    return render_template("error.html", status=status, title=exc.name, message=exc.description), status


def _template_globals() -> dict[str, Any]:
    st = state()
    tz = st.tz
    lang = st.cfg.company.language
    tr = Translator(lang)
    return {
        "_": tr,
        "lang": lang,
        "company": st.cfg.company,
        "csrf_token": csrf_token,
        "logged_in": g.get("account") is not None,
        "me": g.get("account"),
        "can": lambda endpoint, method="GET": (g.get("account") is not None
                                               and allowed(g.account.role, endpoint, method)),
        "localtime": lambda v, f="%Y-%m-%d %H:%M": fmt.local_time(v, tz, f),
        "dur": fmt.duration,
        "money": lambda v: fmt.money(v, st.cfg.company.currency, lang),
        "caller_text": fmt.caller,
        "state_label": lambda s: tr(str(s)),
        "uptime": fmt.uptime,
    }
