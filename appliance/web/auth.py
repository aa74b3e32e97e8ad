"""Who may see the status page: one admin password, a one-time setup code, login throttling.

Files under ``<data_dir>/web/`` (directory 0700, files 0600, written atomically):

* ``secret-key``  random key signing the session cookies of this box;
* ``password.json``  ``{"hash": scrypt hash, "set_at": iso, "generation": n}`` once set;
* ``setup-code``  the one-time code that lets the first visitor choose the password;
  it exists only while no password is set.

A new box has no password: every page leads to ``/setup``, which asks for the
setup code (printed in the service log and by ``permanence passwd``) and a new
password. ``permanence passwd --reset`` removes the password (signing out every
session, since sessions carry the password generation) and prints a new code.
"""

from __future__ import annotations

import contextlib
import hmac
import logging
import os
import secrets
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from werkzeug.security import check_password_hash, generate_password_hash

from ..errors import CorruptFileError, WebError
from ..store.atomic import atomic_write_bytes, atomic_write_json, fsync_dir, read_json
from ..store.record import iso

log = logging.getLogger(__name__)

MIN_PASSWORD = 10
_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I


def new_setup_code() -> str:
    """A code easy to read aloud and type: ``XXXX-XXXX-XXXX`` (60 bits)."""
    raw = "".join(secrets.choice(_CODE_ALPHABET) for _ in range(12))
    return f"{raw[0:4]}-{raw[4:8]}-{raw[8:12]}"


def _normalise_code(code: str) -> str:
    return "".join(ch for ch in code.upper() if ch.isalnum())


class AuthStore:
    """The password, the setup code and the session key of one box."""

    def __init__(self, data_dir: str | os.PathLike[str]) -> None:
        self.dir = Path(data_dir) / "web"
        self._lock = threading.Lock()
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
    def password_file(self) -> Path:
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
            except FileNotFoundError:
                pass
            except OSError as exc:
                raise WebError(f"{self.key_file}: cannot read the session key: {exc}") from exc
            key = secrets.token_hex(32).encode()
            atomic_write_bytes(self.key_file, key, mode=0o600)
            self._own(self.key_file)
            return key

    # -- password -------------------------------------------------------------------------
    def _password(self) -> dict[str, Any] | None:
        try:
            data = read_json(self.password_file, default=None)
        except CorruptFileError:
            log.error("%s is corrupt: the status page asks for setup again", self.password_file)
            return None
        return data if isinstance(data, dict) and isinstance(data.get("hash"), str) else None

    def has_password(self) -> bool:
        return self._password() is not None

    def generation(self) -> str | None:
        """A random id that changes every time the password is set; sessions carry it,
        so setting or resetting the password signs every session out."""
        data = self._password()
        return str(data.get("generation", "")) or None if data else None

    def check_password(self, password: str) -> bool:
        data = self._password()
        if data is None or not password:
            return False
        return check_password_hash(data["hash"], password)

    def set_password(self, password: str) -> None:
        problem = password_problem(password)
        if problem:
            raise WebError(problem)
        with self._lock:
            atomic_write_json(self.password_file,
                              {"hash": generate_password_hash(password, method="scrypt"),
                               "set_at": iso(), "generation": secrets.token_hex(8)}, mode=0o600)
            self._own(self.password_file)
            with contextlib.suppress(FileNotFoundError):
                self.code_file.unlink()
                fsync_dir(self.dir)

    # -- setup code -----------------------------------------------------------------------
    def setup_code(self) -> str | None:
        """The current setup code, created if no password is set; None once a password exists."""
        with self._lock:
            if self._password() is not None:
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

    def reset(self) -> str:
        """Forget the password (every session ends) and return a fresh setup code."""
        with self._lock:
            for path in (self.password_file, self.code_file):
                with contextlib.suppress(FileNotFoundError):
                    path.unlink()
            fsync_dir(self.dir)
        code = self.setup_code()
        if code is None:  # a password was set concurrently
            raise WebError("a password was set while resetting it: run permanence passwd --reset again")
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


class RateLimiter:
    """Failed-attempt throttling for login and setup, per client address and for the whole box.

    After ``free`` failures from one address, that address must wait ``base`` seconds,
    doubling with every further failure up to ``cap``. The box as a whole allows at most
    ``global_free`` failures per ``window`` seconds before everyone waits (an attacker
    rotating addresses). A success clears the address's record."""

    def __init__(self, *, free: int = 5, base: float = 2.0, cap: float = 900.0,
                 global_free: int = 30, window: float = 600.0,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.free, self.base, self.cap = free, base, cap
        self.global_free, self.window = global_free, window
        self.clock = clock
        self._lock = threading.Lock()
        self._per_ip: dict[str, tuple[int, float]] = {}  # ip -> (failures, locked until)
        self._global: list[float] = []

    def retry_after(self, ip: str) -> float:
        """Seconds this address must wait before trying again (0 = may try now)."""
        now = self.clock()
        with self._lock:
            self._global = [t for t in self._global if now - t < self.window]
            wait = 0.0
            if len(self._global) >= self.global_free:
                wait = self._global[0] + self.window - now
            _fails, until = self._per_ip.get(ip, (0, 0.0))
            return max(wait, until - now, 0.0)

    def failure(self, ip: str) -> None:
        now = self.clock()
        with self._lock:
            self._global.append(now)
            fails, _ = self._per_ip.get(ip, (0, 0.0))
            fails += 1
            until = 0.0
            if fails >= self.free:
                until = now + min(self.cap, self.base * 2 ** (fails - self.free))
            self._per_ip[ip] = (fails, until)
            if len(self._per_ip) > 10_000:  # bound memory: forget the oldest addresses
                for key in list(self._per_ip)[:5_000]:
                    del self._per_ip[key]

    def success(self, ip: str) -> None:
        with self._lock:
            self._per_ip.pop(ip, None)
