"""The business's words for the recogniser: cleaning, Whisper hotwords, vosk grammar, rule words."""

from __future__ import annotations

import tomllib
from typing import Any

import pytest

from appliance.conversation.rules import RULES_DIR
from appliance.speech.bias import ask, bias_grammar, clean_phrases, copied_hotwords, hotwords, without_unknown
from appliance.speech.utterance import Word
from appliance.speech.whisper_engine import _without_copied_prompt
from appliance.speechio import rule_phrases


@pytest.mark.parametrize("given,expected", [
    (["Boiler", "boiler", "BOILER"], ["Boiler"]),
    (["leak*", "flood*ing"], ["leak", "flood ing"]),
    (["", "   ", None, 3, b"bytes"], []),
    (["  gas   leak  "], ["gas leak"]),
    (["x" * 61, "ok"], ["ok"]),
    ([r"\bregex\b", "a|b", "(group)", "Mercer Logistics"], ["Mercer Logistics"]),
])
def test_clean_phrases(given: list[Any], expected: list[str]) -> None:
    assert clean_phrases(given) == expected


def test_hotwords_keep_the_order_within_the_budget() -> None:
    assert hotwords(["Giles Mercer", "Mercer Logistics", "chiller"], max_chars=40) == "Giles Mercer, Mercer Logistics, chiller"
    assert hotwords(["Giles Mercer", "Mercer Logistics", "chiller"], max_chars=20) == "Giles Mercer"
    assert hotwords([]) == ""
    assert hotwords(["a" * 60] * 3, max_chars=10) == ""


HOT = "Giles Mercer, Mercer Logistics, gas leak, all outside, out in the car park"


@pytest.mark.parametrize("reading,span", [
    ("all outside, out in the car park our boy door what can down", (0, 7)),  # seen in CI: the prompt's end
    ("hello all outside out in the car park", (1, 8)),
    ("gas leak, all outside, out in the car park.", (0, 9)),
    ("All Outside! Out in the car park", (0, 7)),
    # what a caller says: one listed phrase, phrases out of order, or not up to the list's end
    ("everyone is out in the car park", None),
    ("out in the car park all outside", None),
    ("giles mercer mercer logistics", None),
    ("gas leak all outside", None),
    ("", None),
])
def test_a_copy_of_the_end_of_the_hotwords_is_found(reading: str, span: tuple[int, int] | None) -> None:
    assert copied_hotwords(reading.split(), HOT) == span


@pytest.mark.parametrize("hot", ["", "all outside", ", ,"])
def test_no_copy_without_two_phrases(hot: str) -> None:
    assert copied_hotwords("all outside out in the car park".split(), hot) is None


def test_the_copy_is_left_out_of_the_reading_and_logged(caplog: pytest.LogCaptureFixture) -> None:
    words = tuple(Word(w, 0.9) for w in "all outside, out in the car park our boiler is down".split())
    text, conf, kept = _without_copied_prompt(" ".join(w.text for w in words), 0.8, words, HOT)
    assert text == "our boiler is down" and conf == 0.8 and [w.text for w in kept] == text.split()
    assert "not heard" in caplog.text
    assert _without_copied_prompt("all outside out in the car park", None, (), HOT)[0] == ""
    assert _without_copied_prompt("our boiler is down", None, (), HOT) == ("our boiler is down", None, ())


def test_grammar_adds_unknown_and_is_none_without_phrases() -> None:
    assert bias_grammar(["Mercer Logistics", "Fred Keller"]) == ["mercer logistics", "fred keller", "[unk]"]
    assert bias_grammar(["", "*"]) is None
    assert without_unknown("[unk] mercer logistics [unk]") == "mercer logistics"
    assert without_unknown("[unk]") == ""


def test_a_failing_provider_counts_as_no_phrase(caplog: pytest.LogCaptureFixture) -> None:
    def broken() -> list[str]:
        raise OSError("directory file vanished")

    assert ask(broken) == []
    assert "directory file vanished" in caplog.text
    assert ask(None) == []
    assert ask(lambda: ["Fred Keller", "fred keller"]) == ["Fred Keller"]


@pytest.mark.parametrize("lang,absent", [
    ("en", "leak"),  # a 'word*' stem is no word to listen for
    ("fr", "étincelle"),  # ('étincelle*'); the words as the business wrote them, accents kept
])
def test_rule_phrases_from_the_built_in_rules(lang: str, absent: str) -> None:
    data = tomllib.loads((RULES_DIR / f"{lang}.toml").read_text(encoding="utf-8"))
    phrases = rule_phrases(data)
    strongest = max((u for u in data["urgency"] if u.get("raise", 0) > 0), key=lambda u: u["raise"])
    first = next(w for w in strongest["words"] if "*" not in w)
    assert phrases[0] == first  # the danger cues first
    assert absent not in phrases and all("*" not in p for p in phrases)
    equipment = data["entities"]["equipment"]
    assert phrases.index(equipment[0]) < phrases.index(data["urgency"][0]["words"][0])


@pytest.mark.parametrize("rules", [
    {}, {"urgency": "x"}, {"urgency": [3, {"raise": "two", "words": ["a"]}, {"raise": 1, "words": [1, "b"]}]},
    {"entities": [], "urgency": [{"raise": -1, "words": ["still works"]}]},
])
def test_rule_phrases_skip_malformed_entries(rules: dict[str, Any]) -> None:
    got = rule_phrases(rules)
    assert all(isinstance(p, str) for p in got)
    assert "still works" not in got and "a" not in got
