"""Who is calling: person name and company, read by the language's templates.

Each turn is cleaned the way people say their names (hesitations, letters spelled, a name said twice, a
self-correction), then read by the templates of the language's file (``rules/<lang>.lang.toml``,
``[[templates]]``, matched by :mod:`.templates`, slots checked by :mod:`.slots`): the first template that
gives a name gives the name of that turn, the first that gives a company its company, cleaned by the
template's named steps and then the language's ``company_steps``. Over the call, a later answer replaces
what an earlier turn said unless it only repeats part of it. Every decision lists the templates
(``template.<id>``) and the steps that changed the company (``step.<name>``).

>>> ident = extract_identity(["bonjour", "paul durand de la menuiserie du lac"], "fr")
>>> ident.name, ident.company
('Paul Durand', 'Menuiserie du Lac')
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Sequence
from pathlib import Path

from .language import Identity as Lexicon
from .language import language
from .numbers import find_phone, refers_to_caller_id
from .slots import FIRMS, KNOWN, NAMES, STEPS, can_fill, can_start, known_first, short_number
from .templates import Binding, Template, match
from .text import fold, raw_words, title_case

FIRSTNAMES_FILE = Path(__file__).with_name("rules") / "firstnames.txt"
MAX_ANSWER = 24  # words: a longer turn is read by the templates that look inside a sentence only
WIDE = frozenset({"role", "any"})  # slot kinds whose first word is not worth testing ahead


@functools.lru_cache(maxsize=4)
def first_names(path: str = str(FIRSTNAMES_FILE)) -> frozenset[str]:
    """People's first names (every origin: a name travels with its bearer, so one list serves every
    language), one or more per line; ``#`` starts a comment."""
    names: set[str] = set()
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        if line.strip().startswith("#"):
            continue
        names.update(fold(line).split())
    return frozenset(names)


class _Heads(frozenset[str]):
    """Words that start a business name; a word of more than six letters with one of the language's
    endings is one too (French "-erie": poissonnerie, chaudronnerie), unless it is a first name."""

    endings: tuple[str, ...] = ()

    def __contains__(self, word: object) -> bool:
        return frozenset.__contains__(self, word) or (isinstance(word, str) and len(word) > 6 and
                                                      word.endswith(self.endings) and word not in first_names())


@functools.lru_cache(maxsize=8)
def lexicon(lang: str) -> Lexicon:
    """The built-in language's lists for the extraction (``rules/<lang>.lang.toml``, [identity])."""
    return prepared(language(lang).identity)


def prepared(ident: Lexicon) -> Lexicon:
    heads = _Heads(ident.company_heads)
    heads.endings = tuple(ident.company_head_endings)
    return dataclasses.replace(ident, company_heads=heads)


@dataclasses.dataclass(frozen=True)
class Identity:
    name: str | None = None
    company: str | None = None
    identity_turn: int | None = None  # the turn that answered "who are you" (not a reason for calling)
    rules: tuple[str, ...] = ()


# ------------------------------------------------------------------------------------------------ a turn


def clean_words(words: list[str], answer: bool, lex: Lexicon) -> list[str]:
    """Spelled letters, repeated words and self-corrections, as people say their names.

    "roux r o u x" -> "roux"; "la s n c f" -> "la SNCF"; "marc marc roux" -> "marc roux"; in an answer,
    "paul durant non durand paul durand ..." -> "paul durand ..."."""
    out: list[str] = []
    i = 0
    while i < len(words):
        j = i
        while j < len(words) and len(words[j]) == 1 and words[j].isalpha() and \
                words[j] not in lex.single_letter_words:
            j += 1
        run = words[i:j]
        if len(run) >= 3 and tuple(run[:2]) not in lex.not_spelled:
            joined = "".join(run)
            if not any(fold(w).replace(" ", "") == joined for w in out[-3:]):
                out.append(joined.upper())  # an acronym said letter by letter
            i = j
            continue
        w = words[i]
        small = lex.stop | lex.articles | lex.of_words
        if out and fold(out[-1]) == fold(w) and fold(w) in small:
            i += 1  # "le le", "c'est c'est"
            continue
        if i + 1 < len(words) and len(out) >= 2 and [fold(x) for x in out[-2:]] == [fold(w), fold(words[i + 1])] \
                and all(fold(x) in small for x in out[-2:]):
            i += 2
            continue
        if not (out and fold(out[-1]) == fold(w) and fold(w) in first_names() and (len(out) < 2 or (
                fold(out[-2]) in lex.stop and fold(out[-2]) not in lex.before_place))):
            out.append(w)  # "marc marc roux", "it's ian ian ross"; not "owen hart hart foods", "de lucie lucie"
        i += 1
    return _corrected(out, lex) if answer else out


