"""The whole conversation with recognition errors, in both languages (issue 13 items 1, 4, 8; issue 14 item 5).

`bench_qualify` damages a call's turns and gives them to the qualifier alone; a real call is a dialog: the box
asks the closed urgency question, reads back the name, the company and the number, asks to spell. Here every
labelled call is played against the real :class:`~appliance.conversation.dialog.ScriptedDialog`, turn by turn,
with a simulated caller that behaves as the line simulator's: it answers the box's closed question, read-backs,
retries and spelling requests truthfully from its labels (``telephony/simulator/answers/<lang>.toml``), keys the
number when the box could not hear it, and otherwise says its next scripted turn. Everything the caller says -
scripted turns and answers alike - goes through the recognition-error model
(:mod:`appliance.conversation.errormodel`) at 0, 10, 20 and 30 % of the words, seeds 1-3, before the dialog
hears it. No confidences are given (the damaged words are not flagged as doubtful, which a real recogniser
often does), so this is the pessimistic side of the audio path; French gets the same measure as English,
which no French voice here allows through audio.

``BENCH_DIALOG_FILES=a.jsonl,b.jsonl`` scores further labelled files (a held-out set) on their own.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import statistics
from collections import Counter
from pathlib import Path
from typing import Any

from appliance.config import CompanyConfig
from appliance.conversation.base import CallContext, Reply
from appliance.conversation.dialog import ScriptedDialog
from appliance.conversation.errormodel import damage
from appliance.conversation.labelled import load_calls, score
from appliance.conversation.qualifier import Qualifier
from appliance.telephony.simulator.answers import answer, keys

ROOT = Path(__file__).resolve().parent.parent
CALLS = ROOT / "tests" / "conversation" / "calls"
COUNTRY = {"fr": "FR", "en": "GB"}
RATES = (0.0, 0.10, 0.20, 0.30)
SEEDS = (1, 2, 3)
FIELDS = ("urgent_recall", "urgent_precision", "category", "name", "company", "callback")
# through the dialog at 20 % of the words damaged: what the read-backs and the closed question are for
TARGETS_20 = {"urgent_recall": 0.95, "urgent_precision": 0.85, "category": 0.85, "name": 0.80, "company": 0.75,
              "callback": 0.95}
MAX_EXCHANGES = 20
WEDNESDAY_10H = dt.datetime(2026, 11, 25, 10, 0, tzinfo=dt.UTC)  # office hours: the same dialog every run


def play(call: dict[str, Any], dialog: ScriptedDialog, rate: float, seed: int) -> dict[str, Any]:
    """One call: the dialog's final qualification after the simulated caller has said all it would."""
    lang = str(call["lang"])
    expect = call.get("expect")
    script = list(call["turns"])
    reply = dialog.start(CallContext(call_id=str(call["id"]), caller_number=call.get("caller_id")))
    said: Counter[str] = Counter()  # how often the caller said each thing: its n-th saying has its own draw
    for _ in range(MAX_EXCHANGES):
        if reply.hangup:
            break
        prompts = [(p.key, p.text) for p in reply.say]
        pressed = keys(prompts, expect)
        if pressed:
            reply = dialog.dtmf(pressed)
            continue
        text = answer(prompts, expect, lang)
        if text is None:
            if not script:
                reply = dialog.silence()
                continue
            text = script.pop(0)
        said[text] += 1  # the draw depends on what is said, not on how many things came before: a question
        # added to the dialog does not change the damage of every later answer (a fair A/B, call by call)
        heard = damage([text], rate, seed=seed * 1000 + said[text], lang=lang)[0] if rate else text
        reply = _hear(dialog, heard)
    dialog.hung_up()
    q = dialog.qualification()
    return q.to_dict() if q is not None else {}  # its JSON form: what labelled.score compares


def _hear(dialog: ScriptedDialog, heard: str) -> Reply:
    return dialog.hear(heard) if heard.strip() else dialog.silence()


def run_set(calls: list[dict[str, Any]], lang: str, rate: float, seed: int) -> list[dict[str, Any]]:
    qualifier = Qualifier.load(lang)
    company = CompanyConfig(name="Martin Industrial Maintenance" if lang == "en" else "Maintenance Industrielle Martin")
    return [play(c, ScriptedDialog(company, lang, qualifier, clock=lambda: WEDNESDAY_10H,
                                         country=COUNTRY[lang]), rate, seed) for c in calls]


def _row(name: str, value: float, target: float | None, note: str) -> dict[str, Any]:
    return {"name": name, "value": round(value * 100, 1), "unit": "%",
            "target": f">= {target * 100:.0f}" if target is not None else "reported",
            "met": value >= target if target is not None else True, "note": note}


def measure(prefix: str, calls: list[dict[str, Any]], lang: str) -> list[dict[str, Any]]:
    rows = []
    for rate in RATES:
        seeds = SEEDS if rate else (0,)
        runs = [score(calls, run_set(calls, lang, rate, seed)) for seed in seeds]
        for key in FIELDS:
            values = [r[key] for r in runs]
            target = TARGETS_20.get(key) if abs(rate - 0.20) < 1e-9 else None
            rows.append(_row(f"{prefix}.errors{rate * 100:.0f}.{key}", statistics.mean(values), target,
                             f"{len(calls)} calls x {len(seeds)} seed(s); worst {min(values) * 100:.0f} %"))
    return rows


def run() -> list[dict[str, Any]]:
    sets: dict[str, list[dict[str, Any]]] = {}
    for path in sorted(CALLS.glob("*.jsonl")):
        if path.stem != "snapshot":
            sets.setdefault(path.stem.split("-")[0], []).extend(load_calls(path))
    rows = []
    for lang, calls in sorted(sets.items()):
        rows += measure(f"dialog.{lang}", calls, lang)
    for extra in os.environ.get("BENCH_DIALOG_FILES", "").split(","):
        if extra.strip():
            path = Path(extra.strip())
            calls = load_calls(path)
            if calls:
                rows += measure(f"dialog.file_{path.stem}", calls, str(calls[0].get("lang", "en")))
    return rows


if __name__ == "__main__":
    for r in run():
        print(json.dumps(r, ensure_ascii=False))
