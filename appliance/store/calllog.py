"""The durable call log: tinydb day partitions written atomically, plus a day index.

Layout under the data directory::

    calls/2026/11/2026-11-27.json      tinydb file: full records of calls that started that UTC day
    calls/2026/11/2026-11-27.idx.json  day index: compact rows (CallRecord.summary) + the stamp of the day file
    recordings/2026/11/27/<call id>.wav
    .writer.lock                       flock held by the one writer process

What it promises (see the README, "The call log"):

* **Durable from the first ring.** :meth:`CallLog.create` returns only after the
  record is on disk (temp file, fsync, rename, fsync directory).
* **Never corrupt.** Every file is replaced atomically, so after a power cut or
  ``kill -9`` at any instant each file holds its old or its new content. The day
  index is a cache of the day file validated by the day file's size and mtime; a
  stale index (crash between the two writes) is rebuilt from the day file.
* **Nothing lost, nothing left dangling.** At start the writer marks calls that
  were still ringing or in progress as ``interrupted``.
* **Insert cost independent of the history.** A write rewrites only that day's
  file, so its cost grows with the calls of one day, not with the log.
* **One writer, many readers.** The service process is the only writer (an
  exclusive ``flock``); the web page and the CLI read with :class:`CallLogReader`
  while it writes.
"""

from __future__ import annotations

import contextlib
import copy
import datetime as dt
import fcntl
import json
import logging
import os
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from tinydb import Query, TinyDB
from tinydb.storages import Storage

from ..errors import CorruptFileError, StoreError, StoreLockedError
from .atomic import atomic_write_json, clean_temp_files, read_json
from .record import OPEN_STATES, CallRecord, day_of_call_id, iso, parse_iso, utcnow

log = logging.getLogger(__name__)

_TABLE = "calls"
INDEX_VERSION = 2  # the shape of CallRecord.summary(): an index of another version is rebuilt


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
        if data is not None and not isinstance(data, dict):
            raise CorruptFileError(f"{self.path}: not a tinydb document (expected an object)")
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


def _stamp(path: Path) -> list[int] | None:
    try:
        st = path.stat()
    except FileNotFoundError:
        return None
    return [st.st_size, st.st_mtime_ns]


def _day_paths(root: Path, day: dt.date) -> tuple[Path, Path]:
    d = root / "calls" / f"{day:%Y}" / f"{day:%m}"
    return d / f"{day.isoformat()}.json", d / f"{day.isoformat()}.idx.json"


def _agg_path(root: Path, day: dt.date) -> Path:
    return root / "calls" / f"{day:%Y}" / f"{day:%m}" / f"{day.isoformat()}.agg.json"


