"""Names and companies, from markers and from bare "prénom nom entreprise" answers."""

from __future__ import annotations

import pytest

from appliance.conversation.entities import extract_identity, find_equipment

FR_CASES = [
    # (turns, name, company)
    (["la pompe fuit", "albert morel de la fromagerie du plateau"], "Albert Morel", "Fromagerie du Plateau"),
    (["un devis svp", "agnès caron société des eaux du littoral"], "Agnès Caron", "Société des Eaux du Littoral"),
    (["une question sur la facture", "rémi faure comptabilité des ateliers faure"], "Rémi Faure", "Ateliers Faure"),
    (["une question", "rémi faure service achats de la scierie du mont"], "Rémi Faure", "Scierie du Mont"),
    (["bonjour", "justine roux"], "Justine Roux", None),
    (["bonjour", "justine"], "Justine", None),
    (["bonjour je suis bastien leclerc de la tuilerie du moulin notre four est en panne"],
     "Bastien Leclerc", "Tuilerie du Moulin"),
    (["je m'appelle nina perret je travaille chez ambulances perret et fils on a un souci"],
     "Nina Perret", "Ambulances Perret et Fils"),
    (["bonjour c'est lucas de chez garage des sports le pont est bloqué", "lucas ferrand"],
     "Lucas Ferrand", "Garage des Sports"),
    (["ici menuiserie bardin je suis olivier bardin", "ce numéro"], "Olivier Bardin", "Menuiserie Bardin"),
    (["je vous appelle de la part de monsieur leduc de la société prisma conseil pour un devis", "anaïs gros"],
     "Anaïs Gros", "Prisma Conseil"),
    (["bonjour je suis commerciale chez vitalis énergie nous proposons des contrats", "camille henry"],
     "Camille Henry", "Vitalis Énergie"),
    (["je serai en retard chez le client de nantes", "max"], "Max", None),
    (["vous êtes bien la société de maintenance je voulais confirmer", "paul giraud"], "Paul Giraud", None),
    (["bonjour je cherche un stage", "", "non merci"], None, None),
    (["la porte est bloquée", "yannick le bris de la criée de concarneau"], "Yannick Le Bris", "Criée de Concarneau"),
    (["la porte est bloquée", "ets moreau françois moreau"], "François Moreau", "Ets Moreau"),
    (["allo", "zéro six douze trente-quatre cinquante-six soixante-dix-huit"], None, None),
    (["bonjour c'est madame rivière de la pharmacie centrale"], "Madame Rivière", "Pharmacie Centrale"),
]

EN_CASES = [
    (["the boiler is down", "mike osborne from quayside hotel"], "Mike Osborne", "Quayside Hotel"),
    (["quote please", "helen frost frost engineering"], "Helen Frost", "Frost Engineering"),
    (["invoice question", "ruth moss accounts at harbour foods"], "Ruth Moss", "Harbour Foods"),
    (["hi this is dan from ridgeway garage our ramp is stuck", "dan hollis"], "Dan Hollis", "Ridgeway Garage"),
    (["my name is priya shah i work for delta plastics ltd and the press has stopped"], "Priya Shah",
     "Delta Plastics Ltd"),
    (["what are your rates", "george"], "George", None),
    (["water everywhere", "my name is owen lloyd i'm the caretaker at hillcrest school"], "Owen Lloyd",
     "Hillcrest School"),
]


@pytest.mark.parametrize("turns,name,company", FR_CASES)
def test_french_identity(turns: list[str], name: str | None, company: str | None) -> None:
    ident = extract_identity(turns, "fr")
    assert (ident.name, ident.company) == (name, company)


@pytest.mark.parametrize("turns,name,company", EN_CASES)
def test_english_identity(turns: list[str], name: str | None, company: str | None) -> None:
    ident = extract_identity(turns, "en")
    assert (ident.name, ident.company) == (name, company)


def test_identity_turn_and_rules_are_reported() -> None:
    ident = extract_identity(["la chaudière est en panne", "marc huet de la laverie huet"], "fr")
    assert ident.identity_turn == 1
    assert "identity.answer" in ident.rules


@pytest.mark.parametrize("text,expected", [
    ("la pompe de relevage est en panne", "pompe de relevage"),
    ("notre chambre froide ne refroidit plus", "chambre froide"),
    ("les chaudières font du bruit", "chaudière"),
    ("bonjour je voudrais un renseignement", None),
])
def test_equipment(text: str, expected: str | None) -> None:
    items = ["pompe de relevage", "pompe", "chambre froide", "chaudière"]
    assert find_equipment(text, items) == expected
