"""The qualification rules file the business edits (TOML), loaded into frozen dataclasses.

Layout (see ``rules/fr.toml`` for a complete, commented example)::

    lang = "fr"
    default_category = "other"
    default_route = "office"
    [[levels]]          # most urgent first; minutes = time limit to call back
    id = "critical"  minutes = 15
    [[categories]]      # id, label, urgency (base level), max_urgency, rules
    [[categories.rules]]  id, words, patterns, weight, not_a_customer (true: a wrong number,
                        # the company heard is the one the caller wanted, so none is kept)
    [[urgency]]         # intensifiers (raise > 0) and mitigators (raise < 0): id, words, patterns, raise,
                        # overrides_negation (true: still counts after "ce n'est pas urgent"),
                        # decisive (true: decides alone, the box asks nothing; default: overrides_negation),
                        # claims_urgent (true: the caller only says it is urgent), reason (what the box
                        # says to explain an urgent decision: "the cooling has stopped"), category (the
                        # category the cue also speaks for, with its raise as weight: a danger is a breakdown)
    [[negations]]       # "ce n'est pas urgent": id, words, patterns, cap (a level id)
    [[routing]]         # first match wins: id, categories, urgency, route
    [entities]          # equipment = [...], sites = [regex with a group named "site"]

Every error is a :class:`~appliance.errors.QualificationError` naming the file
and the key, e.g. ``fr.toml: categories[2].rules[0].patterns[1]: bad regex ...``.
"""

from __future__ import annotations

import dataclasses
import re
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ..errors import QualificationError
from . import owner
from .text import fold

_URGENCY_KEYS = frozenset({"overrides_negation", "decisive", "claims_urgent", "reason", "category"})
CATEGORIES = ("breakdown", "quote", "appointment", "followup", "billing", "info", "job", "sales", "other")
RULES_DIR = Path(__file__).with_name("rules")


@dataclasses.dataclass(frozen=True)
class Level:
    id: str
    minutes: int
    label: str = ""
    next_working_day: bool = False


@dataclasses.dataclass(frozen=True)
class Rule:
    """Words/patterns that, when heard, fire this rule (its id is recorded)."""

    id: str
    words: tuple[str, ...] = ()
    patterns: tuple[re.Pattern[str], ...] = ()
    weight: float = 1.0
    overrides_negation: bool = False  # urgency only: "fuite de gaz" stays urgent even if "pas urgent"
    not_a_customer: bool = False  # category only: a wrong number names the place wanted, not the caller's company
    decisive: bool = False  # urgency only: the cue decides by itself (no need to ask the caller)
    claims_urgent: bool = False  # urgency only: the caller says it is urgent (not a fact about the fault)
    reason: str = ""  # urgency only: a few words the box says to explain an urgent decision
    category: str = ""  # urgency only: the category the cue also speaks for (a danger is a breakdown)


@dataclasses.dataclass(frozen=True)
class Category:
    id: str
    label: str
    urgency: str
    max_urgency: str
    rules: tuple[Rule, ...]


@dataclasses.dataclass(frozen=True)
class Negation:
    rule: Rule
    cap: str


@dataclasses.dataclass(frozen=True)
class Route:
    id: str
    route: str
    categories: tuple[str, ...] = ()
    urgency: tuple[str, ...] = ()


@dataclasses.dataclass(frozen=True)
class RuleSet:
    lang: str
    source: str
    levels: tuple[Level, ...]
    categories: tuple[Category, ...]
    urgency: tuple[Rule, ...]  # weight = levels raised (negative lowers)
    negations: tuple[Negation, ...]
    routing: tuple[Route, ...]
    default_category: str = "other"
    default_route: str = "office"
    equipment: tuple[str, ...] = ()
    sites: tuple[re.Pattern[str], ...] = ()
    lexicons: Mapping[str, Any] = dataclasses.field(default_factory=dict)  # the owner's language-list changes

    def level(self, level_id: str) -> Level:
        for lv in self.levels:
            if lv.id == level_id:
                return lv
        raise KeyError(level_id)

    def level_index(self, level_id: str) -> int:
        """0 = least urgent; len(levels) - 1 = most urgent."""
        ids = [lv.id for lv in self.levels]
        return len(ids) - 1 - ids.index(level_id)

    def level_at(self, index: int) -> Level:
        index = max(0, min(index, len(self.levels) - 1))
        return self.levels[len(self.levels) - 1 - index]


