"""The "To call back" page, its outcomes, the dashboard count, the API, the history export, the customer
directory page and the funnel: Flask's test client against a real call log, at a fixed time."""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from appliance.config import load_config
from appliance.directory import Contact
from appliance.qualification import Qualification
from appliance.store.calllog import CallLog
from appliance.store.record import CallRecord, iso, new_call_id

from .conftest import CONFIG_TEXT, csrf_from, setup_password

PARIS = dt.timezone(dt.timedelta(hours=1))
NOW = dt.datetime(2026, 12, 7, 14, 0, tzinfo=PARIS)  # Monday 14:00, the office open 08-12, 13:30-18
GALE, DURAND, URGENT = "+33612345678", "+33698765432", "+33687654321"


@dataclasses.dataclass
class Office:
    app: Any
    client: Any
    log: CallLog
    calls: dict[str, CallRecord]

    def page(self, path: str = "/worklist") -> str:
        r = self.client.get(path)
        assert r.status_code == 200, (path, r.status_code)
        return str(r.text)

    def post(self, path: str, data: dict[str, Any]) -> Any:
        return self.client.post(path, data={"csrf_token": csrf_from(self.page()), **data})


def add(log: CallLog, at: dt.datetime, state: str, number: str | None, **kw: Any) -> CallRecord:
    rec = CallRecord(id=new_call_id("line1", at), line="line1", started_at=iso(at), caller_number=number,
                     caller_withheld=number is None, state=state, ended_at=iso(at + dt.timedelta(minutes=1)),
                     answered_at=iso(at) if state == "answered" else None,
                     duration=60.0 if state == "answered" else None, rings=3, ring_seconds=10.0, **kw)
    log.create(rec)
    return rec


def qual(category: str, summary: str, sla: int, urgent: bool = False, **kw: Any) -> Qualification:
    return Qualification.from_dict({"category": category, "summary": summary, "sla_minutes": sla, "urgent": urgent,
                                    "urgency": "critical" if urgent else "normal", **kw})


@pytest.fixture
def office(tmp_path: Path) -> Iterator[Office]:
    from appliance.web import create_app

    data = tmp_path / "data"
    data.mkdir()
    cfg_path = tmp_path / "permanence.toml"
    cfg_path.write_text(CONFIG_TEXT.format(data_dir=data), encoding="utf-8")
    cfg = load_config(cfg_path)
    log = CallLog(data)
    calls = {
        "gale1": add(log, NOW.replace(hour=9), "abandoned", GALE),
        "gale2": add(log, NOW.replace(hour=10, minute=30), "abandoned", "0612345678"),
        "durand": add(log, NOW.replace(hour=13), "answered", DURAND, qualification=qual(
            "quote", "Devis <b>climatisation</b>", 120, name="Paul Durand", company="=HYPERLINK(\"x\")")),
        "urgent": add(log, NOW.replace(hour=13, minute=55), "answered", URGENT, qualification=qual(
            "breakdown", "Fuite de gaz <script>alert(1)</script>", 15, urgent=True)),
        "staff": add(log, NOW.replace(hour=11), "staff", "+33611111111"),
        "sales": add(log, NOW.replace(hour=11, minute=10), "answered", "+33622222222",
                     qualification=qual("sales", "Vente d'espaces publicitaires", 120)),
        "withheld": add(log, NOW.replace(hour=11, minute=20), "abandoned", None),
    }
    app = create_app(cfg, log, config_path=cfg_path)
    app.testing = True
    app.extensions["permanence"].clock = lambda: NOW.astimezone(dt.UTC)
    app.extensions["permanence"].directory.save(
        Contact.build(numbers=[GALE], name="Mme Gale", company="Gale & Fils", contract="premium"), who="test")
    client = app.test_client()
    assert setup_password(client, app).status_code == 302
    try:
        yield Office(app, client, log, calls)
    finally:
        log.close()


