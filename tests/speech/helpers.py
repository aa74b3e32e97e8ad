"""Signals for speech tests: silence, line noise, hum, mixing, onset/offset of speech."""

from __future__ import annotations

import numpy as np

SR = 8000


def silence(seconds: float) -> bytes:
    return b"\x00\x00" * int(seconds * SR)


def line_noise(seconds: float, dbfs: float = -50.0, seed: int = 7) -> bytes:
    """White noise at a telephone idle-channel level."""
    rng = np.random.default_rng(seed)
    x = rng.standard_normal(int(seconds * SR)) * (10 ** (dbfs / 20)) * 32767
    return np.clip(x, -32768, 32767).astype("<i2").tobytes()


def hum(seconds: float, dbfs: float = -20.0) -> bytes:
    t = np.arange(int(seconds * SR)) / SR
    x = np.sin(2 * np.pi * 50 * t) * (10 ** (dbfs / 20)) * np.sqrt(2) * 32767
    return x.astype("<i2").tobytes()


def mix(a: bytes, b: bytes) -> bytes:
    n = max(len(a), len(b)) // 2
    x = np.zeros(n, dtype=np.int32)
    x[: len(a) // 2] += np.frombuffer(a, "<i2")
    x[: len(b) // 2] += np.frombuffer(b, "<i2")
    return np.clip(x, -32768, 32767).astype("<i2").tobytes()


def onset(pcm: bytes, threshold_dbfs: float = -40.0) -> float:
    """Time of the first 5 ms block of ``pcm`` above the threshold (the true speech onset)."""
    x = np.frombuffer(pcm, "<i2").astype(np.float64) / 32768
    block = 40
    for i in range(0, len(x) - block, block):
        if 10 * np.log10(np.mean(x[i : i + block] ** 2) + 1e-12) > threshold_dbfs:
            return i / SR
    raise ValueError("no onset")


def offset(pcm: bytes, threshold_dbfs: float = -40.0) -> float:
    """End time of the last 5 ms block above the threshold."""
    x = np.frombuffer(pcm, "<i2").astype(np.float64) / 32768
    block = 40
    for i in range(len(x) - block, 0, -block):
        if 10 * np.log10(np.mean(x[i : i + block] ** 2) + 1e-12) > threshold_dbfs:
            return (i + block) / SR
    raise ValueError("no offset")


def on_line(speech: bytes, before: float, after: float, noise_db: float = -50.0, seed: int = 7) -> bytes:
    """Speech as it arrives on a line: continuous idle-channel noise, speech starting at ``before``."""
    total = before + len(speech) / 16000 + after
    return mix(line_noise(total, noise_db, seed=seed), silence(before) + speech)


def edit_distance(a: str, b: str) -> int:
    d = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        prev, d[0] = d[0], i
        for j in range(1, len(b) + 1):
            cur = min(d[j] + 1, d[j - 1] + 1, prev + (a[i - 1] != b[j - 1]))
            prev, d[j] = d[j], cur
    return d[len(b)]
