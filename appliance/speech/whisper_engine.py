"""Whisper recognition (faster-whisper / CTranslate2, int8 on the CPU), fed by the VAD.

Whisper is not a streaming recogniser: :class:`WhisperRecognizer` runs the
:class:`~appliance.speech.vad.VoiceActivityDetector` on the incoming frames,
keeps the audio of each speech segment (with 300 ms of pre-roll), and when the
VAD says the segment ended (or on :meth:`WhisperRecognizer.flush`, or after
``max_segment_seconds``) resamples it to 16 kHz with soxr and transcribes it.
It yields one final :class:`Utterance` per segment and no partials; grammars
are ignored. Transcription happens inside ``feed``/``flush`` (CTranslate2
releases the GIL; frames keep queueing in the line driver meanwhile).

One :class:`WhisperModelHandle` is shared by every line (CTranslate2 models
are thread-safe; ``num_workers`` sets how many transcriptions run at once).
"""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Any

from ..errors import ModelMissing, SpeechError
from .audio import SAMPLE_RATE, FrameAssembler, check_pcm16, pcm16_to_float, resample
from .bias import copied_hotwords
from .utterance import Utterance, Word
from .vad import VoiceActivityDetector
from .whisper_decode import Decoder

log = logging.getLogger(__name__)


class WhisperModelHandle:
    """A loaded CTranslate2 Whisper model."""

    engine = "whisper"

    def __init__(self, path: str | os.PathLike[str], *, lang: str = "", compute_type: str = "int8",
                 cpu_threads: int = 0, num_workers: int = 1, beam_size: int = 1,
                 word_confidences: bool = True, hotwords: str = "", window_seconds: float = 15.0) -> None:
        from faster_whisper import WhisperModel

        self.path = Path(path)
        self.lang = lang
        self.beam_size = beam_size
        self.word_confidences = word_confidences
        self.hotwords = hotwords
        try:
            self._model: Any = WhisperModel(str(self.path), device="cpu", compute_type=compute_type,
                                            cpu_threads=cpu_threads or min(4, os.cpu_count() or 1),
                                            num_workers=num_workers, local_files_only=True)
        except Exception as exc:  # ctranslate2 raises RuntimeError/ValueError variants
            raise ModelMissing(f"Whisper model {self.path}: cannot load ({exc}); expected a CTranslate2 "
                               f"Whisper directory with model.bin, config.json, tokenizer.json") from exc
        self._decoder = Decoder(self._model, window_frames=int(window_seconds * 100))

    def transcribe(self, pcm8k: bytes, context: str = "") -> tuple[str, float | None]:
        """Text and confidence (exp of the mean log-probability) of 8 kHz PCM."""
        text, conf, _words = self.transcribe_words(pcm8k, context)
        return text, conf

    def transcribe_words(self, pcm8k: bytes, context: str = "",
                         hotwords: str | None = None) -> tuple[str, float | None, tuple[Word, ...]]:
        """Text, confidence (exp of the mean log-probability) and words of 8 kHz PCM.

        ``context``: what was said just before (the box's question), given to Whisper as its
        previous text, so "May I have your name?" makes a name the likely reading of the answer.
        ``hotwords`` (default: the handle's): the business's words, put before that context
        (faster-whisper's ``hotwords``). The words carry Whisper's probability of each word (when
        ``word_confidences`` is on) and no times: the reading is decoded without timestamps and
        without faster-whisper's alignment pass (:mod:`.whisper_decode`); the utterance has the times.
        """
        audio = pcm16_to_float(resample(check_pcm16(pcm8k), SAMPLE_RATE, 16000))
        if audio.size < 1600:
            return "", None, ()
        hot = (self.hotwords if hotwords is None else hotwords).strip()
        try:
            # Greedy decoding without temperature fallback can loop ("totes cibou, totes cibou...")
            # on audio it does not understand: cap the tokens at a generous speaking rate.
            reading = self._decoder.read(audio[: 30 * 16000], lang=self.lang, context=context, hotwords=hot,
                                         max_new_tokens=min(440, int(12 + 8 * audio.size / 16000)),
                                         beam_size=self.beam_size, words=self.word_confidences)
        except Exception as exc:  # ctranslate2 error types vary
            raise SpeechError(f"Whisper transcription failed: {exc}") from exc
        return _without_copied_prompt(reading.text, reading.confidence, reading.words, hot)

    def stream(self, grammar: list[str] | None = None) -> WhisperRecognizer:
        """A new recognition stream (``grammar`` is ignored: Whisper has no grammar mode)."""
        return WhisperRecognizer(self)

    def for_language(self, lang: str) -> WhisperModelHandle:
        """A handle for another language sharing this loaded model (no second copy in memory)."""
        other = object.__new__(WhisperModelHandle)
        other.__dict__.update(self.__dict__)
        other.lang = lang
        return other

    def close(self) -> None:
        self._model = None


