"""The call script: a small state machine over what the caller says.

Greeting (by name for a caller the directory knows; saying when the office is
closed) → reason for the call → the closed urgency question when the reason
could be urgent but nothing decided it (or the deciding words were heard with
low confidence, or the caller only says it is urgent) → name and company, read
back until confirmed (:mod:`.identity`: one retry, then spelling; a known
caller only confirms the directory's entry) → callback number (caller id
offered first, a spoken or keyed number read back; none when the caller will
call back) → goodbye with the callback delay. Simple questions (opening hours,
rates, availability, service area, address, the company's own FAQ topics) are
answered from the configuration, then "anything else?" (a caller who only
wanted to know is not asked who they are). An urgent call is announced as soon
as urgency is decided, with the reason in a few words (``Reply.urgent``
once); the caller may deny it, which lowers it. Nothing already heard is asked
again; silence gets one re-prompt (with the keypad for yes/no), then a message
is taken; a caller may correct the number at any time ("non c'est le zéro six
..."). Every sentence comes from the prompt file (:mod:`.prompts`).

>>> from appliance.config import CompanyConfig
>>> from appliance.conversation.qualifier import Qualifier
>>> d = ScriptedDialog(CompanyConfig(name="Maintenance Dupuis"), "fr", Qualifier.load("fr"))
>>> r = d.start(CallContext(call_id="c1", caller_number="+33612345678"))
>>> r.say[0].text
'Bonjour, vous êtes bien chez Maintenance Dupuis. Que puis-je faire pour vous ?'
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from ..config import CompanyConfig, Config
from ..qualification import Qualification
from .base import CallContext, Heard, KnownCaller, ListenSpec, Prompt, Reply
from .entities import company_answer
from .hours import say_hours
from .identity import IdentityCheck, plausible
from .numbers import (
    find_phone,
    keyed_in_full,
    misheard_repeat,
    read_back,
    refers_to_caller_id,
    spoken_digits,
    to_e164,
)
from .prompts import Prompts, load_prompts
from .qualifier import Qualifier
from .text import distance, fold

_COUNTRY = {"fr": "FR", "en": "GB"}
# questions answered by yes or no (keypad 1 / 2 too)
_YES_NO = ("confirm_number", "confirm_caller", "urgency", "identity_check")
# The answer to the read-back of a callback number ("yes", "no it's oh seven seven...") holds none of the
# business's words: the recogniser is not given them. On 325 spoken corrections Whisper base read the number
# right 270 times without them and 241 with them; on a number said after "What number...?" they made no
# clear difference (205 against 199), and are kept there.
NUMBER_TURNS = ("confirm_number", "confirm_caller")
SHORT_ANSWER = 3  # words: an answer to a yes/no question no longer than this that is neither is a slip



def _near_yes_no(folded: str, words: Mapping[str, Sequence[str]]) -> tuple[bool, bool]:
    """(yes, no) for a one-word answer one letter away from exactly one of the language's one-word yes / no
    words ("eui" for "oui", "yeah" misheard "yeas"): a recogniser's slip on the shortest answer there is."""
    tokens = folded.split()
    if len(tokens) != 1 or len(tokens[0]) < 3:
        return False, False
    near = {kind for kind in ("yes", "no") for w in words[kind]
            if " " not in w and "*" not in w and len(w) >= 3 and distance(tokens[0], w) <= 1}
    return near == {"yes"}, near == {"no"}


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
        self.turns: list[str] = []  # what the qualifier reads (not the spelled letters nor read-back answers)
        self.heard: list[Heard | None] = []  # the recogniser's view of each of those turns
        self.asked: dict[str, int] = {}
        self.expect: str | None = None
        self.reason_heard = False
        self.pending: str | None = None
        self.confirmed: str | None = None
        self.caller_offered = False
        self.number_given_up = False
        self.no_callback = False
        self.urgent_announced = False
        self.urgency_asked = False  # the closed question was asked
        self.urgency_answer: bool | None = None  # the caller's yes / no to it (or to the announcement)
        self.urgency_reasked = False  # asked again after an answer that was neither yes nor no
        self.known: KnownCaller | None = None
        self.identity = IdentityCheck(lang, self.prompts)
        self.info_only = False  # the caller only wanted to know something the box answered
        self.identity_missed = False  # the answer to "your name?" held none
        self.no_company = False  # the caller said they call for no company
        self.company_said: str | None = None  # the answer to "and your company?", read on its own
        self.number_rejections = 0  # read-backs of a number the caller said no to
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
        return Prompt(self.prompts.say(key, **fields), fixed=self.prompts.fixed(key), key=key)

    def _caller(self) -> str | None:
        n = self.ctx.caller_number
        return to_e164(n, self.country) if n else None

    def _requalify(self) -> Qualification:
        self._q = self.qualifier.qualify(self.turns, self._caller(), country=self.country,
                                         call_id=self.ctx.call_id or None, heard=self.heard, known=self.known,
                                         urgency_answer=self.urgency_answer)
        return self._q

    def opening_hours_text(self) -> str:
        """The opening hours in words, as the box says them ("du lundi au vendredi de 8 heures à ...")."""
        return say_hours(self.company.opening_hours, self.prompts.hours)

    def _faq(self, folded: str) -> tuple[str, Prompt] | None:
        for topic, answer in self.company.faq.items():
            keys = [w for w in fold(topic).split() if len(w) >= 4] or fold(topic).split()
            if keys and all(any(t.startswith(k[:5]) for t in folded.split()) for k in keys):
                return topic, self._p("faq_topic", answer=answer)
        for topic, phrases in self.prompts.faq.items():
            if not _has(phrases, folded):
                continue
            if topic == "opening_hours":
                hours = self.opening_hours_text()
                return topic, (self._p("faq_opening_hours", hours=hours) if hours else self._p("faq_unknown"))
            value = str(getattr(self.company, topic, "") or "")
            return topic, (self._p(f"faq_{topic}", answer=value) if value else self._p("faq_unknown"))
        return None

    def _ask(self, key: str, expect: str, listen: str = "free", context: str | None = None,
             **fields: Any) -> Prompt:
        self.asked[key] = self.asked.get(key, 0) + 1
        self.expect = expect
        prompt = self._p(key, **fields)
        self.last_question = prompt
        phrases: tuple[str, ...] = ()
        if listen == "yes_no":
            phrases = self.prompts.phrases["yes"] + self.prompts.phrases["no"]
        elif listen == "spelling":
            phrases = self.prompts.spelling.phrases()
        self.last_listen = ListenSpec(listen, phrases, context=context or prompt.text,  # type: ignore[arg-type]
                                      business_words=expect not in NUMBER_TURNS)
        return prompt

    def _finish(self, key: str | None = None) -> Reply:
        q = self._q or self._requalify()
        self.done = True
        self.expect = None
        if key is None:
            if self.no_callback or self.info_only or not (self.confirmed or self.pending or q.callback):
                key = "goodbye_no_callback"
            else:
                key = "goodbye"
        level = q.urgency
        delay = (self.prompts.delays.get(level) if level else None) or f"{q.sla_minutes} minutes"
        return Reply(say=(self._p(key, delay=delay, minutes=q.sla_minutes),), hangup=True)

    def _callback_settled(self) -> bool:
        return self.confirmed is not None or self.no_callback or self.number_given_up

    # ------------------------------------------------------------------ what to ask next

    def _next(self, says: list[Prompt], actions: list[dict[str, Any]], urgent: bool = False) -> Reply:
        q = self._q or self._requalify()
        question: Prompt | None = None
        for step in (self._reason_step, self._urgency_step, self._identity_step, self._callback_step,
                     self._anything_else_step):
            question = step(q)
            if question is not None:
                break
        if question is None:
            bye = self._finish()
            return Reply(say=(*says, *bye.say), hangup=True, actions=tuple(actions), urgent=urgent)
        return Reply(say=(*says, question), listen=self.last_listen, actions=tuple(actions), urgent=urgent)

    def _reason_step(self, q: Qualification) -> Prompt | None:
        if not self.reason_heard and self.asked.get("ask_reason", 0) < 2:
            return self._ask("ask_reason", "reason")
        return None

    def _urgency_due(self, q: Qualification) -> bool:
        """Ask the closed question? Only once, only with a cue, never when a decisive cue decided."""
        if self.urgency_asked or self.urgency_answer is not None or self.urgent_announced or self.info_only:
            return False
        return (q.possibly_urgent or q.caller_claims_urgent or "urgent" in q.unconfirmed
                or (q.urgent and not q.decisive))

    def _ask_urgency_again(self, text: str, folded: str) -> bool:
        """A short answer to the closed question that is neither yes nor no ("here", "guess": a yes misheard)
        is asked once more, with the keypad; a longer one, a number, or words that decide (a danger) are an
        answer about something else, and the rules decide."""
        if self.urgency_reasked or not folded or len(folded.split()) > SHORT_ANSWER or \
                find_phone(text, lang=self.lang, country=self.country):
            return False
        q = self.qualifier.qualify([*self.turns, text], self._caller(), country=self.country, heard=self.heard,
                                   known=self.known)
        if q.urgent and q.decisive:
            return False
        self.urgency_reasked = True
        return True

    def _urgency_step(self, q: Qualification) -> Prompt | None:
        if not self._urgency_due(q):
            return None
        self.urgency_asked = True
        return self._ask("ask_urgency", "urgency", "yes_no")

    def _identity_step(self, q: Qualification) -> Prompt | None:
        if self.info_only:
            return None
        idc = self.identity
        name, company = plausible("name", q.name), plausible("company", self._company_of(q))
        if not idc.state:
            k = self.known
            again = self.asked.get("ask_identity_again", 0) + self.asked.get("ask_name_again", 0)
            if k is not None and k.name and "directory.name" in q.rules:
                idc.start(k.name, k.company, known=True)
            elif name is None and not self.asked.get("ask_identity") and not self.asked.get("ask_name"):
                return self._ask("ask_name" if company else "ask_identity", "identity", "name")
            elif name or company:
                idc.start(name, company)
            elif self.identity_missed and not again:
                self.identity_missed = False  # an answer with no name in it: asked once more
                return self._ask("ask_identity_again" if self.asked.get("ask_identity") else "ask_name_again",
                                 "identity", "name")
            elif self.identity_missed and not self.asked.get("spell_name"):
                self.identity_missed = False  # still none: spelled
                idc.spell_only("name")
        if idc.name and not idc.company and not idc.known and idc.state and self._company_due():
            return self._ask("ask_company", "company", "name")  # before the read-back, or once the name is spelled
        asked = idc.next_question()
        if asked is None:
            return None
        key, fields = asked
        if key.startswith("spell_"):
            text = self.prompts.text[key]
            question = text[:text.index("?") + 1] if "?" in text else text  # not the example: "G for George"
            return self._ask(key, "spelling", "spelling", context=question, **fields)
        if key.endswith("_again"):
            return self._ask(key, "identity_check", "name", **fields)
        # the read-back conditions the recogniser like the question it checks (not on the words heard)
        neutral = self.prompts.text["ask_identity" if idc.company else "ask_name"]
        return self._ask(key, "identity_check", "yes_no", context=neutral, **fields)

    def _company_due(self) -> bool:
        """Ask for the company once, when a name came without one (and the prompt file has the question)."""
        return "ask_company" in self.prompts.text and not self.asked.get("ask_company") and not self.no_company

    def _company_of(self, q: Qualification) -> str | None:
        """The company: none when the caller said they call for none, else the one the turns give, else the
        answer to "and your company?" read on its own."""
        return None if self.no_company else q.company or self.company_said

    def _company_answer(self, text: str, folded: str, is_no: bool) -> bool:
        """The answer to "and your company?": True when it was one (the caller calls for none, or names it);
        False when it gave neither (then read as any turn: a number, the reason again)."""
        if is_no or _has(self.prompts.words["no_company"], folded):
            self.no_company = True
            return True
        self.company_said = company_answer(text, self.lang, self.identity.name)
        if self.company_said:
            self.identity.add_company(self.company_said)
        return self.company_said is not None

    def _callback_step(self, q: Qualification) -> Prompt | None:
        if self.info_only or self._callback_settled():
            return None
        if self.pending and self.asked.get("read_back", 0) >= 3:
            self.number_given_up = True  # keep the number heard, unconfirmed
        elif self.pending:
            return self._ask("read_back", "confirm_number", "yes_no", number=read_back(self.pending))
        elif self._caller() and not self.caller_offered:
            self.caller_offered = True
            return self._ask("confirm_caller_id", "confirm_caller", "yes_no", number=read_back(self._caller() or ""))
        elif self.asked.get("ask_number", 0) + self.asked.get("number_not_understood", 0) < 3:
            heard_wrong = self.asked.get("ask_number") or self.number_rejections >= 2 or (
                self.number_rejections and self.expect == "confirm_number")
            key = "number_not_understood" if heard_wrong else "ask_number"
            return self._ask(key, "number", "number")
        else:
            self.number_given_up = True
        return None

    def _anything_else_step(self, q: Qualification) -> Prompt | None:
        if self.faq_answered and not self.nothing_else and self.asked.get("anything_else", 0) < 3:
            return self._ask("anything_else", "anything_else", "free")
        return None

    def _urgency(self, says: list[Prompt], actions: list[dict[str, Any]]) -> bool:
        """Announce an urgent call once it is decided: by a decisive cue, by the caller's answer, or by the
        rules after the closed question went unanswered."""
        q = self._requalify()
        if not q.urgent or self.urgent_announced:
            return False
        undecided = not q.decisive or "urgent" in q.unconfirmed
        if self.urgency_answer is None and undecided and not self.urgency_asked:
            return False  # the closed question comes first
        self.urgent_announced = True
        if q.urgent_because:
            says.append(self._p("urgent_because", because=q.urgent_because, minutes=q.sla_minutes))
        else:
            says.append(self._p("urgent", minutes=q.sla_minutes))
        actions.append({"kind": "urgent_announced", "sla_minutes": q.sla_minutes, "routing": q.routing})
        return True

    # ------------------------------------------------------------------ Dialog protocol

    def start(self, ctx: CallContext) -> Reply:
        self.ctx = ctx
        self.known = ctx.known
        self.started = True
        try:
            open_now = ctx.office_open and self.company.is_open(self.clock())
        except (ValueError, OverflowError):
            open_now = ctx.office_open
        self.asked["ask_reason"] = 1
        self.expect = "reason"
        who = (ctx.known.greeting_name or ctx.known.name) if ctx.known else None
        if who:
            greeting = self._p("greeting_known" if open_now else "greeting_known_closed", greeting_name=who)
        else:
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
        return self._answer(text, heard or Heard(text, confidence))

    def _keep(self, text: str, heard: Heard | None) -> None:
        """A spoken turn the qualifier reads (keys standing for yes / no are not words)."""
        if heard is not None:
            self.turns.append(text)
            self.heard.append(heard)

    def _answer(self, text: str, heard: Heard | None = None) -> Reply:
        """React to what was said (``heard`` None: a key, 1 / 2 on the keypad, standing for yes / no)."""
        self.silences = 0
        f = fold(text)
        words = self.prompts.words
        says: list[Prompt] = []
        actions: list[dict[str, Any]] = []
        expect = self.expect
        if expect == "message":
            self._keep(text, heard)
            return self._finish("goodbye_message")
        is_no = _starts(words["no"], f)
        is_yes = not is_no and (_starts(words["yes"], f) or _has(words["yes"], f))
        if not (is_yes or is_no) and self.last_listen.expect == "yes_no":
            is_yes, is_no = _near_yes_no(f, words)
        denied = self._denied(f, is_no, expect)
        if expect in ("identity_check", "spelling") and not denied:
            if self._moved_on(text, f):
                self.identity.skip()
            elif self.identity.answer(text, yes=is_yes, no=is_no):
                self._directory_denied()
                return self._next(says, actions)
            expect = None  # something else was said: take it as it comes
        unkept = self._not_kept(text, f, expect, is_yes or is_no)
        if unkept is not None:
            return unkept
        self._keep(text, heard)
        number = find_phone(text, lang=self.lang, country=self.country)
        if _has(words["no_callback"], f):
            self.no_callback = True
            actions.append({"kind": "no_callback"})
        if expect == "urgency":
            if is_yes or is_no or _has(words["deny_urgent"], f):
                self.urgency_answer = is_yes
                actions.append({"kind": "urgency_answer", "urgent": is_yes})
        elif denied:
            self.urgency_answer = False
            if not self._requalify().urgent:
                says.append(self._p("urgency_lowered"))
                actions.append({"kind": "urgency_denied"})
        if expect in ("confirm_number", "confirm_caller"):
            again = self._confirmation(text, number, is_yes, is_no, says, actions)
            if again is not None:
                return again
        elif expect == "number":
            waiting = self._number_answer(text, number, f, says, actions)
            if waiting is not None:
                return waiting
        else:
            if number:
                self.pending = number
            elif self._caller() and not (self.confirmed or self.no_callback) and refers_to_caller_id(text, self.lang):
                self._confirm(self._caller() or "", says, actions)
            if expect == "identity":
                self._identity_answer(f, says)
        urgent = self._urgency(says, actions)
        q = self._q or self._requalify()
        self._after_reason(q, f, expect)
        self._after_question(q, f, expect, is_yes, is_no, says, actions)
        return self._next(says, actions, urgent)

    def _not_kept(self, text: str, folded: str, expect: str | None, yes_or_no: bool) -> Reply | None:
        """The reply to an answer the qualifier is not given: the company said alone (a company's words are no
        reason: "fire and flood restoration"), a short unclear answer to the closed question ("oh" is no name)."""
        if expect == "company" and self._company_answer(text, folded, _starts(self.prompts.words["no"], folded)):
            return self._next([], [])
        if expect == "urgency" and not (yes_or_no or _has(self.prompts.words["deny_urgent"], folded)) and \
                self._ask_urgency_again(text, folded):
            return Reply(say=(self._ask("ask_urgency", "urgency", "yes_no"), self._p("keypad_yes_no")),
                         listen=self.last_listen)
        return None

    def _identity_answer(self, folded: str, says: list[Prompt]) -> None:
        """The answer to "your name?": a private caller says so, a caller may not know; none heard is noted."""
        words = self.prompts.words
        if _has(words["no_company"], folded):
            self.no_company = True  # "tina moss, it's for my house": not asked for a company
        if _has(words["dont_know"], folded):
            says.append(self._p("dont_know"))
        else:
            self.identity_missed = True  # read by _identity_step: only if no name came of it

    def _moved_on(self, text: str, folded: str) -> bool:
        """An answer about the callback, not about the name ("no need to call back", a number)."""
        return bool(_has(self.prompts.words["no_callback"], folded) or find_phone(text, lang=self.lang,
                                                                                 country=self.country)
                    or refers_to_caller_id(text, self.lang))

    def _directory_denied(self) -> None:
        """"No, I am not Mrs Gale": the directory's person is not on the line (its company may still be)."""
        if self.identity.directory_denied and self.known is not None and self.known.name:
            self.known = dataclasses.replace(self.known, name=None, greeting_name=None)
            self._q = None

    def _denied(self, folded: str, is_no: bool, expect: str | None) -> bool:
        """The caller denies the urgency the box announced ("no, it's not urgent")."""
        if not self.urgent_announced or self.urgency_answer is not None:
            return False
        return _has(self.prompts.words["deny_urgent"], folded) or (is_no and expect not in (*_YES_NO, "spelling"))

    def _after_reason(self, q: Qualification, folded: str, expect: str | None) -> None:
        cat_rules = {r.id for c in self.qualifier.rules.categories for r in c.rules}
        if any(r.split("@")[0] in cat_rules for r in q.rules) or (expect == "reason" and (
                (len(folded.split()) >= 4 and not (q.name or q.company)) or self.asked.get("ask_reason", 0) >= 2)):
            self.reason_heard = True

    def _after_question(self, q: Qualification, folded: str, expect: str | None, is_yes: bool, is_no: bool,
                        says: list[Prompt], actions: list[dict[str, Any]]) -> None:
        """Simple questions answered from the configuration, and what "anything else?" got."""
        words = self.prompts.words
        if expect == "anything_else" and (is_no or _has(words["nothing_else"], folded)):
            self.nothing_else = True
        if expect in ("reason", "anything_else") and (q.category == "info" or expect == "anything_else"):
            found = self._faq(folded)
            if found:
                topic, answer = found
                self.faq_answered.append(topic)
                actions.append({"kind": "faq", "topic": topic})
                says.append(answer)
                if expect == "reason" and q.category == "info" and answer.key != "faq_unknown":
                    self.info_only = True  # answered: "anything else?" rather than "who are you?"
            elif expect == "anything_else" and not self.nothing_else:
                self.info_only = False  # something more than information: a message to take
                if not is_yes:
                    says.append(self._p("noted"))

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
        if self.expect == "confirm_caller" and number and caller and misheard_repeat(number, caller):
            number = caller  # the number read out to them, said back and misheard, not another line
        if caller and not number and not is_no and not self.no_callback and refers_to_caller_id(text, self.lang):
            target, is_yes = caller, True  # "oui sur ce numéro", "vous pouvez me rappeler sur ce numéro"
        if self.expect == "confirm_number" and (is_no or (number and number != target)):
            self.number_rejections += 1
        if number and number != target and self.number_rejections < 2:
            self.pending = number  # a correction: read the new number back
        elif target and (is_yes or number == target) and not is_no:
            self._confirm(target, says, actions)
        elif is_no or number:
            self.pending = None  # wrong again, or "no, <the same number>": asked again, with the keypad
        elif len(spoken_digits(text, self.lang, self.country) or "") >= 4:
            # another number, not caught whole ("my mobile is oh seven seven ... "): asked for, with the keypad
            self.pending = None
            urgent = self._urgency(says, actions)
            ask = self._ask("number_not_understood", "number", "number")
            return Reply(say=(*says, ask), listen=self.last_listen, actions=tuple(actions), urgent=urgent)
        elif not self.no_callback:
            if self.asked.get("repeat_confirm", 0) < 1:
                self.asked["repeat_confirm"] = 1  # something else was said: keep it, ask again once
                urgent = self._urgency(says, actions)
                again = (self.last_question,) if self.last_question else ()
                return Reply(say=(*says, *again), listen=self.last_listen, actions=tuple(actions), urgent=urgent)
            if self.expect == "confirm_caller":
                self.pending = None
        return None

    def _number_answer(self, text: str, number: str | None, folded: str, says: list[Prompt],
                       actions: list[dict[str, Any]]) -> Reply | None:
        """The answer to "what number?"; a Reply only while the rest of a number is awaited."""
        if not number:
            number, waiting = self._number_in_pieces(text)
            if waiting:
                return Reply(listen=ListenSpec("number"))
        caller = self._caller()
        if number:
            self.pending = number
        elif caller and refers_to_caller_id(text, self.lang):
            self._confirm(caller, says, actions)
        elif _has(self.prompts.words["dont_know"], folded):
            self.number_given_up = True
            says.append(self._p("dont_know"))
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
        """Keys pressed: 1 = yes / 2 = no to a yes/no question, or a number (key by key or at once, ``#`` ends
        it) — a whole number is taken whatever was asked."""
        if self.done:
            return Reply(hangup=True)
        self.silences = 0
        keys = "".join(c for c in digits if c.isdigit() or c in "#*")
        if self.expect in _YES_NO and self.last_listen.expect == "yes_no" and not self._keys \
                and keys in ("1", "2"):
            return self._answer(self.prompts.words["yes" if keys == "1" else "no"][0])
        numberish = self.expect in ("number", "confirm_number", "confirm_caller")
        self._keys += keys.replace("#", "").replace("*", "")
        ended = "#" in keys
        number = to_e164(self._keys, self.country)
        if number is not None and (ended or keyed_in_full(self._keys, self.country)):
            return self._keyed(number)
        if ended:
            self._keys = ""
            if numberish:
                return Reply(say=(self._ask("number_not_understood", "number", "number"),), listen=self.last_listen)
            return Reply(listen=self.last_listen)
        return Reply(listen=ListenSpec("digits") if numberish or self._keys else self.last_listen)

    def _keyed(self, number: str) -> Reply:
        """A number keyed on the keypad: taken whatever was asked."""
        self._keys = ""
        self.pending = number
        if self.expect == "identity_check":
            self.identity.skip()  # the caller moved on: what was heard stays, unconfirmed
        return self._next([], [])

    def silence(self) -> Reply:
        if self.done:
            return Reply(hangup=True)
        keyed = to_e164(self._keys, self.country) if self._keys else None
        if keyed:
            return self._keyed(keyed)  # keys that make a number, then nothing more: that is the number
        self.silences += 1
        if self.expect == "number" and self._spoken_digits and self.silences < 3:
            # the caller said part of a number and stopped: the box did not catch it, it did not fail to hear
            self._spoken_digits = ""
            return Reply(say=(self._ask("number_not_understood", "number", "number"),), listen=self.last_listen)
        if self.expect == "message" or self.silences >= 3:
            return self._finish("goodbye_message" if self.expect == "message" else None)
        if self.silences == 1 and self.last_question is not None:
            keypad = (self._p("keypad_yes_no"),) if self.last_listen.expect == "yes_no" else ()
            return Reply(say=(self._p("repeat"), self.last_question, *keypad), listen=self.last_listen)
        self.expect = "message"
        return Reply(say=(self._p("take_message"),), listen=ListenSpec("free"))

    def hung_up(self) -> None:
        self.done = True
        self.expect = None

    def qualification(self) -> Qualification | None:
        if not self.started:
            return None
        q = self._q or self._requalify()
        q = dataclasses.replace(q, id=self.ctx.call_id or None, callback=self.confirmed or self.pending or q.callback,
                                callback_confirmed=self.confirmed is not None, company=self._company_of(q))
        return self._checks(q)

    def _checks(self, q: Qualification) -> Qualification:
        """What the caller confirmed, spelled or left unconfirmed, and the first hearing of what changed."""
        idc = self.identity
        if idc.state and (idc.settled or idc.changed):
            q = dataclasses.replace(q, name=idc.name, company=idc.company)
        states = idc.field_states()
        confirmed = [f for f, s in states.items() if s == "confirmed"]
        confirmed += ["callback"] if self.confirmed else []
        confirmed += ["urgent"] if self.urgency_answer is not None else []
        spelled = [f for f, s in states.items() if s == "spelled"]
        unconfirmed = set(q.unconfirmed) | {f for f, s in states.items() if s == "unconfirmed"}
        order = ("urgent", "category", "name", "company", "callback")
        return dataclasses.replace(
            q, unconfirmed=tuple(f for f in order if f in unconfirmed - set(confirmed) - set(spelled)),
            confirmed=tuple(confirmed), spelled=tuple(spelled),
            heard=dict(idc.heard) | ({} if self.confirmed or "callback" not in q.heard else
                                     {"callback": q.heard["callback"]}))
