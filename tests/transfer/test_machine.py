"""The transfer as a pure state machine: every branch, table-driven, on a virtual clock (no line, no audio)."""

from __future__ import annotations

from typing import Any

import pytest

from appliance.telephony.line import ControlResult, OtherParty
from appliance.transfer.machine import (
    Acknowledge,
    Act,
    Finished,
    Note,
    Order,
    Say,
    Target,
    Transfer,
    TransferSettings,
)

ANN = Target("Ann", "+33611111111")
BOB = Target("Bob", "+33622222222")


def words(orders: list[Order]) -> list[str]:
    """Orders as short words: 'note:technician_dialled', 'act:dial', 'say:caller:not_reached', 'ack:Ann',
    'done:returned'."""
    out = []
    for o in orders:
        if isinstance(o, Note):
            out.append(f"note:{o.kind}")
        elif isinstance(o, Act):
            out.append(f"act:{o.action}")
        elif isinstance(o, Say):
            out.append(f"say:{o.to}:{o.sentence}")
        elif isinstance(o, Acknowledge):
            out.append(f"ack:{o.person}")
        elif isinstance(o, Finished):
            out.append(f"done:{o.outcome}")
    return out


def ok(action: str, good: bool = True, detail: str = "") -> ControlResult:
    return ControlResult(action=action, ok=good, detail=detail)  # type: ignore[arg-type]


def run(steps: list[tuple[float, str, Any]], targets: list[Target] | None = None,
        settings: TransferSettings | None = None) -> tuple[Transfer, list[str]]:
    """Feed (time, input, argument) steps; returns the machine and every order it gave, in order."""
    m = Transfer(targets or [ANN], settings or TransferSettings())
    out: list[str] = []
    for t, kind, arg in steps:
        if kind == "start":
            out += words(m.start(t))
        elif kind == "control":
            out += words(m.control(arg, t))
        elif kind == "other":
            out += words(m.other(OtherParty(state=arg[0], reason=arg[1] if len(arg) > 1 else ""), t))
        elif kind == "key":
            out += words(m.key(arg, t))
        elif kind == "said":
            out += words(m.said(t))
        elif kind == "tick":
            out += words(m.tick(t))
        elif kind == "gone":
            out += words(m.caller_gone(t))
    return m, out


ANSWERED = [(0.0, "start", None), (0.1, "control", ok("hold")), (0.2, "control", ok("dial")),
            (1.0, "other", ("alerting",)), (3.0, "other", ("active",))]
HELD_UNTIL_BRIEF = ["note:transfer_started", "act:hold", "note:caller_on_hold", "note:technician_dialled",
                    "act:dial", "note:technician_ringing", "note:technician_answered", "say:technician:brief"]
BACK_FINAL = ["act:back", "note:caller_back", "say:caller:not_reached"]


