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
from typing import Any

from ..errors import AlertError
from ..textsafe import strip_bidi


def record_dict(rec: Any) -> dict[str, Any]:
    if isinstance(rec, dict):
        d = rec
    elif hasattr(rec, "to_dict"):
        d = rec.to_dict()
    else:
        raise AlertError(f"alerts: expected a CallRecord or its dict, got {type(rec).__name__}")
    if not isinstance(d.get("id"), str) or not d["id"]:
        raise AlertError("alerts: the call record has no id")
    return d


def call_info(rec: Any, base_url: str = "") -> dict[str, Any]:
    """The fields alerts carry: raw caller text (escaped later where it goes)."""
    d = record_dict(rec)
    q = d.get("qualification") or {}
    if not isinstance(q, dict):
        q = {}
    callback = q.get("callback_number") or q.get("callback") or q.get("phone") or d.get("caller_number")
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
        "name": _text(known.get("name") or q.get("name") or d.get("caller_name")),
        "company": _text(known.get("company") or q.get("company")),
        "site": _text(known.get("site") or q.get("site")),
        "contract": _text(known.get("contract")),
        "known": bool(known),
        "attempt": (earlier + 1) if isinstance(earlier, int) and earlier > 0 else None,
        "category": q.get("category"),
        "summary": _text(q.get("summary")),
        "urgency": q.get("urgency"),
        "urgent": bool(q.get("urgent", False)),
        "callback": _text(callback),
        "url": url,
    }


def _text(v: Any) -> Any:
    """Caller-controlled text without bidi controls (a number shown reversed in an SMS or on a
    dashboard); anything else unchanged."""
    return strip_bidi(v) if isinstance(v, str) else v
