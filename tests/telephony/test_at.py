"""The AT channel against a scripted far end on a real pty."""

from __future__ import annotations

import logging
import os
import threading
import tty
from collections.abc import Iterator
from pathlib import Path

import pytest
from waiting import wait_until

from appliance.errors import ModemError, ModemTimeout, PortGone
from appliance.telephony.at import CONNECT_FINALS, AtChannel, command_prefix, is_urc
from appliance.telephony.dle import DleDecoder
from appliance.telephony.emulator.pty import PtyPort


class FakeFarEnd:
    """Replies to each command line with canned bytes (a real pty, scripted replies)."""

    def __init__(self, pty: PtyPort) -> None:
        self.pty = pty
        self.replies: dict[str, bytes] = {}
        self.received: list[bytes] = []
        self._stop = threading.Event()
        self._t = threading.Thread(target=self._loop, daemon=True)
        self._t.start()

    def _loop(self) -> None:
        buf = b""
        while not self._stop.is_set():
            d = self.pty.read(0.05)
            if d is None:
                return
            buf += d
            while b"\r" in buf:
                line, buf = buf.split(b"\r", 1)
                self.received.append(line)
                reply = self.replies.get(line.decode("latin-1"))
                if reply is not None:
                    self.pty.write(reply)

    def close(self) -> None:
        self._stop.set()
        self._t.join(1)


@pytest.fixture
def far(tmp_path: Path) -> Iterator[FakeFarEnd]:
    pty = PtyPort(tmp_path / "tty")
    pty.plug()
    f = FakeFarEnd(pty)
    yield f
    f.close()
    pty.unplug()


@pytest.fixture
def urcs() -> list[str]:
    return []


@pytest.fixture
def chan(far: FakeFarEnd, urcs: list[str]) -> Iterator[AtChannel]:
    ch = AtChannel(far.pty.path, timeout=1.0, on_unsolicited=urcs.append, line_cap=256)
    ch.open()
    yield ch
    ch.close()


ROUTING = [
    # command, modem bytes, expected reply lines, final, expected URCs
    ("AT+CSQ", b"\r\n+CSQ: 20,99\r\n\r\nOK\r\n", ["+CSQ: 20,99"], "OK", []),
    ("AT+CSQ", b"AT+CSQ\r\r\n+CSQ: 20,99\r\n\r\nOK\r\n", ["+CSQ: 20,99"], "OK", []),  # echo on
    ("AT+CSQ", b"\r\nRING\r\n\r\n+CSQ: 20,99\r\n+CLIP: \"0612\",129\r\nOK\r\n", ["+CSQ: 20,99"], "OK",
     ["RING", '+CLIP: "0612",129']),
    ("AT+CLCC", b"\r\n+CSQ: 11,99\r\n+CLCC: 1,1,4,0,0,\"06\",129\r\nOK\r\n", ['+CLCC: 1,1,4,0,0,"06",129'], "OK",
     ["+CSQ: 11,99"]),
    ("AT+CGMM", b"\r\n^RSSI: 12\r\nSIMCOM_SIM7600E-H\r\n\r\n\r\nOK\r\n", ["SIMCOM_SIM7600E-H"], "OK",
     ["^RSSI: 12"]),
    ("AT+CPIN?", b"\r\n+CPIN: READY\r\n\r\nOK\r\n", ["+CPIN: READY"], "OK", []),
    ("ATI3", b"\r\nU.S. Robotics 56K\xb5 FAX\r\nOK\r\n", ["U.S. Robotics 56K\u00b5 FAX"], "OK", []),
    ("AT+CMGR=1", b"\r\n+CMS ERROR: 321\r\n", [], "+CMS ERROR: 321", []),
    ("AT+CLIP=1", b"\r\n+CME ERROR: SIM not inserted\r\n", [], "+CME ERROR: SIM not inserted", []),
    ("AT+FOO", b"\r\nERROR\r\n", [], "ERROR", []),
    ("AT+CREG?", b"\n+CREG: 0,1\n\nOK\n", ["+CREG: 0,1"], "OK", []),  # LF only
    ("AT+CREG?", b"\r+CREG: 0,1\rOK\r", ["+CREG: 0,1"], "OK", []),  # CR only
    ("AT+CSQ", b"\r\nRDY\r\n\xff\xfe\r\n+CSQ: 5,5\r\nOK\r\n", ["\u00ff\u00fe", "+CSQ: 5,5"], "OK", ["RDY"]),
    # +CMT (direct SMS delivery): the text line belongs to the URC, not to the pending command
    ("AT+CSQ", b"\r\n+CMT: \"+33612345678\",,\"26/11/27,12:00:00+04\"\r\nFuite\r\n+CSQ: 5,5\r\nOK\r\n",
     ["+CSQ: 5,5"], "OK", ['+CMT: "+33612345678",,"26/11/27,12:00:00+04"', "Fuite"]),
    ("ATI3", b"\r\n+CMT: \"+33612345678\",,\"26/11/27,12:00:00+04\"\r\nOK\r\nU.S. Robotics\r\nOK\r\n",
     ["U.S. Robotics"], "OK", ['+CMT: "+33612345678",,"26/11/27,12:00:00+04"', "OK"]),  # even a text "OK"
    # voice-modem caller id arriving during a command: hex record (AT#CID=2) and the NBR label
    ("AT", b"\r\n041231313237303931343036313233343536373847\r\nNBR = 0612345678\r\nOK\r\n", [], "OK",
     ["041231313237303931343036313233343536373847", "NBR = 0612345678"]),
    ("ATI0", b"\r\n041231313237303931343036313233343536373800\r\nOK\r\n",  # bad checksum: a reply
     ["041231313237303931343036313233343536373800"], "OK", []),
]


