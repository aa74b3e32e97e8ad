"""Who is calling: person name and company, from what the caller said.

Callers answer "your name and company?" the way people do: "jean dupont de la
laiterie du val", "martine lefèvre société immobilière des tilleuls", "emma
wilson accounts at river transport"; or say it inside a sentence: "je suis
... de chez ...", "je m'appelle ... je travaille chez ...", "ici <entreprise>",
"this is ... from ...". This module finds both, from explicit markers first,
then from a bare "first-name surname company" answer. Department and job
words ("comptabilité", "service achats", "accounts") are not the company.

What people do when they say who they are is handled where it was seen in calls
written blind for the tests: the name said before the reason ("bonjour claire
dubreuil pharmacienne à la pharmacie des halles"), letters spelled after a name
(dropped) or for an acronym (kept: "s n c f" -> SNCF), a repeated or corrected
name ("jean dupuis non dupont"), a role or a relation before the name ("je suis
l'infirmière de nuit émilie", "je suis sa fille martine roche"), the business
first ("hôtel du lac je suis ..."), a place or an address after it ("garage du
centre à vierzon", "au vingt-trois rue pasteur": not part of the company).

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
from .numbers import find_phone, number_words, refers_to_caller_id, spoken_digits
from .templates import Template, match
from .text import fold, raw_words, title_case

FIRSTNAMES_FILE = Path(__file__).with_name("rules") / "firstnames.txt"


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
    identity_turn: int | None = None  # the turn that was a bare "name company" answer
    rules: tuple[str, ...] = ()


def _find(seq: Sequence[str], pattern: Sequence[str], start: int = 0) -> int:
    n = len(pattern)
    for i in range(start, len(seq) - n + 1):
        if tuple(seq[i:i + n]) == tuple(pattern):
            return i
    return -1


def _take(words: list[str], folded: list[str], i: int, lex: Lexicon, limit: int) -> list[str]:
    """Words from ``i`` up to a stop word (an article after two words also stops)."""
    out: list[str] = []
    j = i
    while j < len(words) and len(out) < limit:
        f = folded[j]
        if f in lex.at_words and lex.public_join and len(out) == 1 and fold(out[0]) in lex.public_bodies and \
                j + 1 < len(words) and folded[j + 1] not in lex.stop:
            out.append(lex.public_join)  # "mairie à saint-genis" is the Mairie de Saint-Genis
            j += 1
            continue
        if (f in lex.stop or (" " in f and f.split()[0] in lex.stop)) and not (f in lex.and_words and out):
            break  # "est-ce" too
        if f in lex.articles and len(out) >= 2 and (j == 0 or folded[j - 1] not in lex.of_words):
            break
        if f in lex.articles and out and j + 1 < len(words) and folded[j + 1] in lex.company_heads and \
                folded[j - 1] not in lex.of_words and fold(out[0]) not in lex.company_heads:
            break  # "du balto le bar tabac de la place": the name, then what it is
        if find_phone(f, lang=lex.code) or f.isdigit():
            break
        if out and f in lex.titles and f not in lex.titles_inside:
            break  # "le bistrot du port madame lambert": a person starts here
        if len(out) >= 2 and f in lex.street_stops:
            break  # "la boutique cuir et compagnie rue nationale": the address follows
        out.append(words[j])
        j += 1
    while out and fold(out[-1]) in (lex.articles | lex.of_words | lex.and_words):
        out.pop()
    return out


def _strip_department(parts: list[str], lex: Lexicon) -> list[str]:
    """'comptabilité des transports x' -> 'transports x'; 'accounts at river transport' -> 'river transport'."""
    folded = [fold(p) for p in parts]
    if not parts or (folded[0] not in lex.departments and (folded[0].rstrip("s") not in lex.departments or
                                                          folded[0] in lex.company_heads)):
        return parts
    for k in range(1, min(len(parts), 5)):
        f = folded[k]
        if f in lex.at_words and not any(x in lex.company_heads for x in folded[k + 1:]):
            return []  # "agriculteur à marmande": a trade and a place
        if f in lex.department_links or f.split()[0] in lex.elisions:
            rest = parts[k + 1:] if f in lex.department_links else parts[k:]
            return _strip_department(rest, lex)  # "adjoint aux travaux": a role, then its field
        if f not in lex.departments and (f.rstrip("s") not in lex.departments or f in lex.company_heads):
            return parts[k:]
    return []


def _strip_connectors(parts: list[str], lex: Lexicon) -> list[str]:
    changed = True
    while parts and changed:
        changed = False
        folded = [fold(p) for p in parts]
        for conn in lex.connectors:
            n = len(conn)
            if tuple(folded[:n]) == conn and len(parts) > n:
                parts = parts[n:]
                changed = True
                break
        if parts and "'" in parts[0] and fold(parts[0]).split()[0] in lex.elisions and len(parts) > 1:
            break
    return parts


def _company_text(parts: list[str], lex: Lexicon) -> str | None:
    k = len(parts)
    while k > 1 and _numbery(parts[k - 1:k], lex):
        k -= 1
    if 1 <= k < len(parts):
        digits = spoken_digits(" ".join(parts[k:]), lex.code)
        if digits and len(digits) <= 3:
            parts = [*parts[:k], digits]  # "l'o p a c trente-huit" -> OPAC 38
    text = " ".join(parts).replace("' ", "'").strip(" '-")
    if not text:
        return None
    cased = title_case(text, keep_small=True).split()
    return " ".join(w.upper() if fold(w) in lex.legal_forms else w for w in cased)


def _after_name(words: list[str], folded: list[str], after: int, lex: Lexicon) -> list[str] | None:
    """'... jean dupont de la laiterie du val ...': the company right after a name and a connector."""
    tail = words[after:]
    roles = 0
    if len(tail) > 2 and fold(tail[0]) in lex.articles and fold(tail[1]) in lex.not_names | lex.departments:
        roles = 1  # "le veilleur du super u de bourgoin"
    while roles < min(len(tail), 4):
        f = fold(tail[roles])
        if (f in lex.not_names | lex.departments or f.rstrip("s") in lex.departments) and \
                f not in lex.articles | lex.role_links:
            roles += 1
        elif roles > 0 and f in lex.of_words and roles + 2 < len(tail) and \
                fold(tail[roles + 1]).rstrip("s") in lex.departments and fold(tail[roles + 1]) not in lex.company_heads:
            roles += 2  # "cadre de santé", "responsable des services techniques"
        else:
            break
    rest = _strip_connectors(tail[roles:], lex)
    if roles and len(rest) == 1 and roles < len(tail) and fold(tail[roles]) in lex.at_words and \
            fold(rest[0]) not in lex.company_heads and \
            ("-" in rest[0] or roles + 1 >= len(tail) or fold(tail[roles + 1]) not in lex.articles):
        return None  # "éleveur laitier à la chapelle-saint-ursin", "... à vierzon": where, not who
    if rest and len(rest) == len(tail) - roles and fold(rest[0]) in lex.company_heads and len(rest) > 1:
        return _take(words, folded, len(words) - len(rest), lex, 5) or None  # "gilles martinez résidence les ..."
    if not rest or len(rest) == len(tail):
        return None
    stripped = _strip_connectors(_strip_department(rest, lex), lex)  # "à la comptabilité de l'intermarché"
    if stripped and stripped != rest and fold(stripped[0]) in lex.definite_articles and len(stripped) > 1:
        stripped = stripped[1:]
    rest = stripped or rest
    cand = _take(words, folded, len(words) - len(rest), lex, 6)
    if cand and fold(cand[0]) not in lex.articles:
        return cand
    return None


def _sentence_word(folded: list[str], i: int, lex: Lexicon) -> bool:
    """Is ``folded[i]`` a word that makes the turn a sentence rather than a bare answer?"""
    f = folded[i]
    if " " in f:  # a hyphenated word: "rappelez-moi", "est-ce"
        return any(p in lex.sentence for p in f.split())
    if f not in lex.sentence:
        return False
    if i > 0 and folded[i - 1] in lex.elisions:  # French elision: "l'est", "d'autres"
        return False
    # English "'s" is "is" after "it", "that"...; after any other word a possessive ("st mary's school")
    return not (f == "s" and i > 0 and folded[i - 1] not in lex.s_is)


def _name_ok(words: list[str], lex: Lexicon) -> bool:
    if not words or _numbery(words, lex):
        return False
    return all((fold(w) in lex.particles and 0 < i < len(words) - 1) or
               (fold(w) not in lex.not_names and fold(w) not in lex.stop and not fold(w).isdigit() and
                not (fold(w) in lex.departments and fold(w) not in first_names()) and
                not any(p in lex.stop or p in lex.not_names for p in fold(w).split()[1:]) and
                not (lex.trade_endings and fold(w).endswith(lex.trade_endings)))  # électricien: a trade
               for i, w in enumerate(words))


def _numbery(words: list[str], lex: Lexicon) -> bool:
    """Mostly number words or digits (a telephone number, not a name)."""
    vocab = number_words(lex.code)
    n = sum(1 for w in words if fold(w) in vocab or fold(w).isdigit() or
            all(p in vocab for p in fold(w).split()))
    return n * 2 > len(words)


def _explicit(words: list[str], folded: list[str], lex: Lexicon, names: frozenset[str]
              ) -> tuple[list[str] | None, list[str] | None, list[str]]:
    """(name words, company words, fired rule ids) from markers inside one turn: each reader in turn, a
    reader only fills what the ones before it left empty."""
    t = _Turn(words, folded, lex, names)
    for pat in lex.callee:
        k = _find(folded, pat)
        if k >= 0:
            t.callee_end = k + len(pat) + 4
    for reader in _READERS:
        reader(t)
    return t.name, _without_name(t.company, t.name), t.fired


@dataclasses.dataclass
class _Turn:
    """One turn being read: its words and what was found so far."""

    words: list[str]
    folded: list[str]
    lex: Lexicon
    names: frozenset[str]
    name: list[str] | None = None
    company: list[str] | None = None
    fired: list[str] = dataclasses.field(default_factory=list)
    callee_end: int = -1


def _by_name_marker(t: _Turn) -> None:
    """"je m'appelle X", "je suis X", "my name is X": a marker, then the name (and the company after it)."""
    words, folded, lex, names = t.words, t.folded, t.lex, t.names
    for pat in lex.name_markers:
        k = _find(folded, pat)
        if k < 0:
            continue
        j = k + len(pat)
        if j + 2 < len(words) and folded[j] in lex.role_articles and \
                (folded[j + 1] in lex.not_names or folded[j + 1] in lex.departments):
            j2 = _skip_roles(folded, j + 1, lex)
            if j2 < len(words) and (folded[j2] in names or (folded[j2] in lex.titles and j2 + 1 < len(words))):
                j = j2  # a role or a relation, then the name: "je suis l'infirmière de nuit émilie"
        if j < len(words) and folded[j] in lex.not_a_name_after_marker:
            continue  # "je suis chez ...", "i'm at ...": not a name
        title = [words[j]] if j < len(words) and folded[j] in lex.titles else []
        if not title and pat[-1] in lex.titles:
            title = [words[j - 1]]
            j -= 1
        cand = _take(words, folded, j + len(title), lex,
                     3 if j + len(title) + 2 < len(words) and folded[j + len(title) + 1] in lex.particles else 2)
        cand = [w for w in cand if fold(w) not in lex.name_breaks]
        if cand and not _name_ok(cand[:1], lex):
            continue
        cut = []
        for w in cand:
            if fold(w) in lex.name_breaks | lex.and_words:
                break
            cut.append(w)
        if _name_ok(cut, lex):
            t.name = title + cut if title and len(cut) == 1 else cut
            t.fired.append("name.marker")
            t.company = _after_name(words, folded, j + len(title) + len(cut), lex)
            if t.company:
                t.fired.append("company.after_name")
            break


def _by_title(t: _Turn) -> None:
    """"monsieur martin de chez ...": a title and a surname, then where from."""
    words, folded, lex = t.words, t.folded, t.lex
    lead = _leading_filler(folded, lex)
    if t.name is None and lead + 2 < len(words) and folded[lead] in lex.titles and folded[lead + 1] not in lex.stop \
            and _name_ok(words[lead + 1:lead + 2], lex) and folded[lead + 2] in lex.name_breaks | lex.of_words:
        t.name = words[lead:lead + 2]
        t.fired.append("name.title")


def _by_name_suffix(t: _Turn) -> None:
    """"pierre dupont à l'appareil", "john smith speaking": the name just before."""
    words, folded, lex, names = t.words, t.folded, t.lex, t.names
    if t.name is None:
        # "pierre dupont à l'appareil", "john smith speaking": the name just before
        for pat in lex.name_suffixes:
            k = _find(folded, pat)
            if k <= 0:
                continue
            start = max(0, k - 3)
            while start < k and (folded[start] in lex.stop or folded[start] in lex.not_names or
                                 folded[start] in lex.greetings):
                start += 1
            cand = words[start:k][-3:]
            if any(fold(w) in lex.company_heads for w in cand):
                fc = [fold(w) for w in cand]
                cand = cand[-1:] if fc[-1] in names else cand[-2:] if len(fc) > 2 and fc[-2] in names else []
            if _name_ok(cand, lex) and 1 <= len(cand) <= 3:
                t.name = cand
                t.fired.append("name.suffix")
                t.company = t.company or _after_name(words, folded, k + len(pat), lex)
                break


def _by_weak_marker(t: _Turn) -> None:
    """"c'est X", "ici X", "this is X": only with a known first name after."""
    words, folded, lex, names = t.words, t.folded, t.lex, t.names
    if t.name is None:
        for pat in lex.weak_name_markers:
            k = _find(folded, pat)
            if k > 2 and pat in lex.late_name_markers:
                j = k + 2
                # "passez quand vous pouvez c'est laurent masson le gardien de ...": a full name said late
                if j + 1 == len(words) and folded[j] in names:
                    pass  # "... avant midi c'est céline"
                elif not (j + 1 < len(words) and folded[j] in names and _name_ok(words[j + 1:j + 2], lex) and
                        folded[j + 1] not in names | lex.stop and
                        (j + 2 == len(words) or folded[j + 2] in lex.articles | lex.of_words | lex.name_breaks)):
                    continue
            elif k < 0 or (k > 2):
                continue
            j = k + len(pat)
            if j + 2 < len(words) and folded[j] in lex.definite_articles and \
                    folded[j + 1] in lex.not_names | lex.departments:
                j2 = _skip_roles(folded, j + 1, lex)
                if j2 < len(words) and folded[j2] in names:
                    j = j2  # "c'est le chef cuisinier stéphane"
            if j < len(words) and _first(folded[j], names):
                cand = [words[j]]
                if j + 1 < len(words) and folded[j + 1] not in lex.stop and folded[j + 1] not in lex.articles \
                        and folded[j + 1] not in lex.name_breaks | lex.and_words \
                        and _name_ok([words[j + 1]], lex) and fold(words[j + 1]) not in lex.departments \
                        and folded[j + 1] not in lex.company_heads:
                    cand.append(words[j + 1])
                t.name = cand
                t.fired.append("name.first_name")
                t.company = _after_name(words, folded, j + len(cand), lex)
                if t.company:
                    t.fired.append("company.after_name")
                break
            if j + 2 < len(words) and folded[j + 1] in lex.from_words and \
                    folded[j + 2] in lex.company_openers and _name_ok([words[j]], lex) and \
                    folded[j] not in lex.company_heads | lex.departments | lex.articles:
                t.name = [words[j]]  # a first name the list does not know, then where from
                t.fired.append("name.before_company")
                break


def _by_company_marker(t: _Turn) -> None:
    """"de chez X", "la société X", "I work for X": a marker, then the company."""
    words, folded, lex, names = t.words, t.folded, t.lex, t.names
    for pat in lex.company_markers if t.company is None else ():
        k = _find(folded, pat)
        while k >= 0 and k < t.callee_end:
            k = _find(folded, pat, k + 1)
        if k < 0:
            continue
        if pat in lex.company_markers_first and k > 2:
            continue
        j = k + len(pat)
        called = next((c for c in lex.company_called if tuple(folded[j:j + len(c)]) == c), ())
        j += len(called)  # "l'entreprise s'appelle électricité générale du centre"
        if j >= len(words):
            continue
        nxt = folded[j]
        # after an explicit company noun an article may start the name: "de l'entreprise le goff paysage"
        skipped = frozenset() if pat[-1] in lex.company_nouns or any(pat[-len(b):] == b for b in lex.company_by) or \
            any(pat[:len(w)] == w for w in lex.company_work) else lex.articles
        if nxt in skipped | lex.not_company_start:
            continue
        if pat in lex.company_not_before_name and \
                (nxt in names or nxt in lex.titles):
            continue
        cand = _take(words, folded, j, lex, 5)
        if t.name and cand and [fold(w) for w in cand[:len(t.name)]] == [fold(w) for w in t.name]:
            continue
        if len(cand) >= 3 and j + len(cand) == len(words) and _first(fold(cand[-2]), names) and \
                fold(cand[-3]) not in lex.before_place:
            # "chez cartonnages du lyonnais alexandre petit": the person after the business
            if t.name is None and _name_ok(cand[-2:], lex):
                t.name = cand[-2:]
                t.fired.append("name.after_company")
            cand = cand[:-2]
        elif len(cand) >= 2 and j + len(cand) == len(words) and fold(cand[-1]) in names and \
                fold(cand[-2]) not in names | lex.before_place and \
                (len(cand) > 2 or fold(cand[0]) not in lex.company_heads):
            # "de chez transports lemaire élodie", "de chez logisud françois"; not "garage thomas"
            if t.name is None:
                t.name = cand[-1:]
                t.fired.append("name.after_company")
            cand = cand[:-1]
        if cand and pat in lex.company_at_shop and k >= 1 and folded[k - 1] in lex.company_heads:
            cand = [words[k - 1], words[k], *cand]  # "boulangerie chez julien", "restaurant chez paulette"
        if cand:
            t.company = cand
            t.fired.append("company.marker")
            break


def _by_business_kind(t: _Turn) -> None:
    """"c'est la pharmacie du centre", "ici l'imprimerie ...": an article, then a kind of business."""
    words, folded, lex = t.words, t.folded, t.lex
    if t.company is None:
        # "c'est la pharmacie du centre ...", "ici l'imprimerie ...": an article then a kind of business
        anchors = lex.company_anchors | lex.not_names | lex.departments
        anchors -= lex.articles | lex.anchor_not
        # a place ("dans la cuisine", "sur le chantier") or a denial ("c'est pas le cabinet ...") is no company
        anchors -= lex.place_words | lex.denials
        anchors |= lex.anchor_greetings  # "oui bonjour à l'école jean moulin ..."
        for h in range(1, len(folded)):
            if folded[h] not in lex.company_heads or folded[h] in lex.articles or h < t.callee_end:
                continue
            if h >= 2 and folded[h - 1] in lex.articles | lex.head_determiners and folded[h - 2] in anchors:
                start = h
            elif h >= 3 and tuple(folded[h - 2:h]) in lex.head_links and folded[h - 3] in anchors:
                start = h
            else:
                continue
            cand = _take(words, folded, start, lex, 5)
            if cand:
                t.company = cand
                t.fired.append("company.kind")
                break


def _by_business_first(t: _Turn) -> None:
    """"mairie de saint julien je vous appelle", "hôtel du lac ici jérôme": the business said first."""
    words, folded, lex, names = t.words, t.folded, t.lex, t.names
    lead = _leading_filler(t.folded, t.lex)
    if t.company is None:
        lead = _leading_filler(folded, lex)
        while lead + 1 < len(folded) and folded[lead] in lex.head_lead and \
                folded[lead + 1] in lex.company_heads:
            lead += 1  # "c'est la ferme du pré vert ici ...", "au restaurant le cerf d'or c'est ..."
        if lead < len(folded) and folded[lead] in lex.company_heads:
            for marker in (*lex.self_markers, *lex.head_markers):
                k = _find(folded, marker, lead + 2)
                if 0 <= k <= lead + 6:
                    t.company = _strip_place(words[lead:k], lex)
                    t.fired.append("company.head_first")
                    after = k + len(marker)
                    intro = next((m for m in lex.name_intro if tuple(folded[after:after + len(m)]) == m), ())
                    after += len(intro)  # "... ici c'est marie thérèse jouan"
                    if after + 1 < len(words) and folded[after] in lex.articles:
                        after = _skip_roles(folded, after + 1, lex)  # "c'est le chef cuisinier stéphane"
                    if t.name is None and after < len(words) and folded[after] in names:
                        # "restaurant le bistrot des halles c'est pierre", "... ici jérôme bertin"
                        if after + 3 == len(words) and folded[after + 1] in lex.compound_second:
                            t.name = words[after:after + 3]  # "... ici c'est marie thérèse jouan"
                        else:
                            t.name = words[after:after + 2] if after + 2 == len(words) and \
                                _name_ok(words[after + 1:after + 2], lex) else words[after:after + 1]
                        t.fired.append("name.first_name")
                    break
            if t.company is None and lead + 2 < len(folded) and \
                    folded[lead + 1] in lex.of_words | lex.articles:
                cand = _take(words, folded, lead, lex, 6)
                if len(cand) >= 3 and lead + len(cand) < len(words) and folded[lead + len(cand)] in lex.stop:
                    t.company = _strip_place(cand, lex)  # "mairie de saint julien je vous appelle parce que ..."
                    t.fired.append("company.head_first")


def _by_acronym(t: _Turn) -> None:
    """"c'est la S N C F", "l'O P A C trente-huit": an acronym."""
    words, folded, lex = t.words, t.folded, t.lex
    if t.company is None:
        acro = next((i for i, w in enumerate(words) if len(w) >= 2 and w.isupper() and w.isalpha()), None)
        if acro is not None:
            end = acro + 1
            while end < len(words) and _numbery(words[end:end + 1], lex):
                end += 1
            if end == acro + 1 and end + 1 < len(words) and folded[end] in lex.articles:
                t.company = _take(words, folded, acro, lex, 5)  # "l'E H P A D les tilleuls de coutances"
            else:
                t.company = words[acro:end]  # "c'est la S N C F ...", "de la part d'E D F", "l'O P A C trente-huit"
            t.fired.append("company.acronym")


def _by_role(t: _Turn) -> None:
    """"i'm the caretaker at X": a role, then where."""
    words, folded, lex = t.words, t.folded, t.lex
    if t.company is None:
        for pat in lex.role_markers:
            k = _find(folded, pat)
            if k < 2 or not (lex.role_verbs & set(folded[max(0, k - 4):k])):
                continue
            if folded[k - 1] not in lex.not_names | lex.departments | lex.work_verbs or \
                    folded[k - 1] in lex.articles | lex.role_not_before or \
                    (lex.gerund_endings and folded[k - 1].endswith(lex.gerund_endings)):
                continue
            cand = _take(words, folded, k + len(pat), lex, 5)
            if cand and fold(cand[0]) not in lex.articles:
                t.company = cand
                t.fired.append("company.role")
                break


def _by_legal_form(t: _Turn) -> None:
    """"sarl dupont", "dupont ltd": a legal form."""
    words, folded, lex, names = t.words, t.folded, t.lex, t.names
    if t.company is None:
        for j, f in enumerate(folded):
            if f in lex.legal_heads | lex.legal_tails and j + 1 < len(words):
                if f in lex.legal_tails:
                    start = max(0, j - 3)
                    t.company = words[start:j + 1]
                else:
                    t.company = [words[j], *_take(words, folded, j + 1, lex, 4)]
                    stop_at = next((i for i in range(2, len(t.company)) if fold(t.company[i]) in names), None)
                    if stop_at is not None:
                        t.company = t.company[:stop_at]
                        rest = words[j + stop_at:j + stop_at + 2]
                        if t.name is None and _name_ok(rest, lex):
                            t.name = rest
                            t.fired.append("name.after_company")
                t.fired.append("company.legal_form")
                break


_READERS = (_by_name_marker, _by_title, _by_name_suffix, _by_weak_marker, _by_company_marker, _by_business_kind, _by_business_first, _by_acronym, _by_role, _by_legal_form)



def _without_name(company: list[str] | None, name: list[str] | None) -> list[str] | None:
    """The company words without the caller's name said at their end ("la pâtisserie vidal aurélie")."""
    if name and company and len(company) > len(name) and \
            [fold(w) for w in company[-len(name):]] == [fold(w) for w in name]:
        return company[:-len(name)]
    return company


