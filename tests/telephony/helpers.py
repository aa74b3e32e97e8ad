"""Helpers for the telephony tests: wait for events on a real line."""

from __future__ import annotations

import time

from appliance.telephony.line import AudioFrame, Line, LineEvent


def wait_for(line: Line, kind: type, timeout: float = 5.0, seen: list[LineEvent] | None = None,
             keep_audio: bool = False) -> LineEvent:
    """Drain events until one of ``kind`` arrives; everything drained goes into ``seen``."""
    end = time.monotonic() + timeout
    while True:
        left = end - time.monotonic()
        if left <= 0:
            got = [type(e).__name__ for e in (seen or [])][-15:]
            raise AssertionError(f"no {kind.__name__} within {timeout} s; last events: {got}")
        ev = line.next_event(min(left, 0.2))
        if ev is None:
            continue
        if seen is not None and (keep_audio or not isinstance(ev, AudioFrame)):
            seen.append(ev)
        if isinstance(ev, kind):
            return ev

