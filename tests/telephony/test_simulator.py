"""The simulator itself: ports, TCP, echo, faults, corpus callers, espeak voice, CLI, factory."""

from __future__ import annotations

import io
import json
import os
import threading
import time
from pathlib import Path

import numpy as np
import pytest
import serial
from waiting import collect, wait_until

from appliance.config import LineConfig
from appliance.errors import ConfigError
from appliance.telephony import open_line
from appliance.telephony.at import AtChannel
from appliance.telephony.cli import register, run_simulate
from appliance.telephony.emulator.commands import split_commands
from appliance.telephony.gsm import GsmLine
from appliance.telephony.line import Answered, AudioFrame, HungUp, Ready, Ringing
from appliance.telephony.simulator import ScriptedCaller, Simulator, load_corpus_callers
from appliance.telephony.simulator.voice import espeak_voice

from .helpers import wait_for

CORPUS = Path("/work/shared/corpus/calls-en.dev.jsonl")


def test_echo_on_by_default_and_ate0() -> None:
    with Simulator("gsm") as sim, serial.serial_for_url(sim.port, timeout=0.5) as s:
        def reply(final: bytes) -> bytes:
            return collect(lambda: s.read(s.in_waiting or 1), lambda b: b.endswith(final))

        s.write(b"AT+CGMI\r")
        assert reply(b"OK\r\n") == b"AT+CGMI\r\r\nSIMCOM INCORPORATED\r\n\r\nOK\r\n"
        s.write(b"ATE0\r")
        assert reply(b"OK\r\n").endswith(b"OK\r\n")
        s.write(b"AT+CMEE=2;+CPMS=\"XX\"\r")
        assert reply(b"allowed\r\n") == b"\r\n+CMS ERROR: operation not allowed\r\n"
        s.write(b"AT+NOPE\r")
        assert reply(b"ERROR\r\n") == b"\r\nERROR\r\n"


SPLIT = [
    ("E0V1", ["E0", "V1"]),
    ("+CMEE=1;+CLIP=1", ["+CMEE=1", "+CLIP=1"]),
    ('+CMGS="+33;6"', ['+CMGS="+33;6"']),
    ("S0=0E1", ["S0=0", "E1"]),
    ("&FZ", ["&F", "Z"]),
    ("D0612345678;", ["D0612345678;"]),
    ("I3", ["I3"]),
    ("", []),
]


@pytest.mark.parametrize(("body", "parts"), SPLIT)
def test_split_commands(body: str, parts: list[str]) -> None:
    assert split_commands(body) == parts


def test_tcp_port_speaks_the_dialect() -> None:
    with Simulator("gsm", tcp_port=0, ring_interval=0.2) as sim:
        assert sim.tcp_url
        line = GsmLine("tcp", sim.tcp_url, ring_timeout=1.0)
        line.open()
        try:
            wait_for(line, Ready, 5)
            h = sim.place_call(ScriptedCaller(hangup_after_rings=5, turns=[], wait_for_box_hangup=True))
            wait_for(line, Ringing, 5)
            line.answer()
            wait_for(line, Answered, 5)
            line.hang_up()
            wait_for(line, HungUp, 5)
            assert h.wait(5).hung_up_by == "box"
            assert any(p.startswith("tcp") for _, p, _c in sim.recorded.timeline)
        finally:
            line.close()


def test_unplug_keeps_the_path_and_replug_makes_a_new_pty() -> None:
    with Simulator("voicemodem") as sim:
        path = sim.port
        first = os.readlink(path)
        sim.inject("unplug")
        assert not os.path.lexists(path)
        with pytest.raises(serial.SerialException):
            serial.Serial(path)
        sim.replug()
        assert os.path.islink(path) and os.path.exists(os.readlink(path))
        with AtChannel(path) as ch:
            assert ch.command("ATI3").lines
        assert first  # the pty behind the link may be a new one


def test_bad_arguments_are_clear() -> None:
    with pytest.raises(ConfigError, match="dialect"):
        Simulator("isdn")  # type: ignore[arg-type]
    with pytest.raises(ConfigError, match="model"):
        Simulator("gsm", model="usr5637")
    with pytest.raises(ConfigError, match="country"):
        Simulator("voicemodem", country="DE")
    with Simulator("gsm") as sim, pytest.raises(ConfigError, match="unknown fault"):
        sim.inject("explode")


def test_ring_cadence_per_country() -> None:
    assert [Simulator("voicemodem", country=c).ring_interval for c in ("FR", "GB", "US")] == [5.0, 3.0, 6.0]


