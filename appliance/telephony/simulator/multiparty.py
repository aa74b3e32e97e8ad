"""Calls the box places, call hold and multiparty on the simulated line, as a SIM7600 (27.007) does.

GSM dialect: ``ATD<number>;`` places a second call (the caller's call must be on
hold: the simulator, like a strict network, refuses to dial over an active
call); ``+CLCC`` lists the caller (index 1, held or active, ``mpty`` in a
three-way call), the call the box placed (index 2: dialing, alerting, active)
and a waiting third call (index 3, ``+CCWA``); ``AT+CHLD=0/1/1x/2/2x/3/4`` do
what 27.007 says (release held or reject waiting, release active and accept
the other, release call x, hold active and accept the other, private with x,
join, explicit call transfer); ``AT+CHLD=?`` lists them. ``ect=False`` makes
the network refuse explicit call transfer (``+CME ERROR``), as many operators do.
The call the box placed reports ``VOICE CALL: BEGIN`` when answered, ``BUSY``,
``NO ANSWER`` or ``VOICE CALL: END``/``NO CARRIER`` when it ends, DTMF as
``+RXDTMF``.

Voice-modem dialect with ``hook_flash=True`` (the operator's call transfer
service): ``ATD!;`` is a hook flash (the exchange holds the caller and gives a
dial tone), ``ATDTW<number>;`` calls the number (``NO DIALTONE`` without a
flash), ``ATD!<keys>;`` drops the second call and takes the caller back, and
hanging up while the second call is answered connects the two parties. The
call's progress reaches the box as V.253 events in its ``AT+VRX`` stream
(``<DLE>r`` ringback, ``<DLE>b`` busy, the technician's keys).
"""

from __future__ import annotations

import logging
import re
import threading
import time
from typing import TYPE_CHECKING

import numpy as np

from ..emulator.session import Reply, Session
from ..line import FRAME_BYTES
from .phones import PhoneResult, SimPhone

if TYPE_CHECKING:
    from .calls import ActiveCall, CallEngine

log = logging.getLogger(__name__)

VOICED_RMS = 400.0
OUT_INDEX = 2
WAITING_INDEX = 3
CHLD_CODES = "(0,1,1x,2,2x,3,4)"


class OutgoingCall:
    """The call the box placed, to a simulated phone."""

    def __init__(self, number: str, phone: SimPhone, result: PhoneResult) -> None:
        self.index = OUT_INDEX
        self.number = number
        self.phone = phone
        self.result = result
        self.state = "dialing"
        self.ended = threading.Event()
        self.box_spoke = False
        self.last_box_voice = 0.0

    def box_audio(self, pcm: bytes, now: float) -> None:
        for i in range(0, len(pcm) - FRAME_BYTES + 1, FRAME_BYTES):
            frame = pcm[i : i + FRAME_BYTES]
            self.result.heard.append((now, frame))
            s = np.frombuffer(frame, dtype="<i2").astype(np.float64)
            if float(np.sqrt(np.mean(s * s))) > VOICED_RMS:
                self.box_spoke = True
                self.last_box_voice = now


