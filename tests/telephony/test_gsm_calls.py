"""The GSM driver's call logic as pure functions over modem lines (issue 16 item 3, issue 18 item 1):
ring words, caller-id evidence of every kind, DTMF forms, call states, SMS in every form, E.164."""

from __future__ import annotations

import pytest

from appliance.telephony.gsm_calls import GsmCalls, parse_missed_call
from appliance.telephony.line import MissedCall, Ringing
from appliance.telephony.protocol import AtResponse
from appliance.telephony.steps import Emit

from .logic import caller, names, run

CLIP = '+CLIP: "0612345678",129,"",0,"",0'
N = "+33612345678"


@pytest.mark.parametrize(("ring", "voice"), [
    ("+CRING: VOICE", True),
    ("+CRING: ALT VOICE/FAX", True),
    ("+CRING: FAX", False),
    ("+CRING: REL ASYNC", False),
    ("+CRING: ASYNC", False),
    ("+CRING: GPRS \"IP\",\"10.0.0.1\"", False),
    ("RING", True),
])
def test_cring_types(ring: str, voice: bool) -> None:
    events = run([ring, ring, "NO CARRIER"], "gsm")
    assert ("ringing" in names(events)) is voice
    assert "unparsed" not in names(events)


@pytest.mark.parametrize(("lines", "rings", "who"), [
    (["RING", CLIP, "RING", CLIP], 2, N),  # the usual pair
    ([CLIP, "RING", CLIP, "RING"], 2, N),  # caller id first (SIM800 order in some firmware)
    ([CLIP, CLIP, CLIP], 3, N),  # a log that missed every RING
    (["RING", "RING"], 2, None),  # no caller id at all
    (['+CLCC: 1,1,4,0,0,"0612345678",129'], 1, N),  # only a call-state report
    (['*ECAV: 1,6,1,,,"0612345678",129'], 1, N),
    (['*ECAV: 1,5,0,,,"0612345678",129', "RING", CLIP], 1, N),  # phonesim: state, then its first ring
    (["+CRING: VOICE", CLIP], 1, N),
])
def test_any_caller_id_evidence_starts_one_call(lines: list[str], rings: int, who: str | None) -> None:
    events = run([*lines, "NO CARRIER"], "gsm")
    firsts = [e for e in events if e.event == "ringing" and e.fields["count"] == 1]
    assert len(firsts) == 1, names(events)
    assert max(e.fields["count"] for e in events if e.event == "ringing") == rings
    assert (caller(events) or (None,))[0] == who
    assert names(events)[-1] == "missed"


@pytest.mark.parametrize(("lines", "digits"), [
    (["+DTMF: 1", "+DTMF: 2"], "12"),
    (["+DTMF: 5,120", "+DTMF: #,300"], "5#"),
    (["+RXDTMF: 7", '+RXDTMF: "8"'], "78"),
    (["+DTMF:9"], "9"),
    (["+DTMF:1400", "+DTMF: 3"], "3"),  # a single-frequency tone is not a key
])
def test_dtmf_forms(lines: list[str], digits: str) -> None:
    events = run(["RING", CLIP, "TX: ATA", "OK", *lines, "NO CARRIER"], "gsm")
    assert "".join(e.fields["digit"] for e in events if e.event == "dtmf") == digits
    assert "unparsed" not in names(events)


def test_dtmf_repeats_collapsed_by_duration() -> None:
    clock = [100.0]
    calls = GsmCalls(clock=lambda: clock[0])
    calls.in_call = True

    def press(line: str, at: float) -> list[str]:
        clock[0] = at
        return [s.event.digit for s in calls.on_line(line) if isinstance(s, Emit)]  # type: ignore[attr-defined]

    assert press("+DTMF: 5,300", 100.0) == ["5"]
    assert press("+DTMF: 5,300", 100.2) == []  # pressed 0.3 s before: the same press reported again
    assert press("+DTMF: 5,100", 100.9) == ["5"]  # a new press
    assert press("+RXDTMF: 5", 100.95) == []  # no duration: within 0.1 s is the same key


@pytest.mark.parametrize(("line", "number", "raw"), [
    ("MISSED_CALL: 10:30AM +447700900123", "+447700900123", "+447700900123"),
    ("MISSED_CALL: 14:05 0612345678", N, "0612345678"),
    ("MISSED_CALL: 01:02AM 13800000000", "13800000000", "13800000000"),  # no E.164 form on a French line
])
def test_missed_call_while_idle_is_logged_with_its_number(line: str, number: str, raw: str) -> None:
    events = run([line], "gsm")
    missed = [e for e in events if e.event == "missed_call"]
    assert len(missed) == 1 and (missed[0].fields["number"], missed[0].fields["raw"]) == (number, raw)


def test_missed_call_parser_malformed() -> None:
    assert parse_missed_call("MISSED_CALL:", "FR").unavailable
    assert parse_missed_call("MISSED_CALL: 10:30AM Private", "FR").withheld


@pytest.mark.parametrize(("lines", "story"), [
    (['*ECAV: 1,6,1,,,"0612345678",129', "*ECAV: 1,0,1,08,016"], ["ringing", "missed"]),  # unanswered, no NO CARRIER
    (['*ECAV: 1,6,1,,,"0612345678",129', "*ECAV: 1,7,1"], ["ringing", "missed"]),
    (['*ECAV: 1,6,1,,,"0612345678",129', "TX: ATA", "OK", "*ECAV: 1,3,1", "*ECAV: 1,0,1"],
     ["ringing", "answered", "hung_up"]),
    (['*ECAV: 1,1,1,,,"0612345678",129', "*ECAV: 1,3,1", "*ECAV: 1,0,1"], []),  # our own outgoing call
    (['*ECAV: 1,6,2,,,"0612345678",129'], []),  # a data call
    (['+CLCC: 1,1,4,0,0,"0612345678",129', "VOICE CALL: BEGIN", "VOICE CALL: END: 000010"],
     ["ringing", "answered", "hung_up"]),  # seen only through +CLCC and VOICE CALL
    (["*ECAV: x"], ["unparsed"]),
])
def test_call_states(lines: list[str], story: list[str]) -> None:
    assert names(run(lines, "gsm")) == story