@pytest.mark.parametrize(("cmd", "modem", "lines", "final", "urc"), ROUTING)
def test_routing(far: FakeFarEnd, chan: AtChannel, urcs: list[str], cmd: str, modem: bytes,
                 lines: list[str], final: str, urc: list[str]) -> None:
    far.replies[cmd] = modem
    r = chan.command(cmd, check=False)
    assert list(r.lines) == lines
    assert r.final == final
    far.replies["AT"] = b"\r\nOK\r\n"
    assert chan.command("AT").ok  # the reader has gone past everything the modem sent before
    assert urcs == urc


def test_error_raises_modem_error(far: FakeFarEnd, chan: AtChannel) -> None:
    far.replies["AT+CLIP=1"] = b"\r\n+CME ERROR: 10\r\n"
    with pytest.raises(ModemError, match=r"AT\+CLIP=1.*CME ERROR: 10"):
        chan.command("AT+CLIP=1")


def test_timeout_then_late_reply_is_not_taken_for_the_next(far: FakeFarEnd, chan: AtChannel,
                                                         urcs: list[str]) -> None:
    with pytest.raises(ModemTimeout, match="no reply"):
        chan.command("AT+SLOW", 0.2)
    far.replies["AT"] = b"\r\nOK\r\n"
    assert chan.command("AT").final == "OK"


def test_unsolicited_outside_commands_and_blank_lines(far: FakeFarEnd, chan: AtChannel, urcs: list[str]) -> None:
    far.pty.write(b"\r\n\r\n\r\nRING\r\n\r\n+CMTI: \"SM\",3\r\nsomething odd\r\n")
    assert wait_until(lambda: "something odd" in urcs, 5)
    assert urcs == ["RING", '+CMTI: "SM",3', "something odd"]


def test_overlong_line_dropped(far: FakeFarEnd, chan: AtChannel, urcs: list[str]) -> None:
    far.pty.write(b"X" * 2000 + b"\r\nRING\r\n")
    assert wait_until(lambda: "RING" in urcs, 5)
    assert urcs[-1] == "RING"
    assert all(len(u) <= 300 for u in urcs)


def test_connect_switches_to_raw_and_back(far: FakeFarEnd, chan: AtChannel) -> None:
    got = bytearray()
    dec = DleDecoder()

    def raw(data: bytes) -> bytes | None:
        d = dec.feed(data)
        got.extend(d.audio)
        return d.rest

    far.replies["AT+VRX"] = b"\r\nCONNECT\r\n\x01\x02\x10\x10\x03\x10\x03\r\nOK\r\n"
    r = chan.command("AT+VRX", finals=CONNECT_FINALS, raw=raw)
    assert r.final == "CONNECT"
    assert wait_until(lambda: len(got) >= 4, 5)
    assert bytes(got) == b"\x01\x02\x10\x03"
    far.replies["AT"] = b"\r\nOK\r\n"
    assert chan.command("AT").ok


