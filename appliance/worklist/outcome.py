"""Recording what came of a callback: one outcome for every call of a worklist row.

>>> parse_amount("1 200,50"), parse_amount("")
(1200.5, None)
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from ..errors import StoreError
from ..store.calllog import CallLog
from ..store.record import CallRecord, iso
from .trace import OUTCOMES

MAX_NOTE = 2000
MAX_CALLS = 200


class OutcomeError(ValueError):
    """An outcome that cannot be recorded; the message says why."""


def parse_amount(raw: Any) -> float | None:
    text = str(raw or "").strip().replace(",", ".").replace("\u202f", "").replace("\u00a0", "").replace(" ", "")
    if not text:
        return None
    try:
        amount = float(text)
    except ValueError:
        raise OutcomeError(f"amount: expected a number such as 1200 or 1200.50, got {text[:40]!r}") from None
    if not 0 <= amount <= 1e9:
        raise OutcomeError("amount: expected a value from 0 to 1 000 000 000")
    return amount


def record(log: CallLog, call_ids: Sequence[str], outcome: str, *, who: str, amount: Any = None,
           note: str = "", now: dt.datetime | None = None) -> list[CallRecord]:
    """Mark each call handled with ``outcome`` (and converted with ``amount``); each write is atomic.
    Raises :class:`OutcomeError` on bad input, before anything is written."""
    if outcome not in OUTCOMES:
        raise OutcomeError(f"outcome: expected one of {', '.join(OUTCOMES)}, got {str(outcome)[:30]!r}")
    if not call_ids or len(call_ids) > MAX_CALLS:
        raise OutcomeError(f"calls: expected from 1 to {MAX_CALLS} call ids")
    value = parse_amount(amount) if outcome == "converted" else None
    note = str(note or "").strip()
    if len(note) > MAX_NOTE:
        raise OutcomeError(f"note: expected at most {MAX_NOTE} characters")
    missing = [c for c in call_ids if log.get(c) is None]
    if missing:
        raise OutcomeError(f"calls: no call {missing[0][:40]!r} in the log")
    at = iso(now)
    group = call_ids[0]

    def fn(r: CallRecord) -> None:
        r.callback = {"outcome": outcome, "at": at, "by": who, "amount": value, "group": group,
                      "calls": len(call_ids)}
        r.handled = True
        if outcome == "converted":
            r.converted = True
            r.amount = value
        r.actions.append({"at": at, "kind": "callback", "outcome": outcome, "by": who, "amount": value})
        if note:
            r.notes.append({"at": at, "by": who, "text": note})

    out = []
    for call_id in call_ids:
        try:
            out.append(log.update(call_id, fn))
        except StoreError as exc:
            raise OutcomeError(str(exc)) from exc
    return out
