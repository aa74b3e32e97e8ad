"""Simulated phones the box can dial (the on-call technician's), and what happened on them.

A :class:`SimPhone` follows a short script: it answers after some rings or never,
is busy, or cannot be reached; once answered it listens to the box and, when the
box has spoken and gone quiet, presses its keys (or none); it may hang up after a
while. Everything it heard is kept (:attr:`PhoneResult.heard`) so a test can run a
real recogniser over the brief. Register phones with
:meth:`~.core.Simulator.add_phone`; a number nobody registered cannot be reached.
"""

from __future__ import annotations

import dataclasses
import re
import threading
import time
from typing import Literal

from ...errors import ConfigError

Behaviour = Literal["answers", "never_answers", "busy", "unreachable"]


@dataclasses.dataclass(frozen=True)
class SimPhone:
    """The far end of a call the box places.

    ``behaviour``: ``answers`` (after ``answer_after_rings`` rings), ``never_answers``
    (rings until the network gives up after ``network_timeout`` s: ``NO ANSWER``),
    ``busy`` (``BUSY``) or ``unreachable`` (the dial fails at once). Once answered the
    phone waits for the box to speak then be quiet for ``listen_silence`` s, then presses
    ``keys`` one by one (``""``: never). ``hangup_after``: the phone hangs up that many
    seconds after answering (None: only when the call ends)."""

    number: str
    behaviour: Behaviour = "answers"
    answer_after_rings: int = 2
    keys: str = "1"
    listen_silence: float = 1.2
    hangup_after: float | None = None
    network_timeout: float = 60.0
    name: str = "technician"

    def __post_init__(self) -> None:
        if not re.fullmatch(r"\+?\d{3,20}", self.number):
            raise ConfigError(f"simulated phone: {self.number!r} is not a phone number")
        if self.behaviour not in ("answers", "never_answers", "busy", "unreachable"):
            raise ConfigError(f"simulated phone {self.number}: unknown behaviour {self.behaviour!r}")
        if not 1 <= self.answer_after_rings <= 20:
            raise ConfigError(f"simulated phone {self.number}: answer_after_rings must be 1-20")

    def matches(self, dialled: str) -> bool:
        """The same line, dialled in international or national form (``+336...`` / ``06...``)."""
        a, b = digits(dialled), digits(self.number)
        return a == b or (min(len(a), len(b)) >= 9 and a[-9:] == b[-9:])


def digits(number: str) -> str:
    """``+33 6 00...`` / ``0033600...`` / ``T+33600...;`` -> the digits, international prefix dropped."""
    d = re.sub(r"\D", "", number)
    return d[2:] if d.startswith("00") else d


@dataclasses.dataclass
class PhoneResult:
    """What one call to a simulated phone did."""

    number: str
    dialled_at: float = 0.0
    rings: int = 0
    first_ring_at: float | None = None
    answered_at: float | None = None
    keys_pressed: str = ""
    ended_at: float | None = None
    ended_by: str | None = None
    connected_to: str | None = None
    connected_at: float | None = None
    heard: list[tuple[float, bytes]] = dataclasses.field(default_factory=list)
    events: list[tuple[float, str]] = dataclasses.field(default_factory=list)

    @property
    def heard_pcm(self) -> bytes:
        return b"".join(p for _, p in self.heard)

    def event(self, what: str) -> None:
        self.events.append((time.monotonic(), what))


class PhoneCalls:
    """Every call placed to the simulated phones, in order; wait on them in tests."""

    def __init__(self) -> None:
        self.results: list[PhoneResult] = []
        self.changed = threading.Condition()

    def add(self, r: PhoneResult) -> None:
        with self.changed:
            self.results.append(r)
            self.changed.notify_all()

    def notify(self) -> None:
        with self.changed:
            self.changed.notify_all()

    def to(self, number: str) -> list[PhoneResult]:
        return [r for r in self.results if SimPhone(number).matches(r.number)]


__all__ = ["Behaviour", "PhoneCalls", "PhoneResult", "SimPhone", "digits"]
