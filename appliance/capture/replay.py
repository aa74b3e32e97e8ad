"""Replay a capture against the real line driver, through a pty, and report what it derived.

The driver under test is the real :class:`~appliance.telephony.gsm.GsmLine` or
:class:`~appliance.telephony.voicemodem.VoiceModemLine`, opened with pyserial
on the slave side of a pty (:class:`~appliance.telephony.emulator.pty.PtyPort`,
the line simulator's). :class:`~.fakemodem.FakeModem` plays the modem on the
master side. A timeline thread (the caller's) walks the script
(:mod:`.script`):

* an unsolicited burst (``RING``, ``+CLIP``, ``NMBR=``, ``<DLE>b``...) is
  written at its captured time relative to the previous step, divided by
  ``speed`` (default 10; ``0`` = as fast as the driver allows), never less
  than 20 ms apart and never more than 3 s — except that the drivers'
  thresholds stay on the side the field saw (:meth:`Replayer._gap`): a ring
  comes at least 0.3 s after the previous step, key presses 0.25 s apart or
  more stay apart, and a gap longer than the field driver's ring-stop timeout
  stays longer than the (equally scaled) timeout of the replayed driver, so
  "the ringing stopped" is derived exactly when it was in the field. Untimed
  logs use 3 s before a ring, 0.3 s before a key and 0.2 s otherwise (field
  time, then scaled). Full rules: ``docs/capture-format.md``;
* a captured command exchange is waited for: the driver's matching command
  consumes it (the fake modem answers with the captured reply). If the
  driver does not send it within ``settle`` seconds (0.4 s; a run of such
  exchanges costs it once), it is skipped and the unsolicited lines of its
  reply are written as a burst, so no ``RING`` is lost;
* the answer rule: the driver never answers by itself (the call handler
  does). When the capture shows the box answering (``ATA`` or ``AT+VLS=1``
  in the exchanges before the next unsolicited line) while the replayed call
  rings, the replay calls ``line.answer()``; likewise ``line.hang_up()`` for
  ``AT+CHUP``/``ATH``/``ATH0`` during a call (hang-up by the box) or while it
  rings (the box rejected it).

Events come from the driver's :class:`~appliance.telephony.line.LineEvent`
queue. ``unparsed`` events are the lines the driver itself reports as not
understood: its log records saying ``ignored`` or ``malformed`` for a modem
line (the drivers log every line they do not act on that way), except boot
and status lines (:data:`STATUS_LINES`: ``RDY``, ``+CFUN``, ``Call Ready``,
``+QIND``, Huawei ``^CONN``...) which need no action.

Nothing here may hang: every wait is bounded by ``timeout`` (default: 60 s +
2 s per ring of the capture, at most 900 s), after which the replay stops and
reports ``timeout``. While the line is idle, status-only lines (``+CSQ``,
``^RSSI``, ``+CREG``...) are written without waiting and other gaps are capped
at 0.1 s, so a day of a modem's life replays in seconds.
"""

from __future__ import annotations

import dataclasses
import logging
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Literal

from ..errors import PermanenceError
from ..telephony.emulator.pty import PtyPort
from ..telephony.line import (
    Line,
    LineState,
    Ready,
)
from ..telephony.parsers import parse_clip
from ..telephony.voice_calls import RING_PERIOD
from .events import ReplayEvent, ReplayResult, describe
from .fakemodem import CallModel, DialectCore, FakeModem, burst_bytes, captured_queries, core_model
from .formats import CaptureFormatError, CaptureRecord, ParsedCapture, load
from .script import ANSWER_COMMANDS, HANGUP_COMMANDS, Burst, Exchange, Step, build_script

GSM_RING_TIMEOUT = 8.0
VOICE_RING_PERIOD = RING_PERIOD
DIGEST_S = 0.1
QUIET_S = 0.6
IDLE_GAP = 0.1
ACTION_SETTLE = 3.0
REACTION_SETTLE = 1.5
REACTIVE_COMMANDS = ("AT+CMGR", "AT+CMGF", "AT+CMGD", "AT+CLCC", "ATA", "AT+CHUP", "ATH", "AT+VLS", "AT+VRX",
                     "AT+VTX", "AT+FCLASS", "AT+VSM", "AT+VSD", "AT+CPCMREG", "<DLE>")
