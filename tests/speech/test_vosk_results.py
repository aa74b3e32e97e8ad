"""vosk's final results, both shapes, parsed without a model (table-driven, malformed input included)."""

from __future__ import annotations

import math
from typing import Any

import pytest

from appliance.speech.recognizer import Alternative, Word
from appliance.speech.vosk_engine import parse_final


def w(word: str, start: float, end: float, conf: float | None = None) -> dict[str, Any]:
    d: dict[str, Any] = {"word": word, "start": start, "end": end}
    if conf is not None:
        d["conf"] = conf
    return d


PLAIN = {"text": "gas leak", "result": [w("gas", 0.5, 0.8, 0.9), w("leak", 0.8, 1.2, 0.5)]}
NBEST = {"alternatives": [
    {"confidence": 130.0, "text": "gas leak", "result": [w("gas", 0.5, 0.8), w("leak", 0.8, 1.2)]},
    {"confidence": 130.0 - math.log(3), "text": "guess leak", "result": [w("guess", 0.5, 0.8), w("leak", 0.82, 1.2)]},
    {"confidence": 120.0, "text": "gas lake", "result": [w("gas", 0.5, 0.8), w("lake", 0.8, 1.2)]},
]}


def test_plain_shape_keeps_vosk_word_confidences() -> None:
    u = parse_final(PLAIN, 9.0)
    assert u is not None and u.final and u.text == "gas leak"
    assert u.words == (Word("gas", 0.9, 0.5, 0.8), Word("leak", 0.5, 0.8, 1.2))
    assert (u.start, u.end) == (0.5, 1.2)
    assert u.confidence == pytest.approx(0.7)
    assert u.alternatives == ()


def test_nbest_shape_gives_shares_and_word_confidences() -> None:
    u = parse_final(NBEST, 9.0)
    assert u is not None and u.text == "gas leak"
    # scores 130, 130 - ln 3, 120: shares 0.75, 0.25, ~0
    p_best, p_guess = 0.75, 0.25
    assert [a.text for a in u.alternatives] == ["guess leak", "gas lake"]
    assert u.alternatives[0].confidence == pytest.approx(p_guess, abs=1e-3)
    assert u.alternatives[1].confidence == pytest.approx(0.0, abs=1e-3)
    gas, leak = u.words
    # "gas" is in the best and the third reading; "leak" in the best and the second (start moved 20 ms)
    assert gas == Word("gas", pytest.approx(p_best, abs=1e-3), 0.5, 0.8)  # type: ignore[arg-type]
    assert leak.confidence == pytest.approx(1.0, abs=1e-3)
    assert u.confidence == pytest.approx((p_best + 1.0) / 2, abs=1e-3)
    assert (u.start, u.end) == (0.5, 1.2)


@pytest.mark.parametrize("res", [
    None, [], "text", {}, {"text": ""}, {"text": "   "}, {"text": 3},
    {"alternatives": []},
    {"alternatives": [{"confidence": 10.0, "text": ""}, {"confidence": 9.0, "text": "noise"}]},  # best is nothing
    {"alternatives": [{"confidence": "high", "text": "x"}]},
    {"alternatives": [{"confidence": float("nan"), "text": "x"}]},
    {"alternatives": ["x", 3, None]},
])
def test_no_words_or_malformed_gives_nothing(res: Any) -> None:
    assert parse_final(res, 1.0) is None


@pytest.mark.parametrize("res,expected_words", [
    ({"text": "oui", "result": None}, ()),
    ({"text": "oui", "result": "bad"}, ()),
    ({"text": "oui", "result": [{"word": "oui"}, {"start": 1, "end": 2}, 7]}, ()),
    ({"text": "oui non", "result": [w("oui", 1, 2), w("non", 2, 3, 0.5)]},
     (Word("oui", None, 1.0, 2.0), Word("non", 0.5, 2.0, 3.0))),
])
def test_plain_shape_with_missing_or_bad_words(res: dict[str, Any], expected_words: tuple[Word, ...]) -> None:
    u = parse_final(res, 4.0)
    assert u is not None and u.text == res["text"]
    assert u.words == expected_words
    if not expected_words:
        assert (u.start, u.end, u.confidence) == (4.0, 4.0, None)


def test_nbest_without_word_lists_and_duplicate_readings() -> None:
    res = {"alternatives": [{"confidence": 5.0, "text": "yes"}, {"confidence": 5.0, "text": "yes"},
                            {"confidence": 4.0, "text": "yeah "}]}
    u = parse_final(res, 2.0)
    assert u is not None and u.text == "yes" and u.words == ()
    assert u.alternatives == (Alternative("yeah", pytest.approx(0.1554, abs=1e-3)),)  # type: ignore[arg-type]
    assert (u.start, u.end) == (2.0, 2.0)
    assert u.confidence == pytest.approx(0.4223, abs=1e-3)
