"""Spoken telephone numbers (French and English words, digits, or both) to E.164.

French callers give numbers by groups of two ("zéro six douze trente-quatre
cinquante-six soixante-dix-huit"), sometimes with hundreds ("zéro cent onze")
or "double"; English callers say digits with "oh", "double", "triple" and
"hundred". Recognisers write them lower-case, with or without hyphens, mixed
with digits. Where the words are ambiguous without hyphens ("soixante dix"
is 70 or 60 10), the reading that gives a complete national number wins.

>>> spoken_digits("zéro six douze trente-quatre cinquante-six soixante-dix-huit", "fr")
'0612345678'
>>> find_phone("rappelez-moi au zéro trois quatre-vingt-sept zéro zéro zéro cent onze", lang="fr")
'+33387000111'
>>> find_phone("call me on oh seven seven double oh nine hundred six five four", lang="en", country="GB")
'+447700900654'
>>> to_e164("06 12 34 56 78", "FR")
'+33612345678'
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence

from .language import Numbers, language
from .text import alike, distance, fold, within_one

# --------------------------------------------------------------------------- vocabularies
# The words come from the language's file (``rules/<lang>.lang.toml``, [numbers]); only countries are here.

_NO_TRUNK_ZERO = {"US"}  # countries whose national numbers have no leading 0

# Country calling codes and national significant number lengths.
COUNTRIES: dict[str, tuple[str, tuple[int, ...]]] = {
    "FR": ("33", (9,)),
    "GB": ("44", (10, 9)),
    "UK": ("44", (10, 9)),
    "US": ("1", (10,)),
    "BE": ("32", (8, 9)),
    "CH": ("41", (9,)),
    "LU": ("352", (8, 9)),
    "DE": ("49", (10, 11)),
    "ES": ("34", (9,)),
    "IT": ("39", (9, 10)),
}


def _words(value: str) -> tuple[str, ...]:
    return tuple(fold(value).split())


def _below_100(n: int, nb: Numbers) -> list[tuple[str, ...]]:
    """Every accepted way of saying ``n`` (0..99) with the language's number words, as word tuples."""
    units = [_words(u) for u in nb.units]
    if n < len(units):
        forms = [units[n]]
        forms += [_words(w) for w in nb.one] if n == 1 else []
        return forms + ([_words(w) for w in nb.zero] if n == 0 else [])
    if n < 20 and nb.teen_from_ten:
        return [units[10] + units[n - 10]]  # dix-sept
    tens = {int(k): v for k, v in nb.tens.items()}
    base = max(t for t in tens if t <= n and (n - t < 10 or (t in nb.tens_with_teens and n - t < 20)))
    rest = n - base
    heads = [_words(tens[base])] + [_words(v) for k, v in nb.tens_plural.items() if int(k) == base]
    if rest == 0:
        return heads[::-1]
    forms = [(*h, *f) for h in (heads if base in nb.tens_with_teens else heads[:1]) for f in _below_100(rest, nb)]
    if nb.and_one and base in nb.and_one_tens and rest in (1, 11):
        forms += [(*heads[0], *_words(nb.and_one), *f) for f in _below_100(rest, nb)]  # vingt et un, soixante et onze
    return forms


@functools.lru_cache(maxsize=8)
def number_table(lang: str) -> dict[tuple[str, ...], int]:
    """Word tuple -> value for 0..999 in ``lang``, all accepted variants (the words of its language file)."""
    nb = language(lang).numbers
    table: dict[tuple[str, ...], int] = {}
    for n in range(100):
        for f in _below_100(n, nb):
            table.setdefault(f, n)
    for h in range(1, 10):
        heads = [_words(w) for w in nb.hundred_alone] if h == 1 else \
            [(*_words(nb.units[h]), *_words(w)) for w in nb.hundred]
        for head in heads:
            table.setdefault(head, h * 100)
            for rest in range(1, 100):
                for f in _below_100(rest, nb):
                    table.setdefault((*head, *f), h * 100 + rest)
                    for joiner in nb.hundred_and:
                        table.setdefault((*head, *_words(joiner), *f), h * 100 + rest)
    return table


@functools.lru_cache(maxsize=8)
def _vocab(lang: str) -> frozenset[str]:
    words = {w for key in number_table(lang) for w in key}
    return frozenset(words | set(language(lang).numbers.repeat))


def number_words(lang: str) -> frozenset[str]:
    """Every word numbers are said with in ``lang`` (digits aside)."""
    return _vocab(lang)


