"""The durable call log: behaviour, concurrency, corruption, and kill -9 at any instant."""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import signal
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest

from appliance.errors import CorruptFileError, StoreError, StoreLockedError
from appliance.store.atomic import atomic_write_bytes, atomic_write_json, read_json
from appliance.store.calllog import CallLog, CallLogReader
from appliance.store.record import CallRecord, day_of_call_id, iso, new_call_id

ROOT = Path(__file__).resolve().parents[2]


def rec(line: str = "l1", when: dt.datetime | None = None, **kw: object) -> CallRecord:
    when = when or dt.datetime.now(dt.UTC)
    return CallRecord(id=new_call_id(line, when), line=line, started_at=iso(when), **kw)  # type: ignore[arg-type]


def test_create_get_update_and_query(tmp_path: Path) -> None:
    with CallLog(tmp_path) as log:
        a = rec(caller_number="+33612345678")
        log.create(a)
        assert log.get(a.id) is not None
        log.update(a.id, lambda r: r.turns.append({"speaker": "caller", "text": "allô", "start": 0, "end": 1}))
        log.update(a.id, lambda r: setattr(r, "state", "answered"))
        got = log.get(a.id)
        assert got is not None and got.state == "answered" and got.turns[0]["text"] == "allô"
        old = rec(when=dt.datetime.now(dt.UTC) - dt.timedelta(days=40), state="abandoned")
        log.create(old)
        assert [c.id for c in log.calls()] == [a.id, old.id]  # newest first
        recent = log.calls(since=dt.datetime.now(dt.UTC) - dt.timedelta(days=7))
        assert [c.id for c in recent] == [a.id]
        rows = log.summaries()
        assert {r["id"]: r["state"] for r in rows} == {a.id: "answered", old.id: "abandoned"}
        with pytest.raises(StoreError, match="already exists"):
            log.create(a)
        with pytest.raises(StoreError, match="no call"):
            log.update(new_call_id("l1"), lambda r: None)
        assert log.get("not-an-id") is None


def test_one_writer_many_readers(tmp_path: Path) -> None:
    log = CallLog(tmp_path)
    with pytest.raises(StoreLockedError, match="another Permanence process"):
        CallLog(tmp_path)
    reader = CallLogReader(tmp_path)
    assert reader.writer_alive()
    log.close()
    assert not reader.writer_alive()
    CallLog(tmp_path).close()  # the lock is released on close


def test_readers_see_whole_records_while_the_writer_writes(tmp_path: Path) -> None:
    log = CallLog(tmp_path)
    stop = threading.Event()
    errors: list[BaseException] = []

    def read_loop() -> None:
        reader = CallLogReader(tmp_path)
        while not stop.is_set():
            try:
                for r in reader.calls():
                    assert r.id and r.started_at
                reader.summaries()
            except BaseException as exc:  # collected and asserted below
                errors.append(exc)
                return

    threads = [threading.Thread(target=read_loop) for _ in range(2)]
    for t in threads:
        t.start()
    for i in range(60):
        r = rec(caller_number=f"+3361234{i:04d}")
        log.create(r)
        log.update(r.id, lambda x: setattr(x, "state", "answered"))
    stop.set()
    for t in threads:
        t.join()
    log.close()
    assert errors == []
    assert len(CallLogReader(tmp_path).calls()) == 60


def test_recover_marks_open_calls_interrupted(tmp_path: Path) -> None:
    with CallLog(tmp_path) as log:
        ringing = rec(state="ringing")
        talking = rec(state="in_call", answered_at=iso())
        done = rec(state="answered")
        for r in (ringing, talking, done):
            log.create(r)
    with CallLog(tmp_path) as log:
        fixed = log.recover()
        assert sorted(fixed) == sorted([ringing.id, talking.id])
        for cid in fixed:
            got = log.get(cid)
            assert got is not None and got.state == "interrupted" and got.ended_at
            assert got.events[-1]["kind"] == "interrupted"
        got = log.get(done.id)
        assert got is not None and got.state == "answered"
        assert log.recover() == []


def test_stale_index_is_rebuilt_from_the_day_file(tmp_path: Path) -> None:
    with CallLog(tmp_path) as log:
        a = rec(state="answered")
        log.create(a)
    idx = next(tmp_path.glob("calls/*/*/*.idx.json"))
    # simulate a crash between the day-file write and the index write
    atomic_write_json(idx, {"stamp": [0, 0], "rows": []})
    reader = CallLogReader(tmp_path)
    assert [r["id"] for r in reader.summaries()] == [a.id]
    assert reader.day_aggregates()[0][1]["calls"] == 1


