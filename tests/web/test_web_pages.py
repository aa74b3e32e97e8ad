"""Pages and API: filters, pagination, call detail, actions, settings, health, export, server."""

from __future__ import annotations

import datetime as dt
import html
import http.client
import json
import re
import tomllib
from typing import Any

import pytest

from appliance.config import load_config
from appliance.store.calllog import CallLogReader
from appliance.web import create_app, serve

from .calldata import HOSTILE_NAME
from .conftest import Box, csrf_from, make_app, setup_password, stored


def _all(b: Box) -> list[dict[str, Any]]:
    return b.log.summaries()


@pytest.mark.parametrize("args, pick", [
    ({"state": "answered"}, lambda r: r["state"] == "answered"),
    ({"state": "abandoned"}, lambda r: r["state"] == "abandoned"),
    ({"state": "missed"}, lambda r: r["state"] == "missed"),
    ({"state": "interrupted"}, lambda r: r["state"] == "interrupted"),
    ({"category": "quote"}, lambda r: r["category"] == "quote"),
    ({"urgency": "urgent"}, lambda r: r["urgent"]),
    ({"urgency": "not_urgent"}, lambda r: not r["urgent"]),
    ({"urgency": "critical"}, lambda r: r["urgency"] == "critical"),
    ({"q": "BOB &"}, lambda r: "bob &" in (r["caller_name"] or "").lower()),
    ({"q": "laiterie"}, lambda r: "laiterie" in (r["company"] or "").lower()),
    ({"state": "answered", "category": "breakdown", "urgency": "urgent"},
     lambda r: r["state"] == "answered" and r["category"] == "breakdown" and r["urgent"]),
])
def test_api_calls_filters(shared_client: Any, filled_box: Box, args: dict[str, str], pick: Any) -> None:
    expected = [r["id"] for r in _all(filled_box) if pick(r)]
    assert expected, args  # the fixture has calls of every kind
    got = shared_client.get("/api/calls", query_string=args | {"per_page": "500"}).get_json()
    assert got["total"] == len(expected)
    ids = [c["id"] for c in got["calls"]]
    assert ids == expected[:500]  # newest first, like the store


def test_api_calls_date_range_in_local_time(shared_client: Any, filled_box: Box) -> None:
    tz = filled_box.cfg.company.tz
    day = (filled_box.now - dt.timedelta(days=3)).astimezone(tz).date()
    got = shared_client.get("/api/calls", query_string={"since": day.isoformat(), "until": day.isoformat(),
                                                         "per_page": "500"}).get_json()
    local_days = {dt.datetime.fromisoformat(c["started_at"]).astimezone(tz).date() for c in got["calls"]}
    assert local_days <= {day}
    expected = [r for r in _all(filled_box)
                if dt.datetime.fromisoformat(r["started_at"]).astimezone(tz).date() == day]
    assert got["total"] == len(expected)


