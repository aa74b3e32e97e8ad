"""The simulator does multiparty as a SIM7600 does (27.007): a held call and a second outgoing call, +CLCC
with several entries, +CHLD=0/1/1x/2/2x/3/4 and their results, +CCWA for a third caller, simulated phones
that answer, press keys, are busy, never answer or cannot be reached. Spoken to in raw AT over its pty."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from waiting import wait_until

from appliance.errors import ConfigError
from appliance.telephony.at import AtChannel
from appliance.telephony.protocol import CONNECT_FINALS
from appliance.telephony.simulator import ScriptedCaller, SimPhone, Simulator

TECH = "+33611111111"


@pytest.fixture
def line() -> Iterator[tuple[Simulator, AtChannel, list[str]]]:
    sim = Simulator("gsm", ring_interval=0.3)
    sim.start()
    urcs: list[str] = []
    ch = AtChannel(sim.port, timeout=3.0, on_unsolicited=urcs.append)
    ch.open()
    ch.command("ATE0")
    ch.command("AT+CMEE=1")
    ch.command("AT+CCWA=1,1")
    try:
        yield sim, ch, urcs
    finally:
        ch.close()
        sim.close()


def answer_a_caller(sim: Simulator, ch: AtChannel, urcs: list[str], number: str = "+33612345678") -> None:
    sim.place_call(ScriptedCaller(id="caller", caller_id=number, wait_for_box_hangup=True, max_call_seconds=60))
    assert wait_until(lambda: "RING" in urcs, 5)
    assert ch.command("ATA").ok
    assert wait_until(lambda: "VOICE CALL: BEGIN" in urcs, 5)  # the caller's call (SIM7600)
    urcs.clear()


def clcc(ch: AtChannel) -> list[str]:
    return list(ch.command("AT+CLCC").lines)


def final(ch: AtChannel, cmd: str) -> str:
    return ch.command(cmd, finals=CONNECT_FINALS, check=False).final


def test_chld_is_listed(line: tuple[Simulator, AtChannel, list[str]]) -> None:
    _sim, ch, _ = line
    assert ch.command("AT+CHLD=?").lines == ("+CHLD: (0,1,1x,2,2x,3,4)",)


def test_hold_dial_answer_keys_and_explicit_transfer(line: tuple[Simulator, AtChannel, list[str]]) -> None:
    sim, ch, urcs = line
    sim.add_phone(SimPhone(TECH, answer_after_rings=2, keys="1", listen_silence=0.1))
    answer_a_caller(sim, ch, urcs)
    assert clcc(ch) == ['+CLCC: 1,1,0,0,0,"33612345678",145']
    assert final(ch, f"ATD{TECH};") == "+CME ERROR: 3"  # never over an active call
    assert final(ch, "AT+CHLD=2") == "OK"
    assert clcc(ch) == ['+CLCC: 1,1,1,0,0,"33612345678",145']
    assert final(ch, f"ATD{TECH};") == "OK"
    assert wait_until(lambda: '+CLCC: 2,0,3,0,0,"33611111111",145' in clcc(ch), 5)  # alerting
    assert wait_until(lambda: "VOICE CALL: BEGIN" in urcs, 5)
    assert clcc(ch) == ['+CLCC: 1,1,1,0,0,"33612345678",145', '+CLCC: 2,0,0,0,0,"33611111111",145']
    phone = sim.phone_calls.to(TECH)[0]
    assert phone.rings == 2 and phone.answered_at is not None
    # the box speaks to the active call only: the phone hears it, the held caller does not
    caller = sim.current_call()
    assert caller is not None
    heard_before = len(caller.result.box_audio)
    sim.engine.mp.route_box_audio(b"\x00\x40" * 160 * 10)
    assert len(phone.heard) == 10 and len(caller.result.box_audio) == heard_before
    assert wait_until(lambda: "+RXDTMF: 1" in urcs, 5)
    assert final(ch, "AT+CHLD=4") == "OK"
    assert clcc(ch) == []
    assert caller.result.transferred_to == TECH and phone.connected_to == "+33612345678"
    assert len(caller.result.hold_periods) == 1
    assert wait_until(lambda: caller.ended.is_set(), 10)  # the caller talks, then hangs up: no URC to the box
    assert phone.ended_by == "caller"


def test_the_network_may_refuse_explicit_transfer_then_a_three_way_call(
        line: tuple[Simulator, AtChannel, list[str]]) -> None:
    sim, ch, urcs = line
    sim.ect = False
    sim.add_phone(SimPhone(TECH, answer_after_rings=1, keys=""))
    answer_a_caller(sim, ch, urcs)
    ch.command("AT+CHLD=2")
    ch.command(f"ATD{TECH};")
    assert wait_until(lambda: "VOICE CALL: BEGIN" in urcs, 5)
    assert final(ch, "AT+CHLD=4") == "+CME ERROR: 3"
    assert final(ch, "AT+CHLD=3") == "OK"
    assert clcc(ch) == ['+CLCC: 1,1,0,0,1,"33612345678",145', '+CLCC: 2,0,0,0,1,"33611111111",145']
    caller = sim.current_call()
    assert caller is not None and caller.result.joined_with == TECH
    assert final(ch, "AT+CHLD=3") == "+CME ERROR: 3"  # nothing held any more


@pytest.mark.parametrize(("cmds", "expected"), [
    (["AT+CHLD=12"], ['+CLCC: 1,1,1,0,0,"33612345678",145']),  # release the second call only
    (["AT+CHLD=12", "AT+CHLD=2"], ['+CLCC: 1,1,0,0,0,"33612345678",145']),  # then take the caller back
    (["AT+CHLD=1"], ['+CLCC: 1,1,0,0,0,"33612345678",145']),  # release active, accept held
    (["AT+CHLD=21"], ['+CLCC: 1,1,0,0,0,"33612345678",145', '+CLCC: 2,0,1,0,0,"33611111111",145']),
    (["AT+CHLD=2"], ['+CLCC: 1,1,0,0,0,"33612345678",145', '+CLCC: 2,0,1,0,0,"33611111111",145']),  # swap
    (["AT+CHLD=0"], ['+CLCC: 2,0,0,0,0,"33611111111",145']),  # release the held caller
])
def test_chld_codes_with_a_held_caller_and_an_active_second_call(
        line: tuple[Simulator, AtChannel, list[str]], cmds: list[str], expected: list[str]) -> None:
    sim, ch, urcs = line
    sim.add_phone(SimPhone(TECH, answer_after_rings=1, keys=""))
    answer_a_caller(sim, ch, urcs)
    ch.command("AT+CHLD=2")
    ch.command(f"ATD{TECH};")
    assert wait_until(lambda: "VOICE CALL: BEGIN" in urcs, 5)
    for c in cmds:
        assert final(ch, c) == "OK", c
    assert clcc(ch) == expected


@pytest.mark.parametrize(("cmd", "result"), [
    ("AT+CHLD=3", "+CME ERROR: 3"),  # nothing held
    ("AT+CHLD=4", "+CME ERROR: 3"),
    ("AT+CHLD=19", "+CME ERROR: 3"),  # no call 9
    ("AT+CHLD=5", "ERROR"),
    ("AT+CHLD=x", "ERROR"),
    ("AT+CHLD", "ERROR"),
])
def test_chld_refusals(line: tuple[Simulator, AtChannel, list[str]], cmd: str, result: str) -> None:
    sim, ch, urcs = line
    answer_a_caller(sim, ch, urcs)
    assert final(ch, cmd) == result
    assert clcc(ch) == ['+CLCC: 1,1,0,0,0,"33612345678",145']  # the call is untouched


@pytest.mark.parametrize(("phone", "urc", "reply"), [
    (SimPhone(TECH, behaviour="busy"), "BUSY", "OK"),
    (SimPhone(TECH, behaviour="never_answers", network_timeout=1.0), "NO ANSWER", "OK"),
    (SimPhone(TECH, behaviour="unreachable"), None, "NO CARRIER"),
    (None, None, "NO CARRIER"),  # a number nobody answers for
    (SimPhone(TECH, answer_after_rings=1, keys="", hangup_after=0.3), "NO CARRIER", "OK"),
])
def test_second_call_outcomes(line: tuple[Simulator, AtChannel, list[str]], phone: SimPhone | None,
                              urc: str | None, reply: str) -> None:
    sim, ch, urcs = line
    if phone is not None:
        sim.add_phone(phone)
    answer_a_caller(sim, ch, urcs)
    ch.command("AT+CHLD=2")
    r = ch.command(f"ATD{TECH};", finals=("NO CARRIER", "BUSY", "NO ANSWER"), check=False)
    assert r.final == reply
    if urc is not None:
        assert wait_until(lambda: urc in urcs, 5)
        assert wait_until(lambda: clcc(ch) == ['+CLCC: 1,1,1,0,0,"33612345678",145'], 5)
    assert sim.phone_calls.to(TECH)[0].ended_by is not None or urc is None
    assert final(ch, "AT+CHLD=2") == "OK"  # the caller back
    assert clcc(ch) == ['+CLCC: 1,1,0,0,0,"33612345678",145']


def test_a_third_caller_waits_is_listed_and_refused_by_chld_0(line: tuple[Simulator, AtChannel, list[str]]) -> None:
    sim, ch, urcs = line
    answer_a_caller(sim, ch, urcs)
    third = sim.place_call(ScriptedCaller(id="third", caller_id="+33698765432", hangup_after_rings=20))
    assert wait_until(lambda: any(u.startswith('+CCWA: "+33698765432"') or u.startswith('+CCWA: "33698765432"')
                                  for u in urcs), 5)
    assert clcc(ch) == ['+CLCC: 1,1,0,0,0,"33612345678",145', '+CLCC: 3,1,5,0,0,"33698765432",145']
    assert final(ch, "AT+CHLD=2") == "+CME ERROR: 3"  # would accept the waiting call: never modelled, flagged
    assert final(ch, "AT+CHLD=0") == "OK"  # user determined user busy
    result = third.wait(5)
    assert result.hung_up_by == "network" and not result.answered
    assert clcc(ch) == ['+CLCC: 1,1,0,0,0,"33612345678",145']
    assert "a call is waiting: AT+CHLD=2 would accept it (not modelled)" in " ".join(sim.engine.mp.log)


@pytest.mark.parametrize(("kw", "match"), [
    ({"number": "0611;ATH"}, "not a phone number"),
    ({"number": TECH, "behaviour": "explodes"}, "unknown behaviour"),
    ({"number": TECH, "answer_after_rings": 0}, "answer_after_rings"),
])
def test_bad_phones_are_refused(kw: dict[str, object], match: str) -> None:
    with pytest.raises(ConfigError, match=match):
        SimPhone(**kw)  # type: ignore[arg-type]


def test_analog_hook_flash_transfer() -> None:
    """A voice modem on a line with the operator's transfer: flash, dial, the phone answers, hang up."""
    with Simulator("voicemodem", ring_interval=0.3, hook_flash=True) as sim:
        sim.add_phone(SimPhone(TECH, answer_after_rings=2, keys=""))
        events: list[str] = []
        with AtChannel(sim.port, timeout=3.0, on_unsolicited=events.append, on_dle_event=events.append) as ch:
            ch.command("AT+FCLASS=8")
            sim.place_call(ScriptedCaller(id="c", caller_id="+33612345678", wait_for_box_hangup=True,
                                          max_call_seconds=30))
            assert wait_until(lambda: "RING" in events, 5)
            assert ch.command("AT+VLS=1").ok
            assert final(ch, "ATDTW0611111111;") == "NO DIALTONE"  # no flash: no dial tone
            assert final(ch, "ATD!;") == "OK"
            caller = sim.current_call()
            assert caller is not None and caller.held
            assert final(ch, "ATDTW0611111111;") == "OK"
            assert wait_until(lambda: events.count("r") >= 2, 5)  # ringback reported as <DLE>r
            phone = sim.phone_calls.to(TECH)[0]
            assert wait_until(lambda: phone.answered_at is not None, 5)
            ch.command("ATH0")
            assert caller.result.transferred_to == "0611111111" and phone.connected_to == "+33612345678"


def test_analog_line_without_the_service() -> None:
    with Simulator("voicemodem", ring_interval=0.3) as sim:
        sim.add_phone(SimPhone(TECH))
        events: list[str] = []
        with AtChannel(sim.port, timeout=3.0, on_unsolicited=events.append) as ch:
            ch.command("AT+FCLASS=8")
            sim.place_call(ScriptedCaller(id="c", caller_id="+33612345678", wait_for_box_hangup=True,
                                          max_call_seconds=30))
            assert wait_until(lambda: "RING" in events, 5)
            assert ch.command("AT+VLS=1").ok
            assert final(ch, "ATD!;") == "OK"
            assert final(ch, "ATDTW0611111111;") == "NO DIALTONE"
            assert sim.phone_calls.results == []
