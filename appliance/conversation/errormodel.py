"""A recognition-error model for the qualifier benchmark (``make bench``) and the robustness tests: what a phone-line recogniser does to a transcript.

Applied to a clean labelled turn, in this order:

1. **lower case, punctuation removed** (apostrophes and hyphens inside a word kept: recognisers write
   "l'arrêt", "trente-quatre");
2. **numbers as a recogniser writes them**: a telephone number said as words stays words half of the time
   (vosk writes words) and becomes digit groups the other half (Whisper writes "06 12 34 56 78");
3. then each word, with probability ``rate`` split evenly between three kinds of error:
   - **deletion** (the word is lost),
   - **near-word substitution**: a letter changed for one that sounds alike (p/b, t/d, k/g, f/v, s/z, m/n,
     a vowel for another), a letter dropped, or a long word split in two ("momyo leaking") or run into
     the next one,
   - **filler insertion** before the word ("euh", "um": the hesitation words of the language's file).

Rates of 10, 20 and 30 % of the words are run with several seeds; the same seed gives the same damage.
vosk-model-small-fr's published word error rate is about 24 % on read speech.

>>> damage(["Bonjour, la chaudière est en panne !"], 0.0, seed=1, lang="fr")
['bonjour la chaudière est en panne']
"""

from __future__ import annotations

import random
import re

from .language import language
from .numbers import number_table, spoken_digits
from .text import fold

_ALIKE = {"p": "b", "b": "p", "t": "d", "d": "t", "k": "g", "g": "k", "f": "v", "v": "f", "s": "z", "z": "s",
          "m": "n", "n": "m", "c": "g", "l": "r", "r": "l"}
_VOWELS = "aeiouy"


def _clean(turn: str) -> list[str]:
    text = turn.lower().replace("’", "'")
    return [w.strip("'-") for w in re.split(r"[^\w'-]+", text) if w.strip("'-")]


def _numbers(words: list[str], lang: str, rng: random.Random) -> list[str]:
    """Telephone numbers as words or, half of the time, as the digit groups Whisper writes."""
    vocab = {w for key in number_table(lang) for w in key}
    if rng.random() < 0.5:
        return words
    out: list[str] = []
    i = 0
    while i < len(words):
        j = i
        while j < len(words) and (all(p in vocab for p in fold(words[j]).split()) or words[j].isdigit()):
            j += 1
        digits = spoken_digits(" ".join(words[i:j]), lang) if j - i >= 4 else None
        if digits and len(digits) >= 8:
            step = 2 if lang == "fr" else 3
            out.extend(digits[k:k + step] for k in range(0, len(digits), step))
            i = j
        else:
            out.append(words[i])
            i += 1
    return out


def _near(word: str, rng: random.Random) -> list[str]:
    """A near word: a letter that sounds alike, a letter lost, or the word split in two."""
    if len(word) >= 8 and rng.random() < 0.2:
        cut = rng.randrange(3, len(word) - 3)
        return [word[:cut], word[cut:]]
    spots = [i for i, c in enumerate(word) if c in _ALIKE or c in _VOWELS]
    if not spots or (len(word) > 4 and rng.random() < 0.3):
        i = rng.randrange(len(word))
        return [word[:i] + word[i + 1:]] if len(word) > 1 else [word]
    i = rng.choice(spots)
    c = word[i]
    new = _ALIKE.get(c) or rng.choice([v for v in _VOWELS if v != c])
    return [word[:i] + new + word[i + 1:]]


def damage_turn(turn: str, rate: float, rng: random.Random, lang: str) -> str:
    fillers = sorted(language(lang).identity.hesitations) or ["um"]
    words = _numbers(_clean(turn), lang, rng)
    out: list[str] = []
    i = 0
    while i < len(words):
        w = words[i]
        roll = rng.random()
        if roll >= rate:
            out.append(w)
        elif roll < rate / 3:
            pass  # deleted
        elif roll < 2 * rate / 3:
            if i + 1 < len(words) and len(w) >= 3 and rng.random() < 0.15:
                out.append(w + words[i + 1])  # run into the next word
                i += 1
            else:
                out.extend(_near(w, rng))
        else:
            out.extend([rng.choice(fillers), w])
        i += 1
    return " ".join(out)


def damage(turns: list[str], rate: float, *, seed: int, lang: str) -> list[str]:
    """The turns of one call as a recogniser with about ``rate`` word errors might write them."""
    rng = random.Random(f"{seed}:{rate}:{'|'.join(turns)}")
    return [damage_turn(t or "", rate, rng, lang) for t in turns]