def _name_inside(words: list[str], lex: Lexicon, names: frozenset[str]) -> list[str] | None:
    """A name said inside a longer answer: "... je suis le chef d'équipe marc dubreuil", "... la pharmacie des
    quatre chemins madame blanc" -- a known first name and a surname, or a title and a surname, followed by
    nothing, a pause word or a connector."""
    folded = [fold(w) for w in words]
    ends = lex.stop | lex.articles | lex.name_ends
    for i in range(len(folded) - 2, 0, -1):
        n = 3 if folded[i + 1] in lex.particles and i + 2 < len(folded) else 2  # "monsieur da silva"
        end_ok = i + n == len(folded) or folded[i + n] in ends or _numbery(words[i + n:i + n + 1], lex)
        if not end_ok or folded[i - 1] in lex.not_after:
            continue
        if (_first(folded[i], names) or folded[i] in lex.titles) and folded[i + 1] not in names | lex.stop | \
                lex.articles and (_name_ok(words[i + 1:i + 2], lex) or folded[i + 1] in lex.particles) and \
                folded[i + 1] not in lex.company_heads and \
                not _numbery(words[i + 1:i + 2], lex):
            return words[i:i + n]
    return None


def _opening_name(words: list[str], folded: list[str], lex: Lexicon, names: frozenset[str]
                  ) -> tuple[list[str], list[str] | None] | None:
    """Callers often say who they are before the reason: "bonjour claire dubreuil pharmacienne à la pharmacie
    des halles", "mathieu roussel transports giraud on a un problème", "bonjour madame monsieur ici madame
    poirier directrice de l'ehpad ..."."""
    i = 0
    short = {m[0] for m in lex.opening_markers if len(m) == 1}
    while i < len(folded) and (folded[i] in lex.greetings or (folded[i] in lex.titles and i + 1 < len(folded) and
                                                              folded[i + 1] in lex.titles | lex.greetings | short)):
        i += 1
    marker = next((m for m in lex.opening_markers if tuple(folded[i:i + len(m)]) == m), ())
    if marker and i + len(marker) < len(folded):
        i += len(marker)
    if i + 1 >= len(folded):
        return None
    after2 = folded[i + 2] if i + 2 < len(folded) else ""
    if folded[i] in lex.titles:
        if not _name_ok(words[i + 1:i + 2], lex) or _numbery(words[i + 1:i + 2], lex):
            return None  # "bonjour madame je voudrais ...": a greeting
        name = words[i:i + 2]
    elif _first(folded[i], names) and i + 2 < len(folded) and folded[i + 1] in lex.particles and \
            _name_ok(words[i + 2:i + 3], lex):
        name = words[i:i + 3]  # "yannick le gall de l'auberge du moulin"
    elif _first(folded[i], names) and folded[i + 1] not in lex.stop | lex.articles | lex.departments | \
            lex.not_names and fold(words[i + 1]) not in lex.company_heads and _name_ok(words[i + 1:i + 2], lex) \
            and not _numbery(words[i + 1:i + 2], lex) and \
            (not _first(folded[i + 1], names) or after2 in lex.departments | lex.not_names | lex.company_heads |
             lex.after_name_ok | {""}):
        name = words[i:i + 2]  # "sébastien noël service technique ...", "patrick henry agent technique ..."
    else:
        return None
    if not _name_ok(name, lex) and folded[i] not in lex.titles:
        return None
    j = i + len(name)
    company: list[str] | None = None
    if j + 1 < len(folded) and folded[j] in lex.company_heads:
        company = _take(words, folded, j, lex, 6) or None  # "mathieu roussel transports giraud on a ..."
    elif j < len(folded):
        company = _after_name(words, folded, j, lex)  # "... pharmacienne à la pharmacie des halles"
    return name, company