def test_pagination(shared_client: Any, filled_box: Box) -> None:
    total = len(_all(filled_box))
    p1 = shared_client.get("/api/calls?per_page=50").get_json()
    p2 = shared_client.get("/api/calls?per_page=50&page=2").get_json()
    assert p1["total"] == total and p1["pages"] == -(-total // 50)
    assert len(p1["calls"]) == 50 and not {c["id"] for c in p1["calls"]} & {c["id"] for c in p2["calls"]}
    last = shared_client.get(f"/api/calls?per_page=50&page={p1['pages'] + 5}").get_json()
    assert last["page"] == p1["pages"]  # clamped
    page = html.unescape(shared_client.get("/calls?page=2&all=1").text)
    assert "Page 2 sur" in page
    assert re.search(r'href="/calls\?[^"]*page=3[^"]*"', page) and re.search(r'href="/calls\?all=1"', page)


def test_calls_page_defaults_to_the_last_90_days(box: Box) -> None:
    import random

    from .calldata import _unanswered

    old = _unanswered(random.Random(3), dt.datetime.now(dt.UTC) - dt.timedelta(days=200), "line1", "missed", 1.0)
    box.log.create(old)
    app = make_app(box)
    c = app.test_client()
    setup_password(c, app)
    page = c.get("/calls").text
    since = (dt.datetime.now(box.cfg.company.tz).date() - dt.timedelta(days=89)).isoformat()
    assert f'name="since" value="{since}"' in page and old.id not in page
    assert f"({len(box.log.summaries()) - 1})" in page
    everything = c.get("/calls?all=1&state=missed&per_page=500").text
    assert old.id in everything and 'name="all" value="1"' in everything
    assert c.get("/api/calls?state=missed&per_page=500").get_json()["calls"][-1]["id"] == old.id


@pytest.mark.parametrize("query, message", [
    ("since=2026-13-01", "since: expected a date YYYY-MM-DD"),
    ("until=yesterday", "until: expected a date YYYY-MM-DD"),
    ("since=2026-11-10&until=2026-11-01", "until: expected a date on or after since"),
    ("state=lost", "state: expected one of"),
    ("category=<b>", "category: expected one of"),
    ("urgency=9", "urgency: expected one of"),
    ("page=0", "page: expected 1 or more"),
    ("page=x", "page, per_page: expected whole numbers"),
    ("per_page=100000", "per_page: expected 1 to 500"),
])
def test_malformed_filters_are_400_with_a_clear_message(shared_client: Any, query: str, message: str) -> None:
    r = shared_client.get("/api/calls?" + query)
    assert r.status_code == 400 and message in r.get_json()["error"]
    page = shared_client.get("/calls?" + query)
    assert page.status_code == 400 and message in html.unescape(page.text)


@pytest.mark.parametrize("query", ["weeks=1", "weeks=999", "weeks=abc"])
def test_stats_weeks_validated(shared_client: Any, query: str) -> None:
    assert shared_client.get("/stats?" + query).status_code == 400
    assert "weeks: expected" in shared_client.get("/api/stats?" + query).get_json()["error"]


def test_call_detail_shows_timeline_transcript_rules_and_player(shared_client: Any, filled_box: Box) -> None:
    rec = stored(filled_box.log, filled_box.notable.urgent_acked)
    page = html.unescape(shared_client.get(f"/calls/{rec.id}").text)
    for kind in ("ring", "answered", "turn", "alert", "acknowledged", "hangup"):
        assert f'<li data-kind="{kind}">' in page, kind
    assert rec.turns[1]["text"] in page
    for rule in rec.qualification.rules if rec.qualification else ():
        assert rule in page
    api = shared_client.get(f"/api/calls/{rec.id}").get_json()
    kinds = [e["kind"] for e in api["timeline"]]
    # rings, answer, turns, alert; the acknowledgement comes after the alert (here after the hang-up)
    assert kinds.index("ring") < kinds.index("answered") < kinds.index("turn") < kinds.index("alert") \
        < kinds.index("acknowledged")
    assert max(i for i, k in enumerate(kinds) if k == "turn") < kinds.index("hangup")
    ats = [e["at"] for e in api["timeline"]]
    assert ats == sorted(ats)
    assert api["recording_url"] is None
    hostile = shared_client.get(f"/api/calls/{filled_box.notable.recorded}").get_json()
    assert hostile["recording_url"] == f"/calls/{filled_box.notable.recorded}/recording"
    assert shared_client.get("/calls/20261127T091403-line1-7f3a9c").status_code == 404
    assert shared_client.get("/api/calls/not-an-id").status_code == 404


def test_actions_handled_converted_note(client: Any, box: Box) -> None:
    call_id = box.notable.hostile
    token = csrf_from(client.get(f"/calls/{call_id}").text)
    r = client.post(f"/calls/{call_id}/handled", data={"csrf_token": token, "value": "1"})
    assert r.status_code == 302
    assert stored(box.log, call_id).handled
    client.post(f"/calls/{call_id}/converted", data={"csrf_token": token, "amount": "1 250,50"})
    rec = stored(box.log, call_id)
    assert rec.converted and rec.amount == 1250.5
    client.post(f"/calls/{call_id}/note", data={"csrf_token": token, "text": "Rappelé, devis envoyé <b>"})
    rec = stored(box.log, call_id)
    assert rec.notes[-1]["text"] == "Rappelé, devis envoyé <b>" and rec.notes[-1]["by"] == "admin"
    assert [a["kind"] for a in rec.actions] == ["handled", "converted"]
    page = client.get(f"/calls/{call_id}").text
    assert "Rappelé, devis envoyé &lt;b&gt;" in page and "1\u202f250\u00a0€" in page
    # API with JSON body and header token
    r = client.post(f"/api/calls/{call_id}/handled", json={"handled": False}, headers={"X-CSRF-Token": token})
    assert r.get_json()["call"]["handled"] is False


@pytest.mark.parametrize("action, body, message", [
    ("converted", {"amount": "douze"}, "amount: expected a number"),
    ("converted", {"amount": "-5"}, "amount: expected a value from 0"),
    ("note", {"text": "   "}, "note: expected some text"),
    ("note", {"text": "x" * 2001}, "note: expected at most 2000 characters"),
])
def test_bad_actions_are_refused_and_change_nothing(client: Any, box: Box, action: str, body: dict[str, str],
                                                    message: str) -> None:
    call_id = box.notable.urgent_acked
    before = stored(box.log, call_id)
    token = csrf_from(client.get("/").text)
    r = client.post(f"/api/calls/{call_id}/{action}", json=body, headers={"X-CSRF-Token": token})
    assert r.status_code == 400 and message in r.get_json()["error"]
    r = client.post(f"/calls/{call_id}/{action}", data=body | {"csrf_token": token}, follow_redirects=True)
    assert message in html.unescape(r.text)
    assert stored(box.log, call_id) == before


def test_reader_log_is_read_only(box: Box) -> None:
    app = create_app(box.cfg, CallLogReader(box.data_dir))
    c = app.test_client()
    setup_password(c, app)
    page = c.get(f"/calls/{box.notable.hostile}").text
    assert "btn-handled" not in page  # no action buttons
    token = csrf_from(page)
    r = c.post(f"/api/calls/{box.notable.hostile}/note", json={"text": "x"}, headers={"X-CSRF-Token": token})
    assert r.status_code == 409 and "reads the call log only" in r.get_json()["error"]


def test_reader_sees_new_calls_written_meanwhile(box: Box) -> None:
    """The page reads through CallLogReader while the service's CallLog writes."""
    import random

    from .calldata import _unanswered

    reader = CallLogReader(box.data_dir)
    app = create_app(box.cfg, reader)
    c = app.test_client()
    setup_password(c, app)
    before = c.get("/api/dashboard").get_json()["counts"]["missed"]
    box.log.create(_unanswered(random.Random(1), dt.datetime.now(dt.UTC) - dt.timedelta(seconds=5),
                               "line1", "missed", 1.0))
    assert c.get("/api/dashboard").get_json()["counts"]["missed"] == before + 1


# --------------------------------------------------------------------------- settings

def _settings_post(client: Any, data: dict[str, str]) -> Any:
    token = csrf_from(client.get("/settings").text)
    return client.post("/settings", data=data | {"csrf_token": token})


def test_settings_company_saved_validated_and_logged(client: Any, box: Box) -> None:
    form = {"section": "company", "name": "Maintenance Dupuis & Fils", "language": "en",
            "timezone": "Europe/Paris", "phone": "+33145678910", "address": "3 rue des Lilas",
            "service_area": "Rhône", "rates": "", "availability": "", "average_order_value": "1500",
            "conversion_rate": "35", "currency": "EUR", "holidays": "2026-12-25, 2027-01-01",
            "hours_mon": "08:00-12:00, 13:30-18:00", "hours_tue": "08:00-18:00", "hours_wed": "",
            "hours_thu": "08:00-18:00", "hours_fri": "08:00-17:00", "hours_sat": "closed", "hours_sun": ""}
    r = _settings_post(client, form)
    assert r.status_code == 302
    cfg = load_config(box.config_path)
    assert cfg.company.name == "Maintenance Dupuis & Fils" and cfg.company.conversion_rate == 0.35
    assert cfg.company.opening_hours["wed"] == "closed" and cfg.company.holidays == ("2026-12-25", "2027-01-01")
    assert cfg.company.faq == {"horaires": "Du lundi au vendredi, 8 h - 18 h"}  # other keys kept
    assert [ln.name for ln in cfg.lines] == ["line1", "line2"]
    log = [json.loads(x) for x in (box.data_dir / "settings-changes.jsonl").read_text().splitlines()]
    assert log[-1]["who"] == "admin" and log[-1]["section"] == "company"
    assert "company.name" in log[-1]["keys"] and "company.average_order_value" in log[-1]["keys"]
    page = client.get("/settings").text
    assert "Settings" in page  # the page now speaks English
    assert "company.name" in page  # the change is listed


@pytest.mark.parametrize("form, message", [
    ({"section": "company", "name": "X", "timezone": "Mars/Olympus"}, "company.timezone: expected an IANA"),
    ({"section": "company", "name": "X", "conversion_rate": "150"}, "company.conversion_rate: expected a rate"),
    ({"section": "company", "name": "X", "average_order_value": "cher"},
     "company.average_order_value: expected a number, got 'cher'"),
    ({"section": "company", "name": "X", "hours_mon": "8h-18h"}, "company.opening_hours.mon"),
    ({"section": "company", "name": "  "}, "company.name: expected a non-empty company name"),
    ({"section": "faq", "faq": "horaires sans deux-points"}, "expected 'topic: answer'"),
    ({"section": "rota", "people": "Marc Petit; 0612345678"}, "rota.people[0].phone: expected a phone number"),
    ({"section": "rota", "people": "Marc Petit; +33612345678", "shifts": "Inconnu; mon; 08:00-18:00"},
     "rota.shifts[0].person: expected a name listed in rota.people"),
    ({"section": "rota", "people": "Marc Petit; +33612345678", "shifts": "Marc Petit; lundi; 08:00-18:00"},
     "rota.shifts[0].days[0]: expected a weekday"),
    ({"section": "rota", "people": "<script>x</script>"}, "rota.people line 1: expected 2 fields"),
    ({"section": "nope"}, "unknown settings section"),
])
def test_settings_invalid_shows_config_error_and_keeps_file(client: Any, box: Box, form: dict[str, str],
                                                           message: str) -> None:
    before = box.config_path.read_bytes()
    r = _settings_post(client, form)
    assert r.status_code == 400
    assert message in html.unescape(r.text)
    assert "<script>x</script>" not in r.text
    assert box.config_path.read_bytes() == before
    assert not (box.data_dir / "settings-changes.jsonl").exists()


def test_settings_rota_and_faq_round_trip(client: Any, box: Box) -> None:
    r = _settings_post(client, {"section": "rota", "people": "Marc Petit; +33612345678\nAnne Roy; +33687654321",
                                "shifts": "Marc Petit; mon,tue,wed; 08:00-18:00\nAnne Roy; thu,fri; 08:00-18:00",
                                "overrides": "Anne Roy; 2026-12-24; 2026-12-26", "ack_minutes": "10"})
    assert r.status_code == 302
    r = _settings_post(client, {"section": "faq", "faq": 'tarifs: 80 € HT "la première heure"\nzone: Lyon'})
    assert r.status_code == 302
    r = _settings_post(client, {"section": "rules", "rules": "/etc/permanence/rules.toml"})
    assert r.status_code == 302
    cfg = load_config(box.config_path)
    assert [p.name for p in cfg.rota.people] == ["Marc Petit", "Anne Roy"]
    assert cfg.rota.shifts[1].days == ("thu", "fri") and cfg.rota.overrides[0].end == "2026-12-26"
    assert cfg.rota.ack_minutes == 10
    assert cfg.company.faq["tarifs"] == '80 € HT "la première heure"'
    assert cfg.qualification.rules == "/etc/permanence/rules.toml"
    tomllib.loads(box.config_path.read_text())  # plain TOML
    page = html.unescape(client.get("/settings").text)
    assert "Anne Roy; thu,fri; 08:00-18:00" in page


def test_settings_without_config_file_are_read_only(box: Box) -> None:
    app = create_app(box.cfg, box.log)
    c = app.test_client()
    setup_password(c, app)
    page = c.get("/settings").text
    assert "lecture seule" in page and "<fieldset disabled>" in page
    r = c.post("/settings", data={"csrf_token": csrf_from(page), "section": "faq", "faq": "a: b"},
               follow_redirects=True)
    assert "lecture seule" in r.text


def test_settings_change_notifies_the_service(box: Box) -> None:
    seen = []

    class Actions:
        def config_changed(self, cfg: Any) -> None:
            seen.append(cfg.company.faq)

    app = make_app(box, actions=Actions())
    c = app.test_client()
    setup_password(c, app)
    _settings_post(c, {"section": "faq", "faq": "horaires: 9h-17h"})
    assert seen == [{"horaires": "9h-17h"}]


# --------------------------------------------------------------------------- health, stats, export

def test_health_page_and_api(shared_client: Any) -> None:
    page = html.unescape(shared_client.get("/health").text)
    for text in ("SIM7600E-H", "-71 dBm", "Orange F", "home", "usb audio 8 kHz", "USR5637",
                 "no answer to AT (timeout 5 s)", "vosk-model-small-fr-0.22", "1 d 02:03:04"):
        assert text in page, text
    assert "&lt;script&gt;x&lt;/script&gt;" in shared_client.get("/health").text
    api = shared_client.get("/api/health").get_json()
    assert api["lines"][0]["state"] == "ready" and api["lines"][1]["state"] == "fault"
    assert api["disk"]["free"] > 0 and api["writer_alive"] is True
    assert shared_client.get("/api/lines").get_json()["lines"][1]["last_error"].startswith("no answer")


def test_health_survives_a_failing_live_hook(box: Box) -> None:
    def broken() -> dict[str, Any]:
        raise RuntimeError("modem thread gone <b>")

    app = create_app(box.cfg, box.log, live=broken)
    c = app.test_client()
    setup_password(c, app)
    r = c.get("/health")
    assert r.status_code == 200 and "live status unavailable" in r.text and "<b>" not in r.text
    assert c.get("/").status_code == 200


def test_stats_api_matches_the_log(shared_client: Any, filled_box: Box) -> None:
    s = shared_client.get("/api/stats?weeks=13").get_json()
    tz = filled_box.cfg.company.tz
    start = dt.datetime.combine(dt.date.fromisoformat(s["period"]["from"]), dt.time(), tz)
    rows = [r for r in filled_box.log.summaries(since=start)]
    assert s["totals"]["calls"] == len(rows)
    assert s["totals"]["abandoned_short"] == sum(r["state"] == "abandoned" and r["ring_seconds"] < 5 for r in rows)
    assert s["totals"]["lost"] == sum(r["state"] in ("abandoned", "missed") for r in rows)
    assert sum(map(sum, s["heatmap"])) == len(rows)
    assert s["opportunities"]["converted"] == len(filled_box.notable.converted)
    assert s["opportunities"]["revenue"] == sum(r["amount"] for r in rows if r["converted"])
    assert s["projection"]["enough_data"] is True and s["projection"]["lost_next_year"] > 0
    assert s["saturation"]["warning"] is True  # the fixture's threshold is 6 abandoned a week


def test_export_date_range_and_formats(shared_client: Any, filled_box: Box) -> None:
    tz = filled_box.cfg.company.tz
    # the day of the hostile call (50 minutes before now: the day before, just after local midnight)
    hostile = next(x for x in filled_box.log.summaries() if x["id"] == filled_box.notable.hostile)
    day = dt.datetime.fromisoformat(hostile["started_at"]).astimezone(tz).date()
    r = shared_client.get(f"/calls/export?format=jsonl&since={day}&until={day}")
    recs = [json.loads(x) for x in r.text.splitlines()]
    today = [x for x in filled_box.log.summaries() if dt.datetime.fromisoformat(x["started_at"]).astimezone(tz).date() == day]
    assert {x["id"] for x in recs} == {x["id"] for x in today}
    assert f'calls_{day}_{day}.jsonl' in r.headers["Content-Disposition"]
    assert any(x["caller_name"] == HOSTILE_NAME for x in recs)
    csv_text = shared_client.get(f"/api/export?format=csv&since={day}&until={day}").text
    assert csv_text.count("\r\n") == len(today) + 1
    assert shared_client.get("/calls/export?format=xml").status_code == 400


# --------------------------------------------------------------------------- server

def test_serve_on_ephemeral_port_and_close(box: Box) -> None:
    app = make_app(box)
    server = serve(app, "127.0.0.1", 0)
    try:
        assert server.port > 0 and server.url == f"http://127.0.0.1:{server.port}/"
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=5)
        conn.request("GET", "/")
        resp = conn.getresponse()
        assert resp.status == 302 and resp.getheader("Location") == "/setup"
        assert resp.getheader("Server") == "permanence"
        conn.close()
    finally:
        server.close()
    assert not server._thread.is_alive()
    server.close()  # idempotent
    with pytest.raises(OSError):
        http.client.HTTPConnection("127.0.0.1", server.port, timeout=2).request("GET", "/")


