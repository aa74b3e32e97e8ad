"""Capture files in, records out: our JSONL format and pasted plain-text logs.

Our format (documented in ``docs/capture-format.md``) is one JSON object per
line::

    {"capture": "permanence", "version": 1, "line": "gsm1", "t": "2026-11-27T09:14:03.120Z"}
    {"t": "2026-11-27T09:14:03.120Z", "dir": "tx", "data": "AT+CLIP=1\\r"}
    {"t": "2026-11-27T09:14:03.161Z", "dir": "rx", "data": "OK"}
    {"t": "2026-11-27T09:14:09.002Z", "dir": "rx", "b64": "/w=="}
    {"t": "2026-11-27T09:15:10.000Z", "dir": "rx", "audio": 8000, "secs": 1.0}

Plain text is what users paste from forums and journals; :mod:`.textlog` reads it
(:func:`parse_bytes` picks the reader: ours if the first non-blank line is one of
our JSON objects).
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
from pathlib import Path

from .records import CaptureFormatError, CaptureRecord, Direction, ParsedCapture
from .textlog import parse_text

__all__ = ["CaptureFormatError", "CaptureRecord", "Direction", "ParsedCapture", "load", "parse_bytes",
           "parse_jsonl"]

FORMAT_NAME = "permanence"
FORMAT_VERSION = 1
MAX_FILE_BYTES = 64 * 1024 * 1024
"""Larger files are refused (a capture rotates long before that)."""

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
