"""Modem lines no driver understood: counted per line, shown on the Health page, logged sparingly.

The next unknown dialect should be seen the day it appears, without flooding
the log: the first occurrence of a line is logged at once, then at most once a
``log_every`` seconds with its count. At most ``keep`` distinct lines are kept
(the least recent go first).
"""

from __future__ import annotations

import dataclasses
import logging
import threading
import time
from collections import OrderedDict


@dataclasses.dataclass
class UnparsedLine:
    line: str
    count: int
    first_seen: float
    last_seen: float
    last_logged: float

    def to_dict(self) -> dict[str, object]:
        return {"line": self.line, "count": self.count,
                "first_seen": time.strftime("%Y-%m-%dT%H:%M:%S%z", time.localtime(self.first_seen)),
                "last_seen": time.strftime("%Y-%m-%dT%H:%M:%S%z", time.localtime(self.last_seen))}


class UnparsedLines:
    def __init__(self, log: logging.Logger, name: str, *, keep: int = 50, log_every: float = 3600.0,
                 max_chars: int = 200) -> None:
        self.log = log
        self.name = name
        self.keep = keep
        self.log_every = log_every
        self.max_chars = max_chars
        self._lines: OrderedDict[str, UnparsedLine] = OrderedDict()
        self._lock = threading.Lock()
        self.total = 0

    def add(self, line: str, now: float | None = None) -> None:
        text = line[: self.max_chars]
        t = time.time() if now is None else now
        with self._lock:
            self.total += 1
            u = self._lines.pop(text, None)
            first = u is None
            if u is None:
                u = UnparsedLine(text, 0, t, t, t)
            u.count += 1
            u.last_seen = t
            self._lines[text] = u
            while len(self._lines) > self.keep:
                self._lines.popitem(last=False)
            due = first or t - u.last_logged >= self.log_every
            if due:
                u.last_logged = t
        if first:
            self.log.warning("line %s: modem line not understood %r (first time; counted on the Health page)",
                             self.name, text)
        elif due:
            self.log.warning("line %s: modem line not understood %r, %d times so far", self.name, text, u.count)

    def snapshot(self) -> tuple[dict[str, object], ...]:
        with self._lock:
            return tuple(u.to_dict() for u in sorted(self._lines.values(), key=lambda x: x.first_seen))