def _without_copied_prompt(text: str, conf: float | None, words: tuple[Word, ...],
                           hot: str) -> tuple[str, float | None, tuple[Word, ...]]:
    """The reading without the hotwords Whisper copied from its prompt (:func:`.bias.copied_hotwords`),
    said in the log. Without word readings, the text's words are looked at."""
    said = [w.text for w in words] if words else text.split()
    span = copied_hotwords(said, hot) if hot else None
    if span is None:
        return text, conf, words
    a, b = span
    log.warning("Whisper wrote the end of its hotwords (%r), not heard: left out of the reading",
                " ".join(said[a:b])[:120])
    kept = said[:a] + said[b:]
    return " ".join(kept), conf, (words[:a] + words[b:]) if words else ()


class WhisperRecognizer:
    """VAD-segmented Whisper recognition of one stream."""

    PRE_ROLL = 0.3

    def __init__(self, handle: WhisperModelHandle, *, vad: VoiceActivityDetector | None = None,
                 max_segment_seconds: float = 25.0) -> None:
        self._handle = handle
        self._vad = vad or VoiceActivityDetector(hangover_ms=600)
        self._frames = FrameAssembler()
        self._audio = bytearray()  # everything since _audio_t0 (trimmed while silent)
        self._audio_t0 = 0.0
        self._max = max_segment_seconds
        self._closed = False
        self._context = ""
        self._hotwords: str | None = None
        self._peeked: tuple[tuple[float, int], list[Utterance]] | None = None

    def set_context(self, text: str) -> None:
        """The question the caller is answering (see :meth:`WhisperModelHandle.transcribe_words`)."""
        self._context = str(text)[:400]

    def set_hotwords(self, text: str | None) -> None:
        """The business's words for this stream (None: the handle's own)."""
        self._hotwords = None if text is None else str(text)[:1000]

    def peek(self) -> list[Utterance]:
        """The words of the segment still being spoken, without ending it (no partials otherwise).

        The reading is kept: when the segment ends with no voiced frame since (the caller had
        finished), :meth:`flush` returns it instead of transcribing the same words again.
        """
        vad = self._vad
        if self._closed or not vad.speaking or vad.speech_start is None:
            return []
        key = (vad.speech_start, len(self._audio) + int(self._audio_t0 * SAMPLE_RATE) * 2)
        if self._peeked is not None and self._peeked[0] == key:
            return self._peeked[1]
        got = self._segment(vad.speech_start, vad.time - 0.2)
        self._peeked = (key, got)
        return got

    def _segment(self, start: float, end: float) -> list[Utterance]:
        a = max(0, int((start - self.PRE_ROLL - self._audio_t0) * SAMPLE_RATE) * 2)
        b = int((end + 0.2 - self._audio_t0) * SAMPLE_RATE) * 2
        pcm = bytes(self._audio[a:b])
        text, conf, words = self._handle.transcribe_words(pcm, self._context, self._hotwords)
        if not text:
            return []
        return [Utterance(text=text, final=True, start=start, end=end, confidence=conf, words=words)]

    def feed(self, pcm: bytes) -> list[Utterance]:
        pcm = check_pcm16(pcm, "recogniser input")
        if self._closed:
            raise SpeechError("Whisper recogniser is closed")
        out: list[Utterance] = []
        for frame in self._frames.push(pcm):
            self._audio += frame
            st = self._vad.feed(frame)
            if st.voiced:
                self._peeked = None  # more words: a reading taken before is not the segment's
            if st.event == "end" and st.speech_start is not None and st.speech_end is not None:
                peeked, self._peeked = self._peeked, None
                out += (peeked[1] if peeked is not None and peeked[0][0] == st.speech_start
                        else self._segment(st.speech_start, st.speech_end))
                self._trim(keep=self.PRE_ROLL)
            elif st.speaking and st.speech_start is not None and st.t - st.speech_start > self._max:
                out += self._segment(st.speech_start, st.t)
                self._trim(keep=0.0)
                self._vad.restart_segment()
            elif not st.speaking and not self._vad.onset_pending:
                self._trim(keep=self.PRE_ROLL + 0.2)
        return out

    def _trim(self, keep: float) -> None:
        now = self._vad.time
        cut_t = max(self._audio_t0, now - keep)
        n = int((cut_t - self._audio_t0) * SAMPLE_RATE) * 2
        if n > 0:
            del self._audio[:n]
            self._audio_t0 += n / 2 / SAMPLE_RATE

    def flush(self) -> list[Utterance]:
        if self._closed:
            return []
        vad = self._vad
        out: list[Utterance] = []
        if vad.speaking and vad.speech_start is not None:
            start = vad.speech_start
            peeked = self._peeked
            end = vad.force_end() or vad.time
            # nothing voiced since the last peek: its reading is the segment's
            out = peeked[1] if peeked is not None and peeked[0][0] == start else self._segment(start, end)
        self._trim(keep=0.0)
        self._peeked = None
        return out

    def close(self) -> None:
        self._closed = True
        self._audio.clear()
