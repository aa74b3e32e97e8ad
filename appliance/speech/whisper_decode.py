"""One Whisper reading of a short piece of audio, straight on CTranslate2: text, confidence, words.

faster-whisper's ``transcribe`` always gives the encoder Whisper's full 30 s window (audio padded
with silence), and its word probabilities need a second pass (the cross-attention alignment).
A caller's turn is a few seconds, so this reads it in a shorter window (``window_frames`` mel
frames, 100 a second: 15 s unless the audio is longer) and takes each word's probability from the
decoder's own log-probabilities of its tokens (the mean over the word's tokens, as faster-whisper
computes it from the alignment). On this 2-core machine a 3-second answer takes about a third of
the time of the full window (``bench/bench_turns.py`` measures the whole turn).

The prompt is faster-whisper's (:meth:`WhisperModel.get_prompt`: hotwords, then the previous
text, then the start-of-transcript tokens), and the suppressed tokens too, so the same audio gets
the same reading in most cases; a shorter window is not exactly Whisper's training condition (a
few readings differ: the audio benchmark reports the effect).
"""

from __future__ import annotations

import dataclasses
import string
from typing import Any

import numpy as np

from .utterance import Word

FULL_WINDOW = 3000  # mel frames of Whisper's 30 s window
PUNCTUATION = frozenset(string.punctuation) | {"¿", "¡", "«", "»", "…"}


@dataclasses.dataclass(frozen=True)
class Reading:
    text: str
    confidence: float | None
    words: tuple[Word, ...]


class Decoder:
    """Greedy Whisper decoding of one window, for one loaded faster-whisper model."""

    def __init__(self, model: Any, *, window_frames: int = 1500) -> None:
        self._fw = model  # faster_whisper.WhisperModel
        self.window_frames = max(100, min(FULL_WINDOW, int(window_frames)))
        self._tokenizers: dict[str, Any] = {}

    def _tokenizer(self, lang: str) -> Any:
        from faster_whisper.tokenizer import Tokenizer

        if lang not in self._tokenizers:
            self._tokenizers[lang] = Tokenizer(self._fw.hf_tokenizer, True, task="transcribe", language=lang)
        return self._tokenizers[lang]

    def _features(self, audio16k: np.ndarray) -> Any:
        import ctranslate2

        feats = self._fw.feature_extractor(audio16k)
        n = feats.shape[-1]
        # the window: the shorter one when the audio (and a second of silence) fits it
        size = self.window_frames if n + 100 <= self.window_frames else FULL_WINDOW
        window = np.zeros((feats.shape[0], size), dtype=np.float32)  # faster-whisper pads with zeros too
        window[:, : min(n, size)] = feats[:, :size]
        return self._fw.model.encode(ctranslate2.StorageView.from_array(window[None]), to_cpu=False)

    def _language(self, encoded: Any, lang: str) -> str:
        if lang:
            return lang
        found = self._fw.model.detect_language(encoded)[0]
        return str(found[0][0])[2:-2]

    def read(self, audio16k: np.ndarray, *, lang: str, context: str, hotwords: str,
             max_new_tokens: int, beam_size: int = 1, words: bool = True) -> Reading:
        """Whisper's reading of ``audio16k`` (float32, 16 kHz, at most 30 s); ``words``: with each word's
        probability (the decoder then returns every step's scores over the whole vocabulary, 200 kB a token)."""
        from faster_whisper.transcribe import get_suppressed_tokens

        encoded = self._features(audio16k)
        tok = self._tokenizer(self._language(encoded, lang))
        previous = tok.encode(" " + context.strip()) if context.strip() else []
        prompt = self._fw.get_prompt(tok, previous, without_timestamps=True, hotwords=hotwords or None)
        result = self._fw.model.generate(
            encoded, [prompt], beam_size=beam_size, max_length=min(self._fw.max_length, len(prompt) + max_new_tokens),
            return_scores=True, return_logits_vocab=words, suppress_blank=True,
            suppress_tokens=list(get_suppressed_tokens(tok, (-1,))))[0]
        ids = [t for t in result.sequences_ids[0] if t < tok.eot]
        if not ids:
            return Reading("", None, ())
        text = tok.decode(ids).strip()
        # faster-whisper's average log-probability: the score times the length, over length + 1
        confidence = float(np.exp(result.scores[0] * len(ids) / (len(ids) + 1)))
        if not words:
            return Reading(text, confidence, ())
        return Reading(text, confidence, _words(tok, ids, _token_probabilities(result, ids)))


def _token_probabilities(result: Any, ids: list[int]) -> list[float]:
    """The decoder's probability of each chosen token (softmax of its step's log-probabilities)."""
    steps = result.logits[0] if result.logits else []
    probs = []
    for i, tid in enumerate(ids):
        if i >= len(steps):
            probs.append(float("nan"))
            continue
        row = np.asarray(steps[i], dtype=np.float64).ravel()
        top = row.max()
        probs.append(float(np.exp(row[tid] - top) / np.exp(row - top).sum()))
    return probs


def _words(tok: Any, ids: list[int], probs: list[float]) -> tuple[Word, ...]:
    """Words of ``ids`` (split as Whisper's tokenizer does), punctuation joined to the word before."""
    texts, groups = tok.split_to_word_tokens([*ids, tok.eot])
    out: list[tuple[str, list[float]]] = []
    k = 0
    for text, group in zip(texts, groups, strict=True):
        p = [x for x in probs[k : k + len(group)] if x == x]
        k += len(group)
        if not text or group[0] >= tok.eot:
            continue
        if out and (not text.strip() or text.strip()[0] in PUNCTUATION) and not text.startswith(" "):
            out[-1] = (out[-1][0] + text, out[-1][1])  # "Logistics" + "." keeps the word's probability
            continue
        out.append((text, p))
    return tuple(Word(t.strip(), round(float(np.mean(p)), 4) if p else None) for t, p in out if t.strip())
