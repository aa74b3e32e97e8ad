"""``permanence replay`` and ``permanence capture export`` through their argparse registration."""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from appliance.capture import cli
from appliance.capture.writer import CaptureWriter
from appliance.errors import PermanenceError

from .helpers import DATA

ROOT = Path(__file__).resolve().parents[2]


def run(argv: list[str]) -> int:
    p = argparse.ArgumentParser(prog="permanence")
    sub = p.add_subparsers(dest="command")
    cli.register(sub)
    args = p.parse_args(argv)
    return int(args.func(args))


def test_replay_json_one_object_per_event(capsys: pytest.CaptureFixture[str]) -> None:
    rc = run(["replay", str(DATA / "gsm_sim800_dtmf.log"), "--driver", "gsm", "--json", "--speed", "0"])
    assert rc == 0
    rows = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    assert [r["event"] for r in rows] == ["ready", "ringing", "answered", "dtmf", "dtmf", "hung_up", "end"]
    ring = rows[1]
    assert (ring["number"], ring["number_type"], ring["withheld"], ring["unavailable"], ring["count"]) == (
        "+33612345678", 129, False, False, 1)  # E.164 for the line's country; the modem's form beside it
    assert ring["raw"] == "0612345678"
    assert rows[5]["by"] == "caller" and rows[5]["capture_line"] == 12  # the NO CARRIER line of the log
    assert rows[-1]["commands_from_capture"] >= 3 and rows[-1]["timed_out"] is False


def test_replay_readable_and_country(capsys: pytest.CaptureFixture[str]) -> None:
    rc = run(["replay", str(DATA / "voice_uk_cid_before_first_ring.log"), "--driver", "voicemodem",
              "--caller-id-country", "GB", "--speed", "0"])
    out = capsys.readouterr().out
    assert rc == 0
    assert "ringing #1 from +442079460000 (name 'SMITH J', given as '02079460000')" in out
    assert "missed by caller" in out and out.splitlines()[-1].startswith("end:")


def test_replay_reports_unparsed_lines(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    f = tmp_path / "odd.log"
    f.write_bytes(b'RING\r\n+CLIP: "0612345678",129\r\n+XYZZY: 1,2\r\nNO CARRIER\r\n')
    assert run(["replay", str(f), "--driver", "gsm", "--json", "--speed", "0"]) == 0
    rows = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    assert {"event": "unparsed", "line": "+XYZZY: 1,2"}.items() <= next(
        r for r in rows if r["event"] == "unparsed").items()


def test_replay_bad_input_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(PermanenceError, match="no such capture file"):
        run(["replay", str(tmp_path / "nope.log"), "--driver", "gsm"])
    with pytest.raises(SystemExit):
        run(["replay", "x.log", "--driver", "gsm", "--speed", "fast"])
    with pytest.raises(SystemExit):
        run(["replay", "x.log", "--driver", "isdn"])


def test_export_filters_by_line_and_since(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cap = tmp_path / "captures"
    now = [0.0]
    for name in ("gsm1", "fixe"):
        now[0] = 1795770000.0  # 09:00 UTC, then 10:00
        w = CaptureWriter(cap, name, max_bytes=100_000, days=3650, clock=lambda: now[0])
        w.record("rx", b"RING")
        now[0] += 3600
        w.record("rx", f"{name} later".encode())
        w.close()
        assert w.path is not None
        os.utime(w.path, (now[0], now[0]))  # written at the (simulated) time of its last record
    out = tmp_path / "out.jsonl"
    assert run(["capture", "export", "--data", str(tmp_path), "--line", "gsm1", "-o", str(out)]) == 0
    rows = [json.loads(x) for x in out.read_text().splitlines()]
    assert rows[0]["line"] == "gsm1" and [r.get("data") for r in rows[1:]] == ["RING", "gsm1 later"]
    assert run(["capture", "export", "--data", str(tmp_path), "--since", "2026-11-27T09:30:00+00:00"]) == 0
    text = capsys.readouterr().out
    assert "gsm1 later" in text and "fixe later" in text and '"RING"' not in text
    assert run(["capture", "export", "--data", str(tmp_path), "--line", "nope"]) == 1
    with pytest.raises(PermanenceError, match="no captures here"):
        run(["capture", "export", "--data", str(tmp_path / "empty")])
    with pytest.raises(PermanenceError, match="--since"):
        run(["capture", "export", "--data", str(tmp_path), "--since", "last tuesday"])


def test_export_of_two_lines_needs_a_line_to_replay(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cap = tmp_path / "captures"
    for name in ("gsm1", "gsm2"):
        with CaptureWriter(cap, name, max_bytes=100_000, days=30) as w:
            w.record("rx", b"RING")
            w.record("rx", b'+CLIP: "0612345678",129')
            w.record("rx", b"NO CARRIER")
    out = tmp_path / "both.jsonl"
    assert run(["capture", "export", "--data", str(tmp_path), "-o", str(out)]) == 0
    with pytest.raises(PermanenceError, match="choose one with --line"):
        run(["replay", str(out), "--driver", "gsm"])
    capsys.readouterr()
    assert run(["replay", str(out), "--driver", "gsm", "--line", "gsm2", "--json", "--speed", "0"]) == 0
    events = [json.loads(x)["event"] for x in capsys.readouterr().out.splitlines()]
    assert events == ["ready", "ringing", "missed", "end"]


def test_replay_as_a_command(tmp_path: Path) -> None:
    """The registered command run in its own process, as a user would (argparse wiring included)."""
    code = ("import argparse, sys\nfrom appliance.capture import cli\n"
            "p = argparse.ArgumentParser(prog='permanence'); s = p.add_subparsers(); cli.register(s)\n"
            "a = p.parse_args(sys.argv[1:]); sys.exit(a.func(a))\n")
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    r = subprocess.run([sys.executable, "-c", code, "replay", str(DATA / "gsm_call_waiting.log"), "--driver", "gsm",
                        "--json", "--speed", "0"], env=env, capture_output=True, text=True, timeout=120, check=False)
    assert r.returncode == 0, r.stderr
    events = [json.loads(x)["event"] for x in r.stdout.splitlines()]
    assert events == ["ready", "ringing", "answered", "call_waiting", "hung_up", "end"]


@pytest.mark.parametrize("kw", [{"driver": "isdn"}, {"country": "XX"}, {"speed": -1.0}, {"timeout": 0.0}])
def test_bad_replay_options_are_clear_errors(kw: dict[str, object]) -> None:
    from appliance.capture.replay import ReplayOptions

    with pytest.raises(PermanenceError, match="replay: "):
        ReplayOptions(**kw)  # type: ignore[arg-type]


def test_replay_offline_names_the_line_of_each_event(capsys: pytest.CaptureFixture[str]) -> None:
    rc = run(["replay", str(DATA / "gsm_missed_call_sim7600.log"), "--driver", "gsm", "--offline", "--country", "GB"])
    out = capsys.readouterr().out
    assert rc == 0
    assert "ringing #1 from +447700900123 (type 145)   <- line 2: '+CLIP: \"+447700900123\",145,,,,0'" in out
    assert "missed by caller ('MISSED_CALL: 10:30AM +447700900123')   <- line 9" in out
