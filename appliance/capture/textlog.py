"""Pasted plain-text logs to capture records.

Users paste what they have: a terminal session, ``journalctl`` output, a python
log, ModemManager or mgetty debug logs, an Arduino serial monitor, gammu's
debug log... :func:`parse_text` finds the modem lines in it:

* one modem line per line, any line ending (``\\r\\n``, ``\\n``, ``\\r\\r\\n``, ``\\r``);
* log prefixes removed (journald, ISO and python-logging times, bare, bracketed
  and mgetty ``MM/DD HH:MM:SS tag`` times, levels, logger names, ``[tags]``),
  their times kept;
* direction markers (``rx``/``tx``, ``<-``/``->``, ``<<``/``>>``, ``RX:``/``TX:``,
  ``got:``/``send:``, ``Snd:``/``Rcv:``...);
* values quoted by ``repr`` unquoted; ``<CR>``, ``<LF>``, ``<DLE>``, ``^M``,
  ``[0d]`` (mgetty), ``\\r``/``\\n``/``\\x10`` escapes, ``␍␊`` become bytes, and a
  chunk holding several lines is split.
"""

from __future__ import annotations

import ast
import dataclasses
import datetime as dt
import html
import re
from collections.abc import Callable

from .records import CaptureRecord, Direction, ParsedCapture

_MONTHS = {m: i for i, m in enumerate(
    ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), 1)}
_TIME = r"(\d{1,2}):(\d\d):(\d\d)(?:[.,](\d{1,6}))?"
_JOURNAL_RE = re.compile(
    r"^([A-Z][a-z]{2})\s+(\d{1,2})\s+" + _TIME + r"\s+\S+\s+[^\s:\[]+(?:\[\d+\])?:\s?")
_ISO_RE = re.compile(
    r"^\[?(\d{4})-(\d\d)-(\d\d)[ T]" + _TIME + r"(?:\s?(Z|[+-]\d\d:?\d\d))?\]?(?:\s+\S+\s+[^\s:\[]+\[\d+\]:)?\s*")
_DMY_RE = re.compile(r"^\[?(\d{1,4})[./](\d{1,2})[./](\d{1,4})[ ,T]+" + _TIME + r"(?:\s?([AaPp][Mm]))?\]?:?\s+")
_EPOCH_RE = re.compile(r"^\[?(1\d{9}(?:\.\d+)?)\]?:?\s+")
_SYSLOG_RE = re.compile(r"^<\d{1,3}>(?=\S)")
_BTIME_RE = re.compile(r"^\[?" + _TIME + r"\]?\s+")
_UPTIME_RE = re.compile(r"^\[\s*(\d+(?:\.\d+)?)\]\s*")
_LEVEL_RE = re.compile(
    r"^(?:\[|<)?(DEBUG|INFO|WARNING|WARN|ERROR|CRITICAL|NOTICE|TRACE|debug|info|warn|warning|error|dbg|msg|err|inf|wrn)(?:\]|>)?"
    r"(?::|\s+)\s*(?:\[\d+(?:\.\d+)?\]\s*)?(?=\S)")
