"""The durable call log: tinydb day partitions written atomically by one writer thread.

Layout (see :mod:`.days`)::

    calls/2026/11/2026-11-27.json      tinydb file: full records of calls that started that UTC day
    calls/2026/11/2026-11-27.idx.json  day index: compact rows (CallRecord.summary) + the stamp of the day file
    calls/2026/11/2026-11-27.agg.json  day aggregates
    recordings/2026/11/27/<call id>.wav
    quarantine/                        files that could not be read, moved aside (:mod:`.quarantine`)
    .writer.lock                       flock held by the one writer process

What it promises (see the README, "The call log"):

* **Durable from the first ring.** :meth:`CallLog.create` returns only after the
  record is on disk (temp file, fsync, rename, fsync directory).
* **The call path never waits on the disk otherwise.** :meth:`CallLog.update` with
  ``wait=False`` (what the line handler uses) applies the change to the record in
  memory and returns at once; one writer thread writes the newest version of every
  changed record, one day file write for all the changes of that day since its last
  write. ``wait=True`` (the default: web page, alerts) returns once the change is on
  disk; :meth:`CallLog.wait_written` lets an observer wait for one change.
* **Never corrupt.** Every file is replaced atomically, so after a power cut or
  ``kill -9`` at any instant each file holds its old or its new content. The day
  index and aggregates are caches validated by the day file's size and mtime; a
  stale one (crash between two writes) is rebuilt from the day file.
* **A bad file never stops the box.** A day file, index or aggregate that cannot be
  read (garbage, cut short, wrong shape) is moved to ``quarantine/`` by the writer,
  with a log line and a health problem; its readable records are kept. Readers
  (the CLI) skip it and name it in :attr:`CallLogReader.unreadable`.
* **Nothing left dangling.** At start the writer marks calls left ringing or in
  progress by a crash as ``interrupted``.
* **One writer, many readers.** The service process is the only writer (an
  exclusive ``flock``); the web page and the CLI read with :class:`CallLogReader`.
"""

from __future__ import annotations

import contextlib
import copy
import dataclasses
import datetime as dt
import fcntl
import logging
import os
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from tinydb import TinyDB
from tinydb.storages import Storage

from ..errors import CorruptFileError, StoreError, StoreLockedError
from ..faults import FaultLog
from .atomic import atomic_write_json, clean_temp_files, read_json
from .days import (
    INDEX_VERSION,
    TABLE,
    agg_path,
    aggregate,
    aggregate_problem,
    day_paths,
    day_range,
    days,
    in_range,
    index_problem,
    parse_day,
    stamp,
    valid_aggregate,
    valid_index,
)
from .quarantine import Quarantine
from .record import OPEN_STATES, CallRecord, day_of_call_id, iso, parse_iso, utcnow

log = logging.getLogger(__name__)

INDEX_DELAY = 0.05  # seconds without new records before a day's index is written


class AtomicJSONStorage(Storage):
    """A tinydb storage whose writes are atomic and durable.

    ``cache=True`` (the writer) keeps the last data written in memory, so an update
    costs one serialisation and one atomic write, and no read."""

    def __init__(self, path: str, cache: bool = False) -> None:
        self.path = Path(path)
        self._cache: dict[str, Any] | None = None
        self._use_cache = cache

    def read(self) -> dict[str, Any] | None:
        if self._use_cache and self._cache is not None:
            return self._cache
        data = read_json(self.path, default=None)
        if data is not None and (not isinstance(data, dict) or parse_day(data).problem):
            raise CorruptFileError(f"{self.path}: {parse_day(data).problem}")
        if self._use_cache:
            self._cache = data
        return data

    def write(self, data: dict[str, Any]) -> None:
        try:
            atomic_write_json(self.path, data)
        except StoreError:
            self._cache = None
            raise
        if self._use_cache:
            self._cache = data

    def close(self) -> None:
        self._cache = None


