"""Capture files in, records out: our JSONL format and pasted plain-text logs.

Our format (documented in ``docs/capture-format.md``) is one JSON object per
line::

    {"capture": "permanence", "version": 1, "line": "gsm1", "t": "2026-11-27T09:14:03.120Z"}
    {"t": "2026-11-27T09:14:03.120Z", "dir": "tx", "data": "AT+CLIP=1\\r"}
    {"t": "2026-11-27T09:14:03.161Z", "dir": "rx", "data": "OK"}
    {"t": "2026-11-27T09:14:09.002Z", "dir": "rx", "b64": "/w=="}
    {"t": "2026-11-27T09:15:10.000Z", "dir": "rx", "audio": 8000, "secs": 1.0}

Plain text is what users paste from forums and journals: one modem line per
line, with ``\\r\\n``, ``\\n``, ``\\r\\r\\n`` or ``\\r`` endings, optionally behind
a journald prefix (``Nov 27 09:14:03 pi permanence[812]: ``), a python
logging prefix (``2026-11-27 09:14:03,120 DEBUG appliance.telephony.at: ``),
a bare or bracketed time, and a direction marker (``rx``/``tx``, ``<-``/``->``,
``<--``/``-->``, ``<<``/``>>``, ``RX:``/``TX:``, ``got:``/``sending:``...). Values
quoted by ``repr`` (``'RING'``, ``b'OK\\r\\n'``) are unquoted; ``<CR>``, ``<LF>``,
``<DLE>``, ``<ETX>`` and ``^M`` notations become bytes. See
:func:`parse_text` for how a direction is chosen when a line has no marker.
"""

from __future__ import annotations

import ast
import base64
import binascii
import dataclasses
import datetime as dt
import json
import re
from pathlib import Path
from typing import Literal

from ..errors import PermanenceError

FORMAT_NAME = "permanence"
FORMAT_VERSION = 1
MAX_FILE_BYTES = 64 * 1024 * 1024
"""Larger files are refused (a capture rotates long before that)."""

Direction = Literal["tx", "rx"]


class CaptureFormatError(PermanenceError, ValueError):
    """A capture file cannot be read at all (missing, too large, not a capture)."""


@dataclasses.dataclass(frozen=True)
class CaptureRecord:
    """One line (or one audio summary) of a modem session.

    ``t``: seconds (epoch for our files; for pasted logs whatever the log's
    clock gives, only differences matter), ``None`` if the log has no times.
    ``direction``: ``"tx"`` box to modem, ``"rx"`` modem to box. ``data``: the
    exact bytes (tx keeps its ``\\r``; rx lines come without line ending).
    ``audio``: for an audio summary, the number of audio bytes (``data`` empty)
    over ``secs`` seconds. ``source``: 1-based line number in the file.
    """

    direction: Direction
    data: bytes = b""
    t: float | None = None
    audio: int = 0
    secs: float = 0.0
    source: int = 0

    @property
    def is_audio(self) -> bool:
        return self.audio > 0

    def text(self) -> str:
        """The data as text (UTF-8, else Latin-1), without line endings."""
        try:
            s = self.data.decode("utf-8")
        except UnicodeDecodeError:
            s = self.data.decode("latin-1")
        return s.strip("\r\n")


@dataclasses.dataclass(frozen=True)
class ParsedCapture:
    """What :func:`parse_bytes` read: the records, the format, and what it skipped."""

    records: tuple[CaptureRecord, ...]
    format: Literal["jsonl", "text", "empty"]
    skipped: int = 0
    line: str = ""
    lines: tuple[str, ...] = ()
    """Every line name the file's headers name (an export of several lines has several)."""


# ---------------------------------------------------------------------------- JSONL
def iso_ms(t: float) -> str:
    """Epoch seconds to ``2026-11-27T09:14:03.120Z``."""
    d = dt.datetime.fromtimestamp(t, dt.UTC)
    return d.strftime("%Y-%m-%dT%H:%M:%S.") + f"{d.microsecond // 1000:03d}Z"


