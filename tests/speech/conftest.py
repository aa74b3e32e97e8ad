"""Speech fixtures: each real model is loaded once per test session."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from appliance.speech.models import vosk_model_dir, whisper_model_dir
from appliance.speech.synthesizer import EspeakSynthesizer, PiperSynthesizer
from appliance.speech.voices import CallerVoices
from appliance.speech.vosk_engine import VoskModelHandle
from appliance.speech.whisper_engine import WhisperModelHandle


@pytest.fixture(scope="session")
def voices(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CallerVoices]:
    with CallerVoices(tmp_path_factory.mktemp("caller-voices")) as v:
        yield v


@pytest.fixture(scope="session")
def piper(voices: CallerVoices) -> PiperSynthesizer:
    synth = voices.cache("en").synthesizer
    assert isinstance(synth, PiperSynthesizer)
    return synth


@pytest.fixture(scope="session")
def espeak_fr() -> EspeakSynthesizer:
    return EspeakSynthesizer("fr", rate=150)


@pytest.fixture(scope="session")
def vosk_ko() -> Iterator[VoskModelHandle]:
    with VoskModelHandle(vosk_model_dir("ko"), lang="ko") as h:
        yield h


@pytest.fixture(scope="session")
def whisper_en() -> Iterator[WhisperModelHandle]:
    h = WhisperModelHandle(whisper_model_dir(), lang="en")
    yield h
    h.close()


@pytest.fixture(scope="session")
def whisper_fr(whisper_en: WhisperModelHandle) -> WhisperModelHandle:
    return whisper_en.for_language("fr")
