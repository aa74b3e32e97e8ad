"""Putting an urgent caller through, as a state machine free of I/O: events in, orders out, clock passed in.

The machine knows nothing of modems, audio or the call log. The runner
(:mod:`.runner`) feeds it what the line reports (:class:`~appliance.telephony.line.ControlResult`,
:class:`~appliance.telephony.line.OtherParty`, keys, the end of a sentence, the time) and
carries out what it returns: sentences to say (:class:`Say`), call-control actions
(:class:`Act`), timeline entries (:class:`Note`), the acknowledgement of the urgent alert
(:class:`Acknowledge`) and the end (:class:`Finished`).

One attempt per person, in the order given::

    hold the caller -> dial -> (ringing) -> answered: the brief, "press 1 to take the call,
    2 to decline" -> 1: transfer (explicit call transfer; refused: a three-way call)
                  -> 2, no key, no answer, busy, an error, the hold limit: back to the caller

Back on the line the caller hears "please hold, I am trying another technician" and the next
person is tried, or "the technician will call you back within ..." when nobody is left. The
caller is never on hold longer than ``hold_limit`` seconds without hearing something: when the
limit is reached the attempt ends and the caller is taken back.

>>> m = Transfer([Target("Ann", "+33611111111")], TransferSettings())
>>> [type(o).__name__ for o in m.start(0.0)]
['Note', 'Act']
>>> m.start(0.0)
[]
"""

from __future__ import annotations

import dataclasses
import enum
from typing import Any, Literal

from ..telephony.line import ControlAction, ControlResult, OtherParty

Listener = Literal["caller", "technician"]
Sentence = Literal["putting_through", "still_trying", "not_reached", "brief", "choice", "connecting"]
Outcome = Literal["put_through", "joined", "returned", "failed"]


@dataclasses.dataclass(frozen=True)
class Target:
    """A person the box may put the caller through to."""

    name: str
    phone: str


@dataclasses.dataclass(frozen=True)
class TransferSettings:
    ring_seconds: float = 15.0
    """No answer after this long: the attempt ends."""
    hold_limit: float = 30.0
    """The caller is never on hold longer than this without hearing something."""
    back_margin: float = 1.0
    """The attempt ends this long before the hold limit: the time to release the second call, take the
    caller back and start speaking to them."""
    key_seconds: float = 8.0
    """After the brief, how long the technician has to press 1 or 2 (the choice is said once more)."""
    choice_repeats: int = 1
    explicit_transfer: bool = True
    """Try explicit call transfer first (27.007 ``+CHLD=4``); refused, or False: a three-way call."""
    join_fallback: bool = True
    """A three-way call when explicit transfer is refused (not on analog lines)."""


# ------------------------------------------------------------------ orders


@dataclasses.dataclass(frozen=True)
class Say:
    to: Listener
    sentence: Sentence
    person: str = ""


@dataclasses.dataclass(frozen=True)
class Act:
    action: ControlAction
    number: str = ""


@dataclasses.dataclass(frozen=True)
class Note:
    """An entry for the call's timeline."""

    kind: str
    fields: dict[str, Any] = dataclasses.field(default_factory=dict)


@dataclasses.dataclass(frozen=True)
class Acknowledge:
    person: str


@dataclasses.dataclass(frozen=True)
class Finished:
    outcome: Outcome
    person: str = ""


Order = Say | Act | Note | Acknowledge | Finished


class State(enum.Enum):
    IDLE = "idle"
    HOLDING = "holding"
    DIALLING = "dialling"
    RINGING = "ringing"
    BRIEFING = "briefing"
    WAITING_KEY = "waiting_key"
    CONNECTING = "connecting"  # telling the technician, then the transfer
    TRANSFERRING = "transferring"
    JOINING = "joining"
    RETURNING = "returning"  # the second call released, the caller being taken back
    TELLING = "telling"  # saying something to the caller (still trying / not reached)
    DONE = "done"


HELD = frozenset({State.DIALLING, State.RINGING, State.BRIEFING, State.WAITING_KEY, State.CONNECTING})
"""States in which the caller is on hold."""
HOLD_LIMITED = HELD - {State.CONNECTING}
"""States the hold limit ends: once the technician has taken the call, the caller is put through."""
SPEAKING_TO_TECHNICIAN = frozenset({State.BRIEFING, State.CONNECTING})