def _corrected(out: list[str], lex: Lexicon) -> list[str]:
    """"paul durant non durand paul durand" -> "paul durand": a name corrected in an answer."""
    folded = [fold(w) for w in out]
    for m in range(len(folded) - 1, 0, -1):
        if folded[m] in lex.name_correction and 1 <= m <= 3 and m + 1 < len(out):
            rest = out[m + 1:]
            if fold(rest[0]) in lex.name_correction_not and len(rest) > 2:
                rest = rest[2:]  # "anne roux non pas roux rouet ..."
            if len(rest) > 2 and fold(rest[2]) == fold(rest[0]):
                rest = rest[1:]  # "... non durand paul durand": the corrected word, then the whole name
            return rest
    return out


def _trailing_politeness(folded: list[str], lex: Lexicon) -> int:
    """How many words at the end are politeness ("merci", "voilà", "thanks")."""
    n = 0
    changed = True
    while changed:
        changed = False
        for p in lex.polite_end:
            if len(folded) - n > len(p) and tuple(folded[len(folded) - n - len(p):len(folded) - n]) == p:
                n += len(p)
                changed = True
                break
    return n


@dataclasses.dataclass
class Said:
    """What one turn said about who is calling, and the templates that read it."""

    ti: int
    name: list[str] | None = None
    company: list[str] | None = None
    steps: tuple[str, ...] = ()  # the clean-up steps of the template that read the company
    answer: bool = False  # a template read the whole turn as an answer
    name_answered: bool = False  # the name came from a template of answers
    not_theirs: set[str] = dataclasses.field(default_factory=set)  # the words of the place they meant to reach
    company_answered: bool = False
    rules: list[str] = dataclasses.field(default_factory=list)


class _Checks:
    """The slot checks of one turn, remembered: the templates ask the same questions."""

    def __init__(self, tokens: list[str], lex: Lexicon, names: frozenset[str]) -> None:
        self.present = frozenset(tokens)
        self.lex, self.names = lex, names
        self._fill: dict[tuple[str, tuple[str, ...], bool], bool] = {}
        self._start: dict[tuple[str, str], bool] = {}
        self._somewhere: dict[str, bool] = {}

    def fill(self, kind: str, words: Sequence[str], loose: bool) -> bool:
        key = (kind, tuple(words), loose)
        if key not in self._fill:
            self._fill[key] = can_fill(kind, words, self.lex, self.names, loose)
        return self._fill[key]

    def start(self, kind: str, word: str) -> bool:
        key = (kind.rstrip("="), word)
        if key not in self._start:
            self._start[key] = can_start(key[0], word, self.lex, self.names)
        return self._start[key]

    def somewhere(self, kind: str) -> bool:
        """Could a slot of this kind start on some word of the turn? (A quick test: True when it cannot tell.)"""
        if kind not in self._somewhere:
            present = self.present
            if kind in KNOWN:
                found = not present.isdisjoint(self.names) or any(known_first(w, self.names) for w in present)
            elif kind in NAMES or kind in FIRMS[1:2] or kind in WIDE:
                found = True  # most words can start one
            else:
                found = any(self.start(kind, w) for w in present)
            self._somewhere[kind] = found
        return self._somewhere[kind]


