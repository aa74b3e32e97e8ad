"""Who may see the status page: staff accounts, a one-time setup code, sessions that can be ended.

Files under ``<data_dir>/web/`` (directory 0700, files 0600, written atomically):

* ``secret-key``  random key signing the session cookies of this box;
* ``accounts.json``  ``{"box_generation": ..., "accounts": {name: {"hash", "role", "generation", ...}}}``;
  passwords are scrypt hashes (werkzeug);
* ``setup-code``  the one-time code that lets the first visitor create the administrator account;
  it exists only while no administrator exists.

Roles: ``admin`` (everything, settings and accounts), ``office`` (every page, acts on calls, the
worklist and the directory; settings read-only), ``technician`` (the worklist and the calls, read-only).

**Sessions can be ended.** A session cookie carries its account's generation and the box's
generation, checked against this file on every request. Logging out, changing a password and
``permanence passwd --user NAME`` change the account's generation: every session of that account
issued before ends, on every device. ``permanence passwd --reset`` changes the box's: every
session of every account ends. An older ``password.json`` (one admin password) becomes the
``admin`` account the first time it is read.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import hmac
import logging
import os
import re
import secrets
import threading
from pathlib import Path
from typing import Any

from werkzeug.security import check_password_hash, generate_password_hash

from ..errors import CorruptFileError, WebError
from ..store.atomic import atomic_write_bytes, atomic_write_json, fsync_dir, read_json
from ..store.quarantine import Quarantine
from ..store.record import iso
from .throttle import RateLimiter

log = logging.getLogger(__name__)

MIN_PASSWORD = 10
ROLES = ("admin", "office", "technician")
MAX_ACCOUNTS = 50
_NAME = re.compile(r"^[a-z0-9][a-z0-9._-]{0,31}$")
_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I

__all__ = ["ROLES", "Account", "AuthStore", "RateLimiter", "new_setup_code", "password_problem"]


def new_setup_code() -> str:
    """A code easy to read aloud and type: ``XXXX-XXXX-XXXX`` (60 bits)."""
    raw = "".join(secrets.choice(_CODE_ALPHABET) for _ in range(12))
    return f"{raw[0:4]}-{raw[4:8]}-{raw[8:12]}"


def _normalise_code(code: str) -> str:
    return "".join(ch for ch in code.upper() if ch.isalnum())


@functools.cache
def _dummy_hash() -> str:
    """Checked when the account does not exist, so that a wrong name costs the time of a wrong password."""
    return generate_password_hash(secrets.token_hex(16), method="scrypt")


def account_name_problem(name: str) -> str | None:
    if not _NAME.match(name):
        return "the name must be 1 to 32 lower-case letters, digits, '.', '-' or '_'"
    return None


@dataclasses.dataclass(frozen=True)
class Account:
    name: str
    role: str
    generation: str
    created_at: str = ""
    created_by: str = ""

    def can(self, role: str) -> bool:
        """True when this account has at least the rights of ``role``."""
        return ROLES.index(self.role) <= ROLES.index(role)


class AuthStore:
    """The accounts, the setup code and the session key of one box."""

    def __init__(self, data_dir: str | os.PathLike[str], *, quarantine: Quarantine | None = None) -> None:
        self.dir = Path(data_dir) / "web"
        self.quarantine = quarantine or Quarantine(data_dir)  # the service passes the call log's: a health fault
        self._lock = threading.RLock()
        self._cache: tuple[tuple[int, int, int] | None, dict[str, Any]] | None = None
        try:
            self.dir.mkdir(parents=True, exist_ok=True, mode=0o700)
            os.chmod(self.dir, 0o700)
        except OSError as exc:
            raise WebError(f"{self.dir}: cannot create the status page's directory: {exc}") from exc

    def _own(self, path: Path) -> None:
        """Run as root (``sudo permanence passwd``), give new files to the owner of the data
        directory, so that the service's user can still read them."""
        if os.geteuid() != 0:
            return
        try:
            st = os.stat(self.dir.parent)
            for p in (self.dir, path):
                os.chown(p, st.st_uid, st.st_gid)
        except OSError as exc:
            log.warning("%s: cannot give it to the data directory's owner: %s", path, exc)

    # -- paths ----------------------------------------------------------------------------
    @property
    def accounts_file(self) -> Path:
        return self.dir / "accounts.json"

    @property
    def legacy_password_file(self) -> Path:
        return self.dir / "password.json"

    @property
    def code_file(self) -> Path:
        return self.dir / "setup-code"

    @property
    def key_file(self) -> Path:
        return self.dir / "secret-key"

    # -- session key ----------------------------------------------------------------------
    def secret_key(self) -> bytes:
        """The box's session signing key, created (0600) at first use."""
        with self._lock:
            try:
                key = self.key_file.read_bytes()
                if len(key) >= 32:
                    return key
                self.quarantine.move(self.key_file, f"a session key of {len(key)} bytes; a new one is made")
            except FileNotFoundError:
                pass
            except OSError as exc:
                # an unreadable key costs the sessions (everyone logs in again), never the page
                self.quarantine.move(self.key_file, f"cannot read the session key ({exc}); a new one is made")
            key = secrets.token_hex(32).encode()
            atomic_write_bytes(self.key_file, key, mode=0o600)
            self._own(self.key_file)
            return key

    # -- the accounts file ----------------------------------------------------------------
    def _stamp(self) -> tuple[int, int, int] | None:
        try:
            st = self.accounts_file.stat()
        except FileNotFoundError:
            return None
        return (st.st_ino, st.st_size, st.st_mtime_ns)

    def _data(self) -> dict[str, Any]:
        """The accounts document, re-read only when the file changed (every request checks it)."""
        with self._lock:
            stamp = self._stamp()
            if self._cache is not None and self._cache[0] == stamp and stamp is not None:
                return self._cache[1]
            data: Any = None
            try:
                data = read_json(self.accounts_file, default=None)
            except CorruptFileError as exc:
                self.quarantine.move(self.accounts_file, str(exc).removeprefix(f"{self.accounts_file}: "))
                log.error("%s is unreadable: the status page asks for setup again; `permanence passwd` prints "
                          "the setup code", self.accounts_file)
            if not (isinstance(data, dict) and isinstance(data.get("accounts"), dict)):
                data = self._migrate()
            self._cache = (self._stamp(), data)
            return data

    def _migrate(self) -> dict[str, Any]:
        """An empty document, or the admin account of an older box's ``password.json``."""
        data: dict[str, Any] = {"box_generation": secrets.token_hex(8), "accounts": {}}
        try:
            old = read_json(self.legacy_password_file, default=None)
        except CorruptFileError:
            old = None
        if isinstance(old, dict) and isinstance(old.get("hash"), str):
            data["accounts"]["admin"] = {"hash": old["hash"], "role": "admin",
                                         "generation": str(old.get("generation") or secrets.token_hex(8)),
                                         "created_at": str(old.get("set_at", "")), "created_by": "setup"}
            self._write(data)
            with contextlib.suppress(FileNotFoundError):
                self.legacy_password_file.unlink()
            log.info("status page: the administrator password became the account 'admin'")
        return data

    def _write(self, data: dict[str, Any]) -> None:
        atomic_write_json(self.accounts_file, data, mode=0o600)
        self._own(self.accounts_file)
        self._cache = (self._stamp(), data)

    def _update(self, fn: Any) -> Any:
        with self._lock:
            data = {**self._data()}
            data["accounts"] = {k: dict(v) for k, v in data["accounts"].items()}
            result = fn(data)
            self._write(data)
            return result

    # -- accounts -------------------------------------------------------------------------
    def accounts(self) -> list[Account]:
        return sorted((self._account(n, a) for n, a in self._data()["accounts"].items()),
                      key=lambda a: (ROLES.index(a.role), a.name))

    @staticmethod
    def _account(name: str, a: dict[str, Any]) -> Account:
        role = a.get("role") if a.get("role") in ROLES else "technician"
        return Account(name=name, role=str(role), generation=str(a.get("generation", "")),
                       created_at=str(a.get("created_at", "")), created_by=str(a.get("created_by", "")))

    def account(self, name: Any) -> Account | None:
        if not isinstance(name, str):
            return None
        a = self._data()["accounts"].get(name)
        return self._account(name, a) if isinstance(a, dict) else None

    def has_password(self) -> bool:
        """True once an administrator account exists (the box is set up)."""
        return any(a.role == "admin" for a in self.accounts())

    def box_generation(self) -> str:
        return str(self._data().get("box_generation", ""))

    def session_valid(self, name: Any, generation: Any, box_generation: Any) -> Account | None:
        """The account of a session, or None when it was ended since (logout, new password, reset)."""
        acc = self.account(name)
        if acc is None or not isinstance(generation, str) or not isinstance(box_generation, str):
            return None
        if not (hmac.compare_digest(generation, acc.generation)
                and hmac.compare_digest(box_generation, self.box_generation())):
            return None
        return acc

    def check_login(self, name: str, password: str) -> Account | None:
        a = self._data()["accounts"].get(name) if isinstance(name, str) else None
        if not isinstance(a, dict) or not isinstance(a.get("hash"), str):
            check_password_hash(_dummy_hash(), password or "x")
            return None
        if not password or not check_password_hash(a["hash"], password):
            return None
        return self._account(name, a)

    def create_account(self, name: str, role: str, password: str, *, by: str) -> Account:
        problem = account_name_problem(name) or password_problem(password)
        if role not in ROLES:
            problem = f"the role must be one of {', '.join(ROLES)}"
        if problem:
            raise WebError(problem)

        def fn(data: dict[str, Any]) -> None:
            if name in data["accounts"]:
                raise WebError(f"an account named {name!r} already exists")
            if len(data["accounts"]) >= MAX_ACCOUNTS:
                raise WebError(f"at most {MAX_ACCOUNTS} accounts")
            data["accounts"][name] = {"hash": generate_password_hash(password, method="scrypt"), "role": role,
                                      "generation": secrets.token_hex(8), "created_at": iso(),
                                      "created_by": by}
        self._update(fn)
        log.info("status page: account %r (%s) created by %r", name, role, by)
        acc = self.account(name)
        assert acc is not None
        return acc

    def set_password(self, name: str, password: str) -> None:
        """A new password for ``name``; every session of that account issued before ends."""
        problem = password_problem(password)
        if problem:
            raise WebError(problem)

        def fn(data: dict[str, Any]) -> None:
            if name not in data["accounts"]:
                raise WebError(f"no account named {name!r}")
            data["accounts"][name].update(hash=generate_password_hash(password, method="scrypt"),
                                          generation=secrets.token_hex(8), set_at=iso())
        self._update(fn)

    def end_sessions(self, name: str) -> None:
        """Logout: every session of ``name`` issued so far ends, on every device."""
        def fn(data: dict[str, Any]) -> None:
            if name in data["accounts"]:
                data["accounts"][name]["generation"] = secrets.token_hex(8)
        self._update(fn)

    def set_role(self, name: str, role: str) -> None:
        if role not in ROLES:
            raise WebError(f"the role must be one of {', '.join(ROLES)}")

        def fn(data: dict[str, Any]) -> None:
            accounts = data["accounts"]
            if name not in accounts:
                raise WebError(f"no account named {name!r}")
            admins = [n for n, a in accounts.items() if a.get("role") == "admin"]
            if role != "admin" and admins == [name]:
                raise WebError("the last administrator keeps the admin role")
            accounts[name].update(role=role, generation=secrets.token_hex(8))
        self._update(fn)

    def delete_account(self, name: str) -> None:
        def fn(data: dict[str, Any]) -> None:
            accounts = data["accounts"]
            if name not in accounts:
                raise WebError(f"no account named {name!r}")
            admins = [n for n, a in accounts.items() if a.get("role") == "admin"]
            if admins == [name]:
                raise WebError("the last administrator cannot be deleted")
            del accounts[name]
        self._update(fn)

    # -- first setup ----------------------------------------------------------------------
    def setup_code(self) -> str | None:
        """The current setup code, created while no administrator exists; None once one does."""
        with self._lock:
            if self.has_password():
                return None
            try:
                code = self.code_file.read_text(encoding="ascii").strip()
                if code:
                    return code
            except FileNotFoundError:
                pass
            except (OSError, UnicodeDecodeError) as exc:
                raise WebError(f"{self.code_file}: cannot read the setup code: {exc}") from exc
            code = new_setup_code()
            atomic_write_bytes(self.code_file, code.encode("ascii") + b"\n", mode=0o600)
            self._own(self.code_file)
            return code

    def check_setup_code(self, code: str) -> bool:
        current = self.setup_code()
        if current is None:
            return False
        return hmac.compare_digest(_normalise_code(code).encode(), _normalise_code(current).encode())

    def complete_setup(self, name: str, password: str) -> Account:
        """Create the first administrator and retire the setup code."""
        with self._lock:
            if self.has_password():
                raise WebError("this box is already set up")
            acc = self.create_account(name, "admin", password, by="setup")
            with contextlib.suppress(FileNotFoundError):
                self.code_file.unlink()
                fsync_dir(self.dir)
            return acc

    def reset(self) -> str:
        """Forget the administrators (every session of every account ends) and return a fresh setup
        code; office and technician accounts stay."""
        def fn(data: dict[str, Any]) -> None:
            data["accounts"] = {n: a for n, a in data["accounts"].items() if a.get("role") != "admin"}
            data["box_generation"] = secrets.token_hex(8)
        with self._lock:
            self._update(fn)
            with contextlib.suppress(FileNotFoundError):
                self.code_file.unlink()
            fsync_dir(self.dir)
        code = self.setup_code()
        if code is None:  # an administrator was created concurrently
            raise WebError("an administrator was created while resetting: run permanence passwd --reset again")
        return code


def password_problem(password: str) -> str | None:
    """Why a new password is refused, or None."""
    if len(password) < MIN_PASSWORD:
        return f"the password must have at least {MIN_PASSWORD} characters"
    if len(password) > 1024:
        return "the password must have at most 1024 characters"
    if len(set(password)) < 4:
        return "the password must not repeat the same few characters"
    return None
