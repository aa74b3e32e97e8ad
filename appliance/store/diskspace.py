"""Disk space, managed: a reserve kept for the call log and the alert outbox.

The reserve is the smaller of ``storage.reserve_mb`` and ``storage.reserve_percent``
of the file system (50 MB or 5 %: 50 MB on an SD card, 100 kB on a 2 MB test disk).
What grows without bound — call recordings, modem captures, the prompt cache —
asks :meth:`DiskSpace.may_grow` before it writes; when the write would eat into
the reserve, room is made first (the oldest capture files, then the oldest alerts
already delivered — their outcome is in the call record —, then, when
``storage.retention_days`` allows recordings to expire, the oldest recordings),
and if that is not enough the write is refused: the recording stops (the call
record says so), the capture line is dropped, the prompt is kept in memory only.
The call log and the outbox never ask: they may use the reserve, so calls are
still logged and alerts still queued when the rest is full; the service calls
:meth:`DiskSpace.keep_reserve` every few seconds to win the reserve back.

:meth:`DiskSpace.problem` says "disk nearly full" below twice the reserve (the
health page, the fault LED, ``permanence doctor`` and the MQTT health topic show it).

>>> import tempfile
>>> d = DiskSpace(tempfile.mkdtemp(), reserve_mb=50, reserve_percent=5, usage=lambda p: (2_000_000, 150_000))
>>> d.reserve_bytes, d.may_grow(10_000), d.may_grow(100_000)
(100000, True, False)
>>> d.problem()
'disk nearly full: 0.1 MB free, 0.1 MB kept in reserve for the call log'
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import threading
import time
from collections.abc import Callable
from pathlib import Path

log = logging.getLogger(__name__)

Usage = Callable[[Path], tuple[int, int]]  # (total bytes, free bytes) of the file system holding the path


def _usage(path: Path) -> tuple[int, int]:
    du = shutil.disk_usage(path)
    return du.total, du.free


class DiskSpace:
    """Free space of the data directory's file system, its reserve, and pruning."""

    def __init__(self, data_dir: str | os.PathLike[str], *, reserve_mb: float = 50.0,
                 reserve_percent: float = 5.0, retention_days: int = 0, usage: Usage = _usage,
                 clock: Callable[[], float] = time.monotonic, cache_seconds: float = 1.0) -> None:
        self.data_dir = Path(data_dir)
        self.retention_days = retention_days
        self._usage = usage
        self._clock = clock
        self._cache_seconds = cache_seconds
        self._lock = threading.Lock()
        self._free: int | None = None
        self._at = 0.0
        self.refused = 0  # writes refused since start (recording stopped, capture line dropped...)
        self.pruned_bytes = 0
        total = self._measure()[0]
        self.reserve_bytes = int(min(reserve_mb * 1_000_000, total * reserve_percent / 100.0))

    def _measure(self) -> tuple[int, int]:
        try:
            return self._usage(self.data_dir)
        except OSError as exc:
            log.warning("cannot measure free space on %s: %s", self.data_dir, exc)
            return 0, 0

    def free(self) -> int:
        """Free bytes (measured at most once per ``cache_seconds``, less what was granted since)."""
        now = self._clock()
        with self._lock:
            if self._free is None or now - self._at >= self._cache_seconds:
                self._free = self._measure()[1]
                self._at = now
            return self._free

    def _granted(self, nbytes: int) -> None:
        with self._lock:
            if self._free is not None:
                self._free -= nbytes

    def may_grow(self, nbytes: int) -> bool:
        """True (and the bytes counted as used) when writing ``nbytes`` leaves the reserve untouched;
        makes room first if needed. False: do not write."""
        if self.free() - nbytes >= self.reserve_bytes:
            self._granted(nbytes)
            return True
        self.make_room(self.reserve_bytes + nbytes - self.free())
        with self._lock:
            self._free = None  # measure again after pruning
        if self.free() - nbytes >= self.reserve_bytes:
            self._granted(nbytes)
            return True
        with self._lock:
            self.refused += 1
        return False

    def problem(self) -> str | None:
        """``"disk nearly full: ..."`` below twice the reserve, else None."""
        free = self.free()
        if free >= 2 * self.reserve_bytes:
            return None
        return (f"disk nearly full: {free / 1e6:.1f} MB free, {self.reserve_bytes / 1e6:.1f} MB kept in "
                f"reserve for the call log")

    # ------------------------------------------------------------------ pruning
    def _oldest(self, pattern: str, directory: Path, keep_newest_per_parent: bool = False) -> list[Path]:
        if not directory.is_dir():
            return []
        files = []
        for p in directory.rglob(pattern):
            with contextlib.suppress(OSError):
                files.append((p.stat().st_mtime, p))
        files.sort()
        if keep_newest_per_parent:  # a capture writer's open file is its newest one
            newest: dict[str, Path] = {}
            for _, p in files:
                newest[p.name.split(".")[0]] = p
            return [p for _, p in files if p not in newest.values()]
        return [p for _, p in files]

    def _delete(self, paths: list[Path], needed: int, what: str) -> int:
        freed = 0
        for p in paths:
            if freed >= needed:
                break
            try:
                size = p.stat().st_size
                p.unlink()
            except OSError as exc:
                log.warning("cannot delete %s to make room: %s", p, exc)
                continue
            freed += size
            log.warning("disk nearly full: deleted the %s %s (%d kB)", what, p.name, size // 1000)
        return freed

    def make_room(self, needed: int) -> int:
        """Delete the oldest captures, then the oldest delivered alerts, then (when retention lets
        recordings expire) the oldest recordings, until ``needed`` bytes are freed; returns the bytes freed."""
        if needed <= 0:
            return 0
        freed = self._delete(self._oldest("*.jsonl", self.data_dir / "captures", True), needed, "capture")
        if freed < needed:
            freed += self._delete(self._oldest("*.json", self.data_dir / "outbox" / "archive"), needed - freed,
                                  "delivered alert")
        if freed < needed and self.retention_days > 0:
            freed += self._delete(self._oldest("*.wav", self.data_dir / "recordings"), needed - freed,
                                  "oldest recording")
        self.pruned_bytes += freed
        return freed

    def keep_reserve(self) -> int:
        """Below the reserve (the log and the outbox used it): make room again; returns the bytes freed."""
        with self._lock:
            self._free = None
        short = self.reserve_bytes - self.free()
        if short <= 0:
            return 0
        freed = self.make_room(short + self.reserve_bytes // 2)
        with self._lock:
            self._free = None
        return freed

    def expire_recordings(self, now: float | None = None) -> int:
        """Delete recordings older than ``retention_days`` (0 keeps them forever); returns how many."""
        if self.retention_days <= 0:
            return 0
        horizon = (time.time() if now is None else now) - self.retention_days * 86400
        n = 0
        for p in self._oldest("*.wav", self.data_dir / "recordings"):
            try:
                if p.stat().st_mtime >= horizon:
                    break
                p.unlink()
                n += 1
            except OSError as exc:
                log.warning("cannot delete the expired recording %s: %s", p, exc)
        if n:
            log.info("retention: %d recording(s) older than %d days deleted", n, self.retention_days)
        return n
