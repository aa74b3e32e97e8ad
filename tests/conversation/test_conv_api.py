"""The qualifier's contract with the dialog (QUALIFIER_API): recogniser readings and confidences, the
directory's entry, the caller's answer to the closed urgency question, and what the box says and asks."""

from __future__ import annotations

import pytest

from appliance.conversation.base import Heard, KnownCaller, WordHeard
from appliance.conversation.qualifier import Qualifier


def _heard(text: str, conf: dict[str, float] | None = None,
           alternatives: tuple[tuple[str, float | None], ...] = ()) -> Heard:
    conf = conf or {}
    return Heard(text, None, alternatives, tuple(WordHeard(w, conf.get(w, 0.95)) for w in text.split()))


@pytest.mark.parametrize("lang,turn,possibly,decisive,urgent", [
    # a fault alone: urgent by the rules, but not decisively: the box may ask
    ("fr", "la chaudière est en panne", True, False, True),
    ("en", "the boiler has broken down", True, False, True),
    ("fr", "le convoyeur fait un bruit bizarre", True, False, False),
    # a safety cue decides by itself
    ("fr", "ça sent le gaz dans la chaufferie", False, True, True),
    ("en", "there is smoke coming out of the motor", False, True, True),
    # the caller said it is not urgent: decided, nothing to ask
    ("fr", "la porte fait un bruit mais ce n'est pas urgent", False, True, False),
    # no cue at all: never asked (a quote, a question)
    ("fr", "je voudrais un devis pour deux chaudières", False, False, False),
    ("en", "what are your opening hours", False, False, False),
    ("fr", "", False, False, False),
])
def test_possibly_urgent_and_decisive(lang: str, turn: str, possibly: bool, decisive: bool, urgent: bool) -> None:
    r = Qualifier.load(lang).qualify([turn], None)
    assert (r.possibly_urgent, r.decisive, r.urgent) == (possibly, decisive, urgent), r.rules


@pytest.mark.parametrize("lang,turn,answer,urgent,rule", [
    ("fr", "le convoyeur fait un bruit bizarre", True, True, "urgency.confirmed_by_caller"),
    ("fr", "la chaudière est en panne", False, False, "urgency.denied_by_caller"),
    ("en", "the boiler has broken down", False, False, "urgency.denied_by_caller"),
    ("en", "the door makes a funny noise", True, True, "urgency.confirmed_by_caller"),
    # a safety cue overrides the caller's "no", like it overrides "it's not urgent"
    ("fr", "il y a de la fumée qui sort du moteur", False, True, None),
])
def test_the_callers_answer_decides(lang: str, turn: str, answer: bool, urgent: bool, rule: str | None) -> None:
    r = Qualifier.load(lang).qualify([turn], None, urgency_answer=answer)
    assert r.urgent is urgent and r.decisive and not r.possibly_urgent, r.rules
    assert rule is None or rule in r.rules
    assert "urgency.denied_by_caller" not in r.rules or not r.urgent


def test_urgent_because_is_the_rules_reason_else_the_callers_words(tmp_path: object) -> None:
    fr = Qualifier.load("fr")
    assert fr.qualify(["ça sent le gaz dans la chaufferie"]).urgent_because == "il y a un danger pour les personnes"
    assert fr.qualify(["je voudrais un devis"]).urgent_because is None
    en = Qualifier.load("en")
    r = en.qualify(["the compressor has stopped it's urgent"])
    assert r.urgent and r.urgent_because == "something has stopped"  # a fact, not the caller's claim


@pytest.mark.parametrize("lang,turn,claims", [
    ("fr", "c'est urgent pour un devis de climatisation", True),
    ("en", "it's urgent i need the invoice today", True),
    ("fr", "c'est urgent la chaudière est en panne", False),  # urgent, so no claim left to check
    ("fr", "je voudrais un devis", False),
])
def test_caller_claims_urgent(lang: str, turn: str, claims: bool) -> None:
    r = Qualifier.load(lang).qualify([turn], None)
    assert r.caller_claims_urgent is claims, (r.urgent, r.rules)


def test_a_cue_in_an_alternative_reading_counts_with_its_confidence() -> None:
    en = Qualifier.load("en")
    best = "there's a momyoleking from the refrigeration plant"
    plain = en.qualify([best, "tom hill"], None)
    alt = "there's an ammonia leaking from the refrigeration plant"
    r = en.qualify([best, "tom hill"], None, heard=[_heard(best, alternatives=((alt, 0.41),)), None])
    assert r.urgent and not plain.urgent
    assert "urgency.fumes@0.41" in r.rules and "urgent" in r.unconfirmed and "category" in r.unconfirmed


def test_low_confidence_words_mark_the_fields_unconfirmed() -> None:
    fr = Qualifier.load("fr")
    turns = ["la chaudière est en panne", "paul durand de la menuiserie du lac",
             "zéro six douze trente-quatre cinquante-six soixante-dix-huit"]
    heard = [_heard(turns[0], {"panne": 0.3}), _heard(turns[1], {"durand": 0.2}),
             _heard(turns[2], {"douze": 0.1})]
    r = fr.qualify(turns, None, heard=heard)
    assert r.urgent and {"urgent", "name", "callback"} <= set(r.unconfirmed), r.rules
    assert "company" not in r.unconfirmed
    assert r.possibly_urgent  # a fault heard on doubtful words: ask
    assert any(rule.startswith("urgence.arret@0.30") for rule in r.rules)
    sure = fr.qualify(turns, None, heard=[_heard(t) for t in turns])
    assert sure.unconfirmed == () and sure.rules == fr.qualify(turns, None).rules


@pytest.mark.parametrize("heard", [
    [None, None, None],
    [],
    [Heard("")],  # shorter than the turns, empty: ignored
    [Heard("la chaudière", None, (("", None),), (WordHeard("", None),))],
])
def test_missing_or_odd_recogniser_data_changes_nothing(heard: list[Heard | None]) -> None:
    fr = Qualifier.load("fr")
    turns = ["la chaudière est en panne", "paul durand", "sur ce numéro"]
    assert fr.qualify(turns, "+33612345678", heard=heard) == fr.qualify(turns, "+33612345678")


def test_the_directory_fills_what_the_caller_did_not_say() -> None:
    fr = Qualifier.load("fr")
    known = KnownCaller(name="Marie Gale", company="Laiterie du Val", priority_floor="critical")
    r = fr.qualify(["le portail fait un bruit"], "+33612345678", known=known)
    assert (r.name, r.company) == ("Marie Gale", "Laiterie du Val")
    assert {"directory.name", "directory.company", "directory.priority_floor"} <= set(r.rules)
    assert r.urgent  # under that contract every breakdown is at least critical
    said = fr.qualify(["je voudrais un devis", "paul durand de la menuiserie du lac"], None, known=known)
    assert (said.name, said.company, said.urgent) == ("Paul Durand", "Menuiserie du Lac", False)
    odd = fr.qualify(["le portail fait un bruit"], None, known=KnownCaller(priority_floor="gold"))
    assert not odd.urgent and "directory.priority_floor" not in odd.rules  # unknown level: logged, ignored


def test_the_json_shape_carries_the_new_fields() -> None:
    d = Qualifier.load("fr").qualify(["ça sent le gaz"], None).to_dict()
    assert {"possibly_urgent", "decisive", "urgent_because", "unconfirmed", "caller_claims_urgent"} <= set(d)
    assert d["unconfirmed"] == [] and d["decisive"] is True
