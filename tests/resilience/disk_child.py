"""Child of test_disk_full: the service on a 2 MB tmpfs (its own mount namespace), ten calls, then
a restart on a disk filled to the last byte. Prints one JSON object per phase on stdout."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import time
from pathlib import Path

from gpiozero.pins.mock import MockFactory
from waiting import wait_until

from appliance.config import LedsConfig, load_config_text
from appliance.service import Service
from appliance.status.leds import StatusLeds
from appliance.store.calllog import CallLogReader
from appliance.store.record import CallRecord
from appliance.telephony import open_line
from appliance.telephony.simulator import Simulator
from appliance.telephony.simulator.callers import ScriptedCaller
from appliance.telephony.simulator.voice import tone_voice

CONFIG = """
[company]
name = "Disk Test"
[[lines]]
name = "sim1"
driver = "sim"
[speech]
enabled = false
[storage]
data_dir = "{data}"
retention_days = 0
[capture]
max_bytes = 100000
[alerts]
box_id = "disk"
[alerts.mqtt]
enabled = true
port = {port}
keepalive = 5
"""


class Ended:
    def __init__(self) -> None:
        self.ids: list[str] = []

    def call_event(self, kind: str, rec: CallRecord) -> None:
        if kind == "ended":
            self.ids.append(rec.id)

    def urgent(self, rec: CallRecord) -> None:
        pass


def fill(path: Path, nbytes: int | None) -> None:
    """A file of up to ``nbytes`` (None: until the disk refuses) that is not the service's."""
    try:
        f = open(path, "wb")
    except OSError:
        return  # not even room for the file's entry: the disk is full already
    block = b"\x5a" * 4096
    written = 0
    while nbytes is None or written < nbytes:
        try:
            f.write(block)
            f.flush()
        except OSError:
            break
        written += len(block)
    try:
        f.close()
    except OSError:
        pass


def run(cfg_text: str, data: Path, calls: int, leds: StatusLeds, factory: MockFactory) -> dict[str, object]:
    cfg = load_config_text(cfg_text, source="disk-test")
    sim = Simulator("gsm", ring_interval=0.3, voice=tone_voice)
    obs = Ended()
    svc = Service(cfg, observers=[obs], speech=False, leds=leds, web_port=0,
                  line_factory=lambda lc, **kw: open_line(lc, simulator=sim, **kw))
    try:
        svc.start()
        wait_until(svc.ready.is_set, 30, message="line ready")
        for i in range(calls):
            sim.place_call(ScriptedCaller(id=f"c{i}", caller_id=f"+3361234{i:04d}",
                                          turns=["bonjour je voudrais un devis pour un entretien"] * 3,
                                          hangup_after_seconds=4.0)).wait(60)
            n = i + 1
            wait_until(lambda: len(obs.ids) >= n, 30, message=f"call {n} logged")  # noqa: B023 - waited at once
        wait_until(lambda: svc.log is not None and svc.log.flush(1), 30, message="log flushed")
        wait_until(lambda: factory.pin(23).state, 10, message="fault LED on")
        records = CallLogReader(data).calls()
        return {
            "states": sorted(r.state for r in records), "ended": len(obs.ids),
            "recording_stopped": sum(1 for r in records for e in r.events if e["kind"] == "recording_stopped"),
            "problems": svc.problems(), "live_problems": svc.live()["problems"],
            "handlers_alive": all(h.alive() for h in svc.handlers),
            "line_state": [str(h.state) for h in svc.handlers], "fault_led": bool(factory.pin(23).state),
            "free": svc.disk.free() if svc.disk else None,
            "usage": {p.name: sum(f.stat().st_blocks * 512 for f in p.rglob("*") if f.is_file())
                      for p in data.iterdir() if p.is_dir()},
        }
    finally:
        svc.stop()
        sim.close()


def main() -> None:
    logging.basicConfig(level=logging.WARNING, format="%(name)s: %(message)s")
    mnt, port = Path(sys.argv[1]), int(sys.argv[2])
    mnt.mkdir(parents=True, exist_ok=True)
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(mnt)], check=True)
    data = mnt / "data"
    old = data / "recordings" / "2026" / "01" / "01" / "20260101T090000-sim1-aaaaaa.wav"
    old.parent.mkdir(parents=True)
    fill(old, 300_000)
    ten_days_ago = time.time() - 10 * 86400
    os.utime(old, (ten_days_ago, ten_days_ago))
    fill(mnt / "something-else.bin", 900_000)
    cfg_text = CONFIG.format(data=data, port=port)
    factory = MockFactory()
    leds = StatusLeds(LedsConfig(ready=17, fault=23), pin_factory=factory)
    first = run(cfg_text, data, 10, leds, factory)
    first["old_recording_kept"] = old.exists()
    print(json.dumps(first), flush=True)

    # restart on a disk full to the last byte, with what a crash leaves behind
    partial = data / "recordings" / "2026" / "01" / "02" / "20260102T090000-sim1-bbbbbb.wav.partial"
    partial.parent.mkdir(parents=True, exist_ok=True)
    fill(partial, 150_000)
    day_dir = next(p for p in (data / "calls").rglob("*") if p.is_dir() and p.parent.parent.name == "calls")
    fill(day_dir / ".2026-01-02.json.tmp-dead", 4096)
    fill(mnt / "more.bin", None)
    second = run(cfg_text, data, 1, StatusLeds(LedsConfig(ready=17, fault=23), pin_factory=factory), factory)
    second["partial_left"] = partial.exists()
    second["temp_left"] = [str(p) for p in data.rglob(".*.tmp-*")]
    print(json.dumps(second), flush=True)


if __name__ == "__main__":
    main()
