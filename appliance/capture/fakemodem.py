"""The modem end of a replay: answers the real driver over a pty from a capture.

One thread reads what the driver writes on the pty master. Commands (ending
with ``\\r``) are echoed while the modem's echo is on (``ATE1``, ``ATZ``, the
power-on default; ``ATE0`` turns it off) and answered:

Every command also goes through the AT-answering core the line simulator uses
(:mod:`appliance.telephony.emulator`: the dialect's tables, the port's settings
such as echo), so the two emulators answer alike. Replies:

1. from the capture: the first unused captured exchange with the same command
   in the current *window* (from the replay cursor to the next unsolicited
   burst) gives its reply lines, exactly as the field saw them;
2. ``AT+CLCC``: from the replay's call model (the call the capture shows:
   ``+CLCC: 1,1,4,...`` while ringing — while a ring came less than the driver's
   ring-stop timeout ago —, ``...,0,...`` in a call, nothing when idle);
3. a query (``...?``, ``ATI``, ``AT+CGMM``, ``AT+CSQ``...) answered anywhere in
   the capture: that reply;
4. ``CONNECT`` (and voice data mode) for ``AT+VTX``/``AT+VRX``/``AT+VTR``;
   ``<DLE><ETX>`` + ``OK`` when the box stops recording;
5. the dialect's own reply (the simulator's command set over a modem with no
   line: identification, ``+CPIN: READY``, registered, ``+CSQ: 20,99``...);
6. otherwise plain ``OK``.

In voice data mode the thread only looks for the box's ``<DLE>`` codes
(``<DLE><ETX>`` end of playback, ``<DLE>!``/``<DLE>^`` stop recording), and for
``AT``/``ATZ`` at the start of a write: a driver re-initialising after a fault.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable

from ..telephony.emulator.dialects import DEFAULT_MODEL, DIALECT_OF
from ..telephony.emulator.modem import StaticModem
from ..telephony.emulator.pty import PtyPort
from ..telephony.emulator.session import Session
from ..telephony.parsers import parse_clip
from .script import (
    ANSWER_COMMANDS,
    HANGUP_COMMANDS,
    VOICE_DATA_COMMANDS,
    Burst,
    Exchange,
    Step,
    ends_reply,
    is_query,
    norm_command,
)


class _NoPort:
    """The core's session never writes here: the fake modem writes what it decides."""

    def read(self, timeout: float) -> bytes | None:
        return b""

    def write(self, data: bytes, timeout: float = 1.0) -> bool:
        return True


class DialectCore:
    """The shared AT-answering core for one replay: the dialect's replies and the port's settings."""

    def __init__(self, model: str) -> None:
        self.modem = StaticModem(model)
        self.session = Session(self.modem, "replay", _NoPort(), "main")

    @property
    def echo(self) -> bool:
        return self.session.settings.echo

    def execute(self, text: str) -> list[bytes] | None:
        """Run ``text`` (keeping the port's settings); the dialect's reply, or None without a final code."""
        if text[:2].upper() != "AT":
            return None
        r = self.modem.commands.execute(self.session, text)
        if r.final is None:
            return None
        return [x.encode("utf-8") for x in r.lines] + [r.final.encode("utf-8")]


def core_model(driver: str, model: str = "auto", queries: dict[str, list[bytes]] | None = None) -> str:
    """The dialect the replay's core answers in: the configured model, else what the capture's
    identification replies say (as the drivers detect it), else the driver's usual model."""
    if model in DIALECT_OF:
        return model
    ident = " ".join(b" ".join(r).decode("latin-1") for c, r in (queries or {}).items()
                     if c in ("ATI", "ATI0", "ATI3", "AT+CGMM", "AT+GMM"))
    if driver == "gsm":
        from ..telephony.gsm_calls import model_name as gsm_model

        found = gsm_model(ident)
        return found if found in DIALECT_OF else DEFAULT_MODEL["gsm"]
    from ..telephony.voice_calls import model_name as voice_model

    return voice_model(ident) if ident.strip() else DEFAULT_MODEL["voicemodem"]
_END_RE = re.compile(r"^(NO CARRIER|BUSY|NO ANSWER|VOICE CALL: END|MISSED_CALL|\+CEND|\^CEND|CALL END)", re.I)


