"""What an alert says about a call, taken from a CallRecord (or its dict).

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
    return {
        "call_id": d["id"],
        "line": d.get("line"),
        "started_at": d.get("started_at"),
        "state": d.get("state"),
        "caller_number": _text(d.get("caller_number")),
        "caller_name": _text(d.get("caller_name")),
        "name": _text(q.get("name") or d.get("caller_name")),
        "company": _text(q.get("company")),
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
