"""Replay a capture through the drivers' call logic with no pty, thread or sleep: a pure function.

The same script as :mod:`.replay` (:func:`.script.build_script`) is walked on a
virtual clock. Modem bytes go through the real :class:`~appliance.telephony.protocol.AtProtocol`
and its events into the real call logic (:class:`~appliance.telephony.gsm_calls.GsmCalls`
or :class:`~appliance.telephony.voice_calls.VoiceCalls`); the commands the logic
sends are answered from the capture (the first unused exchange with that command
before the next unsolicited burst), or else as the replay's fake modem would
(:func:`.fakemodem.default_reply`). Time advances by the capture's own times (or
fixed gaps for untimed logs) and the logic's ticks run on the way, so rings stop
and caller id settles exactly as the field timing says. Every event carries the
capture line that produced it.

``permanence replay FILE --offline`` prints this; the tests run every capture this
way (fast, deterministic) and through a pty (:mod:`.replay`, the whole driver).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from typing import Any

from ..errors import LineError
from ..telephony.gsm_calls import GsmCalls, GsmSettings
from ..telephony.line import LineEvent, Ready
from ..telephony.protocol import (
    AtProtocol,
    AtResponse,
    DleEvent,
    Event,
    Response,
    Unsolicited,
)
from ..telephony.steps import Cmd, Emit, Work
from ..telephony.voice_calls import VoiceCalls, VoiceSettings
from .events import ReplayEvent, ReplayResult, describe
from .fakemodem import CallModel, DialectCore, captured_queries, core_model, default_reply, frame
from .formats import CaptureRecord, ParsedCapture
from .script import ANSWER_COMMANDS, HANGUP_COMMANDS, Burst, Exchange, Step, build_script, norm_command

GSM_RING_TIMEOUT = 8.0
TICK = 0.05
UNTIMED_RING_GAP = 3.0
UNTIMED_DTMF_GAP = 0.3
UNTIMED_GAP = 0.02


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@dataclasses.dataclass
class _Run:
    events: list[ReplayEvent] = dataclasses.field(default_factory=list)
    matched: int = 0
    defaulted: int = 0
    skipped: int = 0


class OfflineReplay:
    """One offline replay of ``steps``; see the module docstring and :func:`replay_offline`."""

    def __init__(self, steps: list[Step], driver: str = "gsm", country: str = "FR") -> None:
        self.steps = steps
        self.driver = driver
        self.clock = Clock()
        self.proto = AtProtocol(cid_records=driver != "gsm")
        self.logic: GsmCalls | VoiceCalls
        if driver == "gsm":
            self.logic = GsmCalls(GsmSettings(country=country, read_sms=True, ring_timeout=GSM_RING_TIMEOUT),
                                  clock=self.clock, name="offline")
            self.ring_timeout = GSM_RING_TIMEOUT
        else:
            self.logic = VoiceCalls(VoiceSettings(country=country), clock=self.clock, name="offline")
            self.ring_timeout = self.logic.s.ring_timeout
        self.model = CallModel(ring_fresh=self.ring_timeout, clock=self.clock)
        self.queries = captured_queries(steps)
        self.core = DialectCore(core_model(driver, "auto", self.queries))
        self.cursor = 0
        self.source = 0
        self.line_text = ""
        self.run = _Run()
        self._deferred: list[Event] = []
        self._t0 = self.clock.now

    # ------------------------------------------------------------------ events
    def _add(self, ev: LineEvent) -> None:
        d = describe(ev)
        if d is None:
            return
        name, fields = d
        if self.line_text:
            fields = {**fields, "modem_line": self.line_text}
        self.run.events.append(ReplayEvent(name, self.clock.now - self._t0, fields, self.source))

    def _note(self, name: str, fields: dict[str, Any]) -> None:
        self.run.events.append(ReplayEvent(name, self.clock.now - self._t0, fields, self.source))

    # ------------------------------------------------------------------ running the logic's work
    def _do(self, work: Work) -> None:
        """Carry out ``work`` (commands answered from the capture); a fault re-initialises."""
        try:
            self._carry_out(work)
        except LineError as e:
            self._note("fault", {"reason": str(e)})
            self.logic.reset()
            self._init()
        self._drain_deferred()

    def _carry_out(self, work: Work) -> None:
        reply: AtResponse | None = None
        while True:
            try:
                step = work.send(reply)
            except StopIteration:
                return
            reply = None
            if isinstance(step, Cmd):
                reply = self._command(step)
                if reply is None:
                    work.close()
                    raise LineError(f"no reply to {step.text!r} (the capture shows none): the driver times out")
            elif isinstance(step, Emit):
                self._add(step.event)

    def _command(self, step: Cmd) -> AtResponse | None:
        label = "<DLE>" + step.raw[1:].decode("latin-1") if step.raw else step.text
        cmd = norm_command(step.raw) if step.raw else norm_command(step.text.encode("latin-1"))
        if step.raw:
            self.proto.expect(label, finals=step.finals, echo=False)
        else:
            self.proto.command(step.text, finals=step.finals, data="voice" if step.voice else None)
        dialect = None if step.raw else self.core.execute(step.text)
        reply = self._captured(cmd)
        if reply is None:
            self.run.defaulted += 1
            reply = default_reply(cmd, self.model, self.queries, dialect)
        else:
            self.run.matched += 1
        for r in reply:
            self.model.on_modem_line(r)
        self.model.on_box_command(cmd, any(r.strip() in (b"OK", b"VCON") or r.startswith(b"CONNECT") for r in reply))
        found: AtResponse | None = None
        for ev in self.proto.receive(frame(reply)):
            if isinstance(ev, Response) and found is None:
                found = ev.response
            elif isinstance(ev, (Unsolicited, DleEvent)):
                self._deferred.append(ev)
        if found is None:
            self.proto.abandon()
        if found is not None and self.proto.mode != "line":
            self.proto.leave_raw()  # no voice data in a capture: audio is only summarised
        return found

    def _captured(self, cmd: str) -> list[bytes] | None:
        for s in self.steps[self.cursor:]:
            if isinstance(s, Burst):
                break
            if s.command == cmd and not s.consumed and not s.skipped:
                s.consumed = True
                if cmd.startswith("AT+CLCC"):
                    self.model.on_clcc_reply(s.reply)
                return list(s.reply)
        return None

    def _drain_deferred(self) -> None:
        while self._deferred:
            ev = self._deferred.pop(0)
            self._dispatch(ev)

    def _dispatch(self, ev: Event) -> None:
        if isinstance(ev, Unsolicited):
            self._do(self.logic.on_line(ev.text, ev.continuation))
        elif isinstance(ev, DleEvent) and isinstance(self.logic, VoiceCalls):
            self._do(self.logic.on_dle(ev.code))

    def _init(self) -> None:
        try:
            self._carry_out(self.logic.init())
        except LineError as e:
            self._note("fault", {"reason": str(e)})
            return
        self._add(Ready())

    # ------------------------------------------------------------------ time
    def _advance(self, seconds: float) -> None:
        end = self.clock.now + max(seconds, 0.0)
        while self.clock.now < end:
            if not self._waiting_on_time():
                self.clock.now = end
                self._do(self.logic.tick())
                return
            self.clock.now = min(end, self.clock.now + TICK)
            self._do(self.logic.tick())

    def _waiting_on_time(self) -> bool:
        lg = self.logic
        if isinstance(lg, GsmCalls):
            return lg.busy or lg.pending_ring is not None
        return lg.busy or lg.cid_due is not None or lg.evidence_due is not None

    def _gap(self, prev_t: float | None, step: Burst) -> float:
        first = step.lines[0].upper() if step.lines else b""
        if step.t is not None and prev_t is not None and step.t >= prev_t:
            return step.t - prev_t
        if first.startswith((b"RING", b"+CRING", b"\x10R", b"CID RING")):
            return UNTIMED_RING_GAP
        if first.startswith((b"+DTMF", b"+RXDTMF")) or (first[:1] == b"\x10" and first[1:2] in b"0123456789*#ABCD"):
            return UNTIMED_DTMF_GAP
        if step.t is None and self._new_caller(step):
            return self.ring_timeout + 0.5
        return UNTIMED_GAP

    def _new_caller(self, step: Burst) -> bool:
        """Untimed logs: a ``+CLIP`` with another number than the ringing call's is another call."""
        lg = self.logic
        if not isinstance(lg, GsmCalls) or not lg.ringing or not lg.caller.raw:
            return False
        for ln in step.lines:
            if ln.upper().startswith(b"+CLIP:"):
                return lg.caller.raw not in ln.decode("latin-1")
        return False

    # ------------------------------------------------------------------ the walk
    def walk(self) -> _Run:
        self._init()
        prev_t: float | None = None
        for i, step in enumerate(self.steps):
            self.cursor = i
            if isinstance(step, Burst):
                self._advance(self._gap(prev_t, step))
                self._write(step)
                prev_t = step.t if step.t is not None else prev_t
                continue
            self._maybe_act(step)
            if not step.consumed:
                step.skipped = True
                self.run.skipped += 1
                self._skipped(step)
            if step.t is not None:
                prev_t = step.t
        self._advance(self.ring_timeout + 1.0)
        return self.run

    def _write(self, b: Burst) -> None:
        for i, ln in enumerate(b.lines):
            self.source = b.source_of(i)
            self.line_text = ln.decode("latin-1", "replace")
            self.model.on_modem_line(ln)
            for ev in self.proto.receive(frame([ln])):
                self._dispatch(ev)
            self._drain_deferred()
        self.line_text = ""

    def _skipped(self, ex: Exchange) -> None:
        """A captured exchange the logic did not send: what it shows still happened (its
        unsolicited lines, an SMS it read) and is written as modem output."""
        if ex.command.startswith("AT+CLCC") and ex.final:
            self.model.on_clcc_reply(ex.reply)
        sms = ex.command.startswith(("AT+CMGR", "AT+CMGL"))
        lines = [r for r in ex.reply if (sms and r.strip() not in (b"OK",)) or _unsolicited(r)]
        if lines:
            self._write(Burst(lines, ex.t, ex.index, ex.source))

    def _maybe_act(self, ex: Exchange) -> None:
        """The capture shows the box answering or hanging up here: the logic is asked to."""
        state = self.model.refresh()
        self.source = ex.source
        self.line_text = ex.command
        if ex.command in ANSWER_COMMANDS and self.logic.ringing and state != "idle":
            self._do(self.logic.answer())
        elif ex.command in HANGUP_COMMANDS and (self.logic.ringing or self.logic.in_call):
            self._do(self.logic.hang_up())
        self.line_text = ""


def _unsolicited(raw: bytes) -> bool:
    from ..telephony.protocol import is_final, is_urc

    s = raw.decode("latin-1").strip()
    if raw[:1] == b"\x10":
        return raw[1:2] != b"\x03"
    return is_urc(s) and not is_final(s)


def replay_offline(records: Sequence[CaptureRecord], driver: str = "gsm", country: str = "FR",
                   parsed: ParsedCapture | None = None,
                   on_event: Callable[[ReplayEvent], None] | None = None) -> ReplayResult:
    """Replay ``records`` through the call logic of ``driver``, offline (see the module docstring)."""
    steps = build_script(records, complete_replies=parsed is not None and parsed.format == "text")
    r = OfflineReplay(steps, driver, country).walk()
    if on_event is not None:
        for ev in r.events:
            on_event(ev)
    return ReplayResult(tuple(r.events), len(steps), r.matched, r.defaulted, r.skipped, False, len(records),
                        parsed.format if parsed else "records", parsed.skipped if parsed else 0)
