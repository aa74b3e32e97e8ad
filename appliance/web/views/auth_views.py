"""First-run setup, login and logout (which ends every session of the account)."""

from __future__ import annotations

import logging
import math
import time
from urllib.parse import urlsplit

from flask import Blueprint, g, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue

from ...errors import WebError
from ..auth import Account, account_name_problem, password_problem
from ..context import state
from ..csrf import csrf_token
from ..i18n import Translator

bp = Blueprint("auth", __name__)
log = logging.getLogger(__name__)
SETUP_KEY = "<setup>"  # the throttling key of setup-code attempts


def client() -> str:
    return request.remote_addr or "?"


def home_for(acc: Account) -> str:
    """Where an account lands: technicians on the worklist, everyone else on the dashboard."""
    return url_for("worklist.index") if acc.role == "technician" else url_for("dashboard.index")


def _safe_next(target: str | None, acc: Account) -> str:
    """Only same-site paths: never an absolute URL (open redirect)."""
    if not target:
        return home_for(acc)
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return home_for(acc)
    return target


def start_session(acc: Account) -> None:
    st = state()
    session.clear()
    session.permanent = True
    session["auth"] = True
    session["user"] = acc.name
    session["gen"] = acc.generation
    session["box"] = st.auth.box_generation()
    session["at"] = time.time()  # the lifetime counts from the login, however active the page
    csrf_token()  # a fresh token for the new session


def _throttled(tr: Translator, account: str) -> str | None:
    wait = state().limiter.retry_after(client(), account)
    if wait > 0:
        return f"{tr('Too many attempts: wait')} {math.ceil(wait)} {tr('seconds')}."
    return None


def _setup_post(tr: Translator) -> tuple[str | None, int, Account | None]:
    st = state()
    error = _throttled(tr, SETUP_KEY)
    if error:
        return error, 429, None
    name = request.form.get("user", "").strip().lower() or "admin"
    pw1, pw2 = request.form.get("password", ""), request.form.get("password2", "")
    if not st.auth.check_setup_code(request.form.get("code", "")):
        st.limiter.failure(client(), SETUP_KEY)
        log.warning("status page: wrong setup code from %r", client())
        return tr("Wrong setup code."), 403, None
    if pw1 != pw2:
        return tr("The two passwords differ."), 400, None
    problem = account_name_problem(name) or password_problem(pw1)
    if problem:
        return problem, 400, None
    try:
        acc = st.auth.complete_setup(name, pw1)
    except WebError as exc:
        return str(exc), 400, None
    st.limiter.success(client(), SETUP_KEY)
    log.info("status page: administrator %r created from %r", name, client())
    return None, 200, acc


@bp.route("/setup", methods=["GET", "POST"])
def setup() -> ResponseReturnValue:
    st = state()
    tr = Translator(st.cfg.company.language)
    if st.auth.has_password():
        return redirect(url_for("auth.login"))
    error, status = None, 200
    if request.method == "POST":
        error, status, acc = _setup_post(tr)
        if acc is not None:
            start_session(acc)
            return redirect(url_for("dashboard.index"))
    return render_template("setup.html", error=error), status


@bp.route("/login", methods=["GET", "POST"])
def login() -> ResponseReturnValue:
    st = state()
    tr = Translator(st.cfg.company.language)
    if not st.auth.has_password():
        return redirect(url_for("auth.setup"))
    error, status = None, 200
    nxt = request.values.get("next", "")
    name = request.form.get("user", "").strip().lower()[:40] or "admin"
    if request.method == "POST":
        error = _throttled(tr, name)
        if error:
            status = 429
        elif (acc := st.auth.check_login(name, request.form.get("password", ""))) is not None:
            st.limiter.success(client(), name)
            start_session(acc)
            log.info("status page: %r logged in from %r", acc.name, client())
            return redirect(_safe_next(nxt, acc))
        else:
            st.limiter.failure(client(), name)
            log.warning("status page: failed login for %r from %r", name, client())
            error, status = tr("Wrong name or password."), 403
    return render_template("login.html", error=error, next=nxt, user=name), status


@bp.route("/logout", methods=["POST"])
def logout() -> ResponseReturnValue:
    acc: Account | None = g.get("account")
    if acc is not None:
        state().auth.end_sessions(acc.name)  # the cookie is worthless now, on every device
        log.info("status page: %r logged out (every session of the account ended)", acc.name)
    session.clear()
    return redirect(url_for("auth.login"))
