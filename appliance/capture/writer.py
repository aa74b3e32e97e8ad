"""The capture writer: every line of a modem session to a rotated JSONL file.

:meth:`CaptureWriter.record` is the AT channel's capture hook
(``capture(direction, data)``, direction ``"tx"`` or ``"rx"``). Each call
becomes one JSONL line (format: ``docs/capture-format.md``), written through a
buffered file and flushed at once: a crash of the process loses at most the
line being written (the reader skips a cut last line); a power cut can also
lose what the kernel had not yet written to the card (we do not fsync per
line: a capture is a diagnostic, not the call log).

Voice data never goes to disk: the AT channel also passes raw voice data
(after ``CONNECT`` to ``AT+VTX``/``AT+VRX``/``AT+VTR``) to the hook. The
writer recognises it — by that voice state, or for a chunk outside it by its
bytes (NUL bytes or under 80 % printable text) — unstuffs it with the DLE
decoder, keeps every ``<DLE>x`` event as its own record (DTMF, busy tone...)
(a voice stream ends at ``<DLE><ETX>``, or at the box's next ``AT`` command if the
modem never sent one) and adds the audio bytes to a summary: one ``{"audio": n, "secs": s}``
record per direction per second of a burst (or when other traffic or
:meth:`close` ends the burst). :meth:`audio` summarises audio that a driver
moves on its own port (SIM7600 ``ttyUSB4``).

Files: ``<directory>/<line>.<YYYYmmddTHHMMSSZ>.jsonl``. A file is closed and a
new one opened when it reaches ``max_bytes // 4`` or at a new UTC day; files
older than ``days`` are deleted, then the oldest ones until this line's
captures total at most ``max_bytes``. A disk error never reaches the modem
reader: it is logged once and the writer retries on the next record.
"""

from __future__ import annotations

import logging
import os
import re
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import IO, TYPE_CHECKING

from ..telephony.dle import DleDecoder
from .formats import CaptureRecord, Direction, header_json, record_json

if TYPE_CHECKING:
    from ..config import CaptureConfig

log = logging.getLogger(__name__)

_VOICE_CMD_RE = re.compile(rb"^AT\+V(TX|RX|TR)\s*\r?$", re.IGNORECASE)
_PRINTABLE = frozenset(range(0x20, 0x7F)) | {9, 10, 13, 0x10, 0x1A, 0x03}
FILE_SUFFIX = ".jsonl"
FILE_MODE = 0o640


def looks_like_audio(data: bytes) -> bool:
    """True for bytes that are not a modem text line (audio samples)."""
    if len(data) <= 2:
        return False
    if 0 in data:
        return True
    sample = data[:512]
    printable = sum(1 for b in sample if b in _PRINTABLE or b >= 0xC0)
    return printable < 0.8 * len(sample)


def capture_files(directory: Path, line_name: str | None = None) -> list[Path]:
    """Capture files in ``directory`` (of one line if given), oldest first."""
    if not directory.is_dir():
        return []
    pat = f"{line_name}.*{FILE_SUFFIX}" if line_name else f"*{FILE_SUFFIX}"
    files = [p for p in directory.glob(pat) if p.is_file() and not p.name.startswith(".")]
    return sorted(files, key=lambda p: (p.name.split(".")[1] if p.name.count(".") >= 2 else "", p.name))


class _AudioBurst:
    def __init__(self) -> None:
        self.start: float | None = None
        self.nbytes = 0
        self.last = 0.0


