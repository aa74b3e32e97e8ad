"""The worklist's rules as pure functions: who needs a callback, by when, what resolves it, the rows,
the funnel; working hours; outcomes recorded in a real call log. Table-driven, malformed input included."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from appliance.config import CompanyConfig, Config, load_config_text
from appliance.store.calllog import CallLog
from appliance.store.record import CallRecord, iso
from appliance.worklist import outcome
from appliance.worklist.funnel import funnel
from appliance.worklist.hours import add_working_minutes, end_of_next_working_day, working_minutes_between
from appliance.worklist.items import group
from appliance.worklist.trace import reason_for, trace

PARIS = dt.timezone(dt.timedelta(hours=1))
MON = dt.datetime(2026, 12, 7, tzinfo=PARIS)  # a Monday in December (UTC+1)
CFG: Config = load_config_text("""
[company]
timezone = "Europe/Paris"
holidays = ["2026-12-25"]
[company.opening_hours]
mon = "08:00-12:00, 13:30-18:00"
tue = "08:00-12:00, 13:30-18:00"
wed = "08:00-12:00, 13:30-18:00"
thu = "08:00-12:00, 13:30-18:00"
fri = "08:00-12:00, 13:30-18:00"
sat = "closed"
sun = "closed"
""", source="<test>")


def row(at: dt.datetime, state: str = "abandoned", number: str | None = "+33612345678", **kw: Any) -> dict[str, Any]:
    n = row.counter = getattr(row, "counter", 0) + 1  # type: ignore[attr-defined]
    base = {"id": f"{at.astimezone(dt.UTC):%Y%m%dT%H%M%S}-line1-{n:06x}", "line": "line1", "started_at": iso(at),
            "state": state, "caller_number": number, "rings": 3, "ring_seconds": 12.0, "duration": None}
    if state in ("answered", "interrupted"):
        base["duration"] = 60.0
    return base | kw


# --------------------------------------------------------------------------- who needs a callback

@pytest.mark.parametrize("r, reason", [
    (row(MON, "abandoned"), "missed"),
    (row(MON, "missed"), "missed"),
    (row(MON, "abandoned", number=None, caller_withheld=True), None),      # nobody to call
    (row(MON, "interrupted", duration=None), "missed"),                      # cut off before an answer
    (row(MON, "staff"), None),                                               # a person took it
    (row(MON, "ringing"), None), (row(MON, "in_call"), None),                # still going
    (row(MON, "answered", category="breakdown", urgency="normal", sla_minutes=120), "callback"),
    (row(MON, "answered", number=None, callback="+33698765432", category="quote"), "callback"),
    (row(MON, "answered", number=None, category="quote"), None),             # no number to call back
    (row(MON, "answered", category="sales"), None),                          # worklist.skip_categories
    (row(MON, "answered", category="info", no_callback=True), None),         # "pas besoin de me rappeler"
    (row(MON, "answered", urgent=True, sla_minutes=15), "urgent"),
    (row(MON, "answered", number=None, urgent=True, sla_minutes=15), "urgent"),  # urgent even without a number
    ({"id": "x", "started_at": iso(MON)}, None),                             # malformed: no state
])
def test_reason(r: dict[str, Any], reason: str | None) -> None:
    assert reason_for(r, CFG.worklist.skip_categories) == reason


# --------------------------------------------------------------------------- by when

@pytest.mark.parametrize("r, due", [
    (row(MON.replace(hour=11)), MON.replace(hour=14, minute=30)),            # 1 h before noon, 1 h after 13:30
    (row(MON.replace(hour=17)), MON.replace(day=8, hour=9)),                 # 1 h today, 1 h tomorrow
    (row(MON.replace(hour=22)), MON.replace(day=8, hour=10)),                # at night: from the opening
    (row(MON.replace(day=11, hour=17, minute=30)), MON.replace(day=14, hour=9, minute=30)),  # Fri -> Mon
    (row(MON.replace(day=24, hour=17)), MON.replace(day=28, hour=9)),        # Christmas is a holiday
    (row(MON.replace(hour=22), "answered", urgent=True, sla_minutes=15), MON.replace(hour=22, minute=15)),
    (row(MON.replace(hour=17), "answered", category="breakdown", urgency="high", sla_minutes=60),
     MON.replace(hour=18)),                                                  # 60 working minutes
    (row(MON.replace(hour=17, minute=30), "answered", category="breakdown", urgency="high", sla_minutes=60),
     MON.replace(day=8, hour=8, minute=30)),
    (row(MON.replace(hour=10), "answered", category="quote", urgency="low", sla_minutes=1440),
     MON.replace(day=8, hour=18)),                                           # the end of the next working day
    (row(MON.replace(hour=10), "answered", category="quote", sla_minutes=None), MON.replace(hour=12)),
])
def test_due_time(r: dict[str, Any], due: dt.datetime) -> None:
    (e,) = trace([r], CFG)
    assert e.due_at == due.astimezone(dt.UTC)


def test_hours_edge_cases() -> None:
    always = CompanyConfig(opening_hours={d: "00:00-24:00" for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")})
    start = dt.datetime(2026, 12, 7, 23, 30, tzinfo=PARIS)
    assert add_working_minutes(start, 120, always) == (start + dt.timedelta(hours=2)).astimezone(dt.UTC)
    never = CompanyConfig(opening_hours={})
    assert add_working_minutes(start, 120, never) == (start + dt.timedelta(hours=2)).astimezone(dt.UTC)
    assert end_of_next_working_day(start, never) == (start + dt.timedelta(days=1)).astimezone(dt.UTC)
    co = CFG.company
    assert working_minutes_between(MON.replace(hour=11), MON.replace(hour=14), co) == 90
    assert working_minutes_between(MON.replace(hour=14), MON.replace(hour=11), co) == 0


# --------------------------------------------------------------------------- what resolves it

@pytest.mark.parametrize("first, later, resolution", [
    (row(MON.replace(hour=9)), None, None),
    (row(MON.replace(hour=9), callback_outcome="reached", callback_at=iso(MON.replace(hour=10)), callback_by="anne"),
     None, "reached"),
    (row(MON.replace(hour=9), handled=True, handled_at=iso(MON.replace(hour=10))), None, "handled"),
    (row(MON.replace(hour=9), converted=True, handled=True), None, "converted"),
    (row(MON.replace(hour=9), "answered", urgent=True, sla_minutes=15, acknowledged=True,
         acknowledged_at=iso(MON.replace(hour=9, minute=3))), None, "acknowledged"),
    (row(MON.replace(hour=9)), row(MON.replace(hour=10), "staff"), "later_call"),
    (row(MON.replace(hour=9)), row(MON.replace(hour=10), "answered", category="quote", handled=True), "later_call"),
    # a later call the box answered but nobody handled yet joins the row instead of resolving it
    (row(MON.replace(hour=9)), row(MON.replace(hour=10), "answered", category="quote"), None),
    (row(MON.replace(hour=9)), row(MON.replace(hour=10), "staff", caller_number="+33699999999"), None),
])
def test_resolution(first: dict[str, Any], later: dict[str, Any] | None, resolution: str | None) -> None:
    entries = trace([r for r in (later, first) if r is not None], CFG)  # any order in, time order used
    assert entries[0].call_id == first["id"] and entries[0].resolution == resolution


def test_rows_grouped_by_number_ordered_by_due_time_overdue_and_horizon() -> None:
    rows = [row(MON.replace(hour=9), number="0612345678"), row(MON.replace(hour=9, minute=5)),
            row(MON.replace(hour=10), "answered", number="+33698765432", urgent=True, sla_minutes=15,
                summary="fuite de gaz"),
            row(MON.replace(hour=9, minute=30), number="+33611111111"),
            row(MON - dt.timedelta(days=40), number="+33622222222")]   # beyond the 30-day horizon
    now = MON.replace(hour=11)
    items = group(trace(rows, CFG), now.astimezone(dt.UTC), horizon_days=30)
    assert [(it.key, it.attempts, it.reasons) for it in items] == [
        ("+33698765432", 1, ("urgent",)), ("+33612345678", 2, ("missed",)), ("+33611111111", 1, ("missed",))]
    assert [it.overdue(now) for it in items] == [True, False, False]  # the urgent call was due at 10:15
    assert items[1].due_at == MON.replace(hour=11).astimezone(dt.UTC) and items[0].urgent
    assert items[1].first_at < items[1].last_at and items[1].said() == (None, None)


# --------------------------------------------------------------------------- funnel

def test_funnel_counts_and_times() -> None:
    t = MON.replace(hour=9)
    rows = [
        row(t, callback_outcome="reached", callback_at=iso(t + dt.timedelta(minutes=30))),      # 30 min, in time
        row(t, number="+33611111111", callback_outcome="converted", converted=True,
            callback_at=iso(t + dt.timedelta(hours=5))),                                      # 5 h: late
        row(t, number="+33622222222"),                                                        # not yet, overdue
        row(t, "answered", number="+33633333333", category="quote", sla_minutes=120,
            callback_outcome="message_left", callback_at=iso(t + dt.timedelta(minutes=90))),  # 90 min, in time
        row(t, "answered", number="+33644444444", category="sales"),                         # needs nothing
        row(t, "staff", number="+33655555555"),
    ]
    now = MON.replace(hour=16).astimezone(dt.UTC)
    f = funnel(rows, trace(rows, CFG), now, PARIS, MON.date(), 2)
    assert (f["captured"], f["needing_callback"], f["handled"], f["converted"]) == (6, 4, 3, 1)
    assert (f["handled_within_limit"], f["due"]) == (2, 4)
    assert f["time_to_callback_minutes"] == {"median": 90.0, "p90": pytest.approx(258.0), "n": 3}
    cats = {c["category"]: c for c in f["by_category"]}
    assert cats["unanswered"]["needing_callback"] == 3 and cats["sales"]["needing_callback"] == 0
    assert [w["captured"] for w in f["by_week"]] == [6, 0]
    assert f["resolutions"]["converted"] == 1 and f["resolutions"]["reached"] == 1


# --------------------------------------------------------------------------- outcomes

@pytest.mark.parametrize("outcome_, amount, note, error", [
    ("reached", None, "", None),
    ("converted", "1 250,50", "signed", None),
    ("converted", "douze", "", "amount: expected a number"),
    ("converted", "-5", "", "amount: expected a value from 0"),
    ("called", None, "", "outcome: expected one of"),
    ("reached", None, "x" * 2001, "note: expected at most 2000"),
])
def test_outcome_recorded_on_every_call_of_the_row(tmp_path: Path, outcome_: str, amount: Any, note: str,
                                                   error: str | None) -> None:
    with CallLog(tmp_path) as log:
        recs = []
        for h in (9, 10):
            r = row(MON.replace(hour=h))
            rec = CallRecord.from_dict(r)
            log.create(rec)
            recs.append(rec)
        ids = [r.id for r in recs]
        if error:
            with pytest.raises(outcome.OutcomeError, match=error):
                outcome.record(log, ids, outcome_, who="anne", amount=amount, note=note)
            assert all(log.get(i).callback is None for i in ids)  # type: ignore[union-attr]
            return
        outcome.record(log, ids, outcome_, who="anne", amount=amount, note=note, now=MON.replace(hour=11))
        for i in ids:
            got = log.get(i)
            assert got is not None and got.handled and got.callback is not None
            assert (got.callback["outcome"], got.callback["by"]) == (outcome_, "anne")
            assert got.actions[-1]["kind"] == "callback" and got.actions[-1]["by"] == "anne"
            if outcome_ == "converted":
                assert got.converted and got.amount == 1250.5 and got.notes[-1]["text"] == "signed"
        s = log.get(ids[0]).summary()  # type: ignore[union-attr]
        assert s["callback_outcome"] == outcome_ and s["callback_by"] == "anne"
        assert trace([s], CFG)[0].resolution == outcome_


def test_outcome_refused_for_an_unknown_call_before_anything_is_written(tmp_path: Path) -> None:
    with CallLog(tmp_path) as log:
        rec = CallRecord.from_dict(row(MON))
        log.create(rec)
        with pytest.raises(outcome.OutcomeError, match="no call"):
            outcome.record(log, [rec.id, "20261207T090000-line1-ffffff"], "reached", who="anne")
        assert log.get(rec.id).callback is None  # type: ignore[union-attr]
        with pytest.raises(outcome.OutcomeError, match="call ids"):
            outcome.record(log, [], "reached", who="anne")


def test_config_validation() -> None:
    from appliance.errors import ConfigError

    for bad, key in [('[worklist]\nmissed_limit_minutes = 0', "worklist.missed_limit_minutes"),
                     ('[worklist]\ndigest_time = "8h"', "worklist.digest_time"),
                     ('[caller_sms]\ntext = "Rappel {quand}"', "caller_sms.text"),
                     ('[caller_sms]\ntext = "a\\u0007b"', "caller_sms.text"),
                     ('[[directory.contracts]]\nid = "Gold Plus"', "directory.contracts[0].id"),
                     ('[[worklist.office]]\nname = "A"\nphone = "0612"', "worklist.office[0].phone")]:
        with pytest.raises(ConfigError, match=key.replace("[", r"\[").replace("]", r"\]")):
            load_config_text(bad, source="t")
    ok = load_config_text('[caller_sms]\nenabled = true\ntext = "{company}: rappel {when}"', source="t")
    assert dataclasses.asdict(ok.caller_sms)["enabled"] is True
