"""SMS with python-gammu over an AT port, and the small transport interface the manager uses.

:class:`GammuSmsSender` drives a gammu ``StateMachine`` on one AT port
(``Connection: at``): on a SIM7600 the second AT port (``LineConfig.sms_port``,
``ttyUSB3``) while the voice call runs on the first; on a single-port SIM800
:class:`ReleasedPortSmsSender` borrows the line's only port between calls
through ``GsmLine.port_released()``. Long or non-GSM texts are split with
``gammu.EncodeSMS`` (``ConcatenatedTextLong``, Unicode when needed).
:meth:`GammuSmsSender.send` returns the modem's message reference of every
part: that is the delivery confirmation the outbox waits for.

Incoming SMS are read with ``GetNextSMS`` (multipart joined with ``LinkSMS``)
and deleted from the SIM once read (:meth:`GammuSmsSender.receive`).

Every gammu failure is re-raised as :class:`SmsError` naming the port; after one,
the state machine is closed and re-initialised at the next use.
"""

from __future__ import annotations

import contextlib
import dataclasses
import logging
import threading
from collections.abc import Callable, Iterator
from typing import Any, Protocol

import gammu

from ..errors import AlertError, LineError
from .text import needs_unicode

log = logging.getLogger(__name__)


class SmsError(AlertError):
    """The modem refused or failed an SMS operation; the message names port and gammu's reason."""


@dataclasses.dataclass(frozen=True)
class IncomingSms:
    sender: str
    text: str


class SmsTransport(Protocol):
    """What the alert manager needs of an SMS path."""

    def send(self, number: str, text: str) -> list[str]:
        """Send; return the modem's message reference of each part (raises on failure)."""
        ...

    def receive(self) -> list[IncomingSms]:
        """Read and delete the SMS waiting in the modem."""
        ...

    def close(self) -> None: ...


def _gammu_reason(exc: BaseException) -> str:
    arg = exc.args[0] if exc.args else None
    if isinstance(arg, dict):
        return f"{arg.get('Text', '?')} (in {arg.get('Where', '?')}, code {arg.get('Code', '?')})"
    return str(exc)


def encode_parts(number: str, text: str, smsc: dict[str, Any]) -> list[dict[str, Any]]:
    """The gammu message dicts to send for ``text`` (one, or concatenated parts)."""
    unicode = needs_unicode(text)
    if len(text) <= (70 if unicode else 160):
        return [{"Text": text, "SMSC": smsc, "Number": number, "Unicode": unicode}]
    info = {"Class": -1, "Unicode": unicode,
            "Entries": [{"ID": "ConcatenatedTextLong", "Buffer": text}]}
    parts = gammu.EncodeSMS(info)
    for p in parts:
        p["SMSC"] = smsc
        p["Number"] = number
    return list(parts)


