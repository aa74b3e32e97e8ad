"""``permanence rota`` / ``permanence outbox`` (read-only views)."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pytest

from appliance.alerts.cli import register
from appliance.alerts.manager import AlertManager
from appliance.alerts.outbox import Outbox
from appliance.errors import AlertError

from .helpers import make_config, urgent_record

CONFIG = """
[[lines]]
name = "line1"
[rota]
people = [{ name = "Ann", phone = "+33611111111" }, { name = "Bob", phone = "+33622222222" }]
shifts = [{ person = "Ann", days = ["mon", "tue", "wed", "thu", "fri"], hours = "08:00-18:00" }]
overrides = [{ person = "Bob", start = "2026-12-24", end = "2026-12-26" }]
"""


def _run(argv: list[str]) -> int:
    p = argparse.ArgumentParser()
    register(p.add_subparsers())
    args = p.parse_args(argv)
    return int(args.func(args))


def test_rota_command(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    conf = tmp_path / "p.toml"
    conf.write_text(CONFIG)
    assert _run(["rota", "--config", str(conf), "--days", "3"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("on call now: ") and len(out) == 4
    assert _run(["rota", "--config", str(conf), "--days", "14", "--json"]) == 0
    days = json.loads(capsys.readouterr().out)
    assert len(days) == 14 and all({"date", "weekday", "slots"} <= d.keys() for d in days)


def test_outbox_command_is_read_only(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    conf = tmp_path / "p.toml"
    conf.write_text(CONFIG)
    data = tmp_path / "data"
    m = AlertManager(make_config(mqtt_port=1), data)  # not started: alerts stay queued
    m.urgent(urgent_record("c-cli"))
    (data / "outbox" / ".x.json.tmp-1234").write_text("{")  # a write in progress by the service
    before = sorted(p.name for p in (data / "outbox").iterdir())
    assert _run(["outbox", "--config", str(conf), "--data-dir", str(data)]) == 0
    out = capsys.readouterr().out
    assert "1 alert(s) waiting" in out and "c-cli" in out and "1 urgent call(s) not acknowledged" in out
    assert sorted(p.name for p in (data / "outbox").iterdir()) == before
    with pytest.raises(AlertError):
        Outbox(data, readonly=True).prune_archive(1)
    assert _run(["outbox", "--config", str(conf), "--data-dir", str(tmp_path / "none")]) == 0
