"""A corrupt file never stops the box (issue 15, requirement 2).

Every kind of durable file is damaged — an older day file, today's index and aggregates, an
outbox entry, an escalation, the digest, the customer directory, and (last test) the configuration
file; the page's accounts file: tests/web/test_web_accounts.py — then the
service starts, takes calls, and the log is read with ``permanence calls``: each bad file is
in ``quarantine/`` with a health fault, and everything else went on.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from alerts.broker import Broker
from waiting import wait_until

from appliance.alerts.model import Alert
from appliance.config import load_config_text
from appliance.service import Service
from appliance.store.calllog import CallLog
from appliance.store.days import agg_path, day_paths
from appliance.store.record import CallRecord, iso, new_call_id
from appliance.telephony import open_line
from appliance.telephony.simulator import Simulator
from appliance.telephony.simulator.callers import ScriptedCaller

ROOT = Path(__file__).resolve().parents[2]
ENV = {**os.environ, "PYTHONPATH": str(ROOT)}
NOW = dt.datetime.now(dt.UTC)
EARLIER = NOW - dt.timedelta(days=3)


@pytest.fixture
def broker() -> Iterator[Broker]:
    b = Broker()
    b.start()
    try:
        yield b
    finally:
        b.stop()


def seed(data: Path) -> dict[str, Path]:
    """Calls three days ago and today, an alert, an escalation and the digest; then damage them."""
    with CallLog(data) as log:
        for when in (EARLIER, EARLIER + dt.timedelta(minutes=1), NOW - dt.timedelta(minutes=5)):
            log.create(CallRecord(id=new_call_id("sim1", when), line="sim1", started_at=iso(when), state="answered"))
        assert log.flush(10)
    alert = Alert.new(call_id="20261101T000000-sim1-abcdef", kind="event-ended", channel="mqtt", recipient="broker",
                      payload={"topic": "permanence/box1/event/ended", "message": {}}, now=0.0)
    (data / "outbox").mkdir()
    bad = {
        "day file": day_paths(data, EARLIER.date())[0],
        "index": day_paths(data, NOW.date())[1],
        "aggregates": agg_path(data, NOW.date()),
        "outbox entry": data / "outbox" / f"{alert.id}.json",
        "escalation": data / "alerts" / "escalations" / "20261101T000000-sim1-abcdef.json",
        "digest": data / "alerts" / "digest.json",
        "directory": data / "directory.json",
    }
    bad["escalation"].parent.mkdir(parents=True)
    bad["day file"].write_bytes(b'{"calls": {"1": {"id": "2')  # cut short
    bad["index"].write_bytes(b"\x00\x00garbage")
    bad["aggregates"].write_text('{"calls": "many"}')  # wrong shape
    bad["outbox entry"].write_text(json.dumps(alert.to_dict())[:40])
    bad["escalation"].write_text("[]")
    bad["digest"].write_text('{"items": "x", "last_slot": 3}')
    bad["directory"].write_text('{"contacts": "none"}')  # wrong shape
    return bad


def test_every_kind_of_corrupt_file_goes_to_quarantine_and_calls_go_on(tmp_path: Path, broker: Broker) -> None:
    data = tmp_path / "data"
    bad = seed(data)
    cfg = load_config_text(f'[speech]\nenabled = false\n[capture]\nenabled = false\n[alerts]\nbox_id = "box1"\n'
                           f'[alerts.mqtt]\nenabled = true\nport = {broker.port}\n', source="t")
    sim = Simulator("gsm", ring_interval=0.3)
    ended: list[str] = []

    class Obs:
        def call_event(self, kind: str, rec: CallRecord) -> None:
            if kind == "ended":
                ended.append(rec.id)

        def urgent(self, rec: CallRecord) -> None:
            pass

    svc = Service(cfg, data_dir=data, speech=False, leds=False, web_port=0, observers=[Obs()],
                  line_factory=lambda lc, **kw: open_line(lc, simulator=sim, **kw))
    try:
        svc.start()  # no exception: the box answers
        assert svc.ready.wait(20)
        for i in range(2):
            sim.place_call(ScriptedCaller(id=f"c{i}", caller_id="+33612345678", hangup_after_seconds=1)).wait(30)
            n = i + 1
            wait_until(lambda: len(ended) >= n, 30, message=f"call {n} logged")  # noqa: B023 - waited at once
        problems = svc.problems()
        assert svc.log is not None and svc.log.flush(10)
    finally:
        svc.stop()
        sim.close()
    moved = sorted(p.name for p in (data / "quarantine").iterdir())
    for what, path in bad.items():
        assert any(m.startswith("__".join(path.relative_to(data).parts)) for m in moved), (what, moved)
        assert any(path.name in p for p in problems), (what, problems)  # a health fault names it
    r = subprocess.run([sys.executable, "-m", "appliance.cli", "calls", "--data", str(data), "--format", "jsonl"],
                       capture_output=True, text=True, env=ENV, timeout=60)
    assert r.returncode == 0, r.stderr  # the bad files are out of the way now
    states = [json.loads(line)["state"] for line in r.stdout.splitlines()]
    assert states == ["answered"] * 3  # today's call before the damage, and the two new ones


def test_permanence_calls_prints_every_readable_day_and_names_the_bad_file(tmp_path: Path) -> None:
    seed(tmp_path)
    r = subprocess.run([sys.executable, "-m", "appliance.cli", "calls", "--data", str(tmp_path)],
                       capture_output=True, text=True, env=ENV, timeout=60)
    assert r.returncode == 1
    assert "1 call(s)" in r.stdout  # today's, despite its garbage index and aggregates
    bad_lines = [ln for ln in r.stderr.splitlines() if "skipped an unreadable file" in ln]
    assert any(day_paths(tmp_path, EARLIER.date())[0].name in ln for ln in bad_lines), r.stderr
    assert not (tmp_path / "quarantine").exists()  # a reader moves nothing


def test_an_unreadable_configuration_runs_on_the_last_good_one(tmp_path: Path) -> None:
    data = tmp_path / "data"
    cfg = tmp_path / "permanence.toml"
    cfg.write_text(f'[company]\nname = "ACME"\n[[lines]]\nname = "sim1"\ndriver = "sim"\n[speech]\nenabled = false\n'
                   f'[storage]\ndata_dir = "{data}"\n[web]\nport = 0\n')

    def run_until_ready() -> str:
        proc = subprocess.Popen([sys.executable, "-m", "appliance.cli", "run", "--config", str(cfg)], env=ENV,
                                stderr=subprocess.PIPE, text=True)
        lines: list[str] = []
        ready = threading.Event()

        def read() -> None:
            assert proc.stderr is not None
            for line in proc.stderr:
                lines.append(line)
                if "permanence: ready" in line:
                    ready.set()

        reader = threading.Thread(target=read, daemon=True)
        reader.start()
        try:
            wait_until(lambda: ready.is_set() or proc.poll() is not None, 60, message="service ready or exited")
            assert ready.is_set(), "".join(lines)[-3000:]
        finally:
            proc.send_signal(signal.SIGTERM)
            proc.wait(30)
            reader.join(10)
        assert proc.returncode == 0, "".join(lines)[-3000:]
        return "".join(lines)

    run_until_ready()
    assert (data / "config-last-good.toml").read_text() == cfg.read_text()
    good = cfg.read_text()
    broken = good + "[company\nname = "  # an edit cut short
    cfg.write_text(broken)
    log = run_until_ready()
    assert "running on the last good configuration" in log
    (copy,) = (data / "quarantine").iterdir()
    assert copy.read_text() == broken and cfg.exists()  # the owner's file stays where it is, to be fixed
    assert (data / "config-last-good.toml").read_text() == good
