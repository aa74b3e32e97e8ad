"""The GSM driver's call logic without I/O: modem lines and ticks in, steps out (see :mod:`.steps`).

Any caller-id evidence starts a call: ``RING``/``+CRING: VOICE``, a ``+CLIP``,
an incoming ``+CLCC`` entry or ``*ECAV`` state, and ``MISSED_CALL`` (a call the
box never saw ring becomes a :class:`~.line.MissedCall`). Rings are counted from
the kind of evidence that started the call (``RING`` or ``+CLIP``): a modem that
prints both rings once per cycle, one that prints only one of them still counts,
and the other kind only keeps the call alive. ``+CRING`` of a fax or data call
is not a voice call. Numbers (caller ids and SMS senders) are in E.164 for the
line's country, the modem's form kept in ``raw``.
"""

from __future__ import annotations

import dataclasses
import logging
import re
import time

from ..errors import LineError, ModemError, ModemTimeout
from ..phone import normalise
from .gsm_multiparty import Multiparty
from .line import (
    Answered,
    CallerId,
    CallerIdUpdate,
    CallWaiting,
    Dtmf,
    HungUp,
    LineState,
    MissedCall,
    Ringing,
    RingStopped,
    Unrecognised,
)
from .parsers import (
    ClccEntry,
    parse_clcc,
    parse_clip,
    parse_creg,
    parse_csq,
    parse_dtmf_event,
    split_fields,
)
from .protocol import CONNECT_FINALS, AtResponse
from .sms import SmsHeader, sms_from, sms_header
from .steps import Audio, Clock, Cmd, Emit, SetState, Status, Work, send

log = logging.getLogger(__name__)

END_CODES = ("NO CARRIER", "BUSY", "NO ANSWER", "VOICE CALL: END", "+CEND", "CALL END", "^CEND")
"""Remote end of a call: 27.007, SIMCom, and Huawei (``^CEND:<id>,<duration>,<end status>,<cause>``)."""
STATUS_ONLY = ("+CSQ:", "+CREG:", "+CEREG:", "+CGREG:", "^RSSI", "^HCSQ", "^BOOT", "^MODE", "^SYSINFO", "+CPIN:",
               "CALL READY", "SMS READY", "SMS DONE", "PB DONE", "+CFUN:", "+CTZV", "+CTZE", "*PSUTTZ", "DST:",
               "+QIND", "+CIEV", "+PDP", "+CGEV", "+CUSATP", "+STIN", "^CONN", "^ORIG", "^CONF", "+CPAS",
               "^SRVST", "^SIMST", "+CSSI", "+CSSU", "+CUSD", "+CGREG", "+CNTP", "+CTZU", "*ETZV", "+CREG",
               "VOICE CALL: BEGIN")
"""Lines that need no action (boot, registration, signal...): understood, never counted as unparsed."""
ECAV_STATES = {0: "idle", 1: "calling", 2: "connecting", 3: "active", 4: "hold", 5: "waiting", 6: "alerting",
               7: "busy"}
"""``*ECAV`` call states (Ericsson / ST-Ericsson, spoken by oFono's phonesim)."""


@dataclasses.dataclass
class GsmSettings:
    country: str | None = "FR"
    model: str = "generic"
    read_sms: bool = False
    ring_timeout: float = 8.0
    clcc_interval: float = 1.0
    poll_interval: float = 30.0
    clip_wait: float = 0.25
    dtmf_gap: float = 0.1


