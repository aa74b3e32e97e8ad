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
import logging
import re
from collections.abc import Sequence
from pathlib import Path

from ..qualification import Qualification
from .base import Heard, KnownCaller
from .entities import Identity, extract_identity, find_equipment, prepared
from .language import Language, Matching, language, merge_lists, parse_language, read_language_data
from .matcher import PhraseMatcher, WordRepair, pattern_words, regex_spans
from .numbers import (
    damaged_repeat,
    digits_in_order,
    find_phone,
    incomplete_number,
    joining_words,
    number_words,
    to_e164,
)
from .rules import Category, Rule, RuleSet, load_rules
from .text import fold

log = logging.getLogger(__name__)

# below this recogniser confidence a word is not trusted: what it decided is marked unconfirmed
LOW_CONFIDENCE = 0.5


def _compile(rules: Sequence[Rule], words: Matching) -> tuple[PhraseMatcher, list[tuple[str, re.Pattern[str]]]]:
    matcher = PhraseMatcher({r.id: list(r.words) for r in rules}, words)
    patterns = [(r.id, p) for r in rules for p in r.patterns]
    return matcher, patterns


def _vocabulary(rules: RuleSet, words: Matching) -> tuple[frozenset[str], set[str]]:
    """Every word of the rules' phrases (``stem*`` as written) and the small words: heard as themselves; and
    the words written in the rules' regular expressions."""
    every = [*(r for c in rules.categories for r in c.rules), *rules.urgency, *(n.rule for n in rules.negations)]
    known = {w for r in every for phrase in r.words for w in phrase.split()}
    known |= words.function_words | words.never_dropped | words.negations | words.plain_words
    return frozenset(known), pattern_words(p for r in every for p in r.patterns)


def _number_positions(tokens: list[str], lang: str) -> set[int]:
    """Positions of tokens inside a run of three or more number words (a telephone number)."""
    vocab = _number_vocab(lang)
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


@functools.lru_cache(maxsize=8)
def _number_vocab(lang: str) -> frozenset[str]:
    """The words a telephone number is said with, less the joining words ("et", "and", "a")."""
    return number_words(lang) - joining_words(lang)


@dataclasses.dataclass
class _Found:
    """What the turns said, rule by rule."""

    fired: list[str] = dataclasses.field(default_factory=list)
    scores: dict[str, float] = dataclasses.field(default_factory=dict)  # category -> weight heard
    urg: dict[str, float] = dataclasses.field(default_factory=dict)  # urgency rule -> levels raised
    caps: list[str] = dataclasses.field(default_factory=list)  # levels the negations cap the urgency at
    where: dict[str, tuple[int, str]] = dataclasses.field(default_factory=dict)  # rule -> (turn, words heard)
    conf: dict[str, float] = dataclasses.field(default_factory=dict)  # rule -> confidence of its words, if known
    cat_conf: dict[str, float] = dataclasses.field(default_factory=dict)  # category rule -> confidence
    from_alternative: set[str] = dataclasses.field(default_factory=set)
    unclear: bool = False  # a turn of the reason was heard with a low confidence

    def category_hit(self, rid: str, cat_weight: tuple[str, float], conf: float | None) -> None:
        if rid in self.fired:
            return
        self.scores[cat_weight[0]] = self.scores.get(cat_weight[0], 0.0) + cat_weight[1]
        self.fired.append(rid)
        if conf is not None:
            self.conf[rid] = self.cat_conf[rid] = conf

    def urgency_hit(self, rid: str, weight: float, where: tuple[int, str], conf: float | None,
                    alternative: bool = False) -> None:
        if rid in self.urg:
            return
        self.urg[rid] = weight
        self.where[rid] = where
        self.fired.append(rid)
        if conf is not None:
            self.conf[rid] = conf
        if alternative:
            self.from_alternative.add(rid)
            self.conf.setdefault(rid, 0.0)


@dataclasses.dataclass
class _Urgency:
    level: int = 0
    decisive: bool = False
    possible: bool = False
    fired: list[str] = dataclasses.field(default_factory=list)


