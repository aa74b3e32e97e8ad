"""The AT channel: one serial port and a reader thread around the sans-I/O :class:`AtProtocol`.

Any pyserial URL works (``/dev/ttyUSB2``, ``/dev/pts/5``, ``socket://host:port``).
The reader thread only reads bytes and feeds them to
:class:`~.protocol.AtProtocol`, which decides what each line is (echo, reply,
final result code, unsolicited code, DLE event, voice data); see
:mod:`.protocol`. This module adds what needs I/O: writing, waiting for a reply
with a per-command timeout, the port failing or vanishing, handlers.

* ``on_unsolicited(line)`` gets unsolicited codes (and the text line of a ``+CMT``);
* ``on_dle_event(code)`` gets ``<DLE>x`` events outside voice data;
* a command sent with ``raw=handler`` switches to data mode after its
  ``CONNECT``: the handler gets the bytes until it returns the bytes after the
  stream's end (line mode again); ``voice=VoiceSink`` instead gets unstuffed
  samples and DLE events, and the protocol itself finds ``<DLE><ETX>``.

Every line sent and received is logged (``repr`` escaped) and passed to the
optional capture hook ``capture(direction, data)`` with direction ``"tx"`` or
``"rx"`` (raw voice data too), so sessions can be recorded and replayed.

    >>> # with AtChannel("socket://127.0.0.1:5000") as ch:
    >>> #     ch.command("AT+CSQ").value("+CSQ:")
"""

from __future__ import annotations

import dataclasses
import logging
import threading
from collections.abc import Callable
from typing import Protocol

import serial

from ..errors import LineError, ModemError, ModemTimeout, PortGone
from .protocol import (
    CONNECT_FINALS,
    DEFAULT_LINE_CAP,
    URC_PREFIXES,
    AtProtocol,
    AtResponse,
    DataEnd,
    DleEvent,
    Dropped,
    Echo,
    Event,
    Prompt,
    RawData,
    ReplyLine,
    Response,
    StrayFinal,
    Unsolicited,
    VoiceData,
    command_prefix,
    decode_line,
    is_error,
    is_final,
    is_urc,
)

__all__ = ["CONNECT_FINALS", "URC_PREFIXES", "AtChannel", "AtResponse", "Capture", "VoiceSink", "command_prefix",
           "decode_line", "is_error", "is_final", "is_urc"]

log = logging.getLogger(__name__)

Capture = Callable[[str, bytes], None]
RawHandler = Callable[[bytes], "bytes | None"]


class VoiceSink(Protocol):
    """Where voice data (``AT+VRX``) goes: unstuffed samples, DLE events, and its end."""

    def voice_data(self, audio: bytes) -> None: ...

    def voice_event(self, code: str) -> None: ...

    def voice_end(self) -> None: ...


@dataclasses.dataclass
class _Waiter:
    label: str
    done: threading.Event = dataclasses.field(default_factory=threading.Event)
    response: AtResponse | None = None
    raw: RawHandler | None = None
    voice: VoiceSink | None = None


