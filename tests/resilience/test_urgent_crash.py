"""No urgent alert is lost to a crash (issue 15, requirement 3).

An urgent call goes through the real service (a simulated SIM7600 on ptys owned by this test, SMS
through python-gammu to it, MQTT to a real mosquitto). A first run without a crash lists every
durable write that follows the urgent decision. Then, for each of those write boundaries in turn,
the service is killed (SIGKILL from the fault hook, right after that write) and started again.

After each restart:

* if the urgent decision reached the disk (the call record holds its ``urgent`` event), exactly one
  alert per recipient is delivered: one MQTT urgent message key for the broker, one SMS for the
  on-call person, nobody else. A transmission may be repeated (same key, same text) only when the
  kill caught that alert in flight (sent, not yet confirmed): delivery is at least once;
* if it did not, no alert exists at all, and the call is marked interrupted.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from alerts.broker import Broker, Subscriber
from waiting import wait_until

from appliance.config import load_config
from appliance.service import Service
from appliance.store.calllog import CallLogReader
from appliance.telephony.simulator import Simulator
from appliance.telephony.simulator.callers import ScriptedCaller

ROOT = Path(__file__).resolve().parents[2]
ON_CALL = "+33622222222"

CONFIG = """
[company]
name = "ACME"
[[lines]]
name = "gsm1"
driver = "gsm"
model = "sim7600"
port = "{port}"
audio_port = "{audio}"
sms_port = "{sms}"
[speech]
enabled = false
[storage]
record_audio = false
[capture]
enabled = false
[rota]
ack_minutes = 30
people = [{{ name = "Ann", phone = "+33611111111" }}, {{ name = "Bob", phone = "{on_call}" }}]
shifts = [{{ person = "Bob" }}]
[alerts]
box_id = "box1"
retry_initial_seconds = 0.5
retry_max_seconds = 2.0
[alerts.mqtt]
enabled = true
port = {mqtt}
keepalive = 5
[alerts.sms]
enabled = true
"""


@pytest.fixture(scope="module")
def rig(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Simulator, Broker, Path]]:
    broker = Broker()
    broker.start()
    sim = Simulator("gsm", model="sim7600", ring_interval=0.3)
    sim.start()
    cfg = tmp_path_factory.mktemp("urgent") / "permanence.toml"
    cfg.write_text(CONFIG.format(port=sim.port, audio=sim.audio_port, sms=sim.sms_port, mqtt=broker.port,
                                 on_call=ON_CALL))
    try:
        yield sim, broker, cfg
    finally:
        sim.close()
        broker.stop()


def _child(data: Path, cfg: Path, kill_after: int, trace: Path) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": f"{ROOT}{os.pathsep}{ROOT / 'tests'}"}  # the child imports waiting
    return subprocess.Popen([sys.executable, "-m", "tests.resilience.urgent_child", str(data), str(cfg),
                             str(kill_after), str(trace)], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def _urgent_call(sim: Simulator, child: subprocess.Popen[str]) -> str:
    """Ring the box, press 9 once answered; returns what the child printed last."""
    assert child.stdout is not None
    assert child.stdout.readline().strip() == "ready", child.stderr.read() if child.stderr else ""
    handle = sim.place_call(ScriptedCaller(id="urgent", caller_id="+33699999999", hangup_after_seconds=60))
    wait_until(lambda: any(what.startswith("answered") for _, what in handle.result.events), 20,
               message="answered")
    handle.press("9#")
    try:
        out = child.communicate(timeout=60)[0]
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
        handle.hang_up()
        handle.wait(30)
    return out


def _outbox(data: Path) -> list[dict[str, object]]:
    files = [*(data / "outbox").glob("*.json"), *(data / "outbox" / "archive").glob("*.json")]
    return [json.loads(p.read_bytes()) for p in files]


def _kill_and_restart(n: int, sim: Simulator, sub: Subscriber, cfg: Path, tmp_path: Path) -> tuple[str, int]:
    """Kill after boundary ``n``, restart, check; returns the case and the repeated transmissions."""
    data = tmp_path / f"kill-{n}"
    sms_before = len(sim.sent_sms)
    child = _child(data, cfg, n, tmp_path / f"trace-{n}.txt")
    _urgent_call(sim, child)
    assert child.returncode == -9, f"boundary {n}: the hook did not kill the service"
    in_flight = {str(a["key"]) for a in _outbox(data) if a["state"] == "sent"}
    restarted = Service(load_config(cfg), data_dir=data, speech=False, leds=False, web_port=0)
    restarted.start()
    try:
        assert restarted.alerts is not None and restarted.alerts.drain(60), f"boundary {n}"
        rec = next(iter(CallLogReader(data).calls()), None)
        assert rec is not None and rec.state == "interrupted", f"boundary {n}: {rec}"
        alerts = [a for a in _outbox(data) if a["kind"] == "urgent"]
        sms = sim.sent_sms[sms_before:]
        if not any(e["kind"] == "urgent" for e in rec.events):
            assert alerts == [] and sms == [] and sub.json_on("permanence/box1/urgent") == [], n
            return "not on disk", 0
        # exactly one alert per recipient, delivered
        assert sorted((a["channel"], a["recipient"], a["state"]) for a in alerts) == [
            ("mqtt", "broker", "delivered"), ("sms", ON_CALL, "delivered")], f"boundary {n}: {alerts}"
        keys = {str(a["channel"]): str(a["key"]) for a in alerts}
        assert sub.wait_for(lambda: sub.json_on("permanence/box1/urgent"), 10)
        mqtt = [m for m in sub.json_on("permanence/box1/urgent") if m["call_id"] == rec.id]
        assert {m["key"] for m in mqtt} == {keys["mqtt"]}, f"boundary {n}: {mqtt}"
        assert {s.number for s in sms} == {ON_CALL} and len({s.text for s in sms}) == 1, n
        repeated = 0
        for channel, sent in (("mqtt", len(mqtt)), ("sms", len(sms))):
            allowed = 2 if keys[channel] in in_flight else 1
            assert 1 <= sent <= allowed, f"boundary {n}: {sent} {channel} transmissions"
            repeated += sent - 1
        return "urgent on disk", repeated
    finally:
        restarted.stop()


@pytest.mark.slow
def test_kill_at_each_write_boundary_of_an_urgent_call(rig: tuple[Simulator, Broker, Path],
                                                       tmp_path: Path) -> None:
    sim, broker, cfg = rig
    trace = tmp_path / "trace.txt"
    out = _urgent_call(sim, _child(tmp_path / "trace-run", cfg, 0, trace))
    assert "done" in out
    boundaries = trace.read_text().splitlines()
    assert len(boundaries) >= 8, boundaries  # the urgent record, outbox, escalation, deliveries...
    cases = {"urgent on disk": 0, "not on disk": 0, "repeated in flight": 0}
    for n in range(1, len(boundaries) + 1):
        sub = Subscriber(broker.port, ("permanence/box1/urgent",), client_id=f"kill-{n}")
        try:
            case, repeated = _kill_and_restart(n, sim, sub, cfg, tmp_path)
        finally:
            sub.close()
        cases[case] += 1
        cases["repeated in flight"] += repeated
    print(f"{len(boundaries)} write boundaries after the urgent decision: {cases}")
    assert cases["urgent on disk"] >= len(boundaries) - 3  # only the writes queued just before it come first
