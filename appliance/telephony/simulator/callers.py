"""Scripted callers and what happened to their calls."""

from __future__ import annotations

import dataclasses
import json
import threading
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Protocol

from ...errors import ConfigError, ModemTimeout
from .answers import answer, keys


class BoxChannel(Protocol):
    """What the box asked: its prompts recorded since the caller last started speaking."""

    def __call__(self) -> Sequence[tuple[str, str]]:
        """(prompt key, text) of each of those prompts, in order."""
        ...

    def mark(self) -> None:
        """The caller starts speaking (what the box said so far is being answered)."""


@dataclasses.dataclass(frozen=True)
class ScriptedCaller:
    """Someone who calls the box and follows a script.

    ``caller_id``: number as the network shows it, ``None``/"withheld" for a
    withheld number, "unavailable" for none. ``turns``: what the caller says,
    one entry per turn, spoken each time the box has finished talking (box
    audio then >= ``listen_silence`` s without speech). ``turn_audio``: 16-bit
    8 kHz PCM per turn, overriding synthesis. ``dtmf``: turn index -> keys
    pressed after that turn is spoken. ``silence_turns``: turn indexes where
    the caller stays silent instead.

    ``expect``: the truth about the call (the corpus format: ``urgent``, ``name``, ``company``...);
    with it the caller answers the box's closed urgency question, its read-back of the name and
    company, and its request to spell them truthfully (:mod:`.answers`) instead of speaking the
    next turn. ``box_said``: the side channel that tells the caller what the box asked, the
    (prompt key, text) of the box's prompts since the caller last spoke, as the call record holds
    them (:class:`BoxChannel`, e.g. ``appliance.demo.BoxPrompts``); with it the caller also waits
    for the box's reply to be recorded before taking a pause for the end of it. Without both the
    caller speaks its turns in order, after ``listen_silence``.

    Hang-up: ``hangup_after_rings`` (before the answer, if the box has not
    answered by then), ``hangup_after_turn`` (right after speaking turn k),
    ``hangup_after_seconds`` (this long after the answer, e.g. during the
    greeting); otherwise, after the last turn, the caller waits for the box's
    reply and hangs up ``linger`` s after the box goes quiet (or waits for the
    box to hang up when ``wait_for_box_hangup``). ``staff_answers_after_rings``:
    somebody picks up an extension after that many rings (analog lines).
    ``hangup_signal``: what an analog modem reports when the caller hangs up
    (DLE ``b`` busy tone, ``d`` dial tone, ``s`` silence, ``l`` loop break).
    """

    id: str = "caller"
    caller_id: str | None = "+33612345678"
    caller_name: str | None = None
    lang: str = "fr"
    turns: list[str] = dataclasses.field(default_factory=list)
    turn_audio: list[bytes] | None = None
    dtmf: dict[int, str] = dataclasses.field(default_factory=dict)
    silence_turns: frozenset[int] = frozenset()
    hangup_after_rings: int | None = None
    hangup_after_turn: int | None = None
    hangup_after_seconds: float | None = None
    staff_answers_after_rings: int | None = None
    wait_for_box_hangup: bool = False
    hangup_signal: str = "b"
    linger: float = 1.0
    max_rings: int = 15
    listen_silence: float = 0.6
    max_wait_for_box: float = 10.0
    max_call_seconds: float = 300.0
    expect: Mapping[str, Any] | None = None
    box_said: BoxChannel | None = None
    after_transfer_seconds: float = 3.0
    """Put through to a technician (transfer or three-way call): talk this long, then hang up."""

    @property
    def wait_limit(self) -> float:
        """How long the box may stay silent before the caller speaks anyway: longer with the side channel,
        which says when the box has replied (a loaded machine can take seconds to recognise a turn)."""
        return self.max_wait_for_box if self.box_said is None else max(self.max_wait_for_box, 30.0)

    def speaking_now(self) -> None:
        """Tell the side channel the caller starts a turn or an answer."""
        if self.box_said is not None:
            self.box_said.mark()

    def box_replied(self) -> bool:
        """Has the box's reply to the last turn reached the record? (Always true without the side channel.)
        A reply synthesised sentence by sentence can pause longer than ``listen_silence`` on a loaded
        machine: the record, not the pause, says when the box has said what it had to say."""
        return self.box_said is None or bool(self.box_said())

    def answer_to_box(self) -> str | None:
        """The answer to the box's last question when the labels give it, else None (next turn)."""
        if not self.expect or self.box_said is None:
            return None
        return answer(self.box_said(), self.expect, self.lang)

    def keys_for_box(self) -> str | None:
        """Keys the labels say to press for the box's last question (the number it could not hear)."""
        if not self.expect or self.box_said is None:
            return None
        return keys(self.box_said(), self.expect)

    @property
    def withheld(self) -> bool:
        return self.caller_id is None or self.caller_id.lower() in ("withheld", "private", "p")

    @property
    def unavailable(self) -> bool:
        return self.caller_id is not None and self.caller_id.lower() in ("unavailable", "o", "")