def aggregate(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Counts of one day's calls per UTC hour and state, and the day's totals."""
    by_hour: dict[str, list[int]] = {}
    cats: dict[str, int] = {}
    agg: dict[str, Any] = {"calls": len(rows), "by_hour": by_hour, "categories": cats, "urgent": 0,
                           "abandoned_under_5s": 0, "handled": 0, "converted": 0, "amount": 0.0,
                           "opportunities": 0}
    for r in rows:
        hour = int(r["started_at"][11:13])
        by_hour.setdefault(r["state"], [0] * 24)[hour] += 1
        if r.get("category"):
            cats[r["category"]] = cats.get(r["category"], 0) + 1
            if r["category"] not in ("info", "sales", "job", "other"):
                agg["opportunities"] += 1
        agg["urgent"] += 1 if r.get("urgent") else 0
        if r["state"] == "abandoned" and (r.get("ring_seconds") or 0) < 5:
            agg["abandoned_under_5s"] += 1
        agg["handled"] += 1 if r.get("handled") else 0
        agg["converted"] += 1 if r.get("converted") else 0
        agg["amount"] += float(r.get("amount") or 0)
    return agg


def _days(root: Path, lo: dt.date | None = None, hi: dt.date | None = None) -> list[dt.date]:
    """Every day that has a day file (between ``lo`` and ``hi`` inclusive), oldest first.

    Only the month directories in range are listed, so a query over the last week
    costs the same with one year or ten years of history."""
    out: list[dt.date] = []
    base = root / "calls"
    try:
        years = sorted(p.name for p in base.iterdir() if p.name.isdigit() and len(p.name) == 4)
    except FileNotFoundError:
        return out
    for y in years:
        year = int(y)
        if (lo and year < lo.year) or (hi and year > hi.year):
            continue
        try:
            months = sorted(p.name for p in (base / y).iterdir() if p.name.isdigit() and len(p.name) == 2)
        except (FileNotFoundError, NotADirectoryError):
            continue
        for m in months:
            ym = (year, int(m))
            if (lo and ym < (lo.year, lo.month)) or (hi and ym > (hi.year, hi.month)):
                continue
            for p in (base / y / m).iterdir():
                name = p.name
                if not name.endswith(".json") or name.endswith((".idx.json", ".agg.json")) or name.startswith("."):
                    continue
                try:
                    day = dt.date.fromisoformat(name[:-5])
                except ValueError:
                    continue
                if (lo is None or day >= lo) and (hi is None or day <= hi):
                    out.append(day)
    return sorted(out)


def _day_range(root: Path, since: dt.datetime | None, until: dt.datetime | None) -> list[dt.date]:
    lo = since.astimezone(dt.UTC).date() if since is not None else None
    hi = until.astimezone(dt.UTC).date() if until is not None else None
    return _days(root, lo, hi)


def _in_range(started_at: str, since: dt.datetime | None, until: dt.datetime | None) -> bool:
    if since is None and until is None:
        return True
    t = parse_iso(started_at)
    if since is not None and t < since:
        return False
    return not (until is not None and t >= until)


class _Base:
    """Read side shared by the writer and the readers."""

    def __init__(self, data_dir: str | os.PathLike[str]) -> None:
        self.data_dir = Path(data_dir)
        self._idx_cache: dict[Path, tuple[list[int] | None, list[dict[str, Any]]]] = {}
        self._day_cache: OrderedDict[Path, tuple[list[int] | None, list[dict[str, Any]]]] = OrderedDict()
        self._agg_cache: dict[Path, tuple[list[int] | None, dict[str, Any]]] = {}
        self._cache_lock = threading.Lock()

    # -- files -----------------------------------------------------------------------------
    def _day_docs(self, day: dt.date) -> list[dict[str, Any]]:
        path, _ = _day_paths(self.data_dir, day)
        stamp = _stamp(path)
        if stamp is None:
            return []
        with self._cache_lock:
            hit = self._day_cache.get(path)
            if hit is not None and hit[0] == stamp:
                self._day_cache.move_to_end(path)
                return hit[1]
        data = read_json(path, default={}) or {}
        if not isinstance(data, dict):
            raise CorruptFileError(f"{path}: not a tinydb document")
        table = data.get(_TABLE, {})
        docs = [table[k] for k in sorted(table, key=int)] if isinstance(table, dict) else []
        with self._cache_lock:
            self._day_cache[path] = (stamp, docs)
            while len(self._day_cache) > 16:
                self._day_cache.popitem(last=False)
        return docs

    def _day_rows(self, day: dt.date) -> list[dict[str, Any]]:
        """Compact rows of one day, from the index when it is current, else rebuilt."""
        path, idx_path = _day_paths(self.data_dir, day)
        stamp = _stamp(path)
        if stamp is None:
            return []
        with self._cache_lock:
            hit = self._idx_cache.get(idx_path)
            if hit is not None and hit[0] == stamp:
                return hit[1]
        rows: list[dict[str, Any]] | None = None
        try:
            idx = read_json(idx_path, default=None)
        except CorruptFileError:
            idx = None
        if (isinstance(idx, dict) and idx.get("stamp") == stamp and idx.get("version") == INDEX_VERSION
                and isinstance(idx.get("rows"), list)):
            rows = idx["rows"]
        if rows is None:
            rows = [CallRecord.from_dict(d).summary() for d in self._day_docs(day)]
        with self._cache_lock:
            self._idx_cache[idx_path] = (stamp, rows)
        return rows

    def _day_agg(self, day: dt.date) -> dict[str, Any] | None:
        path, _ = _day_paths(self.data_dir, day)
        stamp = _stamp(path)
        if stamp is None:
            return None
        agg_path = _agg_path(self.data_dir, day)
        with self._cache_lock:
            hit = self._agg_cache.get(agg_path)
            if hit is not None and hit[0] == stamp:
                return hit[1]
        try:
            agg = read_json(agg_path, default=None)
        except CorruptFileError:
            agg = None
        if not (isinstance(agg, dict) and agg.get("stamp") == stamp):
            agg = aggregate(self._day_rows(day))
        with self._cache_lock:
            self._agg_cache[agg_path] = (stamp, agg)
        return agg

    # -- queries -----------------------------------------------------------------------------
    def day_aggregates(self, since: dt.datetime | None = None,
                       until: dt.datetime | None = None) -> list[tuple[dt.date, dict[str, Any]]]:
        """Per UTC day, oldest first: counts per state and UTC hour ("by_hour"), categories, urgent,
        abandoned under 5 s, handled, converted, amount. Whole days: ``since``/``until`` pick the days.
        Costs one small file per day, whatever the number of calls: for statistics over months."""
        out = []
        for day in _day_range(self.data_dir, since, until):
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
        for day in reversed(_day_range(self.data_dir, since, until)):
            docs = [d for d in self._day_docs(day) if _in_range(d["started_at"], since, until)]
            docs.sort(key=lambda d: d["started_at"], reverse=True)
            out.extend(CallRecord.from_dict(copy.deepcopy(d)) for d in docs)
        return out

    def summaries(self, since: dt.datetime | None = None,
                  until: dt.datetime | None = None) -> list[dict[str, Any]]:
        """Compact rows (see :meth:`CallRecord.summary`) of calls in [since, until), newest first."""
        out: list[dict[str, Any]] = []
        for day in reversed(_day_range(self.data_dir, since, until)):
            rows = [r for r in self._day_rows(day) if _in_range(r["started_at"], since, until)]
            rows.sort(key=lambda r: r["started_at"], reverse=True)
            out.extend(rows)
        return out

    def iter_days(self) -> Iterator[dt.date]:
        yield from _days(self.data_dir)

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
    """Read-only access, safe while the writer writes (every file is replaced atomically)."""


class CallLog(_Base):
    """The one writer of the call log. Thread-safe; one instance per data directory."""

    def __init__(self, data_dir: str | os.PathLike[str]) -> None:
        super().__init__(data_dir)
        self._lock = threading.RLock()
        self._dbs: OrderedDict[dt.date, TinyDB] = OrderedDict()
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

    # -- internals ---------------------------------------------------------------------------
    def _db(self, day: dt.date) -> TinyDB:
        db = self._dbs.get(day)
        if db is None:
            path, _ = _day_paths(self.data_dir, day)
            path.parent.mkdir(parents=True, exist_ok=True)
            db = TinyDB(str(path), storage=AtomicJSONStorage, cache=True)
            self._dbs[day] = db
            while len(self._dbs) > 4:
                _, old = self._dbs.popitem(last=False)
                old.close()
        else:
            self._dbs.move_to_end(day)
        return db

    def _write_index(self, day: dt.date) -> None:
        path, idx_path = _day_paths(self.data_dir, day)
        db = self._db(day)
        rows = [CallRecord.from_dict(d).summary() for d in db.table(_TABLE).all()]
        stamp = _stamp(path)
        atomic_write_json(idx_path, {"stamp": stamp, "version": INDEX_VERSION, "rows": rows})
        agg = aggregate(rows)
        atomic_write_json(_agg_path(self.data_dir, day), {**agg, "stamp": stamp})
        with self._cache_lock:
            self._idx_cache[idx_path] = (stamp, rows)
            self._agg_cache[_agg_path(self.data_dir, day)] = (stamp, agg)

    def _check_open(self) -> None:
        if self._closed:
            raise StoreError(f"{self.data_dir}: the call log is closed")

    # -- writes ------------------------------------------------------------------------------
    def create(self, rec: CallRecord) -> None:
        """Store a new call; durable when this returns."""
        with self._lock:
            self._check_open()
            day = day_of_call_id(rec.id)
            table = self._db(day).table(_TABLE)
            if table.contains(Query().id == rec.id):
                raise StoreError(f"{self.data_dir}: call {rec.id} already exists")
            table.insert(rec.to_dict())
            self._write_index(day)

    def update(self, call_id: str, fn: Callable[[CallRecord], None]) -> CallRecord:
        """Apply ``fn`` to the stored record and write it back atomically; returns the new record."""
        with self._lock:
            self._check_open()
            day = day_of_call_id(call_id)
            table = self._db(day).table(_TABLE)
            docs = table.search(Query().id == call_id)
            if not docs:
                raise StoreError(f"{self.data_dir}: no call {call_id} in the log")
            doc = docs[0]
            rec = CallRecord.from_dict(copy.deepcopy(dict(doc)))
            fn(rec)
            if rec.id != call_id:
                raise StoreError(f"call {call_id}: its id cannot change")
            table.update(rec.to_dict(), doc_ids=[doc.doc_id])
            self._write_index(day)
            return rec

    def import_records(self, records: list[CallRecord]) -> int:
        """Bulk import (migration, benchmarks): one atomic write per day touched.

        Records whose id already exists are skipped. Returns how many were added."""
        by_day: dict[dt.date, list[CallRecord]] = {}
        for rec in records:
            by_day.setdefault(day_of_call_id(rec.id), []).append(rec)
        added = 0
        with self._lock:
            self._check_open()
            for day, recs in sorted(by_day.items()):
                table = self._db(day).table(_TABLE)
                existing = {d.get("id") for d in table.all()}
                new = [r.to_dict() for r in recs if r.id not in existing]
                if new:
                    table.insert_multiple(new)
                    self._write_index(day)
                    added += len(new)
        return added

    def add_event(self, call_id: str, kind: str, **detail: Any) -> CallRecord:
        """Append an entry to the call's timeline."""
        def _add(rec: CallRecord) -> None:
            rec.events.append({"at": iso(), "kind": kind, **detail})
        return self.update(call_id, _add)

    def recover(self) -> list[str]:
        """Mark calls left open by a crash or power cut as interrupted; rebuild stale indexes.

        Returns the ids of the calls marked interrupted."""
        with self._lock:
            self._check_open()
            clean_temp_files(self.data_dir)
            fixed: list[str] = []
            for day in _days(self.data_dir):
                path, idx_path = _day_paths(self.data_dir, day)
                idx = None
                with contextlib.suppress(CorruptFileError):
                    idx = read_json(idx_path, default=None)
                stale = not (isinstance(idx, dict) and idx.get("stamp") == _stamp(path)
                             and idx.get("version") == INDEX_VERSION)
                rows = self._day_rows(day)
                open_ids = [r["id"] for r in rows if r.get("state") in OPEN_STATES]
                for call_id in open_ids:
                    self.update(call_id, _mark_interrupted)
                    fixed.append(call_id)
                if stale and not open_ids:
                    self._write_index(day)
            if fixed:
                log.warning("call log: %d call(s) cut off by a crash marked interrupted: %s",
                            len(fixed), ", ".join(fixed))
            return fixed

    def close(self) -> None:
        with self._lock:
            if self._closed:
                return
            self._closed = True
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


def export_jsonl(records: list[CallRecord]) -> str:
    return "".join(json.dumps(r.to_dict(), ensure_ascii=False) + "\n" for r in records)
