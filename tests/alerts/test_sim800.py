"""Single-port SIM800: gammu borrows the line's only AT port between calls (GsmLine.port_released)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from waiting import wait_until

from appliance.alerts.manager import AlertManager
from appliance.alerts.sms import ReleasedPortSmsSender, SmsError
from appliance.telephony.gsm import GsmLine
from appliance.telephony.line import LineState, Ringing, SmsReceived
from appliance.telephony.simulator import ScriptedCaller, Simulator

from .helpers import make_config, urgent_record

BOB = "+33622222222"


def wait(pred: Any, timeout: float = 20.0) -> bool:
    return bool(wait_until(pred, timeout))


@pytest.fixture
def sim800() -> Iterator[tuple[Any, GsmLine]]:
    sim = Simulator(dialect="gsm", model="sim800", ring_interval=0.5)
    sim.start()
    line = GsmLine("line1", sim.port, model="sim800", read_sms=True)
    try:
        line.open()
        assert wait(lambda: line.status().state == LineState.READY)
        yield sim, line
    finally:
        line.close()
        sim.close()


def test_sms_between_calls_and_ack_through_line_events(sim800: tuple[Any, GsmLine], tmp_path: Path) -> None:
    sim, line = sim800
    sender = ReleasedPortSmsSender(line.port_released, sim.port)
    m = AlertManager(make_config(mqtt=False, sms=True), tmp_path, sms_sender=sender, tick=0.05)
    m.start()
    try:
        m.urgent(urgent_record("c-800"))
        assert wait(lambda: len(sim.sent_sms) == 1, 30)
        assert sim.sent_sms[0].number == BOB and "c-800" in sim.sent_sms[0].text
        assert wait(lambda: line.status().state == LineState.READY)  # the line took its port back
        assert wait(lambda: m.outbox.open_alerts("sms") == [])
        # the reply is exactly "OK": the AT channel must not take the message for the end of the reply
        sim.inject_sms(BOB, "OK")
        ev = None
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline and not isinstance(ev, SmsReceived):
            ev = line.next_event(0.5)
        assert isinstance(ev, SmsReceived) and ev.text == "OK"
        ack = m.sms_received(ev.sender, ev.text)
        assert ack is not None and ack["by"] == "Bob" and ack["via"] == "sms"
    finally:
        m.close()


def test_no_port_during_a_call_is_a_retryable_error(sim800: tuple[Any, GsmLine]) -> None:
    sim, line = sim800
    sender = ReleasedPortSmsSender(line.port_released, sim.port)
    handle = sim.place_call(ScriptedCaller(caller_id="+33699999999", hangup_after_rings=3))
    ev = None
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and not isinstance(ev, Ringing):
        ev = line.next_event(0.5)
    assert isinstance(ev, Ringing)
    with pytest.raises(SmsError) as ei:
        sender.send(BOB, "x")
    assert "cannot lend its port" in str(ei.value)
    handle.wait(15)
    assert wait(lambda: not line.ringing and line.status().state == LineState.READY)
    assert len(sender.send(BOB, "after the call")) == 1
    assert sim.sent_sms[-1].text == "after the call"