def _clean_words(words: list[str], answer: bool, lex: Lexicon) -> list[str]:
    """Spelled letters, repeated words and self-corrections, as people say their names.

    "vasseur v a s s e u r" -> "vasseur"; "la s n c f" -> "la SNCF"; "laurent laurent morel" -> "laurent
    morel"; in an answer, "jean dupuis non dupont jean dupont ..." -> "jean dupont ..."."""
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
        if not (out and len(out) <= 2 and fold(out[-1]) == fold(w) and fold(w) in first_names()):
            out.append(w)  # "laurent laurent morel"; not "moore moore packaging"
        i += 1
    if answer:
        folded = [fold(w) for w in out]
        for m in range(len(folded) - 1, 0, -1):
            if folded[m] in lex.name_correction and 1 <= m <= 3 and m + 1 < len(out):
                rest = out[m + 1:]
                if fold(rest[0]) in lex.name_correction_not and len(rest) > 2:
                    rest = rest[2:]  # "christine dumas non pas dumas duval ..."
                if len(rest) > 2 and fold(rest[2]) == fold(rest[0]):
                    rest = rest[1:]  # "... non dupont jean dupont": the corrected word, then the whole name
                return rest
    return out


def _first_name_said(words: list[str], folded: list[str], lex: Lexicon
                     ) -> tuple[list[str], list[str] | None] | None:
    """'dupont michel michel c'est le prénom [tôlerie dupont]': the first name named as such, the surname
    the other word said before it, and a business said after."""
    for pat in lex.first_name_said:
        k = _find(folded, pat)
        if k < 2:
            continue
        first = folded[k - 1]
        lead = _leading_filler(folded, lex)
        others = [w for w, f in zip(words[lead:k - 1], folded[lead:k - 1], strict=True)
                  if f != first and f not in lex.stop and f not in lex.articles]
        if not others or not _name_ok([words[k - 1]], lex):
            return None
        rest = words[k + len(pat):]
        company = _take(words, folded, k + len(pat), lex, 5) if rest and fold(rest[0]) in lex.company_heads else None
        return [words[k - 1], others[0]], company
    return None


