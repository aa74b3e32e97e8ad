"""Replay must not crash or hang on any input: empty, garbage, binary junk, 10 MB, mutated captures."""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from waiting import wait_until

from appliance.capture.formats import parse_bytes
from appliance.capture.replay import ReplayOptions, replay
from appliance.capture.script import build_script

from .helpers import DATA, JSONL, run_many

SEEDS = [p.read_bytes() for p in sorted(DATA.glob("*.log"))[:6]] + [
    p.read_bytes() for p in sorted(JSONL.glob("*.jsonl"))[:6]]


@pytest.fixture
def thread_errors() -> Iterator[list[Any]]:
    """Every exception that kills a thread during the test (the drivers, the fake modem, the timeline)."""
    errors: list[Any] = []
    old = threading.excepthook
    threading.excepthook = lambda args: errors.append(args)
    try:
        yield errors
    finally:
        threading.excepthook = old


def mutate(data: bytes, rng: random.Random) -> bytes:
    b = bytearray(data)
    for _ in range(rng.randint(1, 40)):
        op = rng.random()
        pos = rng.randrange(len(b) + 1)
        if op < 0.3 and b:
            del b[pos: pos + rng.randint(1, 30)]
        elif op < 0.6:
            b[pos:pos] = bytes(rng.randrange(256) for _ in range(rng.randint(1, 20)))
        elif op < 0.8:
            b[pos:pos] = rng.choice([b"\r\n", b"\x10", b"\x10\x03", b"RING\r\n", b"ATA\r", b"OK\r\n",
                                     b"NO CARRIER\r\n", b'+CLIP: "",,,,,\r\n', b"{", b'"dir": "rx"', b"\xff"])
        elif b:
            j = rng.randrange(len(b))
            b[pos:pos] = b[j: j + rng.randint(1, 200)]
    return bytes(b)


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=3000))
def test_parsing_never_raises_on_bytes(raw: bytes) -> None:
    p = parse_bytes(raw)
    build_script(p.records)


@settings(max_examples=200, deadline=None)
@given(st.integers(min_value=0, max_value=10**9))
def test_parsing_never_raises_on_mutated_captures(seed: int) -> None:
    rng = random.Random(seed)
    p = parse_bytes(mutate(rng.choice(SEEDS), rng))
    build_script(p.records)


def test_replays_of_junk_end_cleanly(tmp_path: Path, thread_errors: list[Any]) -> None:
    rng = random.Random(9)
    files: list[tuple[str, Path, ReplayOptions]] = []
    contents = {
        "empty": b"",
        "blank": b"\r\n\n\r\r\n   \n",
        "binary": bytes(rng.randrange(256) for _ in range(64_000)),
        "nul-lines": b"\x00" * 5000 + b"\nRING\n" + b"\x00\r\n" * 2000,
        "one-huge-line": b"+CLIP: \"" + b"9" * 300_000 + b"\",129\r\nRING\r\n",
        "dle-storm": b"\x10" * 20_000 + b"RING\n\x10b\x10\x10\x10",
        "json-lookalike": b'{"capture": "permanence"}\n{"dir": "rx", "b64": "!!!"}\n{"dir": "rx", "data": 5}\n',
    }
    for i in range(9):
        contents[f"mutated-{i}"] = mutate(rng.choice(SEEDS), rng)
    for name, data in contents.items():
        path = tmp_path / f"{name}.log"
        path.write_bytes(data)
        driver = "voicemodem" if len(files) % 2 else "gsm"
        files.append((name, path, ReplayOptions(driver, speed=0, timeout=12)))  # type: ignore[arg-type]
    start = time.monotonic()
    results = run_many(files)
    assert time.monotonic() - start < 60
    assert set(results) == set(contents)
    for r in results.values():
        assert r.events  # at least what the driver did (ready, or a fault)
    assert not thread_errors


def test_ten_megabyte_capture_is_bounded_by_the_timeout(tmp_path: Path, thread_errors: list[Any]) -> None:
    rng = random.Random(10)
    lines = [b"RING", b'+CLIP: "0612345678",129,"",0,"",0', b"NO CARRIER", b"AT+CSQ", b"+CSQ: 20,99", b"OK",
             b"NMBR = 0612345678", b"\x10b", b"garbage \xff\xfe"]
    out = bytearray()
    while len(out) < 10 * 1024 * 1024:
        if rng.random() < 0.1:
            out += bytes(rng.randrange(256) for _ in range(rng.randint(1, 300))) + b"\n"
        else:
            out += rng.choice(lines) + rng.choice([b"\r\n", b"\n", b"\r\r\n"])
    path = tmp_path / "big.log"
    path.write_bytes(bytes(out))
    start = time.monotonic()
    r = replay(path, ReplayOptions("gsm", speed=0, timeout=5))
    took = time.monotonic() - start
    assert r.records > 400_000
    assert r.timed_out
    assert r.events[-1].event == "timeout"
    assert took < 5 + 30  # parsing the 10 MB, then at most the timeout and the driver's close
    assert any(e.event == "ringing" for e in r.events)
    assert not thread_errors


def test_replay_leaves_no_thread_or_file_descriptor(tmp_path: Path) -> None:
    import os

    garbage = tmp_path / "garbage.log"
    garbage.write_bytes(bytes(random.Random(3).randrange(256) for _ in range(5000)))
    jobs = [DATA / "gsm_call_waiting.log", DATA / "voice_loop_break_hangup.log", garbage]
    threads = threading.active_count()
    fds = len(os.listdir("/proc/self/fd"))
    for i, path in enumerate(jobs):
        replay(path, ReplayOptions("gsm" if i != 1 else "voicemodem", speed=0, timeout=20))
    assert wait_until(lambda: threading.active_count() <= threads, 3)
    assert threading.active_count() == threads
    assert len(os.listdir("/proc/self/fd")) <= fds