class _Base:
    """Read side shared by the writer and the readers."""

    def __init__(self, data_dir: str | os.PathLike[str]) -> None:
        self.data_dir = Path(data_dir)
        self._idx_cache: dict[Path, tuple[list[int] | None, list[dict[str, Any]]]] = {}
        self._day_cache: OrderedDict[Path, tuple[list[int] | None, list[dict[str, Any]]]] = OrderedDict()
        self._agg_cache: dict[Path, tuple[list[int] | None, dict[str, Any]]] = {}
        self._cache_lock = threading.Lock()
        self.unreadable: list[str] = []  # unreadable files met (a reader names them, the writer moves them)
        self._reported: set[tuple[str, tuple[int, ...] | None]] = set()

    def _bad_file(self, path: Path, reason: str, file_stamp: list[int] | None, *, rebuild: bool = True) -> None:
        """A reader names an unreadable file once (per version of it) and goes on."""
        key = (str(path), tuple(file_stamp) if file_stamp is not None else None)
        with self._cache_lock:
            if key in self._reported:
                return
            self._reported.add(key)
            self.unreadable.append(f"{path}: {reason}")
        log.warning("%s is unreadable (%s); skipped", path, reason)

    # -- files -----------------------------------------------------------------------------
    def _day_docs(self, day: dt.date) -> list[dict[str, Any]]:
        path, _ = day_paths(self.data_dir, day)
        st = stamp(path)
        if st is None:
            return []
        with self._cache_lock:
            hit = self._day_cache.get(path)
            if hit is not None and hit[0] == st:
                self._day_cache.move_to_end(path)
                return hit[1]
        try:
            content = parse_day(read_json(path, default=None))
        except CorruptFileError as exc:
            self._bad_file(path, str(exc).removeprefix(f"{path}: "), st)
            return []
        if content.problem:
            self._bad_file(path, content.problem, st)
        with self._cache_lock:
            self._day_cache[path] = (st, content.docs)
            while len(self._day_cache) > 16:
                self._day_cache.popitem(last=False)
        return content.docs

    def _read_cache_file(self, path: Path, shape: Callable[[Any], str | None]) -> Any:
        """An index or aggregates file; None when missing or unreadable (named, or moved aside)."""
        data, problem, st = _check_cache_file(path, shape)
        if problem:
            self._bad_file(path, problem, st)
        return data

    def _day_rows(self, day: dt.date) -> list[dict[str, Any]]:
        """Compact rows of one day, from the index when it is current, else rebuilt."""
        path, idx_path = day_paths(self.data_dir, day)
        st = stamp(path)
        if st is None:
            return []
        with self._cache_lock:
            hit = self._idx_cache.get(idx_path)
            if hit is not None and hit[0] == st:
                return hit[1]
        rows = valid_index(self._read_cache_file(idx_path, index_problem), st)
        if rows is None:
            rows = [CallRecord.from_dict(d).summary() for d in self._day_docs(day)]
        with self._cache_lock:
            self._idx_cache[idx_path] = (st, rows)
        return rows

    def _day_agg(self, day: dt.date) -> dict[str, Any] | None:
        path, _ = day_paths(self.data_dir, day)
        st = stamp(path)
        if st is None:
            return None
        apath = agg_path(self.data_dir, day)
        with self._cache_lock:
            hit = self._agg_cache.get(apath)
            if hit is not None and hit[0] == st:
                return hit[1]
        agg = self._read_cache_file(apath, aggregate_problem)
        if not valid_aggregate(agg, st):
            agg = aggregate(self._day_rows(day))
        with self._cache_lock:
            self._agg_cache[apath] = (st, agg)
        return agg

    # -- queries -----------------------------------------------------------------------------
    def day_aggregates(self, since: dt.datetime | None = None,
                       until: dt.datetime | None = None) -> list[tuple[dt.date, dict[str, Any]]]:
        """Per UTC day, oldest first: counts per state and UTC hour ("by_hour"), categories, urgent,
        abandoned under 5 s, handled, converted, amount. Whole days: ``since``/``until`` pick the days.
        Costs one small file per day, whatever the number of calls: for statistics over months."""
        out = []
        for day in day_range(self.data_dir, since, until):
            agg = self._day_agg(day)
            if agg is not None:
                out.append((day, agg))
        return out

    def get(self, call_id: str) -> CallRecord | None:
        try:
            day = day_of_call_id(call_id)
        except ValueError:
            return None
        for doc in self._day_docs(day):
            if doc.get("id") == call_id:
                return CallRecord.from_dict(copy.deepcopy(doc))
        return None

    def calls(self, since: dt.datetime | None = None, until: dt.datetime | None = None) -> list[CallRecord]:
        """Full records of calls that started in [since, until), newest first."""
        out: list[CallRecord] = []
        for day in reversed(day_range(self.data_dir, since, until)):
            docs = [d for d in self._day_docs(day) if in_range(d["started_at"], since, until)]
            docs.sort(key=lambda d: d["started_at"], reverse=True)
            out.extend(CallRecord.from_dict(copy.deepcopy(d)) for d in docs)
        return out

    def summaries(self, since: dt.datetime | None = None,
                  until: dt.datetime | None = None) -> list[dict[str, Any]]:
        """Compact rows (see :meth:`CallRecord.summary`) of calls in [since, until), newest first."""
        out: list[dict[str, Any]] = []
        for day in reversed(day_range(self.data_dir, since, until)):
            rows = [r for r in self._day_rows(day) if in_range(r["started_at"], since, until)]
            rows.sort(key=lambda r: r["started_at"], reverse=True)
            out.extend(rows)
        return out

    def iter_days(self) -> Iterator[dt.date]:
        yield from days(self.data_dir)

    def recording_path(self, call_id: str) -> Path:
        day = day_of_call_id(call_id)
        return self.data_dir / "recordings" / f"{day:%Y}" / f"{day:%m}" / f"{day:%d}" / f"{call_id}.wav"

    def writer_alive(self) -> bool:
        """True when a writer process holds the lock on this data directory."""
        lock = self.data_dir / ".writer.lock"
        if not lock.exists():
            return False
        try:
            fd = os.open(lock, os.O_RDONLY)
        except OSError:
            return False
        try:
            fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        finally:
            os.close(fd)
        return False


