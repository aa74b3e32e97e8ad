"""Text normalisation shared by the number parser, the entity extractor and the rules.

Recognisers write lower-case words without punctuation, but a typed transcript
may have capitals, accents, apostrophes and commas. Everything is folded the
same way: accents removed, lower case, apostrophes and punctuation become
spaces (``l'arrêt`` -> ``l arret``), hyphens are kept apart by :func:`words`
only when the caller asks for them.

>>> fold("L'Arrêt, tout de SUITE !")
'l arret tout de suite'
>>> words("Quatre-vingt-dix neuf")
['quatre', 'vingt', 'dix', 'neuf']
"""

from __future__ import annotations

import functools
import re
import unicodedata

_PUNCT = re.compile(r"[^a-z0-9+]+")


_LIGATURES = str.maketrans({"œ": "oe", "Œ": "OE", "æ": "ae", "Æ": "AE"})


def strip_accents(text: str) -> str:
    """No accents, and the ligatures spelled out: "cœur" -> "coeur" (NFKD leaves œ whole)."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_LIGATURES))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


@functools.lru_cache(maxsize=8192)
def fold(text: str) -> str:
    """Lower case, no accents, every run of non-alphanumerics is one space."""
    return _PUNCT.sub(" ", strip_accents(text).lower()).strip()


def words(text: str) -> list[str]:
    return fold(text).split()


def raw_words(text: str) -> list[str]:
    """Lower-case words keeping accents and inner apostrophes/hyphens (for display)."""
    text = text.lower().replace("’", "'")
    out: list[str] = []
    for w in re.split(r"[^\w'\-]+", text):
        w = w.strip("'-")
        while "'" in w:
            head, _, w = w.partition("'")
            if head:
                out.append(head + "'")
        if w.strip("-"):
            out.append(w)
    return out


_SMALL = {"de", "du", "des", "la", "le", "les", "et", "en", "d", "l", "of", "the", "and", "at", "sur", "a"}


def title_case(text: str, *, keep_small: bool = False) -> str:
    """``jean-pierre dupont`` -> ``Jean-Pierre Dupont``; small words stay lower when ``keep_small``."""
    out: list[str] = []
    for i, word in enumerate(text.split()):
        if keep_small and i > 0 and word in _SMALL:
            out.append(word)
            continue
        parts = re.split(r"([\-'])", word)
        cased = []
        for p in parts:
            if p in ("-", "'") or not p:
                cased.append(p)
            elif keep_small and len(p) == 1 and p in ("d", "l") and len(parts) > 1 and cased == []:
                cased.append(p)
            elif len(p) == 1 and cased and cased[-1] == "'":
                cased.append(p)  # john's
            elif keep_small and cased and cased[-1] == "-" and p in _SMALL:
                cased.append(p)  # saint-jean-de-bournay -> Saint-Jean-de-Bournay
            else:
                cased.append(p[0].upper() + p[1:])
        out.append("".join(cased))
    return " ".join(out)


_ALIKE = str.maketrans("bdgvznl", "ptkfsmr")  # consonants a recogniser swaps for their twin (voiced or not, l and r)


def alike(word: str) -> str:
    """``word`` with each consonant written as the twin it may be heard as ("fuide" and "fuite" agree)."""
    return word.translate(_ALIKE)


def within_one(a: str, b: str) -> bool:
    """Levenshtein distance of at most one (a letter changed, missing or extra)."""
    if abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        return sum(1 for x, y in zip(a, b, strict=True) if x != y) <= 1
    if len(a) > len(b):
        a, b = b, a
    i = 0
    while i < len(a) and a[i] == b[i]:
        i += 1
    return a[i:] == b[i + 1:]

def distance(a: str, b: str) -> int:
    """Levenshtein distance (letters inserted, deleted or changed)."""
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    return prev[-1]
