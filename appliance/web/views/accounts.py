"""Staff accounts: the administrator creates them, everyone changes their own password."""

from __future__ import annotations

import logging

from flask import Blueprint, flash, g, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue

from ...errors import WebError
from ..auth import ROLES, Account
from ..context import state
from ..i18n import Translator
from .auth_views import client, start_session

bp = Blueprint("accounts", __name__)
log = logging.getLogger(__name__)


def me() -> Account:
    acc: Account = g.account
    return acc


@bp.route("/account", methods=["GET"])
def mine() -> str:
    return render_template("account.html", me=me())


@bp.route("/account/password", methods=["POST"])
def change_password() -> ResponseReturnValue:
    """A new password for the account logged in; every other session of the account ends."""
    st = state()
    tr = Translator(st.cfg.company.language)
    acc = me()
    if st.auth.check_login(acc.name, request.form.get("current", "")) is None:
        st.limiter.failure(client(), acc.name)
        flash(tr("Wrong password."), "error")
        return redirect(url_for("accounts.mine"))
    pw1, pw2 = request.form.get("password", ""), request.form.get("password2", "")
    if pw1 != pw2:
        flash(tr("The two passwords differ."), "error")
        return redirect(url_for("accounts.mine"))
    try:
        st.auth.set_password(acc.name, pw1)
    except WebError as exc:
        flash(f"{tr('Not saved')}: {exc}", "error")
        return redirect(url_for("accounts.mine"))
    log.info("status page: %r changed their password from %r (their other sessions ended)", acc.name, client())
    fresh = st.auth.account(acc.name)
    if fresh is not None:
        start_session(fresh)  # this browser stays logged in; every older session ends
    flash(tr("Password changed: your other sessions are closed."), "ok")
    return redirect(url_for("accounts.mine"))


@bp.route("/accounts", methods=["GET"])
def index() -> str:
    return render_template("accounts.html", accounts=state().auth.accounts(), roles=ROLES, me=me())


@bp.route("/accounts", methods=["POST"])
def act() -> ResponseReturnValue:
    st = state()
    tr = Translator(st.cfg.company.language)
    action = request.form.get("action", "")
    name = request.form.get("name", "").strip().lower()[:40]
    who = me().name
    try:
        if action == "create":
            if request.form.get("password", "") != request.form.get("password2", ""):
                raise WebError(tr("The two passwords differ."))
            st.auth.create_account(name, request.form.get("role", ""), request.form.get("password", ""), by=who)
        elif action == "role":
            st.auth.set_role(name, request.form.get("role", ""))
        elif action == "password":
            st.auth.set_password(name, request.form.get("password", ""))
        elif action == "end_sessions":
            st.auth.end_sessions(name)
        elif action == "delete":
            if name == who:
                raise WebError(tr("You cannot delete your own account."))
            st.auth.delete_account(name)
        else:
            raise WebError(f"unknown action {action[:20]!r}")
    except WebError as exc:
        flash(f"{tr('Not saved')}: {exc}", "error")
        return redirect(url_for("accounts.index"))
    log.info("status page: account %r: %s by %r from %r", name, action, who, client())
    if name == who and action in ("password", "role", "end_sessions"):
        session.clear()
        return redirect(url_for("auth.login"))
    flash(tr("Saved."), "ok")
    return redirect(url_for("accounts.index"))
