"""Caller-controlled text on the page and in its exports (issue 15, item 8): bidi controls never
reach the page, and the CSV export names its charset once."""

from __future__ import annotations

import datetime as dt
from typing import Any

from appliance.qualification import Qualification
from appliance.store.record import CallRecord, iso, new_call_id
from appliance.textsafe import BIDI_CONTROLS

from .conftest import Box

RLO_NUMBER = "+3361234\u202e8765"  # shows as +33612345678 reversed in its last digits without the fix
NAME = "\u2067Ahmed\u2069 \u202eSARL\u202c"


def test_bidi_controls_never_reach_the_page(client: Any, box: Box) -> None:
    when = dt.datetime.now(dt.UTC)
    rec = CallRecord(id=new_call_id("line1", when), line="line1", started_at=iso(when), state="answered",
                     caller_number=RLO_NUMBER, caller_name=NAME,  # written by an older version, say
                     qualification=Qualification(name=NAME, company="\u202dACME", summary="fuite \u2066eau"))
    box.log.create(rec)
    for url in ("/", "/calls", f"/calls/{rec.id}", "/api/calls", f"/api/calls/{rec.id}"):
        page = client.get(url)
        assert page.status_code == 200, url
        text = page.get_data(as_text=True)
        assert not BIDI_CONTROLS & set(text), url
    detail = client.get(f"/calls/{rec.id}").get_data(as_text=True)
    assert "+33612348765" in detail and "Ahmed SARL" in detail  # the text stays, only the controls go


def test_the_csv_export_says_its_charset_once(client: Any) -> None:
    r = client.get("/calls/export?format=csv")
    assert r.headers["Content-Type"] == "text/csv; charset=utf-8"
    r = client.get("/calls/export?format=jsonl")
    assert r.headers["Content-Type"] == "application/x-ndjson; charset=utf-8"