def _turn_words(turn: str, ti: int, lex: Lexicon) -> tuple[list[str], list[str], bool]:
    """The turn's words as said and as compared (folded, acronyms in capitals), politeness at the end of an
    answer left out, and whether it gives a telephone number."""
    phone = bool(find_phone(turn, lang=lex.code))
    words = clean_words([w for w in raw_words(turn) if fold(w) not in lex.hesitations], ti > 0 and not phone, lex)
    tokens = [w if w.isupper() and len(w) > 1 else fold(w) for w in words]
    if ti > 0:
        n = len(tokens) - _trailing_politeness(tokens, lex)
        words, tokens = words[:n], tokens[:n]
    return words, tokens, phone


def read_turn(turn: str, ti: int, lex: Lexicon, names: frozenset[str], known: list[str] | None = None,
              *, company_only: bool = False) -> Said:
    """The name and company one turn says, by the first templates that give them; ``known``: the name the call
    gave before (an answer after it may give the company alone, and another name only if it is one);
    ``company_only``: the answer to "and your company?", read by the templates that give no name (those read
    "after the name" too, the name known or not)."""
    said = Said(ti)
    words, tokens, phone = _turn_words(turn, ti, lex)
    whole = bool(tokens) and ti > 0 and len(tokens) <= MAX_ANSWER and not refers_to_caller_id(turn, lex.code)
    checks = _Checks(tokens, lex, names)
    for t in lex.templates if tokens else ():
        complete = said.name is not None and len(said.name) > 1
        if said.company is not None and complete:
            break
        if (t.where != "any" and not whole) or (t.where == "after_name" and not (known or company_only)) or \
                (said.company is not None and not _gives_name(t)) or (complete and not _gives_company(t)) or \
                (company_only and _gives_name(t)) or \
                not t.possible(checks.present, checks.somewhere):
            continue
        spans = match(t, tokens, functools.partial(checks.fill, loose=t.where != "any"), checks.start)
        if spans is not None and _read(said, t, spans, words, (known, lex, names, phone)):
            break  # the whole answer was read: there is nothing else in it
    return said


def _read(said: Said, t: Template, spans: Binding, words: list[str],
          call: tuple[list[str] | None, Lexicon, frozenset[str], bool]) -> bool:
    """Take what a matched template says, unless it names someone else than the turn or the call already did;
    True when it read the whole answer."""
    known, lex, names, phone = call
    name = _name_of(spans, words)
    if _another_name(name, known, lex, names) is None:
        return False  # once the caller said their name, an answer names no one else without a first name
    if said.name is not None and name and [fold(w) for w in name] != [fold(w) for w in said.name]:
        if _extends(name, said.name):
            said.name = name  # "c'est paul ... paul roux": the whole name said later
            said.rules.append(f"template.{t.id}")
        return False  # another reading of the turn than the one that gave its name
    _take(said, t, spans, words, phone)
    return t.where != "any" and not t.has_gap


def _extends(later: list[str], earlier: list[str]) -> bool:
    return len(later) > len(earlier) and fold(later[0]) == fold(earlier[0])


def _another_name(name: list[str] | None, known: list[str] | None, lex: Lexicon, names: frozenset[str]
                  ) -> bool | None:
    """Once the caller said their name, an answer names someone else only with a first name of the list, a
    title, a word of that name, or a whole name after a first name alone; otherwise its words are not a name
    ("métallerie lenoir" after "paul roux"). None: this reading gives no acceptable name."""
    if not name or not known:
        return False
    a, b = {fold(w) for w in name}, {fold(w) for w in known}
    full = len(known) == 1 and len(name) >= 2  # a first name said first, the full name later
    return False if (a & b or full or known_first(fold(name[0]), names) or fold(name[0]) in lex.titles) else None


