"""Voice-modem driver end to end against the simulator (USR 5637 and Conexant CX93010)."""

from __future__ import annotations

import time
from collections.abc import Iterator

import numpy as np
import pytest

from appliance.errors import LineError
from appliance.telephony.line import (
    FRAME_BYTES,
    Answered,
    AudioFrame,
    CallerIdUpdate,
    Dtmf,
    HungUp,
    LineEvent,
    LineState,
    PlaybackDone,
    Ready,
    Ringing,
    RingStopped,
)
from appliance.telephony.simulator import ScriptedCaller, Simulator
from appliance.telephony.simulator.voice import tone
from appliance.telephony.voicemodem import VoiceModemLine

from .helpers import wait_for

RING = 0.3
MODELS = [("usr5637", "u8"), ("usr5637", "s16le"), ("usr5637", "ulaw"), ("cx93010", "u8"), ("cx93010", "alaw")]


def open_pair(model: str, fmt: str, country: str = "FR") -> tuple[Simulator, VoiceModemLine]:
    sim = Simulator("voicemodem", model=model, country=country, ring_interval=RING).start()
    line = VoiceModemLine("vm1", sim.port, sample_format=fmt, country=country, ring_period=RING)
    line.open()
    wait_for(line, Ready, 5)
    return sim, line


@pytest.fixture(params=MODELS, ids=[f"{m}-{f}" for m, f in MODELS])
def vm(request: pytest.FixtureRequest) -> Iterator[tuple[Simulator, VoiceModemLine]]:
    sim, line = open_pair(*request.param)
    try:
        yield sim, line
    finally:
        line.close()
        sim.close()


def test_call_end_to_end(vm: tuple[Simulator, VoiceModemLine]) -> None:
    sim, line = vm
    caller = ScriptedCaller(caller_id="0612345678", turn_audio=[tone(440, 0.5)], dtmf={0: "7#"}, linger=0.4,
                            max_wait_for_box=2.0)
    handle = sim.place_call(caller)
    seen: list[LineEvent] = []
    r1 = wait_for(line, Ringing, 5, seen)
    assert isinstance(r1, Ringing) and r1.count == 1
    upd = wait_for(line, CallerIdUpdate, 5, seen)
    assert isinstance(upd, CallerIdUpdate) and upd.caller.number == "+33612345678"  # E.164 for the line's country (issue 16)
    r2 = wait_for(line, Ringing, 5, seen)
    assert isinstance(r2, Ringing) and r2.count == 2 and r2.caller.number == "+33612345678"
    line.answer()
    wait_for(line, Answered, 5, seen)
    greeting = tone(300, 0.4)
    line.play(greeting)
    wait_for(line, PlaybackDone, 5, seen)
    frames: list[bytes] = []
    digits: list[str] = []
    while True:
        ev = line.next_event(6)
        assert ev is not None
        if isinstance(ev, AudioFrame):
            assert len(ev.pcm) == FRAME_BYTES
            frames.append(ev.pcm)
        elif isinstance(ev, Dtmf):
            digits.append(ev.digit)
            if len(digits) == 2:
                line.play(tone(350, 0.3))
        elif isinstance(ev, HungUp):
            assert ev.by == "caller" and ev.reason == "busy tone"
            break
    assert digits == ["7", "#"], "DTMF repeats must be collapsed to one key each"
    pcm = np.frombuffer(b"".join(frames), dtype="<i2")
    assert np.abs(pcm).max() > 1000, "the caller's tone did not come through AT+VRX"
    r = handle.wait(5)
    assert r.answered and r.hung_up_by == "caller" and r.dtmf_sent == "7#"
    assert len(r.box_pcm) >= len(greeting) // 2 * 2 - FRAME_BYTES
    box = np.frombuffer(r.box_pcm, dtype="<i2")
    assert np.abs(box).max() > 1000, "the greeting did not reach the caller through AT+VTX"
    cmds = sim.recorded.commands
    assert "AT+VLS=1" in cmds and "AT+VTX" in cmds and "AT+VRX" in cmds and "ATH0" in cmds
    assert any(c.startswith("AT+VSM=") for c in cmds)
    assert line.status().state == LineState.READY


def test_box_hangs_up(vm: tuple[Simulator, VoiceModemLine]) -> None:
    sim, line = vm
    h = sim.place_call(ScriptedCaller(turns=[], wait_for_box_hangup=True))
    wait_for(line, Ringing, 5)
    line.answer()
    wait_for(line, Answered, 5)
    line.hang_up()
    ev = wait_for(line, HungUp, 5)
    assert isinstance(ev, HungUp) and ev.by == "box"
    assert h.wait(5).hung_up_by == "box"


