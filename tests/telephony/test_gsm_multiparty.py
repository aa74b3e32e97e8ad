"""Putting a caller through on a GSM line, as pure functions over modem replies (27.007 +CHLD, ATD, +CLCC):
what is sent, and which call each result code belongs to."""

from __future__ import annotations

import pytest

from appliance.telephony.gsm_calls import GsmCalls
from appliance.telephony.gsm_multiparty import parse_chld
from appliance.telephony.line import ControlResult, HungUp, LineEvent, OtherParty
from appliance.telephony.protocol import AtResponse
from appliance.telephony.steps import Cmd

from .logic import drive

CALLER = '+CLCC: 1,1,0,0,0,"0612345678",129'
CALLER_HELD = '+CLCC: 1,1,1,0,0,"0612345678",129'
WAITING = '+CLCC: 3,1,5,0,0,"0698765432",129'
TECH = '+CLCC: 2,0,{stat},0,0,"0611111111",129'


class Modem:
    """Canned replies: ``clcc`` is what AT+CLCC lists now; ``finals`` the final code per command."""

    def __init__(self, clcc: list[str], finals: dict[str, str] | None = None,
                 chld: str = "+CHLD: (0,1,1x,2,2x,3,4)") -> None:
        self.clcc = clcc
        self.finals = finals or {}
        self.chld = chld
        self.sent: list[str] = []

    def __call__(self, cmd: Cmd) -> AtResponse:
        self.sent.append(cmd.text)
        if cmd.text == "AT+CLCC":
            return AtResponse(cmd.text, tuple(self.clcc), "OK")
        if cmd.text == "AT+CHLD=?":
            return AtResponse(cmd.text, (self.chld,) if self.chld else (), "OK" if self.chld else "ERROR")
        return AtResponse(cmd.text, (), self.finals.get(cmd.text, "OK"))


def in_call() -> GsmCalls:
    calls = GsmCalls(clock=lambda: 100.0)
    calls.in_call = True
    return calls


def results(events: list[LineEvent]) -> list[tuple[str, bool]]:
    return [(e.action, e.ok) for e in events if isinstance(e, ControlResult)]


@pytest.mark.parametrize(("reply", "codes"), [
    (AtResponse("AT+CHLD=?", ("+CHLD: (0,1,1x,2,2x,3,4)",), "OK"), {"0", "1", "1x", "2", "2x", "3", "4"}),
    (AtResponse("AT+CHLD=?", ("+CHLD: (0-4)",), "OK"), {"0", "1", "2", "3", "4"}),
    (AtResponse("AT+CHLD=?", ("+CHLD: (0-2,1x,2x)",), "OK"), {"0", "1", "2", "1x", "2x"}),
    (AtResponse("AT+CHLD=?", ("+CHLD: (0,1,2,3)",), "OK"), {"0", "1", "2", "3"}),
    (AtResponse("AT+CHLD=?", (), "ERROR"), None),  # unknown: the actions are tried
    (AtResponse("AT+CHLD=?", ("+CHLD:",), "OK"), set()),
    (AtResponse("AT+CHLD=?", ("garbage",), "OK"), set()),
])
def test_chld_list(reply: AtResponse, codes: set[str] | None) -> None:
    assert parse_chld(reply) == codes


def test_hold_then_dial() -> None:
    calls, modem = in_call(), Modem([CALLER])
    assert results(drive(calls.hold(), modem)) == [("hold", True)]
    assert modem.sent == ["AT+CHLD=?", "AT+CLCC", "AT+CHLD=2"]
    modem.clcc = [CALLER_HELD]
    assert results(drive(calls.dial("+33611111111"), modem)) == [("dial", True)]
    assert modem.sent[-1] == "ATD+33611111111;"
    assert calls.mp.active and calls.mp.held


def test_a_waiting_call_is_refused_before_the_hold() -> None:
    """AT+CHLD=2 accepts "the other (held or waiting) call": a third caller waiting would be answered."""
    calls, modem = in_call(), Modem([CALLER, WAITING])
    drive(calls.hold(), modem)
    assert modem.sent == ["AT+CHLD=?", "AT+CLCC", "AT+CHLD=0", "AT+CHLD=2"]


