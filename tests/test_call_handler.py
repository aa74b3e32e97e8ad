"""The call loop end to end on the line simulator (no speech: signalling, states, the log).

Each test runs the real service with a real driver on a pty whose far end is the
simulator, and checks the stored call records.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from waiting import wait_until

from appliance.config import Config, LineConfig, load_config_text
from appliance.service import Service
from appliance.store.calllog import CallLogReader
from appliance.store.record import CallRecord
from appliance.telephony import open_line
from appliance.telephony.line import LineState
from appliance.telephony.simulator import Simulator
from appliance.telephony.simulator.callers import ScriptedCaller

BASE = """
[company]
name = "Test Maintenance"
language = "fr"
[speech]
enabled = false
[conversation]
max_call_seconds = 20
[capture]
enabled = true
"""


class Ended:
    def __init__(self) -> None:
        self.records: list[CallRecord] = []
        self.kinds: list[str] = []

    def call_event(self, kind: str, rec: CallRecord) -> None:
        self.kinds.append(kind)
        if kind == "ended":
            self.records.append(rec)

    def urgent(self, rec: CallRecord) -> None:
        self.kinds.append("urgent")

    def wait(self, n: int, timeout: float = 30) -> list[CallRecord]:
        wait_until(lambda: len(self.records) >= n, timeout)
        assert len(self.records) >= n, f"only {len(self.records)} call(s) ended: {self.kinds}"
        return self.records


def make_cfg(**line: Any) -> Config:
    cfg = load_config_text(BASE, source="test")
    return dataclasses.replace(cfg, lines=(LineConfig(name="sim1", driver="sim", **line),))


@pytest.fixture
def run_service(tmp_path: Path) -> Iterator[Any]:
    started: list[tuple[Service, Simulator]] = []

    def start(cfg: Config, *, dialect: str = "gsm", ring_interval: float = 0.3) -> tuple[Service, Simulator, Ended]:
        sim = Simulator(dialect, ring_interval=ring_interval, country=cfg.lines[0].country)  # type: ignore[arg-type]
        obs = Ended()
        svc = Service(cfg, data_dir=tmp_path / "data", web_port=0, observers=[obs], speech=False, leds=False,
                      line_factory=lambda lc, **kw: open_line(lc, simulator=sim, **kw))
        svc.start()
        started.append((svc, sim))
        assert svc.ready.wait(20), "line never ready"
        return svc, sim, obs

    yield start
    for svc, sim in started:
        svc.stop()
        sim.close()


def reread(tmp_path: Path, rec: CallRecord) -> CallRecord:
    got = CallLogReader(tmp_path / "data").get(rec.id)
    assert got is not None
    return got


@pytest.mark.parametrize("dialect", ["gsm", "voicemodem"])
def test_answered_call_is_logged_with_duration_and_who_hung_up(run_service: Any, tmp_path: Path,
                                                               dialect: str) -> None:
    _svc, sim, obs = run_service(make_cfg(sim_dialect=dialect), dialect=dialect)
    sim.place_call(ScriptedCaller(id="c1", caller_id="+33612345678", hangup_after_seconds=2.0)).wait(30)
    rec = reread(tmp_path, obs.wait(1)[0])
    assert rec.state == "answered"
    assert rec.caller_number in ("+33612345678", "0612345678")
    assert rec.hangup_by == "caller"
    assert rec.answered_at and rec.ended_at and rec.duration is not None and 1.0 <= rec.duration <= 10
    kinds = [e["kind"] for e in rec.events]
    assert kinds[0] == "ring" and "answered" in kinds and kinds[-1] == "ended"
    assert [k for k in obs.kinds if k in ("started", "answered", "ended")] == ["started", "answered", "ended"]
    assert any(c.upper().startswith(("ATA", "AT+VLS=1")) for c in sim.recorded.commands)


def test_abandoned_while_waiting_for_staff(run_service: Any, tmp_path: Path) -> None:
    """Staff-first mode: the box waits 4 rings; the caller gives up after 2 — the seed's blind spot."""
    _svc, sim, obs = run_service(make_cfg(rings_before_answer=4))
    sim.place_call(ScriptedCaller(id="quick", caller_id="+33699999999", hangup_after_rings=2)).wait(30)
    rec = reread(tmp_path, obs.wait(1)[0])
    assert rec.state == "abandoned"
    assert rec.answered_at is None and rec.duration is None
    assert rec.rings == 2
    assert 0.2 <= rec.ring_seconds <= 5
    assert not any(c.upper().startswith("ATA") for c in sim.recorded.commands)


