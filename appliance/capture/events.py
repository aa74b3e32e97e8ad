"""What a replay reports: the driver's :class:`~appliance.telephony.line.LineEvent` objects as
named events with plain fields (one JSON object each with ``--json``), and the run's summary."""

from __future__ import annotations

import dataclasses
from typing import Any

from ..telephony.line import (
    Answered,
    AudioFrame,
    CallerId,
    CallerIdUpdate,
    CallWaiting,
    ControlResult,
    Dtmf,
    Fault,
    HungUp,
    LineEvent,
    MissedCall,
    OtherParty,
    PlaybackDone,
    Ready,
    Ringing,
    RingStopped,
    SmsReceived,
    Unrecognised,
)


@dataclasses.dataclass(frozen=True)
class ReplayEvent:
    """What the driver derived (or the replay noticed), ``at`` seconds after the start."""

    event: str
    at: float
    fields: dict[str, Any] = dataclasses.field(default_factory=dict)
    source: int = 0

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {"event": self.event, "at": round(self.at, 3)}
        d.update(self.fields)
        if self.source:
            d["capture_line"] = self.source
        return d

    def text(self) -> str:
        f = self.fields
        head = f"{self.at:7.2f}s {self.event}"
        tail_line = (f"   <- line {self.source}: {f['modem_line']!r}" if f.get("modem_line")
                     else f"   (after line {self.source})" if self.source else "")
        return self._text(head, f) + tail_line

    def _text(self, head: str, f: dict[str, Any]) -> str:
        if self.event in ("ringing", "caller_id", "call_waiting", "missed_call"):
            who = ("withheld" if f.get("withheld") else "unavailable" if f.get("unavailable")
                   else f.get("number") or "(no caller id yet)")
            extra = []
            if f.get("name"):
                extra.append(f"name {f['name']!r}")
            if f.get("number_type") is not None:
                extra.append(f"type {f['number_type']}")
            if f.get("raw") and f.get("raw") != f.get("number"):
                extra.append(f"given as {f['raw']!r}")
            tail = f" ({', '.join(extra)})" if extra else ""
            count = f" #{f['count']}" if "count" in f else ""
            return f"{head}{count} from {who}{tail}"
        if self.event in ("hung_up", "missed"):
            return f"{head} by {f.get('by')} ({f.get('reason', '')!r})"
        if self.event == "dtmf":
            return f"{head} {f.get('digit')!r}"
        if self.event == "sms":
            return f"{head} from {f.get('sender')!r}: {f.get('text')!r}"
        if self.event == "unparsed":
            return f"{head} {f.get('line')!r}"
        shown = {k: v for k, v in f.items() if k != "modem_line"}
        if shown:
            return head + " " + " ".join(f"{k}={v!r}" for k, v in shown.items())
        return head


@dataclasses.dataclass(frozen=True)
class ReplayResult:
    events: tuple[ReplayEvent, ...]
    steps: int
    matched: int
    defaulted: int
    skipped: int
    timed_out: bool
    records: int
    format: str
    skipped_records: int

def _caller_fields(c: CallerId) -> dict[str, Any]:
    return {"number": c.number, "name": c.name, "number_type": c.number_type, "withheld": c.withheld,
            "unavailable": c.unavailable, "raw": c.raw}


def describe(ev: LineEvent) -> tuple[str, dict[str, Any]] | None:
    """A driver event as (name, fields); None for audio frames and playback."""
    if isinstance(ev, Ringing):
        return "ringing", {"count": ev.count, **_caller_fields(ev.caller)}
    if isinstance(ev, CallerIdUpdate):
        return "caller_id", _caller_fields(ev.caller)
    if isinstance(ev, Answered):
        return "answered", {}
    if isinstance(ev, HungUp):
        return "hung_up", {"by": ev.by, "reason": ev.reason}
    if isinstance(ev, RingStopped):
        return "missed", {"by": ev.by, "reason": ev.reason}
    if isinstance(ev, Dtmf):
        return "dtmf", {"digit": ev.digit}
    if isinstance(ev, SmsReceived):
        return "sms", {"sender": ev.sender, "text": ev.text, "sender_raw": ev.sender_raw}
    if isinstance(ev, MissedCall):
        return "missed_call", {**_caller_fields(ev.caller), "reason": ev.reason}
    if isinstance(ev, Unrecognised):
        return "unparsed", {"line": ev.line}
    if isinstance(ev, CallWaiting):
        return "call_waiting", _caller_fields(ev.caller)
    if isinstance(ev, Fault):
        return "fault", {"reason": ev.reason}
    if isinstance(ev, Ready):
        return "ready", {}
    if isinstance(ev, ControlResult):
        return "call_control", {"action": ev.action, "ok": ev.ok, "detail": ev.detail}
    if isinstance(ev, OtherParty):
        return "second_call", {"state": ev.state, "reason": ev.reason}
    if isinstance(ev, (AudioFrame, PlaybackDone)):
        return None
    return type(ev).__name__.lower(), {}