def _gives_name(t: Template) -> bool:
    return bool(t.slot_names & (NAMES | KNOWN))


def _gives_company(t: Template) -> bool:
    return not t.slot_names.isdisjoint(FIRMS)


def _take(said: Said, t: Template, spans: Binding, words: list[str], phone: bool) -> None:
    """What a template's slots give the turn (only what it did not say already); a turn that gives the
    telephone number answers that question: a company in it counts as said in passing."""
    name = _name_of(spans, words)
    company = next((words[a:b] for k in FIRMS for a, b in [spans.get(k, (0, 0))]
                    if b > a), None)
    answered = t.where == "answer"
    used = False
    if name and said.name is None:
        said.name, said.name_answered, used = name, answered, True
    if company is not None and said.company is None and "not_the_caller" in t.steps:
        said.not_theirs |= {fold(w) for w in company}  # what they meant to reach: no other reading may take it
        said.rules.append(f"template.{t.id}")
        return
    if company is not None and said.company is None and not {fold(w) for w in company} <= said.not_theirs:
        said.company, said.steps, said.company_answered, used = company, t.steps, answered and not phone, True
    if used:
        said.rules.append(f"template.{t.id}")
        said.answer = said.answer or (answered and not t.has_gap)


def _name_of(spans: Binding, words: list[str]) -> list[str] | None:
    """The caller's name from a template's slots: the person (a second one said later wins), a title and a
    surname, a first name and a surname said apart, or a first name alone."""
    def said(*keys: str) -> list[str]:
        for k in keys:
            a, b = spans.get(k, (0, 0))
            if b > a:
                return words[a:b]
        return []

    person = said("person2", "known_person2", "person", "known_person", "name")
    if person:
        return person
    surname = said("surname2", "surname")
    if surname:
        return [*said("title2", "title", "first", "known_first"), *surname]
    return said("first", "known_first") or None


def clean_company(parts: list[str], steps: Sequence[str], lex: Lexicon, name: list[str] | None
                  ) -> tuple[list[str], list[str]]:
    """The company after the template's steps and the language's own (``company_steps``), and the steps
    that changed it."""
    fired: list[str] = []
    for step in (steps if steps == ("drop_name",) else (*steps, *(s for s in lex.company_steps if s not in steps))):
        if not parts:
            break
        after = STEPS[step](parts, lex, name)
        if after != parts:
            fired.append(step)
            parts = after
    return parts, fired


# ------------------------------------------------------------------------------------------------ the call


def extract_identity(turns: Sequence[str], lang: str = "fr", *, names_file: str | None = None,
                     lex: Lexicon | None = None) -> Identity:
    """Who is calling, from the turns of a call in ``lang`` (``lex``: that language's lists, default the
    built-in ones). What an answer says outweighs what a sentence said in passing; a later answer replaces an
    earlier one unless it only repeats part of it."""
    lex = lex or lexicon(lang)
    names = first_names(names_file or str(FIRSTNAMES_FILE))
    name: tuple[list[str], bool] | None = None
    company: tuple[list[str], bool, list[str]] | None = None
    rules: list[str] = []
    identity_turn: int | None = None
    for ti, turn in enumerate(turns):
        said = read_turn(turn or "", ti, lex, names, name[0] if name and name[1] else None)
        if said.answer and identity_turn is None:
            identity_turn = ti
        if said.name and (name is None or _replaces(said.name, said.name_answered, *name)):
            name = (said.name, said.name_answered)
        if said.company is not None:
            cleaned, fired = clean_company(said.company, said.steps, lex, None)
            if company is None or (cleaned and _replaces(cleaned, said.company_answered, *company[:2])):
                company = (cleaned, said.company_answered, [f"step.{s}" for s in fired])
        rules += said.rules
    if identity_turn is not None:
        rules.insert(0, "identity.answer")
    final = company[0] if company else None
    if final and name:
        final, fired = clean_company(final, ("drop_name",), lex, name[0])
        rules += [f"step.{s}" for s in fired]
    rules += company[2] if company else []
    return Identity(_name_text(name[0] if name else None, lex, names), _company_text(final, lex), identity_turn,
                    tuple(dict.fromkeys(rules)))


