"""The ``Line`` interface: what the call handler sees of any telephone line.

A line is a modem driver (GSM HAT, analog voice modem) or anything that speaks
the same events. Drivers push :class:`LineEvent` objects into a queue that the
call handler drains with :meth:`Line.next_event`; the handler acts through
:meth:`Line.answer`, :meth:`Line.play`, :meth:`Line.stop_playing` and
:meth:`Line.hang_up`.

Putting a caller through (:mod:`appliance.transfer`) uses the call-control
actions :meth:`Line.hold`, :meth:`Line.dial`, :meth:`Line.back_to_caller`,
:meth:`Line.transfer` and :meth:`Line.join`; :meth:`Line.transfer_kind` says
which way the line can do it (``multiparty``: 27.007 ``+CHLD`` on a GSM line;
``hook_flash``: an analog line whose operator offers call transfer; ``none``).
Each action answers with a :class:`ControlResult`; the second call's progress
comes as :class:`OtherParty` events. A line that cannot raises
:class:`~appliance.errors.NotSupported`.

Audio everywhere above the drivers is 16-bit signed little-endian mono PCM at
8 kHz, in frames of 20 ms (320 bytes). Drivers convert to and from the modem's
own format.
"""

from __future__ import annotations

import abc
import dataclasses
import enum
import queue
import time
from typing import Literal

SAMPLE_RATE = 8000
FRAME_MS = 20
FRAME_SAMPLES = SAMPLE_RATE * FRAME_MS // 1000
FRAME_BYTES = FRAME_SAMPLES * 2


class LineState(enum.StrEnum):
    """What the status page and LEDs show for a line."""

    STARTING = "starting"
    READY = "ready"
    RINGING = "ringing"
    IN_CALL = "in_call"
    FAULT = "fault"
    CLOSED = "closed"


@dataclasses.dataclass(frozen=True)
class CallerId:
    """Caller identification as the network or the line delivered it.

    ``number`` is in E.164 when the driver knows the line's country and the number
    can be one (else as given, cleaned of spaces); ``raw`` is the modem's own form,
    kept beside it for the record (not part of equality: the same caller is the same
    caller whatever form the network used)."""

    number: str | None = None
    name: str | None = None
    number_type: int | None = None
    withheld: bool = False
    unavailable: bool = False
    raw: str | None = dataclasses.field(default=None, compare=False)

    def display(self) -> str:
        if self.withheld:
            return "withheld"
        if self.unavailable or not self.number:
            return "unavailable"
        return self.number


@dataclasses.dataclass(frozen=True)
class LineEvent:
    """Base of every event; ``t`` is ``time.monotonic()`` when the driver saw it."""

    t: float = dataclasses.field(default_factory=time.monotonic, kw_only=True)


@dataclasses.dataclass(frozen=True)
class Ringing(LineEvent):
    """The line rings. Sent at every ring; ``count`` starts at 1 for a new call."""

    caller: CallerId = CallerId()
    count: int = 1


@dataclasses.dataclass(frozen=True)
class CallerIdUpdate(LineEvent):
    """Caller id arrived after the first ring (analog lines send it between rings)."""

    caller: CallerId = CallerId()


@dataclasses.dataclass(frozen=True)
class Answered(LineEvent):
    """The box's answer command succeeded: the call is connected."""


@dataclasses.dataclass(frozen=True)
class AudioFrame(LineEvent):
    """20 ms of caller audio, 16-bit 8 kHz mono."""

    pcm: bytes = b""


@dataclasses.dataclass(frozen=True)
class Dtmf(LineEvent):
    """A key pressed by the caller (repeats already collapsed)."""

    digit: str = ""


HangupBy = Literal["caller", "box", "staff", "network", "unknown"]


@dataclasses.dataclass(frozen=True)
class HungUp(LineEvent):
    """The call ended. ``by`` tells who ended it; ``reason`` is the modem's words."""

    by: HangupBy = "unknown"
    reason: str = ""


@dataclasses.dataclass(frozen=True)
class RingStopped(LineEvent):
    """Ringing stopped before the box answered: abandoned (``by="caller"``) or
    answered by staff elsewhere (``by="staff"``, when the hardware can tell)."""

    by: HangupBy = "caller"
    reason: str = ""


@dataclasses.dataclass(frozen=True)
class CallWaiting(LineEvent):
    """A second call arrived while the line was busy (GSM ``+CCWA``)."""

    caller: CallerId = CallerId()


@dataclasses.dataclass(frozen=True)
class MissedCall(LineEvent):
    """A call the modem reports as missed that the box never saw ring (SIM7600 ``MISSED_CALL``
    while the box was busy or restarting): logged as a missed call with its number."""

    caller: CallerId = CallerId()
    reason: str = ""


@dataclasses.dataclass(frozen=True)
class Unrecognised(LineEvent):
    """A modem line no part of the driver understood (counted on the health page)."""

    line: str = ""


@dataclasses.dataclass(frozen=True)
class SmsReceived(LineEvent):
    """An SMS: ``sender`` in E.164 when it is a number (``sender_raw`` as the network gave it,
    an alphanumeric sender such as ``EDF`` stays as it is)."""

    sender: str = ""
    text: str = ""
    sender_raw: str = ""


