"""Piper and espeak-ng synthesis at 8 kHz, and the prompt cache (real engines)."""

from __future__ import annotations

import threading
from pathlib import Path

import numpy as np
import pytest

from appliance.config import LanguageSpeechConfig
from appliance.errors import SpeechError
from appliance.speech.audio import rms_dbfs
from appliance.speech.synthesizer import (
    EspeakSynthesizer,
    PiperSynthesizer,
    PromptCache,
    load_synthesizer,
    split_sentences,
)
from appliance.store.diskspace import DiskSpace


def test_piper_output_is_8khz_with_the_right_length(piper: PiperSynthesizer) -> None:
    text = "Thank you for calling. We will call you back within the hour."
    native = [c for c in piper._voice.synthesize(text, syn_config=piper._syn)]
    assert piper.sample_rate == native[0].sample_rate == 22050
    out = list(piper.synthesize(text))
    assert len(out) == len(native) == 2  # one chunk per sentence
    for pcm, chunk in zip(out, native):
        n_native = len(chunk.audio_int16_bytes) // 2
        expected = n_native * 8000 / 22050
        # piper is not bit-exact between runs (noise_w), so lengths match within 12 %
        assert abs(len(pcm) // 2 - expected) / expected < 0.12
        assert len(pcm) % 2 == 0 and rms_dbfs(pcm) > -35
    # No energy above 4 kHz can exist at 8 kHz; check most energy lies in the voice band.
    x = np.frombuffer(b"".join(out), "<i2").astype(float)
    spec = np.abs(np.fft.rfft(x)) ** 2
    freqs = np.fft.rfftfreq(len(x), 1 / 8000)
    assert spec[(freqs > 100) & (freqs < 3500)].sum() / spec.sum() > 0.95


def test_piper_length_scale_slows_speech(piper: PiperSynthesizer) -> None:
    slow = PiperSynthesizer(piper.voice_path, length_scale=1.5)
    text = "Please hold the line."
    n_fast = sum(len(p) for p in piper.synthesize(text))
    n_slow = sum(len(p) for p in slow.synthesize(text))
    assert n_slow > 1.25 * n_fast
    assert slow.voice_id != piper.voice_id


def test_espeak_sentences_at_8khz(espeak_fr: EspeakSynthesizer) -> None:
    out = list(espeak_fr.synthesize("Bonjour. Votre numéro est le 06 12 34 56 78, merci!"))
    assert len(out) == 2
    for pcm in out:
        assert len(pcm) > 8000 and len(pcm) % 2 == 0 and rms_dbfs(pcm) > -35


@pytest.mark.parametrize("text,sentences", [
    ("Bonjour. Comment allez-vous ?", ["Bonjour.", "Comment allez-vous ?"]),
    ("Le tarif est de 3.5 euros. Merci", ["Le tarif est de 3.5 euros.", "Merci"]),
    ("Hello!How are you", ["Hello!How are you"]),
    ("", []), ("   ", []),
    ("One… two? three!", ["One…", "two?", "three!"]),
])
def test_split_sentences(text: str, sentences: list[str]) -> None:
    assert split_sentences(text) == sentences


@pytest.mark.parametrize("bad", [None, 42, b"bytes"])
def test_synthesis_rejects_non_text(espeak_fr: EspeakSynthesizer, bad: object) -> None:
    with pytest.raises(SpeechError):
        list(espeak_fr.synthesize(bad))  # type: ignore[arg-type]


def test_espeak_unknown_voice_is_a_clear_error() -> None:
    with pytest.raises(SpeechError, match="espeak-ng"):
        list(EspeakSynthesizer("xx-nonexistent").synthesize("hello"))


def test_prompt_cache_renders_once_then_no_synthesis(tmp_path: Path, espeak_fr: EspeakSynthesizer) -> None:
    cache = PromptCache(tmp_path / "prompts", espeak_fr)
    text = "Bonjour, vous êtes bien chez ACME."
    first = cache.get(text)
    assert (cache.misses, cache.hits) == (1, 0)
    assert cache.path(text).read_bytes() == first
    assert cache.get(text) == first
    assert (cache.misses, cache.hits) == (1, 1)
    # A new process (new cache object) reads the disk: still no synthesis.
    again = PromptCache(tmp_path / "prompts", espeak_fr)
    assert again.contains(text)
    assert again.get(text) == first and (again.misses, again.hits) == (0, 1)
    # Different settings -> different key -> rendered again.
    slower = PromptCache(tmp_path / "prompts", EspeakSynthesizer("fr", rate=120))
    assert slower.key(text) != cache.key(text)
    assert not slower.contains(text)


def test_prompt_cache_prerender_and_threads(tmp_path: Path, espeak_fr: EspeakSynthesizer) -> None:
    texts = ["Au revoir.", "Pouvez-vous répéter ?", "Au revoir."]
    cache = PromptCache(tmp_path, espeak_fr)
    assert cache.prerender(texts) == 2
    assert cache.prerender(texts) == 0
    results: list[bytes] = []
    threads = [threading.Thread(target=lambda: results.append(cache.get("Merci de votre appel.")))
               for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert cache.misses == 3 and len(set(results)) == 1
    assert not list(tmp_path.rglob(".*.tmp-*"))


def test_prompt_cache_stops_growing_at_the_disk_reserve(tmp_path: Path, espeak_fr: EspeakSynthesizer) -> None:
    """Issue 15, requirement 1: with 120 kB free and 100 kB kept in reserve for the call log, a rendered
    prompt is not written to disk; it is kept in memory and served from there."""
    disk = DiskSpace(tmp_path, usage=lambda p: (2_000_000, 120_000))
    cache = PromptCache(tmp_path / "prompts", espeak_fr, may_grow=disk.may_grow)
    text = "Bonjour, vous êtes bien chez ACME. Quel est l'objet de votre appel ?"
    first = cache.get(text)
    assert len(first) > 20_000 and disk.refused == 1  # more than the 20 kB above the reserve
    assert not cache.path(text).exists() and not list((tmp_path / "prompts").rglob("*.pcm"))
    assert cache.get(text) == first and (cache.misses, cache.hits) == (1, 1)  # no second synthesis


def test_prompt_cache_rerenders_a_torn_file(tmp_path: Path, espeak_fr: EspeakSynthesizer) -> None:
    cache = PromptCache(tmp_path, espeak_fr)
    text = "Merci."
    cache.path(text).parent.mkdir(parents=True)
    cache.path(text).write_bytes(b"\x01\x02\x03")  # odd length: not PCM
    pcm = cache.get(text)
    assert len(pcm) > 1000 and cache.misses == 1


def test_load_synthesizer_from_config() -> None:
    s = load_synthesizer("fr", LanguageSpeechConfig(synthesizer="espeak", length_scale=1.25))
    assert isinstance(s, EspeakSynthesizer) and s.voice == "fr" and s.rate == 128
    e = load_synthesizer("en", LanguageSpeechConfig(synthesizer="espeak"))
    assert isinstance(e, EspeakSynthesizer) and e.voice == "en-us"
