"""The on-call rota: weekly shifts, holiday overrides, who is on call and who comes next.

Rules (all times in the company's time zone):

* an override (holiday, swap) covering the local date wins for the whole day;
  when several cover it, the last one listed wins;
* otherwise the first shift listed whose weekday and hours contain the time;
* otherwise nobody is on call (:meth:`Rota.on_call` returns ``None``).

Escalation order (:meth:`Rota.escalation_order`) is the on-call person first,
then everybody else in the order of ``rota.people``, starting after the
on-call person and wrapping round; with nobody on call it is ``rota.people``
in order.

>>> from appliance.config import RotaConfig, Person, Shift
>>> cfg = RotaConfig(people=(Person("Ann", "+33611111111"), Person("Bob", "+33622222222")),
...                  shifts=(Shift("Bob", ("mon",), "08:00-18:00"),))
>>> r = rota_from_config(cfg, "Europe/Paris")
>>> import datetime as dt
>>> r.on_call(dt.datetime(2026, 11, 23, 9, 0)).name   # a Monday, local time
'Bob'
>>> [p.name for p in r.escalation_order(dt.datetime(2026, 11, 23, 9, 0))]
['Bob', 'Ann']
"""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo
from typing import Any

from ..config import WEEKDAYS, Override, Person, RotaConfig, Shift, parse_time_ranges


def normalize_number(number: str) -> str:
    """Digits only, with a leading ``+`` kept; ``0033`` becomes ``+33``."""
    n = re.sub(r"[^\d+]", "", number or "")
    if n.startswith("00"):
        n = "+" + n[2:]
    return n


def same_number(a: str, b: str) -> bool:
    """True when two numbers are the same line (national ``06...`` vs ``+336...`` tolerated)."""
    na, nb = normalize_number(a), normalize_number(b)
    if not na or not nb:
        return False
    if na == nb:
        return True
    da, db = na.lstrip("+"), nb.lstrip("+")
    if len(da) >= 9 and len(db) >= 9:
        return da[-9:] == db[-9:]
    return False


class Rota:
    """Immutable view of a :class:`~appliance.config.RotaConfig` in one time zone."""

    def __init__(self, people: tuple[Person, ...], shifts: tuple[Shift, ...],
                 overrides: tuple[Override, ...], tz: zoneinfo.ZoneInfo) -> None:
        self.people = people
        self.shifts = shifts
        self.overrides = overrides
        self.tz = tz
        self._by_name = {p.name: p for p in people}
        self._ranges = [parse_time_ranges(s.hours) for s in shifts]

    def _local(self, at: dt.datetime) -> dt.datetime:
        return at.astimezone(self.tz) if at.tzinfo else at.replace(tzinfo=self.tz)

    def person(self, name: str) -> Person | None:
        return self._by_name.get(name)

    def person_by_phone(self, number: str) -> Person | None:
        for p in self.people:
            if same_number(p.phone, number):
                return p
        return None

    def _override_for(self, day: dt.date) -> Override | None:
        found = None
        iso = day.isoformat()
        for o in self.overrides:
            if o.start <= iso <= o.end:
                found = o
        return found

    def on_call(self, at: dt.datetime) -> Person | None:
        """Who is on call at ``at`` (aware, or naive local time)."""
        local = self._local(at)
        o = self._override_for(local.date())
        if o is not None:
            return self._by_name.get(o.person)
        day = WEEKDAYS[local.weekday()]
        t = local.time().replace(tzinfo=None)
        for shift, ranges in zip(self.shifts, self._ranges):
            if day in shift.days and any(a <= t < b for a, b in ranges):
                return self._by_name.get(shift.person)
        return None

    def escalation_order(self, at: dt.datetime) -> list[Person]:
        """On-call person first, then the others in rota order (wrapping)."""
        first = self.on_call(at)
        people = list(self.people)
        if first is None or first not in people:
            return people
        i = people.index(first)
        return people[i:] + people[:i]

    def schedule(self, days: int = 7, start: dt.datetime | None = None) -> list[dict[str, Any]]:
        """Who is on call, day by day, for display: ``[{"date", "weekday", "slots": [...]}, ...]``.

        Each slot is ``{"start": "HH:MM", "end": "HH:MM", "person", "phone", "source"}``
        with ``source`` ``"override"`` or ``"shift"``; hours nobody covers are not listed."""
        if days < 1 or days > 366:
            raise ValueError(f"rota schedule: days must be 1-366, got {days}")
        first = self._local(start or dt.datetime.now(dt.UTC)).date()
        out: list[dict[str, Any]] = []
        for k in range(days):
            day = first + dt.timedelta(days=k)
            wd = WEEKDAYS[day.weekday()]
            slots: list[dict[str, Any]] = []
            o = self._override_for(day)
            if o is not None:
                p = self._by_name[o.person]
                slots.append({"start": "00:00", "end": "24:00", "person": p.name, "phone": p.phone,
                              "source": "override"})
            else:
                for shift, ranges in zip(self.shifts, self._ranges):
                    if wd not in shift.days:
                        continue
                    p = self._by_name[shift.person]
                    for a, b in ranges:
                        slots.append({"start": a.strftime("%H:%M"),
                                      "end": "24:00" if b == dt.time.max else b.strftime("%H:%M"),
                                      "person": p.name, "phone": p.phone, "source": "shift"})
                slots.sort(key=lambda s: s["start"])
            out.append({"date": day.isoformat(), "weekday": wd, "slots": slots})
        return out


def rota_from_config(cfg: RotaConfig, timezone: str = "Europe/Paris") -> Rota:
    """Build the :class:`Rota` of a (validated) ``[rota]`` section."""
    return Rota(cfg.people, cfg.shifts, cfg.overrides, zoneinfo.ZoneInfo(timezone))
