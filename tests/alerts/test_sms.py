"""SMS through python-gammu talking AT to the line simulator; acks by injected SMS; escalation."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from waiting import wait_until

from appliance.alerts.manager import AlertManager
from appliance.alerts.sms import GammuSmsSender, SmsError
from appliance.telephony.simulator import Simulator

from .conftest import FakeClock
from .helpers import make_config, urgent_record

ROOT = Path(__file__).resolve().parents[2]
BOB, CY, ANN = "+33622222222", "+33633333333", "+33611111111"


@pytest.fixture(scope="module")
def sim() -> Iterator[Any]:
    s = Simulator(dialect="gsm")
    s.start()
    try:
        yield s
    finally:
        s.close()


class Modem:
    """The module's simulator, seen from one test: only the SMS sent since the test began."""

    def __init__(self, sim: Any) -> None:
        self.sim = sim
        self.start = len(sim.sent_sms)
        self.sms_port = sim.sms_port
        with sim.lock:
            sim.sms_store.clear()

    @property
    def sent_sms(self) -> list[tuple[str, str, int]]:
        return [(m.number, m.text, m.reference) for m in self.sim.sent_sms[self.start:]]

    def inject_sms(self, sender: str, text: str) -> int:
        return int(self.sim.inject_sms(sender, text))


@pytest.fixture
def modem(sim: Any) -> Modem:
    return Modem(sim)


@pytest.fixture(scope="module")
def sender(sim: Any) -> Iterator[GammuSmsSender]:
    s = GammuSmsSender(sim.sms_port)
    try:
        yield s
    finally:
        s.close()


def texts_to(sim: Any, number: str) -> list[str]:
    return [t for n, t, _ in list(sim.sent_sms) if n == number]


def wait(pred: Any, timeout: float = 15.0) -> bool:
    return bool(wait_until(pred, timeout))


def moved_past(m: AlertManager, loop: str, n: int = 2, timeout: float = 15.0) -> None:
    """Wait until ``loop`` of the manager has made ``n`` more passes: what a test checks did not
    happen had its chance to."""
    start = m.passes[loop]
    wait_until(lambda: m.passes[loop] >= start + n, timeout, message=f"{n} more passes of the {loop} loop")


@pytest.mark.parametrize("text,parts", [
    ("Short alert, plain GSM: é à ù", 1),
    ("x" * 160, 1),
    ("Long " * 80, 3),                       # 400 GSM chars -> 3 concatenated parts of 153
    ("Unicode ç 漢字 " * 10, 2),             # 130 UCS-2 chars -> 2 parts of 67
])
def test_send_short_long_unicode(modem: Any, sender: GammuSmsSender, text: str, parts: int) -> None:
    n_parts = len(modem.sim.recorded.sms_parts)
    refs = sender.send(BOB, text)
    assert len(refs) == parts and all(r.isdigit() for r in refs)
    assert len(modem.sim.recorded.sms_parts) - n_parts == parts  # what went over the AT port
    assert modem.sent_sms == [(BOB, text, int(refs[-1]))]  # the simulator joins the parts


def test_receive_and_delete(modem: Any, sender: GammuSmsSender) -> None:
    modem.inject_sms(CY, "Pris, j'y vais")
    modem.inject_sms(BOB, "OK")
    got = sender.receive()
    assert sorted((m.sender, m.text) for m in got) == [(BOB, "OK"), (CY, "Pris, j'y vais")]
    assert sender.receive() == []  # deleted once read


def test_bad_port_is_a_clear_error(tmp_path: Path) -> None:
    s = GammuSmsSender(str(tmp_path / "no-such-tty"))
    with pytest.raises(SmsError) as ei:
        s.send(BOB, "x")
    assert "no-such-tty" in str(ei.value)
    with pytest.raises(SmsError):
        GammuSmsSender("")


def _manager(cfg: Any, data: Path, sender: GammuSmsSender, clock: Any, **kw: Any) -> AlertManager:
    """A manager on the module's shared sender (gammu Init takes ~5 s: do it once)."""
    return AlertManager(cfg, data, sms_sender=sender, close_transports=False, clock=clock, tick=0.05, **kw)


