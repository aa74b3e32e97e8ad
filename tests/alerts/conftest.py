from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest

from .broker import Broker


class FakeClock:
    """An accelerated clock: tests move time forward with advance()."""

    def __init__(self, start: float = 1_795_000_000.0) -> None:
        self.now = start
        self._lock = threading.Lock()

    def __call__(self) -> float:
        with self._lock:
            return self.now

    def advance(self, seconds: float) -> None:
        with self._lock:
            self.now += seconds


@pytest.fixture
def broker() -> Iterator[Broker]:
    b = Broker()
    b.start()
    try:
        yield b
    finally:
        b.stop()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()