"""Commands a driver sends in reaction to a modem line or an action: a busy machine may take a while."""
"""How long a captured exchange waits for the driver right after the replay starts it or asks it
to answer / hang up (the driver's own thread must run first; on a loaded machine that takes time)."""
COMMAND_TIMEOUT = 2.0
"""The replayed driver's command timeout (a pty answers at once; a captured silence costs this)."""
RING_GAP_MIN = 0.3
DTMF_REPEAT_S = 0.25
"""Presses closer than this are one held key (the voice driver's DtmfCollapser gap)."""
"""A ring is never written sooner than this after the previous step: the drivers wait
0.25 s for a +CLIP after a RING and 0.15 s for the last caller-id line."""
_UNPARSED_WORDS = ("ignored", "malformed", "unknown", "not understood", "unparsed")


class ReplayError(PermanenceError, ValueError):
    """Replay options that cannot work (unknown driver, country, negative speed...)."""


@dataclasses.dataclass(frozen=True)
class ReplayOptions:
    driver: Literal["gsm", "voicemodem"] = "gsm"
    speed: float = 10.0
    country: str = "FR"
    model: str = "auto"
    timeout: float | None = None
    """Seconds before the replay stops; None: 60 s + 2 s per ring in the capture, at most 900 s."""
    settle: float = 0.4
    min_gap: float = 0.02
    max_gap: float = 3.0

    def __post_init__(self) -> None:
        if self.driver not in ("gsm", "voicemodem"):
            raise ReplayError(f"replay: unknown driver {self.driver!r}; expected gsm or voicemodem")
        if self.country not in VOICE_RING_PERIOD:
            raise ReplayError(f"replay: unknown country {self.country!r}; expected one of "
                              f"{', '.join(VOICE_RING_PERIOD)}")
        if not 0 <= self.speed <= 10000:
            raise ReplayError(f"replay: speed must be 0 (as fast as possible) to 10000, got {self.speed}")
        if self.timeout is not None and not 0 < self.timeout <= 86400:
            raise ReplayError(f"replay: timeout must be 0-86400 s, got {self.timeout}")

    @property
    def scale(self) -> float:
        """Field seconds per replay second, for the driver's own timers."""
        return self.speed if self.speed > 0 else 20.0


STATUS_LINES = ("RDY", "+CFUN:", "+CPIN:", "CALL READY", "SMS READY", "SMS DONE", "PB DONE", "+QIND", "^BOOT",
                "^RSSI", "^MODE", "^SYSINFO", "^HCSQ", "+CSQ:", "+CREG:", "+CEREG:", "+CGREG:", "+CTZV", "+CTZE",
                "*PSUTTZ", "DST:", "+CIEV", "+PDP", "+CGEV", "+CUSATP", "+STIN", "VOICE CALL: BEGIN", "+CPAS",
                "^CONN", "^ORIG", "^CONF", "^SRVST", "^SIMST", "^STIN")
"""Boot and status lines a driver may log as ignored: understood (nothing to do), so never
reported as unparsed."""


def is_status_line(text: str) -> bool:
    return text.strip().upper().startswith(STATUS_LINES)


class _UnparsedHandler(logging.Handler):
    def __init__(self, sink: Callable[[str, str], None]) -> None:
        super().__init__(logging.INFO)
        self.sink = sink

    def emit(self, record: logging.LogRecord) -> None:
        try:
            msg = record.getMessage()
        except Exception:  # noqa: BLE001 - a bad log call must not stop the replay: logging reports it
            self.handleError(record)
            return
        if not any(w in msg for w in _UNPARSED_WORDS):
            return
        args = record.args if isinstance(record.args, tuple) else ()
        texts = [a for a in args if isinstance(a, str)]
        if len(texts) < 2 or is_status_line(texts[-1]):
            return  # "line NAME: ..." with no modem line in it, or a status line
        self.sink(texts[-1], msg)


