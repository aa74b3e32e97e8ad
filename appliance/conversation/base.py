"""The small interface between the call handler and a conversation.

A :class:`Dialog` is a pure state machine: the handler calls :meth:`Dialog.start`
once the call is answered, then feeds it what it heard (:meth:`Dialog.hear`),
keys pressed (:meth:`Dialog.dtmf`) and silences (:meth:`Dialog.silence`). Each
call returns a :class:`Reply`: prompts to say, then either listen (with a hint
of what is expected) or hang up. The handler owns audio, recognition, timing
and storage; the dialog owns what is said and understood.

>>> from appliance.conversation.minimal import MinimalDialog
>>> d = MinimalDialog(company="ACME", lang="en")
>>> d.start(CallContext(call_id="x", caller_number=None)).say[0].fixed
True
"""

from __future__ import annotations

import dataclasses
from typing import Any, Literal, Protocol

from ..qualification import Qualification

Expect = Literal["free", "yes_no", "number", "name", "digits", "spelling"]


@dataclasses.dataclass(frozen=True)
class Prompt:
    """A sentence to say. ``fixed`` sentences come from the prompt cache (rendered
    once, no synthesis on the call path); the others are synthesised live."""

    text: str
    fixed: bool = True
    key: str = ""  # which prompt of the prompt file, for the record ("greeting", "ask_name"...)


@dataclasses.dataclass(frozen=True)
class ListenSpec:
    """What the dialog expects next; the recogniser may use it as a grammar hint."""

    expect: Expect = "free"
    phrases: tuple[str, ...] = ()  # closed set of phrases for grammar mode, if any
    max_seconds: float | None = None
    context: str = ""  # the question just asked: a recogniser that can (Whisper) conditions on it
    business_words: bool = True  # the answer may hold the business's words (False: a number's read-back)


@dataclasses.dataclass(frozen=True)
class Reply:
    say: tuple[Prompt, ...] = ()
    listen: ListenSpec | None = None  # None with hangup=False: say, then listen "free"
    hangup: bool = False
    actions: tuple[dict[str, Any], ...] = ()  # e.g. {"kind": "faq", "topic": "opening_hours"}
    urgent: bool = False  # the call just became urgent: alert the on-call person now


@dataclasses.dataclass(frozen=True)
class WordHeard:
    """One recognised word and the recogniser's confidence in it (0..1, None when the engine gives none)."""

    text: str
    confidence: float | None = None


@dataclasses.dataclass(frozen=True)
class Heard:
    """What the recogniser made of one caller turn.

    ``text`` is its best reading; ``alternatives`` are the other likely readings, most likely
    first (vosk's n-best list; empty when the engine gives none), each with its confidence;
    ``words`` are the best reading's words with their confidences (vosk word confidences,
    Whisper word probabilities). Typed input and keypad answers carry only ``text``.
    """

    text: str
    confidence: float | None = None
    alternatives: tuple[tuple[str, float | None], ...] = ()
    words: tuple[WordHeard, ...] = ()


@dataclasses.dataclass(frozen=True)
class KnownCaller:
    """What the business's customer directory knows about the calling number."""

    name: str | None = None
    company: str | None = None
    site: str | None = None
    contract: str | None = None  # contract level id, as the directory names it
    priority_floor: str | None = None  # urgency level every breakdown reaches at least under that contract
    greeting_name: str | None = None  # how the box greets them ("Mrs Gale"); default: the name


@dataclasses.dataclass(frozen=True)
class CallContext:
    call_id: str
    caller_number: str | None
    caller_name: str | None = None
    line: str = ""
    started_at: str = ""
    office_open: bool = True
    known: KnownCaller | None = None  # the directory's entry for the caller's number, if any
    earlier_attempts: int = 0  # unanswered calls from the same number today, before this one


class Dialog(Protocol):
    """What the call handler drives. Implementations keep no audio, only words."""

    lang: str

    def start(self, ctx: CallContext) -> Reply: ...

    def hear(self, text: str, *, confidence: float | None = None, heard: Heard | None = None) -> Reply:
        """What the caller said (``heard``: the recogniser's alternatives and word confidences)."""
        ...

    def dtmf(self, digits: str) -> Reply: ...

    def silence(self) -> Reply: ...

    def hung_up(self) -> None:
        """The caller hung up; keep what was understood so far."""

    def qualification(self) -> Qualification | None:
        """What is known so far (its JSON form is the ``permanence qualify`` shape)."""