class _Reader:
    def __init__(self, source: str) -> None:
        self.source = source
        self.level_ids: set[str] = set()
        self.rule_ids: set[str] = set()

    def level_ref(self, value: Any, key: str) -> str:
        s = self.string(value, key)
        if s not in self.level_ids:
            raise self.fail(key, f"expected a level id among {', '.join(sorted(self.level_ids))}, got {s!r}")
        return s

    def unique(self, rule: Rule, key: str) -> Rule:
        if rule.id in self.rule_ids:
            raise self.fail(f"{key}.id", f"rule id {rule.id!r} used twice")
        self.rule_ids.add(rule.id)
        return rule

    def fail(self, key: str, message: str) -> QualificationError:
        return QualificationError(f"{self.source}: {key}: {message}")

    def table(self, value: Any, key: str, allowed: set[str],
              required: set[str] | frozenset[str] = frozenset()) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise self.fail(key, f"expected a table, got {value!r}")
        for k in value:
            if k not in allowed:
                raise self.fail(f"{key}.{k}" if key else k,
                                f"unknown key (known keys here: {', '.join(sorted(allowed))})")
        for k in required:
            if k not in value:
                raise self.fail(f"{key}.{k}" if key else k, "missing")
        return value

    def string(self, value: Any, key: str) -> str:
        if not isinstance(value, str) or not value.strip():
            raise self.fail(key, f"expected a non-empty string, got {value!r}")
        return value

    def strings(self, value: Any, key: str) -> tuple[str, ...]:
        if not isinstance(value, list):
            raise self.fail(key, f"expected a list of strings, got {value!r}")
        return tuple(self.string(v, f"{key}[{i}]") for i, v in enumerate(value))

    def number(self, value: Any, key: str) -> float:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self.fail(key, f"expected a number, got {value!r}")
        return float(value)

    def items(self, value: Any, key: str) -> list[Any]:
        if not isinstance(value, list):
            raise self.fail(key, f"expected an array of tables ([[{key}]]), got {value!r}")
        return value

    def regexes(self, value: Any, key: str) -> tuple[re.Pattern[str], ...]:
        out = []
        for i, p in enumerate(self.strings(value, key)):
            try:
                out.append(re.compile(p))
            except re.error as exc:
                raise self.fail(f"{key}[{i}]", f"bad regular expression {p!r}: {exc}") from None
        return tuple(out)

    def rule(self, value: Any, key: str, weight_key: str = "weight", extra: frozenset[str] = frozenset()) -> Rule:
        t = self.table(value, key, {"id", "words", "patterns", weight_key} | extra, {"id"})
        words = tuple(" ".join(fold(w.replace("*", " zqzstar ")).replace(" zqzstar", "*").split())
                      for w in self.strings(t.get("words", []), f"{key}.words"))
        patterns = self.regexes(t.get("patterns", []), f"{key}.patterns")
        if not words and not patterns:
            raise self.fail(key, "expected at least one of words or patterns")
        weight = self.number(t.get(weight_key, 1), f"{key}.{weight_key}")
        flags = {}
        for flag in ("overrides_negation", "not_a_customer", "decisive", "claims_urgent"):
            flags[flag] = t.get(flag, flag == "decisive" and t.get("overrides_negation", False))
            if not isinstance(flags[flag], bool):
                raise self.fail(f"{key}.{flag}", f"expected true or false, got {flags[flag]!r}")
        reason = self.string(t["reason"], f"{key}.reason") if "reason" in t else ""
        category = self.string(t["category"], f"{key}.category") if "category" in t else ""
        if category and category not in CATEGORIES:
            raise self.fail(f"{key}.category", f"expected one of {', '.join(CATEGORIES)}, got {category!r}")
        return Rule(self.string(t["id"], f"{key}.id"), words, patterns, weight, flags["overrides_negation"],
                    flags["not_a_customer"], flags["decisive"], flags["claims_urgent"], reason, category)


def parse_rules(data: Mapping[str, Any], source: str) -> RuleSet:
    r = _Reader(source)
    top = r.table({k: v for k, v in data.items() if k != "base"}, "", {"lang", "default_category", "default_route",
                                                                      "levels", "categories", "urgency", "negations",
                                                                      "routing", "entities"},
                  {"lang", "levels", "categories"})
    lang = r.string(top["lang"], "lang")
    levels = _levels(r, top)
    categories = _categories(r, top, levels)
    cat_ids = {c.id for c in categories}
    default_category = r.string(top.get("default_category", "other"), "default_category")
    if default_category not in cat_ids:
        raise r.fail("default_category", f"expected a category defined in [[categories]], got {default_category!r}")
    urgency = tuple(r.unique(r.rule(x, f"urgency[{i}]", "raise", _URGENCY_KEYS), f"urgency[{i}]")
                    for i, x in enumerate(r.items(top.get("urgency", []), "urgency")))
    negations = []
    for i, x in enumerate(r.items(top.get("negations", []), "negations")):
        key = f"negations[{i}]"
        if not isinstance(x, dict):
            raise r.fail(key, "expected a table")
        cap = r.level_ref(x.get("cap", levels[-1].id), f"{key}.cap")
        rule = r.unique(r.rule({k: v for k, v in x.items() if k != "cap"}, key), key)
        negations.append(Negation(rule, cap))
    equipment, sites = _entities(r, top)
    return RuleSet(lang, source, tuple(levels), tuple(categories), urgency, tuple(negations),
                   _routing(r, top, cat_ids), default_category,
                   r.string(top.get("default_route", "office"), "default_route"), equipment, sites)