@functools.lru_cache(maxsize=8)
def joining_words(lang: str) -> frozenset[str]:
    """Words inside a number that are not a number on their own ("et", "and", the "a" of "a hundred", "o")."""
    nb = language(lang).numbers
    joiners = {w for j in (nb.and_one, *nb.hundred_and) for w in fold(j).split()}
    joiners |= {w for a in nb.hundred_alone for w in fold(a).split() if w not in fold(" ".join(nb.hundred)).split()
                and w not in fold(nb.units[1]).split()}
    return frozenset(joiners | {z for z in nb.zero if len(z) == 1})


# --------------------------------------------------------------------------- tokenising


def _split_hyphens(text: str) -> list[tuple[str, bool]]:
    out: list[tuple[str, bool]] = []
    for raw in re.split(r"\s+", text.strip()):
        if not raw:
            continue
        parts = [fold(p) for p in raw.split("-")]
        parts = [p for p in parts if p]
        parts = [x for p in parts for x in (["+", p[1:]] if p.startswith("+") and p[1:].isdigit() else [p])]
        for i, p in enumerate(parts):
            sub = p.split()
            for j, s in enumerate(sub):
                last = j == len(sub) - 1
                # "quatre-vingt-dix" is one number; "06-12-34" are groups: a hyphen between digits separates
                joined = last and i < len(parts) - 1 and not (s.isdigit() and parts[i + 1][:1].isdigit())
                out.append((s, joined))
    return out


def _is_num_token(tok: str, vocab: frozenset[str]) -> bool:
    return tok.isdigit() or tok in vocab or tok == "+"


def _runs(toks: list[tuple[str, bool]], lang: str) -> list[list[tuple[str, bool]]]:
    return [run for _gap, run in _runs_with_gaps(toks, lang)]


@functools.lru_cache(maxsize=4096)
def _near_number(tok: str, lang: str, short: bool = False) -> tuple[str, ...]:
    """A number word a recogniser misspelt ("zéra"; "séro", the first letter heard as its voiced or unvoiced
    twin) or ran into the next one ("vingtonze"), else nothing. ``short``: a word of two or three letters
    said between two numbers ("double eh nine", "cinq sax huit"), where any one letter may be wrong."""
    if short:
        near = [w for w in _vocab(lang) if 2 <= len(w) <= 4 and within_one(tok, w)]
        return (near[0],) if len(near) == 1 else ()
    vocab = {w for w in _vocab(lang) if len(w) >= 3}
    for cut in range(3, len(tok) - 2):
        if tok[:cut] in vocab and tok[cut:] in vocab:
            return (tok[:cut], tok[cut:])
    near = [w for w in vocab if len(w) >= 4 and alike(tok[0]) == alike(w[0]) and within_one(tok, w)]
    return (near[0],) if len(near) == 1 else ()


def _repaired(toks: list[tuple[str, bool]], lang: str) -> list[tuple[str, bool]]:
    """Words next to a number that are a number word misheard by one letter, or two run together; a repair
    can make the next word a number's neighbour ("nane hundled six": "hundred", then "nine")."""
    vocab = _vocab(lang)
    pause = language(lang).numbers.hesitations
    for _ in range(3):
        out: list[tuple[str, bool]] = []
        for i, (tok, joined) in enumerate(toks):
            prev = next((t for t, _j in reversed(out) if t not in pause), "")
            nxt = next((t for t, _j in toks[i + 1:] if t not in pause), None)
            before, after = _is_num_token(prev, vocab), nxt is not None and _is_num_token(nxt, vocab)
            fixed: tuple[str, ...] = ()
            if not _is_num_token(tok, vocab) and tok.isalpha() and tok not in pause:
                if len(tok) >= 4 and (before or after):
                    fixed = _near_number(tok, lang)
                elif len(tok) >= 2 and before and (after or nxt is None or
                                                   (len(nxt) <= 3 and bool(_near_number(nxt, lang, short=True)))):
                    fixed = _near_number(tok, lang, short=True)
            # a repaired word keeps its hyphen to the next one ("quarande-quatre" is still one number)
            out.extend([(f, joined and k == len(fixed) - 1) for k, f in enumerate(fixed)] if fixed else [(tok, joined)])
        if out == toks:
            break
        toks = out
    return toks


