"""Default voices for scripted callers: espeak-ng rendered to 8 kHz, or plain tones.

The speech engineer's piper voice plugs in through the same signature:
``voice(text, lang) -> bytes`` (16-bit signed little-endian mono, 8 kHz).
"""

from __future__ import annotations

import io
import shutil
import subprocess
import wave

import numpy as np
import soxr

from ...errors import LineError

RATE = 8000


def espeak_voice(text: str, lang: str) -> bytes:
    """Render ``text`` with the espeak-ng command line, resampled to 8 kHz with soxr."""
    exe = shutil.which("espeak-ng")
    if exe is None:
        raise LineError("simulator voice: espeak-ng is not installed (apt-get install espeak-ng)")
    voice = {"fr": "fr", "en": "en-gb", "de": "de", "es": "es"}.get(lang[:2].lower(), lang or "en")
    try:
        out = subprocess.run([exe, "-v", voice, "--stdout", text], capture_output=True, timeout=30,
                             check=True).stdout
    except (subprocess.SubprocessError, OSError) as e:
        raise LineError(f"simulator voice: espeak-ng failed for {text[:40]!r}: {e}") from e
    with wave.open(io.BytesIO(out)) as w:
        rate = w.getframerate()
        data = np.frombuffer(w.readframes(w.getnframes()), dtype="<i2")
    if rate != RATE:
        data = soxr.resample(data.astype(np.float32) / 32768.0, rate, RATE)
        data = np.clip(np.round(data * 32767.0), -32768, 32767).astype("<i2")
    return data.astype("<i2").tobytes()


def tone_voice(text: str, lang: str) -> bytes:
    """A cheap stand-in for speech in timing tests: a warbling tone, 60 ms per character.

    It carries no words; use it only where the test is about timing and signalling."""
    n = max(1, len(text)) * 480
    t = np.arange(n) / RATE
    f = 300.0 + 150.0 * np.sin(2 * np.pi * 3.0 * t)
    pcm = 8000.0 * np.sin(2 * np.pi * np.cumsum(f) / RATE)
    return pcm.astype("<i2").tobytes()


def tone(freq: float, seconds: float, amplitude: int = 8000) -> bytes:
    t = np.arange(int(seconds * RATE)) / RATE
    return (amplitude * np.sin(2 * np.pi * freq * t)).astype("<i2").tobytes()
