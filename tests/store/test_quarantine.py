"""A corrupt, truncated or wrong-shape file of the call log never stops the writer: it goes to
quarantine/ with a log line, its readable records are kept, and new calls are logged."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from appliance.store.calllog import CallLog, CallLogReader
from appliance.store.days import agg_path, day_paths
from appliance.store.record import CallRecord, iso, new_call_id

YESTERDAY = dt.datetime.now(dt.UTC) - dt.timedelta(days=1)


def rec(when: dt.datetime, **kw: object) -> CallRecord:
    return CallRecord(id=new_call_id("l1", when), line="l1", started_at=iso(when), state="answered",
                      **kw)  # type: ignore[arg-type]


def seed(root: Path) -> tuple[CallRecord, CallRecord]:
    """Two calls yesterday, their day file, index and aggregates on disk."""
    a, b = rec(YESTERDAY, caller_number="+33611111111"), rec(YESTERDAY + dt.timedelta(seconds=1))
    with CallLog(root) as log:
        log.create(a)
        log.create(b)
        assert log.flush(10)
    return a, b


DAY_FILE_DAMAGE = {
    "garbage": lambda good: b"\x00\x01garbage\xff",
    "truncated": lambda good: good[: len(good) // 2],
    "empty list": lambda good: b"[]",
    "calls not a table": lambda good: b'{"calls": [1, 2]}',
    "a record of the wrong shape": lambda good: json.dumps(
        {"calls": {**json.loads(good)["calls"], "9": ["not", "a", "record"]}}).encode(),
    "a record without started_at": lambda good: json.dumps(
        {"calls": {**json.loads(good)["calls"], "9": {"id": "20200101T000000-l1-aaaaaa", "line": "l1"}}}).encode(),
}


@pytest.mark.parametrize("damage", DAY_FILE_DAMAGE)
def test_a_bad_day_file_goes_to_quarantine_and_the_log_goes_on(tmp_path: Path, damage: str) -> None:
    a, b = seed(tmp_path)
    day_file, _ = day_paths(tmp_path, YESTERDAY.date())
    good = day_file.read_bytes()
    day_file.write_bytes(DAY_FILE_DAMAGE[damage](good))
    with CallLog(tmp_path) as log:
        log.recover()  # what the service does at start: no exception
        moved = list((tmp_path / "quarantine").iterdir())
        assert len(moved) == 1 and moved[0].name.startswith("calls__")
        assert moved[0].read_bytes() == DAY_FILE_DAMAGE[damage](good)  # kept for a person, unchanged
        assert any(day_file.name in p for p in log.problems())
        # new calls, yesterday's and today's, are logged as usual
        late = rec(YESTERDAY + dt.timedelta(seconds=5))
        now = rec(dt.datetime.now(dt.UTC))
        log.create(late)
        log.create(now)
        log.update(now.id, lambda r: setattr(r, "state", "abandoned"))
    ids = {r.id for r in CallLogReader(tmp_path).calls()}
    kept = {a.id, b.id} if damage.startswith("a record") else set()  # readable records stay
    assert ids == kept | {late.id, now.id}


@pytest.mark.parametrize("which", ["index", "aggregate"])
@pytest.mark.parametrize("payload", [b"{trunc", b'{"stamp": null, "rows": "x"}', b"[]"])
def test_a_bad_index_or_aggregate_is_moved_aside_and_rebuilt(tmp_path: Path, which: str,
                                                            payload: bytes) -> None:
    a, b = seed(tmp_path)
    _day_file, idx = day_paths(tmp_path, YESTERDAY.date())
    target = idx if which == "index" else agg_path(tmp_path, YESTERDAY.date())
    target.write_bytes(payload)
    with CallLog(tmp_path) as log:
        log.recover()
        assert log.flush(10)
        assert {r["id"] for r in log.summaries()} == {a.id, b.id}
        assert log.day_aggregates()[0][1]["calls"] == 2
    assert json.loads(target.read_bytes())["stamp"] is not None  # written again, current
    if payload != b'{"stamp": null, "rows": "x"}':  # a stale one is rebuilt; a corrupt one is kept aside too
        assert [p.name.split("__")[-1].split(".json")[0] for p in (tmp_path / "quarantine").iterdir()] == [
            target.name.removesuffix(".json")]


def test_a_day_file_corrupted_while_the_service_runs_is_moved_at_read_time(tmp_path: Path) -> None:
    a, _b = seed(tmp_path)
    day_file, _ = day_paths(tmp_path, YESTERDAY.date())
    with CallLog(tmp_path) as log:
        log.recover()
        day_file.write_bytes(b'{"calls": {"1": {"id": "x"')  # something else wrote it
        assert log.get(a.id) is None  # read time: skipped, moved aside
        assert len(list((tmp_path / "quarantine").iterdir())) == 1
        today = rec(dt.datetime.now(dt.UTC))
        log.create(today)
        assert log.get(today.id) is not None


def test_the_cli_reader_names_bad_files_without_moving_them(tmp_path: Path) -> None:
    seed(tmp_path)
    day_file, _ = day_paths(tmp_path, YESTERDAY.date())
    day_file.write_bytes(b"[]")
    reader = CallLogReader(tmp_path)
    assert reader.calls() == []
    assert reader.unreadable and day_file.name in reader.unreadable[0]
    assert day_file.read_bytes() == b"[]" and not (tmp_path / "quarantine").exists()
