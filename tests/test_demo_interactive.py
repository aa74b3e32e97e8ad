"""`permanence demo --type` and `--mic` as a person uses them: typed turns through a real pty,
and a recorded WAV in place of the microphone, through the real dialog, qualifier and call log."""

from __future__ import annotations

import os
import pty
import select
import subprocess
import sys
import threading
import time
import wave
from pathlib import Path

import numpy as np
import pytest
from waiting import wait_until

from appliance.speech.voices import CallerVoices
from appliance.store.calllog import CallLogReader

ROOT = Path(__file__).resolve().parent.parent
ENV = {**os.environ, "PYTHONPATH": str(ROOT)}


class PtyProcess:
    """A command on a pseudo-terminal: what it prints is collected, lines are typed into it."""

    def __init__(self, *args: str) -> None:
        self.master, slave = pty.openpty()
        self.proc = subprocess.Popen([sys.executable, "-m", "appliance.cli", *args], stdin=slave, stdout=slave,
                                     stderr=slave, cwd=ROOT, env=ENV, close_fds=True)
        os.close(slave)
        self.output = ""
        self._lock = threading.Lock()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        while True:
            r, _, _ = select.select([self.master], [], [], 0.2)
            if not r:
                if self.proc.poll() is not None:
                    return
                continue
            try:
                data = os.read(self.master, 4096)
            except OSError:
                return
            if not data:
                return
            with self._lock:
                self.output += data.decode("utf-8", "replace")

    def text(self) -> str:
        with self._lock:
            return self.output

    def type(self, line: str) -> None:
        os.write(self.master, (line + "\n").encode())

    def box_lines(self) -> int:
        return self.text().count("box   :")

    def close(self) -> int:
        try:
            return self.proc.wait(60)
        finally:
            if self.proc.poll() is None:
                self.proc.kill()
            os.close(self.master)


def test_typed_turns_go_through_the_real_dialog_and_are_recorded_as_typed(tmp_path: Path) -> None:
    data = tmp_path / "data"
    p = PtyProcess("demo", "--type", "--lang", "en", "--web-port", "0", "--data", str(data),
                   "--caller-id", "+447700900222")
    said = ["the compressor has failed and the whole production line is stopped it is urgent",
            "this is fred keller from keller plastics", "yes that's right"]
    try:
        assert wait_until(lambda: "you are the caller" in p.text(), 120), p.text()
        for line in said:
            seen = p.box_lines()
            assert wait_until(lambda: p.box_lines() > seen, 120), p.text()  # noqa: B023 - called at once
            p.type(line)
        seen = p.box_lines()
        assert wait_until(lambda: p.box_lines() > seen, 120), p.text()
        p.type("/bye")
        assert wait_until(lambda: " ended: " in p.text(), 120), p.text()
    finally:
        rc = p.close()
    assert rc == 0, p.text()[-3000:]
    (rec,) = CallLogReader(data).calls()
    typed = [t for t in rec.turns if t["speaker"] == "caller"]
    assert [t["text"] for t in typed] == said
    assert all(t["kind"] == "typed" and t.get("confidence") is None and "alternatives" not in t for t in typed)
    assert not any(t["kind"] == "speech" for t in rec.turns)
    q = rec.qualification
    assert q is not None
    assert q.category == "breakdown" and q.urgent is True, q
    assert q.callback == "+447700900222"
    assert any(e["kind"] == "urgent" for e in rec.events)
    assert rec.hangup_by == "caller"
    # the box's answers were printed for the person typing
    assert "box   :" in p.text() and "URGENT" in p.text()


def test_typed_line_commands_and_end_of_input(tmp_path: Path) -> None:
    data = tmp_path / "data"
    p = PtyProcess("demo", "--type", "--lang", "fr", "--web-port", "0", "--data", str(data))
    try:
        assert wait_until(lambda: p.box_lines() >= 1, 120), p.text()
        p.type("/keys")  # no digits: said, nothing sent
        assert wait_until(lambda: "/keys needs digits" in p.text(), 30), p.text()
        os.write(p.master, b"\x04")  # Ctrl-D: end of input hangs up
        assert wait_until(lambda: " ended: " in p.text(), 120), p.text()
    finally:
        rc = p.close()
    assert rc == 0, p.text()[-3000:]
    (rec,) = CallLogReader(data).calls()
    assert rec.state == "answered" and rec.hangup_by == "caller"
    assert not [t for t in rec.turns if t["speaker"] == "caller" and t["kind"] in ("typed", "speech")]


def _wav(path: Path, pcm8k: bytes, rate: int) -> None:
    from appliance.speech.audio import resample

    with wave.open(str(path), "wb") as w:
        w.setnchannels(2)
        w.setsampwidth(2)
        w.setframerate(rate)
        mono = np.frombuffer(resample(pcm8k, 8000, rate), "<i2")
        w.writeframes(np.repeat(mono, 2).astype("<i2").tobytes())  # stereo: the left channel is used


