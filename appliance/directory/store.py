"""The customer directory on disk: ``<data_dir>/directory.json``, written atomically.

One JSON document ``{"schema": 1, "contacts": [...]}`` replaced whole on every change (temp file,
fsync, rename), so after a power cut it holds the old or the new directory, never a mix. Every
change is appended to ``directory-changes.jsonl`` with who made it. Writers (the status page in
the service, an import from the command line) take an exclusive ``flock`` on
``directory.lock`` around read-modify-write; readers reload when the file's size or mtime
changes, so a lookup on the call path costs one ``stat`` and a dict access.

A corrupt file is moved to ``<data_dir>/quarantine/`` with a log line (and, in the service, a
health fault), and the box goes on with an empty directory: a call is never refused because of it.

Limits: ``directory.max_entries`` entries (the LAN cannot make the box hold more), ten numbers
per entry, each field a few dozen characters (:mod:`.model`).
"""

from __future__ import annotations

import contextlib
import dataclasses
import fcntl
import json
import logging
import os
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from ..config import DirectoryConfig
from ..conversation.base import KnownCaller
from ..errors import CorruptFileError, DirectoryError, StoreError
from ..store.atomic import atomic_write_json, read_json
from ..store.quarantine import Quarantine
from ..store.record import iso
from .model import SCHEMA, Contact
from .numbers import to_e164

log = logging.getLogger(__name__)

CHANGES_MAX_BYTES = 1_000_000


@dataclasses.dataclass
class ImportReport:
    """What an import did: entries added and updated, and each refused row with its line."""

    added: int = 0
    updated: int = 0
    errors: list[tuple[int, str]] = dataclasses.field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"added": self.added, "updated": self.updated,
                "errors": [{"line": ln, "error": msg} for ln, msg in self.errors]}


