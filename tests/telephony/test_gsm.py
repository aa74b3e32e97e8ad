"""GSM driver end to end against the simulator, through real ptys."""

from __future__ import annotations

import time
from collections.abc import Iterator

import numpy as np
import pytest
from waiting import wait_until

from appliance.errors import LineError
from appliance.telephony.gsm import GsmLine
from appliance.telephony.line import (
    FRAME_BYTES,
    Answered,
    AudioFrame,
    CallerIdUpdate,
    CallWaiting,
    Dtmf,
    Fault,
    HungUp,
    LineEvent,
    LineState,
    PlaybackDone,
    Ready,
    Ringing,
    RingStopped,
)
from appliance.telephony.simulator import ScriptedCaller, Simulator
from appliance.telephony.simulator.voice import tone, tone_voice

from .helpers import wait_for

RING = 0.25


@pytest.fixture(params=["sim7600", "sim800"])
def gsm(request: pytest.FixtureRequest) -> Iterator[tuple[Simulator, GsmLine]]:
    with Simulator("gsm", model=request.param, ring_interval=RING, voice=tone_voice) as sim:
        line = GsmLine("gsm1", sim.port, audio_port=sim.audio_port or "", ring_timeout=1.0, clcc_interval=0.3)
        line.open()
        try:
            wait_for(line, Ready, 5)
            yield sim, line
        finally:
            line.close()


def test_init_and_status(gsm: tuple[Simulator, GsmLine]) -> None:
    sim, line = gsm
    st = line.status()
    assert st.state == LineState.READY
    assert st.signal_dbm == -73 and st.signal_quality == 20
    assert st.registration == "home" and st.operator == "Orange F" and st.sim == "ready"
    assert sim.model.upper() in st.model.replace("_", "").upper().replace("SIMCOM", "") or sim.model in st.model.lower()
    cmds = sim.recorded.commands_on("modem")
    assert "ATE0" in cmds and "AT+CLIP=1" in cmds and "AT+CMEE=2" in cmds
    assert ("AT+DDET=1" in cmds) == (sim.model == "sim800")


def test_call_answered_at_chosen_ring_with_audio_dtmf_and_caller_hangup(gsm: tuple[Simulator, GsmLine]) -> None:
    sim, line = gsm
    caller = ScriptedCaller(id="c1", caller_id="+33612345678", turn_audio=[tone(440, 0.6)], dtmf={0: "42"},
                            linger=0.5, max_wait_for_box=1.5)
    handle = sim.place_call(caller)
    seen: list[LineEvent] = []
    rings = []
    while True:
        rg = wait_for(line, Ringing, 5, seen)
        assert isinstance(rg, Ringing)
        rings.append(rg.count)
        assert rg.caller.number == "+33612345678" and rg.caller.number_type == 145
        if rg.count == 3:
            break
    assert rings == [1, 2, 3]
    line.answer()
    wait_for(line, Answered, 5, seen)
    greeting = tone(300, 0.5)
    line.play(greeting)
    frames = []
    digits = []
    while True:
        ev = line.next_event(6)
        assert ev is not None, "line went silent"
        if isinstance(ev, AudioFrame):
            assert len(ev.pcm) == FRAME_BYTES
            frames.append(ev.pcm)
        elif isinstance(ev, Dtmf):
            digits.append(ev.digit)
            if len(digits) == 2:
                line.play(tone(350, 0.3))
        elif isinstance(ev, HungUp):
            assert ev.by == "caller"
            break
    r = handle.wait(5)
    assert r.answered and r.rings == 3 and r.hung_up_by == "caller"
    assert digits == ["4", "2"] and r.dtmf_sent == "42"
    if sim.model == "sim7600":
        pcm = np.frombuffer(b"".join(frames), dtype="<i2")
        assert pcm.size > 0 and np.abs(pcm).max() > 1000, "caller's tone did not reach the box"
        box = r.box_pcm
        assert len(box) >= len(greeting), "the box's greeting did not reach the caller"
        assert b"".join(p for _t, p in sim.recorded.audio) == box
        assert "AT+CPCMREG=1" in sim.recorded.commands
    else:
        assert frames == [], "SIM800 has no audio port: signalling only"
    assert line.status().state == LineState.READY


