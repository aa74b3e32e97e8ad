"""A language's words, read once from its file (``rules/<lang>.lang.toml``): the code knows no language.

Sections: ``[answers]`` (yes, no, "I don't know"... for the dialog and the recogniser's grammars),
``[turns]`` (the words after which a caller has not finished speaking),
``[numbers]`` (the words numbers are made of, corrections, the caller-id phrases), ``[matching]`` (the
small words and negations of the rules' phrase matcher) and ``[identity]`` (every list the name and company
extraction uses). Each list is documented in the file. Entries are folded like the transcripts (no accents,
lower case, punctuation as spaces). An owner's rules file may add to or replace any list by name
(:func:`merge_lists`); every error names the file and the key.

>>> fr = language("fr")
>>> "madame" in fr.identity.titles, [t.id for t in fr.templates][:2]
(True, ['appele', 'prenom_dit'])
>>> language("en").answers["yes"][:2]
('yes', 'yeah')
"""

from __future__ import annotations

import dataclasses
import functools
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any, get_type_hints

from ..errors import QualificationError
from .templates import Template, parse_templates
from .text import fold

LANG_DIR = Path(__file__).with_name("rules")
LANGS = ("fr", "en")  # the built-in languages
# the clean-up steps a template may name (entities.py applies them)
STEPS = {"drop_connector": "the words that link a name to its company ('de la laiterie du val')",
         "drop_role": "a role or department before the company ('site manager at ...', 'comptabilité des ...')",
         "drop_place": "a place or an address after the company ('garage du centre à vierzon')",
         "drop_legal_form": "a legal form said after the company ('... sas')",
         "drop_name": "the caller's name said at the end of the company",
         "drop_article": "an article before the company ('la ferme du pré vert')",
         "drop_what_it_is": "what the business is, said after its name ('balto le bar tabac de la place')",
         "drop_no_company": "a place or a role that is no company ('de l'immeuble', 'sur place')",
         "not_the_caller": "the place the caller meant to reach, not theirs ('c'est bien la pharmacie ?')"}
ANSWERS = ("yes", "no", "dont_know", "nothing_else", "no_callback")

Phrases = tuple[tuple[str, ...], ...]


@dataclasses.dataclass(frozen=True)
class Matching:
    function_words: frozenset[str]
    never_dropped: frozenset[str]
    negations: frozenset[str]
    negation_between: frozenset[str]
    # words heard as themselves, never taken for a rule's word one letter away ("personnel" is no "personne")
    plain_words: frozenset[str] = frozenset()


@dataclasses.dataclass(frozen=True)
class Numbers:
    units: tuple[str, ...]
    one: tuple[str, ...]
    zero: tuple[str, ...]
    teen_from_ten: bool
    tens: Mapping[str, str]
    tens_plural: Mapping[str, str]
    tens_with_teens: tuple[int, ...]
    and_one: str
    and_one_tens: tuple[int, ...]
    hundred: tuple[str, ...]
    hundred_alone: tuple[str, ...]
    hundred_and: tuple[str, ...]
    repeat: Mapping[str, int]
    hesitations: frozenset[str]
    national_groups: tuple[int, ...]
    correction: frozenset[str]
    correction_glue: frozenset[str]
    fallback: frozenset[str]
    preference: tuple[str, ...]
    preference_lines: tuple[str, ...]
    mobile_lines: frozenset[str]
    preference_links: tuple[str, ...]
    preference_articles: tuple[str, ...]
    caller_id: tuple[str, ...]


@dataclasses.dataclass(frozen=True)
class Identity:
    """The name and company extraction's lists (documented in the language file)."""

    company_heads: frozenset[str]
    company_head_endings: tuple[str, ...]
    public_bodies: frozenset[str]
    legal_forms: frozenset[str]
    titles: frozenset[str]
    titles_inside: frozenset[str]
    titles_dropped: frozenset[str]
    ranks: frozenset[str]
    particles: frozenset[str]
    connectors: Phrases
    of_words: frozenset[str]
    before_place: frozenset[str]
    at_words: frozenset[str]
    and_words: frozenset[str]
    stop: frozenset[str]
    articles: frozenset[str]
    family: frozenset[str]
    not_names: frozenset[str]
    trade_endings: tuple[str, ...]
    sentence: frozenset[str]
    s_is: frozenset[str]
    possessive_marks: frozenset[str]
    departments: frozenset[str]
    hesitations: frozenset[str]
    polite_end: Phrases
    place_words: frozenset[str]
    not_a_company: frozenset[str]
    streets: frozenset[str]
    street_stops: frozenset[str]
    locality: Phrases
    trailing_words: frozenset[str]
    name_correction: frozenset[str]
    name_correction_not: frozenset[str]
    compound_second: frozenset[str]
    join_compound_first_names: bool
    title_words: Mapping[str, str]
    not_spelled: Phrases
    single_letter_words: tuple[str, ...]  # as written: accented letters are words ("à")
    company_drop_first: frozenset[str]
    department_links: frozenset[str]
    elisions: frozenset[str]
    role_links: frozenset[str]
    definite_articles: frozenset[str]
    company_at_shop: frozenset[str]
    public_join: str
    company_cut: frozenset[str]
    place_at: frozenset[str]
    company_steps: tuple[str, ...] = ()  # the clean-up steps every company goes through (after a template's)
    code: str = ""  # the language's code (set by the loader, not a list)
    templates: tuple[Template, ...] = ()  # the language's [[templates]] (set by the loader)


