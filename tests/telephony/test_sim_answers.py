"""Simulated callers answer the box's closed questions truthfully from their labels (issue 13, item 8)."""

from __future__ import annotations

import threading
from typing import Any

import numpy as np
import pytest
from waiting import wait_until

from appliance.telephony.gsm import GsmLine
from appliance.telephony.line import Answered, HungUp, Ready, Ringing
from appliance.telephony.simulator import ScriptedCaller, Simulator
from appliance.telephony.simulator.answers import answer, keys
from appliance.telephony.simulator.voice import tone_voice

from .helpers import wait_for

MERCER = {"urgent": True, "name": "Giles Mercer", "company": "Mercer Logistics Ltd", "callback": "+442079460001"}

ANSWERS: list[tuple[str, list[tuple[str, str]], dict[str, Any] | None, str, str | None]] = [
    ("closed question, urgent", [("ask_urgency", "Is anything stopped?")], MERCER, "en", "yes"),
    ("closed question, not urgent", [("ask_urgency", "Is anything stopped?")], {**MERCER, "urgent": False}, "en",
     "no"),
    ("closed question repeated with the keypad hint", [("repeat", "Sorry"), ("ask_urgency", "Is anything stopped?"),
                                                       ("keypad_yes_no", "press 1")], MERCER, "en", "yes"),
    ("closed question, label missing: next turn", [("ask_urgency", "?")], {"name": "x"}, "en", None),
    ("closed question, label not a bool: next turn", [("ask_urgency", "?")], {"urgent": "yes"}, "en", None),
    ("read-back right (legal form not insisted on)", [("confirm_identity", "I have Giles Mercer, Mercer Logistics. "
                                                      "Is that right?")], MERCER, "en", "yes"),
    ("read-back, wrong name", [("confirm_identity", "I have Charles Mercer, Mercer Logistics. Is that right?")],
     MERCER, "en", "no my name is Giles Mercer"),
    ("read-back, wrong company", [("confirm_identity", "I have Giles Mercer, Merci Logistics. Is that right?")],
     MERCER, "en", "no from Mercer Logistics Ltd"),
    ("read-back, both wrong", [("confirm_identity", "I have Charles Merci. Is that right?")], MERCER, "en",
     "no it's Giles Mercer from Mercer Logistics Ltd"),
    ("read-back of a company alone", [("confirm_company", "I have Mercer Logistics. Is that right?")], MERCER, "en",
     "no my name is Giles Mercer"),
    ("read-back, no company expected", [("confirm_identity", "I have Giles Mercer, Fancy Co. Is that right?")],
     {"name": "Giles Mercer", "company": None}, "en", "yes"),
    ("known caller read-back", [("confirm_known", "Am I speaking with Giles Mercer, Mercer Logistics?")], MERCER,
     "en", "yes"),
    ("say it again", [("ask_identity_again", "Sorry, again?")], MERCER, "en", "Giles Mercer from Mercer Logistics Ltd"),
    ("say the name again", [("ask_name_again", "Sorry, again?")], MERCER, "en", "Giles Mercer"),
    ("spell the name", [("spell_name", "Could you spell your name?")], MERCER, "en",
     "Giles, G I L E S, Mercer, M E R C E R"),
    ("spell the company", [("spell_company", "Could you spell it?")], {"company": "Jean-Luc & Co"}, "en",
     "Jean, J E A N, Luc, L U C, Co, C O"),
    ("épeler le nom", [("spell_name", "Pouvez-vous épeler votre nom ?")], {"name": "Anne Roux"}, "fr",
     "Anne, A N N E, Roux, R O U X"),
    ("number read back right", [("read_back", "I have 02079 460 001. Is that right?")], MERCER, "en", "yes"),
    ("number read back wrong", [("read_back", "I have 02079 46001. Is that right?")], MERCER, "en",
     "no it's oh two oh seven nine, four six oh, oh oh one"),
    ("the company asked alone", [("ask_company", "And your company?")], MERCER, "en", "it's Mercer Logistics Ltd"),
    ("the company asked, none expected", [("ask_company", "And your company?")], {"company": None}, "en",
     "no it's a private call"),
    ("the company asked, not labelled: next turn", [("ask_company", "And your company?")], {"name": "x"}, "en", None),
    ("entreprise demandée", [("ask_company", "Et votre entreprise ?")], {"company": "Roux et Fils"}, "fr",
     "c'est Roux et Fils"),
    ("entreprise demandée, particulier", [("ask_company", "Et votre entreprise ?")], {"company": None}, "fr",
     "non c'est pour moi je suis un particulier"),
    ("a question the script answers", [("ask_identity", "May I have your name?")], MERCER, "en", None),
    ("nothing said yet", [], MERCER, "en", None),
    ("no labels", [("ask_urgency", "?")], None, "en", None),
    ("question fermée", [("ask_urgency", "Est-ce que quelque chose est à l'arrêt ?")], MERCER, "fr", "oui"),
    ("relecture fausse", [("confirm_name", "J'ai noté Gilles Mercier. C'est bien ça ?")],
     {"name": "Giles Mercier"}, "fr", "non je m'appelle Giles Mercier"),
    ("numéro relu faux", [("read_back", "J'ai noté le 06 12 34 56 79. C'est bien ça ?")],
     {"callback": "+33612345678"}, "fr", "non c'est le zéro six, un deux, trois quatre, cinq six, sept huit"),
]


