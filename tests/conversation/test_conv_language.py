"""Language data: every word list is in the language's file, read once; an English call consults English
data only; the file's errors name the file and the key; an owner adds to or replaces a list by name."""

from __future__ import annotations

import importlib
import tomllib
from pathlib import Path
from typing import Any

import pytest

from appliance.conversation import language as language_module
from appliance.conversation.language import LANG_DIR, merge_lists, parse_language, read_language_data
from appliance.conversation.qualifier import Qualifier
from appliance.errors import QualificationError

from .snapshot import corpora

_MODULES = ("language", "numbers", "entities", "qualifier", "matcher", "text")


def _clear_caches() -> None:
    for name in _MODULES:
        mod = importlib.import_module(f"appliance.conversation.{name}")
        for value in vars(mod).values():
            if callable(getattr(value, "cache_clear", None)):
                value.cache_clear()


def test_an_english_call_reads_no_french_word_list(monkeypatch: pytest.MonkeyPatch) -> None:
    read: list[str] = []
    real = language_module.read_language_data

    def recording(lang: str) -> tuple[dict[str, Any], str]:
        read.append(lang)
        return real(lang)

    monkeypatch.setattr(language_module, "read_language_data", recording)
    _clear_caches()
    try:
        en = Qualifier.load("en")
        calls = [c for name, cs in corpora().items() if name.startswith("en") for c in cs]
        # French-looking words in an English call are still read with English data
        calls.append({"turns": ["john smith from bakery a la mode our oven has stopped", "a garage in leeds",
                                "oh seven seven double oh nine hundred six five four"], "caller_id": None})
        for call in calls:
            en.qualify(call["turns"], call.get("caller_id"), country="GB")
        assert read == ["en"], read  # read once, and only English
    finally:
        _clear_caches()
    assert Qualifier.load("fr").qualify(["la chaudière est en panne"]).urgent  # French reloads afterwards


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_every_language_file_loads_with_every_list(lang: str) -> None:
    data, source = read_language_data(lang)
    lg = parse_language(data, source)
    assert lg.code == lang and lg.identity.code == lang
    assert lg.answers["yes"] and lg.answers["no"] and lg.identity.titles and lg.numbers.units
    en_keys = set(tomllib.loads((LANG_DIR / "en.lang.toml").read_text(encoding="utf-8"))["identity"])
    assert set(data["identity"]) == en_keys  # both languages document the same lists


_FR = (LANG_DIR / "fr.lang.toml").read_text(encoding="utf-8")


@pytest.mark.parametrize("text,where", [
    (_FR.replace('lang = "fr"', 'lang = 3'), "lang: expected a language code"),
    (_FR.replace("[identity]\n", "[identity]\ncolour = 1\n"), "identity.colour: unknown list"),
    (_FR.replace('titles = ["monsieur"', 'titles = [1, "monsieur"'), "identity.titles: expected a list of strings"),
    (_FR.replace("teen_from_ten = true", 'teen_from_ten = "yes"'), "numbers.teen_from_ten: expected true or false"),
    (_FR.replace("\ntitles = [", "\nold_titles = ["), "identity.old_titles: unknown list"),
    (_FR.replace("[answers]\n", "[answers]\nmaybe = []\n"), "answers.maybe: unknown list"),
    (_FR + "\n[extra]\n", "extra: unknown key"),
])
def test_language_file_errors_name_file_and_key(text: str, where: str) -> None:
    with pytest.raises(QualificationError, match=rf"x\.toml: {where}"):
        parse_language(tomllib.loads(text), "x.toml")


def test_a_missing_list_is_named() -> None:
    data = tomllib.loads(_FR)
    del data["identity"]["titles"]
    with pytest.raises(QualificationError, match=r"identity\.titles: missing"):
        parse_language(data, "x.toml")


def test_an_optional_list_may_be_left_out() -> None:
    """A language file written before ``plain_words`` existed still loads (no word is then kept from the
    tolerance); the built-in one lists "personnel"."""
    data = tomllib.loads(_FR)
    assert "personnel" in parse_language(data, "x.toml").matching.plain_words
    del data["matching"]["plain_words"]
    assert parse_language(data, "x.toml").matching.plain_words == frozenset()


def test_an_owner_adds_replaces_and_removes_words_by_name() -> None:
    base, source = read_language_data("fr")
    merged = merge_lists(base, {"identity": {"titles": ["maître"], "ranks": {"replace": ["amiral"]},
                                             "particles": {"remove": ["ben"]}}}, "owner.toml")
    lg = parse_language(merged, source)
    assert "maitre" in lg.identity.titles and "monsieur" in lg.identity.titles
    assert lg.identity.ranks == frozenset({"amiral"}) and "ben" not in lg.identity.particles
    assert "ben" in parse_language(base, source).identity.particles  # the built-in data is untouched


@pytest.mark.parametrize("owner,where", [
    ({"identity": {"colours": ["red"]}}, "lexicons.identity.colours: no such built-in list"),
    ({"weather": {"x": []}}, "lexicons.weather: expected one of"),
    ({"identity": {"titles": {"add": ["x"]}}}, r"lexicons.identity.titles: expected a list of words to add"),
])
def test_owner_list_errors_are_named(owner: dict[str, Any], where: str) -> None:
    base, _ = read_language_data("en")
    with pytest.raises(QualificationError, match=rf"owner\.toml: {where}"):
        merge_lists(base, owner, "owner.toml")


def test_no_word_list_left_in_the_extraction_code() -> None:
    """The extraction, matching and number code compare words only with the language's lists: no quoted
    word of a language stands in them (the docstrings and comments quote calls, which is fine)."""
    import ast

    for name in ("entities", "slots", "templates", "matcher", "numbers", "qualifier"):
        tree = ast.parse(Path(f"appliance/conversation/{name}.py").read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Compare) and any(isinstance(op, ast.In | ast.NotIn) for op in node.ops):
                for comp in node.comparators:
                    if isinstance(comp, ast.Tuple | ast.Set | ast.List):
                        words = [e.value for e in comp.elts if isinstance(e, ast.Constant) and isinstance(e.value, str)
                                 and e.value.isalpha()]
                        assert not words, f"{name}.py line {node.lineno}: words in code: {words}"
