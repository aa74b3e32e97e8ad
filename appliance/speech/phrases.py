"""Words for closed questions (fr/en): grammars from a ListenSpec, digits, yes/no.

What the conversation and call handler call::

    grammar_for(ListenSpec(expect="yes_no"), "fr")  # phrase list for a vosk grammar (None = free speech)
    parse_digits("zéro six douze trente-quatre", "fr")  # '06 12 34' -> '061234'
    yes_no("yeah that's right", "en")                    # 'yes' | 'no' | None
    is_complete("oui", "yes_no", "fr")                   # True: end the turn after the short silence
    is_unfinished("my name is", "en")                    # True: wait longer before answering

>>> parse_digits("call me on oh seven seven one two, double three four five", "en")
'077123345'
>>> parse_digits("zéro six, douze, trente-quatre, cinquante-six, soixante-dix-huit", "fr")
'0612345678'
"""

from __future__ import annotations

import functools
import re
import tomllib
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import SpeechError

if TYPE_CHECKING:
    from ..conversation.base import ListenSpec

YES_WORDS: dict[str, tuple[str, ...]] = {
    "fr": ("oui", "ouais", "d'accord", "exactement", "absolument", "tout à fait", "bien sûr", "c'est ça"),
    "en": ("yes", "yeah", "yep", "correct", "right", "sure", "of course", "that's right"),
}
NO_WORDS: dict[str, tuple[str, ...]] = {
    "fr": ("non", "pas du tout", "non merci"),
    "en": ("no", "nope", "not really", "no thanks"),
}
DIGIT_WORDS: dict[str, dict[str, str]] = {
    "fr": {"zéro": "0", "un": "1", "une": "1", "deux": "2", "trois": "3", "quatre": "4", "cinq": "5",
           "six": "6", "sept": "7", "huit": "8", "neuf": "9"},
    "en": {"zero": "0", "oh": "0", "one": "1", "two": "2", "three": "3", "four": "4", "five": "5",
           "six": "6", "seven": "7", "eight": "8", "nine": "9"},
}
# French phone numbers are read in pairs ("zéro six, douze, trente-quatre"): tens are needed too.
FR_NUMBER_WORDS = ("dix", "onze", "douze", "treize", "quatorze", "quinze", "seize", "vingt", "trente",
                   "quarante", "cinquante", "soixante", "et")
EN_NUMBER_WORDS = ("double", "triple", "ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen",
                   "sixteen", "seventeen", "eighteen", "nineteen", "twenty", "thirty", "forty", "fifty",
                   "sixty", "seventy", "eighty", "ninety")

