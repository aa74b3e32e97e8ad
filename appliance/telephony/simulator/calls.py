"""Calls on the simulated line: ringing, caller id, the caller's turns, DTMF, hang-ups.

One thread per call follows the :class:`ScriptedCaller`; while the call is
connected a clock thread sends the caller's audio every 20 ms (deadline
scheduled) to the SIM7600 audio port or into the voice modem's ``AT+VRX``
stream. The caller speaks its next turn once the box has spoken and then been
quiet for ``listen_silence`` seconds (no voiced frame, or no frame at all); a
caller with labels answers the box's closed questions from them first
(:meth:`ScriptedCaller.answer_to_box`), without using up a scripted turn.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from enum import Enum
from typing import TYPE_CHECKING

import numpy as np

from ...speech.audio import from_pcm16, to_pcm16
from ..dle import encode_event, stuff
from ..emulator.session import Reply, Session
from ..line import FRAME_BYTES
from .answers import for_voice
from .callers import CallHandle, CallResult, ScriptedCaller
from .multiparty import Multiparty

if TYPE_CHECKING:
    from .core import Simulator

log = logging.getLogger(__name__)

VOICED_RMS = 400.0
"""A box frame louder than this (about -38 dBFS) counts as the box speaking."""
SILENCE = b"\x00" * FRAME_BYTES


class _Step(Enum):
    """What the conversation loop does after one pass."""

    STOP = "stop"  # the call is over for the caller
    PAUSE = "pause"  # wait a frame (20 ms) before the next pass
    AGAIN = "again"  # the next pass at once


@dataclass
class _Conversation:
    """Where a caller is in its script, during one call."""

    started: float
    n_turns: int
    last_turn_end: float
    turn: int = 0
    speaking: bool = False
    answering: bool = False  # speaking an answer from the labels, not a scripted turn

    @classmethod
    def start(cls, caller: ScriptedCaller) -> _Conversation:
        now = time.monotonic()
        return cls(started=now, n_turns=max(len(caller.turns), len(caller.turn_audio or [])), last_turn_end=now)


class ActiveCall:
    def __init__(self, caller: ScriptedCaller, handle: CallHandle,
                 record: list[tuple[float, bytes]] | None = None) -> None:
        self.caller = caller
        self.record = record
        self.handle = handle
        self.result: CallResult = handle.result
        self.answered = threading.Event()
        self.ended = threading.Event()
        self.connected = False
        self.ringing = True
        self.box_spoke = False
        self.last_box_voice = 0.0
        self._speech = bytearray()
        self._lock = threading.Lock()
        self.dle_due: list[tuple[float, str]] = []
        self.held = False
        self.held_since: float | None = None
        self.await_told = False
        self.handed_over = False
        self.conference = False
        self.rejected = threading.Event()

    def close_hold(self, now: float) -> None:
        """The caller's time on hold ends now (put through, or the box speaks to them again)."""
        if self.held_since is not None:
            self.result.hold_periods.append((self.held_since, now))
            self.held_since = None
        self.await_told = False

    @property
    def number(self) -> str:
        c = self.caller
        return "" if c.withheld or c.unavailable or c.caller_id is None else c.caller_id

    def event(self, what: str) -> None:
        self.result.events.append((time.monotonic(), what))

    def box_audio(self, pcm: bytes) -> None:
        now = time.monotonic()
        for i in range(0, len(pcm) - FRAME_BYTES + 1, FRAME_BYTES):
            frame = pcm[i : i + FRAME_BYTES]
            self.result.box_audio.append((now, frame))
            if self.record is not None:
                self.record.append((now, frame))
            s = np.frombuffer(frame, dtype="<i2").astype(np.float64)
            if float(np.sqrt(np.mean(s * s))) > VOICED_RMS:
                self.box_spoke = True
                self.last_box_voice = now
                if self.await_told:
                    self.close_hold(now)

    def box_done(self, silence: float, now: float) -> bool:
        return self.box_spoke and now - self.last_box_voice >= silence

    def say(self, pcm: bytes) -> None:
        with self._lock:
            self._speech += pcm

    def speaking(self) -> bool:
        with self._lock:
            return bool(self._speech)

    def next_frame(self) -> bytes:
        with self._lock:
            if not self._speech:
                return SILENCE
            f = bytes(self._speech[:FRAME_BYTES])
            del self._speech[:FRAME_BYTES]
        return f + SILENCE[len(f):]

    def queue_dle(self, codes: list[str], spacing: float = 0.0) -> None:
        t = time.monotonic()
        with self._lock:
            for i, c in enumerate(codes):
                self.dle_due.append((t + i * spacing, c))

    def take_due(self, now: float) -> list[str]:
        with self._lock:
            due = [c for t, c in self.dle_due if t <= now]
            self.dle_due = [(t, c) for t, c in self.dle_due if t > now]
        return due


