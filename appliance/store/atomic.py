"""Power-loss-safe file writes: temp file, fsync, rename, fsync the directory.

After a power cut at any instant, a file written with :func:`atomic_write_bytes`
holds either its old content or its new content, never a mix. Leftover temp
files (``.<name>.tmp-*``) are ignored by readers and removed by
:func:`clean_temp_files`.

>>> import tempfile, pathlib
>>> d = pathlib.Path(tempfile.mkdtemp())
>>> atomic_write_json(d / "x.json", {"a": 1})
>>> read_json(d / "x.json")
{'a': 1}
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
from pathlib import Path
from typing import Any

from ..errors import CorruptFileError, StoreError
from .faulthooks import HOOKS


def fsync(fd: int) -> None:
    """``os.fsync``, the one the package uses (a test can make it slow: :mod:`.faulthooks`)."""
    HOOKS.before_fsync()
    os.fsync(fd)


def fsync_dir(path: Path) -> None:
    """fsync a directory so a rename inside it survives a power cut."""
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        fsync(fd)
    finally:
        os.close(fd)


def atomic_write_bytes(path: str | os.PathLike[str], data: bytes, *, mode: int = 0o640) -> None:
    """Replace ``path`` with ``data`` atomically and durably."""
    p = Path(path)
    tmp = p.with_name(f".{p.name}.tmp-{secrets.token_hex(4)}")
    try:
        p.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
        try:
            view = memoryview(data)
            while view:
                n = os.write(fd, view)
                view = view[n:]
            fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, p)
        fsync_dir(p.parent)
    except OSError as exc:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise StoreError(f"{p}: cannot write: {exc}") from exc
    HOOKS.after_write(str(p))


def atomic_write_text(path: str | os.PathLike[str], text: str, *, mode: int = 0o640) -> None:
    atomic_write_bytes(path, text.encode("utf-8"), mode=mode)


def atomic_write_json(path: str | os.PathLike[str], obj: Any, *, mode: int = 0o640) -> None:
    atomic_write_bytes(path, json.dumps(obj, ensure_ascii=False, separators=(",", ":")).encode("utf-8"),
                       mode=mode)


def read_json(path: str | os.PathLike[str], default: Any = None) -> Any:
    """Read a JSON file written atomically; ``default`` if it does not exist."""
    p = Path(path)
    try:
        data = p.read_bytes()
    except FileNotFoundError:
        return default
    except OSError as exc:
        raise StoreError(f"{p}: cannot read: {exc}") from exc
    try:
        return json.loads(data)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise CorruptFileError(f"{p}: corrupt JSON ({exc})") from exc


def clean_temp_files(directory: str | os.PathLike[str]) -> int:
    """Remove temp files left by writes interrupted by a crash; returns how many."""
    n = 0
    for tmp in Path(directory).rglob(".*.tmp-*"):
        with contextlib.suppress(OSError):
            tmp.unlink()
            n += 1
    return n
