"""Waiting in tests: on a condition, never on time (STYLE 13).

``wait_until(pred, timeout)`` polls ``pred`` until it is true and returns True,
or returns False after ``timeout`` seconds; assert on its result. A check that
something did *not* happen first waits for a positive event proving the system
went past the moment it would have happened, then asserts.
"""

from __future__ import annotations

import time
from collections.abc import Callable


def wait_until(pred: Callable[[], object], timeout: float = 5.0, step: float = 0.01) -> bool:
    end = time.monotonic() + timeout
    while True:
        if pred():
            return True
        if time.monotonic() >= end:
            return bool(pred())
        time.sleep(step)


def collect(read: Callable[[], bytes], done: Callable[[bytes], bool], timeout: float = 5.0) -> bytes:
    """Bytes from ``read`` until ``done(bytes so far)`` (or ``timeout``): a reply, whole."""
    buf = bytearray()

    def more() -> bool:
        buf.extend(read())
        return done(bytes(buf))

    wait_until(more, timeout, step=0.0)
    return bytes(buf)