class Rec:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.events: list[tuple[str, dict[str, Any]]] = []
        self.alerts: dict[str, dict[str, Any]] = {}

    def on_call_event(self, call_id: str, ev: dict[str, Any]) -> None:
        with self.lock:
            self.events.append((call_id, ev))

    def on_alert_change(self, call_id: str, a: dict[str, Any]) -> None:
        with self.lock:
            self.alerts[a["id"]] = a

    def kinds(self, call_id: str) -> list[str]:
        with self.lock:
            return [e["kind"] for c, e in self.events if c == call_id]


def test_escalation_with_accelerated_clock_and_sms_ack(modem: Any, sender: GammuSmsSender, tmp_path: Path,
                                                      clock: FakeClock) -> None:
    cfg = make_config(mqtt=False, sms=True, ack_minutes=5)
    rec = Rec()
    m = _manager(cfg, tmp_path, sender, clock, sms_poll_seconds=0.2,
                     on_call_event=rec.on_call_event, on_alert_change=rec.on_alert_change)
    m.start()
    try:
        evil = "Jean\n<b>Dupont</b>\x1b[2J\x00"
        for _ in range(10):  # "urgent" said ten times: one SMS
            m.urgent(urgent_record("c-esc", name=evil))
        assert wait(lambda: len(texts_to(modem, BOB)) == 1)
        sms = texts_to(modem, BOB)[0]
        assert sms.startswith("URGENT ACME Chauffage: Jean Dupont (Dupont SA) - Chaudière en panne")
        assert "+33699999999" in sms and "https://box.example/calls/c-esc" in sms
        assert all(ord(c) >= 32 for c in sms) and "<b>" not in sms
        clock.advance(4 * 60)
        m.run_due()  # not due yet: it queues nothing (an escalation would be in the outbox now)
        assert [a.recipient for a in m.outbox.for_call("c-esc") if a.channel == "sms"] == [BOB]
        clock.advance(61)
        assert wait(lambda: len(texts_to(modem, CY)) == 1)  # Bob did not answer: next person
        # an ack from someone not alerted yet does nothing; not an ack word does nothing
        received = m.passes["sms received"]
        modem.inject_sms(ANN, "OK")
        modem.inject_sms(CY, "qui est-ce ?")
        wait_until(lambda: m.passes["sms received"] >= received + 2, 15, message="both SMS read")
        assert m.pending_urgent() and m.pending_urgent()[0]["level"] == 1
        modem.inject_sms(CY, "OK")  # Cy takes it (PDU mode: a body "OK" is not a result code)
        assert wait(lambda: not m.pending_urgent())
        clock.advance(3600)
        m.run_due()  # acknowledged: nobody else is alerted, however late
        assert [a.recipient for a in m.outbox.for_call("c-esc") if a.channel == "sms"] == [BOB, CY]
        assert texts_to(modem, ANN) == [] and len(modem.sent_sms) == 2
        assert wait(lambda: "acknowledged" in rec.kinds("c-esc"))
        assert rec.kinds("c-esc")[:2] == ["alert_sent", "alert_escalated"]
        ack = next(e for c, e in rec.events if e["kind"] == "acknowledged")
        assert ack["by"] == "Cy" and ack["via"] == "sms" and ack["after_seconds"] == pytest.approx(301, abs=1)
        states = sorted((a["person"], a["state"]) for a in rec.alerts.values())
        assert states == [("Bob", "acknowledged"), ("Cy", "acknowledged")]
        assert all(a["reference"] for a in rec.alerts.values())
    finally:
        m.close()


def test_escalation_wraps_then_stops(modem: Any, sender: GammuSmsSender, tmp_path: Path, clock: FakeClock) -> None:
    cfg = make_config(mqtt=False, sms=True, ack_minutes=1)
    rec = Rec()
    m = _manager(cfg, tmp_path, sender, clock, max_rounds=2,
                     sms_poll_seconds=3600, on_call_event=rec.on_call_event)
    m.start()
    try:
        m.urgent(urgent_record("c-wrap"))
        for n in range(1, 7):
            assert wait(lambda n=n: len(modem.sent_sms) == n), n  # type: ignore[misc]
            clock.advance(61)
        assert wait(lambda: "escalation_exhausted" in rec.kinds("c-wrap"))
        assert [n for n, _, _ in modem.sent_sms] == [BOB, CY, ANN, BOB, CY, ANN]
        assert m.pending_urgent()[0]["exhausted"] is True  # still pending on the page
    finally:
        m.close()


