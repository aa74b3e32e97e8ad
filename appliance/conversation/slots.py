"""What words can fill a template's slot, and the named clean-up steps of a company: language-free code
reading the language's lists (``rules/<lang>.lang.toml``, ``[identity]``).

A slot check answers "can these words be a person, a company, a role...?" from the lists (titles, first
names, roles and departments, business words, small words...); a step takes words off a company, each for one
reason, and says whether it did ("garage du lac à dijon": ``drop_place``). Words are folded (no accents,
lower case), except acronyms said letter by letter, kept in capitals ("SNCF").

>>> from appliance.conversation.entities import lexicon, first_names
>>> lex, names = lexicon("fr"), first_names()
>>> can_fill("person", ["jean", "luc", "baron"], lex, names), can_fill("person", ["jean", "garage"], lex, names)
(True, False)
>>> can_fill("company", ["laiterie", "du", "val"], lex, names), can_fill("company", ["on", "a"], lex, names)
(True, False)
>>> STEPS["drop_place"](["garage", "du", "centre", "à", "vierzon"], lex, None)
['garage', 'du', 'centre']
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from .language import Identity as Lexicon
from .numbers import number_words, spoken_digits
from .text import fold

Words = list[str]
# the kinds of slot (the template engine's, not a language's words)
KNOWN = frozenset({"known_first", "known_person"})  # start with a first name of the list
NAMES = frozenset({"first", "person", "surname", "name"})  # made of words a name can be made of
FIRSTS = frozenset({"first", "known_first"})
PERSONS = frozenset({"person", "known_person"})
FIRMS = ("business", "company", "acronym")  # what gives a company, in the order a template's slots are read


# ------------------------------------------------------------------------------------------------ words


def numbery(words: Sequence[str], lex: Lexicon) -> bool:
    """Mostly number words or digits (a telephone number, not a name)."""
    vocab = number_words(lex.code)
    n = sum(1 for w in words if w in vocab or w.isdigit() or all(p in vocab for p in w.split()))
    return n * 2 > len(words)


def known_first(w: str, names: frozenset[str]) -> bool:
    """A first name of the list, compound ones included ("jean pierre" from "jean-pierre")."""
    return w in names or (" " in w and all(p in names for p in w.split()))


def _name_word(w: str, lex: Lexicon, names: frozenset[str]) -> bool:
    parts = w.split()
    return w not in lex.not_names and w not in lex.stop and not w.isdigit() and not w.isupper() and \
        (w not in lex.departments or known_first(w, names)) and \
        not any(p in lex.stop or p in lex.not_names for p in parts[1:]) and \
        not (lex.trade_endings and w.endswith(lex.trade_endings))


def _given(w: str, lex: Lexicon, names: frozenset[str]) -> bool:
    """A word a person's name can be made of that is no business, title, rank, particle or sentence word."""
    return len(w) > 1 and w not in lex.company_heads and w not in lex.titles and w not in lex.sentence and \
        w not in lex.ranks and w not in lex.titles_dropped and w not in lex.particles and w not in lex.of_words and \
        w not in lex.articles and _name_word(w, lex, names) and not numbery([w], lex)


def _person(words: Sequence[str], lex: Lexicon, names: frozenset[str], known: bool) -> bool:
    """First name, maybe a second first name ("jean luc") or particles ("le gall"), surname; or the surname
    first ("lebrun sandrine"); a surname a recogniser wrote as a possessive ("gareth robert's") is one word."""
    if len(words) >= 3 and words[-1] in lex.possessive_marks and words[-2] not in lex.s_is:
        words = [*words[:-2], words[-2] + words[-1]]
    if not 2 <= len(words) <= 4 or not _given(words[0], lex, names) or not _given(words[-1], lex, names):
        return False  # nor a particle at either end: "kévin da" is not all of "kévin da silva"
    if known and not known_first(words[0], names):
        return False
    middle = list(words[1:-1])
    if middle and known_first(words[0], names) and middle[0] in lex.compound_second:
        middle = middle[1:]
    return all(w in lex.particles for w in middle)


