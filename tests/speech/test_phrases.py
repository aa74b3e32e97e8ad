"""Grammars from a ListenSpec, spoken digits, yes/no and completeness (table-driven)."""

from __future__ import annotations

import pytest

from appliance.conversation.base import ListenSpec
from appliance.errors import SpeechError
from appliance.speech.phrases import grammar_for, is_complete, is_unfinished, parse_digits, yes_no


@pytest.mark.parametrize("text,lang,digits", [
    ("zéro six douze trente-quatre cinquante-six soixante-dix-huit", "fr", "0612345678"),
    ("zéro un, quarante-deux, quatre-vingt-dix-sept, soixante et onze, dix-huit", "fr", "0142977118"),
    ("quatre-vingts vingt et un soixante-douze", "fr", "802172"),
    ("06 12 34 56 78", "fr", "0612345678"),
    ("oh seven seven one two, three four five, six seven eight", "en", "07712345678"),
    ("Please call me back on 077-12345-678.", "en", "07712345678"),
    ("double seven triple three", "en", "77333"),
    ("thirty four twelve", "en", "3412"),
    ("my name is Bob", "en", ""),
    ("", "fr", ""),
    ("un deux bonjour trois", "fr", "123"),
])
def test_parse_digits(text: str, lang: str, digits: str) -> None:
    assert parse_digits(text, lang) == digits


@pytest.mark.parametrize("text,lang,answer", [
    ("oui", "fr", "yes"), ("Oui, c'est ça.", "fr", "yes"),
    ("c’est ça", "fr", "yes"), ("non merci", "fr", "no"),
    ("yeah", "en", "yes"), ("Nope.", "en", "no"), ("yes no", "en", None), ("maybe", "en", None),
    ("", "fr", None), ("bonjour", "fr", None), ("nonante", "fr", None),
])
def test_yes_no(text: str, lang: str, answer: str | None) -> None:
    assert yes_no(text, lang) == answer


@pytest.mark.parametrize("text,expect,lang,phrases,done", [
    ("oui", "yes_no", "fr", (), True),
    ("euh", "yes_no", "fr", (), False),
    ("zéro six douze trente-quatre cinquante-six soixante-dix-huit", "number", "fr", (), True),
    ("zéro six douze", "number", "fr", (), False),
    ("07712 345 678", "number", "en", (), True),
    ("my boiler is broken", "free", "en", (), False),
    ("Dupont Plomberie", "free", "fr", ("dupont plomberie", "martin sa"), True),
    ("Dupont", "free", "fr", ("dupont plomberie",), False),
    ("oui oui", "yes_no", "fr", ("oui", "non"), True),
    ("oui mais non merci", "yes_no", "fr", ("oui", "non"), False),
    ("", "yes_no", "en", (), False),
    # a name answer is never ended early (the company may follow a pause)
    ("Fred Keller.", "name", "en", (), False),
    ("This is Fred Keller from Keller Plastics.", "name", "en", (), False),
    ("fred keller", "name", "en", (), False),  # no full stop: the company may follow
    ("John Smith,", "name", "en", (), False),
    ("Fred.", "name", "en", (), False),
    ("fred keller from.", "name", "en", (), False),
    ("my name is", "name", "en", (), False),
    ("Bruno Carrel de la Fonderie des Alpes.", "name", "fr", (), False),
    ("bruno carrel de", "name", "fr", (), False),
    ("c'est marie euh", "name", "fr", (), False),
    ("je m'appelle", "name", "fr", (), False),
    # free speech: a sentence that ends (Whisper punctuates; vosk does not, so it never ends early)
    ("The cooling has stopped.", "free", "en", (), True),
    ("Is anyone there?", "free", "en", (), True),
    ("The cooling has stopped and", "free", "en", (), False),
    ("La chaudière est en panne.", "free", "fr", (), True),
    ("La chaudière est en panne et.", "free", "fr", (), False),
    ("   ", "free", "en", (), False),
    ("...", "free", "en", (), False),
])
def test_is_complete(text: str, expect: str, lang: str, phrases: tuple[str, ...], done: bool) -> None:
    assert is_complete(text, expect, lang, phrases) is done


def test_grammar_for_specs() -> None:
    assert grammar_for(None, "fr") is None
    assert grammar_for(ListenSpec(expect="free"), "en") is None
    assert grammar_for(ListenSpec(expect="name"), "fr") is None
    yn = grammar_for(ListenSpec(expect="yes_no"), "fr")
    assert yn is not None and "oui" in yn and "non" in yn
    digits = grammar_for(ListenSpec(expect="digits"), "en")
    assert digits is not None and {"zero", "one", "nine"} <= set(digits)
    fr_num = grammar_for(ListenSpec(expect="number"), "fr")
    assert fr_num is not None and {"zéro", "douze", "soixante"} <= set(fr_num)
    assert grammar_for(ListenSpec(expect="free", phrases=("ACME SA", " acme sa ", "Dupont")), "fr") == [
        "acme sa", "dupont"]


@pytest.mark.parametrize("call", [
    lambda: grammar_for(ListenSpec(expect="yes_no"), "de"),
    lambda: parse_digits("eins", "de"),
    lambda: yes_no("ja", "de"),
])
def test_unknown_language_is_a_clear_error(call) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(SpeechError, match="known: fr, en"):
        call()


@pytest.mark.parametrize("text,lang,unfinished", [
    ("and", "en", True), ("my boiler is broken and", "en", True), ("Fred Keller, from", "en", True),
    ("um", "en", True), ("it's urgent", "en", False), ("", "en", False), ("?!", "en", False),
    ("je suis de chez", "fr", True), ("euh", "fr", True), ("c’est pour l’", "fr", True),
    ("c'est urgent", "fr", False), ("Bonjour.", "fr", False),
])
def test_is_unfinished(text: str, lang: str, unfinished: bool) -> None:
    assert is_unfinished(text, lang) is unfinished


def test_a_broken_language_file_is_a_clear_error(tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """The continuation words live in the language file (rules/<lang>.lang.toml, [turns]), read once."""
    from appliance.conversation import language as language_module
    from appliance.speech import phrases

    good = (language_module.LANG_DIR / "en.lang.toml").read_text(encoding="utf-8")
    for content in (good.replace("[turns]\n", "[turns]\ncontinuation2 = 1\n", 1),
                    good.replace('continuation = ["and"', 'continuation = ["", "and"', 1), "not toml ["):
        (tmp_path / "en.lang.toml").write_text(content, encoding="utf-8")
        monkeypatch.setattr(language_module, "LANG_DIR", tmp_path)
        language_module.language.cache_clear()
        phrases.continuation_words.cache_clear()
        with pytest.raises(SpeechError, match=r"en\.lang\.toml"):
            phrases.continuation_words("en")
    language_module.language.cache_clear()
    phrases.continuation_words.cache_clear()