class Transfer:
    """One urgent call being put through; every method returns the orders to carry out, in order."""

    def __init__(self, targets: list[Target], settings: TransferSettings) -> None:
        self.targets = list(targets)
        self.s = settings
        self.state = State.IDLE
        self.k = 0  # index of the person being tried
        self.hold_since: float | None = None
        self.held_total = 0.0
        self.dialled_at = 0.0
        self.rang = False
        self.key_due = 0.0
        self.choices_said = 0
        self.then: Literal["next", "final"] = "final"
        self.outcome: Outcome | None = None
        self.failed_because = ""

    @property
    def person(self) -> Target:
        return self.targets[self.k]

    @property
    def done(self) -> bool:
        return self.state == State.DONE

    # ------------------------------------------------------------------ inputs
    def start(self, now: float) -> list[Order]:
        """The caller has been told they are being put through: hold them and call the first person."""
        if self.state != State.IDLE:
            return []
        if not self.targets:
            return self._finish_back("nobody to call")
        return self._hold()

    def control(self, ev: ControlResult, now: float) -> list[Order]:
        st = self.state
        if ev.action == "hold" and st == State.HOLDING:
            if not ev.ok:
                return [Note("transfer_error", {"step": "hold", "detail": ev.detail}),
                        *self._tell("final", "not_reached", reason=f"hold refused: {ev.detail}")]
            self.hold_since = now
            return self._dial(now)
        if ev.action == "dial" and st == State.DIALLING:
            if not ev.ok:
                return [Note("transfer_error", {"step": "dial", "person": self.person.name, "detail": ev.detail}),
                        *self._back(now, "next")]
            self.state = State.RINGING
            self.dialled_at = now
            return []
        if ev.action == "transfer" and st == State.TRANSFERRING:
            if ev.ok:
                return self._put_through(now, "put_through", ev.detail)
            out: list[Order] = [Note("transfer_refused", {"detail": ev.detail})]
            if self.s.join_fallback:
                self.state = State.JOINING
                return [*out, Act("join")]
            return [*out, *self._back(now, "final")]
        if ev.action == "join" and st == State.JOINING:
            if ev.ok:
                return self._put_through(now, "joined", ev.detail)
            return [Note("transfer_error", {"step": "join", "detail": ev.detail}), *self._back(now, "final")]
        if ev.action == "back" and st == State.RETURNING:
            return self._returned(ev, now)
        return []

    def other(self, ev: OtherParty, now: float) -> list[Order]:
        st = self.state
        if st not in (State.DIALLING, State.RINGING, State.BRIEFING, State.WAITING_KEY, State.CONNECTING):
            return []
        if ev.state == "alerting" and not self.rang:
            self.rang = True
            return [Note("technician_ringing", {"person": self.person.name})]
        if ev.state == "active" and st in (State.DIALLING, State.RINGING):
            self.state = State.BRIEFING
            return [Note("technician_answered", {"person": self.person.name,
                                                 "after_seconds": round(now - self.dialled_at, 3)}),
                    Say("technician", "brief", self.person.name)]
        if ev.state == "ended":
            kind = _ended_kind(ev.reason, answered=st not in (State.DIALLING, State.RINGING))
            return [Note(kind, {"person": self.person.name, "reason": ev.reason}), *self._back(now, "next")]
        return []

    def key(self, digit: str, now: float) -> list[Order]:
        if self.state not in (State.BRIEFING, State.WAITING_KEY):
            return []
        if digit == "1":
            self.state = State.CONNECTING
            return [Note("technician_accepted", {"person": self.person.name}), Say("technician", "connecting")]
        if digit == "2":
            return [Note("technician_declined", {"person": self.person.name}), *self._back(now, "next")]
        return self._choice(now) if self.state == State.WAITING_KEY else []

    def said(self, now: float) -> list[Order]:
        """The sentence being said has been said."""
        st = self.state
        if st == State.BRIEFING:
            self.state = State.WAITING_KEY
            self.key_due = now + self.s.key_seconds
            return []
        if st == State.WAITING_KEY:
            self.key_due = now + self.s.key_seconds
            return []
        if st == State.CONNECTING:
            if self.s.explicit_transfer:
                self.state = State.TRANSFERRING
                return [Act("transfer")]
            self.state = State.JOINING
            return [Act("join")]
        if st == State.TELLING:
            if self.then == "next":
                self.k += 1
                return self._hold()
            return self._finish(self.outcome or "returned")
        return []

    def tick(self, now: float) -> list[Order]:
        st = self.state
        limit = self.s.hold_limit - self.s.back_margin
        if st in HOLD_LIMITED and self.hold_since is not None and now - self.hold_since >= limit:
            return [Note("hold_limit", {"person": self.person.name, "seconds": self.s.hold_limit}),
                    *self._back(now, "next")]
        if st == State.RINGING and now - self.dialled_at >= self.s.ring_seconds:
            return [Note("technician_no_answer", {"person": self.person.name, "seconds": self.s.ring_seconds}),
                    *self._back(now, "next")]
        if st == State.WAITING_KEY and now >= self.key_due:
            if self.choices_said < self.s.choice_repeats:
                return self._choice(now)
            return [Note("technician_no_key", {"person": self.person.name}), *self._back(now, "next")]
        return []

    def caller_gone(self, now: float) -> list[Order]:
        """The caller hung up (or the call was cut) while being put through."""
        if self.state in (State.DONE, State.IDLE):
            return []
        self._unhold(now)
        was, self.state = self.state, State.DONE
        self.outcome = "failed"
        return [Note("transfer_abandoned", {"during": was.value, "held_seconds": round(self.held_total, 3)})]

    # ------------------------------------------------------------------ steps
    def _hold(self) -> list[Order]:
        self.state = State.HOLDING
        self.hold_since = None
        self.rang = False
        self.choices_said = 0
        return [Note("transfer_started", {"person": self.person.name, "attempt": self.k + 1}), Act("hold")]

    def _dial(self, now: float) -> list[Order]:
        self.state = State.DIALLING
        self.dialled_at = now
        return [Note("caller_on_hold", {}), Note("technician_dialled", {"person": self.person.name}),
                Act("dial", self.person.phone)]

    def _choice(self, now: float) -> list[Order]:
        self.choices_said += 1
        self.state = State.WAITING_KEY
        self.key_due = now + 3600.0  # counted again from the end of the sentence
        return [Say("technician", "choice", self.person.name)]

    def _back(self, now: float, then: Literal["next", "final"]) -> list[Order]:
        """End this attempt: release the second call and take the caller back."""
        self.then = "next" if then == "next" and self.k + 1 < len(self.targets) else "final"
        self.state = State.RETURNING
        return [Act("back")]

    def _returned(self, ev: ControlResult, now: float) -> list[Order]:
        held = self._unhold(now)
        note = Note("caller_back", {"held_seconds": held, "ok": ev.ok, "detail": ev.detail})
        if not ev.ok:
            self.failed_because = ev.detail
            return [note, *self._finish("failed")]
        if self.then == "next":
            return [note, *self._tell("next", "still_trying")]
        return [note, *self._tell("final", "not_reached")]

    def _tell(self, then: Literal["next", "final"], sentence: Sentence, reason: str = "") -> list[Order]:
        self.then = then
        self.state = State.TELLING
        self.outcome = "returned"
        if reason:
            self.failed_because = reason
        return [Say("caller", sentence)]

    def _put_through(self, now: float, outcome: Outcome, detail: str) -> list[Order]:
        held = self._unhold(now)
        kind = "transferred" if outcome == "put_through" else "joined"
        return [Note(kind, {"person": self.person.name, "phone": self.person.phone, "held_seconds": held,
                            "detail": detail}),
                Acknowledge(self.person.name), *self._finish(outcome)]

    def _finish_back(self, reason: str) -> list[Order]:
        return [Note("transfer_error", {"step": "start", "detail": reason}),
                *self._tell("final", "not_reached", reason=reason)]

    def _finish(self, outcome: Outcome) -> list[Order]:
        self.state = State.DONE
        self.outcome = outcome
        person = self.person.name if outcome in ("put_through", "joined") else ""
        return [Finished(outcome, person)]

    def _unhold(self, now: float) -> float:
        if self.hold_since is None:
            return 0.0
        held = round(now - self.hold_since, 3)
        self.held_total += held
        self.hold_since = None
        return held


def _ended_kind(reason: str, *, answered: bool) -> str:
    """The timeline entry for a second call that ended: busy, no answer, hung up, or an error."""
    r = reason.upper()
    if "BUSY" in r:
        return "technician_busy"
    if "NO ANSWER" in r:
        return "technician_no_answer"
    if answered:
        return "technician_hung_up"
    return "technician_unreachable"