@dataclasses.dataclass(frozen=True)
class Language:
    code: str
    source: str
    answers: Mapping[str, tuple[str, ...]]  # as written (a grammar for the recogniser); fold to compare
    numbers: Numbers
    matching: Matching
    identity: Identity
    templates: tuple[Template, ...] = ()  # the ways of saying who one is ([[templates]])
    continuation: tuple[str, ...] = ()  # [turns]: a turn that stops on one of these is not finished
    openers: frozenset[str] = frozenset()  # [turns]: a turn of these words alone ("hello", "yes um") tells no reason

    def words(self, name: str) -> Phrases:
        """A phrase list of any section by name ("fillers", "hesitations"), folded into words."""
        for section in (self.identity, self.numbers, self.matching):
            value = getattr(section, name, None)
            if value is not None:
                return tuple(tuple(v) if isinstance(v, tuple) else tuple(fold(v).split()) for v in value)
        raise KeyError(name)


def _convert(source: str, key: str, value: Any, hint: Any) -> Any:
    def fail(expected: str) -> QualificationError:
        return QualificationError(f"{source}: {key}: expected {expected}, got {value!r}")

    if hint is bool:
        if not isinstance(value, bool):
            raise fail("true or false")
        return value
    if hint is str:
        if not isinstance(value, str):
            raise fail("a string")
        return value
    origin = getattr(hint, "__origin__", None)
    if origin is Mapping:
        if not isinstance(value, dict):
            raise fail("a table")
        want = hint.__args__[1]
        if not all(isinstance(v, want) and not isinstance(v, bool) for v in value.values()):
            raise fail(f"a table of {want.__name__} values")
        return {str(k): v for k, v in value.items()}
    if not isinstance(value, list):
        raise fail("a list")
    if hint == tuple[int, ...]:
        if not all(isinstance(v, int) and not isinstance(v, bool) for v in value):
            raise fail("a list of whole numbers")
        return tuple(value)
    if not all(isinstance(v, str) for v in value):
        raise fail("a list of strings")
    if hint == frozenset[str]:  # each word, and a phrase whole; a hyphenated word is one token ("petit-fils")
        return frozenset(w for v in value for w in ((fold(v),) if "-" in v else (*fold(v).split(), fold(v))) if w)
    if hint == Phrases:
        return tuple(t for t in (tuple(fold(v).split()) for v in value) if t)
    return tuple(value)


def _section(cls: type, data: Any, source: str, name: str) -> Any:
    if not isinstance(data, dict):
        raise QualificationError(f"{source}: {name}: expected a table [{name}]")
    hints = {k: v for k, v in get_type_hints(cls).items() if k not in ("code", "templates")}
    for k in data:
        if k not in hints:
            raise QualificationError(f"{source}: {name}.{k}: unknown list (known: {', '.join(sorted(hints))})")
    optional = {f.name for f in dataclasses.fields(cls) if f.default is not dataclasses.MISSING}
    missing = [k for k in hints if k not in data and k not in optional]
    if missing:
        raise QualificationError(f"{source}: {name}.{missing[0]}: missing")
    return cls(**{k: _convert(source, f"{name}.{k}", data[k], hint) for k, hint in hints.items() if k in data})


