"""Labelled calls (the corpus JSONL format) and how a qualification is scored against them.

One call per line: ``{"id", "lang", "caller_id", "turns": [...], "expect": {"category", "urgent", "name",
"company", "callback"}}``. The scoring is the one of the project's ``score_qualify.py``: accents, case and
punctuation ignored; a name is right when every expected word is in it; a company when three quarters of
its meaning words are there with at most two extra; a number by its last nine digits.

>>> score([{"id": "a", "expect": {"category": "quote", "urgent": False, "name": "Jo Ray", "company": None,
...         "callback": "+33612345678"}}],
...       [{"category": "quote", "urgent": False, "name": "Jo Ray", "company": None, "callback": "0612345678"}])
{'urgent_recall': 1.0, 'urgent_precision': 1.0, 'category': 1.0, 'name': 1.0, 'company': 1.0, 'callback': 1.0}
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from ..errors import QualificationError

FIELDS = ("category", "urgent", "name", "company", "callback")
_COMPANY_STOP = frozenset("de du des la le les l d et sarl sas societe chez ets".split())


def load_calls(path: str | Path) -> list[dict[str, Any]]:
    """Every call of a labelled JSONL file; a malformed line is an error naming the file and the line."""
    calls = []
    for n, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            call = json.loads(line)
        except json.JSONDecodeError as exc:
            raise QualificationError(f"{path}:{n}: not valid JSON ({exc.msg})") from None
        if not isinstance(call, dict) or not isinstance(call.get("turns"), list) or \
                not isinstance(call.get("expect"), dict) or not set(FIELDS) <= set(call["expect"]):
            raise QualificationError(f"{path}:{n}: expected {{id, turns: [...], expect: {{{', '.join(FIELDS)}}}}}")
        calls.append(call)
    return calls


def _norm(s: Any) -> str | None:
    """score_qualify.py's normalisation, exactly (unlike :func:`fold`, ligatures stay and "+" goes)."""
    if s is None:
        return None
    s = "".join(c for c in unicodedata.normalize("NFKD", str(s)) if not unicodedata.combining(c)).lower()
    return re.sub(r"[^a-z0-9]+", " ", s).strip() or None


def name_ok(expected: Any, got: Any) -> bool:
    e, g = _norm(expected), _norm(got)
    if e is None or g is None:
        return e == g
    return e == g or set(e.split()) <= set(g.split())


def company_ok(expected: Any, got: Any) -> bool:
    e, g = _norm(expected), _norm(got)
    if e is None or g is None:
        return e == g
    et, gt = set(e.split()) - _COMPANY_STOP, set(g.split()) - _COMPANY_STOP
    return e == g or bool(et and len(et & gt) / len(et) >= 0.75 and len(gt - et) <= 2)


def phone_ok(expected: Any, got: Any) -> bool:
    if expected is None or got is None:
        return expected is None and got is None
    return re.sub(r"\D", "", str(expected))[-9:] == re.sub(r"\D", "", str(got))[-9:]


def score(calls: Sequence[Mapping[str, Any]], outputs: Sequence[Mapping[str, Any]]) -> dict[str, float]:
    """Urgent recall and precision, and the share of calls whose category, name, company, callback are right."""
    tp = fp = fn = cat = nm = co = cb = 0
    for call, out in zip(calls, outputs, strict=True):
        e = call["expect"]
        got = bool(out.get("urgent"))
        tp += e["urgent"] and got
        fn += e["urgent"] and not got
        fp += got and not e["urgent"]
        cat += out.get("category") == e["category"]
        nm += name_ok(e["name"], out.get("name"))
        co += company_ok(e["company"], out.get("company"))
        cb += phone_ok(e["callback"], out.get("callback"))
    n = len(calls) or 1
    return {"urgent_recall": tp / (tp + fn) if tp + fn else 1.0,
            "urgent_precision": tp / (tp + fp) if tp + fp else 1.0,
            "category": cat / n, "name": nm / n, "company": co / n, "callback": cb / n}