class Replayer:
    """One replay; use :func:`replay` unless you need the pieces."""

    def __init__(self, steps: list[Step], options: ReplayOptions,
                 on_event: Callable[[ReplayEvent], None] | None = None,
                 line_factory: Callable[[str, ReplayOptions], Line] | None = None) -> None:
        self.steps = steps
        self.opt = options
        self.on_event = on_event
        self.line_factory = line_factory or make_line
        self.events: list[ReplayEvent] = []
        self.model = CallModel(ring_fresh=driver_ring_timeout(options))
        self.cursor = 0
        self.skipped = 0
        self.timed_out = False
        self._t0 = time.monotonic()
        self.timeout = options.timeout if options.timeout is not None else auto_timeout(steps)
        self._deadline = self._t0 + self.timeout
        self._last_event = self._t0
        self._last_write = self._t0
        self._ready = threading.Event()
        self._lock = threading.Lock()
        self._source = 0
        self._triggered: set[tuple[str, int]] = set()

    # ------------------------------------------------------------------ events
    def _add(self, name: str, fields: dict[str, Any]) -> None:
        with self._lock:
            ev = ReplayEvent(name, time.monotonic() - self._t0, fields, self._source)
            self.events.append(ev)
            self._last_event = time.monotonic()
        if self.on_event is not None:
            self.on_event(ev)

    def _drain(self, line: Line, stop: threading.Event) -> None:
        while not stop.is_set():
            ev = line.next_event(0.05)
            if ev is None:
                continue
            d = describe(ev)
            if isinstance(ev, Ready):
                self._ready.set()
            if d is not None:
                self._add(*d)

    # ------------------------------------------------------------------ window for the fake modem
    def window(self) -> list[Exchange]:
        out: list[Exchange] = []
        for s in self.steps[self.cursor:]:
            if isinstance(s, Burst):
                break
            out.append(s)
        return out

    # ------------------------------------------------------------------ run
    def run(self) -> None:
        with tempfile.TemporaryDirectory(prefix="permanence-replay-") as tmp:
            port = PtyPort(Path(tmp) / "modem")
            port.plug()
            fake = FakeModem(port, self.steps, self.model, self.window, command_timeout=COMMAND_TIMEOUT,
                             core=DialectCore(core_model(self.opt.driver, self.opt.model,
                                                        captured_queries(self.steps))))
            self.fake = fake
            fake.start()
            try:
                self._run_driver(self.line_factory(port.path, self.opt))
            finally:
                fake.close()
                port.close()
        if self.timed_out:
            self._add("timeout", {"after_s": self.timeout})

    def _run_driver(self, line: Line) -> None:
        log = getattr(line, "log", None)
        handler = _UnparsedHandler(lambda text, msg: self._add("unparsed", {"line": text}))
        old_level = logging.NOTSET
        if isinstance(log, logging.Logger):
            old_level = log.level
            log.setLevel(logging.INFO)
            log.addHandler(handler)
        stop = threading.Event()
        drain = threading.Thread(target=self._drain, args=(line, stop), name="replay-events", daemon=True)
        drain.start()
        try:
            line.open()
            self._timeline(line)
            self._tail(line)
        finally:
            try:
                line.close()
            finally:
                stop.set()
                drain.join(timeout=2)
                while True:  # events emitted while closing
                    ev = line.next_event(0)
                    if ev is None:
                        break
                    d = describe(ev)
                    if d is not None:
                        self._add(*d)
                if isinstance(log, logging.Logger):
                    log.removeHandler(handler)
                    log.setLevel(old_level)

    def _left(self) -> float:
        return self._deadline - time.monotonic()

    def _sleep(self, seconds: float) -> bool:
        """Sleep, bounded by the deadline; False if the deadline passed."""
        end = min(time.monotonic() + max(seconds, 0.0), self._deadline)
        while True:
            now = time.monotonic()
            if now >= end:
                break
            time.sleep(min(0.02, end - now))
        if time.monotonic() >= self._deadline:
            self.timed_out = True
            return False
        return True

    def _field_ring_timeout(self) -> float:
        return field_ring_timeout(self.opt)

    def _gap(self, prev_t: float | None, step: Burst) -> float:
        """Real seconds to wait before ``step``: scaled field time, with the thresholds the
        drivers use (ring stop, DTMF repeat collapsing, +CLIP/caller-id waits) kept on the
        same side as in the field."""
        first = step.lines[0].upper() if step.lines else b""
        ring = first.startswith((b"RING", b"+CRING", b"\x10R"))
        dtmf = first.startswith((b"+DTMF", b"+RXDTMF")) or (
            first[:1] == b"\x10" and first[1:2] in b"0123456789*#ABCD")
        untimed = step.t is None or prev_t is None or step.t < prev_t
        if untimed:
            field = 3.0 if ring else 0.3 if dtmf else 0.2
        else:
            field = step.t - prev_t  # type: ignore[operator]
        gap = field / self.opt.speed if self.opt.speed > 0 else self.opt.min_gap
        gap = min(max(gap, self.opt.min_gap), self.opt.max_gap)
        if ring:
            gap = max(gap, RING_GAP_MIN)
        if dtmf and field >= DTMF_REPEAT_S:
            gap = max(gap, DTMF_REPEAT_S + 0.2)  # stay clear of the collapse window under load
        if field >= self._field_ring_timeout():
            gap = max(gap, driver_ring_timeout(self.opt) + 0.5)
        return gap

    def _timeline(self, line: Line) -> None:
        prev_t: float | None = None
        last_skip_commands = -1
        for i, step in enumerate(self.steps):
            if self._left() <= 0:
                self.timed_out = True
                return
            self.cursor = i
            if isinstance(step, Burst):
                if not self._play_burst(line, i, step, prev_t):
                    return
            else:
                if not self._play_exchange(line, i, step, prev_t, last_skip_commands):
                    return
                last_skip_commands = self._after_exchange(step)
            if step.t is not None:
                prev_t = step.t

    def _play_burst(self, line: Line, i: int, step: Burst, prev_t: float | None) -> bool:
        """Write the modem's output ``step`` after its gap; False when the replay stopped during the gap."""
        if not self._ready.is_set():
            self._ready.wait(min(5.0, max(self._left(), 0)))
        if not self._sleep(self._burst_gap(line, i, step, prev_t)):
            return False
        self._write_burst(step)
        return True

    def _burst_gap(self, line: Line, i: int, step: Burst, prev_t: float | None) -> float:
        """The wait before a burst: its captured gap, longer before another call, shorter while nothing rings."""
        gap = self._gap(prev_t, step)
        if step.t is None and self._new_caller(i):
            gap = max(gap, driver_ring_timeout(self.opt) + 0.5)  # untimed log: another call
        if self._idle(line):  # nothing rings: only the order matters, not the time
            if all(is_status_line(ln.decode("latin-1")) for ln in step.lines):
                gap = 0.0
            elif step.lines[0].upper().startswith((b"RING", b"+CRING", b"\x10R")):
                gap = min(gap, RING_GAP_MIN)
            else:
                gap = min(gap, IDLE_GAP)
        return gap

    def _play_exchange(self, line: Line, i: int, step: Exchange, prev_t: float | None,
                       last_skip_commands: int) -> bool:
        """An exchange: trigger the box's action if the capture shows one, then wait for the driver to send the
        command (``step.consumed``) or skip it after its settle time; False when the replay's time is up."""
        fake = self.fake
        acted = self._maybe_act(line, i, prev_t)
        start = time.monotonic()
        settle = self._exchange_settle(step, acted)
        reactive = step.command.startswith(REACTIVE_COMMANDS)
        with fake.changed:
            while not step.consumed and not step.skipped:
                now = time.monotonic()
                if now >= self._deadline:
                    self.timed_out = True
                    return False
                quick = last_skip_commands == fake.commands and not acted and not reactive
                if now - start >= (self.opt.min_gap if quick else settle):
                    step.skipped = True
                    break
                fake.changed.wait(0.02)
        return True

    def _exchange_settle(self, step: Exchange, acted: bool) -> float:
        """How long the driver has to send an exchange's command before it is skipped."""
        settle = self.opt.settle + (1.0 / self.opt.scale if step.command.startswith("AT+CLCC") else 0.0)
        if acted or self.fake.commands == 0:
            settle = max(settle, ACTION_SETTLE)  # the driver first opens the port / handles the action
        if step.command.startswith(REACTIVE_COMMANDS):
            settle = max(settle, REACTION_SETTLE)
        return settle

    def _after_exchange(self, step: Exchange) -> int:
        """Count a skipped exchange and write the unsolicited lines of its reply; the fake modem's command count
        when it was skipped, -1 when the driver sent the command."""
        if not step.skipped:
            self._source = step.source
            return -1
        self.skipped += 1
        commands = self.fake.commands
        if step.command.startswith("AT+CLCC") and step.final:
            self.model.on_clcc_reply(step.reply)
        sms = step.command.startswith(("AT+CMGR", "AT+CMGL"))  # what the read shows was received
        urcs = [r for r in step.reply if (sms and r.strip() != b"OK") or _unsolicited(r)]
        if urcs:
            self._write_burst(Burst(urcs, step.t, step.index, step.source))
        return commands

    def _idle(self, line: Line) -> bool:
        """Nothing time-dependent in progress: no call in the capture, none in the driver."""
        return self.model.refresh() == "idle" and line.status().state in (LineState.READY, LineState.FAULT)

    def _new_caller(self, i: int) -> bool:
        """Untimed logs: a ring whose ``+CLIP`` shows another number than the ringing call's
        starts a new call (the old one stopped ringing: the log just cannot show how long after)."""
        if self.model.state != "ringing" or not self.model.clip_seen:
            return False
        for s in self.steps[i: i + 2]:
            if not isinstance(s, Burst):
                return False
            for ln in s.lines:
                if ln.upper().startswith(b"+CLIP:"):
                    cid = parse_clip(ln.decode("latin-1"))
                    return cid is not None and (cid.number or "") != self.model.number
        return False

    def _write_burst(self, b: Burst) -> None:
        self._source = b.source
        self._last_write = time.monotonic()
        for ln in b.lines:
            self.model.on_modem_line(ln)
        self.fake.write(burst_bytes(b))

    def _maybe_act(self, line: Line, i: int, prev_t: float | None) -> bool:
        """Trigger the box's answer or hang-up if the capture shows one here; True if it did."""
        window = [s for s in self.window() if not s.consumed and not s.skipped]
        state = self.model.refresh()
        answer = next((s for s in window if s.command in ANSWER_COMMANDS), None)
        hangup = next((s for s in window if s.command in HANGUP_COMMANDS), None)
        if state == "ringing" and answer is not None and ("answer", i) not in self._triggered:
            self._triggered.update(("answer", s.index) for s in window)
            self._sleep(self._action_gap(prev_t, answer.t))
            if self.model.refresh() == "ringing":
                self._until_driver_rings(line)
                line.answer()
                return True
        elif state in ("active", "ringing") and hangup is not None and ("hangup", i) not in self._triggered:
            self._triggered.update(("hangup", s.index) for s in window)
            self._sleep(self._action_gap(prev_t, hangup.t))
            line.hang_up()
            return True
        return False

    def _until_driver_rings(self, line: Line, limit: float = 5.0) -> None:
        """Wait (at most ``limit`` s, within the deadline) for the driver to have read the ring it is to
        answer: on a loaded machine its reader can lag the written RING, and an answer queued before
        it finds nothing ringing (seen once in CI: "missed:caller" where the capture answered)."""
        end = min(time.monotonic() + limit, self._deadline)
        while line.status().state != LineState.RINGING and time.monotonic() < end:
            time.sleep(0.02)

    def _action_gap(self, prev_t: float | None, t: float | None) -> float:
        """Before the box acts: its captured delay, scaled (at least long enough for the driver to
        read what was written just before; longer than the ring-stop timeout if it was in the field)."""
        if prev_t is None or t is None or t < prev_t:
            return DIGEST_S
        field = t - prev_t
        gap = min(max(field / self.opt.speed if self.opt.speed > 0 else 0.0, DIGEST_S), self.opt.max_gap)
        if field >= self._field_ring_timeout():
            gap = max(gap, driver_ring_timeout(self.opt) + 0.5)
        return gap

    def _tail(self, line: Line) -> None:
        """Let the driver conclude: ringing stops by its own timeout; then a quiet moment."""
        end = min(self._deadline, time.monotonic() + max(driver_ring_timeout(self.opt), COMMAND_TIMEOUT) + 3.0)
        while time.monotonic() < end:
            quiet = time.monotonic() - max(self._last_event, self._last_write) >= QUIET_S
            if quiet and line.status().state != LineState.RINGING and time.monotonic() >= self.fake.silent_until:
                return
            time.sleep(0.05)


