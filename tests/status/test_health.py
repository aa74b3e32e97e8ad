"""Health checks: real files, real permissions, real disk usage."""

from __future__ import annotations

import os

import pytest

from appliance.status.health import PROBE_NAME, disk_free, lines_polled, log_writable, standard_checks


def test_log_writable_ok_and_leaves_nothing(tmp_path):
    assert log_writable(tmp_path)() is None
    assert not (tmp_path / PROBE_NAME).exists()


def test_log_not_writable(tmp_path):
    missing = tmp_path / "absent"
    problem = log_writable(missing)()
    assert problem and "not writable" in problem and str(missing) in problem



def test_log_readonly_dir(tmp_path):
    ro = tmp_path / "ro"
    ro.mkdir()
    os.chmod(ro, 0o500)
    try:
        problem = log_writable(ro)()
        if os.geteuid() == 0:
            assert problem is None  # root ignores directory permissions
        else:
            assert problem and "not writable" in problem
    finally:
        os.chmod(ro, 0o700)


@pytest.mark.parametrize(
    ("polls", "now", "expected"),
    [
        ({}, 100.0, "no line has been polled yet"),
        ({"line1": 95.0}, 100.0, None),
        ({"line1": 95.0, "line2": 40.0}, 100.0, "line2 (60 s ago)"),
        ({"a": 10.0, "b": 20.0}, 100.0, "a (90 s ago), b (80 s ago)"),
        ({"line1": 70.0}, 100.0, None),  # exactly max_age is still fine
    ],
)
def test_lines_polled(polls, now, expected):
    check = lines_polled(lambda: polls, max_age=30, clock=lambda: now)
    result = check()
    if expected is None:
        assert result is None
    else:
        assert result is not None and expected in result


@pytest.mark.parametrize(("min_bytes", "healthy"), [(1, True), (10**18, False)])
def test_disk_free(tmp_path, min_bytes, healthy):
    result = disk_free(tmp_path, min_bytes=min_bytes)()
    assert (result is None) is healthy
    if not healthy:
        assert result is not None and "retention_days" in result


def test_disk_free_missing_path(tmp_path):
    result = disk_free(tmp_path / "nope")()
    assert result is not None and "cannot measure" in result


def test_standard_checks(tmp_path):
    checks = standard_checks(tmp_path, last_polls=lambda: {"line1": 0.0}, min_free_bytes=1,
                             max_poll_age=1e12)
    assert [c() for c in checks] == [None, None, None]
