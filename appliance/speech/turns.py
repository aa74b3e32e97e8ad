"""Turn-taking: end of the caller's turn, no-speech timeout, barge-in.

:class:`Listener` is the one object the call handler needs per call. Feed it
every 20 ms caller frame; it runs the VAD and the recogniser and returns at
most one :data:`TurnEvent` per frame:

* :class:`BargeIn` — the caller started speaking while a prompt plays (speech
  confirmed after ``min_speech_ms`` = 80 ms of audio, well inside the 200 ms
  budget): call ``line.stop_playing()``. Their words become the next turn.
* :class:`Partial` — words so far (for logs/status; no action needed).
* :class:`EndOfTurn` — the caller finished: give ``text`` to
  ``dialog.hear(text, confidence=...)``. Decided when the silence after the last
  voiced frame reaches ``speech.end_silence_ms``, or ``short_end_silence_ms``
  when the words already answer the question (a full phone number, a yes/no,
  one of the expected phrases), or when the turn reaches ``max_turn_seconds``
  (or ``ListenSpec.max_seconds``).
* :class:`NoSpeech` — nothing said for ``no_speech_seconds`` after the prompt
  ended: call ``dialog.silence()``.

Times are seconds of caller audio since the Listener was created (the call was
answered), 20 ms per frame fed, so they match the call recording.

Example (the call handler's loop)::

    factory = load_recognizer(lang, cfg.speech.for_language(lang))   # once, at start-up
    listener = Listener(factory, cfg.speech, lang)
    reply = dialog.start(ctx)
    listener.prompt_started()
    for p in reply.say:
        pcm = cache.get(p.text)
        line.play(pcm); listener.prompt_audio(pcm)   # prompt_audio: optional, ignores the prompt's echo
    listener.listen(reply.listen)            # ListenSpec or None (free speech)
    while (ev := line.next_event()):
        if isinstance(ev, PlaybackDone):
            listener.prompt_finished()
        elif isinstance(ev, AudioFrame):
            te = listener.feed(ev.pcm)
            if isinstance(te, BargeIn):
                line.stop_playing()
            elif isinstance(te, EndOfTurn):
                reply = dialog.hear(te.text, confidence=te.confidence)   # ... say, listen() again
            elif isinstance(te, NoSpeech):
                reply = dialog.silence()
    listener.close()

``is_barge_in(frame)`` is the lower-level detector alone (:class:`TurnDetector`).
"""

from __future__ import annotations

import collections
import dataclasses
from typing import TYPE_CHECKING

from ..config import SpeechConfig
from .audio import check_pcm16, frames
from .bias import BiasProvider, ask, bias_grammar, hotwords, without_unknown
from .phrases import grammar_for, is_complete, is_unfinished
from .utterance import Alternative, Recognizer, RecognizerFactory, Utterance, Word
from .vad import FRAME_SECONDS, VadState, VoiceActivityDetector, frame_level
from .vad_models import call_vad

if TYPE_CHECKING:
    from ..conversation.base import ListenSpec

PREROLL_FRAMES = 15  # 300 ms of audio before a barge-in onset, given to the recogniser
ECHO_WINDOW_FRAMES = 10  # the prompt's echo may come back up to 200 ms late
HOLD_FACTOR = 1.5  # an unfinished turn ("... and") waits end_silence_ms times this

__all__ = ["BargeIn", "EndOfTurn", "Listener", "NoSpeech", "Partial", "TurnDetector", "TurnEvent"]


@dataclasses.dataclass(frozen=True)
class Partial:
    text: str
    start: float
    end: float


@dataclasses.dataclass(frozen=True)
class EndOfTurn:
    text: str
    start: float  # caller speech start
    end: float  # last voiced frame
    confidence: float | None
    reason: str  # "silence" | "short_silence" | "max_length"
    decided_at: float  # audio time of the decision (end + silence waited)
    words: tuple[Word, ...] = ()  # the words of ``text`` with their confidences, when the engine gives them
    alternatives: tuple[Alternative, ...] = ()  # other likely readings of the whole turn, most likely first
    source: str = "speech"  # "speech" (recognised) or "typed" (permanence demo --type: no recogniser)


@dataclasses.dataclass(frozen=True)
class NoSpeech:
    waited: float  # seconds since listening started (or the prompt ended)
    t: float


