"""Whisper base (faster-whisper, int8) on 8 kHz telephone audio spoken by synthetic callers.

English spoken by the piper voice is recognised almost word for word: accuracy is asserted
on key words and a spoken phone number. French spoken by espeak-ng is robotic and Whisper
base mangles it at 8 kHz: the French test checks the mechanics and reports the word error
rate as a figure (printed and recorded as a test property), not as the device's accuracy.
"""

from __future__ import annotations

import re

import pytest

from appliance.errors import AudioFormatError, SpeechError
from appliance.speech.audio import frames, from_pcm16, to_pcm16
from appliance.speech.phrases import parse_digits
from appliance.speech.recognizer import Utterance
from appliance.speech.synthesizer import EspeakSynthesizer
from appliance.speech.voices import CallerVoices
from appliance.speech.whisper_engine import WhisperModelHandle

from .helpers import hum, line_noise, mix, offset, onset, silence


def telephone(speech: bytes, before: float = 0.5, after: float = 1.0) -> bytes:
    """Speech through A-law (the network's codec) over idle-channel noise."""
    total = before + len(speech) / 16000 + after
    pcm = mix(line_noise(total, -50), silence(before) + speech)
    return to_pcm16(from_pcm16(pcm, "alaw"), "alaw")


def recognise(handle: WhisperModelHandle, pcm: bytes) -> list[Utterance]:
    rec = handle.stream()
    out = [u for f in frames(pcm) for u in rec.feed(f)] + rec.flush()
    rec.close()
    return out


def words(text: str) -> list[str]:
    return re.findall(r"[\w']+", text.lower())


def wer(ref: str, hyp: str) -> float:
    r, h = words(ref), words(hyp)
    d = list(range(len(h) + 1))
    for i in range(1, len(r) + 1):
        prev, d[0] = d[0], i
        for j in range(1, len(h) + 1):
            cur = min(d[j] + 1, d[j - 1] + 1, prev + (r[i - 1] != h[j - 1]))
            prev, d[j] = d[j], cur
    return d[len(h)] / max(1, len(r))


@pytest.mark.parametrize("sentence,key_words", [
    ("Hello, my name is John Smith and my boiler is broken.", ["john", "smith", "boiler", "broken"]),
    ("There is water leaking from the ceiling in the kitchen.", ["water", "leaking", "ceiling", "kitchen"]),
])
def test_english_key_words(whisper_en: WhisperModelHandle, voices: CallerVoices,
                           sentence: str, key_words: list[str]) -> None:
    sp = voices.speak(sentence, "en")
    utts = recognise(whisper_en, telephone(sp))
    assert utts and all(u.final for u in utts)
    text = " ".join(u.text for u in utts)
    got = set(words(text))
    assert set(key_words) <= got, text
    assert wer(sentence, text) <= 0.25, text
    assert abs(utts[0].start - (0.5 + onset(sp))) <= 0.1
    assert abs(utts[-1].end - (0.5 + offset(sp))) <= 0.1


def test_english_phone_number(whisper_en: WhisperModelHandle, voices: CallerVoices) -> None:
    sp = voices.speak("Please call me back on 07712 345 678.", "en")
    text = " ".join(u.text for u in recognise(whisper_en, telephone(sp)))
    digits = parse_digits(text, "en")
    # Almost word for word: Whisper base sometimes drops or doubles one digit of a long
    # number ("0771-345-678"), so allow one edit; the dialog reads the number back anyway.
    assert digits.startswith("07") and wer(" ".join("07712345678"), " ".join(digits)) <= 1 / 11, text


def test_french_mechanics_and_word_error_rate(whisper_fr: WhisperModelHandle, espeak_fr: EspeakSynthesizer,
                                              record_property, capsys) -> None:  # type: ignore[no-untyped-def]
    sentences = ["Bonjour, ma chaudière est en panne depuis ce matin.",
                 "Rappelez-moi au zéro six douze trente-quatre cinquante-six soixante-dix-huit."]
    total_ref, total_hyp = [], []
    for sentence in sentences:
        sp = b"".join(espeak_fr.synthesize(sentence))
        utts = recognise(whisper_fr, telephone(sp, 0.5, 1.5))
        assert utts, "an utterance is produced for every French sentence"
        assert all(u.final and u.text.strip() for u in utts)
        assert abs(utts[0].start - (0.5 + onset(sp))) <= 0.1
        assert abs(utts[-1].end - (0.5 + offset(sp))) <= 0.15
        hyp = " ".join(u.text for u in utts)
        assert len(words(hyp)) <= 2 * len(words(sentence)) + 5, f"runaway decoding: {hyp!r}"
        total_ref.append(sentence)
        total_hyp.append(hyp)
    figure = wer(" ".join(total_ref), " ".join(total_hyp))
    record_property("french_espeak_whisper_base_8k_wer", round(figure, 3))
    with capsys.disabled():
        print(f"\n[figure] French (espeak-ng voice) WER with Whisper base at 8 kHz: {figure:.0%} "
              f"- hypotheses: {total_hyp!r}")
    assert 0.0 <= figure  # a figure, not an accuracy claim (see module docstring)


@pytest.mark.parametrize("name,audio", [
    ("silence", silence(4.0)),
    ("line noise", line_noise(4.0, -40)),
    ("hum and hiss", mix(hum(4.0, -15), line_noise(4.0, -45))),
])
def test_no_utterance_from_silence_or_noise(whisper_en: WhisperModelHandle, name: str, audio: bytes) -> None:
    assert recognise(whisper_en, audio) == [], name


