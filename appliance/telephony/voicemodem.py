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

The call logic lives in :class:`~.voice_calls.VoiceCalls`, without I/O; this
class is its shell: the port, the threads, the half-duplex audio.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence

from ..errors import LineError, ModemTimeout, PortGone
from ..speech.audio import from_pcm16, to_pcm16
from .at import CONNECT_FINALS, AtChannel, Capture, VoiceSink
from .dle import CANCEL_TX, END_TX, STOP_RX_USR, stuff
from .line import FRAME_SAMPLES, AudioFrame, TransferKind
from .modem import BACKOFF, ModemLine, Player
from .protocol import Unsolicited
from .steps import Work
from .voice_calls import RING_PERIOD, VSD, VSM, VoiceCalls, VoiceSettings

__all__ = ["RING_PERIOD", "VSD", "VSM", "VoiceModemLine"]


class VoiceModemLine(ModemLine):
    """A V.253 voice modem on an analog line."""

    driver = "voicemodem"
    control_actions = frozenset({"hold", "dial", "back", "transfer"})

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
        transfer: TransferKind = "none",
        flash_ms: int = 270,
        flash_back: str = "1",
        announce_after: float = 12.0,
    ) -> None:
        super().__init__(name, port, command_timeout=command_timeout, capture=capture, backoff=backoff,
                         power_cycle=power_cycle)
        if transfer == "multiparty":
            raise LineError(f"line {name}: an analog line puts callers through with a hook flash, "
                            f"not with GSM call hold")
        self.transfer_mode = transfer
        try:
            settings = VoiceSettings(country=country, sample_format=sample_format, ring_period=ring_period,
                                     keepalive=keepalive, flash_ms=flash_ms, flash_back=flash_back,
                                     announce_after=announce_after)
        except LineError as e:
            raise LineError(f"line {name}: {e}") from None
        self.calls = VoiceCalls(settings, name=name)
        self.model = model
        self.country = country
        self.sample_format = sample_format
        self.ring_timeout = settings.ring_timeout
        self.stop_rx = stop_rx
        self.player = Player(self._write_audio, self._playback_done, name=f"play-{name}",
                             on_start=self._begin_tx, on_end=self._end_tx)
        self._carry = bytearray()
        self._rx = False
        self._tx = False
        self._fmt = sample_format
        self._audio_lock = threading.RLock()
        self._stop_req = False

    @property
    def detected_model(self) -> str:
        return self.calls.s.model

    @property
    def in_call(self) -> bool:
        return self.calls.in_call

    @property
    def ringing(self) -> bool:
        return self.calls.ringing

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

    # ------------------------------------------------------------------ supervisor hooks
    def _init_modem(self, ch: AtChannel) -> None:
        self._rx = self._tx = False
        self.run_work(self.calls.init(self.model))

    def _on_urc(self, ev: Unsolicited) -> None:
        self.run_work(self.calls.on_line(ev.text, ev.continuation))

    def _on_dle(self, code: str) -> None:
        self.run_work(self.calls.on_dle(code))

    def _on_action(self, action: str) -> None:
        ch = self.ch
        if ch is None:
            return
        if action == "answer":
            self.run_work(self.calls.answer())
        elif action == "hang_up":
            self.run_work(self.calls.hang_up())
        elif action == "resume_rx":
            with self._audio_lock:
                if self.in_call and not self._rx and not self._tx:
                    self._start_rx(ch)

    def _control_work(self, action: str, arg: str) -> Work | None:
        c = self.calls
        if action == "dial":
            return c.dial(arg)
        table = {"hold": c.hold, "back": c.back_to_caller, "transfer": c.transfer}
        fn = table.get(action)
        return fn() if fn is not None else None

    def _tick(self, now: float) -> None:
        self.run_work(self.calls.tick())

    def _abort_call(self) -> None:
        self._stop_req = True
        self.player.stop()
        self._rx = self._tx = False
        self.calls.reset()

    def _audio(self, action: str) -> None:
        ch = self.ch
        if action == "start" and ch is not None:
            with self._audio_lock:
                self._start_rx(ch)
            return
        self._stop_req = True
        self.player.stop()
        deadline = time.monotonic() + 1.0
        while self.player.is_playing() and time.monotonic() < deadline:
            time.sleep(0.005)
        with self._audio_lock:
            if ch is not None:
                self._stop_rx_now(ch)

    # ------------------------------------------------------------------ voice data
    def _voice_sink(self) -> VoiceSink:
        return _Rx(self)

    def _start_rx(self, ch: AtChannel) -> None:
        self._carry.clear()
        self._fmt = self.sample_format
        self._rx = True
        r = ch.command("AT+VRX", finals=CONNECT_FINALS, voice=_Rx(self), check=False)
        if not r.final.startswith("CONNECT"):
            self._rx = False
            self.log.warning("line %s: AT+VRX answered %r; not recording", self.name, r.final)

    def _rx_audio(self, audio: bytes) -> None:
        self._carry += audio
        width = 2 if self._fmt == "s16le" else 1
        n = len(self._carry) // (FRAME_SAMPLES * width) * (FRAME_SAMPLES * width)
        if n:
            pcm = to_pcm16(bytes(self._carry[:n]), self._fmt)
            del self._carry[:n]
            for i in range(0, len(pcm), FRAME_SAMPLES * 2):
                self.emit(AudioFrame(pcm=pcm[i : i + FRAME_SAMPLES * 2]))

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


class _Rx:
    """Where ``AT+VRX`` data goes: samples to frames (reader thread), events to the work queue."""

    def __init__(self, line: VoiceModemLine) -> None:
        self.line = line

    def voice_data(self, audio: bytes) -> None:
        self.line._rx_audio(audio)

    def voice_event(self, code: str) -> None:
        self.line._work.put(("dle", code))

    def voice_end(self) -> None:
        self.line._rx = False
