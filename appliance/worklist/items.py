"""The "To call back" rows: unresolved worklist entries grouped by number, most pressing first.

>>> # items = group(trace(rows, cfg), now, horizon_days=30); items[0].due_at, items[0].overdue(now)
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable

from .trace import Entry

REASON_ORDER = {"urgent": 0, "callback": 1, "missed": 2}


@dataclasses.dataclass(frozen=True)
class Item:
    """One number to call back and the unresolved calls that came from it (oldest first)."""

    key: str
    number: str | None
    entries: tuple[Entry, ...]

    @property
    def due_at(self) -> dt.datetime:
        return min(e.due_at for e in self.entries)

    @property
    def first_at(self) -> dt.datetime:
        return self.entries[0].started_at

    @property
    def last_at(self) -> dt.datetime:
        return self.entries[-1].started_at

    @property
    def attempts(self) -> int:
        return len(self.entries)

    @property
    def reasons(self) -> tuple[str, ...]:
        return tuple(sorted({e.reason for e in self.entries}, key=REASON_ORDER.__getitem__))

    @property
    def urgent(self) -> bool:
        return any(e.reason == "urgent" for e in self.entries)

    @property
    def call_ids(self) -> tuple[str, ...]:
        return tuple(e.call_id for e in self.entries)

    def overdue(self, now: dt.datetime) -> bool:
        return now > self.due_at

    def said(self) -> tuple[str | None, str | None]:
        """The name and company the calls gave, the latest first."""
        name = company = None
        for e in reversed(self.entries):
            name = name or e.row.get("name") or e.row.get("caller_name")
            company = company or e.row.get("company")
        return name, company


def group(entries: Iterable[Entry], now: dt.datetime, horizon_days: int = 30) -> list[Item]:
    """Unresolved entries of the last ``horizon_days`` days, one item per number, by due time."""
    oldest = now - dt.timedelta(days=horizon_days)
    by_key: dict[str, list[Entry]] = {}
    for e in entries:
        if e.resolved_at is None and e.started_at >= oldest:
            by_key.setdefault(e.key, []).append(e)
    items = [Item(key=k, number=k if k.startswith("+") else next((e.number for e in reversed(es) if e.number), None),
                  entries=tuple(sorted(es, key=lambda e: e.started_at)))
             for k, es in by_key.items()]
    items.sort(key=lambda it: (it.due_at, not it.urgent, it.first_at))
    return items
