"""Faults: unplug mid-call, mute modem, garbage, with the line coming back (Ready after Fault)."""

from __future__ import annotations

import threading
import time

import pytest
from waiting import wait_until

from appliance.telephony.gsm import GsmLine
from appliance.telephony.line import (
    Answered,
    AudioFrame,
    Fault,
    HungUp,
    Line,
    LineEvent,
    LineState,
    Ready,
    Ringing,
)
from appliance.telephony.simulator import ScriptedCaller, Simulator
from appliance.telephony.simulator.voice import tone
from appliance.telephony.voicemodem import VoiceModemLine

from .helpers import wait_for

RING = 0.25


def make(dialect: str, sim: Simulator) -> GsmLine | VoiceModemLine:
    if dialect == "gsm":
        return GsmLine("l1", sim.port, audio_port=sim.audio_port or "", command_timeout=0.5, ring_timeout=1.0,
                       clcc_interval=0.3, poll_interval=0.5, backoff=[0.1, 0.2, 0.4])
    return VoiceModemLine("l1", sim.port, command_timeout=0.5, ring_period=RING, keepalive=0.5,
                          backoff=[0.1, 0.2, 0.4])


def answered_call(sim: Simulator, line: Line) -> None:
    sim.place_call(ScriptedCaller(turns=[], wait_for_box_hangup=True))
    wait_for(line, Ringing, 5)
    line.answer()
    wait_for(line, Answered, 5)


@pytest.mark.parametrize("dialect", ["gsm", "voicemodem"])
def test_unplug_mid_call_then_replug(dialect: str) -> None:
    with Simulator(dialect, ring_interval=RING) as sim:  # type: ignore[arg-type]
        line = make(dialect, sim)
        line.open()
        try:
            wait_for(line, Ready, 5)
            answered_call(sim, line)
            line.play(tone(300, 3.0))
            threads_before = {t.name for t in threading.enumerate() if t.name.startswith("line-")}
            sim.inject("unplug", duration=1.0)
            seen: list[LineEvent] = []
            f = wait_for(line, Fault, 5, seen)
            assert isinstance(f, Fault) and f.reason
            assert not any(isinstance(e, HungUp) for e in seen)
            assert line.status().state == LineState.FAULT
            t0 = time.monotonic()
            wait_for(line, Ready, 10)
            assert time.monotonic() - t0 < 5
            assert {t.name for t in threading.enumerate() if t.name.startswith("line-")} == threads_before
            assert not line.is_playing()
            # and the line takes calls again
            answered_call(sim, line)
            line.hang_up()
            wait_for(line, HungUp, 5)
        finally:
            line.close()


@pytest.mark.parametrize("dialect", ["gsm", "voicemodem"])
def test_mute_modem_faults_then_recovers(dialect: str) -> None:
    with Simulator(dialect, ring_interval=RING) as sim:  # type: ignore[arg-type]
        line = make(dialect, sim)
        line.open()
        try:
            wait_for(line, Ready, 5)
            sim.inject("mute")
            f = wait_for(line, Fault, 6)
            assert isinstance(f, Fault) and "no reply" in f.reason
            # still muted: the next reconnection attempt fails too, and the line stays in fault
            assert wait_until(lambda: line.faults >= 2, 10)
            assert line.status().state == LineState.FAULT
            sim.inject("unmute")
            wait_for(line, Ready, 6)
            assert line.status().state == LineState.READY
        finally:
            line.close()


def test_silent_modem_is_power_cycled() -> None:
    with Simulator("gsm", ring_interval=RING) as sim:
        cycles: list[float] = []

        def power_cycle() -> None:
            cycles.append(time.monotonic())
            sim.power_cycle()

        line = GsmLine("l1", sim.port, command_timeout=0.3, poll_interval=0.3, backoff=[0.05],
                       power_cycle=power_cycle)
        line.open()
        try:
            wait_for(line, Ready, 5)
            sim.inject("mute")
            wait_for(line, Fault, 5)
            wait_for(line, Ready, 10)
            assert len(cycles) == 1
        finally:
            line.close()


