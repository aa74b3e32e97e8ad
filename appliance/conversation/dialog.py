"""The call script: a small state machine over what the caller says.

Greeting (saying when the office is closed) → reason for the call → name and
company → callback number (caller id offered first, a spoken or keyed number
read back) → goodbye with the callback delay. Simple questions (opening hours,
rates, availability, service area, address, the company's own FAQ topics) are
answered from the configuration, then "anything else?". An urgent call is
announced as soon as urgency is known (``Reply.urgent`` once). Nothing already
heard is asked again; silence gets one re-prompt, then a message is taken; a
caller may correct the number at any time ("non c'est le zéro six ...").
Every sentence comes from the prompt file (:mod:`.prompts`).

>>> from appliance.config import CompanyConfig
>>> from appliance.conversation.qualifier import Qualifier
>>> d = ScriptedDialog(CompanyConfig(name="Maintenance Dupuis"), "fr", Qualifier.load("fr"))
>>> r = d.start(CallContext(call_id="c1", caller_number="+33612345678"))
>>> r.say[0].text
'Bonjour, vous êtes bien chez Maintenance Dupuis. Que puis-je faire pour vous ?'
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from ..config import WEEKDAYS, CompanyConfig, Config, parse_time_ranges
from .base import CallContext, Heard, ListenSpec, Prompt, Reply
from .numbers import find_phone, read_back, refers_to_caller_id, spoken_digits, to_e164
from .prompts import Prompts, load_prompts
from .qualifier import Qualification, Qualifier
from .text import fold

_COUNTRY = {"fr": "FR", "en": "GB"}


def _has(phrases: Sequence[str], folded: str) -> bool:
    padded = f" {folded} "
    for p in phrases:
        if p.endswith("*"):
            if f" {p[:-1]}" in padded:
                return True
        elif f" {p} " in padded:
            return True
    return False


def _starts(phrases: Sequence[str], folded: str) -> bool:
    return any(folded == p or folded.startswith(p + " ") for p in phrases if not p.endswith("*"))


class ScriptedDialog:
    """The full call script for one call (create one per call)."""

    def __init__(self, company: CompanyConfig, lang: str, qualifier: Qualifier,
                 prompts: str | Path | None = None, clock: Callable[[], dt.datetime] | None = None,
                 *, country: str | None = None) -> None:
        self.lang = lang
        self.company = company
        self.qualifier = qualifier
        self.prompts: Prompts = load_prompts(lang, prompts)
        self.clock = clock or (lambda: dt.datetime.now(dt.UTC))
        self.country = country or _COUNTRY.get(lang, "FR")
        self.ctx = CallContext(call_id="", caller_number=None)
        self.started = False
        self._keys = ""  # DTMF digits typed so far
        self._spoken_digits = ""  # a number said over several turns
        self.turns: list[str] = []
        self.asked: dict[str, int] = {}
        self.expect: str | None = None
        self.reason_heard = False
        self.pending: str | None = None
        self.confirmed: str | None = None
        self.caller_offered = False
        self.number_given_up = False
        self.no_callback = False
        self.urgent_announced = False
        self.faq_answered: list[str] = []
        self.nothing_else = False
        self.silences = 0
        self.done = False
        self.last_question: Prompt | None = None
        self.last_listen: ListenSpec = ListenSpec("free")
        self._q: Qualification | None = None

    @classmethod
    def from_config(cls, cfg: Config, *, qualifier: Qualifier | None = None, line: str | None = None,
                    clock: Callable[[], dt.datetime] | None = None) -> ScriptedDialog:
        """The dialog the configuration asks for: company, language, prompt and rules files, and the
        line's country (for national numbers). Pass a shared ``qualifier`` to avoid reloading rules."""
        lang = cfg.company.language
        q = qualifier or Qualifier.load(lang, cfg.qualification.rules or None)
        country = cfg.line(line).country if line else cfg.lines[0].country
        return cls(cfg.company, lang, q, cfg.conversation.prompts or None, clock, country=country)

    # ------------------------------------------------------------------ helpers

    def _p(self, key: str, **fields: Any) -> Prompt:
        fields.setdefault("company", self.company.name)
        return Prompt(self.prompts.say(key, **fields), fixed="{number}" not in self.prompts.text[key], key=key)

    def _caller(self) -> str | None:
        n = self.ctx.caller_number
        return to_e164(n, self.country) if n else None

    def _requalify(self) -> Qualification:
        self._q = self.qualifier.qualify(self.turns, self._caller(), country=self.country,
                                         call_id=self.ctx.call_id or None)
        return self._q

    def opening_hours_text(self) -> str:
        """The opening hours in words, as the box says them ("du lundi au vendredi de 8 heures à ...")."""
        return self._opening_hours()

    def _opening_hours(self) -> str:
        h = self.prompts.hours
        days: list[str] = list(h["days"])

        def fmt_time(t: dt.time) -> str:
            if t == dt.time.max:
                return str(h["time_exact"]).format(h=24, m="00")
            if t.minute == 0:
                return str(h["time_exact"]).format(h=t.hour, m="00")
            return str(h["time"]).format(h=t.hour, m=f"{t.minute:02d}")

        groups: list[tuple[int, int, str]] = []
        for i, wd in enumerate(WEEKDAYS):
            spec = self.company.opening_hours.get(wd, "closed")
            ranges = parse_time_ranges(spec)
            if not ranges:
                continue
            text = str(h["join"]).join(str(h["range"]).format(start=fmt_time(a), end=fmt_time(b))
                                       for a, b in ranges)
            if groups and groups[-1][1] == i - 1 and groups[-1][2] == text:
                groups[-1] = (groups[-1][0], i, text)
            else:
                groups.append((i, i, text))
        parts = []
        for first, last, text in groups:
            when = (str(h["single_day"]).format(day=days[first]) if first == last
                    else str(h["day_span"]).format(first=days[first], last=days[last]))
            parts.append(f"{when} {text}")
        return str(h["group_join"]).join(parts)

    def _faq(self, folded: str) -> tuple[str, Prompt] | None:
        for topic, answer in self.company.faq.items():
            keys = [w for w in fold(topic).split() if len(w) >= 4] or fold(topic).split()
            if keys and all(any(t.startswith(k[:5]) for t in folded.split()) for k in keys):
                return topic, self._p("faq_topic", answer=answer)
        for topic, phrases in self.prompts.faq.items():
            if not _has(phrases, folded):
                continue
            if topic == "opening_hours":
                hours = self._opening_hours()
                return topic, (self._p("faq_opening_hours", hours=hours) if hours else self._p("faq_unknown"))
            value = str(getattr(self.company, topic, "") or "")
            return topic, (self._p(f"faq_{topic}", answer=value) if value else self._p("faq_unknown"))
        return None

    def _ask(self, key: str, expect: str, listen: str = "free", **fields: Any) -> Prompt:
        self.asked[key] = self.asked.get(key, 0) + 1
        self.expect = expect
        prompt = self._p(key, **fields)
        self.last_question = prompt
        phrases = self.prompts.phrases["yes"] + self.prompts.phrases["no"] if listen == "yes_no" else ()
        self.last_listen = ListenSpec(listen, phrases, context=prompt.text)  # type: ignore[arg-type]
        return prompt

    def _finish(self, key: str | None = None) -> Reply:
        q = self._q or self._requalify()
        self.done = True
        self.expect = None
        if key is None:
            if self.no_callback or not (self.confirmed or self.pending or q.callback):
                key = "goodbye_no_callback"
            else:
                key = "goodbye"
        level = q.urgency
        delay = self.prompts.delays.get(level) or f"{q.sla_minutes} minutes"
        return Reply(say=(self._p(key, delay=delay, minutes=q.sla_minutes),), hangup=True)

    def _callback_settled(self) -> bool:
        return self.confirmed is not None or self.no_callback or self.number_given_up

    def _next(self, says: list[Prompt], actions: list[dict[str, Any]], urgent: bool = False) -> Reply:
        q = self._q or self._requalify()
        question: Prompt | None = None
        if not self.reason_heard and self.asked.get("ask_reason", 0) < 2:
            question = self._ask("ask_reason", "reason")
        elif q.name is None and not self.asked.get("ask_identity") and not self.asked.get("ask_name"):
            question = self._ask("ask_name" if q.company else "ask_identity", "identity", "name")
        elif not self._callback_settled():
            if self.pending and self.asked.get("read_back", 0) >= 3:
                self.number_given_up = True  # keep the number heard, unconfirmed
            elif self.pending:
                question = self._ask("read_back", "confirm_number", "yes_no", number=read_back(self.pending))
            elif self._caller() and not self.caller_offered:
                self.caller_offered = True
                question = self._ask("confirm_caller_id", "confirm_caller", "yes_no",
                                     number=read_back(self._caller() or ""))
            elif self.asked.get("ask_number", 0) + self.asked.get("number_not_understood", 0) < 3:
                key = "ask_number" if not self.asked.get("ask_number") else "number_not_understood"
                question = self._ask(key, "number", "number")
            else:
                self.number_given_up = True
        if question is None and self.faq_answered and not self.nothing_else \
                and self.asked.get("anything_else", 0) < 3:
            question = self._ask("anything_else", "anything_else", "free")
        if question is None:
            bye = self._finish()
            return Reply(say=(*says, *bye.say), hangup=True, actions=tuple(actions), urgent=urgent)
        return Reply(say=(*says, question), listen=self.last_listen, actions=tuple(actions), urgent=urgent)

    def _urgency(self, says: list[Prompt], actions: list[dict[str, Any]]) -> bool:
        q = self._requalify()
        if q.urgent and not self.urgent_announced:
            self.urgent_announced = True
            says.append(self._p("urgent", minutes=q.sla_minutes))
            actions.append({"kind": "urgent_announced", "sla_minutes": q.sla_minutes, "routing": q.routing})
            return True
        return False

    # ------------------------------------------------------------------ Dialog protocol

    def start(self, ctx: CallContext) -> Reply:
        self.ctx = ctx
        self.started = True
        try:
            open_now = ctx.office_open and self.company.is_open(self.clock())
        except (ValueError, OverflowError):
            open_now = ctx.office_open
        self.asked["ask_reason"] = 1
        self.expect = "reason"
        greeting = self._p("greeting" if open_now else "greeting_closed")
        self.last_question = self._p("ask_reason")
        self.last_listen = ListenSpec("free")
        return Reply(say=(greeting,), listen=ListenSpec("free"))

    def hear(self, text: str, *, confidence: float | None = None, heard: Heard | None = None) -> Reply:
        if self.done:
            return Reply(hangup=True)
        text = text.strip()
        if not text:
            return self.silence()
        self.turns.append(text)
        return self._answer(text)

    def _answer(self, text: str) -> Reply:
        """React to what was said (or, for 1/2 on the keypad, to the yes/no it stands for)."""
        self.silences = 0
        f = fold(text)
        words = self.prompts.words
        says: list[Prompt] = []
        actions: list[dict[str, Any]] = []
        expect = self.expect
        if expect == "message":
            return self._finish("goodbye_message")
        number = find_phone(text, lang=self.lang, country=self.country)
        is_no = _starts(words["no"], f)
        is_yes = not is_no and (_starts(words["yes"], f) or _has(words["yes"], f))
        if _has(words["no_callback"], f):
            self.no_callback = True
            actions.append({"kind": "no_callback"})
        if expect in ("confirm_number", "confirm_caller"):
            again = self._confirmation(text, number, is_yes, is_no, says, actions)
            if again is not None:
                return again
        elif expect == "number":
            if not number:
                number, waiting = self._number_in_pieces(text)
                if waiting:
                    return Reply(listen=ListenSpec("number"))
            caller = self._caller()
            if number:
                self.pending = number
            elif caller and refers_to_caller_id(text, self.lang):
                self._confirm(caller, says, actions)
            elif _has(words["dont_know"], f):
                self.number_given_up = True
                says.append(self._p("dont_know"))
        else:
            if number:
                self.pending = number
            if expect == "identity" and _has(words["dont_know"], f):
                says.append(self._p("dont_know"))
        urgent = self._urgency(says, actions)
        q = self._requalify() if self._q is None else self._q
        cat_rules = {r.id for c in self.qualifier.rules.categories for r in c.rules}
        if any(r in cat_rules for r in q.rules) or (expect == "reason" and (
                (len(f.split()) >= 4 and not (q.name or q.company)) or self.asked.get("ask_reason", 0) >= 2)):
            self.reason_heard = True
        if expect == "anything_else" and (is_no or _has(words["nothing_else"], f)):
            self.nothing_else = True
        if expect in ("reason", "anything_else") and (q.category == "info" or expect == "anything_else"):
            found = self._faq(f)
            if found:
                topic, answer = found
                self.faq_answered.append(topic)
                actions.append({"kind": "faq", "topic": topic})
                says.append(answer)
            elif expect == "anything_else" and not self.nothing_else and not is_yes:
                says.append(self._p("noted"))
        return self._next(says, actions, urgent)

    def _confirm(self, number: str, says: list[Prompt], actions: list[dict[str, Any]]) -> None:
        self.confirmed = number
        self.pending = None
        actions.append({"kind": "callback_confirmed", "number": number})
        says.append(self._p("number_confirmed"))

    def _confirmation(self, text: str, number: str | None, is_yes: bool, is_no: bool, says: list[Prompt],
                      actions: list[dict[str, Any]]) -> Reply | None:
        """The answer to "je vous rappelle au ... ?"; a Reply only when the question is asked again."""
        caller = self._caller()
        target = self.pending if self.expect == "confirm_number" else caller
        if caller and not number and not is_no and not self.no_callback and refers_to_caller_id(text, self.lang):
            target, is_yes = caller, True  # "oui sur ce numéro", "vous pouvez me rappeler sur ce numéro"
        if number and number != target:
            self.pending = number  # a correction: read the new number back
        elif target and (is_yes or number == target):
            self._confirm(target, says, actions)
        elif is_no:
            self.pending = None
        elif not self.no_callback:
            if self.asked.get("repeat_confirm", 0) < 1:
                self.asked["repeat_confirm"] = 1  # something else was said: keep it, ask again once
                urgent = self._urgency(says, actions)
                again = (self.last_question,) if self.last_question else ()
                return Reply(say=(*says, *again), listen=self.last_listen, actions=tuple(actions), urgent=urgent)
            if self.expect == "confirm_caller":
                self.pending = None
        return None

    def _number_in_pieces(self, text: str) -> tuple[str | None, bool]:
        """(number, still waiting) for a number said over several turns ("zéro six ..." / "douze ...")."""
        part = spoken_digits(text, self.lang, self.country)
        if not part or len(part) >= 9:
            self._spoken_digits = ""
            return None, False
        self._spoken_digits += part
        number = to_e164(self._spoken_digits, self.country) if len(self._spoken_digits) >= 9 else None
        if number is None and len(self._spoken_digits) < 10:
            return None, True
        self._spoken_digits = ""
        return number, False

    def dtmf(self, digits: str) -> Reply:
        """Keys pressed: a number (key by key or at once, ``#`` ends it), or 1 = yes / 2 = no."""
        if self.done:
            return Reply(hangup=True)
        self.silences = 0
        keys = "".join(c for c in digits if c.isdigit() or c in "#*")
        if self.expect in ("confirm_number", "confirm_caller") and not self._keys and keys in ("1", "2"):
            return self._answer(self.prompts.words["yes" if keys == "1" else "no"][0])
        if self.expect not in ("number", "confirm_number", "confirm_caller"):
            return Reply(listen=self.last_listen)
        self._keys += keys.replace("#", "").replace("*", "")
        ended = "#" in keys
        number = to_e164(self._keys, self.country)
        full = number is not None and len(self._keys) >= (10 if self._keys.startswith("0") else 9)
        if full or (ended and number):
            self._keys = ""
            self.pending = number
            return self._next([], [])
        if ended:
            self._keys = ""
            return Reply(say=(self._ask("number_not_understood", "number", "number"),), listen=self.last_listen)
        return Reply(listen=ListenSpec("digits"))

    def silence(self) -> Reply:
        if self.done:
            return Reply(hangup=True)
        self.silences += 1
        if self.expect == "message" or self.silences >= 3:
            return self._finish("goodbye_message" if self.expect == "message" else None)
        if self.silences == 1 and self.last_question is not None:
            return Reply(say=(self._p("repeat"), self.last_question), listen=self.last_listen)
        self.expect = "message"
        return Reply(say=(self._p("take_message"),), listen=ListenSpec("free"))

    def hung_up(self) -> None:
        self.done = True
        self.expect = None

    def qualification(self) -> dict[str, Any] | None:
        if not self.started:
            return None
        q = self._q or self._requalify()
        d = q.to_dict()
        d["id"] = self.ctx.call_id or None
        if self.confirmed:
            d["callback"] = self.confirmed
        elif self.pending:
            d["callback"] = self.pending
        d["callback_confirmed"] = self.confirmed is not None
        return d
