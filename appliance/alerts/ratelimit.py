"""Sliding-window rate limits for SMS (per caller and global).

Not to be confused with the status page's login throttle (``appliance.web.auth``), which
slows down password guessing with a growing delay.

>>> lim = SlidingWindowLimit(per_key=2, total=3, window=3600.0)
>>> [lim.allow("+331", now=t) for t in (0, 1, 2)]
[True, True, False]
>>> lim.allow("+332", now=3), lim.allow("+333", now=4)
(True, False)
"""

from __future__ import annotations

import collections
import threading


class SlidingWindowLimit:
    """At most ``per_key`` events per key and ``total`` overall per ``window`` seconds."""

    def __init__(self, *, per_key: int, total: int, window: float = 3600.0) -> None:
        if per_key < 1 or total < 1 or window <= 0:
            raise ValueError("rate limiter: limits must be at least 1 and the window positive")
        self.per_key = per_key
        self.total = total
        self.window = window
        self._lock = threading.Lock()
        self._all: collections.deque[float] = collections.deque()
        self._by_key: dict[str, collections.deque[float]] = {}

    def _trim(self, q: collections.deque[float], now: float) -> None:
        while q and q[0] <= now - self.window:
            q.popleft()

    def allow(self, key: str, *, now: float) -> bool:
        """Count one event for ``key`` if both limits allow it; False (nothing counted) if not."""
        with self._lock:
            self._trim(self._all, now)
            q = self._by_key.setdefault(key, collections.deque())
            self._trim(q, now)
            if len(q) >= self.per_key or len(self._all) >= self.total:
                return False
            q.append(now)
            self._all.append(now)
            return True

    def record(self, key: str, at: float) -> None:
        """Count a past event (used to re-seed the limiter from the outbox after a restart)."""
        with self._lock:
            self._by_key.setdefault(key, collections.deque()).append(at)
            self._all.append(at)
            for q in (self._all, self._by_key[key]):
                items = sorted(q)
                q.clear()
                q.extend(items)
