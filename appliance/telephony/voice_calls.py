"""The voice-modem driver's call logic without I/O: modem lines, DLE events and ticks in, steps out.

Rings come as ``RING`` lines (also ``RING RING``, UK ``CID RING``, ``RING;<number>``) or
``<DLE>R``; a call's rings are counted from the source of its first ring (a modem
that reports each ring both ways rings once), and the second burst of a UK double
ring is the same ring. Caller id is parsed by :mod:`.callerid` (every layout) and
attached to the call; caller id with no ring beside it still makes a call: if no
ring follows within the ring timeout, the call is reported (its caller, then
``RingStopped``). Busy tone, dial tone, silence and loop break end a call; DTMF
repeats are collapsed. Numbers are in E.164 for the line's country.
"""

from __future__ import annotations

import dataclasses
import logging
import time

from ..errors import LineError, ModemTimeout
from .callerid import merge, parse_cid, to_caller
from .dle import EVENT_NAMES, HANGUP_EVENTS, DtmfCollapser
from .line import (
    Answered,
    CallerId,
    CallerIdUpdate,
    Dtmf,
    HungUp,
    LineState,
    Ringing,
    RingStopped,
    Unrecognised,
)
from .protocol import CONNECT_FINALS
from .steps import Audio, Clock, Cmd, Emit, SetState, Status, Work, send

log = logging.getLogger(__name__)

RING_PERIOD = {"FR": 5.0, "GB": 3.0, "US": 6.0, "CA": 6.0, "BE": 4.0, "CH": 5.0, "DE": 5.0}
"""Seconds from one ring to the next (FR 1.5 s on / 3.5 s off; GB 0.4-0.2-0.4 on / 2 s off; US and CA
2 s / 4 s; BE 1 s / 3 s; CH and DE 1 s / 4 s)."""
VSM = {
    "usr5637": {"u8": "128,8000", "s16le": "129,8000", "alaw": "130,8000", "ulaw": "131,8000"},
    "cx93010": {"u8": "1,8000,0,0", "ulaw": "4,8000,0,0", "alaw": "5,8000,0,0"},
}
VSD = {"usr5637": "AT+VSD=128,0", "cx93010": "AT+VSD=0,0"}
END_LINES = ("NO CARRIER", "BUSY", "NO DIALTONE", "NO DIAL TONE")
STATUS_ONLY = ("OK", "CONNECT", "VCON", "DRON", "DROF", "+VCID", "CIDINFO", "RING 1", "ERROR")
CID_SETTLE = 0.5
"""Seconds after the last caller-id line before the record is taken as complete (modems print the
lines of one record within milliseconds; a log's timestamps may spread them a little)."""


@dataclasses.dataclass
class VoiceSettings:
    country: str = "FR"
    model: str = "usr5637"
    sample_format: str = "u8"
    ring_period: float | None = None
    keepalive: float = 30.0

    def __post_init__(self) -> None:
        if self.country not in RING_PERIOD:
            raise LineError(f"unknown country {self.country!r} for ring cadence; expected one of "
                            f"{', '.join(RING_PERIOD)}")

    @property
    def ring_timeout(self) -> float:
        return 1.6 * (self.ring_period or RING_PERIOD[self.country]) + 0.3

    @property
    def min_ring_gap(self) -> float:
        """UK double ring (0.4 s on, 0.2 s off, 0.4 s on): some modems print RING for each burst."""
        period = self.ring_period or RING_PERIOD[self.country]
        return min(1.0, 0.4 * period) if self.country == "GB" else 0.0