@pytest.mark.parametrize("dialect", ["gsm", "voicemodem"])
def test_garbage_does_not_break_a_call(dialect: str) -> None:
    with Simulator(dialect, ring_interval=RING, seed=7) as sim:  # type: ignore[arg-type]
        line = make(dialect, sim)
        line.open()
        try:
            wait_for(line, Ready, 5)
            sim.inject("garbage", count=200)
            assert wait_until(lambda: line.status().unparsed, 5), "the garbage was read (and counted)"
            h = sim.place_call(ScriptedCaller(turn_audio=[tone(440, 0.3)], linger=0.3, max_wait_for_box=1.0))
            wait_for(line, Ringing, 5)
            line.answer()
            wait_for(line, Answered, 5)
            if dialect == "gsm":
                sim.inject("garbage", count=50)
            line.play(tone(300, 0.3))
            seen: list[LineEvent] = []
            hu = wait_for(line, HungUp, 8, seen, keep_audio=True)
            assert isinstance(hu, HungUp) and hu.by == "caller"
            assert any(isinstance(e, AudioFrame) for e in seen)
            assert not any(isinstance(e, Fault) for e in seen)
            assert h.wait(3).turns_spoken == 1
        finally:
            line.close()


def test_one_way_audio_and_noise() -> None:
    with Simulator("gsm", ring_interval=RING) as sim:
        line = make("gsm", sim)
        line.open()
        try:
            wait_for(line, Ready, 5)
            sim.inject("one_way_audio")
            sim.inject("noise", level_dbfs=-40)
            h = sim.place_call(ScriptedCaller(turn_audio=[tone(440, 0.5)], linger=0.3, max_wait_for_box=1.0))
            wait_for(line, Ringing, 5)
            line.answer()
            wait_for(line, Answered, 5)
            line.play(tone(300, 0.3))
            import numpy as np

            frames: list[bytes] = []
            while True:
                ev = line.next_event(5)
                assert ev is not None
                if isinstance(ev, AudioFrame):
                    frames.append(ev.pcm)
                if isinstance(ev, HungUp):
                    break
            pcm = np.frombuffer(b"".join(frames), dtype="<i2").astype(float)
            rms = float(np.sqrt(np.mean(pcm * pcm)))
            assert 100 < rms < 1000, f"expected only -40 dBFS noise, rms {rms}"
            assert h.wait(3).turns_spoken == 1
        finally:
            line.close()


def test_port_missing_at_start_then_appears() -> None:
    sim = Simulator("gsm", ring_interval=RING)
    line = GsmLine("l1", sim.port, backoff=[0.1])
    line.open()
    try:
        f = wait_for(line, Fault, 5)
        assert isinstance(f, Fault) and "cannot open" in f.reason
        sim.start()
        wait_for(line, Ready, 5)
    finally:
        line.close()
        sim.close()


def test_gpio_power_cycle_with_mock_pins() -> None:
    from gpiozero.pins.mock import MockFactory

    from appliance.errors import LineError
    from appliance.telephony.power import gpio_power_cycle

    factory = MockFactory()
    cycle = gpio_power_cycle(17, off_seconds=0.05, boot_seconds=0.0, pin_factory=factory)
    cycle()
    factory.pin(17).assert_states([False, True, False])
    with pytest.raises(LineError, match="0-27"):
        gpio_power_cycle(40)


def test_unexpected_error_reinitialises() -> None:
    with Simulator("voicemodem", ring_interval=RING, unsupported=("+VSM",)) as sim:
        line = make("voicemodem", sim)
        line.open()
        try:
            wait_for(line, Ready, 5)
            sim.place_call(ScriptedCaller(turns=[], wait_for_box_hangup=True, max_rings=40))
            wait_for(line, Ringing, 5)
            line.answer()
            f = wait_for(line, Fault, 5)
            assert isinstance(f, Fault) and "AT+VSM" in f.reason and "ERROR" in f.reason
            wait_for(line, Ready, 5)
            sim.unsupported = frozenset()
            wait_for(line, Ringing, 5)
            line.answer()
            wait_for(line, Answered, 5)
        finally:
            line.close()


def test_dead_audio_port_is_revived_with_creset() -> None:
    with Simulator("gsm", ring_interval=RING) as sim:
        line = GsmLine("l1", sim.port, audio_port=sim.audio_port or "", dead_audio_after=1.0,
                       backoff=[0.1, 0.2])
        line.open()
        try:
            wait_for(line, Ready, 5)
            sim.inject("dead_audio")
            sim.place_call(ScriptedCaller(turns=[], hangup_after_seconds=1.5))
            wait_for(line, Ringing, 5)
            line.answer()
            seen: list[LineEvent] = []
            wait_for(line, HungUp, 5, seen, keep_audio=True)
            assert not any(isinstance(e, AudioFrame) for e in seen)
            f = wait_for(line, Fault, 5)
            assert isinstance(f, Fault) and "CRESET" in f.reason
            wait_for(line, Ready, 5)
            assert "AT+CRESET" in sim.recorded.commands
            sim.place_call(ScriptedCaller(turns=[], hangup_after_seconds=1.0))
            wait_for(line, Ringing, 5)
            line.answer()
            wait_for(line, AudioFrame, 3)
        finally:
            line.close()
