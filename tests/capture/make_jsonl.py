"""Write the JSONL form of every text capture in ``data/`` with the real :class:`CaptureWriter`.

    PYTHONPATH=. .venv/bin/python tests/capture/make_jsonl.py

Each pasted log (``data/*.log``, ``data/quirks/*.log``) is parsed, and its
records are fed to a CaptureWriter whose clock follows the log's own times
(or, for an untimed log, 3 s before a ring and 0.2 s between other lines), so
``data/jsonl/<name>.jsonl`` is exactly what the box would have recorded.
``test_formats.py`` checks that the committed files still equal this output.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent.parent))

from appliance.capture.formats import CaptureRecord, parse_bytes  # noqa: E402
from appliance.capture.writer import CaptureWriter, capture_files  # noqa: E402

BASE = 1795770000.0  # 2026-11-27T09:00:00Z
DATA = HERE / "data"
OUT = DATA / "jsonl"


def text_logs() -> list[Path]:
    return sorted(DATA.glob("*.log")) + sorted((DATA / "quirks").glob("*.log"))


def synthetic_times(records: tuple[CaptureRecord, ...]) -> list[float]:
    times: list[float] = []
    first = next((r.t for r in records if r.t is not None), None)
    now = BASE
    for r in records:
        if r.t is not None and first is not None:
            now = max(now, BASE + (r.t - first))
        elif times:
            now += 3.0 if r.data.upper().startswith((b"RING", b"+CRING")) else 0.2
        times.append(now)
    return times


def jsonl_for(log: Path) -> bytes:
    parsed = parse_bytes(log.read_bytes())
    times = synthetic_times(parsed.records)
    clock_now = [BASE]
    with tempfile.TemporaryDirectory() as tmp:
        w = CaptureWriter(Path(tmp), "line1", max_bytes=50_000_000, days=3650, clock=lambda: clock_now[0])
        for rec, t in zip(parsed.records, times, strict=True):
            clock_now[0] = t
            w.record(rec.direction, rec.data)
        w.close()
        files = capture_files(Path(tmp), "line1")
        return b"".join(f.read_bytes() for f in files)


def main() -> int:
    OUT.mkdir(exist_ok=True)
    for log in text_logs():
        (OUT / (log.stem + ".jsonl")).write_bytes(jsonl_for(log))
    print(f"{len(text_logs())} JSONL captures written to {OUT}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