def test_a_reader_skips_a_corrupt_day_file_and_names_it(tmp_path: Path) -> None:
    with CallLog(tmp_path) as log:
        a = rec()
        log.create(a)
    day_file = next(p for p in tmp_path.glob("calls/*/*/*.json") if p.name.count(".") == 1)
    day_file.write_bytes(b'{"calls": {"1": {"id": "x"')  # what a non-atomic writer leaves after a power cut
    reader = CallLogReader(tmp_path)
    assert reader.get(a.id) is None
    assert len(reader.unreadable) == 1 and day_file.name in reader.unreadable[0]
    assert day_file.exists()  # a reader never moves a file: the writer does (tests/store/test_quarantine.py)


@pytest.mark.parametrize("payload", [b"", b"\x00\x01", b"[1, 2]"])
def test_read_json_rejects_garbage(tmp_path: Path, payload: bytes) -> None:
    p = tmp_path / "x.json"
    p.write_bytes(payload)
    if payload == b"[1, 2]":
        assert read_json(p) == [1, 2]
    else:
        with pytest.raises(CorruptFileError, match="corrupt JSON"):
            read_json(p)


def test_atomic_write_leaves_no_partial_file(tmp_path: Path) -> None:
    p = tmp_path / "f.bin"
    atomic_write_bytes(p, b"old")
    atomic_write_bytes(p, b"new")
    assert p.read_bytes() == b"new"
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    with pytest.raises(StoreError, match="cannot write"):
        atomic_write_bytes(blocker / "x", b"data")
    assert not list(tmp_path.glob(".*.tmp-*"))


def test_day_partition_from_call_id() -> None:
    when = dt.datetime(2026, 3, 9, 23, 59, tzinfo=dt.UTC)
    cid = new_call_id("gsm1", when)
    assert cid.startswith("20260309T235900-gsm1-")
    assert day_of_call_id(cid) == dt.date(2026, 3, 9)
    with pytest.raises(ValueError):
        day_of_call_id("garbage")


WRITER = textwrap.dedent("""
    import sys, time, random
    from appliance.store.calllog import CallLog
    from appliance.store.record import CallRecord, new_call_id, iso
    log = CallLog(sys.argv[1])
    log.recover()
    rnd = random.Random(int(sys.argv[2]))
    while True:
        r = CallRecord(id=new_call_id("l1"), line="l1", started_at=iso(), state="ringing",
                       caller_number="+336%08d" % rnd.randrange(10**8))
        log.create(r)
        print("created", r.id, flush=True)
        for i in range(rnd.randint(1, 6)):
            log.update(r.id, lambda x: x.turns.append({"speaker": "caller", "text": "x" * 200, "start": i, "end": i}))
        log.update(r.id, lambda x: setattr(x, "state", "answered"))
        print("ended", r.id, flush=True)
""")


def test_sigkill_at_any_instant_loses_nothing(tmp_path: Path) -> None:
    """Kill -9 the writer many times in the middle of writes; every created call survives,
    no file is corrupt, and calls cut off mid-way end up interrupted."""
    data = tmp_path / "data"
    script = tmp_path / "writer.py"
    script.write_text(WRITER)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    created: set[str] = set()
    ended: set[str] = set()
    rnd = random.Random(42)
    for round_ in range(25):
        proc = subprocess.Popen([sys.executable, str(script), str(data), str(round_)], stdout=subprocess.PIPE,
                                text=True, env=env)
        assert proc.stdout is not None
        lines: list[str] = []
        reader = threading.Thread(target=lines.extend, args=(proc.stdout,))
        reader.start()
        # let it write for a random while, then kill it without warning, mid-write
        time.sleep(rnd.uniform(0.3, 1.2))
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        reader.join()
        for line in lines:
            if not line.endswith("\n"):
                continue  # the kill cut this line short: the call it names may or may not be on disk yet
            kind, _, cid = line.strip().partition(" ")
            if cid:
                (created if kind == "created" else ended).add(cid)
    assert len(created) > 50
    with CallLog(data) as log:
        interrupted = set(log.recover())
        records = {r.id: r for r in log.calls()}
    assert created <= set(records), f"lost: {created - set(records)}"
    for cid, r in records.items():
        assert r.state in ("answered", "interrupted"), (cid, r.state)
        if cid in ended:
            assert r.state == "answered"
    # a call killed between its creation and its report may be interrupted without being reported,
    # but no call that was reported finished is ever marked interrupted
    assert not (interrupted & ended)
    # every file parses, and no temp file is left behind
    for p in data.rglob("*.json"):
        json.loads(p.read_bytes())
    assert not list(data.rglob(".*.tmp-*"))
