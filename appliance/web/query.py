"""Call list filters, pagination and export (CSV, JSONL), shared by the pages and the API."""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io
import json
import re
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from ..errors import PermanenceError
from ..store.calllog import CallLog, CallLogReader
from ..store.record import CallRecord, parse_iso
from ..textsafe import csv_cell, strip_bidi

CATEGORIES = ("breakdown", "quote", "appointment", "followup", "billing", "info", "job", "sales", "other")
STATE_FILTERS = ("answered", "staff", "abandoned", "missed", "interrupted", "open")
URGENCY_FILTERS = ("urgent", "not_urgent", "critical", "high", "normal", "low")
PER_PAGE = 50
_CALL_ID = re.compile(r"^\d{8}T\d{6}-[A-Za-z0-9_-]{1,32}-[0-9a-f]{2,16}$")


class FilterError(PermanenceError, ValueError):
    """A filter parameter is malformed."""


def valid_call_id(call_id: str) -> bool:
    """Call ids look like ``20261127T091403-line1-7f3a9c``; anything else is refused early."""
    return bool(_CALL_ID.match(call_id))


@dataclasses.dataclass(frozen=True)
class Filters:
    since: dt.date | None = None
    until: dt.date | None = None
    category: str = ""
    urgency: str = ""
    state: str = ""
    q: str = ""
    page: int = 1
    per_page: int = PER_PAGE

    def utc_range(self, tz: dt.tzinfo) -> tuple[dt.datetime | None, dt.datetime | None]:
        """[since 00:00, until+1 00:00) in local time, as UTC datetimes."""
        lo = dt.datetime.combine(self.since, dt.time(), tz).astimezone(dt.UTC) if self.since else None
        hi = (dt.datetime.combine(self.until + dt.timedelta(days=1), dt.time(), tz).astimezone(dt.UTC)
              if self.until else None)
        return lo, hi

    def args(self, **override: Any) -> dict[str, str]:
        """Query-string arguments reproducing these filters (for links)."""
        out = {"since": self.since.isoformat() if self.since else "",
               "until": self.until.isoformat() if self.until else "",
               "category": self.category, "urgency": self.urgency, "state": self.state, "q": self.q,
               "page": str(self.page)}
        out.update({k: str(v) for k, v in override.items()})  # "" removes a key
        return {k: v for k, v in out.items() if v and not (k == "page" and v == "1")}


def _date(value: str, name: str) -> dt.date | None:
    value = value.strip()
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise FilterError(f"{name}: expected a date YYYY-MM-DD, got {value!r}") from None


def parse_filters(args: Mapping[str, str], *, max_per_page: int = 500) -> Filters:
    """Read filters from query arguments; malformed values raise :class:`FilterError`."""
    since = _date(args.get("since", ""), "since")
    until = _date(args.get("until", ""), "until")
    if since and until and until < since:
        raise FilterError("until: expected a date on or after since")
    category = args.get("category", "").strip()
    if category and category not in CATEGORIES:
        raise FilterError(f"category: expected one of {', '.join(CATEGORIES)}, got {category!r}")
    urgency = args.get("urgency", "").strip()
    if urgency and urgency not in URGENCY_FILTERS:
        raise FilterError(f"urgency: expected one of {', '.join(URGENCY_FILTERS)}, got {urgency!r}")
    state = args.get("state", "").strip()
    if state and state not in STATE_FILTERS:
        raise FilterError(f"state: expected one of {', '.join(STATE_FILTERS)}, got {state!r}")
    q = args.get("q", "").strip()[:200]
    try:
        page = int(args.get("page", "1") or "1")
        per_page = int(args.get("per_page", str(PER_PAGE)) or PER_PAGE)
    except ValueError:
        raise FilterError("page, per_page: expected whole numbers") from None
    if page < 1 or not 1 <= per_page <= max_per_page:
        raise FilterError(f"page: expected 1 or more; per_page: expected 1 to {max_per_page}")
    return Filters(since, until, category, urgency, state, q, page, per_page)


_TEXT_FIELDS = ("id", "caller_number", "caller_name", "name", "company", "summary", "category", "line")


def haystack(row: Mapping[str, Any]) -> str:
    """The row's searchable text, case-folded (fields separated by a character nobody types)."""
    return "\x1f".join(str(row.get(k) or "") for k in _TEXT_FIELDS).casefold()


