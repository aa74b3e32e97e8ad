"""Turn-taking with real recognisers: end of turn, short end, max length, no speech, barge-in."""

from __future__ import annotations

import dataclasses
from typing import TypeVar

import numpy as np
import pytest

from appliance.config import SpeechConfig
from appliance.conversation.base import ListenSpec
from appliance.errors import AudioFormatError
from appliance.speech.audio import frames
from appliance.speech.recognizer import Alternative, Utterance
from appliance.speech.turns import BargeIn, EndOfTurn, Listener, NoSpeech, Partial, TurnDetector, TurnEvent
from appliance.speech.voices import CallerVoices
from appliance.speech.vosk_engine import VoskModelHandle
from appliance.speech.whisper_engine import WhisperModelHandle

from .helpers import edit_distance, hum, line_noise, mix, offset, on_line, onset, silence

CFG = SpeechConfig()
E = TypeVar("E")
KO_YES_NO = ListenSpec(expect="yes_no", phrases=("네", "아니요"))


def events(listener: Listener, pcm: bytes, *, stop_at_end: bool = True) -> list[TurnEvent]:
    out: list[TurnEvent] = []
    for f in frames(pcm):
        ev = listener.feed(f)
        if ev is not None:
            out.append(ev)
            if stop_at_end and isinstance(ev, EndOfTurn | NoSpeech):
                break
    return out


def only(evs: list[TurnEvent], kind: type[E]) -> list[E]:
    return [e for e in evs if isinstance(e, kind)]


def test_end_of_turn_after_the_configured_silence(vosk_ko: VoskModelHandle, voices: CallerVoices) -> None:
    sp = voices.speak("Hello, my boiler is broken. Please call me back tomorrow.", "en")
    listener = Listener(vosk_ko, CFG, "en")
    evs = events(listener, on_line(sp, 1.0, 3.0))
    ends = only(evs, EndOfTurn)
    assert len(ends) == 1 and ends[-1] is evs[-1]
    end = ends[0]
    assert only(evs, Partial), "partials while the caller speaks"
    assert end.text and end.reason == "silence"
    t_on, t_off = 1.0 + onset(sp), 1.0 + offset(sp)
    assert abs(end.start - t_on) <= 0.1
    assert abs(end.end - t_off) <= 0.1
    waited = end.decided_at - end.end
    assert CFG.end_silence_ms / 1000 - 0.03 <= waited <= CFG.end_silence_ms / 1000 + 0.05
    listener.close()


def test_pause_shorter_than_end_silence_keeps_one_turn(vosk_ko: VoskModelHandle, voices: CallerVoices) -> None:
    a = voices.speak("My boiler is broken.", "en")
    b = voices.speak("There is water everywhere.", "en")
    a = a[: int(offset(a) * 8000) * 2]  # exactly 0.45 s between the last and the next word
    b = b[int(onset(b) * 8000) * 2 :]
    listener = Listener(vosk_ko, CFG, "en")
    evs = events(listener, on_line(a + silence(0.45) + b, 0.5, 2.0))
    ends = only(evs, EndOfTurn)
    assert len(ends) == 1
    assert ends[0].end - ends[0].start > (len(a) + len(b)) / 16000 - 0.3


def test_short_end_silence_when_the_answer_is_complete(vosk_ko: VoskModelHandle, voices: CallerVoices) -> None:
    # English through the Korean yes/no grammar: vosk maps some of these sentences to nothing at
    # all (then there is no turn to judge); the first one heard must end after the short silence.
    cfg = dataclasses.replace(CFG, end_silence_ms=1500, short_end_silence_ms=300)
    for text in ("Yes.", "Yes, that is right.", "No.", "No thanks.", "Yes yes."):
        listener = Listener(vosk_ko, cfg, "en", KO_YES_NO)
        ends = only(events(listener, on_line(voices.speak(text, "en"), 0.5, 3.0)), EndOfTurn)
        if ends:
            break
    else:
        raise AssertionError("no candidate sentence recognised through the Korean grammar")
    end = ends[0]
    assert set(end.text.split()) <= {"네", "아니요"}
    assert end.reason == "short_silence"
    assert 0.27 <= end.decided_at - end.end <= 0.45  # not the 1.5 s of the open-question silence