def parse_iso(s: str) -> float:
    """ISO 8601 (``Z`` or offset; naive means UTC) to epoch seconds; ValueError if not."""
    d = dt.datetime.fromisoformat(s.replace("Z", "+00:00"))
    if d.tzinfo is None:
        d = d.replace(tzinfo=dt.UTC)
    return d.timestamp()


def encode_data(data: bytes) -> dict[str, str]:
    """``{"data": text}`` when the bytes are UTF-8 (JSON escapes every control
    byte: ``\\r``, ``\\n``, ``\\u0010``), else ``{"b64": base64}``. Both round-trip exactly."""
    try:
        return {"data": data.decode("utf-8")}
    except UnicodeDecodeError:
        return {"b64": base64.b64encode(data).decode("ascii")}


def header_json(line: str, t: float) -> str:
    return json.dumps({"capture": FORMAT_NAME, "version": FORMAT_VERSION, "line": line, "t": iso_ms(t)})


def record_json(rec: CaptureRecord) -> str:
    """One JSONL line (without newline) for ``rec``."""
    obj: dict[str, object] = {"t": iso_ms(rec.t if rec.t is not None else 0.0), "dir": rec.direction}
    if rec.is_audio:
        obj["audio"] = rec.audio
        obj["secs"] = round(rec.secs, 3)
    else:
        obj.update(encode_data(rec.data))
    return json.dumps(obj)


def _record_from_obj(obj: dict[str, object], source: int) -> CaptureRecord | None:
    d = obj.get("dir")
    if d not in ("tx", "rx"):
        return None
    t: float | None = None
    tv = obj.get("t")
    if isinstance(tv, str):
        try:
            t = parse_iso(tv)
        except ValueError:
            t = None
    elif isinstance(tv, (int, float)) and not isinstance(tv, bool):
        t = float(tv)
    audio = obj.get("audio")
    if isinstance(audio, int) and not isinstance(audio, bool) and audio > 0:
        secs = obj.get("secs")
        return CaptureRecord(d, b"", t, audio=audio,
                             secs=float(secs) if isinstance(secs, (int, float)) else 0.0, source=source)
    if isinstance(obj.get("data"), str):
        try:
            data = str(obj["data"]).encode("utf-8", "surrogatepass")
        except UnicodeError:
            return None
    elif isinstance(obj.get("b64"), str):
        try:
            data = base64.b64decode(str(obj["b64"]), validate=True)
        except (binascii.Error, ValueError):
            return None
    else:
        return None
    return CaptureRecord(d, data, t, source=source)


def parse_jsonl(text: str, line: str | None = None) -> ParsedCapture:
    """Our JSONL format; lines that are not valid records (a line cut by a crash) are skipped.

    A file can hold several files' worth (an export): each header names the
    line its records belong to; ``line`` keeps only that line's records."""
    records: list[CaptureRecord] = []
    skipped = 0
    line_name = ""
    names: list[str] = []
    current = ""
    for n, raw in enumerate(text.splitlines(), 1):
        s = raw.strip()
        if not s:
            continue
        try:
            obj = json.loads(s)
        except ValueError:
            skipped += 1
            continue
        if not isinstance(obj, dict):
            skipped += 1
            continue
        if obj.get("capture") == FORMAT_NAME:
            current = str(obj.get("line", ""))
            if current not in names:
                names.append(current)
            if not line_name:
                line_name = current
            continue
        if line is not None and current != line:
            continue
        rec = _record_from_obj(obj, n)
        if rec is None:
            skipped += 1
        else:
            records.append(rec)
    return ParsedCapture(tuple(records), "jsonl", skipped, line if line is not None else line_name, tuple(names))


# ---------------------------------------------------------------------------- plain text
_MONTHS = {m: i for i, m in enumerate(
    ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), 1)}