def _levels(r: _Reader, top: Mapping[str, Any]) -> list[Level]:
    levels = []
    for i, lv in enumerate(r.items(top["levels"], "levels")):
        key = f"levels[{i}]"
        t = r.table(lv, key, {"id", "minutes", "label", "next_working_day"}, {"id", "minutes"})
        minutes = r.number(t["minutes"], f"{key}.minutes")
        if minutes <= 0 or minutes != int(minutes):
            raise r.fail(f"{key}.minutes", f"expected a whole number of minutes > 0, got {t['minutes']!r}")
        nwd = t.get("next_working_day", False)
        if not isinstance(nwd, bool):
            raise r.fail(f"{key}.next_working_day", "expected true or false")
        levels.append(Level(r.string(t["id"], f"{key}.id"), int(minutes), str(t.get("label", "")), nwd))
    if not levels:
        raise r.fail("levels", "expected at least one urgency level")
    for i in range(1, len(levels)):
        if levels[i].minutes < levels[i - 1].minutes:
            raise r.fail(f"levels[{i}].minutes", "expected levels from most urgent (fewest minutes) to least")
    r.level_ids = {lv.id for lv in levels}
    return levels


def _categories(r: _Reader, top: Mapping[str, Any], levels: list[Level]) -> list[Category]:
    categories = []
    for i, c in enumerate(r.items(top["categories"], "categories")):
        key = f"categories[{i}]"
        t = r.table(c, key, {"id", "label", "urgency", "max_urgency", "rules"}, {"id", "urgency"})
        cid = r.string(t["id"], f"{key}.id")
        if cid not in CATEGORIES:
            raise r.fail(f"{key}.id", f"expected one of {', '.join(CATEGORIES)}, got {cid!r}")
        rules = tuple(r.unique(r.rule(x, f"{key}.rules[{j}]", extra=frozenset({"not_a_customer"})),
                               f"{key}.rules[{j}]")
                      for j, x in enumerate(r.items(t.get("rules", []), f"{key}.rules")))
        base = r.level_ref(t["urgency"], f"{key}.urgency")
        cap = r.level_ref(t.get("max_urgency", levels[0].id), f"{key}.max_urgency")
        categories.append(Category(cid, str(t.get("label", cid)), base, cap, rules))
    return categories


def _routing(r: _Reader, top: Mapping[str, Any], cat_ids: set[str]) -> tuple[Route, ...]:
    routing = []
    for i, x in enumerate(r.items(top.get("routing", []), "routing")):
        key = f"routing[{i}]"
        t = r.table(x, key, {"id", "route", "categories", "urgency"}, {"id", "route"})
        cats = r.strings(t.get("categories", []), f"{key}.categories")
        for j, cid in enumerate(cats):
            if cid not in cat_ids:
                raise r.fail(f"{key}.categories[{j}]", f"unknown category {cid!r}")
        urg = tuple(r.level_ref(u, f"{key}.urgency[{j}]")
                    for j, u in enumerate(r.strings(t.get("urgency", []), f"{key}.urgency")))
        routing.append(Route(r.string(t["id"], f"{key}.id"), r.string(t["route"], f"{key}.route"), cats, urg))
    return tuple(routing)


def _entities(r: _Reader, top: Mapping[str, Any]) -> tuple[tuple[str, ...], tuple[re.Pattern[str], ...]]:
    ent = r.table(top.get("entities", {}), "entities", {"equipment", "sites"})
    equipment = r.strings(ent.get("equipment", []), "entities.equipment")
    sites = r.regexes(ent.get("sites", []), "entities.sites")
    for i, p in enumerate(sites):
        if "site" not in p.groupindex:
            raise r.fail(f"entities.sites[{i}]", "expected a group named site: (?P<site>...)")
    return equipment, sites


def load_rules(lang: str, path: str | Path | None = None) -> RuleSet:
    """Read the rules for ``lang`` from ``path`` (default: the built-in ``rules/<lang>.toml``). A file that
    says ``base = "built-in"`` holds the owner's additions and overrides (:mod:`.owner`)."""
    p = Path(path) if path else RULES_DIR / f"{lang}.toml"
    return rules_from_data(_read(p), str(p), lang)


def rules_from_text(text: str, source: str, lang: str) -> RuleSet:
    """The rules a text would give (the settings page checks an owner's file with it before saving)."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise QualificationError(f"{source}: not valid TOML: {exc}") from None
    return rules_from_data(data, source, lang)


def rules_from_data(data: dict[str, Any], source: str, lang: str) -> RuleSet:
    if not owner.is_owner_file(data):
        return parse_rules(data, source)
    merged, lexicons = owner.merge(_read(RULES_DIR / f"{lang}.toml"), data, source)
    rules = parse_rules(merged, source)
    if lexicons:
        from .language import merge_lists, parse_language, read_language_data

        base, _ = read_language_data(rules.lang)
        parse_language(merge_lists(base, lexicons, source), source)  # the owner's lists must load too
    return dataclasses.replace(rules, lexicons=lexicons)


def _read(p: Path) -> dict[str, Any]:
    try:
        text = p.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise QualificationError(f"{p}: no such rules file (built-in languages: fr, en)") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise QualificationError(f"{p}: cannot read the rules file: {exc}") from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise QualificationError(f"{p}: not valid TOML: {exc}") from None