def test_max_turn_length(vosk_ko: VoskModelHandle, voices: CallerVoices) -> None:
    sp = voices.speak("Hello, my boiler is broken and there is water everywhere in the kitchen and the "
                      "hall, please send someone as soon as you can.", "en")
    assert len(sp) / 16000 > 4
    listener = Listener(vosk_ko, CFG, "en", ListenSpec(expect="free", max_seconds=2.5))
    evs = events(listener, on_line(sp, 0.5, 1.0))
    end = only(evs, EndOfTurn)[0]
    assert end.reason == "max_length" and end.text
    assert abs(end.decided_at - end.start - 2.5) <= 0.03


@pytest.mark.parametrize("name,audio", [
    ("digital silence", silence(3.0)),
    ("line noise", line_noise(3.0, -45)),
    ("50 Hz hum + hiss", mix(hum(3.0, -20), line_noise(3.0, -50))),
])
def test_no_speech_timeout_on_silence_and_noise(vosk_ko: VoskModelHandle, name: str, audio: bytes) -> None:
    cfg = dataclasses.replace(CFG, no_speech_seconds=2.0)
    listener = Listener(vosk_ko, cfg, "fr")
    evs = events(listener, audio)
    assert [type(e) for e in evs] == [NoSpeech], name
    assert abs(only(evs, NoSpeech)[0].t - 2.0) <= 0.021
    assert listener.feed(b"\x00" * 320) is None  # not listening until listen() again
    listener.listen(None)
    assert listener.listening


def test_no_speech_counts_from_the_end_of_the_prompt(vosk_ko: VoskModelHandle) -> None:
    cfg = dataclasses.replace(CFG, no_speech_seconds=1.0)
    listener = Listener(vosk_ko, cfg, "en")
    listener.prompt_started()
    assert events(listener, line_noise(2.0)) == []  # the prompt plays 2 s: no timeout meanwhile
    listener.prompt_finished()
    evs = events(listener, line_noise(1.5, seed=9))
    assert isinstance(evs[0], NoSpeech) and abs(only(evs, NoSpeech)[0].waited - 1.0) <= 0.021


def test_barge_in_within_200ms_then_the_words_are_the_next_turn(
        vosk_ko: VoskModelHandle, voices: CallerVoices) -> None:
    sp = voices.speak("No, wait, my boiler is broken.", "en")
    listener = Listener(vosk_ko, CFG, "en")
    listener.prompt_started()
    evs = events(listener, on_line(sp, 1.2, 2.0))
    barge = only(evs, BargeIn)
    assert len(barge) == 1 and evs[0] is barge[0]
    true_onset = 1.2 + onset(sp)
    assert abs(barge[0].speech_start - true_onset) <= 0.06
    assert 0 <= barge[0].t - true_onset <= 0.2
    assert not listener.playing
    end = only(evs, EndOfTurn)[0]
    assert end.text and abs(end.start - true_onset) <= 0.06


def test_no_barge_in_on_line_noise_or_when_disabled(vosk_ko: VoskModelHandle, voices: CallerVoices) -> None:
    listener = Listener(vosk_ko, CFG, "en")
    listener.prompt_started()
    assert events(listener, mix(hum(2.0, -20), line_noise(2.0, -45))) == []
    off = Listener(vosk_ko, dataclasses.replace(CFG, barge_in=False), "en")
    off.prompt_started()
    assert events(off, on_line(voices.speak("Hello?", "en"), 0.5, 1.0)) == []


def test_turn_detector_is_barge_in_alone(voices: CallerVoices) -> None:
    sp = voices.speak("Excuse me.", "en")
    det = TurnDetector()
    hits = [i for i, f in enumerate(frames(on_line(sp, 0.6, 0.6))) if det.is_barge_in(f)]
    assert len(hits) == 1
    assert 0 < (hits[0] + 1) * 0.02 - (0.6 + onset(sp)) <= 0.2