_LOGGER_RE = re.compile(r"^(?=[^:\s]*[a-z.\[])(?:[A-Za-z_][\w.\-]*(?:\[\d+\])?|\[[\w.\-/ ]+\])(?::\s*|\s+(?=(?:rx|tx)\s))")
_BRACKET_RE = re.compile(r"^\[[\w.\-/ :]+\]\s*(?=\S)")
_BARE_RXTX_RE = re.compile(r"^(rx|tx)\s+(?!DLE\s)([^'\"\s].*)$", re.DOTALL)
_BASIC_RE = re.compile(r"^(?:DEBUG|INFO|WARNING|ERROR|CRITICAL):[\w.\-]+:\s*")
_AT_LOG_RE = re.compile(r"^(?:[\w.\-]+\s+)?(rx|tx)(?:\s+DLE)?\s+(.*)$", re.DOTALL)
_MARKERS: tuple[tuple[re.Pattern[str], Direction], ...] = (
    (re.compile(r"^(?:-->|->|>>|=>)\s*"), "tx"),
    (re.compile(r"^(?:<--|<-|<<|<=)\s*"), "rx"),
    (re.compile(r"^(?:TX|SEND|SENDING|SENT|SND|MDM_SEND|WRITE|WRITING|OUT|CMD|COMMAND|AT>|REQ|REQUEST)\s*[:>\]]\s*",
                re.IGNORECASE), "tx"),
    (re.compile(r"^(?:RX|RECV|RCV|RECEIVED|RECEIVING|GOT|READ|READING|IN|RESP|RESPONSE|REPLY|URC|MODEM)\s*[:<\]]\s*",
                re.IGNORECASE), "rx"),
    (re.compile(r"^>\s+(?=\S)"), "tx"),
    (re.compile(r"^<\s+(?=\S)"), "rx"),
)
_QUOTED_RE = re.compile(r"""^b?(['"]).*\1$""", re.DOTALL)
_NOTATIONS = (
    ("<CR>", "\r"), ("<LF>", "\n"), ("<DLE>", "\x10"), ("<ETX>", "\x03"), ("<SUB>", "\x1a"),
    ("<ESC>", "\x1b"), ("<CTRL-Z>", "\x1a"), ("\u240d", "\r"), ("\u240a", "\n"),
)
_HEXBYTE_RE = re.compile(r"\[([0-9a-fA-F]{2})\]")  # mgetty: [0d][0a]RING
_ESCAPE_RE = re.compile(r"\\(?:x([0-9a-fA-F]{2})|([rn]))")  # a literal \r\n or \x10 in an unquoted value
_MGETTY_RE = re.compile(r"^(\d\d)/(\d\d) " + _TIME + r" \S+\s+")
_ASTERISK_RE = re.compile(r"^\[([A-Z][a-z]{2})\s+(\d{1,2})\s+" + _TIME
                          + r"\]\s+\w+\[\d+\](?:\[[^\]]*\])?:\s*(?:[\w.\-]+:\d+\s+\w+:\s*)?")
_ARDUINO_RE = re.compile(r"^" + _TIME + r" -> ")  # Arduino serial monitor: everything shown is received text
_GAMMU_RE = re.compile(r'^\d+ "(.*)"\s*$')  # gammu debug log: 1 "AT+CGMI", 2 "OK"
_DONGLE_RE = re.compile(r"\[\d+;\d+\]\s*\[(.*?)\]?\s*$")  # chan_dongle: ... [dongle0] [1;4] [RING
_INLINE_RX_RE = re.compile(r"\b(?:read|received|got|recv)\s*:\s*(\S.*)$", re.IGNORECASE)
_IGNORE_RE = re.compile(r"^(?:#(?:\s|$)|=~=~=~|\]\s*$|\.\.\.(?:\s|$))")  # PuTTY log header, chan_dongle's closing ], REPL continuation
_REPL_WRITE_RE = re.compile(r"^>>>\s.*\.write\((b?(['\"]).*\2)\)")
_CARET_RE = re.compile(r"\^([MJPZ])(?![A-Za-z0-9])")
_CARET = {"M": "\r", "J": "\n", "P": "\x10", "Z": "\x1a"}
_LINE_SPLIT = re.compile(r"\r*\n|\r")


@dataclasses.dataclass
class _Stamp:
    t: float | None = None


def _frac(s: str | None) -> float:
    return float("0." + s) if s else 0.0


def _no_time(m: re.Match[str], stamp: _Stamp) -> None:
    return None


def _journal_time(m: re.Match[str], stamp: _Stamp) -> None:
    """``Nov 27 09:14:03 host tag[pid]:`` (this year, UTC); an impossible date forgets the time."""
    mon = _MONTHS.get(m.group(1).lower(), 1)
    try:
        d0 = dt.datetime(dt.datetime.now(dt.UTC).year, mon, int(m.group(2)), int(m.group(3)),
                         int(m.group(4)), int(m.group(5)), tzinfo=dt.UTC)
        stamp.t = d0.timestamp() + _frac(m.group(6))
    except ValueError:
        stamp.t = None