class _HeardWords:
    """The recogniser's view of each turn: word confidences and the other likely readings."""

    def __init__(self, turns: Sequence[str], heard: Sequence[Heard | None]) -> None:
        self._turns = turns
        self._heard = [heard[i] if i < len(heard) else None for i in range(len(turns))]
        self._conf: list[list[tuple[str, float | None]]] = []
        for h in self._heard:
            self._conf.append([(tok, w.confidence) for w in (h.words if h else ()) for tok in fold(w.text).split()])

    def confidence(self, ti: int, tokens: list[str], span: tuple[int, int]) -> float | None:
        """The lowest confidence of the words ``tokens[span]`` of turn ``ti`` (None when unknown)."""
        conf = self._conf[ti] if ti < len(self._conf) else []
        if not conf:
            return None
        if [t for t, _ in conf] == tokens:
            known = [c for _, c in conf[span[0]:span[1]] if c is not None]
        else:  # the turn was edited after recognition: match the words by their text
            want = set(tokens[span[0]:span[1]])
            known = [c for t, c in conf if t in want and c is not None]
        return min(known) if known else None

    def alternatives(self, ti: int) -> tuple[tuple[str, float], ...]:
        h = self._heard[ti] if ti < len(self._heard) else None
        if h is None:
            return ()
        return tuple((text, conf if conf is not None else 0.0) for text, conf in h.alternatives
                     if text and fold(text) != fold(self._turns[ti]))

    def unclear(self, ti: int) -> bool:
        """Was turn ``ti`` heard with a low confidence (the recogniser's own for the turn, else its words')?"""
        h = self._heard[ti] if ti < len(self._heard) else None
        if h is None:
            return False
        known = [c for _, c in self._conf[ti] if c is not None]
        conf = h.confidence if h.confidence is not None else (sum(known) / len(known) if known else None)
        return conf is not None and conf < LOW_CONFIDENCE

    def low(self, value: str) -> bool:
        """Is a word of ``value`` (a name, a company) heard with a low confidence in some turn?"""
        want = set(fold(value).split())
        return any(t in want and c is not None and c < LOW_CONFIDENCE for conf in self._conf for t, c in conf)

    def low_digits(self, lang: str) -> bool:
        vocab = _number_vocab(lang)
        return any((t in vocab or t.isdigit()) and c is not None and c < LOW_CONFIDENCE
                   for conf in self._conf for t, c in conf)


def _language(rules: RuleSet) -> Language:
    """The language's lists, with the owner's changes when the rules file has [lexicons]."""
    if not rules.lexicons:
        return language(rules.lang)
    base, _ = read_language_data(rules.lang)
    return parse_language(merge_lists(base, rules.lexicons, rules.source), rules.source)