def test_staff_answering_on_an_analog_line_is_logged_as_staff(run_service: Any, tmp_path: Path) -> None:
    _svc, sim, obs = run_service(make_cfg(sim_dialect="voicemodem", rings_before_answer=5), dialect="voicemodem")
    sim.place_call(ScriptedCaller(id="office", caller_id="+33611111111", staff_answers_after_rings=2,
                                  hangup_after_seconds=1)).wait(30)
    rec = reread(tmp_path, obs.wait(1)[0])
    assert rec.state == "staff"  # the modem reported the extension off hook (DLE H)
    assert rec.answered_at is None


def test_withheld_number(run_service: Any, tmp_path: Path) -> None:
    _svc, sim, obs = run_service(make_cfg())
    sim.place_call(ScriptedCaller(id="anon", caller_id=None, hangup_after_seconds=1.0)).wait(30)
    rec = reread(tmp_path, obs.wait(1)[0])
    assert rec.caller_number is None and rec.caller_withheld
    assert rec.state == "answered"


def test_unplug_mid_call_interrupts_the_call_and_the_line_comes_back(run_service: Any, tmp_path: Path) -> None:
    svc, sim, obs = run_service(make_cfg())
    handle = sim.place_call(ScriptedCaller(id="cut", caller_id="+33622222222", hangup_after_seconds=15))
    assert wait_until(lambda: svc.handlers[0].state == LineState.IN_CALL, 10)
    sim.inject("unplug", duration=1.5)
    rec = reread(tmp_path, obs.wait(1)[0])
    assert rec.state == "interrupted"
    assert "fault" in rec.events[-1]["reason"]
    handle.hang_up()
    # the line comes back by itself and takes the next call
    assert wait_until(lambda: svc.handlers[0].state == LineState.READY, 20)
    sim.place_call(ScriptedCaller(id="after", caller_id="+33633333333", hangup_after_seconds=1.0)).wait(30)
    again = reread(tmp_path, obs.wait(2)[1])
    assert again.state == "answered"


def test_second_call_during_a_call_is_logged_as_missed(run_service: Any, tmp_path: Path) -> None:
    svc, sim, obs = run_service(make_cfg())
    first = sim.place_call(ScriptedCaller(id="first", caller_id="+33644444444", hangup_after_seconds=4))
    assert wait_until(lambda: svc.handlers[0].state == LineState.IN_CALL, 10)
    second = sim.place_call(ScriptedCaller(id="second", caller_id="+33655555555", hangup_after_rings=2))
    second.wait(30)
    first.wait(30)
    records = obs.wait(2)
    by_number = {r.caller_number: r for r in records}
    assert by_number["+33655555555"].state == "missed"
    assert by_number["+33644444444"].state == "answered"


def test_a_line_in_fault_never_stops_the_others(tmp_path: Path) -> None:
    cfg = load_config_text(BASE + """
[[lines]]
name = "dead"
driver = "gsm"
port = "/dev/permanence-no-such-port"
command_timeout = 0.5
[[lines]]
name = "sim1"
driver = "sim"
""", source="test")
    sim = Simulator("gsm", ring_interval=0.3)
    obs = Ended()

    def factory(lc: LineConfig, **kw: Any) -> Any:
        return open_line(lc, simulator=sim if lc.driver == "sim" else None, **kw)

    svc = Service(cfg, data_dir=tmp_path / "data", web_port=0, observers=[obs], speech=False, leds=False,
                  line_factory=factory)
    svc.start()
    try:
        assert wait_until(lambda: svc.handlers[1].state == LineState.READY, 15)
        sim.place_call(ScriptedCaller(id="ok", caller_id="+33666666666", hangup_after_seconds=1)).wait(30)
        rec = obs.wait(1)[0]
        assert rec.line == "sim1" and rec.state == "answered"
        assert svc.handlers[0].state == LineState.FAULT
        assert all(h.alive() for h in svc.handlers)
        live = svc.live()
        assert {ln["name"] for ln in live["lines"]} == {"dead", "sim1"}
    finally:
        svc.stop()
        sim.close()


def test_stop_closes_a_call_in_progress_as_interrupted(run_service: Any, tmp_path: Path) -> None:
    svc, sim, _obs = run_service(make_cfg())
    sim.place_call(ScriptedCaller(id="long", caller_id="+33677777777", hangup_after_seconds=30))
    assert wait_until(lambda: svc.handlers[0].state == LineState.IN_CALL, 10)
    svc.stop()
    rows = CallLogReader(tmp_path / "data").summaries()
    assert [r["state"] for r in rows] == ["interrupted"]
    # captures of the modem session were written
    assert list((tmp_path / "data" / "captures").glob("*"))
