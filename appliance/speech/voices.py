"""Synthetic caller voices for the line simulator and the tests.

``caller_voice(lang)`` returns a ``(text, lang) -> pcm`` callable, the shape
the telephony simulator's ``voice=`` argument takes: English is spoken by the
piper voice en_US-joe-medium (Whisper base recognises it almost word for
word at 8 kHz), French by espeak-ng (robotic: good for the mechanics, not for
accuracy figures). Renders are cached on disk with :class:`PromptCache`, so a
test suite synthesises each sentence once.

What the simulator and tests call::

    with CallerVoices(cache_dir) as voices:        # one per test session
        speak = voices.voice("en")                 # Callable[[str, str], bytes]
        pcm = speak("My boiler is broken.", "en")  # 16-bit 8 kHz PCM

    speak = caller_voice("fr", cache_dir=tmp)      # one-off convenience (loads its engine)
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from pathlib import Path

from ..errors import SpeechError
from .models import cache_dir as default_cache_dir
from .models import piper_voice
from .synthesizer import EspeakSynthesizer, PiperSynthesizer, PromptCache, Synthesizer

Voice = Callable[[str, str], bytes]


def _make_synth(lang: str) -> Synthesizer:
    if lang == "en":
        onnx, js = piper_voice("en", "en_US-joe-medium")
        return PiperSynthesizer(onnx, config_path=js, deterministic=True)
    if lang == "fr":
        return EspeakSynthesizer("fr", rate=150)
    raise SpeechError(f"no caller voice for language {lang!r} (known: en, fr)")


class CallerVoices:
    """Lazily loaded caller voices sharing one on-disk render cache."""

    def __init__(self, cache_dir: str | os.PathLike[str] | None = None) -> None:
        self.directory = Path(cache_dir) if cache_dir else default_cache_dir() / "caller-voices"
        self._caches: dict[str, PromptCache] = {}
        self._lock = threading.Lock()

    def cache(self, lang: str) -> PromptCache:
        with self._lock:
            if lang not in self._caches:
                self._caches[lang] = PromptCache(self.directory / lang, _make_synth(lang))
            return self._caches[lang]

    def speak(self, text: str, lang: str) -> bytes:
        return self.cache(lang).get(text)

    def voice(self, lang: str) -> Voice:
        """A ``(text, lang) -> pcm`` callable; ``lang`` of each call picks the engine."""
        self.cache(lang)  # load now, not in the middle of a call
        return self.speak

    def close(self) -> None:
        with self._lock:
            for c in self._caches.values():
                c.synthesizer.close()
                c.close()
            self._caches.clear()

    def __enter__(self) -> CallerVoices:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def caller_voice(lang: str, *, cache_dir: str | os.PathLike[str] | None = None) -> Voice:
    """A caller voice for ``lang`` (renders cached on disk under ``cache_dir``)."""
    return CallerVoices(cache_dir).voice(lang)
