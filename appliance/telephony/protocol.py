"""The AT protocol without I/O: fed the modem's bytes, returns events (in the spirit of h11).

:class:`AtProtocol` holds no port, thread or clock. The caller sends with
:meth:`AtProtocol.command` (it returns the bytes to write and remembers the
exchange in progress) and hands every byte the modem sends to
:meth:`AtProtocol.receive`, which returns what they meant:

* :class:`Echo` — the modem echoing the command in progress (``ATE1``);
* :class:`ReplyLine` — an information line of the command in progress, as it comes;
* :class:`Response` — the exchange is complete: its information lines and final
  result code (``OK``, ``ERROR``, ``+CME ERROR: ...``, and ``CONNECT``, ``NO
  CARRIER``... for commands that may end with them);
* :class:`Unsolicited` — an unsolicited result code (``RING``, ``+CLIP:``, a
  caller-id line...), never taken for a reply; the text line of a ``+CMT`` (and
  of an SMS header seen outside a reply) follows as ``Unsolicited(...,
  continuation=True)``;
* :class:`StrayFinal` — a final result code with no command in progress (a late
  reply after a timeout);
* :class:`DleEvent` — ``<DLE>x`` in command state or inside voice data
  (``b`` busy tone, a DTMF digit, ``R`` ring...);
* :class:`VoiceData` / :class:`DataEnd` — after a ``CONNECT`` to a command sent
  with ``data="voice"``, DLE-shielded samples (unstuffed) until ``<DLE><ETX>``,
  then line mode again;
* :class:`RawData` — after a ``CONNECT`` to a command sent with ``data="raw"``
  (or :meth:`AtProtocol.enter_raw`), bytes as they come until :meth:`AtProtocol.leave_raw`;
* :class:`Prompt` — the ``> `` of ``AT+CMGS``; :class:`Dropped` — an overlong line cut.

Adding a multiparty command (``AT+CHLD``, ``ATD``, ``AT+CLCC`` with several
entries) needs nothing here: information lines are collected whatever their
number, ``finals=CONNECT_FINALS`` covers dialling.

    >>> p = AtProtocol()
    >>> p.command("AT+CSQ")
    b'AT+CSQ\\r'
    >>> [type(e).__name__ for e in p.receive(b"\\r\\nRING\\r\\n+CSQ: 20,99\\r\\nOK\\r\\n")]
    ['Unsolicited', 'ReplyLine', 'Response']
"""

from __future__ import annotations

import dataclasses
import re
from typing import Literal

from .callerid import parse_cid_hex
from .dle import DleDecoder

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
    "+CCALR", "^ORIG", "^CONF", "^CONN", "^CEND", "+CSSU", "+CSSI", "+CPAS", "*ECAV", "CID RING",
    "DATE", "TIME", "NMBR", "NAME", "DDN_NMBR", "DDN", "MESG", "CALLER NUMBER", "CALLER NAME", "CALLER'S NUMBER",
    "CALLING MSG", "END MSG", "REASON FOR NO", "FM:", "CALLERID:", "###",
    "+VCID", "+QRING", "+QIURC", "+CMGS", "NBR",
)
"""Unsolicited codes of 27.007/27.005, SIMCom, Huawei, Quectel, Ericsson/oFono (``*ECAV``) and voice
modems (caller-id labels of Rockwell, USR, ZyXEL, Lucent, NetCallerID...)."""

URC_WITH_BODY = ("+CMT:", "+CBM:")
"""Unsolicited codes followed by one more line that belongs to them (the message)."""
SMS_READ_HEADERS = ("+CMGR:", "+CMGRD:", "+CMGL:")
"""Replies whose next line is a message body (text or PDU), whatever it says."""

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


def is_final(line: str, extra: tuple[str, ...] = ()) -> bool:
    """True if ``line`` ends a command (``extra``: CONNECT-type codes this command may end with)."""
    if line in BASIC_FINALS or line.startswith(ERROR_PREFIXES):
        return True
    return bool(extra) and line.startswith(extra)


def is_error(line: str) -> bool:
    return line == "ERROR" or line.startswith(ERROR_PREFIXES)


# ---------------------------------------------------------------------------------------- events


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


@dataclasses.dataclass(frozen=True)
class Echo:
    text: str


@dataclasses.dataclass(frozen=True)
class ReplyLine:
    """An information line of the exchange in progress (also in its :class:`Response`)."""

    text: str
    raw: bytes = b""