def test_rows_grouped_ordered_overdue_and_counted(office: Office) -> None:
    o = office
    data = o.client.get("/api/worklist").get_json()
    assert [(i["number"], i["attempts"], i["reasons"], i["overdue"]) for i in data["items"]] == [
        (GALE, 2, ["missed"], True),           # due 11:00 (two working hours after 9:00)
        (URGENT, 1, ["urgent"], False),        # due 14:10 (15 minutes)
        (DURAND, 1, ["callback"], False)]      # due 15:30 (two working hours after 13:00)
    first = data["items"][0]
    assert (first["name"], first["company"], first["contract"], first["known"]) == (
        "Mme Gale", "Gale & Fils", "premium", True)  # the directory's values
    assert data["items"][0]["overdue_minutes"] == 180 and (data["total"], data["overdue"]) == (3, 1)
    page = o.page()
    assert page.index("06 12 34 56 78") < page.index("06 87 65 43 21") < page.index("06 98 76 54 32")
    assert 'class="card wl-item overdue" id="wl-1"' in page
    assert "<script>alert(1)" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "&lt;b&gt;climatisation&lt;/b&gt;" in page
    dash = o.page("/")
    assert 'id="kpi-callback">3<' in dash and 'id="kpi-overdue">1<' in dash
    assert o.client.get("/api/dashboard").get_json()["worklist"] == {"total": 3, "overdue": 1}
    page = o.page("/calls")
    nav = page[page.index("<nav>"):]
    assert nav.index('id="nav-worklist"') < nav.index('href="/"')  # first in the navigation


def test_outcome_removes_the_row_and_names_who_recorded_it(office: Office) -> None:
    o = office
    ids = f"{o.calls['gale1'].id},{o.calls['gale2'].id}"
    r = o.post("/worklist/outcome", {"calls": ids, "outcome": "converted", "amount": "1 200,50", "note": "contrat"})
    assert r.status_code == 302
    items = o.client.get("/api/worklist").get_json()["items"]
    assert [i["number"] for i in items] == [URGENT, DURAND]
    for key in ("gale1", "gale2"):
        rec = o.log.get(o.calls[key].id)
        assert rec is not None and rec.converted and rec.amount == 1200.5 and rec.handled
        assert rec.callback is not None and rec.callback["by"] == "admin" and rec.callback["outcome"] == "converted"
    page = o.page(f"/calls/{o.calls['gale2'].id}")
    assert 'id="callback-outcome"' in page and "converti" in page
    # bad input is refused with a message and changes nothing
    for bad in ({"calls": o.calls["durand"].id, "outcome": "nope"}, {"calls": "../../etc", "outcome": "reached"},
                {"calls": o.calls["durand"].id, "outcome": "converted", "amount": "beaucoup"}):
        o.post("/worklist/outcome", bad)
    assert len(o.client.get("/api/worklist").get_json()["items"]) == 2
    # the API does the same with the X-CSRF-Token header
    token = csrf_from(o.page())
    r = o.client.post("/api/worklist/outcome", json={"calls": [o.calls["urgent"].id], "outcome": "reached"},
                      headers={"X-CSRF-Token": token})
    assert r.status_code == 200 and r.get_json()["recorded"] == 1
    r = o.client.post("/api/worklist/outcome", json={"calls": [o.calls["durand"].id], "outcome": "reached"})
    assert r.status_code == 403  # no CSRF token
    r = o.client.post("/api/worklist/outcome", json={"calls": [o.calls["durand"].id], "outcome": "x"},
                      headers={"X-CSRF-Token": token})
    assert r.status_code == 400 and "outcome" in r.get_json()["error"]


def test_a_later_call_taken_by_staff_resolves_the_row(office: Office) -> None:
    o = office
    add(o.log, NOW.replace(hour=13, minute=58), "staff", DURAND)
    assert [i["number"] for i in o.client.get("/api/worklist").get_json()["items"]] == [GALE, URGENT]