def test_whisper_listener_english_number_short_end(whisper_en: WhisperModelHandle,
                                                   voices: CallerVoices) -> None:
    sp = voices.speak("Call me back on 07712 345 678.", "en")
    cfg = dataclasses.replace(CFG, end_silence_ms=1500, short_end_silence_ms=300)
    listener = Listener(whisper_en, cfg, "en", ListenSpec(expect="number"))
    evs = events(listener, on_line(sp, 0.5, 3.0))
    end = only(evs, EndOfTurn)[0]
    from appliance.speech.phrases import parse_digits
    # Whisper base may drop or add one digit of a long number (see test_whisper.py).
    assert edit_distance(parse_digits(end.text, "en"), "07712345678") <= 1, end.text
    assert end.reason == "short_silence" and end.decided_at - end.end < 1.0


def test_garbage_frame_is_a_clear_error(vosk_ko: VoskModelHandle) -> None:
    listener = Listener(vosk_ko, CFG, "en")
    for bad in (b"\x00" * 319, b"\x00" * 318, "frame"):
        with pytest.raises(AudioFormatError):
            listener.feed(bad)  # type: ignore[arg-type]
    listener.close()


def _echo(prompt: bytes, loss_db: float, delay: float) -> bytes:
    """The prompt coming back on the caller's side, attenuated and delayed (analog line hybrid)."""
    x = np.frombuffer(prompt, "<i2").astype(np.float64) * 10 ** (-loss_db / 20)
    return silence(delay) + x.astype("<i2").tobytes()


def test_prompt_echo_is_not_a_barge_in_when_the_prompt_is_known(
        vosk_ko: VoskModelHandle, voices: CallerVoices) -> None:
    prompt = voices.speak("Hello, you are through to ACME heating. How can I help you today?", "en")
    line = mix(line_noise(len(prompt) / 16000 + 0.5), _echo(prompt, 18.0, 0.06))
    blind = Listener(vosk_ko, CFG, "en")
    blind.prompt_started()
    assert only(events(blind, line), BargeIn), "without the prompt audio its echo looks like speech"
    aware = Listener(vosk_ko, CFG, "en")
    aware.prompt_started()
    aware.prompt_audio(prompt)
    assert events(aware, line) == []


def test_barge_in_over_the_prompt_echo(vosk_ko: VoskModelHandle, voices: CallerVoices) -> None:
    prompt = voices.speak("Hello, you are through to ACME heating. How can I help you today?", "en")
    caller = voices.speak("Sorry, I have no heating at all.", "en")
    at = 1.5
    line = mix(mix(line_noise(len(prompt) / 16000 + 3.0), _echo(prompt, 18.0, 0.06)), silence(at) + caller)
    listener = Listener(vosk_ko, CFG, "en")
    listener.prompt_started()
    listener.prompt_audio(prompt)
    evs = events(listener, line)
    barge = only(evs, BargeIn)
    true_onset = at + onset(caller)
    assert len(barge) == 1
    assert 0 <= barge[0].t - true_onset <= 0.2
    assert abs(barge[0].speech_start - true_onset) <= 0.1
    assert only(evs, EndOfTurn) and only(evs, EndOfTurn)[0].text


@pytest.mark.parametrize("finals,expected", [
    ([], []),
    ([Utterance("one", True, 0, 1)], []),
    ([Utterance("the cooling has stopped", True, 0, 1,
                alternatives=(Alternative("the cooling and the stop", 0.4),))],
     [("the cooling and the stop", 0.4)]),
    ([Utterance("hello", True, 0, 1), Utterance("gas leak", True, 1, 2,
                                                alternatives=(Alternative("guess leak", 0.3),
                                                              Alternative("gas lake", None)))],
     [("hello guess leak", 0.3), ("hello gas lake", None)]),
])
def test_a_turn_made_of_several_finals_keeps_each_final_s_alternatives(
        finals: list[Utterance], expected: list[tuple[str, float | None]]) -> None:
    from appliance.speech.turns import _turn_alternatives

    assert [(a.text, a.confidence) for a in _turn_alternatives(finals)] == expected