def parse_language(data: Mapping[str, Any], source: str) -> Language:
    top = dict(data)
    for k in top:
        if k not in ("lang", "answers", "turns", "numbers", "matching", "identity", "templates", "template_rules"):
            raise QualificationError(f"{source}: {k}: unknown key (known: lang, answers, turns, numbers, matching, "
                                     "identity, templates, template_rules)")
    code = top.get("lang")
    if not isinstance(code, str) or not code:
        raise QualificationError(f"{source}: lang: expected a language code such as fr or en")
    answers_in = top.get("answers", {})
    if not isinstance(answers_in, dict):
        raise QualificationError(f"{source}: answers: expected a table [answers]")
    answers = {}
    for k in ANSWERS:
        answers[k] = _convert(source, f"answers.{k}", answers_in.get(k, []), tuple[str, ...])
    for k in answers_in:
        if k not in ANSWERS:
            raise QualificationError(f"{source}: answers.{k}: unknown list (known: {', '.join(ANSWERS)})")
    rules = top.get("template_rules", {})
    if not isinstance(rules, dict) or not all(isinstance(v, str) for v in rules.values()):
        raise QualificationError(f"{source}: template_rules: expected a table of name = \"words\"")
    templates = parse_templates(top.get("templates", []), source, STEPS, rules)
    identity = dataclasses.replace(_section(Identity, top.get("identity"), source, "identity"), code=code,
                                   templates=templates)
    if any(step not in STEPS for step in identity.company_steps):
        raise QualificationError(f"{source}: identity.company_steps: expected names among {', '.join(STEPS)}")
    turns = top.get("turns", {})
    if not isinstance(turns, dict) or set(turns) - {"continuation", "openers"}:
        raise QualificationError(f"{source}: turns: expected a table [turns] with continuation = [...] "
                                 "and openers = [...]")
    continuation = _convert(source, "turns.continuation", turns.get("continuation", []), tuple[str, ...])
    openers = _convert(source, "turns.openers", turns.get("openers", []), tuple[str, ...])
    if not all(w.strip() for w in (*continuation, *openers)):
        raise QualificationError(f"{source}: turns: expected non-empty words")
    return Language(code, source, answers, _section(Numbers, top.get("numbers"), source, "numbers"),
                    _section(Matching, top.get("matching"), source, "matching"), identity, templates,
                    tuple(w.strip().lower() for w in continuation),
                    frozenset(w for o in openers for w in fold(o).split()))


def merge_templates(base: list[Any], owner: list[Any], source: str) -> list[Any]:
    """An owner's ``[[lexicons.templates]]``: a template with a built-in id replaces it, a new id is added
    first (the owner's ways are tried before the built-in ones)."""
    if not isinstance(owner, list) or not all(isinstance(t, dict) and isinstance(t.get("id"), str) for t in owner):
        raise QualificationError(f"{source}: lexicons.templates: expected [[lexicons.templates]] tables with an id")
    ids = {t["id"] for t in owner}
    return [*owner, *(t for t in base if t.get("id") not in ids)]


def merge_lists(base: Mapping[str, Any], owner: Mapping[str, Any], source: str) -> dict[str, Any]:
    """The built-in language data with an owner's ``[lexicons]`` applied: per section and list name, a list
    adds its words; a table ``{replace = [...]}`` replaces the list; ``{remove = [...]}`` takes words out."""
    out = {k: (dict(v) if isinstance(v, dict) else v) for k, v in base.items()}
    for section, lists in owner.items():
        if section == "templates":
            out["templates"] = merge_templates(list(base.get("templates", [])), lists, source)
            continue
        if section not in ("answers", "numbers", "matching", "identity") or not isinstance(lists, dict):
            raise QualificationError(f"{source}: lexicons.{section}: expected one of [lexicons.answers], "
                                     "[lexicons.numbers], [lexicons.matching], [lexicons.identity]")
        target = out.setdefault(section, {})
        for name, change in lists.items():
            key = f"lexicons.{section}.{name}"
            if section != "answers" and name not in target:
                raise QualificationError(f"{source}: {key}: no such built-in list")
            current = target.get(name, [])
            if isinstance(change, list) and isinstance(current, list):
                target[name] = [*current, *change]
            elif isinstance(change, dict) and set(change) == {"replace"}:
                target[name] = change["replace"]
            elif isinstance(change, dict) and set(change) == {"remove"} and isinstance(current, list):
                gone = {fold(str(w)) for w in change["remove"]} if isinstance(change["remove"], list) else set()
                target[name] = [w for w in current if fold(w) not in gone]
            else:
                raise QualificationError(f"{source}: {key}: expected a list of words to add, "
                                         "{replace = [...]} or {remove = [...]}")
    return out


def read_language_data(lang: str) -> tuple[dict[str, Any], str]:
    path = LANG_DIR / f"{lang}.lang.toml"
    try:
        return tomllib.loads(path.read_text(encoding="utf-8")), str(path)
    except FileNotFoundError:
        raise QualificationError(f"{path}: no such language file (built-in languages: fr, en)") from None
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise QualificationError(f"{path}: cannot read the language file: {exc}") from None


@functools.lru_cache(maxsize=8)
def language(lang: str) -> Language:
    """The built-in language ``lang``, read once."""
    data, source = read_language_data(lang)
    return parse_language(data, source)
