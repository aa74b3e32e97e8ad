"""Fault injection for tests and benchmarks: a slow disk, and a kill after the Nth durable write.

Read once from the environment of the process (so a test can set them for a child
process only), or set on :data:`HOOKS` by a benchmark running in-process:

* ``PERMANENCE_FSYNC_DELAY_MS=200`` — every fsync the package makes (files and
  directories, through :func:`appliance.store.atomic.fsync`) waits that long
  first: a slow SD card;
* ``PERMANENCE_KILL_AFTER_WRITES=N`` — the process sends itself SIGKILL right
  after its Nth durable write (:func:`appliance.store.atomic.atomic_write_bytes`
  returned from the rename and the directory fsync), so a test can stop it at
  every write boundary of a call in turn;
* ``PERMANENCE_WRITE_TRACE=FILE`` — each durable write appends its number and
  path to FILE (one line, flushed), so a test learns how many boundaries there are.

Nothing here runs unless one of the variables is set.
"""

from __future__ import annotations

import dataclasses
import os
import signal
import threading
import time


@dataclasses.dataclass
class FaultHooks:
    fsync_delay: float = 0.0
    kill_after_writes: int = 0
    write_trace: str = ""
    writes: int = 0
    lock: threading.Lock = dataclasses.field(default_factory=threading.Lock)

    @classmethod
    def from_env(cls) -> FaultHooks:
        def number(name: str) -> float:
            try:
                return float(os.environ.get(name, "0") or 0)
            except ValueError:
                return 0.0
        return cls(fsync_delay=number("PERMANENCE_FSYNC_DELAY_MS") / 1000.0,
                   kill_after_writes=int(number("PERMANENCE_KILL_AFTER_WRITES")),
                   write_trace=os.environ.get("PERMANENCE_WRITE_TRACE", ""))

    def before_fsync(self) -> None:
        if self.fsync_delay > 0:
            time.sleep(self.fsync_delay)

    def after_write(self, path: str) -> None:
        if not (self.kill_after_writes or self.write_trace):
            return
        with self.lock:
            self.writes += 1
            n = self.writes
            if self.write_trace:
                with open(self.write_trace, "a", encoding="utf-8") as f:
                    f.write(f"{n} {path}\n")
            if self.kill_after_writes and n >= self.kill_after_writes:
                os.kill(os.getpid(), signal.SIGKILL)


HOOKS = FaultHooks.from_env()
