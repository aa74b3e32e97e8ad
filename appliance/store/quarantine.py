"""Unreadable files are moved aside, never deleted, and never stop the box.

A day file, an index, an aggregate, an outbox entry or an escalation that cannot
be parsed (garbage, cut short, or JSON of the wrong shape) is moved to
``<data_dir>/quarantine/`` under a name that says where it came from, with a log
line; :attr:`Quarantine.moved` lists what was moved for the health page. A person
can look at it, repair it and put it back; the service goes on without it.

>>> import tempfile, pathlib
>>> root = pathlib.Path(tempfile.mkdtemp())
>>> (root / "outbox").mkdir()
>>> bad = root / "outbox" / "x.json"
>>> _ = bad.write_text("{not json")
>>> q = Quarantine(root)
>>> q.move(bad, "corrupt JSON").name.startswith("outbox__x.json.")
True
>>> bad.exists(), len(q.moved)
(False, 1)
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import os
import shutil
import threading
from pathlib import Path

from .atomic import fsync_dir

log = logging.getLogger(__name__)


@dataclasses.dataclass(frozen=True)
class Quarantined:
    source: str  # where the file was, relative to the data directory
    moved_to: str  # its name under quarantine/
    reason: str
    at: str


class Quarantine:
    """Moves unreadable files of one data directory into its ``quarantine/`` folder."""

    def __init__(self, data_dir: str | os.PathLike[str]) -> None:
        self.data_dir = Path(data_dir)
        self.dir = self.data_dir / "quarantine"
        self._lock = threading.Lock()
        self.moved: list[Quarantined] = []

    def _name(self, path: Path) -> str:
        try:
            rel = path.resolve().relative_to(self.data_dir.resolve())
        except ValueError:
            rel = Path(path.name)
        stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S%fZ")
        return "__".join(rel.parts) + "." + stamp

    def move(self, path: Path, reason: str, *, copy: bool = False) -> Path:
        """Move (or, ``copy=True``, copy) ``path`` into quarantine; returns its new path.

        Never raises: a file that cannot be moved is left where it is (and said so)."""
        target = self.dir / self._name(path)
        with self._lock:
            try:
                self.dir.mkdir(parents=True, exist_ok=True)
                if copy:
                    shutil.copy2(path, target)
                else:
                    os.replace(path, target)
                    fsync_dir(path.parent)
                fsync_dir(self.dir)
            except OSError as exc:
                log.error("%s is unreadable (%s) and could not be moved to %s: %s", path, reason, self.dir, exc)
                target = path
            else:
                log.error("%s is unreadable (%s): %s to %s; the service goes on without it", path, reason,
                          "copied" if copy else "moved", target)
            self.moved.append(Quarantined(source=str(path), moved_to=target.name, reason=reason,
                                          at=dt.datetime.now(dt.UTC).isoformat(timespec="seconds")))
        return target

    def problems(self) -> list[str]:
        """One line per file moved since start (for the health page and the watchdog's status)."""
        with self._lock:
            return [f"{q.source}: {q.reason} (moved to quarantine/{q.moved_to})" for q in self.moved]
