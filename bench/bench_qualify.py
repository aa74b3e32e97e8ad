"""The qualifier: speed (per call, target ≤ 5 ms), and accuracy per labelled corpus, on clean text and through
a recognition-error model (:mod:`appliance.conversation.errormodel`: lower case, no punctuation, numbers as a recogniser writes them,
then 10, 20 and 30 % of the words deleted, replaced by a near word or preceded by a filler; three seeds).

Every labelled corpus of the repository (tests/conversation/calls/*.jsonl) is scored the way
../shared/tools/score_qualify.py scores (:mod:`appliance.conversation.labelled`). Clean figures carry the
project's targets (they are reported, not asserted by the tests); through errors, each language's calls
together carry the targets at 20 % (urgent recall ≥ 95, precision ≥ 85, category ≥ 85, callback ≥ 95 %;
name and company reported), and every corpus is reported at every rate. Run alone with
``PYTHONPATH=. python bench/bench_qualify.py``.
"""

from __future__ import annotations

import json
import random
import re
import statistics
import time
from pathlib import Path
from typing import Any

from appliance.conversation.errormodel import damage
from appliance.conversation.labelled import company_ok, load_calls, name_ok, phone_ok, score
from appliance.conversation.numbers import digits_said, find_phone
from appliance.conversation.qualifier import Qualifier

ROOT = Path(__file__).resolve().parent.parent
CALLS = ROOT / "tests" / "conversation" / "calls"
COUNTRY = {"fr": "FR", "en": "GB"}
TARGETS = {"urgent_recall": 1.0, "urgent_precision": 0.90, "category": 0.90, "name": 0.90, "company": 0.85,
           "callback": 0.95}
NOISY_TARGETS = {"urgent_recall": 0.95, "urgent_precision": 0.85, "category": 0.85, "callback": 0.95}
RATES = (0.10, 0.20, 0.30)
_name_ok, _company_ok, _phone_ok = name_ok, company_ok, phone_ok  # bench_audio scores with the same rules
SEEDS = (1, 2, 3)

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


def _row(name: str, value: float, unit: str, target: str, met: bool, note: str = "") -> dict[str, Any]:
    row: dict[str, Any] = {"name": name, "value": value, "unit": unit, "target": target, "met": met}
    return row | ({"note": note} if note else {})


def speed() -> list[dict[str, Any]]:
    q = Qualifier.load("fr")
    calls = _generated(500)
    for turns in calls[:20]:
        q.qualify(turns, "+33612345678")  # warm up
    times, cpu = [], []
    for turns in calls:
        find_phone.cache_clear()  # the generated calls repeat a few numbers: no call is helped by another's
        c0, t0 = time.thread_time(), time.perf_counter()
        q.qualify(turns, "+33612345678")
        times.append((time.perf_counter() - t0) * 1000)
        cpu.append((time.thread_time() - c0) * 1000)
    times.sort()
    cpu.sort()
    p50, p95, cpu95 = statistics.median(times), times[int(len(times) * 0.95) - 1], cpu[int(len(cpu) * 0.95) - 1]
    # wall-clock p95 includes preemption on a loaded machine; CPU time is the work itself
    return [_row("qualify.time_p50", round(p50, 3), "ms", "<= 5", p50 <= 5),
            _row("qualify.time_p95", round(p95, 3), "ms", "<= 5", p95 <= 5),
            _row("qualify.cpu_p95", round(cpu95, 3), "ms", "<= 5", cpu95 <= 5)]


def _outputs(q: Qualifier, calls: list[dict[str, Any]], lang: str, rate: float = 0.0,
             seed: int = 0) -> list[dict[str, Any]]:
    out = []
    for c in calls:
        turns = damage(c["turns"], rate, seed=seed, lang=lang) if rate else c["turns"]
        out.append(q.qualify(turns, c.get("caller_id"), country=COUNTRY[lang]).to_dict())
    return out


def accuracy() -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    corpora = {p.stem: load_calls(p) for p in sorted(CALLS.glob("*.jsonl")) if p.stem != "snapshot"}
    outs: dict[tuple[str, float, int], list[dict[str, Any]]] = {}
    for name, calls in corpora.items():
        lang = name.split("-")[0]
        q = Qualifier.load(lang)
        for key, value in score(calls, _outputs(q, calls, lang)).items():
            rows.append(_row(f"qualify.{name}.{key}", round(value * 100, 1), "%", f">= {TARGETS[key] * 100:.0f}",
                             value >= TARGETS[key], f"{len(calls)} calls, clean text"))
        for rate in RATES:
            for seed in SEEDS:
                outs[(name, rate, seed)] = _outputs(q, calls, lang, rate, seed)
            runs = [score(calls, outs[(name, rate, seed)]) for seed in SEEDS]
            for key in TARGETS:
                values = [r[key] for r in runs]
                rows.append(_row(f"qualify.{name}.errors{rate * 100:.0f}.{key}",
                                 round(statistics.mean(values) * 100, 1), "%", "reported", True,
                                 f"seeds {SEEDS}: {min(values) * 100:.0f}-{max(values) * 100:.0f} %"))
    return rows + _pooled(corpora, outs)


