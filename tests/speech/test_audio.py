"""Audio formats, G.711, resampling, VAD and call recording (no models needed)."""

from __future__ import annotations

import wave

import numpy as np
import pytest

from appliance.errors import AudioFormatError, PermanenceError
from appliance.speech import audio
from appliance.speech.recording import CallRecorder
from appliance.speech.vad import VoiceActivityDetector

SR = 8000


def tone(freq: float, seconds: float, amp: float = 0.3, rate: int = SR) -> bytes:
    t = np.arange(int(seconds * rate)) / rate
    return (np.sin(2 * np.pi * freq * t) * amp * 32767).astype("<i2").tobytes()


# ---------------------------------------------------------------- G.711 reference points (ITU-T G.711 tables)

@pytest.mark.parametrize("sample,code", [
    (0, 0xFF), (-1, 0x7E), (32767, 0x80), (-32768, 0x00), (1000, 0xCE), (-1000, 0x4E),
])
def test_ulaw_encode_reference(sample: int, code: int) -> None:
    assert audio.ulaw_encode(np.array([sample], "<i2").tobytes()) == bytes([code])


@pytest.mark.parametrize("code,sample", [
    (0x00, -32124), (0x80, 32124), (0xFF, 0), (0x7F, 0), (0xCE, 988),
])
def test_ulaw_decode_reference(code: int, sample: int) -> None:
    assert np.frombuffer(audio.ulaw_decode(bytes([code])), "<i2")[0] == sample


@pytest.mark.parametrize("sample,code", [
    (0, 0xD5), (-1, 0x55), (32767, 0xAA), (-32768, 0x2A), (1000, 0xFA),
])
def test_alaw_encode_reference(sample: int, code: int) -> None:
    assert audio.alaw_encode(np.array([sample], "<i2").tobytes()) == bytes([code])


@pytest.mark.parametrize("code,sample", [(0xD5, 8), (0x55, -8), (0xAA, 32256), (0x2A, -32256)])
def test_alaw_decode_reference(code: int, sample: int) -> None:
    assert np.frombuffer(audio.alaw_decode(bytes([code])), "<i2")[0] == sample


@pytest.mark.parametrize("fmt", ["ulaw", "alaw"])
def test_g711_codes_round_trip(fmt: str) -> None:
    codes = bytes(range(256))
    back = audio.from_pcm16(audio.to_pcm16(codes, fmt), fmt)
    diff = [c for c, b in zip(codes, back) if c != b]
    # mu-law has two zeros (0x7F and 0xFF); every other code maps back to itself.
    assert diff == ([0x7F] if fmt == "ulaw" else [])


@pytest.mark.parametrize("fmt,max_rel", [("ulaw", 0.04), ("alaw", 0.04), ("u8", 0.03)])
def test_lossy_formats_keep_the_signal(fmt: str, max_rel: float) -> None:
    pcm = tone(440, 0.1)
    back = np.frombuffer(audio.to_pcm16(audio.from_pcm16(pcm, fmt), fmt), "<i2").astype(float)
    orig = np.frombuffer(pcm, "<i2").astype(float)
    assert len(back) == len(orig)
    assert np.sqrt(np.mean((back - orig) ** 2)) / np.sqrt(np.mean(orig**2)) < max_rel


def test_u8_is_unsigned_centered() -> None:
    assert audio.to_pcm16(bytes([128, 0, 255]), "u8") == np.array([0, -32768, 32512], "<i2").tobytes()
    assert audio.from_pcm16(np.array([0, -32768, 32767], "<i2").tobytes(), "u8") == bytes([128, 0, 255])


def test_s16le_is_identity() -> None:
    pcm = tone(300, 0.02)
    assert audio.to_pcm16(pcm, "s16le") == pcm == audio.from_pcm16(pcm, "s16le")


# ---------------------------------------------------------------- garbage policy

@pytest.mark.parametrize("call", [
    lambda: audio.to_pcm16(b"\x00\x01\x02", "s16le"),
    lambda: audio.from_pcm16(b"\x00", "ulaw"),
    lambda: audio.to_pcm16(b"\x00\x00", "mp3"),
    lambda: audio.from_pcm16(b"\x00\x00", "gsm"),
    lambda: audio.to_pcm16("text", "ulaw"),  # type: ignore[arg-type]
    lambda: audio.to_pcm16(None, "u8"),  # type: ignore[arg-type]
    lambda: audio.resample(b"\x00\x00\x00", 8000, 16000),
    lambda: audio.resample(b"\x00\x00", 0, 16000),
    lambda: audio.resample(b"\x00\x00", 8000, 10**7),
    lambda: audio.resample(b"\x00\x00", 8000.5, 16000),  # type: ignore[arg-type]
    lambda: list(audio.frames(b"\x00" * 321)),
    lambda: audio.StreamResampler(8000, 16000).process(b"\x01"),
    lambda: VoiceActivityDetector().feed(b"\x00" * 318),
    lambda: VoiceActivityDetector().feed(b"\x00" * 321),
    lambda: audio.FrameAssembler(3),
])
def test_garbage_audio_is_a_clear_error(call) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(AudioFormatError) as ei:
        call()
    assert isinstance(ei.value, PermanenceError)
    assert str(ei.value)


def test_frame_assembler_handles_odd_reads() -> None:
    fa = audio.FrameAssembler()
    data = tone(500, 0.1)  # 1600 bytes = 5 frames
    out: list[bytes] = []
    for i in range(0, len(data), 77):  # odd-sized reads split samples
        out += fa.push(data[i : i + 77])
    assert b"".join(out) == data[: len(out) * 320]
    assert len(out) == 5 and fa.pending == 0 and fa.flush() is None