class Multiparty:
    """The second call and call hold for one :class:`~.calls.CallEngine`."""

    def __init__(self, engine: CallEngine) -> None:
        self.engine = engine
        self.sim = engine.sim
        self.out: OutgoingCall | None = None
        self.log: list[str] = []
        """What happened, in words (a test reads it: "CHLD=2 while a call waits" must never appear)."""

    # ------------------------------------------------------------------ the box's commands
    def dial(self, s: Session, text: str) -> Reply:
        body = text.strip()
        voice = body.endswith(";")
        body = body.rstrip(";").strip()
        if self.sim.dialect == "voicemodem":
            return self._dial_analog(s, body)
        number = re.sub(r"^[TtPp]", "", body)
        if not voice:
            return Reply(final="NO CARRIER")  # a data call: not modelled
        caller = self.engine.active
        if self.out is not None or (caller is not None and caller.connected and not caller.held):
            self.note(f"ATD{number}; refused: a call is active or a second call exists")
            return self.sim.commands.cme(s, 3)
        return self._place(number)

    def _place(self, number: str) -> Reply:
        result = PhoneResult(number, dialled_at=time.monotonic())
        self.sim.phone_calls.add(result)
        phone = self.sim.phone_for(number)
        if phone is None or phone.behaviour == "unreachable":
            result.ended_by = "network"
            result.ended_at = time.monotonic()
            result.event("unreachable")
            self.note(f"ATD{number}; unreachable")
            return Reply(final="NO CARRIER")
        out = OutgoingCall(number, phone, result)
        self.out = out
        self.note(f"dialling {number}")
        t = threading.Thread(target=self._run, args=(out,), name=f"sim-phone-{number}", daemon=True)
        t.start()
        return Reply()

    def chld(self, s: Session, arg: str) -> Reply:
        a = arg.strip()
        if a == "=?":
            return Reply((f"+CHLD: {CHLD_CODES}",))
        if not re.fullmatch(r"=[0-4]\d?", a):
            return Reply(final="ERROR")
        code = a[1:]
        self.note(f"AT+CHLD={code}")
        with self.engine._lock:
            ok = self._chld(code)
        if ok is None:
            return Reply()
        self.note(f"AT+CHLD={code} refused: {ok}")
        return self.sim.commands.cme(s, 3)

    def _chld(self, code: str) -> str | None:
        """Carry out ``AT+CHLD=<code>``; None when done, else why it was refused."""
        caller, out, waiting = self._caller(), self.out, self.engine.waiting_calls()
        if code == "0":
            if waiting:
                waiting[0].rejected.set()
            elif caller is not None and caller.held:
                self.engine.end_call(caller, "box")
            return None
        if code.startswith("1"):
            return self._release(code[1:], caller, out, waiting)
        if code.startswith("2"):
            return self._hold_or_swap(code[1:], caller, out, waiting)
        if code == "3":
            return self._join(caller, out)
        if code == "4":
            if not self.sim.ect:
                return "explicit call transfer refused by the network"
            if caller is None or not caller.held or out is None or out.state not in ("active", "alerting"):
                return "explicit call transfer needs a held call and an active or alerting one"
            self._transfer(caller, out)
            return None
        return f"unknown code {code}"

    def _release(self, x: str, caller: ActiveCall | None, out: OutgoingCall | None,
                 waiting: list[ActiveCall]) -> str | None:
        """``1``: release the active calls, accept the held one; ``1x``: release call x."""
        if not x:
            if out is not None and out.state in ("dialing", "alerting", "active"):
                self._end_out(out, "box")
            if caller is not None and caller.connected and not caller.held:
                self.engine.end_call(caller, "box")
            elif caller is not None and caller.held:
                self._retrieve(caller)
            return None
        if out is not None and int(x) == out.index:
            self._end_out(out, "box")
        elif caller is not None and int(x) == 1:
            self.engine.end_call(caller, "box")
        elif waiting and int(x) == WAITING_INDEX:
            waiting[0].rejected.set()
        else:
            return f"no call {x}"
        return None

    def _hold_or_swap(self, x: str, caller: ActiveCall | None, out: OutgoingCall | None,
                      waiting: list[ActiveCall]) -> str | None:
        """``2``: hold the active calls, accept the held (or waiting) one; ``2x``: private with call x."""
        if x:
            if caller is None or int(x) != 1:
                return f"no call {x} to talk to privately"
            if out is not None and out.state == "active":
                out.state = "held"
            if caller.held:
                self._retrieve(caller)
            return None
        if waiting:
            return "a call is waiting: AT+CHLD=2 would accept it (not modelled)"
        if caller is None:
            return "no call"
        if not caller.held and out is None:
            self._hold(caller)
        elif caller.held and (out is None or out.state in ("ended", "active")):
            if out is not None:
                out.state = "held"
            self._retrieve(caller)
        else:
            return "nothing to swap"
        return None

    def _join(self, caller: ActiveCall | None, out: OutgoingCall | None) -> str | None:
        if caller is None or not caller.held or out is None or out.state != "active":
            return "a three-way call needs one held and one active call"
        caller.held = False
        caller.conference = True
        caller.close_hold(time.monotonic())
        caller.event(f"three-way call with {out.number}")
        caller.result.joined_with = out.number
        caller.result.put_through_at = time.monotonic()
        out.result.connected_to = caller.number or "withheld"
        out.result.connected_at = time.monotonic()
        return None

    # ------------------------------------------------------------------ analog: the operator's transfer
    def _dial_analog(self, s: Session, body: str) -> Reply:
        caller = self.engine.active
        if body.startswith("!"):
            keys = body[1:].lstrip("Ww,")
            if caller is None or not caller.connected:
                return Reply(final="ERROR")
            if not self.sim.hook_flash:
                self.note("hook flash: the line offers no transfer")
                return Reply()
            if keys and caller.held:  # flash + keys: drop the second call, back to the caller
                if self.out is not None:
                    self._end_out(self.out, "box")
                self._retrieve(caller)
                return Reply()
            if not caller.held:
                self._hold(caller)
            return Reply()
        number = re.sub(r"^[TtPpWw,]+", "", body)
        if caller is None or not caller.held or self.out is not None:
            self.note(f"ATD{body}: no dial tone")
            return Reply(final="NO DIALTONE")
        return self._place(number)

    def box_hung_up(self) -> bool:
        """The box hung up (``ATH``/``AT+CHUP``): True when that transferred the call (analog)."""
        out, caller = self.out, self._caller()
        if (self.sim.dialect == "voicemodem" and self.sim.hook_flash and caller is not None and caller.held
                and out is not None and out.state in ("active", "alerting")):
            self._transfer(caller, out)
            return True
        if out is not None:
            self._end_out(out, "box")
        return False

    # ------------------------------------------------------------------ state changes
    def _caller(self) -> ActiveCall | None:
        c = self.engine.active
        return c if c is not None and c.connected and not c.ended.is_set() else None

    def _hold(self, caller: ActiveCall) -> None:
        caller.held = True
        caller.box_spoke = False
        caller.held_since = time.monotonic()
        caller.event("on hold")

    def _retrieve(self, caller: ActiveCall) -> None:
        caller.held = False
        caller.await_told = True  # the hold lasts, for the caller, until the box speaks again
        caller.event("taken off hold")

    def _transfer(self, caller: ActiveCall, out: OutgoingCall) -> None:
        now = time.monotonic()
        caller.close_hold(now)
        caller.held = False
        caller.handed_over = True
        caller.result.transferred_to = out.number
        caller.result.put_through_at = now
        caller.event(f"put through to {out.number}")
        out.result.connected_to = caller.number or "withheld"
        out.result.connected_at = now
        out.result.event("connected to the caller")
        out.state = "connected"
        self.out = None
        self.engine.hand_over(caller)
        self.note(f"transferred the caller to {out.number}")

    def _end_out(self, out: OutgoingCall, by: str) -> None:
        if out.ended.is_set():
            return
        out.state = "ended"
        out.result.ended_by = by
        out.result.ended_at = time.monotonic()
        out.result.event(f"ended by {by}")
        out.ended.set()
        if self.out is out:
            self.out = None
        self.sim.phone_calls.notify()

    def end_connected(self, caller: ActiveCall) -> None:
        """The caller and the technician, connected by a transfer or a three-way call, are done."""
        for r in self.sim.phone_calls.results:
            if r.connected_to is not None and r.ended_at is None and r.connected_at is not None \
                    and r.connected_at >= (caller.result.answered_at or 0):
                r.ended_at = time.monotonic()
                r.ended_by = "caller"
        out = self.out
        if out is not None and caller.conference:
            self._end_out(out, "caller")
        self.sim.phone_calls.notify()

    def note(self, what: str) -> None:
        self.log.append(what)
        log.debug("simulator: %s", what)

    # ------------------------------------------------------------------ what the box hears of it
    def clcc_lines(self) -> list[str]:
        out = self.out
        if out is None or out.state in ("ended", "connected"):
            return []
        stat = {"dialing": 2, "alerting": 3, "active": 0, "held": 1}[out.state]
        caller = self._caller()
        mpty = 1 if caller is not None and caller.conference else 0
        number = out.number.lstrip("+") if self.sim.model == "sim7600" else out.number
        typ = 145 if out.number.startswith("+") else 129
        return [f'+CLCC: {out.index},0,{stat},0,{mpty},"{number}",{typ}']

    def route_box_audio(self, pcm: bytes) -> None:
        """The box's voice goes to the active calls: the caller unless held, the second call once answered."""
        now = time.monotonic()
        caller = self.engine.active
        if caller is not None and caller.connected and not caller.held and not caller.handed_over:
            caller.box_audio(pcm)
        out = self.out
        if out is not None and out.state == "active":
            out.box_audio(pcm, now)

    def _report(self, text: str) -> None:
        """A result code or event about the second call, in the dialect's form."""
        if self.sim.dialect == "gsm":
            self.sim.urc(text)
            return
        caller = self.engine.active
        code = {"ringback": "r", "busy": "b", "hung up": "b"}.get(text, text)
        if caller is not None and len(code) == 1:
            caller.queue_dle([code])

    def _key(self, key: str) -> None:
        if self.sim.dialect == "voicemodem":
            self._report(key)
        elif self.sim.model == "sim7600":
            self.sim.urc(f"+RXDTMF: {key}")
        else:
            for s in self.sim.main_sessions():
                if s.settings.ddet:
                    s.urc(f"+DTMF: {key}")

    # ------------------------------------------------------------------ the phone's side
    def _run(self, out: OutgoingCall) -> None:
        try:
            if self._ring(out):
                self._talk(out)
        except Exception:
            log.exception("simulator: the call to %s failed", out.number)
            self._end_out(out, "network")

    def _ring(self, out: OutgoingCall) -> bool:
        phone, r = out.phone, out.result
        if out.ended.wait(0.2):
            return False
        if phone.behaviour == "busy":
            r.event("busy")
            self._end_out(out, "busy")
            self._report("BUSY" if self.sim.dialect == "gsm" else "busy")
            return False
        out.state = "alerting"
        start = time.monotonic()
        while not out.ended.is_set():
            r.rings += 1
            r.first_ring_at = r.first_ring_at or time.monotonic()
            r.event(f"ring {r.rings}")
            self.sim.phone_calls.notify()
            if self.sim.dialect == "voicemodem":
                self._report("ringback")
            if phone.behaviour == "answers" and r.rings >= phone.answer_after_rings:
                break
            if phone.behaviour == "never_answers" and time.monotonic() - start >= phone.network_timeout:
                self._end_out(out, "network")
                self._report("NO ANSWER" if self.sim.dialect == "gsm" else "busy")
                return False
            if out.ended.wait(self.sim.ring_interval):
                return False
        if out.ended.is_set():
            return False
        out.state = "active"
        r.answered_at = time.monotonic()
        r.event("answered")
        self.sim.phone_calls.notify()
        if self.sim.model == "sim7600":
            self.sim.urc("VOICE CALL: BEGIN")
        return True

    def _talk(self, out: OutgoingCall) -> None:
        phone, r = out.phone, out.result
        keys = list(phone.keys)
        while not out.ended.is_set() and out.state != "connected":
            now = time.monotonic()
            if phone.hangup_after is not None and now - (r.answered_at or now) >= phone.hangup_after:
                r.event("hung up")
                self._end_out(out, "phone")
                if self.sim.dialect == "gsm":
                    if self.sim.model == "sim7600":
                        self.sim.urc("VOICE CALL: END: 000010")
                    self.sim.urc("NO CARRIER")
                else:
                    self._report("hung up")
                return
            if keys and out.state == "active" and out.box_spoke and now - out.last_box_voice >= phone.listen_silence:
                key = keys.pop(0)
                r.keys_pressed += key
                r.event(f"pressed {key}")
                self._key(key)
                out.box_spoke = bool(keys)  # the next key follows at once; after the last, wait for the box
            out.ended.wait(0.02)
