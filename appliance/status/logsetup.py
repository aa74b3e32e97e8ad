"""Logging to stderr, which systemd hands to journald, at the level from the config.

Under systemd (``$JOURNAL_STREAM`` set) each line carries a ``<N>`` syslog
priority prefix, which journald turns into the entry's priority (so
``journalctl -p warning -u permanence`` works) and no timestamp (journald adds
its own). Elsewhere lines carry a timestamp and the level name.

Caller-controlled text (caller id names, transcripts) may reach a log message:
the formatter escapes every control character in the message, so a caller
cannot forge log lines or terminal escapes.

>>> escape_control("NAME=Eve\\n<3>forged\\x1b[2J")
'NAME=Eve\\\\n<3>forged\\\\x1b[2J'
"""

from __future__ import annotations

import logging
import os
import sys
import unicodedata
from collections.abc import Mapping
from typing import TextIO

from ..errors import ConfigError

LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")
_SYSLOG_PRIORITY = {logging.DEBUG: 7, logging.INFO: 6, logging.WARNING: 4, logging.ERROR: 3,
                    logging.CRITICAL: 2}
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}
_HANDLER_NAME = "permanence-stderr"


def escape_control(text: str) -> str:
    """Escape control, format (bidi) and line/paragraph separator characters; keep accents."""
    out: list[str] = []
    for ch in text:
        if ch in _NAMED:
            out.append(_NAMED[ch])
        elif unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp"):
            code = ord(ch)
            out.append(f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}")
        else:
            out.append(ch)
    return "".join(out)


class EscapingFormatter(logging.Formatter):
    """Formats a record with its message escaped; optional syslog ``<N>`` prefix."""

    def __init__(self, fmt: str, *, syslog_prefix: bool = False) -> None:
        super().__init__(fmt)
        self.syslog_prefix = syslog_prefix

    def formatMessage(self, record: logging.LogRecord) -> str:
        record.message = escape_control(record.message)
        text = super().formatMessage(record)
        if self.syslog_prefix:
            prio = _SYSLOG_PRIORITY.get(record.levelno, 6)
            text = f"<{prio}>{text}"
        return text

    def format(self, record: logging.LogRecord) -> str:
        cached = record.exc_text  # another handler may have cached an unprefixed traceback
        record.exc_text = None
        try:
            return super().format(record)
        finally:
            record.exc_text = cached

    def formatException(self, ei: object) -> str:
        text = super().formatException(ei)  # type: ignore[arg-type]
        if self.syslog_prefix:  # keep tracebacks in the entry's priority, one journal line each
            return "\n".join(f"<3>{line}" for line in text.splitlines())
        return text


def setup_logging(level: str, *, stream: TextIO | None = None, env: Mapping[str, str] | None = None) -> None:
    """Configure the root logger once (calling again replaces our handler, not others)."""
    lvl = level.upper() if isinstance(level, str) else level
    if lvl not in LEVELS:
        raise ConfigError(f"logging.level: expected one of {', '.join(LEVELS)}, got {level!r}")
    env = os.environ if env is None else env
    journald = bool(env.get("JOURNAL_STREAM"))
    fmt = "%(name)s: %(message)s" if journald else "%(asctime)s %(levelname)s %(name)s: %(message)s"
    handler = logging.StreamHandler(stream if stream is not None else sys.stderr)
    handler.set_name(_HANDLER_NAME)
    handler.setFormatter(EscapingFormatter(fmt, syslog_prefix=journald))
    root = logging.getLogger()
    for h in list(root.handlers):
        if h.get_name() == _HANDLER_NAME:
            root.removeHandler(h)
            h.close()
    root.addHandler(handler)
    root.setLevel(lvl)
