"""Record a live session (real driver against the line simulator, CaptureWriter as the AT channel's
capture hook), then replay the capture against a fresh driver: it must derive the same story."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from appliance.capture.formats import load
from appliance.capture.replay import ReplayEvent, ReplayOptions, describe, replay
from appliance.capture.writer import CaptureWriter, capture_files
from appliance.telephony.gsm import GsmLine
from appliance.telephony.line import Answered, Dtmf, HungUp, Line, Ready, Ringing, RingStopped
from appliance.telephony.simulator import ScriptedCaller, Simulator
from appliance.telephony.voicemodem import VoiceModemLine

from .helpers import story


def live_session(sim: Simulator, line: Line) -> list[ReplayEvent]:
    """Two calls: one answered at ring 2 with keys 4 and 2 then the caller hangs up; one abandoned."""
    events: list[ReplayEvent] = []

    def until(kind: type, timeout: float = 10.0) -> object:
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            ev = line.next_event(0.05)
            if ev is None:
                continue
            d = describe(ev)
            if d is not None:
                events.append(ReplayEvent(d[0], 0.0, d[1]))
            if isinstance(ev, kind) and (not isinstance(ev, Ringing) or ev.count >= 2):
                return ev
        raise AssertionError(f"no {kind.__name__} within {timeout} s; saw {story(events)}")

    until(Ready)
    handle = sim.place_call(ScriptedCaller(id="a", caller_id="+33612345678", max_wait_for_box=5.0))
    until(Ringing)
    line.answer()
    until(Answered)
    handle.press("4")
    until(Dtmf)
    handle.press("2")
    until(Dtmf)
    handle.hang_up()
    until(HungUp)
    handle.wait(5)  # the simulator has ended the first call before the second rings
    sim.place_call(ScriptedCaller(id="b", caller_id="0145678901", hangup_after_rings=2))
    until(RingStopped)
    return events


def replayed(directory: Path, driver: str) -> list[str]:
    files = capture_files(directory, "rt")
    assert len(files) == 1
    assert load(files[0]).records
    r = replay(files[0], ReplayOptions(driver, speed=0, timeout=60))  # type: ignore[arg-type]
    assert not r.timed_out
    return story(r.events)


@pytest.mark.parametrize("model", ["sim800", "sim7600"])
def test_gsm_session_replays_to_the_same_story(tmp_path: Path, model: str) -> None:
    w = CaptureWriter(tmp_path, "rt", max_bytes=5_000_000, days=7)
    with Simulator("gsm", model=model, ring_interval=0.5) as sim:
        line = GsmLine("rt", sim.port, capture=w.record, ring_timeout=2.0, clcc_interval=0.3)
        line.open()
        try:
            live = story(live_session(sim, line))
        finally:
            line.close()
            w.close()
    assert live[-1] == "missed:caller" and "answered" in live and "dtmf:4" in live
    assert replayed(tmp_path, "gsm") == live


def test_voice_modem_session_replays_to_the_same_story(tmp_path: Path) -> None:
    w = CaptureWriter(tmp_path, "rt", max_bytes=5_000_000, days=7)
    with Simulator("voicemodem", model="usr5637", ring_interval=0.6) as sim:
        line = VoiceModemLine("rt", sim.port, capture=w.record, ring_period=0.6)
        line.open()
        try:
            live = story(live_session(sim, line))
        finally:
            line.close()
            w.close()
    assert "answered" in live and "dtmf:2" in live and live[-1] == "missed:caller"
    text = capture_files(tmp_path, "rt")[0].read_text()
    assert '"audio"' in text  # the call's audio was summarised, not stored
    assert replayed(tmp_path, "voicemodem") == live