def _iso_time(m: re.Match[str], stamp: _Stamp) -> None:
    """``2026-11-27 09:14:03.123`` (UTC); an impossible date keeps the previous time."""
    try:
        d = dt.datetime(int(m.group(1)), int(m.group(2)), int(m.group(3)), int(m.group(4)),
                        int(m.group(5)), int(m.group(6)), tzinfo=dt.UTC)
        stamp.t = d.timestamp() + _frac(m.group(7))
    except ValueError:
        pass


def _dmy_time(m: re.Match[str], stamp: _Stamp) -> None:
    """27.11.2026 09:14:03, 2026/11/27 09:14:03, 11/27/2026 9:14:03 AM (a day count, not a calendar date)."""
    a, b, c = int(m.group(1)), int(m.group(2)), int(m.group(3))
    day = (a * 400 + b * 31 + c) if a > 31 else (c * 400 + b * 31 + a) if b <= 12 else (c * 400 + a * 31 + b)
    hour = int(m.group(4)) % 12 + (12 if (m.group(8) or "").lower() == "pm" else 0) if m.group(8) else int(
        m.group(4))
    stamp.t = day * 86400 + hour * 3600 + int(m.group(5)) * 60 + int(m.group(6)) + _frac(m.group(7))


def _seconds_time(m: re.Match[str], stamp: _Stamp) -> None:
    stamp.t = float(m.group(1))


def _clock_time(m: re.Match[str], stamp: _Stamp) -> None:
    stamp.t = int(m.group(1)) * 3600 + int(m.group(2)) * 60 + int(m.group(3)) + _frac(m.group(4))


# Prefixes that open a log line, tried in this order; each reads its time (if any) into the stamp.
_TIME_PREFIXES: tuple[tuple[re.Pattern[str], Callable[[re.Match[str], _Stamp], None]], ...] = (
    (_SYSLOG_RE, _no_time),  # our own stderr under systemd: <7>appliance.telephony...
    (_JOURNAL_RE, _journal_time),
    (_ISO_RE, _iso_time),
    (_DMY_RE, _dmy_time),
    (_EPOCH_RE, _seconds_time),
    (_UPTIME_RE, _seconds_time),
    (_BTIME_RE, _clock_time),
)
_MODEM_STARTS = ("AT", "RING", "NMBR", "DATE", "TIME", "NAME", "+")


def _time_prefix(s: str, stamp: _Stamp) -> re.Match[str] | None:
    """The time prefix ``s`` starts with (its time read into ``stamp``), else None."""
    for rx, read_time in _TIME_PREFIXES:
        m = rx.match(s)
        if m:
            read_time(m, stamp)
            return m
    return None


def _field_prefix(s: str) -> re.Match[str] | None:
    """What follows a time prefix: a level, a ``[field]``, or a logger name (not a modem line's start)."""
    m = _LEVEL_RE.match(s) or _BRACKET_RE.match(s)
    if m:
        return m
    m = _LOGGER_RE.match(s)
    if m and not s.upper().startswith(_MODEM_STARTS):
        return m
    return None


def _strip_prefixes(s: str, stamp: _Stamp) -> tuple[str, bool]:
    """Remove log prefixes; returns (rest, had_prefix) and sets ``stamp.t`` when a time was found."""
    had = False
    for _ in range(5):
        m = _time_prefix(s, stamp)
        if m:
            s, had = s[m.end():], True
            continue
        m = _field_prefix(s) if had else None
        if not m:
            break
        s = s[m.end():]
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
    if "[" in s:
        s = _HEXBYTE_RE.sub(lambda m: chr(int(m.group(1), 16)), s)
    if "\\" in s:
        s = _ESCAPE_RE.sub(lambda m: chr(int(m.group(1), 16)) if m.group(1) else "\r" if m.group(2) == "r"
                           else "\n", s)
    if "<" in s or "\u240d" in s or "\u240a" in s:
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
        m = _INLINE_RX_RE.search(s)  # "Serial device 4 read: RING"
        if m and not s.upper().startswith(("+", "AT")):
            return "rx", m.group(1)
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