@dataclasses.dataclass(frozen=True)
class BargeIn:
    speech_start: float  # caller speech onset
    t: float  # when it was decided (audio time); t - speech_start <= 0.2 s


TurnEvent = Partial | EndOfTurn | NoSpeech | BargeIn


def _turn_alternatives(finals: list[Utterance]) -> tuple[Alternative, ...]:
    """Other readings of a turn made of several finals: each final's alternatives in turn, the
    others kept at their best reading (a turn is usually one final)."""
    out: list[Alternative] = []
    for i, u in enumerate(finals):
        for alt in u.alternatives:
            text = " ".join([*(f.text for f in finals[:i]), alt.text, *(f.text for f in finals[i + 1:])]).strip()
            out.append(Alternative(text, alt.confidence))
    return tuple(out)


class TurnDetector:
    """VAD-only decisions: barge-in during playback and silence bookkeeping."""

    def __init__(self, vad: VoiceActivityDetector | None = None, *, barge_in: bool = True) -> None:
        self.vad = vad or VoiceActivityDetector()
        self.barge_in_enabled = barge_in
        self.last: VadState | None = None

    def feed(self, frame: bytes) -> VadState:
        self.last = self.vad.feed(frame)
        return self.last

    def is_barge_in(self, frame: bytes) -> bool:
        """Feed one frame; True on the frame where caller speech is confirmed (once per onset)."""
        st = self.feed(frame)
        return self.barge_in_enabled and st.event == "start"


