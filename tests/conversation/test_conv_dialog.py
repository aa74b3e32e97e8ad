"""Whole scripted calls at the text level: sequence, nothing asked twice, urgency, read-back."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from appliance.config import CompanyConfig
from appliance.conversation.base import CallContext, Reply
from appliance.conversation.dialog import ScriptedDialog
from appliance.conversation.prompts import PROMPTS_DIR
from appliance.conversation.qualifier import Qualifier
from appliance.errors import ConfigError

COMPANY = CompanyConfig(
    name="Thermi Service", rates="Le déplacement est facturé quatre-vingts euros.", service_area="Toute la Gironde.",
    faq={"pompes à chaleur": "Oui, nous entretenons toutes les marques de pompes à chaleur."},
)
WEDNESDAY_10H = dt.datetime(2026, 11, 25, 10, 0)
WEDNESDAY_22H = dt.datetime(2026, 11, 25, 22, 0)


def _dialog(lang: str = "fr", when: dt.datetime = WEDNESDAY_10H, prompts: Path | None = None) -> ScriptedDialog:
    return ScriptedDialog(COMPANY, lang, Qualifier.load(lang), prompts, clock=lambda: when)


def _keys(reply: Reply) -> list[str]:
    return [p.key for p in reply.say]


def _play(d: ScriptedDialog, caller: str | None, turns: list[str | None]) -> list[Reply]:
    replies = [d.start(CallContext(call_id="call-1", caller_number=caller))]
    for t in turns:
        assert not replies[-1].hangup, "the dialog hung up before the caller finished"
        replies.append(d.silence() if t is None else d.hear(t))
    return replies


def test_typical_urgent_breakdown() -> None:
    d = _dialog()
    rs = _play(d, "+33612345678", ["bonjour notre groupe froid est en panne toute la marchandise va être perdue",
                                   "sébastien morin de la boucherie du marché", "oui c'est bien ça"])
    assert "Thermi Service" in rs[0].say[0].text and _keys(rs[0]) == ["greeting"]
    assert _keys(rs[1]) == ["urgent", "ask_identity"] and rs[1].urgent is True
    assert "15 minutes" in rs[1].say[0].text
    assert {"kind": "urgent_announced", "sla_minutes": 15, "routing": "oncall"} in rs[1].actions
    assert _keys(rs[2]) == ["confirm_caller_id"] and rs[2].listen is not None and rs[2].listen.expect == "yes_no"
    assert "06 12 34 56 78" in rs[2].say[0].text and rs[2].say[0].fixed is False
    assert rs[3].hangup and _keys(rs[3]) == ["number_confirmed", "goodbye"]
    assert {"kind": "callback_confirmed", "number": "+33612345678"} in rs[3].actions
    assert sum(r.urgent for r in rs) == 1
    q = d.qualification()
    assert q is not None and q["id"] == "call-1" and q["urgent"] and q["name"] == "Sébastien Morin"
    assert q["company"] == "Boucherie du Marché" and q["callback"] == "+33612345678" and q["callback_confirmed"]


def test_everything_in_one_breath_only_the_number_is_confirmed() -> None:
    d = _dialog()
    rs = _play(d, None, ["bonjour je suis nadia benali de la sarl benali la porte du garage ne se ferme plus "
                         "ce n'est pas urgent rappelez-moi au zéro six vingt et un quarante-deux soixante-trois "
                         "quatre-vingt-quatre", "oui"])
    asked = [k for r in rs[1:] for k in _keys(r)]
    assert asked == ["read_back", "number_confirmed", "goodbye"]
    assert "06 21 42 63 84" in rs[1].say[0].text
    q = d.qualification()
    assert q is not None and q["name"] == "Nadia Benali" and q["callback"] == "+33621426384"
    assert q["urgent"] is False and not any(r.urgent for r in rs)


def test_correction_of_the_number() -> None:
    d = _dialog()
    rs = _play(d, None, ["le compresseur fait un bruit anormal", "martin roy",
                         "zéro cinq cinquante-six douze trente-quatre cinquante-six",
                         "non c'est le zéro cinq cinquante-six douze trente-quatre cinquante-sept", "oui"])
    assert _keys(rs[2]) == ["ask_number"] and rs[2].listen is not None and rs[2].listen.expect == "number"
    assert _keys(rs[3]) == ["read_back"] and "05 56 12 34 56" in rs[3].say[0].text
    assert _keys(rs[4]) == ["read_back"] and "05 56 12 34 57" in rs[4].say[0].text
    assert rs[5].hangup
    q = d.qualification()
    assert q is not None and q["callback"] == "+33556123457" and q["callback_confirmed"] is True


def test_number_keyed_on_the_keypad() -> None:
    d = _dialog()
    rs = _play(d, None, ["je voudrais un devis pour un contrat de maintenance", "inès roche"])
    assert _keys(rs[-1]) == ["ask_number"]
    r = d.dtmf("0547112233#")
    assert _keys(r) == ["read_back"] and "05 47 11 22 33" in r.say[0].text
    r = d.dtmf("1")
    assert r.hangup and {"kind": "callback_confirmed", "number": "+33547112233"} in r.actions


def test_refused_caller_id_then_spoken_number() -> None:
    d = _dialog()
    rs = _play(d, "+33145000000", ["c'est au sujet de la facture de septembre", "louis bertin", "non",
                                   "zéro six quarante-quatre trente-trois vingt-deux onze", "oui"])
    assert _keys(rs[2]) == ["confirm_caller_id"]
    assert _keys(rs[3]) == ["ask_number"]
    assert _keys(rs[4]) == ["read_back"]
    assert rs[5].hangup
    q = d.qualification()
    assert q is not None and q["callback"] == "+33644332211" and q["category"] == "billing"


def test_silence_reprompt_then_message() -> None:
    d = _dialog()
    rs = _play(d, "+33611111111", [None, None, "bon rappelez-moi c'est pour la chaudière"])
    assert _keys(rs[1]) == ["repeat", "ask_reason"]
    assert _keys(rs[2]) == ["take_message"]
    assert rs[3].hangup and _keys(rs[3]) == ["goodbye_message"]
    q = d.qualification()
    assert q is not None and q["callback"] == "+33611111111"


def test_dont_know_and_no_callback() -> None:
    d = _dialog()
    rs = _play(d, None, ["c'est pour savoir si vous intervenez le samedi", "je ne sais pas", "je ne sais pas",
                         "non"])
    assert _keys(rs[1]) == ["faq_service_area", "ask_identity"]
    assert _keys(rs[2]) == ["dont_know", "ask_number"]
    assert _keys(rs[3]) == ["dont_know", "anything_else"]
    assert rs[4].hangup and _keys(rs[4]) == ["goodbye_no_callback"]
    q = d.qualification()
    assert q is not None and q["callback"] is None and q["name"] is None


def test_simple_questions_are_answered_then_anything_else() -> None:
    d = _dialog()
    rs = _play(d, "+33688776655", ["bonjour quels sont vos horaires d'ouverture", "yvonne marais", "oui",
                                   "et quels sont vos tarifs", "vous faites les pompes à chaleur",
                                   "non merci au revoir"])
    assert _keys(rs[1]) == ["faq_opening_hours", "ask_identity"]
    assert "du lundi au vendredi de 8 heures à 12 heures et de 13 heures 30 à 18 heures" in rs[1].say[0].text
    assert {"kind": "faq", "topic": "opening_hours"} in rs[1].actions
    assert _keys(rs[3]) == ["number_confirmed", "anything_else"]
    assert rs[4].say[0].text == COMPANY.rates and {"kind": "faq", "topic": "rates"} in rs[4].actions
    assert "pompes à chaleur" in rs[5].say[0].text
    assert {"kind": "faq", "topic": "pompes à chaleur"} in rs[5].actions
    assert rs[6].hangup
    asked = [k for r in rs for k in _keys(r) if k.startswith("ask_")]
    assert len(asked) == len(set(asked)), asked


def test_closed_office_is_said() -> None:
    r = _dialog(when=WEDNESDAY_22H).start(CallContext(call_id="n", caller_number=None))
    assert _keys(r) == ["greeting_closed"] and "fermés" in r.say[0].text
    r = _dialog().start(CallContext(call_id="n", caller_number=None, office_open=False))
    assert _keys(r) == ["greeting_closed"]


def test_hang_up_keeps_the_partial_qualification() -> None:
    d = _dialog()
    _play(d, "+33622222222", ["il y a une fuite d'eau énorme dans la chaufferie"])
    d.hung_up()
    q = d.qualification()
    assert q is not None and q["category"] == "breakdown" and q["urgent"] is True
    assert q["callback"] == "+33622222222" and q["name"] is None
    assert d.hear("allo").hangup


def test_english_call() -> None:
    d = _dialog("en")
    rs = _play(d, "+447700900111", ["hi our chiller has stopped cooling and the stock is warming up",
                                    "tina moss from moss catering", "yes"])
    assert "Thermi Service" in rs[0].say[0].text
    assert _keys(rs[1]) == ["urgent", "ask_identity"] and rs[1].urgent
    assert "07700 900 111" in rs[2].say[0].text
    assert rs[3].hangup
    q = d.qualification()
    assert q is not None and q["company"] == "Moss Catering" and q["callback"] == "+447700900111"


def test_a_typical_call_is_short() -> None:
    d = _dialog()
    rs = _play(d, "+33612345678", ["la chaudière de l'atelier est en panne", "rose lemoine garage lemoine", "oui"])
    words = sum(len(p.text.split()) for r in rs for p in r.say)
    caller_words = 15
    assert (words + caller_words) / 2.5 < 60  # about 2.5 words a second


def test_sentences_come_from_the_prompt_file(tmp_path: Path) -> None:
    text = (PROMPTS_DIR / "fr.toml").read_text(encoding="utf-8")
    p = tmp_path / "p.toml"
    p.write_text(text.replace("Que puis-je faire pour vous ?", "Je vous écoute.", 1), encoding="utf-8")
    r = _dialog(prompts=p).start(CallContext(call_id="x", caller_number=None))
    assert r.say[0].text == "Bonjour, vous êtes bien chez Thermi Service. Je vous écoute."


@pytest.mark.parametrize("edit,where", [
    (("ask_reason = ", "greetings = \"x\"\nask_reason = "), "prompts.greetings: unknown prompt"),
    (("greeting = ", "greeting_typo = "), "prompts.greeting: missing"),
    (("chez {company}.", "chez {societe}."), "unknown field {societe}"),
    (('ask_reason = "Quel est le motif de votre appel ?"\n', ""), "prompts.ask_reason: missing"),
    (("[faq]", "[faq]\nweather = [\"pluie\"]"), "faq.weather"),
    (("lang = \"fr\"", "lang = \"fr\"\n[[oops"), "not valid TOML"),
])
def test_prompt_file_errors(tmp_path: Path, edit: tuple[str, str], where: str) -> None:
    text = (PROMPTS_DIR / "fr.toml").read_text(encoding="utf-8")
    assert edit[0] in text
    p = tmp_path / "p.toml"
    p.write_text(text.replace(edit[0], edit[1], 1), encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        _dialog(prompts=p)
    assert str(p) in str(err.value) and where in str(err.value)


def test_withheld_caller_id_is_not_offered() -> None:
    d = _dialog()
    rs = _play(d, "anonymous", ["la climatisation fait un bruit anormal", "hélène vidal"])
    assert _keys(rs[-1]) == ["ask_number"]
    q = d.qualification()
    assert q is not None and q["callback"] is None


def test_confirmation_listens_for_yes_or_no_with_a_phrase_hint() -> None:
    d = _dialog()
    rs = _play(d, "+33612345678", ["la pompe fuit", "rené blanc"])
    listen = rs[-1].listen
    assert listen is not None and listen.expect == "yes_no" and "oui" in listen.phrases and "non" in listen.phrases


def test_no_callback_wanted_at_the_confirmation() -> None:
    d = _dialog()
    rs = _play(d, "+33612345678", ["je voulais vous remercier pour l'intervention", "odette brun",
                                   "pas besoin de me rappeler merci"])
    assert rs[-1].hangup and _keys(rs[-1]) == ["goodbye_no_callback"]
    assert {"kind": "no_callback"} in rs[-1].actions
    q = d.qualification()
    assert q is not None and q["callback"] == "+33612345678" and q["callback_confirmed"] is False


def test_a_greeting_alone_is_not_a_reason() -> None:
    d = _dialog()
    rs = _play(d, "+33612345678", ["allo bonjour", "bonjour c'est gaston leroy de la scierie leroy",
                                   "notre scie est bloquée on ne peut plus rien couper", "oui"])
    assert _keys(rs[1]) == ["ask_reason"]
    assert _keys(rs[2]) == ["confirm_caller_id"]  # the reason was asked twice already: not a third time
    assert _keys(rs[3]) == ["urgent", "confirm_caller_id"] and rs[3].urgent
    assert rs[4].hangup
    q = d.qualification()
    assert q is not None and q["name"] == "Gaston Leroy" and q["company"] == "Scierie Leroy" and q["urgent"]


def test_from_config() -> None:
    from appliance.config import load_config_text

    cfg = load_config_text('[company]\nname = "Froid Service"\nlanguage = "en"\n[[lines]]\nname = "l1"\n'
                           'country = "GB"\n', source="<test>")
    d = ScriptedDialog.from_config(cfg, clock=lambda: WEDNESDAY_10H)
    r = d.start(CallContext(call_id="c", caller_number="07700900123"))
    assert d.lang == "en" and "Froid Service" in r.say[0].text
    r = d.hear("the freezer has stopped working")
    r = d.hear("amy lowe")
    assert "07700 900 123" in r.say[0].text


def test_qualification_before_and_right_after_start() -> None:
    d = _dialog()
    assert d.qualification() is None
    d.start(CallContext(call_id="q", caller_number=None))
    d.hung_up()
    q = d.qualification()
    assert q is not None and q["id"] == "q" and q["name"] is None and q["callback"] is None
    assert q["category"] == "other" and q["urgent"] is False


@pytest.mark.parametrize("answer", ["vous pouvez me rappeler sur ce numéro", "ce numéro", "sur le numéro qui s'affiche",
                                    "oui", "c'est bon"])
def test_caller_id_accepted_in_many_ways(answer: str) -> None:
    d = _dialog()
    rs = _play(d, "+33612345678", ["la pompe de relevage est en panne", "rémi caron", answer])
    assert rs[-1].hangup and {"kind": "callback_confirmed", "number": "+33612345678"} in rs[-1].actions


def test_number_keyed_one_key_at_a_time() -> None:
    d = _dialog()
    _play(d, None, ["je voudrais un devis", "inès roche"])
    replies = [d.dtmf(k) for k in "054711223"]
    assert all(not r.say and r.listen is not None for r in replies)
    r = d.dtmf("3")
    assert _keys(r) == ["read_back"] and "05 47 11 22 33" in r.say[0].text


def test_bad_keyed_number_is_asked_again() -> None:
    d = _dialog()
    _play(d, None, ["je voudrais un devis", "inès roche"])
    r = d.dtmf("1234#")
    assert _keys(r) == ["number_not_understood"]


def test_number_said_in_two_pieces() -> None:
    d = _dialog()
    _play(d, None, ["je voudrais un devis", "inès roche"])
    r = d.hear("zéro cinq quarante-sept")
    assert not r.say and r.listen is not None and r.listen.expect == "number"
    r = d.hear("onze vingt-deux trente-trois")
    assert _keys(r) == ["read_back"] and "05 47 11 22 33" in r.say[0].text


def test_keypad_yes_is_not_recorded_as_speech() -> None:
    d = _dialog()
    _play(d, "+33612345678", ["la pompe fuit", "rené blanc"])
    r = d.dtmf("1")
    assert r.hangup and {"kind": "callback_confirmed", "number": "+33612345678"} in r.actions
    assert d.turns == ["la pompe fuit", "rené blanc"]


def test_read_back_is_not_repeated_forever() -> None:
    d = _dialog()
    rs = _play(d, None, ["la pompe fuit", "rené blanc", "zéro six douze trente-quatre cinquante-six soixante-dix-huit"])
    assert _keys(rs[-1]) == ["read_back"]
    r = rs[-1]
    for _ in range(6):
        if r.hangup:
            break
        r = d.hear("hein")
    assert r.hangup
    q = d.qualification()
    assert q is not None and q["callback"] == "+33612345678" and q["callback_confirmed"] is False


@pytest.mark.parametrize("lang,caller,turns", [
    ("en", "+447700900111", ["hi our chiller has stopped cooling", "tina moss from moss catering", "no",
                             "oh seven seven double oh nine hundred two two two", "yes"]),
    ("fr", None, ["je voudrais un devis", "paul roux", "zéro six douze trente-quatre cinquante-six soixante-dix-huit",
                  "oui"]),
])
def test_each_question_is_the_recogniser_context_of_its_answer(lang: str, caller: str | None,
                                                              turns: list[str | None]) -> None:
    rs = _play(_dialog(lang), caller, turns)
    asked = 0
    for r in rs:
        if r.hangup or r.listen is None or not r.say:
            continue
        question = [p for p in r.say if p.key.startswith(("ask_", "confirm_"))]
        if question:
            asked += 1
            assert r.listen.context == question[-1].text  # what the caller is answering
    assert asked >= 2
