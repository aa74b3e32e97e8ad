"""The alert record: one message to one recipient over one channel, as stored in the outbox.

An :class:`Alert` is frozen; every change makes a new one with
:func:`dataclasses.replace` and is written to disk before it takes effect.
Its ``key`` (call id + kind + recipient) is the idempotency key: the outbox
never holds two different alerts with the same key, and the MQTT payload
carries it so a duplicate delivery is recognisable.

>>> a = Alert.new(call_id="20261127T091403-line1-7f3a", kind="urgent", channel="sms",
...               recipient="+33612345678", payload={"text": "hello"}, now=0.0)
>>> a.key
'20261127T091403-line1-7f3a:urgent:+33612345678'
>>> Alert.from_dict(a.to_dict()) == a
True
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import re
from typing import Any, Literal

from ..errors import AlertError

SCHEMA = 1

Channel = Literal["mqtt", "sms"]
AlertState = Literal["pending", "sent", "delivered", "acknowledged", "failed", "cancelled"]
STATES: tuple[str, ...] = ("pending", "sent", "delivered", "acknowledged", "failed", "cancelled")
OPEN_STATES: frozenset[str] = frozenset({"pending", "sent"})
CHANNELS: tuple[str, ...] = ("mqtt", "sms")
_KIND = re.compile(r"^[a-z0-9_-]{1,40}$")


def make_key(call_id: str, kind: str, recipient: str) -> str:
    """The idempotency key of an alert: ``<call id>:<kind>:<recipient>``."""
    return f"{call_id}:{kind}:{recipient}"


def alert_id_for_key(key: str) -> str:
    """A file-name-safe id derived from the key (same key, same id, same file)."""
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:24]


def iso_of(t: float | None) -> str | None:
    if t is None:
        return None
    return dt.datetime.fromtimestamp(t, dt.UTC).isoformat(timespec="milliseconds")


@dataclasses.dataclass(frozen=True)
class Alert:
    """One alert in the outbox. Times are epoch seconds (``clock()``)."""

    id: str
    key: str
    call_id: str
    kind: str
    channel: Channel
    recipient: str
    payload: dict[str, Any]
    state: AlertState = "pending"
    attempts: int = 0
    next_attempt_at: float = 0.0
    created_at: float = 0.0
    sent_at: float | None = None
    delivered_at: float | None = None
    acknowledged_at: float | None = None
    acknowledged_by: str | None = None
    reference: str | None = None  # MQTT message id / SMS message reference(s)
    last_error: str = ""
    schema: int = SCHEMA

    @classmethod
    def new(cls, *, call_id: str, kind: str, channel: str, recipient: str, payload: dict[str, Any],
            now: float) -> Alert:
        if not call_id or any(c in call_id for c in "/\\\0\n"):
            raise AlertError(f"alert: call id {call_id!r} is not usable; pass the call record's id")
        if not _KIND.match(kind):
            raise AlertError(f"alert: kind {kind!r} must be 1-40 of a-z 0-9 _ -")
        if channel not in CHANNELS:
            raise AlertError(f"alert: channel {channel!r} must be one of {', '.join(CHANNELS)}")
        if not recipient:
            raise AlertError("alert: empty recipient; give a phone number or 'broker'")
        key = make_key(call_id, kind, recipient)
        return cls(id=alert_id_for_key(key), key=key, call_id=call_id, kind=kind,
                   channel=channel, recipient=recipient, payload=dict(payload),  # type: ignore[arg-type]
                   created_at=now, next_attempt_at=now)

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Alert:
        if not isinstance(d, dict):
            raise AlertError(f"alert: expected a JSON object, got {type(d).__name__}")
        if d.get("schema", SCHEMA) > SCHEMA:
            raise AlertError(f"alert {d.get('id')!r}: schema {d.get('schema')} is newer than this "
                             f"program ({SCHEMA}); upgrade Permanence")
        known = {f.name for f in dataclasses.fields(cls)}
        missing = {"id", "key", "call_id", "kind", "channel", "recipient", "payload"} - d.keys()
        if missing:
            raise AlertError(f"alert: missing field(s) {', '.join(sorted(missing))}")
        if "state" in d and d["state"] not in STATES:
            raise AlertError(f"alert {d['id']!r}: unknown state {d['state']!r}")
        return cls(**{k: v for k, v in d.items() if k in known})

    def record_view(self) -> dict[str, Any]:
        """What the call record keeps of this alert (ISO times, no payload internals)."""
        return {
            "id": self.id,
            "key": self.key,
            "kind": self.kind,
            "channel": self.channel,
            "recipient": self.recipient,
            "person": self.payload.get("person"),
            "state": self.state,
            "attempts": self.attempts,
            "created_at": iso_of(self.created_at),
            "sent_at": iso_of(self.sent_at),
            "delivered_at": iso_of(self.delivered_at),
            "acknowledged_at": iso_of(self.acknowledged_at),
            "acknowledged_by": self.acknowledged_by,
            "next_attempt_at": iso_of(self.next_attempt_at) if self.is_open else None,
            "reference": self.reference,
            "last_error": self.last_error,
        }


def backoff(attempts: int, initial: float, maximum: float) -> float:
    """Seconds to wait before attempt ``attempts + 1``: initial * 2**(attempts-1), capped."""
    if attempts <= 0:
        return 0.0
    return float(min(maximum, initial * (2 ** min(attempts - 1, 30))))