_TIME = r"(\d{1,2}):(\d\d):(\d\d)(?:[.,](\d{1,6}))?"
_JOURNAL_RE = re.compile(
    r"^([A-Z][a-z]{2})\s+(\d{1,2})\s+" + _TIME + r"\s+\S+\s+[^\s:\[]+(?:\[\d+\])?:\s?")
_ISO_RE = re.compile(
    r"^\[?(\d{4})-(\d\d)-(\d\d)[ T]" + _TIME + r"(?:\s?(Z|[+-]\d\d:?\d\d))?\]?(?:\s+\S+\s+[^\s:\[]+\[\d+\]:)?\s*")
_BTIME_RE = re.compile(r"^\[?" + _TIME + r"\]?\s+")
_UPTIME_RE = re.compile(r"^\[\s*(\d+(?:\.\d+)?)\]\s*")
_LEVEL_RE = re.compile(
    r"^(?:\[|<)?(DEBUG|INFO|WARNING|WARN|ERROR|CRITICAL|NOTICE|TRACE|debug|info|warn|warning|error)(?:\]|>)?"
    r"(?::|\s+)\s*(?:\[\d+(?:\.\d+)?\]\s*)?(?=\S)")
_LOGGER_RE = re.compile(r"^(?=[^:\s]*[a-z.\[])(?:[A-Za-z_][\w.\-]*(?:\[\d+\])?|\[[\w.\-/ ]+\])(?::\s*|\s+(?=(?:rx|tx)\s))")
_BRACKET_RE = re.compile(r"^\[[\w.\-/ :]+\]\s*(?=\S)")
_BARE_RXTX_RE = re.compile(r"^(rx|tx)\s+(?!DLE\s)([^'\"\s].*)$", re.DOTALL)
_BASIC_RE = re.compile(r"^(?:DEBUG|INFO|WARNING|ERROR|CRITICAL):[\w.\-]+:\s*")
_AT_LOG_RE = re.compile(r"^(?:[\w.\-]+\s+)?(rx|tx)(?:\s+DLE)?\s+(.*)$", re.DOTALL)
_MARKERS: tuple[tuple[re.Pattern[str], Direction], ...] = (
    (re.compile(r"^(?:-->|->|>>|=>)\s*"), "tx"),
    (re.compile(r"^(?:<--|<-|<<|<=)\s*"), "rx"),
    (re.compile(r"^(?:TX|SEND|SENDING|SENT|WRITE|WRITING|OUT|CMD|COMMAND|AT>|REQ|REQUEST)\s*[:>\]]\s*",
                re.IGNORECASE), "tx"),
    (re.compile(r"^(?:RX|RECV|RECEIVED|RECEIVING|GOT|READ|READING|IN|RESP|RESPONSE|REPLY|URC|MODEM)\s*[:<\]]\s*",
                re.IGNORECASE), "rx"),
    (re.compile(r"^>\s+(?=\S)"), "tx"),
    (re.compile(r"^<\s+(?=\S)"), "rx"),
)
_QUOTED_RE = re.compile(r"""^b?(['"]).*\1$""", re.DOTALL)
_NOTATIONS = (
    ("<CR>", "\r"), ("<LF>", "\n"), ("<DLE>", "\x10"), ("<ETX>", "\x03"), ("<SUB>", "\x1a"),
    ("<ESC>", "\x1b"), ("<CTRL-Z>", "\x1a"),
)
_CARET_RE = re.compile(r"\^([MJPZ])(?![A-Za-z0-9])")
_CARET = {"M": "\r", "J": "\n", "P": "\x10", "Z": "\x1a"}
_LINE_SPLIT = re.compile(r"\r*\n|\r")


@dataclasses.dataclass
class _Stamp:
    t: float | None = None


def _frac(s: str | None) -> float:
    return float("0." + s) if s else 0.0


