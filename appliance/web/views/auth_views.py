"""First-run setup, login and logout."""

from __future__ import annotations

import logging
import math
import time
from urllib.parse import urlsplit

from flask import Blueprint, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue

from ...errors import WebError
from ..auth import password_problem
from ..context import state
from ..csrf import csrf_token
from ..i18n import Translator

bp = Blueprint("auth", __name__)
log = logging.getLogger(__name__)


def _client() -> str:
    return request.remote_addr or "?"


def _safe_next(target: str | None) -> str:
    """Only same-site paths: never an absolute URL (open redirect)."""
    if not target:
        return url_for("dashboard.index")
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return url_for("dashboard.index")
    return target


def _start_session() -> None:
    st = state()
    session.clear()
    session.permanent = True
    session["auth"] = True
    session["gen"] = st.auth.generation()
    session["at"] = time.time()  # the lifetime counts from the login, however active the page
    csrf_token()  # a fresh token for the new session


def _throttled(tr: Translator) -> str | None:
    wait = state().limiter.retry_after(_client())
    if wait > 0:
        return f"{tr('Too many attempts: wait')} {math.ceil(wait)} {tr('seconds')}."
    return None


@bp.route("/setup", methods=["GET", "POST"])
def setup() -> ResponseReturnValue:
    st = state()
    tr = Translator(st.cfg.company.language)
    if st.auth.has_password():
        return redirect(url_for("auth.login"))
    error = None
    status = 200
    if request.method == "POST":
        error = _throttled(tr)
        if error:
            status = 429
        else:
            code = request.form.get("code", "")
            pw1 = request.form.get("password", "")
            pw2 = request.form.get("password2", "")
            if not st.auth.check_setup_code(code):
                st.limiter.failure(_client())
                log.warning("status page: wrong setup code from %r", _client())
                error, status = tr("Wrong setup code."), 403
            elif pw1 != pw2:
                error, status = tr("The two passwords differ."), 400
            elif (problem := password_problem(pw1)) is not None:
                error, status = problem, 400
            else:
                try:
                    st.auth.set_password(pw1)
                except WebError as exc:
                    error, status = str(exc), 400
                else:
                    st.limiter.success(_client())
                    log.info("status page: administrator password set from %r", _client())
                    _start_session()
                    return redirect(url_for("dashboard.index"))
    return render_template("setup.html", error=error), status


@bp.route("/login", methods=["GET", "POST"])
def login() -> ResponseReturnValue:
    st = state()
    tr = Translator(st.cfg.company.language)
    if not st.auth.has_password():
        return redirect(url_for("auth.setup"))
    error = None
    status = 200
    nxt = request.values.get("next", "")
    if request.method == "POST":
        error = _throttled(tr)
        if error:
            status = 429
        elif st.auth.check_password(request.form.get("password", "")):
            st.limiter.success(_client())
            _start_session()
            return redirect(_safe_next(nxt))
        else:
            st.limiter.failure(_client())
            log.warning("status page: failed login from %r", _client())
            error, status = tr("Wrong password."), 403
    return render_template("login.html", error=error, next=nxt), status


@bp.route("/logout", methods=["POST"])
def logout() -> ResponseReturnValue:
    session.clear()
    return redirect(url_for("auth.login"))