class AtChannel:
    """An AT command channel over a pyserial URL, with a reader thread.

    ``on_unsolicited(line)`` (or ``on_line(event)``, with the
    :class:`~.protocol.Unsolicited` event itself) and ``on_dle_event(code)`` run in the reader
    thread: they must not send commands (queue the work instead).
    ``on_closed(reason)`` is called once when the port fails or vanishes.
    """

    def __init__(
        self,
        url: str,
        *,
        name: str = "modem",
        baudrate: int = 115200,
        timeout: float = 5.0,
        line_cap: int = DEFAULT_LINE_CAP,
        on_unsolicited: Callable[[str], None] | None = None,
        on_line: Callable[[Unsolicited], None] | None = None,
        on_dle_event: Callable[[str], None] | None = None,
        on_closed: Callable[[str], None] | None = None,
        capture: Capture | None = None,
        logger: logging.Logger | None = None,
        cid_records: bool = True,
    ) -> None:
        if not url:
            raise LineError(f"{name}: no serial port configured; set the line's port (a device or pyserial URL)")
        self.url = url
        self.name = name
        self.baudrate = baudrate
        self.timeout = timeout
        self.on_unsolicited = on_unsolicited
        self.on_line = on_line
        self.on_dle_event = on_dle_event
        self.on_closed = on_closed
        self.capture = capture
        self.log = logger or log
        self.protocol = AtProtocol(line_cap=line_cap, cid_records=cid_records)
        self._ser: serial.SerialBase | None = None
        self._reader: threading.Thread | None = None
        self._stop = threading.Event()
        self._cmd_lock = threading.Lock()
        self._write_lock = threading.Lock()
        self._proto_lock = threading.Lock()
        self._waiter: _Waiter | None = None
        self._raw: RawHandler | None = None
        self._voice: VoiceSink | None = None
        self._failed: str | None = None
        self._closed_reported = False

    # ------------------------------------------------------------------ lifecycle
    def open(self) -> None:
        try:
            ser = serial.serial_for_url(self.url, baudrate=self.baudrate, timeout=0.05, write_timeout=2.0)
        except (serial.SerialException, OSError, ValueError) as e:
            raise PortGone(f"{self.name}: cannot open serial port {self.url!r}: {e}; "
                           "check the device is plugged in and the user is in group dialout") from e
        self._ser = ser
        self._stop.clear()
        self._failed = None
        self._closed_reported = False
        self._raw = None
        self._voice = None
        self.protocol = AtProtocol(line_cap=self.protocol.line_cap, cid_records=self.protocol.cid_records)
        self._reader = threading.Thread(target=self._read_loop, name=f"at-{self.name}", daemon=True)
        self._reader.start()
        self.log.info("%s: opened %s", self.name, self.url)

    def close(self) -> None:
        self._stop.set()
        t = self._reader
        if t is not None and t is not threading.current_thread():
            t.join(timeout=2.0)
        self._reader = None
        ser, self._ser = self._ser, None
        if ser is not None:
            try:
                ser.close()
            except (serial.SerialException, OSError) as e:
                self.log.debug("%s: close: %s", self.name, e)
        w = self._waiter
        if w is not None:
            w.done.set()

    @property
    def is_open(self) -> bool:
        return self._ser is not None and self._failed is None and not self._stop.is_set()

    @property
    def failure(self) -> str | None:
        return self._failed

    def __enter__(self) -> AtChannel:
        self.open()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _cap(self, direction: str, data: bytes) -> None:
        """Call the capture hook; a failing hook is logged once and never breaks the line."""
        hook = self.capture
        if hook is None:
            return
        try:
            hook(direction, data)
        except Exception:
            self.log.exception("%s: capture hook failed; capture disabled for this channel", self.name)
            self.capture = None

    # ------------------------------------------------------------------ writing
    def write_raw(self, data: bytes) -> None:
        """Write bytes as they are (voice data, DLE codes, Ctrl-Z)."""
        ser = self._ser
        if ser is None or self._failed:
            raise PortGone(f"{self.name}: port {self.url!r} is not open ({self._failed or 'closed'})")
        if self.capture is not None:
            self._cap("tx", data)
        try:
            with self._write_lock:
                ser.write(data)
        except serial.SerialTimeoutException as e:
            raise ModemTimeout(f"{self.name}: write to {self.url!r} timed out (modem not reading)") from e
        except (serial.SerialException, OSError) as e:
            self._fail(f"write failed: {e}")
            raise PortGone(f"{self.name}: port {self.url!r} failed on write: {e}") from e

    def send_line(self, text: str) -> None:
        """Send ``text`` + CR without waiting for a reply."""
        self.log.debug("%s tx %r", self.name, text)
        self.write_raw(text.encode("latin-1", "replace") + b"\r")

    def command(
        self,
        cmd: str,
        timeout: float | None = None,
        *,
        finals: tuple[str, ...] = (),
        check: bool = True,
        raw: RawHandler | None = None,
        voice: VoiceSink | None = None,
    ) -> AtResponse:
        """Send ``cmd`` and wait for its final result code.

        ``finals``: extra final codes (``CONNECT_FINALS`` for ``ATA``/``AT+VTX``);
        ``raw``: after a ``CONNECT`` the reader passes every following byte to
        ``raw`` until it returns the bytes after the stream's end (line mode
        again); ``voice``: after a ``CONNECT``, DLE-shielded voice data goes to
        the sink. Raises :class:`ModemTimeout`, :class:`PortGone`, and
        :class:`ModemError` on an error code when ``check`` is true.
        """
        mode = "voice" if voice is not None else "raw" if raw is not None else None
        waiter = _Waiter(repr(cmd), raw=raw, voice=voice)

        def start() -> bytes:
            return self.protocol.command(cmd, finals=finals, data=mode)  # type: ignore[arg-type]

        def send(data: bytes) -> None:
            self.log.debug("%s tx %r", self.name, cmd)
            self.write_raw(data)

        resp = self._exchange(waiter, start, send, timeout)
        if check and is_error(resp.final):
            raise ModemError(f"{self.name}: {cmd!r} answered {resp.final!r}")
        return resp

    def transact(self, data: bytes, timeout: float | None = None, *, what: str = "",
                 finals: tuple[str, ...] = ()) -> AtResponse:
        """Write raw ``data`` (e.g. ``<DLE>!`` or ``<DLE><ETX>``) and wait for the final code it causes."""
        label = what or repr(data)

        def start() -> bytes:
            self.protocol.expect(label, finals=finals, echo=False)
            return data

        def send(raw: bytes) -> None:
            self.log.debug("%s tx %r", self.name, raw)
            self.write_raw(raw)

        return self._exchange(_Waiter(label), start, send, timeout)

    def _exchange(self, w: _Waiter, start: Callable[[], bytes], send: Callable[[bytes], None],
                  timeout: float | None) -> AtResponse:
        """Send, then wait for the final result code (one exchange at a time)."""
        wait = self.timeout if timeout is None else timeout
        with self._cmd_lock:
            with self._proto_lock:
                data = start()
                self._waiter = w
            try:
                send(data)
                if not w.done.wait(wait):
                    raise ModemTimeout(f"{self.name}: no reply to {w.label} within {wait:.1f} s on {self.url!r}")
                if w.response is None:
                    raise PortGone(f"{self.name}: port {self.url!r} closed during {w.label}"
                                   f" ({self._failed or 'closed'})")
            finally:
                with self._proto_lock:
                    if self._waiter is w:
                        self._waiter = None
                        if w.response is None:
                            self.protocol.abandon()
        return w.response

    def enter_raw(self, handler: RawHandler) -> None:
        """Switch the reader to raw mode now (data that needs no ``CONNECT``)."""
        with self._proto_lock:
            self._raw = handler
            self.protocol.enter_raw()

    def leave_raw(self) -> None:
        """Back to line mode (raw data, or voice data the modem did not end)."""
        with self._proto_lock:
            self._raw = None
            self._voice = None
            self.protocol.leave_raw()

    # ------------------------------------------------------------------ reading
    def _fail(self, reason: str) -> None:
        if self._failed is None:
            self._failed = reason
            self.log.warning("%s: port %s failed: %s", self.name, self.url, reason)
        w = self._waiter
        if w is not None:
            w.done.set()
        if not self._closed_reported and not self._stop.is_set():
            self._closed_reported = True
            if self.on_closed is not None:
                try:
                    self.on_closed(reason)
                except Exception:
                    self.log.exception("%s: on_closed handler failed", self.name)

    def _read_loop(self) -> None:
        while not self._stop.is_set():
            ser = self._ser
            if ser is None:
                return
            try:
                n = ser.in_waiting
                data = ser.read(n if n > 0 else 1)
            except (serial.SerialException, OSError, TypeError, AttributeError) as e:
                if not self._stop.is_set():
                    self._fail(f"read failed: {e}")
                return
            if data:
                self.feed(data)

    def feed(self, data: bytes) -> None:
        """Hand bytes from the modem to the protocol and act on its events (the reader calls this)."""
        try:
            with self._proto_lock:
                events = self.protocol.receive(data)
        except Exception:
            self.log.exception("%s: error handling modem data %r", self.name, data[:200])
            return
        for ev in events:
            try:
                self._dispatch(ev)
            except Exception:
                self.log.exception("%s: error handling %r", self.name, ev)

    def _dispatch(self, ev: Event) -> None:
        if isinstance(ev, RawData):
            self._raw_data(ev.data)
        elif isinstance(ev, VoiceData):
            self._cap("rx", ev.audio)
            if self._voice is not None:
                self._voice.voice_data(ev.audio)
        elif isinstance(ev, DataEnd):
            self._cap("rx", b"\x10\x03")
            sink, self._voice = self._voice, None
            if sink is not None:
                sink.voice_end()
        elif isinstance(ev, DleEvent):
            self._dle(ev)
        elif isinstance(ev, Response):
            self._response(ev)
        elif isinstance(ev, Unsolicited):
            self._rx_line(ev.raw or ev.text.encode("utf-8"), ev.text)
            if self.on_line is not None:
                self.on_line(ev)
            else:
                self._urc(ev.text)
        elif isinstance(ev, ReplyLine):
            self._rx_line(ev.raw, ev.text)
        elif isinstance(ev, Echo):
            self._rx_line(ev.text.encode("latin-1", "replace"), ev.text)
        elif isinstance(ev, StrayFinal):
            self._rx_line(ev.text.encode("latin-1", "replace"), ev.text)
            self.log.debug("%s: %r with no command in progress (a late reply)", self.name, ev.text)
        elif isinstance(ev, Dropped):
            self.log.warning("%s: dropped overlong line (%d+ bytes): %r...", self.name, ev.length, ev.head)
        elif isinstance(ev, Prompt):
            self.log.debug("%s rx prompt", self.name)

    def _rx_line(self, raw: bytes, text: str) -> None:
        self.log.debug("%s rx %r", self.name, text)
        self._cap("rx", raw)

    def _response(self, ev: Response) -> None:
        r = ev.response
        self._rx_line(ev.raw or r.final.encode(), r.final)
        w = self._waiter
        if w is None:
            return
        if r.final.startswith("CONNECT"):
            self._raw, self._voice = w.raw, w.voice
        w.response = r
        w.done.set()

    def _raw_data(self, chunk: bytes) -> None:
        self._cap("rx", chunk)
        handler = self._raw
        if handler is None:
            return
        try:
            rest = handler(chunk)
        except Exception:
            self.log.exception("%s: raw data handler failed; back to line mode", self.name)
            rest = b""
        if rest is not None:
            self.leave_raw()
            if rest:
                self.feed(rest)

    def _dle(self, ev: DleEvent) -> None:
        self.log.debug("%s rx DLE %r", self.name, ev.code)
        self._cap("rx", b"\x10" + ev.code.encode("latin-1", "replace"))
        if ev.in_data and self._voice is not None:
            self._voice.voice_event(ev.code)
            return
        if self.on_dle_event is not None:
            self.on_dle_event(ev.code)

    def _urc(self, text: str) -> None:
        if self.on_unsolicited is None:
            self.log.info("%s: unsolicited %r ignored", self.name, text)
            return
        self.on_unsolicited(text)
