"""``permanence qualify``: plain and JSONL modes, malformed lines, a real subprocess."""

from __future__ import annotations

import argparse
import io
import json
import os
import subprocess
import sys
from pathlib import Path

from appliance.conversation.cli import register, run

ROOT = Path(__file__).resolve().parents[2]


def _args(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    register(parser.add_subparsers(dest="command"))
    return parser.parse_args(["qualify", *argv])


def _run(argv: list[str], stdin: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = run(_args(*argv), io.StringIO(stdin), out, err)
    return code, out.getvalue(), err.getvalue()


def test_plain_transcript_with_caller_id() -> None:
    code, out, err = _run(["--caller-id", "+33655443322"],
                          "le portail ne s'ouvre plus les camions attendent\nhugo brunet transports brunet\nsur ce numéro\n")
    assert code == 0 and err == ""
    d = json.loads(out)
    assert d["category"] == "breakdown" and d["urgent"] is True
    assert (d["name"], d["company"], d["callback"]) == ("Hugo Brunet", "Transports Brunet", "+33655443322")


def test_jsonl_keeps_going_after_malformed_lines() -> None:
    lines = [
        json.dumps({"id": "a", "caller_id": "+33611111111", "turns": ["je voudrais un devis", "léo vidal", ""]}),
        "{not json",
        json.dumps({"id": "b", "turns": "not a list"}),
        "",
        json.dumps(["a", "list"]),
        json.dumps({"id": "c", "caller_id": None, "lang": "en",
                    "turns": ["what time do you open", "amy rose", "oh seven seven double oh nine hundred one two three"]}),
        json.dumps({"id": "d", "turns": ["x"], "lang": "de"}),
    ]
    code, out, err = _run(["--jsonl"], "\n".join(lines) + "\n")
    assert code == 1
    got = [json.loads(x) for x in out.splitlines()]
    assert [g["id"] for g in got] == ["a", "c"]
    assert got[0]["category"] == "quote" and got[0]["callback"] == "+33611111111"
    assert got[1]["category"] == "info" and got[1]["callback"] == "+447700900123"
    assert "line 2" in err and "line 3" in err and "line 5" in err and "line 7" in err and "line 4" not in err
    assert "4 line(s)" in err


def test_bad_rules_file_is_a_clear_error(tmp_path: Path) -> None:
    p = tmp_path / "r.toml"
    p.write_text("lang = 'fr'\nlevels = 3\n", encoding="utf-8")
    code, out, err = _run(["--rules", str(p)], "bonjour\n")
    assert code == 2 and out == "" and str(p) in err


def test_as_a_process_utf8_output() -> None:
    call = {"id": "z", "caller_id": "+33612345678", "turns": ["la chaudière est en panne", "hélène lebœuf", ""]}
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.run([sys.executable, "-m", "appliance.conversation.cli", "qualify", "--jsonl"],
                          input=json.dumps(call) + "\n", capture_output=True, text=True, env=env, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert "Hélène" in proc.stdout  # ensure_ascii=False
    assert json.loads(proc.stdout)["id"] == "z"
