"""``permanence capture export``: the capture files of a data directory as one JSONL file."""

from __future__ import annotations

import json
from pathlib import Path

from .formats import FORMAT_NAME, parse_iso
from .writer import capture_files


def export_captures(directory: Path, *, line: str | None = None, since: float | None = None) -> bytes:
    """Every capture file of ``directory`` (one line's if ``line``), oldest first, concatenated.

    Each file keeps its header (it names the line, so an export of several
    lines stays replayable with ``--line``). ``since`` (epoch seconds) drops
    older records and files last written before it. A last line cut by a
    crash is left out."""
    out = bytearray()
    for path in capture_files(directory, line):
        try:
            if since is not None and path.stat().st_mtime < since:
                continue
            raw = path.read_bytes()
        except OSError:
            continue  # rotated away meanwhile
        body = raw.decode("utf-8", "replace")
        complete = body.endswith("\n")
        rows = body.split("\n")
        if not complete:
            rows = rows[:-1]
        for row in rows:
            s = row.strip()
            if not s:
                continue
            if since is not None:
                try:
                    obj = json.loads(s)
                except ValueError:
                    continue
                if not isinstance(obj, dict):
                    continue
                if obj.get("capture") != FORMAT_NAME:
                    try:
                        if parse_iso(str(obj.get("t", ""))) < since:
                            continue
                    except ValueError:
                        continue
            out += s.encode("utf-8") + b"\n"
    return bytes(out)
