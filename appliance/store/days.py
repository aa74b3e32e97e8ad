"""Where the call log keeps each day, and how a day file is checked when it is read.

Layout under the data directory::

    calls/2026/11/2026-11-27.json      tinydb file: full records of calls that started that UTC day
    calls/2026/11/2026-11-27.idx.json  day index: compact rows (CallRecord.summary) + the stamp of the day file
    calls/2026/11/2026-11-27.agg.json  day aggregates: counts per hour and state + the stamp of the day file

A day file is a tinydb document ``{"calls": {"1": {record}, "2": {record}, ...}}``.
:func:`parse_day` accepts only that shape and records that :class:`CallRecord` can
read; anything else is reported, so the caller can put the file in quarantine.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path
from typing import Any

from .record import CallRecord, parse_iso

TABLE = "calls"


def stamp(path: Path) -> list[int] | None:
    """Size and mtime of a file: an index or aggregate is current when it carries its day file's stamp."""
    try:
        st = path.stat()
    except FileNotFoundError:
        return None
    return [st.st_size, st.st_mtime_ns]


def day_paths(root: Path, day: dt.date) -> tuple[Path, Path]:
    d = root / "calls" / f"{day:%Y}" / f"{day:%m}"
    return d / f"{day.isoformat()}.json", d / f"{day.isoformat()}.idx.json"


def agg_path(root: Path, day: dt.date) -> Path:
    return root / "calls" / f"{day:%Y}" / f"{day:%m}" / f"{day.isoformat()}.agg.json"


@dataclasses.dataclass(frozen=True)
class DayContent:
    """The records of a day file in doc-id order; ``problem`` says what was wrong with the file."""

    docs: list[dict[str, Any]]
    problem: str | None = None


def _record_problem(doc: Any) -> str | None:
    if not isinstance(doc, dict):
        return f"a record is {type(doc).__name__}, not an object"
    try:
        rec = CallRecord.from_dict(doc)
        parse_iso(rec.started_at)
        rec.summary()
    except (TypeError, ValueError, AttributeError) as exc:
        return f"record {str(doc.get('id'))[:40]!r} is unreadable ({exc})"
    if not isinstance(rec.id, str) or not isinstance(rec.state, str):
        return f"record {str(doc.get('id'))[:40]!r} has no id or state"
    return None


def parse_day(data: Any) -> DayContent:
    """The readable records of a parsed day file; wrong-shape records are left out and named."""
    if data is None:
        return DayContent([])
    if not isinstance(data, dict):
        return DayContent([], f"not a tinydb document (a JSON {type(data).__name__})")
    table = data.get(TABLE, {})
    if not isinstance(table, dict):
        return DayContent([], f'"{TABLE}" is a JSON {type(table).__name__}, not a table')
    docs: list[dict[str, Any]] = []
    problems: list[str] = []
    keys = sorted(table, key=lambda k: (0, int(k)) if str(k).isdigit() else (1, str(k)))
    for k in keys:
        problem = None if str(k).isdigit() else f"document id {str(k)[:20]!r} is not a number"
        problem = problem or _record_problem(table[k])
        if problem:
            problems.append(problem)
        else:
            docs.append(table[k])
    return DayContent(docs, "; ".join(problems[:3]) + (" ..." if len(problems) > 3 else "") if problems else None)


