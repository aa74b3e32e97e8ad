"""Who an urgent call is put through to, and what the caller hears instead of "they will call you back"."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from appliance.config import load_config_text
from appliance.conversation.base import ListenSpec, Prompt, Reply
from appliance.transfer import TransferDesk

MONDAY_9 = dt.datetime(2026, 11, 23, 9, 0, tzinfo=dt.UTC)
ROTA = """
[company]
language = "en"
timezone = "UTC"
[[rota.people]]
name = "Ann"
phone = "+33611111111"
transfer = {ann}
[[rota.people]]
name = "Bob"
phone = "+33622222222"
[[rota.people]]
name = "Cy"
phone = "+33633333333"
transfer = true
[[rota.shifts]]
person = "Ann"
days = ["mon"]
hours = "08:00-18:00"
[rota.transfer]
people = {people}
"""


def desk(ann: bool = True, people: int = 1, at: dt.datetime = MONDAY_9) -> TransferDesk:
    cfg = load_config_text(ROTA.format(ann="true" if ann else "false", people=people))
    return TransferDesk(cfg, now=lambda: at)


@pytest.mark.parametrize(("ann", "people", "at", "names"), [
    (True, 1, MONDAY_9, ["Ann"]),
    (True, 2, MONDAY_9, ["Ann", "Cy"]),  # Bob does not accept transfers: skipped
    (True, 5, MONDAY_9, ["Ann", "Cy"]),
    (False, 2, MONDAY_9, []),  # the person on duty does not accept transfers: the alert path only
    (True, 1, MONDAY_9 + dt.timedelta(hours=10), []),  # nobody on call
])
def test_targets(ann: bool, people: int, at: dt.datetime, names: list[str]) -> None:
    assert [t.name for t in desk(ann, people, at).targets()] == names


class _Line:
    def __init__(self, kind: str) -> None:
        self.kind = kind

    def transfer_kind(self) -> str:
        return self.kind


class _Handler:
    def __init__(self, kind: str) -> None:
        self.line = _Line(kind)


class _Session:
    """What the desk reads of a call session (appliance.call.CallSession)."""

    def __init__(self, kind: str) -> None:
        self.h = _Handler(kind)
        self.transfer: Any = None
        self.call_id = "c1"
        self.lang = "en"


URGENT = Reply(say=(Prompt("Thank you.", key="number_confirmed"), Prompt("This is urgent...", key="urgent"),
                    Prompt("May I have your name?", key="ask_name")), listen=ListenSpec("name"), urgent=True)


def test_the_urgent_reply_becomes_please_hold_and_the_question_waits() -> None:
    s = _Session("multiparty")
    r = desk().intercept(s, URGENT)  # type: ignore[arg-type]
    assert [p.key for p in r.say] == ["number_confirmed", "transfer_putting_through"]
    assert r.urgent and r.listen is None and not r.hangup
    assert s.transfer is not None and [p.key for p in s.transfer.rest.say] == ["ask_name"]
    assert s.transfer.rest.listen == ListenSpec("name")


@pytest.mark.parametrize(("kind", "ann"), [("none", True), ("multiparty", False)])
def test_no_transfer_leaves_the_reply_alone(kind: str, ann: bool) -> None:
    s = _Session(kind)
    assert desk(ann).intercept(s, URGENT) is URGENT  # type: ignore[arg-type]
    assert s.transfer is None


def test_the_urgent_sentence_with_its_reason_is_replaced_too() -> None:
    s = _Session("multiparty")
    reply = Reply(say=(Prompt("I understand: ... This is urgent...", key="urgent_because"),
                       Prompt("May I have your name?", key="ask_name")), urgent=True)
    r = desk().intercept(s, reply)  # type: ignore[arg-type]
    assert [p.key for p in r.say] == ["transfer_putting_through"]
    assert [p.key for p in s.transfer.rest.say] == ["ask_name"]
