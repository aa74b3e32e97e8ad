"""One way for tests to wait: on a condition, never on a fixed time.

>>> wait_until(lambda: 42, timeout=1)
42
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


def wait_until(predicate: Callable[[], T], timeout: float = 10.0, *, interval: float = 0.02,
               message: str = "") -> T:
    """Call ``predicate`` until it returns something true; return that value.

    Raises AssertionError (the test fails, naming ``message`` and the last value) when
    ``timeout`` seconds pass first. A "nothing happened" check does not belong here: wait
    for a positive event that proves the system moved past the moment instead."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() >= deadline:
            raise AssertionError(f"not within {timeout:g} s: {message or getattr(predicate, '__name__', predicate)}"
                                 f" (last value {value!r})")
        time.sleep(interval)