@pytest.mark.parametrize(("lines", "sender", "raw", "text"), [
    (['+CMT: "+33612345678","","26/11/27,12:00:00+04"', "Fuite"], N, "+33612345678", "Fuite"),
    (['+CMT: "0612345678","","26/11/27,12:00:00+04",129,4,0,0', "Fuite"], N, "0612345678", "Fuite"),
    (['+CMT: "EDF","","26/11/27,12:00:00+04",208,4,0,0', "Votre facture"], "EDF", "EDF", "Votre facture"),
    (['+CMGRD: "REC UNREAD","+33612345678","","26/11/27,10:05:00+04"', "Rappel"], N, "+33612345678", "Rappel"),
    (['+CMGL: 1,"REC READ","3861200000016","","26/11/27,10:10:00+04"', "Code"], "3861200000016", "3861200000016",
     "Code"),
])
def test_sms_text_mode_senders(lines: list[str], sender: str, raw: str, text: str) -> None:
    events = run(lines, "gsm")
    sms = [(e.fields["sender"], e.fields["text"], e.fields["sender_raw"]) for e in events if e.event == "sms"]
    assert sms == [(sender, text, raw)]


@pytest.mark.parametrize(("sender", "country", "expected"), [
    ("+447700900123", "FR", "+447700900123"),
    ("0612345678", "FR", N),
    ("EDF", "FR", "EDF"),
    ("0470123456", "BE", "+32470123456"),
])
def test_sms_pdu_senders(sender: str, country: str, expected: str) -> None:
    from appliance.telephony.pdu import encode_deliver

    pdu = encode_deliver(sender, "Fuite au 2e", (2026, 11, 27, 10, 0, 0))
    events = run([f"+CMT: ,{len(pdu) // 2 - 1}", pdu], "gsm", country)
    assert [(e.fields["sender"], e.fields["text"]) for e in events if e.event == "sms"] == [(expected, "Fuite au 2e")]


@pytest.mark.parametrize("storage", ["SM", "ME", "MT", "SR"])
def test_cmti_on_any_storage_reads_it(storage: str) -> None:
    events = run([f'+CMTI: "{storage}",2', "TX: AT+CMGR=2", '+CMGR: "REC UNREAD","+33612345678","","26/11/27"',
                  "Fuite", "OK"], "gsm")
    assert [e.fields["sender"] for e in events if e.event == "sms"] == [N]


@pytest.mark.parametrize(("clip", "country", "number"), [
    ('+CLIP: "0612345678",129', "FR", N),
    ('+CLIP: "0033612345678",145', "FR", N),
    ('+CLIP: "33612345678",145', "FR", N),
    ('+CLIP: "07700900123",129', "GB", "+447700900123"),
    ('+CLIP: "2125550123",161', "US", "+12125550123"),
    ('+CLIP: "0470123456",129', "BE", "+32470123456"),
    ('+CLIP: "0791234567",129', "CH", "+41791234567"),
    ('+CLIP: "015112345678",129', "DE", "+4915112345678"),
])
def test_caller_id_in_e164_for_the_line_country(clip: str, country: str, number: str) -> None:
    assert caller(run(["RING", clip], "gsm", country))[0] == number  # type: ignore[index]


def test_unknown_lines_are_reported_once_each_and_understood_ones_not() -> None:
    events = run(["+QWERTY: 1", "+CSQ: 20,99", "Call Ready", "SMS Ready", "+CREG: 1"], "gsm")
    assert [e.fields["line"] for e in events if e.event == "unparsed"] == ["+QWERTY: 1"]


def test_missed_call_event_type() -> None:
    steps = list(GsmCalls(clock=lambda: 0.0).on_line("MISSED_CALL: 10:30AM 0612345678"))
    assert [type(s.event) for s in steps if isinstance(s, Emit)] == [MissedCall]
    assert not any(isinstance(s, Emit) and isinstance(s.event, Ringing) for s in steps)


def _poll(calls: GsmCalls, *lines: str) -> list[str]:
    """What one +CLCC poll's answer makes the driver do while a call is in progress."""
    steps = list(calls._clcc_poll(AtResponse("AT+CLCC", tuple(lines), "OK"), 0.0))
    return [type(s.event).__name__ for s in steps if isinstance(s, Emit)]


def test_a_call_gone_from_clcc_is_a_drop_only_on_the_second_poll() -> None:
    """A caller's hang-up can leave +CLCC before its NO CARRIER arrives (a poll answered in between): the first
    poll without the call waits for the NO CARRIER, a second one ends the call as a network drop."""
    calls = GsmCalls(clock=lambda: 0.0)
    calls.in_call = True
    active = '+CLCC: 1,1,0,0,0,"0612345678",129'
    assert _poll(calls) == []
    assert _poll(calls, active) == []  # listed again: the count starts over
    assert _poll(calls) == []
    assert _poll(calls) == ["HungUp"]
    assert not calls.in_call
    calls.in_call = True  # the caller's NO CARRIER right after one empty poll is the caller's hang-up
    assert _poll(calls) == []
    hung = [s.event for s in calls.on_line("NO CARRIER") if isinstance(s, Emit)]
    assert [(type(e).__name__, getattr(e, "by", None)) for e in hung] == [("HungUp", "caller")]