def test_flush_mid_speech_and_garbage(whisper_en: WhisperModelHandle, voices: CallerVoices) -> None:
    sp = voices.speak("My boiler is broken and there is water everywhere.", "en")
    rec = whisper_en.stream()
    audio = telephone(sp, 0.5, 0.0)
    cut = len(audio) * 2 // 3 // 320 * 320
    for f in frames(audio[:cut]):
        assert rec.feed(f) == []  # still speaking: Whisper gives nothing before the segment ends
    utts = rec.flush()
    assert len(utts) == 1 and "boiler" in utts[0].text.lower()
    with pytest.raises(AudioFormatError):
        rec.feed(b"\x00" * 3)
    rec.close()
    with pytest.raises(SpeechError):
        rec.feed(b"\x00" * 320)


def test_the_question_is_context_not_transcript(whisper_en: WhisperModelHandle, voices: CallerVoices) -> None:
    from appliance.config import SpeechConfig
    from appliance.conversation.base import ListenSpec
    from appliance.speech.turns import EndOfTurn, Listener

    question = "May I have your name and the name of your company?"
    listener = Listener(whisper_en, SpeechConfig(), "en", listening=False)
    listener.listen(ListenSpec("name", context=question))
    assert listener._rec._context == question  # type: ignore[attr-defined]
    ends = [e for f in frames(telephone(voices.speak("John Smith, Western Plastics.", "en")))
            if isinstance(e := listener.feed(f), EndOfTurn)]
    assert len(ends) == 1
    got = words(ends[0].text)
    assert {"john", "smith", "western", "plastics"} <= set(got), ends[0].text
    assert not {"may", "name", "company"} & set(got), "the question leaked into the answer"
    listener.listen(ListenSpec("free"))  # the next question without context clears it
    assert listener._rec._context == ""  # type: ignore[attr-defined]
    listener.close()


def test_words_carry_whisper_probabilities_and_the_utterance_the_times(whisper_en: WhisperModelHandle,
                                                                       voices: CallerVoices) -> None:
    sp = voices.speak("The cooling has stopped, we will lose the whole batch.", "en")
    audio = telephone(sp, before=1.5)
    (u,) = recognise(whisper_en, audio)
    assert [words(x.text)[0] for x in u.words if words(x.text)] == words(u.text)
    assert all(x.confidence is not None and 0.0 < x.confidence <= 1.0 for x in u.words)
    # the decoder's own probabilities: the clearly spoken words are likely, none is certain by default
    assert sum(x.confidence or 0 for x in u.words) / len(u.words) > 0.5
    assert any((x.confidence or 1) < 1.0 for x in u.words)
    # times on the stream's clock are the utterance's (no alignment pass for word times)
    assert all(x.start is None and x.end is None for x in u.words)
    assert abs(u.start - (1.5 + onset(sp))) < 0.4 and u.end <= 1.5 + offset(sp) + 0.4


def test_hotwords_make_the_business_names_heard(whisper_en: WhisperModelHandle, voices: CallerVoices) -> None:
    # Without a hint Whisper base hears the piper voice's "Giles Mercer" as "Charles Mercer" (the
    # issue's example); given the directory's name as a hotword it writes the name as said.
    from appliance.config import SpeechConfig
    from appliance.conversation.base import ListenSpec
    from appliance.speech.turns import EndOfTurn, Listener

    audio = telephone(voices.speak("Hello, my name is Giles Mercer from Mercer Logistics.", "en"))
    heard = {}
    for bias in (None, lambda: ["Giles Mercer", "Mercer Logistics"]):
        listener = Listener(whisper_en, SpeechConfig(), "en", listening=False, bias=bias)
        listener.listen(ListenSpec("name", context="May I have your name?"))
        ends = [e for f in frames(audio) if isinstance(e := listener.feed(f), EndOfTurn)]
        listener.close()
        heard[bias is not None] = " ".join(e.text for e in ends)
    assert "giles" not in words(heard[False]), heard
    assert {"giles", "mercer", "logistics"} <= set(words(heard[True])), heard


@pytest.mark.parametrize("expect,business_words,asked", [
    ("free", True, True), ("name", True, True), ("yes_no", True, True),
    ("spelling", True, True),  # the business's words help Whisper write letters (62 values against 31)
    ("number", True, True),
    ("yes_no", False, False), ("number", False, False),  # the dialog says the answer holds no word of theirs
])
def test_the_business_words_are_given_where_a_turn_can_hold_them(whisper_en: WhisperModelHandle, expect: str,
                                                                 business_words: bool, asked: bool) -> None:
    from appliance.config import SpeechConfig
    from appliance.conversation.base import ListenSpec
    from appliance.speech.turns import Listener

    calls: list[str] = []

    def bias() -> list[str]:
        calls.append(expect)
        return ["Giles Mercer", "Mercer Logistics"]

    listener = Listener(whisper_en, SpeechConfig(), "en", listening=False, bias=bias)
    listener.listen(ListenSpec(expect, business_words=business_words))  # type: ignore[arg-type]
    listener.close()
    assert calls == ([expect] if asked else [])


def test_without_word_confidences_the_reading_has_no_words(whisper_en: WhisperModelHandle,
                                                           voices: CallerVoices) -> None:
    """Word probabilities cost the decoder every step's scores over the vocabulary: off, only the text comes."""
    plain = whisper_en.for_language("en")
    plain.word_confidences = False
    pcm = telephone(voices.speak("The boiler has broken down.", "en"))
    text, conf, got = plain.transcribe_words(pcm)
    assert {"boiler", "broken"} <= set(words(text)) and got == ()
    assert conf is not None and 0.0 < conf <= 1.0
    assert whisper_en.transcribe_words(pcm)[0] == text  # the same reading, with its words
