"""Table-driven tests of the parsers for real-world modem quirks (issue 9, item 4), malformed variants included."""

from __future__ import annotations

import pytest

from appliance.telephony.at import is_urc
from appliance.telephony.line import CallerId
from appliance.telephony.parsers import (
    SmsHeader,
    cid_params,
    cid_to_caller,
    decode_ucs2_hex,
    normalise_number,
    parse_cid_fields,
    parse_cid_hex,
    parse_cid_line,
    parse_clip,
    parse_sms_header,
    sms_text,
)

MDMF = "801E01083131323730393134020A3036313233343536373807064455504F4E54C3"
MDMF_PRIVATE = "800D010831313237303931340401507C"
MDMF_UNAVAILABLE = "800D010831313237303931340401" + "4F7D"
SDMF = "041231313237303931343036313233343536373847"
SDMF_PRIVATE = "04093131323730393134500A"


def _checksum(body_hex: str) -> str:
    """The GR-30 checksum byte: the two's complement of the sum of every byte before it."""
    return f"{-sum(bytes.fromhex(body_hex)) % 256:02X}"


def test_table_checksums_are_right() -> None:
    for msg in (MDMF, MDMF_PRIVATE, MDMF_UNAVAILABLE, SDMF, SDMF_PRIVATE):
        assert _checksum(msg[:-2]) == msg[-2:]


D, T = ("DATE", "1127"), ("TIME", "0914")
N = ("NMBR", "0612345678")

CID_FIELDS: list[tuple[str, list[tuple[str, str]] | None]] = [
    # one field per line, spaces or not around = or :
    ("NMBR = 0612345678", [N]),
    ("NMBR=0612345678", [N]),
    ("NMBR =0612345678", [N]),
    ("NMBR= 0612345678", [N]),
    ("  NMBR   =   0612345678  ", [N]),
    ("CALLER NUMBER: 0612345678", [N]),
    ("CALLER NAME: DUPONT", [("NAME", "DUPONT")]),
    # labels
    ("NBR = 0612345678", [N]),
    ("DDN_NMBR = 0612345678", [N]),
    ("DDN NMBR = 0612345678", [N]),
    ("nbr=0612345678", [N]),
    # several fields on one line, a label running into the next
    ("DATE = 1127 TIME = 0914 NMBR = 0612345678 NAME = DUPONT", [D, T, N, ("NAME", "DUPONT")]),
    ("DATE=1127 TIME=0914 NMBR=0612345678", [D, T, N]),
    ("TIME=0914NMBR=0612345678", [T, N]),
    ("NMBR=0612345678NAME=DUPONT", [N, ("NAME", "DUPONT")]),
    ("NAME = SMITH J", [("NAME", "SMITH J")]),
    # MESG records: hex parameters decoded; others kept as they are
    ("MESG = 040150", [("NMBR", "P")]),
    ("MESG = 04014F", [("NMBR", "O")]),
    ("MESG = 080150", [("NAME", "P")]),
    ("MESG = 030130", [("DDN", "0")]),  # 0x03: the dialable directory number (Bell Canada's, issue 16)
    ("MESG = 0401", [("MESG", "0401")]),  # truncated parameter
    ("MESG = 04015", [("MESG", "04015")]),  # odd hex
    ("MESG = hello", [("MESG", "hello")]),
    # hex records (AT#CID=2)
    (MDMF, [D, T, N, ("NAME", "DUPONT")]),
    (MDMF.lower(), [D, T, N, ("NAME", "DUPONT")]),
    (MDMF_PRIVATE, [D, T, ("NMBR", "P")]),
    (MDMF_UNAVAILABLE, [D, T, ("NMBR", "O")]),
    (SDMF, [D, T, N]),
    (SDMF_PRIVATE, [D, T, ("NMBR", "P")]),
    # not caller id, or malformed
    (MDMF[:-2] + "00", None),  # bad checksum
    (MDMF[:-4] + MDMF[-2:], None),  # length does not match
    ("0612345678", None),  # digits, not a message
    ("RING", None),
    ("", None),
    ("NMBR", None),
    ("XNMBR = 0612345678", None),  # junk before the first label
    ("+CLIP: \"0612345678\",129", None),
    ("06", None),
    ("0400", None),
]


@pytest.mark.parametrize(("line", "expected"), CID_FIELDS)
def test_parse_cid_fields(line: str, expected: list[tuple[str, str]] | None) -> None:
    assert parse_cid_fields(line) == expected
    assert parse_cid_line(line) == (expected[0] if expected else None)


