"""Putting a caller through on a GSM line, without I/O: 27.007 call hold and multiparty (``+CHLD``).

The caller's call is the box's incoming call; the box holds it (``AT+CHLD=2``),
dials the second party (``ATD<number>;``) and then either hands both over to the
network (explicit call transfer, ``AT+CHLD=4``), makes a three-way call
(``AT+CHLD=3``, the box then muted and silent until a party leaves), or releases
the second call and takes the caller back (``AT+CHLD=1<x>``, then ``AT+CHLD=2``).

Which call is which comes from ``+CLCC`` (direction: the caller's is mobile
terminated, the box's mobile originated), polled every quarter second while a
second call exists; result codes (``BUSY``, ``NO ANSWER``, ``NO CARRIER``,
``VOICE CALL: END``) arriving meanwhile belong to whichever call left the list,
so they never end the caller's call by mistake. A waiting third call (``+CCWA``)
is never accepted by these commands: it is refused first (``AT+CHLD=0``) when the
caller is taken off hold. Each action yields a
:class:`~.line.ControlResult`; the second call's progress yields
:class:`~.line.OtherParty` events.
"""

from __future__ import annotations

import dataclasses
import logging
import re
from collections.abc import Generator
from typing import TYPE_CHECKING

from .line import ControlAction, ControlResult, OtherParty, OtherState
from .parsers import ClccEntry, parse_clcc
from .protocol import CONNECT_FINALS, AtResponse
from .steps import Audio, Cmd, Emit, Step, Work, send

if TYPE_CHECKING:
    from .gsm_calls import GsmCalls

log = logging.getLogger(__name__)

POLL = 0.25
"""Seconds between ``+CLCC`` polls while the box has a second call."""
DIALLABLE = re.compile(r"\+?\d{3,20}")


@dataclasses.dataclass
class Leg:
    """The second call: the one the box placed."""

    number: str
    index: int | None = None
    state: str = "dialling"
    end_code: str = ""


def parse_chld(reply: AtResponse) -> frozenset[str] | None:
    """``+CHLD: (0,1,1x,2,2x,3,4)`` or ``(0-4)`` -> ``{"0", "1", "1x", ...}``; None when the modem
    refuses the test command (oFono's phonesim does, and still does every ``AT+CHLD=<n>``): unknown,
    so each action is tried and its own result decides."""
    if not reply.ok:
        return None
    rest = reply.value("+CHLD:") or ""
    out: set[str] = set()
    for x in (x.strip().lower() for x in rest.strip().strip("()").split(",")):
        m = re.fullmatch(r"(\d)-(\d)", x)
        if m:
            out.update(str(n) for n in range(int(m.group(1)), int(m.group(2)) + 1))
        elif x:
            out.add(x)
    return frozenset(out)


