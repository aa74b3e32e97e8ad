"""Settings page: company, FAQ answers, rota, rules file, validated like the config file."""

from __future__ import annotations

import logging

from flask import Blueprint, flash, g, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from ...config import WEEKDAYS
from ...errors import ConfigError
from .. import settings_edit
from ..context import state
from ..i18n import Translator
from ..roles import allowed

bp = Blueprint("settings", __name__)
log = logging.getLogger(__name__)


@bp.route("/settings", methods=["GET"])
def index() -> str:
    st = state()
    values = settings_edit.form_defaults(st.cfg)
    values["rules_path_shown"], values["rules_content"] = settings_edit.rules_text(st.cfg)
    return render_template("settings.html", v=values, weekdays=WEEKDAYS,
                           editable=st.config_path is not None and allowed(g.account.role, "settings.save", "POST"),
                           error=None, section=None,
                           changes=settings_edit.recent_changes(st.log.data_dir))


@bp.route("/settings/try", methods=["POST"])
def try_it() -> ResponseReturnValue:
    """The "try it" box: what the qualifier in use decides for a pasted transcript, and why (nothing saved)."""
    st = state()
    values = settings_edit.form_defaults(st.cfg)
    values["rules_path_shown"], values["rules_content"] = settings_edit.rules_text(st.cfg)
    values["transcript"] = request.form.get("transcript", "")[:20000]
    tried, error = None, None
    try:
        tried = settings_edit.try_rules(st.cfg, values["transcript"], request.form.get("caller_id", ""))
    except ConfigError as exc:
        error = str(exc)
    return render_template("settings.html", v=values, weekdays=WEEKDAYS, tried=tried,
                           editable=st.config_path is not None and allowed(g.account.role, "settings.save", "POST"),
                           error=error, section="try" if error else None,
                           changes=settings_edit.recent_changes(st.log.data_dir)), 400 if error else 200


@bp.route("/settings", methods=["POST"])
def save() -> ResponseReturnValue:
    st = state()
    tr = Translator(st.cfg.company.language)
    section = request.form.get("section", "")
    if st.config_path is None:
        flash(tr("Settings are read-only: the service was started without a configuration file."), "error")
        return redirect(url_for("settings.index"))
    try:
        with st.cfg_lock:
            save = settings_edit.save_rules if section == "rules" else \
                lambda p, d, f, **kw: settings_edit.save_section(p, d, section, f, **kw)
            cfg, keys = save(st.config_path, st.log.data_dir, request.form, who=st.who,
                             ip=request.remote_addr or "?")
            st.cfg = cfg
    except ConfigError as exc:
        values = settings_edit.form_defaults(st.cfg)
        values["rules_path_shown"], values["rules_content"] = settings_edit.rules_text(st.cfg)
        values |= {k: v for k, v in request.form.items() if k != "csrf_token"}
        return render_template("settings.html", v=values, weekdays=WEEKDAYS, editable=True, error=str(exc),
                               section=section, changes=settings_edit.recent_changes(st.log.data_dir)), 400
    log.info("settings: %s changed by %r from %r: %s", section, st.who, request.remote_addr,
             ", ".join(keys) or "nothing")
    if keys and st.actions is not None:
        try:
            st.actions.config_changed(cfg)
        except Exception as exc:  # noqa: BLE001 - the file is saved; report the hook's failure
            log.error("settings: the service could not apply the new configuration: %r", exc)
            flash(f"{tr('Saved.')} ({exc!r})", "error")
            return redirect(url_for("settings.index"))
    flash(tr("Saved.") + (f" ({', '.join(keys)})" if keys else ""), "ok")
    return redirect(url_for("settings.index"))