class Qualifier:
    """Compiled rules for one language; :meth:`qualify` is pure and fast (well under 5 ms)."""

    def __init__(self, rules: RuleSet) -> None:
        self.rules = rules
        self.lang = rules.lang
        self.language = _language(rules)
        small = self._small = self.language.matching
        self._lex = prepared(self.language.identity)
        self._cat_rules = {r.id: (c.id, r.weight) for c in rules.categories for r in c.rules}
        known, in_patterns = _vocabulary(rules, small)
        self._repair = WordRepair(in_patterns, known, self.language.identity.hesitations)
        self._cat_matcher, self._cat_patterns = _compile([r for c in rules.categories for r in c.rules], small)
        self._urg_weight = {r.id: r.weight for r in rules.urgency}
        self._urg_override = {r.id: r.overrides_negation for r in rules.urgency}
        self._decisive = {r.id: r.decisive for r in rules.urgency}
        self._claims = {r.id: r.claims_urgent for r in rules.urgency}
        self._reason = {r.id: r.reason for r in rules.urgency}
        self._urg_category = {r.id: r.category for r in rules.urgency}
        self._not_customer = {r.id: r.not_a_customer for c in rules.categories for r in c.rules}
        self._urg_matcher, self._urg_patterns = _compile(rules.urgency, small)
        self._neg_cap = {n.rule.id: n.cap for n in rules.negations}
        self._neg_matcher, self._neg_patterns = _compile([n.rule for n in rules.negations], small)

    @classmethod
    def load(cls, lang: str, path: str | Path | None = None) -> Qualifier:
        return cls(load_rules(lang, path))

    # ------------------------------------------------------------------ matching

    def _hits(self, matcher: PhraseMatcher, patterns: list[tuple[str, re.Pattern[str]]], tokens: list[str],
              masked: set[int] | None = None) -> dict[str, tuple[int, int]]:
        """Rule id -> token span of the words that fired it; a pattern also reads the words as repaired (a
        misheard word of the patterns put back, :class:`WordRepair`), its span given in the heard words."""
        out: dict[str, tuple[int, int]] = {}
        for h in matcher.find(tokens):
            if masked and any(i in masked for i in range(*h.span)):
                continue
            out.setdefault(h.rule, h.span)
        fixed, where = self._repair.repair(tokens)
        readings = [(tokens, list(range(len(tokens))))] + ([(fixed, where)] if fixed != tokens else [])
        for rid, pat in patterns:
            for toks, at in readings:
                if rid in out:
                    break
                for a, b in regex_spans(pat, toks):
                    span = (at[a], at[b - 1] + 1)
                    if masked and any(i in masked for i in range(*span)):
                        continue
                    out[rid] = span
                    break
        return out

    # ------------------------------------------------------------------ qualify

    def qualify(self, turns: Sequence[str], caller_id: str | None = None, *, country: str = "FR",
                call_id: str | None = None, heard: Sequence[Heard | None] = (), known: KnownCaller | None = None,
                urgency_answer: bool | None = None) -> Qualification:
        """Qualify one call. ``heard`` (per turn, same index as ``turns``) brings the recogniser's other
        readings and word confidences; ``known`` the directory's entry for the caller; ``urgency_answer`` the
        caller's yes/no to the closed urgency question."""
        rs = self.rules
        turns = [t or "" for t in turns]
        ident = extract_identity(turns, self.lang, lex=self._lex)
        words = _HeardWords(turns, heard)
        found = self._scan(turns, ident, words)
        category = self._category(found)
        cat = next(c for c in rs.categories if c.id == category)
        urg = self._urgency(cat, found, known, urgency_answer)
        lv = rs.level_at(urg.level)
        fired = found.fired + urg.fired
        route_rule, route = self._route(category, lv.id)
        fired.extend([route_rule] if route_rule else [])
        callback, cb_rule = self._callback(turns, caller_id, country)
        fired.extend([cb_rule] if cb_rule else [])
        partial = self._incomplete(turns, cb_rule, caller_id, country)
        fired.extend(["callback.number_incomplete"] if partial else [])
        fired.extend(ident.rules)
        name, company = ident.name, ident.company
        if company and any(self._not_customer.get(rid) and self._cat_rules[rid][0] == category for rid in fired):
            company = None  # "allô c'est la pizzeria ?": the place they wanted, not who they are
            fired.append("company.not_a_customer")
        if known and known.name and not name:
            name = known.name
            fired.append("directory.name")
        if known and known.company and not company and "company.not_a_customer" not in fired:
            company = known.company
            fired.append("directory.company")
        text = " ".join(t for i, t in enumerate(turns) if i != ident.identity_turn)
        equipment = find_equipment(text, rs.equipment) if rs.equipment else None
        summary = self._summary(cat.label, lv.label or lv.id, turns, ident.identity_turn, equipment)
        urgent = lv.minutes <= 15
        unconfirmed = self._unconfirmed(words, found, urg, urgent, category, ident, name, callback, cb_rule)
        unconfirmed += ("callback",) if partial and callback and "callback" not in unconfirmed else ()
        return Qualification(
            id=call_id, category=category, urgent=urgent, urgency=lv.id, sla_minutes=lv.minutes,
            name=name, company=company, callback=callback, summary=summary,
            rules=tuple(dict.fromkeys(self._with_confidence(fired, found))), equipment=equipment,
            site=self._site(text), routing=route,
            possibly_urgent=urg.possible, decisive=urg.decisive,
            urgent_because=self._because(found, turns) if urgent else None, unconfirmed=unconfirmed,
            caller_claims_urgent=not urgent and any(self._claims.get(r) for r in found.urg),
            heard={"callback": partial} if partial else {})

    def _scan(self, turns: list[str], ident: Identity, words: _HeardWords) -> _Found:
        """Every rule heard in the turns: categories (not in the identity answer), urgency, negations;
        urgency cues heard only in another likely reading count too, with that reading's confidence."""
        found = _Found()
        # the caller's own name and company are not symptoms ("boulangerie du four", "garage de la panne"), but
        # their small words ("de", "la", "du") are everyone's
        who = {w for w in fold(" ".join(x for x in (ident.name, ident.company) if x)).split()
               if len(w) > 2 and w not in self._small.function_words}
        for ti, turn in enumerate(turns):
            tokens = fold(turn).split()
            if not tokens:
                continue
            found.unclear = found.unclear or (ti != ident.identity_turn and words.unclear(ti))
            masked = self._negations(tokens, found)
            masked |= {i for i, t in enumerate(tokens) if t in who}
            masked |= _number_positions(tokens, self.lang)
            urg_hits = self._hits(self._urg_matcher, self._urg_patterns, tokens, masked)
            cat_hits = {} if ti == ident.identity_turn else \
                self._outside(self._hits(self._cat_matcher, self._cat_patterns, tokens, masked), urg_hits)
            for rid, span in cat_hits.items():
                found.category_hit(rid, self._cat_rules[rid], words.confidence(ti, tokens, span))
            for rid, span in urg_hits.items():
                if self._urg_category.get(rid) and ti != ident.identity_turn and rid not in found.urg:
                    found.category_hit(rid, (self._urg_category[rid], self._urg_weight[rid]), None)
                found.urgency_hit(rid, self._urg_weight[rid], (ti, " ".join(tokens[span[0]:span[1]])),
                                  words.confidence(ti, tokens, span))
            self._scan_alternatives(ti, words, found, with_category=not cat_hits and ti != ident.identity_turn)
        return found

    def _implied(self, rid: str) -> str:
        """The category an urgency cue speaks for (its ``category``; a breakdown when it names none)."""
        return self._urg_category.get(rid) or "breakdown"

    def _outside(self, hits: dict[str, tuple[int, int]], cues: dict[str, tuple[int, int]]
                 ) -> dict[str, tuple[int, int]]:
        """The category hits not within a longer urgency cue of another category: "combien de temps" asks no
        opening hours inside "je sais pas combien de temps ça va tenir" (how long the goods will last)."""
        def inside(rid: str, a: int, b: int) -> bool:
            return any(a < d and c < b and d - c > b - a and
                       self._implied(u) != self._cat_rules[rid][0]
                       for u, (c, d) in cues.items())
        return {rid: (a, b) for rid, (a, b) in hits.items() if not inside(rid, a, b)}

    def _scan_alternatives(self, ti: int, words: _HeardWords, found: _Found, with_category: bool) -> None:
        """Urgency cues of the other likely readings count; their categories only when the best reading of
        the turn had none (then the category is unconfirmed)."""
        for alt, conf in words.alternatives(ti):
            tokens = fold(alt).split()
            masked = self._negations(tokens, None) | _number_positions(tokens, self.lang)
            for rid, span in self._hits(self._urg_matcher, self._urg_patterns, tokens, masked).items():
                if rid not in found.urg:
                    found.urgency_hit(rid, self._urg_weight[rid], (ti, " ".join(tokens[span[0]:span[1]])), conf,
                                      alternative=True)
            cat_hits = self._hits(self._cat_matcher, self._cat_patterns, tokens, masked) if with_category else {}
            for rid in cat_hits:
                found.category_hit(rid, self._cat_rules[rid], conf)
                found.from_alternative.add(rid)
            with_category = with_category and not cat_hits

    def _negations(self, tokens: list[str], found: _Found | None) -> set[int]:
        negs = self._hits(self._neg_matcher, self._neg_patterns, tokens)
        if found is not None:
            for rid in negs:
                found.caps.append(self._neg_cap[rid])
                found.fired.append(rid)
        return {i for a, b in negs.values() for i in range(a, b)}

    def _category(self, found: _Found) -> str:
        rs = self.rules
        order = [c.id for c in rs.categories]
        if found.scores:
            return max(found.scores, key=lambda c: (found.scores[c], -order.index(c)))
        implied = [self._implied(r) for r, w in found.urg.items()
                   if w > 0 and not self._claims.get(r)]
        if implied and implied[0] in order:
            # a consequence heard without the fault ("the goods are warming, we open in an hour"): a breakdown
            found.fired.append(f"default.{implied[0]}_by_consequence")
            return implied[0]
        claimed = [self._implied(r) for r, w in found.urg.items() if w > 0]
        if claimed and claimed[0] in order:
            # "it's urgent, someone must come now" and no need named (or the recogniser lost it): what is urgent
            # is a breakdown; the claim alone decides nothing (the dialog asks the closed question)
            found.fired.append(f"default.{claimed[0]}_by_urgency_claimed")
            return claimed[0]
        found.fired.append(f"default.{rs.default_category}")
        return rs.default_category

    def _urgency(self, cat: Category, found: _Found, known: KnownCaller | None,
                 answer: bool | None) -> _Urgency:
        """The urgency level: the category's, raised or lowered by the cues, capped by a negation (not a
        safety cue), then the directory's floor and the caller's own answer to the closed question."""
        rs = self.rules
        out = _Urgency()
        safety = any(self._urg_override.get(rid) for rid in found.urg)
        level = rs.level_index(cat.urgency) + round(sum(found.urg.values()))
        # a safety cue is not capped by the category ("wrong number, but I smell gas")
        level = max(0, min(level, len(rs.levels) - 1 if safety else rs.level_index(cat.max_urgency)))
        if not safety:  # safety beats "pas urgent"
            for cap in found.caps:
                level = min(level, rs.level_index(cap))
        if known and known.priority_floor and cat.id == "breakdown":
            if known.priority_floor in {lv.id for lv in rs.levels}:
                level = max(level, rs.level_index(known.priority_floor))
                out.fired.append("directory.priority_floor")
            else:
                log.warning("directory: unknown urgency level %r (levels: %s); floor ignored",
                            known.priority_floor, ", ".join(lv.id for lv in rs.levels))
        urgent_at = min(i for i in range(len(rs.levels)) if rs.level_at(i).minutes <= 15)
        if answer is True:
            level = max(level, urgent_at)
            out.fired.append("urgency.confirmed_by_caller")
        elif answer is False and not safety:
            level = min(level, urgent_at - 1)
            out.fired.append("urgency.denied_by_caller")
        sure = [rid for rid in found.urg if found.conf.get(rid, 1.0) >= LOW_CONFIDENCE]
        # a denial decides unless the caller also told more than the fault itself (one step), net of what plays
        # it down ("it's not an emergency as such, but the heating's off and the residents are in their
        # nineties"): then the closed question is asked
        consequence = sum(w for r, w in found.urg.items() if not self._claims.get(r)) > 1
        out.decisive = answer is not None or (bool(found.caps) and not safety and not consequence) or \
            any(self._decisive.get(rid) and self._urg_weight[rid] > 0 for rid in sure)
        cue = cat.id == "breakdown" or any(w > 0 and not self._claims.get(r) for r, w in found.urg.items())
        if not cue and not out.decisive and self._not_understood(found, cat.id):
            cue = True  # the reason was heard too poorly to rule out an urgency: the closed question decides
            out.fired.append("urgency.reason_unclear")
        out.possible = cue and not out.decisive
        out.level = max(0, level)
        return out

    def _not_understood(self, found: _Found, category: str) -> bool:
        """A reason heard with a low confidence, from which no category was understood (the default one) or
        only from low-confidence words."""
        if not found.unclear:
            return False
        mine = [r for r in found.cat_conf if self._cat_rules[r][0] == category]
        return not found.scores or (bool(mine) and all(found.cat_conf[r] < LOW_CONFIDENCE for r in mine))

    def _route(self, category: str, level_id: str) -> tuple[str, str]:
        """(rule id, route): the first routing rule that matches decides."""
        for r in self.rules.routing:
            if (not r.categories or category in r.categories) and (not r.urgency or level_id in r.urgency):
                return r.id, r.route
        return "", self.rules.default_route

    def _callback(self, turns: list[str], caller_id: str | None, country: str) -> tuple[str | None, str]:
        """The number said last, else the caller id; a number said that is the caller id with a digit or two
        lost by the recogniser is the caller id."""
        callback = None
        for turn in turns:
            found = find_phone(turn, lang=self.lang, country=country)
            if found:
                callback = found
        shown = to_e164(caller_id, country) if caller_id else None
        if callback and shown and damaged_repeat(callback, shown):
            return shown, "callback.caller_id_repeated"
        if callback:
            return callback, "callback.spoken"
        if caller_id:
            callback = shown
            if callback is None and len(re.sub(r"\D", "", caller_id)) >= 6:
                callback = caller_id.strip()  # an unusual but real number: keep it as given
            if callback:
                return callback, "callback.caller_id"
        return None, ""

    def _incomplete(self, turns: list[str], cb_rule: str, caller_id: str | None, country: str) -> str | None:
        """The digits of a number the caller said that did not come out whole (a group lost), when no whole
        number was said and they are not the caller id's: the record keeps them beside the caller id, and the
        callback is unconfirmed."""
        if cb_rule not in ("", "callback.caller_id"):
            return None
        partial = None
        for turn in turns:
            partial = incomplete_number(turn, lang=self.lang, country=country) or partial
        shown = re.sub(r"\D", "", caller_id or "")[-9:]
        if partial and shown and (digits_in_order(partial, "0" + shown) or digits_in_order(shown, partial)):
            return None  # the caller id said again, a digit lost or one too many
        return partial

    def _site(self, text: str) -> str | None:
        folded = fold(text)
        for pat in self.rules.sites:
            m = pat.search(folded)
            if m:
                return m.group("site").title()
        return None

    def _because(self, found: _Found, turns: list[str]) -> str | None:
        """Why it is urgent: the reason of the strongest cue that has one, else the caller's own words."""
        ranked = sorted((r for r, w in found.urg.items() if w > 0),
                        key=lambda r: (bool(self._claims.get(r)), -self._urg_weight[r], not self._decisive.get(r)))
        for rid in ranked:
            if self._reason.get(rid):
                return self._reason[rid]
        return found.where[ranked[0]][1] if ranked else None

    @staticmethod
    def _with_confidence(fired: list[str], found: _Found) -> list[str]:
        return [f"{r}@{found.conf[r]:.2f}" if r in found.conf and (found.conf[r] < LOW_CONFIDENCE or
                                                                    r in found.from_alternative) else r
                for r in fired]

    def _unconfirmed(self, words: _HeardWords, found: _Found, urg: _Urgency, urgent: bool, category: str,
                     ident: Identity, name: str | None, callback: str | None, cb_rule: str) -> tuple[str, ...]:
        out = []
        raising = [r for r, w in found.urg.items() if w > 0]
        if urgent and "urgency.confirmed_by_caller" not in urg.fired and raising and \
                all(found.conf.get(r, 1.0) < LOW_CONFIDENCE or r in found.from_alternative for r in raising):
            out.append("urgent")
        mine = [r for r in found.cat_conf if self._cat_rules[r][0] == category]
        if mine and all(found.cat_conf[r] < LOW_CONFIDENCE or r in found.from_alternative for r in mine):
            out.append("category")
        if name and name == ident.name and words.low(name):
            out.append("name")
        if ident.company and words.low(ident.company):
            out.append("company")
        if callback and cb_rule == "callback.spoken" and words.low_digits(self.lang):
            out.append("callback")
        return tuple(out)

    def _summary(self, label: str, level: str, turns: Sequence[str], identity_turn: int | None,
                 equipment: str | None) -> str:
        """The category, its level, the equipment and the caller's reason: the first turn (not the one
        saying who they are) with a word besides the language's openers ("hello", "yes um"), else the first."""
        said = [t.strip() for i, t in enumerate(turns) if t.strip() and i != identity_turn]
        openers = self.language.openers
        reason = next((t for t in said if not set(fold(t).split()) <= openers), said[0] if said else "")
        colon = " : " if self.lang == "fr" else ": "
        if len(reason) > 110:
            reason = reason[:107].rsplit(" ", 1)[0] + "…"
        head = f"{label} ({level})" + (f" — {equipment}" if equipment else "")
        return f"{head}{colon}{reason}" if reason else head

