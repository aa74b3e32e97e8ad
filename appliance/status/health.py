"""The call log's directory accepts a write (``permanence doctor``).

A check is a callable taking no argument that returns None when healthy or a one-line
problem description (the shape :class:`appliance.status.sdnotify.Watchdog` runs). The
service's own check (its line handlers alive and polled) is ``Service.health_check``; the
disk's room is :class:`appliance.store.diskspace.DiskSpace`.

>>> import tempfile
>>> log_writable(tempfile.mkdtemp())() is None
True
"""

from __future__ import annotations

import os
import time
from pathlib import Path

from .sdnotify import HealthCheck

PROBE_NAME = ".health-probe"


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
