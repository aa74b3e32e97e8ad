"""The AT channel: one serial port, one reader thread, commands matched to replies.

Any pyserial URL works (``/dev/ttyUSB2``, ``/dev/pts/5``, ``socket://host:port``).
A reader thread splits what the modem sends into lines and decides, for each:

* the echo of the command in progress (modem still in ``ATE1``): skipped;
* a final result code (``OK``, ``ERROR``, ``+CME ERROR: ...``, ``+CMS ERROR: ...``
  and, for commands that ask for them, ``CONNECT``, ``NO CARRIER``, ``BUSY``...):
  completes the command;
* an information line of the command in progress (it starts with the
  command's own prefix, ``+CSQ:`` for ``AT+CSQ``, or it is not a known
  unsolicited code): added to the reply;
* otherwise an unsolicited result code (``RING``, ``+CLIP:``, ``+CMTI:``,
  ``^RSSI:``...): handed to the unsolicited handler, never taken for a reply.

``<DLE>x`` pairs outside voice data (voice modems in ``+FCLASS=8`` command
state) go to the DLE-event handler. After a ``CONNECT`` the caller can switch
the reader to raw mode (voice data) with a handler that returns the bytes that
follow the end of the data stream.

Every line sent and received is logged (``repr`` escaped) and passed to the
optional capture hook ``capture(direction, data)`` with direction ``"tx"`` or
``"rx"`` (raw voice data too), so sessions can be recorded and replayed.

    >>> # with AtChannel("socket://127.0.0.1:5000") as ch:
    >>> #     ch.command("AT+CSQ").value("+CSQ:")
"""

from __future__ import annotations

import dataclasses
import logging
import re
import threading
from collections.abc import Callable

import serial

from ..errors import LineError, ModemError, ModemTimeout, PortGone
from .parsers import parse_cid_hex

log = logging.getLogger(__name__)

Capture = Callable[[str, bytes], None]
RawHandler = Callable[[bytes], "bytes | None"]

DEFAULT_LINE_CAP = 4096

BASIC_FINALS = ("OK", "ERROR")
ERROR_PREFIXES = ("+CME ERROR", "+CMS ERROR")
CONNECT_FINALS = ("CONNECT", "NO CARRIER", "BUSY", "NO ANSWER", "NO DIALTONE", "NO DIAL TONE", "VCON")

URC_PREFIXES: tuple[str, ...] = (
    "RING", "+CRING", "+CLIP", "+CCWA", "+CMTI", "+CMT:", "+CDS", "+CBM", "+CDSI",
    "NO CARRIER", "BUSY", "NO ANSWER", "VOICE CALL", "MISSED_CALL", "+DTMF", "+RXDTMF",
    "+CREG:", "+CEREG:", "+CGREG:", "+CSQ:", "^RSSI", "^HCSQ", "^BOOT", "^MODE", "^SYSINFO",
    "+CPIN:", "RDY", "CALL READY", "SMS READY", "SMS DONE", "PB DONE", "+CFUN:", "+CUSD",
    "+CLCC:", "+PDP", "+CGEV", "+CTZV", "+CTZE", "*PSUTTZ", "DST:", "+QIND", "+CIEV",
    "NORMAL POWER DOWN", "UNDER-VOLTAGE", "OVER-VOLTAGE", "+STIN", "+CUSATP", "+CEND",
    "+CCALR", "^ORIG", "^CONF", "^CONN", "^CEND", "+CSSU", "+CSSI", "+CPAS",
    "DATE", "TIME", "NMBR", "NAME", "DDN_NMBR", "MESG", "CALLER NUMBER", "CALLER NAME",
    "+VCID", "+QRING", "+QIURC", "+CMGS", "NBR",
)
"""Known unsolicited codes from 27.007/27.005, SIMCom, Huawei, Quectel and voice modems."""

_TERM_RE = re.compile(rb"[\r\n\x10]")
_PREFIX_RE = re.compile(r"^AT([+^$%*#!&][A-Z0-9_]+)", re.IGNORECASE)


