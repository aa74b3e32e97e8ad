"""The committed output of the qualifier on every labelled call (``calls/snapshot.jsonl``).

``test_conv_regression.py`` compares the qualifier with it call by call. After a deliberate change, rewrite
it and commit it with the change (its diff is the review of what the change did, call by call)::

    PYTHONPATH=. python -m tests.conversation.snapshot
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from appliance.conversation.labelled import load_calls
from appliance.conversation.qualifier import Qualifier

CALLS = Path(__file__).with_name("calls")
SNAPSHOT = CALLS / "snapshot.jsonl"
KEPT = ("category", "urgent", "urgency", "name", "company", "callback", "possibly_urgent", "decisive")
COUNTRY = {"fr": "FR", "en": "GB"}


def corpora() -> dict[str, list[dict[str, Any]]]:
    """Every labelled corpus of the repository, by file name (``fr-blind``, ``en-dev``...)."""
    return {p.stem: load_calls(p) for p in sorted(CALLS.glob("*.jsonl")) if p != SNAPSHOT}


def outputs(calls: list[dict[str, Any]], lang: str) -> list[dict[str, Any]]:
    q = Qualifier.load(lang)
    return [q.qualify(c["turns"], c.get("caller_id"), country=COUNTRY[lang], call_id=c["id"]).to_dict()
            for c in calls]


def current() -> dict[tuple[str, str], dict[str, Any]]:
    """(corpus, call id) -> the qualifier's decision now."""
    out: dict[tuple[str, str], dict[str, Any]] = {}
    for name, calls in corpora().items():
        for call, d in zip(calls, outputs(calls, name.split("-")[0]), strict=True):
            out[(name, call["id"])] = {k: d[k] for k in KEPT}
    return out


def committed() -> dict[tuple[str, str], dict[str, Any]]:
    rows = [json.loads(line) for line in SNAPSHOT.read_text(encoding="utf-8").splitlines() if line.strip()]
    return {(r.pop("corpus"), r.pop("id")): r for r in rows}


def main() -> None:
    with SNAPSHOT.open("w", encoding="utf-8") as f:
        for (name, cid), d in current().items():
            f.write(json.dumps({"corpus": name, "id": cid, **d}, ensure_ascii=False) + "\n")
    print(f"{SNAPSHOT}: rewritten")


if __name__ == "__main__":
    main()
