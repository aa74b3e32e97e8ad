"""Our field corpus (issue 16, item 5): every transcript, written from what real modems printed in
public reports, manuals and other projects' comments, replayed offline (the drivers' call logic, no pty)
and through a pty (the whole driver); each must be clean and derive every field it names."""

from __future__ import annotations

import pytest

from appliance.capture.formats import load
from appliance.capture.offline import replay_offline
from appliance.capture.replay import ReplayOptions, ReplayResult

from .field import FIELD, Transcript, check, clean, transcripts
from .helpers import run_many, story

TRANSCRIPTS = transcripts()
IDS = [t.name for t in TRANSCRIPTS]


def test_the_corpus_is_large_sourced_and_checkable() -> None:
    assert len([t for t in TRANSCRIPTS if t.origin == "published"]) >= 60
    for t in TRANSCRIPTS:
        assert t.source and t.expect, t.name
        assert t.driver in ("gsm", "voicemodem"), t.name
        for e in t.expect:
            check(e, [])  # every expectation is one the checker knows (raises otherwise)
    assert {p.stem for p in FIELD.glob("*.log")} == set(IDS)


@pytest.mark.parametrize("t", TRANSCRIPTS, ids=IDS)
def test_transcript_offline(t: Transcript) -> None:
    parsed = load(t.path)
    r = replay_offline(parsed.records, t.driver, t.country, parsed)
    s = story(r.events)
    assert clean(t, r.events), s
    assert [e for e in t.expect if not check(e, r.events)] == [], s


@pytest.fixture(scope="module")
def through_pty() -> dict[str, ReplayResult]:
    return run_many([(t.name, t.path, ReplayOptions(t.driver, speed=0, country=t.country, timeout=60))  # type: ignore[arg-type]
                     for t in TRANSCRIPTS])


@pytest.mark.parametrize("t", TRANSCRIPTS, ids=IDS)
def test_transcript_through_the_driver(through_pty: dict[str, ReplayResult], t: Transcript) -> None:
    r = through_pty[t.name]
    s = story(r.events)
    assert clean(t, r.events, r.timed_out), s
    assert [e for e in t.expect if not check(e, r.events)] == [], s