class CaptureWriter:
    """Records one line's modem session; thread-safe; see the module docstring.

    >>> import tempfile
    >>> w = CaptureWriter(Path(tempfile.mkdtemp()), "gsm1", max_bytes=100_000, days=7)
    >>> w.record("tx", b"ATA\\r"); w.record("rx", b"OK"); w.close()
    """

    def __init__(self, directory: Path, line_name: str, *, max_bytes: int, days: int,
                 clock: Callable[[], float] = time.time, may_grow: Callable[[int], bool] | None = None) -> None:
        self.directory = Path(directory)
        self.line_name = line_name
        self.may_grow = may_grow  # asked before each line is written (the disk's reserve, see store.diskspace)
        self.dropped = 0  # lines not written because the disk is nearly full
        self.max_bytes = max(int(max_bytes), 4_000)
        self.file_bytes = max(self.max_bytes // 4, 1_000)
        self.days = max(int(days), 1)
        self.clock = clock
        self._lock = threading.Lock()
        self._fh: IO[str] | None = None
        self._path: Path | None = None
        self._size = 0
        self._day = ""
        self._closed = False
        self._error_logged = False
        self._bursts: dict[str, _AudioBurst] = {"tx": _AudioBurst(), "rx": _AudioBurst()}
        self._voice: dict[str, bool] = {"tx": False, "rx": False}
        self._decoders: dict[str, DleDecoder] = {"tx": DleDecoder(), "rx": DleDecoder()}
        self._last_tx_voice = b""

    @property
    def path(self) -> Path | None:
        """The file being written (None before the first record)."""
        return self._path

    # ------------------------------------------------------------------ public API
    def record(self, direction: str, data: bytes) -> None:
        """One line (or one chunk of voice data) sent (``tx``) or received (``rx``). Never raises."""
        d: Direction = "tx" if direction == "tx" else "rx"
        try:
            with self._lock:
                if self._closed:
                    return
                self._record(d, bytes(data))
        except Exception:
            if not self._error_logged:
                self._error_logged = True
                log.exception("capture %s: cannot record", self.line_name)

    def audio(self, direction: str, nbytes: int) -> None:
        """``nbytes`` of audio moved on a separate audio port; summarised, never stored."""
        d: Direction = "tx" if direction == "tx" else "rx"
        try:
            with self._lock:
                if not self._closed and nbytes > 0:
                    self._add_audio(d, nbytes, self.clock())
        except Exception:
            if not self._error_logged:
                self._error_logged = True
                log.exception("capture %s: cannot record audio", self.line_name)

    def close(self) -> None:
        with self._lock:
            if self._closed:
                return
            try:
                for d in ("tx", "rx"):
                    self._end_burst(d)  # type: ignore[arg-type]
            except OSError as e:
                log.warning("capture %s: %s", self.line_name, e)
            self._closed = True
            self._close_file()

    def __enter__(self) -> CaptureWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ------------------------------------------------------------------ internals
    def _record(self, d: Direction, data: bytes) -> None:
        now = self.clock()
        if d == "tx" and data[:2].upper() == b"AT" and data.endswith(b"\r") and not looks_like_audio(data):
            # a command: whatever the voice state was (a stream left without <DLE><ETX>), the
            # driver talks to the modem in command mode again
            self._voice["rx"] = self._voice["tx"] = False
        if self._voice[d] or looks_like_audio(data):
            self._voice_data(d, data, now)
            return
        if d == "tx":
            m = _VOICE_CMD_RE.match(data)
            self._last_tx_voice = m.group(1).upper() if m else b""
        elif data.strip().startswith(b"CONNECT") and self._last_tx_voice:
            kind = self._last_tx_voice
            self._last_tx_voice = b""
            self._write(CaptureRecord(d, data, now))
            if kind in (b"RX", b"TR"):
                self._voice["rx"] = True
                self._decoders["rx"].reset()
            if kind in (b"TX", b"TR"):
                self._voice["tx"] = True
                self._decoders["tx"].reset()
            return
        self._end_burst("tx")
        self._end_burst("rx")
        self._write(CaptureRecord(d, data, now))

    def _voice_data(self, d: Direction, data: bytes, now: float) -> None:
        dec = self._decoders[d]
        out = dec.feed(data)
        if out.audio:
            self._add_audio(d, len(out.audio), now)
        for code in out.events:
            self._end_burst(d)
            ev = b"\x10\x03" if code == "ETX" else b"\x10" + code.encode("latin-1", "replace")
            self._write(CaptureRecord(d, ev, now))
        if dec.ended:
            # back in command mode; the AT channel captures the text after <DLE><ETX> again as lines
            dec.reset()
            self._voice[d] = False

    def _add_audio(self, d: Direction, nbytes: int, now: float) -> None:
        b = self._bursts[d]
        if b.start is not None and now - b.start >= 1.0:
            self._end_burst(d)
        if b.start is None:
            b.start = now
        b.nbytes += nbytes
        b.last = now

    def _end_burst(self, d: Direction) -> None:
        b = self._bursts[d]
        if b.start is None or b.nbytes <= 0:
            b.start, b.nbytes = None, 0
            return
        start, n, last = b.start, b.nbytes, b.last
        b.start, b.nbytes = None, 0
        self._write(CaptureRecord(d, b"", start, audio=n, secs=max(last - start, 0.0)))

    def _write(self, rec: CaptureRecord) -> None:
        t = rec.t if rec.t is not None else self.clock()
        line = record_json(rec) + "\n"
        if self.may_grow is not None and not self.may_grow(len(line) + 200):
            self.dropped += 1  # a diagnostic gives way to the call log (counted, shown in the file's gap)
            return
        day = time.strftime("%Y%m%d", time.gmtime(t))
        if self._fh is None or self._size >= self.file_bytes or day != self._day:
            self._rotate(t, day)
        fh = self._fh
        if fh is None:
            return
        fh.write(line)
        fh.flush()
        self._size += len(line.encode("utf-8"))
        self._error_logged = False

    def _rotate(self, t: float, day: str) -> None:
        self._close_file()
        self.directory.mkdir(parents=True, exist_ok=True)
        stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime(t))
        path = self.directory / f"{self.line_name}.{stamp}{FILE_SUFFIX}"
        n = 1
        while path.exists():
            path = self.directory / f"{self.line_name}.{stamp}-{n}{FILE_SUFFIX}"
            n += 1
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, FILE_MODE)  # caller numbers: not world-readable
        fh = os.fdopen(fd, "a", encoding="utf-8", buffering=65536)
        head = header_json(self.line_name, t) + "\n"
        fh.write(head)
        fh.flush()
        self._fh, self._path, self._size, self._day = fh, path, len(head), day
        self._prune(t)

    def _close_file(self) -> None:
        fh, self._fh = self._fh, None
        if fh is not None:
            try:
                fh.close()
            except OSError as e:
                log.warning("capture %s: close: %s", self.line_name, e)

    def _prune(self, now: float) -> None:
        files = [p for p in capture_files(self.directory, self.line_name) if p != self._path]
        keep: list[tuple[Path, int]] = []
        for p in files:
            try:
                st = p.stat()
            except OSError:
                continue
            if now - st.st_mtime > self.days * 86400:
                p.unlink(missing_ok=True)
            else:
                keep.append((p, st.st_size))
        total = sum(s for _, s in keep)
        budget = self.max_bytes - self.file_bytes  # room for the current file to grow
        for p, s in keep:  # oldest first
            if total <= budget:
                break
            p.unlink(missing_ok=True)
            total -= s


def open_writer(data_dir: Path, line_name: str, cfg: CaptureConfig) -> CaptureWriter | None:
    """The writer for one line as ``[capture]`` configures it (None when captures are off).

    Files go to ``<data_dir>/captures``; pass ``writer.record`` as the line's ``capture``
    hook and close the writer after the line."""
    if not cfg.enabled:
        return None
    return CaptureWriter(Path(data_dir) / "captures", line_name, max_bytes=cfg.max_bytes, days=cfg.days)
