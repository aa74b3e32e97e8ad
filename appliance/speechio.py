"""The speech port of the call handler: prompts out, turns in.

:class:`EngineSpeech` loads, once at start-up, the recogniser and the
synthesiser of each language the box speaks (config ``[speech.<lang>]``), and
a prompt cache per language on disk. The call handler asks it for:

* :meth:`EngineSpeech.prompt_chunks` — the audio of a prompt: a fixed sentence
  comes from the prompt cache (no synthesis on the call path); a variable one is
  synthesised live and yielded sentence by sentence, so the first sentence plays
  while the next is rendered;
* :meth:`EngineSpeech.listener` — a :class:`~appliance.speech.turns.Listener`
  for the call (VAD, recogniser, end of turn, barge-in).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from .config import Config
from .conversation.base import Prompt
from .speech.recognizer import RecognizerFactory, load_recognizer
from .speech.synthesizer import PromptCache, Synthesizer, load_synthesizer
from .speech.turns import Listener

log = logging.getLogger(__name__)


class EngineSpeech:
    """Recognisers, synthesisers and prompt caches for the languages of the box."""

    def __init__(self, cfg: Config, *, cache_dir: Path, languages: Iterable[str] | None = None,
                 may_grow: Callable[[int], bool] | None = None) -> None:
        self.cfg = cfg
        self.may_grow = may_grow  # the prompt cache stops growing before the disk's reserve
        self.cache_dir = Path(cfg.speech.prompt_cache) if cfg.speech.prompt_cache else Path(cache_dir)
        self._lock = threading.Lock()
        self.recognizers: dict[str, RecognizerFactory] = {}
        self.synths: dict[str, Synthesizer] = {}
        self.caches: dict[str, PromptCache] = {}
        self.load_seconds: dict[str, float] = {}
        for lang in languages or (cfg.company.language,):
            self._load(lang)

    def _load(self, lang: str) -> None:
        lc = self.cfg.speech.for_language(lang)
        t = time.perf_counter()
        self.recognizers[lang] = load_recognizer(lang, lc)
        self.synths[lang] = load_synthesizer(lang, lc)
        self.caches[lang] = PromptCache(self.cache_dir / lang, self.synths[lang], may_grow=self.may_grow)
        self.load_seconds[lang] = round(time.perf_counter() - t, 2)
        log.info("speech %s: %s recogniser, %s synthesiser loaded in %.1f s", lang, lc.recognizer,
                 lc.synthesizer, self.load_seconds[lang])
        warm = getattr(self.recognizers[lang], "warm", None)
        if warm is not None:
            # One ready recogniser per line, set up beside the lines' start (not before "ready"),
            # so no call pays vosk's first-use cost (~0.5 s of CPU on its first words).
            threading.Thread(target=self._warm, args=(lang, warm, max(1, len(self.cfg.lines))),
                             name=f"speech-warm-{lang}", daemon=True).start()

    @staticmethod
    def _warm(lang: str, warm: Any, n: int) -> None:
        try:
            t = time.perf_counter()
            made = warm(n)
            log.info("speech %s: %d recognisers ready in %.1f s", lang, made, time.perf_counter() - t)
        except Exception as exc:  # noqa: BLE001 - vosk raises bare Exception; calls still make their own
            log.warning("speech %s: could not prepare recognisers: %s", lang, exc)

    def _ensure(self, lang: str) -> None:
        with self._lock:
            if lang not in self.recognizers:
                self._load(lang)

    def prompt_chunks(self, prompt: Prompt, lang: str) -> Iterator[bytes]:
        self._ensure(lang)
        if prompt.fixed:
            yield self.caches[lang].get(prompt.text)
        else:
            yield from self.synths[lang].synthesize(prompt.text)

    def listener(self, lang: str) -> Listener:
        self._ensure(lang)
        return Listener(self.recognizers[lang], self.cfg.speech, lang, listening=False)

    def prerender(self, texts: Iterable[str], lang: str) -> int:
        self._ensure(lang)
        return self.caches[lang].prerender(texts)

    def describe(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for lang in self.recognizers:
            lc = self.cfg.speech.for_language(lang)
            cache = self.caches[lang]
            out[lang] = {"recognizer": lc.recognizer, "synthesizer": lc.synthesizer,
                         "loaded_in_s": self.load_seconds.get(lang), "prompt_cache_hits": cache.hits,
                         "prompt_cache_renders": cache.misses}
        return out

    def close(self) -> None:
        for c in self.caches.values():
            c.close()
        for s in self.synths.values():
            s.close()
        for r in self.recognizers.values():
            r.close()