_TEENS = {
    "fr": {"dix": 10, "onze": 11, "douze": 12, "treize": 13, "quatorze": 14, "quinze": 15, "seize": 16},
    "en": {"ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15,
           "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19},
}
_TENS = {
    "fr": {"vingt": 20, "vingts": 20, "trente": 30, "quarante": 40, "cinquante": 50, "soixante": 60},
    "en": {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80,
           "ninety": 90},
}
# A phone number is complete with this many digits (FR 10; UK 11 incl. the leading 0; US 10).
COMPLETE_DIGITS = 10


def _check_lang(lang: str) -> None:
    if lang not in YES_WORDS:
        raise SpeechError(f"no phrase words for language {lang!r} (known: fr, en)")


def grammar_for(spec: ListenSpec | None, lang: str) -> list[str] | None:
    """A vosk phrase list for what the dialog expects, or None for free speech.

    ``spec.phrases`` (a closed set from the dialog, e.g. known customer
    companies) win; ``yes_no`` gives yes/no words; ``digits`` and ``number``
    give digit words (and the tens used to read numbers in pairs). ``free`` and
    ``name`` are free speech. vosk drops words missing from the model's
    vocabulary, so keep phrases in the model's language.
    """
    if spec is None:
        return None
    _check_lang(lang)
    if spec.phrases:
        return list(dict.fromkeys(p.strip().lower() for p in spec.phrases if p.strip()))
    if spec.expect == "yes_no":
        return [*YES_WORDS[lang], *NO_WORDS[lang]]
    if spec.expect in ("digits", "number"):
        extra = FR_NUMBER_WORDS if lang == "fr" else EN_NUMBER_WORDS
        return [*DIGIT_WORDS[lang], *extra]
    return None


def _tokens(text: str) -> list[str]:
    return [t for t in re.split(r"[\s,;:.!?\-()]+", text.lower()) if t]


def parse_digits(text: str, lang: str) -> str:
    """The digits spoken or written in ``text`` ("oh seven seven" -> "077", "douze" -> "12")."""
    _check_lang(lang)
    units = DIGIT_WORDS[lang]
    teens, tens = _TEENS[lang], _TENS[lang]
    out: list[str] = []
    cur: int | None = None  # a number being built from words ("soixante" + "dix" + "huit")
    repeat = 1

    def flush() -> None:
        nonlocal cur
        if cur is not None:
            out.append(str(cur))
            cur = None

    for tok in _tokens(text):
        if tok.isdigit():
            flush()
            out.append(tok * repeat)
            repeat = 1
        elif lang == "en" and tok in ("double", "triple"):
            flush()
            repeat = 2 if tok == "double" else 3
        elif tok in tens:
            v = tens[tok]
            if lang == "fr" and cur == 4 and v == 20:
                cur = 80  # quatre-vingt
            else:
                flush()
                cur = v
        elif tok in teens or tok in units:
            v = teens[tok] if tok in teens else int(units[tok])
            if cur is not None and cur >= 20 and cur % 10 == 0 and cur + v < 100 and (
                    v < 10 or (lang == "fr" and cur in (60, 80))):
                cur += v  # thirty four, soixante-douze, quatre-vingt-dix
            elif lang == "fr" and cur == 10 and 7 <= v <= 9:
                cur += v  # dix-sept
            else:
                flush()
                if repeat > 1 and v < 10:
                    out.append(str(v) * repeat)
                    repeat = 1
                else:
                    cur = v
        elif tok == "et" and lang == "fr":
            continue  # vingt et un
        else:
            flush()
            repeat = 1
    flush()
    return "".join(out)


def yes_no(text: str, lang: str) -> str | None:
    """'yes' or 'no' when the text says one of them (and not both), else None."""
    _check_lang(lang)
    padded = " " + " ".join(_tokens(text.replace("’", "'"))) + " "
    yes = any(f" {w} " in padded for w in YES_WORDS[lang])
    no = any(f" {w} " in padded for w in NO_WORDS[lang])
    if yes == no:
        return None
    return "yes" if yes else "no"


LEXICON_DIR = Path(__file__).with_name("lexicon")
SENTENCE_END = (".", "!", "?")


@functools.cache
def continuation_words(lang: str) -> frozenset[str]:
    """Words after which a caller has not finished (``lexicon/<lang>.toml``, ``continuation``)."""
    _check_lang(lang)
    path = LEXICON_DIR / f"{lang}.toml"
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise SpeechError(f"{path}: cannot read the turn-taking words: {exc}") from exc
    words = data.get("continuation")
    if not isinstance(words, list) or not all(isinstance(w, str) and w.strip() for w in words):
        raise SpeechError(f"{path}: continuation: expected a list of words")
    return frozenset(w.strip().lower() for w in words)


def _last_word(text: str) -> str:
    words = re.findall(r"[\w'’-]+", text.lower().replace("’", "'"))
    return words[-1] if words else ""


def is_unfinished(text: str, lang: str) -> bool:
    """True when the words so far stop on a word that calls for more ("... and", "my name is", "euh")."""
    last = _last_word(text)
    return bool(last) and (last in continuation_words(lang) or last.endswith("'"))


def is_complete(text: str, expect: str, lang: str, phrases: tuple[str, ...] = ()) -> bool:
    """True when ``text`` evidently answers what was expected: a full number, a yes/no, one of
    the expected phrases, or a sentence that ends — free speech, or a name of two words or more
    (a recogniser that punctuates, Whisper, ends it with a full stop; vosk does not punctuate, so
    its free speech and names wait for the full silence) — never when its last word calls for
    more (:func:`is_unfinished`)."""
    if not text.strip():
        return False
    if phrases:
        # Complete when the words are made only of expected phrases ("yes", "yes yes").
        rest = " " + " ".join(_tokens(text)) + " "
        for p in sorted((" ".join(_tokens(p)) for p in phrases), key=len, reverse=True):
            if p:
                rest = rest.replace(f" {p} ", " ").replace(f" {p} ", " ")
        return not rest.strip()
    if expect == "yes_no":
        return yes_no(text, lang) is not None
    if expect == "number":
        return len(parse_digits(text, lang)) >= COMPLETE_DIGITS
    if is_unfinished(text, lang):
        return False
    ends = text.rstrip().endswith(SENTENCE_END)
    if expect == "name":
        # "John Smith," is often followed by the company: only a name said to its end counts
        return ends and len(_tokens(text)) >= 2
    if expect == "free":
        return ends and bool(_tokens(text))
    return False
