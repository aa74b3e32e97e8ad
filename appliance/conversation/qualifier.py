"""Qualify a call from its transcript: category, urgency, who, callback number, summary.

The rules come from a TOML file the business edits (:mod:`.rules`); every
decision lists the ids of the rules that fired, so the status page can say
why a call was judged urgent.

>>> q = Qualifier.load("fr")
>>> r = q.qualify(["le compresseur est en panne toute la production est à l'arrêt",
...                "paul durand de la menuiserie du lac", "sur ce numéro"], "+33612345678")
>>> r.category, r.urgent, r.sla_minutes, r.name, r.company, r.callback
('breakdown', True, 15, 'Paul Durand', 'Menuiserie du Lac', '+33612345678')
"""

from __future__ import annotations

import dataclasses
import functools
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from .entities import extract_identity, find_equipment
from .matcher import PhraseMatcher, regex_spans
from .numbers import find_phone, number_table, to_e164
from .rules import Rule, RuleSet, load_rules
from .text import fold


@dataclasses.dataclass(frozen=True)
class Qualification:
    id: str | None
    category: str
    urgent: bool
    urgency: str
    sla_minutes: int
    name: str | None
    company: str | None
    callback: str | None
    summary: str
    rules: tuple[str, ...]
    equipment: str | None = None
    site: str | None = None
    routing: str = "office"
    next_working_day: bool = False

    def to_dict(self) -> dict[str, Any]:
        d = dataclasses.asdict(self)
        d["rules"] = list(self.rules)
        del d["next_working_day"]
        return d


def _compile(rules: Sequence[Rule]) -> tuple[PhraseMatcher, list[tuple[str, re.Pattern[str]]]]:
    matcher = PhraseMatcher({r.id: list(r.words) for r in rules})
    patterns = [(r.id, p) for r in rules for p in r.patterns]
    return matcher, patterns


def _number_positions(tokens: list[str]) -> set[int]:
    """Positions of tokens inside a run of three or more number words (a telephone number)."""
    vocab = _number_vocab()
    out: set[int] = set()
    run: list[int] = []
    for i, t in enumerate([*tokens, ""]):
        if t and (t in vocab or t.isdigit()):
            run.append(i)
            continue
        if len(run) >= 3:
            out.update(run)
        run = []
    return out


@functools.lru_cache(maxsize=1)
def _number_vocab() -> frozenset[str]:
    return frozenset(w for lang in ("fr", "en") for key in number_table(lang) for w in key
                     if w not in ("a", "and", "et", "o")) | {"double", "triple"}