def aggregate(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Counts of one day's calls per UTC hour and state, and the day's totals."""
    by_hour: dict[str, list[int]] = {}
    cats: dict[str, int] = {}
    agg: dict[str, Any] = {"calls": len(rows), "by_hour": by_hour, "categories": cats, "urgent": 0,
                           "abandoned_under_5s": 0, "handled": 0, "converted": 0, "amount": 0.0,
                           "opportunities": 0}
    for r in rows:
        hour = int(r["started_at"][11:13])
        by_hour.setdefault(r["state"], [0] * 24)[hour] += 1
        if r.get("category"):
            cats[r["category"]] = cats.get(r["category"], 0) + 1
            if r["category"] not in ("info", "sales", "job", "other"):
                agg["opportunities"] += 1
        agg["urgent"] += 1 if r.get("urgent") else 0
        if r["state"] == "abandoned" and (r.get("ring_seconds") or 0) < 5:
            agg["abandoned_under_5s"] += 1
        agg["handled"] += 1 if r.get("handled") else 0
        agg["converted"] += 1 if r.get("converted") else 0
        agg["amount"] += float(r.get("amount") or 0)
    return agg


def index_problem(idx: Any) -> str | None:
    """What is wrong with the shape of a day index (None: well formed, current or stale)."""
    if not isinstance(idx, dict) or not isinstance(idx.get("rows"), list):
        return "not a day index (expected an object with a list of rows)"
    if not (idx.get("stamp") is None or isinstance(idx.get("stamp"), list)):
        return "its stamp is not a list"
    for r in idx["rows"]:
        if not (isinstance(r, dict) and isinstance(r.get("id"), str) and isinstance(r.get("started_at"), str)
                and isinstance(r.get("state"), str)):
            return "a row is not a call summary"
    return None


def aggregate_problem(agg: Any) -> str | None:
    """What is wrong with the shape of day aggregates (None: well formed)."""
    if not (isinstance(agg, dict) and isinstance(agg.get("by_hour"), dict) and isinstance(agg.get("calls"), int)):
        return "not day aggregates (expected an object with calls and by_hour)"
    return None


INDEX_VERSION = 2  # the shape of CallRecord.summary(): an index of another version is rebuilt


def valid_index(idx: Any, day_stamp: list[int] | None) -> list[dict[str, Any]] | None:
    """The rows of a current, well-formed index of this version; None when it must be rebuilt."""
    if idx is None or index_problem(idx) or idx.get("stamp") != day_stamp or idx.get("version") != INDEX_VERSION:
        return None
    rows: list[dict[str, Any]] = idx["rows"]
    return rows


def valid_aggregate(agg: Any, day_stamp: list[int] | None) -> bool:
    return agg is not None and aggregate_problem(agg) is None and agg.get("stamp") == day_stamp


def days(root: Path, lo: dt.date | None = None, hi: dt.date | None = None) -> list[dt.date]:
    """Every day that has a day file (between ``lo`` and ``hi`` inclusive), oldest first.

    Only the month directories in range are listed, so a query over the last week
    costs the same with one year or ten years of history."""
    out: list[dt.date] = []
    base = root / "calls"
    try:
        years = sorted(p.name for p in base.iterdir() if p.name.isdigit() and len(p.name) == 4)
    except FileNotFoundError:
        return out
    for y in years:
        year = int(y)
        if (lo and year < lo.year) or (hi and year > hi.year):
            continue
        try:
            months = sorted(p.name for p in (base / y).iterdir() if p.name.isdigit() and len(p.name) == 2)
        except (FileNotFoundError, NotADirectoryError):
            continue
        for m in months:
            ym = (year, int(m))
            if (lo and ym < (lo.year, lo.month)) or (hi and ym > (hi.year, hi.month)):
                continue
            out.extend(_month_days(base / y / m, lo, hi))
    return sorted(out)


def _month_days(month_dir: Path, lo: dt.date | None, hi: dt.date | None) -> list[dt.date]:
    out = []
    for p in month_dir.iterdir():
        name = p.name
        if not name.endswith(".json") or name.endswith((".idx.json", ".agg.json")) or name.startswith("."):
            continue
        try:
            day = dt.date.fromisoformat(name[:-5])
        except ValueError:
            continue
        if (lo is None or day >= lo) and (hi is None or day <= hi):
            out.append(day)
    return out


def day_range(root: Path, since: dt.datetime | None, until: dt.datetime | None) -> list[dt.date]:
    lo = since.astimezone(dt.UTC).date() if since is not None else None
    hi = until.astimezone(dt.UTC).date() if until is not None else None
    return days(root, lo, hi)


def in_range(started_at: str, since: dt.datetime | None, until: dt.datetime | None) -> bool:
    if since is None and until is None:
        return True
    t = parse_iso(started_at)
    if since is not None and t < since:
        return False
    return not (until is not None and t >= until)
