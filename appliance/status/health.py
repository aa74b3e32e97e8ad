"""Standard health checks for the watchdog (and ``permanence doctor``).

Each factory returns a check: a callable taking no argument that returns None
when healthy or a one-line problem description. The service registers them
with :class:`appliance.status.sdnotify.Watchdog`::

    checks = standard_checks(cfg.data_path, last_polls=service.last_polls)
    watchdog = Watchdog(checks)

>>> import tempfile
>>> log_writable(tempfile.mkdtemp())() is None
True
"""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Callable, Mapping
from pathlib import Path

from .sdnotify import HealthCheck

PROBE_NAME = ".health-probe"
DEFAULT_MIN_FREE_BYTES = 200 * 1024 * 1024
DEFAULT_MAX_POLL_AGE = 30.0


def log_writable(data_dir: str | os.PathLike[str]) -> HealthCheck:
    """The call log's directory accepts a write + fsync (probe file, then removed)."""
    directory = Path(data_dir)

    def call_log_writable() -> str | None:
        probe = directory / PROBE_NAME
        try:
            fd = os.open(probe, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            try:
                os.write(fd, str(time.time()).encode())
                os.fsync(fd)
            finally:
                os.close(fd)
            probe.unlink()
        except OSError as exc:
            return f"call log directory {str(directory)!r} is not writable: {exc.strerror or exc}"
        return None

    return call_log_writable


def lines_polled(
    last_polls: Callable[[], Mapping[str, float]],
    *,
    max_age: float = DEFAULT_MAX_POLL_AGE,
    clock: Callable[[], float] = time.monotonic,
) -> HealthCheck:
    """Every line's driver loop ran within ``max_age`` seconds.

    ``last_polls`` (given by the service) returns ``{line name: clock() of the
    last successful poll}``; a line missing from it has never been polled.
    """

    def lines_polled_recently() -> str | None:
        polls = last_polls()
        if not polls:
            return "no line has been polled yet"
        now = clock()
        stale = [f"{name} ({now - t:.0f} s ago)" for name, t in sorted(polls.items()) if now - t > max_age]
        if stale:
            return f"lines not polled for more than {max_age:.0f} s: {', '.join(stale)}"
        return None

    return lines_polled_recently


def disk_free(path: str | os.PathLike[str], *, min_bytes: int = DEFAULT_MIN_FREE_BYTES) -> HealthCheck:
    """The file system holding ``path`` has at least ``min_bytes`` free."""
    p = Path(path)

    def disk_space() -> str | None:
        try:
            free = shutil.disk_usage(p).free
        except OSError as exc:
            return f"cannot measure free space on {str(p)!r}: {exc.strerror or exc}"
        if free < min_bytes:
            return (f"only {free / 1e6:.0f} MB free on {str(p)!r} (need {min_bytes / 1e6:.0f} MB): "
                    f"delete old recordings or set storage.retention_days")
        return None

    return disk_space


def standard_checks(
    data_dir: str | os.PathLike[str],
    *,
    last_polls: Callable[[], Mapping[str, float]],
    max_poll_age: float = DEFAULT_MAX_POLL_AGE,
    min_free_bytes: int = DEFAULT_MIN_FREE_BYTES,
) -> list[HealthCheck]:
    """The checks the service registers: log writable, lines polled, disk free."""
    return [
        log_writable(data_dir),
        lines_polled(last_polls, max_age=max_poll_age),
        disk_free(data_dir, min_bytes=min_free_bytes),
    ]
