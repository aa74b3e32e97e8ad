"""The simulated callers' side channel (appliance.demo.BoxPrompts): what the box asked, from its record."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest

from appliance.demo import BoxPrompts

GREETING = ("box", "greeting", "Hello")
REASON = ("caller", "", "the boiler has stopped")
URGENCY = ("box", "ask_urgency", "Is anything stopped?")


def _record(box: BoxPrompts, call_id: str, *turns: tuple[str, str, str]) -> None:
    rec: Any = SimpleNamespace(id=call_id, line="l1", turns=[{"speaker": s, "key": k, "text": t} for s, k, t in turns])
    box.call_event("qualified", rec)


@pytest.mark.parametrize("before,mark,after,said", [
    ([], False, [("c1", [GREETING])], [("greeting", "Hello")]),
    ([], False, [("old", [("box", "goodbye", "Bye")])], [("goodbye", "Bye")]),  # stale, before the caller spoke
    ([("c1", [GREETING])], True, [], []),  # the caller speaks: nothing new yet
    ([("c1", [GREETING])], True, [("c1", [GREETING, ("box", "repeat", "late")])], []),  # written late, said before
    ([("c1", [GREETING])], True, [("c1", [GREETING, REASON])], []),  # heard, no reply yet
    ([("c1", [GREETING])], True, [("c1", [GREETING, REASON, URGENCY])], [("ask_urgency", "Is anything stopped?")]),
    ([("c1", [GREETING])], True, [("c1", [GREETING, ("caller", "", ""), ("box", "repeat", "Sorry"), URGENCY])],
     [("repeat", "Sorry"), ("ask_urgency", "Is anything stopped?")]),  # a silence is a caller turn too
    ([("c1", [GREETING])], True, [("c2", [GREETING])], [("greeting", "Hello")]),  # another call on the line
])
def test_box_prompts_since_the_caller_spoke(before: list[Any], mark: bool, after: list[Any],
                                            said: list[tuple[str, str]]) -> None:
    box = BoxPrompts()
    channel = box.since_caller("l1")
    for call_id, turns in before:
        _record(box, call_id, *turns)
    if mark:
        channel.mark()
    for call_id, turns in after:
        _record(box, call_id, *turns)
    assert channel() == said
    assert box.since_caller("other-line")() == []