class CallModel:
    """What the capture says about the call, for ``AT+CLCC`` and for the answer/hang-up rule."""

    def __init__(self, ring_fresh: float = 8.0, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self.state = "idle"
        self.number = ""
        self.ntype = 129
        self.ring_fresh = ring_fresh
        """A call still rings while a ring was written less than this long ago (the network
        repeats RING every few seconds; a capture with no more rings shows a call that stopped)."""
        self.last_ring = 0.0
        self.clip_seen = False
        """A +CLIP was seen for the current call (so ``number`` is this call's)."""
        self.lock = threading.Lock()

    def on_modem_line(self, raw: bytes) -> None:
        s = raw.decode("latin-1").strip()
        u = s.upper()
        with self.lock:
            if u == "RING" or u.startswith(("RING ", "+CRING")) or raw == b"\x10R":
                self.last_ring = self.clock()
                if self.state == "idle":
                    self.state = "ringing"
            elif u.startswith("+CLIP:"):
                self.last_ring = self.clock()
                cid = parse_clip(s)
                if cid is not None:
                    self.number = cid.number or ""
                    self.ntype = cid.number_type or 129
                    self.clip_seen = True
                if self.state == "idle":
                    self.state = "ringing"
            elif u.startswith("VOICE CALL: BEGIN"):
                self.state = "active"
            elif _END_RE.match(s) or (raw[:1] == b"\x10" and raw[1:2] in (b"b", b"d", b"l", b"L", b"s")):
                self._idle()
            elif u.startswith("*ECAV:"):
                f = s.split(":", 1)[1].split(",")
                st = f[1].strip() if len(f) > 1 else ""
                if st in ("5", "6"):
                    self.last_ring = self.clock()
                    if self.state == "idle":
                        self.state = "ringing"
                elif st == "3":
                    self.state = "active"
                elif st in ("0", "7"):
                    self._idle()
            elif u.startswith("+CLCC:"):
                f = s.split(",")
                if len(f) > 2 and f[2].strip().isdigit():
                    stat = int(f[2])
                    if stat in (4, 5) and self.state == "idle":  # a call seen first here (never its own reply)
                        self.last_ring = self.clock()
                        cid = parse_clip("+CLIP: " + ",".join(f[5:7]))
                        if cid is not None and cid.number and not self.clip_seen:
                            self.number, self.ntype = cid.number, cid.number_type or 129
                    if stat in (0, 1, 4, 5):
                        self.state = "active" if stat in (0, 1) else "ringing"
                    else:
                        self._idle()

    def _idle(self) -> None:
        self.state = "idle"
        self.clip_seen = False

    def on_box_command(self, cmd: str, ok: bool) -> None:
        with self.lock:
            if cmd in ANSWER_COMMANDS and self.state == "ringing" and ok:
                self.state = "active"
            elif cmd in HANGUP_COMMANDS:
                self._idle()

    def on_clcc_reply(self, reply: list[bytes]) -> None:
        """A captured ``AT+CLCC`` reply is an observation of the call state."""
        listed = [r for r in reply if r.upper().startswith(b"+CLCC:")]
        if not listed:
            with self.lock:
                self._idle()
            return
        for r in listed:
            self.on_modem_line(r)

    def refresh(self) -> str:
        """The state now: a ringing call with no ring for ``ring_fresh`` seconds has stopped."""
        with self.lock:
            if self.state == "ringing" and self.clock() - self.last_ring > self.ring_fresh:
                self._idle()
            return self.state

    def clcc(self) -> list[bytes]:
        self.refresh()
        with self.lock:
            if self.state == "idle":
                return [b"OK"]
            stat = 0 if self.state == "active" else 4
            return [f'+CLCC: 1,1,{stat},0,0,"{self.number}",{self.ntype}'.encode("latin-1", "replace"), b"OK"]


def frame(lines: list[bytes]) -> bytes:
    """Modem output for ``lines``: ``\\r\\n<line>\\r\\n`` (verbose mode), ``<DLE>x`` raw."""
    out = bytearray()
    for ln in lines:
        if ln[:1] == b"\x10":
            out += ln
        else:
            out += b"\r\n" + ln + b"\r\n"
    return bytes(out)


class FakeModem:
    """See the module docstring. ``window()`` gives the exchanges the driver may match now."""

    def __init__(self, port: PtyPort, steps: list[Step], model: CallModel,
                 window: Callable[[], list[Exchange]], *, command_timeout: float = 2.0,
                 core: DialectCore | None = None) -> None:
        self.port = port
        self.steps = steps
        self.model = model
        self.window = window
        self.core = core or DialectCore("sim7600")
        self.data_mode = False
        self.sms_prompt = False
        self.lock = threading.Lock()
        self.changed = threading.Condition(self.lock)
        self.commands = 0
        self.matched = 0
        self.defaulted = 0
        self.last_command_at = time.monotonic()
        self.command_timeout = command_timeout
        self.silent_until = 0.0
        """While the driver waits for a final code that the capture never gave (until its timeout)."""
        self._queries = captured_queries(steps)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="replay-modem", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def close(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=2)

    def write(self, data: bytes) -> bool:
        return self.port.write(data, timeout=1.0)

    # ------------------------------------------------------------------ reading
    def _loop(self) -> None:
        buf = bytearray()
        while not self._stop.is_set():
            data = self.port.read(0.05)
            if data is None:
                return
            if not data:
                continue
            buf += data
            if len(buf) > 1_000_000:
                del buf[:-4096]
            self._process(buf)

    def _process(self, buf: bytearray) -> None:
        while buf:
            if self.data_mode:
                if bytes(buf[:3]) == b"AT\r" or bytes(buf[:4]) == b"ATZ\r":
                    self.data_mode = False  # the driver re-initialises after a fault: back to commands
                    continue
                i = buf.find(b"\x10")
                if i < 0 or i + 1 >= len(buf):
                    keep = buf[i:] if i >= 0 else b""
                    buf[:] = keep
                    return
                code = buf[i + 1]
                del buf[: i + 2]
                if code in (0x03, ord("!"), ord("^")):
                    self.data_mode = False
                    self._command(b"\x10" + bytes((code,)))
                continue
            if self.sms_prompt:
                j = min((k for k in (buf.find(b"\x1a"), buf.find(b"\x1b")) if k >= 0), default=-1)
                if j < 0:
                    return
                body = bytes(buf[:j])
                del buf[: j + 1]
                self.sms_prompt = False
                if self.core.echo:
                    self.write(body)
                self._command(body + b"\x1a")
                continue
            j = buf.find(b"\r")
            if j < 0:
                if len(buf) > 4096:
                    buf.clear()
                return
            line = bytes(buf[:j]).lstrip(b"\n")
            del buf[: j + 1]
            if not line.strip():
                continue
            if self.core.echo:
                self.write(line + b"\r")
            self._command(line)

    # ------------------------------------------------------------------ answering
    def _command(self, raw: bytes) -> None:
        cmd = norm_command(raw)
        dialect = self.core.execute(raw.decode("latin-1").strip())
        reply: list[bytes] | None = None
        with self.lock:
            self.commands += 1
            self.last_command_at = time.monotonic()
            for ex in self.window():
                if ex.command == cmd and not ex.consumed and not ex.skipped:
                    ex.consumed = True
                    reply = list(ex.reply)
                    self.matched += 1
                    if cmd.startswith("AT+CLCC"):
                        self.model.on_clcc_reply(reply)
                    break
            self.changed.notify_all()
        if reply is None:
            self.defaulted += 1
            reply = default_reply(cmd, self.model, self._queries, dialect)
        for r in reply:
            self.model.on_modem_line(r)
        final = reply[-1].decode("latin-1").strip() if reply else ""
        ex_final = any(ends_reply(r, cmd) for r in reply)
        self.silent_until = 0.0 if ex_final or cmd.startswith("AT+CMGS=") else (
            time.monotonic() + self.command_timeout + 0.5)
        self.model.on_box_command(cmd, final in ("OK", "VCON") or final.startswith("CONNECT"))
        if cmd.startswith("AT+CMGS=") and not reply:
            self.sms_prompt = True
            self.write(b"\r\n> ")
            return
        if cmd.startswith("AT+CMGS=") and reply and reply[0].startswith(b">"):
            self.sms_prompt = True
            self.write(b"\r\n> ")
            reply = reply[1:]
        self.write(frame(reply))
        if cmd in VOICE_DATA_COMMANDS and final.startswith("CONNECT"):
            self.data_mode = True


def captured_queries(steps: list[Step]) -> dict[str, list[bytes]]:
    """Replies to queries found anywhere in the capture (see :func:`.script.is_query`)."""
    out: dict[str, list[bytes]] = {}
    for s in steps:
        if isinstance(s, Exchange) and is_query(s.command) and s.final and s.command not in out:
            out[s.command] = s.reply
    return out


def default_reply(cmd: str, model: CallModel, queries: dict[str, list[bytes]],
                  dialect: list[bytes] | None = None) -> list[bytes]:
    """The reply to a command the capture does not answer where the driver sent it (``dialect``:
    what the shared AT core answers)."""
    if cmd.startswith("AT+CLCC"):
        return model.clcc()
    if cmd in queries:
        return list(queries[cmd])
    if cmd in VOICE_DATA_COMMANDS:
        return [b"CONNECT"]
    if cmd in ("<DLE>!", "<DLE>^"):
        return [b"\x10\x03", b"OK"]
    if cmd.startswith("AT+CMGS="):
        return []
    if raw_is_sms_body(cmd):
        return [b"+CMGS: 1", b"OK"]
    return dialect if dialect is not None else [b"OK"]


def raw_is_sms_body(cmd: str) -> bool:
    return bool(cmd) and not cmd.startswith(("AT", "<DLE>", "A/"))


def burst_bytes(b: Burst) -> bytes:
    return frame(b.lines)
