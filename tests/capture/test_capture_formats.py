"""Reading captures: our JSONL (exact bytes round-trip) and pasted logs in every style."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from appliance.capture.formats import (
    CaptureFormatError,
    CaptureRecord,
    load,
    parse_bytes,
    parse_jsonl,
    record_json,
)
from appliance.capture.script import build_script, norm_command
from appliance.errors import PermanenceError

from . import make_jsonl
from .helpers import DATA, JSONL

RING_CLIP = [("rx", b"RING"), ("rx", b'+CLIP: "0612345678",129,"",0,"",0'), ("tx", b"ATA\r"), ("rx", b"OK")]

# (style, text) -> the same four records
STYLES: list[tuple[str, bytes]] = [
    ("bare-lf", b'RING\n+CLIP: "0612345678",129,"",0,"",0\nATA\nOK\n'),
    ("bare-crlf", b'RING\r\n+CLIP: "0612345678",129,"",0,"",0\r\nATA\r\nOK\r\n'),
    ("bare-crcrlf", b'\r\r\nRING\r\r\n\r\r\n+CLIP: "0612345678",129,"",0,"",0\r\r\nATA\r\r\nOK\r\r\n'),
    ("bare-cr", b'RING\r+CLIP: "0612345678",129,"",0,"",0\rATA\rOK\r'),
    ("journald", b"Nov 27 09:14:03 pi permanence[812]: rx 'RING'\n"
                 b"Nov 27 09:14:03 pi permanence[812]: rx '+CLIP: \"0612345678\",129,\"\",0,\"\",0'\n"
                 b"Nov 27 09:14:04 pi permanence[812]: tx 'ATA'\n"
                 b"Nov 27 09:14:04 pi permanence[812]: rx 'OK'\n"),
    ("journald-logger", b"Nov 27 09:14:03 pi permanence[812]: appliance.telephony.gsm.gsm1: gsm1 rx 'RING'\n"
                        b"Nov 27 09:14:03 pi permanence[812]: appliance.telephony.gsm.gsm1: gsm1 rx "
                        b"'+CLIP: \"0612345678\",129,\"\",0,\"\",0'\n"
                        b"Nov 27 09:14:04 pi permanence[812]: appliance.call: call 1 ringing\n"
                        b"Nov 27 09:14:04 pi permanence[812]: appliance.telephony.gsm.gsm1: gsm1 tx 'ATA'\n"
                        b"Nov 27 09:14:04 pi permanence[812]: appliance.telephony.gsm.gsm1: gsm1 rx 'OK'\n"),
    ("python-logging", b"2026-11-27 09:14:03,120 DEBUG appliance.telephony.at: <- 'RING'\n"
                       b"2026-11-27 09:14:03,121 DEBUG appliance.telephony.at: <- "
                       b"'+CLIP: \"0612345678\",129,\"\",0,\"\",0'\n"
                       b"2026-11-27 09:14:04,000 DEBUG appliance.telephony.at: -> 'ATA'\n"
                       b"2026-11-27 09:14:04,300 DEBUG appliance.telephony.at: <- 'OK'\n"),
    ("basicconfig", b"DEBUG:root:rx RING\nDEBUG:root:rx +CLIP: \"0612345678\",129,\"\",0,\"\",0\n"
                    b"DEBUG:root:tx ATA\nDEBUG:root:rx OK\n"),
    ("modemmanager", b"Nov 27 09:14:03 pi ModemManager[512]: <debug> [ttyUSB2] <-- '<CR><LF>RING<CR><LF>"
                     b"<CR><LF>+CLIP: \"0612345678\",129,\"\",0,\"\",0<CR><LF>'\n"
                     b"Nov 27 09:14:04 pi ModemManager[512]: <debug> [ttyUSB2] --> 'ATA<CR>'\n"
                     b"Nov 27 09:14:04 pi ModemManager[512]: <debug> [ttyUSB2] <-- '<CR><LF>OK<CR><LF>'\n"),
    ("arrows-time", b"[09:14:03.120] << RING\n[09:14:03.180] << +CLIP: \"0612345678\",129,\"\",0,\"\",0\n"
                    b"[09:14:04.000] >> ATA\n[09:14:04.300] << OK\n"),
    ("rxtx-colon", b"09:14:03.120 RX: RING\n09:14:03.180 RX: +CLIP: \"0612345678\",129,\"\",0,\"\",0\n"
                   b"09:14:04.000 TX: ATA\n09:14:04.300 RX: OK\n"),
    ("sending-got", b"[dongle0] got: RING\n[dongle0] got: +CLIP: \"0612345678\",129,\"\",0,\"\",0\n"
                    b"[dongle0] sending: ATA\n[dongle0] got: OK\n"),
    ("python-bytes-repr", b"rx b'\\r\\nRING\\r\\n'\nrx b'+CLIP: \"0612345678\",129,\"\",0,\"\",0\\r\\n'\n"
                          b"tx b'ATA\\r'\nrx b'\\r\\nOK\\r\\n'\n"),
    ("mgetty", b"11/27 09:14:03 yS0  waiting for ``RING''\n"
               b"11/27 09:14:03 yS0   got: [0d][0a]RING ** found **\n"
               b"11/27 09:14:04 yS0   got: [0d][0a]+CLIP: \"0612345678\",129,\"\",0,\"\",0[0d][0a]\n"
               b"11/27 09:14:04 yS0  CND: NMBR: 0612345678\n"
               b"11/27 09:14:05 yS0  mdm_send: ATA\n11/27 09:14:05 yS0   got: [0d][0a]OK[0d][0a]\n"),
    ("arduino-monitor", b"09:14:03.120 -> RING\n09:14:03.121 -> \n09:14:03.180 -> +CLIP: \"0612345678\",129,\"\",0,\"\",0\n"
                        b"09:14:04.000 -> ATA\n09:14:04.300 -> OK\n"),
    ("gammu-debug", b'1 "RING"\n1 "+CLIP: \"0612345678\",129,\"\",0,\"\",0"\n1 "ATA"\n2 "OK"\n'),
    ("chan-dongle", b"[Nov 27 09:14:03] DEBUG[1234]: at_read.c:224 at_read_result_iov: [dongle0] [1;4] [RING\n]\n"
                    b"[Nov 27 09:14:03] DEBUG[1234]: at_read.c:224 at_read_result_iov: [dongle0] [1;36] "
                    b"[+CLIP: \"0612345678\",129,\"\",0,\"\",0\n]\n"
                    b"[Nov 27 09:14:04] DEBUG[1234]: at_queue.c:100 at_write: [dongle0] sending: ATA\n"
                    b"[Nov 27 09:14:04] DEBUG[1234]: at_read.c:224 at_read_result_iov: [dongle0] [1;2] [OK\n]\n"),
    ("putty-escapes", b"=~=~=~=~=~=~=~=~=~=~=~= PuTTY log 2026.11.27 09:14:03 =~=~=~=~=~=~=~=~=~=~=~=\n"
                      b"RING\\r\\n\n+CLIP: \"0612345678\",129,\"\",0,\"\",0\\r\\n\nATA\\r\nOK\\r\\n\n"),
    ("python-repl", b">>> ser.readline()\nb'RING\\r\\n'\n>>> ser.readline()\n"
                    b"b'+CLIP: \"0612345678\",129,\"\",0,\"\",0\\r\\n'\n>>> ser.write(b'ATA\\r')\n4\n"
                    b"... \n>>> ser.readline()\nb'OK\\r\\n'\n"),
    ("snd-rcv", b"[09:14:03.120]Rcv: RING\n[09:14:03.180]Rcv: +CLIP: \"0612345678\",129,\"\",0,\"\",0\n"
                b"[09:14:04.000]Snd: ATA\n[09:14:04.300]Rcv: OK\n"),
    ("inline-read", b"Serial device 4 read: RING\nSerial device 4 read: +CLIP: \"0612345678\",129,\"\",0,\"\",0\n"
                    b"ATA\nSerial device 4 read: OK\n"),
    ("unicode-control-pictures", "RING\u240d\u240a+CLIP: \"0612345678\",129,\"\",0,\"\",0\u240d\u240aATA\u240dOK\u240d\u240a".encode()),
    ("mm-new", b"Nov 27 09:14:03 pi ModemManager[512]: <dbg> [1701234567.123456] [modem0/ttyUSB2/at] "
               b"<-- '<CR><LF>RING<CR><LF>'\n"
               b"Nov 27 09:14:03 pi ModemManager[512]: <dbg> [1701234567.183456] [modem0/ttyUSB2/at] "
               b"<-- '<CR><LF>+CLIP: \"0612345678\",129,\"\",0,\"\",0<CR><LF>'\n"
               b"Nov 27 09:14:03 pi ModemManager[512]: <dbg> [1701234567.2] [modem0] device open count is 1\n"
               b"Nov 27 09:14:04 pi ModemManager[512]: <dbg> [1701234568.0] [modem0/ttyUSB2/at] --> 'ATA<CR>'\n"
               b"Nov 27 09:14:04 pi ModemManager[512]: <dbg> [1701234568.3] [modem0/ttyUSB2/at] "
               b"<-- '<CR><LF>OK<CR><LF>'\n"),
    ("european-dates", b"27.11.2026 09:14:03.120 RX: RING\n27.11.2026 09:14:03.180 RX: +CLIP: \"0612345678\",129,\"\",0,\"\",0\n"
                       b"27.11.2026 09:14:04.000 TX: ATA\n27.11.2026 09:14:04.300 RX: OK\n"),
    ("us-dates-ampm", b"11/27/2026 9:14:03 AM <- RING\n11/27/2026 9:14:03 AM <- +CLIP: \"0612345678\",129,\"\",0,\"\",0\n"
                      b"11/27/2026 9:14:04 AM -> ATA\n11/27/2026 9:14:04 AM <- OK\n"),
    ("epoch", b"1795770843.120 rx RING\n1795770843.180 rx +CLIP: \"0612345678\",129,\"\",0,\"\",0\n"
              b"1795770844.000 tx ATA\n1795770844.300 rx OK\n"),
    ("forum-mangled", "\x1b[0;32mRING\x1b[0m\n+CLIP:\u00a0\u201c0612345678\u201d,129,\u201c\u201d,0,\u201c\u201d,0\n"
                      "AT\u200bA\nOK\n".encode()),
    ("html-entities", b"RING<br>\n+CLIP: &quot;0612345678&quot;,129,&quot;&quot;,0,&quot;&quot;,0\nATA\nOK\n"),
    ("own-stderr-syslog", b"<7>appliance.telephony.gsm.gsm1: gsm1 rx 'RING'\n"
                          b"<7>appliance.telephony.gsm.gsm1: gsm1 rx '+CLIP: \"0612345678\",129,\"\",0,\"\",0'\n"
                          b"<6>appliance.call: call 1 ringing\n"
                          b"<7>appliance.telephony.gsm.gsm1: gsm1 tx 'ATA'\n<7>appliance.telephony.gsm.gsm1: gsm1 rx 'OK'\n"),
    ("bom-and-blank-lines", b"\xef\xbb\xbf\n\nRING\n\n\n+CLIP: \"0612345678\",129,\"\",0,\"\",0\n  \nATA\nOK\n\n"),
]


@pytest.mark.parametrize(("style", "raw"), STYLES, ids=[s for s, _ in STYLES])
def test_pasted_log_styles(style: str, raw: bytes) -> None:
    p = parse_bytes(raw)
    assert p.format == "text"
    assert [(r.direction, r.data) for r in p.records] == RING_CLIP


def test_times_are_kept_from_log_prefixes() -> None:
    p = parse_bytes(STYLES[6][1])  # python logging
    ts = [r.t for r in p.records]
    assert all(t is not None for t in ts)
    assert ts[3] - ts[0] == pytest.approx(1.18)  # type: ignore[operator]
    p = parse_bytes(STYLES[9][1])  # bracketed times of day
    assert p.records[3].t - p.records[0].t == pytest.approx(1.18)  # type: ignore[operator]
    assert parse_bytes(STYLES[0][1]).records[0].t is None


def test_unmarked_lines_of_a_marked_log_are_other_output() -> None:
    p = parse_bytes(STYLES[5][1])
    assert p.skipped == 1  # appliance.call: call 1 ringing


@pytest.mark.parametrize(("line", "data", "direction"), [
    ("rx DLE 'b'", b"\x10b", "rx"),
    ("gsm1 rx DLE '\\x03'", b"\x10\x03", "rx"),
    ("<DLE>5", b"\x105", "rx"),
    ("<DLE>!", b"\x10!", "tx"),
    ("^P^M", b"\x10", "rx"),
    ("^MODE: 5", b"^MODE: 5", "rx"),
    ("at+clip=1", b"at+clip=1\r", "tx"),
    ("A/", b"A/\r", "tx"),
    ("NMBR = P", b"NMBR = P", "rx"),
    ("MISSED_CALL: 09:14AM 0612345678", b"MISSED_CALL: 09:14AM 0612345678", "rx"),
    ("VOICE CALL: BEGIN", b"VOICE CALL: BEGIN", "rx"),
    ("ERROR", b"ERROR", "rx"),
    ("NAME=S\xc3\xa9bastien", "NAME=Sébastien".encode(), "rx"),
    ("NAME=S\xe9b", b"NAME=S\xe9b", "rx"),
])
def test_single_lines(line: str | bytes, data: bytes, direction: str) -> None:
    raw = line.encode("latin-1") if isinstance(line, str) else line
    recs = parse_bytes(raw + b"\n").records
    assert [(r.direction, r.data) for r in recs] == [(direction, data)]


@pytest.mark.parametrize("data", [
    b"RING", b"AT+CLIP=1\r", b"\x10b", b"\x10\x03", b"NAME=S\xc3\xa9b", b"\xff\xfe\x00garbage", b"\x00" * 5,
    b'+CLIP: "0612",129', b"\r\n", bytes(range(256)),
])
def test_jsonl_round_trips_exact_bytes(data: bytes) -> None:
    rec = CaptureRecord("rx", data, 1795770843.12)
    line = record_json(rec)
    obj = json.loads(line)
    assert ("data" in obj) != ("b64" in obj)
    back = parse_jsonl(line).records[0]
    assert (back.direction, back.data, back.t) == ("rx", data, pytest.approx(1795770843.12))


def test_jsonl_cut_last_line_and_junk_are_skipped() -> None:
    good = record_json(CaptureRecord("rx", b"RING", 1.0))
    text = "\n".join([good, '{"t": "x", "dir": "sideways", "data": "?"}', "[1,2]", good, good[:20]])
    p = parse_bytes(text.encode())
    assert p.format == "jsonl"
    assert [r.data for r in p.records] == [b"RING", b"RING"]
    assert p.skipped == 3


def test_jsonl_export_of_several_lines_is_split_by_header() -> None:
    def head(name: str) -> str:
        return json.dumps({"capture": "permanence", "version": 1, "line": name, "t": "2026-11-27T09:00:00.000Z"})
    text = "\n".join([head("a"), record_json(CaptureRecord("rx", b"RING", 1.0)),
                      head("b"), record_json(CaptureRecord("rx", b"NMBR=1", 2.0))])
    assert parse_jsonl(text).lines == ("a", "b")
    assert [r.data for r in parse_jsonl(text, "b").records] == [b"NMBR=1"]


def test_load_errors_name_the_file(tmp_path: Path) -> None:
    with pytest.raises(CaptureFormatError, match="no such capture file") as e:
        load(tmp_path / "missing.log")
    assert isinstance(e.value, PermanenceError) and "missing.log" in str(e.value)
    with pytest.raises(CaptureFormatError, match="is a directory"):
        load(tmp_path)
    (tmp_path / "empty.log").write_bytes(b"")
    assert load(tmp_path / "empty.log").format == "empty"


def test_committed_jsonl_captures_are_the_writer_output() -> None:
    logs = make_jsonl.text_logs()
    assert len(logs) == len(list(JSONL.glob("*.jsonl")))
    for log in logs:
        assert (JSONL / (log.stem + ".jsonl")).read_bytes() == make_jsonl.jsonl_for(log), log.name


@pytest.mark.parametrize(("raw", "norm"), [
    (b"at+clip=1\r", "AT+CLIP=1"), (b"AT + CSQ\r", "AT+CSQ"), (b'AT+CMGS="+33612"\r', 'AT+CMGS="+33612"'),
    (b"\x10!", "<DLE>!"), (b"\x10\x03", "<DLE><ETX>"), (b"hello\x1a", "hello"),
])
def test_command_normalisation(raw: bytes, norm: str) -> None:
    assert norm_command(raw) == norm


def test_script_groups_replies_and_bursts() -> None:
    recs = parse_bytes((DATA / "gsm_answered_dtmf_caller_hangup.log").read_bytes()).records
    steps = build_script(recs)
    ata = next(s for s in steps if getattr(s, "command", "") == "ATA")
    assert ata.reply == [b"VOICE CALL: BEGIN", b"OK"]  # type: ignore[union-attr]
    at = steps[0]
    assert at.command == "AT" and at.reply == [b"OK"]  # type: ignore[union-attr]  # echo dropped
    end = steps[-1]
    assert end.lines == [b"VOICE CALL: END: 000016", b"NO CARRIER"]  # type: ignore[union-attr]  # one read