def test_dle_events_in_command_state(far: FakeFarEnd) -> None:
    codes: list[str] = []
    urc: list[str] = []
    ch = AtChannel(far.pty.path, on_dle_event=codes.append, on_unsolicited=urc.append)
    with ch:
        far.pty.write(b"\x10H\r\nRING\r\n\x10")
        assert wait_until(lambda: urc == ["RING"], 5)  # read up to the lone DLE, which waits for its pair
        far.pty.write(b"b")
        assert wait_until(lambda: len(codes) == 2, 5)
    assert codes == ["H", "b"]
    assert urc == ["RING"]


def test_port_vanishes(far: FakeFarEnd) -> None:
    closed: list[str] = []
    ch = AtChannel(far.pty.path, on_closed=closed.append, timeout=2.0)
    ch.open()
    try:
        t = threading.Timer(0.2, far.pty.unplug)
        t.start()
        with pytest.raises(PortGone):
            ch.command("AT+NEVER", 2.0)
        assert closed and ch.failure
        with pytest.raises(PortGone):
            ch.send_line("AT")
    finally:
        ch.close()


def test_open_missing_port_says_what_to_do(tmp_path: Path) -> None:
    ch = AtChannel(str(tmp_path / "nope"))
    with pytest.raises(PortGone, match="dialout"):
        ch.open()


def test_log_and_capture(far: FakeFarEnd, caplog: pytest.LogCaptureFixture) -> None:
    cap: list[tuple[str, bytes]] = []
    far.replies["AT+CGMM"] = b"\r\nname\x07\xe9\r\nOK\r\n"
    with caplog.at_level(logging.DEBUG, logger="appliance.telephony.at"):
        with AtChannel(far.pty.path, capture=lambda d, b: cap.append((d, b))) as ch:
            ch.command("AT+CGMM")
    assert ("tx", b"AT+CGMM\r") in cap
    assert ("rx", b"name\x07\xe9") in cap and ("rx", b"OK") in cap
    text = caplog.text
    assert "tx 'AT+CGMM'" in text and "rx 'name\\x07\u00e9'" in text


def test_helpers() -> None:
    assert command_prefix("AT+CSQ") == "+CSQ:"
    assert command_prefix("AT+CPIN?") == "+CPIN:"
    assert command_prefix("at^sysinfo") == "^SYSINFO:"
    assert command_prefix("ATI3") is None
    assert is_urc("+CMTI: \"SM\",1") and is_urc("RING") and not is_urc("OK")


def test_failing_capture_hook_does_not_break_the_channel(far: FakeFarEnd) -> None:
    def broken(direction: str, data: bytes) -> None:
        raise OSError("disk full")

    far.replies["AT"] = b"\r\nOK\r\n"
    with AtChannel(far.pty.path, capture=broken) as ch:
        assert ch.command("AT").ok
        assert ch.command("AT").ok
        assert ch.capture is None


@pytest.mark.parametrize("body", ["OK", "ERROR", "ok merci", "+CMTI: \"SM\",3", "RING"])
def test_sms_read_reply_keeps_a_body_that_looks_like_a_result_code(body: str) -> None:
    """AT+CMGR in text mode: the line after the header is the message, even "OK" or "RING"."""
    master, slave = os.openpty()
    tty.setraw(master)
    ch = AtChannel(os.ttyname(slave), name="t", timeout=2.0)
    ch.open()
    try:
        def modem() -> None:
            buf = b""
            while b"\r" not in buf:
                buf += os.read(master, 100)
            os.write(master, b'\r\n+CMGR: "REC UNREAD","+33600000001",,"26/11/27,09:14:03+04"\r\n'
                     + body.encode() + b"\r\n\r\nOK\r\n")
        t = threading.Thread(target=modem)
        t.start()
        r = ch.command("AT+CMGR=1")
        t.join()
        assert r.ok
        assert r.lines[0].startswith("+CMGR:")
        assert r.lines[1] == body
    finally:
        ch.close()
        os.close(master)
        os.close(slave)
