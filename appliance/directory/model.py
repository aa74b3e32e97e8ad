"""A directory entry: one or more numbers -> name, company, site, contract level.

Entries are plain JSON documents in ``<data_dir>/directory.json`` (:mod:`.store`); this module gives
them a typed face and cleans what people and exports put in them: control and bidi characters
become spaces (a right-to-left override could make a number read backwards), runs of spaces
collapse, and each field has a length limit.

>>> c = Contact.build(numbers=["06 12 34 56 78"], name=" Mme\\u202eGale ", company="Gale & Fils", country="FR")
>>> c.numbers, c.name
(('+33612345678',), 'Mme Gale')
"""

from __future__ import annotations

import dataclasses
import re
import secrets
import unicodedata
from collections.abc import Iterable, Mapping
from typing import Any

from ..errors import DirectoryError
from .numbers import to_e164

SCHEMA = 1
MAX_NUMBERS = 10
LIMITS = {"name": 100, "company": 100, "site": 120, "greeting": 60, "contract": 32}
TEXT_FIELDS = ("name", "company", "site", "greeting")
_SPACES = re.compile(r"\s+")


def clean_text(value: Any) -> str:
    """One line of printable text: control, format (bidi) and separator characters become spaces."""
    if value is None:
        return ""
    s = "".join(" " if unicodedata.category(c) in ("Cc", "Cf", "Zl", "Zp", "Cs", "Co") else c
                for c in str(value))
    return _SPACES.sub(" ", s).strip()


def new_id() -> str:
    return secrets.token_hex(6)


@dataclasses.dataclass(frozen=True)
class Contact:
    """One customer (a person, a site or a company) reachable on one or more numbers."""

    id: str
    numbers: tuple[str, ...]
    name: str = ""
    company: str = ""
    site: str = ""
    contract: str = ""  # a contract id of directory.contracts, "" = none
    greeting: str = ""  # how the box greets them ("Mrs Gale"); "" = the name
    updated_at: str = ""
    updated_by: str = ""

    @classmethod
    def build(cls, *, numbers: Iterable[str], country: str = "FR", id: str | None = None,
              contracts: Iterable[str] | None = None, **fields: Any) -> Contact:
        """A validated entry from raw values; raises :class:`DirectoryError` saying what is wrong."""
        e164: list[str] = []
        for raw in numbers:
            raw = clean_text(raw)
            if not raw:
                continue
            n = to_e164(raw, country)
            if n is None:
                raise DirectoryError(f"number: {raw[:40]!r} is not a telephone number")
            if n not in e164:
                e164.append(n)
        if not e164:
            raise DirectoryError("number: expected at least one telephone number")
        if len(e164) > MAX_NUMBERS:
            raise DirectoryError(f"number: expected at most {MAX_NUMBERS} numbers per entry")
        values: dict[str, str] = {}
        for key in (*TEXT_FIELDS, "contract", "updated_at", "updated_by"):
            text = clean_text(fields.get(key))
            limit = LIMITS.get(key, 80)
            if len(text) > limit:
                raise DirectoryError(f"{key}: expected at most {limit} characters, got {len(text)}")
            values[key] = text
        unknown = set(fields) - {*TEXT_FIELDS, "contract", "updated_at", "updated_by"}
        if unknown:
            raise DirectoryError(f"unknown field(s): {', '.join(sorted(unknown))}")
        if not (values["name"] or values["company"]):
            raise DirectoryError("name, company: expected at least one of them")
        if values["contract"] and contracts is not None and values["contract"] not in set(contracts):
            allowed = ", ".join(contracts) or "none defined"
            raise DirectoryError(f"contract: unknown level {values['contract']!r} (expected {allowed})")
        return cls(id=id or new_id(), numbers=tuple(e164), **values)

    def to_dict(self) -> dict[str, Any]:
        d = dataclasses.asdict(self)
        d["numbers"] = list(self.numbers)
        return d

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Contact:
        if not isinstance(d.get("id"), str) or not isinstance(d.get("numbers"), list):
            raise DirectoryError("not a directory entry (expected an id and a list of numbers)")
        known = {f.name for f in dataclasses.fields(cls)}
        values = {k: v for k, v in d.items() if k in known and k != "numbers"}
        return cls(numbers=tuple(str(n) for n in d["numbers"]), **{k: str(v) for k, v in values.items()})

    @property
    def label(self) -> str:
        """Name and company as one line ("Mme Gale · Gale & Fils")."""
        return " · ".join(x for x in (self.name, self.company) if x)

    def merged(self, other: Contact) -> Contact:
        """This entry updated by ``other``: its non-empty fields win, numbers are united."""
        numbers = tuple(dict.fromkeys((*self.numbers, *other.numbers)))[:MAX_NUMBERS]
        changes = {k: getattr(other, k) for k in (*TEXT_FIELDS, "contract", "updated_at", "updated_by")
                   if getattr(other, k)}
        return dataclasses.replace(self, numbers=numbers, **changes)