class GsmCalls:
    """Call state of one GSM line; every method returns a :data:`~.steps.Work` generator."""

    def __init__(self, settings: GsmSettings | None = None, *, clock: Clock = time.monotonic,
                 name: str = "gsm") -> None:
        self.s = settings or GsmSettings()
        self.clock = clock
        self.name = name
        self.mp = Multiparty(self)
        self.reset()
        self.last_poll = 0.0
        self.read_mem: str | None = None

    # ------------------------------------------------------------------ state
    def reset(self) -> None:
        """No call (port (re)opened, or the call was cut off)."""
        self.rings = 0
        self.caller = CallerId()
        self.ringing = False
        self.in_call = False
        self.answering = False
        self.last_ring = 0.0
        self.source = ""
        self.started_at = 0.0
        self.pending_ring: float | None = None
        self.clip_seen = False
        self.last_clcc = 0.0
        self.clcc_ok = True
        self.clcc_seen = 0.0
        self.clcc_absent = 0  # consecutive +CLCC polls that no longer listed the call in progress
        self.waiting: tuple[str | None, float] = (None, -1e9)
        self.sms_head: SmsHeader | None = None
        self.dtmf: tuple[str, float] = ("", -1e9)
        self.mp.reset()

    def _new_call(self) -> None:
        self.rings = 0
        self.ringing = False
        self.in_call = False
        self.answering = False
        self.pending_ring = None
        self.clcc_absent = 0
        self.mp.reset()

    @property
    def busy(self) -> bool:
        return self.ringing or self.in_call

    # ------------------------------------------------------------------ modem lines
    def on_line(self, line: str, continuation: bool = False) -> Work:
        """An unsolicited line (``continuation``: the text line of the code before it)."""
        u = line.upper()
        if self.sms_head is not None:
            head, self.sms_head = self.sms_head, None
            if continuation or not u.startswith(("+", "RING", "NO CARRIER")):
                yield from self._sms(head, [line])
                return
        if u == "RING" or u.startswith("+CRING"):
            yield from self._ring_line(line)
        elif u.startswith("+CLIP:"):
            yield from self._clip(line)
        elif u.startswith("+CCWA:"):
            yield from self._waiting(parse_clip(line, self.s.country), line)
        elif u.startswith("MISSED_CALL"):
            yield from self._missed(line)
        elif u.startswith("VOICE CALL: BEGIN"):
            if self.in_call and self.mp.other is not None:
                yield from self.mp.connected()  # the second call the box dialled was answered
            else:
                yield from self._connected_elsewhere(line)
        elif u.startswith(END_CODES):
            yield from self._remote_end(line)
        elif u.startswith(("+DTMF", "+RXDTMF")):
            yield from self._dtmf(line)
        elif u.startswith("+CLCC:"):
            yield from self._clcc_line(parse_clcc(line, self.s.country), line)
        elif u.startswith("*ECAV:"):
            yield from self._ecav(line)
        elif u.startswith(("+CMTI:", "+CDSI:")):
            yield from self._cmti(line)
        elif u.startswith(("+CMT:", "+CMGR:", "+CMGRD:", "+CMGL:")):
            yield from self._sms_header(line)
        elif u.startswith("+CSQ:"):
            dbm, q = parse_csq(line)
            yield Status({"signal_dbm": dbm, "signal_quality": q})
        elif u.startswith(("+CREG:", "+CEREG:", "+CGREG:")):
            st = parse_creg(line)
            if st:
                yield Status({"registration": st})
        elif u == "RDY" or u.startswith("NORMAL POWER DOWN"):
            raise ModemError(f"line {self.name}: the modem restarted ({line!r}); re-initialising")
        elif u.startswith(STATUS_ONLY):
            log.debug("line %s: status line %r", self.name, line)
        else:
            yield Emit(Unrecognised(line=line))

    # ------------------------------------------------------------------ rings and caller id
    def _start(self, source: str) -> None:
        now = self.clock()
        self._new_call()
        self.ringing = True
        self.source = source
        self.started_at = now
        self.last_clcc = now
        self.clcc_seen = 0.0

    def _ring_line(self, line: str) -> Work:
        kind = line.split(":", 1)[1].strip().upper() if ":" in line else "VOICE"
        if "VOICE" not in kind:
            log.info("line %s: %r is not a voice call; not answered", self.name, line)
            return
        if self.in_call:
            return
        now = self.clock()
        if not self.ringing:
            keep = self.caller if self.clip_seen else CallerId()
            self._start("ring")
            self.caller = keep
            yield SetState(LineState.RINGING)
        elif not self._counts("ring", now):
            self.last_ring = now
            return
        self.rings += 1
        self.last_ring = now
        if self.clip_seen or self.rings > 1:
            yield Emit(Ringing(caller=self.caller, count=self.rings))
        else:
            self.pending_ring = now + self.s.clip_wait

    def _counts(self, kind: str, now: float) -> bool:
        """A ring line of ``kind`` counts as a new ring of the call in progress."""
        if self.source == "state":  # the state report came with the call's first ring: this is that ring
            self.source = kind
            return False
        return self.source == kind

    def _clip(self, line: str) -> Work:
        cid = parse_clip(line, self.s.country)
        if cid is None:
            yield Emit(Unrecognised(line=line))
            return
        if self.in_call:
            return
        now = self.clock()
        first = not self.clip_seen
        changed = cid != self.caller
        self.clip_seen = True
        self.caller = cid
        if not self.ringing:  # caller id with no RING before it: the call starts here
            self._start("clip")
            self.rings = 1
            self.last_ring = now
            yield SetState(LineState.RINGING)
            yield Emit(Ringing(caller=cid, count=1))
            return
        if self._counts("clip", now):
            self.rings += 1
            self.last_ring = now
            yield Emit(Ringing(caller=cid, count=self.rings))
            return
        self.last_ring = now
        if self.pending_ring is not None:
            self.pending_ring = None
            yield Emit(Ringing(caller=cid, count=self.rings))
        elif first or changed:
            yield Emit(CallerIdUpdate(caller=cid))

    def _state_ring(self, cid: CallerId | None) -> Work:
        """A state report (``+CLCC`` incoming, ``*ECAV`` alerting) shows a call ringing."""
        now = self.clock()
        if self.in_call:
            return
        if self.ringing:
            self.clcc_seen = now
            if cid is not None and cid.number and not self.caller.number:
                self.caller = cid
                self.clip_seen = True
                yield Emit(CallerIdUpdate(caller=cid))
            return
        self._start("state")
        self.rings = 1
        self.last_ring = now
        if cid is not None:
            self.caller = cid
            self.clip_seen = bool(cid.number or cid.withheld)
        yield SetState(LineState.RINGING)
        yield Emit(Ringing(caller=self.caller, count=1))

    def _waiting(self, cid: CallerId | None, line: str) -> Work:
        if cid is None:
            yield Emit(Unrecognised(line=line))
            return
        if not self.in_call and not self.answering:
            yield from self._state_ring(cid)  # "waiting" with nothing in progress: it simply rings
            return
        now = self.clock()
        last, t = self.waiting
        key = cid.display()
        self.waiting = (key, now)
        if key == last and now - t < self.s.ring_timeout:
            return
        log.info("line %s: call waiting from %r", self.name, key)
        yield Emit(CallWaiting(caller=cid))

    def _missed(self, line: str) -> Work:
        cid = parse_missed_call(line, self.s.country)
        if self.ringing:
            if cid.number and not self.caller.number:
                self.caller = cid
                yield Emit(CallerIdUpdate(caller=cid))
            yield from self._ring_stopped("caller", line)
            return
        last, t = self.waiting
        if self.in_call and cid.display() == last and self.clock() - t < 3 * self.s.ring_timeout:
            return  # the waiting call already logged as missed
        yield Emit(MissedCall(caller=cid, reason=line))

    def _connected_elsewhere(self, line: str) -> Work:
        """``VOICE CALL: BEGIN`` (or an active call) the box did not answer: the modem answered it
        (auto-answer) or the log missed the box's ``ATA``: the call is connected all the same."""
        if not self.ringing or self.answering or self.in_call:
            return
        yield from self._connected()

    def _connected(self) -> Work:
        self.ringing = False
        self.in_call = True
        self.clcc_absent = 0
        self.pending_ring = None
        self.last_clcc = self.clock()
        yield SetState(LineState.IN_CALL)
        yield Emit(Answered())
        yield Audio("start")

    def _remote_end(self, line: str) -> Work:
        if self.in_call and self.mp.active:
            yield from self.mp.remote_end(line)  # the caller's call, or the second one: +CLCC says
        elif self.in_call:
            yield from self._end_call("caller", line)
        elif self.ringing:
            yield from self._ring_stopped("caller", line)

    def _end_call(self, by: str, reason: str) -> Work:
        yield Audio("stop")
        self._new_call()
        self.caller = CallerId()
        self.clip_seen = False
        yield SetState(LineState.READY)
        yield Emit(HungUp(by=by, reason=reason))  # type: ignore[arg-type]

    def _ring_stopped(self, by: str, reason: str) -> Work:
        self._new_call()
        self.caller = CallerId()
        self.clip_seen = False
        yield SetState(LineState.READY)
        yield Emit(RingStopped(by=by, reason=reason))  # type: ignore[arg-type]

    def _dtmf(self, line: str) -> Work:
        ev = parse_dtmf_event(line)
        if ev is None:
            rest = line.split(":", 1)[1].strip() if ":" in line else ""
            if rest.split(",")[0] in ("1400", "2300"):  # SIM800 single-frequency tones (AT+DDET ssdet)
                return
            yield Emit(Unrecognised(line=line))
            return
        digit, duration = ev
        now = self.clock()
        last, t = self.dtmf
        self.dtmf = (digit, now)
        # A report whose key was pressed before the previous report of the same key is that same
        # press reported again (with durations: SIM800 "+DTMF: 5,120" after AT+DDET=1,100,1,1).
        held = duration / 1000.0 if duration is not None else self.s.dtmf_gap
        if digit == last and now - held < t:
            return
        if self.in_call:
            yield Emit(Dtmf(digit=digit))

    def _clcc_line(self, e: ClccEntry | None, line: str) -> Work:
        if e is None:
            yield Emit(Unrecognised(line=line))
            return
        if not e.incoming:
            return
        if e.ringing and e.stat == 5 and (self.in_call or self.answering):
            yield from self._waiting(e.caller, line)
        elif e.ringing:
            yield from self._state_ring(e.caller)
        elif e.active:
            yield from self._connected_elsewhere(line)
        elif e.stat == 6:
            yield from self._remote_end(line)

    def _ecav(self, line: str) -> Work:
        f = split_fields(line.split(":", 1)[1])
        if len(f) < 3 or not f[1].isdigit():
            yield Emit(Unrecognised(line=line))
            return
        state = ECAV_STATES.get(int(f[1]), "")
        cid = None
        numbers = [(i, x) for i, x in enumerate(f[3:], 3) if re.fullmatch(r"\+?\d{3,}", x)]
        if numbers:
            i, number = numbers[0]
            ntype = int(f[i + 1]) if i + 1 < len(f) and f[i + 1].isdigit() else None
            cid = parse_clip(f'+CLIP: "{number}",{ntype if ntype is not None else 129}', self.s.country)
        if f[2] not in ("0", "1", "128", "") and state in ("alerting", "waiting"):  # phonesim says 0
            log.info("line %s: %r is not a voice call", self.name, line)
            return
        if state in ("alerting", "waiting"):
            if state == "waiting" and (self.in_call or self.answering):
                yield from self._waiting(cid, line)
            else:
                yield from self._state_ring(cid)
        elif state == "active":
            yield from self._connected_elsewhere(line)
        elif state in ("idle", "busy"):
            yield from self._remote_end(line)

    # ------------------------------------------------------------------ SMS
    def _cmti(self, line: str) -> Work:
        f = split_fields(line.split(":", 1)[1]) if ":" in line else []
        if len(f) < 2 or not (f[1].isascii() and f[1].isdigit()):
            yield Emit(Unrecognised(line=line))
            return
        if not self.s.read_sms:
            return
        mem, idx = f[0].strip().upper(), f[1]
        if mem and mem != self.read_mem:
            r = yield from send(Cmd(f'AT+CPMS="{mem}"'))
            if r.ok:
                self.read_mem = mem
        yield Cmd("AT+CMGF=1")
        r = yield from send(Cmd(f"AT+CMGR={idx}"))
        if r.ok and r.lines:
            yield from self._sms(sms_header(r.lines[0]), list(r.lines[1:]))
            yield Cmd(f"AT+CMGD={idx}")

    def _sms_header(self, line: str) -> Work:
        head = sms_header(line)
        if head is None:
            yield Emit(Unrecognised(line=line))
            return
        self.sms_head = head

    def _sms(self, head: SmsHeader | None, body: list[str]) -> Work:
        sms = sms_from(head, body, self.s.country)
        if sms is None:
            yield Emit(Unrecognised(line=body[0] if body else ""))
            return
        yield Emit(sms)

    # ------------------------------------------------------------------ initialisation
    def init(self, *, pin: str = "", want_model: str = "auto") -> Work:
        """Identify the modem, check the SIM, turn on caller id, call waiting and the rest."""
        self.reset()
        yield from self._first_at()
        yield Cmd("ATE0")  # echo is recognised and skipped anyway
        yield Cmd("AT+CMEE=2")
        mdl = (yield from send(Cmd("AT+CGMM"))).text().strip()
        fw = (yield from send(Cmd("AT+CGMR"))).text().replace("+CGMR:", "").strip()
        self.s.model = model_name(mdl, want_model)
        yield Status({"model": mdl, "firmware": fw})
        yield from self._sim(pin)
        if not (yield from send(Cmd("AT+CLIP=1"))).ok:
            log.warning("line %s: AT+CLIP=1 refused; calls will have no caller id", self.name)
        yield Cmd("AT+CCWA=1,1")
        yield Cmd("AT+CREG=1")
        if self.s.model != "sim7600":
            yield Cmd("AT+DDET=1")
        if self.s.model != "sim800":
            yield Cmd("AT+CVHU=0")
        if self.s.read_sms:
            yield Cmd("AT+CMGF=1")
            yield Cmd("AT+CNMI=2,1,0,0,0")
        yield from self.poll_status()

    def _first_at(self) -> Work:
        for attempt in range(3):
            try:
                yield from send(Cmd("AT", 2.0))
                return
            except ModemTimeout:
                if attempt == 2:
                    raise

    def _sim(self, pin: str) -> Work:
        r = yield from send(Cmd("AT+CPIN?"))
        state = (r.value("+CPIN:") or r.final).upper()
        if r.final == "ERROR":
            log.warning("line %s: AT+CPIN? not supported; assuming the SIM is ready", self.name)
            state = "READY (unchecked)"
        if "SIM PIN" in state and pin:
            r = yield from send(Cmd(f"AT+CPIN={pin}", 10.0))
            if not r.ok:
                raise ModemError(f"line {self.name}: AT+CPIN=**** answered {r.final!r}")
            state = "READY"
        if "READY" not in state:
            yield Status({"sim": state})
            raise LineError(f"line {self.name}: SIM not ready ({state!r}); insert the SIM or set [line] pin")
        yield Status({"sim": state.lower()})

    # ------------------------------------------------------------------ the handler's actions
    def answer(self) -> Work:
        if not self.ringing:
            log.info("line %s: answer requested but nothing rings", self.name)
            return
        if self.pending_ring is not None:
            self.pending_ring = None
            yield Emit(Ringing(caller=self.caller, count=self.rings))
        self.answering = True
        try:
            r = yield from send(Cmd("ATA", 10.0, CONNECT_FINALS))
        finally:
            self.answering = False
        if not self.ringing:
            return  # the call ended while the answer was on its way
        if r.ok:
            yield from self._connected()
        else:
            yield from self._ring_stopped("caller", f"ATA answered {r.final}")

    def hang_up(self) -> Work:
        if not self.busy:
            log.info("line %s: hang-up requested with no call", self.name)
            return
        was_call = self.in_call
        yield Audio("stop")
        r = yield from send(Cmd("AT+CHUP"))
        if not r.ok:
            yield Cmd("ATH")
        if self.mp.conference:
            yield Cmd("AT+CMUT=0")
        if was_call:
            yield from self._end_call("box", "AT+CHUP")
        else:
            yield from self._ring_stopped("box", "rejected with AT+CHUP")

    # ------------------------------------------------------------------ putting the caller through
    def hold(self) -> Work:
        return self.mp.hold()

    def dial(self, number: str) -> Work:
        return self.mp.dial(number)

    def back_to_caller(self) -> Work:
        return self.mp.back()

    def transfer(self) -> Work:
        return self.mp.transfer()

    def join(self) -> Work:
        return self.mp.join()

    # ------------------------------------------------------------------ time passing
    def tick(self) -> Work:
        now = self.clock()
        if self.pending_ring is not None and now >= self.pending_ring:
            self.pending_ring = None
            yield Emit(Ringing(caller=self.caller, count=self.rings))
        if self.ringing and now - max(self.last_ring, self.clcc_seen) > self.s.ring_timeout:
            yield from self._ring_stopped("caller", f"no ring for {self.s.ring_timeout:.0f} s")
            return
        interval = self.mp.poll_interval if self.mp.active else self.s.clcc_interval
        if self.clcc_ok and self.busy and now - self.last_clcc >= interval:
            self.last_clcc = now
            r = yield from send(Cmd("AT+CLCC"))
            yield from self._clcc_poll(r, now)
        if not self.busy and now - self.last_poll >= self.s.poll_interval:
            yield from self.poll_status()

    def _clcc_poll(self, r: AtResponse, now: float) -> Work:
        if not r.ok:
            log.warning("line %s: AT+CLCC answered %r; not polling it", self.name, r.final)
            self.clcc_ok = False
            return
        entries = [e for e in (parse_clcc(x, self.s.country) for x in r.lines) if e is not None]
        if self.in_call and self.mp.active:
            yield from self.mp.poll(entries)
        elif self.in_call and not any(e.active or e.stat == 1 for e in entries):
            # a caller's hang-up may leave +CLCC before its NO CARRIER reaches us (the answer to a poll in
            # flight): a second poll without the call, the NO CARRIER having had its chance, is a drop
            self.clcc_absent += 1
            if self.clcc_absent >= 2:
                yield from self._end_call("network", "call no longer listed by +CLCC")
        elif self.in_call:
            self.clcc_absent = 0
        elif self.ringing:
            ringing = [e for e in entries if e.ringing and e.incoming]
            if ringing:
                self.clcc_seen = now
                cid = ringing[0].caller
                if cid is not None and cid.number and not self.caller.number:  # a modem that sends no +CLIP
                    self.caller = cid
                    self.clip_seen = True
                    yield Emit(CallerIdUpdate(caller=cid))
            elif not any(e.active for e in entries):
                yield from self._ring_stopped("caller", "call no longer listed by +CLCC")

    def poll_status(self) -> Work:
        self.last_poll = self.clock()
        csq = yield from send(Cmd("AT+CSQ"))
        dbm, q = parse_csq(next((x for x in csq.lines if x.upper().startswith("+CSQ:")), ""))
        reg = yield from send(Cmd("AT+CREG?"))
        state = next((s for s in (parse_creg(x) for x in reg.lines) if s), "")
        cops = yield from send(Cmd("AT+COPS?"))
        f = split_fields(cops.value("+COPS:") or "")
        op = f[2] if len(f) > 2 else ""
        yield Status({"signal_dbm": dbm, "signal_quality": q, "registration": state, "operator": op})


