"""What both modem drivers share: a supervisor thread with recovery, and paced playback.

The supervisor opens the AT channel, initialises the modem, reports
:class:`Ready`, then serves one work queue (unsolicited lines, DLE events,
the handler's actions, periodic checks) in a single thread, so call state
never races. Each item is handed to the driver's call logic (sans I/O, see
:mod:`.steps`), and :meth:`ModemLine.run_work` carries out the steps it yields:
commands on the AT channel, events to the handler, status, audio. Any timeout,
unexpected ``ERROR`` or vanished port ends the service: the driver reports
:class:`Fault`, closes the port, backs off, reopens and re-initialises, and
reports :class:`Ready` again. No thread dies.
"""

from __future__ import annotations

import abc
import dataclasses
import logging
import queue
import threading
import time
from collections.abc import Callable, Sequence

from ..errors import LineError, ModemTimeout, NotSupported, PortGone
from .at import AtChannel, Capture, VoiceSink
from .line import (
    FRAME_BYTES,
    FRAME_MS,
    Fault,
    Line,
    LineState,
    LineStatus,
    PlaybackDone,
    Ready,
    TransferKind,
    Unrecognised,
)
from .protocol import AtResponse, Unsolicited
from .steps import Audio, Cmd, Emit, SetState, Status, Work
from .unparsed import UnparsedLines

log = logging.getLogger(__name__)

BACKOFF = (0.2, 0.5, 1.0, 2.0, 4.0)
FRAME_S = FRAME_MS / 1000.0


class Player:
    """Queue of 16-bit frames written to ``sink`` every 20 ms on a monotonic deadline schedule.

    Frame ``n`` of a playback is due to play at ``t0 + n * 20 ms`` and is written
    ``lead`` frames ahead of that (the device's buffer absorbs scheduling jitter,
    as an audio driver's period buffer does; 3 frames = 60 ms). ``late_frames``
    counts frames written after their play time (an underrun the caller hears);
    ``max_lateness`` is the worst delay against the write schedule.
    ``on_done(stopped)`` is called when the last frame has played or the queue
    was dropped.
    """

    def __init__(self, sink: Callable[[bytes], None], on_done: Callable[[bool], None], *, name: str = "play",
                 on_start: Callable[[], None] | None = None, on_end: Callable[[], None] | None = None,
                 lead: int = 3) -> None:
        self.lead = lead
        self.sink = sink
        self.on_done = on_done
        self.on_start = on_start
        self.on_end = on_end
        self._frames: list[bytes] = []
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._stop_req = False
        self._closed = False
        self.late_frames = 0
        self.frames_sent = 0
        self.max_lateness = 0.0
        self._thread = threading.Thread(target=self._loop, name=name, daemon=True)
        self._thread.start()

    def play(self, pcm: bytes) -> None:
        if len(pcm) % 2:
            pcm = pcm[:-1]
        frames = [pcm[i : i + FRAME_BYTES] for i in range(0, len(pcm), FRAME_BYTES)]
        if frames and len(frames[-1]) < FRAME_BYTES:
            frames[-1] = frames[-1] + b"\x00" * (FRAME_BYTES - len(frames[-1]))
        with self._lock:
            self._frames.extend(frames)
            self._stop_req = False
        self._wake.set()

    def stop(self) -> None:
        with self._lock:
            if self._frames:
                self._frames.clear()
                self._stop_req = True
        self._wake.set()

    def is_playing(self) -> bool:
        with self._lock:
            return bool(self._frames) or self._busy

    _busy = False

    def close(self) -> None:
        self._closed = True
        with self._lock:
            self._frames.clear()
        self._wake.set()
        if self._thread is not threading.current_thread():
            self._thread.join(timeout=2)

    def _loop(self) -> None:
        while not self._closed:
            self._wake.wait(0.2)
            self._wake.clear()
            with self._lock:
                if not self._frames:
                    continue
                self._busy = True
            stopped = False
            try:
                if self.on_start is not None:
                    self.on_start()
                lead_s = self.lead * FRAME_S
                play_at = time.monotonic() + lead_s  # play time of the next frame
                while not self._closed:
                    with self._lock:
                        if not self._frames:
                            stopped = self._stop_req
                            self._stop_req = False
                            break
                        frame = self._frames.pop(0)
                    delay = play_at - lead_s - time.monotonic()
                    if delay > 0:
                        time.sleep(delay)
                    now = time.monotonic()
                    self.max_lateness = max(self.max_lateness, now - (play_at - lead_s))
                    if now > play_at:
                        self.late_frames += 1
                        if now - play_at > 0.2:
                            play_at = now + lead_s
                    self.sink(frame)
                    self.frames_sent += 1
                    play_at += FRAME_S
                if not stopped and not self._closed:
                    wait = play_at - FRAME_S - time.monotonic()
                    if wait > 0:
                        time.sleep(wait)
            except LineError as e:
                log.warning("%s: playback aborted: %s", self._thread.name, e)
                with self._lock:
                    self._frames.clear()
                stopped = True
            finally:
                if self.on_end is not None:
                    try:
                        self.on_end()
                    except LineError as e:
                        log.warning("%s: end of playback failed: %s", self._thread.name, e)
                with self._lock:
                    self._busy = False
            self.on_done(stopped)