def _runs_with_gaps(toks: list[tuple[str, bool]], lang: str) -> list[tuple[list[str], list[tuple[str, bool]]]]:
    """Runs of number words, each with the other words said just before it."""
    vocab = _vocab(lang)
    toks = _repaired(toks, lang)
    nb = language(lang).numbers
    joiners = joining_words(lang) - vocab_alone(lang)
    runs: list[tuple[list[str], list[tuple[str, bool]]]] = []
    cur: list[tuple[str, bool]] = []
    gap: list[str] = []
    for i, (tok, joined) in enumerate(toks):
        if tok == "plus" and i + 1 < len(toks) and _is_num_token(toks[i + 1][0], vocab) and not cur:
            cur.append(("+", False))
            continue
        if _is_num_token(tok, vocab):
            cur.append((tok, joined))
        elif tok in nb.hesitations and cur:
            continue
        else:
            while cur and cur[-1][0] in joiners:
                cur.pop()  # "... cinquante-cinq et dépêchez-vous": the "et" is not part of the number
            if cur:
                runs.append((gap, cur))
                gap = []
            cur = []
            gap.append(tok)
    while cur and cur[-1][0] in joiners:
        cur.pop()
    if cur:
        runs.append((gap, cur))
    return runs


@functools.lru_cache(maxsize=8)
def vocab_alone(lang: str) -> frozenset[str]:
    """Words that are a number on their own ("un", "oh", "cent")."""
    return frozenset(k[0] for k in number_table(lang) if len(k) == 1)


# --------------------------------------------------------------------------- segmentation


def _chunks_at(run: list[tuple[str, bool]], i: int, lang: str) -> list[tuple[int, str]]:
    """Possible (end, digits) for a chunk starting at ``i``."""
    table = number_table(lang)
    tok = run[i][0]
    if i > 0 and run[i - 1][1]:
        return []  # inside a hyphenated word
    if tok.isdigit():
        return [(i + 1, tok)] if not run[i][1] else []
    repeat = language(lang).numbers.repeat
    if tok in repeat:
        out = []
        for end, digits in _chunks_at(run, i + 1, lang) if i + 1 < len(run) else []:
            if len(digits) == 1:
                out.append((end, digits * repeat[tok]))
        return out
    out = []
    for length in range(1, 8):
        end = i + length
        if end > len(run):
            break
        if run[end - 1][1] and end < len(run):
            continue  # would cut a hyphenated word
        key = tuple(t for t, _ in run[i:end])
        value = table.get(key)
        if value is not None:
            out.append((end, str(value)))
    return out


def _said_in_groups(run: list[tuple[str, bool]], lang: str, groups: Sequence[int], i: int = 0) -> bool:
    """Is ``run[i:]`` said in these groups of digits ([1, 2, 2, 2, 2]: "six douze trente-quatre zéro deux ..."),
    each group a number of its own, or zeros then the rest ("zéro deux", "zéro zéro")?"""
    if not groups:
        return i == len(run)
    if i >= len(run) or groups[0] <= 0:
        return False
    for end, digits in _chunks_at(run, i, lang):
        rest = groups[0] - len(digits)
        if rest == 0 and _said_in_groups(run, lang, groups[1:], end):
            return True
        if rest > 0 and set(digits) == {"0"} and _said_in_groups(run, lang, (rest, *groups[1:]), end):
            return True
    return False


def keyed_in_full(keys: str, country: str) -> bool:
    """Have enough keys been pressed for a national number to be over? The longest the line's country allows
    (with its trunk 0: "01632 960555" is eleven keys; a shorter number that is valid may still be growing, and
    waits for "#" or the caller to stop); an international one ("00...") at ten keys, as before."""
    if keys.startswith("00"):
        return len(keys) >= 10
    _code, lengths = COUNTRIES.get(country.upper(), ("", (9, 10)))
    return len(keys) >= max(lengths) + (1 if keys.startswith("0") else 0)


def _wanted_lengths(lang: str, country: str) -> set[int]:
    _code, lengths = COUNTRIES.get(country.upper(), ("", (9, 10)))
    return set(lengths)


