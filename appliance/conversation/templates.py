"""Templates for the ways people say who they are, and the small engine that matches them.

The syntax follows hassil's (Home Assistant's offline intent matcher): words, ``(a|b)`` alternatives,
``[a|b]`` optional words, ``<rule>`` an expansion rule, ``{slot}`` a typed slot, and ``...`` for any words
(none too). A template without ``...`` matches a whole answer (politeness at its end aside), e.g.
``"[it's|this is] {first} from [the] {company} {person=first}"`` for "it's tony from ashby meats tony
ward"; ``"... je m'appelle {person} ..."`` finds a name inside a sentence. ``{person=first}`` is a person whose
first word is the one bound to ``first``.

Slot types: ``first`` (one word that can be a first name), ``known_first`` (a first name of the names list),
``surname``, ``person`` (two to four words that can be a name: first name, a second first name or
particles, surname; either order), ``known_person`` (the same, starting with a first name of the list: it tells
a name from the end of a company), ``title`` (madame, mr...), ``rank`` (a title left out of the name:
docteur, adjudant), ``company`` (up to six words that are no
sentence), ``business`` (a company whose first word says what kind of business it is: garage, pharmacie...),
``acronym`` (letters said one by one: "s n c f"), ``role`` (words of the language's roles, trades and
departments: "responsable des achats"), ``any`` (up to eight words). A person, a role, a company or a
business takes as many words as it can (a company right before another slot as few), the others as few. Which words can fill a slot comes from the
language's lists (the caller of :func:`match` decides); the engine knows no language.

A template says where it is read (``where``): ``answer`` (the default: the caller's answers to the box's
questions, not the opening sentence) or ``any`` (every turn, the opening one too).

hassil itself is not used: it matches an utterance against intents whole, with slot values from lists or
free wildcards, and has no slot types to tell a person from a company; this engine is the small part of that
idea the box needs.

>>> t = Template.parse("greet", "[it's] {first} from {company}", ("drop_role",))
>>> t.elements[1], t.elements[2]
(Slot(name='first', bound=None), Literal(alternatives=(('from',),), optional=False))
>>> tokens = "bonjour je m appelle paul durand et j ai un souci".split()
>>> match(Template.parse("m", "... je m'appelle {person} ..."), tokens, lambda kind, ws: "et" not in ws)
{'person': (4, 6)}
"""

from __future__ import annotations

import dataclasses
import functools
import re
from collections.abc import Callable, Mapping, Sequence

from ..errors import QualificationError
from .text import fold, raw_words

SLOTS = ("first", "known_first", "surname", "person", "known_person", "name", "title", "rank", "company",
         "business", "acronym", "role", "any")
MAX_WORDS = {"first": 1, "known_first": 1, "surname": 3, "person": 4, "known_person": 4, "name": 3, "title": 1,
             "rank": 1, "company": 8, "business": 8, "acronym": 2, "role": 4, "any": 8}
GREEDY = frozenset({"person", "known_person", "name", "company", "business", "role", "surname", "acronym"})
FIRMS = frozenset({"company", "business"})  # as many words as they can only at the end or before "..."
WHERE = ("answer", "any", "after_name")


@dataclasses.dataclass(frozen=True)
class Literal:
    alternatives: tuple[tuple[str, ...], ...]
    optional: bool = False

    @functools.cached_property
    def by_first(self) -> dict[str, tuple[tuple[str, ...], ...]]:
        """The alternatives by their first word (a turn's word is looked up, not compared with each)."""
        out: dict[str, list[tuple[str, ...]]] = {}
        for alt in sorted(self.alternatives, key=len, reverse=True):  # "l'entreprise s'appelle" before "l'entreprise"
            out.setdefault(alt[0], []).append(alt)
        return {k: tuple(v) for k, v in out.items()}


@dataclasses.dataclass(frozen=True)
class Slot:
    name: str
    bound: str | None = None  # {person=first}: starts with the words bound to that slot


@dataclasses.dataclass(frozen=True)
class Gap:
    """``...``: any words, none too."""


