"""Opening hours in words, as the box says them, from the configuration and the prompt file.

>>> from appliance.conversation.prompts import load_prompts
>>> say_hours({d: "00:00-24:00" for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")},
...           load_prompts("en").hours)
'every day, around the clock'
>>> say_hours({"mon": "08:00-12:00", "tue": "08:00-12:00", "sat": "09:30-12:00"}, load_prompts("fr").hours)
'du lundi au mardi de 8 heures à 12 heures, le samedi de 9 heures 30 à 12 heures'
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from ..config import WEEKDAYS, parse_time_ranges

_ALL_DAY = ((dt.time(0, 0), dt.time.max),)


def _time(t: dt.time, h: Mapping[str, Any]) -> str:
    if t == dt.time.max:
        return str(h["time_exact"]).format(h=24, m="00")
    if t.minute == 0:
        return str(h["time_exact"]).format(h=t.hour, m="00")
    return str(h["time"]).format(h=t.hour, m=f"{t.minute:02d}")


def say_hours(opening_hours: Mapping[str, str], h: Mapping[str, Any]) -> str:
    """Days with the same hours are grouped ("Monday to Friday from 8:00 to 12:00"); the whole week
    is "every day", a whole day "around the clock". Empty when the office never opens."""
    days: list[str] = list(h["days"])
    groups: list[tuple[int, int, tuple[tuple[dt.time, dt.time], ...]]] = []
    for i, wd in enumerate(WEEKDAYS):
        ranges = parse_time_ranges(opening_hours.get(wd, "closed"))
        if not ranges:
            continue
        if groups and groups[-1][1] == i - 1 and groups[-1][2] == ranges:
            groups[-1] = (groups[-1][0], i, ranges)
        else:
            groups.append((i, i, ranges))
    parts = []
    for first, last, ranges in groups:
        if first == 0 and last == len(WEEKDAYS) - 1:
            when = str(h["every_day"])
        elif first == last:
            when = str(h["single_day"]).format(day=days[first])
        else:
            when = str(h["day_span"]).format(first=days[first], last=days[last])
        if ranges == _ALL_DAY:
            parts.append(str(h["all_day"]).format(when=when))
            continue
        text = str(h["join"]).join(str(h["range"]).format(start=_time(a, h), end=_time(b, h)) for a, b in ranges)
        parts.append(f"{when} {text}")
    return str(h["group_join"]).join(parts)
