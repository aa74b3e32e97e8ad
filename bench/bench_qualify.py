"""Qualification speed (per call, target ≤ 5 ms) and accuracy on the dev corpora when present.

Accuracy uses the same normalisation as ../shared/tools/score_qualify.py. Run alone with
``PYTHONPATH=. python bench/bench_qualify.py``.
"""

from __future__ import annotations

import json
import random
import re
import statistics
import time
import unicodedata
from pathlib import Path
from typing import Any

from appliance.conversation.qualifier import Qualifier

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT.parent / "shared" / "corpus"
TARGETS = {"urgent_recall": 1.0, "urgent_precision": 0.90, "category": 0.90, "name": 0.90, "company": 0.85,
           "callback": 0.95}

_REASONS = [
    "bonjour notre compresseur est en panne toute la production est à l'arrêt il faut venir tout de suite",
    "je voudrais un devis pour l'entretien de nos trois chaudières",
    "le convoyeur fait un bruit bizarre mais ce n'est pas urgent",
    "c'est au sujet de la facture du mois dernier il y a une erreur sur le montant",
    "est-ce que vous intervenez le samedi et quels sont vos tarifs",
    "je voudrais décaler le rendez-vous de jeudi à lundi",
]
_WHO = ["paul durand de la menuiserie du lac", "claire petit société des transports alpins", "marc roy"]
_NUMBERS = ["zéro six douze trente-quatre cinquante-six soixante-dix-huit", "sur ce numéro",
            "zéro quatre quatre-vingt-onze zéro zéro cent onze", "pas besoin de me rappeler"]


def _generated(n: int, seed: int = 7) -> list[list[str]]:
    rng = random.Random(seed)
    return [[rng.choice(_REASONS), rng.choice(_WHO), rng.choice(_NUMBERS)] for _ in range(n)]


def _norm(s: Any) -> str | None:
    if s is None:
        return None
    s = unicodedata.normalize("NFKD", str(s))
    s = "".join(c for c in s if not unicodedata.combining(c)).lower()
    return re.sub(r"[^a-z0-9]+", " ", s).strip() or None


def _name_ok(exp: Any, got: Any) -> bool:
    e, g = _norm(exp), _norm(got)
    if e is None or g is None:
        return e == g
    return e == g or set(e.split()) <= set(g.split())


def _company_ok(exp: Any, got: Any) -> bool:
    e, g = _norm(exp), _norm(got)
    if e is None or g is None:
        return e == g
    stop = {"de", "du", "des", "la", "le", "les", "l", "d", "et", "sarl", "sas", "societe", "chez", "ets"}
    et, gt = set(e.split()) - stop, set(g.split()) - stop
    return e == g or bool(et and len(et & gt) / len(et) >= 0.75 and len(gt - et) <= 2)


def _phone_ok(exp: Any, got: Any) -> bool:
    if exp is None or got is None:
        return exp is None and got is None
    return re.sub(r"\D", "", exp)[-9:] == re.sub(r"\D", "", str(got))[-9:]


def accuracy(path: Path, lang: str) -> dict[str, float]:
    q = Qualifier.load(lang)
    country = "GB" if lang == "en" else "FR"
    calls = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    tp = fp = fn = cat = nm = co = cb = 0
    for c in calls:
        e = c["expect"]
        p = q.qualify(c["turns"], c.get("caller_id"), country=country)
        tp += e["urgent"] and p.urgent
        fn += e["urgent"] and not p.urgent
        fp += p.urgent and not e["urgent"]
        cat += p.category == e["category"]
        nm += _name_ok(e["name"], p.name)
        co += _company_ok(e["company"], p.company)
        cb += _phone_ok(e["callback"], p.callback)
    n = len(calls) or 1
    return {"urgent_recall": tp / (tp + fn) if tp + fn else 1.0,
            "urgent_precision": tp / (tp + fp) if tp + fp else 1.0,
            "category": cat / n, "name": nm / n, "company": co / n, "callback": cb / n}


def run() -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    q = Qualifier.load("fr")
    calls = _generated(500)
    for turns in calls[:20]:
        q.qualify(turns, "+33612345678")  # warm up
    times = []
    cpu = []
    for turns in calls:
        c0 = time.thread_time()
        t0 = time.perf_counter()
        q.qualify(turns, "+33612345678")
        times.append((time.perf_counter() - t0) * 1000)
        cpu.append((time.thread_time() - c0) * 1000)
    times.sort()
    cpu.sort()
    p50 = statistics.median(times)
    p95 = times[int(len(times) * 0.95) - 1]
    out.append({"name": "qualify.time_p50", "value": round(p50, 3), "unit": "ms", "target": "<= 5",
                "met": p50 <= 5})
    out.append({"name": "qualify.time_p95", "value": round(p95, 3), "unit": "ms", "target": "<= 5",
                "met": p95 <= 5})
    # wall-clock p95 includes preemption on a loaded machine; CPU time is the work itself
    cpu95 = cpu[int(len(cpu) * 0.95) - 1]
    out.append({"name": "qualify.cpu_p95", "value": round(cpu95, 3), "unit": "ms", "target": "<= 5",
                "met": cpu95 <= 5})
    for lang in ("fr", "en"):
        path = CORPUS / f"calls-{lang}.dev.jsonl"
        if not path.exists():
            continue
        for key, value in accuracy(path, lang).items():
            target = TARGETS[key]
            out.append({"name": f"qualify.{lang}.{key}", "value": round(value * 100, 1), "unit": "%",
                        "target": f">= {target * 100:.0f}", "met": value >= target})
    return out


if __name__ == "__main__":
    for row in run():
        print(json.dumps(row, ensure_ascii=False))
