"""Audio formats: modem sample formats <-> 16-bit 8 kHz frames, and resampling.

Everything above the line drivers is 16-bit signed little-endian mono PCM at
8 kHz in 20 ms frames (320 bytes), see :mod:`appliance.telephony.line`. This
module converts the modems' own formats to and from that, re-chunks streams
into frames and resamples with soxr (a real anti-alias filter).

What other engineers call:

* line drivers: ``to_pcm16(data, fmt)`` / ``from_pcm16(pcm, fmt)`` with
  ``fmt`` one of ``"s16le"``, ``"u8"`` (unsigned 8-bit linear, the voice
  modems' ``AT+VSM=1``), ``"ulaw"``, ``"alaw"`` (G.711, implemented here with
  numpy tables), and :class:`FrameAssembler` to cut arbitrary reads into
  320-byte frames;
* speech code: :func:`resample` (one shot) and :class:`StreamResampler`
  (chunk by chunk, no clicks at chunk borders).

Garbage policy: malformed input (not bytes, an odd number of bytes for 16-bit
audio, an unknown format, an impossible rate) raises
:class:`~appliance.errors.AudioFormatError` naming what was wrong; nothing
here crashes with a numpy error.

>>> pcm = to_pcm16(bytes([0xFF, 0x7F, 0x00]), "ulaw")
>>> len(pcm)
6
>>> from_pcm16(pcm, "ulaw")[0]
255
>>> len(resample(b"\\x00\\x00" * 8000, 8000, 16000))
32000
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from typing import Literal

import numpy as np
import soxr

from ..errors import AudioFormatError

__all__ = [
    "FORMATS",
    "FRAME_BYTES",
    "FRAME_SAMPLES",
    "SAMPLE_RATE",
    "AudioFormat",
    "FrameAssembler",
    "StreamResampler",
    "alaw_decode",
    "alaw_encode",
    "check_pcm16",
    "frames",
    "from_pcm16",
    "pcm16_to_float",
    "resample",
    "rms_dbfs",
    "to_pcm16",
    "ulaw_decode",
    "ulaw_encode",
]

# Same values as appliance.telephony.line (not imported from there: the drivers import this module).
SAMPLE_RATE = 8000
FRAME_MS = 20
FRAME_SAMPLES = SAMPLE_RATE * FRAME_MS // 1000
FRAME_BYTES = FRAME_SAMPLES * 2

AudioFormat = Literal["s16le", "u8", "ulaw", "alaw"]
FORMATS: tuple[str, ...] = ("s16le", "u8", "ulaw", "alaw")
_MAX_RATE = 192_000

# --------------------------------------------------------------------------- validation


def check_pcm16(pcm: object, what: str = "audio") -> bytes:
    """Return ``pcm`` as bytes if it is valid 16-bit PCM, else AudioFormatError."""
    if isinstance(pcm, bytearray | memoryview):
        pcm = bytes(pcm)
    if not isinstance(pcm, bytes):
        raise AudioFormatError(f"{what}: expected bytes of 16-bit PCM, got {type(pcm).__name__}")
    if len(pcm) % 2:
        raise AudioFormatError(
            f"{what}: {len(pcm)} bytes is an odd count, not 16-bit PCM "
            f"(a driver lost a byte: re-synchronise the audio stream)")
    return pcm


def _check_bytes(data: object, what: str) -> bytes:
    if isinstance(data, bytearray | memoryview):
        data = bytes(data)
    if not isinstance(data, bytes):
        raise AudioFormatError(f"{what}: expected bytes, got {type(data).__name__}")
    return data


def _check_rate(rate: object, what: str) -> int:
    if isinstance(rate, bool) or not isinstance(rate, int) or not 1000 <= rate <= _MAX_RATE:
        raise AudioFormatError(f"{what}: expected a sample rate in Hz from 1000 to {_MAX_RATE}, got {rate!r}")
    return rate


def _samples(pcm: bytes) -> np.ndarray:
    return np.frombuffer(pcm, dtype="<i2")


# --------------------------------------------------------------------------- G.711


@functools.cache
def _ulaw_tables() -> tuple[np.ndarray, np.ndarray]:
    """(decode[256] -> int16, encode[65536] indexed by uint16 view -> uint8)."""
    codes = np.arange(256, dtype=np.int32)
    u = ~codes & 0xFF
    sign = u & 0x80
    exp = (u >> 4) & 0x07
    mant = u & 0x0F
    mag = (((mant << 3) + 0x84) << exp) - 0x84
    dec = np.where(sign != 0, -mag, mag).astype(np.int16)

    # ITU-T G.711 / Sun g711.c: 14-bit magnitude, bias 33, 8 segments.
    x = np.arange(-32768, 32768, dtype=np.int32)
    v = x >> 2
    mask = np.where(v < 0, 0x7F, 0xFF)
    v = np.minimum(np.abs(v), 8159) + 33
    seg_end = np.array([0x3F, 0x7F, 0xFF, 0x1FF, 0x3FF, 0x7FF, 0xFFF, 0x1FFF])
    seg = np.searchsorted(seg_end, v, side="left")
    seg_c = np.minimum(seg, 7)
    byte = np.where(seg >= 8, 0x7F ^ mask, ((seg_c << 4) | ((v >> (seg_c + 1)) & 0x0F)) ^ mask)
    enc = np.empty(65536, dtype=np.uint8)
    enc[x.astype(np.int16).view(np.uint16)] = byte.astype(np.uint8)
    return dec, enc


@functools.cache
def _alaw_tables() -> tuple[np.ndarray, np.ndarray]:
    codes = np.arange(256, dtype=np.int32)
    a = codes ^ 0x55
    t = (a & 0x0F) << 4
    seg = (a & 0x70) >> 4
    t = np.where(seg == 0, t + 8, t + 0x108)
    t = np.where(seg > 1, t << np.maximum(seg - 1, 0), t)
    dec = np.where(a & 0x80, t, -t).astype(np.int16)

    x = np.arange(-32768, 32768, dtype=np.int32)
    v = x >> 3
    pos = v >= 0
    mask = np.where(pos, 0xD5, 0x55)
    v = np.where(pos, v, -v - 1)
    seg_end = np.array([0x1F, 0x3F, 0x7F, 0xFF, 0x1FF, 0x3FF, 0x7FF, 0xFFF])
    seg2 = np.searchsorted(seg_end, v, side="left")
    seg_c = np.minimum(seg2, 7)
    aval = (seg_c << 4) | np.where(seg_c < 2, (v >> 1) & 0x0F, (v >> seg_c) & 0x0F)
    byte = np.where(seg2 >= 8, 0x7F ^ mask, aval ^ mask) & 0xFF
    enc = np.empty(65536, dtype=np.uint8)
    enc[x.astype(np.int16).view(np.uint16)] = byte.astype(np.uint8)
    return dec, enc


def ulaw_decode(data: bytes) -> bytes:
    """G.711 mu-law bytes -> 16-bit PCM."""
    dec, _ = _ulaw_tables()
    return dec[np.frombuffer(_check_bytes(data, "mu-law audio"), dtype=np.uint8)].astype("<i2").tobytes()


def ulaw_encode(pcm: bytes) -> bytes:
    """16-bit PCM -> G.711 mu-law bytes."""
    _, enc = _ulaw_tables()
    return enc[_samples(check_pcm16(pcm)).view(np.uint16)].tobytes()


def alaw_decode(data: bytes) -> bytes:
    """G.711 A-law bytes -> 16-bit PCM."""
    dec, _ = _alaw_tables()
    return dec[np.frombuffer(_check_bytes(data, "A-law audio"), dtype=np.uint8)].astype("<i2").tobytes()


def alaw_encode(pcm: bytes) -> bytes:
    """16-bit PCM -> G.711 A-law bytes."""
    _, enc = _alaw_tables()
    return enc[_samples(check_pcm16(pcm)).view(np.uint16)].tobytes()


# --------------------------------------------------------------------------- format conversion


def to_pcm16(data: bytes, fmt: str) -> bytes:
    """Convert modem audio in ``fmt`` to 16-bit signed little-endian PCM (same rate)."""
    if fmt == "s16le":
        return check_pcm16(data, "s16le audio")
    if fmt == "u8":
        u = np.frombuffer(_check_bytes(data, "u8 audio"), dtype=np.uint8).astype(np.int16)
        return ((u - 128) << 8).astype("<i2").tobytes()
    if fmt == "ulaw":
        return ulaw_decode(data)
    if fmt == "alaw":
        return alaw_decode(data)
    raise AudioFormatError(f"unknown audio format {fmt!r}: expected one of {', '.join(FORMATS)}")


def from_pcm16(pcm: bytes, fmt: str) -> bytes:
    """Convert 16-bit PCM to the modem format ``fmt`` (same rate)."""
    if fmt == "s16le":
        return check_pcm16(pcm)
    if fmt == "u8":
        s = _samples(check_pcm16(pcm)).astype(np.int32)
        return ((s >> 8) + 128).astype(np.uint8).tobytes()
    if fmt == "ulaw":
        return ulaw_encode(pcm)
    if fmt == "alaw":
        return alaw_encode(pcm)
    raise AudioFormatError(f"unknown audio format {fmt!r}: expected one of {', '.join(FORMATS)}")


# --------------------------------------------------------------------------- frames


def frames(pcm: bytes, *, pad: bool = True) -> Iterator[bytes]:
    """Cut 16-bit PCM into 320-byte frames; the last one is zero-padded (or dropped)."""
    pcm = check_pcm16(pcm)
    for i in range(0, len(pcm), FRAME_BYTES):
        chunk = pcm[i : i + FRAME_BYTES]
        if len(chunk) < FRAME_BYTES:
            if not pad:
                return
            chunk = chunk + b"\x00" * (FRAME_BYTES - len(chunk))
        yield chunk


class FrameAssembler:
    """Re-chunk a byte stream of arbitrary read sizes into 20 ms frames.

    Odd byte counts are fine here (a read may split a sample); the carry is kept
    for the next :meth:`push`.
    """

    def __init__(self, frame_bytes: int = FRAME_BYTES) -> None:
        if frame_bytes <= 0 or frame_bytes % 2:
            raise AudioFormatError(f"frame size must be a positive even byte count, got {frame_bytes}")
        self._frame = frame_bytes
        self._buf = bytearray()

    def push(self, data: bytes) -> list[bytes]:
        self._buf += _check_bytes(data, "audio stream")
        n = len(self._buf) // self._frame * self._frame
        out = [bytes(self._buf[i : i + self._frame]) for i in range(0, n, self._frame)]
        del self._buf[:n]
        return out

    @property
    def pending(self) -> int:
        return len(self._buf)

    def flush(self) -> bytes | None:
        """The last partial frame zero-padded, or None if nothing is pending."""
        if not self._buf:
            return None
        data = bytes(self._buf[: len(self._buf) // 2 * 2])
        self._buf.clear()
        return data + b"\x00" * (self._frame - len(data))


# --------------------------------------------------------------------------- resampling


def pcm16_to_float(pcm: bytes) -> np.ndarray:
    """16-bit PCM -> float32 in [-1, 1)."""
    return _samples(check_pcm16(pcm)).astype(np.float32) / 32768.0


def resample(pcm: bytes, src_rate: int, dst_rate: int) -> bytes:
    """Resample 16-bit mono PCM with soxr's HQ filter (anti-aliased)."""
    pcm = check_pcm16(pcm)
    _check_rate(src_rate, "source rate")
    _check_rate(dst_rate, "destination rate")
    if src_rate == dst_rate or not pcm:
        return pcm
    out = soxr.resample(_samples(pcm), src_rate, dst_rate, quality="HQ")
    return np.asarray(out, dtype="<i2").tobytes()