def test_a_recorded_wav_in_place_of_the_microphone(tmp_path: Path) -> None:
    voices = CallerVoices()
    gap = b"\x00\x00" * 8000 * 2
    pcm = voices.speak("Hello, our boiler has broken down and there is water everywhere. It is urgent.", "en")
    pcm += gap + voices.speak("This is Anna Baker from Riverside Meats.", "en") + gap
    pcm += voices.speak("Yes, that's right.", "en") + gap * 3
    voices.close()
    wav = tmp_path / "me.wav"
    _wav(wav, pcm, 16000)  # as a 16 kHz microphone records it
    data = tmp_path / "data"
    r = subprocess.run([sys.executable, "-m", "appliance.cli", "demo", "--mic-wav", str(wav), "--lang", "en",
                        "--web-port", "0", "--data", str(data), "--caller-id", "+447700900333"],
                       capture_output=True, text=True, cwd=ROOT, env=ENV, timeout=600, stdin=subprocess.DEVNULL)
    assert r.returncode == 0, r.stdout[-2000:] + r.stderr[-2000:]
    assert "microphone at 16000 Hz, sent to the box at 8 kHz" in r.stdout
    (rec,) = CallLogReader(data).calls()
    heard = [t for t in rec.turns if t["speaker"] == "caller" and t["kind"] == "speech"]
    assert len(heard) >= 2, rec.turns
    said = " ".join(t["text"].lower() for t in heard)
    assert "boiler" in said and "water" in said, said
    assert all(t.get("confidence") is not None for t in heard)
    q = rec.qualification
    assert q is not None
    assert q.category == "breakdown" and q.urgent is True, q


def _said(seconds: float, seed: int = 1) -> bytes:
    """Speech-like sound: noise under a syllable-rate envelope (a steady tone would be taken for line noise)."""
    n = int(8000 * seconds)
    envelope = np.abs(np.sin(np.arange(n) * np.pi * 4 / 8000))
    return (envelope * np.random.default_rng(seed).normal(0, 4000, n)).astype("<i2").tobytes()


def _quiet(seconds: float) -> bytes:
    return bytes(int(8000 * seconds) * 2)


@pytest.mark.parametrize("pcm,seconds", [
    (_quiet(2) + _said(1) + _quiet(2) + _said(1.5) + _quiet(2), [1.4, 1.9]),
    (_said(1) + _quiet(0.5) + _said(1), [2.5]),  # a pause under a second is inside the turn
    (_said(1) + _quiet(1.5) + _said(1), [1.2, 1.2]),  # the recording starts and ends in speech
    (_quiet(3), []),
    (b"", []),
    (_quiet(1) + _said(0.04) + _quiet(1), []),  # a click is no turn
])
def test_a_recording_is_cut_into_turns_at_its_pauses(pcm: bytes, seconds: list[float]) -> None:
    from appliance.demo.audio_io import split_turns

    parts = split_turns(pcm)
    assert [round(len(p) / 16000, 1) for p in parts] == seconds
    assert all(p in pcm for p in parts)


@pytest.mark.parametrize("content,message", [
    (b"not a wav", "not a readable WAV"),
    (None, "not a readable WAV"),
])
def test_a_bad_wav_is_a_clear_error(tmp_path: Path, content: bytes | None, message: str) -> None:
    wav = tmp_path / "bad.wav"
    if content is not None:
        wav.write_bytes(content)
    start = time.monotonic()
    r = subprocess.run([sys.executable, "-m", "appliance.cli", "demo", "--mic-wav", str(wav), "--web-port", "0"],
                       capture_output=True, text=True, cwd=ROOT, env=ENV, timeout=120, stdin=subprocess.DEVNULL)
    assert r.returncode == 1 and message in r.stderr and r.stderr.count("\n") == 1, r.stderr
    assert time.monotonic() - start < 60


def test_no_microphone_is_a_clear_message(tmp_path: Path) -> None:
    from appliance.demo.audio_io import MicrophoneSource, NoAudioDevice

    try:
        import sounddevice

        devices = sounddevice.query_devices()
    except OSError:
        devices = []
    if any(d["max_input_channels"] > 0 for d in devices):
        src = MicrophoneSource()  # a machine with a microphone: it opens, at 16 kHz if it can
        assert src.rate > 0
        src.close()
        return
    with pytest.raises(NoAudioDevice, match=r"no microphone found.*permanence demo --type"):
        MicrophoneSource()
    r = subprocess.run([sys.executable, "-m", "appliance.cli", "demo", "--mic", "--web-port", "0"],
                       capture_output=True, text=True, cwd=ROOT, env=ENV, timeout=120, stdin=subprocess.DEVNULL)
    assert r.returncode == 1 and "no microphone found" in r.stderr and r.stderr.count("\n") == 1, r.stderr