class VoiceCalls:
    """Call state of one analog line; every method returns a :data:`~.steps.Work` generator."""

    def __init__(self, settings: VoiceSettings | None = None, *, clock: Clock = time.monotonic,
                 name: str = "voicemodem") -> None:
        self.s = settings or VoiceSettings()
        self.clock = clock
        self.name = name
        self.last_ping = 0.0
        self.reset()

    def reset(self) -> None:
        self.rings = 0
        self.caller = CallerId()
        self.ringing = False
        self.in_call = False
        self.last_ring = 0.0
        self.ring_source = ""
        self.cid: dict[str, str] = {}
        self.cid_due: float | None = None
        self.evidence_due: float | None = None
        self.dtmf = DtmfCollapser()

    def _new_call(self) -> None:
        self.rings = 0
        self.caller = CallerId()
        self.ringing = False
        self.in_call = False
        self.cid = {}
        self.cid_due = None
        self.evidence_due = None

    # ------------------------------------------------------------------ init
    def init(self, want_model: str = "auto") -> Work:
        self.reset()
        self.last_ping = self.clock()
        for attempt in range(3):
            try:
                yield from send(Cmd("AT", 2.0, check=True))
                break
            except ModemTimeout:
                if attempt == 2:
                    raise
        yield Cmd("ATZ", 5.0, check=True)
        yield Cmd("ATE0", check=True)
        yield Cmd("ATV1", check=True)
        i0 = (yield from send(Cmd("ATI0"))).text()
        i3 = (yield from send(Cmd("ATI3"))).text()
        self.s.model = model_name(i0 + " " + i3, want_model)
        yield Status({"model": i3.strip() or i0.strip(), "firmware": i0.strip()})
        fmts = VSM[self.s.model]
        if self.s.sample_format not in fmts:
            raise LineError(f"line {self.name}: sample format {self.s.sample_format!r} not available on "
                            f"{self.s.model}; choose one of {', '.join(fmts)}")
        yield Cmd("AT+FCLASS=8", check=True)
        if not (yield from send(Cmd("AT+VCID=1"))).ok:
            yield Cmd("AT#CID=1")
        if self.s.model == "cx93010":
            yield Cmd("AT-SCID=1")
        yield Status({"audio": f"{self.s.sample_format} 8 kHz half duplex", "registration": "analog line"})

    # ------------------------------------------------------------------ modem lines
    def on_line(self, line: str, continuation: bool = False) -> Work:
        u = line.upper()
        c = parse_cid(line)
        if c is not None:
            for _ in range(c.rings):
                yield from self._ring("RING")
            if c.fields or c.frame:
                yield from self._caller_id(c.fields, complete=c.frame == "end")
            return
        if u in END_LINES:
            if self.in_call:
                yield from self._end_call("caller", line)
            return
        if u.startswith(STATUS_ONLY):
            log.debug("line %s: %r", self.name, line)
            return
        yield Emit(Unrecognised(line=line))

    def _caller_id(self, fields: tuple[tuple[str, str], ...], complete: bool) -> Work:
        if self.in_call:
            return
        merge(self.cid, fields)
        now = self.clock()
        if self.ringing:
            self.cid_due = now if complete else now + CID_SETTLE
            if complete:
                yield from self._flush_cid()
        elif self.cid and self.evidence_due is None:
            self.evidence_due = now + self.s.ring_timeout  # a ring should follow: if none does, still a call
            yield SetState(LineState.RINGING)

    def _ring(self, source: str) -> Work:
        """A ring reported by ``source`` ("RING" line or "DLE" ``<DLE>R``).

        A call's rings are counted from the source of its first ring: a modem
        that reports each ring both ways rings once, not twice; the other
        source only keeps the call ringing."""
        if self.in_call:
            return
        now = self.clock()
        if self.ringing and (source != self.ring_source or now - self.last_ring < self.s.min_ring_gap):
            self.last_ring = now  # the same ring reported the other way, or the second burst of a UK double ring
            return
        if self.cid_due is not None:
            yield from self._flush_cid()  # a new ring: the caller-id record before it is complete
        if not self.ringing:
            cid = self.cid
            self._new_call()
            self.cid = cid
            self.ring_source = source
            self.ringing = True
            yield SetState(LineState.RINGING)
            if cid:
                self.caller = to_caller(cid, self.s.country)
        self.rings += 1
        self.last_ring = now
        yield Emit(Ringing(caller=self.caller, count=self.rings))

    def _flush_cid(self) -> Work:
        self.cid_due = None
        if not self.cid or not self.ringing:
            return
        cid = to_caller(self.cid, self.s.country)
        if cid != self.caller:
            self.caller = cid
            yield Emit(CallerIdUpdate(caller=cid))

    # ------------------------------------------------------------------ DLE events
    def on_dle(self, code: str) -> Work:
        now = self.clock()
        if self.in_call:
            if code in HANGUP_EVENTS:
                yield from self._end_call("caller", EVENT_NAMES.get(code, code))
                return
            d = self.dtmf.push(code, now)
            if d is not None:
                yield Emit(Dtmf(digit=d))
            return
        if code == "R":  # V.253 ring event: some modems report rings as <DLE>R in voice mode
            yield from self._ring("DLE")
            return
        if self.ringing and code == "H":
            yield from self._ring_stopped("staff", "extension picked up (handset off hook)")
            return
        log.debug("line %s: DLE %r while idle", self.name, code)

    # ------------------------------------------------------------------ actions
    def answer(self) -> Work:
        if not self.ringing:
            log.info("line %s: answer requested but nothing rings", self.name)
            return
        yield from self._flush_cid()
        fmt = VSM[self.s.model][self.s.sample_format]
        yield Cmd("AT+FCLASS=8", check=True)
        yield Cmd(f"AT+VSM={fmt}", check=True)
        yield Cmd(VSD[self.s.model])
        r = yield from send(Cmd("AT+VLS=1", 10.0, CONNECT_FINALS))
        if not r.ok and r.final != "VCON":
            yield from self._ring_stopped("caller", f"AT+VLS=1 answered {r.final}")
            return
        self.ringing = False
        self.in_call = True
        self.cid = {}
        yield SetState(LineState.IN_CALL)
        yield Emit(Answered())
        yield Audio("start")

    def hang_up(self) -> Work:
        if self.in_call:
            yield from self._end_call("box", "ATH0")
        elif self.ringing:
            yield Cmd("ATH0")
            yield from self._ring_stopped("box", "rejected")

    def _end_call(self, by: str, reason: str) -> Work:
        self.in_call = False
        yield Audio("stop")
        yield Cmd("ATH0")
        self._new_call()
        yield SetState(LineState.READY)
        yield Emit(HungUp(by=by, reason=reason))  # type: ignore[arg-type]

    def _ring_stopped(self, by: str, reason: str) -> Work:
        self._new_call()
        yield SetState(LineState.READY)
        yield Emit(RingStopped(by=by, reason=reason))  # type: ignore[arg-type]

    # ------------------------------------------------------------------ time passing
    def tick(self) -> Work:
        now = self.clock()
        if self.cid_due is not None and now >= self.cid_due:
            yield from self._flush_cid()
        if self.evidence_due is not None and now >= self.evidence_due and not self.busy:
            caller = to_caller(self.cid, self.s.country)
            self._new_call()
            yield SetState(LineState.READY)
            yield Emit(Ringing(caller=caller, count=1))
            yield Emit(RingStopped(by="caller", reason="caller id, then no ring"))
        elif self.ringing and now - self.last_ring > self.s.ring_timeout:
            yield from self._ring_stopped("caller", f"no ring for {self.s.ring_timeout:.1f} s")
        elif not self.busy and now - self.last_ping >= self.s.keepalive:
            self.last_ping = now
            yield Cmd("AT", check=True)

    @property
    def busy(self) -> bool:
        return self.ringing or self.in_call


def model_name(ident: str, want: str = "auto") -> str:
    if want in VSM:
        return want
    u = ident.upper()
    if "CX93" in u or "CONEXANT" in u or "56000" in u:
        return "cx93010"
    return "usr5637"
