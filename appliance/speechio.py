"""The speech port of the call handler: prompts out, turns in.

:class:`EngineSpeech` loads, once at start-up, the recogniser and the
synthesiser of each language the box speaks (config ``[speech.<lang>]``), and
a prompt cache per language on disk. The call handler asks it for:

* :meth:`EngineSpeech.prompt_chunks` — the audio of a prompt: a fixed sentence
  comes from the prompt cache (no synthesis on the call path); a variable one is
  synthesised live and yielded sentence by sentence, so the first sentence plays
  while the next is rendered;
* :meth:`EngineSpeech.listener` — a :class:`~appliance.speech.turns.Listener`
  for the call (VAD, recogniser, end of turn, barge-in), biased toward the business's words
  (:mod:`appliance.speech.bias`): the phrases of ``extra_phrases(lang)`` first (a customer
  directory's names and companies), then the qualifier rules' danger and stoppage cues and
  equipment (:func:`rule_phrases`).
"""

from __future__ import annotations

import logging
import threading
import time
import tomllib
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

from .config import Config
from .conversation.base import Prompt
from .conversation.rules import RULES_DIR
from .errors import SpeechError
from .speech.recognizer import RecognizerFactory, load_recognizer
from .speech.synthesizer import PromptCache, Synthesizer, load_synthesizer
from .speech.turns import Listener

log = logging.getLogger(__name__)


class EngineSpeech:
    """Recognisers, synthesisers and prompt caches for the languages of the box."""

    def __init__(self, cfg: Config, *, cache_dir: Path, languages: Iterable[str] | None = None,
                 extra_phrases: Callable[[str], Sequence[str]] | None = None, bias: bool = True,
                 recognize: bool = True, may_grow: Callable[[int], bool] | None = None) -> None:
        self.cfg = cfg
        self.extra_phrases = extra_phrases
        self.bias = bias
        self.recognize = recognize  # False: synthesis only (typed input replaces the recogniser)
        self._rule_phrases: dict[str, list[str]] = {}
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
        if self.recognize:
            self.recognizers[lang] = load_recognizer(lang, lc)
        self.synths[lang] = load_synthesizer(lang, lc)
        self.caches[lang] = PromptCache(self.cache_dir / lang, self.synths[lang], may_grow=self.may_grow)
        self.load_seconds[lang] = round(time.perf_counter() - t, 2)
        log.info("speech %s: %s recogniser, %s synthesiser loaded in %.1f s", lang, lc.recognizer,
                 lc.synthesizer, self.load_seconds[lang])
        warm = getattr(self.recognizers.get(lang), "warm", None)
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
            if lang not in self.synths:
                self._load(lang)

    def prompt_chunks(self, prompt: Prompt, lang: str) -> Iterator[bytes]:
        self._ensure(lang)
        if prompt.fixed:
            yield self.caches[lang].get(prompt.text)
        else:
            yield from self.synths[lang].synthesize(prompt.text)

    def listener(self, lang: str) -> Listener:
        self._ensure(lang)
        if lang not in self.recognizers:
            raise SpeechError(f"speech {lang}: loaded without a recogniser (synthesis only)")
        return Listener(self.recognizers[lang], self.cfg.speech, lang, listening=False,
                        bias=(lambda: self.bias_phrases(lang)) if self.bias else None)

    def bias_phrases(self, lang: str) -> list[str]:
        """The business's words for ``lang``, most important first (see the module docstring)."""
        extra = list(self.extra_phrases(lang)) if self.extra_phrases is not None else []
        if lang not in self._rule_phrases:
            own = self.cfg.company.language == lang and self.cfg.qualification.rules
            path = Path(own) if own else RULES_DIR / f"{lang}.toml"
            try:
                self._rule_phrases[lang] = rule_phrases(tomllib.loads(path.read_text(encoding="utf-8")))
            except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
                log.error("speech %s: no rule words to bias the recogniser (%s: %s)", lang, path, exc)
                self._rule_phrases[lang] = []
        return extra + self._rule_phrases[lang]

    def prerender(self, texts: Iterable[str], lang: str) -> int:
        self._ensure(lang)
        return self.caches[lang].prerender(texts)

    def describe(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for lang in self.synths:
            lc = self.cfg.speech.for_language(lang)
            cache = self.caches[lang]
            out[lang] = {"recognizer": lc.recognizer if lang in self.recognizers else None, "synthesizer": lc.synthesizer,
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


def rule_phrases(rules: dict[str, Any]) -> list[str]:
    """The words of a rules file (its TOML, as the business wrote it: accents kept) that a
    recogniser should hear readily, most important first: the danger cues (urgency rules that
    raise a call by two levels or more), the equipment, then the other cues that raise a call
    (common words a recogniser already hears well come last, where a budget cuts). Patterns and ``word*`` stems are left out (a stem
    is not a word to listen for). A malformed entry is skipped (the qualifier reports it)."""
    urgency = [u for u in rules.get("urgency", []) if isinstance(u, dict)]
    raising = [u for u in urgency if isinstance(u.get("raise"), int | float) and u["raise"] > 0]
    raising.sort(key=lambda u: -u["raise"])
    entities = rules.get("entities")
    equipment = entities.get("equipment", []) if isinstance(entities, dict) else []
    strong = [u for u in raising if u["raise"] >= 2]
    words = [w for u in strong for w in (u.get("words") or []) if isinstance(w, str)]
    words += [w for w in equipment if isinstance(w, str)]
    words += [w for u in raising if u not in strong for w in (u.get("words") or []) if isinstance(w, str)]
    return [w for w in words if "*" not in w]
