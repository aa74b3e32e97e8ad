"""The records a capture holds, shared by both readers (:mod:`.formats` for our JSONL,
:mod:`.textlog` for pasted logs) and the writer: one module below them, so neither reader
imports the other's module."""

from __future__ import annotations

import dataclasses
from typing import Literal

from ..errors import PermanenceError

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
