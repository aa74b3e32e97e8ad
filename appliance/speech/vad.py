"""Energy voice-activity detection for telephone audio, robust to line noise.

Each 20 ms frame is high-passed (first-order pre-emphasis, which takes 50 Hz
hum down by ~28 dB), its energy measured in dBFS and compared with an adaptive
noise floor: the floor follows quiet frames quickly downward and slowly
upward, so steady hiss or hum at any level becomes the floor and is not speech.
A frame is *voiced* when it is ``margin_db`` above the floor and above
``min_level_db``; a level that stays within ``stationary_db`` for
``stationary_ms`` is noise (a hum or hiss switching on), not speech, and
becomes the new floor. Speech *starts* after ``min_speech_ms`` of voiced frames
(one unvoiced frame allowed inside) and *ends* after ``hangover_ms`` without
voiced frames; ``speech_end`` is the time of the last voiced frame, so end of
turn silences are measured from the real end of the words.

What other engineers call::

    vad = VoiceActivityDetector()
    for frame in frames:            # 320-byte 16-bit 8 kHz frames
        st = vad.feed(frame)        # VadState
        if st.event == "start": ... # st.speech_start (seconds of stream time)
        if st.event == "end": ...   # st.speech_end

Times are seconds of audio fed since the detector was created (20 ms a frame).
"""

from __future__ import annotations

import collections
import dataclasses
import math
from typing import Literal, Protocol

import numpy as np

from ..errors import AudioFormatError
from .audio import FRAME_BYTES, FRAME_SAMPLES, SAMPLE_RATE, check_pcm16

FRAME_SECONDS = FRAME_SAMPLES / SAMPLE_RATE
ONSET_BACKTRACK = 10  # frames (200 ms) a model-decided onset may move back to where the level rose


@dataclasses.dataclass(frozen=True)
class VadState:
    """The detector's view after one frame."""

    t: float  # end time of this frame, seconds of stream time
    voiced: bool  # this frame alone is above the threshold
    speaking: bool  # smoothed decision (onset confirmed, hangover running)
    event: Literal["start", "end"] | None
    level_db: float
    floor_db: float
    speech_start: float | None  # start of the current/last speech segment
    speech_end: float | None  # last voiced frame of the last finished segment
    energy_voiced: bool = False  # the energy decision alone (level above the adaptive floor)


class FrameClassifier(Protocol):
    """Decides whether one 20 ms frame holds speech (a model-based VAD, :mod:`.vad_models`)."""

    name: str
    lag_seconds: float  # how long its decision trails the end of the words (measured by bench/bench_vad.py)

    def is_speech(self, frame: bytes) -> bool: ...

    def quiet(self) -> None:
        """A frame at the noise floor, not shown to the model."""