def segment(run: list[tuple[str, bool]], lang: str, wanted: set[int] | None = None) -> str | None:
    """The best digit string for a run of number words (fewest chunks, a wanted length first)."""
    plus = bool(run) and run[0][0] == "+"
    if plus:
        run = run[1:]
    n = len(run)
    # best[i]: digit length -> (chunks, digits) for run[:i]
    best: list[dict[int, tuple[int, str]]] = [{} for _ in range(n + 1)]
    best[0][0] = (0, "")
    for i in range(n):
        if not best[i]:
            continue
        for end, digits in _chunks_at(run, i, lang):
            for length, (count, acc) in best[i].items():
                nl = length + len(digits)
                if nl > 20:
                    continue
                cand = (count + 1, acc + digits)
                if nl not in best[end] or cand[0] < best[end][nl][0]:
                    best[end][nl] = cand
    done = best[n]
    if not done:
        return None
    if wanted:
        def rank(item: tuple[int, tuple[int, str]]) -> tuple[int, int, int]:
            length, (count, digits) = item
            if plus:
                return (0 if 8 <= length <= 15 else 1, count, -length)
            trunk = digits.startswith("0") and length - 1 in wanted
            return (0 if trunk else 1 if length in wanted else 2, -length if trunk else count, count)
        length, (count, digits) = min(done.items(), key=rank)
        return ("+" if plus else "") + digits
    count, digits = min(done.values())
    return ("+" if plus else "") + digits


def spoken_digits(text: str, lang: str = "fr", country: str = "FR") -> str | None:
    """The digits of the longest number said in ``text`` (no normalisation), or None."""
    best: str | None = None
    for run in _runs(_split_hyphens(text), lang):
        digits = segment(run, lang, _wanted_lengths(lang, country))
        if digits and (best is None or len(digits) >= len(best)):
            best = digits
    return best


def digits_said(text: str, lang: str) -> str:
    """Every digit said or written in ``text``, in order ("oh seven seven, double three" -> "07733"): the
    reading of a keypad-like answer, with no number length in mind."""
    return "".join(segment(run, lang) or "" for run in _runs(_split_hyphens(text), lang))


def to_e164(number: str, country: str = "FR") -> str | None:
    """Normalise digits (spaces, dots, leading 0 or 00 or +) to E.164, or None when impossible."""
    from ..phone import to_e164 as _e164

    return _e164(number, country)


def _labelled_candidates(text: str, lang: str, country: str) -> list[tuple[str, list[str]]]:
    """Every telephone number said, with the words said just before it ("au bureau", "sur le portable")."""
    out: list[str] = []
    labels: list[list[str]] = []
    wanted = _wanted_lengths(lang, country)
    nb = language(lang).numbers
    for gap, run in _runs_with_gaps(_split_hyphens(text), lang):
        # "... onze quarante-huit non pardon quarante-neuf": the last group said again, corrected; only the
        # glue words may sit with the correction word ("non pardon c'est ...", not "plutôt entre 14 heures")
        if out and 0 < len(gap) <= 4 and nb.correction & {fold(g) for g in gap} and \
                {fold(g) for g in gap} <= nb.correction | nb.correction_glue:
            tail = segment(run, lang)
            if tail and len(tail) <= 4 and tail.isdigit():
                out.append(out[-1][:-len(tail)] + tail)
                labels.append(labels[-1])
                continue
        found: str | None = None
        for skip in range(0, min(3, len(run))):
            digits = segment(run[skip:], lang, wanted)
            if digits is None:
                continue
            if digits[0] == "0" and not digits.startswith("00") and len(digits) - 1 not in wanted:
                continue  # a trunk 0 and a digit too many or too few: not a whole national number
            e164 = to_e164(digits, country)
            if e164 and (digits[0] in "0+" or country.upper() in _NO_TRUNK_ZERO or
                         digits.startswith(COUNTRIES.get(country.upper(), ("",))[0] or "-")):
                found = e164  # a national number said without its 0 is an invoice or order number...
                break
            if digits[0] != "0" and len(digits) in wanted and country.upper() not in _NO_TRUNK_ZERO and \
                    _said_in_groups(run[skip:], lang, nb.national_groups):
                found = to_e164("0" + digits, country)  # ...unless said the way a telephone number is
                break
        if found:
            out.append(found)
            labels.append([fold(g) for g in gap[-4:]])
    return list(zip(out, labels, strict=True))


@functools.lru_cache(maxsize=8)
def _preference(lang: str) -> re.Pattern[str]:
    """"au bureau ... sinon le portable ... mais de préférence le bureau": the line the caller prefers."""
    nb = language(lang).numbers

    def alt(items: Sequence[str]) -> str:
        return "|".join(re.escape(fold(i)) for i in sorted(items, key=len, reverse=True) if fold(i))

    links = alt(nb.preference_links)
    arts = alt(nb.preference_articles)
    return re.compile(rf"\b({alt(nb.preference) or '(?!)'})" + (rf"( ({links}))?" if links else "") +
                      (rf"( ({arts}))?" if arts else "") + rf" (?P<label>{alt(nb.preference_lines) or '(?!)'})\b")