@pytest.mark.parametrize(("name", "steps", "expected"), [
    ("accepted, explicit transfer",
     [*ANSWERED, (9.0, "said", None), (10.0, "key", "1"), (11.0, "said", None), (11.5, "control", ok("transfer"))],
     [*HELD_UNTIL_BRIEF, "note:technician_accepted", "say:technician:connecting", "act:transfer",
      "note:transferred", "ack:Ann", "done:put_through"]),
    ("accepted, the network refuses ECT: three-way call",
     [*ANSWERED, (9.0, "said", None), (10.0, "key", "1"), (11.0, "said", None),
      (11.5, "control", ok("transfer", False, "+CME ERROR: 3")), (11.6, "control", ok("join"))],
     [*HELD_UNTIL_BRIEF, "note:technician_accepted", "say:technician:connecting", "act:transfer",
      "note:transfer_refused", "act:join", "note:joined", "ack:Ann", "done:joined"]),
    ("accepted, both refused: back to the caller",
     [*ANSWERED, (9.0, "said", None), (10.0, "key", "1"), (11.0, "said", None),
      (11.5, "control", ok("transfer", False)), (11.6, "control", ok("join", False)),
      (11.7, "control", ok("back")), (14.0, "said", None)],
     [*HELD_UNTIL_BRIEF, "note:technician_accepted", "say:technician:connecting", "act:transfer",
      "note:transfer_refused", "act:join", "note:transfer_error", *BACK_FINAL, "done:returned"]),
    ("key 1 during the brief is taken at once",
     [*ANSWERED, (5.0, "key", "1"), (6.0, "said", None), (6.5, "control", ok("transfer"))],
     [*HELD_UNTIL_BRIEF, "note:technician_accepted", "say:technician:connecting", "act:transfer",
      "note:transferred", "ack:Ann", "done:put_through"]),
    ("declined",
     [*ANSWERED, (9.0, "said", None), (10.0, "key", "2"), (10.2, "control", ok("back")), (13.0, "said", None)],
     [*HELD_UNTIL_BRIEF, "note:technician_declined", *BACK_FINAL, "done:returned"]),
    ("another key: the choice again, then no key: ends",
     [*ANSWERED, (9.0, "said", None), (10.0, "key", "5"), (12.0, "said", None), (19.9, "tick", None),
      (20.1, "tick", None), (20.2, "control", ok("back")), (23.0, "said", None)],
     [*HELD_UNTIL_BRIEF, "say:technician:choice", "note:technician_no_key", *BACK_FINAL, "done:returned"]),
    ("no key at all: the choice once more, then ends",
     [*ANSWERED, (9.0, "said", None), (17.1, "tick", None), (19.0, "said", None), (27.1, "tick", None),
      (27.2, "control", ok("back")), (30.0, "said", None)],
     [*HELD_UNTIL_BRIEF, "say:technician:choice", "note:technician_no_key", *BACK_FINAL, "done:returned"]),
    ("no answer within ring_seconds",
     [(0.0, "start", None), (0.1, "control", ok("hold")), (0.2, "control", ok("dial")),
      (1.0, "other", ("alerting",)), (15.1, "tick", None), (15.2, "tick", None), (15.3, "control", ok("back")),
      (18.0, "said", None)],
     ["note:transfer_started", "act:hold", "note:caller_on_hold", "note:technician_dialled", "act:dial",
      "note:technician_ringing", "note:technician_no_answer", *BACK_FINAL, "done:returned"]),
    ("busy",
     [(0.0, "start", None), (0.1, "control", ok("hold")), (0.2, "control", ok("dial")),
      (0.9, "other", ("ended", "BUSY")), (1.0, "control", ok("back")), (3.0, "said", None)],
     ["note:transfer_started", "act:hold", "note:caller_on_hold", "note:technician_dialled", "act:dial",
      "note:technician_busy", *BACK_FINAL, "done:returned"]),
    ("the network gives up ringing",
     [(0.0, "start", None), (0.1, "control", ok("hold")), (0.2, "control", ok("dial")),
      (1.0, "other", ("alerting",)), (9.0, "other", ("ended", "NO ANSWER")), (9.1, "control", ok("back")),
      (12.0, "said", None)],
     ["note:transfer_started", "act:hold", "note:caller_on_hold", "note:technician_dialled", "act:dial",
      "note:technician_ringing", "note:technician_no_answer", *BACK_FINAL, "done:returned"]),
    ("dial refused",
     [(0.0, "start", None), (0.1, "control", ok("hold")), (0.2, "control", ok("dial", False, "NO CARRIER")),
      (0.3, "control", ok("back")), (3.0, "said", None)],
     ["note:transfer_started", "act:hold", "note:caller_on_hold", "note:technician_dialled", "act:dial",
      "note:transfer_error", *BACK_FINAL, "done:returned"]),
    ("hold refused: the caller is told at once",
     [(0.0, "start", None), (0.1, "control", ok("hold", False, "ERROR")), (2.0, "said", None)],
     ["note:transfer_started", "act:hold", "note:transfer_error", "say:caller:not_reached", "done:returned"]),
    ("technician hangs up during the brief",
     [*ANSWERED, (5.0, "other", ("ended", "NO CARRIER")), (5.1, "control", ok("back")), (8.0, "said", None)],
     [*HELD_UNTIL_BRIEF, "note:technician_hung_up", *BACK_FINAL, "done:returned"]),
    ("hold limit reached while ringing",
     [(0.0, "start", None), (0.1, "control", ok("hold")), (0.2, "control", ok("dial")),
      (1.0, "other", ("alerting",)), (30.2, "tick", None), (30.3, "control", ok("back")), (33.0, "said", None)],
     ["note:transfer_started", "act:hold", "note:caller_on_hold", "note:technician_dialled", "act:dial",
      "note:technician_ringing", "note:hold_limit", *BACK_FINAL, "done:returned"]),
    ("the hold limit does not cut a call the technician took",
     [*ANSWERED, (9.0, "said", None), (28.5, "key", "1"), (29.5, "tick", None), (30.5, "said", None),
      (31.0, "control", ok("transfer"))],
     [*HELD_UNTIL_BRIEF, "note:technician_accepted", "say:technician:connecting", "act:transfer",
      "note:transferred", "ack:Ann", "done:put_through"]),
    ("hold limit reached during the brief",
     [*ANSWERED, (30.1, "tick", None), (30.2, "control", ok("back")), (33.0, "said", None)],
     [*HELD_UNTIL_BRIEF, "note:hold_limit", *BACK_FINAL, "done:returned"]),
    ("the caller cannot be taken back: the call fails",
     [*ANSWERED, (9.0, "said", None), (10.0, "key", "2"), (10.2, "control", ok("back", False, "gone"))],
     [*HELD_UNTIL_BRIEF, "note:technician_declined", "act:back", "note:caller_back", "done:failed"]),
    ("the caller hangs up on hold",
     [(0.0, "start", None), (0.1, "control", ok("hold")), (0.2, "control", ok("dial")), (4.0, "gone", None),
      (5.0, "other", ("active",)), (6.0, "key", "1")],
     ["note:transfer_started", "act:hold", "note:caller_on_hold", "note:technician_dialled", "act:dial",
      "note:transfer_abandoned"]),
    ("events that do not belong are ignored",
     [(0.0, "start", None), (0.05, "key", "1"), (0.06, "other", ("active",)), (0.07, "control", ok("transfer")),
      (0.08, "said", None), (0.1, "control", ok("hold")), (0.15, "control", ok("hold")),
      (0.2, "control", ok("dial")), (0.3, "control", ok("back"))],
     ["note:transfer_started", "act:hold", "note:caller_on_hold", "note:technician_dialled", "act:dial"]),
])
def test_branches(name: str, steps: list[tuple[float, str, Any]], expected: list[str]) -> None:
    _m, got = run(steps)
    assert got == expected, name


