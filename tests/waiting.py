"""Waiting in tests: on a condition, never on time (STYLE 13).

``wait_until(pred, timeout)`` polls ``pred`` until it returns something true and returns that
value; after ``timeout`` seconds it fails the test (AssertionError naming ``message`` and the
last value), so ``assert wait_until(...)`` and a bare ``wait_until(...)`` read the same. A check
that something did *not* happen first waits for a positive event proving the system went past
the moment it would have happened, then asserts.

>>> wait_until(lambda: 42, timeout=1)
42
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


def wait_until(pred: Callable[[], T], timeout: float = 5.0, step: float = 0.01, *, interval: float | None = None,
               message: str = "") -> T:
    end = time.monotonic() + timeout
    pause = step if interval is None else interval
    while True:
        value = pred()
        if value:
            return value
        if time.monotonic() >= end:
            raise AssertionError(f"not within {timeout:g} s: {message or getattr(pred, '__name__', pred)} "
                                 f"(last value {value!r})")
        time.sleep(pause)


def collect(read: Callable[[], bytes], done: Callable[[bytes], bool], timeout: float = 5.0) -> bytes:
    """Bytes from ``read`` until ``done(bytes so far)`` (or ``timeout``): a reply, whole."""
    buf = bytearray()

    def more() -> bool:
        buf.extend(read())
        return done(bytes(buf))

    try:
        wait_until(more, timeout, step=0.0)
    except AssertionError:
        pass  # the caller asserts on what came
    return bytes(buf)
