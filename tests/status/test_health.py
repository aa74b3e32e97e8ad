"""Health checks: real files, real permissions, real disk usage."""

from __future__ import annotations

import os

from appliance.status.health import PROBE_NAME, log_writable


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
