"""An unreadable configuration file never stops the box: it runs on the last good one.

Each time the service starts, and each time the settings page saves, the configuration
text it runs with is kept in ``<data_dir>/config-last-good.toml``. When ``permanence run``
finds its configuration file unreadable (not TOML, cut short, or a value the validation
refuses), it copies the bad file into ``<data_dir>/quarantine/`` (the file itself stays
where the owner put it, for them to fix) and starts on the last good copy, with a health
fault that says so. Without a last good copy (a first start), the error stops the start
as before: there is nothing safe to run on.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from pathlib import Path

from .config import Config, StorageConfig, load_config, load_config_text
from .errors import ConfigError, StoreError
from .store.atomic import atomic_write_text
from .store.quarantine import Quarantine

log = logging.getLogger(__name__)

LAST_GOOD = "config-last-good.toml"
_DATA_DIR = re.compile(r'^\s*data_dir\s*=\s*"([^"\n]+)"', re.MULTILINE)


def remember(text: str, data_dir: Path) -> None:
    """Keep ``text`` (a configuration that loaded) as the last good one; a failure is logged."""
    try:
        atomic_write_text(data_dir / LAST_GOOD, text, mode=0o640)
    except StoreError as exc:
        log.warning("cannot keep a copy of the configuration: %s", exc)


def _data_dir_of(path: Path) -> Path:
    """Where the last good copy is: the broken file's ``storage.data_dir`` if it can still be read."""
    try:
        m = _DATA_DIR.search(path.read_text(encoding="utf-8", errors="replace"))
    except OSError:
        m = None
    return Path(m.group(1)) if m else Path(StorageConfig.data_dir)


def load_or_last_good(path: Path) -> tuple[Config, str | None]:
    """The configuration of ``path``; if it cannot be loaded, the last good one and the problem."""
    try:
        return load_config(path), None
    except ConfigError as exc:
        data_dir = _data_dir_of(path)
        copy = data_dir / LAST_GOOD
        try:
            text = copy.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            raise exc from None
        cfg = load_config_text(text, source=f"{copy} (last good copy of {path})")
        quarantine = Quarantine(data_dir)
        already = any(p.is_file() and p.read_bytes() == _bytes(path)
                      for p in quarantine.dir.glob(f"*{path.name}*")) if quarantine.dir.is_dir() else False
        if path.exists() and not already:
            quarantine.move(path, str(exc), copy=True)
        saved = dt.datetime.fromtimestamp(copy.stat().st_mtime).strftime("%Y-%m-%d %H:%M")
        problem = (f"configuration {path} is invalid ({str(exc).removeprefix(f'{path}: ')}); running on the last "
                   f"good configuration, saved {saved} (fix the file, then restart)")
        log.error("%s", problem)
        return cfg, problem


def _bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError:
        return b""
