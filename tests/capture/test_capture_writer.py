"""The capture writer: one JSONL line per modem line, audio summarised, rotation by size and age."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from appliance.capture.formats import load, parse_jsonl
from appliance.capture.writer import CaptureWriter, capture_files, looks_like_audio


class Clock:
    def __init__(self, t: float = 1795770000.0) -> None:
        self.t = t

    def __call__(self) -> float:
        return self.t


def lines(path: Path) -> list[dict[str, object]]:
    return [json.loads(x) for x in path.read_text().splitlines()]


def test_records_exact_bytes_and_direction(tmp_path: Path) -> None:
    clock = Clock()
    w = CaptureWriter(tmp_path, "gsm1", max_bytes=100_000, days=7, clock=clock)
    w.record("tx", b"AT+CLIP=1\r")
    clock.t += 0.05
    w.record("rx", b"OK")
    w.record("rx", "NAME=Sébastien".encode())
    w.record("rx", b"NAME=S\xe9b")  # Latin-1 from an old modem: base64
    w.record("rx", b"\x10b")
    w.close()
    assert w.path is not None and w.path.name == "gsm1.20261127T090000Z.jsonl"
    rows = lines(w.path)
    assert rows[0] == {"capture": "permanence", "version": 1, "line": "gsm1", "t": "2026-11-27T09:00:00.000Z"}
    assert rows[1] == {"t": "2026-11-27T09:00:00.000Z", "dir": "tx", "data": "AT+CLIP=1\r"}
    assert rows[2]["t"] == "2026-11-27T09:00:00.050Z"
    assert "b64" in rows[4]
    assert '"\\u0010b"' in w.path.read_text()
    back = load(w.path).records
    assert [r.data for r in back] == [b"AT+CLIP=1\r", b"OK", "NAME=Sébastien".encode(), b"NAME=S\xe9b", b"\x10b"]


def test_voice_data_is_summarised_and_dle_events_kept(tmp_path: Path) -> None:
    clock = Clock()
    w = CaptureWriter(tmp_path, "fixe", max_bytes=100_000, days=7, clock=clock)
    w.record("tx", b"AT+VRX\r")
    w.record("rx", b"CONNECT")
    for i in range(100):  # 2.5 s of 8-bit audio in 20 ms chunks, a DTMF event split across two reads
        clock.t += 0.025
        chunk = bytes([0x80 + (i % 5)] * 200)
        if i == 40:
            chunk += b"\x10"
        if i == 41:
            chunk = b"5" + chunk
        w.record("rx", chunk)
    w.record("tx", b"\x10!")
    w.record("rx", bytes([0x7F] * 50) + b"\x10\x03\r\nOK\r\n")  # end of the stream; OK comes again as a line
    w.record("rx", b"OK")
    w.close()
    rows = lines(w.path)  # type: ignore[arg-type]
    audio = [r for r in rows if "audio" in r]
    assert sum(int(r["audio"]) for r in audio) == 100 * 200 + 50  # type: ignore[call-overload]
    assert 3 <= len(audio) <= 5  # one summary per second of a burst, never the samples
    assert all(float(r["secs"]) <= 1.0 for r in audio)  # type: ignore[arg-type]
    data = [r.get("data") for r in rows if "data" in r]
    assert data == ["AT+VRX\r", "CONNECT", "\x105", "\x10!", "\x10\x03", "OK"]
    assert w.path is not None and w.path.stat().st_size < 2_000


def test_audio_on_its_own_port(tmp_path: Path) -> None:
    clock = Clock()
    w = CaptureWriter(tmp_path, "gsm1", max_bytes=100_000, days=7, clock=clock)
    for _ in range(150):
        clock.t += 0.02
        w.audio("rx", 320)
        w.audio("tx", 320)
    w.record("rx", b"NO CARRIER")
    w.close()
    recs = load(w.path).records  # type: ignore[arg-type]
    assert sum(r.audio for r in recs if r.direction == "rx") == 150 * 320
    assert sum(r.audio for r in recs if r.direction == "tx") == 150 * 320
    assert recs[-1].data == b"NO CARRIER"


@pytest.mark.parametrize(("data", "audio"), [
    (b"RING", False), (b"AT+VTX\r", False), (b"\x10b", False), (b'+CLIP: "061",129', False),
    ("NAME=Él".encode(), False), (bytes([0x80] * 160), True), (bytes(320), True),
    (bytes([0xFF, 0x7F] * 80), True), (bytes(range(256)), True),
])
def test_audio_heuristic(data: bytes, audio: bool) -> None:
    assert looks_like_audio(data) is audio


def test_rotation_by_size_keeps_total_under_max(tmp_path: Path) -> None:
    clock = Clock()
    w = CaptureWriter(tmp_path, "gsm1", max_bytes=20_000, days=7, clock=clock)
    for i in range(3000):
        clock.t += 1
        w.record("rx", f'+CLIP: "06123456{i % 100:02d}",129,"",0,"",0'.encode())
        total = sum(p.stat().st_size for p in capture_files(tmp_path, "gsm1"))
        assert total <= 20_000 + 200
    w.close()
    files = capture_files(tmp_path, "gsm1")
    assert 3 <= len(files) <= 5
    last = parse_jsonl(files[-1].read_text()).records
    assert last[-1].data == b'+CLIP: "0612345699",129,"",0,"",0'  # newest kept, oldest deleted


def test_rotation_by_age_and_day(tmp_path: Path) -> None:
    clock = Clock()
    other = tmp_path / "fixe.20261101T000000Z.jsonl"  # another line's file is never touched
    other.write_text("{}\n")
    w = CaptureWriter(tmp_path, "gsm1", max_bytes=1_000_000, days=2, clock=clock)
    w.record("rx", b"RING")
    first = w.path
    assert first is not None
    os.utime(first, (clock.t - 3 * 86400, clock.t - 3 * 86400))  # as if written three days ago
    clock.t += 86400  # next UTC day: new file, and the old one is past `days`
    w.record("rx", b"RING")
    w.close()
    assert w.path != first
    assert not first.exists()
    assert other.exists()
    assert [p.name for p in capture_files(tmp_path, "gsm1")] == ["gsm1.20261128T090000Z.jsonl"]


def test_disk_error_never_reaches_the_modem_reader(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    blocker = tmp_path / "captures"
    blocker.write_text("a file where the directory should be")
    w = CaptureWriter(blocker, "gsm1", max_bytes=100_000, days=7)
    w.record("rx", b"RING")  # must not raise
    w.record("rx", b"RING")
    w.close()
    assert sum("cannot record" in r.getMessage() for r in caplog.records) == 1  # logged once


def test_thread_safe_and_closed_writer_ignores_records(tmp_path: Path) -> None:
    w = CaptureWriter(tmp_path, "gsm1", max_bytes=10_000_000, days=7)

    def burst(d: str) -> None:
        for i in range(500):
            w.record(d, f"{d} line {i}".encode())

    threads = [threading.Thread(target=burst, args=(d,)) for d in ("tx", "rx", "tx", "rx")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    w.close()
    w.record("rx", b"after close")
    p = load(w.path)  # type: ignore[arg-type]
    assert len(p.records) == 2000 and p.skipped == 0


def test_a_crash_loses_at_most_the_line_being_written(tmp_path: Path) -> None:
    code = (
        "import sys, os\n"
        "from pathlib import Path\n"
        "from appliance.capture.writer import CaptureWriter\n"
        "w = CaptureWriter(Path(sys.argv[1]), 'gsm1', max_bytes=1_000_000, days=7)\n"
        "for i in range(200):\n"
        "    w.record('rx', b'RING %d' % i)\n"
        "os._exit(9)\n"  # no close, no flush at exit: like kill -9
    )
    env = dict(os.environ, PYTHONPATH=str(Path(__file__).resolve().parents[2]))
    subprocess.run([sys.executable, "-c", code, str(tmp_path)], env=env, check=False, timeout=60)
    files = capture_files(tmp_path, "gsm1")
    recs = load(files[0]).records
    assert [r.data for r in recs] == [b"RING %d" % i for i in range(200)]


def test_records_are_timestamped_when_written(tmp_path: Path) -> None:
    w = CaptureWriter(tmp_path, "gsm1", max_bytes=100_000, days=7)
    before = time.time()
    w.record("rx", b"RING")
    w.close()
    t = load(w.path).records[0].t  # type: ignore[arg-type]
    assert t is not None and before - 0.01 <= t <= time.time() + 0.01


def test_open_writer_follows_the_configuration(tmp_path: Path) -> None:
    from appliance.capture.writer import open_writer
    from appliance.config import CaptureConfig

    assert open_writer(tmp_path, "gsm1", CaptureConfig(enabled=False)) is None
    w = open_writer(tmp_path, "gsm1", CaptureConfig(max_bytes=40_000, days=3))
    assert w is not None and (w.max_bytes, w.days) == (40_000, 3)
    w.record("rx", b"RING")
    w.close()
    assert [p.parent.name for p in capture_files(tmp_path / "captures", "gsm1")] == ["captures"]


def test_a_stream_left_without_etx_does_not_swallow_later_lines(tmp_path: Path) -> None:
    w = CaptureWriter(tmp_path, "fixe", max_bytes=100_000, days=7)
    w.record("tx", b"AT+VRX\r")
    w.record("rx", b"CONNECT")
    w.record("rx", bytes([0x80] * 400))
    w.record("tx", b"\x10!")  # the modem never answers <DLE><ETX>; the driver gives up and resets
    w.record("tx", b"ATZ\r")
    w.record("rx", b"OK")
    w.record("rx", b"RING")
    w.close()
    recs = load(w.path).records  # type: ignore[arg-type]
    assert [r.data for r in recs if not r.is_audio][-3:] == [b"ATZ\r", b"OK", b"RING"]


def test_capture_files_are_not_world_readable(tmp_path: Path) -> None:
    with CaptureWriter(tmp_path, "gsm1", max_bytes=100_000, days=7) as w:
        w.record("rx", b'+CLIP: "0612345678",129')
    assert w.path is not None and w.path.stat().st_mode & 0o007 == 0
