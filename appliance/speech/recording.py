"""Call recording: one stereo WAV per call, caller left, box right.

Format: RIFF WAV, 8000 Hz, 16-bit, 2 channels — channel 0 (left) is what the
caller's side sent, channel 1 (right) is what the box played. Two channels keep
both voices separable (for transcription or review) and play as a normal
conversation in any player. 32 kB per second: a 3-minute call is ~5.8 MB.

Timing: the caller's frames are the clock. :meth:`CallRecorder.caller` appends
one frame of caller audio and, beside it, the same length of the box's pending
playback (silence if none); :meth:`CallRecorder.box` queues what the box just
started playing; :meth:`CallRecorder.box_stopped` drops what was queued but not
yet played (barge-in). :meth:`CallRecorder.close` writes the queued box tail
against caller silence, fixes the header, fsyncs and renames
``<name>.partial`` to ``<name>`` so the call record only ever references a
complete file. After a crash the ``.partial`` file is still playable by most
tools (the header says 0 frames) and can be repaired with ``sox``.

What the call handler calls::

    with CallRecorder(data_dir / "recordings" / f"{call_id}.wav") as rec:
        rec.box(prompt_pcm)       # when line.play(prompt_pcm) is called
        rec.caller(frame)         # for each AudioFrame from the line
        rec.box_stopped()         # after line.stop_playing()
    rec.path, rec.duration        # store rec.path in the call record
"""

from __future__ import annotations

import logging
import os
import threading
import wave
from collections.abc import Callable
from pathlib import Path
from types import TracebackType

import numpy as np

from ..errors import StoreError
from ..store.atomic import fsync, fsync_dir
from .audio import SAMPLE_RATE, check_pcm16

log = logging.getLogger(__name__)


class CallRecorder:
    """Write one call's audio to a stereo WAV file; thread-safe."""

    def __init__(self, path: str | os.PathLike[str], *, sample_rate: int = SAMPLE_RATE,
                 may_grow: Callable[[int], bool] | None = None) -> None:
        self.path = Path(path)
        self.partial_path = self.path.with_name(self.path.name + ".partial")
        self.sample_rate = sample_rate
        self.may_grow = may_grow  # asked before each write (appliance.store.diskspace.DiskSpace.may_grow)
        self.stopped = ""  # why recording stopped before the end of the call ("" while it records)
        self._lock = threading.Lock()
        self._pending = bytearray()
        self._frames = 0
        self._closed = False
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._file = open(self.partial_path, "wb")  # closed in close()
            self._wav = wave.open(self._file, "wb")
            self._wav.setnchannels(2)
            self._wav.setsampwidth(2)
            self._wav.setframerate(sample_rate)
        except OSError as exc:
            raise StoreError(f"{self.partial_path}: cannot create the call recording: {exc}") from exc

    def _write(self, caller: bytes, box: bytes) -> None:
        if self.stopped:
            return
        if self.may_grow is not None and not self.may_grow(2 * len(caller)):
            self.stopped = "disk nearly full: recording stopped to keep room for the call log"
            return
        a = np.frombuffer(caller, dtype="<i2")
        b = np.frombuffer(box, dtype="<i2")
        st = np.empty(2 * len(a), dtype="<i2")
        st[0::2] = a
        st[1::2] = b
        try:
            self._wav.writeframesraw(st.tobytes())
        except OSError as exc:
            self.stopped = f"cannot write the call recording: {exc}"
            raise StoreError(f"{self.partial_path}: cannot write the call recording: {exc}") from exc
        self._frames += len(a)

    def caller(self, pcm: bytes) -> None:
        """Append caller audio (any even length) with the box's concurrent playback."""
        pcm = check_pcm16(pcm, "recorded caller audio")
        with self._lock:
            if self._closed:
                return
            n = len(pcm)
            box = bytes(self._pending[:n])
            del self._pending[:n]
            self._write(pcm, box + b"\x00" * (n - len(box)))

    def box(self, pcm: bytes) -> None:
        """Queue audio the box starts playing now (it plays out as caller frames arrive)."""
        pcm = check_pcm16(pcm, "recorded box audio")
        with self._lock:
            if not self._closed:
                self._pending += pcm

    def box_stopped(self) -> None:
        """The box stopped playing (barge-in): forget what was queued and not played."""
        with self._lock:
            self._pending.clear()

    @property
    def duration(self) -> float:
        """Seconds recorded so far (or in total once closed)."""
        return self._frames / self.sample_rate

    def close(self) -> None:
        with self._lock:
            if self._closed:
                return
            self._closed = True
            try:
                if self._pending and not self.stopped:
                    tail = bytes(self._pending)
                    self._pending.clear()
                    self._write(b"\x00" * len(tail), tail)
                self._wav.close()  # fixes the header sizes
                self._file.flush()
                fsync(self._file.fileno())
                self._file.close()
                os.replace(self.partial_path, self.path)
                fsync_dir(self.path.parent)
            except (OSError, StoreError) as exc:
                raise StoreError(f"{self.path}: cannot finish the call recording: {exc}") from exc

    def __enter__(self) -> CallRecorder:
        return self

    def __exit__(self, et: type[BaseException] | None, e: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()


def finish_partial(partial: Path) -> Path | None:
    """Make a recording cut off by a crash (``<name>.wav.partial``) a playable ``<name>.wav``:
    the header's sizes are fixed in place (no extra space needed) and the file renamed.

    Returns the WAV path, or None when the file was too short to hold audio (then deleted)."""
    target = partial.with_name(partial.name.removesuffix(".partial"))
    size = partial.stat().st_size
    if size <= 44:
        partial.unlink()
        return None
    data = (size - 44) // 4 * 4
    with open(partial, "r+b") as f:
        f.seek(4)
        f.write((36 + data).to_bytes(4, "little"))
        f.seek(40)
        f.write(data.to_bytes(4, "little"))
        f.truncate(44 + data)
        f.flush()
        fsync(f.fileno())
    os.replace(partial, target)
    fsync_dir(target.parent)
    return target


def finish_partials(recordings: Path, *, delete: bool = False) -> int:
    """At start: every recording a crash left as ``.wav.partial`` becomes a playable ``.wav``
    (or, ``delete=True`` when the disk is below its reserve, is deleted). Returns how many."""
    n = 0
    for partial in sorted(recordings.rglob("*.wav.partial")) if recordings.is_dir() else []:
        try:
            if delete:
                partial.unlink()
            else:
                finish_partial(partial)
            n += 1
        except OSError as exc:
            log.warning("%s: cannot finish the recording a crash cut off: %s", partial, exc)
    if n:
        log.warning("%d recording(s) cut off by the last stop %s", n, "deleted (disk nearly full)" if delete
                    else "finished")
    return n
