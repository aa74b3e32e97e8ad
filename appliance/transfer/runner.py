"""Carries out a :class:`~.machine.Transfer` on one call: the line, the box's voice, the timeline.

The call session (:mod:`appliance.call`) hands the runner what concerns the
transfer while one is going on (the end of a sentence, keys, the line's
call-control results and second-call events, the tick); the runner asks the
machine what to do and does it: sentences through the session's speech port
onto the line (a sentence to the technician is never recorded into the call's
recording), call-control actions on the line (a line that cannot answers with a
failed :class:`~appliance.telephony.line.ControlResult`), timeline entries in
the call record, the acknowledgement of the urgent alert, and at the end either
nothing more (put through), the rest of the conversation (back to the caller)
or a hang-up (the caller could not be taken back).
"""

from __future__ import annotations

import dataclasses
import logging
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ..conversation.base import Prompt, Reply
from ..errors import PermanenceError
from ..qualification import Qualification
from ..store.record import CallRecord
from ..telephony.line import ControlResult, LineEvent, OtherParty
from .machine import Acknowledge, Act, Finished, Note, Order, Say, Transfer
from .texts import TransferTexts

if TYPE_CHECKING:
    from ..call import CallSession

log = logging.getLogger(__name__)


class TransferRun:
    """One transfer on one call (made by :class:`~.desk.TransferDesk` when the call turns urgent)."""

    def __init__(self, session: CallSession, machine: Transfer, texts: TransferTexts, rest: Reply, *,
                 acknowledge: Callable[[str, str], None], clock: Callable[[], float] = time.monotonic) -> None:
        self.session = session
        self.m = machine
        self.texts = texts
        self.rest = rest
        self.acknowledge = acknowledge
        self.clock = clock
        self.started = False
        self.handed_over = False
        self.finished = False
        self.info: dict[str, Any] = {}
        self.decided_at = clock()
        self._briefs: dict[str, tuple[threading.Thread, list[list[bytes]], Prompt]] = {}

    @property
    def active(self) -> bool:
        """Still deciding where the call goes (events and keys belong to the transfer)."""
        return not self.finished

    # ------------------------------------------------------------------ inputs from the session
    def said(self) -> None:
        if not self.started:
            self.started = True
            self._do(self.m.start(self.clock()))
        elif not self.finished:
            self._do(self.m.said(self.clock()))

    def key(self, digit: str) -> None:
        self._do(self.m.key(digit, self.clock()))

    def tick(self) -> None:
        if self.started and not self.finished:
            self._do(self.m.tick(self.clock()))

    def on_event(self, ev: LineEvent) -> None:
        if self.finished:
            return
        if isinstance(ev, ControlResult):
            self._do(self.m.control(ev, self.clock()))
        elif isinstance(ev, OtherParty):
            self._do(self.m.other(ev, self.clock()))

    def close(self) -> None:
        """The call ended (the caller hung up, the line failed, the box stopped)."""
        if not self.finished:
            self.finished = True
            self._do(self.m.caller_gone(self.clock()))

    # ------------------------------------------------------------------ orders
    def _do(self, orders: list[Order]) -> None:
        for o in orders:
            if isinstance(o, Say):
                self._say(o)
            elif isinstance(o, Act):
                self._act(o)
            elif isinstance(o, Note):
                self._note(o.kind, o.fields)
            elif isinstance(o, Acknowledge):
                self._acknowledge(o.person)
            elif isinstance(o, Finished):
                self._finished(o)

    def _say(self, o: Say) -> None:
        s = self.session
        line = s.h.line
        if s.speaking:
            line.stop_playing()
            s.speaking = False
        if o.sentence == "brief":
            self.info = self._call_info()
        prompt = self.texts.say(o.sentence, self.info or self._call_info(), o.person)
        t0 = round(s.audio_now(), 3)
        played = 0
        ready = self._briefs.pop(o.person, None) if o.sentence == "brief" else None
        if ready is not None:
            ready[0].join(timeout=15.0)  # synthesised while the phone rang (the call as known then)
            prompt = ready[2]
        chunks = ready[1][0] if ready is not None and ready[1] else self._synthesise(prompt)
        for pcm in chunks:
            if o.to == "caller" and s.recorder is not None:
                s.recorder.box(pcm)
            line.play(pcm)
            played += len(pcm)
            s.speaking = True
        turn = {"speaker": "box", "text": prompt.text, "start": t0, "end": round(t0 + played / 16000, 3),
                "kind": "prompt", "key": prompt.key, "to": o.to}
        s.h.log.update(s.call_id, lambda r: r.turns.append(turn))
        if not s.speaking:  # nothing to play (no speech port): the sentence is over at once
            self._do(self.m.said(self.clock()))

    def _synthesise(self, prompt: Prompt) -> list[bytes]:
        """The whole sentence at once: a pause while its next part is synthesised sounds like its end."""
        s = self.session
        try:
            return [pcm for pcm in (s.h.speech.prompt_chunks(prompt, s.lang) if s.h.speech is not None else ())
                    if pcm]
        except PermanenceError as exc:
            log.error("call %s: cannot say %r: %s", s.call_id, prompt.text[:40], exc)
            return []

    def _prepare_brief(self, person: str) -> None:
        """Synthesise the brief while the technician's phone rings, so it plays the moment they answer."""
        out: list[list[bytes]] = []
        prompt = self.texts.say("brief", self._call_info(), person)

        def work() -> None:
            out.append(self._synthesise(prompt))
        t = threading.Thread(target=work, name=f"brief-{self.session.call_id}", daemon=True)
        self._briefs[person] = (t, out, prompt)
        t.start()

    def _act(self, o: Act) -> None:
        s = self.session
        line = s.h.line
        if o.action == "dial":
            self._prepare_brief(self.m.person.name)
        if s.speaking:
            line.stop_playing()
            s.speaking = False
        try:
            if o.action == "hold":
                line.hold()
            elif o.action == "dial":
                line.dial(o.number)
            elif o.action == "back":
                line.back_to_caller()
            elif o.action == "transfer":
                line.transfer()
            elif o.action == "join":
                line.join()
        except PermanenceError as exc:  # NotSupported, or the line is out of service
            log.info("call %s: %s: %s", s.call_id, o.action, exc)
            self._do(self.m.control(ControlResult(action=o.action, ok=False, detail=str(exc)), self.clock()))

    def _note(self, kind: str, fields: dict[str, Any]) -> None:
        s = self.session
        try:
            s.h.log.add_event(s.call_id, kind, **fields)
        except PermanenceError as exc:
            log.error("call %s: cannot record %s: %s", s.call_id, kind, exc)
        log.info("call %s: %s %s", s.call_id, kind, fields or "")

    def _acknowledge(self, person: str) -> None:
        try:
            self.acknowledge(self.session.call_id, person)
        except PermanenceError as exc:
            log.error("call %s: the alert could not be acknowledged for %s: %s", self.session.call_id, person, exc)

    def _finished(self, o: Finished) -> None:
        self.finished = True
        s = self.session
        if o.outcome in ("put_through", "joined"):
            self.handed_over = True  # the call is the technician's: nothing more is said, heard or recorded
            return
        if o.outcome == "failed":
            log.warning("call %s: the caller could not be taken back (%s); hanging up",
                        s.call_id, self.m.failed_because)
            s.hangup_requested = True
            s.h.line.hang_up()
            return
        rest, self.rest = self.rest, Reply()
        s.transfer = None
        s.execute(dataclasses.replace(rest, urgent=False))

    # ------------------------------------------------------------------ the call as known now
    def _call_info(self) -> dict[str, Any]:
        from ..alerts.callinfo import call_info

        s = self.session
        rec = s.h.log.get(s.call_id)
        q = s.dialog.qualification() or Qualification()
        info = call_info(rec if rec is not None else CallRecord(id=s.call_id, line="", started_at=""))
        info["sla_minutes"] = q.sla_minutes
        info["urgency"] = q.urgency or info.get("urgency")
        info["name"] = info.get("name") or q.name
        info["company"] = info.get("company") or q.company
        info["callback"] = q.callback or info.get("callback")
        turns = rec.turns if rec is not None else []
        info["what"] = " ".join(str(t.get("text") or "") for t in turns
                                if t.get("speaker") == "caller" and t.get("kind") not in ("dtmf", "silence"))
        return info
