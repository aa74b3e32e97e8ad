"""Every capture of tests/capture replayed through the drivers' call logic with no pty, thread or
sleep (issue 18, item 1): the same expectations as the pty replays, as pure functions over the
recorded bytes, each event tied to the capture line that produced it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from appliance.capture.formats import load
from appliance.capture.offline import replay_offline
from appliance.capture.replay import ReplayResult

from .helpers import forms, last_caller, story
from .test_capture_quirks import ALL, CALLER_CASES, FIRST_RING_HAS_CALLER, SMS_CASES, STORY_CASES
from .test_capture_scenarios import SCENARIOS


def offline(path: Path, driver: str, country: str = "FR") -> ReplayResult:
    parsed = load(path)
    return replay_offline(parsed.records, driver, country, parsed)


SCENARIO_CASES = [(name, p) for name in SCENARIOS for p in forms(name)]
QUIRK_CASES = [(name, p) for name in ALL for p in forms(name, "quirks")]


@pytest.mark.parametrize(("name", "path"), SCENARIO_CASES, ids=[f"{n}-{p.suffix[1:]}" for n, p in SCENARIO_CASES])
def test_scenario_story_offline(name: str, path: Path) -> None:
    driver, country, expected = SCENARIOS[name]
    assert story(offline(path, driver, country).events) == expected


@pytest.mark.parametrize(("name", "path"), QUIRK_CASES, ids=[f"{n}-{p.suffix[1:]}" for n, p in QUIRK_CASES])
def test_quirk_offline(name: str, path: Path) -> None:
    r = offline(path, ALL[name], "GB" if "_uk_" in name else "FR")
    s = story(r.events)
    if name in CALLER_CASES:
        _, caller, outcome = CALLER_CASES[name]
        assert [x for x in s if x.startswith("unparsed")] == [], "lines the logic did not understand"
        assert last_caller(r.events) == caller, s
        assert s[-1] == outcome, s
        if name in FIRST_RING_HAS_CALLER:
            first = next(e for e in r.events if e.event == "ringing")
            assert (first.fields["number"], first.fields["withheld"]) == (caller[0], caller[2]), s
    elif name in SMS_CASES:
        sender, text = SMS_CASES[name]
        assert s == [f"sms:{sender}:{text}"]
    else:
        assert s == STORY_CASES[name][1]


def test_events_name_the_line_that_produced_them() -> None:
    r = offline(forms("gsm_missed_call_sim7600")[0], "gsm")
    first: Any = next(e for e in r.events if e.event == "ringing")
    assert first.fields["modem_line"].startswith("+CLIP:") and first.source == 2
    assert "<- line 2" in first.text()
