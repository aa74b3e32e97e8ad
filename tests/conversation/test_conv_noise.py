"""What a recogniser prints: every labelled call, damaged by the recognition-error model at 30 % of its words,
still gets a qualification (the box keeps answering); the model itself is deterministic and does what it
says. The figures through errors are reported by ``make bench``."""

from __future__ import annotations

import random

import pytest

from appliance.conversation.errormodel import damage, damage_turn
from appliance.conversation.qualifier import Qualifier

from .snapshot import COUNTRY, corpora


@pytest.mark.parametrize("name", sorted(corpora()))
def test_every_damaged_call_is_qualified(name: str) -> None:
    lang = name.split("-")[0]
    q = Qualifier.load(lang)
    for call in corpora()[name]:
        turns = damage(call["turns"], 0.30, seed=11, lang=lang)
        r = q.qualify(turns, call.get("caller_id"), country=COUNTRY[lang])
        assert r.category and r.urgency and isinstance(r.rules, tuple)


def test_the_error_model_is_deterministic_and_does_what_it_says() -> None:
    turns = ["Bonjour, notre compresseur est en panne depuis ce matin !", "zéro six douze trente-quatre cinquante-six"]
    assert damage(turns, 0.2, seed=3, lang="fr") == damage(turns, 0.2, seed=3, lang="fr")
    clean = damage(turns, 0.0, seed=3, lang="fr")
    assert clean[0] == "bonjour notre compresseur est en panne depuis ce matin"
    assert clean[1] in ("zéro six douze trente-quatre cinquante-six", "06 12 34 56")
    words = "la pompe de relevage est en panne et l'eau monte dans la chaufferie".split() * 20
    out = damage_turn(" ".join(words), 0.3, random.Random(5), "fr").split()
    assert 0.5 * len(words) < len(out) < 1.5 * len(words) and out != words
