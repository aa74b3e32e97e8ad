"""The systemd units, checked with systemd's own tools (systemd-analyze, sysusers, tmpfiles).

``systemd-analyze verify`` fails on a unit whose ``ExecStart`` binary does not
exist, and ``/opt/permanence/venv/bin/permanence`` (and ``/opt/permanence/firstboot.sh``)
exist only on the device. So each unit is verified twice: the original, where
the only complaint allowed is that missing executable, and a copy whose
``ExecStart`` points at an executable that exists here, which must verify clean
(no error, no unknown key, no warning).
"""

from __future__ import annotations

import configparser
import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
UNITS = sorted((ROOT / "systemd").glob("*.service"))
ANALYZE = shutil.which("systemd-analyze")


def _verify(unit: Path) -> subprocess.CompletedProcess[str]:
    assert ANALYZE, "systemd-analyze is required (Debian package 'systemd')"
    return subprocess.run([ANALYZE, "verify", "--man=no", str(unit)], capture_output=True, text=True,
                          timeout=60, cwd=unit.parent)


def _copy_all(tmp_path: Path, exec_start: str | None) -> Path:
    for u in UNITS:
        text = u.read_text()
        if exec_start is not None:
            text = re.sub(r"(?m)^ExecStart=\S+", f"ExecStart={exec_start}", text)
        (tmp_path / u.name).write_text(text)
    return tmp_path


def test_units_exist():
    assert {u.name for u in UNITS} == {"permanence.service", "permanence-firstboot.service"}


@pytest.mark.parametrize("unit", [u.name for u in UNITS])
def test_verify_with_existing_executable(unit, tmp_path):
    d = _copy_all(tmp_path, exec_start=shutil.which("true"))
    r = _verify(d / unit)
    out = r.stdout + r.stderr
    assert r.returncode == 0, out
    assert out.strip() == "", out  # not even an "Unknown key ... ignoring" warning


@pytest.mark.parametrize("unit", [u.name for u in UNITS])
def test_verify_original_only_misses_the_device_executable(unit, tmp_path):
    d = _copy_all(tmp_path, exec_start=None)
    r = _verify(d / unit)
    complaints = [ln for ln in (r.stdout + r.stderr).splitlines() if ln.strip()]
    assert complaints, "expected the missing on-device executable to be reported"
    for ln in complaints:
        assert "is not executable" in ln and "/opt/permanence/" in ln, ln


def test_verify_catches_a_broken_unit(tmp_path):
    """The check is real: a typo in a directive is reported."""
    d = _copy_all(tmp_path, exec_start=shutil.which("true"))
    bad = d / "permanence.service"
    bad.write_text(bad.read_text().replace("Restart=on-failure", "Restart=on-failur"))
    r = _verify(bad)
    assert "on-failur" in r.stdout + r.stderr


def _service() -> configparser.ConfigParser:
    cp = configparser.ConfigParser(strict=False, interpolation=None)
    cp.optionxform = str  # type: ignore[assignment,method-assign]
    cp.read(ROOT / "systemd" / "permanence.service")
    return cp


def test_service_contract():
    """What the issue asks of the unit (beyond what systemd itself checks)."""
    text = (ROOT / "systemd" / "permanence.service").read_text()
    cp = _service()
    svc, unit = cp["Service"], cp["Unit"]
    assert svc["Type"] == "notify" and svc["NotifyAccess"] == "main"
    assert int(svc["WatchdogSec"]) > 0
    assert svc["Restart"] == "on-failure"
    assert "StartLimitIntervalSec" in unit and "StartLimitBurst" in unit
    assert "StartLimit" not in "".join(svc.keys())
    assert svc["User"] == "permanence"
    assert set(svc["SupplementaryGroups"].split()) == {"dialout", "gpio", "audio"}
    assert svc["StateDirectory"] == "permanence" and svc["ConfigurationDirectory"] == "permanence"
    assert svc["ExecStart"] == ("/opt/permanence/venv/bin/permanence run "
                                "--config /etc/permanence/permanence.toml")
    assert not re.search(r"(?m)^PrivateDevices=(yes|true|1)", text)
    assert svc["DevicePolicy"] == "closed"
    allowed = re.findall(r"(?m)^DeviceAllow=(\S+)", text)
    for dev in ("char-ttyUSB", "char-ttyAMA", "char-ttyS", "char-gpiochip", "char-alsa"):
        assert dev in allowed
    assert svc["ProtectSystem"] == "strict" and svc["NoNewPrivileges"] == "yes"


def test_device_classes_exist_on_linux():
    """DeviceAllow=char-NAME must name a driver listed in /proc/devices to match anything."""
    rows = [ln.split() for ln in Path("/proc/devices").read_text().splitlines()]
    names = {r[1] for r in rows if len(r) == 2 and r[0].isdigit()}
    # ttyS and ttyUSB... depend on loaded drivers; these two are always present on a Linux host
    assert "ttyS" in names and "tty" in names


def test_sysusers_and_tmpfiles_apply_to_a_root(tmp_path):
    root = tmp_path / "root"
    (root / "etc").mkdir(parents=True)
    (root / "etc" / "passwd").write_text("root:x:0:0:root:/root:/bin/sh\n")
    (root / "etc" / "group").write_text("root:x:0:\ndialout:x:20:\naudio:x:29:\n")
    r = subprocess.run(["systemd-sysusers", f"--root={root}", str(ROOT / "systemd" / "permanence.sysusers")],
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    passwd = (root / "etc" / "passwd").read_text()
    assert re.search(r"(?m)^permanence:x:\d+:\d+:.*:/var/lib/permanence:/usr/sbin/nologin$", passwd)
    groups = {ln.split(":")[0]: ln.split(":")[3].split(",") for ln in
              (root / "etc" / "group").read_text().splitlines()}
    for g in ("dialout", "gpio", "audio"):
        assert "permanence" in groups[g]
    shadow = root / "etc" / "shadow"
    if shadow.exists():  # a system user has no usable password
        entry = next(ln for ln in shadow.read_text().splitlines() if ln.startswith("permanence:"))
        assert entry.split(":")[1] in ("!", "!*", "*", "!!")
    r = subprocess.run(["systemd-tmpfiles", f"--root={root}", "--create",
                        str(ROOT / "systemd" / "permanence.tmpfiles")],
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    assert (root / "var/lib/permanence/models").is_dir()
    assert (root / "etc/permanence").stat().st_mode & 0o777 == 0o750
