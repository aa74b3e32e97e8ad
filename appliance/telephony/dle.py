"""DLE shielding for V.253 voice data.

In voice mode the modem and the computer exchange raw samples; the byte
``DLE`` (0x10) escapes everything that is not a sample:

* to the modem, every 0x10 sample is doubled (:func:`stuff`), and the stream
  ends with ``<DLE><ETX>`` (:data:`END_TX`);
* from the modem, ``<DLE><DLE>`` is one 0x10 sample, ``<DLE><SUB>`` two of
  them, ``<DLE><ETX>`` ends the stream and any other ``<DLE>x`` is an event
  (DTMF digit, ``b`` busy tone, ``d`` dial tone, ``s`` silence, ...).

:class:`DleDecoder` keeps a trailing lone ``DLE`` for the next read, so a pair
split across two reads decodes correctly::

    >>> d = DleDecoder()
    >>> d.feed(b"ab\\x10").audio, d.feed(b"5cd").events
    (b'ab', ['5'])
"""

from __future__ import annotations

import dataclasses

DLE = 0x10
ETX = 0x03
SUB = 0x1A
CAN = 0x18

END_TX = bytes((DLE, ETX))
"""Sent by the computer at the end of played audio (``AT+VTX``)."""
CANCEL_TX = bytes((DLE, CAN))
"""Sent by the computer to drop the modem's playback buffer."""
STOP_RX_USR = bytes((DLE, ord("!")))
"""Sent by the computer to stop ``AT+VRX`` (USRobotics, Conexant)."""
STOP_RX_ZOOM = bytes((DLE, ord("^")))
"""Sent by the computer to stop ``AT+VRX`` on Zoom modems."""

EVENT_NAMES: dict[str, str] = {
    "b": "busy tone",
    "d": "dial tone",
    "s": "silence",
    "q": "quiet",
    "h": "handset on hook",
    "H": "handset off hook",
    "l": "loop current break",
    "L": "loop polarity reversal",
    "R": "ring",
    "r": "ringback",
    "u": "transmit underrun",
    "o": "receive overrun",
    "c": "fax calling tone",
    "e": "data calling tone",
    "a": "answer tone",
    "/": "DTMF start",
    "~": "DTMF end",
    "ETX": "end of stream",
}
DTMF_DIGITS = frozenset("0123456789*#ABCD")
HANGUP_EVENTS = frozenset("bdslL")
"""Events meaning the caller has hung up (busy tone, dial tone, silence, loop break/reversal)."""


def stuff(data: bytes) -> bytes:
    """Double every DLE byte of ``data`` (audio sent to the modem)."""
    return data.replace(b"\x10", b"\x10\x10")


def encode_event(code: str) -> bytes:
    """The bytes a modem sends for event ``code`` (one character, or ``"ETX"``)."""
    if code == "ETX":
        return END_TX
    if len(code) != 1 or code in ("\x10", "\x1a"):
        raise ValueError(f"DLE event code must be one character other than DLE/SUB, got {code!r}")
    return bytes((DLE,)) + code.encode("latin-1")


@dataclasses.dataclass(frozen=True)
class Decoded:
    """What one :meth:`DleDecoder.feed` produced.

    ``audio``: the samples; ``events``: event codes in order (``"ETX"`` for the
    end of the stream); ``rest``: bytes after ``<DLE><ETX>`` (the modem is back
    in command mode, they are text), or ``None`` if the stream goes on.
    """

    audio: bytes
    events: list[str]
    rest: bytes | None = None


class DleDecoder:
    """Unstuff a stream from the modem, extracting events; correct across split reads."""

    def __init__(self) -> None:
        self._pending_dle = False
        self.ended = False

    def reset(self) -> None:
        self._pending_dle = False
        self.ended = False

    def feed(self, data: bytes) -> Decoded:
        if self.ended:
            return Decoded(b"", [], bytes(data))
        if not self._pending_dle and DLE not in data:
            return Decoded(bytes(data), [])
        out = bytearray()
        events: list[str] = []
        i = 0
        n = len(data)
        if self._pending_dle:
            self._pending_dle = False
            if n == 0:
                self._pending_dle = True
                return Decoded(b"", [])
            i = self._pair(data[0], out, events)
            if self.ended:
                return Decoded(bytes(out), events, bytes(data[1:]))
        while i < n:
            j = data.find(DLE, i)
            if j < 0:
                out += data[i:]
                break
            out += data[i:j]
            if j + 1 >= n:
                self._pending_dle = True
                break
            self._pair(data[j + 1], out, events)
            i = j + 2
            if self.ended:
                return Decoded(bytes(out), events, bytes(data[i:]))
        return Decoded(bytes(out), events)

    def _pair(self, b: int, out: bytearray, events: list[str]) -> int:
        if b == DLE:
            out.append(DLE)
        elif b == SUB:
            out += b"\x10\x10"
        elif b == ETX:
            events.append("ETX")
            self.ended = True
        else:
            events.append(chr(b))
        return 1


class DtmfCollapser:
    """Collapse repeated DTMF reports (Conexant repeats a held key every ~70 ms).

    A digit is reported again only after ``gap`` seconds without hearing it, or
    after another digit. ``/`` and ``~`` framing codes are ignored (Conexant
    repeats the whole ``/ d ~`` frame while the key is held).
    """

    def __init__(self, gap: float = 0.25) -> None:
        self.gap = gap
        self._last: str | None = None
        self._last_t = -1e9

    def push(self, code: str, t: float) -> str | None:
        """Feed one event at time ``t``; return the digit to report, or None."""
        if code not in DTMF_DIGITS:
            return None
        if code == self._last and t - self._last_t < self.gap:
            self._last_t = t
            return None
        self._last = code
        self._last_t = t
        return code