def company_answer(text: str, lang: str, name: str | None, *, lex: Lexicon | None = None) -> str | None:
    """The company in the answer to "and your company?", once ``name`` is known (the language's
    ``after_name`` templates read it: "it's hart joinery", "hart joinery"); None when it gives none.

    >>> company_answer("c'est la menuiserie du lac", "fr", "Paul Durand")
    'Menuiserie du Lac'
    """
    lex = lex or lexicon(lang)
    known = raw_words(name or "") or None
    names = first_names(str(FIRSTNAMES_FILE))
    said = read_turn(text, 1, lex, names, known, company_only=True)
    if said.company is None:  # "tina moss from moss catering": the name said again with it
        said = read_turn(text, 1, lex, names, known)
    if said.company is None:
        return None
    cleaned, _ = clean_company(said.company, said.steps, lex, None)
    if cleaned and known:
        cleaned, _ = clean_company(cleaned, ("drop_name",), lex, known)
    return _company_text(cleaned, lex)


def _replaces(later: list[str], answered: bool, earlier: list[str], earlier_answered: bool) -> bool:
    """Does a later name or company replace the earlier one? Only an answer's does (a sentence's fills what is
    missing), and not when it only repeats part of it or the same words in another order ("roux alain"
    after "alain roux")."""
    a, b = [fold(w) for w in later], [fold(w) for w in earlier]
    return bool(a) and answered and not set(a) <= set(b)


def _name_text(name: list[str] | None, lex: Lexicon, names: frozenset[str]) -> str | None:
    if not name:
        return None
    if lex.join_compound_first_names and len(name) >= 3 and known_first(fold(name[0]), names) and \
            fold(name[1]) in lex.compound_second and "-" not in name[0]:
        name = [name[0] + "-" + name[1], *name[2:]]  # "jean luc roux" -> Jean-Luc Roux
    joined: list[str] = []
    for w in name:
        if joined and joined[-1].endswith("'") and fold(w) in lex.possessive_marks:
            joined[-1] = joined[-1][:-1] + w  # "robert' s" -> Roberts: a surname the recogniser wrote "robert's"
        else:
            joined.append(w)
    text = title_case(" ".join(joined).replace("' ", "'"))
    first = fold(text.split()[0])
    if first in lex.title_words:
        text = lex.title_words[first] + text[len(text.split()[0]):]  # "M Martin" -> "Monsieur Martin"
    return text


def _company_text(parts: list[str] | None, lex: Lexicon) -> str | None:
    if not parts:
        return None
    text = " ".join(short_number(parts, lex)).replace("' ", "'").strip(" '-")
    if not text:
        return None
    cased = title_case(text, keep_small=True).split()
    return " ".join(w.upper() if fold(w) in lex.legal_forms else w for w in cased)


def find_equipment(text: str, equipment: Sequence[str]) -> str | None:
    """The first listed equipment word (longest listed first) said in ``text``."""
    f = " " + _singular(text) + " "
    best: tuple[int, str] | None = None
    for item, key in _equipment_keys(tuple(equipment)):
        pos = f.find(key)
        if pos >= 0 and (best is None or pos < best[0]):
            best = (pos, item)
    return best[1] if best else None


def _singular(s: str) -> str:
    return " ".join(w[:-1] if len(w) > 3 and w[-1] in "sx" else w for w in fold(s).split())


@functools.lru_cache(maxsize=8)
def _equipment_keys(equipment: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
    return tuple((item, " " + _singular(item) + " ") for item in sorted(equipment, key=len, reverse=True))