def test_serve_on_a_taken_port_says_so(box: Box) -> None:
    from appliance.errors import WebError

    app = make_app(box)
    with serve(app, "127.0.0.1", 0) as first:
        with pytest.raises(WebError, match=f"cannot listen on 127.0.0.1:{first.port}"):
            serve(app, "127.0.0.1", first.port)


def test_statistics_are_never_stale(client: Any, box: Box) -> None:
    """The statistics cache is dropped as soon as the store rewrites a day file."""
    import random

    from .calldata import _unanswered

    first = client.get("/api/stats").get_json()
    assert client.get("/api/stats").get_json() == first  # served again (cached or not, same)
    box.log.create(_unanswered(random.Random(5), dt.datetime.now(dt.UTC) - dt.timedelta(seconds=30),
                               "line1", "missed", 1.0))
    second = client.get("/api/stats").get_json()
    assert second["totals"]["missed"] == first["totals"]["missed"] + 1
    opp = next(r for r in box.log.summaries() if r["category"] == "quote" and not r["converted"])
    def convert(r: Any) -> None:
        r.converted, r.amount = True, 999.0

    box.log.update(opp["id"], convert)
    third = client.get("/api/stats").get_json()
    assert third["opportunities"]["converted"] == second["opportunities"]["converted"] + 1
    assert third["opportunities"]["revenue"] == second["opportunities"]["revenue"] + 999.0


