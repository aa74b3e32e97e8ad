"""Rings reported as RING, as <DLE>R (V.253 voice mode), or both ways: counted once each.

Driven through the real driver on a pty by replaying a pasted modem log."""

from __future__ import annotations

from pathlib import Path

import pytest

from appliance.capture.replay import ReplayOptions, replay

CID = ["DATE = 1127", "TIME = 0914", "NMBR = 0612345678"]

RINGS = [
    # modem lines, expected ring counts of the Ringing events
    (["<DLE>R", *CID, "<DLE>R", "<DLE>R"], [1, 2, 3]),  # <DLE>R only, even while idle
    (["RING", "<DLE>R", *CID, "RING", "<DLE>R", "RING", "<DLE>R"], [1, 2, 3]),  # both ways: once
    (["<DLE>R", "RING", *CID, "<DLE>R", "RING"], [1, 2]),
    (["RING", *CID, "RING"], [1, 2]),
]


@pytest.mark.parametrize(("lines", "counts"), RINGS)
def test_ring_sources(tmp_path: Path, lines: list[str], counts: list[int]) -> None:
    log = tmp_path / "modem.log"
    log.write_text("\n".join(lines) + "\n")
    r = replay(log, ReplayOptions("voicemodem", speed=0, country="FR", timeout=60))
    assert not r.timed_out
    rings = [e.fields["count"] for e in r.events if e.event == "ringing"]
    assert rings == counts
    assert [e.fields["number"] for e in r.events if e.event in ("ringing", "caller_id")][-1] == "+33612345678"
    assert [e.event for e in r.events if e.event not in ("ready", "ringing", "caller_id")] == ["missed"]