def _company(words: Sequence[str], lex: Lexicon, loose: bool = False) -> bool:
    """Up to eight words that can name a business: no sentence ("je", "est"), number or person starting
    inside it, not ending on a small word, not a business word alone ("garage" is what it is, not its name).
    Inside a sentence it also stops at a place ("à"), an address and an article that starts a new phrase
    ("novaplast le compresseur"); in an answer (``loose``) the rest of it is the company, cleaned by the
    steps ("épicerie du marché à nevers")."""
    glue = lex.articles | lex.of_words | lex.and_words
    if words[0] in lex.of_words or words[-1] in glue or all(w in glue for w in words):
        return False
    if (len(words) == 1 and words[0] in lex.company_heads) or words[0] in lex.titles:
        return False
    if words[0] in lex.articles and len(words) > 1 and (_who(words[1], lex) or (
            words[0] not in lex.definite_articles and any(_who(w, lex) for w in words[1:3]))):
        return False  # "chez la voisine", "le gardien", "a private customer": who, not which company
    if words[0] in lex.place_words or words[0] in lex.place_at:
        return False  # "on the mobile": where
    for i, w in enumerate(words):
        before = words[i - 1] if i else ""
        if not _company_word(w, before, i, lex, loose):
            return False
        if not loose and i and w in lex.articles and before not in lex.company_heads | lex.of_words:
            return False  # "la pharmacie du centre la porte ...", "kalinka le bar": a new phrase
        if not loose and i >= 2 and w in lex.street_stops:
            return False  # "... rue nationale": the address
    return not numbery(words, lex)


def _company_word(w: str, before: str, i: int, lex: Lexicon, loose: bool) -> bool:
    if w.lstrip("+").isdigit() or (i and w in lex.titles and w not in lex.titles_inside):
        return False
    if not (w in lex.stop or (" " in w and w.split()[0] in lex.stop)):
        return True
    return (w in lex.and_words and i > 0) or (before in lex.elisions and before in lex.articles) or \
        (w in lex.possessive_marks and i > 0 and before not in lex.s_is) or \
        (loose and (w in lex.at_words or w in lex.place_at or w in lex.company_cut)) or \
        (w in lex.at_words and before in lex.public_bodies) or \
        (w in lex.company_at_shop and before in lex.company_heads)  # "l'est"; "mairie à ..."; "boulangerie chez ..."


def _who(w: str, lex: Lexicon) -> bool:
    """A word that says who someone is (a role, a relation, what no name is), not a small word."""
    return _role_word(w, lex) or (len(w) > 2 and w not in lex.stop and w not in lex.of_words and
                                  (w in lex.not_names or w.rstrip("sx") in lex.not_names))


def _role(words: Sequence[str], lex: Lexicon, names: frozenset[str]) -> bool:
    """Words of roles, trades, departments and family: "chef cuisinier", "responsable des achats",
    "infirmière de nuit", "fille", maybe after what they are of ("property manager"); not a business word
    ("syndic de copropriété roux" is a business)."""
    if words[0] in lex.company_heads or words[-1] in lex.of_words:
        return False
    seen = False
    for i, w in enumerate(words):
        if seen and w in lex.of_words and i + 1 < len(words) and words[i + 1] in lex.departments:
            continue
        if _role_word(w, lex) and not (i and known_first(w, names)):
            seen = True
        elif seen or not _modifier(w, lex, names):
            return False
    return seen


def _modifier(w: str, lex: Lexicon, names: frozenset[str]) -> bool:
    """A word said before a role to say what it is of ("property manager", "office manager")."""
    return w not in lex.stop and w not in lex.articles and w not in lex.of_words and w not in lex.sentence and \
        w not in lex.company_heads and w not in lex.titles and not known_first(w, names) and \
        not numbery([w], lex) and len(w) > 2


def _role_word(w: str, lex: Lexicon) -> bool:
    """A word of a role, trade, department or relation."""
    return (w in lex.departments or w.rstrip("s") in lex.departments or w in lex.family) and \
        w not in lex.articles and w not in lex.role_links


def can_start(kind: str, word: str, lex: Lexicon, names: frozenset[str]) -> bool:
    """Can a slot of this kind start with this word (a quick test before trying its spans)?"""
    if kind == "acronym":
        return word.isupper() and len(word) > 1
    w = word.lower()
    if kind in KNOWN:
        return known_first(w, names) and _given(w, lex, names)
    if kind in NAMES:
        return _given(w, lex, names) or (kind == "surname" and w in lex.particles)
    if kind == "title":
        return w in lex.titles
    if kind == "rank":
        return w in lex.ranks or w in lex.titles_dropped
    if kind == "business":
        return w in lex.company_heads
    if kind == "role":
        return (_role_word(w, lex) or _modifier(w, lex, names)) and w not in lex.company_heads
    if kind == "company":
        return w not in lex.of_words and w not in lex.titles and not w.isdigit()
    return True