def test_settings_rules_file_validated_by_the_qualifier(client: Any, box: Box, tmp_path: Any) -> None:
    from appliance.conversation.rules import RULES_DIR, load_rules

    page = html.unescape(client.get("/settings").text)
    starter = (RULES_DIR / "fr.owner.toml").read_text(encoding="utf-8")
    assert 'base = "built-in"' in page and starter.splitlines()[0] in page  # the owner's additions, commented
    target = tmp_path / "rules.toml"
    edited = starter + '\n[[urgency]]\nid = "urgence.serres"\nraise = 2\nwords = ["serre gelée"]\n'
    r = _settings_post(client, {"section": "rules", "rules": str(target), "rules_content": edited})
    assert r.status_code == 302
    assert target.read_text(encoding="utf-8") == edited
    assert load_config(box.config_path).qualification.rules == str(target)
    rules = load_rules("fr", target)  # the owner's additions on top of the built-in rules
    assert "urgence.serres" in {u.id for u in rules.urgency} and "urgence.securite" in {u.id for u in rules.urgency}
    # a broken regex is refused with the qualifier's message; nothing changes
    broken = edited.replace('words = ["serre gelée"]', 'patterns = ["(unclosed"]', 1)
    assert broken != edited
    r = _settings_post(client, {"section": "rules", "rules": str(target), "rules_content": broken})
    assert r.status_code == 400 and "rules.toml: " in html.unescape(r.text)
    assert target.read_text(encoding="utf-8") == edited
    for bad_path, message in ((str(RULES_DIR / "fr.toml"), "built-in rules cannot be changed"),
                              ("rules.toml", "expected an absolute path ending in .toml"),
                              (str(tmp_path / "rules.txt"), "expected an absolute path ending in .toml")):
        r = _settings_post(client, {"section": "rules", "rules": bad_path, "rules_content": edited})
        assert r.status_code == 400 and message in html.unescape(r.text), bad_path
    # clearing the path goes back to the built-in rules
    assert _settings_post(client, {"section": "rules", "rules": "", "rules_content": edited}).status_code == 302
    assert load_config(box.config_path).qualification.rules == ""


@pytest.mark.parametrize("transcript,status,shown", [
    ("la chambre froide ne refroidit plus on va perdre toute la marchandise\npaul durand de la boucherie durand",
     200, ["breakdown", "Paul Durand", "Boucherie Durand", "urgence.pertes_imminentes",
           "de la marchandise est sur le point d'être perdue"]),
    ("<script>alert(1)</script> la pompe fuit", 200, ["&lt;script&gt;"]),  # the caller's words stay escaped
    ("   \n  ", 400, ["paste a transcript"]),
])
def test_settings_try_it_shows_the_decision_and_why(client: Any, transcript: str, status: int,
                                                    shown: list[str]) -> None:
    page = client.get("/settings").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    r = client.post("/settings/try", data={"csrf_token": token, "transcript": transcript, "caller_id": ""})
    assert r.status_code == status
    text = r.text if "&lt;" in shown[0] else html.unescape(r.text)
    assert all(s in text for s in shown), text[-3000:]
    assert "<script>alert(1)</script>" not in r.text
    assert client.post("/settings/try", data={"transcript": transcript}).status_code in (400, 403)  # no CSRF token
