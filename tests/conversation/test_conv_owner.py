"""The owner's rules file adds to or overrides the built-in rules by name; the built-in ones keep arriving."""

from __future__ import annotations

from pathlib import Path

import pytest

from appliance.conversation.qualifier import Qualifier
from appliance.conversation.rules import load_rules
from appliance.errors import QualificationError

OWNER = """
base = "built-in"
lang = "fr"

[[categories]]
id = "breakdown"
  [[categories.rules]]
  id = "panne.hors_service"
  extend = true
  words = ["en carafe totale", "kaput"]

  [[categories.rules]]
  id = "panne.serres"
  weight = 4
  words = ["les plants gèlent"]

[[urgency]]
id = "urgence.serres"
raise = 2
reason = "les plants risquent le gel"
words = ["les plants gèlent"]

[[urgency]]
id = "urgence.confort"
remove = true

[lexicons.identity]
company_heads = ["jardinerie"]
"""


def _owner(tmp_path: Path, text: str = OWNER) -> Path:
    p = tmp_path / "mes-regles.toml"
    p.write_text(text, encoding="utf-8")
    return p


def test_owner_additions_and_overrides_by_name(tmp_path: Path) -> None:
    q = Qualifier.load("fr", _owner(tmp_path))
    r = q.qualify(["la chaudière de la serre est kaput les plants gèlent", "paul durand jardinerie du lac"])
    assert r.category == "breakdown" and r.urgent and r.urgent_because == "les plants risquent le gel"
    assert {"panne.hors_service", "panne.serres", "urgence.serres"} <= set(r.rules)
    assert r.company == "Jardinerie du Lac"  # the owner's business word
    # removed: a comfort fitting no longer lowers urgency under the owner's rules
    turn = ["l'aérateur de la salle de bain ne marche plus"]
    assert Qualifier.load("fr").qualify(turn).urgency != q.qualify(turn).urgency


def test_built_in_fixes_keep_arriving(tmp_path: Path) -> None:
    """Everything the owner did not touch is the built-in rules of the running version."""
    owner = load_rules("fr", _owner(tmp_path))
    builtin = load_rules("fr")
    kept = {r.id for c in builtin.categories for r in c.rules}
    assert kept <= {r.id for c in owner.categories for r in c.rules}
    devis = next(c for c in owner.categories if c.id == "quote")
    assert devis == next(c for c in builtin.categories if c.id == "quote")
    hs = next(r for c in owner.categories for r in c.rules if r.id == "panne.hors_service")
    assert "kaput" in hs.words and set(next(r for c in builtin.categories for r in c.rules
                                            if r.id == "panne.hors_service").words) < set(hs.words)


@pytest.mark.parametrize("text,where", [
    (OWNER.replace('id = "urgence.confort"\nremove = true', 'id = "urgence.nulle"\nremove = true'),
     r"urgency\[1\]\.id: no built-in entry 'urgence.nulle'"),
    (OWNER.replace('lang = "fr"', 'lang = "en"'), "lang: expected 'fr'"),
    ("colour = 1\n" + OWNER, "colour: unknown key"),
    (OWNER.replace("extend = true", 'extend = "yes"'), "remove and extend are true or false"),
    (OWNER.replace('company_heads = ["jardinerie"]', 'colours = ["red"]'),
     "lexicons.identity.colours: no such built-in list"),
    (OWNER.replace("raise = 2", 'raise = "two"'), r"urgency\[\d+\]\.raise: expected a number"),
])
def test_owner_file_errors_name_the_file_and_key(tmp_path: Path, text: str, where: str) -> None:
    with pytest.raises(QualificationError, match=rf"mes-regles\.toml: .*{where}"):
        load_rules("fr", _owner(tmp_path, text))


def test_a_full_rules_file_still_replaces_the_built_in_one(tmp_path: Path) -> None:
    from appliance.conversation.rules import RULES_DIR

    p = tmp_path / "copy.toml"
    p.write_text((RULES_DIR / "en.toml").read_text(encoding="utf-8"), encoding="utf-8")
    assert load_rules("en", p).categories == load_rules("en").categories
