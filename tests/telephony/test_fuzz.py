"""Fuzz: >= 100 000 random and mutated modem lines and DLE streams; no crash, no hang.

Direct calls (fixed seeds) so it stays fast: the sans-I/O AT protocol (line
splitter and router), every line parser, both drivers' call logic fed the
lines, the DLE decoder (checked against a reference decoder) and the
simulator's command set.
"""

from __future__ import annotations

import random
import time

import pytest

from appliance.errors import LineError
from appliance.telephony.dle import DleDecoder, stuff
from appliance.telephony.emulator.commands import split_commands
from appliance.telephony.gsm_calls import GsmCalls
from appliance.telephony.parsers import (
    cid_to_caller,
    decode_ucs2_hex,
    parse_cid_fields,
    parse_cid_line,
    parse_clcc,
    parse_clip,
    parse_creg,
    parse_csq,
    parse_dtmf,
    parse_sms_header,
    sms_text,
)
from appliance.telephony.pdu import PduError, decode_submit
from appliance.telephony.protocol import AtProtocol, DleEvent, Unsolicited
from appliance.telephony.steps import Cmd, Work
from appliance.telephony.voice_calls import VoiceCalls

SEEDS = [
    "RING", "+CRING: VOICE", '+CLIP: "+33612345678",145,"",0,"",0', '+CLIP: "",128,,,,1', "NO CARRIER",
    "VOICE CALL: BEGIN", "VOICE CALL: END: 000012", "MISSED_CALL: 09:12AM 0612345678", "+DTMF: 5",
    "+RXDTMF: #", '+CCWA: "+33699999999",145,1', "+CSQ: 20,99", "+CREG: 0,1", '+CREG: 2,1,"00C3","A1B2"',
    '+CMTI: "SM",3', "RDY", "+CPIN: READY", "OK", "ERROR", "+CME ERROR: 10", "+CMS ERROR: 321",
    '+CLCC: 1,1,4,0,0,"0612345678",129', "DATE = 1127", "NMBR=0612345678", "NAME = DUPONT", "NMBR=P",
    "CONNECT", "BUSY", "^RSSI: 12", "SMS Ready", "Call Ready",
    "DATE=1127 TIME=0914NMBR=0612345678NAME=DUPONT", "MESG = 040150", "NBR = 0612345678",
    "801E01083131323730393134020A3036313233343536373807064455504F4E54C3", "041231313237303931343036313233343536373847",
    '+CMT: "002B0033003300360031","","26/11/27,12:00:00+04"', "0042006F006E006A006F0075007200200021",
    "^CEND:1,0,104,16", '+CLIP: "0033612345678",145,"",0,"",0',
]
ALPHABET = b'0123456789+,"=: ABCDEFGHIJKLMNOPQRSTUVWXYZ\r\n\x10\x03\x1a\xff\xfe\x00\xc3('


def mutate(rng: random.Random, line: bytes) -> bytes:
    b = bytearray(line)
    for _ in range(rng.randrange(1, 4)):
        op = rng.randrange(6)
        if op == 0 and b:
            b[rng.randrange(len(b))] = rng.randrange(256)
        elif op == 1 and b:
            del b[rng.randrange(len(b)) :]
        elif op == 2:
            b.insert(rng.randrange(len(b) + 1), rng.choice(ALPHABET))
        elif op == 3:
            b += bytes(b)
        elif op == 4 and b:
            del b[rng.randrange(len(b))]
        else:
            b += bytes(rng.choice(ALPHABET) for _ in range(rng.randrange(1, 8)))
    return bytes(b)


def random_lines(n: int, seed: int) -> list[bytes]:
    rng = random.Random(seed)
    seeds = [s.encode() for s in SEEDS]
    out = []
    for i in range(n):
        if i % 3 == 0:
            out.append(bytes(rng.randrange(256) for _ in range(rng.randrange(0, 40))))
        else:
            out.append(mutate(rng, rng.choice(seeds)))
    return out


def drain(work: Work) -> None:
    """Run the logic's work, answering every command it sends with OK."""
    from appliance.telephony.protocol import AtResponse

    reply = None
    while True:
        try:
            step = work.send(reply)
        except StopIteration:
            return
        reply = AtResponse(step.text, (), "OK") if isinstance(step, Cmd) else None


