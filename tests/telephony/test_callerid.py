"""Every caller-id layout seen in the field, each a row fed through the voice-modem driver's logic
(issue 16, items 1 and 2), plus the parser alone with malformed input."""

from __future__ import annotations

import pytest

from appliance.telephony.callerid import CidLine, parse_cid, to_caller

from .logic import caller, names, run


def mdmf(*params: tuple[int, str]) -> str:
    body = b"".join(bytes((k, len(v))) + v.encode() for k, v in params)
    msg = bytes((0x80, len(body))) + body
    return (msg + bytes(((-sum(msg)) % 256,))).hex().upper()


def sdmf(text: str, checksum: bool = True) -> str:
    msg = bytes((0x04, len(text))) + text.encode()
    return (msg + (bytes(((-sum(msg)) % 256,)) if checksum else b"")).hex().upper()


N = "+33612345678"
W = (None, None, True, False)
U = (None, None, False, True)


def num(n: str = N, name: str | None = None) -> tuple[object, ...]:
    return (n, name, False, False)


LAYOUTS: list[tuple[str, list[str], str, tuple[object, ...]]] = [
    # layout, modem lines (between rings), line country, caller (number, name, withheld, unavailable)
    ("multi-line, spaces", ["DATE = 1127", "TIME = 0914", "NMBR = 0612345678", "NAME = DUPONT"], "FR", num(N, "DUPONT")),
    ("multi-line, no spaces", ["DATE=1127", "TIME=0914", "NMBR=0612345678"], "FR", num()),
    ("space before =", ["NMBR =0612345678"], "FR", num()),
    ("space after =", ["NMBR= 0612345678"], "FR", num()),
    ("single line", ["DATE = 1229 TIME = 1848 NAME = SMITH NMBR = 2125550136"], "US", num("+12125550136", "SMITH")),
    ("single line, leading space", [" DATE = 1229 TIME = 1848 NMBR = 2125550136"], "US", num("+12125550136")),
    ("single line, no spaces", ["DATE=1127 TIME=0914 NMBR=0612345678"], "FR", num()),
    ("glued labels", ["TIME=0914NMBR=0612345678NAME=DUPONT"], "FR", num(N, "DUPONT")),
    ("glued O name", ["RING RING DATE=0224 NAME=ONMBR=5075550188"], "US", num("+15075550188")),
    ("name and number on one line", ["NAME=ARCHER L       NMBR=5075550167"], "US", num("+15075550167", "ARCHER L")),
    ("O name", ["NAME = O", "NMBR = 0612345678"], "FR", num()),
    ("P name", ["NAME = P", "NMBR = 0612345678"], "FR", num()),
    ("P number", ["NMBR = P"], "FR", W),
    ("O number", ["NMBR = O"], "FR", U),
    ("number then masked", ["NMBR = 0612345678", "NMBR = O"], "FR", num()),
    ("DDN_NMBR 7 digits", ["NAME = O", "DDN_NMBR= 5550162"], "CA", ("5550162", None, False, False)),
    ("DDN_NMBR 10 digits", ["DDN_NMBR= 9195550140"], "US", num("+19195550140")),
    ("DDN label", ["DDN = 9195550140"], "US", num("+19195550140")),
    ("NBR label", ["NBR=0612345678"], "FR", num()),
    ("NBR spaced", ["NBR = 0612345678"], "FR", num()),
    ("CALLER NUMBER / NAME", ["TIME: 12-29 18:48", "CALLER NUMBER: 2125550135", "CALLER NAME: DOE JANE"], "US",
     num("+12125550135", "DOE JANE")),
    ("CALLER'S NUMBER", ["CALLER'S NUMBER: 2125550134"], "US", num("+12125550134")),
    ("CallerID:", ["CallerID: 03055501235"], "DE", num("+493055501235")),
    ("REASON FOR NO CALLER NUMBER", ["REASON FOR NO CALLER NUMBER: P"], "US", W),
    ("ZyXEL FM/TO", ["FM:0765550011 TO:8675501"], "CH", num("+41765550011")),
    ("MESG 0x03 (Bell Canada)", ["MESG = 030735353530313031"], "CA", ("5550101", None, False, False)),
    ("MESG burst, empty DDN_NMBR", ["MESG = 110101", "MESG = 030735353530313031", "DDN_NMBR="], "CA",
     ("5550101", None, False, False)),
    ("MESG reason P", ["MESG = 040150"], "FR", W),
    ("MESG reason O", ["MESG = 04014F"], "FR", U),
    ("MDMF hex, number 0x02", [mdmf((1, "11270914"), (2, "0612345678"), (7, "DUPONT"))], "FR", num(N, "DUPONT")),
    ("MDMF hex, number 0x03", [mdmf((1, "11270914"), (3, "6135550138"))], "CA", num("+16135550138")),
    ("MDMF hex, 0x02 beats 0x03", [mdmf((2, "0612345678"), (3, "0699999999"))], "FR", num()),
    ("MDMF hex, private", [mdmf((1, "11270914"), (4, "P"), (8, "P"))], "FR", W),
    ("MDMF hex, lower case", [mdmf((2, "0612345678")).lower()], "FR", num()),
    ("SDMF hex", [sdmf("112709140612345678")], "FR", num()),
    ("SDMF hex without checksum", [sdmf("112709140612345678", checksum=False)], "FR", num()),
    ("SDMF hex, out of area", [sdmf("11270914O")], "FR", U),
    ("framed UK record", ["CALLING MSG", "DATE TIME=11/27 14:02", "NBR=01632960003", "END MSG"], "GB",
     num("+441632960003")),
    ("NetCallerID", ["###DATE06182106...NMBR7045550112...NAMESPAULDING TIMOT+++"], "US",
     num("+17045550112", "SPAULDING TIMOT")),
    ("ELSA RING;caller;called", ["RING;0895550123;08765"], "DE", num("+49895550123")),
    ("six-digit date", ["DATE = 990305", "NMBR = 5075550167"], "US", num("+15075550167")),
    ("empty TIME", ["DATE=0604", "TIME=", "NMBR=3055550177"], "US", num("+13055550177")),
    ("international with 00", ["NMBR = 0041791234567"], "FR", num("+41791234567")),
]


