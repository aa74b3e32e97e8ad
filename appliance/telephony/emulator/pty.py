"""A pseudo-terminal with a stable path that can be unplugged and plugged back.

The driver opens :attr:`PtyPort.path`, a symlink in the simulator's directory
pointing at the current ``/dev/pts/N`` slave. Unplugging closes the master
(the driver's reads fail as on a USB unplug) and removes the symlink;
plugging back creates a new pty and points the same symlink at it — like a
udev rule giving a stable name to a re-enumerated device.
"""

from __future__ import annotations

import os
import select
import threading
import tty
from pathlib import Path


class PtyPort:
    """The modem end of a pty; thread-safe writes, reads with a timeout."""

    def __init__(self, link: Path) -> None:
        self.link = link
        self._master: int | None = None
        self._slave: int | None = None
        self._lock = threading.Lock()
        self.slave_name = ""

    @property
    def path(self) -> str:
        return str(self.link)

    @property
    def plugged(self) -> bool:
        return self._master is not None

    def plug(self) -> None:
        with self._lock:
            if self._master is not None:
                return
            master, slave = os.openpty()
            tty.setraw(master)
            tty.setraw(slave)
            self.slave_name = os.ttyname(slave)
            tmp = self.link.with_name(self.link.name + ".tmp")
            if tmp.is_symlink() or tmp.exists():
                tmp.unlink()
            os.symlink(self.slave_name, tmp)
            os.replace(tmp, self.link)
            self._master, self._slave = master, slave

    def unplug(self) -> None:
        with self._lock:
            master, slave = self._master, self._slave
            self._master = self._slave = None
            if self.link.is_symlink():
                self.link.unlink()
            for fd in (master, slave):
                if fd is not None:
                    try:
                        os.close(fd)
                    except OSError:
                        pass

    def read(self, timeout: float) -> bytes | None:
        """Up to 4 KiB, ``b""`` after ``timeout`` with nothing, None once unplugged."""
        fd = self._master
        if fd is None:
            return None
        try:
            r, _, _ = select.select([fd], [], [], timeout)
            if not r:
                return b""
            return os.read(fd, 4096)
        except (OSError, ValueError):
            return None if self._master is None else b""

    def write(self, data: bytes, timeout: float = 1.0) -> bool:
        """Write all of ``data``; False if the pty stayed full ``timeout`` s (nobody reads)."""
        fd = self._master
        if fd is None:
            return False
        view = memoryview(data)
        while view:
            try:
                _, w, _ = select.select([], [fd], [], timeout)
                if not w:
                    return False
                n = os.write(fd, view)
            except (OSError, ValueError):
                return False
            view = view[n:]
        return True

    def close(self) -> None:
        self.unplug()
