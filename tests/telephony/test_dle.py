"""DLE codec: stuffing, unstuffing, events, pairs split across reads, DTMF repeats."""

from __future__ import annotations

import pytest

from appliance.telephony.dle import (
    END_TX,
    DleDecoder,
    DtmfCollapser,
    encode_event,
    stuff,
)

STUFF_CASES = [
    (b"", b""),
    (b"abc", b"abc"),
    (b"\x10", b"\x10\x10"),
    (b"\x10\x10", b"\x10\x10\x10\x10"),
    (b"a\x10b\x03", b"a\x10\x10b\x03"),
]


@pytest.mark.parametrize(("raw", "stuffed"), STUFF_CASES)
def test_stuff(raw: bytes, stuffed: bytes) -> None:
    assert stuff(raw) == stuffed
    d = DleDecoder().feed(stuffed)
    assert d.audio == raw and d.events == [] and d.rest is None


DECODE_CASES = [
    # stream from the modem, audio, events, rest
    (b"ab\x10\x10cd", b"ab\x10cd", [], None),
    (b"a\x10\x1ab", b"a\x10\x10b", [], None),
    (b"a\x105b", b"ab", ["5"], None),
    (b"\x10b", b"", ["b"], None),
    (b"\x10/\x107\x10~", b"", ["/", "7", "~"], None),
    (b"xy\x10\x03\r\nOK\r\n", b"xy", ["ETX"], b"\r\nOK\r\n"),
    (b"\x10\x03", b"", ["ETX"], b""),
    (b"\x10#\x10*\x10A", b"", ["#", "*", "A"], None),
]


@pytest.mark.parametrize(("stream", "audio", "events", "rest"), DECODE_CASES)
def test_decode_whole(stream: bytes, audio: bytes, events: list[str], rest: bytes | None) -> None:
    d = DleDecoder().feed(stream)
    assert (d.audio, d.events, d.rest) == (audio, events, rest)


@pytest.mark.parametrize(("stream", "audio", "events", "rest"), DECODE_CASES)
def test_decode_split_at_every_position(stream: bytes, audio: bytes, events: list[str],
                                        rest: bytes | None) -> None:
    for cut in range(len(stream) + 1):
        dec = DleDecoder()
        a = dec.feed(stream[:cut])
        b = dec.feed(stream[cut:])
        got_rest = a.rest if a.rest is not None else b.rest
        if a.rest is not None:
            got_rest = a.rest + b.rest if b.rest is not None else a.rest
        assert a.audio + b.audio == audio, cut
        assert a.events + b.events == events, cut
        assert got_rest == rest, cut


def test_byte_by_byte() -> None:
    stream = b"\x01\x10\x10\x02\x105\x10\x1a\x10\x03tail"
    dec = DleDecoder()
    audio, events, rest = b"", [], b""
    for i in range(len(stream)):
        d = dec.feed(stream[i : i + 1])
        audio += d.audio
        events += d.events
        if d.rest is not None:
            rest += d.rest
    assert audio == b"\x01\x10\x02\x10\x10"
    assert events == ["5", "ETX"]
    assert rest == b"tail"


def test_encode_event() -> None:
    assert encode_event("b") == b"\x10b"
    assert encode_event("ETX") == END_TX
    with pytest.raises(ValueError, match="one character"):
        encode_event("bb")
    with pytest.raises(ValueError, match="one character"):
        encode_event("\x10")


def test_dtmf_collapser_conexant_repeats() -> None:
    c = DtmfCollapser(gap=0.25)
    got = []
    t = 0.0
    # key 5 held: "/ 5 ~" repeated every 70 ms, then key 5 again after a pause, then 6
    for _ in range(4):
        for code in "/5~":
            d = c.push(code, t)
            if d:
                got.append(d)
        t += 0.07
    t += 0.5
    for code in ("5", "6", "6"):
        d = c.push(code, t)
        if d:
            got.append(d)
        t += 0.07
    assert got == ["5", "5", "6"]


def test_dtmf_collapser_ignores_non_digits() -> None:
    c = DtmfCollapser()
    assert [c.push(x, 0.0) for x in "bdsq/~"] == [None] * 6