def _unsolicited(raw: bytes) -> bool:
    from ..telephony.at import is_final, is_urc

    s = raw.decode("latin-1").strip()
    if raw[:1] == b"\x10":
        return raw[1:2] != b"\x03"
    return is_urc(s) and not is_final(s)


def auto_timeout(steps: Sequence[Step]) -> float:
    """Long enough for every call of the capture, bounded: 60 s + 2 s per ring, at most 900 s."""
    rings = sum(1 for s in steps if isinstance(s, Burst) and s.lines
                and s.lines[0].upper().startswith((b"RING", b"+CRING", b"\x10R")))
    return min(60.0 + 2.0 * rings, 900.0)


def field_ring_timeout(opt: ReplayOptions) -> float:
    """How long the field driver waited after a ring before calling the call missed."""
    if opt.driver == "gsm":
        return GSM_RING_TIMEOUT
    return 1.6 * VOICE_RING_PERIOD.get(opt.country, 5.0) + 0.3


def _voice_ring_period(opt: ReplayOptions) -> float:
    return max(0.5, VOICE_RING_PERIOD.get(opt.country, 5.0) / opt.scale)


def driver_ring_timeout(opt: ReplayOptions) -> float:
    """The same timeout in the replayed driver (scaled, with a floor)."""
    if opt.driver == "gsm":
        return max(1.0, GSM_RING_TIMEOUT / opt.scale)
    return 1.6 * _voice_ring_period(opt) + 0.3