def _counting(handle: WhisperModelHandle, calls: list[float], monkeypatch: pytest.MonkeyPatch) -> None:
    """Count the Whisper transcriptions (the real ones run)."""
    real = handle.transcribe_words

    def spy(pcm: bytes, context: str = "", hotwords: str | None = None):  # type: ignore[no-untyped-def]
        calls.append(len(pcm) / 16000)
        return real(pcm, context, hotwords)

    monkeypatch.setattr(handle, "transcribe_words", spy)


def test_a_sentence_said_to_its_end_is_answered_after_the_short_silence(
        whisper_en: WhisperModelHandle, voices: CallerVoices, monkeypatch: pytest.MonkeyPatch) -> None:
    sp = voices.speak("The cooling has stopped, we will lose the whole batch.", "en")
    calls: list[float] = []
    _counting(whisper_en, calls, monkeypatch)
    listener = Listener(whisper_en, CFG, "en", ListenSpec(expect="free"))
    evs = events(listener, on_line(sp, 0.5, 2.0))
    (end,) = only(evs, EndOfTurn)
    assert {"cooling", "stopped", "batch"} <= set(end.text.lower().replace(",", " ").replace(".", " ").split())
    assert end.reason == "short_silence"
    # decided halfway between the short and the full silence (525 ms), not after 700 ms, from the end
    # of the words; the comma's 460 ms pause did not end it
    halfway = (CFG.short_end_silence_ms + CFG.end_silence_ms) / 2000
    assert halfway <= end.decided_at - (0.5 + offset(sp)) < halfway + 0.15
    # two readings: one at the comma's pause (more words followed), one after the last words, which
    # is the turn's final (no third transcription of the same words at the end of the turn)
    assert len(calls) == 2 and calls[0] < calls[1], calls
    listener.close()


def _turns(listener: Listener, pcm: bytes, spec: ListenSpec) -> list[EndOfTurn]:
    """Every turn heard in ``pcm``, listening again after each (as the call handler does)."""
    out = []
    listener.listen(spec)
    for f in frames(pcm):
        ev = listener.feed(f)
        if isinstance(ev, EndOfTurn):
            out.append(ev)
            listener.listen(spec)
    return out


def test_a_turn_stopping_on_and_waits_longer(whisper_en: WhisperModelHandle, voices: CallerVoices) -> None:
    # "... and" then 0.9 s of silence: longer than end_silence_ms (0.7 s), shorter than 1.5 times it
    first = voices.speak("My boiler is broken, and", "en")
    second = voices.speak("there is water everywhere.", "en")
    gap = 0.9 - (len(first) / 16000 - offset(first)) - onset(second)
    audio = on_line(first + silence(gap) + second, 0.5, 2.0)
    listener = Listener(whisper_en, CFG, "en", listening=False)
    ends = _turns(listener, audio, ListenSpec(expect="free"))
    assert len(ends) == 1, [e.text for e in ends]
    said = ends[0].text.lower()
    assert "boiler" in said and "water" in said, said
    # without the word calling for more, the same pause ends the turn
    plain = voices.speak("My boiler is broken.", "en")
    gap = 0.9 - (len(plain) / 16000 - offset(plain)) - onset(second)
    listener = Listener(whisper_en, CFG, "en", listening=False)
    ends = _turns(listener, on_line(plain + silence(gap) + second, 0.5, 2.0), ListenSpec(expect="free"))
    assert len(ends) == 2 and "boiler" in ends[0].text.lower(), [e.text for e in ends]
    listener.close()


def test_the_call_vad_is_silero_and_ignores_workshop_noise(vosk_ko: VoskModelHandle) -> None:
    from appliance.speech.noise import background

    listener = Listener(vosk_ko, CFG, "en")
    assert listener.detector.vad.classifier is not None and listener.detector.vad.classifier.name == "silero"
    evs = events(listener, background("workshop", 8.0, seed=5, dbfs=-25.0))
    assert only(evs, NoSpeech) and not only(evs, EndOfTurn), evs
    listener.close()
