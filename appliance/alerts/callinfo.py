"""What an alert says about a call, taken from a CallRecord (or its dict).

A caller the customer directory knows (``known``, filled when the box answered) is named as the
directory names them; ``attempt`` is set from the second call of the day from an unanswered number
(the call the box answers after two unanswered ones is attempt 3).

>>> call_info({"id": "c1", "caller_number": "+33612345678",
...            "qualification": {"name": "Ann", "urgent": True}}, "https://box")["url"]
'https://box/calls/c1'
"""

from __future__ import annotations

import urllib.parse
from collections.abc import Mapping
from typing import Any

from ..errors import AlertError
from ..qualification import Qualification
from ..store.record import CallRecord
from ..textsafe import strip_bidi


def record_dict(rec: CallRecord | Mapping[str, Any]) -> tuple[Mapping[str, Any], Qualification]:
    """The record's fields, and its qualification as the typed value (read from a dict once)."""
    if isinstance(rec, CallRecord):
        d: Mapping[str, Any] = rec.to_dict()
        q = rec.qualification or Qualification()
    elif isinstance(rec, Mapping):
        d = rec
        raw = rec.get("qualification")
        q = Qualification.from_dict(raw) if isinstance(raw, Mapping) else Qualification()
    else:
        raise AlertError(f"alerts: expected a CallRecord or its dict, got {type(rec).__name__}")
    if not isinstance(d.get("id"), str) or not d["id"]:
        raise AlertError("alerts: the call record has no id")
    return d, q


def call_info(rec: CallRecord | Mapping[str, Any], base_url: str = "") -> dict[str, Any]:
    """The fields alerts carry: raw caller text (escaped later where it goes)."""
    d, q = record_dict(rec)
    callback = q.callback or q.extra.get("callback_number") or q.extra.get("phone") or d.get("caller_number")
    url = ""
    if base_url:
        url = base_url.rstrip("/") + "/calls/" + urllib.parse.quote(d["id"], safe="")
    raw_known = d.get("known")
    known: dict[str, Any] = raw_known if isinstance(raw_known, dict) else {}
    earlier = d.get("earlier_attempts")
    return {
        "call_id": d["id"],
        "line": d.get("line"),
        "started_at": d.get("started_at"),
        "state": d.get("state"),
        "caller_number": _text(d.get("caller_number")),
        "caller_name": _text(d.get("caller_name")),
        "name": _text(known.get("name") or q.name or d.get("caller_name")),
        "company": _text(known.get("company") or q.company),
        "site": _text(known.get("site") or q.site),
        "contract": _text(known.get("contract")),
        "known": bool(known),
        "attempt": (earlier + 1) if isinstance(earlier, int) and earlier > 0 else None,
        "category": q.category,
        "summary": _text(q.summary),
        "urgency": q.urgency,
        "urgent": q.urgent,
        "callback": _text(callback),
        "url": url,
    }


def _text(v: Any) -> Any:
    """Caller-controlled text without bidi controls (a number shown reversed in an SMS or on a
    dashboard); anything else unchanged."""
    return strip_bidi(v) if isinstance(v, str) else v