@pytest.mark.parametrize("said,expect,lang,reply", [a[1:] for a in ANSWERS], ids=[a[0] for a in ANSWERS])
def test_answers_from_the_labels(said: list[tuple[str, str]], expect: dict[str, Any] | None, lang: str,
                                 reply: str | None) -> None:
    assert answer(said, expect, lang) == reply


@pytest.mark.parametrize("said,expect,pressed", [
    ([("number_not_understood", "Sorry, type it on your keypad?")], MERCER, "02079460001#"),
    ([("number_not_understood", "?")], {"callback": None}, None),
    ([("number_not_understood", "?")], None, None),
    ([("read_back", "I have 02079 460 001. Is that right?")], MERCER, None),
    ([], MERCER, None),
])
def test_keys_from_the_labels(said: list[tuple[str, str]], expect: dict[str, Any] | None, pressed: str | None) -> None:
    assert keys(said, expect) == pressed


def test_the_caller_answers_the_box_question_then_goes_on_with_its_script() -> None:
    """Over the simulated line: the box's question, told through the side channel, gets the labelled answer
    (spoken), and the next box question gets the next scripted turn; no scripted turn is used up."""
    spoken: list[str] = []
    asked: list[list[tuple[str, str]]] = [[("ask_urgency", "Is anything stopped, or is anyone in danger?")]]
    lock = threading.Lock()

    def voice(text: str, lang: str) -> bytes:
        with lock:
            spoken.append(text)
        return tone_voice(text[:8], lang)

    class BoxSaid:
        def __call__(self) -> list[tuple[str, str]]:
            with lock:
                return asked[-1]

        def mark(self) -> None:
            return None

    box_said = BoxSaid()

    caller = ScriptedCaller(id="labelled", caller_id="+447700900111", lang="en", turns=["tina moss"],
                            expect={"urgent": False, "name": "Tina Moss"}, box_said=box_said, hangup_after_turn=0)
    prompt = (np.sin(np.arange(4000) / 8000 * 2 * np.pi * 300) * 8000).astype("<i2").tobytes()
    with Simulator("gsm", ring_interval=0.2, voice=voice) as sim:
        line = GsmLine("l1", sim.port, audio_port=sim.audio_port or "")
        line.open()
        try:
            wait_for(line, Ready, 5)
            h = sim.place_call(caller)
            wait_for(line, Ringing, 5)
            line.answer()
            wait_for(line, Answered, 5)
            line.play(prompt)  # "is anything stopped?"
            assert wait_until(lambda: len(spoken) == 1, 20)
            with lock:
                asked.append([("ask_identity", "May I have your name?")])
            line.play(prompt)  # "may I have your name?"
            wait_for(line, HungUp, 30)
            result = h.wait(10)
        finally:
            line.close()
    assert spoken == ["no", "tina moss"]
    assert result.answers_spoken == 1 and result.turns_spoken == 1

