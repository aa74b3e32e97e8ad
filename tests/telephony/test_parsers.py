"""Table-driven tests of the modem line parsers, with malformed and vendor-specific lines."""

from __future__ import annotations

import pytest

from appliance.telephony.line import CallerId
from appliance.telephony.parsers import (
    cid_to_caller,
    parse_cid_line,
    parse_clcc,
    parse_clip,
    parse_creg,
    parse_csq,
    parse_dtmf,
    split_fields,
)

CLIP = [
    ('+CLIP: "+33612345678",145,"",0,"",0', CallerId("+33612345678", None, 145)),
    ('+CLIP: "33612345678",145,,,"",0', CallerId("+33612345678", None, 145)),  # SIM7600: no +
    ('+CLIP: "0612345678",129,"",0,"",0', CallerId("0612345678", None, 129)),
    ('+CLIP: "612345678",161', CallerId("612345678", None, 161)),
    ('+CLIP: "0612345678",129,"",0,"DUPONT SA",0', CallerId("0612345678", "DUPONT SA", 129)),
    ('+CLIP: "0612345678",129,"",0,"Jean "Le Boss" Dupont",0', CallerId("0612345678", 'Jean "Le Boss" Dupont', 129)),
    ('+CLIP: "0612345678",129,"",0,"Jean "Le Boss" Dupont",1', CallerId(None, 'Jean "Le Boss" Dupont', 129,
                                                                         withheld=True)),  # the quote ate validity
    ('+CLIP: "",128,"",0,"",1', CallerId(None, None, 128, withheld=True)),
    ('+CLIP: "",128,,,,1', CallerId(None, None, 128, withheld=True)),
    ('+CLIP: "",128', CallerId(None, None, 128, withheld=True)),
    ('+CLIP: "",,"",,"",2', CallerId(None, None, None, unavailable=True)),
    ('+CLIP: "",129,"",0,"",2', CallerId(None, None, 129, unavailable=True)),
    ('+CLIP: "Unknown",129', CallerId(None, None, 129, unavailable=True)),
    ('+CLIP: "Private",128', CallerId(None, None, 128, withheld=True)),
    ('+CLIP: "+44 7700 900123",145', CallerId("+447700900123", None, 145)),
    ("+CLIP: 0612345678,129", CallerId("0612345678", None, 129)),  # unquoted
    ('+CLIP: "06123<script>",129', CallerId(None, None, 129, unavailable=True)),  # not a number
    ('+CLIP: "06123', CallerId("06123", None, None)),  # truncated line
    ("+CLIP:", CallerId(None, None, None, unavailable=True)),
    ('+CCWA: "+33699999999",145,1', CallerId("+33699999999", None, 145)),
    ('+CCWA: "",128,1,"",1', CallerId(None, None, 128, withheld=True)),
    ("RING", None),
    ("", None),
]


@pytest.mark.parametrize(("line", "expected"), CLIP)
def test_parse_clip(line: str, expected: CallerId | None) -> None:
    assert parse_clip(line) == expected


CSQ = [
    ("+CSQ: 20,99", (-73, 20)),
    ("+CSQ: 0,0", (-113, 0)),
    ("+CSQ: 31,99", (-51, 31)),
    ("+CSQ: 99,99", (None, None)),
    ("+CSQ: 45,0", (None, None)),
    ("+CSQ: ,", (None, None)),
    ("+CSQ:", (None, None)),
    ("+CSQ: x,y", (None, None)),
    ("OK", (None, None)),
]


@pytest.mark.parametrize(("line", "expected"), CSQ)
def test_parse_csq(line: str, expected: tuple[int | None, int | None]) -> None:
    assert parse_csq(line) == expected


CREG = [
    ("+CREG: 0,1", "home"),
    ("+CREG: 2,5,\"00C3\",\"A1B2\"", "roaming"),
    ("+CREG: 1", "home"),                      # unsolicited, n=1
    ("+CREG: 5,\"1234\",\"5678\"", "roaming"),  # unsolicited, n=2, all-digit lac
    ("+CEREG: 0,2", "searching"),
    ("+CGREG: 0,3", "denied"),
    ("+CREG: 0,42", "state 42"),
    ("+CREG: x", None),
    ("+CREG:", None),
    ("+COPS: 0", None),
]


@pytest.mark.parametrize(("line", "expected"), CREG)
def test_parse_creg(line: str, expected: str | None) -> None:
    assert parse_creg(line) == expected


def test_parse_clcc() -> None:
    e = parse_clcc('+CLCC: 1,1,4,0,0,"33612345678",145')
    assert e is not None and e.incoming and e.ringing and not e.active and e.number == "+33612345678"
    a = parse_clcc('+CLCC: 1,1,0,0,0,"0612345678",129,""')
    assert a is not None and a.active
    assert parse_clcc("+CLCC: 1,1") is None
    assert parse_clcc("+CLCC: a,b,c,d") is None
    assert parse_clcc("+CLCC: 2,0,3,0,0") is not None  # no number field


DTMF = [
    ("+DTMF: 5", "5"), ("+DTMF:5", "5"), ("+RXDTMF: #", "#"), ("+RXDTMF: *", "*"), ("+DTMF: a", "A"),
    ('+DTMF: "7"', "7"), ("+DTMF: 55", None), ("+DTMF: x", None), ("+DTMF:", None), ("DTMF 5", None),
]


@pytest.mark.parametrize(("line", "expected"), DTMF)
def test_parse_dtmf(line: str, expected: str | None) -> None:
    assert parse_dtmf(line) == expected


CID = [
    ("NMBR = 0612345678", ("NMBR", "0612345678")),
    ("NMBR=0612345678", ("NMBR", "0612345678")),
    ("DATE = 1127", ("DATE", "1127")),
    ("TIME=0331", ("TIME", "0331")),
    ("NAME = DUPONT J", ("NAME", "DUPONT J")),
    ("DDN_NMBR= 5551234", ("NMBR", "5551234")),
    ("CALLER NUMBER: 5551234", ("NMBR", "5551234")),
    ("nmbr=P", ("NMBR", "P")),
    ("NMBR", None),
    ("RING", None),
]


@pytest.mark.parametrize(("line", "expected"), CID)
def test_parse_cid_line(line: str, expected: tuple[str, str] | None) -> None:
    assert parse_cid_line(line) == expected


CID_RECORDS = [
    ({"NMBR": "0612345678"}, CallerId("0612345678")),
    ({"DATE": "1127", "TIME": "0331", "NMBR": "0612345678", "NAME": "DUPONT"}, CallerId("0612345678", "DUPONT")),
    ({"NMBR": "P"}, CallerId(withheld=True)),
    ({"NMBR": "O"}, CallerId(unavailable=True)),
    ({"NMBR": "P", "NAME": "P"}, CallerId(withheld=True)),
    ({"DATE": "1127", "TIME": "0331"}, CallerId(unavailable=True)),  # partial record
    ({"NAME": "SMITH"}, CallerId(None, "SMITH", unavailable=True)),
    ({"NMBR": "555-1234"}, CallerId("5551234")),
    ({"NMBR": "\x00\xff"}, CallerId(unavailable=True)),
]


@pytest.mark.parametrize(("fields", "expected"), CID_RECORDS)
def test_cid_to_caller(fields: dict[str, str], expected: CallerId) -> None:
    assert cid_to_caller(fields) == expected


def test_split_fields() -> None:
    assert split_fields('1,"a,b",,"x"') == ["1", "a,b", "", "x"]
    assert split_fields("") == [""]
    assert split_fields('"unterminated,x') == ["unterminated,x"]
