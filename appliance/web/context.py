"""What every view needs: the configuration, the call log, live status, and the actions."""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import threading
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, Protocol

from flask import current_app

from ..config import Config
from ..directory import Directory
from ..store.calllog import CallLog, CallLogReader
from ..worklist.trace import TraceCache
from .auth import AuthStore, RateLimiter
from .query import SearchCache
from .stats import FactsCache

log = logging.getLogger(__name__)


class WebActions(Protocol):
    """Optional hooks into the running service (all may be absent)."""

    def config_changed(self, cfg: Config) -> None:
        """The settings page saved a new configuration (already validated and written)."""


@dataclasses.dataclass
class WebState:
    """Per-app state; held in ``app.extensions["permanence"]`` (no module globals)."""

    cfg: Config
    log: CallLog | CallLogReader
    auth: AuthStore
    limiter: RateLimiter
    live: Callable[[], Mapping[str, Any]] | None = None
    config_path: Path | None = None
    actions: WebActions | None = None
    cfg_lock: threading.Lock = dataclasses.field(default_factory=threading.Lock)
    started: float = 0.0
    clock: Callable[[], dt.datetime] = dataclasses.field(default=lambda: dt.datetime.now(dt.UTC))
    stats_cache: dict[Any, Any] = dataclasses.field(default_factory=dict)
    search: SearchCache = dataclasses.field(default_factory=SearchCache)
    facts: FactsCache = dataclasses.field(default_factory=FactsCache)
    directory: Directory | None = None
    trace_cache: TraceCache = dataclasses.field(default_factory=TraceCache)

    @property
    def who(self) -> str:
        """The account doing the current request (recorded with every action)."""
        from flask import g

        acc = g.get("account")
        return acc.name if acc is not None else "?"

    @property
    def writable(self) -> bool:
        return isinstance(self.log, CallLog)

    @property
    def tz(self) -> dt.tzinfo:
        return self.cfg.company.tz

    def now(self) -> dt.datetime:
        return self.clock()

    def live_status(self) -> dict[str, Any]:
        """What the service says about itself; an empty picture without it."""
        base: dict[str, Any] = {"lines": [], "models": {}, "uptime_s": None, "errors": [], "captures": []}
        if self.live is None:
            return base
        try:
            got = self.live()
        except Exception as exc:  # noqa: BLE001 - the page must render even if the service hook fails
            log.warning("status page: the service's live status failed: %r", exc)
            base["errors"] = [f"live status unavailable: {exc!r}"]
            return base
        if isinstance(got, Mapping):
            base.update(got)
        return base


def state() -> WebState:
    st: WebState = current_app.extensions["permanence"]
    return st
