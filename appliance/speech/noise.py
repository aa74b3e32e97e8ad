"""Background noise for simulated callers: street, workshop, car — synthesised, reproducible.

No recording is downloaded: each noise is built from filtered random noise and simple
events, from a seed, at 8 kHz, so a benchmark or a test hears exactly the same noise every
run. :func:`noisy` mixes a caller's speech with one at a chosen signal-to-noise ratio (speech
power measured over its active part, as ITU-T P.56 does roughly).

* ``street`` — traffic rumble (brown noise), cars passing (band noise swelling and fading over
  a few seconds), a horn now and then;
* ``workshop`` — a machine's hum (100 Hz and harmonics), broadband pink noise, hammer impacts
  (short decaying bursts) and a grinder's whine coming and going;
* ``car`` — engine and road noise inside a car: strong low-frequency noise, engine harmonics
  around 30-40 Hz and their multiples, and little above 1 kHz.

>>> n = background("car", 1.0, seed=3)
>>> len(n) == 2 * 8000 and background("car", 1.0, seed=3) == n
True
"""

from __future__ import annotations

import numpy as np

from ..errors import SpeechError
from .audio import SAMPLE_RATE, check_pcm16

NOISES = ("street", "workshop", "car")
SR = SAMPLE_RATE


def _coloured(rng: np.random.Generator, n: int, exponent: float) -> np.ndarray:
    """Noise whose power falls as 1/f**exponent (0 white, 1 pink, 2 brown), unit RMS."""
    spec = np.fft.rfft(rng.standard_normal(n))
    f = np.fft.rfftfreq(n, 1 / SR)
    f[0] = f[1]
    spec /= f ** (exponent / 2)
    x = np.fft.irfft(spec, n)
    return x / (np.sqrt(np.mean(x * x)) + 1e-12)


def _band(rng: np.random.Generator, n: int, lo: float, hi: float) -> np.ndarray:
    spec = np.fft.rfft(rng.standard_normal(n))
    f = np.fft.rfftfreq(n, 1 / SR)
    spec[(f < lo) | (f > hi)] = 0
    x = np.fft.irfft(spec, n)
    return x / (np.sqrt(np.mean(x * x)) + 1e-12)


def _street(rng: np.random.Generator, n: int) -> np.ndarray:
    t = np.arange(n) / SR
    x = _coloured(rng, n, 2.0)
    for _ in range(max(1, int(n / SR / 4))):  # a car every ~4 s
        centre, width = rng.uniform(0, n / SR), rng.uniform(1.0, 3.0)
        swell = np.exp(-((t - centre) / width) ** 2)
        x += 2.0 * swell * _band(rng, n, 80, 1500)
    for _ in range(int(n / SR / 10)):  # a horn every ~10 s
        start = int(rng.uniform(0, max(1, n - SR // 2)))
        k = np.arange(min(int(0.4 * SR), n - start))
        f0 = rng.uniform(380, 480)
        horn = sum(np.sin(2 * np.pi * f0 * h * k / SR) / h for h in (1, 2, 3))
        x[start : start + len(k)] += 1.5 * horn
    return x


def _workshop(rng: np.random.Generator, n: int) -> np.ndarray:
    t = np.arange(n) / SR
    x = 0.8 * _coloured(rng, n, 1.0)
    x += sum(0.6 / h * np.sin(2 * np.pi * 100 * h * t) for h in (1, 2, 3, 4))
    for _ in range(int(n / SR * 1.5)):  # hammer blows
        start = int(rng.uniform(0, n))
        k = np.arange(min(int(0.15 * SR), n - start))
        x[start : start + len(k)] += 4.0 * np.exp(-k / (0.02 * SR)) * rng.standard_normal(len(k))
    grinder = np.sin(2 * np.pi * (2400 * t + 200 * np.sin(2 * np.pi * 0.3 * t)))
    x += 0.8 * grinder * (np.sin(2 * np.pi * 0.1 * t + rng.uniform(0, 6)) > 0.3)
    return x


def _car(rng: np.random.Generator, n: int) -> np.ndarray:
    t = np.arange(n) / SR
    x = 1.5 * _coloured(rng, n, 2.0) + 0.3 * _band(rng, n, 100, 900)
    rpm = 35 + 3 * np.sin(2 * np.pi * 0.05 * t)
    phase = 2 * np.pi * np.cumsum(rpm) / SR
    x += sum(0.8 / h * np.sin(h * phase) for h in (1, 2, 3, 4, 6))
    return x


def background(kind: str, seconds: float, *, seed: int = 0, dbfs: float = -30.0) -> bytes:
    """``seconds`` of the noise ``kind`` at an RMS level of ``dbfs``, 16-bit 8 kHz PCM."""
    if kind not in NOISES:
        raise SpeechError(f"unknown background noise {kind!r} (known: {', '.join(NOISES)})")
    if not 0.02 <= seconds <= 3600:
        raise SpeechError(f"background noise: expected 0.02 to 3600 seconds, got {seconds!r}")
    n = int(seconds * SR)
    rng = np.random.default_rng([seed, NOISES.index(kind)])
    x = {"street": _street, "workshop": _workshop, "car": _car}[kind](rng, n)
    x = x / (np.sqrt(np.mean(x * x)) + 1e-12) * 10 ** (dbfs / 20) * 32767
    return np.clip(x, -32768, 32767).astype("<i2").tobytes()


def speech_power_db(pcm: bytes) -> float:
    """Power of the active part of ``pcm`` (its 20 ms frames within 30 dB of the loudest), dBFS."""
    x = np.frombuffer(check_pcm16(pcm), "<i2").astype(np.float64) / 32768
    n = len(x) // 160
    if n == 0:
        return -120.0
    p = np.mean(x[: n * 160].reshape(n, 160) ** 2, axis=1)
    active = p[p >= p.max() * 1e-3]
    return float(10 * np.log10(np.mean(active) + 1e-12))


def noisy(speech: bytes, kind: str, snr_db: float, *, seed: int = 0) -> bytes:
    """``speech`` with the background ``kind`` added at ``snr_db`` (same length)."""
    level = speech_power_db(speech) - snr_db
    x = np.frombuffer(check_pcm16(speech), "<i2").astype(np.float64)
    bg = np.frombuffer(background(kind, len(x) / SR, seed=seed, dbfs=level), "<i2").astype(np.float64)
    return np.clip(x + bg[: len(x)], -32768, 32767).astype("<i2").tobytes()