def _strip_prefixes(s: str, stamp: _Stamp) -> tuple[str, bool]:
    """Remove log prefixes; returns (rest, had_prefix) and sets ``stamp.t`` when a time was found."""
    had = False
    for _ in range(4):
        m = _JOURNAL_RE.match(s)
        if m:
            mon = _MONTHS.get(m.group(1).lower(), 1)
            try:
                d0 = dt.datetime(dt.datetime.now(dt.UTC).year, mon, int(m.group(2)), int(m.group(3)),
                                 int(m.group(4)), int(m.group(5)), tzinfo=dt.UTC)
                stamp.t = d0.timestamp() + _frac(m.group(6))
            except ValueError:
                stamp.t = None
            s, had = s[m.end():], True
            continue
        m = _ISO_RE.match(s)
        if m:
            try:
                d = dt.datetime(int(m.group(1)), int(m.group(2)), int(m.group(3)), int(m.group(4)),
                                int(m.group(5)), int(m.group(6)), tzinfo=dt.UTC)
                stamp.t = d.timestamp() + _frac(m.group(7))
            except ValueError:
                pass
            s, had = s[m.end():], True
            continue
        m = _UPTIME_RE.match(s)
        if m:
            stamp.t = float(m.group(1))
            s, had = s[m.end():], True
            continue
        m = _BTIME_RE.match(s)
        if m:
            stamp.t = int(m.group(1)) * 3600 + int(m.group(2)) * 60 + int(m.group(3)) + _frac(m.group(4))
            s, had = s[m.end():], True
            continue
        m = _LEVEL_RE.match(s)
        if m and had:
            s = s[m.end():]
            continue
        m = _BRACKET_RE.match(s)
        if m and had:
            s = s[m.end():]
            continue
        m = _LOGGER_RE.match(s)
        if m and had and not s.upper().startswith(("AT", "RING", "NMBR", "DATE", "TIME", "NAME", "+")):
            s = s[m.end():]
            continue
        break
    return s, had


def _unquote(s: str) -> str:
    if len(s) >= 2 and _QUOTED_RE.match(s):
        try:
            v = ast.literal_eval(s)
        except (ValueError, SyntaxError, MemoryError, RecursionError):
            return s
        if isinstance(v, bytes):
            return v.decode("utf-8", "surrogateescape")
        if isinstance(v, str):
            return v
    return s


def _notations(s: str) -> str:
    if "<" in s:
        for k, v in _NOTATIONS:
            if k in s:
                s = s.replace(k, v)
    if "^" in s:
        s = _CARET_RE.sub(lambda m: _CARET[m.group(1)], s)
    return s


def _marker(s: str) -> tuple[Direction | None, str]:
    d, rest = _marker1(s)
    if d is None:
        m = _BRACKET_RE.match(s) or _BASIC_RE.match(s)  # "[dongle0] got: ...", "DEBUG:root:rx ..."
        if m:
            d2, rest2 = _marker1(s[m.end():])
            if d2 is not None:
                return d2, rest2
    return d, rest


def _marker1(s: str) -> tuple[Direction | None, str]:
    m = _BARE_RXTX_RE.match(s)
    if m:
        return ("tx" if m.group(1) == "tx" else "rx"), m.group(2)
    m = _AT_LOG_RE.match(s)
    if m and (m.group(2).startswith(("'", '"', "b'", 'b"'))):
        d: Direction = "tx" if m.group(1) == "tx" else "rx"
        if m.group(0)[m.end(1):m.start(2)].strip() == "DLE":  # at.py logs events as: rx DLE 'b'
            return d, "<DLE>" + _unquote(m.group(2).strip())
        return d, m.group(2)
    for rx_, d in _MARKERS:
        m2 = rx_.match(s)
        if m2:
            return d, s[m2.end():]
    return None, s


