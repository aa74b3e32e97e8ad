"""Whole calls through audio: the labelled corpus spoken into the line simulator.

Each caller turn of ../shared/corpus/calls-{en,fr}.dev.jsonl is spoken by a synthetic
caller (English: the piper voice en_US-joe-medium; French: espeak-ng), sent at 8 kHz
through the simulated modem to the real service (driver, recogniser, dialog, qualifier,
call log), and the stored records are scored like `permanence qualify` output.

The caller answers the box's closed urgency question and its read-back of the name and
company truthfully from the ``expect`` object of its line (as `permanence demo --script`
callers do: it learns which question the box asked from the box's own turns in the call
record, then speaks its answer, which the recogniser hears like any other turn).

Targets (issue 13): English through audio, urgent recall 100 %, category >= 90 %, name
>= 90 %, company >= 85 %, callback >= 95 % (urgent precision >= 80 %). French: reported as
a figure only — espeak-ng at 8 kHz is not a human voice and Whisper base mangles it, so this
says nothing about the device's French accuracy (which uses vosk-model-small-fr on real
people). Skipped (no figures) when ../shared/corpus is absent.

Environment: BENCH_AUDIO_LANGS the dev corpora (default en,fr); BENCH_AUDIO_FILES=path1,path2
more corpus files (same format, e.g. a held-out set), each scored on its own as
``qualify.audio_file_<stem>.*``; BENCH_AUDIO_LIMIT=N the first N calls of each file only;
BENCH_AUDIO_LINES the simultaneous lines (default 3); BENCH_AUDIO_DUMP=path appends each call's
record there (JSONL); BENCH_AUDIO_BIAS=0 runs without the
business's words given to the recogniser (the A of the bias A/B).
"""

from __future__ import annotations

import dataclasses
import json
import os
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from bench_qualify import TARGETS, _company_ok, _name_ok, _phone_ok  # noqa: E402

from appliance.config import LineConfig  # noqa: E402
from appliance.demo import BoxPrompts, demo_config  # noqa: E402
from appliance.service import Service  # noqa: E402
from appliance.speech.voices import CallerVoices  # noqa: E402
from appliance.store.record import CallRecord  # noqa: E402
from appliance.telephony import open_line  # noqa: E402
from appliance.telephony.simulator import Simulator  # noqa: E402
from appliance.telephony.simulator.callers import ScriptedCaller  # noqa: E402

CORPUS = ROOT.parent / "shared" / "corpus"
AUDIO_TARGETS = {**TARGETS, "urgent_precision": 0.80}
CALL_LIMIT_S = 300.0


class Collector:
    """The records of finished calls, and a wait for the one a given call produced."""

    def __init__(self) -> None:
        self.ended: dict[str, CallRecord] = {}
        self.cond = threading.Condition()

    def call_event(self, kind: str, rec: CallRecord) -> None:
        if kind == "ended":
            with self.cond:
                self.ended[rec.id] = rec
                self.cond.notify_all()

    def urgent(self, rec: CallRecord) -> None:
        return None

    def known(self) -> set[str]:
        with self.cond:
            return set(self.ended)

    def wait_new(self, line: str, before: set[str], timeout: float) -> CallRecord | None:
        """The first call ended on ``line`` that was not among ``before`` (None after ``timeout``)."""
        def new() -> list[CallRecord]:
            return [r for i, r in self.ended.items() if r.line == line and i not in before]

        with self.cond:
            self.cond.wait_for(lambda: bool(new()), timeout)
            found = new()
        return min(found, key=lambda r: r.started_at) if found else None


def run_corpus(lang: str, calls: list[dict[str, Any]], n_lines: int) -> tuple[list[tuple[dict[str, Any], dict[str, Any]]], float]:
    cfg = demo_config(lang)
    lines = tuple(LineConfig(name=f"sim{i + 1}", driver="sim", country="GB" if lang == "en" else "FR")
                  for i in range(n_lines))
    cfg = dataclasses.replace(cfg, lines=lines)
    voices = CallerVoices()
    sims = {lc.name: Simulator("gsm", country=lc.country, voice=voices.speak) for lc in lines}
    col = Collector()
    box = BoxPrompts()
    results: list[tuple[dict[str, Any], dict[str, Any]]] = []
    t0 = time.monotonic()
    with tempfile.TemporaryDirectory() as tmp:
        speech: Any = True  # the service's own engines (False would be signalling only)
        if os.environ.get("BENCH_AUDIO_BIAS", "1") == "0":
            from appliance.speechio import EngineSpeech

            speech = EngineSpeech(cfg, cache_dir=Path(tmp) / "prompt-cache", bias=False)
        svc = Service(cfg, data_dir=Path(tmp), web_port=0, observers=[col, box], leds=False, speech=speech,
                      line_factory=lambda lc, **kw: open_line(lc, simulator=sims[lc.name], **kw))
        svc.start()
        try:
            if not svc.ready.wait(120):
                raise RuntimeError("lines not ready")
            if svc.speech is None:
                raise RuntimeError("the service runs without speech: nothing would be heard")
            pending = list(calls)
            active: dict[str, tuple[Any, dict[str, Any], float, set[str]]] = {}
            while pending or active:
                for name, sim in sims.items():
                    if name not in active and pending:
                        c = pending.pop(0)
                        caller = ScriptedCaller(id=c["id"], caller_id=c.get("caller_id"), lang=lang,
                                                turns=list(c["turns"]), expect=c.get("expect"),
                                                box_said=box.since_caller(name))
                        active[name] = (sim.place_call(caller), c, time.monotonic(), col.known())
                for name, (handle, c, started, before) in list(active.items()):
                    if handle.done.is_set() or time.monotonic() - started > CALL_LIMIT_S:
                        handle.hang_up()
                        del active[name]
                        rec = col.wait_new(name, before, 60.0)
                        q = dict(rec.qualification or {}) if rec else {}
                        results.append((c, q))
                        _dump(c, rec)
                time.sleep(0.1)
        finally:
            svc.stop()
            for sim in sims.values():
                sim.close()
            voices.close()
    return results, time.monotonic() - t0