def test_rate_limits_per_caller_and_global(modem: Any, sender: GammuSmsSender, tmp_path: Path,
                                           clock: FakeClock) -> None:
    cfg = make_config(mqtt=False, sms=True, per_caller=2, per_hour=3)
    rec = Rec()
    m = _manager(cfg, tmp_path, sender, clock, sms_poll_seconds=3600,
                     on_call_event=rec.on_call_event, on_alert_change=rec.on_alert_change)
    m.start()
    try:
        for i in range(3):  # same caller, three urgent calls within the hour
            m.urgent(urgent_record(f"c-rl-{i}", caller="+33655555555"))
        m.urgent(urgent_record("c-rl-x", caller="+33677777777"))
        m.urgent(urgent_record("c-rl-y", caller="+33688888888"))  # fourth SMS this hour: global cap 3
        assert wait(lambda: len(modem.sent_sms) == 3)
        wait_until(lambda: not m.outbox.open_alerts("sms"), 15, message="every SMS alert closed")
        assert len(modem.sent_sms) == 3  # the others were cancelled, not sent later
        assert "alert_rate_limited" in rec.kinds("c-rl-2")
        assert any(a["state"] == "cancelled" and "max_per_hour" in a["last_error"] for a in rec.alerts.values())
        assert {p["call_id"] for p in m.pending_urgent()} == {"c-rl-0", "c-rl-1", "c-rl-2", "c-rl-x", "c-rl-y"}
    finally:
        m.close()


def test_digest_at_configured_time(modem: Any, sender: GammuSmsSender, tmp_path: Path) -> None:
    import datetime as dt
    import zoneinfo

    t = dt.datetime(2026, 11, 27, 11, 58, tzinfo=zoneinfo.ZoneInfo("Europe/Paris")).timestamp()
    clock = FakeClock(t)
    cfg = make_config(mqtt=False, sms=True)
    m = _manager(cfg, tmp_path, sender, clock, sms_poll_seconds=3600)
    m.start()
    try:
        moved_past(m, "scheduler", 1)  # the first pass starts the digest slots from now
        for i in range(2):
            r = urgent_record(f"c-dg-{i}", name=f"Client {i}", summary="devis\nchaudière")
            r["qualification"]["urgent"] = False
            r["state"] = "answered"
            m.call_event("ended", r)
        moved_past(m, "scheduler")
        assert modem.sent_sms == []
        clock.advance(120)
        assert wait(lambda: len(modem.sent_sms) == 1)
        number, text, _ = modem.sent_sms[0]
        assert number == BOB and "(2)" in text and "Client 0: devis chaudière" in text
        clock.advance(60)
        moved_past(m, "scheduler")
        moved_past(m, "sms")
        assert len(modem.sent_sms) == 1  # one digest per slot
    finally:
        m.close()
    m2 = _manager(cfg, tmp_path, sender, clock, sms_poll_seconds=3600)
    m2.start()
    moved_past(m2, "scheduler")
    moved_past(m2, "sms")
    m2.close()
    assert len(modem.sent_sms) == 1  # not re-sent after a restart


def test_sigkill_before_sms_send_then_sent_after_restart(modem: Any, sender: GammuSmsSender,
                                                         tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    child = subprocess.Popen([sys.executable, "-m", "tests.alerts.crash_child", str(tmp_path), "1", "sms",
                              modem.sms_port], cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout is not None and child.stdout.readline().strip() == "written"
        os.kill(child.pid, signal.SIGKILL)
        child.wait(10)
    finally:
        if child.poll() is None:
            child.kill()
    assert modem.sent_sms == []
    m = _manager(make_config(mqtt=False, sms=True), tmp_path, sender, time.time, sms_poll_seconds=3600)
    m.start()
    try:
        assert wait(lambda: len(modem.sent_sms) == 1)
        assert modem.sent_sms[0][0] == BOB and "crash1" in modem.sent_sms[0][1]
        assert wait(lambda: m.outbox.open_alerts("sms") == [])
    finally:
        m.close()
