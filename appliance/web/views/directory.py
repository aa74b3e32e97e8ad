"""The customer directory: list, search, edit, delete, import from CSV or vCard, export as CSV."""

from __future__ import annotations

import csv
import io
import logging
import re
from collections.abc import Iterator
from typing import Any

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from ...directory import Contact, Directory
from ...directory.importers import parse_file
from ...directory.numbers import national
from ...errors import DirectoryError, StoreError
from ...textsafe import csv_cell as _cell
from ..context import WebState, state
from ..i18n import Translator

bp = Blueprint("directory", __name__)
log = logging.getLogger(__name__)
SHOWN = 200
_ID = re.compile(r"^[0-9a-f]{12}$")
_NUMBERS_SPLIT = re.compile(r"[\n;,]+")


def directory() -> Directory:
    st = state()
    if st.directory is None:
        abort(404)
    return st.directory


def _contracts(st: WebState) -> list[str]:
    return [c.id for c in st.cfg.directory.contracts]


def _country(st: WebState) -> str:
    return st.cfg.lines[0].country if st.cfg.lines else "FR"


@bp.route("/directory")
def index() -> str:
    d = directory()
    q = request.args.get("q", "")[:100]
    found = d.search(q)
    edit = d.get(request.args.get("edit", "")) if _ID.match(request.args.get("edit", "")) else None
    return render_template("directory.html", contacts=found[:SHOWN], total=len(d), matching=len(found), q=q,
                           edit=edit, contracts=state().cfg.directory.contracts, national=national,
                           limit=state().cfg.directory.max_entries, report=None)


def contact_from_form(st: WebState, form: dict[str, Any]) -> Contact:
    cid = str(form.get("id", ""))
    if cid and not _ID.match(cid):
        raise DirectoryError("id: not a directory entry")
    numbers = [n for n in _NUMBERS_SPLIT.split(str(form.get("numbers", ""))) if n.strip()]
    return Contact.build(numbers=numbers, country=_country(st), id=cid or None, contracts=_contracts(st),
                         name=form.get("name", ""), company=form.get("company", ""), site=form.get("site", ""),
                         contract=form.get("contract", ""), greeting=form.get("greeting", ""))


@bp.route("/directory/save", methods=["POST"])
def save() -> ResponseReturnValue:
    st = state()
    tr = Translator(st.cfg.company.language)
    try:
        c = directory().save(contact_from_form(st, dict(request.form)), who=st.who)
    except (DirectoryError, StoreError) as exc:
        flash(f"{tr('Not saved')}: {exc}", "error")
        cid = request.form.get("id", "")
        return redirect(url_for("directory.index", edit=cid) if _ID.match(cid) else url_for("directory.index"))
    log.info("directory: entry %s saved by %r", c.id, st.who)
    flash(f"{tr('Saved.')} ({c.label})", "ok")
    return redirect(url_for("directory.index", q=c.numbers[0]))


@bp.route("/directory/<cid>/delete", methods=["POST"])
def delete(cid: str) -> ResponseReturnValue:
    st = state()
    tr = Translator(st.cfg.company.language)
    if not _ID.match(cid):
        abort(404)
    if directory().delete(cid, who=st.who):
        log.info("directory: entry %s deleted by %r", cid, st.who)
        flash(tr("Deleted."), "ok")
    else:
        flash(tr("Not found"), "error")
    return redirect(url_for("directory.index"))


@bp.route("/directory/import", methods=["POST"])
def import_file() -> ResponseReturnValue:
    """An uploaded CSV or vCard file: entries merged (or the directory replaced), refused rows listed."""
    st = state()
    tr = Translator(st.cfg.company.language)
    d = directory()
    up = request.files.get("file")
    limit = st.cfg.directory.max_import_bytes
    if up is None or not up.filename:
        flash(f"{tr('Not saved')}: {tr('choose a CSV or vCard file')}", "error")
        return redirect(url_for("directory.index"))
    data = up.stream.read(limit + 1)
    if len(data) > limit:
        flash(f"{tr('Not saved')}: {tr('the file is larger than')} {limit // 1024} KiB (directory.max_import_bytes)",
              "error")
        return redirect(url_for("directory.index"))
    parsed = parse_file(data, up.filename, country=_country(st), contracts=_contracts(st))
    try:
        report = d.import_contacts(parsed.rows, who=st.who, replace=request.form.get("replace") == "1")
    except StoreError as exc:
        flash(f"{tr('Not saved')}: {exc}", "error")
        return redirect(url_for("directory.index"))
    report.errors = sorted(parsed.errors + report.errors)
    log.info("directory: import of %r by %r: %d added, %d updated, %d refused", up.filename[:80], st.who,
             report.added, report.updated, len(report.errors))
    return render_template("directory.html", contacts=d.all()[:SHOWN], total=len(d), matching=len(d), q="",
                           edit=None, contracts=st.cfg.directory.contracts, national=national,
                           limit=st.cfg.directory.max_entries, report=report, filename=up.filename)


def _export_lines(contacts: list[Contact]) -> Iterator[str]:
    buf = io.StringIO()
    w = csv.writer(buf, quoting=csv.QUOTE_ALL, lineterminator="\r\n")
    w.writerow(["numbers", "name", "company", "site", "contract", "greeting", "updated_at", "updated_by"])
    for c in contacts:
        w.writerow([_cell(" ; ".join(c.numbers))] + [_cell(getattr(c, k)) for k in
                                                      ("name", "company", "site", "contract", "greeting",
                                                       "updated_at", "updated_by")])
    yield buf.getvalue()


@bp.route("/directory/export.csv")
def export() -> Response:
    resp = Response(_export_lines(directory().all()), mimetype="text/csv")
    resp.headers["Content-Disposition"] = 'attachment; filename="directory.csv"'
    return resp
