"""What a scripted caller answers when the box asks a closed question, truthfully from its labels.

A script line in the corpus format carries the truth in ``expect`` (``urgent``, ``name``,
``company``, ``callback``...). When the box asks the closed urgency question, reads back the
name and company, asks to say them again or to spell them, or reads back a callback number
it heard, the simulated caller answers from those labels instead of speaking its next
scripted turn (and keys the number when the box could not hear it); anything else gets the
next turn, as before. The caller learns which question was asked from an explicit side
channel, the prompt keys and texts of the box's last turns in the call record (see
:class:`~appliance.telephony.simulator.callers.ScriptedCaller`), never from timing; its
answer is then spoken like any turn and recognised by the box's real recogniser.

The phrasing is data: ``answers/<lang>.toml``.

>>> answer([("ask_urgency", "Is anything stopped, or is anyone in danger?")], {"urgent": True}, "en")
'yes'
>>> answer([("confirm_identity", "I have Charles Mercer, Mercer Logistics. Is that right?")],
...        {"name": "Giles Mercer", "company": "Mercer Logistics"}, "en")
'no my name is Giles Mercer'
>>> answer([("spell_name", "Could you spell your name for me, letter by letter?")], {"name": "Giles Mercer"}, "en")
'Giles, G I L E S, Mercer, M E R C E R'
>>> answer([("read_back", "I have 02079 46001. Is that right?")], {"callback": "+442079460001"}, "en")
"no it's oh two oh seven nine, four six oh, oh oh one"
>>> answer([("ask_company", "And the name of your company, if you are calling for one?")], {"company": None}, "en")
"no it's a private call"
>>> answer([("ask_identity", "May I have your name?")], {"name": "Giles Mercer"}, "en") is None
True
"""

from __future__ import annotations

import functools
import re
import tomllib
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import phonenumbers

from ...conversation.numbers import read_back
from ...conversation.text import fold
from ...errors import ConfigError

ANSWERS_DIR = Path(__file__).with_name("answers")
READ_BACKS = ("confirm_identity", "confirm_name", "confirm_company", "confirm_known", "confirm_known_name")
KEYS = ("yes", "no", "identity", "name_only", "company_only", "no_company", "wrong_name", "wrong_company",
        "wrong_both", "wrong_number",
        "spell_word", "letter_join", "word_join", "optional_company_words", "digits")


@functools.lru_cache(maxsize=4)
def phrasing(lang: str) -> Mapping[str, Any]:
    path = ANSWERS_DIR / f"{lang}.toml"
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read the simulated caller's answers: {exc}") from None
    missing = [k for k in KEYS if k not in data]
    if missing:
        raise ConfigError(f"{path}: missing {', '.join(missing)}")
    return data


def _said(value: str, text: str, optional: Sequence[str] = ()) -> bool:
    """Does ``text`` (what the box read back) say ``value``, its words in a row (bar optional ones)?"""
    heard = " " + " ".join(w for w in fold(text).split() if w not in optional) + " "
    wanted = " ".join(w for w in fold(value).split() if w not in optional)
    return bool(wanted) and f" {wanted} " in heard


def _read_back(text: str, expect: Mapping[str, Any], p: Mapping[str, Any]) -> str | None:
    name, company = expect.get("name"), expect.get("company")
    if not name and not company:
        return None
    name_ok = not name or _said(str(name), text)
    company_ok = not company or _said(str(company), text, p["optional_company_words"])
    if name_ok and company_ok:
        return str(p["yes"])
    if not name_ok and not company_ok and name and company:
        return str(p["wrong_both"]).format(name=name, company=company)
    if not name_ok and name:
        return str(p["wrong_name"]).format(name=name)
    return str(p["wrong_company"]).format(company=company)


def _national(e164: str) -> str:
    """The digits a caller says for their own number (national form: 020 7946 0001 -> 02079460001)."""
    try:
        n = phonenumbers.parse(e164)
        return re.sub(r"\D", "", phonenumbers.format_number(n, phonenumbers.PhoneNumberFormat.NATIONAL))
    except phonenumbers.NumberParseException:
        return re.sub(r"\D", "", e164)


def _number_read_back(text: str, callback: str, p: Mapping[str, Any]) -> str:
    digits = _national(callback)
    if re.sub(r"\D", "", text)[-9:] == digits[-9:]:
        return str(p["yes"])
    words = p["digits"]
    groups = read_back(callback).split() if callback.startswith("+") else [digits]
    if "".join(groups) != digits:
        groups = [digits]
    return str(p["wrong_number"]).format(
        number=", ".join(" ".join(words[int(d)] for d in g) for g in groups))


def keys(box_prompts: Sequence[tuple[str, str]], expect: Mapping[str, Any] | None) -> str | None:
    """Keys to press for the box's last question: the callback number when the box could not hear it."""
    if not expect or not box_prompts or not isinstance(expect.get("callback"), str):
        return None
    if box_prompts[-1][0] == "number_not_understood":
        return _national(expect["callback"]) + "#"
    return None


def _spell(value: str, p: Mapping[str, Any]) -> str:
    words = [w for w in value.replace("-", " ").split() if any(c.isalpha() for c in w)]
    return str(p["word_join"]).join(
        str(p["spell_word"]).format(word=w, letters=str(p["letter_join"]).join(c.upper() for c in w if c.isalpha()))
        for w in words)


def for_voice(text: str, lang: str) -> str:
    """An answer as the caller's voice must be told to say it: a spelled letter (a capital standing alone) that
    the synthesiser would read as a word is written as it sounds (``spoken_letters``: English "A", read as the
    article "uh", is "eigh"). The answer's text itself, what a text bench hears, keeps the letter.

    >>> for_voice("Ann, A N N", "en"), for_voice("Anne, A N N E", "fr")
    ('Ann, eigh N N', 'Anne, A N N E')
    """
    said = phrasing(lang).get("spoken_letters", {})
    if not said:
        return text
    return re.sub(r"(?<![\w'-])[A-Z](?![\w'-])", lambda m: str(said.get(m.group().lower(), m.group())), text)


def answer(box_prompts: Sequence[tuple[str, str]], expect: Mapping[str, Any] | None, lang: str) -> str | None:
    """What to say to the box's last question (``box_prompts``: its (key, text) since the caller last spoke),
    or None when the next scripted turn is the answer."""
    if not expect or not box_prompts:
        return None
    p = phrasing(lang)
    key, text = box_prompts[-1]
    for k, t in reversed(box_prompts):  # "keypad_yes_no" or "repeat" may follow or precede the question
        if k not in ("keypad_yes_no", "repeat"):
            key, text = k, t
            break
    if key == "ask_urgency" and isinstance(expect.get("urgent"), bool):
        return str(p["yes"] if expect["urgent"] else p["no"])
    if key in READ_BACKS:
        return _read_back(text, expect, p)
    if key == "read_back" and isinstance(expect.get("callback"), str):
        return _number_read_back(text, expect["callback"], p)
    name, company = expect.get("name"), expect.get("company")
    if key == "ask_company" and "company" in expect:
        return str(p["company_only"]).format(company=company) if company else str(p["no_company"])
    if key in ("ask_identity_again", "ask_name_again") and name:
        return str(p["identity"] if company and key == "ask_identity_again" else p["name_only"]).format(
            name=name, company=company)
    if key.startswith("spell_"):
        value = expect.get(key.removeprefix("spell_"))
        return _spell(str(value), p) if value else None
    return None
