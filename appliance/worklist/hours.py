"""Working time: a limit of "2 working hours" counted over the company's opening hours and holidays.

>>> from appliance.config import CompanyConfig
>>> co = CompanyConfig(opening_hours={"mon": "08:00-12:00, 13:30-18:00", "tue": "08:00-18:00"})
>>> start = dt.datetime(2026, 11, 30, 11, 0, tzinfo=co.tz)            # a Monday, 11:00
>>> add_working_minutes(start, 120, co).astimezone(co.tz).strftime("%a %H:%M")  # 1 h before noon, 1 after 13:30
'Mon 14:30'
>>> add_working_minutes(dt.datetime(2026, 11, 30, 17, 30, tzinfo=co.tz), 120, co).astimezone(co.tz).strftime("%a %H:%M")
'Tue 09:30'
"""

from __future__ import annotations

import datetime as dt
import functools
import zoneinfo

from ..config import WEEKDAYS, CompanyConfig, parse_time_ranges

MAX_DAYS = 400  # a company closed for longer than this: the limit counts in plain time instead
Week = tuple[tuple[tuple[dt.time, dt.time], ...], ...]


@functools.lru_cache(maxsize=32)
def _schedule(hours: tuple[tuple[str, str], ...], holidays: tuple[str, ...],
              timezone: str) -> tuple[Week, frozenset[dt.date], zoneinfo.ZoneInfo]:
    """Opening hours parsed once per configuration (the worklist asks for thousands of calls)."""
    spec = dict(hours)
    week = tuple(parse_time_ranges(spec.get(d, "closed")) for d in WEEKDAYS)
    return week, frozenset(dt.date.fromisoformat(h) for h in holidays), zoneinfo.ZoneInfo(timezone)


def _ranges(co: CompanyConfig, day: dt.date) -> list[tuple[dt.datetime, dt.datetime]]:
    """The opening periods of one local day, as aware datetimes (none on a holiday)."""
    week, holidays, tz = _schedule(tuple(co.opening_hours.items()), tuple(co.holidays), co.timezone)
    if day in holidays:
        return []
    out = []
    for start, end in week[day.weekday()]:
        a = dt.datetime.combine(day, start, tz)
        b = (dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), tz) if end == dt.time.max
             else dt.datetime.combine(day, end, tz))
        out.append((a, b))
    return out


def is_working_day(day: dt.date, co: CompanyConfig) -> bool:
    """The company opens that day (a weekday with opening hours, not a holiday)."""
    return bool(_ranges(co, day))


def add_working_minutes(start: dt.datetime, minutes: float, co: CompanyConfig) -> dt.datetime:
    """``start`` plus ``minutes`` of opening time (a call outside hours counts from the next opening).
    A company never open in the next 400 days counts plain minutes."""
    left = dt.timedelta(minutes=minutes)
    local = start.astimezone(co.tz)
    day = local.date()
    for _ in range(MAX_DAYS):
        for a, b in _ranges(co, day):
            a = max(a, local)
            if b <= a:
                continue
            if b - a >= left:
                return (a + left).astimezone(dt.UTC)
            left -= b - a
        day += dt.timedelta(days=1)
    return (start + dt.timedelta(minutes=minutes)).astimezone(dt.UTC)


def end_of_next_working_day(start: dt.datetime, co: CompanyConfig) -> dt.datetime:
    """The closing time of the first working day after ``start``'s day ("next working day")."""
    day = start.astimezone(co.tz).date()
    for _ in range(MAX_DAYS):
        day += dt.timedelta(days=1)
        periods = _ranges(co, day)
        if periods:
            return periods[-1][1].astimezone(dt.UTC)
    return (start + dt.timedelta(days=1)).astimezone(dt.UTC)


def working_minutes_between(a: dt.datetime, b: dt.datetime, co: CompanyConfig) -> float:
    """Opening minutes between two instants (0 when ``b`` is not after ``a``)."""
    if b <= a:
        return 0.0
    total = dt.timedelta()
    day = a.astimezone(co.tz).date()
    last = b.astimezone(co.tz).date()
    while day <= last:
        for x, y in _ranges(co, day):
            lo, hi = max(x, a), min(y, b)
            if hi > lo:
                total += hi - lo
        day += dt.timedelta(days=1)
    return total.total_seconds() / 60
