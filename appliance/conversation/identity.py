"""The caller's name and company, read back until the caller agrees.

After the identity answer the box reads back what it understood ("I have Giles Mercer,
Mercer Logistics. Is that right?"). "Yes" confirms it. "No" with a correction ("no, my name
is Giles Mercer") or a bare "no" followed by the answer said again leads to one more
read-back; if that is wrong too, the caller spells each field the corrections changed (or
every field, when they changed nothing). A directory entry (:class:`~.base.KnownCaller`)
is only asked to be confirmed ("Am I speaking with Mrs Gale?").

This object is pure: the dialog tells it what was heard and asks it what to say next.

>>> from appliance.conversation.prompts import load_prompts
>>> c = IdentityCheck("en", load_prompts("en"))
>>> c.start("Charles Mercer", "Mercer Logistics")
>>> c.next_question()
('confirm_identity', {'name': 'Charles Mercer', 'caller_company': 'Mercer Logistics'})
>>> c.answer("no, my name is Giles Mercer", yes=False, no=True)
True
>>> c.next_question()[0], c.name
('confirm_identity', 'Giles Mercer')
>>> c.answer("yes", yes=True, no=False)
True
>>> c.state, c.heard
('confirmed', {'name': 'Charles Mercer'})
"""

from __future__ import annotations

import dataclasses
from typing import Any

from .entities import extract_identity
from .prompts import Prompts
from .spelling import parse_spelling
from .text import distance, fold

FIELDS = ("name", "company")


def plausible(field: str, value: str | None) -> str | None:
    """``value`` when it can be a name (letters, no digit) or a company (some letters), else None: a
    number heard where a name was expected ("0207-946-0001") is not read back as one."""
    if not value or sum(c.isalpha() for c in value) < 2:
        return None
    if field == "name" and any(c.isdigit() for c in value):
        return None
    return value


def _merge(heard: str | None, spelled: str) -> str:
    """The spelled words in place of the words heard they are nearest to: a caller asked to spell their name
    often spells only the surname ("Charles Mercer" + "MERCER" -> "Charles Mercer"; + "GILES" -> "Giles
    Mercer"), and a recogniser may drop a spelled word (the word heard stays)."""
    words = (heard or "").split()
    new = spelled.split()
    if len(new) >= len(words):
        return spelled
    free = list(range(len(words)))
    for w in new:
        i = min(free, key=lambda j: distance(fold(words[j]), fold(w)))
        words[i] = w
        free.remove(i)
    return " ".join(words)