def _guess(text: str) -> Direction:
    """Unmarked line: commands (``AT...``, ``A/``) and the box's ``<DLE>!``/``<DLE>^``/``<DLE><CAN>`` are tx."""
    if text[:2].upper() in ("AT", "A/") or text in ("\x10!", "\x10^", "\x10\x18"):
        return "tx"
    return "rx"


def parse_text(text: str) -> ParsedCapture:
    """Pasted logs: strip prefixes, find direction markers, split embedded CR/LF.

    Direction: a marker (``rx``/``tx``, arrows, ``RX:``...) decides. If the log
    has markers on some lines, lines that carry a log prefix but no marker are
    other log output and are skipped. Without markers (a bare terminal paste),
    a line starting with ``AT`` (or ``A/``) is a command from the box, anything
    else comes from the modem. Tx records get a trailing ``\\r``.
    """
    lines = _LINE_SPLIT.split(text)
    parsed: list[tuple[int, float | None, Direction | None, str, bool]] = []
    any_marker = False
    for n, raw in enumerate(lines, 1):
        if not raw.strip():
            continue
        stamp = _Stamp()
        s, had = _strip_prefixes(raw.strip(), stamp)
        d, s = _marker(s.strip())
        if d is not None:
            any_marker = True
        s = _notations(_unquote(s.strip()))
        parsed.append((n, stamp.t, d, s, had))
    records: list[CaptureRecord] = []
    skipped = 0
    for n, t, d, s, had in parsed:
        if d is None and any_marker and had:
            skipped += 1
            continue
        for piece in _LINE_SPLIT.split(s):
            piece = piece.strip(" \t")
            if not piece:
                continue
            direction = d or _guess(piece)
            data = piece.encode("utf-8", "surrogateescape")
            if direction == "tx" and not data.endswith((b"\r", b"\x1a")) and not (
                    len(data) == 2 and data[:1] == b"\x10"):
                data += b"\r"
            records.append(CaptureRecord(direction, data, t, source=n))
    return ParsedCapture(tuple(records), "text" if records or skipped else "empty", skipped)


# ---------------------------------------------------------------------------- entry points
def _looks_jsonl(text: str) -> bool:
    for raw in text.splitlines():
        s = raw.strip()
        if not s:
            continue
        if not s.startswith("{"):
            return False
        try:
            obj = json.loads(s)
        except ValueError:
            return False
        return isinstance(obj, dict) and (obj.get("capture") == FORMAT_NAME or obj.get("dir") in ("tx", "rx"))
    return False


def parse_bytes(raw: bytes, line: str | None = None) -> ParsedCapture:
    """Any capture: our JSONL if the first non-blank line is one of its objects, else plain text.

    ``line``: keep only that line's records (JSONL exports of several lines)."""
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    text = raw.decode("utf-8", "surrogateescape")
    if not text.strip():
        return ParsedCapture((), "empty")
    if _looks_jsonl(text):
        return parse_jsonl(text, line)
    return parse_text(text)


def load(path: str | Path, line: str | None = None) -> ParsedCapture:
    """Read a capture file (ours or a pasted log); :class:`CaptureFormatError` if unreadable."""
    p = Path(path)
    try:
        size = p.stat().st_size
        if size > MAX_FILE_BYTES:
            raise CaptureFormatError(f"{p}: {size} bytes is larger than the {MAX_FILE_BYTES} bytes a capture "
                                     "can be; cut the part around the call you want to replay")
        raw = p.read_bytes()
    except FileNotFoundError as e:
        raise CaptureFormatError(f"{p}: no such capture file; give the path of a .jsonl capture "
                                 "(permanence capture export) or of a pasted log") from e
    except IsADirectoryError as e:
        raise CaptureFormatError(f"{p}: is a directory; give one capture file") from e
    except OSError as e:
        raise CaptureFormatError(f"{p}: cannot read the capture: {e}") from e
    return parse_bytes(raw, line)
