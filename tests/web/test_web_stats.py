"""The statistics' arithmetic on hand-made rows: weeks, short abandons, heatmap, rates, projection,
saturation and the peak of simultaneous calls (table-driven)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

import pytest

from appliance.config import load_config_text
from appliance.store.record import iso
from appliance.web import stats

CFG = load_config_text('[company]\nname = "T"\ntimezone = "Europe/Paris"\naverage_order_value = 1200.0\n'
                       'conversion_rate = 0.4\n[web]\nsaturation_abandoned_per_week = 15\n'
                       'saturation_simultaneous = 3\n')
TZ = CFG.company.tz
NOW = dt.datetime(2026, 11, 27, 10, 0, tzinfo=TZ).astimezone(dt.UTC)  # a Friday


def row(local: dt.datetime, state: str = "answered", ring: float = 4.0, duration: float | None = 60.0,
        **kw: Any) -> dict[str, Any]:
    return {"id": "x", "started_at": iso(local.replace(tzinfo=TZ)), "state": state, "ring_seconds": ring,
            "duration": duration if state == "answered" else None, "category": None, "urgent": False,
            "handled": False, "converted": False, "amount": None} | kw


@pytest.mark.parametrize("intervals, expected", [
    ([], (0, None)),
    ([(0, 10)], (1, 0)),
    ([(0, 10), (10, 20)], (1, 0)),          # back to back: never two at once
    ([(0, 10), (5, 20), (6, 7)], (3, 6)),
    ([(0, 10), (20, 30), (25, 26)], (2, 25)),
    ([(5, 5)], (1, 5)),                     # zero-length call still counts
])
def test_peak_simultaneous(intervals: list[tuple[float, float]], expected: tuple[int, float | None]) -> None:
    assert stats.peak_simultaneous(intervals) == expected


@pytest.mark.parametrize("ys, slope, intercept", [
    ([1, 2, 3, 4], 1.0, 1.0),
    ([5, 5, 5], 0.0, 5.0),
    ([10, 8, 6], -2.0, 10.0),
])
def test_fit_line(ys: list[float], slope: float, intercept: float) -> None:
    fit = stats.fit_line(ys)
    assert fit is not None and fit.slope == pytest.approx(slope) and fit.intercept == pytest.approx(intercept)


def test_fit_line_needs_two_points() -> None:
    assert stats.fit_line([]) is None and stats.fit_line([3]) is None


@pytest.mark.parametrize("state, ring, expected", [
    ("answered", 3, "answered"), ("staff", 12, "answered"), ("abandoned", 4.9, "abandoned_short"),
    ("abandoned", 5.0, "abandoned_long"), ("abandoned", 0, "abandoned_short"), ("missed", 1, "missed"),
    ("interrupted", 3, "interrupted"), ("ringing", 2, None), ("in_call", 2, None),
])
def test_classify(state: str, ring: float, expected: str | None) -> None:
    assert stats.classify({"state": state, "ring_seconds": ring}) == expected


def _weeks_of(lost_per_week: list[int], answered_per_week: int = 20) -> list[dict[str, Any]]:
    """Rows for complete weeks ending last week: Tuesdays 10:00, one week per entry, oldest first."""
    rows = []
    this_monday = dt.datetime(2026, 11, 23, 0, 0)
    n = len(lost_per_week)
    for i, lost in enumerate(lost_per_week):
        tuesday = this_monday - dt.timedelta(weeks=n - i) + dt.timedelta(days=1, hours=10)
        rows += [row(tuesday + dt.timedelta(minutes=5 * k)) for k in range(answered_per_week)]
        rows += [row(tuesday + dt.timedelta(hours=2, minutes=5 * k), "abandoned", ring=3.0) for k in range(lost)]
    return rows


def test_projection_follows_the_least_squares_line() -> None:
    # lost calls 10, 11, 12, 13: slope 1 a week, 13 now; next year = sum of 14..65
    res = stats.compute(_weeks_of([10, 11, 12, 13]), CFG, NOW, 8)
    p = res["projection"]
    assert p["enough_data"] and p["weeks_used"] == 4
    assert p["lost_slope_per_week"] == pytest.approx(1.0)
    assert p["lost_next_year"] == pytest.approx(sum(range(14, 66)))
    assert p["value_next_year"] == pytest.approx(sum(range(14, 66)) * 0.4 * 1200)
    assert p["lost_next_year_flat"] == pytest.approx(11.5 * 52)


def test_projection_never_below_zero_and_seed_numbers() -> None:
    falling = stats.compute(_weeks_of([30, 20, 10]), CFG, NOW, 6)["projection"]
    assert falling["lost_next_year"] == pytest.approx(0.0)
    # the seed: 15 short abandons a week, flat: 780 a year, x 40 % x 1200 EUR
    seed = stats.compute(_weeks_of([15] * 4, answered_per_week=142), CFG, NOW, 6)
    assert seed["projection"]["lost_next_year"] == pytest.approx(780)
    assert seed["projection"]["value_next_year"] == pytest.approx(780 * 480)
    assert seed["totals"]["abandoned_short"] == 60 and seed["totals"]["abandoned_long"] == 0
    assert seed["saturation"]["weeks_over"] == [w["start"] for w in seed["weeks"] if w["lost"] >= 15]
    assert seed["saturation"]["warning"] is True


def test_projection_needs_three_complete_weeks_and_skips_the_start_week() -> None:
    res = stats.compute(_weeks_of([3, 4]), CFG, NOW, 6)
    assert res["projection"] == {"enough_data": False, "weeks_used": 2}
    rows = _weeks_of([1, 9, 9, 9])
    first_day = dt.date.fromisoformat(rows[0]["started_at"][:10])
    res = stats.compute(rows, CFG, NOW, 8, first_day=first_day)  # the box started in week 1
    assert res["projection"]["weeks_used"] == 3 and res["projection"]["lost_slope_per_week"] == 0


def test_weeks_heatmap_and_partial_current_week() -> None:
    rows = [row(dt.datetime(2026, 11, 24, 9, 30)),            # Tue last week... no: this week (Mon 23)
            row(dt.datetime(2026, 11, 17, 14, 5), "missed"),  # Tue of the week before
            row(dt.datetime(2026, 11, 22, 23, 59), "abandoned", ring=8)]  # Sunday night
    res = stats.compute(rows, CFG, NOW, 3)
    weeks = res["weeks"]
    assert [w["start"] for w in weeks] == ["2026-11-09", "2026-11-16", "2026-11-23"]
    assert [w["complete"] for w in weeks] == [True, True, False]
    assert weeks[1]["missed"] == 1 and weeks[1]["abandoned_long"] == 1 and weeks[2]["answered"] == 1
    heat = res["heatmap"]
    assert heat[1][9] == 1 and heat[1][14] == 1 and heat[6][23] == 1 and sum(map(sum, heat)) == 3


def test_dst_change_keeps_local_hours() -> None:
    # 2026-03-29: Paris goes from UTC+1 to UTC+2 at 02:00 UTC+1
    before = row(dt.datetime(2026, 3, 28, 9, 0))
    after = row(dt.datetime(2026, 3, 30, 9, 0))
    now = dt.datetime(2026, 4, 1, 12, 0, tzinfo=dt.UTC)
    heat = stats.compute([before, after], CFG, now, 2)["heatmap"]
    assert heat[5][9] == 1 and heat[0][9] == 1


def test_opportunities_and_own_rates() -> None:
    base = dt.datetime(2026, 11, 17, 10, 0)
    rows = [row(base + dt.timedelta(minutes=i), category="quote", handled=i < 12, converted=i < 4,
                amount=1000.0 + 100 * i if i < 4 else None) for i in range(20)]
    rows.append(row(base, category="info", handled=True, converted=True, amount=50.0))  # not an opportunity
    o = stats.compute(rows, CFG, NOW, 2)["opportunities"]
    assert (o["captured"], o["handled"], o["converted"]) == (20, 12, 4)
    assert o["conversion_rate"] == pytest.approx(4 / 12) and o["conversion_rate_source"] == "marked"
    assert o["average_order_value"] == pytest.approx(1150.0) and o["average_order_value_source"] == "marked"
    assert o["revenue"] == pytest.approx(4600.0)
    few = stats.compute(rows[:2], CFG, NOW, 2)["opportunities"]
    assert few["conversion_rate"] == 0.4 and few["conversion_rate_source"] == "config"
    assert few["average_order_value"] == 1200.0 and few["average_order_value_source"] == "config"


def test_simultaneous_saturation_warning() -> None:
    t = dt.datetime(2026, 11, 18, 10, 0)
    rows = [row(t, duration=120), row(t + dt.timedelta(seconds=30), "missed", ring=40),
            row(t + dt.timedelta(seconds=60), duration=30)]
    s = stats.compute(rows, CFG, NOW, 2)["saturation"]
    assert s["peak_simultaneous"] == 3 and s["warning"] is True
    relaxed = dataclasses.replace(CFG, web=dataclasses.replace(CFG.web, saturation_simultaneous=4))
    assert stats.compute(rows, relaxed, NOW, 2)["saturation"]["warning"] is False
