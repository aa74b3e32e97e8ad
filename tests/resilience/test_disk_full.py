"""A full disk is managed, not discovered (issue 15, requirement 1).

The service runs on a 2 MB tmpfs of its own (a private mount namespace: ``unshare``), with
a file that is not its own taking most of it and an old recording kept forever (retention 0).
Ten calls come in: every call is logged and none left open, the line stays ready, recordings
stop (and the call record says so) before the reserve is touched, and the health
fault shows on the service's status, the fault LED (gpiozero's mock pins) and MQTT (a real
mosquitto). Then the disk is filled to the last byte, with a partial recording and a temp file
left as a crash leaves them: the service starts, cleans up its partial files, answers and logs.
(Pruning when retention allows it: tests/store/test_diskspace.py.)
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from alerts.broker import Broker, Subscriber

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def broker() -> Iterator[Broker]:
    b = Broker()
    b.start()
    try:
        yield b
    finally:
        b.stop()


def test_ten_calls_on_a_2mb_disk_then_a_restart_on_a_full_one(tmp_path: Path, broker: Broker) -> None:
    assert shutil.which("unshare"), "util-linux's unshare is part of Debian's base system"
    sub = Subscriber(broker.port, ("permanence/disk/state/health",), client_id="health")
    env = {**os.environ, "PYTHONPATH": f"{ROOT}{os.pathsep}{ROOT / 'tests'}"}  # the child imports waiting
    try:
        proc = subprocess.run(["unshare", "--user", "--map-root-user", "--mount", sys.executable, "-m",
                               "tests.resilience.disk_child", str(tmp_path / "mnt"), str(broker.port)],
                              cwd=ROOT, env=env, capture_output=True, text=True, timeout=400)
        assert proc.returncode == 0, proc.stderr[-4000:]
        first, second = (json.loads(line) for line in proc.stdout.splitlines() if line.startswith("{"))
        # ten calls, every one logged and closed, the line still answering
        assert first["ended"] == 10 and first["states"] == ["answered"] * 10, first
        assert first["handlers_alive"] and first["line_state"] == ["ready"], first
        # recordings stopped before the reserve was touched (retention 0: nothing may be deleted)
        assert first["recording_stopped"] >= 1 and first["old_recording_kept"], first
        # a clear health fault: the service's problems (the health page shows them), the fault LED, MQTT
        assert any(p.startswith("disk nearly full") for p in first["problems"]), first
        assert first["live_problems"] == first["problems"] and first["fault_led"], first
        health = sub.wait_for(lambda: any(json.loads(p).get("state") == "ON" for _, p, _ in sub.messages), 10)
        assert health
        msgs = [json.loads(p) for _, p, _ in sub.messages]
        assert any("disk nearly full" in " ".join(m["problems"]) for m in msgs if m["state"] == "ON"), msgs
        # restart on a disk with no byte free: partial files cleaned, the call answered and logged
        assert second["ended"] == 1 and second["states"] == ["answered"] * 11, second
        assert not second["partial_left"] and second["temp_left"] == [], second
        assert any(p.startswith("disk nearly full") for p in second["problems"]), second
    finally:
        sub.close()
