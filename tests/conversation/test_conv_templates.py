"""The identity templates: hassil-style syntax, typed slots, named clean-up steps, malformed templates."""

from __future__ import annotations

import pytest

from appliance.conversation.entities import extract_identity
from appliance.conversation.templates import Literal, Slot, Template, match
from appliance.errors import QualificationError


def _check(kind: str, words: object) -> bool:
    return kind.rstrip("=") != "title" or list(words) == ["mr"]  # type: ignore[call-overload]


@pytest.mark.parametrize("template,text,slots", [
    ("[it's] {first} from {company}", "it s gary from pennington meats", {"first": "gary", "company": "pennington meats"}),
    ("[it's] {first} from {company}", "gary from pennington meats", {"first": "gary", "company": "pennington meats"}),
    ("{first} (from|at) {company} {person=first}", "gary at acme gary lomax",
     {"first": "gary", "company": "acme", "person": "gary lomax"}),
    ("{title} {surname}", "mr ahmed", {"title": "mr", "surname": "ahmed"}),
    ("<lead> {first}", "yes it s jo", {"first": "jo"}),
])
def test_a_template_binds_its_slots_over_the_whole_answer(template: str, text: str, slots: dict[str, str]) -> None:
    t = Template.parse("t", template, rules={"lead": "[yes|yeah] [it's|this is]"})
    tokens = text.split()
    got = match(t, tokens, _check)
    assert got is not None and {k: " ".join(tokens[a:b]) for k, (a, b) in got.items()} == slots


@pytest.mark.parametrize("template,text", [
    ("[it's] {first} from {company}", "it s gary at pennington meats"),  # a word the template does not have
    ("{first} from {company}", "gary from"),  # a slot left empty
    ("{first} (from|at) {company} {person=first}", "gary at acme john lomax"),  # not the same first name
    ("{title} {surname}", "doctor ahmed"),  # the slot's type refuses the word
])
def test_a_template_matches_the_whole_answer_or_nothing(template: str, text: str) -> None:
    assert match(Template.parse("t", template), text.split(), _check) is None


@pytest.mark.parametrize("template,error", [
    ("{colour} from {company}", "unknown slot {colour}"),
    ("it's me", "needs at least one {slot}"),
    ("{first} ) {company}", "unbalanced"),
    ("<nope> {first}", "unknown rule <nope>"),
])
def test_malformed_templates_are_named(template: str, error: str) -> None:
    with pytest.raises(QualificationError, match=error):
        Template.parse("t", template, where="en.lang.toml: templates[0]")


def test_the_parsed_template_is_readable() -> None:
    t = Template.parse("t", "[it's|this is] {first} from {company}", ("drop_role",))
    assert t.elements == (Literal((("it", "s"), ("this", "is")), True), Slot("first"), Literal((("from",),)),
                          Slot("company"))


@pytest.mark.parametrize("turns,name,company,rule", [
    (["our cold room is warm", "it's gary from pennington meats gary lomax"], "Gary Lomax", "Pennington Meats",
     "template.first_from_company_full_name"),
    (["the boiler is off", "mr hussain the site manager at greenfield primary"], "Mr Hussain", "Greenfield Primary",
     "template.title_surname_role_at_company"),
    (["a quote please", "my name's priya shah and the company is brightline recruitment"], "Priya Shah",
     "Brightline Recruitment", "template.name_and_the_company_is"),
    (["the lift is stuck", "the name's mick doherty i'm the landlord at the red lion in harborne"], "Mick Doherty",
     "The Red Lion", "template.person_from_company"),
    # French-looking words in an English company stay as they are
    (["our oven is broken", "it's john smith from bakery a la mode"], "John Smith", "Bakery a la Mode",
     "template.person_from_company"),
])
def test_english_answers_are_read_by_templates(turns: list[str], name: str, company: str, rule: str) -> None:
    ident = extract_identity(turns, "en")
    assert (ident.name, ident.company) == (name, company), ident.rules
    assert rule in ident.rules
