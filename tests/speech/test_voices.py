"""Caller voices for the line simulator: (text, lang) -> 16-bit 8 kHz PCM, cached on disk."""

from __future__ import annotations

from pathlib import Path

import pytest

from appliance.errors import SpeechError
from appliance.speech.audio import rms_dbfs
from appliance.speech.voices import CallerVoices, caller_voice


def test_english_and_french_voices(voices: CallerVoices) -> None:
    en = voices.voice("en")
    fr = voices.voice("fr")
    a = en("Hello, this is a test call.", "en")
    b = fr("Bonjour, ceci est un appel de test.", "fr")
    for pcm in (a, b):
        assert len(pcm) % 2 == 0 and len(pcm) > 8000 * 2 and rms_dbfs(pcm) > -35
    assert voices.cache("en").synthesizer.voice_id.startswith("piper:en_US-joe-medium")
    assert voices.cache("fr").synthesizer.voice_id.startswith("espeak:fr")


def test_renders_are_cached_on_disk(tmp_path: Path) -> None:
    with CallerVoices(tmp_path) as v:
        first = v.speak("Oui, c'est urgent.", "fr")
        assert v.cache("fr").misses == 1
    with CallerVoices(tmp_path) as again:  # a later test session
        assert again.speak("Oui, c'est urgent.", "fr") == first
        assert (again.cache("fr").misses, again.cache("fr").hits) == (0, 1)
    speak = caller_voice("fr", cache_dir=tmp_path)
    assert speak("Oui, c'est urgent.", "fr") == first


def test_unknown_language(tmp_path: Path) -> None:
    with pytest.raises(SpeechError, match="no caller voice"):
        CallerVoices(tmp_path).voice("de")
