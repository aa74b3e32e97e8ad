"""The business's words, given to the recogniser so it hears them more readily.

A *bias provider* is any callable returning the phrases of the moment, most important first
(the known customers' names and companies, then equipment and the rules' key phrases):
``EngineSpeech`` builds one per language from the qualifier rules and whatever the service
adds (a customer directory), and each :class:`~appliance.speech.turns.Listener` asks it at
every turn, so a directory edited on the page counts from the next turn on.

How each engine uses them:

* **Whisper**: as ``hotwords`` (text put before the question the caller answers), cut to
  :data:`HOTWORDS_MAX_CHARS`: more would push the question out of Whisper's prompt and make it
  likelier to write a listed word it did not hear. On a reading's first words Whisper may also
  *continue its prompt*: write the hotwords' last phrases, as listed, before what it heard
  ("all outside, out in the car park our boiler..."): :func:`copied_hotwords` finds such a copy
  and the engine leaves it out of the reading (the rules would have taken it for an evacuation).
* **vosk** has no soft bias: a grammar restricts its output to the listed phrases. Free speech
  stays free; for a name answer the Listener runs a second, grammar-restricted recogniser beside
  the free one (the phrases plus ``[unk]`` for anything else) and offers its reading as an
  alternative of the turn, never as the reading itself. vosk drops phrase words its model does
  not know, so names must be in the model's vocabulary to count.

>>> clean_phrases(["Boiler", "leak*", "boiler", "  ", "gas leak"])
['Boiler', 'leak', 'gas leak']
>>> hotwords(["Mercer Logistics", "boiler", "cold room"], max_chars=30)
'Mercer Logistics, boiler'
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterable, Sequence

log = logging.getLogger(__name__)

BiasProvider = Callable[[], Sequence[str]]

HOTWORDS_MAX_CHARS = 300
MAX_PHRASE_CHARS = 60
GRAMMAR_MAX_PHRASES = 500
UNKNOWN = "[unk]"


def clean_phrases(phrases: Iterable[object]) -> list[str]:
    """Phrases without rule wildcards (``leak*`` -> ``leak``), blanks, duplicates (any case) or over-long ones."""
    out: list[str] = []
    seen: set[str] = set()
    for p in phrases:
        if not isinstance(p, str):
            continue
        text = " ".join(p.replace("*", " ").split())
        key = text.lower()
        if not text or len(text) > MAX_PHRASE_CHARS or key in seen or re.search(r"[\\\[\](){}|^$]", text):
            continue
        seen.add(key)
        out.append(text)
    return out


def hotwords(phrases: Sequence[str], *, max_chars: int = HOTWORDS_MAX_CHARS) -> str:
    """Whisper's hotwords: the first phrases, comma-separated, within ``max_chars``."""
    parts: list[str] = []
    used = 0
    for p in clean_phrases(phrases):
        cost = len(p) + (2 if parts else 0)
        if used + cost > max_chars:
            break
        parts.append(p)
        used += cost
    return ", ".join(parts)


def copied_hotwords(said: Sequence[str], hot: str) -> tuple[int, int] | None:
    """The span ``(a, b)`` of ``said`` (a reading's words) that copies Whisper's prompt: two or more of
    the hotwords' phrases in their listed order, ending with the last one (the words just before the
    question in the prompt). None when there is no such copy.

    >>> hot = "gas leak, all outside, out in the car park"
    >>> copied_hotwords("all outside, out in the car park our boy door".split(), hot)
    (0, 7)
    >>> copied_hotwords("the gas leak is in the car park".split(), hot) is None
    True
    """
    phrases = [p.lower().split() for p in hot.split(", ") if p.strip()]
    words = [_plain(w) for w in said]
    if len(phrases) < 2:
        return None
    for a in range(len(words)):
        for k in range(len(phrases) - 1):
            b = a
            for phrase in phrases[k:]:
                if [_plain(w) for w in phrase] != words[b : b + len(phrase)]:
                    break
                b += len(phrase)
            else:
                return (a, b)
    return None


def _plain(word: str) -> str:
    return re.sub(r"[^\w']+", "", word.lower())


def bias_grammar(phrases: Sequence[str]) -> list[str] | None:
    """A vosk grammar of the phrases (lower case) plus ``[unk]`` for any other words; None if no phrase."""
    words = [p.lower() for p in clean_phrases(phrases)][:GRAMMAR_MAX_PHRASES]
    return [*words, UNKNOWN] if words else None


def ask(provider: BiasProvider | None) -> list[str]:
    """The provider's phrases now; a provider that fails is logged and counts as no phrase."""
    if provider is None:
        return []
    try:
        return clean_phrases(provider())
    except Exception as exc:  # noqa: BLE001 - a directory being edited must never stop a call
        log.warning("bias phrases unavailable this turn: %s: %s", type(exc).__name__, exc)
        return []


def without_unknown(text: str) -> str:
    """A grammar reading without its ``[unk]`` words."""
    return " ".join(w for w in text.split() if w != UNKNOWN)
