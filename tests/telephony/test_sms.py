"""SMS through python-gammu's AT driver talking to the simulator (PDU mode), text mode, +CMTI."""

from __future__ import annotations

from collections.abc import Iterator

import gammu
import pytest
import serial
from waiting import collect, wait_until

from appliance.telephony.at import AtChannel
from appliance.telephony.gsm import GsmLine
from appliance.telephony.line import Ready
from appliance.telephony.pdu import (
    PduError,
    SubmitPdu,
    decode_submit,
    encode_address,
    gsm7_encode_septets,
    pack_septets,
)
from appliance.telephony.simulator import Simulator

from .helpers import wait_for


def gammu_on(port: str) -> gammu.StateMachine:
    sm = gammu.StateMachine()
    sm.SetConfig(0, {"Device": port, "Connection": "at", "Model": ""})
    sm.Init()
    return sm


@pytest.fixture(scope="module")
def gsm_sms() -> Iterator[tuple[Simulator, gammu.StateMachine]]:
    with Simulator("gsm") as sim:
        sm = gammu_on(sim.sms_port or "")
        yield sim, sm
        sm.Terminate()


def test_gammu_init_identifies_modem(gsm_sms: tuple[Simulator, gammu.StateMachine]) -> None:
    _sim, sm = gsm_sms
    assert sm.GetManufacturer() == "SIMCOM"
    assert "SIM7600" in sm.GetModel()[1]
    assert sm.GetIMEI() == "861234567890123"


@pytest.mark.parametrize("text", ["Hello from the box", "Urgent: compresseur en panne, rappeler Mme Dupont [€]",
                                  "Привет 日本 ✓"])
def test_gammu_sends_single_sms(gsm_sms: tuple[Simulator, gammu.StateMachine], text: str) -> None:
    sim, sm = gsm_sms
    before = len(sim.sent_sms)
    ref = sm.SendSMS({"Text": text, "SMSC": {"Location": 1}, "Number": "+33612345678",
                      "Coding": "Unicode_No_Compression" if any(ord(c) > 0x24F for c in text) else "Default"})
    got = sim.sent_sms[before:]
    assert len(got) == 1
    assert got[0].number == "+33612345678" and got[0].text == text and got[0].reference == ref


@pytest.mark.parametrize("unicode", [False, True])
def test_gammu_sends_concatenated_sms(gsm_sms: tuple[Simulator, gammu.StateMachine], unicode: bool) -> None:
    sim, sm = gsm_sms
    text = ("Appel urgent de la laiterie: la chambre froide est en panne. " * 6
            + ("Rappeler vite ☎" if unicode else "Rappeler vite"))
    parts = gammu.EncodeSMS({"Class": -1, "Unicode": unicode,
                             "Entries": [{"ID": "ConcatenatedTextLong", "Buffer": text}]})
    assert len(parts) > 1
    before = len(sim.sent_sms)
    for p in parts:
        p["SMSC"] = {"Location": 1}
        p["Number"] = "0612345678"
        sm.SendSMS(p)
    got = sim.sent_sms[before:]
    assert len(got) == 1 and got[0].text == text and got[0].number == "0612345678"
    assert len([p for p in sim.recorded.sms_parts if p.parts == len(parts)]) >= len(parts)


def test_gammu_reads_injected_sms(gsm_sms: tuple[Simulator, gammu.StateMachine]) -> None:
    sim, sm = gsm_sms
    sim.inject_sms("+33698765432", "ACK 1234 é")
    sim.inject_sms("+447700900123", "Привет")
    sim.inject_sms("+33611111111", "Rendez-vous 14h30 @ l'usine")
    msgs: list[dict] = []
    while True:
        try:
            if msgs:
                m = sm.GetNextSMS(Folder=0, Location=msgs[-1]["Location"])
            else:
                m = sm.GetNextSMS(Folder=0, Start=True)
        except gammu.ERR_EMPTY:
            break
        msgs.extend(m)
        if len(msgs) > 10:
            break
    # Texts here avoid the GSM extension table ([ ] { } €): libGammu 1.45.1 decodes them but
    # returns as many characters as septets, padded with NULs or stale buffer bytes (seen here).
    got = {(m["Number"], m["Text"]) for m in msgs}
    assert ("+33698765432", "ACK 1234 é") in got and ("+447700900123", "Привет") in got
    assert ("+33611111111", "Rendez-vous 14h30 @ l'usine") in got
    for m in msgs:
        sm.DeleteSMS(Folder=0, Location=m["Location"])
    assert sim.sms_store == []


