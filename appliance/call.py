"""The per-line call handler: line events in, call records and conversation out.

One :class:`LineHandler` thread per configured line drains the line's events
and keeps that line's current call record up to date in the call log:

* first ``Ringing`` → a record exists on disk (state ``ringing``) before anything else;
* ring count reaches ``rings_before_answer`` → ``line.answer()``;
* ``RingStopped`` → ``abandoned`` (caller gave up) or ``staff`` (answered elsewhere);
* ``Answered`` → ``in_call``; the :class:`CallSession` runs the conversation;
* ``HungUp`` → ``answered`` with duration and who hung up;
* ``Fault`` during a call → ``interrupted``; ``CallWaiting`` and ``MissedCall`` (a call the
  modem reports missed that never rang here) → a ``missed`` record with the number;
* a reply that turns the call urgent may put the caller through to the on-call technician
  (:mod:`appliance.transfer`: ``transfers.intercept`` and the session's ``transfer``, which
  takes the call's keys, sentences and call-control events while it goes on).

A line in fault never stops the other lines: each handler has its own thread and
catches everything but the exit request.
"""

from __future__ import annotations

import dataclasses
import logging
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any, Protocol

from .config import Config, LineConfig
from .conversation.base import CallContext, Dialog, Heard, KnownCaller, ListenSpec, Prompt, Reply, WordHeard
from .errors import PermanenceError
from .speech.turns import BargeIn, EndOfTurn, NoSpeech
from .store.calllog import CallLog
from .store.record import CallRecord, iso, new_call_id, parse_iso, utcnow
from .telephony.line import (
    FRAME_BYTES,
    Answered,
    AudioFrame,
    CallerId,
    CallerIdUpdate,
    CallWaiting,
    ControlResult,
    Dtmf,
    Fault,
    HungUp,
    Line,
    LineEvent,
    LineState,
    MissedCall,
    OtherParty,
    PlaybackDone,
    Ready,
    Ringing,
    RingStopped,
    SmsReceived,
)

log = logging.getLogger(__name__)


# ------------------------------------------------------------------------------ speech port


class CallListener(Protocol):
    """One per call (appliance.speech.turns.Listener): VAD, recogniser, end of turn, barge-in."""

    def prompt_started(self) -> None: ...

    def prompt_audio(self, pcm: bytes) -> None: ...

    def prompt_finished(self) -> None: ...

    def listen(self, spec: ListenSpec | None = None) -> None: ...

    def feed(self, frame: bytes) -> object | None: ...

    def close(self) -> None: ...


class SpeechPort(Protocol):
    """What the handler needs from the speech layer (appliance.speechio.EngineSpeech)."""

    def prompt_chunks(self, prompt: Prompt, lang: str) -> Iterator[bytes]: ...

    def listener(self, lang: str) -> CallListener: ...


class Recorder(Protocol):
    def caller(self, pcm: bytes) -> None: ...

    def box(self, pcm: bytes) -> None: ...

    def box_stopped(self) -> None: ...

    def close(self) -> None: ...


class CallerLookup(Protocol):
    """The directory's entry for a caller and their unanswered attempts today
    (appliance.directory.lookup.CallerLookup)."""

    def __call__(self, rec: CallRecord, country: str = "FR") -> tuple[KnownCaller | None, int]: ...


class Transferring(Protocol):
    """A transfer in progress on a call (appliance.transfer.runner.TransferRun)."""

    handed_over: bool

    def said(self) -> None: ...

    def key(self, digit: str) -> None: ...

    def tick(self) -> None: ...

    def on_event(self, ev: LineEvent) -> None: ...

    def close(self) -> None: ...


class TransferDesk(Protocol):
    """Decides whether an urgent call is put through (appliance.transfer.desk.TransferDesk)."""

    def intercept(self, session: CallSession, reply: Reply) -> Reply: ...


class CallObserver(Protocol):
    """Told about calls as they go (alerts, MQTT, LEDs, the demo's printer)."""

    def call_event(self, kind: str, rec: CallRecord) -> None: ...

    def urgent(self, rec: CallRecord) -> None: ...


# ------------------------------------------------------------------------------ session