class VoiceActivityDetector:
    """Adaptive-floor energy VAD with onset confirmation and hangover.

    ``classifier``: another frame decision (webrtcvad, Silero) in place of the energy one; the
    level, floor, onset confirmation and hangover stay the same, and a frame below
    ``min_level_db`` is never speech.
    """

    def __init__(
        self,
        *,
        classifier: FrameClassifier | None = None,
        classifier_gate_db: float = 1.0,
        margin_db: float = 9.0,
        min_level_db: float = -50.0,
        min_speech_ms: int = 80,
        hangover_ms: int = 200,
        initial_floor_db: float | None = None,
        floor_rise_db_per_s: float = 3.0,
        stationary_ms: int = 400,
        stationary_db: float = 6.0,
    ) -> None:
        if min_speech_ms < 20 or hangover_ms < 20:
            raise AudioFormatError("min_speech_ms and hangover_ms must be at least one frame (20 ms)")
        self.classifier = classifier
        self.classifier_gate_db = classifier_gate_db
        self._energy_recent: collections.deque[tuple[float, bool]] = collections.deque(maxlen=ONSET_BACKTRACK + 1)
        self.margin_db = margin_db
        self.min_level_db = min_level_db
        self._onset_frames = max(1, math.ceil(min_speech_ms / 20))
        self._hang_frames = max(1, math.ceil(hangover_ms / 20))
        self._rise = floor_rise_db_per_s * FRAME_SECONDS
        self._floor: float | None = initial_floor_db
        self.stationary_db = stationary_db
        self._recent: collections.deque[float] = collections.deque(maxlen=max(2, stationary_ms // 20))
        self._prev = 0.0
        self._n = 0
        self._run = 0  # voiced frames in the current onset run
        self._gap = 0  # unvoiced frames inside the onset run
        self._run_start = 0.0
        self._silent = 0  # unvoiced frames since the last voiced one while speaking
        self._last_voiced = 0.0
        self.speaking = False
        self.speech_start: float | None = None
        self.speech_end: float | None = None

    @property
    def time(self) -> float:
        """Seconds of audio fed so far."""
        return self._n * FRAME_SECONDS

    def level(self, frame: bytes) -> float:
        """High-passed energy of one frame in dBFS (updates the filter state)."""
        x = np.frombuffer(frame, dtype="<i2").astype(np.float64)
        prev = np.empty_like(x)
        prev[0] = self._prev
        prev[1:] = x[:-1]
        self._prev = float(x[-1])
        y = (x - 0.95 * prev) / 32768.0
        return max(-120.0, 10.0 * math.log10(float(np.mean(y * y)) + 1e-12))

    def feed(self, frame: bytes) -> VadState:
        frame = check_pcm16(frame, "VAD frame")
        if len(frame) != FRAME_BYTES:
            raise AudioFormatError(
                f"VAD frame: expected {FRAME_BYTES} bytes (20 ms of 16-bit 8 kHz), got {len(frame)}; "
                f"use FrameAssembler to re-chunk")
        t0 = self.time
        self._n += 1
        t = self.time
        lvl = self.level(frame)
        energy_voiced, floor = self._energy_voiced(lvl)
        voiced = energy_voiced
        if self.classifier is not None:
            voiced = self._model_voiced(self.classifier, frame, lvl, floor)
        self._energy_recent.append((t0, energy_voiced))
        if not self.speaking:
            event = self._while_quiet(voiced, t0, t)
        else:
            event = self._while_speaking(voiced, t)
        return VadState(t=t, voiced=voiced, speaking=self.speaking, event=event, level_db=lvl,
                        floor_db=floor, speech_start=self.speech_start, speech_end=self.speech_end,
                        energy_voiced=energy_voiced)

    def _energy_voiced(self, lvl: float) -> tuple[bool, float]:
        """Whether the level ``lvl`` stands above the noise floor, and the floor it was compared with; then the
        floor follows the line."""
        if self._floor is None:
            self._floor = lvl
        floor = self._floor
        voiced = lvl > floor + self.margin_db and lvl > self.min_level_db
        self._recent.append(lvl)
        if voiced and len(self._recent) == self._recent.maxlen:
            lo, hi = min(self._recent), max(self._recent)
            if hi - lo < self.stationary_db:
                # Level steady for the whole window: a noise step (hum, hiss after digital
                # silence), not speech, whose level swings between syllables. Adopt it as floor.
                voiced = False
                floor = self._floor = sum(self._recent) / len(self._recent)
        # Floor tracking: fast down, slow up; barely rises while someone speaks.
        if lvl < floor:
            self._floor = floor + 0.3 * (lvl - floor)
        elif not voiced:
            self._floor = min(lvl, floor + self._rise)
        else:
            self._floor = floor + self._rise / 10
        return voiced, floor

    def _model_voiced(self, classifier: FrameClassifier, frame: bytes, lvl: float, floor: float) -> bool:
        """The classifier's decision. The model runs only where speech may be: while speaking, or on a frame
        above the floor (a quiet line costs no model time; the model forgets what it heard before the gap)."""
        if self.speaking or self._run or lvl > floor + self.classifier_gate_db:
            return classifier.is_speech(frame) and lvl > self.min_level_db
        classifier.quiet()
        return False

    def _while_quiet(self, voiced: bool, t0: float, t: float) -> Literal["start", "end"] | None:
        """Not speaking: a run of voiced frames (one unvoiced frame tolerated) long enough starts speech."""
        if voiced:
            if self._run == 0:
                self._run_start = self._onset(t0)
            self._run += 1
            self._gap = 0
            if self._run >= self._onset_frames:
                self.speaking = True
                self.speech_start = self._run_start
                self.speech_end = None
                self._silent = 0
                self._last_voiced = t
                return "start"
        elif self._run:
            self._gap += 1
            if self._gap > 1:
                self._run = 0
                self._gap = 0
        return None

    def _while_speaking(self, voiced: bool, t: float) -> Literal["start", "end"] | None:
        """Speaking: the hang time of unvoiced frames ends speech at the last voiced frame."""
        if voiced:
            self._silent = 0
            self._last_voiced = t
            if self.classifier is not None:
                # a model's decision trails the words by its lag: the words ended that much earlier
                self._last_voiced = max(self.speech_start or 0.0, t - self.classifier.lag_seconds)
            return None
        self._silent += 1
        if self._silent >= self._hang_frames:
            self.speaking = False
            self.speech_end = self._last_voiced
            self._run = 0
            self._gap = 0
            return "end"
        return None

    def _onset(self, t0: float) -> float:
        """Where a run of speech began: a model decides late, so its first frame goes back over the
        frames just before it whose level was already above the floor (up to 200 ms)."""
        if self.classifier is None:
            return t0
        start = t0
        for t, loud in reversed(list(self._energy_recent)[:-1]):
            if not loud:
                break
            start = t
        return start

    @property
    def silence_seconds(self) -> float:
        """Seconds since the last voiced frame of confirmed speech (0 while voiced)."""
        if self.speaking:
            return self.time - self._last_voiced if self._silent else 0.0
        if self.speech_end is not None:
            return self.time - self.speech_end
        return self.time

    @property
    def onset_frames(self) -> int:
        """Voiced frames needed to confirm speech (``min_speech_ms`` / 20 ms)."""
        return self._onset_frames

    @property
    def onset_pending(self) -> bool:
        """Voiced frames seen but speech not confirmed yet."""
        return self._run > 0

    def force_end(self) -> float | None:
        """End the current speech segment now (a recogniser was flushed); returns its end time."""
        if not self.speaking:
            return None
        self.speaking = False
        self.speech_end = self._last_voiced
        self._run = 0
        self._gap = 0
        return self.speech_end

    def restart_segment(self) -> None:
        """Start a new segment at the current time while speech goes on (long monologues)."""
        if self.speaking:
            self.speech_start = self.time


def frame_level(frame: bytes) -> float:
    """The VAD's measure of one frame (pre-emphasised energy, dBFS) without filter state."""
    x = np.frombuffer(check_pcm16(frame, "audio frame"), dtype="<i2").astype(np.float64) / 32768.0
    if x.size < 2:
        return -120.0
    y = x[1:] - 0.95 * x[:-1]
    return max(-120.0, 10.0 * math.log10(float(np.mean(y * y)) + 1e-12))
