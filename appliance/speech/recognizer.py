"""Speech recognition interface, engine choice, and grammars from a ListenSpec.

A :class:`Recognizer` is one stream (one call, one turn or more): feed it
16-bit 8 kHz PCM, get :class:`Utterance` objects back, partial ones while the
caller speaks and a final one at an endpoint or on :meth:`Recognizer.flush`.
Times are seconds since the stream started.

Engines: :mod:`appliance.speech.vosk_engine` (streaming, the live engine on the
device, grammar mode for closed questions) and
:mod:`appliance.speech.whisper_engine` (faster-whisper, fed by the VAD: one
final per speech segment, no partials; grammar ignored).

What the call handler calls::

    factory = load_recognizer("fr", cfg.speech.fr)     # once per language at start-up (loads the model)
    rec = factory.stream(grammar_for(listen_spec, "fr"))  # per turn (or per call)
    for frame in frames:
        for utt in rec.feed(frame):
            ...                                        # utt.final, utt.text, utt.start, utt.end
    rec.flush()                                        # forces the final utterance
    rec.close(); factory.close()                       # at shutdown

Usually the call handler does not drive a recogniser directly but through
:class:`appliance.speech.turns.Listener`, which adds VAD, end-of-turn and
barge-in decisions.
"""

from __future__ import annotations

from ..config import LanguageSpeechConfig
from ..errors import SpeechError
from .phrases import DIGIT_WORDS, NO_WORDS, YES_WORDS, grammar_for
from .utterance import Alternative, Recognizer, RecognizerFactory, Utterance, Word

__all__ = [
    "DIGIT_WORDS",
    "NO_WORDS",
    "TUNED_DECODER",
    "YES_WORDS",
    "Alternative",
    "Recognizer",
    "RecognizerFactory",
    "Utterance",
    "Word",
    "grammar_for",
    "load_recognizer",
]


# Lighter vosk decoding: 8 streams instead of 4-6 on this 2-core machine (bench/bench_speech.py).
TUNED_DECODER: dict[str, float | int] = {"max-active": 1000, "beam": 8.0}


# --------------------------------------------------------------------------- engine choice


def load_recognizer(lang: str, cfg: LanguageSpeechConfig, *, cache: str | None = None,
                    decoder: dict[str, float | int] | None = None) -> RecognizerFactory:
    """Load the model the configuration names for ``lang`` (ModelMissing if absent).

    ``cfg.model`` is a model directory, or "" for the default: the device's
    vosk model for the language (see :mod:`appliance.speech.models`), or the
    packaged multilingual Whisper base. ``decoder`` overrides vosk's ``model.conf``
    options (e.g. ``TUNED_DECODER``: ~30 % less CPU per stream, see
    :func:`appliance.speech.vosk_engine.tuned_model_dir`).
    """
    if cfg.recognizer == "vosk":
        from .models import vosk_model_dir
        from .vosk_engine import VoskModelHandle

        return VoskModelHandle(vosk_model_dir(lang, cfg.model), lang=lang, decoder=decoder, cache=cache)
    if cfg.recognizer == "whisper":
        from .models import whisper_model_dir
        from .whisper_engine import WhisperModelHandle

        return WhisperModelHandle(whisper_model_dir(cfg.model, cache=cache), lang=lang)
    raise SpeechError(f"speech.{lang}.recognizer: unknown engine {cfg.recognizer!r} "
                      f"(expected vosk or whisper)")
