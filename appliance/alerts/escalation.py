"""Durable escalation and digest state (one small JSON file each, written atomically).

``data_dir/alerts/escalations/<call id>.json`` holds one urgent call's
escalation: the people in order, who was alerted when, the deadline for the
next step, and who acknowledged. ``data_dir/alerts/digest.json`` holds the
non-urgent calls waiting for the next digest and the last digest slot sent.
Both survive restarts, so a reboot neither forgets an unacknowledged urgent
call nor sends the same digest twice.
"""

from __future__ import annotations

import dataclasses
import logging
import threading
from pathlib import Path
from typing import Any

from ..errors import AlertError, CorruptFileError
from ..store.atomic import atomic_write_json, clean_temp_files, read_json
from ..store.quarantine import Quarantine

log = logging.getLogger(__name__)
SCHEMA = 1


@dataclasses.dataclass(frozen=True)
class Escalation:
    call_id: str
    info: dict[str, Any]
    started_at: float
    order: tuple[str, ...]  # person names, on-call person first
    level: int = 0  # index in order of the person alerted last
    round: int = 1
    alerted: tuple[dict[str, Any], ...] = ()  # {"person", "phone", "at", "alert_id", "level", "round"}
    next_at: float | None = None  # when to alert the next person if nobody acknowledged
    acked_by: str | None = None
    acked_at: float | None = None
    ack_via: str | None = None
    exhausted: bool = False
    sms_limited: bool = False
    schema: int = SCHEMA

    @property
    def pending(self) -> bool:
        return self.acked_at is None

    def to_dict(self) -> dict[str, Any]:
        d = dataclasses.asdict(self)
        d["order"] = list(self.order)
        d["alerted"] = [dict(a) for a in self.alerted]
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Escalation:
        if not isinstance(d, dict) or "call_id" not in d:
            raise AlertError("escalation: expected an object with call_id")
        known = {f.name for f in dataclasses.fields(cls)}
        kw = {k: v for k, v in d.items() if k in known}
        kw["order"] = tuple(kw.get("order", ()))
        kw["alerted"] = tuple(kw.get("alerted", ()))
        return cls(**kw)

    def alerted_person(self, name: str) -> bool:
        return any(a.get("person") == name for a in self.alerted)


class EscalationStore:
    """Escalations by call id; all loaded at start (they are few), each saved atomically."""

    def __init__(self, root: Path, *, readonly: bool = False, quarantine: Quarantine | None = None) -> None:
        self.dir = Path(root) / "escalations"
        if not readonly:
            self.dir.mkdir(parents=True, exist_ok=True)
            clean_temp_files(self.dir)
        self._lock = threading.RLock()
        self._items: dict[str, Escalation] = {}
        for p in sorted(self.dir.glob("*.json")):
            try:
                e = Escalation.from_dict(read_json(p))
            except (CorruptFileError, AlertError, TypeError, ValueError) as exc:
                if readonly or quarantine is None:
                    log.error("escalation file %s unreadable (%s); skipped", p, exc)
                else:
                    quarantine.move(p, f"unreadable escalation: {exc}")
                continue
            self._items[e.call_id] = e

    def get(self, call_id: str) -> Escalation | None:
        with self._lock:
            return self._items.get(call_id)

    def save(self, e: Escalation) -> Escalation:
        with self._lock:
            atomic_write_json(self.dir / f"{e.call_id}.json", e.to_dict())
            self._items[e.call_id] = e
            return e

    def all(self) -> list[Escalation]:
        with self._lock:
            return sorted(self._items.values(), key=lambda e: e.started_at)

    def pending(self) -> list[Escalation]:
        return [e for e in self.all() if e.pending]


class DigestStore:
    """Non-urgent call summaries waiting for the next digest, and the last slot sent."""

    def __init__(self, root: Path, *, quarantine: Quarantine | None = None) -> None:
        self.path = Path(root) / "digest.json"
        self._lock = threading.RLock()
        try:
            d = read_json(self.path, default=None) or {}
            items, slot = d.get("items", []), d.get("last_slot")
            if not (isinstance(items, list) and all(isinstance(i, dict) for i in items)
                    and (slot is None or isinstance(slot, str))):
                raise CorruptFileError(f"{self.path}: not a digest (items and last_slot)")
        except (CorruptFileError, AttributeError) as exc:
            if quarantine is not None:
                quarantine.move(self.path, str(exc))
            else:
                log.error("%s", exc)
            items, slot = [], None
        self.items: list[dict[str, Any]] = list(items)
        self.last_slot: str | None = slot

    def _save(self) -> None:
        atomic_write_json(self.path, {"schema": SCHEMA, "items": self.items, "last_slot": self.last_slot})

    def add(self, item: dict[str, Any]) -> None:
        with self._lock:
            if any(i.get("call_id") == item.get("call_id") for i in self.items):
                return
            self.items.append(item)
            self._save()

    def take(self, slot: str, call_ids: set[str]) -> None:
        """Drop the items sent in the digest of ``slot`` and record the slot, durably."""
        with self._lock:
            self.items = [i for i in self.items if str(i.get("call_id")) not in call_ids]
            self.last_slot = slot
            self._save()

    def set_slot(self, slot: str) -> None:
        with self._lock:
            self.last_slot = slot
            self._save()
