"""Synthetic background noise and the model-based VAD decisions (Silero, webrtcvad)."""

from __future__ import annotations

import numpy as np
import pytest

from appliance.errors import SpeechError
from appliance.speech.audio import frames
from appliance.speech.noise import NOISES, background, noisy, speech_power_db
from appliance.speech.vad import VoiceActivityDetector
from appliance.speech.vad_models import SileroClassifier, WebrtcClassifier, call_vad, make_classifier
from appliance.speech.voices import CallerVoices

from .helpers import line_noise, offset, onset, silence


def _rms_db(pcm: bytes) -> float:
    x = np.frombuffer(pcm, "<i2").astype(np.float64) / 32768
    return float(10 * np.log10(np.mean(x * x) + 1e-12))


@pytest.mark.parametrize("kind", NOISES)
def test_noise_is_reproducible_at_its_level(kind: str) -> None:
    a = background(kind, 3.0, seed=1, dbfs=-30.0)
    assert a == background(kind, 3.0, seed=1, dbfs=-30.0)
    assert a != background(kind, 3.0, seed=2, dbfs=-30.0)
    assert len(a) == 2 * 3 * 8000
    assert abs(_rms_db(a) - -30.0) < 0.5


@pytest.mark.parametrize("snr", [20, 10, 5, 0])
def test_noisy_mixes_at_the_snr(voices: CallerVoices, snr: int) -> None:
    sp = silence(1.0) + voices.speak("My boiler is broken.", "en") + silence(1.0)
    mixed = noisy(sp, "street", snr, seed=3)
    assert len(mixed) == len(sp)
    noise = (np.frombuffer(mixed, "<i2").astype(np.float64) - np.frombuffer(sp, "<i2")).astype("<i2").tobytes()
    assert abs((speech_power_db(sp) - _rms_db(noise)) - snr) < 1.0


@pytest.mark.parametrize("kind,seconds,message", [("rain", 1.0, "rain"), ("car", -1.0, "seconds"),
                                                  ("car", 0.0001, "seconds"), ("street", 1e9, "seconds")])
def test_unknown_noise_or_bad_length(kind: str, seconds: float, message: str) -> None:
    with pytest.raises(SpeechError, match=message):
        background(kind, seconds)


@pytest.mark.parametrize("name,kind", [("energy", type(None)), ("webrtc", WebrtcClassifier),
                                       ("webrtc3", WebrtcClassifier), ("silero", SileroClassifier)])
def test_classifiers_by_name(name: str, kind: type) -> None:
    assert isinstance(make_classifier(name), kind)


@pytest.mark.parametrize("call", [lambda: make_classifier("neural"), lambda: WebrtcClassifier(5),
                                  lambda: SileroClassifier(threshold=1.5)])
def test_bad_vad_choice_is_a_clear_error(call) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(SpeechError):
        call()


def test_silero_finds_the_words_in_car_noise_where_they_are(voices: CallerVoices) -> None:
    sp = voices.speak("The lift is stuck between two floors.", "en")
    audio = noisy(silence(1.0) + sp + silence(1.5), "car", 5, seed=4)
    vad = call_vad()
    assert isinstance(vad.classifier, SileroClassifier)
    events = [(st.event, st.speech_start, st.speech_end) for f in frames(audio) if (st := vad.feed(f)).event]
    assert [e for e, _, _ in events] == ["start", "end"], events
    start, end = events[0][1], events[1][2]
    assert start is not None and end is not None
    assert abs(start - (1.0 + onset(sp))) < 0.1  # the onset moved back to where the level rose
    assert abs(end - (1.0 + offset(sp))) < 0.2  # the end of the words, its lag taken off


def test_silero_and_webrtc_on_line_noise_alone() -> None:
    quiet = line_noise(3.0, -45)
    for classifier in (SileroClassifier(), None):
        vad = VoiceActivityDetector(classifier=classifier)
        assert not any(vad.feed(f).speaking for f in frames(quiet))