class Multiparty:
    """Hold, second call, transfer, three-way call and the way back, for one :class:`GsmCalls`."""

    def __init__(self, calls: GsmCalls) -> None:
        self.calls = calls
        self.chld: frozenset[str] | None = None
        self.chld_asked = False
        self.reset()

    def reset(self) -> None:
        self.other: Leg | None = None
        self.held = False
        self.conference = False
        self.caller_index: int | None = None

    @property
    def active(self) -> bool:
        """The box is doing more than one plain call (caller held, second call, three-way call)."""
        return self.other is not None or self.held or self.conference

    @property
    def poll_interval(self) -> float:
        return POLL

    # ------------------------------------------------------------------ actions
    def hold(self) -> Work:
        if not self.calls.in_call:
            yield from _result("hold", False, "no call to hold")
            return
        if not self.chld_asked:
            self.chld_asked = True
            self.chld = parse_chld((yield from send(Cmd("AT+CHLD=?"))))
            log.info("line %s: AT+CHLD=? lists %s", self.calls.name,
                     "(refused: each action will be tried)" if self.chld is None else ",".join(sorted(self.chld)))
        if self.chld is not None and "2" not in self.chld:
            yield from _result("hold", False, "the modem offers no call hold (AT+CHLD=? does not list 2)")
            return
        entries = yield from self._calls()
        if any(e.stat == 5 for e in entries):
            yield Cmd("AT+CHLD=0")  # a waiting third call would be the "other" call AT+CHLD=2 accepts
        self._note_caller(entries)
        r = yield from send(Cmd("AT+CHLD=2", 10.0))
        self.held = r.ok
        yield from _result("hold", r.ok, "AT+CHLD=2" if r.ok else f"AT+CHLD=2 answered {r.final}")

    def dial(self, number: str) -> Work:
        if not DIALLABLE.fullmatch(number):
            yield from _result("dial", False, f"not a number the box dials: {number[:30]!r}")
            return
        if not self.held:
            yield from _result("dial", False, "the caller is not on hold")
            return
        self.other = Leg(number)
        r = yield from send(Cmd(f"ATD{number};", 20.0, CONNECT_FINALS))
        if not r.ok:
            self.other = None
            yield from _result("dial", False, f"ATD answered {r.final}")
            return
        self.calls.last_clcc = -1e9  # look at the calls at once
        yield from _result("dial", True, f"ATD{number};")

    def back(self) -> Work:
        """Release the second call (if any) and take the caller off hold."""
        if self.other is not None:
            yield from self._release_other()
        entries = yield from self._calls()
        caller = self._caller_entry(entries)
        ok, detail = caller is not None, "caller back on the line"
        if caller is not None and caller.stat == 1:
            if any(e.stat == 5 for e in entries):
                r = yield from send(Cmd(f"AT+CHLD=2{caller.index}", 10.0))  # never the waiting call
            else:
                r = yield from send(Cmd("AT+CHLD=2", 10.0))
            ok = r.ok
            detail = r.command if r.ok else f"{r.command} answered {r.final}"
        elif caller is None:
            detail = "the caller's call is gone"
        if ok:
            self.held = False
        yield from _result("back", ok, detail)

    def transfer(self) -> Work:
        """Explicit call transfer: the network connects the two calls and the box leaves both."""
        if self.chld is not None and "4" not in self.chld:
            yield from _result("transfer", False, "the modem offers no explicit call transfer "
                                                  "(AT+CHLD=? does not list 4)")
            return
        r = yield from send(Cmd("AT+CHLD=4", 15.0))
        if not r.ok:
            yield from _result("transfer", False, f"AT+CHLD=4 answered {r.final}")
            return
        yield from _result("transfer", True, "AT+CHLD=4")
        yield from self.calls._end_call("box", "transferred to the second party (AT+CHLD=4)")

    def join(self) -> Work:
        """A three-way call; the box then mutes its side and stays silent until a party leaves
        (27.007 has no way for the box to leave a multiparty call and keep it up)."""
        if self.chld is not None and "3" not in self.chld:
            yield from _result("join", False, "the modem offers no three-way call (AT+CHLD=? does not list 3)")
            return
        r = yield from send(Cmd("AT+CHLD=3", 10.0))
        if not r.ok:
            yield from _result("join", False, f"AT+CHLD=3 answered {r.final}")
            return
        self.held = False
        self.conference = True
        yield Cmd("AT+CMUT=1")
        yield Audio("stop")
        yield from _result("join", True, "AT+CHLD=3, box muted (AT+CMUT=1)")

    def _release_other(self) -> Work:
        leg, self.other = self.other, None
        if leg is None:
            return
        if leg.index is None:
            entries = yield from self._calls()
            leg.index = next((e.index for e in entries if not e.incoming), None)
        if leg.index is None:
            return  # the second call never showed up: nothing to release
        r = yield from send(Cmd(f"AT+CHLD=1{leg.index}", 10.0))
        if not r.ok:
            log.warning("line %s: AT+CHLD=1%d answered %r; releasing the active call instead",
                        self.calls.name, leg.index, r.final)
            yield Cmd("AT+CHLD=1", 10.0)

    # ------------------------------------------------------------------ what the modem reports
    def remote_end(self, line: str) -> Work:
        """A result code that ends *a* call: which one, ``+CLCC`` says."""
        if self.other is not None:
            self.other.end_code = self.other.end_code or line
        entries = yield from self._calls()
        yield from self.poll(entries)

    def connected(self) -> Work:
        """``VOICE CALL: BEGIN``: the second call was answered (a poll confirms it)."""
        if self.other is not None and self.other.state != "active":
            yield from self._other("active")

    def poll(self, entries: list[ClccEntry]) -> Work:
        caller = self._caller_entry(entries)
        mine = [e for e in entries if not e.incoming]
        if caller is None:
            yield from self._hang_up_all("caller", "the caller hung up (no longer listed by +CLCC)")
            return
        if self.conference:
            if not mine:
                yield from self._hang_up_all("caller", "the second party left the three-way call")
            return
        leg = self.other
        if leg is None:
            return
        entry = next((e for e in mine if e.index == leg.index), None) if leg.index is not None else (
            mine[0] if mine else None)
        if entry is None:
            if leg.index is not None or leg.end_code:
                self.other = None
                yield Emit(OtherParty(state="ended", reason=leg.end_code or "no longer listed by +CLCC"))
            return
        leg.index = entry.index
        if entry.stat == 3 and leg.state == "dialling":
            yield from self._other("alerting")
        elif entry.stat == 0 and leg.state != "active":
            yield from self._other("active")

    def _other(self, state: OtherState) -> Work:
        if self.other is not None:
            self.other.state = state
        yield Emit(OtherParty(state=state))

    def _hang_up_all(self, by: str, reason: str) -> Work:
        was_conference = self.conference
        yield Cmd("AT+CHUP")
        if was_conference:
            yield Cmd("AT+CMUT=0")
        yield from self.calls._end_call(by, reason)

    # ------------------------------------------------------------------ helpers
    def _calls(self) -> Generator[Step, AtResponse | None, list[ClccEntry]]:
        r = yield from send(Cmd("AT+CLCC"))
        country = self.calls.s.country
        return [e for e in (parse_clcc(x, country) for x in r.lines) if e is not None] if r.ok else []

    def _note_caller(self, entries: list[ClccEntry]) -> None:
        mine = [e for e in entries if e.incoming and e.stat in (0, 1)]
        if mine:
            self.caller_index = mine[0].index

    def _caller_entry(self, entries: list[ClccEntry]) -> ClccEntry | None:
        ins = [e for e in entries if e.incoming and e.stat in (0, 1)]
        if self.caller_index is not None:
            return next((e for e in ins if e.index == self.caller_index), None)
        return ins[0] if ins else None


def _result(action: ControlAction, ok: bool, detail: str) -> Work:
    if not ok:
        log.info("call control %s failed: %s", action, detail)
    yield Emit(ControlResult(action=action, ok=ok, detail=detail))


__all__ = ["Leg", "Multiparty", "parse_chld"]
