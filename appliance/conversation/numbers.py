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

from .text import fold

# --------------------------------------------------------------------------- vocabularies

_FR_UNITS = ["zero", "un", "deux", "trois", "quatre", "cinq", "six", "sept", "huit", "neuf", "dix",
             "onze", "douze", "treize", "quatorze", "quinze", "seize"]
_FR_TENS = {2: "vingt", 3: "trente", 4: "quarante", 5: "cinquante", 6: "soixante"}

_EN_UNITS = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
             "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen",
             "nineteen"]
_EN_TENS = {2: "twenty", 3: "thirty", 4: "forty", 5: "fifty", 6: "sixty", 7: "seventy", 8: "eighty",
            9: "ninety"}

_NO_TRUNK_ZERO = {"US"}  # countries whose national numbers have no leading 0
_FILLERS = {"euh", "heu", "hum", "um", "uh", "er", "erm", "hmm", "ben", "bah"}
_REPEAT = {"double": 2, "triple": 3}

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


def _fr_below_100(n: int) -> list[tuple[str, ...]]:
    """Every accepted way of saying ``n`` (0..99) in French, as word tuples."""
    if n <= 16:
        first: list[tuple[str, ...]] = [(_FR_UNITS[n],)]
        return first + ([("une",)] if n == 1 else [])
    if n < 20:
        return [("dix", _FR_UNITS[n - 10])]
    if n < 70:
        tens, unit = divmod(n, 10)
        t = _FR_TENS[tens]
        if unit == 0:
            return [(t,)]
        if unit == 1:
            return [(t, "et", "un"), (t, "un"), (t, "et", "une")]
        return [(t, _FR_UNITS[unit])]
    if n < 80:
        rest = n - 60
        forms = [("soixante", *f) for f in _fr_below_100(rest)]
        if rest == 11:
            forms.append(("soixante", "et", "onze"))
        return forms
    rest = n - 80
    if rest == 0:
        return [("quatre", "vingts"), ("quatre", "vingt")]
    forms = [("quatre", "vingt", *f) for f in _fr_below_100(rest)]
    forms += [("quatre", "vingts", *f) for f in _fr_below_100(rest)]
    if rest in (1, 11):
        forms.append(("quatre", "vingt", "et", _FR_UNITS[rest]))
    return forms


def _en_below_100(n: int) -> list[tuple[str, ...]]:
    if n < 20:
        forms: list[tuple[str, ...]] = [(_EN_UNITS[n],)]
        if n == 0:
            forms += [("oh",), ("o",), ("nought",)]
        return forms
    tens, unit = divmod(n, 10)
    if unit == 0:
        return [(_EN_TENS[tens],)]
    return [(_EN_TENS[tens], _EN_UNITS[unit])]


@functools.lru_cache(maxsize=4)
def number_table(lang: str) -> dict[tuple[str, ...], int]:
    """Word tuple -> value for 0..999 in ``lang`` ("fr" or "en"), all accepted variants."""
    table: dict[tuple[str, ...], int] = {}
    if lang == "fr":
        for n in range(100):
            for f in _fr_below_100(n):
                table.setdefault(f, n)
        for h in range(1, 10):
            heads = [("cent",)] if h == 1 else [(_FR_UNITS[h], "cent"), (_FR_UNITS[h], "cents")]
            for head in heads:
                table.setdefault(head, h * 100)
                for r in range(1, 100):
                    for f in _fr_below_100(r):
                        table.setdefault((*head, *f), h * 100 + r)
    else:
        for n in range(100):
            for f in _en_below_100(n):
                table.setdefault(f, n)
        for h in range(1, 10):
            heads = [(_EN_UNITS[h], "hundred")] + ([("a", "hundred")] if h == 1 else [])
            for head in heads:
                table.setdefault(head, h * 100)
                for r in range(1, 100):
                    for f in _en_below_100(r):
                        table.setdefault((*head, *f), h * 100 + r)
                        table.setdefault((*head, "and", *f), h * 100 + r)
    return table


@functools.lru_cache(maxsize=4)
def _vocab(lang: str) -> frozenset[str]:
    words = {w for key in number_table(lang) for w in key}
    return frozenset(words | set(_REPEAT))


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
                out.append((s, last and i < len(parts) - 1))
    return out


def _is_num_token(tok: str, vocab: frozenset[str]) -> bool:
    return tok.isdigit() or tok in vocab or tok == "+"


def _runs(toks: list[tuple[str, bool]], lang: str) -> list[list[tuple[str, bool]]]:
    return [run for _gap, run in _runs_with_gaps(toks, lang)]


def _runs_with_gaps(toks: list[tuple[str, bool]], lang: str) -> list[tuple[list[str], list[tuple[str, bool]]]]:
    """Runs of number words, each with the other words said just before it."""
    vocab = _vocab(lang)
    runs: list[tuple[list[str], list[tuple[str, bool]]]] = []
    cur: list[tuple[str, bool]] = []
    gap: list[str] = []
    for i, (tok, joined) in enumerate(toks):
        if tok == "plus" and i + 1 < len(toks) and _is_num_token(toks[i + 1][0], vocab) and not cur:
            cur.append(("+", False))
            continue
        if _is_num_token(tok, vocab):
            cur.append((tok, joined))
        elif tok in _FILLERS and cur:
            continue
        else:
            while cur and cur[-1][0] in ("et", "and"):
                cur.pop()  # "... cinquante-cinq et dépêchez-vous": the "et" is not part of the number
            if cur:
                runs.append((gap, cur))
                gap = []
            cur = []
            gap.append(tok)
    while cur and cur[-1][0] in ("et", "and"):
        cur.pop()
    if cur:
        runs.append((gap, cur))
    return runs


