"""The qualification of a call, one typed value from the qualifier to the record, the page, the
alerts and the exports.

:class:`Qualification` is what :class:`~appliance.conversation.qualifier.Qualifier` decides,
with what the dialog adds (the callback number confirmed, the fields the caller confirmed or
spelled, the first hearing of what changed). A call record holds one; it is stored as JSON
(:meth:`Qualification.to_dict`) and read back into the same dataclass once, when the record is
(:meth:`Qualification.from_dict`). A key this version does not know — a field a newer version
added, or a malformed value of an old record — is kept as read in :attr:`Qualification.extra`
and written back, so reading and saving a record never loses anything.

>>> q = Qualification.from_dict({"category": "breakdown", "urgent": True, "urgency": "critical",
...                              "sla_minutes": 15, "rules": ["cat.breakdown.panne"], "mood": "angry"})
>>> q.category, q.urgent, q.rules, q.extra
('breakdown', True, ('cat.breakdown.panne',), {'mood': 'angry'})
>>> Qualification.from_dict(q.to_dict()) == q
True

There is no read access by key: what reads a qualification reads its attributes (mypy checks
them); only a record's JSON form (``CallRecord.to_dict``, the API, ``permanence calls --format
json``) carries the dict.
"""

from __future__ import annotations

import copy
import dataclasses
from collections.abc import Mapping
from typing import Any

_TUPLES = ("rules", "unconfirmed", "spelled")
_OPTIONAL_TUPLES = ("confirmed",)


@dataclasses.dataclass(frozen=True)
class Qualification:
    # what the qualifier decides
    id: str | None = None
    category: str | None = None
    urgent: bool = False
    urgency: str | None = None
    sla_minutes: int | None = None
    name: str | None = None
    company: str | None = None
    callback: str | None = None
    summary: str | None = None
    rules: tuple[str, ...] = ()  # rule ids that fired; "<id>@0.41": fired on words heard with that confidence
    equipment: str | None = None
    site: str | None = None
    routing: str = "office"
    possibly_urgent: bool = False  # a fault/risk cue could make it urgent, but nothing decided it either way
    decisive: bool = False  # the urgency was decided by a decisive cue (safety, consequence, the caller's answer)
    urgent_because: str | None = None  # a few words saying why it is urgent (the rule's reason, else the words)
    unconfirmed: tuple[str, ...] = ()  # fields decided on low-confidence words or only in an alternative reading
    caller_claims_urgent: bool = False  # the caller says it is urgent but the rules did not decide so
    # what the dialog adds (None: no dialog took part, as for ``permanence qualify``)
    callback_confirmed: bool | None = None
    confirmed: tuple[str, ...] | None = None  # fields the caller confirmed when read back
    spelled: tuple[str, ...] = ()  # fields the caller spelled
    heard: Mapping[str, str | None] = dataclasses.field(default_factory=dict)  # first hearing of what changed
    # keys this version does not know, kept as read and written back
    extra: Mapping[str, Any] = dataclasses.field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """The JSON form: every field of the qualifier; the dialog's when it took part; unknown keys."""
        d: dict[str, Any] = {}
        for f in dataclasses.fields(self):
            if f.name == "extra":
                continue
            v = getattr(self, f.name)
            if f.name in ("callback_confirmed", "confirmed") and v is None:
                continue
            if f.name in ("spelled", "heard") and not v:
                continue
            d[f.name] = list(v) if isinstance(v, tuple) else dict(v) if isinstance(v, Mapping) else v
        for k, v in self.extra.items():
            # an unknown key, or a known one read with a value of another type: written back as read,
            # unless this version has since set the field
            if k not in _FIELD_NAMES or getattr(self, k) == _DEFAULTS[k]:
                d[k] = copy.deepcopy(v)
        return d

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Qualification:
        """Read a stored qualification; a value of the wrong type stays in ``extra`` (never lost)."""
        kw: dict[str, Any] = {}
        extra: dict[str, Any] = {}
        fields = {f.name: f for f in dataclasses.fields(cls)}
        for k, v in d.items():
            f = fields.get(k)
            ok, value = (False, None) if f is None or k == "extra" else _typed(k, v)
            if ok:
                kw[k] = value
            else:
                extra[k] = v
        return cls(**kw, extra=extra)


_FIELD_NAMES = frozenset(f.name for f in dataclasses.fields(Qualification)) - {"extra"}
_DEFAULTS = {k: v for k, v in dataclasses.asdict(Qualification()).items() if k != "extra"}


def _typed(key: str, v: Any) -> tuple[bool, Any]:
    """(True, the value as the field wants it) or (False, None) when it has another type."""
    if key in _TUPLES or key in _OPTIONAL_TUPLES:
        if v is None and key in _OPTIONAL_TUPLES:
            return True, None
        if isinstance(v, list | tuple) and all(isinstance(x, str) for x in v):
            return True, tuple(v)
        return False, None
    if key == "heard":
        ok = isinstance(v, Mapping) and all(isinstance(x, str) and (y is None or isinstance(y, str))
                                             for x, y in v.items())
        return (True, dict(v)) if ok else (False, None)
    if key in ("urgent", "possibly_urgent", "decisive", "caller_claims_urgent"):
        return (True, v) if isinstance(v, bool) else (False, None)
    if key == "callback_confirmed":
        return (True, v) if v is None or isinstance(v, bool) else (False, None)
    if key == "sla_minutes":
        return (True, v) if v is None or (isinstance(v, int) and not isinstance(v, bool)) else (False, None)
    if key == "routing":
        return (True, v) if isinstance(v, str) else (False, None)
    return (True, v) if v is None or isinstance(v, str) else (False, None)
