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
from typing import TYPE_CHECKING

from ..conversation.language import LANGS, language
from ..conversation.numbers import digits_said
from ..errors import QualificationError, SpeechError

if TYPE_CHECKING:
    from ..conversation.base import ListenSpec



def _digit_words(lang: str) -> dict[str, str]:
    nb = language(lang).numbers
    words = {u: str(i) for i, u in enumerate(nb.units[:10])}
    words.update({w: "1" for w in nb.one})
    words.update({w: "0" for w in nb.zero if len(w) > 1})
    return words


def _number_words(lang: str) -> tuple[str, ...]:
    """Besides the digits, the words numbers are read with ("douze", "soixante", "double")."""
    nb = language(lang).numbers
    tens = [w for v in (*nb.tens.values(), *nb.tens_plural.values()) for w in v.split()]
    return tuple(dict.fromkeys([*nb.units[10:], *tens, *nb.and_one.split(), *nb.repeat]))


# Read once from each language's file: the one source of yes/no and number words (the dialog uses the same).
YES_WORDS: dict[str, tuple[str, ...]] = {lang: language(lang).answers["yes"] for lang in LANGS}
NO_WORDS: dict[str, tuple[str, ...]] = {lang: language(lang).answers["no"] for lang in LANGS}
DIGIT_WORDS: dict[str, dict[str, str]] = {lang: _digit_words(lang) for lang in LANGS}
NUMBER_WORDS: dict[str, tuple[str, ...]] = {lang: _number_words(lang) for lang in LANGS}
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
        return [*DIGIT_WORDS[lang], *NUMBER_WORDS[lang]]
    return None


def _tokens(text: str) -> list[str]:
    return [t for t in re.split(r"[\s,;:.!?\-()]+", text.lower()) if t]


def parse_digits(text: str, lang: str) -> str:
    """The digits spoken or written in ``text`` ("oh seven seven" -> "077", "douze" -> "12"): the
    conversation's number reader (:func:`appliance.conversation.numbers.digits_said`)."""
    _check_lang(lang)
    return digits_said(text, lang)


def yes_no(text: str, lang: str) -> str | None:
    """'yes' or 'no' when the text says one of them (and not both), else None."""
    _check_lang(lang)
    padded = " " + " ".join(_tokens(text.replace("’", "'"))) + " "
    yes = any(f" {w} " in padded for w in YES_WORDS[lang])
    no = any(f" {w} " in padded for w in NO_WORDS[lang])
    if yes == no:
        return None
    return "yes" if yes else "no"


SENTENCE_END = (".", "!", "?")


@functools.cache
def continuation_words(lang: str) -> frozenset[str]:
    """Words after which a caller has not finished (the language file's ``[turns] continuation``)."""
    _check_lang(lang)
    try:
        return frozenset(language(lang).continuation)
    except QualificationError as exc:
        raise SpeechError(str(exc)) from exc


def _last_word(text: str) -> str:
    words = re.findall(r"[\w'’-]+", text.lower().replace("’", "'"))
    return words[-1] if words else ""


def is_unfinished(text: str, lang: str) -> bool:
    """True when the words so far stop on a word that calls for more ("... and", "my name is", "euh")."""
    last = _last_word(text)
    return bool(last) and (last in continuation_words(lang) or last.endswith("'"))


def is_complete(text: str, expect: str, lang: str, phrases: tuple[str, ...] = ()) -> bool:
    """True when ``text`` evidently answers what was expected: a full number, a yes/no, one of
    the expected phrases, or (free speech) a sentence that ends (a recogniser that punctuates,
    Whisper, ends it with a full stop; vosk does not punctuate, so its free speech waits for the
    full silence) — never when its last word calls for more (:func:`is_unfinished`)."""
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
    if expect == "free":
        return text.rstrip().endswith(SENTENCE_END) and bool(_tokens(text))
    # A name answer is not ended early: the identity question asks for the name and the company,
    # and "Mark Lewis." with a pause before "Highland Sawmill" would lose the company to the next
    # question (the English audio benchmark showed names cut short while this was tried).
    return False