def test_abandoned_before_answer(gsm: tuple[Simulator, GsmLine]) -> None:
    sim, line = gsm
    handle = sim.place_call(ScriptedCaller(caller_id="0612345678", hangup_after_rings=2))
    seen: list[LineEvent] = []
    ev = wait_for(line, RingStopped, 5, seen)
    assert isinstance(ev, RingStopped) and ev.by == "caller"
    assert [e.count for e in seen if isinstance(e, Ringing)] == [1, 2]
    assert handle.wait(3).answered is False
    assert "ATA" not in sim.recorded.commands


@pytest.mark.parametrize(("cid", "withheld", "unavailable"), [(None, True, False), ("unavailable", False, True)])
def test_withheld_and_unavailable(gsm: tuple[Simulator, GsmLine], cid: str | None, withheld: bool,
                                  unavailable: bool) -> None:
    sim, line = gsm
    sim.place_call(ScriptedCaller(caller_id=cid, hangup_after_rings=1))
    ev = wait_for(line, Ringing, 5)
    assert isinstance(ev, Ringing)
    assert ev.caller.withheld is withheld and ev.caller.unavailable is unavailable and ev.caller.number is None
    wait_for(line, RingStopped, 5)


def test_box_hangs_up_and_call_waiting(gsm: tuple[Simulator, GsmLine]) -> None:
    sim, line = gsm
    first = sim.place_call(ScriptedCaller(id="first", turns=[], wait_for_box_hangup=True))
    wait_for(line, Ringing, 5)
    line.answer()
    wait_for(line, Answered, 5)
    second = sim.place_call(ScriptedCaller(id="second", caller_id="+33699999999", hangup_after_rings=2))
    ev = wait_for(line, CallWaiting, 5)
    assert isinstance(ev, CallWaiting) and ev.caller.number == "+33699999999"
    assert second.wait(5).waiting
    line.hang_up()
    hu = wait_for(line, HungUp, 5)
    assert isinstance(hu, HungUp) and hu.by == "box"
    r = first.wait(5)
    assert r.hung_up_by == "box"
    assert "AT+CHUP" in sim.recorded.commands


def test_stop_playing_is_quick(gsm: tuple[Simulator, GsmLine]) -> None:
    sim, line = gsm
    sim.place_call(ScriptedCaller(turns=[], wait_for_box_hangup=True))
    wait_for(line, Ringing, 5)
    line.answer()
    wait_for(line, Answered, 5)
    line.play(tone(500, 5.0))
    wait_for(line, AudioFrame, 2) if sim.model == "sim7600" else None
    assert wait_until(lambda: line.player.frames_sent >= 10, 5), "playback under way"
    assert line.is_playing()
    t0 = time.monotonic()
    line.stop_playing()
    done = wait_for(line, PlaybackDone, 2)
    assert isinstance(done, PlaybackDone) and done.stopped
    assert time.monotonic() - t0 < 0.1
    assert not line.is_playing()
    line.hang_up()
    wait_for(line, HungUp, 5)


def test_port_released_between_calls_only(gsm: tuple[Simulator, GsmLine]) -> None:
    sim, line = gsm
    with line.port_released() as port:
        assert port == sim.port
        assert line.ch is None
    seen: list[LineEvent] = []
    wait_for(line, Ready, 5, seen)
    assert not any(isinstance(e, Fault) for e in seen), "lending the port is not a fault"
    sim.place_call(ScriptedCaller(turns=[], wait_for_box_hangup=True))
    wait_for(line, Ringing, 5)
    with pytest.raises(LineError, match="during a call"):
        with line.port_released():
            pass


def test_caller_id_after_first_ring_gives_update() -> None:
    # A modem that sends +CLIP only from the second ring: Ringing(unknown) then CallerIdUpdate.
    with Simulator("gsm", ring_interval=RING) as sim:
        line = GsmLine("gsm1", sim.port, clip_wait=0.05, ring_timeout=1.0)
        line.open()
        try:
            wait_for(line, Ready, 5)
            for s in sim.main_sessions():
                s.settings.clip = False
            sim.place_call(ScriptedCaller(caller_id="+33612345678", hangup_after_rings=3))
            first = wait_for(line, Ringing, 5)
            assert isinstance(first, Ringing) and first.caller.number is None
            for s in sim.main_sessions():
                s.settings.clip = True
            upd = wait_for(line, CallerIdUpdate, 5)
            assert isinstance(upd, CallerIdUpdate) and upd.caller.number == "+33612345678"
            wait_for(line, RingStopped, 5)
        finally:
            line.close()


