"""Templates for the ways people say who they are, and the small engine that matches them.

The syntax follows hassil's (Home Assistant's offline intent matcher): words, ``(a|b)`` alternatives,
``[a|b]`` optional words, ``{slot}`` a typed slot. A template matches a whole answer (politeness at its
ends aside), e.g. ``"[it's|this is] {first} from [the] {company} {person=first}"`` for "it's gary from
pennington meats gary lomax". ``{person=first}`` is a person whose first word is the one bound to
``first``. Slot types: ``first`` (one word that can be a name), ``known_first`` (a first name of the
names list), ``surname``, ``person`` (two or three words that can be a name), ``known_person`` (the same,
starting with a first name of the list: it tells a name from the end of a company), ``title`` (mrs...),
``company`` (up to six words that are no sentence), ``role`` (words of the language's roles and
departments), ``any`` (up to eight words, said around what matters). Which words can be a name, a role,
a title comes from the language's lists; the engine knows no language.

hassil itself is not used: it matches an utterance against intents whole, with slot values from lists or
free wildcards, and has no slot types to tell a person from a company; this engine is the forty lines of
that idea the box needs.

>>> t = Template.parse("greet", "[it's] {first} from {company}", ("drop_role",))
>>> t.elements[1], t.elements[2]
(Slot(name='first', bound=None), Literal(alternatives=(('from',),), optional=False))
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Iterator, Mapping, Sequence

from ..errors import QualificationError
from .text import fold

SLOTS = ("first", "known_first", "surname", "person", "known_person", "title", "company", "role", "any")
MAX_WORDS = {"first": 1, "known_first": 1, "surname": 2, "person": 3, "known_person": 3, "title": 1, "company": 6,
             "role": 3, "any": 8}


@dataclasses.dataclass(frozen=True)
class Literal:
    alternatives: tuple[tuple[str, ...], ...]
    optional: bool = False


@dataclasses.dataclass(frozen=True)
class Slot:
    name: str
    bound: str | None = None  # {person=first}: starts with the words bound to that slot


Element = Literal | Slot
_TOKEN = re.compile(r"\[[^\]]*\]|\([^)]*\)|\{[^}]*\}|[^\s\[\](){}]+")


@dataclasses.dataclass(frozen=True)
class Template:
    id: str
    text: str
    steps: tuple[str, ...]
    elements: tuple[Element, ...]

    @classmethod
    def parse(cls, tid: str, text: str, steps: Sequence[str] = (), where: str = "",
              rules: Mapping[str, str] | None = None) -> Template:
        """``<name>`` in ``text`` is the expansion rule of that name (as in hassil)."""
        for _ in range(4):
            text = re.sub(r"<(\w+)>", lambda m: _rule(m.group(1), rules or {}, where), text)
        elements: list[Element] = []
        tokens = _TOKEN.findall(text)
        if "".join("".join(tokens).split()) != "".join(text.split()):
            raise QualificationError(f"{where}: unbalanced brackets in {text!r}")
        for tok in tokens:
            if tok[0] == "{":
                name, _, bound = tok[1:-1].partition("=")
                if name not in SLOTS or (bound and bound not in SLOTS):
                    raise QualificationError(f"{where}: unknown slot {tok} (slots: {', '.join(SLOTS)})")
                elements.append(Slot(name, bound or None))
            elif tok[0] in "[(":
                alts = tuple(tuple(fold(a).split()) for a in tok[1:-1].split("|"))
                elements.append(Literal(tuple(a for a in alts if a), tok[0] == "[" or not all(alts)))
            elif tok[0] in "])}":
                raise QualificationError(f"{where}: unbalanced {tok!r} in {text!r}")
            else:
                elements.append(Literal((tuple(fold(tok).split()),)))
        if not any(isinstance(e, Slot) for e in elements):
            raise QualificationError(f"{where}: a template needs at least one {{slot}}: {text!r}")
        return cls(tid, text, tuple(steps), tuple(elements))


def _rule(name: str, rules: Mapping[str, str], where: str) -> str:
    if name not in rules:
        raise QualificationError(f"{where}: unknown rule <{name}> (rules: {', '.join(sorted(rules)) or 'none'})")
    return rules[name]


Binding = dict[str, tuple[int, int]]
Check = Callable[[str, Sequence[str]], bool]  # (slot type, words) -> can these words fill it?


def match(template: Template, tokens: Sequence[str], check: Check) -> Binding | None:
    """The slots of ``template`` over the whole of ``tokens`` (token spans), or None."""
    return next(_walk(template.elements, 0, tokens, 0, {}, check), None)


def _walk(elements: Sequence[Element], k: int, tokens: Sequence[str], pos: int, bound: Binding,
          check: Check) -> Iterator[Binding]:
    if k == len(elements):
        if pos == len(tokens):
            yield dict(bound)
        return
    e = elements[k]
    if isinstance(e, Literal):
        for alt in e.alternatives:
            if tuple(tokens[pos:pos + len(alt)]) == alt:
                yield from _walk(elements, k + 1, tokens, pos + len(alt), bound, check)
        if e.optional:
            yield from _walk(elements, k + 1, tokens, pos, bound, check)
        return
    for end in range(pos + 1, min(len(tokens), pos + MAX_WORDS[e.name]) + 1):
        words = tokens[pos:end]
        if e.bound and (e.bound not in bound or
                        tuple(words[:bound[e.bound][1] - bound[e.bound][0]]) !=
                        tuple(tokens[bound[e.bound][0]:bound[e.bound][1]])):
            continue
        if check(e.name + ("=" if e.bound else ""), words):
            key = e.name if e.name not in bound else f"{e.name}2"
            yield from _walk(elements, k + 1, tokens, end, {**bound, key: (pos, end)}, check)


def parse_templates(items: object, source: str, steps: Mapping[str, object],
                    rules: Mapping[str, str] | None = None) -> tuple[Template, ...]:
    """``[[templates]]`` of a language file: id, template, steps (names of clean-up steps); ``rules`` are
    its ``[template_rules]`` (``<name>`` in a template)."""
    if not isinstance(items, list):
        raise QualificationError(f"{source}: templates: expected an array of tables [[templates]]")
    out = []
    for i, t in enumerate(items):
        where = f"{source}: templates[{i}]"
        if not isinstance(t, dict) or set(t) - {"id", "template", "steps"} or not {"id", "template"} <= set(t):
            raise QualificationError(f"{where}: expected a table with id, template and optional steps")
        if not isinstance(t["template"], str) or not isinstance(t["id"], str):
            raise QualificationError(f"{where}: expected id and template as strings")
        names = t.get("steps", [])
        if not isinstance(names, list) or any(n not in steps for n in names):
            raise QualificationError(f"{where}.steps: expected names among {', '.join(sorted(steps))}")
        out.append(Template.parse(t["id"], t["template"], names, where, rules))
    return tuple(out)