@dataclasses.dataclass(frozen=True)
class Group:
    """``(a {slot}|b)`` or ``[...]``: alternatives that hold more than words."""

    alternatives: tuple[tuple[Element, ...], ...]
    optional: bool = False


Element = Literal | Slot | Gap | Group
_TOKEN = re.compile(r"\.\.\.|[\[\]()|]|\{[^}]*\}|[^\s\[\](){}|]+")


@dataclasses.dataclass(frozen=True)
class Template:
    id: str
    text: str
    steps: tuple[str, ...]
    elements: tuple[Element, ...]
    where: str = "answer"

    @classmethod
    def parse(cls, tid: str, text: str, steps: Sequence[str] = (), where: str = "",
              rules: Mapping[str, str] | None = None, read: str = "answer") -> Template:
        """``<name>`` in ``text`` is the expansion rule of that name (as in hassil); ``where`` names the
        template in error messages; ``read`` is where it is read (:data:`WHERE`)."""
        for _ in range(4):  # a rule of alternatives is one group: "[<det> {role}]" is "[(la|le) {role}]"
            text = re.sub(r"<(\w+)>", lambda m: _rule(m.group(1), rules or {}, where), text)
        if "{" in re.sub(r"\{[^{}]*\}", "", text) or "}" in re.sub(r"\{[^{}]*\}", "", text):
            raise QualificationError(f"{where}: unbalanced brackets in {text!r}")
        tokens = _TOKEN.findall(text)
        elements, end = _sequence(tokens, 0, text, where)
        if end != len(tokens):
            raise QualificationError(f"{where}: unbalanced {tokens[end]!r} in {text!r}")
        if not _slots(elements):
            raise QualificationError(f"{where}: a template needs at least one {{slot}}: {text!r}")
        if read not in WHERE:
            raise QualificationError(f"{where}.where: expected one of {', '.join(WHERE)}, got {read!r}")
        return cls(tid, text, tuple(steps), elements, read)

    @functools.cached_property
    def has_gap(self) -> bool:
        """Has "..." outside any group: the template may leave words unread."""
        return any(isinstance(e, Gap) for e in self.elements)

    @functools.cached_property
    def slot_names(self) -> frozenset[str]:
        return frozenset(e.name for e in _slots(self.elements))

    @functools.cached_property
    def requirements(self) -> tuple[tuple[frozenset[str], tuple[frozenset[str], ...], frozenset[str]], ...]:
        """What each part the template cannot do without must start with: one of some words (their first words,
        and each alternative's words), or a slot of a kind."""
        return tuple((frozenset(alt[0] for alt in alts), tuple(frozenset(alt) for alt in alts), ks)
                     for alts, ks in filter(None, map(_start_of, self.elements)))

    def possible(self, words: frozenset[str], kinds: Callable[[str], bool]) -> bool:
        """Can the template match a turn made of these words at all (``kinds``: can a slot of this kind start
        on one of them)?"""
        for first, alts, ks in self.requirements:
            if (words.isdisjoint(first) or not any(alt <= words for alt in alts)) and not any(kinds(k) for k in ks):
                return False
        return True


def _start_of(e: Element) -> tuple[tuple[tuple[str, ...], ...], frozenset[str]] | None:
    """What a mandatory part starts with (None: it is optional, or it can start with anything)."""
    if isinstance(e, Literal):
        return None if e.optional else (e.alternatives, frozenset())
    if isinstance(e, Slot):
        return (), frozenset({e.name})
    if isinstance(e, Group) and not e.optional:
        alts: list[tuple[str, ...]] = []
        kinds: set[str] = set()
        for alt in e.alternatives:
            first = _start_of(alt[0]) if alt else None
            if first is None:
                return None
            alts.extend(first[0])
            kinds |= first[1]
        return tuple(alts), frozenset(kinds)
    return None


def _first_words(e: Element, tokens: Sequence[str], i: int, starts: Starts) -> bool:
    """Can ``e`` start at ``tokens[i]``? (True when it cannot tell.)"""
    if isinstance(e, Literal):
        return e.optional or tokens[i] in e.by_first
    if isinstance(e, Slot):
        return starts(e.name, tokens[i])
    if isinstance(e, Group) and not e.optional:
        return any(not alt or _first_words(alt[0], tokens, i, starts) for alt in e.alternatives)
    return True