CID_CALLERS: list[tuple[list[str], CallerId]] = [
    (["DATE = 1127 TIME = 0914 NMBR = 0612345678 NAME = DUPONT"], CallerId("0612345678", "DUPONT")),
    (["DATE=1127", "TIME=0914NMBR=0612345678"], CallerId("0612345678")),
    (["DATE = 1127", "TIME = 0914", "MESG = 040150"], CallerId(withheld=True)),
    (["DATE = 1127", "TIME = 0914", "MESG = 04014F"], CallerId(unavailable=True)),
    ([MDMF], CallerId("0612345678", "DUPONT")),
    ([MDMF_PRIVATE], CallerId(withheld=True)),
    ([SDMF], CallerId("0612345678")),
    (["NMBR = 0612345678", "MESG = 030130"], CallerId("0612345678")),
]


@pytest.mark.parametrize(("lines", "expected"), CID_CALLERS)
def test_cid_record_to_caller(lines: list[str], expected: CallerId) -> None:
    fields: dict[str, str] = {}
    for line in lines:
        for k, v in parse_cid_fields(line) or []:
            fields[k] = v
    assert cid_to_caller(fields) == expected


@pytest.mark.parametrize(("hexstr", "expected"), [
    ("040150", [("NMBR", "P")]),
    ("0208303631323334353637", None),  # length 8, 7 bytes follow
    ("02083036313233343536", [("NMBR", "06123456")]),
    ("0208303631323334353637383930", None),  # bytes left over after the last parameter
    ("0108313132373039313407064455504F4E54", [D, T, ("NAME", "DUPONT")]),
    ("010431313237", []),  # a date-time too short is dropped
    ("01043131", None),  # truncated
    ("", None),
    ("zz", None),
])
def test_cid_params(hexstr: str, expected: list[tuple[str, str]] | None) -> None:
    assert cid_params(hexstr) == expected


def test_parse_cid_hex_rejects_other_message_types() -> None:
    body = "8204" + "0B0100FF"  # message waiting indication (0x82), not caller id
    assert parse_cid_hex(body + _checksum(body)) is None


@pytest.mark.parametrize(("line", "urc"), [
    (MDMF, True), (SDMF, True), ("NBR = 0612345678", True), ("0612345678", False), ("OK", False),
])
def test_cid_lines_are_unsolicited(line: str, urc: bool) -> None:
    assert is_urc(line) is urc
    if line == MDMF:  # not on a GSM modem, whose replies may be hex
        assert not is_urc(line, cid_records=False)


NUMBERS = [
    ("0033612345678", 145, "+33612345678"),  # dialling prefix with the international type
    ("+0033612345678", 145, "+0033612345678"),  # already has a +: left alone
    ("0033612345678", 129, "0033612345678"),  # national/unknown type: left alone
    ("33612345678", 145, "+33612345678"),
    ("00", 145, "+00"),  # too short to be a prefix
    ("0044 7700 900123", 145, "+447700900123"),
]


@pytest.mark.parametrize(("number", "ntype", "expected"), NUMBERS)
def test_normalise_number(number: str, ntype: int, expected: str) -> None:
    assert normalise_number(number, ntype) == expected


@pytest.mark.parametrize(("line", "expected"), [
    ('+CLIP: "0033612345678",145,"",0,"",0', CallerId("+33612345678", None, 145)),
    ('+CLIP: "0033612345678",129,"",0,"",0', CallerId("0033612345678", None, 129)),
])
def test_clip_with_dialling_prefix(line: str, expected: CallerId) -> None:
    assert parse_clip(line) == expected


UCS2 = [
    ("002B00330033003600310032003300340035003600370038", "+33612345678"),
    ("0042006F006E006A006F0075007200200021", "Bonjour !"),
    ("00E9", "é"),
    ("0041000D000A0042", "A\r\nB"),
    ("0612", "\u0612"),
    ("0000", None),  # control character
    ("D800", None),  # lone surrogate
    ("004", None),
    ("00GG", None),
    ("", None),
]


@pytest.mark.parametrize(("hexstr", "expected"), UCS2)
def test_decode_ucs2_hex(hexstr: str, expected: str | None) -> None:
    assert decode_ucs2_hex(hexstr) == expected