def _first(word: str, names: frozenset[str]) -> bool:
    """A known first name, compound ones included ("jean pierre" from "jean-pierre")."""
    return word in names or (" " in word and all(p in names for p in word.split()))


def _strip_place(parts: list[str], lex: Lexicon) -> list[str]:
    """'garage du centre à vierzon' -> 'garage du centre'; an address or 'à vesoul' alone is no company."""
    folded = [fold(p) for p in parts]
    heads = lex.company_heads
    if any(tuple(f.split()) in lex.locality for f in folded):
        return []
    if folded and folded[0] in lex.at_words and not any(f in heads for f in folded[1:]):
        return []  # "à saint-lô enfin à côté de saint-lô"
    for i in range(1, len(folded)):
        if folded[i] in lex.place_at and (len(folded) - i <= 3 or not any(f in heads for f in folded[i + 1:])):
            if i == 1 and folded[0] in lex.public_bodies and len(folded) > 2:
                # "mairie à montreuil-bellay" -> Mairie de Montreuil-Bellay
                return [parts[0], lex.public_join, *parts[2:]]
            return parts[:i]
    if folded and folded[0] in lex.at_words and len(folded) <= 3:
        return []
    if any(f in lex.streets for f in folded) and any(f.isdigit() or all(p in number_words(lex.code)
                                                                           for p in f.split()) for f in folded):
        return []  # "au vingt-trois rue pasteur": an address
    while parts and fold(parts[-1]) in lex.trailing_words:
        parts = parts[:-1]
    return parts


