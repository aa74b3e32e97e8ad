"""Failures the service survives on purpose, logged and counted where the owner sees them.

The box keeps answering when an LED, a publish or a callback fails, but such a
failure is never silent: :meth:`FaultLog.report` logs it the first time with its
traceback, then at most once per ``interval`` seconds with how many times it
happened since, and counts it. The service shows :meth:`FaultLog.snapshot` on the
health page. Its :attr:`FaultLog.handler`, attached to the ``appliance`` logger,
also counts every error the package logs elsewhere (a driver's reader thread, an
alert callback), so the page says how often each part failed.

>>> faults = FaultLog(interval=60.0)
>>> with faults.guard("leds"):
...     raise OSError("GPIO busy")
>>> [(f["where"], f["count"], f["last_error"]) for f in faults.snapshot()]
[('leds', 1, 'OSError: GPIO busy')]
"""

from __future__ import annotations

import contextlib
import dataclasses
import logging
import threading
import time
from collections.abc import Callable, Iterator

log = logging.getLogger(__name__)
_COUNTED = "permanence_fault_counted"


@dataclasses.dataclass
class _Entry:
    count: int = 0
    logged_at: float | None = None
    unlogged: int = 0
    last_error: str = ""
    last_at: float = 0.0


class _CountingHandler(logging.Handler):
    """Counts error records (and any record carrying a traceback) by logger and message."""

    def __init__(self, faults: FaultLog) -> None:
        super().__init__(level=logging.WARNING)
        self.faults = faults

    def emit(self, record: logging.LogRecord) -> None:
        if getattr(record, _COUNTED, False):
            return
        if record.exc_info is None and record.levelno < logging.ERROR:
            return
        error = ""
        if record.exc_info is not None and record.exc_info[1] is not None:
            exc = record.exc_info[1]
            error = f"{type(exc).__name__}: {exc}"
        self.faults.count(f"{record.name}: {record.msg}"[:160], error or record.getMessage()[:300])


class FaultLog:
    """Counts and rate-limits the logging of survived failures, per place (``where``)."""

    def __init__(self, *, interval: float = 60.0, clock: Callable[[], float] = time.monotonic) -> None:
        self.interval = interval
        self.clock = clock
        self._lock = threading.Lock()
        self._entries: dict[str, _Entry] = {}
        self.handler: logging.Handler = _CountingHandler(self)

    def count(self, where: str, error: str) -> None:
        """Count one failure without logging it (the caller logged it already)."""
        with self._lock:
            e = self._entries.setdefault(where, _Entry())
            e.count += 1
            e.last_error = error
            e.last_at = time.time()

    def report(self, where: str, exc: BaseException, logger: logging.Logger | None = None) -> None:
        """Count ``exc`` and log it: the first time with its traceback, then at most once per interval."""
        now = self.clock()
        with self._lock:
            e = self._entries.setdefault(where, _Entry())
            e.count += 1
            e.last_error = f"{type(exc).__name__}: {exc}"[:300]
            e.last_at = time.time()
            first = e.logged_at is None
            due = first or now - (e.logged_at or 0.0) >= self.interval
            if not due:
                e.unlogged += 1
                return
            e.logged_at = now
            repeats, e.unlogged = e.unlogged, 0
        lg = logger or log
        extra = {_COUNTED: True}
        if first:
            lg.error("%s failed (the service goes on): %s", where, e.last_error, exc_info=exc, extra=extra)
        else:
            lg.error("%s failed again: %s (%d more time(s) since the last report)", where, e.last_error,
                     repeats, extra=extra)

    @contextlib.contextmanager
    def guard(self, where: str, logger: logging.Logger | None = None) -> Iterator[None]:
        """Run the block; an ``Exception`` in it is reported and does not propagate."""
        try:
            yield
        except Exception as exc:  # noqa: BLE001 - reported, counted and shown on the health page
            self.report(where, exc, logger)

    def total(self) -> int:
        with self._lock:
            return sum(e.count for e in self._entries.values())

    def snapshot(self) -> list[dict[str, object]]:
        """One row per place, most frequent first: where, count, last error, when (epoch seconds)."""
        with self._lock:
            rows = [{"where": w, "count": e.count, "last_error": e.last_error, "last_at": e.last_at}
                    for w, e in self._entries.items()]
        return sorted(rows, key=lambda r: (-int(str(r["count"])), str(r["where"])))

    def attach(self, logger_name: str = "appliance") -> None:
        """Count the errors every module of the package logs (see the module docstring)."""
        logging.getLogger(logger_name).addHandler(self.handler)

    def detach(self, logger_name: str = "appliance") -> None:
        logging.getLogger(logger_name).removeHandler(self.handler)
