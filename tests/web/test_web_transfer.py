"""The status page and transfers (issue 17 item 1): "put through to X at 10:42:13", every step in the timeline,
and who accepts transfers edited on the settings page."""

from __future__ import annotations

import datetime as dt
import html
from typing import Any

import pytest

from appliance.config import load_config
from appliance.qualification import Qualification
from appliance.store.record import CallRecord, iso, new_call_id

from .conftest import Box, csrf_from

STEPS = ["transfer_started", "caller_on_hold", "technician_dialled", "technician_ringing", "technician_answered",
         "technician_accepted"]


def put_through_call(box: Box, kind: str = "transferred", person: str = "Marc <b>Petit</b>") -> CallRecord:
    start = dt.datetime.now(dt.UTC).replace(microsecond=0) - dt.timedelta(minutes=3)
    at = start + dt.timedelta(seconds=40)
    events: list[dict[str, Any]] = [{"at": iso(start + dt.timedelta(seconds=20 + i)), "kind": k, "person": person} for i, k in
              enumerate(STEPS)]
    events.append({"at": iso(at), "kind": kind, "person": person, "phone": "+33612345678", "held_seconds": 14.2,
                   "detail": "AT+CHLD=4" if kind == "transferred" else "AT+CHLD=3"})
    rec = CallRecord(id=new_call_id("line1", start), line="line1", started_at=iso(start), state="answered",
                     caller_number="+33699999999", answered_at=iso(start + dt.timedelta(seconds=1)),
                     ended_at=iso(at + dt.timedelta(seconds=1)), hangup_by="box", events=events,
                     qualification=Qualification(category="breakdown", urgent=True, urgency="critical",
                                                  sla_minutes=15))
    box.log.create(rec)
    return rec


@pytest.mark.parametrize(("kind", "extra"), [("transferred", ""), ("joined", "conférence à trois")])
def test_the_call_page_says_who_took_the_call_and_when(client: Any, box: Box, kind: str, extra: str) -> None:
    rec = put_through_call(box, kind)
    page = client.get(f"/calls/{rec.id}").text
    at = next(e["at"] for e in rec.events if e["kind"] == kind)
    local = dt.datetime.fromisoformat(at).astimezone(box.cfg.company.tz).strftime("%H:%M:%S")
    assert f"transféré à Marc &lt;b&gt;Petit&lt;/b&gt; à {local}" in page  # caller-side text escaped
    assert "<b>Petit</b>" not in page
    assert extra in page
    text = html.unescape(page)
    for label in ("mise en relation", "appelant en attente", "le téléphone du technicien sonne",
                  "le technicien prend l'appel"):
        assert label in text


def test_the_api_timeline_has_every_step(client: Any, box: Box) -> None:
    rec = put_through_call(box)
    data = client.get(f"/api/calls/{rec.id}").get_json()
    kinds = [e["kind"] for e in data["timeline"]]
    assert [k for k in kinds if k in (*STEPS, "transferred")] == [*STEPS, "transferred"]


def test_a_call_not_put_through_shows_nothing_of_it(client: Any, box: Box) -> None:
    rec = put_through_call(box)
    box.log.update(rec.id, lambda r: setattr(r, "events", [e for e in r.events if e["kind"] != "transferred"]))
    assert 'id="put-through"' not in client.get(f"/calls/{rec.id}").text


def test_who_accepts_transfers_is_edited_with_the_rota(client: Any, box: Box) -> None:
    token = csrf_from(client.get("/settings").text)
    r = client.post("/settings", data={"section": "rota", "csrf_token": token,
                                       "people": "Marc Petit; +33612345678; transfer\nAnne Roy; +33687654321",
                                       "shifts": "Marc Petit; mon; 08:00-18:00"})
    assert r.status_code == 302
    cfg = load_config(box.config_path)
    assert [(p.name, p.transfer) for p in cfg.rota.people] == [("Marc Petit", True), ("Anne Roy", False)]
    assert "Marc Petit; +33612345678; transfer" in html.unescape(client.get("/settings").text)
    bad = client.post("/settings", data={"section": "rota", "csrf_token": token,
                                         "people": "Marc Petit; +33612345678; maybe"})
    assert bad.status_code == 400 and "expected 2 fields" in html.unescape(bad.text)