class Directory:
    """Numbers -> customers. Thread-safe; one instance per data directory and process."""

    def __init__(self, data_dir: str | os.PathLike[str], cfg: DirectoryConfig | None = None, *,
                 country: str = "FR", clock: Callable[[], float] = time.time,
                 quarantine: Quarantine | None = None) -> None:
        self.dir = Path(data_dir)
        self.quarantine = quarantine or Quarantine(self.dir)  # the service passes the call log's: a health fault
        self.path = self.dir / "directory.json"
        self.lock_path = self.dir / "directory.lock"
        self.changes_path = self.dir / "directory-changes.jsonl"
        self.cfg = cfg or DirectoryConfig()
        self.country = country
        self.clock = clock
        self._lock = threading.RLock()
        self._stamp: tuple[int, int, int] | None = None
        self._loaded = False
        self._contacts: dict[str, Contact] = {}
        self._by_number: dict[str, str] = {}

    # -- reading -----------------------------------------------------------------------------
    def _current_stamp(self) -> tuple[int, int, int] | None:
        """Inode, size and mtime: every write renames a new file in, so the inode alone changes."""
        try:
            st = self.path.stat()
        except FileNotFoundError:
            return None
        return (st.st_ino, st.st_size, st.st_mtime_ns)

    def _load(self) -> None:
        """(Re)read the file if it changed since the last read."""
        stamp = self._current_stamp()
        if self._loaded and stamp == self._stamp:
            return
        contacts: dict[str, Contact] = {}
        try:
            data = read_json(self.path, default={"schema": SCHEMA, "contacts": []})
            if not isinstance(data, dict) or not isinstance(data.get("contacts"), list):
                raise CorruptFileError(f"{self.path}: not a directory (expected an object with contacts)")
            for d in data["contacts"]:
                c = Contact.from_dict(d) if isinstance(d, dict) else None
                if c is None:
                    raise CorruptFileError(f"{self.path}: an entry is not an object")
                contacts[c.id] = c
        except (CorruptFileError, DirectoryError) as exc:
            self._quarantine(exc)
            stamp = None
        except StoreError as exc:
            log.error("directory: %s (the box goes on without it)", exc)
            return
        self._contacts = contacts
        self._by_number = {n: c.id for c in contacts.values() for n in c.numbers}
        self._stamp = stamp
        self._loaded = True

    def _quarantine(self, exc: Exception) -> None:
        """The unreadable file goes to ``quarantine/`` (a log line, a health fault); the directory starts empty."""
        self.quarantine.move(self.path, str(exc).removeprefix(f"{self.path}: "))

    def all(self) -> list[Contact]:
        """Every entry, by name then company."""
        with self._lock:
            self._load()
            return sorted(self._contacts.values(), key=lambda c: (c.label.casefold(), c.id))

    def __len__(self) -> int:
        with self._lock:
            self._load()
            return len(self._contacts)

    def get(self, contact_id: str) -> Contact | None:
        with self._lock:
            self._load()
            return self._contacts.get(contact_id)

    def lookup(self, number: str | None, country: str | None = None) -> Contact | None:
        """The entry for a caller id (national numbers read in ``country``, default the box's)."""
        e164 = to_e164(number, country or self.country) if number else None
        if e164 is None:
            return None
        with self._lock:
            self._load()
            cid = self._by_number.get(e164)
            return self._contacts.get(cid) if cid else None

    def search(self, text: str) -> list[Contact]:
        """Entries whose name, company, site, contract or number contains ``text`` (case ignored)."""
        q = text.strip().casefold()
        digits = "".join(ch for ch in q if ch.isdigit())
        out = []
        for c in self.all():
            hay = " ".join((c.name, c.company, c.site, c.contract)).casefold()
            if not q or q in hay or (len(digits) >= 3 and any(digits in n for n in c.numbers)):
                out.append(c)
        return out

    def phrases(self) -> list[str]:
        """The names and companies of the directory, each once: words the recogniser should expect."""
        seen: dict[str, None] = {}
        for c in self.all():
            for text in (c.name, c.company):
                if text:
                    seen.setdefault(text, None)
        return list(seen)

    def known_caller(self, number: str | None, country: str | None = None) -> KnownCaller | None:
        """What the dialog, the alerts and the page are told about a caller id."""
        c = self.lookup(number, country)
        if c is None:
            return None
        contract = self.cfg.contract(c.contract)
        return KnownCaller(name=c.name or None, company=c.company or None, site=c.site or None,
                           contract=c.contract or None,
                           priority_floor=(contract.priority_floor or None) if contract else None,
                           greeting_name=c.greeting or None)

    # -- writing -----------------------------------------------------------------------------
    @contextlib.contextmanager
    def _writing(self) -> Iterator[None]:
        with self._lock:
            try:
                self.dir.mkdir(parents=True, exist_ok=True)
                fd = os.open(self.lock_path, os.O_RDWR | os.O_CREAT, 0o640)
            except OSError as exc:
                raise StoreError(f"{self.lock_path}: cannot lock the directory: {exc}") from exc
            try:
                fcntl.flock(fd, fcntl.LOCK_EX)
                self._load()
                yield
            finally:
                os.close(fd)

    def _write(self, contacts: dict[str, Contact]) -> None:
        atomic_write_json(self.path, {"schema": SCHEMA,
                                      "contacts": [c.to_dict() for c in contacts.values()]})
        self._contacts = contacts
        self._by_number = {n: c.id for c in contacts.values() for n in c.numbers}
        self._stamp = self._current_stamp()
        self._loaded = True

    def _log_change(self, who: str, action: str, **detail: Any) -> None:
        line = json.dumps({"at": iso(), "by": who, "action": action, **detail}, ensure_ascii=False) + "\n"
        try:
            if self.changes_path.exists() and self.changes_path.stat().st_size > CHANGES_MAX_BYTES:
                os.replace(self.changes_path, self.changes_path.with_suffix(".jsonl.1"))
            with open(self.changes_path, "a", encoding="utf-8") as f:
                f.write(line)
        except OSError as exc:
            log.warning("directory: cannot log the change (%s): %s", action, exc)

    def _conflict(self, contacts: dict[str, Contact], c: Contact) -> str | None:
        for n in c.numbers:
            owner = next((o for o in contacts.values() if o.id != c.id and n in o.numbers), None)
            if owner is not None:
                return f"number: {n} already belongs to {owner.label or owner.id}"
        return None

    def _stamped(self, c: Contact, who: str) -> Contact:
        return dataclasses.replace(c, updated_at=iso(), updated_by=who[:80])

    def _check_contract(self, c: Contact) -> None:
        if c.contract and self.cfg.contract(c.contract) is None:
            allowed = ", ".join(x.id for x in self.cfg.contracts) or "none defined"
            raise DirectoryError(f"contract: unknown level {c.contract!r} (expected {allowed})")

    def save(self, contact: Contact, *, who: str) -> Contact:
        """Add ``contact`` or replace the entry with its id; refuses a number another entry has."""
        self._check_contract(contact)
        with self._writing():
            contacts = dict(self._contacts)
            if contact.id not in contacts and len(contacts) >= self.cfg.max_entries:
                raise DirectoryError(f"the directory is full ({self.cfg.max_entries} entries, "
                                     f"directory.max_entries): delete some first")
            problem = self._conflict(contacts, contact)
            if problem:
                raise DirectoryError(problem)
            action = "update" if contact.id in contacts else "add"
            contact = self._stamped(contact, who)
            contacts[contact.id] = contact
            self._write(contacts)
        self._log_change(who, action, id=contact.id, numbers=list(contact.numbers))
        return contact

    def delete(self, contact_id: str, *, who: str) -> bool:
        with self._writing():
            if contact_id not in self._contacts:
                return False
            contacts = dict(self._contacts)
            gone = contacts.pop(contact_id)
            self._write(contacts)
        self._log_change(who, "delete", id=contact_id, numbers=list(gone.numbers))
        return True

    def import_contacts(self, rows: Iterable[tuple[int, Contact]], *, who: str, replace: bool = False,
                        report: ImportReport | None = None) -> ImportReport:
        """Merge parsed rows (line, entry): an entry sharing a number with an existing one updates it,
        others are added; beyond ``max_entries`` rows are refused with their line. ``replace``
        starts from an empty directory. One atomic write for the whole import."""
        report = report or ImportReport()
        with self._writing():
            contacts: dict[str, Contact] = {} if replace else dict(self._contacts)
            by_number = {n: c.id for c in contacts.values() for n in c.numbers}
            for line, c in rows:
                try:
                    self._check_contract(c)
                except DirectoryError as exc:
                    report.errors.append((line, str(exc)))
                    continue
                owners = {by_number[n] for n in c.numbers if n in by_number}
                if len(owners) > 1:
                    report.errors.append((line, "its numbers belong to several entries: edit them on the page"))
                    continue
                if owners:
                    old = contacts[owners.pop()]
                    new = self._stamped(old.merged(c), who)
                    report.updated += 1
                elif len(contacts) >= self.cfg.max_entries:
                    report.errors.append((line, f"the directory is full ({self.cfg.max_entries} entries, "
                                                f"directory.max_entries)"))
                    continue
                else:
                    new = self._stamped(c, who)
                    report.added += 1
                contacts[new.id] = new
                by_number.update({n: new.id for n in new.numbers})
            self._write(contacts)
        self._log_change(who, "import", added=report.added, updated=report.updated, replace=replace,
                         errors=len(report.errors))
        return report
