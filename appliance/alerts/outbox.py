"""The durable outbox: one JSON file per alert, written before any send attempt.

Layout under ``data_dir/outbox/``::

    <id>.json            an open alert (pending or sent, waiting for confirmation)
    archive/<id>.json    a closed alert (delivered, acknowledged, failed, cancelled)

Every write goes through :mod:`appliance.store.atomic` (temp, fsync, rename,
fsync dir), so after a crash or power cut each file is either its old or its
new version. An alert leaves the open set only when delivery is confirmed (or
it is given up / cancelled): the archive copy is written first, then the open
file removed; if the box dies in between, the archive copy wins at the next
start. The alert id is a hash of its idempotency key, so the same key always
maps to the same file: :meth:`Outbox.add` of an existing key returns the stored
alert unchanged instead of creating a second one.

The outbox has one writer (the service process); it is thread-safe inside it.

>>> import tempfile, pathlib
>>> ob = Outbox(pathlib.Path(tempfile.mkdtemp()))
>>> a = Alert.new(call_id="c1", kind="urgent", channel="mqtt", recipient="broker", payload={}, now=1.0)
>>> ob.add(a)[1], ob.add(a)[1]
(True, False)
>>> len(ob.open_alerts())
1
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections.abc import Callable
from pathlib import Path

from ..errors import AlertError, CorruptFileError
from ..store.atomic import atomic_write_json, clean_temp_files, fsync_dir, read_json
from ..store.quarantine import Quarantine
from .model import Alert

log = logging.getLogger(__name__)

RECENT_ARCHIVE_SECONDS = 7 * 86400


class Outbox:
    """Open alerts in ``<root>/outbox``, closed ones in ``<root>/outbox/archive``."""

    def __init__(self, data_dir: Path, *, clock: Callable[[], float] = time.time,
                 readonly: bool = False, quarantine: Quarantine | None = None) -> None:
        self.dir = Path(data_dir) / "outbox"
        self.quarantine = quarantine or Quarantine(data_dir)
        self.archive_dir = self.dir / "archive"
        self.readonly = readonly  # a viewer beside the running service: never touches a file
        if not readonly:
            self.archive_dir.mkdir(parents=True, exist_ok=True)
        self._clock = clock
        self._lock = threading.RLock()
        self._open: dict[str, Alert] = {}
        self._closed: dict[str, Alert] = {}  # recent archive entries, loaded at start
        self.corrupt: list[Path] = []
        self._load()

    # ------------------------------------------------------------------ loading
    def _read(self, path: Path) -> Alert | None:
        try:
            return Alert.from_dict(read_json(path))
        except (CorruptFileError, AlertError, TypeError) as exc:
            if self.readonly:
                log.warning("outbox: %s is unreadable (%s)", path, exc)
                return None
            # keep the file for a human, never delete data we cannot read
            self.corrupt.append(self.quarantine.move(path, f"unreadable outbox entry: {exc}"))
            return None

    def _load(self) -> None:
        if not self.readonly:
            clean_temp_files(self.dir)
        horizon = time.time() - RECENT_ARCHIVE_SECONDS
        for path in sorted(self.archive_dir.glob("*.json")):
            try:
                if path.stat().st_mtime < horizon:
                    continue
            except OSError:
                continue
            a = self._read(path)
            if a is not None:
                self._closed[a.id] = a
        for path in sorted(self.dir.glob("*.json")):
            a = self._read(path)
            if a is None:
                continue
            if (self.archive_dir / path.name).exists() and not self.readonly:
                # crashed between archiving and removing: the archive copy is the truth
                path.unlink(missing_ok=True)
                fsync_dir(self.dir)
                continue
            self._open[a.id] = a

    # ------------------------------------------------------------------ queries
    def get(self, alert_id: str) -> Alert | None:
        with self._lock:
            a = self._open.get(alert_id) or self._closed.get(alert_id)
            if a is None:
                path = self.archive_dir / f"{alert_id}.json"
                if path.exists():
                    a = self._read(path)
                    if a is not None:
                        self._closed[a.id] = a
            return a

    def by_key(self, key: str) -> Alert | None:
        from .model import alert_id_for_key

        return self.get(alert_id_for_key(key))

    def open_alerts(self, channel: str | None = None) -> list[Alert]:
        with self._lock:
            out = [a for a in self._open.values() if channel is None or a.channel == channel]
        return sorted(out, key=lambda a: (a.next_attempt_at, a.created_at))

    def due(self, channel: str, now: float) -> list[Alert]:
        return [a for a in self.open_alerts(channel) if a.next_attempt_at <= now]

    def for_call(self, call_id: str) -> list[Alert]:
        with self._lock:
            out = [a for a in (*self._open.values(), *self._closed.values()) if a.call_id == call_id]
        return sorted(out, key=lambda a: a.created_at)

    def recent(self, since: float) -> list[Alert]:
        with self._lock:
            return [a for a in (*self._open.values(), *self._closed.values()) if a.created_at >= since]

    # ------------------------------------------------------------------ writes
    def _writable(self) -> None:
        if self.readonly:
            raise AlertError(f"outbox {self.dir}: opened read-only (the service is the only writer)")

    def add(self, alert: Alert) -> tuple[Alert, bool]:
        """Store a new alert durably; returns ``(stored, created)``.

        An alert whose key is already known (open or archived) is not replaced:
        the stored one is returned with ``created=False``."""
        self._writable()
        with self._lock:
            existing = self.get(alert.id)
            if existing is not None:
                return existing, False
            atomic_write_json(self.dir / f"{alert.id}.json", alert.to_dict())
            self._open[alert.id] = alert
            return alert, True

    def save(self, alert: Alert) -> Alert:
        """Persist a changed alert; closed states move it to the archive."""
        self._writable()
        with self._lock:
            if alert.is_open:
                if alert.id not in self._open:
                    raise AlertError(f"outbox: alert {alert.id} is closed or unknown; cannot reopen it")
                atomic_write_json(self.dir / f"{alert.id}.json", alert.to_dict())
                self._open[alert.id] = alert
            else:
                atomic_write_json(self.archive_dir / f"{alert.id}.json", alert.to_dict())
                if self._open.pop(alert.id, None) is not None:
                    (self.dir / f"{alert.id}.json").unlink(missing_ok=True)
                    fsync_dir(self.dir)
                self._closed[alert.id] = alert
            return alert

    def prune_archive(self, older_than_days: float) -> int:
        """Delete archived alerts older than that; returns how many."""
        self._writable()
        horizon = time.time() - older_than_days * 86400
        n = 0
        with self._lock:
            for path in self.archive_dir.glob("*.json"):
                with contextlib.suppress(OSError):
                    if path.stat().st_mtime < horizon:
                        path.unlink()
                        self._closed.pop(path.stem, None)
                        n += 1
        return n