@pytest.mark.timeout(120)
def test_fuzz_lines_through_protocol_parsers_and_drivers() -> None:
    lines = random_lines(100_000, seed=1234)
    proto = AtProtocol(line_cap=256)
    routed: list[str] = []
    clock = [0.0]
    gsm = GsmCalls(clock=lambda: clock[0])
    vm = VoiceCalls(clock=lambda: clock[0])
    t0 = time.monotonic()
    for i, raw in enumerate(lines):
        clock[0] += 0.01
        if i % 50 == 0:
            proto.command("AT+CSQ")
        for ev in proto.receive(raw + (b"\r\n" if i % 7 else b"")):
            if isinstance(ev, Unsolicited):
                routed.append(ev.text)
            elif isinstance(ev, DleEvent):
                try:
                    drain(vm.on_dle(ev.code))
                except LineError:
                    pass
        text = raw.decode("latin-1")
        parse_clip(text)
        parse_csq(text)
        parse_creg(text)
        parse_clcc(text)
        parse_dtmf(text)
        kv = parse_cid_line(text)
        if kv:
            cid_to_caller({kv[0]: kv[1]})
        cid_to_caller(dict(parse_cid_fields(text) or []))
        head = parse_sms_header(text)
        sms_text([text], head.ucs2 if head else True)
        decode_ucs2_hex(text)
        split_commands(text[2:] if text[:2].upper() == "AT" else text)
        for logic in (gsm, vm):
            try:
                drain(logic.on_line(text.strip()))
                drain(logic.tick())
            except LineError:
                pass  # "RDY" means the modem restarted: the driver asks for a re-init
    assert len(proto._buf) <= 256 + 64, "the line buffer must stay bounded"
    assert routed, "unsolicited lines must have been routed"
    assert time.monotonic() - t0 < 100


def reference_unstuff(stream: bytes) -> tuple[bytes, list[str], bytes | None]:
    out, events, i = bytearray(), [], 0
    while i < len(stream):
        b = stream[i]
        if b != 0x10:
            out.append(b)
            i += 1
            continue
        if i + 1 >= len(stream):
            break
        c = stream[i + 1]
        i += 2
        if c == 0x10:
            out.append(0x10)
        elif c == 0x1A:
            out += b"\x10\x10"
        elif c == 0x03:
            events.append("ETX")
            return bytes(out), events, stream[i:]
        else:
            events.append(chr(c))
    return bytes(out), events, None


@pytest.mark.timeout(120)
def test_fuzz_dle_streams_split_anywhere() -> None:
    rng = random.Random(99)
    for n in range(20_000):
        k = rng.randrange(0, 60)
        if n % 2:
            stream = bytes(rng.choice(b"\x10\x03\x1a5b!\x00\xff") for _ in range(k))
        else:
            stream = stuff(bytes(rng.randrange(256) for _ in range(k))) + rng.choice([b"", b"\x10b", b"\x10\x03OK"])
        want = reference_unstuff(stream)
        dec = DleDecoder()
        audio, events, rest = bytearray(), [], None
        pos = 0
        while pos < len(stream):
            step = rng.randrange(1, 9)
            d = dec.feed(stream[pos : pos + step])
            pos += step
            audio += d.audio
            events += d.events
            if d.rest is not None:
                rest = (rest or b"") + d.rest
        if dec.ended and rest is None:
            rest = b""
        assert (bytes(audio), events) == want[:2], stream
        if want[2] is not None:
            assert rest == want[2], stream


@pytest.mark.timeout(60)
def test_fuzz_pdus() -> None:
    rng = random.Random(5)
    good = "0001070B913316325476F80000A705E8329BFD06"
    for _ in range(5_000):
        s = bytearray(bytes.fromhex(good))
        for _ in range(rng.randrange(1, 4)):
            if s and rng.random() < 0.5:
                s[rng.randrange(len(s))] = rng.randrange(256)
            else:
                del s[rng.randrange(len(s) + 1) :]
        try:
            decode_submit(s.hex())
        except PduError:
            pass
