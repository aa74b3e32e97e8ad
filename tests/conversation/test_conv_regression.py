"""Every labelled call is a regression row: the qualifier's decision on each call is compared with the
committed snapshot (``calls/snapshot.jsonl``), call by call. A change of output fails here naming every call
that changed, field by field, until the snapshot is rewritten (``python -m tests.conversation.snapshot``)
and committed with the change. Aggregate figures per corpus are reported by ``make bench``, not asserted."""

from __future__ import annotations

import pytest

from appliance.conversation.labelled import FIELDS, load_calls
from appliance.errors import QualificationError

from .snapshot import CALLS, committed, corpora, current


def test_every_labelled_call_matches_its_snapshot() -> None:
    now, then = current(), committed()
    changed = []
    for key in sorted(now.keys() | then.keys()):
        a, b = then.get(key), now.get(key)
        if a != b:
            fields = sorted(k for k in (a or {}).keys() | (b or {}).keys() if (a or {}).get(k) != (b or {}).get(k))
            changed.append(f"{key[0]}/{key[1]}: " + ", ".join(f"{k} {(a or {}).get(k)!r} -> {(b or {}).get(k)!r}"
                                                              for k in fields))
    assert not changed, f"{len(changed)} call(s) changed:\n" + "\n".join(changed)


def test_the_corpora_are_labelled_and_unique() -> None:
    names = corpora()
    assert {"fr-blind", "fr-own", "fr-more", "fr-probe", "en-own", "en-more", "fr-dev", "en-dev"} <= set(names)
    for name, calls in names.items():
        ids = [c["id"] for c in calls]
        assert len(ids) == len(set(ids)), name
        assert all(c.get("lang", name[:2]) == name[:2] and set(FIELDS) <= set(c["expect"]) for c in calls), name


@pytest.mark.parametrize("line,message", [
    ("{not json", "not valid JSON"),
    ('{"id": "x", "turns": "a turn"}', "expected {id, turns"),
    ('{"id": "x", "turns": ["a"], "expect": {"category": "quote"}}', "expected {id, turns"),
    ('["a list"]', "expected {id, turns"),
])
def test_a_malformed_labelled_line_names_file_and_line(tmp_path: object, line: str, message: str) -> None:
    from pathlib import Path

    p = Path(str(tmp_path)) / "bad.jsonl"
    p.write_text('\n{"id": "ok", "turns": [], "expect": {"category": "other", "urgent": false, "name": null, '
                 '"company": null, "callback": null}}\n' + line + "\n", encoding="utf-8")
    with pytest.raises(QualificationError, match=rf"bad.jsonl:3: {message}"):
        load_calls(p)
    assert CALLS.is_dir()
