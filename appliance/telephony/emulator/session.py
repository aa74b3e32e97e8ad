"""One AT port of an emulated modem: byte stream in, echo and replies out.

A session reads what the driver writes to its pty (or TCP socket), splits it
into command lines ending with CR, echoes them while echo is on (``ATE1``,
the power-on default), and hands each line to the simulator's command set.
It also holds the SMS ``>`` prompt and the two voice data modes:
``vtx`` (the box plays: DLE-shielded samples until ``<DLE><ETX>``) and
``vrx`` (the box records: the call engine streams samples until the box
sends ``<DLE>!`` or ``<DLE>^``).
"""

from __future__ import annotations

import dataclasses
import logging
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol

from ..dle import DLE, ETX, DleDecoder

if TYPE_CHECKING:
    from .modem import EmulatedModem

log = logging.getLogger(__name__)

NUMERIC = {"OK": "0", "CONNECT": "1", "RING": "2", "NO CARRIER": "3", "ERROR": "4", "NO DIALTONE": "6",
           "BUSY": "7", "NO ANSWER": "8"}


class Endpoint(Protocol):
    def read(self, timeout: float) -> bytes | None: ...
    def write(self, data: bytes, timeout: float = 1.0) -> bool: ...


@dataclasses.dataclass
class Settings:
    """Per-port modem settings (what ``ATZ`` resets)."""

    echo: bool = True
    verbose: bool = True
    quiet: bool = False
    cmee: int = 0
    cmgf: int = 0
    cscs: str = "IRA"
    clip: bool = False
    crc: bool = False
    ccwa: bool = False
    creg: int = 0
    cnmi_mt: int = 0
    ddet: bool = False
    vcid: bool = False
    fclass: str = "0"
    vsm: str = "128,8000"


@dataclasses.dataclass(frozen=True)
class Reply:
    """What a command produced. ``final=None``: no final code now (prompt or data mode)."""

    lines: tuple[str, ...] = ()
    final: str | None = "OK"
    after: Callable[[], None] | None = None


class Session:
    def __init__(self, sim: EmulatedModem, name: str, endpoint: Endpoint, role: str) -> None:
        self.sim = sim
        self.name = name
        self.endpoint = endpoint
        self.role = role
        self.settings = Settings()
        self.mode = "cmd"
        self.prompt_handler: Callable[[bytes | None], Reply] | None = None
        self._buf = bytearray()
        self._echoed = 0
        self._decoder = DleDecoder()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.write_lock = threading.Lock()

    def start(self) -> None:
        self._thread = threading.Thread(target=self._loop, name=f"sim-{self.name}", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        t = self._thread
        if t is not None and t is not threading.current_thread():
            t.join(timeout=2.0)

    @property
    def alive(self) -> bool:
        return self._thread is not None and self._thread.is_alive() and not self._stop.is_set()

    # ----------------------------------------------------------------- output
    def write(self, data: bytes, timeout: float = 1.0) -> bool:
        with self.write_lock:
            return self.endpoint.write(data, timeout)

    def send_result(self, text: str) -> None:
        s = self.settings
        if s.quiet:
            return
        if s.verbose:
            self.write(b"\r\n" + text.encode("utf-8") + b"\r\n")
        else:
            code = NUMERIC.get(text)
            self.write((code + "\r").encode() if code else text.encode("utf-8") + b"\r\n")

    def send_lines(self, lines: tuple[str, ...] | list[str]) -> None:
        for line in lines:
            self.write(b"\r\n" + line.encode("utf-8") + b"\r\n" if self.settings.verbose
                       else line.encode("utf-8") + b"\r\n")

    def urc(self, text: str) -> None:
        if self.mode in ("vtx", "vrx"):
            return
        self.send_result(text) if text in NUMERIC else self.send_lines([text])

    def reply(self, r: Reply) -> None:
        self.send_lines(r.lines)
        if r.final is not None:
            self.send_result(r.final)
        if r.after is not None:
            r.after()

    # ----------------------------------------------------------------- input
    def _loop(self) -> None:
        while not self._stop.is_set():
            data = self.endpoint.read(0.1)
            if data is None:
                return
            if not data or self.sim.faults.mute:
                continue
            try:
                self.feed(data)
            except Exception:
                log.exception("simulator %s: error on input %r", self.name, data[:80])
                self._buf.clear()
                self.mode = "cmd"

    def feed(self, data: bytes) -> None:
        self._buf += data
        while self._buf:
            if self.mode == "cmd":
                if not self._feed_cmd():
                    return
            elif self.mode == "prompt":
                if not self._feed_prompt():
                    return
            elif self.mode == "vtx":
                chunk = bytes(self._buf)
                self._buf.clear()
                d = self._decoder.feed(chunk)
                if d.audio:
                    self.sim.box_voice_data(d.audio, self)
                if d.rest is not None:
                    self.mode = "cmd"
                    self._decoder.reset()
                    self.sim.vtx_ended(self)
                    self.send_result("OK")
                    self._buf += d.rest
            elif self.mode == "vrx":
                i = self._buf.find(DLE)
                if i < 0 or i + 1 >= len(self._buf):
                    if i < 0:
                        self._buf.clear()
                    return
                code = self._buf[i + 1]
                del self._buf[: i + 2]
                if code in (ord("!"), ord("^"), ETX):
                    self.mode = "cmd"
                    self.sim.vrx_ended(self)
                    self.write(bytes((DLE, ETX)))
                    self.send_result("OK")
            else:
                self._buf.clear()

    def _feed_cmd(self) -> bool:
        """Echo typed characters at once (as a modem does), run the line at CR."""
        i = -1
        for k, b in enumerate(self._buf):
            if b in (13, 10):
                i = k
                break
        if i < 0:
            if self.settings.echo and len(self._buf) > self._echoed:
                self.write(bytes(self._buf[self._echoed :]))
            self._echoed = len(self._buf)
            if len(self._buf) > 2048:
                self._buf.clear()
                self._echoed = 0
            return False
        raw = bytes(self._buf[:i])
        term = self._buf[i]
        echoed, self._echoed = self._echoed, 0
        del self._buf[: i + 1]
        if term == 10 and not raw.strip():
            return True
        if self.settings.echo:
            self.write(raw[echoed:] + b"\r")
        text = raw.decode("latin-1").strip()
        if not text or text[:2].upper() != "AT":
            return True
        self.sim.record_command(self.name, text)
        reply = self.sim.commands.execute(self, text)
        self.reply(reply)
        return True

    def _feed_prompt(self) -> bool:
        for k, b in enumerate(self._buf):
            if b in (0x1A, 0x1B):
                body = bytes(self._buf[:k])
                del self._buf[: k + 1]
                if self.settings.echo:
                    self.write(body)
                handler = self.prompt_handler
                self.mode = "cmd"
                self.prompt_handler = None
                if handler is not None:
                    self.reply(handler(body if b == 0x1A else None))
                return True
        if len(self._buf) > 8192:
            self._buf.clear()
        return False

    def enter_prompt(self, handler: Callable[[bytes | None], Reply]) -> None:
        self.prompt_handler = handler
        self.mode = "prompt"
        self.write(b"\r\n> ")

    def enter_vtx(self) -> None:
        self._decoder.reset()
        self.mode = "vtx"

    def enter_vrx(self) -> None:
        self.mode = "vrx"
