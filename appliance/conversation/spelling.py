"""A word spelled letter by letter, as a caller does when the box got their name wrong.

Callers spell in several ways, and recognisers write them in several ways: bare letters
("g i l e s", Whisper's "G-I-L-E-S" or "GILES"), a letter and a word of the spelling
alphabet ("G for George", "G comme Gaston"), or the alphabet words alone ("golf india
lima echo sierra"). Often the word comes first ("Giles, G I L E S"). The letters, the
alphabet and the connecting words are data, in the ``[spelling]`` table of the prompt file
(:class:`Spelling`); this module knows no language.

When a spelled word follows the word itself, the two are readings of one word: at 8 kHz single
letters are often the weaker one ("Harris, HRRIS" is Harris), sometimes the stronger ("Plenic,
CLINIC" is Clinic); :func:`_letters_win` decides.

>>> sp = Spelling.parse({"connectors": ["for"], "letters": {"g": ["g", "gee"], "i": ["i"], "l": ["l"],
...     "e": ["e"], "s": ["s"]}, "alphabet": {"g": ["george", "golf"], "s": ["sierra", "sugar"]}}, "<doc>")
>>> parse_spelling("G for George, I, L, E, S for Sugar", sp)
'Giles'
>>> parse_spelling("Giles, G-I-L-E-S", sp)
'Giles'
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping, Sequence
from typing import Any

from ..errors import ConfigError
from .text import distance, fold

_LETTER_RUN = re.compile(r"^(?:[A-Za-z][.\-]){1,}[A-Za-z]?[.\-]?$")  # G-I-L-E-S, G.I.L.E.S.
_CAPS = re.compile(r"^[A-Z]{2,}$")  # GILES: how Whisper writes letters said one by one
_STUTTER = re.compile(r"(.)\1\1")  # a letter three times in a row: no name is spelled so
_CLUSTERS = re.compile(r"^[A-Z]{1,3}(?:-[A-Z]{1,3})+\.?$")  # HR-D-I-N-G: letters, a few run together


def _letter_run(raw: str) -> bool:
    """Letters said one by one as a recogniser writes them: "G-I-L-E-S", "G.I.L.E.S.", or in capitals with
    a few of them run together, most still alone ("HR-D-I-N-G" for Harding, "GR-N-T")."""
    if _LETTER_RUN.match(raw) and len(re.sub(r"[^A-Za-z]", "", raw)) >= 2:
        return True
    if not _CLUSTERS.match(raw):
        return False
    parts = raw.rstrip(".").split("-")
    return 2 * sum(len(x) == 1 for x in parts) >= len(parts)


@dataclasses.dataclass(frozen=True)
class Spelling:
    """How one language spells: letter names, the spelling alphabet, connecting words."""

    letters: Mapping[tuple[str, ...], str]  # folded spoken form of a letter -> the letter
    alphabet: Mapping[str, str]  # folded alphabet word -> the letter
    connectors: tuple[tuple[str, ...], ...]  # "for", "as in", "comme"
    double: tuple[str, ...] = ()  # "double" l
    say_words: Mapping[str, str] = dataclasses.field(default_factory=dict)  # letter -> first alphabet word

    @classmethod
    def parse(cls, data: Any, source: str) -> Spelling:
        if not isinstance(data, dict):
            raise ConfigError(f"{source}: spelling: expected a [spelling] table")
        for key in data:
            if key not in ("connectors", "double", "letters", "alphabet"):
                raise ConfigError(f"{source}: spelling.{key}: unknown key (known: alphabet, connectors, double, "
                                  f"letters)")

        def strings(key: str, value: Any) -> list[str]:
            if not isinstance(value, list) or not all(isinstance(v, str) and fold(v) for v in value):
                raise ConfigError(f"{source}: spelling.{key}: expected a list of non-empty strings")
            return value

        def table(key: str) -> dict[str, list[str]]:
            value = data.get(key, {})
            if not isinstance(value, dict) or not value:
                raise ConfigError(f"{source}: spelling.{key}: expected a table of letter = [\"...\"]")
            for letter in value:
                if len(fold(letter)) != 1:
                    raise ConfigError(f"{source}: spelling.{key}.{letter}: expected a single letter as the key")
            return {fold(k): strings(f"{key}.{k}", v) for k, v in value.items()}

        letters = {tuple(fold(w).split()): k for k, ws in table("letters").items() for w in ws}
        alpha_table = table("alphabet")
        alphabet = {fold(w): k for k, ws in alpha_table.items() for w in ws if len(fold(w).split()) == 1}
        connectors = tuple(tuple(fold(c).split()) for c in strings("connectors", data.get("connectors", [])))
        double = tuple(fold(d) for d in strings("double", data.get("double", [])))
        say = {k: ws[0] for k, ws in alpha_table.items()}
        return cls(letters, alphabet, connectors, double, say)

    def phrases(self) -> tuple[str, ...]:
        """Everything a spelling may contain, as a closed phrase list (a vosk grammar)."""
        out = [" ".join(p) for p in self.letters] + list(self.alphabet) + [" ".join(c) for c in self.connectors]
        return tuple(dict.fromkeys([*out, *self.double]))

def _at(tokens: Sequence[str], i: int, phrase: Sequence[str]) -> bool:
    return tuple(tokens[i:i + len(phrase)]) == tuple(phrase)


def _letter_at(tokens: Sequence[str], i: int, sp: Spelling) -> tuple[str, int] | None:
    """(letter, tokens used) for a letter said at ``i``: "g", "g for george", "jay", "double u"."""
    best: tuple[str, int] | None = None
    for phrase, letter in sp.letters.items():
        if _at(tokens, i, phrase) and (best is None or len(phrase) > best[1]):
            best = (letter, len(phrase))
    if best is None:
        # a word the recogniser made of a letter, followed by "for <alphabet word>": trust the word
        for conn in sp.connectors:
            j = i + 1 + len(conn)
            if _at(tokens, i + 1, conn) and j < len(tokens) and tokens[j] in sp.alphabet:
                return sp.alphabet[tokens[j]], j + 1 - i
        return None
    letter, used = best
    for conn in sp.connectors:
        j = i + used + len(conn)
        if _at(tokens, i + used, conn) and j < len(tokens) and tokens[j] in sp.alphabet:
            return sp.alphabet[tokens[j]], j + 1 - i  # the alphabet word is the safer reading
    return letter, used


def _pieces(text: str) -> list[tuple[str, str]]:
    """("letters", "giles") for a word the recogniser wrote letter by letter ("G-I-L-E-S", "GILES"),
    ("words", folded) otherwise. A word in capitals right before letters is the word itself
    ("MOORE, M-O-O-R-E")."""
    out: list[tuple[str, str]] = []
    raws = [r for r in re.split(r"[\s,;:!?]+", text) if r]
    for i, raw in enumerate(raws):
        bare = raw.strip(".'\"()")
        spelled = _letter_run(raw.strip(",;:!?()\"'"))
        nxt = raws[i + 1] if i + 1 < len(raws) else ""
        if spelled:
            out.append(("letters", re.sub(r"[^A-Za-z]", "", raw).lower()))
        elif _CAPS.match(bare) and not _LETTER_RUN.match(nxt.strip(",;:!?()\"'")):
            out.append(("letters", bare.lower()))
        elif fold(raw):
            out.append(("words", fold(raw.replace("'", "").replace("’", ""))))  # "it's" is not "it s"
    return out




def _groups(text: str, sp: Spelling) -> list[tuple[str, list[str]]]:
    """Each spelled word, with the ordinary words said since the previous one."""
    tokens: list[str] = []
    kinds: list[str] = []
    for kind, piece in _pieces(text):
        for t in piece.split():
            tokens.append(t)
            kinds.append(kind)
    groups: list[tuple[str, list[str]]] = []
    cur = ""
    said: list[str] = []
    i = 0
    repeat = 1

    def close(last: bool = False) -> None:
        nonlocal cur, said
        if len(cur) >= 2:
            groups.append((cur, said))
            said = []
        elif last and cur and said and len(said[-1]) >= 2 and said[-1].startswith(cur):
            # "... Fox, F." at the end: the word, its spelling begun and the rest lost (not a letter with more
            # letters after it: "Turner, T, euh, U R N E R" is spelled on)
            groups.append((said[-1], said[:-1]))
            said = []
        cur = ""

    while i < len(tokens):
        t = tokens[i]
        if kinds[i] == "letters":  # a whole word, as the recogniser wrote it
            if not cur:
                close()
            cur += t  # letters said one by one just before are its start ("I see H-O-L-L-S")
            close()
            i += 1
            continue
        found = _letter_at(tokens, i, sp)
        if found is None and t in sp.double and i + 1 < len(tokens):
            repeat, i = 2, i + 1
            continue
        # an alphabet word alone is a letter inside a run ("golf india lima"), not before one ("Victor, V ...")
        run = t in sp.alphabet and (bool(cur) or (i + 1 < len(tokens) and kinds[i + 1] == "words"
                                                  and tokens[i + 1] in sp.alphabet))
        if found is not None:
            cur += found[0] * repeat
            i += found[1]
        elif run:
            cur += sp.alphabet[t] * repeat
            i += 1
        else:
            close()
            said.append(t)
            i += 1
        repeat = 1
    close(last=True)
    return groups


def _letters_win(letters: str, word: str, distance: int) -> bool:
    """Letters or the word said before them? Recognisers lose letters ("Harris, HRRIS"), hear a vowel-less
    jumble ("Peter, TGTGR") or one letter wrong ("Brown, DROWN"), and mishear a word as another one
    ("Plenic, CLINIC", "mother, MOORE"). Letters with a vowel win over a word that is not the same word
    (more than a third of its letters differ), and over one that is, when they are no shorter and differ
    by more than one letter. Letters with a letter three times in a row (a recogniser's stutter:
    "G-I-L-L-L-G-H-E-R" for Gallagher), or a fragment of the word (in order in it, shorter than 60 % of it:
    "S-E-R-Y" for Nursery) do not win. Measured on 476 words of the English corpora's names and companies
    spelled by the piper caller and read by Whisper base: the word said beside the letters was right 111 times
    when the letters were not, the letters 85 times; these two tests pick the right one 255 times, not 244."""
    if not any(c in "aeiouy" for c in letters) or _STUTTER.search(letters):
        return False
    if len(letters) < 0.6 * len(word) and _in_order(letters, word):
        return False
    same_word = distance <= max(1, len(word) // 3)
    return not same_word or (len(letters) >= len(word) and distance >= 2)


def _in_order(letters: str, word: str) -> bool:
    """Are ``letters`` all in ``word``, in order?"""
    it = iter(word)
    return all(c in it for c in letters)


def _lost_from(letters: str, word: str) -> bool:
    """``letters`` is ``word`` with some letters lost (in order, at least 60 % of them kept)."""
    return len(letters) >= 0.6 * len(word) and _in_order(letters, word)


def _split_at_said(letters: str, said: Sequence[str]) -> list[str]:
    """A long run of letters (ten or more) that begins with the word said just before it and goes on is two
    words run together ("Natalie, N-A-T-A-L-I-E-K-I-N-G": "natalie", "king"); a shorter one is the longer
    form of that word ("Chris, C-H-R-I-S-T-I-N-E")."""
    w = said[-1] if said else ""
    if len(w) >= 4 and len(letters) >= 10 and len(letters) - len(w) >= 3 and letters.startswith(w):
        return [w, letters[len(w):]]
    return [letters]


def parse_spelling(text: str, sp: Spelling, heard: Sequence[str] = ()) -> str | None:
    """The words spelled in ``text``, capitalised and joined; None when nothing was spelled.

    ``heard``: the words of the value being spelled, as first heard. Letters that are one of them with
    letters lost (three or more, in order, at least 60 % of the word: the recogniser lost the start of
    "B-A-K-E-R" and wrote "K-E-R", or an "A" of "M-A-R-C-H-E-T-T-I") confirm that word rather than make
    a new one out of the fragment or of a word said beside it. A letter changed is the caller's
    correction ("M-E-A-T-S" for "Meets") and stands."""
    words = []
    known = [fold(w) for w in heard if len(fold(w)) >= 3]
    for letters, said in [(part, before) for group, before in _groups(text, sp) for part in _split_at_said(group, before)]:
        inside = [w for w in known if len(letters) >= 3 and letters != w and _lost_from(letters, w)]
        if inside:
            words.append(inside[0].capitalize())
            continue
        near = sorted((distance(w, letters) / len(w), -len(w), w) for w in said if len(w) >= 2)
        if near and not _letters_win(letters, near[0][2], distance(near[0][2], letters)):
            letters = near[0][2]
        words.append(letters.capitalize())
    return " ".join(words) or None
