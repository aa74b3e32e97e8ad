"""The call record: everything the box knows about one call, as stored on disk.

Records are plain JSON documents (tinydb rows) with a ``schema`` version; this
module gives them a typed face. Times are ISO-8601 strings in UTC with an
offset (``2026-11-27T09:14:03.120+00:00``); durations are seconds.
"""

from __future__ import annotations

import copy
import dataclasses
import datetime as dt
import secrets
from collections.abc import Mapping
from typing import Any, Literal

from ..qualification import Qualification

SCHEMA = 1

CallState = Literal[
    "ringing",  # rang, not answered yet (open)
    "in_call",  # answered by the box, still going (open)
    "answered",  # answered by the box and ended normally
    "abandoned",  # rang, the caller hung up before anyone answered
    "staff",  # answered by staff elsewhere before the box picked up
    "missed",  # never answered: arrived while busy (call waiting) or line in fault
    "interrupted",  # cut off mid-way: box crash, power cut or line fault
]
OPEN_STATES: frozenset[str] = frozenset({"ringing", "in_call"})
FINAL_STATES: frozenset[str] = frozenset({"answered", "abandoned", "staff", "missed", "interrupted"})
STATES: tuple[str, ...] = ("ringing", "in_call", "answered", "abandoned", "staff", "missed", "interrupted")


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def iso(t: dt.datetime | None = None) -> str:
    t = t or utcnow()
    if t.tzinfo is None:
        t = t.replace(tzinfo=dt.UTC)
    return t.astimezone(dt.UTC).isoformat(timespec="milliseconds")


def parse_iso(s: str) -> dt.datetime:
    t = dt.datetime.fromisoformat(s)
    return t if t.tzinfo else t.replace(tzinfo=dt.UTC)


def new_call_id(line: str, when: dt.datetime | None = None) -> str:
    """Sortable, unique, and carrying its day: ``20261127T091403-line1-7f3a``."""
    when = (when or utcnow()).astimezone(dt.UTC)
    return f"{when:%Y%m%dT%H%M%S}-{line}-{secrets.token_hex(3)}"


def day_of_call_id(call_id: str) -> dt.date:
    """The UTC day a call id belongs to (its partition)."""
    try:
        return dt.date(int(call_id[0:4]), int(call_id[4:6]), int(call_id[6:8]))
    except (ValueError, IndexError):
        raise ValueError(f"not a call id: {call_id!r}") from None


@dataclasses.dataclass
class Turn:
    """One turn of the conversation: what the box said or what the caller said."""

    speaker: Literal["box", "caller"]
    text: str
    start: float  # seconds since the call was answered
    end: float
    kind: str = "speech"  # speech | prompt | dtmf | silence
    confidence: float | None = None

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Turn:
        return cls(**{f.name: d[f.name] for f in dataclasses.fields(cls) if f.name in d})


@dataclasses.dataclass
class CallRecord:
    """One call, answered or not. ``id`` carries the UTC day it started."""

    id: str
    line: str
    started_at: str
    caller_number: str | None = None
    caller_name: str | None = None
    caller_withheld: bool = False
    caller_raw: str | None = None
    """The caller's number as the modem gave it (``caller_number`` is its E.164 form)."""
    state: str = "ringing"
    rings: int = 1
    ring_seconds: float = 0.0
    answered_at: str | None = None
    ended_at: str | None = None
    hangup_by: str | None = None
    duration: float | None = None
    lang: str = ""
    turns: list[dict[str, Any]] = dataclasses.field(default_factory=list)
    dtmf: str = ""
    qualification: Qualification | None = None  # stored as its JSON form, read back once (see from_dict)
    recording: str | None = None
    actions: list[dict[str, Any]] = dataclasses.field(default_factory=list)
    alerts: list[dict[str, Any]] = dataclasses.field(default_factory=list)
    events: list[dict[str, Any]] = dataclasses.field(default_factory=list)
    handled: bool = False
    converted: bool = False
    amount: float | None = None
    notes: list[dict[str, Any]] = dataclasses.field(default_factory=list)
    known: dict[str, Any] | None = None  # the customer directory's entry for the caller, when answered
    earlier_attempts: int = 0  # unanswered calls from the same number earlier that day, when answered
    callback: dict[str, Any] | None = None  # the worklist outcome: {"outcome", "at", "by", "amount", "group"}
    schema: int = SCHEMA

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES

    def to_dict(self) -> dict[str, Any]:
        """The JSON form (a deep copy: the record may go on changing on the line's thread)."""
        d: dict[str, Any] = {}
        for name in _FIELD_NAMES:
            v = getattr(self, name)
            if isinstance(v, Qualification):
                d[name] = v.to_dict()
            elif isinstance(v, list | dict):
                d[name] = copy.deepcopy(v)
            else:
                d[name] = v
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> CallRecord:
        """A stored record; its qualification is read into the dataclass here, once."""
        kw = {k: v for k, v in d.items() if k in _FIELD_SET}
        q = kw.get("qualification")
        if isinstance(q, Mapping):
            kw["qualification"] = Qualification.from_dict(q)
        elif q is not None:
            raise ValueError(f"qualification is a JSON {type(q).__name__}, not an object")
        return cls(**kw)

    def summary(self) -> dict[str, Any]:
        """The compact row kept in the day index (what lists and statistics need)."""
        q = self.qualification or Qualification()
        return {
            "id": self.id,
            "line": self.line,
            "started_at": self.started_at,
            "state": self.state,
            "caller_number": self.caller_number,
            "caller_name": self.caller_name,
            "rings": self.rings,
            "ring_seconds": self.ring_seconds,
            "duration": self.duration,
            "hangup_by": self.hangup_by,
            "category": q.category,
            "urgency": q.urgency,
            "urgent": q.urgent,
            "name": q.name,
            "company": q.company,
            "summary": q.summary,
            "handled": self.handled,
            "converted": self.converted,
            "amount": self.amount,
            "alerts_pending": sum(1 for a in self.alerts if a.get("state") not in ("delivered", "acknowledged",
                                                                                    "cancelled", "failed")),
            "acknowledged": any(a.get("state") == "acknowledged" for a in self.alerts)
            or any(e.get("kind") == "acknowledged" for e in self.events),
            "acknowledged_at": next((a.get("acknowledged_at") for a in self.alerts if a.get("acknowledged_at")),
                                    None) or next((e.get("at") for e in self.events
                                                   if e.get("kind") == "acknowledged"), None),
            "caller_withheld": self.caller_withheld,
            "sla_minutes": q.sla_minutes,
            "callback": q.callback,
            "no_callback": any(a.get("kind") == "no_callback" for a in self.actions),
            "handled_at": next((a.get("at") for a in reversed(self.actions)
                                if a.get("kind") in ("handled", "converted", "callback")), None),
            "known_name": (self.known or {}).get("name"),
            "known_company": (self.known or {}).get("company"),
            "earlier_attempts": self.earlier_attempts,
            "callback_outcome": (self.callback or {}).get("outcome"),
            "callback_at": (self.callback or {}).get("at"),
            "callback_by": (self.callback or {}).get("by"),
        }


_FIELD_NAMES = tuple(f.name for f in dataclasses.fields(CallRecord))
_FIELD_SET = frozenset(_FIELD_NAMES)
