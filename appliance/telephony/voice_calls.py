"""The voice-modem driver's call logic without I/O: modem lines, DLE events and ticks in, steps out.

Rings come as ``RING`` lines (also ``RING RING``, UK ``CID RING``, ``RING;<number>``) or
``<DLE>R``; a call's rings are counted from the source of its first ring (a modem
that reports each ring both ways rings once), and the second burst of a UK double
ring is the same ring. Caller id is parsed by :mod:`.callerid` (every layout) and
attached to the call; caller id with no ring beside it still makes a call: if no
ring follows within the ring timeout, the call is reported (its caller, then
``RingStopped``). Busy tone, dial tone, silence and loop break end a call; DTMF
repeats are collapsed. Numbers are in E.164 for the line's country.

Putting a caller through (``transfer = "hook_flash"``: the operator's call transfer
service): a hook flash (``ATD!;``) has the exchange hold the caller, ``ATDTW<number>;``
calls the technician, the box speaks to them (the V.253 ringback events ``<DLE>r``
stopping, or ``announce_after`` seconds without any report, count as the answer;
``<DLE>b`` is busy), and hanging up connects the two; ``ATD!<flash_back>;`` (France:
R then 1) drops the second call and takes the caller back. While the caller is held,
dial tone, silence and busy tone belong to the second call and never end the call.
"""

from __future__ import annotations

import dataclasses
import logging
import re
import time

from ..errors import LineError, ModemTimeout
from .callerid import merge, parse_cid, to_caller
from .dle import EVENT_NAMES, HANGUP_EVENTS, DtmfCollapser
from .line import (
    Answered,
    CallerId,
    CallerIdUpdate,
    ControlAction,
    ControlResult,
    Dtmf,
    HungUp,
    LineState,
    OtherParty,
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
class Consult:
    """The second call of a hook-flash transfer."""

    number: str
    dialled_at: float
    ringback_at: float | None = None
    answered: bool = False


@dataclasses.dataclass
class VoiceSettings:
    country: str = "FR"
    model: str = "usr5637"
    sample_format: str = "u8"
    ring_period: float | None = None
    keepalive: float = 30.0
    flash_ms: int = 270
    flash_back: str = "1"
    announce_after: float = 12.0

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
        self.held = False
        self.consult: Consult | None = None

    def _new_call(self) -> None:
        self.rings = 0
        self.caller = CallerId()
        self.ringing = False
        self.in_call = False
        self.cid = {}
        self.cid_due = None
        self.evidence_due = None
        self.held = False
        self.consult = None

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
        if u in END_LINES or u == "VCON":
            if self.in_call and (self.held or self.consult is not None):
                yield from self._consult_line(u)
            elif self.in_call and u != "VCON":
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
        if self.in_call and (self.held or self.consult is not None):
            yield from self._consult_dle(code, now)
            return
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

    # ------------------------------------------------------------------ hook-flash transfer
    def hold(self) -> Work:
        """Hook flash: the exchange holds the caller and gives a dial tone."""
        if not self.in_call:
            yield from _control("hold", False, "no call to hold")
            return
        yield Audio("stop")  # the modem must be in command state to dial
        if self.s.model == "cx93010":
            yield Cmd(f"ATS29={max(1, self.s.flash_ms // 10)}")  # flash length, 10 ms units (Rockwell S29)
        r = yield from send(Cmd("ATD!;", 10.0, CONNECT_FINALS))
        self.held = r.ok
        yield from _control("hold", r.ok, "ATD!; (hook flash)" if r.ok else f"ATD!; answered {r.final}")
        if not r.ok:
            yield Audio("start")

    def dial(self, number: str) -> Work:
        if not re.fullmatch(r"\+?\d{3,20}", number):
            yield from _control("dial", False, f"not a number the box dials: {number[:30]!r}")
            return
        if not self.held:
            yield from _control("dial", False, "the caller is not on hold")
            return
        digits = dial_string(number, self.s.country)
        r = yield from send(Cmd(f"ATDTW{digits};", 30.0, CONNECT_FINALS))
        if not r.ok:
            yield from _control("dial", False, f"ATDTW{digits}; answered {r.final}")
            return
        self.consult = Consult(number, dialled_at=self.clock())
        yield from _control("dial", True, f"ATDTW{digits};")
        yield Audio("start")  # listen: ringback, busy tone, the technician's keys

    def back_to_caller(self) -> Work:
        """Hook flash and the keys that drop the second call: the caller is back."""
        yield Audio("stop")
        r = yield from send(Cmd(f"ATD!{self.s.flash_back};", 10.0, CONNECT_FINALS))
        if r.ok:
            self.held = False
            self.consult = None
        yield from _control("back", r.ok, f"ATD!{self.s.flash_back};" if r.ok else f"answered {r.final}")
        yield Audio("start")

    def transfer(self) -> Work:
        """Hanging up with the second call answered: the exchange connects the two parties."""
        if self.consult is None:
            yield from _control("transfer", False, "no second call to hand the caller to")
            return
        yield from _control("transfer", True, "hook-flash transfer: hung up (ATH0)")
        yield from self._end_call("box", "transferred to the second party (hook flash, then hang-up)")

    def _consult_line(self, u: str) -> Work:
        c = self.consult
        if c is None:
            return
        if u == "VCON":
            yield from self._answered(c, "the modem reported the answer (VCON)")
        else:
            self.consult = None
            yield Emit(OtherParty(state="ended", reason=u))

    def _consult_dle(self, code: str, now: float) -> Work:
        c = self.consult
        d = self.dtmf.push(code, now)
        if d is not None:
            yield Emit(Dtmf(digit=d))
        elif c is not None and code == "r":
            if c.ringback_at is None:
                yield Emit(OtherParty(state="alerting"))
            c.ringback_at = now
        elif c is not None and code == "b":
            self.consult = None
            yield Emit(OtherParty(state="ended", reason="busy tone"))
        else:
            log.debug("line %s: %r during a transfer", self.name, EVENT_NAMES.get(code, code))

    def _answered(self, c: Consult, why: str) -> Work:
        if not c.answered:
            c.answered = True
            yield Emit(OtherParty(state="active", reason=why))

    def _consult_tick(self, now: float) -> Work:
        c = self.consult
        if c is None or c.answered:
            return
        period = self.s.ring_period or RING_PERIOD[self.s.country]
        if c.ringback_at is not None and now - c.ringback_at > 1.6 * period:
            yield from self._answered(c, "ringback stopped")
        elif c.ringback_at is None and now - c.dialled_at >= self.s.announce_after:
            yield from self._answered(c, f"no report from the modem within {self.s.announce_after:.0f} s")

    # ------------------------------------------------------------------ time passing
    def tick(self) -> Work:
        now = self.clock()
        if self.consult is not None:
            yield from self._consult_tick(now)
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


def dial_string(number: str, country: str) -> str:
    """The digits to dial for ``number`` from a line in ``country`` (``+33600000001`` from FR: ``0600000001``)."""
    import phonenumbers

    try:
        n = phonenumbers.parse(number, country)
        return re.sub(r"\D", "", phonenumbers.format_out_of_country_calling_number(n, country)) or number
    except phonenumbers.NumberParseException:
        return number.lstrip("+")


def _control(action: ControlAction, ok: bool, detail: str) -> Work:
    yield Emit(ControlResult(action=action, ok=ok, detail=detail))


def model_name(ident: str, want: str = "auto") -> str:
    if want in VSM:
        return want
    u = ident.upper()
    if "CX93" in u or "CONEXANT" in u or "56000" in u:
        return "cx93010"
    return "usr5637"
