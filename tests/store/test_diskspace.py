"""The disk reserve: what may grow, what is deleted first when room is short, and retention."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from appliance.store.diskspace import DiskSpace


class FakeDisk:
    """Free space = a fixed budget minus the bytes of the files under ``root`` (a file system's view)."""

    def __init__(self, root: Path, total: int, budget: int) -> None:
        self.root, self.total, self.budget = root, total, budget

    def __call__(self, path: Path) -> tuple[int, int]:
        used = sum(p.stat().st_size for p in self.root.rglob("*") if p.is_file())
        return self.total, self.budget - used


def put(path: Path, size: int, age_days: float) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"x" * size)
    t = time.time() - age_days * 86400
    os.utime(path, (t, t))
    return path


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    return {
        "old_capture": put(tmp_path / "captures" / "gsm1.20260101T000000Z.jsonl", 30_000, 20),
        "open_capture": put(tmp_path / "captures" / "gsm1.20260110T000000Z.jsonl", 30_000, 1),
        "delivered": put(tmp_path / "outbox" / "archive" / "abc.json", 10_000, 5),
        "open_alert": put(tmp_path / "outbox" / "def.json", 10_000, 5),
        "old_rec": put(tmp_path / "recordings" / "2026" / "01" / "01" / "a.wav", 100_000, 40),
        "new_rec": put(tmp_path / "recordings" / "2026" / "02" / "01" / "b.wav", 100_000, 2),
    }


def test_room_comes_from_captures_then_delivered_alerts_then_old_recordings(tmp_path: Path,
                                                                          files: dict[str, Path]) -> None:
    disk = DiskSpace(tmp_path, reserve_mb=0.05, reserve_percent=50, retention_days=90,
                     usage=FakeDisk(tmp_path, 10_000_000, 350_000), cache_seconds=0)
    assert disk.reserve_bytes == 50_000
    assert disk.free() == 70_000
    assert disk.may_grow(100_000)  # 70 000 free: 80 000 more needed to keep the reserve
    # the old capture, the delivered alert and the oldest recording went, in that order; the capture
    # being written, the alert still open and the newest recording stay
    assert [n for n, p in files.items() if not p.exists()] == ["old_capture", "delivered", "old_rec"]
    assert not disk.may_grow(300_000)  # 110 000 left: the last recording goes, and that is not enough
    assert disk.refused == 1 and files["open_alert"].exists()


def test_without_retention_recordings_are_never_deleted_for_room(tmp_path: Path, files: dict[str, Path]) -> None:
    disk = DiskSpace(tmp_path, reserve_mb=0.06, reserve_percent=50, retention_days=0,
                     usage=FakeDisk(tmp_path, 10_000_000, 350_000), cache_seconds=0)
    assert not disk.may_grow(100_000)
    assert files["old_rec"].exists() and files["new_rec"].exists()
    assert disk.problem() is not None and disk.problem().startswith("disk nearly full")  # type: ignore[union-attr]


def test_keep_reserve_wins_back_what_the_log_used(tmp_path: Path, files: dict[str, Path]) -> None:
    disk = DiskSpace(tmp_path, reserve_mb=0.1, reserve_percent=50, retention_days=0,
                     usage=FakeDisk(tmp_path, 10_000_000, 320_000), cache_seconds=0)
    assert disk.free() == 40_000 and disk.reserve_bytes == 100_000
    assert disk.keep_reserve() > 0
    assert not files["old_capture"].exists() and not files["delivered"].exists()
    assert files["open_alert"].exists()


def test_retention_expires_recordings_older_than_it(tmp_path: Path, files: dict[str, Path]) -> None:
    disk = DiskSpace(tmp_path, retention_days=30, usage=FakeDisk(tmp_path, 10_000_000, 10_000_000))
    assert disk.expire_recordings() == 1
    assert not files["old_rec"].exists() and files["new_rec"].exists()
    assert DiskSpace(tmp_path, retention_days=0).expire_recordings() == 0