@dataclasses.dataclass
class IdentityCheck:
    """Where the read-back of one caller's name and company stands.

    ``state``: "" (nothing to check yet), "reading" (a read-back or a retry is under way),
    "spelling", then one of "confirmed" (the caller said yes), "spelled" (the caller spelled
    it: what the recogniser made of the letters, not read back), "directory" (the caller
    confirmed the directory's entry) or "unconfirmed" (no usable answer).
    """

    lang: str
    prompts: Prompts
    name: str | None = None
    company: str | None = None
    state: str = ""
    asking: str = ""  # the prompt key of the question in flight
    step: str = "read_back"  # what "reading" asks next: "read_back" or "again" (say it again)
    rejected: int = 0  # read-backs the caller said no to (or corrected)
    unanswered: int = 0  # answers about something else
    first: dict[str, str | None] = dataclasses.field(default_factory=dict)  # the first hearing
    changed: set[str] = dataclasses.field(default_factory=set)  # fields a correction changed
    last_changed: set[str] = dataclasses.field(default_factory=set)  # ... the latest correction
    to_spell: list[str] = dataclasses.field(default_factory=list)
    spelled: set[str] = dataclasses.field(default_factory=set)
    known: bool = False  # the values come from the directory
    directory_denied: bool = False  # the caller said they are not the directory's person

    # ------------------------------------------------------------------ what to ask

    def start(self, name: str | None, company: str | None, *, known: bool = False) -> None:
        """Begin with what was understood (or what the directory knows)."""
        self.name, self.company, self.known = plausible("name", name), plausible("company", company), known
        self.first = {"name": name, "company": company}
        self.state, self.step = "reading", "read_back"

    def add_company(self, company: str) -> None:
        """The company, said on its own after the name (read back with it, unless the name is settled)."""
        self.company = plausible("company", company)
        self.first["company"] = self.company

    @property
    def settled(self) -> bool:
        return self.state in ("confirmed", "spelled", "directory", "unconfirmed")

    def next_question(self) -> tuple[str, dict[str, Any]] | None:
        """(prompt key, fields) of the next question, or None when nothing is left to ask."""
        if self.state == "spelling" and self.to_spell:
            self.asking = f"spell_{self.to_spell[0]}"
            return self.asking, {}
        if self.state != "reading" or not (self.name or self.company):
            return None
        if self.step == "again":
            self.asking = "ask_identity_again" if self.company else "ask_name_again"
            return self.asking, {}
        if self.known:
            self.asking = "confirm_known" if self.company else "confirm_known_name"
        elif self.name and self.company:
            self.asking = "confirm_identity"
        else:
            self.asking = "confirm_name" if self.name else "confirm_company"
        fields = {"name": self.name, "caller_company": self.company}
        return self.asking, {k: v for k, v in fields.items() if v}

    # ------------------------------------------------------------------ what was said

    def answer(self, text: str, *, yes: bool, no: bool) -> bool:
        """The caller's answer to the question in flight; False when it was no answer to it
        (the dialog then treats the words as it would anywhere else)."""
        asking = self.asking
        if asking.startswith("spell_"):
            return self._spelled(asking.removeprefix("spell_"), text)
        if asking in ("ask_identity_again", "ask_name_again"):
            if self._corrected(text, rejection=False):
                return True
            self.state = "unconfirmed"  # no name in the answer: nothing to spell it against
            return False
        if yes:
            self.state = "directory" if self.known else "confirmed"
            return True
        if not no:
            if self._corrected(text):
                return True
            self.unanswered += 1
            if self.unanswered > 1:
                self.state = "unconfirmed"
            return False  # the words were about something else (asked again once)
        rest = self._after_no(text)
        if self.known:  # "no, I am not Mrs Gale": forget the directory's person, ask as for anyone
            self.directory_denied = True
            self.name = None
            if rest and self._corrected(rest):
                return True
            self.state, self.company, self.known = "", None, False
            return True
        if rest and self._corrected(rest):
            return True
        self.rejected += 1
        if self.rejected >= 2:
            self._spell()
        else:
            self.step = "again"
        return True

    def spell_only(self, field: str) -> None:
        """Nothing usable was heard for ``field``, even asked twice: straight to spelling it."""
        self.state, self.to_spell = "spelling", [field]

    def skip(self) -> None:
        """The caller moved on (keyed a number...): what was heard stays, unconfirmed."""
        if self.state in ("reading", "spelling"):
            self.state = "spelled" if self.spelled else "unconfirmed"

    def _after_no(self, text: str) -> str:
        """``text`` without its opening "no" ("no, it's Giles" -> "it's Giles")."""
        raw = text.split()
        for phrase in sorted(self.prompts.words["no"], key=len, reverse=True):
            for n in range(1, min(len(raw), 4) + 1):
                if fold(" ".join(raw[:n])) == phrase:
                    return " ".join(raw[n:])
        return text

    def _corrected(self, text: str, *, rejection: bool = True) -> bool:
        """Take the name and company said in a correction (or said again, ``rejection`` False); False when
        it holds neither."""
        ident = extract_identity(["", text], self.lang)
        name, company = plausible("name", ident.name), plausible("company", ident.company)
        if not name and not company:
            return False
        self.known = False
        self.last_changed = set()
        for field, value in (("name", name), ("company", company)):
            if value and value != getattr(self, field):
                setattr(self, field, value)
                self.changed.add(field)
                self.last_changed.add(field)
        if not self.last_changed and rejection:
            # "no, from Riverside Meats" heard as what was read back: the field the caller keeps repeating is
            # the one in doubt, and the one to spell
            self.last_changed = {f for f, v in (("name", name), ("company", company)) if v}
        self.rejected += rejection
        if self.rejected >= 2:
            self._spell()
        else:
            self.step = "read_back"
        return True

    def _spell(self) -> None:
        """Spell what the caller's last correction was about, else what any correction changed, else all."""
        changed = [f for f in FIELDS if f in self.last_changed and getattr(self, f)]
        changed = changed or [f for f in FIELDS if f in self.changed and getattr(self, f)]
        self.to_spell = changed or [f for f in FIELDS if getattr(self, f)]
        self.state = "spelling" if self.to_spell else "unconfirmed"

    def _spelled(self, field: str, text: str) -> bool:
        value = parse_spelling(text, self.prompts.spelling, (getattr(self, field) or "").split())
        if value:
            setattr(self, field, _merge(getattr(self, field), value))
            self.spelled.add(field)
        if self.to_spell and self.to_spell[0] == field:
            self.to_spell.pop(0)
        if not self.to_spell:
            self.state = "spelled" if self.spelled else "unconfirmed"
        return True

    # ------------------------------------------------------------------ the record

    @property
    def heard(self) -> dict[str, str | None]:
        """The first hearing of each field that ended up different (the raw reading, for the record)."""
        return {f: v for f, v in self.first.items() if v != getattr(self, f) and (v or getattr(self, f))}

    def field_states(self) -> dict[str, str]:
        """"confirmed", "spelled" or "unconfirmed" for each field that has a value."""
        out = {}
        for f in FIELDS:
            if getattr(self, f) is None:
                continue
            if f in self.spelled:
                out[f] = "spelled"
            elif self.state in ("confirmed", "directory"):
                out[f] = "confirmed"
            elif self.state:
                out[f] = "unconfirmed"
        return out
