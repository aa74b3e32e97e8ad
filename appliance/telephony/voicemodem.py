"""Analog voice-modem driver: Hayes voice / ITU V.253 (USRobotics 5637, Conexant CX93010).

Idle in voice command state (``AT+FCLASS=8``) with caller id on: ``RING``
lines are counted (the ring-stop timeout follows the national cadence),
caller id arrives as ``DATE``/``TIME``/``NMBR``/``NAME`` lines (any may be
missing; ``P`` private, ``O`` unavailable), several to a line, or as hex
SDMF/MDMF records (``AT#CID=2``); rings come as ``RING`` or ``<DLE>R``.
Answer: ``AT+VSM`` (sample format), ``AT+VSD``, ``AT+VLS=1``. The modem is half duplex: the driver
records with ``AT+VRX`` (caller audio, DLE-unstuffed, converted to 16-bit
frames) and switches to ``AT+VTX`` to play (DLE-stuffed, paced in real
time, ended with ``<DLE><ETX>``), then back to ``AT+VRX``; no
:class:`AudioFrame` arrives while the box plays. Busy tone, dial tone,
silence and loop-break events mean the caller hung up; DTMF repeats are
collapsed. Hang up with ``ATH0``.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence

from ..errors import LineError, ModemTimeout, PortGone
from ..speech.audio import from_pcm16, to_pcm16
from .at import CONNECT_FINALS, AtChannel, Capture
from .dle import (
    CANCEL_TX,
    END_TX,
    EVENT_NAMES,
    HANGUP_EVENTS,
    STOP_RX_USR,
    DleDecoder,
    DtmfCollapser,
    stuff,
)
from .line import (
    FRAME_SAMPLES,
    Answered,
    AudioFrame,
    CallerId,
    CallerIdUpdate,
    Dtmf,
    HungUp,
    LineState,
    Ringing,
    RingStopped,
)
from .modem import BACKOFF, ModemLine, Player
from .parsers import cid_to_caller, parse_cid_fields

RING_PERIOD = {"FR": 5.0, "GB": 3.0, "US": 6.0}
VSM = {
    "usr5637": {"u8": "128,8000", "s16le": "129,8000", "alaw": "130,8000", "ulaw": "131,8000"},
    "cx93010": {"u8": "1,8000,0,0", "ulaw": "4,8000,0,0", "alaw": "5,8000,0,0"},
}
VSD = {"usr5637": "AT+VSD=128,0", "cx93010": "AT+VSD=0,0"}


class VoiceModemLine(ModemLine):
    """A V.253 voice modem on an analog line."""

    driver = "voicemodem"

    def __init__(
        self,
        name: str,
        port: str,
        *,
        model: str = "auto",
        country: str = "FR",
        sample_format: str = "u8",
        command_timeout: float = 5.0,
        capture: Capture | None = None,
        ring_period: float | None = None,
        stop_rx: bytes = STOP_RX_USR,
        keepalive: float = 30.0,
        backoff: Sequence[float] = BACKOFF,
        power_cycle: Callable[[], None] | None = None,
    ) -> None:
        super().__init__(name, port, command_timeout=command_timeout, capture=capture, backoff=backoff,
                         power_cycle=power_cycle)
        if country not in RING_PERIOD:
            raise LineError(f"line {name}: unknown country {country!r} for ring cadence; expected FR, GB or US")
        self.model = model
        self.country = country
        self.sample_format = sample_format
        period = ring_period or RING_PERIOD[country]
        self.ring_timeout = 1.6 * period + 0.3
        # UK double ring (0.4 s on, 0.2 s off, 0.4 s on): some modems print RING for each
        # burst; both count as one ring.
        self.min_ring_gap = min(1.0, 0.4 * period) if country == "GB" else 0.0
        self.stop_rx = stop_rx
        self.keepalive = keepalive
        self._last_ping = 0.0
        self.detected_model = ""
        self.player = Player(self._write_audio, self._playback_done, name=f"play-{name}",
                             on_start=self._begin_tx, on_end=self._end_tx)
        self._cid: dict[str, str] = {}
        self._cid_due: float | None = None
        self._ring_source = ""
        self._dtmf = DtmfCollapser()
        self._decoder = DleDecoder()
        self._carry = bytearray()
        self._rx = False
        self._tx = False
        self._fmt = sample_format
        self._audio_lock = threading.RLock()
        self._stop_req = False

    # ------------------------------------------------------------------ public API
    def play(self, pcm: bytes) -> None:
        self._stop_req = False
        self.player.play(pcm)

    def stop_playing(self) -> None:
        self._stop_req = True
        self.player.stop()

    def is_playing(self) -> bool:
        return self.player.is_playing()

    def close(self) -> None:
        super().close()
        self.player.close()

    # ------------------------------------------------------------------ init
    def _init_modem(self, ch: AtChannel) -> None:
        self._last_ping = time.monotonic()
        self.new_call()
        self._rx = self._tx = False
        for attempt in range(3):
            try:
                ch.command("AT", min(self.command_timeout, 2.0))
                break
            except ModemTimeout:
                if attempt == 2:
                    raise
        ch.command("ATZ", max(self.command_timeout, 5.0))
        ch.command("ATE0")
        ch.command("ATV1")
        i0 = ch.command("ATI0", check=False).text()
        i3 = ch.command("ATI3", check=False).text()
        self.detected_model = self._model_name(i0 + " " + i3)
        self._update_status(model=i3.strip() or i0.strip(), firmware=i0.strip())
        fmts = VSM[self.detected_model]
        if self.sample_format not in fmts:
            raise LineError(f"line {self.name}: sample format {self.sample_format!r} not available on "
                            f"{self.detected_model}; choose one of {', '.join(fmts)}")
        ch.command("AT+FCLASS=8")
        if not ch.command("AT+VCID=1", check=False).ok:
            ch.command("AT#CID=1", check=False)
        if self.detected_model == "cx93010":
            ch.command("AT-SCID=1", check=False)
        self._update_status(audio=f"{self.sample_format} 8 kHz half duplex", registration="analog line")

    def _model_name(self, ident: str) -> str:
        if self.model in VSM:
            return self.model
        u = ident.upper()
        if "CX93" in u or "CONEXANT" in u or "56000" in u:
            return "cx93010"
        return "usr5637"

    # ------------------------------------------------------------------ unsolicited
    def _on_urc(self, line: str) -> None:
        u = line.upper()
        if u == "RING" or u.startswith("RING "):
            self._ring("RING")
            return
        fields = parse_cid_fields(line)
        if fields is not None:
            for key, value in fields:
                self._cid[key] = value
            if self.ringing:
                self._cid_due = time.monotonic() + 0.15
            return
        if u in ("NO CARRIER", "BUSY", "NO DIALTONE", "NO DIAL TONE") and self.in_call:
            self._end_call("caller", line)
            return
        self.log.info("line %s: unsolicited %r ignored", self.name, line)

    def _ring(self, source: str) -> None:
        """A ring reported by ``source`` ("RING" line or "DLE" ``<DLE>R``).

        A call's rings are counted from the source of its first ring: a modem
        that reports each ring both ways rings once, not twice; the other
        source only keeps the call ringing."""
        if self.in_call:
            return
        now = time.monotonic()
        if self.ringing and (source != self._ring_source or now - self.last_ring < self.min_ring_gap):
            # the same ring reported the other way, or the second burst of a UK double ring
            self.last_ring = now
            return
        if not self.ringing:
            cid = self._cid
            self.new_call()
            self._cid = cid
            self._ring_source = source
            self.ringing = True
            self._set_state(LineState.RINGING)
            if cid:
                self.caller = cid_to_caller(cid)
        self.rings += 1
        self.last_ring = now
        self.emit(Ringing(caller=self.caller, count=self.rings))

    def _on_dle(self, code: str) -> None:
        now = time.monotonic()
        if self.in_call:
            if code in HANGUP_EVENTS:
                self._end_call("caller", EVENT_NAMES.get(code, code))
                return
            d = self._dtmf.push(code, now)
            if d is not None:
                self.emit(Dtmf(digit=d))
            return
        if code == "R":
            # V.253 ring event: some modems report rings as <DLE>R instead of RING in voice mode.
            self._ring("DLE")
            return
        if self.ringing:
            if code == "H":
                self._ring_stopped("staff", "extension picked up (handset off hook)")
            return
        self.log.debug("line %s: DLE %r while idle", self.name, code)

    def _ring_stopped(self, by: str, reason: str) -> None:
        self._cid = {}
        self._cid_due = None
        self.new_call()
        self._set_state(LineState.READY)
        self.emit(RingStopped(by=by, reason=reason))  # type: ignore[arg-type]

    # ------------------------------------------------------------------ actions
    def _on_action(self, action: str) -> None:
        ch = self.ch
        if ch is None:
            return
        if action == "answer":
            if not self.ringing:
                self.log.info("line %s: answer requested but nothing rings", self.name)
                return
            self._flush_cid()
            fmt = VSM[self.detected_model][self.sample_format]
            ch.command("AT+FCLASS=8")
            ch.command(f"AT+VSM={fmt}")
            ch.command(VSD[self.detected_model], check=False)
            r = ch.command("AT+VLS=1", max(self.command_timeout, 10.0), finals=CONNECT_FINALS, check=False)
            if not r.ok and r.final != "VCON":
                self._ring_stopped("caller", f"AT+VLS=1 answered {r.final}")
                return
            self.ringing = False
            self.in_call = True
            self._cid = {}
            self._set_state(LineState.IN_CALL)
            self.emit(Answered())
            with self._audio_lock:
                self._start_rx(ch)
        elif action == "hang_up":
            if self.in_call:
                self._end_call("box", "ATH0")
            elif self.ringing:
                ch.command("ATH0", check=False)
                self._ring_stopped("box", "rejected")
        elif action == "resume_rx":
            with self._audio_lock:
                if self.in_call and not self._rx and not self._tx:
                    self._start_rx(ch)

    def _end_call(self, by: str, reason: str) -> None:
        self.in_call = False
        self._stop_req = True
        self.player.stop()
        deadline = time.monotonic() + 1.0
        while self.player.is_playing() and time.monotonic() < deadline:
            time.sleep(0.005)
        ch = self.ch
        with self._audio_lock:
            if ch is not None:
                self._stop_rx_now(ch)
                ch.command("ATH0", check=False)
        self.new_call()
        self._set_state(LineState.READY)
        self.emit(HungUp(by=by, reason=reason))  # type: ignore[arg-type]

    # ------------------------------------------------------------------ periodic
    def _tick(self, now: float) -> None:
        if self._cid_due is not None and now >= self._cid_due:
            self._flush_cid()
        if self.ringing and now - self.last_ring > self.ring_timeout:
            self._ring_stopped("caller", f"no ring for {self.ring_timeout:.1f} s")
        elif not self.ringing and not self.in_call and now - self._last_ping >= self.keepalive:
            self._last_ping = now
            ch = self.ch
            if ch is not None:
                ch.command("AT")

    def _flush_cid(self) -> None:
        self._cid_due = None
        if not self._cid or not self.ringing:
            return
        cid = cid_to_caller(self._cid)
        if cid != self.caller:
            self.caller = cid
            self.emit(CallerIdUpdate(caller=cid))

    def _abort_call(self) -> None:
        self._stop_req = True
        self.player.stop()
        self._rx = self._tx = False
        self.new_call()
        self._cid = {}
        self._cid_due = None

    def new_call(self) -> None:
        super().new_call()
        self.caller = CallerId()

    # ------------------------------------------------------------------ voice data
    def _start_rx(self, ch: AtChannel) -> None:
        self._decoder.reset()
        self._carry.clear()
        self._fmt = self.sample_format
        self._rx = True
        r = ch.command("AT+VRX", finals=CONNECT_FINALS, raw=self._rx_data, check=False)
        if not r.final.startswith("CONNECT"):
            self._rx = False
            self.log.warning("line %s: AT+VRX answered %r; not recording", self.name, r.final)

    def _rx_data(self, data: bytes) -> bytes | None:
        d = self._decoder.feed(data)
        if d.audio:
            self._carry += d.audio
            width = 2 if self._fmt == "s16le" else 1
            n = len(self._carry) // (FRAME_SAMPLES * width) * (FRAME_SAMPLES * width)
            if n:
                pcm = to_pcm16(bytes(self._carry[:n]), self._fmt)
                del self._carry[:n]
                for i in range(0, len(pcm), FRAME_SAMPLES * 2):
                    self.emit(AudioFrame(pcm=pcm[i : i + FRAME_SAMPLES * 2]))
        for code in d.events:
            if code != "ETX":
                self._work.put(("dle", code))
        if d.rest is not None:
            self._rx = False
            return d.rest
        return None

    def _stop_rx_now(self, ch: AtChannel) -> None:
        if not self._rx:
            return
        try:
            ch.transact(self.stop_rx, what="stop AT+VRX")
        except ModemTimeout:
            self.log.warning("line %s: modem did not end AT+VRX; leaving raw mode", self.name)
            ch.leave_raw()
        self._rx = False

    def _begin_tx(self) -> None:
        ch = self.ch
        if ch is None or not self.in_call:
            raise LineError(f"line {self.name}: no call to play into")
        with self._audio_lock:
            self._stop_rx_now(ch)
            r = ch.command("AT+VTX", finals=CONNECT_FINALS, check=False)
            if not r.final.startswith("CONNECT"):
                raise LineError(f"line {self.name}: AT+VTX answered {r.final!r}")
            self._tx = True

    def _write_audio(self, frame: bytes) -> None:
        ch = self.ch
        if ch is None or not self._tx:
            raise LineError(f"line {self.name}: playback interrupted")
        ch.write_raw(stuff(from_pcm16(frame, self.sample_format)))

    def _end_tx(self) -> None:
        ch = self.ch
        with self._audio_lock:
            if not self._tx or ch is None:
                return
            self._tx = False
            try:
                if self._stop_req:
                    ch.write_raw(CANCEL_TX)
                ch.transact(END_TX, what="end of AT+VTX")
            except (ModemTimeout, PortGone) as e:
                self.log.warning("line %s: end of playback: %s", self.name, e)
                return
        if self.in_call:
            self._work.put(("action", "resume_rx"))