@dataclasses.dataclass
class CallResult:
    """Everything observed on the caller's side of one call."""

    caller: str
    answered: bool = False
    rings: int = 0
    hung_up_by: str | None = None
    waiting: bool = False
    started: float = 0.0
    answered_at: float | None = None
    ended_at: float | None = None
    turns_spoken: int = 0
    answers_spoken: int = 0  # answers to the box's closed questions (not scripted turns)
    dtmf_sent: str = ""
    box_audio: list[tuple[float, bytes]] = dataclasses.field(default_factory=list)
    events: list[tuple[float, str]] = dataclasses.field(default_factory=list)
    hold_periods: list[tuple[float, float]] = dataclasses.field(default_factory=list)
    """(from, to) of each time on hold, as the caller lives it: from the hold until put through,
    or until the box speaks to them again."""
    transferred_to: str | None = None
    joined_with: str | None = None
    put_through_at: float | None = None

    @property
    def held_seconds(self) -> list[float]:
        return [b - a for a, b in self.hold_periods]

    @property
    def ring_seconds(self) -> float:
        end = self.answered_at or self.ended_at or self.started
        return max(0.0, end - self.started)

    @property
    def duration(self) -> float:
        if self.answered_at is None or self.ended_at is None:
            return 0.0
        return self.ended_at - self.answered_at

    @property
    def box_pcm(self) -> bytes:
        return b"".join(p for _, p in self.box_audio)


class CallHandle:
    """A call in progress: wait for it, or make the caller act now."""

    def __init__(self, result: CallResult) -> None:
        self.result = result
        self.done = threading.Event()
        self.hangup_now = threading.Event()
        self.thread: threading.Thread | None = None
        self._keys: list[str] = []
        self._lock = threading.Lock()

    def wait(self, timeout: float | None = None) -> CallResult:
        if not self.done.wait(timeout):
            raise ModemTimeout(f"simulated call {self.result.caller!r} still going after {timeout} s")
        return self.result

    def hang_up(self) -> None:
        """The caller hangs up now (before or after the answer)."""
        self.hangup_now.set()

    def press(self, digits: str) -> None:
        """The caller presses keys now."""
        with self._lock:
            self._keys.append(digits)

    def take_keys(self) -> str:
        with self._lock:
            keys, self._keys = "".join(self._keys), []
        return keys


def load_corpus_callers(path: str | Path, **overrides: object) -> list[ScriptedCaller]:
    """Callers from a corpus JSONL file (id, lang, caller_id, turns, expect)."""
    p = Path(path)
    out: list[ScriptedCaller] = []
    try:
        lines = p.read_text(encoding="utf-8").splitlines()
    except OSError as e:
        raise ConfigError(f"{p}: cannot read the corpus: {e}") from e
    for n, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            d = json.loads(line)
            turns = d["turns"]
            if not isinstance(turns, list) or not all(isinstance(t, str) for t in turns):
                raise TypeError("turns must be a list of strings")
            out.append(ScriptedCaller(id=str(d["id"]), caller_id=d.get("caller_id"),
                                      caller_name=d.get("caller_name"), lang=str(d.get("lang", "fr")),
                                      turns=list(turns), expect=d.get("expect") if isinstance(d.get("expect"), dict)
                                      else None, **overrides))  # type: ignore[arg-type]
        except (ValueError, KeyError, TypeError) as e:
            raise ConfigError(f"{p}:{n}: bad corpus entry ({e}); expected id, lang, caller_id, turns") from e
    return out