SMS_HEADERS = [
    ('+CMGR: "REC UNREAD","+33612345678","","26/11/27,12:00:00+04"', SmsHeader("+33612345678", False)),
    ('+CMGR: "REC UNREAD","002B00330033003600310032003300340035003600370038","","26/11/27,12:00:00+04"',
     SmsHeader("+33612345678", True)),
    ('+CMGR: "REC READ","004F00520041004E00470045",,"26/11/27,12:00:00+04"', SmsHeader("ORANGE", True)),
    ('+CMGR: "REC UNREAD","0612345678","","26/11/27,12:00:00+04"', SmsHeader("0612345678", False)),
    ('+CMGR: "REC UNREAD","061234567890","","26/11/27,12:00:00+04"', SmsHeader("061234567890", False)),
    ('+CMGR: "REC UNREAD","+33612345678",,"26/11/27,12:00:00+04",145,4,0,8,"+33609001390",145,18',
     SmsHeader("+33612345678", True)),  # dcs 8: UCS2 text
    ('+CMGR: "REC UNREAD","+33612345678",,"26/11/27,12:00:00+04",145,4,0,0,"+33609001390",145,9',
     SmsHeader("+33612345678", False)),
    ('+CMT: "+33612345678","","26/11/27,12:00:00+04"', SmsHeader("+33612345678", False)),
    ('+CMT: "002B0033003300360031","","26/11/27,12:00:00+04"', SmsHeader("+3361", True)),
    ('+CMT: "+33612345678",,"26/11/27,12:00:00+04",145,4,0,8,"+33609001390",145,4', SmsHeader("+33612345678", True)),
    ('+CMT: "+33612345678",""', SmsHeader("+33612345678", False)),  # truncated: the sender is enough
    ('+CMGR: "REC UNREAD","+33612345678"', SmsHeader("+33612345678", False)),
    ('+CMGR: "REC UNREAD",""', None),  # no sender
    ("+CMT:", None),
    ("+CMGR:", None),
    ("+CMT: ,23", None),  # PDU mode: not decoded here
    ("+CMGR: 0,,23", None),
    ("+CMTI: \"SM\",3", None),
    ("RING", None),
]


@pytest.mark.parametrize(("line", "expected"), SMS_HEADERS)
def test_parse_sms_header(line: str, expected: SmsHeader | None) -> None:
    assert parse_sms_header(line) == expected


@pytest.mark.parametrize(("lines", "ucs2", "expected"), [
    (["0042006F006E006A006F0075007200200021"], True, "Bonjour !"),
    (["0042006F", "006E006A006F0075007200200021"], True, "Bonjour !"),  # split over lines
    (["0042006F006E006A006F0075007200200021"], False, "0042006F006E006A006F0075007200200021"),
    (["Fuite au sous-sol"], True, "Fuite au sous-sol"),  # not hex after all: kept
    (["Ligne 1", "Ligne 2"], False, "Ligne 1\nLigne 2"),
    ([], True, ""),
])
def test_sms_text(lines: list[str], ucs2: bool, expected: str) -> None:
    assert sms_text(lines, ucs2) == expected


MARKERS = [
    ({"NMBR": "Out-of-Area"}, CallerId(unavailable=True)),
    ({"NMBR": "OUT_OF_AREA"}, CallerId(unavailable=True)),
    ({"NMBR": "OutOfArea"}, CallerId(unavailable=True)),
    ({"NMBR": "Number Withheld"}, CallerId(withheld=True)),
    ({"NMBR": "PRIVATE NUMBER"}, CallerId(withheld=True)),
    ({"NMBR": "Blocked"}, CallerId(withheld=True)),
    ({"NMBR": " p "}, CallerId(withheld=True)),
    ({"NMBR": "0612345678", "NAME": "PRIVATE"}, CallerId("0612345678")),
    ({"NMBR": "0612345678", "NAME": "Out of Area"}, CallerId("0612345678")),
    ({"NMBR": "0612345678", "NAME": "O'BRIEN"}, CallerId("0612345678", "O'BRIEN")),
    ({"NMBR": "Private-ish"}, CallerId(unavailable=True)),  # not a marker, not a number
]


@pytest.mark.parametrize(("fields", "expected"), MARKERS)
def test_marker_spellings(fields: dict[str, str], expected: CallerId) -> None:
    assert cid_to_caller(fields) == expected


@pytest.mark.parametrize(("line", "expected"), [
    ('+CLIP: "Withheld Number",128', CallerId(None, None, 128, withheld=True)),
    ('+CLIP: "ANONYMOUS",128,"",0,"",0', CallerId(None, None, 128, withheld=True)),
    ('+CLIP: "Out-of-area",129', CallerId(None, None, 129, unavailable=True)),
])
def test_clip_marker_spellings(line: str, expected: CallerId) -> None:
    assert parse_clip(line) == expected