def _special(line: str, stamp: _Stamp) -> tuple[Direction | None, str | None, bool]:
    """Log styles recognised as a whole: (direction, content, had_prefix); content None if none."""
    m = _ARDUINO_RE.match(line)
    if m:
        stamp.t = int(m.group(1)) * 3600 + int(m.group(2)) * 60 + int(m.group(3)) + _frac(m.group(4))
        return None, line[m.end():], False
    m = _MGETTY_RE.match(line)
    if m:
        stamp.t = ((int(m.group(1)) * 31 + int(m.group(2))) * 86400 + int(m.group(3)) * 3600
                   + int(m.group(4)) * 60 + int(m.group(5)) + _frac(m.group(6)))
        rest = line[m.end():].strip()
        d, rest = _marker(rest)
        return d, rest, True
    m = _GAMMU_RE.match(line)
    if m:
        return None, m.group(1), False
    m = _REPL_WRITE_RE.match(line)
    if m:
        return "tx", m.group(1), True
    if line.startswith(">>>"):
        return None, "", True  # other python REPL input: not a modem line
    m = _ASTERISK_RE.match(line)
    if m:  # Asterisk (chan_dongle): [Nov 27 09:14:03] DEBUG[1234]: file.c:224 function: ...
        stamp.t = ((_MONTHS.get(m.group(1).lower(), 1) * 31 + int(m.group(2))) * 86400 + int(m.group(3)) * 3600
                   + int(m.group(4)) * 60 + int(m.group(5)) + _frac(m.group(6)))
        rest = line[m.end():]
        m2 = _DONGLE_RE.search(rest)
        if m2:
            return "rx", m2.group(1), True
        d, rest = _marker(rest)
        return d, rest, True
    m = _DONGLE_RE.search(line)
    if m:
        return "rx", m.group(1), True
    return None, None, False


_BR_RE = re.compile(r"<br\s*/?>", re.IGNORECASE)
_ANSI_RE = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
_ENTITY_RE = re.compile(r"&(?:quot|amp|lt|gt|nbsp|#\d{2,3}|#x[0-9a-fA-F]{2});")
_TYPO = str.maketrans({"\u201c": '"', "\u201d": '"', "\u201e": '"', "\u2033": '"', "\u00ab": '"', "\u00bb": '"',
                       "\u2018": "'", "\u2019": "'", "\u00a0": " ", "\u202f": " ", "\u200b": None,
                       "\ufeff": None})


def clean_pasted(line: str) -> str:
    """Undo what forums and terminals do to a pasted line: colour codes, HTML entities,
    typographic quotes (“0612345678”), non-breaking and zero-width spaces."""
    if "\x1b" in line:
        line = _ANSI_RE.sub("", line)
    if "&" in line and _ENTITY_RE.search(line):
        line = html.unescape(line)
    return line.translate(_TYPO)


def parse_text(text: str) -> ParsedCapture:
    """Pasted logs: strip prefixes, find direction markers, split embedded CR/LF.

    Direction: a marker (``rx``/``tx``, arrows, ``RX:``...) decides. If the log
    has markers on some lines, lines that carry a log prefix but no marker are
    other log output and are skipped. Without markers (a bare terminal paste),
    a line starting with ``AT`` (or ``A/``) is a command from the box, anything
    else comes from the modem. Tx records get a trailing ``\\r``.
    """
    if "<" in text:
        text = _BR_RE.sub("\n", text)  # a log copied out of a web page
    lines = _LINE_SPLIT.split(text)
    parsed: list[tuple[int, float | None, Direction | None, str, bool]] = []
    any_marker = False
    repl = any(ln.startswith(">>> ") for ln in lines[:2000])  # a python session: data is in the literals
    for n, raw in enumerate(lines, 1):
        raw = clean_pasted(raw)
        if not raw.strip() or _IGNORE_RE.match(raw.strip()):
            continue
        if repl and not raw.startswith(">>>") and not _QUOTED_RE.match(raw.strip()):
            continue  # the REPL's other output (return values)
        stamp = _Stamp()
        d, s, had = _special(raw.strip(), stamp)
        if s is None:
            s, had = _strip_prefixes(raw.strip(), stamp)
            d, s = _marker(s.strip())
        if d is not None:
            any_marker = True
        s = _notations(_unquote(s.strip()))
        if s.endswith("** found **"):
            s = s[: -len("** found **")].rstrip()
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