def test_next_person_in_the_rota_after_a_decline() -> None:
    m, got = run([*ANSWERED, (9.0, "said", None), (10.0, "key", "2"), (10.2, "control", ok("back")),
                  (13.0, "said", None), (13.1, "control", ok("hold")), (13.2, "control", ok("dial")),
                  (14.0, "other", ("active",)), (20.0, "said", None), (21.0, "key", "1"), (22.0, "said", None),
                  (22.3, "control", ok("transfer"))], targets=[ANN, BOB])
    assert got == [*HELD_UNTIL_BRIEF, "note:technician_declined", "act:back", "note:caller_back",
                   "say:caller:still_trying", "note:transfer_started", "act:hold", "note:caller_on_hold",
                   "note:technician_dialled", "act:dial", "note:technician_answered", "say:technician:brief",
                   "note:technician_accepted", "say:technician:connecting", "act:transfer", "note:transferred",
                   "ack:Bob", "done:put_through"]
    assert m.person == BOB and m.outcome == "put_through"


def test_the_second_person_is_dialled_with_their_number_and_hold_time_restarts() -> None:
    m = Transfer([ANN, BOB], TransferSettings(hold_limit=20.0, ring_seconds=60.0))
    m.start(0.0)
    m.control(ok("hold"), 0.0)
    m.control(ok("dial"), 0.1)
    assert words(m.tick(18.9)) == []
    assert words(m.tick(19.0)) == ["note:hold_limit", "act:back"]  # 1 s before: the caller hears the box by 20 s
    m.control(ok("back"), 20.1)
    m.said(22.0)  # "still trying" said: hold again, second person
    orders = m.control(ok("hold"), 22.1)
    assert [o.number for o in orders if isinstance(o, Act)] == [BOB.phone]
    assert words(m.tick(41.0)) == []  # the limit counts from the second hold (22.1 + 20 - 1)
    assert words(m.tick(42.2)) == ["note:hold_limit", "act:back"]
    m.control(ok("back"), 42.3)
    assert words(m.said(45.0)) == ["done:returned"]  # nobody left: "not reached" was said
    assert m.held_total == pytest.approx(20.1 + 20.2, abs=0.01)


def test_nobody_to_call_tells_the_caller() -> None:
    m = Transfer([], TransferSettings())
    assert words(m.start(0.0)) == ["note:transfer_error", "say:caller:not_reached"]
    assert words(m.said(1.0)) == ["done:returned"]


def test_without_explicit_transfer_the_call_is_joined() -> None:
    _m, got = run([*ANSWERED, (9.0, "said", None), (10.0, "key", "1"), (11.0, "said", None),
                   (11.2, "control", ok("join"))], settings=TransferSettings(explicit_transfer=False))
    assert got[-5:] == ["say:technician:connecting", "act:join", "note:joined", "ack:Ann", "done:joined"]


def test_analog_refused_transfer_has_no_join_fallback() -> None:
    _m, got = run([*ANSWERED, (9.0, "said", None), (10.0, "key", "1"), (11.0, "said", None),
                   (11.2, "control", ok("transfer", False)), (11.3, "control", ok("back")), (14.0, "said", None)],
                  settings=TransferSettings(join_fallback=False))
    assert got[-6:] == ["act:transfer", "note:transfer_refused", *BACK_FINAL, "done:returned"]


def test_held_seconds_are_in_the_timeline() -> None:
    m = Transfer([ANN], TransferSettings())
    m.start(0.0)
    m.control(ok("hold"), 1.0)
    m.control(ok("dial"), 1.1)
    m.other(OtherParty(state="active"), 4.0)
    m.said(12.0)
    m.key("1", 13.0)
    m.said(14.0)
    orders = m.control(ok("transfer"), 14.5)
    note = next(o for o in orders if isinstance(o, Note))
    assert note.kind == "transferred" and note.fields["held_seconds"] == 13.5
    assert note.fields["person"] == "Ann" and note.fields["phone"] == ANN.phone