class CallSession:
    """One answered call: plays prompts, listens, drives the dialog, records turns."""

    def __init__(self, handler: LineHandler, rec: CallRecord, dialog: Dialog, lang: str) -> None:
        self.h = handler
        self.call_id = rec.id
        self.dialog = dialog
        self.lang = lang
        self.t0 = time.monotonic()
        self.speaking = False
        self.pending: Reply | None = None
        self.listener: CallListener | None = handler.speech.listener(lang) if handler.speech else None
        self.hangup_requested = False
        self.dtmf_buffer = ""
        self.dtmf_at = 0.0
        self.urgent_sent = False
        self.recorder: Recorder | None = None
        self.ended = False
        self.frames_in = 0
        self.transfer: Transferring | None = None

    def now(self) -> float:
        return time.monotonic() - self.t0

    def audio_now(self) -> float:
        """Seconds of caller audio received: the clock of the recording and the listener."""
        return self.frames_in * 0.02

    # -- reply execution ------------------------------------------------------------------
    def start(self, ctx: CallContext) -> None:
        if self.h.recorder_factory is not None:
            try:
                self.recorder = self.h.recorder_factory(self.call_id)
                path = self.h.log.recording_path(self.call_id)
                rel = str(path.relative_to(self.h.log.data_dir))
                self.h.log.update(self.call_id, lambda r: setattr(r, "recording", rel))
            except (OSError, PermanenceError) as exc:
                log.error("call %s: cannot record audio: %s", self.call_id, exc)
                self.recorder = None
        self.execute(self.dialog.start(ctx))

    def execute(self, reply: Reply) -> None:
        if reply.urgent and not self.urgent_sent and self.h.transfers is not None:
            reply = self.h.transfers.intercept(self, reply)
        self.pending = reply
        turns: list[dict[str, Any]] = []
        played = 0
        t_start = self.audio_now()
        for p in reply.say:
            start = t_start + played / 16000
            try:
                chunks = self.h.speech.prompt_chunks(p, self.lang) if self.h.speech else iter(())
                for pcm in chunks:
                    if not pcm:
                        continue
                    if not self.speaking:
                        self.speaking = True
                        if self.listener is not None:
                            self.listener.prompt_started()
                    if self.recorder:
                        self.recorder.box(pcm)
                    if self.listener is not None:
                        self.listener.prompt_audio(pcm)  # so the prompt's own echo is not taken for barge-in
                    self.h.line.play(pcm)
                    played += len(pcm)
            except PermanenceError as exc:
                log.error("call %s: cannot say %r: %s", self.call_id, p.text[:40], exc)
            turns.append({"speaker": "box", "text": p.text, "start": round(start, 3),
                          "end": round(t_start + played / 16000, 3), "kind": "prompt", "key": p.key})
        if self.listener is not None and not reply.hangup and self.transfer is None:
            self.listener.listen(reply.listen or ListenSpec("free"))

        def _store(rec: CallRecord) -> None:
            rec.turns.extend(turns)
            rec.actions.extend(dict(a) for a in reply.actions)
            q = self.dialog.qualification()
            if q is not None:
                rec.qualification = q

        rec = self.h.log.update(self.call_id, _store)
        if reply.urgent and not self.urgent_sent:
            self.urgent_sent = True
            rec = self.h.log.add_event(self.call_id, "urgent",
                                       sla_minutes=(rec.qualification or {}).get("sla_minutes"))
            self.h.notify_urgent(rec)
        elif reply.actions or turns:
            self.h.notify("qualified", rec)
        if not self.speaking:
            self.after_speaking()

    def after_speaking(self) -> None:
        self.speaking = False
        if self.listener is not None:
            self.listener.prompt_finished()
        if self.transfer is not None:
            self.transfer.said()
            return
        if (self.pending or Reply()).hangup and not self.hangup_requested:
            self.hangup_requested = True
            self.h.line.hang_up()

    # -- events ----------------------------------------------------------------------------
    def on_frame(self, pcm: bytes) -> None:
        self.frames_in += 1
        if self.transfer is not None:
            return  # on hold, or talking to the technician: nothing to hear or record here
        if self.recorder:
            self.recorder.caller(pcm)
        if self.listener is None or self.hangup_requested:
            return
        ev = self.listener.feed(pcm)
        if ev is None:
            return
        if isinstance(ev, BargeIn):
            if self.speaking and not (self.pending and self.pending.hangup):
                log.info("call %s: barge-in, prompt stopped", self.call_id)
                self.h.line.stop_playing()
                if self.recorder:
                    self.recorder.box_stopped()
                self.speaking = False
                self.h.log.add_event(self.call_id, "barge_in", t=round(self.audio_now(), 3))
        elif isinstance(ev, EndOfTurn):
            self.on_heard(ev)
        elif isinstance(ev, NoSpeech):
            t = round(self.audio_now(), 3)
            self.on_reply(self.dialog.silence(), {"speaker": "caller", "text": "", "kind": "silence",
                                                  "start": t, "end": t})

    def on_heard(self, ev: EndOfTurn) -> None:
        turn = {"speaker": "caller", "text": ev.text, "kind": ev.source, "start": round(ev.start, 3),
                "end": round(ev.end, 3), "confidence": ev.confidence,
                "decided_at": round(getattr(ev, "decided_at", self.audio_now()), 3)}
        heard = Heard(ev.text, ev.confidence,
                      alternatives=tuple((a.text, a.confidence) for a in ev.alternatives),
                      words=tuple(WordHeard(w.text, w.confidence) for w in ev.words))
        if heard.alternatives:
            turn["alternatives"] = [{"text": t, "confidence": c} for t, c in heard.alternatives]
        self.on_reply(self.dialog.hear(ev.text, confidence=ev.confidence, heard=heard), turn)

    def on_dtmf(self, digit: str) -> None:
        if self.transfer is not None:
            self.transfer.key(digit)
            return
        self.dtmf_buffer += digit
        self.dtmf_at = time.monotonic()
        self.h.log.update(self.call_id, lambda r: setattr(r, "dtmf", r.dtmf + digit))
        if digit == "#":
            self.flush_dtmf()

    def flush_dtmf(self) -> None:
        keys, self.dtmf_buffer = self.dtmf_buffer, ""
        digits = keys.rstrip("#")
        if digits and not self.hangup_requested:
            if self.speaking:
                self.h.line.stop_playing()
                self.speaking = False
            t = round(self.audio_now(), 3)
            # the dialog gets the "#" that ended the number (it knows then the number is complete)
            self.on_reply(self.dialog.dtmf(keys), {"speaker": "caller", "text": digits, "kind": "dtmf",
                                                   "start": t, "end": t})

    def on_reply(self, reply: Reply, turn: dict[str, Any]) -> None:
        self.h.log.update(self.call_id, lambda r: r.turns.append(turn))
        self.execute(reply)

    def tick(self) -> None:
        """Called about every 100 ms: DTMF inter-digit timeout and call length limit."""
        if self.transfer is not None:
            self.transfer.tick()  # every step of a transfer has its own time limit
            return
        if self.dtmf_buffer and time.monotonic() - self.dtmf_at > 2.0:
            self.flush_dtmf()
        limit = self.h.cfg.conversation.max_call_seconds
        if not self.hangup_requested and self.now() > limit:
            log.info("call %s: time limit reached, hanging up", self.call_id)
            self.hangup_requested = True
            self.h.log.add_event(self.call_id, "time_limit")
            self.h.line.stop_playing()
            self.h.line.hang_up()
        elif self.hangup_requested and self.now() > limit + 30:
            # a hang-up the modem never confirms must not keep the call open forever
            self.h.finish_call("box", "no hang-up confirmation from the modem")

    def close(self) -> None:
        if self.ended:
            return
        self.ended = True
        if self.transfer is not None:
            self.transfer.close()
        if self.listener is not None:
            self.listener.close()
        self.dialog.hung_up()
        if self.recorder is not None:
            try:
                self.recorder.close()
            except (OSError, PermanenceError) as exc:
                log.error("call %s: recording not closed cleanly: %s", self.call_id, exc)


