"""GSM/LTE HAT driver: SIMCom SIM7600 and SIM800, following 3GPP TS 27.007.

Signalling on the AT port (any pyserial URL); on a SIM7600, the caller's
audio on the USB audio port after ``AT+CPCMREG=1`` (8 kHz s16le, 20 ms frames,
writes paced on a monotonic deadline schedule). Without an audio port the
line still takes and logs calls (signalling only). An audio port that gave
nothing during a whole call (a known SIM7600 failure) is revived with
``AT+CRESET`` once the call is over.

The call logic (rings, caller id, DTMF, SMS, every ``+CLCC``/``*ECAV``/
``MISSED_CALL`` form) lives in :class:`~.gsm_calls.GsmCalls`, without I/O; this
class is its shell: the port, the threads, the audio. The driver counts rings
and never answers by itself: the call handler calls :meth:`answer` when
``Ringing.count`` reaches the configured ring.

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
from .at import AtChannel, Capture
from .gsm_calls import END_CODES, GsmCalls, GsmSettings
from .line import FRAME_BYTES, AudioFrame, LineState, Ready, TransferKind
from .modem import BACKOFF, ModemLine, Player
from .protocol import Unsolicited
from .steps import Work

__all__ = ["END_CODES", "GsmLine"]


class _Released(Exception):
    """Internal: the AT port is lent to another user (gammu) between calls."""


class GsmLine(ModemLine):
    """A SIM7600 / SIM800 (or any 27.007 modem) line."""

    driver = "gsm"
    cid_records = False
    control_actions = frozenset({"hold", "dial", "back", "transfer", "join"})

    def __init__(
        self,
        name: str,
        port: str,
        *,
        audio_port: str = "",
        model: str = "auto",
        pin: str = "",
        country: str | None = "FR",
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
        transfer: TransferKind = "multiparty",
    ) -> None:
        super().__init__(name, port, command_timeout=command_timeout, capture=capture, backoff=backoff,
                         power_cycle=power_cycle)
        if transfer == "hook_flash":
            raise LineError(f"line {name}: a GSM line puts callers through with call hold (multiparty), "
                            f"not a hook flash")
        self.transfer_mode = transfer
        self.audio_port = audio_port
        self.model = model
        self.pin = pin
        self.calls = GsmCalls(GsmSettings(country=country, read_sms=read_sms, ring_timeout=ring_timeout,
                                          clcc_interval=clcc_interval, poll_interval=poll_interval,
                                          clip_wait=clip_wait), name=name)
        self.player = Player(self._write_audio, self._playback_done, name=f"play-{name}")
        self._aser: serial.SerialBase | None = None
        self._audio_thread: threading.Thread | None = None
        self._audio_stop = threading.Event()
        self._audio_error = False
        self._answered_at = 0.0
        self._audio_frames = 0
        self._reset_pending = False
        self.dead_audio_after = dead_audio_after
        self._released = threading.Event()
        self._resume = threading.Event()

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
        self.run_work(self.calls.init(pin=self.pin, want_model=self.model))
        audio = "usb pcm" if self.audio_port and self.detected_model != "sim800" else "none (signalling only)"
        self._update_status(audio=audio)

    def _on_urc(self, ev: Unsolicited) -> None:
        self.run_work(self.calls.on_line(ev.text, ev.continuation))

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
            self.run_work(self.calls.answer())
        elif action == "hang_up":
            self.run_work(self.calls.hang_up())

    def _control_work(self, action: str, arg: str) -> Work | None:
        c = self.calls
        if action == "dial":
            return c.dial(arg)
        table = {"hold": c.hold, "back": c.back_to_caller, "transfer": c.transfer, "join": c.join}
        fn = table.get(action)
        return fn() if fn is not None else None

    def _tick(self, now: float) -> None:
        ch = self.ch
        if ch is None:
            return
        if self._reset_pending and not self.ringing and not self.in_call:
            self._reset_pending = False
            ch.command("AT+CRESET", check=False)
            raise ModemError(f"line {self.name}: modem reset (AT+CRESET) to revive its audio port")
        self.run_work(self.calls.tick())

    def _abort_call(self) -> None:
        self._stop_audio(send=False)
        self.player.stop()
        self.calls.reset()

    def _audio(self, action: str) -> None:
        ch = self.ch
        if action == "start" and ch is not None:
            self._answered_at = time.monotonic()
            self._audio_frames = 0
            self._start_audio(ch)
            return
        if action == "stop":
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
        else:
            self._stop_audio(send=False)

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
