"""The checks ``make lint`` runs find what they are for (tools/imports.py, tools/deadcode.py)."""

from __future__ import annotations

from pathlib import Path

from vulture import Vulture

from tools.imports import KNOWN, cycles, graph


def test_the_import_graph_has_no_cycle_but_the_known_one() -> None:
    assert [c for c in cycles(graph()) if c not in KNOWN] == []
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


def test_an_unreferenced_function_is_found(tmp_path: Path) -> None:
    (tmp_path / "m.py").write_text("def used():\n    return 1\n\n\ndef forgotten():\n    return 2\n\n\nused()\n")
    v = Vulture()
    v.scavenge([str(tmp_path)])
    assert [i.name for i in v.get_unused_code(min_confidence=60) if i.typ == "function"] == ["forgotten"]
