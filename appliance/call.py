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

The line thread never waits on the disk except for the record's creation at the
first ring (the answer waits for it): every other change goes to the call log's
writer thread (``CallLog.update(wait=False)``). Observers (alerts, MQTT, the demo)
are told on the handler's event thread, once the change they are told about is on
disk, in the order it happened; a recording is finished on that thread too.

A line in fault never stops the other lines: each handler has its own thread and
catches everything but the exit request; what it survives is logged and counted
(:class:`~appliance.faults.FaultLog`).
"""

from __future__ import annotations

import dataclasses
import logging
import queue
import threading
import time
from collections.abc import Callable, Iterator
from typing import Protocol

from .config import Config, LineConfig
from .conversation.base import CallContext, Dialog, Heard, KnownCaller, ListenSpec, Prompt, Reply, WordHeard
from .errors import PermanenceError, StoreError
from .faults import FaultLog
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
from .textsafe import strip_bidi_opt

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
    """A call recording (appliance.speech.recording.CallRecorder); ``stopped`` says why it stopped early."""

    stopped: str

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

    def _update(self, fn: Callable[[CallRecord], None]) -> CallRecord:
        """Change the record without waiting for the disk (the call log's writer thread writes it)."""
        return self.h.log.update(self.call_id, fn, wait=False)

    def _event(self, kind: str, **detail: object) -> None:
        self.h.log.add_event(self.call_id, kind, wait=False, **detail)

    # -- recording ------------------------------------------------------------------------
    def _start_recording(self) -> None:
        if self.h.recorder_factory is None:
            return
        try:
            self.recorder = self.h.recorder_factory(self.call_id)
            path = self.h.log.recording_path(self.call_id)
            rel = str(path.relative_to(self.h.log.data_dir))
            self._update(lambda r: setattr(r, "recording", rel))
        except (OSError, PermanenceError) as exc:
            log.error("call %s: cannot record audio: %s", self.call_id, exc)
            self.h.faults.count("call recording", str(exc))
            self.recorder = None
            self._event("recording_stopped", reason=str(exc))

    def _record(self, box: bool, pcm: bytes) -> None:
        """Caller (or box) audio into the recording; a full or failing disk stops the recording,
        never the call."""
        rec = self.recorder
        if rec is None:
            return
        try:
            (rec.box if box else rec.caller)(pcm)
        except PermanenceError as exc:
            self.h.faults.count("call recording", str(exc))
            rec.stopped = rec.stopped or str(exc)
        if rec.stopped:
            self.recorder = None
            log.warning("call %s: %s", self.call_id, rec.stopped)
            self._event("recording_stopped", reason=rec.stopped)
            self.h.later(self.call_id, lambda: _finish_recording(rec, self.call_id))

    # -- reply execution ------------------------------------------------------------------
    def start(self, ctx: CallContext) -> None:
        self._start_recording()
        self.execute(self.dialog.start(ctx))

    def execute(self, reply: Reply) -> None:
        if reply.urgent and not self.urgent_sent and self.h.transfers is not None:
            reply = self.h.transfers.intercept(self, reply)
        self.pending = reply
        turns: list[dict[str, object]] = []
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
                    self._record(True, pcm)
                    if self.listener is not None:
                        self.listener.prompt_audio(pcm)  # so the prompt's own echo is not taken for barge-in
                    self.h.line.play(pcm)
                    played += len(pcm)
            except PermanenceError as exc:
                log.error("call %s: cannot say %r: %s", self.call_id, p.text[:40], exc)
                self.h.faults.count("prompt", str(exc))
            turns.append({"speaker": "box", "text": p.text, "start": round(start, 3),
                          "end": round(t_start + played / 16000, 3), "kind": "prompt", "key": p.key})
        if self.listener is not None and not reply.hangup and self.transfer is None:
            self.listener.listen(reply.listen or ListenSpec("free"))
        urgent_now = reply.urgent and not self.urgent_sent
        self.urgent_sent = self.urgent_sent or urgent_now

        def _store(rec: CallRecord) -> None:
            rec.turns.extend(turns)
            rec.actions.extend(dict(a) for a in reply.actions)
            q = self.dialog.qualification()
            if q is not None:
                rec.qualification = q
            if urgent_now:  # the decision and the state it rests on are one write
                rec.events.append({"at": iso(), "kind": "urgent",
                                   "sla_minutes": rec.qualification.sla_minutes if rec.qualification else None})

        rec = self._update(_store)
        if urgent_now:
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
        self._record(False, pcm)
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
                self._event("barge_in", t=round(self.audio_now(), 3))
        elif isinstance(ev, EndOfTurn):
            self.on_heard(ev)
        elif isinstance(ev, NoSpeech):
            t = round(self.audio_now(), 3)
            self.on_reply(self.dialog.silence(), {"speaker": "caller", "text": "", "kind": "silence",
                                                  "start": t, "end": t})

    def on_heard(self, ev: EndOfTurn) -> None:
        turn: dict[str, object] = {
            "speaker": "caller", "text": ev.text, "kind": ev.source, "start": round(ev.start, 3),
            "end": round(ev.end, 3), "confidence": ev.confidence,
            "decided_at": round(ev.decided_at, 3)}
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
        self._update(lambda r: setattr(r, "dtmf", r.dtmf + digit))
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

    def on_reply(self, reply: Reply, turn: dict[str, object]) -> None:
        self._update(lambda r: r.turns.append(turn))
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
            self._event("time_limit")
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
        rec, self.recorder = self.recorder, None
        if rec is not None:  # finished (header, fsync, rename) on the event thread, not the line's
            self.h.later(self.call_id, lambda: _finish_recording(rec, self.call_id))


def _clean_caller(caller: CallerId) -> CallerId:
    """Caller id as it enters the record: no bidi controls (they would show the number reversed)."""
    return dataclasses.replace(caller, number=strip_bidi_opt(caller.number), name=strip_bidi_opt(caller.name))


def _finish_recording(rec: Recorder, call_id: str) -> None:
    try:
        rec.close()
    except (OSError, PermanenceError) as exc:
        log.error("call %s: recording not closed cleanly: %s", call_id, exc)


# ------------------------------------------------------------------------------ handler


class LineHandler:
    """Owns one line: its thread, its current call, its state; and an event thread that tells
    the observers, once each change is on disk."""

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
        faults: FaultLog | None = None,
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
        self.faults = faults or FaultLog()
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
        self._later: queue.Queue[tuple[str, int, Callable[[], None]] | None] = queue.Queue()
        self._events = threading.Thread(target=self._events_loop, name=f"line-{line.name}-events", daemon=True)
        self.calls_finished = 0

    # -- lifecycle -------------------------------------------------------------------------
    def start(self) -> None:
        self._events.start()
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        self._thread.join(timeout)
        if self._events.is_alive():
            self._later.put(None)
            self._events.join(timeout)

    def alive(self) -> bool:
        return self._thread.is_alive()

    # -- observers (on the event thread) ------------------------------------------------------
    def later(self, call_id: str, fn: Callable[[], None]) -> None:
        """Run ``fn`` on the event thread once the newest change of ``call_id`` so far is on disk."""
        self._later.put((call_id, self.log.pending_seq(call_id), fn))

    def notify(self, kind: str, rec: CallRecord) -> None:
        def tell() -> None:
            for o in self.observers:
                with self.faults.guard(f"observer {type(o).__name__} on {kind}", log):
                    o.call_event(kind, rec)
        self.later(rec.id, tell)

    def notify_urgent(self, rec: CallRecord) -> None:
        def tell() -> None:
            for o in self.observers:
                with self.faults.guard(f"observer {type(o).__name__} on urgent", log):
                    o.urgent(rec)
        self.later(rec.id, tell)

    def _events_loop(self) -> None:
        while True:
            item = self._later.get()
            if item is None:
                return
            call_id, seq, fn = item
            if not self.log.wait_written(call_id, seq, 5.0):
                log.warning("call %s: not on disk within 5 s (%s); observers told anyway", call_id,
                            self.log.write_error or "slow disk")
            with self.faults.guard(f"line {self.line.name} events", log):
                fn()

    # -- loop ------------------------------------------------------------------------------
    def _run(self) -> None:
        try:
            self.line.open()
        except Exception as exc:
            log.exception("line %s: cannot open", self.line.name)
            self.faults.count(f"line {self.line.name}: open", str(exc))
            self.state = LineState.FAULT
            self.last_error = str(exc)
        while not self._stop.is_set():
            self.last_poll = time.monotonic()
            try:
                self._poll()
            except Exception as exc:  # noqa: BLE001 - keep the line alive whatever happens
                self._survive(exc)
        # shutdown: close the call in progress cleanly
        if self.call is not None:
            with self.faults.guard(f"line {self.line.name}: hang up at stop", log):
                self.line.stop_playing()
                self.line.hang_up()
            with self.faults.guard(f"line {self.line.name}: close the call at stop", log):
                self.finish_call("box", "service stopped", state="interrupted")
        with self.faults.guard(f"line {self.line.name}: close", log):
            self.line.close()
        self.state = LineState.CLOSED

    def _poll(self) -> None:
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

    def _survive(self, exc: Exception) -> None:
        self.faults.report(f"line {self.line.name}: handling events", exc, log)
        self.last_error = f"{type(exc).__name__}: {exc}"
        if self.call is not None:
            try:
                self.finish_call("box", f"internal error: {exc}", state="interrupted")
            except Exception as exc2:  # noqa: BLE001 - reported; the line goes on without that call
                self.faults.report(f"line {self.line.name}: closing the call", exc2, log)
                self.call = None
                self.session = None

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
        ev = dataclasses.replace(ev, caller=_clean_caller(ev.caller))
        if self.call is None:
            now = utcnow()
            rec = CallRecord(
                id=new_call_id(self.line.name, now), line=self.line.name, started_at=iso(now),
                caller_number=ev.caller.number, caller_name=ev.caller.name,
                caller_withheld=ev.caller.withheld, caller_raw=ev.caller.raw, state="ringing", rings=ev.count,
                lang=self.cfg.company.language,
                events=[{"at": iso(now), "kind": "ring", "count": ev.count, "caller": ev.caller.display()}],
            )
            try:
                self.log.create(rec)  # on disk from the first ring: the answer waits for this write only
            except StoreError as exc:  # the writer keeps the record and retries; the call is still answered
                log.error("line %s: call %s not on disk yet: %s", self.line.name, rec.id, exc)
                self.faults.count("call log: record not on disk at the first ring", str(exc))
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
            self.call = self.log.update(self.call.id, _ring, wait=False)
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
        self.log.add_event(self.call.id, "answer_sent", wait=False, ring=ring)
        self.line.answer()

    def on_caller_id(self, caller: CallerId) -> None:
        if self.call is None:
            return
        caller = _clean_caller(caller)

        def _cid(r: CallRecord) -> None:
            r.caller_number = caller.number or r.caller_number
            r.caller_raw = caller.raw or r.caller_raw
            r.caller_name = caller.name or r.caller_name
            r.caller_withheld = caller.withheld or r.caller_withheld
            r.events.append({"at": iso(), "kind": "caller_id", "caller": caller.display()})
        self.call = self.log.update(self.call.id, _cid, wait=False)
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
        self.call = self.log.update(self.call.id, _ans, wait=False)
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
        except Exception as exc:  # noqa: BLE001 - the call is answered whatever the directory does
            self.faults.report(f"line {self.line.name}: caller lookup", exc, log)
            return None, 0

    def on_call_waiting(self, caller: CallerId, kind: str = "call_waiting", reason: str = "") -> None:
        caller = _clean_caller(caller)
        now = utcnow()
        event: dict[str, object] = {"at": iso(now), "kind": kind, "caller": caller.display(),
                                    "during": self.call.id if self.call else None}
        if reason:
            event["reason"] = reason
        rec = CallRecord(
            id=new_call_id(self.line.name, now), line=self.line.name, started_at=iso(now),
            caller_number=caller.number, caller_name=caller.name, caller_withheld=caller.withheld,
            caller_raw=caller.raw, state="missed", ended_at=iso(now), hangup_by="unknown",
            lang=self.cfg.company.language, events=[event],
        )
        self.log.create(rec, wait=False)  # a call in progress does not wait for the disk
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
        rec = self.log.update(call_id, _end, wait=False)
        self.call = None
        self.calls_finished += 1
        if self.state in (LineState.IN_CALL, LineState.RINGING):
            self.state = LineState.READY
        log.info("line %s: call %s %s (by %s%s)", self.line.name, call_id, rec.state, by,
                 f": {reason}" if reason else "")
        self.notify("ended", rec)