class CallLogReader(_Base):
    """Read-only access, safe while the writer writes (every file is replaced atomically).

    Unreadable files are skipped and listed in :attr:`unreadable`; nothing is moved."""


@dataclasses.dataclass
class _Slot:
    """The newest version of one record the writer knows, and how much of it is on disk."""

    doc: dict[str, Any]
    seq: int = 0  # number of its newest change
    written: int = 0  # number of its newest change on disk
    new: bool = False  # not in its day file yet
    failed: int = 0  # number of the newest change whose write failed
    error: str = ""


class CallLog(_Base):
    """The one writer of the call log: a writer thread fed by a queue. Thread-safe."""

    def __init__(self, data_dir: str | os.PathLike[str], *, faults: FaultLog | None = None,
                 max_cached: int = 512) -> None:
        super().__init__(data_dir)
        self.faults = faults or FaultLog()
        self.quarantine = Quarantine(self.data_dir)
        self._max_cached = max_cached
        self._io = threading.Lock()  # tinydb files; taken before _state, never inside it
        self._state = threading.Condition(threading.Lock())
        self._slots: OrderedDict[str, _Slot] = OrderedDict()
        self._queue: set[str] = set()
        self._index_due: set[dt.date] = set()
        self._seq = 0
        self._index_since = 0.0
        self._retry_at = 0.0
        self._backoff = 0.0
        self._dbs: OrderedDict[dt.date, TinyDB] = OrderedDict()
        self.write_error = ""  # the last write failure, cleared by the next success
        try:
            self.data_dir.mkdir(parents=True, exist_ok=True)
            self._lock_fd = os.open(self.data_dir / ".writer.lock", os.O_RDWR | os.O_CREAT, 0o640)
        except OSError as exc:
            raise StoreError(f"{self.data_dir}: cannot open the call log: {exc}") from exc
        try:
            fcntl.flock(self._lock_fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(self._lock_fd)
            raise StoreLockedError(f"{self.data_dir}: another Permanence process is writing this call log "
                                   f"(stop it first, or use another data directory)") from None
        self._closed = False
        self._thread = threading.Thread(target=self._write_loop, name="calllog-writer", daemon=True)
        self._thread.start()

    # -- reading through the writer ------------------------------------------------------
    def get(self, call_id: str) -> CallRecord | None:
        with self._state:
            slot = self._slots.get(call_id)
            if slot is not None:
                return CallRecord.from_dict(copy.deepcopy(slot.doc))
        return super().get(call_id)

    def _bad_file(self, path: Path, reason: str, file_stamp: list[int] | None, *, rebuild: bool = True) -> None:
        """The writer moves an unreadable file to quarantine; a day file keeps its readable records.
        ``rebuild=False``: the caller has the day's index written again itself."""
        with self._io:
            if stamp(path) != file_stamp or file_stamp is None:
                return  # already handled by another thread
            self._quarantine_locked(path, reason, rebuild=rebuild)
        self.faults.count("call log: unreadable file moved to quarantine", f"{path.name}: {reason}")

    def _quarantine_locked(self, path: Path, reason: str, *, rebuild: bool = True) -> None:
        """Move ``path`` aside (``_io`` held); a day file is rewritten with what could be read of it."""
        day = _day_of_file(path)
        keep: list[dict[str, Any]] = []
        if day is not None and path == day_paths(self.data_dir, day)[0]:
            with contextlib.suppress(CorruptFileError):
                keep = parse_day(read_json(path, default=None)).docs
            old = self._dbs.pop(day, None)
            if old is not None:
                old.close()
        self.quarantine.move(path, reason)
        if keep:
            atomic_write_json(path, {TABLE: {str(i): d for i, d in enumerate(keep, 1)}})
        if day is not None and rebuild:
            self._index_later(day)
        with self._cache_lock:
            self._day_cache.clear()
            self._idx_cache.clear()
            self._agg_cache.clear()

    # -- writes --------------------------------------------------------------------------
    def _check_open(self) -> None:
        if self._closed:
            raise StoreError(f"{self.data_dir}: the call log is closed")

    def _enqueue(self, call_id: str, doc: dict[str, Any], *, new: bool = False) -> int:
        """Record a new version of ``call_id`` for the writer (``_state`` held); returns its number."""
        self._seq += 1
        slot = self._slots.get(call_id)
        if slot is None:
            slot = self._slots[call_id] = _Slot(doc=doc, new=new)
        slot.doc = doc
        slot.seq = self._seq
        self._slots.move_to_end(call_id)
        self._queue.add(call_id)
        self._state.notify_all()
        return self._seq

    def create(self, rec: CallRecord, *, wait: bool = True, timeout: float = 30.0) -> None:
        """Store a new call; durable when this returns (StoreError if the disk refused it: the
        record stays queued and is written as soon as the disk accepts it). ``wait=False``
        queues it and returns at once."""
        self._check_open()
        day = day_of_call_id(rec.id)
        exists = False
        if wait:  # an id is random: a caller that cannot wait for the disk skips the check on disk
            with self._io:
                exists = any(d.get("id") == rec.id for d in self._table_docs(day))
        with self._state:
            if exists or rec.id in self._slots:
                raise StoreError(f"{self.data_dir}: call {rec.id} already exists")
            seq = self._enqueue(rec.id, rec.to_dict(), new=True)
        if wait:
            self._wait(rec.id, seq, timeout)

    def update(self, call_id: str, fn: Callable[[CallRecord], None], *, wait: bool = True) -> CallRecord:
        """Apply ``fn`` to the newest version of the record; returns the new record.

        ``wait=False`` returns at once (the writer thread writes it); ``wait=True`` returns once
        the change is on disk."""
        self._check_open()
        with self._state:
            known = call_id in self._slots
        if not known:
            self._load(call_id)
        with self._state:
            rec = CallRecord.from_dict(copy.deepcopy(self._slots[call_id].doc))
            fn(rec)
            if rec.id != call_id:
                raise StoreError(f"call {call_id}: its id cannot change")
            seq = self._enqueue(call_id, rec.to_dict())
        if wait:
            self._wait(call_id, seq, 30.0)
        return rec

    def _load(self, call_id: str) -> None:
        try:
            day = day_of_call_id(call_id)
        except ValueError:
            raise StoreError(f"{self.data_dir}: no call {call_id} in the log") from None
        with self._io:
            doc = next((d for d in self._table_docs(day) if d.get("id") == call_id), None)
        if doc is None:
            raise StoreError(f"{self.data_dir}: no call {call_id} in the log")
        with self._state:
            if call_id not in self._slots:  # another thread may have loaded it meanwhile
                self._slots[call_id] = _Slot(doc=dict(doc))

    def add_event(self, call_id: str, kind: str, *, wait: bool = True, **detail: Any) -> CallRecord:
        """Append an entry to the call's timeline."""
        def _add(rec: CallRecord) -> None:
            rec.events.append({"at": iso(), "kind": kind, **detail})
        return self.update(call_id, _add, wait=wait)

    def pending_seq(self, call_id: str) -> int:
        """The number of the newest change of ``call_id`` (0 if none is known)."""
        with self._state:
            slot = self._slots.get(call_id)
            return slot.seq if slot is not None else 0

    def wait_written(self, call_id: str, seq: int, timeout: float) -> bool:
        """Wait until change ``seq`` of ``call_id`` is on disk; False after ``timeout`` seconds."""
        deadline = time.monotonic() + timeout
        with self._state:
            while True:
                slot = self._slots.get(call_id)
                if slot is None or slot.written >= seq:
                    return True
                left = deadline - time.monotonic()
                if left <= 0 or (self._closed and not self._thread.is_alive()):
                    return False
                self._state.wait(min(left, 0.5))

    def _wait(self, call_id: str, seq: int, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        with self._state:
            while True:
                slot = self._slots.get(call_id)
                if slot is None or slot.written >= seq:
                    return
                if slot.failed >= seq:
                    raise StoreError(f"call {call_id} not written yet (the writer retries): {slot.error}")
                left = deadline - time.monotonic()
                if left <= 0:
                    raise StoreError(f"call {call_id}: not written within {timeout:.0f} s ({slot.error or 'busy'})")
                self._state.wait(min(left, 0.5))

    def flush(self, timeout: float = 30.0) -> bool:
        """Wait until every change is on disk (and the indexes written); False on timeout."""
        deadline = time.monotonic() + timeout
        with self._state:
            while self._queue or self._index_due:
                left = deadline - time.monotonic()
                if left <= 0 or not self._thread.is_alive():
                    return False
                self._state.wait(min(left, 0.5))
        return True

    # -- the writer thread ---------------------------------------------------------------
    def _db(self, day: dt.date) -> TinyDB:
        db = self._dbs.get(day)
        if db is None:
            path, _ = day_paths(self.data_dir, day)
            db = TinyDB(str(path), storage=AtomicJSONStorage, cache=True)
            self._dbs[day] = db
            while len(self._dbs) > 4:
                _, old = self._dbs.popitem(last=False)
                old.close()
        else:
            self._dbs.move_to_end(day)
        return db

    def _table_docs(self, day: dt.date) -> list[dict[str, Any]]:
        """Records of ``day`` as stored (``_io`` held); an unreadable day file goes to quarantine."""
        try:
            return [dict(d) for d in self._db(day).table(TABLE).all()]
        except CorruptFileError as exc:
            path = day_paths(self.data_dir, day)[0]
            self._quarantine_locked(path, str(exc).removeprefix(f"{path}: "))
            self.faults.count("call log: unreadable file moved to quarantine", str(exc))
            return [dict(d) for d in self._db(day).table(TABLE).all()]

    def _write_day(self, day: dt.date, items: dict[str, dict[str, Any]], new: set[str]) -> None:
        """One day's changes in at most two atomic writes (``_io`` held)."""
        table = self._db(day).table(TABLE)
        stored = {d.get("id") for d in self._table_docs(day)}
        inserts = [items[i] for i in items if i in new and i not in stored]
        updates = {i: d for i, d in items.items() if i not in new or i in stored}
        if inserts:
            table.insert_multiple(inserts)
        if updates:
            table.update(lambda doc: doc.update(updates[doc["id"]]), cond=lambda doc: doc.get("id") in updates)

    def _write_index(self, day: dt.date) -> None:
        path, idx_path = day_paths(self.data_dir, day)
        rows = [CallRecord.from_dict(d).summary() for d in self._table_docs(day)]
        st = stamp(path)
        atomic_write_json(idx_path, {"stamp": st, "version": INDEX_VERSION, "rows": rows})
        agg = aggregate(rows)
        atomic_write_json(agg_path(self.data_dir, day), {**agg, "stamp": st})
        with self._cache_lock:
            self._idx_cache[idx_path] = (st, rows)
            self._agg_cache[agg_path(self.data_dir, day)] = (st, agg)

    def _index_later(self, day: dt.date) -> None:
        """The day's index and aggregates are to be written once the records stop coming for a moment."""
        with self._state:
            if not self._index_due:
                self._index_since = time.monotonic()
            self._index_due.add(day)
            self._state.notify_all()

    def _take_batch(self) -> tuple[dict[str, tuple[dict[str, Any], int, bool]], dt.date | None] | None:
        """Wait for work; the queued records, or a day whose index is due; None to stop.

        Records come first; an index waits ``INDEX_DELAY`` seconds after it became due, so a
        burst of changes costs one index write (it is a cache: a stale one is rebuilt)."""
        with self._state:
            while True:
                now = time.monotonic()
                index_ready = self._index_due and (self._closed or now >= self._index_since + INDEX_DELAY)
                if (self._queue or index_ready) and now >= self._retry_at:
                    break
                if self._closed and ((not self._queue and not self._index_due) or self._backoff >= 5.0):
                    return None
                wake = self._retry_at if self._retry_at > now else (
                    self._index_since + INDEX_DELAY if self._index_due else now + 1.0)
                self._state.wait(max(0.01, wake - now))
            if self._queue:
                batch = {i: (self._slots[i].doc, self._slots[i].seq, self._slots[i].new) for i in self._queue}
                return batch, None
            return {}, self._index_due.pop()

    def _write_loop(self) -> None:
        while True:
            work = self._take_batch()
            if work is None:
                return
            batch, index_day = work
            try:
                if index_day is not None:
                    with self._io:
                        self._write_index(index_day)
                else:
                    self._write_batch(batch)
                self._succeeded()
            except (StoreError, OSError) as exc:
                self._failed(batch, index_day, exc)
            except Exception as exc:  # noqa: BLE001 - the writer must outlive a bug; reported and retried
                self.faults.report("call log writer", exc, log)
                self._failed(batch, index_day, exc)

    def _write_batch(self, batch: dict[str, tuple[dict[str, Any], int, bool]]) -> None:
        by_day: dict[dt.date, dict[str, dict[str, Any]]] = {}
        for call_id, (doc, _seq, _new) in batch.items():
            by_day.setdefault(day_of_call_id(call_id), {})[call_id] = doc
        for day, items in sorted(by_day.items()):
            with self._io:
                self._write_day(day, items, {i for i in items if batch[i][2]})
            with self._state:
                for call_id in items:
                    slot = self._slots[call_id]
                    slot.written = max(slot.written, batch[call_id][1])
                    slot.new = False
                    if slot.written >= slot.seq:
                        self._queue.discard(call_id)
                self._state.notify_all()
            self._index_later(day)

    def _succeeded(self) -> None:
        with self._state:
            self._backoff = 0.0
            self._retry_at = 0.0
            self.write_error = ""
            self._evict()
            self._state.notify_all()  # flush() waits for the indexes too

    def _failed(self, batch: dict[str, tuple[dict[str, Any], int, bool]], index_day: dt.date | None,
                exc: BaseException) -> None:
        with self._state:
            for call_id, (_doc, seq, _new) in batch.items():
                slot = self._slots[call_id]
                if slot.written < seq:
                    slot.failed, slot.error = seq, str(exc)
            if index_day is not None:
                self._index_due.add(index_day)  # retried with the records, after the back-off
            self._backoff = min(5.0, max(0.2, self._backoff * 2))
            self._retry_at = time.monotonic() + self._backoff
            first = not self.write_error
            self.write_error = str(exc)
            self._state.notify_all()
        self.faults.count("call log: write failed (retried)", str(exc))
        if first:
            log.error("call log: cannot write (%s); the records stay in memory and the writer retries", exc)

    def _evict(self) -> None:
        """Forget written records beyond ``max_cached`` (``_state`` held); open calls stay."""
        extra = len(self._slots) - self._max_cached
        if extra <= 0:
            return
        for call_id in list(self._slots):
            if extra <= 0:
                break
            slot = self._slots[call_id]
            if call_id not in self._queue and slot.written >= slot.seq and slot.doc.get("state") not in OPEN_STATES:
                del self._slots[call_id]
                extra -= 1

    # -- bulk and start-up -----------------------------------------------------------------
    def import_records(self, records: list[CallRecord]) -> int:
        """Bulk import (migration, benchmarks): one atomic write per day touched.

        Records whose id already exists are skipped. Returns how many were added."""
        by_day: dict[dt.date, list[CallRecord]] = {}
        for rec in records:
            by_day.setdefault(day_of_call_id(rec.id), []).append(rec)
        added = 0
        self._check_open()
        with self._state:
            queued = set(self._slots)
        with self._io:
            for day, recs in sorted(by_day.items()):
                existing = {d.get("id") for d in self._table_docs(day)} | queued
                new = [r.to_dict() for r in recs if r.id not in existing]
                if new:
                    self._db(day).table(TABLE).insert_multiple(new)
                    self._write_index(day)
                    added += len(new)
        return added

    def recover(self) -> list[str]:
        """Mark calls left open by a crash or power cut as interrupted; check every day file
        (an unreadable one goes to quarantine) and rebuild stale or unreadable indexes.

        Returns the ids of the calls marked interrupted. Never fails on a full disk: what
        cannot be written yet stays queued."""
        self._check_open()
        clean_temp_files(self.data_dir)
        fixed: list[str] = []
        for day in days(self.data_dir):
            path, idx_path = day_paths(self.data_dir, day)
            with self._io:
                docs = self._table_docs(day)
            st = stamp(path)
            # both read before either is moved aside (that has the writer write them again)
            idx, idx_problem, idx_stamp = _check_cache_file(idx_path, index_problem)
            agg, agg_problem, agg_stamp = _check_cache_file(agg_path(self.data_dir, day), aggregate_problem)
            for bad, problem, bad_stamp in ((idx_path, idx_problem, idx_stamp),
                                            (agg_path(self.data_dir, day), agg_problem, agg_stamp)):
                if problem:
                    self._bad_file(bad, problem, bad_stamp, rebuild=False)
            if valid_index(idx, st) is None or not valid_aggregate(agg, st):
                self._index_later(day)
            for d in docs:
                if d.get("state") in OPEN_STATES:
                    self.update(str(d["id"]), _mark_interrupted, wait=False)
                    fixed.append(str(d["id"]))
        if not self.flush(10.0):
            log.error("call log: start-up repairs not written yet (%s); the writer retries", self.write_error)
        if fixed:
            log.warning("call log: %d call(s) cut off by a crash marked interrupted: %s",
                        len(fixed), ", ".join(fixed))
        return fixed

    def problems(self) -> list[str]:
        """What the health page shows about the call log: files moved aside, a write failing."""
        out = self.quarantine.problems()
        if self.write_error:
            out.append(f"call log: cannot write ({self.write_error}); records kept in memory, retrying")
        return out

    def close(self, timeout: float = 30.0) -> None:
        with self._state:
            if self._closed:
                return
            self._closed = True
            self._state.notify_all()
        self._thread.join(timeout)
        with self._state:
            lost = len(self._queue)
        if lost:
            log.error("call log: %d record change(s) could not be written before the stop: %s", lost,
                      self.write_error or "the disk was too slow")
        with self._io:
            for db in self._dbs.values():
                db.close()
            self._dbs.clear()
        with contextlib.suppress(OSError):
            fcntl.flock(self._lock_fd, fcntl.LOCK_UN)
        os.close(self._lock_fd)

    def __enter__(self) -> CallLog:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _check_cache_file(path: Path, shape: Callable[[Any], str | None]) -> tuple[Any, str | None, list[int] | None]:
    """(data or None, what is wrong with it or None, its stamp) of an index or aggregates file."""
    st = stamp(path)
    try:
        data = read_json(path, default=None)
    except CorruptFileError as exc:
        return None, str(exc).removeprefix(f"{path}: "), st
    problem = shape(data) if data is not None else None
    return (None if problem else data), problem, st


def _day_of_file(path: Path) -> dt.date | None:
    try:
        return dt.date.fromisoformat(path.name[:10])
    except ValueError:
        return None


def _mark_interrupted(rec: CallRecord) -> None:
    now = utcnow()
    last = rec.events[-1]["at"] if rec.events else (rec.answered_at or rec.started_at)
    rec.state = "interrupted"
    rec.ended_at = rec.ended_at or last
    rec.hangup_by = rec.hangup_by or "box"
    if rec.answered_at and rec.duration is None:
        rec.duration = max(0.0, (parse_iso(rec.ended_at) - parse_iso(rec.answered_at)).total_seconds())
    rec.events.append({"at": iso(now), "kind": "interrupted",
                       "reason": "the service stopped during the call (crash or power cut)"})