class GammuSmsSender:
    """SMS through python-gammu on an AT serial port (or a pty). Thread-safe."""

    def __init__(self, device: str, *, connection: str = "at", smsc_number: str = "",
                 command_timeout: float = 30.0, gammu_debug: bool = False) -> None:
        if not device:
            raise SmsError("sms: no AT port given; set lines[].sms_port (SIM7600 second AT port)")
        self.device = device
        self.connection = connection
        self.smsc: dict[str, Any] = {"Number": smsc_number} if smsc_number else {"Location": 1}
        self.command_timeout = command_timeout
        self.gammu_debug = gammu_debug
        self._lock = threading.Lock()
        self._sm: Any = None
        self._closed = False

    def _machine(self) -> Any:
        if self._closed:
            raise SmsError(f"sms {self.device}: sender is closed")
        if self._sm is None:
            sm = gammu.StateMachine()
            sm.SetConfig(0, {"Device": self.device, "Connection": self.connection,
                             "StartInfo": False, "UseGlobalDebugFile": False,
                             "DebugLevel": "textall" if self.gammu_debug else ""})
            try:
                sm.Init()
            except gammu.GSMError as exc:
                raise SmsError(f"sms {self.device}: the modem did not initialise: {_gammu_reason(exc)}; "
                               f"check the port and that nothing else holds it") from None
            self._sm = sm
        return self._sm

    def _reset(self) -> None:
        if self._sm is not None:
            with contextlib.suppress(gammu.GSMError):
                self._sm.Terminate()
            self._sm = None

    def connect(self) -> None:
        """Initialise the modem now (libGammu's AT Init takes ~4-5 s: wake-up commands
        with 0.4 s pauses, seen here), so that the first urgent SMS does not wait for it."""
        with self._lock:
            self._machine()

    def send(self, number: str, text: str) -> list[str]:
        with self._lock:
            sm = self._machine()
            refs: list[str] = []
            try:
                for part in encode_parts(number, text, self.smsc):
                    refs.append(str(sm.SendSMS(part)))
            except gammu.GSMError as exc:
                self._reset()
                raise SmsError(f"sms {self.device}: sending to {number} failed after {len(refs)} part(s): "
                               f"{_gammu_reason(exc)}") from None
            return refs

    def receive(self) -> list[IncomingSms]:
        with self._lock:
            sm = self._machine()
            try:
                raw = self._read_all(sm)
            except gammu.GSMError as exc:
                self._reset()
                raise SmsError(f"sms {self.device}: reading incoming SMS failed: "
                               f"{_gammu_reason(exc)}") from None
            out: list[IncomingSms] = []
            for group in gammu.LinkSMS([[m] for m in raw]):
                text = ""
                try:
                    decoded = gammu.DecodeSMS(group)
                except gammu.GSMError:
                    decoded = None
                if decoded and decoded.get("Entries"):
                    text = "".join(e.get("Buffer") or "" for e in decoded["Entries"])
                else:
                    text = "".join(m.get("Text") or "" for m in group)
                out.append(IncomingSms(sender=str(group[0].get("Number") or ""), text=text))
            for m in raw:
                try:
                    sm.DeleteSMS(Folder=m.get("Folder", 0), Location=m["Location"])
                except gammu.GSMError as exc:
                    log.warning("sms %s: cannot delete message %s: %s", self.device, m.get("Location"),
                                _gammu_reason(exc))
            return out

    @staticmethod
    def _read_all(sm: Any) -> list[dict[str, Any]]:
        msgs: list[dict[str, Any]] = []
        start = True
        location = 0
        for _ in range(256):
            try:
                if start:
                    batch = sm.GetNextSMS(Start=True, Folder=0)
                    start = False
                else:
                    batch = sm.GetNextSMS(Location=location, Folder=0)
            except gammu.ERR_EMPTY:
                break
            if not batch:
                break
            msgs.extend(batch)
            location = batch[0]["Location"]
        return msgs

    def close(self) -> None:
        with self._lock:
            self._closed = True
            self._reset()

    def __enter__(self) -> GammuSmsSender:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class ReleasedPortSmsSender:
    """Single-port modem (SIM800): gammu borrows the line's port between calls.

    ``port_released`` is the line owner's context manager (``GsmLine.port_released()``)
    that refuses during a call (:class:`LineError`, retried later by the outbox with
    backoff), stops its reader, yields the port, and takes it back (re-initialising
    the modem) when the block ends. Each send pays libGammu's AT Init (~5 s seen
    here) plus the line's re-init, so on a single-port modem the SMS takes longer
    than the 3 s target. Incoming SMS are not polled through gammu here (that would
    take the port every few seconds): open the line with ``read_sms=True`` and
    route its ``SmsReceived`` events to :meth:`AlertManager.sms_received`."""

    def __init__(self, port_released: Callable[[], contextlib.AbstractContextManager[Any]],
                 device: str, **kwargs: Any) -> None:
        self._released = port_released
        self.device = device
        self._kwargs = kwargs
        self._lock = threading.Lock()

    @contextlib.contextmanager
    def _borrow(self) -> Iterator[GammuSmsSender]:
        with self._lock:
            try:
                released = self._released()
                got = released.__enter__()
            except LineError as exc:
                raise SmsError(f"sms via {self.device}: the line cannot lend its port now ({exc})") from None
            try:
                device = got if isinstance(got, str) and got else self.device
                sender = GammuSmsSender(device, **self._kwargs)
                try:
                    yield sender
                finally:
                    sender.close()
            finally:
                released.__exit__(None, None, None)

    def send(self, number: str, text: str) -> list[str]:
        with self._borrow() as s:
            return s.send(number, text)

    def receive(self) -> list[IncomingSms]:
        return []  # the line reads incoming SMS itself (read_sms=True -> SmsReceived events)

    def close(self) -> None:
        pass


class LineSmsSender:
    """SMS through the line driver's own :meth:`Line.send_sms` (the line owner queues it
    between calls); incoming SMS then arrive as ``SmsReceived`` line events instead."""

    def __init__(self, line: Any) -> None:
        self.line = line

    def send(self, number: str, text: str) -> list[str]:
        try:
            return [str(self.line.send_sms(number, text))]
        except AlertError:
            raise
        except Exception as exc:  # noqa: BLE001 - any driver failure becomes a retryable SmsError
            raise SmsError(f"sms via line {getattr(self.line, 'name', '?')}: {exc}") from None

    def receive(self) -> list[IncomingSms]:
        return []

    def close(self) -> None:
        pass