class StreamResampler:
    """Chunk-by-chunk resampling with filter state kept between chunks.

    >>> r = StreamResampler(22050, 8000)
    >>> n = sum(len(r.process(b"\\x00\\x00" * 2205)) for _ in range(10)) + len(r.flush())
    >>> abs(n - 16000) <= 4
    True
    """

    def __init__(self, src_rate: int, dst_rate: int) -> None:
        self.src_rate = _check_rate(src_rate, "source rate")
        self.dst_rate = _check_rate(dst_rate, "destination rate")
        self._stream: soxr.ResampleStream | None = (
            soxr.ResampleStream(src_rate, dst_rate, 1, dtype="int16", quality="HQ")
            if src_rate != dst_rate else None)
        self._closed = False

    def process(self, pcm: bytes) -> bytes:
        pcm = check_pcm16(pcm)
        if self._closed:
            raise AudioFormatError("resampler already flushed: create a new one for a new stream")
        if self._stream is None:
            return pcm
        out = self._stream.resample_chunk(_samples(pcm).copy())
        return np.asarray(out, dtype="<i2").tobytes()

    def flush(self) -> bytes:
        """The filter's tail; the resampler cannot be used afterwards."""
        if self._closed:
            return b""
        self._closed = True
        if self._stream is None:
            return b""
        out = self._stream.resample_chunk(np.zeros(0, dtype=np.int16), last=True)
        return np.asarray(out, dtype="<i2").tobytes()


def rms_dbfs(pcm: bytes) -> float:
    """RMS level of 16-bit PCM in dB relative to full scale (-120 for silence)."""
    x = pcm16_to_float(pcm)
    if x.size == 0:
        return -120.0
    ms = float(np.mean(x.astype(np.float64) ** 2))
    return max(-120.0, 10.0 * float(np.log10(ms + 1e-12)))