# ------------------------------------------------------------------------------ handler


class LineHandler:
    """Owns one line: its thread, its current call, its state."""

    def __init__(
        self,
        line: Line,
        line_cfg: LineConfig,
        cfg: Config,
        log_: CallLog,
        *,
        dialog_factory: Callable[[CallRecord], tuple[Dialog, str]],
        speech: SpeechPort | None = None,
        observers: list[CallObserver] | None = None,
        recorder_factory: Callable[[str], Recorder] | None = None,
        on_sms: Callable[[SmsReceived], None] | None = None,
        office_open: Callable[[], bool] | None = None,
        caller_lookup: CallerLookup | None = None,
        transfers: TransferDesk | None = None,
    ) -> None:
        self.line = line
        self.line_cfg = line_cfg
        self.cfg = cfg
        self.log = log_
        self.dialog_factory = dialog_factory
        self.speech = speech
        self.observers = observers or []
        self.recorder_factory = recorder_factory
        self.on_sms = on_sms
        self.office_open = office_open or (lambda: True)
        self.caller_lookup = caller_lookup
        self.transfers = transfers
        self.state = LineState.STARTING
        self.last_error = ""
        self.last_poll = time.monotonic()
        self.call: CallRecord | None = None
        self.session: CallSession | None = None
        self.ring_started = 0.0
        self.answer_sent = False
        self.answer_on_cid = False
        self.analog = line_cfg.driver == "voicemodem" or (line_cfg.driver == "sim" and line_cfg.sim_dialect == "voicemodem")
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"line-{line.name}", daemon=True)
        self.calls_finished = 0

    # -- lifecycle -------------------------------------------------------------------------
    def start(self) -> None:
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        self._thread.join(timeout)

    def alive(self) -> bool:
        return self._thread.is_alive()

    # -- observers -------------------------------------------------------------------------
    def notify(self, kind: str, rec: CallRecord) -> None:
        for o in self.observers:
            try:
                o.call_event(kind, rec)
            except Exception:  # an observer must never take the line down
                log.exception("observer %r failed on %s", o, kind)

    def notify_urgent(self, rec: CallRecord) -> None:
        for o in self.observers:
            try:
                o.urgent(rec)
            except Exception:
                log.exception("observer %r failed on urgent", o)

    # -- loop ------------------------------------------------------------------------------
    def _run(self) -> None:
        try:
            self.line.open()
        except Exception as exc:
            log.exception("line %s: cannot open", self.line.name)
            self.state = LineState.FAULT
            self.last_error = str(exc)
        while not self._stop.is_set():
            self.last_poll = time.monotonic()
            try:
                ev = self.line.next_event(timeout=0.1)
                if ev is not None:
                    self.handle(ev)
                    # drain audio quickly: frames arrive every 20 ms
                    for _ in range(50):
                        ev = self.line.next_event(timeout=0)
                        if ev is None:
                            break
                        self.handle(ev)
                if self.session is not None:
                    self.session.tick()
            except Exception as exc:  # keep the line alive whatever happens
                log.exception("line %s: error while handling events", self.line.name)
                self.last_error = f"{type(exc).__name__}: {exc}"
                if self.call is not None:
                    try:
                        self.finish_call("box", f"internal error: {exc}", state="interrupted")
                    except Exception:
                        log.exception("line %s: cannot close the call", self.line.name)
                        self.call = None
                        self.session = None
        # shutdown: close the call in progress cleanly
        if self.call is not None:
            with contextlib_suppress():
                self.line.stop_playing()
                self.line.hang_up()
            with contextlib_suppress():
                self.finish_call("box", "service stopped", state="interrupted")
        with contextlib_suppress():
            self.line.close()
        self.state = LineState.CLOSED

    def handle(self, ev: LineEvent) -> None:
        if isinstance(ev, AudioFrame):
            if self.session is not None and len(ev.pcm) == FRAME_BYTES:
                self.session.on_frame(ev.pcm)
            return
        log.debug("line %s: %r", self.line.name, ev)
        if isinstance(ev, Ringing):
            self.on_ringing(ev)
        elif isinstance(ev, CallerIdUpdate):
            self.on_caller_id(ev.caller)
        elif isinstance(ev, Answered):
            self.on_answered()
        elif isinstance(ev, Dtmf):
            if self.session is not None:
                self.session.on_dtmf(ev.digit)
        elif isinstance(ev, PlaybackDone):
            if self.session is not None and (self.session.speaking or ev.stopped) and not self.line.is_playing():
                self.session.after_speaking()
        elif isinstance(ev, HungUp):
            if self.call is not None:
                self.finish_call(ev.by, ev.reason)
        elif isinstance(ev, RingStopped):
            if self.call is not None and self.call.state == "ringing":
                self.finish_call(ev.by, ev.reason, state="staff" if ev.by == "staff" else "abandoned")
        elif isinstance(ev, CallWaiting):
            self.on_call_waiting(ev.caller)
        elif isinstance(ev, MissedCall):
            self.on_call_waiting(ev.caller, kind="missed_call", reason=ev.reason)
        elif isinstance(ev, Fault):
            self.state = LineState.FAULT
            self.last_error = ev.reason
            log.warning("line %s: fault: %s", self.line.name, ev.reason)
            if self.call is not None:
                self.finish_call("network", f"line fault: {ev.reason}", state="interrupted")
        elif isinstance(ev, Ready):
            if self.state == LineState.FAULT:
                log.info("line %s: ready again", self.line.name)
            self.state = LineState.READY
        elif isinstance(ev, SmsReceived):
            if self.on_sms is not None:
                self.on_sms(ev)
        elif isinstance(ev, ControlResult | OtherParty):
            if self.session is not None and self.session.transfer is not None:
                self.session.transfer.on_event(ev)

    # -- call state ------------------------------------------------------------------------
    def on_ringing(self, ev: Ringing) -> None:
        if self.call is None:
            now = utcnow()
            rec = CallRecord(
                id=new_call_id(self.line.name, now), line=self.line.name, started_at=iso(now),
                caller_number=ev.caller.number, caller_name=ev.caller.name,
                caller_withheld=ev.caller.withheld, caller_raw=ev.caller.raw, state="ringing", rings=ev.count,
                lang=self.cfg.company.language,
                events=[{"at": iso(now), "kind": "ring", "count": ev.count, "caller": ev.caller.display()}],
            )
            self.log.create(rec)  # on disk from the first ring
            self.call = rec
            self.ring_started = ev.t
            self.answer_sent = False
            self.answer_on_cid = False
            self.state = LineState.RINGING
            log.info("line %s: call %s ringing from %r", self.line.name, rec.id, ev.caller.display())
            self.notify("started", rec)
        elif self.call.state == "ringing":
            def _ring(r: CallRecord) -> None:
                r.rings = max(r.rings, ev.count)
                r.ring_seconds = round(ev.t - self.ring_started, 3)
                r.events.append({"at": iso(), "kind": "ring", "count": ev.count})
                if ev.caller.number and not r.caller_number:
                    r.caller_number = ev.caller.number
                    r.caller_raw = ev.caller.raw
                if ev.caller.name and not r.caller_name:
                    r.caller_name = ev.caller.name
            self.call = self.log.update(self.call.id, _ring)
        if (self.call is not None and self.call.state == "ringing" and not self.answer_sent
                and ev.count >= self.line_cfg.rings_before_answer):
            if self.analog and ev.count < 2 and not (self.call.caller_number or self.call.caller_withheld):
                # analog lines send caller id between the first and second ring: wait for it
                self.answer_on_cid = True
                return
            self._answer(ev.count)

    def _answer(self, ring: int) -> None:
        assert self.call is not None
        self.answer_sent = True
        self.answer_on_cid = False
        self.log.add_event(self.call.id, "answer_sent", ring=ring)
        self.line.answer()

    def on_caller_id(self, caller: CallerId) -> None:
        if self.call is None:
            return

        def _cid(r: CallRecord) -> None:
            r.caller_number = caller.number or r.caller_number
            r.caller_raw = caller.raw or r.caller_raw
            r.caller_name = caller.name or r.caller_name
            r.caller_withheld = caller.withheld or r.caller_withheld
            r.events.append({"at": iso(), "kind": "caller_id", "caller": caller.display()})
        self.call = self.log.update(self.call.id, _cid)
        if self.answer_on_cid and not self.answer_sent and self.call.state == "ringing":
            self._answer(self.call.rings)

    def on_answered(self) -> None:
        if self.call is None or self.call.state != "ringing":
            return
        t_answer = time.monotonic()
        known, earlier = self._caller_context(self.call)

        def _ans(r: CallRecord) -> None:
            r.state = "in_call"
            r.answered_at = iso()
            r.ring_seconds = round(t_answer - self.ring_started, 3)
            r.events.append({"at": r.answered_at, "kind": "answered"})
            r.known = dataclasses.asdict(known) if known is not None else None
            r.earlier_attempts = earlier
        self.call = self.log.update(self.call.id, _ans)
        self.state = LineState.IN_CALL
        self.notify("answered", self.call)
        dialog, lang = self.dialog_factory(self.call)
        self.session = CallSession(self, self.call, dialog, lang)
        ctx = CallContext(call_id=self.call.id, caller_number=self.call.caller_number,
                          caller_name=self.call.caller_name, line=self.line.name,
                          started_at=self.call.started_at, office_open=self.office_open(),
                          known=known, earlier_attempts=earlier)
        self.session.start(ctx)

    def _caller_context(self, rec: CallRecord) -> tuple[KnownCaller | None, int]:
        """The directory's entry and earlier unanswered attempts; a failure leaves the caller unknown."""
        if self.caller_lookup is None:
            return None, 0
        try:
            return self.caller_lookup(rec, self.line_cfg.country)
        except Exception:  # the call is answered whatever the directory does
            log.exception("line %s: caller lookup failed for call %s", self.line.name, rec.id)
            return None, 0

    def on_call_waiting(self, caller: CallerId, kind: str = "call_waiting", reason: str = "") -> None:
        now = utcnow()
        event: dict[str, Any] = {"at": iso(now), "kind": kind, "caller": caller.display(),
                                 "during": self.call.id if self.call else None}
        if reason:
            event["reason"] = reason
        rec = CallRecord(
            id=new_call_id(self.line.name, now), line=self.line.name, started_at=iso(now),
            caller_number=caller.number, caller_name=caller.name, caller_withheld=caller.withheld,
            caller_raw=caller.raw, state="missed", ended_at=iso(now), hangup_by="unknown",
            lang=self.cfg.company.language, events=[event],
        )
        self.log.create(rec)
        log.info("line %s: %s from %r logged as missed (%s)", self.line.name, kind.replace("_", " "),
                 caller.display(), rec.id)
        self.notify("ended", rec)

    def finish_call(self, by: str, reason: str, state: str | None = None) -> None:
        if self.call is None:
            return
        call_id = self.call.id
        if self.session is not None:
            self.session.close()
        session, self.session = self.session, None
        end = utcnow()

        def _end(r: CallRecord) -> None:
            if r.state == "ringing":
                r.state = state or "abandoned"
                r.ring_seconds = round(max(r.ring_seconds, (end - parse_iso(r.started_at)).total_seconds()), 3)
            else:
                r.state = state or "answered"
            r.ended_at = iso(end)
            r.hangup_by = by
            if r.answered_at:
                r.duration = round((end - parse_iso(r.answered_at)).total_seconds(), 3)
            if session is not None:
                q = session.dialog.qualification()
                if q is not None:
                    r.qualification = q
            r.events.append({"at": iso(end), "kind": "ended", "by": by, "reason": reason, "state": r.state})
        rec = self.log.update(call_id, _end)
        self.call = None
        self.calls_finished += 1
        if self.state in (LineState.IN_CALL, LineState.RINGING):
            self.state = LineState.READY
        log.info("line %s: call %s %s (by %s%s)", self.line.name, call_id, rec.state, by,
                 f": {reason}" if reason else "")
        self.notify("ended", rec)


class contextlib_suppress:
    """Swallow and log any exception (shutdown paths only)."""

    def __enter__(self) -> None:
        return None

    def __exit__(self, et: type[BaseException] | None, ev: BaseException | None, tb: object) -> bool:
        if ev is not None and isinstance(ev, Exception):
            log.warning("during shutdown: %s: %s", type(ev).__name__, ev)
            return True
        return False
