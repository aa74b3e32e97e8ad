"""kill -9 between writing an alert and sending it: it is sent after the restart."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

from appliance.alerts.manager import AlertManager

from .broker import Broker, Subscriber
from .helpers import make_config

ROOT = Path(__file__).resolve().parents[2]


def _child(*args: str) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen([sys.executable, "-m", "tests.alerts.crash_child", *args], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, text=True)


def test_sigkill_after_write_before_send_then_sent_after_restart(broker: Broker, tmp_path: Path) -> None:
    child = _child(str(tmp_path), str(broker.port), "mqtt")
    try:
        assert child.stdout is not None and child.stdout.readline().strip() == "written"
        os.kill(child.pid, signal.SIGKILL)
        child.wait(10)
    finally:
        if child.poll() is None:
            child.kill()
    files = list((tmp_path / "outbox").glob("*.json"))
    assert len(files) == 2  # urgent + ended event, both on disk, nothing sent
    states = {json.loads(f.read_text())["kind"]: json.loads(f.read_text())["state"] for f in files}
    assert states == {"urgent": "pending", "event-ended": "pending"}
    sub = Subscriber(broker.port, ("permanence/box1/urgent", "permanence/box1/event/#"), client_id="crash")
    m = AlertManager(make_config(mqtt_port=broker.port), tmp_path, tick=0.05)
    try:
        m.start()
        assert sub.wait_for(lambda: len(sub.json_on("permanence/box1/urgent")) >= 1
                            and len(sub.json_on("permanence/box1/event/ended")) >= 1, 15)
        msg = sub.json_on("permanence/box1/urgent")[0]
        assert msg["key"] == "20261127T100000-line1-crash1:urgent:broker"
        # the escalation state survived too
        assert [p["call_id"] for p in m.pending_urgent()] == ["20261127T100000-line1-crash1"]
    finally:
        m.close()
        sub.close()


def test_last_will_says_offline_when_the_box_dies(broker: Broker, tmp_path: Path) -> None:
    sub = Subscriber(broker.port, ("permanence/box1/availability",), client_id="lwt")
    child = _child(str(tmp_path), str(broker.port), "lwt")
    try:
        assert child.stdout is not None and child.stdout.readline().strip() == "online"
        assert sub.wait_for(lambda: any(p == b"online" for _, p, _ in sub.messages))
        os.kill(child.pid, signal.SIGKILL)
        child.wait(10)
        assert sub.wait_for(lambda: sub.messages[-1][1] == b"offline", 15)
    finally:
        if child.poll() is None:
            child.kill()
        sub.close()