def model_name(cgmm: str, want: str = "auto") -> str:
    """``sim800``, ``sim7600`` or ``generic`` from the ``AT+CGMM`` reply (unless configured)."""
    if want != "auto":
        return want
    u = cgmm.upper()
    if "SIM800" in u or "SIM900" in u:
        return "sim800"
    if "SIM7600" in u or "SIM7500" in u or "SIM7000" in u or "A76" in u:
        return "sim7600"
    return "generic"


def parse_missed_call(line: str, country: str | None) -> CallerId:
    """``MISSED_CALL: 10:30AM +447700900123`` (SIMCom; the time may carry a date or none) -> caller."""
    rest = line.split(":", 1)[1] if ":" in line else ""
    tokens = [t for t in rest.replace(",", " ").split() if t]
    number = next((t for t in reversed(tokens) if re.fullmatch(r"\+?\d{3,}", t.strip('"'))), "")
    number = number.strip('"')
    if not number:
        words = " ".join(t for t in tokens if ":" not in t and not re.fullmatch(r"\d+[/-]\d+.*", t))
        withheld = words.strip().lower() in ("private", "withheld", "restricted", "anonymous")
        return CallerId(None, None, withheld=withheld, unavailable=not withheld, raw=words or None)
    n = normalise(number, country)
    return CallerId(n.best, None, 145 if number.startswith("+") else 129, raw=number)


__all__ = ["GsmCalls", "GsmSettings", "parse_missed_call", "send"]