class ModemLine(Line, abc.ABC):
    """Base of the AT-driven drivers: supervisor, work queue, recovery."""

    driver = "modem"
    cid_records = True
    """Hex caller-id records may arrive unsolicited (voice modems); GSM drivers turn it off."""
    control_actions: frozenset[str] = frozenset()
    """The call-control actions the driver carries out when its line can put callers through."""

    def __init__(
        self,
        name: str,
        port: str,
        *,
        command_timeout: float = 5.0,
        capture: Capture | None = None,
        backoff: Sequence[float] = BACKOFF,
        power_cycle: Callable[[], None] | None = None,
        mute_resets: int = 3,
    ) -> None:
        super().__init__(name)
        if not port:
            raise LineError(f"line {name}: no serial port configured; set [line] port to a device or URL")
        self.port = port
        self.command_timeout = command_timeout
        self.capture = capture
        self.backoff = tuple(backoff)
        self.power_cycle = power_cycle
        self.mute_resets = mute_resets
        self.log = logging.getLogger(f"appliance.telephony.{self.driver}.{name}")
        self.ch: AtChannel | None = None
        self._work: queue.Queue[tuple[str, object]] = queue.Queue()
        self._thread: threading.Thread | None = None
        self._closing = threading.Event()
        self._status = LineStatus(name=name, driver=self.driver)
        self._status_lock = threading.Lock()
        self._faulted = False
        self._ever_ready = False
        self.faults = 0
        self.sms_port = ""
        """A second AT port for SMS (the simulator's, SIM7600 style), when the line has one."""
        self.unparsed = UnparsedLines(self.log, name)
        self._on_close: list[Callable[[], None]] = []

    # ------------------------------------------------------------------ lifecycle
    def open(self) -> None:
        if self._thread is not None:
            return
        self._closing.clear()
        self._thread = threading.Thread(target=self._supervise, name=f"line-{self.name}", daemon=True)
        self._thread.start()

    @property
    @abc.abstractmethod
    def in_call(self) -> bool: ...

    @property
    @abc.abstractmethod
    def ringing(self) -> bool: ...

    def close_with(self, fn: Callable[[], None]) -> None:
        """Run ``fn`` when the line closes (a simulator the factory started for it)."""
        self._on_close.append(fn)

    def close(self) -> None:
        if self._closing.is_set():
            return
        if self.in_call and self._thread is not None and self.ch is not None:
            self.hang_up()
            end = time.monotonic() + 2.0
            while self.in_call and time.monotonic() < end:
                time.sleep(0.01)
        self._closing.set()
        self._work.put(("wake", None))
        t = self._thread
        if t is not None and t is not threading.current_thread():
            t.join(timeout=5)
        self._thread = None
        self._set_state(LineState.CLOSED)
        for fn in self._on_close:
            fn()

    # ------------------------------------------------------------------ status
    def _set_state(self, state: LineState, **kw: object) -> None:
        with self._status_lock:
            changed = state != self._status.state
            fields: dict[str, object] = dict(kw)
            fields["state"] = state
            if changed:
                fields["since"] = time.time()
            self._status = dataclasses.replace(self._status, **fields)  # type: ignore[arg-type]

    def _update_status(self, **kw: object) -> None:
        with self._status_lock:
            self._status = dataclasses.replace(self._status, **kw)  # type: ignore[arg-type]

    def status(self) -> LineStatus:
        with self._status_lock:
            st = self._status
        return dataclasses.replace(st, unparsed=self.unparsed.snapshot())

    # ------------------------------------------------------------------ actions (any thread)
    def answer(self) -> None:
        self._work.put(("action", "answer"))

    def hang_up(self) -> None:
        self._work.put(("action", "hang_up"))

    # ------------------------------------------------------------------ call control (any thread)
    transfer_mode: TransferKind = "none"

    def transfer_kind(self) -> TransferKind:
        return self.transfer_mode

    def hold(self) -> None:
        self._control("hold")

    def dial(self, number: str) -> None:
        self._control("dial", number)

    def back_to_caller(self) -> None:
        self._control("back")

    def transfer(self) -> None:
        self._control("transfer")

    def join(self) -> None:
        self._control("join")

    def _control(self, action: str, arg: str = "") -> None:
        if self.transfer_mode == "none" or action not in self.control_actions:
            raise NotSupported(f"line {self.name}: cannot {action} (transfer = {self.transfer_mode!r} "
                               f"for this line)")
        self._work.put(("control", (action, arg)))

    def _control_work(self, action: str, arg: str) -> Work | None:
        """The call logic's work for a call-control action (drivers that put callers through)."""
        return None

    # ------------------------------------------------------------------ supervisor
    def _supervise(self) -> None:
        attempt = 0
        timeouts = 0
        while not self._closing.is_set():
            reason = ""
            try:
                self._connect()
                attempt = 0
                timeouts = 0
                self._faulted = False
                self._ever_ready = True
                self._set_state(LineState.READY, last_error="")
                self.emit(Ready())
                self.log.info("line %s ready", self.name)
                self._serve()
            except LineError as e:
                reason = str(e)
                if isinstance(e, ModemTimeout):
                    timeouts += 1
            except Exception as e:
                self.log.exception("line %s: unexpected driver error", self.name)
                reason = f"driver error: {e!r}"
            self._abort_call()
            self._disconnect()
            if self._closing.is_set():
                break
            self.faults += 1
            self.log.warning("line %s out of service: %s", self.name, reason)
            self._set_state(LineState.FAULT, last_error=reason)
            if not self._faulted:
                self._faulted = True
                self.emit(Fault(reason=reason))
            if timeouts >= self.mute_resets and self.power_cycle is not None:
                self.log.warning("line %s: modem silent %d times, power-cycling it", self.name, timeouts)
                try:
                    self.power_cycle()
                except Exception:
                    self.log.exception("line %s: power cycle failed", self.name)
                timeouts = 0
            delay = self.backoff[min(attempt, len(self.backoff) - 1)]
            attempt += 1
            self._closing.wait(delay)
        self._disconnect()

    def _connect(self) -> None:
        self._drain_work()
        ch = AtChannel(self.port, name=self.name, timeout=self.command_timeout,
                       on_line=lambda ev: self._work.put(("urc", ev)),
                       on_dle_event=lambda code: self._work.put(("dle", code)),
                       on_closed=lambda why: self._work.put(("closed", why)),
                       capture=self.capture, logger=self.log, cid_records=self.cid_records)
        ch.open()
        self.ch = ch
        self._init_modem(ch)

    def _disconnect(self) -> None:
        ch, self.ch = self.ch, None
        if ch is not None:
            ch.close()

    def _drain_work(self) -> None:
        while True:
            try:
                kind, _ = self._work.get_nowait()
            except queue.Empty:
                return
            if kind == "action":
                self.log.info("line %s: action dropped while out of service", self.name)

    def _serve(self) -> None:
        while not self._closing.is_set():
            try:
                kind, data = self._work.get(timeout=0.05)
            except queue.Empty:
                kind, data = "tick", None
            ch = self.ch
            if ch is None or ch.failure:
                raise PortGone(f"line {self.name}: port {self.port!r} failed: {ch.failure if ch else 'closed'}")
            if kind == "closed":
                raise PortGone(f"line {self.name}: port {self.port!r} vanished ({data})")
            if kind == "urc" and isinstance(data, Unsolicited):
                self._on_urc(data)
            elif kind == "dle":
                self._on_dle(str(data))
            elif kind == "action":
                self._on_action(str(data))
            elif kind == "control" and isinstance(data, tuple):
                work = self._control_work(str(data[0]), str(data[1]))
                if work is not None:
                    self.run_work(work)
            elif kind == "call":
                fn = data
                if callable(fn):
                    fn()
            self._tick(time.monotonic())
        self._abort_call()

    # ------------------------------------------------------------------ carrying out the logic's steps
    def run_work(self, work: Work) -> None:
        """Carry out every step ``work`` yields (commands on the AT channel, events, status)."""
        reply: AtResponse | None = None
        while True:
            try:
                step = work.send(reply)
            except StopIteration:
                return
            reply = None
            if isinstance(step, Cmd):
                reply = self._command(step)
            elif isinstance(step, Emit):
                if isinstance(step.event, Unrecognised):
                    self.unparsed.add(step.event.line)
                self.emit(step.event)
            elif isinstance(step, SetState):
                self._set_state(step.state)
            elif isinstance(step, Status):
                self._update_status(**step.fields)
            elif isinstance(step, Audio):
                self._audio(step.action)

    def _command(self, step: Cmd) -> AtResponse:
        ch = self.ch
        if ch is None:
            raise PortGone(f"line {self.name}: port not open")
        timeout = None if step.timeout is None else max(step.timeout, self.command_timeout)
        if step.raw is not None:
            return ch.transact(step.raw, timeout, what=step.text, finals=step.finals)
        return ch.command(step.text, timeout, finals=step.finals, check=step.check,
                          voice=self._voice_sink() if step.voice else None)

    def _voice_sink(self) -> VoiceSink | None:
        return None

    def _audio(self, action: str) -> None:
        self.log.debug("line %s: audio %s (no audio path)", self.name, action)

    def _playback_done(self, stopped: bool) -> None:
        self.emit(PlaybackDone(stopped=stopped))

    # ------------------------------------------------------------------ for subclasses
    @abc.abstractmethod
    def _init_modem(self, ch: AtChannel) -> None: ...

    @abc.abstractmethod
    def _on_urc(self, ev: Unsolicited) -> None: ...

    def _on_dle(self, code: str) -> None:
        self.log.debug("line %s: DLE %r ignored", self.name, code)

    @abc.abstractmethod
    def _on_action(self, action: str) -> None: ...

    @abc.abstractmethod
    def _tick(self, now: float) -> None: ...

    @abc.abstractmethod
    def _abort_call(self) -> None:
        """The port failed: drop call state and audio (the handler closes the call on Fault)."""