def make_line(port: str, opt: ReplayOptions) -> Line:
    """The real driver on ``port``, with timers scaled like the replay's clock.

    Each replay gets its own line name, hence its own driver logger (the
    unparsed-line detection listens to it), so replays can run in parallel."""
    name = "replay-" + uuid.uuid4().hex[:8]
    if opt.driver == "gsm":
        from ..telephony.gsm import GsmLine

        return GsmLine(name, port, model=opt.model, country=opt.country, command_timeout=COMMAND_TIMEOUT,
                       ring_timeout=driver_ring_timeout(opt), clcc_interval=max(0.2, 1.0 / opt.scale),
                       read_sms=True, backoff=(0.2, 0.5))
    from ..telephony.voicemodem import VoiceModemLine

    return VoiceModemLine(name, port, model=opt.model, country=opt.country, command_timeout=COMMAND_TIMEOUT,
                          ring_period=_voice_ring_period(opt), backoff=(0.2, 0.5))


def replay_records(records: Sequence[CaptureRecord], options: ReplayOptions | None = None,
                   on_event: Callable[[ReplayEvent], None] | None = None,
                   parsed: ParsedCapture | None = None) -> ReplayResult:
    """Replay ``records`` against the driver ``options.driver``; see the module docstring."""
    opt = options or ReplayOptions()
    steps = build_script(records, complete_replies=parsed is not None and parsed.format == "text")
    r = Replayer(steps, opt, on_event)
    r.run()
    fake = r.fake
    return ReplayResult(tuple(r.events), len(steps), fake.matched, fake.defaulted, r.skipped, r.timed_out,
                        len(records), parsed.format if parsed else "records",
                        parsed.skipped if parsed else 0)


def replay(path: str | Path, options: ReplayOptions | None = None,
           on_event: Callable[[ReplayEvent], None] | None = None, *, line: str | None = None) -> ReplayResult:
    """Load a capture (ours or a pasted log) and replay it; ``line`` picks one line of an export."""
    parsed = load(path, line)
    if line is None and len(parsed.lines) > 1:
        raise CaptureFormatError(f"{path}: this capture holds the sessions of lines {', '.join(parsed.lines)}; "
                                 "choose one with --line NAME")
    if line is not None and parsed.format == "jsonl" and line not in parsed.lines:
        raise CaptureFormatError(f"{path}: no line {line!r} in this capture (it has "
                                 f"{', '.join(parsed.lines) or 'no line header'})")
    return replay_records(parsed.records, options, on_event, parsed)
