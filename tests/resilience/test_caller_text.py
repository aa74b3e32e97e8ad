"""Caller-controlled text wherever it goes (issue 15, item 8): the CLI's CSV, caller ids entering
the record, SMS and MQTT alert texts, and the demo's caller scripts."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from waiting import wait_until

from appliance.alerts.callinfo import call_info
from appliance.alerts.text import urgent_sms
from appliance.config import LineConfig, load_config_text
from appliance.demo import load_script
from appliance.errors import ConfigError
from appliance.qualification import Qualification
from appliance.service import Service
from appliance.store.calllog import CallLog
from appliance.store.record import CallRecord, iso, new_call_id
from appliance.telephony import open_line
from appliance.telephony.simulator import Simulator
from appliance.telephony.simulator.callers import ScriptedCaller
from appliance.textsafe import BIDI_CONTROLS

ROOT = Path(__file__).resolve().parents[2]
FORMULAS = ["=HYPERLINK(\"http://x\")", "+SUM(A1)", "-2+3", "@cmd", "\tTAB", "\r=1"]


def test_cli_csv_neutralises_every_formula_start(tmp_path: Path) -> None:
    when = dt.datetime.now(dt.UTC)
    with CallLog(tmp_path) as log:
        for i, text in enumerate(FORMULAS):
            t = when - dt.timedelta(minutes=i)
            log.create(CallRecord(id=new_call_id("l1", t), line="l1", started_at=iso(t), state="answered",
                                  caller_name=text, caller_number="+33612345678",
                                  qualification=Qualification(name=text, company=text, summary=text)))
    r = subprocess.run([sys.executable, "-m", "appliance.cli", "calls", "--data", str(tmp_path), "--format", "csv"],
                       capture_output=True, env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=60)
    assert r.returncode == 0, r.stderr
    rows = list(csv.DictReader(io.StringIO(r.stdout.decode("utf-8"), newline="")))  # CR kept as written
    assert len(rows) == len(FORMULAS)
    cells = [v for row in rows for v in row.values() if v]
    assert not [v for v in cells if v[0] in "=+-@\t\r" and v != "+33612345678"], cells
    assert {row["caller_name"] for row in rows} == {"'" + t for t in FORMULAS}  # shown as text, kept whole


RLO = "\u202e"


def test_bidi_controls_never_enter_a_call_record(tmp_path: Path) -> None:
    """A +CLIP name with an override character, through the real driver and the simulator."""
    cfg = load_config_text('[speech]\nenabled = false\n[capture]\nenabled = false\n', source="t")
    sim = Simulator("gsm", ring_interval=0.3)
    ended: list[CallRecord] = []

    class Obs:
        def call_event(self, kind: str, rec: CallRecord) -> None:
            if kind == "ended":
                ended.append(rec)

        def urgent(self, rec: CallRecord) -> None:
            pass

    svc = Service(cfg, data_dir=tmp_path, speech=False, leds=False, web_port=0, observers=[Obs()],
                  line_factory=lambda lc, **kw: open_line(LineConfig(name=lc.name), simulator=sim, **kw))
    try:
        svc.start()
        assert svc.ready.wait(20)
        sim.place_call(ScriptedCaller(id="rlo", caller_id="+33612345678", caller_name=f"DUPONT {RLO}AS",
                                      hangup_after_seconds=1)).wait(30)
        wait_until(lambda: ended, 20, message="call ended")
        assert svc.log is not None and svc.log.flush(10)
        rec = svc.log.get(ended[0].id)
        assert rec is not None and rec.caller_name == "DUPONT AS"
        assert not BIDI_CONTROLS & set(json.dumps(rec.to_dict(), ensure_ascii=False))
    finally:
        svc.stop()
        sim.close()


def test_bidi_controls_never_reach_an_sms_or_mqtt_alert() -> None:
    """An older record written before the fix still holds them: the alert texts drop them."""
    rec = {"id": "20261127T091403-l1-aaaaaa", "caller_number": f"+33612{RLO}345678", "caller_name": f"A{RLO}B",
           "qualification": {"name": "Jean \u2066Dupont\u2069", "company": f"\u202dACME{RLO}",
                             "summary": f"fuite {RLO}d'eau", "urgent": True, "callback": f"+3361{RLO}2345678"}}
    info = call_info(rec, "https://box")
    assert not BIDI_CONTROLS & set(json.dumps(info, ensure_ascii=False))  # the MQTT payload
    sms = urgent_sms(info, lang="fr", company="ACME", ack_word="OK")
    assert not BIDI_CONTROLS & set(sms) and "Jean Dupont" in sms and "+33612345678" in sms


GOOD = {"id": "ok", "lang": "fr", "caller_id": "+33612345678", "turns": ["bonjour"]}
BAD_LINES = [
    ("invalid UTF-8", b'{"id": "x", "turns": ["caf\xe9"]}'),
    ("NUL in a turn", json.dumps({"id": "x", "turns": ["a\u0000b"]}).encode()),
    ("raw NUL byte", b'{"id": "x", "turns": ["a\x00b"]}'),
    ("lone surrogate", b'{"id": "x", "turns": ["\\ud800"]}'),
    ("escape sequence", json.dumps({"id": "x", "turns": ["\x1b[2J"]}).encode()),
    ("NUL in the caller id", json.dumps({"id": "x", "caller_id": "+336\u0000", "turns": []}).encode()),
    ("not an object", b"[1, 2]"),
    ("turns not a list", b'{"id": "x", "turns": "hello"}'),
    ("not JSON", b"{oops"),
]


@pytest.mark.parametrize(("what", "line"), BAD_LINES, ids=[b[0] for b in BAD_LINES])
def test_the_demo_skips_a_bad_script_line_and_goes_on(tmp_path: Path, what: str, line: bytes) -> None:
    script = tmp_path / "callers.jsonl"
    script.write_bytes(json.dumps(GOOD).encode() + b"\n" + line + b"\n" + json.dumps({**GOOD, "id": "ok2"}).encode())
    errors = io.StringIO()
    callers = load_script(script, "fr", errors)
    assert [c.id for c in callers] == ["ok", "ok2"], what
    (message,) = errors.getvalue().splitlines()
    assert message.startswith(f"permanence demo: {script}:2: skipped: "), message


def test_a_script_with_no_good_line_is_one_clear_error(tmp_path: Path) -> None:
    script = tmp_path / "callers.jsonl"
    script.write_bytes(b"\xff\xfe\n\x00\n")
    with pytest.raises(ConfigError, match="no usable caller"):
        load_script(script, "fr", io.StringIO())