def _skip_roles(folded: list[str], j: int, lex: Lexicon) -> int:
    """Past role words: "chef cuisinier", "infirmière de nuit", "responsable des achats"."""
    roles = lex.not_names | lex.departments
    while j < len(folded):
        if folded[j] in roles and folded[j] not in lex.articles | lex.role_links \
                and folded[j] not in first_names():
            j += 1
        elif folded[j] in lex.of_words and j + 1 < len(folded) and folded[j + 1] in lex.departments:
            j += 2
        else:
            break
    return j


def _contains(seq: list[str], part: list[str]) -> bool:
    return any(seq[i:i + len(part)] == part for i in range(len(seq) - len(part) + 1))


def _name_before_marker(words: list[str], folded: list[str], lex: Lexicon) -> list[str] | None:
    """'samir haddad je suis chez ...': one to three words that are a name, right before "je suis"."""
    lead = _leading_filler(folded, lex)
    for marker in lex.self_markers:
        k = _find(folded, marker, lead)
        if k < 0 or not 1 <= k - lead <= 3:
            continue
        cand = words[lead:k]
        f = folded[lead:k]
        while len(f) > 1 and f[-1] in lex.before_self:
            cand, f = cand[:-1], f[:-1]
        if _name_ok(cand, lex) and not any(_sentence_word(f, i, lex) for i in range(len(f))) and \
                f[0] not in lex.company_heads and not any(x in lex.departments for x in f):
            return cand
    return None


def _bare_framed(words: list[str], folded: list[str], lex: Lexicon, names: frozenset[str]
                 ) -> tuple[tuple[list[str] | None, list[str] | None] | None, list[str], list[str]]:
    """A bare answer framed by a title or a business ("c'est pour monsieur girard", "ferme du pré vert ici
    jérôme bertin", "le bistrot du port madame lambert"): (name, company) or None, and the words left once
    "pour", an article or "monsieur et madame" before the answer are dropped."""
    if len(words) > 2 and folded[0] in lex.for_words and folded[1] in lex.titles:
        words, folded = words[1:], folded[1:]  # "c'est pour monsieur girard ..."
    if len(words) > 2 and folded[0] in lex.articles and folded[1] in lex.company_heads:
        words, folded = words[1:], folded[1:]  # "la ferme du pré vert ..."
    if folded and folded[0] in lex.company_heads:
        for marker in lex.answer_name_markers:
            m = _find(folded, marker, 2)
            if m > 0 and m + len(marker) < len(words) and _name_ok(words[m + len(marker):][:2], lex):
                return (words[m + len(marker):][:2], words[:m]), words, folded  # "ferme du pré vert ici jérôme bertin"
    if len(words) >= 4 and folded[0] in lex.titles and folded[1] in lex.couple and folded[2] in lex.titles:
        words, folded = words[2:], folded[2:]  # "monsieur et madame perrin"
    t = next((i for i, f in enumerate(folded) if i >= 2 and f in lex.titles), None)
    if t is not None and t + 1 < len(words):
        # "le bistrot du port madame lambert", "le collège jean moulin monsieur hamel l'intendant"
        n = 3 if t + 2 < len(words) and (folded[t + 1] in names or folded[t + 1] in lex.particles) and \
            folded[t + 2] not in lex.articles else 2
        return (words[t:t + n], words[:t]), words, folded
    return None, words, folded