def test_load_corpus_callers(tmp_path: Path) -> None:
    callers = load_corpus_callers(CORPUS)
    assert len(callers) >= 5 and callers[0].id == "e01" and callers[0].lang == "en" and callers[0].turns
    assert any(c.withheld for c in callers)
    bad = tmp_path / "bad.jsonl"
    bad.write_text(json.dumps({"id": "x", "turns": "not a list"}) + "\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"bad.jsonl:1"):
        load_corpus_callers(bad)


def test_espeak_caller_speaks_after_the_box_stops_talking() -> None:
    with Simulator("gsm", ring_interval=0.2, voice=espeak_voice) as sim:
        line = GsmLine("l1", sim.port, audio_port=sim.audio_port or "")
        line.open()
        try:
            wait_for(line, Ready, 5)
            caller = load_corpus_callers(CORPUS)[0]
            caller = ScriptedCaller(id=caller.id, caller_id=caller.caller_id, lang="en", turns=caller.turns[1:2],
                                    hangup_after_turn=0)
            h = sim.place_call(caller)
            wait_for(line, Ringing, 5)
            line.answer()
            wait_for(line, Answered, 5)
            greet = (np.sin(np.arange(8000) / 8000 * 2 * np.pi * 300) * 8000).astype("<i2").tobytes()
            t_play = time.monotonic()
            line.play(greet)
            first_voice = None
            while True:
                ev = line.next_event(10)
                assert ev is not None
                if isinstance(ev, AudioFrame) and first_voice is None:
                    if np.abs(np.frombuffer(ev.pcm, dtype="<i2")).max() > 1000:
                        first_voice = ev.t
                if isinstance(ev, HungUp):
                    break
            assert first_voice is not None
            # greeting lasts 1 s; the caller waits >= 0.6 s of silence after it
            assert first_voice - t_play >= 1.5
            assert h.wait(5).turns_spoken == 1
        finally:
            line.close()


@pytest.mark.parametrize("dialect", ["gsm", "voicemodem"])
def test_open_line_factory_with_simulator(dialect: str) -> None:
    line = open_line(LineConfig(driver="sim", sim_dialect=dialect), ring_interval=0.2)  # type: ignore[arg-type]
    try:
        wait_for(line, Ready, 5)
        sim = line.simulator  # type: ignore[attr-defined]
        assert sim is not None and sim.dialect == dialect
        sim.place_call(ScriptedCaller(hangup_after_rings=1))
        wait_for(line, Ringing, 5)
    finally:
        line.close()
    assert sim._closed


def test_permanence_simulate_cli(tmp_path: Path) -> None:
    import argparse

    parser = argparse.ArgumentParser()
    register(parser.add_subparsers())
    args = parser.parse_args(["simulate", "--dialect", "gsm", "--ring-interval", "0.2", "--voice", "tone",
                              "--dir", str(tmp_path / "sim")])
    out = io.StringIO()
    stdin_r, stdin_w = os.pipe()
    rf = os.fdopen(stdin_r, "r")
    t = threading.Thread(target=run_simulate, args=(args, rf, out))
    t.start()
    try:
        assert wait_until(lambda: "type 'help'" in out.getvalue(), 5)
        port = next(x.split(" ", 1)[1] for x in out.getvalue().splitlines() if x.startswith("port "))
        assert port == str(tmp_path / "sim" / "modem")
        with AtChannel(port) as ch:
            assert ch.command("AT+CGMM").lines == ("SIMCOM_SIM7600E-H",)
            os.write(stdin_w, b"sms +33611111111 hello there\nbogus\n")
            assert wait_until(lambda: "unknown fault 'bogus'" in out.getvalue(), 5)
    finally:
        os.write(stdin_w, b"quit\n")
        t.join(5)
        os.close(stdin_w)
        rf.close()
    text = out.getvalue()
    assert "audio " in text and "sms " in text and "stored at index 1" in text and "unknown fault 'bogus'" in text
    assert not t.is_alive()


@pytest.mark.parametrize(("driver", "model"), [("gsm", "sim7600"), ("voicemodem", "cx93010")])
def test_open_line_on_configured_ports_with_capture(driver: str, model: str) -> None:
    with Simulator(driver, model=model, ring_interval=0.2) as sim:  # type: ignore[arg-type]
        cfg = LineConfig(driver=driver, port=sim.port, audio_port=sim.audio_port or "",  # type: ignore[arg-type]
                         model=model, command_timeout=2.0)  # type: ignore[arg-type]
        captured: list[tuple[str, bytes]] = []
        line = open_line(cfg, capture=lambda d, b: captured.append((d, b)))
        try:
            wait_for(line, Ready, 5)
            st = line.status()
            assert st.driver == driver and st.state == "ready"
            assert ("tx", b"AT\r") in captured and ("rx", b"OK") in captured
        finally:
            line.close()