def _slots(elements: Sequence[Element]) -> list[Slot]:
    out: list[Slot] = []
    for e in elements:
        if isinstance(e, Slot):
            out.append(e)
        elif isinstance(e, Group):
            out.extend(s for alt in e.alternatives for s in _slots(alt))
    return out


def _sequence(tokens: list[str], i: int, text: str, where: str) -> tuple[tuple[Element, ...], int]:
    """The elements from ``tokens[i]`` up to a closing bracket or "|"; consecutive words make one literal."""
    out: list[Element] = []
    while i < len(tokens) and tokens[i] not in ")]|":
        tok = tokens[i]
        if tok in "([":
            group, i = _group(tokens, i, text, where)
            out.append(group)
            continue
        e = _element(tok, where)
        last = out[-1] if out else None
        if isinstance(e, Literal) and isinstance(last, Literal) and not last.optional and \
                len(last.alternatives) == 1 and len(e.alternatives) == 1:
            out.pop()
            e = Literal((last.alternatives[0] + e.alternatives[0],))
        out.append(e)
        i += 1
    return tuple(out), i


def _group(tokens: list[str], i: int, text: str, where: str) -> tuple[Element, int]:
    close = ")" if tokens[i] == "(" else "]"
    alts: list[tuple[Element, ...]] = []
    i += 1
    while True:
        seq, i = _sequence(tokens, i, text, where)
        alts.append(seq)
        if i >= len(tokens) or tokens[i] not in (close, "|"):
            raise QualificationError(f"{where}: unbalanced brackets in {text!r}")
        if tokens[i] == close:
            break
        i += 1
    optional = close == "]" or any(not a for a in alts)
    alts = [a for a in alts if a]
    flat: list[tuple[Element, ...]] = []
    for a in alts:  # "[(a|b)]" is "[a|b]"
        if len(a) == 1 and isinstance(a[0], (Group, Literal)) and not a[0].optional:
            flat.extend(a[0].alternatives if isinstance(a[0], Group) else ((Literal((w,)),) for w in a[0].alternatives))
        else:
            flat.append(a)
    if all(len(a) == 1 and isinstance(a[0], Literal) and len(a[0].alternatives) == 1 for a in flat):
        return Literal(tuple(a[0].alternatives[0] for a in flat if isinstance(a[0], Literal)), optional), i + 1
    return Group(tuple(flat), optional), i + 1


def _element(tok: str, where: str) -> Element:
    if tok == "...":
        return Gap()
    if tok[0] == "{":
        name, _, bound = tok[1:-1].partition("=")
        if name not in SLOTS or (bound and bound not in SLOTS):
            raise QualificationError(f"{where}: unknown slot {tok} (slots: {', '.join(SLOTS)})")
        return Slot(name, bound or None)
    return Literal((tuple(fold(w) for w in raw_words(tok)),))  # as turns are read: "excusez-moi" is one word


def _rule(name: str, rules: Mapping[str, str], where: str) -> str:
    if name not in rules:
        raise QualificationError(f"{where}: unknown rule <{name}> (rules: {', '.join(sorted(rules)) or 'none'})")
    text = rules[name]
    depth = 0
    for c in text:
        depth += 1 if c in "([{" else -1 if c in ")]}" else 0
        if c == "|" and depth == 0:
            return f"({text})"
    return text


Binding = dict[str, tuple[int, int]]
Check = Callable[[str, Sequence[str]], bool]  # (slot type, words) -> can these words fill it?


Starts = Callable[[str, str], bool]  # (slot type, word) -> can a slot of this type start with this word?


def _any_start(kind: str, word: str) -> bool:
    return True


def match(template: Template, tokens: Sequence[str], check: Check, starts: Starts = _any_start) -> Binding | None:
    """The slots of ``template`` over ``tokens`` (token spans), or None. ``starts`` may tell early that no
    slot of a kind starts on a word (the engine then tries no span there)."""
    return _walk(template.elements, 0, tokens, 0, {}, (check, starts))