def decode_line(data: bytes) -> str:
    """Bytes of one modem line to text: UTF-8 if valid, else Latin-1 (never fails)."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def command_prefix(command: str) -> str | None:
    """The information-line prefix a command answers with: ``AT+CSQ`` -> ``+CSQ:``."""
    m = _PREFIX_RE.match(command.strip())
    return m.group(1).upper() + ":" if m else None


def is_urc(line: str, *, cid_records: bool = True) -> bool:
    """True if ``line`` looks like an unsolicited result code of any known vendor.

    ``cid_records``: a hex caller-id record (voice modem, ``AT#CID=2``) counts as
    one; off on GSM modems, whose replies may be hex (PDUs, UCS2 texts)."""
    u = line.upper()
    return u.startswith(URC_PREFIXES) or (cid_records and parse_cid_hex(line) is not None)


URC_WITH_BODY = ("+CMT:", "+CBM:")
# replies whose next line is a message body (text or PDU), whatever it says
SMS_READ_HEADERS = ("+CMGR:", "+CMGL:")
"""Unsolicited codes followed by one more line that belongs to them (27.005 text mode: the message)."""


def is_final(line: str, extra: tuple[str, ...] = ()) -> bool:
    """True if ``line`` ends a command (``extra``: CONNECT-type codes this command may end with)."""
    if line in BASIC_FINALS or line.startswith(ERROR_PREFIXES):
        return True
    return bool(extra) and line.startswith(extra)


def is_error(line: str) -> bool:
    return line == "ERROR" or line.startswith(ERROR_PREFIXES)


@dataclasses.dataclass(frozen=True)
class AtResponse:
    """The reply to one command: its information lines and its final result code."""

    command: str
    lines: tuple[str, ...]
    final: str

    @property
    def ok(self) -> bool:
        return self.final == "OK" or self.final.startswith("CONNECT")

    def value(self, prefix: str) -> str | None:
        """The text after ``prefix`` on the first line that starts with it, stripped."""
        for line in self.lines:
            if line.upper().startswith(prefix.upper()):
                return line[len(prefix):].strip()
        return None

    def text(self) -> str:
        return "\n".join(self.lines)


@dataclasses.dataclass
class _Pending:
    command: str
    prefix: str | None
    finals: tuple[str, ...]
    raw: RawHandler | None
    lines: list[str] = dataclasses.field(default_factory=list)
    echo_seen: bool = False
    final: str | None = None
    body_next: bool = False  # the next line is the text of a message read with +CMGR/+CMGL
    done: threading.Event = dataclasses.field(default_factory=threading.Event)


class AtChannel:
    """An AT command channel over a pyserial URL, with a reader thread.

    ``on_unsolicited(line)`` and ``on_dle_event(code)`` run in the reader
    thread: they must not send commands (queue the work instead).
    ``on_closed(reason)`` is called once when the port fails or vanishes.
    """

    def __init__(
        self,
        url: str,
        *,
        name: str = "modem",
        baudrate: int = 115200,
        timeout: float = 5.0,
        line_cap: int = DEFAULT_LINE_CAP,
        on_unsolicited: Callable[[str], None] | None = None,
        on_dle_event: Callable[[str], None] | None = None,
        on_closed: Callable[[str], None] | None = None,
        capture: Capture | None = None,
        logger: logging.Logger | None = None,
        cid_records: bool = True,
    ) -> None:
        if not url:
            raise LineError(f"{name}: no serial port configured; set the line's port (a device or pyserial URL)")
        self.url = url
        self.name = name
        self.baudrate = baudrate
        self.timeout = timeout
        self.line_cap = line_cap
        self.on_unsolicited = on_unsolicited
        self.on_dle_event = on_dle_event
        self.on_closed = on_closed
        self.capture = capture
        self.log = logger or log
        self._ser: serial.SerialBase | None = None
        self._reader: threading.Thread | None = None
        self._stop = threading.Event()
        self._cmd_lock = threading.Lock()
        self._write_lock = threading.Lock()
        self._pending: _Pending | None = None
        self._raw: RawHandler | None = None
        self._skip_lf = False
        self._discarding = False
        self._urc_body = False
        self.cid_records = cid_records
        self._failed: str | None = None
        self._closed_reported = False

    # ------------------------------------------------------------------ lifecycle
    def open(self) -> None:
        try:
            ser = serial.serial_for_url(self.url, baudrate=self.baudrate, timeout=0.05, write_timeout=2.0)
        except (serial.SerialException, OSError, ValueError) as e:
            raise PortGone(f"{self.name}: cannot open serial port {self.url!r}: {e}; "
                           "check the device is plugged in and the user is in group dialout") from e
        self._ser = ser
        self._stop.clear()
        self._failed = None
        self._closed_reported = False
        self._raw = None
        self._reader = threading.Thread(target=self._read_loop, name=f"at-{self.name}", daemon=True)
        self._reader.start()
        self.log.info("%s: opened %s", self.name, self.url)

    def close(self) -> None:
        self._stop.set()
        t = self._reader
        if t is not None and t is not threading.current_thread():
            t.join(timeout=2.0)
        self._reader = None
        ser, self._ser = self._ser, None
        if ser is not None:
            try:
                ser.close()
            except (serial.SerialException, OSError) as e:
                self.log.debug("%s: close: %s", self.name, e)
        p = self._pending
        if p is not None:
            p.done.set()

    @property
    def is_open(self) -> bool:
        return self._ser is not None and self._failed is None and not self._stop.is_set()

    @property
    def failure(self) -> str | None:
        return self._failed

    def __enter__(self) -> AtChannel:
        self.open()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _cap(self, direction: str, data: bytes) -> None:
        """Call the capture hook; a failing hook is logged once and never breaks the line."""
        hook = self.capture
        if hook is None:
            return
        try:
            hook(direction, data)
        except Exception:
            self.log.exception("%s: capture hook failed; capture disabled for this channel", self.name)
            self.capture = None

    # ------------------------------------------------------------------ writing
    def write_raw(self, data: bytes) -> None:
        """Write bytes as they are (voice data, DLE codes, Ctrl-Z)."""
        ser = self._ser
        if ser is None or self._failed:
            raise PortGone(f"{self.name}: port {self.url!r} is not open ({self._failed or 'closed'})")
        if self.capture is not None:
            self._cap("tx", data)
        try:
            with self._write_lock:
                ser.write(data)
        except serial.SerialTimeoutException as e:
            raise ModemTimeout(f"{self.name}: write to {self.url!r} timed out (modem not reading)") from e
        except (serial.SerialException, OSError) as e:
            self._fail(f"write failed: {e}")
            raise PortGone(f"{self.name}: port {self.url!r} failed on write: {e}") from e

    def send_line(self, text: str) -> None:
        """Send ``text`` + CR without waiting for a reply."""
        self.log.debug("%s tx %r", self.name, text)
        self.write_raw(text.encode("latin-1", "replace") + b"\r")

    def command(
        self,
        cmd: str,
        timeout: float | None = None,
        *,
        finals: tuple[str, ...] = (),
        check: bool = True,
        raw: RawHandler | None = None,
    ) -> AtResponse:
        """Send ``cmd`` and wait for its final result code.

        ``finals``: extra final codes (``CONNECT_FINALS`` for ``ATA``/``AT+VTX``);
        ``raw``: after a ``CONNECT`` the reader passes every following byte to
        ``raw`` until it returns the bytes after the stream's end (line mode
        again). Raises :class:`ModemTimeout`, :class:`PortGone`, and
        :class:`ModemError` on an error code when ``check`` is true.
        """
        lines, final = self._exchange(_Pending(cmd.strip(), command_prefix(cmd), finals, raw),
                                      lambda: self.send_line(cmd), repr(cmd), timeout)
        resp = AtResponse(cmd.strip(), lines, final)
        if check and is_error(final):
            raise ModemError(f"{self.name}: {cmd!r} answered {final!r}")
        return resp

    def transact(self, data: bytes, timeout: float | None = None, *, what: str = "",
                 finals: tuple[str, ...] = ()) -> AtResponse:
        """Write raw ``data`` (e.g. ``<DLE>!`` or ``<DLE><ETX>``) and wait for the final code it causes."""
        label = what or repr(data)

        def send() -> None:
            self.log.debug("%s tx %r", self.name, data)
            self.write_raw(data)

        lines, final = self._exchange(_Pending(label, None, finals, None, echo_seen=True), send, label, timeout)
        return AtResponse(label, lines, final)

    def _exchange(self, p: _Pending, send: Callable[[], None], label: str,
                  timeout: float | None) -> tuple[tuple[str, ...], str]:
        """Send, then wait for the final result code that ``p`` collects (one exchange at a time)."""
        wait = self.timeout if timeout is None else timeout
        with self._cmd_lock:
            self._pending = p
            try:
                send()
                if not p.done.wait(wait):
                    raise ModemTimeout(f"{self.name}: no reply to {label} within {wait:.1f} s on {self.url!r}")
                if p.final is None:
                    raise PortGone(f"{self.name}: port {self.url!r} closed during {label}"
                                   f" ({self._failed or 'closed'})")
            finally:
                self._pending = None
        return tuple(p.lines), p.final

    def leave_raw(self) -> None:
        self._raw = None

    # ------------------------------------------------------------------ reading
    def _fail(self, reason: str) -> None:
        if self._failed is None:
            self._failed = reason
            self.log.warning("%s: port %s failed: %s", self.name, self.url, reason)
        p = self._pending
        if p is not None:
            p.done.set()
        if not self._closed_reported and not self._stop.is_set():
            self._closed_reported = True
            if self.on_closed is not None:
                try:
                    self.on_closed(reason)
                except Exception:
                    self.log.exception("%s: on_closed handler failed", self.name)

    def _read_loop(self) -> None:
        buf = bytearray()
        while not self._stop.is_set():
            ser = self._ser
            if ser is None:
                return
            try:
                n = ser.in_waiting
                data = ser.read(n if n > 0 else 1)
            except (serial.SerialException, OSError, TypeError, AttributeError) as e:
                if not self._stop.is_set():
                    self._fail(f"read failed: {e}")
                return
            if not data:
                continue
            buf += data
            try:
                self._process(buf)
            except Exception:
                self.log.exception("%s: error handling modem data %r", self.name, bytes(buf[:200]))
                buf.clear()

    def _process(self, buf: bytearray) -> None:
        while buf:
            raw = self._raw
            if raw is not None:
                if self._skip_lf and buf[:1] == b"\n":
                    del buf[:1]
                self._skip_lf = False
                if not buf:
                    return
                chunk = bytes(buf)
                buf.clear()
                if self.capture is not None:
                    self._cap("rx", chunk)
                rest = self._call_raw(raw, chunk)
                if rest is None:
                    return
                self._raw = None
                buf += rest
                continue
            if self._skip_lf and buf[:1] == b"\n":
                del buf[:1]
                self._skip_lf = False
                continue
            self._skip_lf = False
            if self._discarding:
                m = _TERM_RE.search(buf)
                if m is None:
                    buf.clear()
                    return
                del buf[: m.start()]
                self._discarding = False
            end = -1
            for i, b in enumerate(buf):
                if b in (10, 13, 0x10):
                    end = i
                    break
                if i >= self.line_cap:
                    break
            if end < 0:
                if len(buf) > self.line_cap:
                    m = _TERM_RE.search(buf)
                    cut = m.start() if m else len(buf)
                    self.log.warning("%s: dropped overlong line (%d+ bytes): %r...", self.name,
                                     cut, bytes(buf[:80]))
                    del buf[:cut]
                    self._discarding = m is None
                    continue
                elif bytes(buf) == b"> " or bytes(buf) == b">":
                    self.log.debug("%s rx prompt %r", self.name, bytes(buf))
                    buf.clear()
                return
            if buf[end] == 0x10:
                if end + 1 >= len(buf):
                    if end > 0:
                        self._line(bytes(buf[:end]))
                        del buf[:end]
                    return
                code = chr(buf[end + 1])
                pre = bytes(buf[:end])
                del buf[: end + 2]
                if pre.strip():
                    self._line(pre)
                self._dle(code)
                continue
            line = bytes(buf[:end])
            if buf[end] == 13:
                if end + 1 < len(buf):
                    del buf[: end + (2 if buf[end + 1] == 10 else 1)]
                else:
                    del buf[: end + 1]
                    self._skip_lf = True
            else:
                del buf[: end + 1]
            self._line(line)

    def _call_raw(self, raw: RawHandler, chunk: bytes) -> bytes | None:
        try:
            return raw(chunk)
        except Exception:
            self.log.exception("%s: raw data handler failed; back to line mode", self.name)
            return b""

    def _dle(self, code: str) -> None:
        self.log.debug("%s rx DLE %r", self.name, code)
        if self.capture is not None:
            self._cap("rx", b"\x10" + code.encode("latin-1", "replace"))
        if self.on_dle_event is not None:
            try:
                self.on_dle_event(code)
            except Exception:
                self.log.exception("%s: DLE event handler failed", self.name)

    def _line(self, data: bytes) -> None:
        text = decode_line(data).strip()
        if not text:
            return
        self.log.debug("%s rx %r", self.name, text)
        if self.capture is not None:
            self._cap("rx", data)
        if self._urc_body:  # the text of a +CMT: it is the URC's, never a command's reply
            self._urc_body = False
            self._urc(text)
            return
        p = self._pending
        if p is not None and p.final is None:
            if not p.echo_seen and not p.lines and text.upper() == p.command.upper():
                p.echo_seen = True
                return
            # An SMS that reads "OK" is a message, not the end of the reply. (Blank lines are skipped:
            # some modems put one between header and text, so an empty message cannot be told apart.)
            if p.body_next:
                p.body_next = False
                p.lines.append(text)
                return
            if text.upper().startswith(SMS_READ_HEADERS):
                p.body_next = True
                p.lines.append(text)
                return
            if is_final(text, p.finals):
                p.final = text
                if p.raw is not None and text.startswith("CONNECT"):
                    self._raw = p.raw
                p.done.set()
                return
            if p.prefix is not None and text.upper().startswith(p.prefix):
                p.lines.append(text)
                return
            if not is_urc(text, cid_records=self.cid_records):
                p.lines.append(text)
                return
        self._urc_body = text.upper().startswith(URC_WITH_BODY)
        self._urc(text)

    def _urc(self, text: str) -> None:
        if self.on_unsolicited is None:
            self.log.info("%s: unsolicited %r ignored", self.name, text)
            return
        try:
            self.on_unsolicited(text)
        except Exception:
            self.log.exception("%s: unsolicited handler failed on %r", self.name, text)