class Listener:
    """VAD + recogniser + end-of-turn and barge-in rules for one call."""

    def __init__(self, factory: RecognizerFactory, speech: SpeechConfig, lang: str,
                 expect: ListenSpec | None = None, *, vad: VoiceActivityDetector | None = None,
                 listening: bool = True, echo_return_loss_db: float = 12.0,
                 bias: BiasProvider | None = None) -> None:
        self.factory = factory
        self.bias = bias
        self._side: Recognizer | None = None  # vosk: a grammar of the business's phrases beside free speech
        self._side_finals: list[Utterance] = []
        self.cfg = speech
        self.lang = lang
        self.detector = TurnDetector(vad or call_vad(), barge_in=speech.barge_in)
        self._grammar: list[str] | None = None
        self._rec: Recognizer = factory.stream(None)
        self._spec: ListenSpec | None = None
        self.listening = False
        self.playing = False
        self._barged = False
        self._wait_from = 0.0
        self._preroll: collections.deque[bytes] = collections.deque(maxlen=PREROLL_FRAMES)
        self.echo_return_loss_db = echo_return_loss_db
        self._ref: collections.deque[float] = collections.deque()  # levels of prompt frames still to play
        self._ref_recent: collections.deque[float] = collections.deque(maxlen=ECHO_WINDOW_FRAMES)
        self._ref_given = False
        self._gate_run = 0
        self._gate_start = 0.0
        self.frames_recognised = 0  # caller frames given to the recogniser (not during prompts)
        self._reset_turn()
        if listening:
            self.listen(expect)

    # -------------------------------------------------------------- handler hooks

    @property
    def time(self) -> float:
        return self.detector.vad.time

    def prompt_started(self) -> None:
        """A prompt is playing: caller speech now is a barge-in."""
        self.playing = True
        self._barged = False
        self._preroll.clear()
        self._clear_echo()

    def prompt_audio(self, pcm: bytes) -> None:
        """Optional, after :meth:`prompt_started`: the audio just given to ``line.play``.

        With it, barge-in ignores the prompt's own echo (analog lines return it
        6-25 dB down): caller audio counts only when louder than the prompt
        played in the last 200 ms minus ``echo_return_loss_db``. Without it, any
        voice on the line during a prompt is a barge-in.
        """
        self._ref_given = True
        self._ref.extend(frame_level(f) for f in frames(pcm))

    def prompt_finished(self) -> None:
        """Playback ended (or was stopped): the no-speech timer starts now."""
        self.playing = False
        self._wait_from = self.time
        self._clear_echo()

    def _clear_echo(self) -> None:
        self._ref.clear()
        self._ref_recent.clear()
        self._ref_given = False
        self._gate_run = 0

    def listen(self, spec: ListenSpec | None = None) -> None:
        """Start waiting for the caller's next turn (grammar from ``spec`` when it is a closed question)."""
        grammar = grammar_for(spec, self.lang)
        if grammar != self._grammar:
            self._rec.close()
            self._rec = self.factory.stream(grammar)
            self._grammar = grammar
        self._spec = spec
        set_context = getattr(self._rec, "set_context", None)
        if set_context is not None:
            set_context(spec.context if spec is not None else "")
        self._bias_turn(spec, grammar)
        self.listening = True
        self._wait_from = self.time
        if not self.detector.vad.speaking:
            self._reset_turn()

    def _bias_turn(self, spec: ListenSpec | None, grammar: list[str] | None) -> None:
        """The business's words for this turn (see :mod:`appliance.speech.bias`); none where the dialog
        says the answer holds none of them (``spec.business_words`` false: the read-back of a number)."""
        if self._side is not None:
            self._side.close()
            self._side = None
        if self.bias is None:
            return
        phrases = ask(self.bias) if spec is None or spec.business_words else []
        set_hotwords = getattr(self._rec, "set_hotwords", None)
        if set_hotwords is not None:
            set_hotwords(hotwords(phrases))
        side = bias_grammar(phrases)
        if (side is not None and grammar is None and spec is not None and spec.expect == "name"
                and getattr(self.factory, "engine", "") == "vosk"):
            self._side = self.factory.stream(side)

    def _feed_rec(self, frame: bytes) -> list[Utterance]:
        if self._side is not None:
            self._side_finals += [u for u in self._side.feed(frame) if u.final]
        return self._rec.feed(frame)

    def _side_alternatives(self, text: str) -> tuple[Alternative, ...]:
        """The grammar recogniser's reading of the turn, when it found a listed phrase."""
        if self._side is None:
            return ()
        finals = self._side_finals + [u for u in self._side.flush() if u.final]
        self._side_finals = []
        reading = without_unknown(" ".join(u.text for u in finals))
        if not reading or reading == text.lower():
            return ()
        confs = [u.confidence for u in finals if u.confidence is not None]
        return (Alternative(reading, round(min(confs), 4) if confs else None),)

    def _reset_turn(self) -> None:
        self._side_finals = []
        self._loud_at = self.time
        self._finals: list[Utterance] = []
        self._partial = ""
        self._speech_start: float | None = None
        self._probed = False

    # -------------------------------------------------------------- per frame

    def _text(self) -> str:
        parts = [u.text for u in self._finals]
        if self._partial:
            parts.append(self._partial)
        return " ".join(parts).strip()

    def _end_turn(self, reason: str) -> EndOfTurn | None:
        self._finals += [u for u in self._rec.flush() if u.final]
        self._partial = ""
        vad = self.detector.vad
        end = vad.force_end() or vad.speech_end or self.time
        text = " ".join(u.text for u in self._finals).strip()
        start = self._speech_start if self._speech_start is not None else end
        confs = [u.confidence for u in self._finals if u.confidence is not None]
        conf = sum(confs) / len(confs) if confs else None
        words = tuple(w for u in self._finals for w in u.words)
        alternatives = _turn_alternatives(self._finals) + self._side_alternatives(text)
        self._reset_turn()
        if not text:
            return None  # noise that the recogniser did not take for words: keep waiting
        self.listening = False
        return EndOfTurn(text=text, start=start, end=end, confidence=conf, reason=reason,
                         decided_at=self.time, words=words, alternatives=alternatives)

    def feed(self, frame: bytes) -> TurnEvent | None:
        frame = check_pcm16(frame, "caller frame")
        st = self.detector.feed(frame)
        if self.playing:
            self._preroll.append(frame)
            onset = self._barge_in_onset(st)
            if self.detector.barge_in_enabled and onset is not None and not self._barged:
                self._barged = True
                self.playing = False
                self._wait_from = self.time
                self._clear_echo()
                self._reset_turn()
                self._speech_start = onset
                # The recogniser did not hear the prompt; give it the onset (and a little before).
                for f in self._preroll:
                    self._feed_rec(f)
                self.frames_recognised += len(self._preroll)
                self._preroll.clear()
                return BargeIn(speech_start=onset, t=st.t)
            return None  # no recognition of the box's own prompt echo
        if not self.listening:
            return None
        event: TurnEvent | None = None
        self.frames_recognised += 1
        for u in self._feed_rec(frame):
            if u.final:
                self._finals.append(u)
                self._partial = ""
            else:
                self._partial = u.text
                event = Partial(text=self._text(), start=self._speech_start or u.start, end=self.time)
        if st.event == "start" and self._speech_start is None:
            self._speech_start = st.speech_start
        if self._speech_start is not None or self._finals:
            if self._speech_start is None:
                self._speech_start = self._finals[0].start
            limit = self.cfg.max_turn_seconds
            if self._spec is not None and self._spec.max_seconds:
                limit = self._spec.max_seconds
            if self.time - self._speech_start >= limit:
                return self._end_turn("max_length") or event
            if st.energy_voiced:
                self._loud_at = st.t
            if st.voiced:
                self._probed = False
            else:
                ended = self._silence_rule(self.detector.vad.silence_seconds * 1000 + FRAME_SECONDS * 500,
                                           (st.t - self._loud_at) * 1000 + FRAME_SECONDS * 500)
                if ended is not None:
                    return self._end_turn(ended) or event
            return event
        if self.time - self._wait_from >= self.cfg.no_speech_seconds:
            self.listening = False
            return NoSpeech(waited=self.time - self._wait_from, t=self.time)
        return event

    def _silence_rule(self, silence_ms: float, quiet_ms: float) -> str | None:
        """Whether this silence ends the caller's turn: the reason, or None to keep listening.

        After ``short_end_silence_ms`` the turn ends when the words evidently answer a closed
        question (a whole number, a yes/no, an expected phrase); halfway to ``end_silence_ms``
        when they are a free-speech sentence said to its end (:func:`~.phrases.is_complete`); after
        ``end_silence_ms`` it ends, unless the words stop on one calling for more ("... and",
        "euh": :func:`~.phrases.is_unfinished`), which waits half as long again.
        """
        spec = self._spec
        expect = spec.expect if spec is not None else "free"
        closed = spec is not None and (expect in ("yes_no", "number") or bool(spec.phrases))
        if silence_ms >= self.cfg.short_end_silence_ms and not self._probed:
            self._probed = True
            if closed:
                # Ask the recogniser for its final now: short answers ("yes") often have
                # no partial. Words said after this simply start the next final.
                self._finals += [u for u in self._rec.flush() if u.final]
                self._partial = ""
            elif expect in ("free", "name") and hasattr(self._rec, "peek"):
                # A recogniser without partials (Whisper) reads the words so far without ending
                # them: a finished answer ends the turn now, and the end of turn reuses the reading.
                self._partial = " ".join(u.text for u in self._rec.peek()).strip()
        # a sentence said to its end: a pause at a comma (piper's 320-460 ms) must not end it
        needed = self.cfg.short_end_silence_ms if closed else (
            self.cfg.short_end_silence_ms + self.cfg.end_silence_ms) / 2
        if closed:
            quiet_ms = silence_ms
        # the VAD's silence counts from its own (model) end of the words; for an early end the level
        # must have been low that long too (``quiet_ms``)
        if min(silence_ms, quiet_ms) >= needed and is_complete(self._text(), expect, self.lang, spec.phrases if spec else ()):
            return "short_silence"
        if silence_ms >= self.cfg.end_silence_ms:
            if silence_ms < self.cfg.end_silence_ms * HOLD_FACTOR and is_unfinished(self._text(), self.lang):
                return None
            return "silence"
        return None

    def _barge_in_onset(self, st: VadState) -> float | None:
        """Onset time when this frame confirms caller speech over the prompt, else None."""
        if not self._ref_given:
            return st.speech_start if st.event == "start" else None
        self._ref_recent.append(self._ref.popleft() if self._ref else -120.0)
        gate = max(self._ref_recent) - self.echo_return_loss_db
        # the caller's voice: speech, above the line's noise floor, and louder than the prompt's echo
        if st.voiced and st.energy_voiced and st.level_db > gate:
            if self._gate_run == 0:
                self._gate_start = st.t - FRAME_SECONDS
            self._gate_run += 1
        else:
            self._gate_run = 0
        if self._gate_run >= self.detector.vad.onset_frames:
            self._gate_run = 0
            return self._gate_start
        return None

    def close(self) -> None:
        self._rec.close()
        if self._side is not None:
            self._side.close()
            self._side = None

    def __enter__(self) -> Listener:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
