"""CSV export of the worklist history: every call that needed a callback and what became of it.
Cells are neutralised like the call export (no spreadsheet formula can come from a caller)."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable, Iterator

from ..textsafe import csv_cell as _cell
from ..worklist.trace import Entry

COLUMNS = ("call_id", "started_at", "local_time", "number", "name", "company", "state", "reason", "category",
           "urgency", "summary", "due_at", "resolved_at", "resolution", "resolved_by", "minutes_to_callback",
           "within_limit", "overdue_now", "amount")


def _local(t: dt.datetime | None, tz: dt.tzinfo) -> str:
    return t.astimezone(tz).strftime("%Y-%m-%d %H:%M:%S") if t is not None else ""


def history_csv(entries: Iterable[Entry], tz: dt.tzinfo, now: dt.datetime) -> Iterator[str]:
    buf = io.StringIO()
    writer = csv.writer(buf, quoting=csv.QUOTE_ALL, lineterminator="\r\n")

    def flush() -> str:
        text = buf.getvalue()
        buf.seek(0)
        buf.truncate()
        return text

    writer.writerow(COLUMNS)
    yield flush()
    for e in entries:
        r = e.row
        minutes = e.minutes_to_resolution
        values = {
            "call_id": e.call_id, "started_at": e.started_at.isoformat(), "local_time": _local(e.started_at, tz),
            "number": e.number, "name": r.get("name") or r.get("caller_name"), "company": r.get("company"),
            "state": r.get("state"), "reason": e.reason, "category": r.get("category"),
            "urgency": r.get("urgency"), "summary": r.get("summary"), "due_at": _local(e.due_at, tz),
            "resolved_at": _local(e.resolved_at, tz), "resolution": e.resolution, "resolved_by": e.resolved_by,
            "minutes_to_callback": round(minutes, 1) if minutes is not None else None,
            "within_limit": e.within_limit if e.resolved_at is not None else None,
            "overdue_now": e.overdue(now), "amount": r.get("amount"),
        }
        writer.writerow([_cell(values[c]) for c in COLUMNS])
        yield flush()