class Qualifier:
    """Compiled rules for one language; :meth:`qualify` is pure and fast (well under 5 ms)."""

    def __init__(self, rules: RuleSet) -> None:
        self.rules = rules
        self.lang = rules.lang
        self._cat_rules = {r.id: (c.id, r.weight) for c in rules.categories for r in c.rules}
        self._cat_matcher, self._cat_patterns = _compile([r for c in rules.categories for r in c.rules])
        self._urg_weight = {r.id: r.weight for r in rules.urgency}
        self._urg_override = {r.id: r.overrides_negation for r in rules.urgency}
        self._not_customer = {r.id: r.not_a_customer for c in rules.categories for r in c.rules}
        self._urg_matcher, self._urg_patterns = _compile(rules.urgency)
        self._neg_cap = {n.rule.id: n.cap for n in rules.negations}
        self._neg_matcher, self._neg_patterns = _compile([n.rule for n in rules.negations])

    @classmethod
    def load(cls, lang: str, path: str | Path | None = None) -> Qualifier:
        return cls(load_rules(lang, path))

    # ------------------------------------------------------------------ matching

    @staticmethod
    def _hits(matcher: PhraseMatcher, patterns: list[tuple[str, re.Pattern[str]]], tokens: list[str],
              masked: set[int] | None = None) -> dict[str, tuple[int, int]]:
        out: dict[str, tuple[int, int]] = {}
        for h in matcher.find(tokens):
            if masked and any(i in masked for i in range(*h.span)):
                continue
            out.setdefault(h.rule, h.span)
        for rid, pat in patterns:
            if rid in out:
                continue
            for span in regex_spans(pat, tokens):
                if masked and any(i in masked for i in range(*span)):
                    continue
                out[rid] = span
                break
        return out

    # ------------------------------------------------------------------ qualify

    def qualify(self, turns: Sequence[str], caller_id: str | None = None, *, country: str = "FR",
                call_id: str | None = None) -> Qualification:
        rs = self.rules
        turns = [t or "" for t in turns]
        ident = extract_identity(turns, self.lang)
        fired: list[str] = []
        scores: dict[str, float] = {}
        urg_fired: dict[str, float] = {}
        caps: list[str] = []
        # the caller's own name and company are not symptoms ("boulangerie du four", "garage de la panne"), but
        # their small words ("de", "la", "du") are everyone's
        who = {w for w in fold(" ".join(x for x in (ident.name, ident.company) if x)).split()
               if len(w) > 2 and w not in ("les", "des", "aux", "the", "and")}
        for ti, turn in enumerate(turns):
            tokens = fold(turn).split()
            if not tokens:
                continue
            negs = self._hits(self._neg_matcher, self._neg_patterns, tokens)
            masked = {i for a, b in negs.values() for i in range(a, b)}
            masked |= {i for i, t in enumerate(tokens) if t in who}
            masked |= _number_positions(tokens)
            for rid in negs:
                caps.append(self._neg_cap[rid])
                fired.append(rid)
            if ti != ident.identity_turn:
                for rid in self._hits(self._cat_matcher, self._cat_patterns, tokens, masked):
                    cat_id, weight = self._cat_rules[rid]
                    if rid not in fired:
                        scores[cat_id] = scores.get(cat_id, 0.0) + weight
                        fired.append(rid)
            for rid in self._hits(self._urg_matcher, self._urg_patterns, tokens, masked):
                if rid not in urg_fired:
                    urg_fired[rid] = self._urg_weight[rid]
                    fired.append(rid)
        order = [c.id for c in rs.categories]
        if scores:
            category = max(scores, key=lambda c: (scores[c], -order.index(c)))
        else:
            category = rs.default_category
            fired.append(f"default.{category}")
        cat = next(c for c in rs.categories if c.id == category)
        level = rs.level_index(cat.urgency) + round(sum(urg_fired.values()))
        level = max(0, min(level, rs.level_index(cat.max_urgency)))
        if not any(self._urg_override.get(rid) for rid in urg_fired):  # safety beats "pas urgent"
            for cap in caps:
                level = min(level, rs.level_index(cap))
        lv = rs.level_at(level)
        route = rs.default_route
        for r in rs.routing:
            if (not r.categories or category in r.categories) and (not r.urgency or lv.id in r.urgency):
                route = r.route
                fired.append(r.id)
                break
        callback = None
        for turn in turns:
            found = find_phone(turn, lang=self.lang, country=country)
            if found:
                callback = found
        if callback is None and caller_id:
            callback = to_e164(caller_id, country)
            if callback is None and len(re.sub(r"\D", "", caller_id)) >= 6:
                callback = caller_id.strip()  # an unusual but real number: keep it as given
            if callback:
                fired.append("callback.caller_id")
        elif callback:
            fired.append("callback.spoken")
        fired.extend(ident.rules)
        company = ident.company
        if company and any(self._not_customer.get(rid) and self._cat_rules[rid][0] == category for rid in fired):
            company = None  # "allô c'est la pizzeria ?": the place they wanted, not who they are
            fired.append("company.not_a_customer")
        text = " ".join(t for i, t in enumerate(turns) if i != ident.identity_turn)
        equipment = find_equipment(text, rs.equipment) if rs.equipment else None
        site = None
        folded = fold(text)
        for pat in rs.sites:
            m = pat.search(folded)
            if m:
                site = m.group("site").title()
                break
        summary = self._summary(cat.label, lv.label or lv.id, turns, ident.identity_turn, equipment,
                                " : " if self.lang == "fr" else ": ")
        return Qualification(
            id=call_id, category=category, urgent=lv.minutes <= 15, urgency=lv.id, sla_minutes=lv.minutes,
            name=ident.name, company=company, callback=callback, summary=summary,
            rules=tuple(dict.fromkeys(fired)), equipment=equipment, site=site, routing=route,
            next_working_day=lv.next_working_day)

    @staticmethod
    def _summary(label: str, level: str, turns: Sequence[str], identity_turn: int | None,
                 equipment: str | None, colon: str) -> str:
        reason = next((t.strip() for i, t in enumerate(turns) if t.strip() and i != identity_turn), "")
        if len(reason) > 110:
            reason = reason[:107].rsplit(" ", 1)[0] + "…"
        head = f"{label} ({level})" + (f" — {equipment}" if equipment else "")
        return f"{head}{colon}{reason}" if reason else head