# "... onze quarante-huit non pardon quarante-neuf": the last group said again, corrected
_CORRECTION = frozenset({"pardon", "non", "plutot", "enfin", "correction", "sorry", "no", "rather", "mean"})
# only these may sit with the correction word: "non pardon c'est ...", not "plutôt entre quatorze heures"
_CORRECTION_GLUE = frozenset({"pas", "c", "est", "le", "la", "ce", "i", "it", "s", "euh", "attendez", "je", "veux", "dire"})


# --------------------------------------------------------------------------- segmentation


def _chunks_at(run: list[tuple[str, bool]], i: int, lang: str) -> list[tuple[int, str]]:
    """Possible (end, digits) for a chunk starting at ``i``."""
    table = number_table(lang)
    tok = run[i][0]
    if i > 0 and run[i - 1][1]:
        return []  # inside a hyphenated word
    if tok.isdigit():
        return [(i + 1, tok)] if not run[i][1] else []
    if tok in _REPEAT:
        out = []
        for end, digits in _chunks_at(run, i + 1, lang) if i + 1 < len(run) else []:
            if len(digits) == 1:
                out.append((end, digits * _REPEAT[tok]))
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


def to_e164(number: str, country: str = "FR") -> str | None:
    """Normalise digits (spaces, dots, leading 0 or 00 or +) to E.164, or None when impossible."""
    s = number.strip()
    plus = s.startswith("+")
    digits = re.sub(r"\D", "", s)
    if not digits:
        return None
    if plus:
        return "+" + digits if 7 <= len(digits) <= 15 else None
    if digits.startswith("00") and len(digits) > 9:
        return "+" + digits[2:] if 7 <= len(digits) - 2 <= 15 else None
    code, lengths = COUNTRIES.get(country.upper(), COUNTRIES["FR"])
    if digits.startswith("0") and len(digits) - 1 in lengths:
        return "+" + code + digits[1:]
    if len(digits) in lengths and not digits.startswith("0"):
        return "+" + code + digits
    if digits.startswith(code) and len(digits) - len(code) in lengths:
        return "+" + digits
    return None


def _labelled_candidates(text: str, lang: str, country: str) -> list[tuple[str, list[str]]]:
    """Every telephone number said, with the words said just before it ("au bureau", "sur le portable")."""
    out: list[str] = []
    labels: list[list[str]] = []
    wanted = _wanted_lengths(lang, country)
    for gap, run in _runs_with_gaps(_split_hyphens(text), lang):
        if out and 0 < len(gap) <= 4 and _CORRECTION & {fold(g) for g in gap} and \
                {fold(g) for g in gap} <= _CORRECTION | _CORRECTION_GLUE:
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
            e164 = to_e164(digits, country)
            if e164 and (digits[0] in "0+" or country.upper() in _NO_TRUNK_ZERO or
                         digits.startswith(COUNTRIES.get(country.upper(), ("",))[0] or "-")):
                found = e164  # a national number said without its 0 is an invoice or order number
                break
        if found:
            out.append(found)
            labels.append([fold(g) for g in gap[-4:]])
    return list(zip(out, labels, strict=True))


_FALLBACK = frozenset({"sinon", "defaut", "otherwise", "failing", "reponds", "repond"})  # "si je réponds pas"
# "au bureau ... sinon le portable ... mais de préférence le bureau": the line the caller prefers
_PREFERENCE = re.compile(
    r"\b(de preference|preferablement|plutot|en priorite|surtout|le mieux c est|c est mieux sur|preferably|ideally|"
    r"rather|best on)( sur| au| a| on)?"
    r"( le| la| l| mon| ma| my| the)? (?P<label>bureau|fixe|portable|mobile|standard|ligne directe|domicile|"
    r"maison|atelier|magasin|office|landline|mobile|home|work)\b")


def find_phone(text: str, *, lang: str = "fr", country: str = "FR") -> str | None:
    """The last telephone number said in ``text`` (a correction wins), in E.164, or None."""
    found = _labelled_candidates(text, lang, country)
    if not found:
        return None
    prefs = list(_PREFERENCE.finditer(fold(text)))
    if len(found) > 1 and prefs:
        label = prefs[-1].group("label").split()[-1]
        chosen = [number for number, words in found if label in words]
        if not chosen and country.upper() == "FR":
            # no number was introduced by that word: French mobiles are 06/07, everything else is a line
            mobile = label in ("portable", "mobile")
            chosen = [number for number, _w in found if number.startswith(("+336", "+337")) == mobile]
        if chosen:
            return chosen[-1]
    if len(found) > 1 and _FALLBACK & set(found[-1][1]) and not prefs:
        return found[-2][0]  # "au bureau X, sinon / à défaut sur le portable Y": X first
    return found[-1][0]


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


_CALLER_ID_FR = re.compile(
    r"\b(ce (meme )?numero|le numero (qui s affiche|affiche|d appel)|meme numero|mon numero|"
    r"numero (que vous avez|qui s affiche|affiche)|vous l avez|celui qui s affiche|celui ci|"
    r"pas besoin de (me )?rappeler|pas la peine de (me )?rappeler|inutile de (me )?rappeler)\b")
_CALLER_ID_EN = re.compile(
    r"\b(this (same )?number|the (same )?number (you have|showing|i m calling from|on your screen)|"
    r"same number|my number|number i m calling from|no need to call( me)? back|you have it|"
    r"don t need a call back)\b")


def refers_to_caller_id(text: str, lang: str = "fr") -> bool:
    """True when the caller means the number they are calling from ("sur ce numéro")."""
    f = fold(text)
    return bool((_CALLER_ID_EN if lang == "en" else _CALLER_ID_FR).search(f))
