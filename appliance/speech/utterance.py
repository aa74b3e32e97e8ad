"""What a recogniser returns, and the interfaces of recognisers: below the engines and the
factory that picks one (:mod:`.recognizer`), so an engine never imports the module that
imports it."""

from __future__ import annotations

import dataclasses
from typing import Protocol


@dataclasses.dataclass(frozen=True)
class Word:
    """One recognised word: text, confidence (0..1, None if the engine gives none), times in seconds."""

    text: str
    confidence: float | None = None
    start: float | None = None
    end: float | None = None


@dataclasses.dataclass(frozen=True)
class Alternative:
    """Another likely reading of the same audio (n-best), with its confidence when known."""

    text: str
    confidence: float | None = None


@dataclasses.dataclass(frozen=True)
class Utterance:
    """What was recognised; ``start``/``end`` in seconds from the stream start.

    ``words``: the words of ``text`` with their confidences, when the engine gives them;
    ``alternatives``: other likely readings, most likely first (``text`` itself excluded).
    """

    text: str
    final: bool
    start: float
    end: float
    confidence: float | None = None
    words: tuple[Word, ...] = ()
    alternatives: tuple[Alternative, ...] = ()


class Recognizer(Protocol):
    """One recognition stream."""

    def feed(self, pcm: bytes) -> list[Utterance]:
        """Accept 16-bit 8 kHz PCM (any even length); return new partial/final utterances."""
        ...

    def flush(self) -> list[Utterance]:
        """End the current utterance now; returns its final (if any words). The stream goes on."""
        ...

    def close(self) -> None: ...


class RecognizerFactory(Protocol):
    """A loaded model that opens streams; shared by every line, thread-safe."""

    engine: str
    lang: str

    def stream(self, grammar: list[str] | None = None) -> Recognizer: ...

    def close(self) -> None: ...
