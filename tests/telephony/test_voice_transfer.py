"""The analog hook-flash transfer in the voice-modem logic, as pure functions over modem replies and DLE events
(issue 17 item 2): flash, dial, the second call's ringback and busy tone, the technician's keys, hang up."""

from __future__ import annotations

import pytest

from appliance.telephony.line import ControlResult, Dtmf, HungUp, LineEvent, OtherParty
from appliance.telephony.protocol import AtResponse
from appliance.telephony.steps import Cmd
from appliance.telephony.voice_calls import VoiceCalls, VoiceSettings, dial_string

from .logic import drive


class Modem:
    def __init__(self, finals: dict[str, str] | None = None) -> None:
        self.finals = finals or {}
        self.sent: list[str] = []

    def __call__(self, cmd: Cmd) -> AtResponse:
        self.sent.append(cmd.text)
        return AtResponse(cmd.text, (), self.finals.get(cmd.text, "OK"))


class Clock:
    def __init__(self) -> None:
        self.t = 100.0

    def __call__(self) -> float:
        return self.t


def in_call(model: str = "usr5637", **kw: object) -> tuple[VoiceCalls, Clock]:
    clock = Clock()
    calls = VoiceCalls(VoiceSettings(country="FR", model=model, **kw), clock=clock)  # type: ignore[arg-type]
    calls.in_call = True
    return calls, clock


def results(events: list[LineEvent]) -> list[tuple[str, bool]]:
    return [(e.action, e.ok) for e in events if isinstance(e, ControlResult)]


@pytest.mark.parametrize(("number", "country", "digits"), [
    ("+33600000001", "FR", "0600000001"),
    ("+447700900001", "GB", "07700900001"),
    ("+447700900001", "FR", "00447700900001"),
    ("+14155550100", "US", "14155550100"),
    ("+33600000001", "US", "01133600000001"),
    ("0600000001", "FR", "0600000001"),
])
def test_dial_string_from_the_lines_country(number: str, country: str, digits: str) -> None:
    assert dial_string(number, country) == digits


@pytest.mark.parametrize(("model", "first"), [("usr5637", "ATD!;"), ("cx93010", "ATS29=27")])
def test_flash_dial_ringback_answer_keys_and_hang_up(model: str, first: str) -> None:
    calls, clock = in_call(model)
    modem = Modem()
    assert results(drive(calls.hold(), modem)) == [("hold", True)]
    assert modem.sent[0] == first and "ATD!;" in modem.sent
    assert results(drive(calls.dial("+33600000001"), modem)) == [("dial", True)]
    assert modem.sent[-1] == "ATDTW0600000001;"
    # dial tone and silence after the flash belong to the second call: the caller's call goes on
    for code in ("d", "s", "q"):
        assert drive(calls.on_dle(code), modem) == [] and calls.in_call
    assert [e.state for e in drive(calls.on_dle("r"), modem) if isinstance(e, OtherParty)] == ["alerting"]
    clock.t += 5.0
    assert drive(calls.on_dle("r"), modem) == []
    clock.t += 5.0  # less than 1.6 ring periods since the last ringback: still ringing
    assert drive(calls.tick(), modem) == []
    clock.t += 4.0
    ev = drive(calls.tick(), modem)
    assert [(e.state, e.reason) for e in ev if isinstance(e, OtherParty)] == [("active", "ringback stopped")]
    assert [e.digit for e in drive(calls.on_dle("1"), modem) if isinstance(e, Dtmf)] == ["1"]
    ev = drive(calls.transfer(), modem)
    assert results(ev) == [("transfer", True)]
    assert [e.by for e in ev if isinstance(e, HungUp)] == ["box"] and modem.sent[-1] == "ATH0"


def test_no_report_from_the_modem_announces_after_the_configured_time() -> None:
    calls, clock = in_call(announce_after=6.0)
    modem = Modem()
    drive(calls.hold(), modem)
    drive(calls.dial("+33600000001"), modem)
    clock.t += 5.9
    assert drive(calls.tick(), modem) == []
    clock.t += 0.2
    assert [e.state for e in drive(calls.tick(), modem) if isinstance(e, OtherParty)] == ["active"]


def test_busy_tone_ends_the_second_call_only_and_the_caller_comes_back() -> None:
    calls, _ = in_call(flash_back="1")
    modem = Modem()
    drive(calls.hold(), modem)
    drive(calls.dial("+33600000001"), modem)
    ev = drive(calls.on_dle("b"), modem)
    assert [(e.state, e.reason) for e in ev if isinstance(e, OtherParty)] == [("ended", "busy tone")]
    assert calls.in_call and not any(isinstance(e, HungUp) for e in ev)
    assert results(drive(calls.back_to_caller(), modem)) == [("back", True)]
    assert "ATD!1;" in modem.sent and not calls.held
    # back to a normal call: busy tone means the caller hung up again
    assert [e.by for e in drive(calls.on_dle("b"), modem) if isinstance(e, HungUp)] == ["caller"]


@pytest.mark.parametrize(("finals", "step", "ok"), [
    ({"ATD!;": "ERROR"}, "hold", False),
    ({"ATDTW0600000001;": "NO DIALTONE"}, "dial", False),  # no transfer service on the line
    ({"ATDTW0600000001;": "BUSY"}, "dial", False),
])
def test_failures(finals: dict[str, str], step: str, ok: bool) -> None:
    calls, _ = in_call()
    modem = Modem(finals)
    got = results(drive(calls.hold(), modem))
    if step == "dial":
        got = results(drive(calls.dial("+33600000001"), modem))
    assert got == [(step, ok)] and calls.in_call


@pytest.mark.parametrize("number", ["06;ATH", "", "+33 6", "ATZ"])
def test_only_numbers_are_dialled(number: str) -> None:
    calls, _ = in_call()
    modem = Modem()
    drive(calls.hold(), modem)
    assert results(drive(calls.dial(number), modem)) == [("dial", False)]
    assert not any(c.startswith("ATDT") for c in modem.sent)


def test_no_second_call_no_transfer() -> None:
    calls, _ = in_call()
    modem = Modem()
    assert results(drive(calls.transfer(), modem)) == [("transfer", False)]
    assert calls.in_call and modem.sent == []