def _bare(words: list[str], folded: list[str], lex: Lexicon, names: frozenset[str],
          known_first: str | None) -> tuple[list[str] | None, list[str] | None]:
    """A bare answer: 'prénom nom [connector] entreprise' (or 'entreprise prénom nom')."""
    if not words:
        return None, None
    framed, words, folded = _bare_framed(words, folded, lex, names)
    if framed is not None:
        return framed
    names = names | {f for f in folded if " " in f and all(p in names for p in f.split())}  # jean-marc
    if folded[0] in {c[0] for c in lex.connectors} and len(words) >= 2:
        return None, words  # "de la conserverie ...": only the company
    if folded[0] in lex.titles and len(words) >= 2:
        n = 3 if len(words) >= 3 and (folded[1] in names or folded[1] in lex.particles) else 2
        return words[:n], words[n:]
    if known_first and known_first in folded[:3] and folded[0] != known_first:
        at = folded.index(known_first)
        return words[:at + 1], words[at + 1:]  # "vasseur andré à douai": the name again, surname first
    if known_first and folded[0] != known_first and folded[0] not in names:
        return None, words  # name already known: this answer is the company
    if len(words) > 2 and folded[0] not in lex.company_heads and folded[1] in lex.company_heads:
        return words[:1], words[1:]  # "enzo garage martin": a first name, then the business
    if folded[0] in lex.company_heads or (folded[0] not in names and any(f in names for f in folded[1:])):
        k = next((i for i, f in enumerate(folded) if i > 0 and f in names), None)
        if k == 1 and folded[0] not in lex.company_heads:
            return words[:2], words[2:]  # "dupont jean de la ...": surname first
        if k is not None and folded[k - 1] in lex.before_place:
            k2 = next((i for i in range(len(folded) - 2, k, -1) if folded[i] in names
                       and folded[i - 1] not in lex.before_place), None)
            k = k2 if k2 is not None else k
        if k is not None and folded[k - 1] not in lex.before_place:
            n = 3 if k + 2 < len(words) and (folded[k + 1] in lex.compound_second or folded[k + 1] in lex.particles) \
                else 2
            return words[k:k + n], words[:k]
        if folded[0] in lex.company_heads:
            return None, words
    if len(words) == 1:
        return words, None
    if folded[1] in {c[0] for c in lex.connectors} or folded[1] in lex.departments or \
            (folded[1] in lex.company_heads and len(words) > 2):
        return words[:1], words[1:]
    if len(words) >= 3 and folded[1] in lex.saints:
        return words[:1], words[1:]  # "dupont saint-gobain", "baker st john's clinic": a place name follows
    if len(words) >= 3 and folded[1] in lex.particles and (folded[1],) not in lex.connectors:
        return words[:3], words[3:]
    if len(words) >= 3 and folded[0] in names and folded[1] in lex.compound_second and \
            folded[2] not in lex.company_heads and folded[2] not in {c[0] for c in lex.connectors}:
        return words[:3], words[3:]  # "anne sophie marchal de l'imprimerie du centre"
    return words[:2], words[2:]


def _leading_filler(folded: list[str], lex: Lexicon) -> int:
    """How many words at the start are politeness or "c'est"/"this is" before a bare answer."""
    i = 0
    changed = True
    while changed and i < len(folded):
        changed = False
        for f in sorted(lex.fillers, key=len, reverse=True):
            if tuple(folded[i:i + len(f)]) == f:
                i += len(f)
                changed = True
                break
    return i


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


def extract_identity(turns: Sequence[str], lang: str = "fr", *, names_file: str | None = None,
                     lex: Lexicon | None = None) -> Identity:
    """Who is calling, from the turns of a call in ``lang`` (``lex``: that language's lists, default the
    built-in ones)."""
    c = _Call(lex or lexicon(lang), first_names(names_file or str(FIRSTNAMES_FILE)), lang)
    for ti, turn in enumerate(turns):
        _read_turn(c, ti, turn)
    if c.name is None:
        _name_anywhere(c, turns)
    final_company = _final_company(c)
    t_name, t_company, t_rules = from_templates(turns, c.lex, c.names)
    name = c.name
    if t_name or t_company:
        name = name if name and t_name and _completes(t_name, name) else t_name or name
        final_company = t_company or final_company
        c.rules.extend(t_rules)
    name_s = title_case(" ".join(name).replace("' ", "'")) if name else None
    first = fold(name_s.split()[0]) if name_s else ""
    if name_s and first in c.lex.title_words:
        name_s = c.lex.title_words[first] + name_s[len(name_s.split()[0]):]  # "M Martin" -> "Monsieur Martin"
    return Identity(name_s, _company_text(final_company or [], c.lex), c.identity_turn,
                    tuple(dict.fromkeys(c.rules)))


@dataclasses.dataclass
class _Call:
    """What the turns of a call said so far about who is calling."""

    lex: Lexicon
    names: frozenset[str]
    lang: str
    name: list[str] | None = None
    company: list[str] | None = None
    bare_company: list[str] | None = None
    identity_turn: int | None = None  # the turn that was a bare "name company" answer
    company_turn: int | None = None
    rules: list[str] = dataclasses.field(default_factory=list)


def _read_turn(c: _Call, ti: int, turn: str) -> None:
    lex = c.lex
    words = _clean_words([w for w in raw_words(turn) if fold(w) not in lex.hesitations], ti > 0 and
                         not find_phone(turn, lang=c.lang), lex)
    folded = [fold(w) for w in words]
    if not words:
        return
    n, said, fired = _turn_markers(c, ti, turn, words, folded)
    if ti == 0 and n is None and c.name is None:
        opening = _opening_name(words, folded, lex, c.names)
        if opening:
            c.name = opening[0]
            c.rules.append("name.opening")
            if opening[1] and (c.company is None or "company.kind" in fired):
                c.company = opening[1]
                c.company_turn = ti
                c.rules.append("company.after_name")
    if n is None and c.name is None and ti > 0 and c.identity_turn is None:
        _first_word_name(c, words, folded, said)
    if c.identity_turn is not None:
        _company_answer(c, ti, turn, words, folded)
        return
    if ti == 0 or len(words) > 10 or find_phone(turn, lang=c.lang) or refers_to_caller_id(turn, c.lang):
        return
    _bare_answer(c, ti, words, folded, n, said, fired)