def test_text_mode_and_cmti_on_the_port_that_asked() -> None:
    with Simulator("gsm") as sim:
        urcs: list[str] = []
        with AtChannel(sim.sms_port or "", on_unsolicited=urcs.append) as ch:
            ch.command("ATE0")
            ch.command("AT+CMGF=1")
            ch.command("AT+CNMI=2,1,0,0,0")
            idx = sim.inject_sms("+33698765432", "hello")
            assert wait_until(lambda: urcs, 5)
            assert urcs == [f'+CMTI: "SM",{idx}']
            r = ch.command(f"AT+CMGR={idx}")
            assert r.lines[0].startswith('+CMGR: "REC UNREAD","+33698765432"') and r.lines[1] == "hello"
        with serial.serial_for_url(sim.sms_port or "", timeout=1) as s:
            s.write(b'ATE0\rAT+CMGF=1\rAT+CMGS="+33612345678"\r')
            assert collect(lambda: s.read(s.in_waiting or 1), lambda b: b.endswith(b"> ")).endswith(b"> ")
            s.write(b"Text mode message\x1a")
            assert b"+CMGS: " in collect(lambda: s.read(s.in_waiting or 1), lambda b: b.endswith(b"OK\r\n"))
        assert sim.sent_sms[-1].text == "Text mode message" and sim.sent_sms[-1].number == "+33612345678"


def test_sim800_single_port_lent_to_gammu() -> None:
    with Simulator("gsm", model="sim800") as sim:
        assert sim.audio_port is None
        line = GsmLine("l1", sim.port)
        line.open()
        try:
            wait_for(line, Ready, 5)
            with line.port_released() as port:
                sm = gammu_on(port)
                sm.SendSMS({"Text": "via the shared port", "SMSC": {"Location": 1}, "Number": "+33611111111"})
                sm.Terminate()
            wait_for(line, Ready, 5)
            assert sim.sent_sms[-1].text == "via the shared port"
        finally:
            line.close()


def _submit(number: str, text: str, mr: int = 7, udh: bytes = b"", vpf: int = 2) -> str:
    septets = gsm7_encode_septets(text)
    assert septets is not None
    fo = 0x01 | (vpf << 3) | (0x40 if udh else 0)
    if udh:
        skip = len(udh) * 8
        fill = (7 - skip % 7) % 7
        body = udh + pack_septets(septets, fill)[0:]
        udl = (skip + fill) // 7 + len(septets)
    else:
        body, udl = pack_septets(septets), len(septets)
    vp = {0: b"", 2: b"\xa7", 1: b"\x00" * 7, 3: b"\x00" * 7}[vpf]
    return (b"\x00" + bytes((fo, mr)) + encode_address(number) + b"\x00\x00" + vp + bytes((udl,)) + body).hex()


PDUS = [
    (_submit("+33612345678", "hello"), SubmitPdu("+33612345678", "hello", 7)),
    (_submit("0612345678", "a[b]€", vpf=0), SubmitPdu("0612345678", "a[b]€", 7)),
    (_submit("123", "x", vpf=3, mr=255), SubmitPdu("123", "x", 255)),
    (_submit("+44", "part", udh=bytes.fromhex("050003AB0201")),
     SubmitPdu("+44", "part", 7, concat_ref=0xAB, part=1, parts=2)),
]


@pytest.mark.parametrize(("pdu", "expected"), PDUS)
def test_decode_submit(pdu: str, expected: SubmitPdu) -> None:
    assert decode_submit(pdu) == expected


@pytest.mark.parametrize("bad", ["zz", "", "00", "0001", "000100", "0011000B91"])
def test_decode_submit_malformed(bad: str) -> None:
    with pytest.raises(PduError):
        decode_submit(bad)