@pytest.mark.parametrize(("layout", "lines", "country", "expected"), LAYOUTS, ids=[x[0] for x in LAYOUTS])
def test_layout_through_the_driver(layout: str, lines: list[str], country: str, expected: tuple[object, ...]) -> None:
    events = run(["RING", *lines, "RING"], "voicemodem", country)
    assert "unparsed" not in names(events)
    assert caller(events) == expected
    assert names(events)[-1] == "missed"


@pytest.mark.parametrize(("layout", "lines", "country", "expected"), LAYOUTS[:12], ids=[x[0] for x in LAYOUTS[:12]])
def test_caller_id_with_no_ring_still_makes_a_call(layout: str, lines: list[str], country: str,
                                                   expected: tuple[object, ...]) -> None:
    events = [e for e in run(lines, "voicemodem", country) if e.event != "ready"]
    first = next(e for e in events if e.event == "ringing")
    assert first.fields["count"] == 1 and caller(events) == expected
    assert names(events).count("ringing") == (2 if "RING RING" in lines[0] else 1)


def test_a_ring_after_caller_id_attaches_to_it() -> None:
    events = run(["DATE = 1127", "TIME = 1400", "NMBR = 01632960001", "RING", "RING"], "voicemodem", "GB")
    assert [(e.event, e.fields.get("count")) for e in events if e.event == "ringing"] == [("ringing", 1), ("ringing", 2)]
    assert caller(events) == num("+441632960001")


PARSE: list[tuple[str, CidLine | None]] = [
    ("RING", CidLine(rings=1, layout="ring")),
    ("RING 2", CidLine(rings=1, layout="ring")),
    ("CID RING", CidLine(rings=1, layout="ring")),
    ("CALLING MSG", CidLine(frame="start", layout="frame")),
    ("END MSG", CidLine(frame="end", layout="frame")),
    ("NMBR=0612345678", CidLine((("NMBR", "0612345678"),))),
    ("MESG = hello", CidLine((("MESG", "hello"),))),  # kept, not decoded
    ("", None),
    ("OK", None),
    ("XNMBR = 0612345678", None),  # junk before the first label
    ("+CLIP: \"0612345678\",129", None),
    (mdmf((2, "0612345678"))[:-2] + "00", None),  # bad checksum: no caller id at all
    ("0400", None),
    ("\x00\xff garbage", None),
]


@pytest.mark.parametrize(("line", "expected"), PARSE)
def test_parse_cid(line: str, expected: CidLine | None) -> None:
    assert parse_cid(line) == expected


def test_to_caller_keeps_the_raw_form() -> None:
    c = to_caller({"NMBR": "06 12 34 56 78"}, "FR")
    assert (c.number, c.raw) == (N, "06 12 34 56 78")
    assert to_caller({"NMBR": "0612<script>"}, "FR").unavailable