def _turn_markers(c: _Call, ti: int, turn: str, words: list[str], folded: list[str]
                  ) -> tuple[list[str] | None, list[str] | None, list[str]]:
    """The name and company said with markers in the turn (and the name taking its place in the call)."""
    lex = c.lex
    n, said, fired = _explicit(words, folded, lex, c.names)
    c.rules.extend(fired)
    spelled = _first_name_said(words, folded, lex)
    if spelled:
        n, c2 = spelled
        said = said or c2
        c.rules.append("name.prenom")
    if n is None and c.name is None and ti > 0:
        # "samir haddad je suis chez ...", "jean-pierre hoarau je suis un particulier": the name, then a marker
        n = _name_before_marker(words, folded, lex)
        if n:
            c.rules.append("name.before_marker")
    if n and (c.name is None or (len(n) > len(c.name) and fold(n[0]) == fold(c.name[0]))):
        c.name = n
    answered = c.company_turn == 0 and ti > 0 and len(words) <= 10 and not find_phone(turn, lang=c.lang) and \
        any(r in fired for r in ("company.marker", "company.after_name", "company.legal_form",
                                 "company.head_first")) and \
        not (said and c.company and _contains([fold(w) for w in c.company], [fold(w) for w in said])) and \
        bool(said and _strip_department(said, lex))
    if said and (c.company is None or answered):
        c.company = said  # "sébastien de chez geodis" answers the question; "de chez rexel" was in the story
        c.company_turn = ti
    return n, said, fired


def _first_word_name(c: _Call, words: list[str], folded: list[str], said: list[str] | None) -> None:
    """"john miller i'm with valley dairy": a known first name opens the answer."""
    lex = c.lex
    lead0 = 1 if len(folded) > 2 and folded[0] in lex.answer_openers else 0
    if folded[lead0] not in c.names:
        return
    cand = words[lead0:lead0 + 2] if len(words) > lead0 + 1 and _name_ok(words[lead0:lead0 + 2], lex) and \
        folded[lead0 + 1] not in lex.company_heads else words[lead0:lead0 + 1]
    if not _name_ok(cand, lex):
        return
    c.name = cand
    c.rules.append("name.first_word")
    after = _after_name(words, folded, len(cand), lex) if c.company is None or c.company is said else None
    if after and (len(cand) >= len(words) or folded[len(cand)] not in lex.company_heads):
        c.company = after  # "vincent caron du cabinet caron immobilier on est le syndic"
        c.rules.append("company.after_name")
    elif len(cand) < len(words) and folded[len(cand)] in lex.company_heads and (c.company is None or
                                                                                c.company is said):
        # "martine rousseau cabinet gestimmo c'est le syndic de l'immeuble": the business named
        # right after the name, not the one explained after it
        c.company = _take(words, folded, len(cand), lex, 5) or c.company
        c.rules.append("company.after_name")


def _company_answer(c: _Call, ti: int, turn: str, words: list[str], folded: list[str]) -> None:
    """The company said on its own after the name ("jean dupont" / "de la laiterie du val"); a company heard
    earlier as one word ("de la part du syndic") is completed by a fuller answer."""
    lex = c.lex
    vague = c.company is not None and len(c.company) == 1 and len(words) > 1 and fold(c.company[0]) in folded
    if c.bare_company is not None or (c.company is not None and not vague) or len(words) > 8 or \
            find_phone(turn, lang=c.lang) or refers_to_caller_id(turn, c.lang) or c.identity_turn is None:
        return
    lead = _leading_filler(folded, lex)
    w2, f2 = words[lead:], folded[lead:]
    if w2 and not any(_sentence_word(f2, i, lex) for i in range(len(f2))) and not _numbery(w2, lex) and (
            f2[0] in {k[0] for k in lex.connectors} or any(f in lex.company_heads for f in f2)
            # right after the name, a short answer that is not a sentence is the company
            or (ti == c.identity_turn + 1 and c.name is not None and 2 <= len(w2) <= 5
                and f2[0] not in c.names and not any(f in lex.not_names for f in f2[:1]))):
        c.bare_company = _strip_connectors(w2, lex) or None
        c.rules.append("company.answer")


def _bare_answer(c: _Call, ti: int, words: list[str], folded: list[str], n: list[str] | None,
                 said: list[str] | None, fired: list[str]) -> None:
    """A bare "first-name surname company" answer to the box's question."""
    lex = c.lex
    lead = _leading_filler(folded, lex)
    words, folded = words[lead:], folded[lead:]
    trail = _trailing_politeness(folded, lex)
    words, folded = words[:len(words) - trail], folded[:len(folded) - trail]
    if not words or any(_sentence_word(folded, i, lex) for i in range(len(folded))) or _numbery(words, lex):
        return
    if len(words) > 3 and folded[0] in lex.articles and folded[1] in lex.titles_dropped | lex.ranks:
        words, folded = words[1:], folded[1:]
    while len(words) > 2 and folded[0] in lex.titles_dropped:
        words, folded = words[1:], folded[1:]
    while len(words) >= 2 and folded[0] in lex.ranks:
        words, folded = words[1:], folded[1:]
    name = c.name
    bn, bc = _bare(words, folded, lex, c.names, fold(name[0]) if name and not n else None)
    c.identity_turn = ti
    c.rules.append("identity.answer")
    if bn and _name_ok(bn, lex) and not n:
        same = name is not None and {fold(w) for w in bn} == {fold(w) for w in name}  # "vasseur andré"
        if not same and (name is None or fold(bn[0]) != fold(name[0]) or len(bn) >= len(name)):
            c.name = bn
    if bc and (not said or (fold(bc[0]) in lex.company_heads and "company.kind" in fired)):
        bc = _strip_connectors(_strip_department(_strip_connectors(bc, lex), lex), lex)
        if all(fold(w) in lex.not_names or fold(w) in lex.place_words for w in bc):
            bc = []  # "je suis devant", "sur place": not a company
        c.bare_company = bc or None


def _name_anywhere(c: _Call, turns: Sequence[str]) -> None:
    """A name said inside a longer turn, when no answer gave one (and the company right after it)."""
    for turn in (*turns[1:], *turns[:1]):
        cw = _clean_words(raw_words(turn), False, c.lex)
        c.name = _name_inside(cw, c.lex, c.names)
        if c.name:
            c.rules.append("name.inside")
            if c.company is None and c.bare_company is None:
                k = next(i for i in range(len(cw)) if cw[i:i + len(c.name)] == c.name)
                cf = [fold(w) for w in cw]
                c.company = _after_name(cw, cf, k + len(c.name), c.lex)  # "monsieur lambert des ateliers lambert"
                if c.company:
                    c.rules.append("company.after_name")
            return