def _walk(elements: Sequence[Element], k: int, tokens: Sequence[str], pos: int, bound: Binding,
          checks: tuple[Check, Starts]) -> Binding | None:
    """The first way ``elements[k:]`` cover ``tokens[pos:]`` (backtracking depth first), or None."""
    if k == len(elements):
        return dict(bound) if pos == len(tokens) else None
    e = elements[k]
    if isinstance(e, Group):
        rest = elements[k + 1:]
        found = next((b for alt in e.alternatives if (b := _walk((*alt, *rest), 0, tokens, pos, bound, checks))),
                     None)
        return found if found is not None or not e.optional else _walk(elements, k + 1, tokens, pos, bound, checks)
    if isinstance(e, Gap):
        if k == len(elements) - 1:
            return _walk(elements, k + 1, tokens, len(tokens), bound, checks)
        nxt = elements[k + 1]  # only where what follows the gap can start
        ends = [i for i in range(pos, len(tokens)) if _first_words(nxt, tokens, i, checks[1])] + [len(tokens)]
        return next((b for end in ends if (b := _walk(elements, k + 1, tokens, end, bound, checks))), None)
    if isinstance(e, Literal):
        for alt in e.by_first.get(tokens[pos], ()) if pos < len(tokens) else ():
            if tuple(tokens[pos:pos + len(alt)]) == alt:
                found = _walk(elements, k + 1, tokens, pos + len(alt), bound, checks)
                if found is not None:
                    return found
        return _walk(elements, k + 1, tokens, pos, bound, checks) if e.optional else None
    return _slot(e, elements, k, tokens, pos, bound, checks)


def _slot(e: Slot, elements: Sequence[Element], k: int, tokens: Sequence[str], pos: int, bound: Binding,
          checks: tuple[Check, Starts]) -> Binding | None:
    if pos >= len(tokens) or not checks[1](e.name, tokens[pos]):
        return None
    ends = range(pos + 1, min(len(tokens), pos + MAX_WORDS[e.name]) + 1)
    # a company followed by more of the template takes as few words as it can ("ferme des prés verts jean luc
    # baron", "mairie de saint paul je vous appelle")
    lazy = e.name in FIRMS and k + 1 < len(elements) and not isinstance(elements[k + 1], Gap)
    for end in (reversed(ends) if e.name in GREEDY and not lazy else ends):
        words = tokens[pos:end]
        if e.bound and (e.bound not in bound or
                        tuple(words[:bound[e.bound][1] - bound[e.bound][0]]) !=
                        tuple(tokens[bound[e.bound][0]:bound[e.bound][1]])):
            continue
        if checks[0](e.name + ("=" if e.bound else ""), words):
            key = e.name if e.name not in bound else f"{e.name}2"
            found = _walk(elements, k + 1, tokens, end, {**bound, key: (pos, end)}, checks)
            if found is not None:
                return found
    return None


def parse_templates(items: object, source: str, steps: Mapping[str, object],
                    rules: Mapping[str, str] | None = None) -> tuple[Template, ...]:
    """``[[templates]]`` of a language file: id, template, steps (names of clean-up steps), where (answer,
    any); ``rules`` are its ``[template_rules]`` (``<name>`` in a template)."""
    if not isinstance(items, list):
        raise QualificationError(f"{source}: templates: expected an array of tables [[templates]]")
    out = []
    for i, t in enumerate(items):
        where = f"{source}: templates[{i}]"
        if not isinstance(t, dict) or set(t) - {"id", "template", "steps", "where"} or \
                not {"id", "template"} <= set(t):
            raise QualificationError(f"{where}: expected a table with id, template and optional steps, where")
        if not isinstance(t["template"], str) or not isinstance(t["id"], str) or \
                not isinstance(t.get("where", "answer"), str):
            raise QualificationError(f"{where}: expected id, template and where as strings")
        names = t.get("steps", [])
        if not isinstance(names, list) or any(n not in steps for n in names):
            raise QualificationError(f"{where}.steps: expected names among {', '.join(sorted(steps))}")
        out.append(Template.parse(t["id"], t["template"], names, where, rules, t.get("where", "answer")))
    return tuple(out)
