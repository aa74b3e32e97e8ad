"""The sans-I/O AT protocol: bytes in, events out; no port, thread, clock or sleep (issue 18, item 1)."""

from __future__ import annotations

import pytest

from appliance.telephony.protocol import (
    CONNECT_FINALS,
    AtProtocol,
    DataEnd,
    DleEvent,
    Dropped,
    Echo,
    Event,
    Prompt,
    RawData,
    ReplyLine,
    Response,
    StrayFinal,
    Unsolicited,
    VoiceData,
)

from .test_at import ROUTING


def feed(p: AtProtocol, data: bytes, *, bytewise: bool = False) -> list[Event]:
    if not bytewise:
        return p.receive(data)
    out: list[Event] = []
    for i in range(len(data)):
        out += p.receive(data[i : i + 1])
    return out


@pytest.mark.parametrize("bytewise", [False, True], ids=["whole", "byte-by-byte"])
@pytest.mark.parametrize(("cmd", "modem", "lines", "final", "urc"), ROUTING)
def test_routing_table(cmd: str, modem: bytes, lines: list[str], final: str, urc: list[str], bytewise: bool) -> None:
    p = AtProtocol()
    assert p.command(cmd) == cmd.encode() + b"\r"
    events = feed(p, modem, bytewise=bytewise)
    resp = [e.response for e in events if isinstance(e, Response)]
    assert len(resp) == 1 and list(resp[0].lines) == lines and resp[0].final == final
    assert [e.text for e in events if isinstance(e, ReplyLine)] == lines
    got = [e.text for e in events if isinstance(e, Unsolicited)]
    got += [e.text for e in events if isinstance(e, StrayFinal)]  # the "OK" text of a +CMT after the reply
    assert sorted(got) == sorted(urc)
    assert p.pending is None


def test_echo_then_reply() -> None:
    p = AtProtocol()
    p.command("AT+CSQ")
    ev = p.receive(b"AT+CSQ\r\r\n+CSQ: 20,99\r\n\r\nOK\r\n")
    assert [type(e) for e in ev] == [Echo, ReplyLine, Response]


def test_unsolicited_and_stray_final_with_nothing_pending() -> None:
    p = AtProtocol()
    ev = p.receive(b"\r\nRING\r\n\r\nOK\r\n+CLIP: \"0612345678\",129\r\nsomething odd\r\n")
    assert ev == [Unsolicited("RING", b"RING"), StrayFinal("OK"), Unsolicited('+CLIP: "0612345678",129',
                  b'+CLIP: "0612345678",129'), Unsolicited("something odd", b"something odd")]


def test_abandoned_exchange_late_reply_is_stray() -> None:
    p = AtProtocol()
    p.command("AT+SLOW")
    p.abandon()
    assert p.receive(b"\r\nOK\r\n") == [StrayFinal("OK")]


@pytest.mark.parametrize("body", [b"OK", b"RING", b"ERROR"])
def test_sms_bodies_that_look_like_result_codes(body: bytes) -> None:
    p = AtProtocol()
    p.command("AT+CMGR=1")
    ev = p.receive(b'\r\n+CMGR: "REC UNREAD","+33600000001",,"26/11/27,09:14:03+04"\r\n' + body + b"\r\n\r\nOK\r\n")
    r = next(e.response for e in ev if isinstance(e, Response))
    assert r.final == "OK" and r.lines[1] == body.decode()


@pytest.mark.parametrize("header", [b'+CMT: "+33612345678",,"26/11/27,12:00:00+04"', b'+CMGL: 1,"REC UNREAD","+336"',
                                    b'+CMGRD: "REC UNREAD","+336",,"26/11/27,12:00:00+04"', b"+CMT: ,23"])
def test_message_header_outside_a_reply_keeps_its_body(header: bytes) -> None:
    p = AtProtocol()
    ev = p.receive(b"\r\n" + header + b"\r\nOK\r\n")
    assert ev[1] == Unsolicited("OK", b"OK", continuation=True)


def test_dle_events_in_command_state_split_across_reads() -> None:
    p = AtProtocol()
    assert p.receive(b"\x10H\r\nRING\r\n\x10") == [DleEvent("H"), Unsolicited("RING", b"RING")]
    assert p.receive(b"b") == [DleEvent("b")]


def test_voice_data_mode_until_dle_etx() -> None:
    p = AtProtocol()
    p.command("AT+VRX", finals=CONNECT_FINALS, data="voice")
    ev = p.receive(b"\r\nCONNECT\r\n\x01\x02\x10\x10\x10")
    assert isinstance(ev[0], Response) and ev[0].response.final == "CONNECT"
    assert ev[1:] == [VoiceData(b"\x01\x02\x10")]
    ev = p.receive(b"5\x03\x10b\x10\x03\r\nOK\r\n")
    assert ev == [VoiceData(b"\x03"), DleEvent("5", in_data=True), DleEvent("b", in_data=True), DataEnd(),
                  StrayFinal("OK")]
    assert p.mode == "line"


def test_raw_mode_until_left() -> None:
    p = AtProtocol()
    p.command("ATD123", finals=CONNECT_FINALS, data="raw")
    ev = p.receive(b"\r\nCONNECT 9600\r\nhello\r\nOK")
    assert ev[1:] == [RawData(b"hello\r\nOK")]
    p.leave_raw()
    assert p.receive(b"\r\nNO CARRIER\r\n") == [Unsolicited("NO CARRIER", b"NO CARRIER")]


def test_prompt_and_overlong_line() -> None:
    p = AtProtocol(line_cap=64)
    p.command('AT+CMGS="+33600000001"')
    assert p.receive(b"\r\n> ") == [Prompt()]
    ev = p.receive(b"X" * 200 + b"\r\nRING\r\n")
    assert isinstance(ev[0], Dropped) and ev[-1] == Unsolicited("RING", b"RING")


def test_connect_is_final_only_for_commands_that_may_end_with_it() -> None:
    p = AtProtocol()
    p.command("AT+CSQ")
    assert p.receive(b"\r\nCONNECT\r\n") == [ReplyLine("CONNECT", b"CONNECT")]
    p.command("ATA", finals=CONNECT_FINALS)
    ev = p.receive(b"\r\nNO CARRIER\r\n")
    assert isinstance(ev[0], Response) and ev[0].response.final == "NO CARRIER"


def test_gsm_hex_replies_are_not_caller_id() -> None:
    gsm, voice = AtProtocol(cid_records=False), AtProtocol()
    line = b"041231313237303931343036313233343536373847"
    gsm.command("AT+CMGR=1")
    voice.command("ATI0")
    assert isinstance(gsm.receive(b"\r\n" + line + b"\r\n")[0], ReplyLine)
    assert isinstance(voice.receive(b"\r\n" + line + b"\r\n")[0], Unsolicited)