def _dump(call: dict[str, Any], rec: CallRecord | None) -> None:
    """BENCH_AUDIO_DUMP=path: each call's record, as stored, one JSON line (to read the misses)."""
    path = os.environ.get("BENCH_AUDIO_DUMP")
    if path:
        with open(path, "a", encoding="utf-8") as f:
            f.write(json.dumps({"id": call["id"], "record": rec.to_dict() if rec else None}, ensure_ascii=False) + "\n")


def score(results: list[tuple[dict[str, Any], dict[str, Any]]]) -> dict[str, float]:
    tp = fp = fn = cat = nm = co = cb = 0
    for c, p in results:
        e = c["expect"]
        pu = bool(p.get("urgent"))
        tp += e["urgent"] and pu
        fn += e["urgent"] and not pu
        fp += pu and not e["urgent"]
        cat += p.get("category") == e["category"]
        nm += _name_ok(e["name"], p.get("name"))
        co += _company_ok(e["company"], p.get("company"))
        cb += _phone_ok(e["callback"], p.get("callback"))
    n = len(results) or 1
    return {"urgent_recall": tp / (tp + fn) if tp + fn else 1.0,
            "urgent_precision": tp / (tp + fp) if tp + fp else 1.0,
            "category": cat / n, "name": nm / n, "company": co / n, "callback": cb / n}


def _report(label: str, results: list[tuple[dict[str, Any], dict[str, Any]]], seconds: float) -> None:
    """Each miss, call by call (the regression rows behind the percentages)."""
    print(f"   {label}: {len(results)} calls through audio in {seconds:.0f} s", flush=True)
    for c, p in results:
        e = c["expect"]
        if bool(p.get("urgent")) != bool(e["urgent"]):
            print(f"     {c['id']} urgent: expected {e['urgent']}, got {p.get('urgent')} ({p.get('urgency')})")
        if p.get("category") != e["category"]:
            print(f"     {c['id']} category: expected {e['category']!r}, got {p.get('category')!r}")
        for key, ok in (("name", _name_ok), ("company", _company_ok), ("callback", _phone_ok)):
            if not ok(e[key], p.get(key)):
                print(f"     {c['id']} {key}: expected {e[key]!r}, got {p.get(key)!r}")


def _load(path: Path, limit: int | None) -> list[dict[str, Any]]:
    return [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines() if x.strip()][:limit]


def _figures(prefix: str, lang: str, figures: dict[str, float]) -> list[dict[str, Any]]:
    out = []
    for key, value in figures.items():
        target = AUDIO_TARGETS[key]
        out.append({"name": f"{prefix}.{key}", "value": round(value * 100, 1), "unit": "%",
                    "target": f">= {target * 100:.0f}" if lang == "en" else "figure only (espeak-ng caller)",
                    "met": value >= target if lang == "en" else True})
    return out


def run() -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    limit = int(os.environ.get("BENCH_AUDIO_LIMIT", "0")) or None
    n_lines = int(os.environ.get("BENCH_AUDIO_LINES", "3"))
    sets: list[tuple[str, str, Path]] = []
    for lang in os.environ.get("BENCH_AUDIO_LANGS", "en,fr").split(","):
        path = CORPUS / f"calls-{lang.strip()}.dev.jsonl"
        if lang.strip() and path.exists():
            sets.append((f"qualify.audio_{lang.strip()}", lang.strip(), path))
    for extra in os.environ.get("BENCH_AUDIO_FILES", "").split(","):
        if extra.strip():
            path = Path(extra.strip())
            calls = _load(path, 1)
            lang = str(calls[0].get("lang", "en")) if calls else "en"
            sets.append((f"qualify.audio_file_{path.stem}", lang, path))
    for prefix, lang, path in sets:
        results, seconds = run_corpus(lang, _load(path, limit), n_lines)
        _report(f"{lang} {path.name}", results, seconds)
        out.extend(_figures(prefix, lang, score(results)))
    return out


if __name__ == "__main__":
    for f in run():
        print(f)