@dataclasses.dataclass(frozen=True)
class Fault(LineEvent):
    """The line is out of service (timeout, vanished port...). The driver recovers by itself."""

    reason: str = ""


@dataclasses.dataclass(frozen=True)
class Ready(LineEvent):
    """The line is (again) initialised and able to take calls."""


@dataclasses.dataclass(frozen=True)
class PlaybackDone(LineEvent):
    """Everything queued with :meth:`Line.play` has been sent (or was stopped)."""

    stopped: bool = False


ControlAction = Literal["hold", "dial", "back", "transfer", "join"]
TransferKind = Literal["multiparty", "hook_flash", "none"]


@dataclasses.dataclass(frozen=True)
class ControlResult(LineEvent):
    """The outcome of a call-control action: ``hold`` (the caller on hold), ``dial`` (the second
    call placed), ``back`` (the second call released, the caller back on the line), ``transfer``
    (the two parties connected and the box off both calls), ``join`` (a three-way call)."""

    action: ControlAction = "hold"
    ok: bool = True
    detail: str = ""


OtherState = Literal["alerting", "active", "ended"]


@dataclasses.dataclass(frozen=True)
class OtherParty(LineEvent):
    """The second call (the one the box dialled) rings, answers or ended (``reason``: busy,
    no answer, the modem's words)."""

    state: OtherState = "alerting"
    reason: str = ""


@dataclasses.dataclass(frozen=True)
class LineStatus:
    """What the Health page shows for one line."""

    name: str
    driver: str
    state: LineState = LineState.STARTING
    model: str = ""
    firmware: str = ""
    signal_dbm: int | None = None
    signal_quality: int | None = None
    registration: str = ""
    operator: str = ""
    sim: str = ""
    audio: str = ""
    last_error: str = ""
    since: float = dataclasses.field(default_factory=time.time)
    unparsed: tuple[dict[str, object], ...] = ()
    """Modem lines the driver did not understand: line, count, first and last seen."""


class Line(abc.ABC):
    """A telephone line. Implementations must be thread-safe for the calls below."""

    name: str

    def __init__(self, name: str) -> None:
        self.name = name
        self._events: queue.Queue[LineEvent] = queue.Queue()

    # -- events -------------------------------------------------------------------
    def emit(self, event: LineEvent) -> None:
        """Used by drivers to publish an event."""
        self._events.put(event)

    def next_event(self, timeout: float | None = None) -> LineEvent | None:
        """The next event, or ``None`` after ``timeout`` seconds without one."""
        try:
            return self._events.get(timeout=timeout)
        except queue.Empty:
            return None

    # -- lifecycle ------------------------------------------------------------------
    @abc.abstractmethod
    def open(self) -> None:
        """Open the port(s) and initialise the modem; start the reader thread(s).

        Must not raise on a missing or silent modem: report :class:`Fault` and keep
        retrying in the background."""

    @abc.abstractmethod
    def close(self) -> None:
        """Hang up any call, stop threads, close ports. Idempotent."""

    # -- actions --------------------------------------------------------------------
    @abc.abstractmethod
    def answer(self) -> None:
        """Take the ringing call off hook; :class:`Answered` follows on success."""

    @abc.abstractmethod
    def hang_up(self) -> None:
        """End the current call; :class:`HungUp` with ``by="box"`` follows."""

    @abc.abstractmethod
    def play(self, pcm: bytes) -> None:
        """Queue 16-bit 8 kHz audio to send to the caller, paced in real time.

        Returns at once; :class:`PlaybackDone` follows when the queue drains."""

    @abc.abstractmethod
    def stop_playing(self) -> None:
        """Drop queued audio at once (barge-in)."""

    @abc.abstractmethod
    def is_playing(self) -> bool:
        """True while queued audio remains to be sent."""

    @abc.abstractmethod
    def status(self) -> LineStatus:
        """Current state, modem identity, signal and registration."""

    # -- call control (putting a caller through) -----------------------------------------
    def transfer_kind(self) -> TransferKind:
        """How this line can put a caller through (``none`` unless the driver says otherwise)."""
        return "none"

    def hold(self) -> None:
        """Put the caller on hold; :class:`ControlResult` ``hold`` follows."""
        self._cannot("hold a call")

    def dial(self, number: str) -> None:
        """Place a second call to ``number``; :class:`ControlResult` ``dial``, then
        :class:`OtherParty` events."""
        self._cannot("place a second call")

    def back_to_caller(self) -> None:
        """Release the second call (if any) and take the held caller back; ``back`` follows."""
        self._cannot("take a held caller back")

    def transfer(self) -> None:
        """Connect the caller and the second party and leave both calls; ``transfer`` follows."""
        self._cannot("transfer a call")

    def join(self) -> None:
        """Make a three-way call of the caller and the second party; ``join`` follows."""
        self._cannot("join calls")

    def _cannot(self, what: str) -> None:
        from ..errors import NotSupported

        raise NotSupported(f"line {self.name}: this line cannot {what} (transfer: {self.transfer_kind()})")

    def send_sms(self, number: str, text: str) -> str:
        """Send an SMS through this line's modem; returns the modem's message reference.

        Lines that cannot send SMS raise :class:`~appliance.errors.LineError`."""
        from ..errors import LineError

        raise LineError(f"line {self.name}: this line cannot send SMS")

    def __enter__(self) -> Line:
        self.open()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