def test_sim_pin_required() -> None:
    with Simulator("gsm", pin="1234", ring_interval=RING) as sim:
        bad = GsmLine("gsm1", sim.port, backoff=[0.2])
        bad.open()
        try:
            from appliance.telephony.line import Fault

            f = wait_for(bad, Fault, 5)
            assert isinstance(f, Fault) and "SIM not ready" in f.reason and "pin" in f.reason
        finally:
            bad.close()
        good = GsmLine("gsm1", sim.port, pin="1234")
        good.open()
        try:
            wait_for(good, Ready, 5)
            assert "AT+CPIN=1234" in sim.recorded.commands
        finally:
            good.close()


def test_plain_27007_modem_without_vendor_commands() -> None:
    """A modem that refuses +CLCC, +CPIN?, +CCWA, +CVHU, +DDET, +CGMR, +CMEE and +CREG=: calls still work."""
    unsupported = ("+CLCC", "+CPIN", "+CCWA", "+CVHU", "+DDET", "+CGMR", "+CMEE", "+CPCMREG", "+COPS")
    with Simulator("gsm", model="sim800", ring_interval=RING, unsupported=unsupported) as sim:
        line = GsmLine("gsm1", sim.port, ring_timeout=1.0, clcc_interval=0.2)
        line.open()
        try:
            wait_for(line, Ready, 5)
            assert line.status().sim.startswith("ready")
            h = sim.place_call(ScriptedCaller(caller_id="+33612345678", hangup_after_rings=2))
            seen: list[LineEvent] = []
            ev = wait_for(line, RingStopped, 5, seen)
            assert isinstance(ev, RingStopped) and ev.by == "caller" and ev.reason == "NO CARRIER"
            assert [e.count for e in seen if isinstance(e, Ringing)] == [1, 2]
            h.wait(3)
            h = sim.place_call(ScriptedCaller(turns=[], hangup_after_seconds=0.5))
            wait_for(line, Ringing, 5)
            line.answer()
            wait_for(line, Answered, 5)
            hu = wait_for(line, HungUp, 5)
            assert isinstance(hu, HungUp) and hu.by == "caller"
            assert not any(isinstance(e, Fault) for e in seen)
        finally:
            line.close()


def test_incoming_sms_read_on_the_at_port() -> None:
    from appliance.telephony.line import SmsReceived

    with Simulator("gsm", model="sim800") as sim:
        line = GsmLine("gsm1", sim.port, read_sms=True)
        line.open()
        try:
            wait_for(line, Ready, 5)
            sim.inject_sms("+33698765432", "STOP alerts")
            ev = wait_for(line, SmsReceived, 5)
            assert isinstance(ev, SmsReceived) and ev.sender == "+33698765432" and ev.text == "STOP alerts"
            assert wait_until(lambda: not sim.sms_store, 5), "the driver deletes what it read"
        finally:
            line.close()


def test_close_hangs_up_the_call() -> None:
    with Simulator("gsm", ring_interval=RING) as sim:
        line = GsmLine("gsm1", sim.port, audio_port=sim.audio_port or "")
        line.open()
        wait_for(line, Ready, 5)
        h = sim.place_call(ScriptedCaller(turns=[], wait_for_box_hangup=True))
        wait_for(line, Ringing, 5)
        line.answer()
        wait_for(line, Answered, 5)
        line.close()
        assert h.wait(5).hung_up_by == "box"
        assert line.status().state == LineState.CLOSED


def test_call_vanishing_from_clcc_ends_it() -> None:
    with Simulator("gsm", model="sim800", ring_interval=RING) as sim:
        line = GsmLine("gsm1", sim.port, clcc_interval=0.2)
        line.open()
        try:
            wait_for(line, Ready, 5)
            h = sim.place_call(ScriptedCaller(turns=[], wait_for_box_hangup=True))
            wait_for(line, Ringing, 5)
            line.answer()
            wait_for(line, Answered, 5)
            sim.inject("drop_call")  # no NO CARRIER: only +CLCC can tell
            hu = wait_for(line, HungUp, 3)
            assert isinstance(hu, HungUp) and hu.by == "network" and "CLCC" in hu.reason
            assert h.wait(3).hung_up_by == "network"
        finally:
            line.close()