@pytest.mark.parametrize(("chld", "final", "ok"), [
    ("+CHLD: (0,1,1x,2,2x,3,4)", "OK", True),
    ("+CHLD: (0,1,1x,2,2x,3,4)", "+CME ERROR: operation not allowed", False),
    ("+CHLD: (0,1)", "OK", False),  # no hold on this modem: not even tried
    ("", "OK", True),  # AT+CHLD=? refused (phonesim): AT+CHLD=2 tried all the same
    ("", "ERROR", False),
])
def test_hold_results(chld: str, final: str, ok: bool) -> None:
    calls, modem = in_call(), Modem([CALLER], {"AT+CHLD=2": final}, chld=chld)
    assert results(drive(calls.hold(), modem)) == [("hold", ok)]
    assert ("AT+CHLD=2" in modem.sent) is (not chld or "2" in (parse_chld(AtResponse("", (chld,), "OK")) or ()))


@pytest.mark.parametrize("number", ["0611111111;H", "+33 6 11", "ATH", "", "12", "+336111111111111111111111",
                                    "06111111\r\nATH"])
def test_only_numbers_are_dialled(number: str) -> None:
    calls, modem = in_call(), Modem([CALLER])
    drive(calls.hold(), modem)
    assert results(drive(calls.dial(number), modem)) == [("dial", False)]
    assert not any(c.startswith("ATD") for c in modem.sent)


def test_dial_without_hold_is_refused() -> None:
    calls, modem = in_call(), Modem([CALLER])
    assert results(drive(calls.dial("+33611111111"), modem)) == [("dial", False)]
    assert modem.sent == []


@pytest.mark.parametrize("final", ["NO CARRIER", "BUSY", "ERROR", "+CME ERROR: 30"])
def test_dial_failures(final: str) -> None:
    calls, modem = in_call(), Modem([CALLER], {"ATD+33611111111;": final})
    drive(calls.hold(), modem)
    assert results(drive(calls.dial("+33611111111"), modem)) == [("dial", False)]
    assert calls.mp.other is None and calls.in_call  # the caller's call goes on


def test_second_call_progress_from_clcc_and_its_busy_never_ends_the_callers_call() -> None:
    calls, modem = in_call(), Modem([CALLER])
    drive(calls.hold(), modem)
    drive(calls.dial("+33611111111"), modem)
    modem.clcc = [CALLER_HELD, TECH.format(stat=2)]
    assert drive(calls.mp.poll(_entries(modem.clcc)), modem) == []
    modem.clcc = [CALLER_HELD, TECH.format(stat=3)]
    assert [e.state for e in drive(calls.mp.poll(_entries(modem.clcc)), modem) if isinstance(e, OtherParty)] \
        == ["alerting"]
    # BUSY arrives while +CLCC still lists the call: nothing yet; the call leaves the list: ended, busy
    ev = drive(calls.on_line("BUSY"), modem)
    assert not any(isinstance(e, HungUp) for e in ev)
    modem.clcc = [CALLER_HELD]
    ev = drive(calls.on_line("NO CARRIER"), modem)
    assert [(e.state, e.reason) for e in ev if isinstance(e, OtherParty)] == [("ended", "BUSY")]
    assert calls.in_call and not any(isinstance(e, HungUp) for e in ev)


def test_answered_by_voice_call_begin() -> None:
    calls, modem = in_call(), Modem([CALLER])
    drive(calls.hold(), modem)
    drive(calls.dial("+33611111111"), modem)
    ev = drive(calls.on_line("VOICE CALL: BEGIN"), modem)
    assert [e.state for e in ev if isinstance(e, OtherParty)] == ["active"]
    modem.clcc = [CALLER_HELD, TECH.format(stat=0)]
    assert drive(calls.mp.poll(_entries(modem.clcc)), modem) == []  # already known


def test_the_caller_hanging_up_on_hold_ends_everything() -> None:
    calls, modem = in_call(), Modem([CALLER])
    drive(calls.hold(), modem)
    drive(calls.dial("+33611111111"), modem)
    modem.clcc = [TECH.format(stat=0)]
    ev = drive(calls.on_line("NO CARRIER"), modem)
    assert [e.by for e in ev if isinstance(e, HungUp)] == ["caller"]
    assert "AT+CHUP" in modem.sent and not calls.in_call