class SearchCache:
    """Case-folded search text per row, reused while the store hands out the same row object
    (that is, while the row's day file is unchanged). Holding the row keeps its identity unique."""

    def __init__(self, max_rows: int = 200_000) -> None:
        self._rows: dict[str, tuple[Mapping[str, Any], str]] = {}
        self.max_rows = max_rows

    def text(self, row: Mapping[str, Any]) -> str:
        key = str(row.get("id"))
        hit = self._rows.get(key)
        if hit is not None and hit[0] is row:
            return hit[1]
        text = haystack(row)
        if len(self._rows) >= self.max_rows:
            self._rows.clear()
        self._rows[key] = (row, text)
        return text


def matches(row: Mapping[str, Any], f: Filters, search: SearchCache | None = None) -> bool:
    if f.category and row.get("category") != f.category:
        return False
    if f.urgency:
        if f.urgency == "urgent" and not row.get("urgent"):
            return False
        if f.urgency == "not_urgent" and row.get("urgent"):
            return False
        if f.urgency not in ("urgent", "not_urgent") and row.get("urgency") != f.urgency:
            return False
    if f.state:
        s = row.get("state")
        if f.state == "open":
            if s not in ("ringing", "in_call"):
                return False
        elif s != f.state:
            return False
    if f.q:
        text = search.text(row) if search is not None else haystack(row)
        if f.q.casefold() not in text:
            return False
    return True


@dataclasses.dataclass(frozen=True)
class Page:
    rows: list[dict[str, Any]]
    total: int
    page: int
    pages: int


def find(log: CallLog | CallLogReader, f: Filters, tz: dt.tzinfo, search: SearchCache | None = None) -> Page:
    """The page of summaries matching ``f``, newest first."""
    lo, hi = f.utc_range(tz)
    rows = log.summaries(lo, hi)
    if f.category or f.urgency or f.state or f.q:
        rows = [r for r in rows if matches(r, f, search)]
    total = len(rows)
    pages = max(1, -(-total // f.per_page))
    page = min(f.page, pages)
    start = (page - 1) * f.per_page
    return Page(rows[start:start + f.per_page], total, page, pages)


# --------------------------------------------------------------------------- export

CSV_COLUMNS = ("id", "started_at", "local_time", "line", "state", "caller_number", "caller_name", "rings",
               "ring_seconds", "duration", "hangup_by", "category", "urgency", "urgent", "name", "company",
               "summary", "handled", "converted", "amount", "transcript", "notes")


def transcript_text(rec: CallRecord) -> str:
    return " | ".join(f"{t.get('speaker', '?')}: {t.get('text', '')}" for t in rec.turns)


def export_records(log: CallLog | CallLogReader, f: Filters, tz: dt.tzinfo) -> list[CallRecord]:
    lo, hi = f.utc_range(tz)
    recs = log.calls(lo, hi)
    if f.category or f.urgency or f.state or f.q:
        recs = [r for r in recs if matches(r.summary() | {"caller_name": r.caller_name}, f)]
    return recs


def csv_lines(records: Iterable[CallRecord], tz: dt.tzinfo) -> Iterator[str]:
    buf = io.StringIO()
    writer = csv.writer(buf, quoting=csv.QUOTE_ALL, lineterminator="\r\n")

    def flush() -> str:
        text = buf.getvalue()
        buf.seek(0)
        buf.truncate()
        return text

    writer.writerow(CSV_COLUMNS)
    yield flush()
    for rec in records:
        row = rec.summary()
        local = parse_iso(rec.started_at).astimezone(tz).strftime("%Y-%m-%d %H:%M:%S")
        values = {**row, "local_time": local, "transcript": transcript_text(rec),
                  "notes": " | ".join(str(n.get("text", "")) for n in rec.notes)}
        writer.writerow([csv_cell(values.get(c)) for c in CSV_COLUMNS])
        yield flush()


def html_safe_json(obj: Any, **kw: Any) -> str:
    """JSON with ``<``, ``>`` and ``&`` written as ``\\u003c``... so that no caller text can
    ever be read as markup, even by a browser that ignores the content type; and without
    bidi controls (a caller's number shown reversed)."""
    text = strip_bidi(json.dumps(obj, ensure_ascii=False, **kw))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def jsonl_lines(records: Iterable[CallRecord]) -> Iterator[str]:
    for rec in records:
        yield html_safe_json(rec.to_dict()) + "\n"