def test_history_csv_and_funnel(office: Office) -> None:
    o = office
    o.post("/worklist/outcome", {"calls": o.calls["durand"].id, "outcome": "message_left"})
    r = o.client.get("/worklist/history.csv?since=2026-12-07&until=2026-12-07")
    assert r.status_code == 200 and r.headers["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.DictReader(io.StringIO(r.text)))
    by_id = {row["call_id"]: row for row in rows}
    assert set(by_id) == {o.calls[k].id for k in ("gale1", "gale2", "durand", "urgent")}
    d = by_id[o.calls["durand"].id]
    assert (d["resolution"], d["resolved_by"], d["within_limit"]) == ("message_left", "admin", "true")
    assert d["company"].startswith("'=")  # a formula from a caller never runs in a spreadsheet
    assert by_id[o.calls["gale1"].id]["overdue_now"] == "true"
    st = o.client.get("/api/stats?weeks=2").get_json()["funnel"]
    assert (st["captured"], st["needing_callback"], st["handled"]) == (7, 4, 1)
    assert st["handled_within_limit"] == 1 and st["due"] == 2  # gale1 overdue (gale2 is due at 14:00 sharp)
    page = o.page("/stats?weeks=2")
    assert 'id="fu-needing">4<' in page and 'id="fu-handled">1<' in page


def test_call_page_shows_the_directory_and_the_attempt(office: Office) -> None:
    page = office.page(f"/calls/{office.calls['gale2'].id}")
    assert 'id="known"' in page and "Gale &amp; Fils" in page and "premium" in page
    assert "2e appel aujourd&#39;hui" in page


# --------------------------------------------------------------------------- the directory page

def upload(o: Office, name: str, data: bytes, replace: bool = False) -> Any:
    token = csrf_from(o.page("/directory"))
    form = {"csrf_token": token, "file": (io.BytesIO(data), name)} | ({"replace": "1"} if replace else {})
    return o.client.post("/directory/import", data=form, content_type="multipart/form-data")


def test_directory_import_edit_delete(office: Office) -> None:
    o = office
    r = upload(o, "clients.csv", "Nom;Société;Téléphone;Contrat\nPaul Durand;Durand SA;06 98 76 54 32;standard\n"
                                 "Mauvais;;pas un numéro;\nX;;0611111111;or\n".encode())
    assert r.status_code == 200
    assert 'id="imp-added">1<' in r.text and 'id="imp-refused">2<' in r.text
    assert "ligne 3" in r.text and "ligne 4" in r.text and "unknown level" in r.text
    items = o.client.get("/api/worklist").get_json()["items"]
    assert next(i for i in items if i["number"] == DURAND)["company"] == "Durand SA"  # the directory's value
    d = o.app.extensions["permanence"].directory
    durand = d.lookup(DURAND)
    assert durand is not None and durand.updated_by == "admin"
    # edit on the page, a second number; then a conflicting number is refused
    o.post("/directory/save", {"id": durand.id, "numbers": "06 98 76 54 32\n04 50 12 34 56", "name": "Paul Durand",
                               "company": "Durand & Cie", "contract": "premium"})
    assert d.lookup("0450123456").company == "Durand & Cie"  # type: ignore[union-attr]
    o.post("/directory/save", {"numbers": GALE, "name": "Someone else"})
    assert d.lookup(GALE).name == "Mme Gale"  # type: ignore[union-attr]
    page = o.page(f"/directory?q=durand&edit={durand.id}")
    assert "Durand &amp; Cie" in page and 'value="premium" selected' in page
    o.post(f"/directory/{durand.id}/delete", {})
    assert d.lookup(DURAND) is None
    export = o.client.get("/directory/export.csv")
    assert export.status_code == 200 and "Mme Gale" in export.text


def test_directory_upload_limits_and_vcard(office: Office) -> None:
    o = office
    limit = o.app.extensions["permanence"].cfg.directory.max_import_bytes
    r = upload(o, "big.csv", b"Nom;Tel\n" + b"x;0611111111\n" * (limit // 13 + 10))
    assert r.status_code == 302 and len(o.app.extensions["permanence"].directory) == 1
    assert "dépasse" in o.page("/directory")
    r = o.client.post("/directory/import", data={"csrf_token": "x", "file": (io.BytesIO(b"x"), "a.csv")},
                      content_type="multipart/form-data")
    assert r.status_code == 403
    vcf = b"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Anne Roche\r\nTEL;TYPE=CELL:0633333333\r\nEND:VCARD\r\n"
    r = upload(o, "phone.vcf", vcf, replace=True)
    assert 'id="imp-added">1<' in r.text and len(o.app.extensions["permanence"].directory) == 1
    assert o.client.get("/api/directory?q=roche").get_json()["contacts"][0]["name"] == "Anne Roche"


def test_worklist_pages_the_rows_most_pressing_first(office: Office) -> None:
    c = office.client
    first = c.get("/api/worklist?per_page=1").get_json()
    assert (first["total"], first["pages"], [i["number"] for i in first["items"]]) == (3, 3, [GALE])
    assert first["items"][0]["call_ids"] == [office.calls["gale1"].id, office.calls["gale2"].id]
    last = c.get("/api/worklist?per_page=1&page=9").get_json()  # past the end: the last page
    assert (last["page"], [i["number"] for i in last["items"]]) == (3, [DURAND])
    for bad in ("page=0", "page=abc", "per_page=501", "per_page=-1"):
        r = c.get(f"/api/worklist?{bad}")
        assert r.status_code == 400 and "expected a whole number" in r.get_json()["error"]
    assert c.get("/worklist?page=x").status_code == 400