@dataclasses.dataclass(frozen=True)
class Response:
    response: AtResponse
    raw: bytes = b""


@dataclasses.dataclass(frozen=True)
class Unsolicited:
    text: str
    raw: bytes = b""
    continuation: bool = False
    """The line belongs to the unsolicited code before it (the text of a ``+CMT``)."""


@dataclasses.dataclass(frozen=True)
class StrayFinal:
    text: str


@dataclasses.dataclass(frozen=True)
class DleEvent:
    code: str
    in_data: bool = False


@dataclasses.dataclass(frozen=True)
class VoiceData:
    audio: bytes


@dataclasses.dataclass(frozen=True)
class DataEnd:
    """``<DLE><ETX>``: the modem left voice data mode."""


@dataclasses.dataclass(frozen=True)
class RawData:
    data: bytes


@dataclasses.dataclass(frozen=True)
class Prompt:
    """The ``> `` prompt of ``AT+CMGS``."""


@dataclasses.dataclass(frozen=True)
class Dropped:
    """An overlong line was cut (``length`` bytes at least)."""

    length: int
    head: bytes


Event = Echo | ReplyLine | Response | Unsolicited | StrayFinal | DleEvent | VoiceData | DataEnd | RawData | Prompt | Dropped
DataMode = Literal["voice", "raw"]


@dataclasses.dataclass
class _Exchange:
    command: str
    prefix: str | None
    finals: tuple[str, ...]
    data: DataMode | None
    lines: list[str] = dataclasses.field(default_factory=list)
    echo_seen: bool = False
    body_next: bool = False


