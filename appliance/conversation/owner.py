"""The owner's rules file: additions to and overrides of the built-in rules, by name.

A rules file that says ``base = "built-in"`` holds only what the business changes; the rest comes from the
built-in ``rules/<lang>.toml`` of the running version, so fixes to the built-in rules keep arriving after an
upgrade. By id: a ``[[categories]]`` entry changes that category's label or levels and adds or replaces its
``[[categories.rules]]``; ``[[urgency]]``, ``[[negations]]``, ``[[routing]]``, ``[[levels]]`` entries add or
replace theirs. An entry with ``remove = true`` takes the built-in one out; ``extend = true`` adds its words
and patterns to the built-in ones. ``[entities]`` lists are added to. ``[lexicons.identity]``,
``[lexicons.matching]`` and ``[[lexicons.templates]]`` change the language file's lists by name
(:func:`appliance.conversation.language.merge_lists`)::

    base = "built-in"
    lang = "fr"
    [[categories]]
    id = "breakdown"
      [[categories.rules]]
      id = "panne.hors_service"
      extend = true
      words = ["en carafe totale"]
    [[urgency]]
    id = "urgence.serres"
    raise = 1
    reason = "les plants risquent le gel"
    words = ["serre", "plants"]
    [lexicons.identity]
    company_heads = ["jardinerie"]
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

from ..errors import QualificationError

BASE = "built-in"
_BY_ID = ("levels", "urgency", "negations", "routing")
_TOP = {"base", "lang", "default_category", "default_route", "levels", "categories", "urgency", "negations",
        "routing", "entities", "lexicons"}


def is_owner_file(data: Mapping[str, Any]) -> bool:
    return data.get("base") == BASE


def merge(builtin: Mapping[str, Any], owner: Mapping[str, Any], source: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """(the rules data with the owner's changes, the owner's lexicon changes)."""
    for k in owner:
        if k not in _TOP:
            raise QualificationError(f"{source}: {k}: unknown key (known keys here: {', '.join(sorted(_TOP))})")
    if owner.get("lang", builtin["lang"]) != builtin["lang"]:
        raise QualificationError(f"{source}: lang: expected {builtin['lang']!r} (the built-in rules it adds to)")
    out = copy.deepcopy(dict(builtin))
    for k in ("default_category", "default_route"):
        if k in owner:
            out[k] = owner[k]
    for k in _BY_ID:
        out[k] = _by_id(out.get(k, []), owner.get(k, []), source, k)
    out["categories"] = _categories(out["categories"], owner.get("categories", []), source)
    entities = owner.get("entities", {})
    if not isinstance(entities, dict):
        raise QualificationError(f"{source}: entities: expected a table [entities]")
    for k, v in entities.items():
        if not isinstance(v, list):
            raise QualificationError(f"{source}: entities.{k}: expected a list")
        out.setdefault("entities", {})[k] = [*out.get("entities", {}).get(k, []), *v]
    lexicons = owner.get("lexicons", {})
    if not isinstance(lexicons, dict):
        raise QualificationError(f"{source}: lexicons: expected a table [lexicons]")
    return out, dict(lexicons)


def _categories(base: list[Any], owner: Any, source: str) -> list[Any]:
    if not isinstance(owner, list):
        raise QualificationError(f"{source}: categories: expected [[categories]] tables")
    by_id = {c["id"]: c for c in base}
    for i, c in enumerate(owner):
        key = f"categories[{i}]"
        if not isinstance(c, dict) or not isinstance(c.get("id"), str):
            raise QualificationError(f"{source}: {key}: expected a table with an id")
        if c["id"] not in by_id:
            base.append(copy.deepcopy(c))  # parse_rules says what is wrong with a new category
            continue
        target = by_id[c["id"]]
        for field, value in c.items():
            if field != "rules":
                target[field] = value
        target["rules"] = _by_id(target.get("rules", []), c.get("rules", []), source, f"{key}.rules")
    return base


def _by_id(base: list[Any], owner: Any, source: str, key: str) -> list[Any]:
    """Entries by id: added, replaced, extended (extend = true) or removed (remove = true)."""
    if not isinstance(owner, list):
        raise QualificationError(f"{source}: {key}: expected [[{key}]] tables")
    out = list(base)
    for i, item in enumerate(owner):
        where = f"{source}: {key}[{i}]"
        if not isinstance(item, dict) or not isinstance(item.get("id"), str):
            raise QualificationError(f"{where}: expected a table with an id")
        flags = {f: item.get(f, False) for f in ("remove", "extend")}
        if not all(isinstance(v, bool) for v in flags.values()):
            raise QualificationError(f"{where}: remove and extend are true or false")
        entry = {k: v for k, v in item.items() if k not in flags}
        at = next((j for j, b in enumerate(out) if b.get("id") == item["id"]), None)
        if (flags["remove"] or flags["extend"]) and at is None:
            raise QualificationError(f"{where}.id: no built-in entry {item['id']!r} to remove or extend")
        if flags["remove"] and at is not None:
            del out[at]
        elif flags["extend"] and at is not None:
            merged = dict(out[at])
            for field, value in entry.items():
                merged[field] = [*merged.get(field, []), *value] if field in ("words", "patterns") else value
            out[at] = merged
        elif at is not None:
            out[at] = entry
        else:
            out.append(entry)
    return out
