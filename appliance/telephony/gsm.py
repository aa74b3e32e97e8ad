"""GSM/LTE HAT driver: SIMCom SIM7600 and SIM800, following 3GPP TS 27.007.

Signalling on the AT port (any pyserial URL); on a SIM7600, the caller's
audio on the USB audio port after ``AT+CPCMREG=1`` (8 kHz s16le, 20 ms frames,
writes paced on a monotonic deadline schedule). Without an audio port the
line still takes and logs calls (signalling only). An audio port that gave
nothing during a whole call (a known SIM7600 failure) is revived with
``AT+CRESET`` once the call is over.

The driver counts rings and never answers by itself: the call handler calls
:meth:`answer` when ``Ringing.count`` reaches the configured ring.

    >>> # line = GsmLine("gsm1", "/dev/ttyUSB2", audio_port="/dev/ttyUSB4")
    >>> # line.open(); ev = line.next_event(5)
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable, Iterator, Sequence

import serial

from ..errors import LineError, ModemError, ModemTimeout, PortGone
from .at import CONNECT_FINALS, AtChannel, AtResponse, Capture
from .line import (
    FRAME_BYTES,
    Answered,
    AudioFrame,
    CallerId,
    CallerIdUpdate,
    CallWaiting,
    Dtmf,
    HungUp,
    LineState,
    Ready,
    Ringing,
    RingStopped,
    SmsReceived,
)
from .modem import BACKOFF, ModemLine, Player
from .parsers import (
    SmsHeader,
    parse_clcc,
    parse_clip,
    parse_creg,
    parse_csq,
    parse_dtmf,
    parse_sms_header,
    sms_text,
    split_fields,
)

END_CODES = ("NO CARRIER", "BUSY", "NO ANSWER", "VOICE CALL: END", "MISSED_CALL", "+CEND", "CALL END", "^CEND")
"""Remote end of a call: 27.007, SIMCom, and Huawei (``^CEND:<id>,<duration>,<end status>,<cause>``)."""


class _Released(Exception):
    """Internal: the AT port is lent to another user (gammu) between calls."""


class GsmLine(ModemLine):
    """A SIM7600 / SIM800 (or any 27.007 modem) line."""

    driver = "gsm"
    cid_records = False

    def __init__(
        self,
        name: str,
        port: str,
        *,
        audio_port: str = "",
        model: str = "auto",
        pin: str = "",
        command_timeout: float = 5.0,
        capture: Capture | None = None,
        ring_timeout: float = 8.0,
        clcc_interval: float = 1.0,
        poll_interval: float = 30.0,
        clip_wait: float = 0.25,
        read_sms: bool = False,
        dead_audio_after: float = 3.0,
        backoff: Sequence[float] = BACKOFF,
        power_cycle: Callable[[], None] | None = None,
    ) -> None:
        super().__init__(name, port, command_timeout=command_timeout, capture=capture, backoff=backoff,
                         power_cycle=power_cycle)
        self.audio_port = audio_port
        self.model = model
        self.pin = pin
        self.ring_timeout = ring_timeout
        self.clcc_interval = clcc_interval
        self.poll_interval = poll_interval
        self.clip_wait = clip_wait
        self.read_sms = read_sms
        self.detected_model = ""
        self.player = Player(self._write_audio, self._playback_done, name=f"play-{name}")
        self._aser: serial.SerialBase | None = None
        self._audio_thread: threading.Thread | None = None
        self._audio_stop = threading.Event()
        self._audio_error = False
        self._pending_ring: float | None = None
        self._clip_seen = False
        self._last_clcc = 0.0
        self._clcc_ok = True
        self._clcc_seen = 0.0
        self._last_poll = 0.0
        self._last_waiting: tuple[str | None, float] = (None, 0.0)
        self._answered_at = 0.0
        self._audio_frames = 0
        self._reset_pending = False
        self.dead_audio_after = dead_audio_after
        self._release_req: threading.Event | None = None
        self._released = threading.Event()
        self._resume = threading.Event()
        self._cmt: SmsHeader | None = None

    # ------------------------------------------------------------------ public API
    def play(self, pcm: bytes) -> None:
        self.player.play(pcm)

    def stop_playing(self) -> None:
        self.player.stop()

    def is_playing(self) -> bool:
        return self.player.is_playing()

    def close(self) -> None:
        self._resume.set()
        super().close()
        self.player.close()
        self._stop_audio(send=False)

    @contextlib.contextmanager
    def port_released(self, timeout: float = 10.0) -> Iterator[str]:
        """Lend the AT port to another program (gammu on a single-port SIM800) between calls.

        Stops the reader, closes the port and yields its URL; on exit reopens and
        re-initialises. Raises :class:`LineError` during a call or if the line is
        not in service."""
        if self.ringing or self.in_call:
            raise LineError(f"line {self.name}: cannot release the port during a call; retry between calls")
        if self.status().state != LineState.READY:
            raise LineError(f"line {self.name}: cannot release the port, the line is {self.status().state}")
        self._released.clear()
        self._resume.clear()
        self._work.put(("action", "release"))
        if not self._released.wait(timeout):
            self._resume.set()
            raise LineError(f"line {self.name}: port not released within {timeout} s (busy with a call?)")
        try:
            yield self.port
        finally:
            self._resume.set()

    # ------------------------------------------------------------------ supervisor hooks
    def _serve(self) -> None:
        try:
            super()._serve()
        except _Released:
            self._disconnect()
            self._set_state(LineState.STARTING)
            self._released.set()
            while not self._resume.wait(0.1):
                if self._closing.is_set():
                    return
            self._connect()
            self._set_state(LineState.READY)
            self.emit(Ready())
            self._serve()

    def _init_modem(self, ch: AtChannel) -> None:
        self.new_call()
        self._pending_ring = None
        for attempt in range(3):
            try:
                ch.command("AT", min(self.command_timeout, 2.0))
                break
            except ModemTimeout:
                if attempt == 2:
                    raise
        ch.command("ATE0", check=False)  # echo is recognised and skipped anyway
        ch.command("AT+CMEE=2", check=False)
        mdl = ch.command("AT+CGMM", check=False).text().strip()
        fw = ch.command("AT+CGMR", check=False).text().replace("+CGMR:", "").strip()
        self.detected_model = self._model_name(mdl)
        self._update_status(model=mdl, firmware=fw)
        pin = ch.command("AT+CPIN?", check=False)
        state = (pin.value("+CPIN:") or pin.final).upper()
        if pin.final == "ERROR":
            self.log.warning("line %s: AT+CPIN? not supported; assuming the SIM is ready", self.name)
            state = "READY (unchecked)"
        if "SIM PIN" in state and self.pin:
            ch.command(f"AT+CPIN={self.pin}", 10.0)
            state = "READY"
        if "READY" not in state:
            self._update_status(sim=state)
            raise LineError(f"line {self.name}: SIM not ready ({state!r}); insert the SIM or set [line] pin")
        self._update_status(sim=state.lower())
        if not ch.command("AT+CLIP=1", check=False).ok:
            self.log.warning("line %s: AT+CLIP=1 refused; calls will have no caller id", self.name)
        ch.command("AT+CCWA=1,1", check=False)
        ch.command("AT+CREG=1", check=False)
        if self.detected_model != "sim7600":
            ch.command("AT+DDET=1", check=False)
        if self.detected_model != "sim800":
            ch.command("AT+CVHU=0", check=False)
        self._clcc_ok = True
        self._clcc_seen = 0.0
        if self.read_sms:
            ch.command("AT+CMGF=1", check=False)
            ch.command("AT+CNMI=2,1,0,0,0", check=False)
        self._poll_status(ch)
        audio = "usb pcm" if self.audio_port and self.detected_model != "sim800" else "none (signalling only)"
        self._update_status(audio=audio)

    def _model_name(self, cgmm: str) -> str:
        if self.model != "auto":
            return self.model
        u = cgmm.upper()
        if "SIM800" in u or "SIM900" in u:
            return "sim800"
        if "SIM7600" in u or "SIM7500" in u or "SIM7000" in u:
            return "sim7600"
        return "generic"

    def _poll_status(self, ch: AtChannel) -> None:
        self._last_poll = time.monotonic()
        csq = ch.command("AT+CSQ", check=False)
        dbm, q = parse_csq(next((x for x in csq.lines if x.upper().startswith("+CSQ:")), ""))
        reg = ch.command("AT+CREG?", check=False)
        state = next((s for s in (parse_creg(x) for x in reg.lines) if s), "")
        cops = ch.command("AT+COPS?", check=False).value("+COPS:") or ""
        f = split_fields(cops)
        op = f[2] if len(f) > 2 else ""
        self._update_status(signal_dbm=dbm, signal_quality=q, registration=state, operator=op)

    # ------------------------------------------------------------------ unsolicited lines
    def _on_urc(self, line: str) -> None:
        u = line.upper()
        if self._cmt is not None:  # the text of a +CMT (direct delivery, AT+CNMI=2,2)
            head, self._cmt = self._cmt, None
            self.emit(SmsReceived(sender=head.sender, text=sms_text([line], head.ucs2)))
            return
        if u == "RING" or u.startswith("+CRING"):
            if "VOICE" in u or u == "RING" or u.startswith("+CRING"):
                self._ring()
        elif u.startswith("+CLIP:"):
            self._clip(line)
        elif u.startswith("+CCWA:"):
            self._waiting(line)
        elif u.startswith(END_CODES):
            self._remote_end(line)
        elif u.startswith(("+DTMF", "+RXDTMF")):
            d = parse_dtmf(line)
            if d and self.in_call:
                self.emit(Dtmf(digit=d))
            elif d is None:
                self.log.info("line %s: malformed DTMF line %r", self.name, line)
        elif u.startswith("+CSQ:"):
            dbm, q = parse_csq(line)
            self._update_status(signal_dbm=dbm, signal_quality=q)
        elif u.startswith(("+CREG:", "+CEREG:", "+CGREG:")):
            st = parse_creg(line)
            if st:
                self._update_status(registration=st)
        elif u.startswith("+CMTI:"):
            if self.read_sms:
                self._read_sms(line)
        elif u.startswith("+CMT:"):
            self._cmt = parse_sms_header(line)
            if self._cmt is None:
                self.log.info("line %s: malformed +CMT %r", self.name, line)
        elif u.startswith("^CONN"):
            self.log.info("line %s: call connected %r", self.name, line)
        elif u == "RDY" or u.startswith("NORMAL POWER DOWN"):
            raise ModemError(f"line {self.name}: the modem restarted ({line!r}); re-initialising")
        elif u.startswith("VOICE CALL: BEGIN"):
            self.log.info("line %s: %r", self.name, line)
        else:
            self.log.info("line %s: unsolicited %r ignored", self.name, line)

    def _ring(self) -> None:
        if self.in_call:
            return
        now = time.monotonic()
        if not self.ringing:
            keep = self.caller if self._clip_seen else CallerId()
            self.new_call()
            self.caller = keep
            self.ringing = True
            self._last_clcc = now
            self._set_state(LineState.RINGING)
        self.rings += 1
        self.last_ring = now
        if self._clip_seen or self.rings > 1:
            self.emit(Ringing(caller=self.caller, count=self.rings))
        else:
            self._pending_ring = now + self.clip_wait

    def _clip(self, line: str) -> None:
        cid = parse_clip(line)
        if cid is None:
            self.log.info("line %s: malformed caller id %r", self.name, line)
            return
        if self.in_call:
            return
        first = not self._clip_seen
        changed = cid != self.caller
        self._clip_seen = True
        self.caller = cid
        if not self.ringing:
            return
        if self._pending_ring is not None:
            self._pending_ring = None
            self.emit(Ringing(caller=cid, count=self.rings))
        elif first or changed:
            self.emit(CallerIdUpdate(caller=cid))

    def _waiting(self, line: str) -> None:
        cid = parse_clip(line)
        if cid is None:
            self.log.info("line %s: malformed call waiting line %r", self.name, line)
            return
        now = time.monotonic()
        last, t = self._last_waiting
        key = cid.display()
        self._last_waiting = (key, now)
        if key == last and now - t < self.ring_timeout:
            return
        self.log.info("line %s: call waiting from %r", self.name, key)
        self.emit(CallWaiting(caller=cid))

    def _remote_end(self, line: str) -> None:
        if self.in_call:
            self._end_call("caller", line)
        elif self.ringing:
            self._ring_stopped("caller", line)

    def _end_call(self, by: str, reason: str) -> None:
        dead = (self._aser is not None and self._audio_frames == 0
                and time.monotonic() - self._answered_at >= self.dead_audio_after)
        self._stop_audio(send=True)
        if dead:
            self.log.warning("line %s: no audio from %r during a %.0f s call; resetting the modem "
                             "(AT+CRESET) after this call", self.name, self.audio_port,
                             time.monotonic() - self._answered_at)
            self._update_status(audio="no audio received: modem reset")
            self._reset_pending = True
        self.player.stop()
        self.new_call()
        self._clip_seen = False
        self._set_state(LineState.READY)
        self.emit(HungUp(by=by, reason=reason))  # type: ignore[arg-type]

    def _ring_stopped(self, by: str, reason: str) -> None:
        self._pending_ring = None
        self.new_call()
        self._clip_seen = False
        self._set_state(LineState.READY)
        self.emit(RingStopped(by=by, reason=reason))  # type: ignore[arg-type]

    # ------------------------------------------------------------------ actions
    def _on_action(self, action: str) -> None:
        ch = self.ch
        if ch is None:
            return
        if action == "release":
            raise _Released()
        if action == "reset_audio":
            if self.ringing or self.in_call:
                self._reset_pending = True  # later, between calls
                return
            ch.command("AT+CRESET", check=False)
            raise ModemError(f"line {self.name}: modem reset (AT+CRESET) to revive its audio port")
        if action == "answer":
            if not self.ringing:
                self.log.info("line %s: answer requested but nothing rings", self.name)
                return
            if self._pending_ring is not None:
                self._pending_ring = None
                self.emit(Ringing(caller=self.caller, count=self.rings))
            r = ch.command("ATA", max(self.command_timeout, 10.0), finals=CONNECT_FINALS, check=False)
            if r.ok:
                self.ringing = False
                self.in_call = True
                self._last_clcc = time.monotonic()
                self._set_state(LineState.IN_CALL)
                self.emit(Answered())
                self._answered_at = time.monotonic()
                self._audio_frames = 0
                self._start_audio(ch)
            else:
                self._ring_stopped("caller", f"ATA answered {r.final}")
        elif action == "hang_up":
            if not self.in_call and not self.ringing:
                self.log.info("line %s: hang-up requested with no call", self.name)
                return
            was_call = self.in_call
            self._stop_audio(send=True)
            r = ch.command("AT+CHUP", check=False)
            if not r.ok:
                ch.command("ATH", check=False)
            if was_call:
                self._end_call("box", "AT+CHUP")
            else:
                self._ring_stopped("box", "rejected with AT+CHUP")

    # ------------------------------------------------------------------ periodic work
    def _tick(self, now: float) -> None:
        ch = self.ch
        if ch is None:
            return
        if self._reset_pending and not self.ringing and not self.in_call:
            self._reset_pending = False
            ch.command("AT+CRESET", check=False)
            raise ModemError(f"line {self.name}: modem reset (AT+CRESET) to revive its audio port")
        if self._pending_ring is not None and now >= self._pending_ring:
            self._pending_ring = None
            self.emit(Ringing(caller=self.caller, count=self.rings))
        if self.ringing and now - max(self.last_ring, self._clcc_seen) > self.ring_timeout:
            self._ring_stopped("caller", f"no ring for {self.ring_timeout:.0f} s")
            return
        if self._clcc_ok and (self.ringing or self.in_call) and now - self._last_clcc >= self.clcc_interval:
            self._last_clcc = now
            r = self._clcc(ch)
            if not r.ok:
                self.log.warning("line %s: AT+CLCC answered %r; not polling it", self.name, r.final)
                self._clcc_ok = False
                return
            entries = [e for e in (parse_clcc(x) for x in r.lines) if e is not None]
            if self.in_call and not any(e.active or e.stat == 1 for e in entries):
                self._end_call("network", "call no longer listed by +CLCC")
            elif self.ringing:
                if any(e.ringing for e in entries):
                    self._clcc_seen = now
                elif not any(e.active for e in entries):
                    self._ring_stopped("caller", "call no longer listed by +CLCC")
        if not self.ringing and not self.in_call and now - self._last_poll >= self.poll_interval:
            self._poll_status(ch)

    def _clcc(self, ch: AtChannel) -> AtResponse:
        return ch.command("AT+CLCC", check=False)

    def _read_sms(self, line: str) -> None:
        ch = self.ch
        f = split_fields(line.split(":", 1)[1]) if ":" in line else []
        if ch is None or len(f) < 2 or not (f[1].isascii() and f[1].isdigit()):
            self.log.info("line %s: malformed +CMTI %r", self.name, line)
            return
        idx = f[1]
        ch.command("AT+CMGF=1", check=False)
        r = ch.command(f"AT+CMGR={idx}", check=False)
        if r.ok and r.lines:
            head = parse_sms_header(r.lines[0]) or SmsHeader(sender="", ucs2=False)
            self.emit(SmsReceived(sender=head.sender, text=sms_text(r.lines[1:], head.ucs2)))
            ch.command(f"AT+CMGD={idx}", check=False)

    def _abort_call(self) -> None:
        self._stop_audio(send=False)
        self.player.stop()
        self.new_call()
        self._clip_seen = False
        self._pending_ring = None

    # ------------------------------------------------------------------ USB audio (SIM7600)
    def _start_audio(self, ch: AtChannel) -> None:
        if not self.audio_port or self.detected_model == "sim800":
            return
        try:
            self._aser = serial.serial_for_url(self.audio_port, baudrate=115200, timeout=0.05, write_timeout=0.5)
        except (serial.SerialException, OSError, ValueError) as e:
            self.log.warning("line %s: audio port %r unavailable (%s); signalling only", self.name,
                             self.audio_port, e)
            self._aser = None
            self._update_status(audio=f"failed: {e}")
            return
        r = ch.command("AT+CPCMREG=1", check=False)
        if not r.ok:
            self.log.warning("line %s: AT+CPCMREG=1 answered %r; no audio this call", self.name, r.final)
        self._audio_stop.clear()
        self._audio_error = False
        self._audio_thread = threading.Thread(target=self._audio_loop, name=f"audio-{self.name}", daemon=True)
        self._audio_thread.start()

    def _stop_audio(self, send: bool) -> None:
        aser = self._aser
        if aser is None:
            return
        self._audio_stop.set()
        t = self._audio_thread
        if t is not None and t is not threading.current_thread():
            t.join(timeout=1)
        self._audio_thread = None
        self._aser = None
        try:
            aser.close()
        except (serial.SerialException, OSError):
            pass
        ch = self.ch
        if send and ch is not None and ch.is_open:
            try:
                ch.command("AT+CPCMREG=0", check=False)
            except (ModemTimeout, PortGone) as e:
                self.log.warning("line %s: AT+CPCMREG=0 failed: %s", self.name, e)

    def _audio_loop(self) -> None:
        buf = bytearray()
        aser = self._aser
        while aser is not None and not self._audio_stop.is_set():
            try:
                n = aser.in_waiting
                data = aser.read(n if n > 0 else FRAME_BYTES)
            except (serial.SerialException, OSError, TypeError, AttributeError) as e:
                if not self._audio_stop.is_set():
                    self.log.warning("line %s: audio port read failed: %s", self.name, e)
                return
            if not data:
                continue
            buf += data
            while len(buf) >= FRAME_BYTES:
                self._audio_frames += 1
                self.emit(AudioFrame(pcm=bytes(buf[:FRAME_BYTES])))
                del buf[:FRAME_BYTES]

    def _write_audio(self, frame: bytes) -> None:
        aser = self._aser
        if aser is None:
            return
        try:
            aser.write(frame)
        except (serial.SerialException, OSError) as e:
            if not self._audio_error:
                self._audio_error = True
                self.log.warning("line %s: audio port write failed: %s", self.name, e)