class AtProtocol:
    """See the module docstring. ``cid_records``: hex caller-id records may arrive unsolicited."""

    def __init__(self, *, line_cap: int = DEFAULT_LINE_CAP, cid_records: bool = True) -> None:
        self.line_cap = line_cap
        self.cid_records = cid_records
        self._buf = bytearray()
        self._exchange: _Exchange | None = None
        self._mode: Literal["line", "voice", "raw"] = "line"
        self._decoder = DleDecoder()
        self._skip_lf = False
        self._discarding = False
        self._body_of: str | None = None

    # ------------------------------------------------------------------ state
    @property
    def pending(self) -> str | None:
        """The command whose reply is awaited, if any."""
        return self._exchange.command if self._exchange else None

    @property
    def mode(self) -> str:
        return self._mode

    def command(self, cmd: str, *, finals: tuple[str, ...] = (), data: DataMode | None = None) -> bytes:
        """Start an exchange for ``cmd``; returns the bytes to write (``cmd`` + CR)."""
        self.expect(cmd.strip(), prefix=command_prefix(cmd), finals=finals, data=data)
        return cmd.encode("latin-1", "replace") + b"\r"

    def expect(self, label: str, *, prefix: str | None = None, finals: tuple[str, ...] = (),
               data: DataMode | None = None, echo: bool = True) -> None:
        """Await a final result code for something sent raw (``<DLE>!``, an SMS body...)."""
        self._exchange = _Exchange(label, prefix, finals, data, echo_seen=not echo)

    def abandon(self) -> None:
        """The caller gave up waiting (timeout): what comes later is unsolicited or stray."""
        self._exchange = None

    def enter_raw(self) -> None:
        self._mode = "raw"

    def leave_raw(self) -> None:
        """Back to line mode (raw data ended, or voice data the modem will not end itself)."""
        self._mode = "line"
        self._decoder.reset()

    def enter_voice(self) -> None:
        self._decoder.reset()
        self._mode = "voice"

    # ------------------------------------------------------------------ input
    def receive(self, data: bytes) -> list[Event]:
        """Everything ``data`` (and what was left of earlier calls) completes, in order."""
        self._buf += data
        out: list[Event] = []
        while self._buf:
            if self._mode == "raw":
                self._raw(out)
            elif self._mode == "voice":
                self._voice(out)
            elif not self._line(out):
                break
        return out

    def _raw(self, out: list[Event]) -> None:
        if self._skip_lf and self._buf[:1] == b"\n":
            del self._buf[:1]
        self._skip_lf = False
        if self._buf:
            out.append(RawData(bytes(self._buf)))
            self._buf.clear()

    def _voice(self, out: list[Event]) -> None:
        if self._skip_lf and self._buf[:1] == b"\n":
            del self._buf[:1]
        self._skip_lf = False
        chunk = bytes(self._buf)
        self._buf.clear()
        if not chunk:
            return
        d = self._decoder.feed(chunk)
        if d.audio:
            out.append(VoiceData(d.audio))
        for code in d.events:
            if code != "ETX":
                out.append(DleEvent(code, in_data=True))
        if d.rest is not None:
            self._mode = "line"
            self._decoder.reset()
            out.append(DataEnd())
            self._buf += d.rest

    def _line(self, out: list[Event]) -> bool:
        """Take one line (or DLE pair) off the buffer; False when more bytes are needed."""
        buf = self._buf
        if self._skip_lf and buf[:1] == b"\n":
            del buf[:1]
            self._skip_lf = False
            return True
        self._skip_lf = False
        if self._discarding:
            m = re.search(rb"[\r\n\x10]", buf)
            if m is None:
                buf.clear()
                return False
            del buf[: m.start()]
            self._discarding = False
        end = -1
        for i in range(min(len(buf), self.line_cap + 1)):
            if buf[i] in (10, 13, 0x10):
                end = i
                break
        if end < 0:
            return self._incomplete(out)
        if buf[end] == 0x10:
            if end + 1 >= len(buf):
                if end > 0:
                    self._text(bytes(buf[:end]), out)
                    del buf[:end]
                return False
            code = chr(buf[end + 1])
            pre = bytes(buf[:end])
            del buf[: end + 2]
            if pre.strip():
                self._text(pre, out)
            out.append(DleEvent(code))
            return True
        raw = bytes(buf[:end])
        if buf[end] == 13:
            if end + 1 < len(buf):
                del buf[: end + (2 if buf[end + 1] == 10 else 1)]
            else:
                del buf[: end + 1]
                self._skip_lf = True
        else:
            del buf[: end + 1]
        self._text(raw, out)
        return True

    def _incomplete(self, out: list[Event]) -> bool:
        buf = self._buf
        if len(buf) > self.line_cap:
            m = re.search(rb"[\r\n\x10]", buf)
            cut = m.start() if m else len(buf)
            out.append(Dropped(cut, bytes(buf[:80])))
            del buf[:cut]
            self._discarding = m is None
            return bool(buf)
        if bytes(buf) in (b"> ", b">"):
            buf.clear()
            out.append(Prompt())
        return False

    def _text(self, raw: bytes, out: list[Event]) -> None:
        text = decode_line(raw).strip()
        if not text:
            return
        if self._body_of is not None:  # the text of a +CMT: it is the URC's, never a command's reply
            self._body_of = None
            out.append(Unsolicited(text, raw, continuation=True))
            return
        p = self._exchange
        if p is not None:
            ev = self._reply_line(p, text, raw)
            if ev is not None:
                out.append(ev)
                return
        u = text.upper()
        if p is None and (u in BASIC_FINALS or u.startswith(ERROR_PREFIXES)):
            out.append(StrayFinal(text))
            return
        if u.startswith(URC_WITH_BODY) or (p is None and u.startswith(SMS_READ_HEADERS)):
            self._body_of = u.split(":", 1)[0]
        out.append(Unsolicited(text, raw))

    def _reply_line(self, p: _Exchange, text: str, raw: bytes) -> Event | None:
        """The event ``text`` is as part of the exchange in progress, or None if it is unsolicited."""
        if not p.echo_seen and not p.lines and text.upper() == p.command.upper():
            p.echo_seen = True
            return Echo(text)
        # An SMS that reads "OK" is a message, not the end of the reply. (Blank lines are skipped:
        # some modems put one between header and text, so an empty message cannot be told apart.)
        if p.body_next:
            p.body_next = False
            p.lines.append(text)
            return ReplyLine(text, raw)
        if text.upper().startswith(SMS_READ_HEADERS):
            p.body_next = True
            p.lines.append(text)
            return ReplyLine(text, raw)
        if is_final(text, p.finals):
            self._exchange = None
            if p.data is not None and text.startswith("CONNECT"):
                if p.data == "voice":
                    self.enter_voice()
                else:
                    self.enter_raw()
            return Response(AtResponse(p.command, tuple(p.lines), text), raw)
        if p.prefix is not None and text.upper().startswith(p.prefix):
            p.lines.append(text)
            return ReplyLine(text, raw)
        if not is_urc(text, cid_records=self.cid_records):
            p.lines.append(text)
            return ReplyLine(text, raw)
        return None

