"""Speech synthesis to 16-bit 8 kHz PCM, and the prompt cache.

Engines: :class:`PiperSynthesizer` (piper-tts neural voices, 22 050 or
16 000 Hz resampled to 8 kHz with soxr) and :class:`EspeakSynthesizer` (the
``espeak-ng`` program, the fallback when no piper voice exists for the
language). Both yield PCM sentence by sentence, so the first sentence can play
while the next is synthesised.

:class:`PromptCache` renders each fixed sentence once, stores it on disk
(atomic write, keyed by sha256 of text + voice + settings) and afterwards
returns it from memory or disk with no synthesis.

What the call handler and the image call::

    synth = load_synthesizer("en", cfg.speech.en)        # PiperSynthesizer or EspeakSynthesizer
    cache = PromptCache(Path(cfg.speech.prompt_cache or data_dir / "prompts"), synth)
    cache.prerender([p.text for p in all_fixed_prompts])   # first boot / image build
    pcm = cache.get("Hello, you are through to ACME.")     # fixed prompt: no synthesis
    for pcm in synth.synthesize(f"Your number is {digits}."):  # variable sentence, streamed
        line.play(pcm)
    synth.close()
"""

from __future__ import annotations

import hashlib
import io
import json
import logging
import os
import subprocess
import threading
import wave
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from types import TracebackType
from typing import Any, Protocol

from ..config import LanguageSpeechConfig
from ..errors import AudioFormatError, SpeechError, StoreError
from ..store.atomic import atomic_write_bytes
from .audio import SAMPLE_RATE, StreamResampler, resample
from .models import espeak_ng, piper_voice

log = logging.getLogger(__name__)

__all__ = ["EspeakSynthesizer", "PiperSynthesizer", "PromptCache", "Synthesizer", "load_synthesizer"]


class Synthesizer(Protocol):
    """Text in, 16-bit 8 kHz mono PCM out, one chunk per sentence."""

    voice_id: str  # identifies voice + settings; part of the prompt cache key

    def synthesize(self, text: str) -> Iterator[bytes]: ...

    def close(self) -> None: ...


def _check_text(text: object) -> str:
    if not isinstance(text, str):
        raise SpeechError(f"text to speak must be a string, got {type(text).__name__}")
    return text


class PiperSynthesizer:
    """A piper voice; thread-safe (one synthesis at a time per voice)."""

    def __init__(self, voice_path: str | os.PathLike[str], *, length_scale: float = 1.0,
                 config_path: str | os.PathLike[str] | None = None, deterministic: bool = False) -> None:
        from piper import PiperVoice, SynthesisConfig

        self.voice_path = Path(voice_path)
        cfg = Path(config_path) if config_path else self.voice_path.with_name(self.voice_path.name + ".json")
        if not self.voice_path.is_file() or not cfg.is_file():
            raise SpeechError(f"piper voice: expected {self.voice_path} and {cfg}")
        self.length_scale = length_scale
        try:
            self._voice = PiperVoice.load(self.voice_path, config_path=cfg)
        except Exception as exc:  # onnxruntime raises its own types
            raise SpeechError(f"piper voice {self.voice_path}: cannot load: {exc}") from exc
        # piper draws random noise for each synthesis (VITS): the same text never sounds exactly the
        # same twice. ``deterministic`` turns the noise off, for simulated callers whose audio must
        # be reproducible from one test run (or one fresh clone) to the next.
        if deterministic:
            self._syn = SynthesisConfig(length_scale=length_scale, noise_scale=0.0, noise_w_scale=0.0)
        else:
            self._syn = SynthesisConfig(length_scale=length_scale)
        self.sample_rate = int(self._voice.config.sample_rate)
        self.voice_id = f"piper:{self.voice_path.name}:ls={length_scale}" + (":det" if deterministic else "")
        self._lock = threading.Lock()

    def synthesize(self, text: str) -> Iterator[bytes]:
        text = _check_text(text).strip()
        if not text:
            return
        it: Iterator[Any] = iter(self._voice.synthesize(text, syn_config=self._syn))
        while True:
            with self._lock:  # onnxruntime sessions are thread-safe, but keep one sentence at a time
                chunk = next(it, None)
            if chunk is None:
                return
            rs = StreamResampler(int(chunk.sample_rate), SAMPLE_RATE)
            yield rs.process(chunk.audio_int16_bytes) + rs.flush()

    def close(self) -> None:
        self._voice = None  # type: ignore[assignment]


