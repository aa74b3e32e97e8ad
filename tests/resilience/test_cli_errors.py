"""Every sub-command given bad input answers with one clear line on stderr and a non-zero exit code;
no traceback, and never the "internal error" fallback (issue 15, requirement 7)."""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from appliance.cli import build_parser

ROOT = Path(__file__).resolve().parents[2]
LOG_LINE = re.compile(r"^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d|<\d>)")
ENV = {**os.environ, "PYTHONPATH": str(ROOT)}
ENV.pop("PERMANENCE_DEBUG", None)


def files(tmp: Path) -> dict[str, str]:
    """Bad files of every kind, written once per test."""
    made = {
        "nul_config": '[company]\nname = "ACME\\u0000 SA"\n',
        "bind_config": '[web]\nbind = "not an ip"\n',
        "impossible_data": '[[lines]]\nname = "sim1"\ndriver = "sim"\n[speech]\nenabled = false\n'
                           '[storage]\ndata_dir = "/proc/1/permanence"\n[web]\nport = 0\n',
        "not_toml": "[company\nname = ",
        "bad_json": '{"transcript": "bonjour"\nnot json at all\n\x00\n',
        "bad_wav": "RIFF not a wav",
        "bad_capture": "\x00\x01\x02 garbage, not a capture\n",
        "bad_script": "\x00{not json\n",
    }
    out = {}
    for name, text in made.items():
        p = tmp / name
        p.write_text(text)
        out[name] = str(p)
    out["missing"] = str(tmp / "does-not-exist")
    out["impossible_dir"] = "/proc/1/permanence-data"
    return out


CASES: list[tuple[str, list[str]]] = [
    ("no such command", ["frobnicate"]),
    ("unknown option", ["--bogus"]),
    ("run: missing config", ["run", "--config", "{missing}"]),
    ("run: not a number", ["run", "--web-port", "eighty"]),
    ("run: NUL in a text value", ["run", "--config", "{nul_config}"]),
    ("run: bind not an address", ["run", "--config", "{bind_config}"]),
    ("run: impossible data directory", ["run", "--config", "{impossible_data}"]),
    ("run: not TOML", ["run", "--config", "{not_toml}"]),
    ("demo: negative calls", ["demo", "--calls", "-1", "--no-speech", "--web-port", "0"]),
    ("demo: missing script", ["demo", "--script", "{missing}"]),
    ("demo: script without one good line", ["demo", "--script", "{bad_script}", "--no-speech"]),
    ("demo: impossible data directory", ["demo", "--data", "{impossible_dir}", "--no-speech", "--web-port", "0",
                                         "--calls", "1"]),
    ("demo: bad dialect", ["demo", "--dialect", "fax"]),
    ("calls: no log there", ["calls", "--data", "{missing}"]),
    ("calls: bad date", ["calls", "--data", "/tmp", "--since", "last tuesday"]),
    ("calls: bad format", ["calls", "--format", "xml"]),
    ("calls: bad config", ["calls", "--config", "{not_toml}"]),
    ("config: bad action", ["config", "frobnicate"]),
    ("config check: bind", ["config", "check", "--config", "{bind_config}"]),
    ("config check: NUL", ["config", "check", "--config", "{nul_config}"]),
    ("prompts: no action", ["prompts"]),
    ("prompts list: missing config", ["prompts", "list", "--config", "{missing}"]),
    ("prompts render: bad language", ["prompts", "render", "--lang", "xx"]),
    ("qualify: bad language", ["qualify", "--lang", "xx"]),
    ("qualify: bad rules file", ["qualify", "--rules", "{not_toml}"]),
    ("simulate: bad port", ["simulate", "--tcp-port", "http"]),
    ("simulate: missing corpus", ["simulate", "--corpus", "{missing}"]),
    ("replay: missing file", ["replay", "{missing}", "--driver", "gsm"]),
    ("replay: bad driver", ["replay", "{bad_capture}", "--driver", "fax"]),
    ("capture export: no data", ["capture", "export", "--data", "{missing}"]),
    ("capture export: bad date", ["capture", "export", "--data", "/tmp", "--since", "soon"]),
    ("doctor: missing config", ["doctor", "--config", "{missing}"]),
    ("doctor: bad timeout", ["doctor", "--timeout", "never"]),
    ("passwd: missing config", ["passwd", "--config", "{missing}"]),
    ("passwd: impossible data directory", ["passwd", "--data-dir", "{impossible_dir}"]),
    ("speech: no action", ["speech"]),
    ("speech models: bad language", ["speech", "models", "--lang", "xx"]),
    ("speech say: impossible output", ["speech", "say", "bonjour", "-o", "/proc/1/x.wav"]),
    ("speech transcribe: missing file", ["speech", "transcribe", "{missing}"]),
    ("speech transcribe: not a WAV", ["speech", "transcribe", "{bad_wav}"]),
    ("rota: missing config", ["rota", "--config", "{missing}"]),
    ("rota: bad days", ["rota", "--days", "many"]),
    ("outbox: missing config", ["outbox", "--config", "{missing}"]),
]


@pytest.mark.parametrize(("what", "argv"), CASES, ids=[c[0] for c in CASES])
def test_bad_input_is_one_clear_line(tmp_path: Path, what: str, argv: list[str]) -> None:
    f = files(tmp_path)
    args = [a.format(**f) for a in argv]
    r = subprocess.run([sys.executable, "-m", "appliance.cli", *args], capture_output=True, text=True, cwd=tmp_path,
                       env=ENV, timeout=120, stdin=open(f["bad_json"]))
    assert r.returncode != 0, f"{what}: exit 0\n{r.stdout[-500:]}\n{r.stderr[-1500:]}"
    assert "Traceback" not in r.stderr, f"{what}:\n{r.stderr[-3000:]}"
    assert "internal error" not in r.stderr, f"{what}: a bug, not a clear error:\n{r.stderr[-1500:]}"
    # the service's log lines (a timestamp first) and the demo's notices of skipped script lines may come
    # too; the error for the user is one line
    said = [ln for ln in r.stderr.splitlines() if ln.strip() and not LOG_LINE.match(ln) and ": skipped: " not in ln]
    assert len(said) == 1 and said[0].startswith("permanence"), f"{what}:\n{r.stderr[-1500:]}"


def _commands(parser: argparse.ArgumentParser, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    """Every command and sub-command of ``parser``, as the argv words that name it."""
    out: list[tuple[str, ...]] = []
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                out.append((*prefix, name))
                out.extend(_commands(sub, (*prefix, name)))
    return out


def test_every_sub_command_has_a_bad_input_case() -> None:
    """A sub-command added later gets its bad-input case here too."""
    commands = _commands(build_parser())
    assert ("speech", "models") in commands and ("config", "check") in commands  # the walk reaches sub-commands
    words = [tuple(w for w in argv if not w.startswith(("-", "{"))) for _, argv in CASES]
    missing = [" ".join(c) for c in commands if not any(w[:len(c)] == c for w in words)]
    assert missing == []
