"""The call path never waits on the disk (issue 15, requirement 10).

The disk is stalled on purpose — every fsync the call log makes blocks until the test opens a gate,
as an SD card that takes its time would — and the test checks what waits and what does not:

* a call-log change made as the line handler makes it (``update(..., wait=False)``) returns while
  the writer thread is stuck in an fsync, and is on disk, with every change, once the disk answers;
* a call's creation (the first ring) waits for its own write: the box answers a call on disk;
* through the real service and a simulated line, a call answered goes on to its end (keys, hang-up,
  the line ready again) while the disk is stuck, and no fsync ever runs on the line handler's thread
  (the figures of a slow disk are in bench/bench_slowdisk.py).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from waiting import wait_until

from appliance.config import LineConfig, load_config_text
from appliance.service import Service
from appliance.store.calllog import CallLog, CallLogReader
from appliance.store.faulthooks import HOOKS
from appliance.store.record import CallRecord, iso, new_call_id
from appliance.telephony import open_line
from appliance.telephony.simulator import Simulator
from appliance.telephony.simulator.callers import ScriptedCaller


class StalledDisk:
    """Every fsync waits for :attr:`gate`; :attr:`stuck` is set while one is waiting."""

    def __init__(self) -> None:
        self.gate = threading.Event()
        self.gate.set()
        self.stuck = threading.Event()
        self.threads: list[str] = []  # the thread of every fsync, in order

    def before_fsync(self) -> None:
        self.threads.append(threading.current_thread().name)
        if not self.gate.is_set():
            self.stuck.set()
            self.gate.wait(30)


@pytest.fixture
def disk(monkeypatch: pytest.MonkeyPatch) -> Iterator[StalledDisk]:
    d = StalledDisk()
    monkeypatch.setattr(HOOKS, "before_fsync", d.before_fsync)
    try:
        yield d
    finally:
        d.gate.set()  # never leave a writer stuck


def new_record() -> CallRecord:
    when = dt.datetime.now(dt.UTC)
    return CallRecord(id=new_call_id("l1", when), line="l1", started_at=iso(when), state="ringing")


def test_changes_made_on_the_call_path_return_while_the_disk_is_stuck(tmp_path: Path, disk: StalledDisk) -> None:
    with CallLog(tmp_path) as log:
        rec = new_record()
        log.create(rec)  # the disk answers: on disk when this returns
        disk.gate.clear()
        log.add_event(rec.id, "answer_sent", wait=False)
        wait_until(disk.stuck.is_set, 10, message="the writer thread is inside an fsync")
        done = threading.Event()

        def keys() -> None:  # what the handler does for each DTMF digit, while the writer is stuck
            for digit in "0612345678#":
                log.add_event(rec.id, "dtmf", wait=False, digit=digit)
            log.update(rec.id, lambda r: setattr(r, "state", "in_call"), wait=False)
            done.set()

        threading.Thread(target=keys, name="line-l1", daemon=True).start()
        wait_until(done.is_set, 10, message="eleven changes returned with the disk stuck")
        assert disk.stuck.is_set() and not disk.gate.is_set()  # the writer never got past its fsync
        mem = log.get(rec.id)
        assert mem is not None and mem.state == "in_call" and len(mem.events) == 12  # the newest version
        on_disk = CallLogReader(tmp_path).get(rec.id)
        assert on_disk is not None and on_disk.state == "ringing"  # not written yet: the disk is stuck
        disk.gate.set()
        assert log.flush(10)
    stored = CallLogReader(tmp_path).get(rec.id)
    assert stored is not None and stored.state == "in_call"
    assert [e.get("digit") for e in stored.events if e["kind"] == "dtmf"] == list("0612345678#")
    assert set(disk.threads) == {"calllog-writer"}  # every fsync was the writer thread's


def test_a_new_call_waits_for_its_own_write(tmp_path: Path, disk: StalledDisk) -> None:
    with CallLog(tmp_path) as log:
        disk.gate.clear()
        rec = new_record()
        created = threading.Event()

        def ring() -> None:
            log.create(rec)
            created.set()

        threading.Thread(target=ring, name="line-l1", daemon=True).start()
        wait_until(disk.stuck.is_set, 10, message="the record's write reached its fsync")
        assert not created.is_set()  # its write is stuck in the fsync: the answer waits for it
        assert CallLogReader(tmp_path).get(rec.id) is None
        disk.gate.set()
        wait_until(created.is_set, 10, message="create returned once the record was written")
        assert CallLogReader(tmp_path).get(rec.id) is not None  # on disk when create returned


def test_a_call_goes_on_to_its_end_while_the_disk_is_stuck(tmp_path: Path, disk: StalledDisk) -> None:
    """Once the call is on disk and answered, the disk stops answering: the caller keys digits and
    hangs up, and the line handler takes it all and is ready again before a single write ends."""
    cfg = load_config_text('[speech]\nenabled = false\n[capture]\nenabled = false\n', source="t")
    cfg = dataclasses.replace(cfg, lines=(LineConfig(name="sim1", driver="sim"),))
    sim = Simulator("gsm", ring_interval=0.3)
    svc = Service(cfg, data_dir=tmp_path, speech=False, leds=False, web_port=0,
                  line_factory=lambda lc, **kw: open_line(lc, simulator=sim, **kw))
    try:
        svc.start()
        assert svc.ready.wait(20) and svc.log is not None
        handler = svc.handlers[0]
        handle = sim.place_call(ScriptedCaller(id="keys", caller_id="+33612345678", hangup_after_seconds=60))
        wait_until(lambda: any(what.startswith("answered") for _, what in handle.result.events), 20,
                   message="answered")
        assert svc.log.flush(10)
        disk.gate.clear()
        handle.press("0612#")
        handle.hang_up()
        handle.wait(30)
        wait_until(lambda: str(handler.state) == "ready" and disk.stuck.is_set(), 20,
                   message="the handler took the hang-up and is ready again, the writer still in its fsync")
        assert not disk.gate.is_set() and handler.alive()
        disk.gate.set()
        assert svc.log.flush(10)
    finally:
        disk.gate.set()
        svc.stop()
        sim.close()
    (rec,) = CallLogReader(tmp_path).calls()
    assert rec.state == "answered" and rec.answered_at and rec.ended_at
    assert "calllog-writer" in disk.threads  # the call's writes happened, on the writer thread
    assert "line-sim1" not in disk.threads, disk.threads