class CallEngine:
    def __init__(self, sim: Simulator) -> None:
        self.sim = sim
        self.active: ActiveCall | None = None
        self.vrx_session: Session | None = None
        self._lock = threading.RLock()
        self._closed = threading.Event()
        self._vtx_carry = bytearray()
        self.mp = Multiparty(self)
        self._waiting_calls: list[ActiveCall] = []

    def waiting_calls(self) -> list[ActiveCall]:
        with self._lock:
            return [c for c in self._waiting_calls if not c.rejected.is_set()]

    def end_call(self, call: ActiveCall, by: str) -> None:
        call.event(f"released ({by})")
        self._end(call, by)

    def hand_over(self, call: ActiveCall) -> None:
        """The caller now talks to the technician: the box's line is free."""
        with self._lock:
            if self.active is call:
                self.active = None

    def close(self) -> None:
        self._closed.set()
        self.network_end("simulator closed")

    # ------------------------------------------------------------------ placing calls
    def place(self, caller: ScriptedCaller) -> CallHandle:
        handle = CallHandle(CallResult(caller=caller.id, started=time.monotonic()))
        call = ActiveCall(caller, handle, self.sim.recorded.audio)
        t = threading.Thread(target=self._run, args=(call,), name=f"sim-call-{caller.id}", daemon=True)
        handle.thread = t
        t.start()
        return handle

    def _run(self, call: ActiveCall) -> None:
        try:
            with self._lock:
                busy = self.active
                if busy is None:
                    self.active = call
            if busy is not None:
                self._waiting(call, busy)
                return
            if self._ring(call):
                self._converse(call)
        except Exception:
            log.exception("simulator: call %s failed", call.caller.id)
            self._end(call, "network")
        finally:
            with self._lock:
                if self.active is call:
                    self.active = None
            if call.result.ended_at is None:
                call.result.ended_at = time.monotonic()
            call.handle.done.set()

    def _waiting(self, call: ActiveCall, busy: ActiveCall) -> None:
        c = call.caller
        sessions = [s for s in self.sim.main_sessions() if s.settings.ccwa]
        if not busy.connected or self.sim.dialect != "gsm" or not sessions:
            call.result.hung_up_by = "network"
            call.event("busy")
            return
        call.result.waiting = True
        limit = c.hangup_after_rings or 3
        with self._lock:
            self._waiting_calls.append(call)
        try:
            for _ in range(limit):
                call.result.rings += 1
                num, typ = self._clip_number(c)
                for s in sessions:
                    s.urc(f'+CCWA: "{num}",{typ},1')
                if call.handle.hangup_now.wait(self.sim.ring_interval) or self._closed.is_set() \
                        or call.rejected.is_set():
                    break
        finally:
            with self._lock:
                self._waiting_calls.remove(call)
        call.result.hung_up_by = "network" if call.rejected.is_set() else "caller"
        call.event("waiting call rejected by the box (busy)" if call.rejected.is_set() else "waiting call gave up")

    # ------------------------------------------------------------------ ringing
    def _clip_number(self, c: ScriptedCaller) -> tuple[str, int]:
        if c.withheld or c.unavailable or not c.caller_id:
            return "", 128
        n = c.caller_id
        if n.startswith("+"):
            return (n[1:] if self.sim.model == "sim7600" else n), 145
        return n, 129

    def _clip_line(self, c: ScriptedCaller) -> str:
        num, typ = self._clip_number(c)
        validity = 1 if c.withheld else 2 if (c.unavailable or not c.caller_id) else 0
        name = c.caller_name or ""
        if self.sim.model == "sim7600":
            return f'+CLIP: "{num}",{typ},,,"{name}",{validity}'
        return f'+CLIP: "{num}",{typ},"",0,"{name}",{validity}'

    def _cid_lines(self, c: ScriptedCaller) -> list[str]:
        sep = " = " if self.sim.model == "usr5637" else "="
        t = time.localtime()
        nmbr = "P" if c.withheld else "O" if (c.unavailable or not c.caller_id) else c.caller_id
        lines = [f"DATE{sep}{t.tm_mon:02d}{t.tm_mday:02d}", f"TIME{sep}{t.tm_hour:02d}{t.tm_min:02d}",
                 f"NMBR{sep}{nmbr}"]
        if c.caller_name and self.sim.country == "US":
            lines.append(f"NAME{sep}{c.caller_name}")
        return lines

    def _send_cid(self, c: ScriptedCaller) -> None:
        for s in self.sim.main_sessions():
            if s.settings.vcid:
                for line in self._cid_lines(c):
                    s.urc(line)

    def _ring(self, call: ActiveCall) -> bool:
        """Ring until answered (True) or the caller gives up / staff answers (False)."""
        c, sim = call.caller, self.sim
        interval = sim.ring_interval
        vm = sim.dialect == "voicemodem"
        cid_before = vm and sim.country == "GB"
        while not call.ended.is_set():
            if cid_before and call.result.rings == 0:
                self._send_cid(c)
                if call.answered.wait(min(0.5, interval * 0.3)):
                    break
            call.result.rings += 1
            sim.recorded.rings.append(time.monotonic())
            call.event(f"ring {call.result.rings}")
            double = vm and sim.country == "GB" and interval >= 2.0
            for s in sim.main_sessions():
                if vm:
                    s.urc("RING")
                    if double:  # UK cadence: two bursts 0.6 s apart, a RING for each
                        second = threading.Timer(0.6, s.urc, args=("RING",))
                        second.daemon = True
                        second.start()
                else:
                    s.urc("+CRING: VOICE" if s.settings.crc else "RING")
                    if s.settings.clip:
                        s.urc(self._clip_line(c))
            if vm and not cid_before and call.result.rings == 1:
                if call.answered.wait(min(0.5, interval * 0.4)):
                    break
                self._send_cid(c)
            deadline = time.monotonic() + interval
            if call.result.rings == 1 and vm and not cid_before:
                deadline -= min(0.5, interval * 0.4)
            if c.hangup_after_rings is not None and call.result.rings >= c.hangup_after_rings:
                deadline = time.monotonic() + min(1.0, interval / 2)
            while time.monotonic() < deadline:
                if call.answered.wait(0.01) or call.ended.is_set() or call.handle.hangup_now.is_set():
                    break
            if call.answered.is_set():
                break
            if call.ended.is_set():
                return False
            staff = c.staff_answers_after_rings is not None and call.result.rings >= c.staff_answers_after_rings
            gave_up = (call.handle.hangup_now.is_set()
                       or (c.hangup_after_rings is not None and call.result.rings >= c.hangup_after_rings)
                       or call.result.rings >= c.max_rings)
            if staff or gave_up:
                self._stop_ringing(call, "staff" if staff else "caller")
                return False
        return call.answered.is_set() and not call.ended.is_set()

    def _stop_ringing(self, call: ActiveCall, by: str) -> None:
        sim = self.sim
        call.ringing = False
        if sim.dialect == "gsm":
            if sim.model == "sim7600":
                t = time.localtime()
                h = t.tm_hour % 12 or 12
                num = self._clip_number(call.caller)[0] or "Unknown"
                sim.urc(f"MISSED_CALL: {h:02d}:{t.tm_min:02d}{'AM' if t.tm_hour < 12 else 'PM'} {num}")
            else:
                sim.urc("NO CARRIER")
        elif by == "staff":
            for s in sim.main_sessions():
                if s.settings.fclass == "8":
                    s.write(encode_event("H"))
        call.event(f"ringing stopped by {by}")
        self._end(call, by)

    # ------------------------------------------------------------------ box actions
    def box_answer(self, s: Session, how: str) -> Reply:
        sim = self.sim
        call = self.active
        if sim.dialect == "voicemodem":
            sim.off_hook = True
        if call is None or call.ended.is_set() or call.connected:
            if sim.dialect == "voicemodem":
                return Reply()
            return Reply(final="NO CARRIER")
        with self._lock:
            call.connected = True
            call.ringing = False
            call.result.answered = True
            call.result.answered_at = time.monotonic()
            call.event(f"answered by the box ({how})")
            call.answered.set()
        if sim.model == "sim7600":
            return Reply(after=lambda: sim.urc("VOICE CALL: BEGIN"))
        return Reply()

    def box_hangup(self, s: Session) -> None:
        sim = self.sim
        sim.off_hook = False
        sim.pcm_on = False
        if self.mp.box_hung_up():
            return  # an analog transfer: hanging up connected the caller and the technician
        call = self.active
        if call is not None and not call.ended.is_set():
            call.event("hung up by the box")
            self._end(call, "box")

    def network_end(self, reason: str) -> None:
        call = self.active
        if call is not None and not call.ended.is_set():
            call.event(reason)
            self._end(call, "network")

    def _end(self, call: ActiveCall, by: str) -> None:
        with self._lock:
            if call.ended.is_set():
                return
            call.result.hung_up_by = by
            call.result.ended_at = time.monotonic()
            call.connected = False
            call.ringing = False
            call.ended.set()
            mine = self.active is call
        if by != "box" and mine:
            self.sim.pcm_on = False
        if call.handed_over or call.conference:
            self.mp.end_connected(call)

    def clcc_lines(self) -> list[str]:
        lines = []
        call = self.active
        if call is not None and not call.ended.is_set():
            num, typ = self._clip_number(call.caller)
            stat = 1 if call.held else 0 if call.connected else 4
            lines.append(f'+CLCC: 1,1,{stat},0,{int(call.conference)},"{num}",{typ}')
        lines += self.mp.clcc_lines()
        for i, w in enumerate(self.waiting_calls()):
            num, typ = self._clip_number(w.caller)
            lines.append(f'+CLCC: {3 + i},1,5,0,0,"{num}",{typ}')
        return lines

    # ------------------------------------------------------------------ conversation
    def _caller_hangup(self, call: ActiveCall) -> None:
        sim = self.sim
        call.event("caller hung up")
        if sim.dialect == "gsm":
            # a real modem reports the end as it happens: the result codes go out before the call
            # leaves +CLCC, so a poll in flight never makes a caller's hang-up look like a drop
            if sim.model == "sim7600":
                dur = int(time.monotonic() - (call.result.answered_at or time.monotonic()))
                sim.urc(f"VOICE CALL: END: {dur:06d}")
            sim.urc("NO CARRIER")
            self._end(call, "caller")
        else:
            self._end(call, "caller")
            call.queue_dle([call.caller.hangup_signal])
            self._flush_dle_now(call)

    def _send_dtmf(self, call: ActiveCall, digits: str) -> None:
        sim = self.sim
        for i, d in enumerate(digits):
            # a person presses a key again no sooner than 0.3 s after (the box reads one report of the
            # same key within 0.1 s as that key held; at 0.1 s apart a loaded machine merged "555" into "55")
            gap = 0.3 if digits[i + 1 : i + 2] == d else 0.1
            call.result.dtmf_sent += d
            call.event(f"dtmf {d}")
            if sim.dialect == "gsm":
                if sim.model == "sim7600":
                    sim.urc(f"+RXDTMF: {d}")
                else:
                    for s in sim.main_sessions():
                        if s.settings.ddet:
                            s.urc(f"+DTMF: {d}")
                time.sleep(gap)
            elif sim.model == "cx93010":
                call.queue_dle(["/", d, "~"] * 3, spacing=0.023)
                time.sleep(0.25)
            else:
                call.queue_dle([d])
                time.sleep(gap)

    def _render(self, call: ActiveCall, k: int) -> bytes:
        c = call.caller
        if c.turn_audio is not None and k < len(c.turn_audio):
            return c.turn_audio[k]
        return self._render_text(c.turns[k], c.lang)

    def _render_text(self, text: str, lang: str) -> bytes:
        if self.sim.voice is not None:
            return self.sim.voice(text, lang)
        from .voice import espeak_voice

        return espeak_voice(text, lang)

    def _converse(self, call: ActiveCall) -> None:
        """The caller's side of a connected call, every 20 ms until one side hangs up."""
        clock = threading.Thread(target=self._clock, args=(call,), name="sim-audio-clock", daemon=True)
        clock.start()
        conv = _Conversation.start(call.caller)
        try:
            while not call.ended.is_set() and not self._closed.is_set():
                step = self._converse_step(call, conv)
                if step is _Step.STOP:
                    return
                if step is _Step.PAUSE:
                    time.sleep(0.02)
        finally:
            self._end(call, call.result.hung_up_by or "network")
            clock.join(timeout=1)

    def _converse_step(self, call: ActiveCall, conv: _Conversation) -> _Step:
        """One pass of the conversation: hang-up and keys first, then the caller's speech."""
        now = time.monotonic()
        if self._caller_gives_up(call, conv, now):
            self._caller_hangup(call)
            return _Step.STOP
        keys = call.handle.take_keys()
        if keys:
            self._send_dtmf(call, keys)
        if call.handed_over or call.conference:
            self._after_put_through(call)
            return _Step.STOP
        if call.held or call.await_told:  # on hold: the script waits for the box to come back
            conv.last_turn_end = now
            return _Step.PAUSE
        if conv.speaking:
            return self._caller_finishing(call, conv)
        return self._caller_turn(call, conv, now)

    @staticmethod
    def _caller_gives_up(call: ActiveCall, conv: _Conversation, now: float) -> bool:
        """Hung up by the test, or the call lasted the caller's limit."""
        c, elapsed = call.caller, now - conv.started
        return (call.handle.hangup_now.is_set() or elapsed > c.max_call_seconds
                or (c.hangup_after_seconds is not None and elapsed >= c.hangup_after_seconds))

    def _caller_finishing(self, call: ActiveCall, conv: _Conversation) -> _Step:
        """The caller is speaking: wait for the audio to run out, then count what was said."""
        if call.speaking():
            return _Step.PAUSE
        conv.speaking = False
        if conv.answering:
            conv.answering = False
            call.result.answers_spoken += 1
            call.event("answer spoken")
            call.box_spoke = False
            conv.last_turn_end = time.monotonic()
            return _Step.AGAIN
        return self._turn_spoken(call, conv)

    def _turn_spoken(self, call: ActiveCall, conv: _Conversation) -> _Step:
        """A scripted turn has been spoken: its keys, a scripted hang-up, or on to the next turn."""
        c, k = call.caller, conv.turn
        call.result.turns_spoken += 1
        call.event(f"turn {k} spoken")
        if k in c.dtmf:
            self._send_dtmf(call, c.dtmf[k])
        if c.hangup_after_turn is not None and k >= c.hangup_after_turn:
            self._caller_hangup(call)
            return _Step.STOP
        conv.turn += 1
        call.box_spoke = False
        conv.last_turn_end = time.monotonic()
        return _Step.AGAIN

    def _caller_turn(self, call: ActiveCall, conv: _Conversation, now: float) -> _Step:
        """The caller is quiet: answer the box, key a number, speak the next turn, or hang up."""
        c = call.caller
        waited = now - max(conv.last_turn_end, call.last_box_voice) > c.wait_limit  # box silent that long
        done = call.box_done(c.listen_silence, now) and (waited or c.box_replied())
        pressed = c.keys_for_box() if done else None
        if pressed:  # the box could not hear the number: keyed instead, at a person's pace
            self._key_answer(call, conv, pressed)
            return _Step.AGAIN
        reply = c.answer_to_box() if done else None
        if done:
            log.debug("caller %s: box said %r; answer %r", c.id, c.box_said() if c.box_said else None, reply)
        if reply is not None:  # the box asked a closed question: answered, the script waits
            conv.speaking = conv.answering = True
            c.speaking_now()
            call.say(self._render_text(for_voice(reply, c.lang), c.lang))
        elif conv.turn < conv.n_turns:
            if done or waited:
                conv.speaking = True
                c.speaking_now()
                if conv.turn not in c.silence_turns:
                    call.say(self._render(call, conv.turn))
        elif not c.wait_for_box_hangup and (
                (call.box_done(c.linger, now) and c.box_replied()) or waited):
            self._caller_hangup(call)
            return _Step.STOP
        return _Step.PAUSE

    def _key_answer(self, call: ActiveCall, conv: _Conversation, pressed: str) -> None:
        """The labels' answer keyed on the phone's keypad, one key at a time."""
        call.caller.speaking_now()
        for key in pressed:  # (keys 0.1 s apart: the same key twice reads as one held key)
            self._send_dtmf(call, key)
            time.sleep(0.2)
        call.result.answers_spoken += 1
        call.box_spoke = False
        conv.last_turn_end = time.monotonic()

    def _after_put_through(self, call: ActiveCall) -> None:
        """Talking to the technician: after a while the caller hangs up."""
        c = call.caller
        end = (call.result.put_through_at or time.monotonic()) + c.after_transfer_seconds
        while not call.ended.is_set() and time.monotonic() < end and not call.handle.hangup_now.is_set():
            time.sleep(0.02)
        if call.ended.is_set():
            return
        if call.conference:
            self._caller_hangup(call)  # the box is still on the call: it hears the caller leave
        else:
            call.event("caller hung up on the technician")
            call.result.hung_up_by = "caller"
            self._end(call, "caller")

    def _clock(self, call: ActiveCall) -> None:
        """Every 20 ms: one frame of the caller's audio to the box (or the DLE stream)."""
        sim = self.sim
        nxt = time.monotonic()
        while not call.ended.is_set():
            nxt += 0.02
            delay = nxt - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            elif delay < -0.2:
                nxt = time.monotonic()
            if call.handed_over:
                return  # the caller talks to the technician now: nothing of it reaches the box
            frame = SILENCE if call.held else call.next_frame()  # on hold: the other call is silent
            if sim.faults.one_way:
                frame = SILENCE
            noise = sim.noise(FRAME_BYTES // 2)
            if noise is not None:
                s = np.frombuffer(frame, dtype="<i2").astype(np.float64) + noise
                frame = np.clip(s, -32768, 32767).astype("<i2").tobytes()
            if sim.dialect == "gsm":
                if sim.model == "sim7600" and sim.pcm_on and not sim.faults.dead_audio:
                    sim.write_audio(frame)
                continue
            self._voice_tick(call, frame)

    def _voice_tick(self, call: ActiveCall, frame: bytes) -> None:
        s = self.vrx_session
        due = call.take_due(time.monotonic())
        if s is not None and s.mode == "vrx":
            fmt = self.sim.voice_format(s.settings.vsm) or "u8"
            payload = stuff(from_pcm16(frame, fmt)) + b"".join(encode_event(c) for c in due)
            s.write(payload, timeout=0.1)
        elif due:
            data = b"".join(encode_event(c) for c in due)
            for m in self.sim.main_sessions():
                m.write(data)

    def _flush_dle_now(self, call: ActiveCall) -> None:
        due = call.take_due(time.monotonic() + 10)
        if not due:
            return
        data = b"".join(encode_event(c) for c in due)
        s = self.vrx_session
        if s is not None and s.mode == "vrx":
            s.write(data)
            return
        for m in self.sim.main_sessions():
            m.write(data)

    def box_voice_data(self, data: bytes, s: Session) -> None:
        call = self.active
        if call is None or not call.connected:
            return
        fmt = self.sim.voice_format(s.settings.vsm) or "u8"
        width = 2 if fmt == "s16le" else 1
        self._vtx_carry += data
        n = len(self._vtx_carry) // (FRAME_BYTES // 2 * width) * (FRAME_BYTES // 2 * width)
        if n:
            self.mp.route_box_audio(to_pcm16(bytes(self._vtx_carry[:n]), fmt))
            del self._vtx_carry[:n]

    def vtx_started(self) -> None:
        self._vtx_carry.clear()
        call = self.active
        if call is not None:
            call.event("box playing (VTX)")

    def vtx_ended(self) -> None:
        call = self.active
        if call is not None:
            call.event("box stopped playing")