@functools.lru_cache(maxsize=2048)
def find_phone(text: str, *, lang: str = "fr", country: str = "FR") -> str | None:
    """The last telephone number said in ``text`` (a correction wins), in E.164, or None."""
    found = _labelled_candidates(text, lang, country)
    if not found:
        return None
    prefs = list(_preference(lang).finditer(fold(text)))
    if len(found) > 1 and prefs:
        label = prefs[-1].group("label").split()[-1]
        chosen = [number for number, words in found if label in words]
        if not chosen and country.upper() == "FR":
            # no number was introduced by that word: French mobiles are 06/07, everything else is a line
            mobile = label in language(lang).numbers.mobile_lines
            chosen = [number for number, _w in found if number.startswith(("+336", "+337")) == mobile]
        if chosen:
            return chosen[-1]
    if len(found) > 1 and language(lang).numbers.fallback & set(found[-1][1]) and not prefs:
        return found[-2][0]  # "au bureau X, sinon / à défaut sur le portable Y": X first
    return found[-1][0]


def incomplete_number(text: str, *, lang: str = "fr", country: str = "FR") -> str | None:
    """The digits of a telephone number said in ``text`` but not whole (a group the recogniser lost: "zéro six
    quarante-trois dix-huit zéro deux"), begun the way a number is (a trunk 0 or a +) and six digits long or
    more, or None; nothing when a whole number was said."""
    if find_phone(text, lang=lang, country=country):
        return None
    best: str | None = None
    for run in _runs(_split_hyphens(text), lang):
        digits = segment(run, lang)
        if digits and len(digits) >= 6 and digits[0] in "0+" and (best is None or len(digits) > len(best)):
            best = digits
    return best


def damaged_repeat(said: str, number: str) -> bool:
    """Is ``said`` (E.164) ``number`` said again with one or two of its digits lost ("oh seven seven double oh
    nine hundred six five" for the caller id +447700900654)? A whole number that differs is another line."""
    a, b = re.sub(r"\D", "", said), re.sub(r"\D", "", number)
    if not 1 <= len(b) - len(a) <= 2:
        return False
    return digits_in_order(a, b)


def misheard_repeat(said: str, number: str) -> bool:
    """Is ``said`` ``number`` said again and misheard: digits lost (:func:`damaged_repeat`), or, as long, with
    a digit dropped in one group and one added in the next ("07700 909 877" for "07700 900 987": two edits
    where changing digits in place would take more)? A number with digits changed in place ("... 14 00" for
    "... 14 67", a direct line) is another number."""
    a, b = re.sub(r"\D", "", said), re.sub(r"\D", "", number)
    if damaged_repeat(said, number):
        return True
    if len(a) != len(b) or a == b:
        return False
    in_place = sum(x != y for x, y in zip(a, b, strict=True))
    return distance(a, b) <= 2 < in_place



def digits_in_order(short: str, long: str) -> bool:
    """Every digit of ``short``, in order, among those of ``long``."""
    rest = iter(long)
    return all(d in rest for d in short)


def read_back(e164: str, lang: str = "fr") -> str:
    """How to say a number back, group by group: ``+33612345678`` -> ``06 12 34 56 78``."""
    if e164.startswith("+33") and len(e164) == 12:
        national = "0" + e164[3:]
        return " ".join(national[i:i + 2] for i in range(0, 10, 2))
    if e164.startswith("+44") and len(e164) == 13:
        national = "0" + e164[3:]
        return " ".join([national[:5], national[5:8], national[8:]])
    digits = e164.lstrip("+")
    return ("+" if e164.startswith("+") else "") + " ".join(digits[i:i + 3] for i in range(0, len(digits), 3))


@functools.lru_cache(maxsize=8)
def _caller_id(lang: str) -> tuple[re.Pattern[str], ...]:
    return tuple(re.compile(p) for p in language(lang).numbers.caller_id)


def refers_to_caller_id(text: str, lang: str = "fr") -> bool:
    """True when the caller means the number they are calling from ("sur ce numéro")."""
    f = fold(text)
    return any(p.search(f) for p in _caller_id(lang))