def test_back_to_the_caller_releases_the_second_call_then_retrieves() -> None:
    calls, modem = in_call(), Modem([CALLER])
    drive(calls.hold(), modem)
    drive(calls.dial("+33611111111"), modem)
    modem.clcc = [CALLER_HELD, TECH.format(stat=0)]
    drive(calls.mp.poll(_entries(modem.clcc)), modem)
    modem.sent.clear()

    def after_release(cmd: Cmd) -> AtResponse:
        if cmd.text == "AT+CHLD=12":
            modem.clcc = [CALLER_HELD]
        return modem(cmd)
    assert results(drive(calls.back_to_caller(), after_release)) == [("back", True)]
    assert modem.sent == ["AT+CHLD=12", "AT+CLCC", "AT+CHLD=2"]
    assert not calls.mp.active


def test_back_with_a_waiting_call_names_the_caller() -> None:
    calls, modem = in_call(), Modem([CALLER])
    drive(calls.hold(), modem)
    modem.clcc = [CALLER_HELD, WAITING]
    drive(calls.back_to_caller(), modem)
    assert modem.sent[-1] == "AT+CHLD=21"


def test_back_when_the_caller_is_gone_fails() -> None:
    calls, modem = in_call(), Modem([CALLER])
    drive(calls.hold(), modem)
    modem.clcc = []
    assert results(drive(calls.back_to_caller(), modem)) == [("back", False)]


def test_explicit_transfer_ends_the_boxs_call() -> None:
    calls, modem = in_call(), Modem([CALLER])
    drive(calls.hold(), modem)
    drive(calls.dial("+33611111111"), modem)
    ev = drive(calls.transfer(), modem)
    assert results(ev) == [("transfer", True)]
    assert [e.by for e in ev if isinstance(e, HungUp)] == ["box"] and not calls.in_call


@pytest.mark.parametrize(("chld", "final", "sent"), [
    ("+CHLD: (0,1,1x,2,2x,3,4)", "+CME ERROR: operation not allowed", True),
    ("+CHLD: (0,1,1x,2,2x,3)", "OK", False),  # not offered: not even tried
])
def test_explicit_transfer_refused(chld: str, final: str, sent: bool) -> None:
    calls, modem = in_call(), Modem([CALLER], {"AT+CHLD=4": final}, chld=chld)
    drive(calls.hold(), modem)
    drive(calls.dial("+33611111111"), modem)
    ev = drive(calls.transfer(), modem)
    assert results(ev) == [("transfer", False)] and calls.in_call
    assert ("AT+CHLD=4" in modem.sent) is sent


def test_three_way_call_mutes_the_box_and_ends_when_a_party_leaves() -> None:
    calls, modem = in_call(), Modem([CALLER])
    drive(calls.hold(), modem)
    drive(calls.dial("+33611111111"), modem)
    assert results(drive(calls.join(), modem)) == [("join", True)]
    assert modem.sent[-1] == "AT+CMUT=1" and calls.mp.conference
    modem.clcc = ['+CLCC: 1,1,0,0,1,"0612345678",129', '+CLCC: 2,0,0,0,1,"0611111111",129']
    assert drive(calls.mp.poll(_entries(modem.clcc)), modem) == []
    modem.clcc = ['+CLCC: 1,1,0,0,0,"0612345678",129']
    ev = drive(calls.on_line("NO CARRIER"), modem)
    assert [e.by for e in ev if isinstance(e, HungUp)] == ["caller"]
    assert modem.sent[-2:] == ["AT+CHUP", "AT+CMUT=0"]


def test_a_plain_call_is_unchanged() -> None:
    """Without a transfer, NO CARRIER ends the call at once, as before."""
    calls, modem = in_call(), Modem([CALLER])
    ev = drive(calls.on_line("NO CARRIER"), modem)
    assert [e.by for e in ev if isinstance(e, HungUp)] == ["caller"] and modem.sent == []


def _entries(lines: list[str]) -> list:  # type: ignore[type-arg]
    from appliance.telephony.parsers import parse_clcc

    return [e for e in (parse_clcc(x, "FR") for x in lines) if e is not None]