class EspeakSynthesizer:
    """espeak-ng through its command line (``--stdout`` WAV), one process per sentence."""

    def __init__(self, voice: str = "fr", *, rate: int = 160, pitch: int = 50) -> None:
        self.program = str(espeak_ng())
        if not 80 <= rate <= 450:
            raise SpeechError(f"espeak-ng rate: expected 80 to 450 words per minute, got {rate}")
        self.voice = voice
        self.rate = rate
        self.pitch = pitch
        self.voice_id = f"espeak:{voice}:r={rate}:p={pitch}"

    def _render(self, sentence: str) -> bytes:
        try:
            proc = subprocess.run(
                [self.program, "-v", self.voice, "-s", str(self.rate), "-p", str(self.pitch), "--stdout"],
                input=sentence.encode("utf-8"), capture_output=True, timeout=60, check=False)
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise SpeechError(f"espeak-ng failed for voice {self.voice!r}: {exc}") from exc
        if proc.returncode != 0 or not proc.stdout:
            raise SpeechError(f"espeak-ng failed for voice {self.voice!r} (exit {proc.returncode}): "
                              f"{proc.stderr.decode('utf-8', 'replace').strip()[:200]!r}")
        try:
            with wave.open(io.BytesIO(proc.stdout)) as w:
                rate, width, ch = w.getframerate(), w.getsampwidth(), w.getnchannels()
                data = w.readframes(w.getnframes())
        except (wave.Error, EOFError) as exc:
            raise SpeechError(f"espeak-ng produced no valid WAV: {exc}") from exc
        if width != 2 or ch != 1:
            raise AudioFormatError(f"espeak-ng WAV is {ch} channel(s) of {8 * width} bits; "
                                   f"expected mono 16-bit")
        # espeak-ng's --stdout header carries a bogus frame count; take what was read.
        data = proc.stdout[44:] if len(data) < len(proc.stdout) - 44 else data
        data = data[: len(data) // 2 * 2]
        return resample(data, rate, SAMPLE_RATE)

    def synthesize(self, text: str) -> Iterator[bytes]:
        for sentence in split_sentences(_check_text(text)):
            yield self._render(sentence)

    def close(self) -> None:
        pass


def split_sentences(text: str) -> list[str]:
    """Split text after . ! ? … (keeping numbers such as 3.5 whole)."""
    out: list[str] = []
    cur: list[str] = []
    for i, ch in enumerate(text):
        cur.append(ch)
        nxt = text[i + 1] if i + 1 < len(text) else " "
        if ch in ".!?…" and nxt.isspace():
            out.append("".join(cur).strip())
            cur = []
    if "".join(cur).strip():
        out.append("".join(cur).strip())
    return [s for s in out if s]


class PromptCache:
    """Fixed prompts rendered once, kept on disk and in memory.

    ``hits`` counts prompts served without synthesis, ``misses`` the renders.
    """

    def __init__(self, directory: str | os.PathLike[str], synthesizer: Synthesizer, *,
                 may_grow: Callable[[int], bool] | None = None) -> None:
        self.directory = Path(directory)
        self.synthesizer = synthesizer
        self.may_grow = may_grow  # asked before a rendered prompt is stored (the disk's reserve)
        self.hits = 0
        self.misses = 0
        self._mem: dict[str, bytes] = {}
        self._lock = threading.Lock()
        self._render_lock = threading.Lock()

    def key(self, text: str) -> str:
        blob = json.dumps({"text": _check_text(text), "voice": self.synthesizer.voice_id,
                           "rate": SAMPLE_RATE, "format": "s16le"}, ensure_ascii=False, sort_keys=True)
        return hashlib.sha256(blob.encode("utf-8")).hexdigest()

    def path(self, text: str) -> Path:
        k = self.key(text)
        return self.directory / k[:2] / f"{k}.pcm"

    def _lookup(self, text: str) -> bytes | None:
        k = self.key(text)
        with self._lock:
            pcm = self._mem.get(k)
        if pcm is None:
            try:
                pcm = self.path(text).read_bytes()
            except FileNotFoundError:
                return None
            except OSError as exc:
                raise SpeechError(f"{self.path(text)}: cannot read cached prompt: {exc}") from exc
            if len(pcm) % 2:
                return None  # torn file from an old crash: render again
            with self._lock:
                self._mem[k] = pcm
        return pcm

    def get(self, text: str) -> bytes:
        """16-bit 8 kHz PCM of ``text``; synthesised only the first time."""
        pcm = self._lookup(text)
        if pcm is not None:
            with self._lock:
                self.hits += 1
            return pcm
        with self._render_lock:
            pcm = self._lookup(text)  # another thread rendered it meanwhile
            if pcm is not None:
                with self._lock:
                    self.hits += 1
                return pcm
            pcm = b"".join(self.synthesizer.synthesize(text))
            self._store(text, pcm)
            with self._lock:
                self._mem[self.key(text)] = pcm
                self.misses += 1
            return pcm

    def _store(self, text: str, pcm: bytes) -> None:
        """On disk when the disk has room; otherwise (or when the write fails) in memory only."""
        if self.may_grow is not None and not self.may_grow(len(pcm)):
            log.warning("prompt cache: disk nearly full, %r kept in memory only", text[:40])
            return
        try:
            atomic_write_bytes(self.path(text), pcm, mode=0o644)
        except StoreError as exc:
            log.warning("prompt cache: %s; the prompt is kept in memory only", exc)

    def contains(self, text: str) -> bool:
        return self._lookup(text) is not None

    def prerender(self, texts: Iterable[str]) -> int:
        """Render every text not cached yet; returns how many were rendered."""
        before = self.misses
        for t in texts:
            self.get(t)
        return self.misses - before

    def close(self) -> None:
        with self._lock:
            self._mem.clear()

    def __enter__(self) -> PromptCache:
        return self

    def __exit__(self, et: type[BaseException] | None, e: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()


ESPEAK_VOICES = {"fr": "fr", "en": "en-us"}


def load_synthesizer(lang: str, cfg: LanguageSpeechConfig) -> Synthesizer:
    """The synthesiser the configuration asks for (ModelMissing if its voice is absent)."""
    if cfg.synthesizer == "piper":
        onnx, js = piper_voice(lang, cfg.voice)
        return PiperSynthesizer(onnx, config_path=js, length_scale=cfg.length_scale)
    voice = cfg.voice or ESPEAK_VOICES.get(lang, lang)
    rate = max(80, min(450, round(160 / cfg.length_scale)))
    return EspeakSynthesizer(voice, rate=rate)
