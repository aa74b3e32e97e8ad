"""What the box says while putting a caller through: the prompt file's ``[transfer]`` sentences, filled in.

The brief the technician hears is built from the call as known at that moment
(the directory's name or the one the caller gave, their company, their own words,
how soon it is to be handled, the number to call back), one sentence per part,
each part left out when unknown. Caller-controlled text is cleaned (no control
characters, no markup) and cut short before it is spoken.

>>> from appliance.conversation.prompts import load_prompts
>>> t = TransferTexts(load_prompts("en"), "ACME")
>>> t.say("choice", {}, "Ann").text
'Press 1 to take the call, or 2 to decline.'
"""

from __future__ import annotations

from typing import Any

from ..alerts.text import clean
from ..conversation.base import Prompt
from ..conversation.numbers import read_back
from ..conversation.prompts import Prompts
from ..errors import ConfigError
from .machine import Sentence

WHAT_WORDS = 12
"""At most this many of the caller's words in the brief."""
FIXED = ("putting_through", "still_trying", "choice", "connecting")


class TransferTexts:
    def __init__(self, prompts: Prompts, company: str) -> None:
        if not prompts.transfer:
            raise ConfigError(f"{prompts.source}: no [transfer] sentences for language {prompts.lang!r}")
        self.p = prompts
        self.company = company

    def _t(self, key: str, **fields: Any) -> str:
        return self.p.transfer[key].format(company=self.company, **fields)

    def delay(self, info: dict[str, Any]) -> str:
        level = str(info.get("urgency") or "")
        minutes = info.get("sla_minutes")
        return self.p.delays.get(level) or (f"{minutes} minutes" if minutes else self.p.delays.get("critical", ""))

    def say(self, sentence: Sentence, info: dict[str, Any], person: str) -> Prompt:
        key = f"transfer_{sentence}"
        if sentence == "brief":
            return Prompt(self.brief(info, person), fixed=False, key=key)
        if sentence == "not_reached":
            return Prompt(self._t("not_reached", delay=self.delay(info)), fixed=True, key=key)
        return Prompt(self._t(sentence), fixed=sentence in FIXED, key=key)

    def brief(self, info: dict[str, Any], person: str) -> str:
        """The brief, then the choice: who, from which company, what, how soon, which number."""
        name = clean(info.get("name"), 60)
        org = clean(info.get("company"), 60)
        what = " ".join(clean(info.get("what"), 400).split()[:WHAT_WORDS]).rstrip(".!?,;: ")
        number = str(info.get("callback") or "")
        parts = [self._t("brief", person=clean(person, 40))]
        if name and org:
            parts.append(self._t("brief_name_company", name=name, caller_company=org))
        elif name:
            parts.append(self._t("brief_name", name=name))
        if what:
            parts.append(self._t("brief_what", what=what))
        parts.append(self._t("brief_delay", delay=self.delay(info), minutes=info.get("sla_minutes") or ""))
        if number.startswith("+"):
            parts.append(self._t("brief_number", number=read_back(number, self.p.lang)))
        parts.append(self._t("choice"))
        return " ".join(parts)

    def fixed_texts(self, delays: list[str]) -> list[str]:
        """The sentences worth rendering once into the prompt cache."""
        out = [self._t(k) for k in FIXED]
        out.extend(self._t("not_reached", delay=d) for d in delays)
        return out