def _final_company(c: _Call) -> list[str] | None:
    """The company said, cleaned: the fuller of the answer's and the story's, no role, no article, no
    trailing department, person, place or legal form (and a compound first name joined, "jean-luc")."""
    lex, company = c.lex, c.company
    final = c.bare_company or company
    if c.bare_company and company and len(company) > len(c.bare_company) and \
            _contains([fold(w) for w in company], [fold(w) for w in c.bare_company]):
        final = company  # "secrétariat de mairie" after "je suis de la mairie de villefranche"
    while final and len(final) > 1 and fold(final[0]) in lex.company_drop_first:
        final = final[1:]
    if final:
        final = _strip_department(final, lex)
    while final and len(final) > 1 and fold(final[0]) in lex.company_drop_article:
        final = final[1:]
    name = c.name
    if name and lex.join_compound_first_names and len(name) >= 3 and fold(name[0]) in c.names and \
            fold(name[1]) in lex.compound_second and "-" not in name[0]:
        c.name = [name[0] + "-" + name[1], *name[2:]]  # "jean luc baron" -> Jean-Luc Baron
    while final and len(final) > 3 and fold(final[-1]) in lex.departments and fold(final[-2]) in lex.departments:
        final = final[:-2]  # "mairie de saint-genis service technique"
    if final and c.name is None and len(final) >= 4 and _first(fold(final[-2]), c.names) and \
            fold(final[-3]) not in lex.before_place and _name_ok(final[-1:], lex):
        c.name = final[-2:]  # "la cartonnerie du berry ludovic martineau"
        final = final[:-2]
    return _company_tail(_without_name(final, c.name), lex)


def _company_tail(final: list[str] | None, lex: Lexicon) -> list[str] | None:
    """What follows the business name is not part of it: what it is, a place, a legal form."""
    if final and fold(final[0]) not in lex.company_heads:
        fc = [fold(w) for w in final]
        cut = next((i for i in range(1, len(fc) - 1) if fc[i] in lex.articles and fc[i + 1] in lex.company_heads
                    and fc[i - 1] not in lex.of_words | lex.place_at), None)
        if cut:
            final = final[:cut]  # "balto le bar tabac de la place"
    cut_at = next((i for i, w in enumerate(final or []) if i > 0 and fold(w) in lex.company_cut), None)
    if final and cut_at:
        final = final[:cut_at]
    if final:
        final = _strip_place(final, lex)
    if final and all(fold(w) in lex.not_a_company | lex.articles | lex.of_words for w in final):
        final = []  # "de l'immeuble": where, not who
    while final and len(final) > 1 and fold(final[-1]) in lex.legal_forms:
        final = final[:-1]  # "tôlerie dupuis sas": the legal form said after the name
    return final


# ---------------------------------------------------------------- templates ("it's gary from pennington meats")


_ONE_WORD_SLOTS = frozenset({"first", "known_first", "title"})
_PERSON_SLOTS = frozenset({"person", "known_person"})


def _slot_ok(kind: str, words: Sequence[str], lex: Lexicon, names: frozenset[str]) -> bool:
    """Can ``words`` (folded) fill a slot of this kind? The language's lists decide."""
    if kind == "any":
        return True
    kind = kind.rstrip("=")
    if kind in _ONE_WORD_SLOTS:
        w = words[0]
        if kind == "title":
            return w in lex.titles
        return (w in names or kind == "first") and _word_is_name(w, lex)
    if kind == "surname":
        return all(_word_is_name(w, lex) for w in words[-1:]) and all(w in lex.particles for w in words[:-1])
    if kind in _PERSON_SLOTS:
        return len(words) >= 2 and (words[0] in names or kind == "person") and _word_is_name(words[0], lex) and \
            _slot_ok("surname", words[1:], lex, names)
    if kind == "role":
        return all(w in lex.departments | lex.family and w not in lex.articles | lex.stop for w in words)
    glue = lex.articles | lex.and_words | lex.of_words
    return words[0] not in lex.of_words and not all(w in glue for w in words) and \
        not any((w in lex.stop or w in lex.sentence) and w not in glue for w in words) and \
        not _numbery(list(words), lex)


def _word_is_name(w: str, lex: Lexicon) -> bool:
    return w not in lex.company_heads and w not in lex.titles and w not in lex.sentence and \
        w not in lex.departments and _name_ok([w], lex)


def _template_turn(words: list[str], lex: Lexicon, names: frozenset[str]
                   ) -> tuple[Template, list[str] | None, list[str] | None] | None:
    """The first template of the language that matches the whole answer: (template, name, company)."""
    folded = [fold(w) for w in words]
    trail = _trailing_politeness(folded, lex)
    words, folded = words[:len(words) - trail], folded[:len(folded) - trail]
    for t in lex.templates:
        spans = match(t, folded, lambda kind, ws: _slot_ok(kind, ws, lex, names))
        if spans is None:
            continue
        who = spans.get("person2") or spans.get("person") or spans.get("known_person") or spans.get("first") or \
            spans.get("known_first") or spans.get("surname")
        name = words[who[0]:who[1]] if who else None
        if who and "title" in spans and "surname" in spans and who == spans["surname"]:
            name = words[spans["title"][0]:who[1]]  # "mr hussain"
        company = words[spans["company"][0]:spans["company"][1]] if "company" in spans else None
        return t, name, _steps(t, company, name, lex)
    return None


def _steps(t: Template, company: list[str] | None, name: list[str] | None, lex: Lexicon) -> list[str] | None:
    """The template's named clean-up steps, in order."""
    for step in t.steps:
        if not company:
            break
        if step == "drop_role":
            company = _strip_department(company, lex) or company
        elif step == "drop_place":
            company = _strip_place(company, lex) or company
        elif step == "drop_legal_form" and len(company) > 1 and fold(company[-1]) in lex.legal_forms:
            company = company[:-1]
        elif step == "drop_name":
            company = _without_name(company, name)
    return company


def _completes(earlier: list[str], later: list[str]) -> bool:
    """A fuller name said later: "kath" then "kathleen moore", "mrs gordon" then "patricia gordon"."""
    e, lt = [fold(w) for w in earlier], [fold(w) for w in later]
    return len(lt) >= len(e) and (lt[0].startswith(e[0]) or e[-1] == lt[-1]) and e != lt


def from_templates(turns: Sequence[str], lex: Lexicon, names: frozenset[str]
                   ) -> tuple[list[str] | None, list[str] | None, list[str]]:
    """Name and company from the answers that match one of the language's templates, and the templates and
    steps that fired ("template.<id>", "step.<name>")."""
    name: list[str] | None = None
    company: list[str] | None = None
    fired: list[str] = []
    for turn in turns[1:] if lex.templates else ():  # the first turn is the reason; templates read the answers
        words = _clean_words([w for w in raw_words(turn) if fold(w) not in lex.hesitations], True, lex)
        found = _template_turn(words, lex, names) if 0 < len(words) <= 16 else None
        if found is None:
            continue
        t, n, c = found
        if n and (name is None or _completes(name, n)):
            name = n
        company = company or c
        fired += [f"template.{t.id}", *(f"step.{s}" for s in t.steps)]
    return name, company, fired


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