def test_frames_pad_last() -> None:
    fr = list(audio.frames(b"\x01\x00" * 170))
    assert [len(f) for f in fr] == [320, 320]
    assert fr[1][20:] == b"\x00" * 300
    assert len(list(audio.frames(b"\x01\x00" * 170, pad=False))) == 1


# ---------------------------------------------------------------- resampling

def test_resample_length_and_antialias() -> None:
    # 3 kHz at 22 050 Hz survives to 8 kHz; 6 kHz (above the new Nyquist) must be filtered, not aliased.
    keep = audio.resample(tone(3000, 1.0, rate=22050), 22050, 8000)
    alias = audio.resample(tone(6000, 1.0, rate=22050), 22050, 8000)
    assert abs(len(keep) // 2 - 8000) <= 2
    assert audio.rms_dbfs(keep) > -15
    assert audio.rms_dbfs(alias[800:-800]) < -60


def test_stream_resampler_matches_one_shot() -> None:
    src = tone(1000, 1.0, rate=22050)
    r = audio.StreamResampler(22050, 8000)
    out = b"".join(r.process(src[i : i + 882]) for i in range(0, len(src), 882)) + r.flush()
    one = audio.resample(src, 22050, 8000)
    assert abs(len(out) - len(one)) <= 4
    a = np.frombuffer(out, "<i2")[400:7600].astype(float)
    b = np.frombuffer(one, "<i2")[400:7600].astype(float)
    assert np.max(np.abs(a - b)) < 200


# ---------------------------------------------------------------- VAD

def feed_all(vad: VoiceActivityDetector, pcm: bytes) -> list:  # type: ignore[type-arg]
    return [vad.feed(f) for f in audio.frames(pcm)]


def noise(seconds: float, dbfs: float, seed: int = 1) -> bytes:
    rng = np.random.default_rng(seed)
    x = rng.standard_normal(int(seconds * SR)) * (10 ** (dbfs / 20)) * 32767
    return np.clip(x, -32768, 32767).astype("<i2").tobytes()


@pytest.mark.parametrize("name,pcm", [
    ("digital silence", b"\x00\x00" * SR * 3),
    ("white noise -40 dBFS", noise(3, -40)),
    ("white noise -25 dBFS", noise(3, -25)),
    ("50 Hz hum -12 dBFS", tone(50, 3, amp=0.25)),
    ("hum + hiss", (np.frombuffer(tone(50, 3, amp=0.2), "<i2") // 2
                    + np.frombuffer(noise(3, -35), "<i2") // 2).astype("<i2").tobytes()),
])
def test_vad_ignores_line_noise(name: str, pcm: bytes) -> None:
    states = feed_all(VoiceActivityDetector(), pcm)
    assert not any(s.speaking for s in states), name


def test_vad_detects_a_burst_with_onset_and_end_times() -> None:
    # noise floor, then a 1 s modulated tone (speech-like), then noise
    burst = (np.frombuffer(tone(700, 1.0, amp=0.3), "<i2").astype(float)
             * (0.6 + 0.4 * np.sin(2 * np.pi * 4 * np.arange(SR) / SR))).astype("<i2").tobytes()
    pcm = noise(1.0, -45) + burst + noise(1.5, -45, seed=2)
    states = feed_all(VoiceActivityDetector(), pcm)
    starts = [s for s in states if s.event == "start"]
    ends = [s for s in states if s.event == "end"]
    assert len(starts) == 1 and len(ends) == 1
    assert abs(starts[0].speech_start - 1.0) <= 0.04
    assert starts[0].t - 1.0 <= 0.2  # decided within 200 ms of onset (barge-in budget)
    assert abs(ends[0].speech_end - 2.0) <= 0.04


def test_vad_needs_min_duration() -> None:
    click = tone(1000, 0.04, amp=0.5)
    states = feed_all(VoiceActivityDetector(), noise(0.5, -50) + click + noise(1, -50))
    assert not any(s.speaking for s in states)


# ---------------------------------------------------------------- recording

def test_call_recorder_two_channels(tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "rec" / "call.wav"
    caller = tone(400, 0.2)
    prompt = tone(800, 0.3)
    with CallRecorder(path) as rec:
        assert rec.partial_path.exists() and not path.exists()
        rec.box(prompt)
        for f in audio.frames(caller):
            rec.caller(f)
    assert path.exists() and not rec.partial_path.exists()
    with wave.open(str(path)) as w:
        assert (w.getnchannels(), w.getsampwidth(), w.getframerate()) == (2, 2, 8000)
        assert w.getnframes() == 2400  # 0.2 s caller + 0.1 s box tail
        st = np.frombuffer(w.readframes(2400), "<i2")
    assert st[0:3200:2].tobytes() == caller
    assert st[1::2].tobytes() == prompt
    assert rec.duration == pytest.approx(0.3)


def test_call_recorder_barge_in_drops_unplayed(tmp_path) -> None:  # type: ignore[no-untyped-def]
    rec = CallRecorder(tmp_path / "c.wav")
    rec.box(tone(800, 1.0))
    rec.caller(b"\x00" * 320)
    rec.box_stopped()
    rec.caller(b"\x00" * 320)
    rec.close()
    rec.close()  # idempotent
    with wave.open(str(tmp_path / "c.wav")) as w:
        assert w.getnframes() == 320
    with pytest.raises(AudioFormatError):
        CallRecorder(tmp_path / "d.wav").caller(b"\x00")


def test_frame_constants_match_the_line_interface() -> None:
    from appliance.telephony import line

    assert (audio.SAMPLE_RATE, audio.FRAME_BYTES, audio.FRAME_SAMPLES) == (
        line.SAMPLE_RATE, line.FRAME_BYTES, line.FRAME_SAMPLES)
