"""Shared helpers for the capture tests: run many replays at once, and summarise what a driver derived."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from appliance.capture.replay import ReplayEvent, ReplayOptions, ReplayResult, replay

DATA = Path(__file__).resolve().parent / "data"
JSONL = DATA / "jsonl"
PARALLEL = 8
"""Replays mostly wait (the drivers' own timers), so several run at once without skewing them."""


def forms(stem: str, sub: str = "") -> list[Path]:
    """The pasted-log form and the JSONL form of one capture."""
    text = DATA / sub / f"{stem}.log" if sub else DATA / f"{stem}.log"
    return [text, JSONL / f"{stem}.jsonl"]


def run_many(jobs: Sequence[tuple[str, Path, ReplayOptions]]) -> dict[str, ReplayResult]:
    """Replay every (key, file, options) concurrently; results by key."""
    def one(job: tuple[str, Path, ReplayOptions]) -> tuple[str, ReplayResult]:
        key, path, opt = job
        return key, replay(path, opt)

    with ThreadPoolExecutor(PARALLEL) as ex:
        return dict(ex.map(one, jobs))


def who(f: dict[str, Any]) -> str:
    if f.get("withheld"):
        base = "withheld"
    elif f.get("unavailable"):
        base = "unavailable"
    else:
        base = f.get("number") or "-"
    return f"{base}/{f['name']}" if f.get("name") else base


def story(events: Iterable[ReplayEvent]) -> list[str]:
    """Events as short strings (``ready`` left out): ``ringing#2 +33612345678``, ``hung_up:caller``..."""
    out = []
    for e in events:
        f = e.fields
        if e.event == "ready":
            continue
        if e.event == "ringing":
            out.append(f"ringing#{f['count']} {who(f)}")
        elif e.event in ("caller_id", "call_waiting"):
            out.append(f"{e.event} {who(f)}")
        elif e.event in ("hung_up", "missed"):
            out.append(f"{e.event}:{f['by']}")
        elif e.event == "dtmf":
            out.append(f"dtmf:{f['digit']}")
        elif e.event == "sms":
            out.append(f"sms:{f['sender']}:{f['text']}")
        elif e.event == "unparsed":
            out.append(f"unparsed:{f['line']}")
        else:
            out.append(e.event)
    return out


def last_caller(events: Iterable[ReplayEvent]) -> tuple[Any, ...] | None:
    """(number, name, withheld, unavailable) of the last ringing/caller_id event."""
    found = None
    for e in events:
        if e.event in ("ringing", "caller_id"):
            f = e.fields
            found = (f["number"], f["name"], f["withheld"], f["unavailable"])
    return found