def can_fill(kind: str, said: Sequence[str], lex: Lexicon, names: frozenset[str], loose: bool = False) -> bool:
    """Can ``said`` (folded words, acronyms in capitals) fill a slot of this kind (a template slot type, "=" for
    a bound slot)? ``loose``: the slot is read in a whole answer, where a company is the rest of it."""
    kind = kind.rstrip("=")
    if kind == "any":
        return True
    if kind == "acronym":
        return said[0].isupper() and len(said[0]) >= 2 and (len(said) == 1 or numbery(said[1:], lex))
    words = [w.lower() for w in said]
    if kind == "name":  # one to three words that can be a name, said before "je suis"
        return all(_given(w, lex, names) or (w in lex.particles and 0 < i < len(words) - 1)
                   for i, w in enumerate(words))
    if kind == "title":
        return words[0] in lex.titles
    if kind == "rank":
        return words[0] in lex.ranks or words[0] in lex.titles_dropped
    if kind in FIRSTS:
        return _given(words[0], lex, names) and (kind == "first" or known_first(words[0], names))
    if kind == "surname":
        return _given(words[-1], lex, names) and all(w in lex.particles for w in words[:-1])
    if kind in PERSONS:
        return _person(words, lex, names, kind == "known_person")
    if kind == "role":
        return _role(words, lex, names)
    if kind == "business":  # what it is, then its name: "garage martin"
        return len(words) >= 2 and words[0] in lex.company_heads and _company(words, lex, loose)
    return _company(words, lex, loose)


# ------------------------------------------------------------------------------------------------ steps
# Each step takes the company's words as said (accents kept) and gives what is left of them.


def _f(parts: Words) -> Words:
    return [fold(p) for p in parts]


def _drop_connector(parts: Words, lex: Lexicon, name: Words | None) -> Words:
    """"de la fromagerie des pins" -> "fromagerie des pins" (the words that link a name to its company)."""
    changed = True
    while parts and changed:
        changed = False
        folded = _f(parts)
        for conn in lex.connectors:
            n = len(conn)
            if tuple(folded[:n]) == conn and len(parts) > n:
                parts, changed = parts[n:], True
                break
    return parts


def _drop_role(parts: Words, lex: Lexicon, name: Words | None) -> Words:
    """"comptabilité des transports x" -> "transports x"; "accounts at bay transport" -> "bay transport";
    a trade and a place ("agriculteur à nevers") is no company."""
    f = _f(parts)
    shop = next((k for k in range(1, len(f) - 1) if f[k] in lex.company_at_shop), None)
    if shop is not None and f[shop - 1] not in lex.company_heads:
        return parts[shop + 1:]  # "office manager chez novadis"; not "boulangerie chez lucie"
    if not parts or (f[0] not in lex.departments and (f[0].rstrip("s") not in lex.departments or
                                                      f[0] in lex.company_heads)):
        return parts
    for k in range(1, min(len(parts), 5)):
        if f[k] in lex.at_words and not any(x in lex.company_heads for x in f[k + 1:]):
            return []
        if f[k] in lex.department_links or f[k].split()[0] in lex.elisions:
            rest = parts[k + 1:] if f[k] in lex.department_links else parts[k:]
            return _drop_role(_drop_connector(rest, lex, name), lex, name)
        if f[k] not in lex.departments and (f[k].rstrip("s") not in lex.departments or f[k] in lex.company_heads):
            return parts[k:]
    return []


def _drop_place(parts: Words, lex: Lexicon, name: Words | None) -> Words:
    """"garage du lac à dijon" -> "garage du lac"; "mairie à vernon" -> "mairie de vernon"; an
    address or a place alone is no company."""
    f, heads = _f(parts), lex.company_heads
    if any(tuple(w.split()) in lex.locality for w in f):
        return []
    if f and f[0] in lex.at_words and not any(w in heads for w in f[1:]):
        return []
    for i in range(1, len(f)):
        if f[i] in lex.place_at and (len(f) - i <= 3 or not any(w in heads for w in f[i + 1:])):
            if i == 1 and f[0] in lex.public_bodies and len(f) > 2 and lex.public_join:
                return [parts[0], lex.public_join, *parts[2:]]
            return parts[:i]
    if f and f[0] in lex.at_words and len(f) <= 3:
        return []
    if any(w in lex.streets for w in f) and any(numbery([w], lex) for w in f):
        return []  # "au vingt-trois rue pasteur"
    while parts and fold(parts[-1]) in lex.trailing_words:
        parts = parts[:-1]
    return parts