@pytest.mark.parametrize(("cid", "withheld", "unavailable"), [(None, True, False), ("unavailable", False, True)])
def test_private_and_unavailable_markers(cid: str | None, withheld: bool, unavailable: bool) -> None:
    sim, line = open_pair("cx93010", "u8")
    try:
        sim.place_call(ScriptedCaller(caller_id=cid, hangup_after_rings=2))
        upd = wait_for(line, CallerIdUpdate, 5)
        assert isinstance(upd, CallerIdUpdate)
        assert upd.caller.withheld is withheld and upd.caller.unavailable is unavailable
        wait_for(line, RingStopped, 5)
    finally:
        line.close()
        sim.close()


def test_uk_caller_id_before_first_ring() -> None:
    sim, line = open_pair("usr5637", "u8", country="GB")
    try:
        sim.place_call(ScriptedCaller(caller_id="07700900123", hangup_after_rings=1))
        r = wait_for(line, Ringing, 5)
        assert isinstance(r, Ringing) and r.count == 1 and r.caller.number == "+447700900123"
        wait_for(line, RingStopped, 5)
    finally:
        line.close()
        sim.close()


def test_abandoned_after_rings_uses_ring_timeout() -> None:
    sim, line = open_pair("usr5637", "u8")
    try:
        h = sim.place_call(ScriptedCaller(caller_id="0612345678", hangup_after_rings=3))
        seen: list[LineEvent] = []
        ev = wait_for(line, RingStopped, 6, seen)
        assert isinstance(ev, RingStopped) and ev.by == "caller" and "no ring" in ev.reason
        assert [e.count for e in seen if isinstance(e, Ringing)] == [1, 2, 3]
        assert h.wait(3).rings == 3
    finally:
        line.close()
        sim.close()


def test_staff_picks_up_extension() -> None:
    sim, line = open_pair("cx93010", "u8")
    try:
        h = sim.place_call(ScriptedCaller(caller_id="0612345678", staff_answers_after_rings=2))
        ev = wait_for(line, RingStopped, 5)
        assert isinstance(ev, RingStopped) and ev.by == "staff"
        assert h.wait(3).hung_up_by == "staff"
    finally:
        line.close()
        sim.close()


def test_caller_hangs_up_during_greeting() -> None:
    sim, line = open_pair("usr5637", "u8")
    try:
        h = sim.place_call(ScriptedCaller(turns=[], hangup_after_seconds=0.5))
        wait_for(line, Ringing, 5)
        line.answer()
        wait_for(line, Answered, 5)
        line.play(tone(300, 5.0))
        t0 = time.monotonic()
        seen: list[LineEvent] = []
        hu = wait_for(line, HungUp, 5, seen)
        assert isinstance(hu, HungUp) and hu.by == "caller"
        assert time.monotonic() - t0 < 2.0, "the greeting went on after the caller hung up"
        assert not line.is_playing()
        assert h.wait(3).hung_up_by == "caller"
        done = [e for e in seen if isinstance(e, PlaybackDone)]
        assert done and done[-1].stopped
    finally:
        line.close()
        sim.close()


def test_bad_format_for_chipset_is_a_clear_fault() -> None:
    with Simulator("voicemodem", model="cx93010") as sim:
        line = VoiceModemLine("vm1", sim.port, sample_format="s16le", backoff=[5.0])
        line.open()
        try:
            from appliance.telephony.line import Fault

            f = wait_for(line, Fault, 5)
            assert isinstance(f, Fault) and "s16le" in f.reason and "choose one of" in f.reason
        finally:
            line.close()


def test_unknown_country_rejected() -> None:
    with pytest.raises(LineError, match="country"):
        VoiceModemLine("vm1", "/dev/null", country="XX")


def test_uk_double_ring_counts_once_per_cadence() -> None:
    sim = Simulator("voicemodem", model="usr5637", country="GB", ring_interval=2.0).start()
    line = VoiceModemLine("vm1", sim.port, country="GB", ring_period=2.0)
    line.open()
    try:
        wait_for(line, Ready, 5)
        sim.place_call(ScriptedCaller(caller_id="07700900123", hangup_after_rings=2))
        seen: list[LineEvent] = []
        wait_for(line, RingStopped, 12, seen)
        assert [e.count for e in seen if isinstance(e, Ringing)] == [1, 2]
    finally:
        line.close()
        sim.close()


@pytest.mark.parametrize(("signal", "reason"), [("d", "dial tone"), ("s", "silence"), ("l", "loop current break"),
                                                 ("L", "loop polarity reversal")])
def test_hangup_signals(signal: str, reason: str) -> None:
    sim, line = open_pair("usr5637", "u8")
    try:
        sim.place_call(ScriptedCaller(turns=[], hangup_after_seconds=0.3, hangup_signal=signal))
        wait_for(line, Ringing, 5)
        line.answer()
        hu = wait_for(line, HungUp, 5)
        assert isinstance(hu, HungUp) and hu.by == "caller" and hu.reason == reason
    finally:
        line.close()
        sim.close()
