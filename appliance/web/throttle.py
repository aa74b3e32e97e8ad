"""Failed-attempt throttling for login and setup: slow guessing, never lock the owner out.

Each (address, account) pair is throttled on its own: after ``free`` failures it waits ``base``
seconds, doubling with every further failure up to ``cap``; a success clears it. So failures
against one account do not slow another account logging in from the same office computer, and
failures from one address do not slow anyone else.

Across the box, more than ``global_free`` failures within ``window`` seconds (an attacker rotating
addresses) put every pair under **pressure**: a pair that has failed even once now waits as if it
had used all its free attempts. A pair that has not failed is never refused: the owner typing the
right password from any address gets in, however many guesses the LAN made. Guessing stays slow:
under pressure each address gets one attempt before its back-off starts.

>>> t = [0.0]
>>> lim = RateLimiter(free=2, base=2.0, clock=lambda: t[0])
>>> lim.failure("10.0.0.9", "admin"); lim.failure("10.0.0.9", "admin")
>>> lim.retry_after("10.0.0.9", "admin"), lim.retry_after("10.0.0.9", "anne"), lim.retry_after("10.0.0.8", "admin")
(2.0, 0.0, 0.0)
"""

from __future__ import annotations

import collections
import threading
import time
from collections.abc import Callable

MAX_KEYS = 10_000


class RateLimiter:
    def __init__(self, *, free: int = 5, base: float = 2.0, cap: float = 900.0,
                 global_free: int = 30, window: float = 600.0,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.free, self.base, self.cap = free, base, cap
        self.global_free, self.window = global_free, window
        self.clock = clock
        self._lock = threading.Lock()
        self._keys: collections.OrderedDict[tuple[str, str], tuple[int, float]] = collections.OrderedDict()
        self._global: collections.deque[float] = collections.deque()

    def _pressure(self, now: float) -> bool:
        while self._global and now - self._global[0] >= self.window:
            self._global.popleft()
        return len(self._global) >= self.global_free

    def _wait(self, fails: int, last: float, now: float, pressure: bool) -> float:
        free = 1 if pressure else self.free
        if fails < free:
            return 0.0
        return max(0.0, last + min(self.cap, self.base * 2 ** (fails - free)) - now)

    def retry_after(self, ip: str, account: str = "") -> float:
        """Seconds this address must wait before trying this account again (0 = may try now)."""
        now = self.clock()
        with self._lock:
            fails, last = self._keys.get((ip, account), (0, 0.0))
            return self._wait(fails, last, now, self._pressure(now))

    def under_pressure(self) -> bool:
        with self._lock:
            return self._pressure(self.clock())

    def failure(self, ip: str, account: str = "") -> None:
        now = self.clock()
        with self._lock:
            self._global.append(now)
            fails, _ = self._keys.pop((ip, account), (0, 0.0))
            self._keys[(ip, account)] = (fails + 1, now)
            while len(self._keys) > MAX_KEYS:  # bound memory: forget the oldest pairs
                self._keys.popitem(last=False)

    def success(self, ip: str, account: str = "") -> None:
        with self._lock:
            self._keys.pop((ip, account), None)