def _reachable(call: dict[str, Any], lang: str, rate: float, seed: int) -> bool:
    """Can any reader of the damaged words get the callback right? It needs no number said (none expected, or
    the caller id's), or every digit of the number said is still in the words, in order and together."""
    want = re.sub(r"\D", "", str(call["expect"].get("callback") or ""))[-9:]
    cid = re.sub(r"\D", "", str(call.get("caller_id") or ""))[-9:]
    if not want or want == cid:
        return True
    turns = damage(call["turns"], rate, seed=seed, lang=lang)
    return want in "".join(digits_said(t, lang) for t in turns)


def _ceiling(lang: str, calls: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The callback figure no qualifier of text can pass at each rate: the words that carried a digit are gone."""
    rows = []
    for rate in RATES:
        shares = [sum(_reachable(c, lang, rate, seed) for c in calls) / len(calls) for seed in SEEDS]
        rows.append(_row(f"qualify.{lang}.errors{rate * 100:.0f}.callback_reachable",
                         round(statistics.mean(shares) * 100, 1), "%", "reported", True,
                         "calls whose damaged words still hold every digit of the number to call back, or that "
                         "need none said: about the ceiling of callback for the qualifier alone (an estimate: a "
                         "digit word misspelt beyond the number reader's repairs counts as lost, and the score "
                         "compares the last 9 digits); the dialog reads the number back and asks again"))
    return rows


def _pooled(corpora: dict[str, list[dict[str, Any]]],
            outs: dict[tuple[str, float, int], list[dict[str, Any]]]) -> list[dict[str, Any]]:
    """Each language's calls together, per rate; the targets apply at 20 %."""
    rows = []
    for lang in sorted({name.split("-")[0] for name in corpora}):
        names = [name for name in corpora if name.split("-")[0] == lang]
        calls = [c for name in names for c in corpora[name]]
        for rate in RATES:
            per_seed = [score(calls, [o for name in names for o in outs[(name, rate, seed)]]) for seed in SEEDS]
            for key in TARGETS:
                value = statistics.mean(r[key] for r in per_seed)
                target = NOISY_TARGETS.get(key) if abs(rate - 0.20) < 1e-9 else None
                rows.append(_row(f"qualify.{lang}.errors{rate * 100:.0f}.{key}", round(value * 100, 1), "%",
                                 f">= {target * 100:.0f}" if target else "reported",
                                 value >= target if target else True,
                                 f"{len(calls)} calls x {len(SEEDS)} seeds; worst seed "
                                 f"{min(r[key] for r in per_seed) * 100:.0f} %"))
        rows.extend(_ceiling(lang, calls))
        rows.extend(_asked(lang, calls, [[o for name in names for o in outs[(name, 0.20, seed)]] for seed in SEEDS]))
    return rows


def _asked(lang: str, calls: list[dict[str, Any]], per_seed: list[list[dict[str, Any]]]) -> list[dict[str, Any]]:
    """Urgent calls the qualifier decides urgent, or leaves possibly urgent (or claimed urgent) so that the dialog
    puts its closed question: an urgent call is lost on a real call only when it is neither."""
    urgent = [i for i, c in enumerate(calls) if c["expect"]["urgent"]]
    others = [i for i, c in enumerate(calls) if not c["expect"]["urgent"]]

    def asked(o: dict[str, Any]) -> bool:
        return bool(o.get("urgent") or o.get("possibly_urgent") or o.get("caller_claims_urgent"))

    reached = [sum(asked(outs[i]) for i in urgent) / (len(urgent) or 1) for outs in per_seed]
    bothered = [sum(asked(outs[i]) and not outs[i].get("urgent") for i in others) / (len(others) or 1)
                for outs in per_seed]
    note = f"{len(urgent)} urgent calls x {len(SEEDS)} seeds; worst seed {min(reached) * 100:.0f} %"
    return [_row(f"qualify.{lang}.errors20.urgent_decided_or_asked", round(statistics.mean(reached) * 100, 1), "%",
                 "reported", True, note + "; decided urgent, or put to the closed question by the dialog"),
            _row(f"qualify.{lang}.errors20.non_urgent_asked", round(statistics.mean(bothered) * 100, 1), "%",
                 "reported", True, f"{len(others)} calls that are not urgent but get the closed question")]


def run() -> list[dict[str, Any]]:
    return speed() + accuracy()


if __name__ == "__main__":
    for row in run():
        print(json.dumps(row, ensure_ascii=False))