def _drop_legal_form(parts: Words, lex: Lexicon, name: Words | None) -> Words:
    """"tôlerie roux sas" -> "tôlerie roux" (a legal form said after the name)."""
    while len(parts) > 1 and fold(parts[-1]) in lex.legal_forms:
        parts = parts[:-1]
    return parts


def _drop_name(parts: Words, lex: Lexicon, name: Words | None) -> Words:
    """"la boulangerie roche lucie" -> "la boulangerie roche" (the caller's name said after the company, or
    instead of it: "de la part d'yvonne perrin")."""
    if name and len(parts) >= len(name) and _f(parts[-len(name):]) == _f(name):
        return parts[:-len(name)]
    return parts


def _drop_article(parts: Words, lex: Lexicon, name: Words | None) -> Words:
    """"la ferme des tilleuls" -> "ferme des tilleuls", "le café du lac" -> "café du lac" (before what a
    business is, any article goes; "Le Grand Comptoir" keeps it)."""
    while len(parts) > 1 and (fold(parts[0]) in lex.company_drop_first or (
            fold(parts[0]) in lex.definite_articles and fold(parts[1]) in lex.company_heads)):
        parts = parts[1:]
    return parts


def _drop_what_it_is(parts: Words, lex: Lexicon, name: Words | None) -> Words:
    """"kalinka le bar de la gare" -> "kalinka"; "garage martin pour la vidange" -> "garage martin"
    (``company_cut``: a word or a phrase, "one of": "highland sawmill one of the saws jammed"); a
    department said after the name ("mairie de saint-paul service technique")."""
    f = _f(parts)
    if f and f[0] not in lex.company_heads:
        cut = next((i for i in range(1, len(f) - 1) if f[i] in lex.articles and f[i + 1] in lex.company_heads
                    and f[i - 1] not in lex.of_words | lex.place_at), None)
        parts, f = (parts[:cut], f[:cut]) if cut else (parts, f)
    if len(f) > 2 and f[-2] in lex.articles and _who(f[-1], lex):
        parts, f = parts[:-2], f[:-2]  # "fromagerie roux le patron": who follows
    if f and f[0] not in lex.company_heads:
        cut = None
        parts, f = (parts[:cut], f[:cut]) if cut else (parts, f)
    cut_at = next((i for i in range(1, len(f)) for cut in lex.company_cut
                   if tuple(f[i : i + len(cut.split())]) == tuple(cut.split())), None)
    parts, f = (parts[:cut_at], f[:cut_at]) if cut_at else (parts, f)
    while len(f) > 3 and f[-1] in lex.departments and f[-2] in lex.departments:
        parts, f = parts[:-2], f[:-2]
    return parts


def _drop_no_company(parts: Words, lex: Lexicon, name: Words | None) -> Words:
    """"de l'immeuble", "sur place": where, not who."""
    if all(w in lex.not_a_company | lex.articles | lex.of_words | lex.place_words | lex.not_names for w in _f(parts)):
        return []
    return parts


def _not_the_caller(parts: Words, lex: Lexicon, name: Words | None) -> Words:
    """"c'est bien la pharmacie ?": the place the caller meant to reach, not theirs."""
    return []


Step = Callable[[Words, Lexicon, "Words | None"], Words]
STEPS: dict[str, Step] = {
    "drop_connector": _drop_connector, "drop_role": _drop_role, "drop_place": _drop_place,
    "drop_legal_form": _drop_legal_form, "drop_name": _drop_name, "drop_article": _drop_article,
    "drop_what_it_is": _drop_what_it_is, "drop_no_company": _drop_no_company, "not_the_caller": _not_the_caller,
}


def short_number(parts: Words, lex: Lexicon) -> Words:
    """"o p h trente" -> "OPH 30": a short number said after a company stays as digits."""
    k = len(parts)
    while k > 1 and numbery([fold(parts[k - 1])], lex):
        k -= 1
    if 1 <= k < len(parts):
        digits = spoken_digits(" ".join(parts[k:]), lex.code)
        if digits and len(digits) <= 3:
            return [*parts[:k], digits]
    return parts
