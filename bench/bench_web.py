"""Status page render time (server side, p95) with 50 000 calls in the log.

The calls are written through the store's API (``CallLog.create``) into a temporary
directory on tmpfs (/dev/shm when present) so that generating them takes well under a
minute; reading them afterwards goes through the same page cache a Pi would use.
The distribution is the seed's: ~180 calls a week growing 18 % a year (about five
years of calls), 2 lines, ~21 % unanswered. Each page is requested through Flask's
test client with a logged-in session: routing, auth, reading the log, computing and
rendering are all included; the network is not.

``statistics`` is measured with no write between views (the statistics come from a cache
validated by the identity of the store's rows, which change whenever a day file is
rewritten); ``statistics_after_write`` updates a call before every view, so every view
recomputes: that is the uncached figure.
"""

from __future__ import annotations

import datetime as dt
import random
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from appliance.config import Config
    from appliance.store.calllog import CallLog

ROOT = Path(__file__).resolve().parents[1]
N_CALLS = 50_000
TARGET_MS = 150.0
REPEAT = 30
PAGES = {"dashboard": "/", "calls": "/calls", "statistics": "/stats", "worklist": "/worklist",
         "calls_all_dates": "/calls?all=1", "calls_filtered": "/calls?state=abandoned&q=%2B337",
         "api_stats": "/api/stats"}
TARGETED = ("dashboard", "calls", "statistics", "statistics_after_write", "worklist", "worklist_after_write")


def _generate(log: Any, tz: dt.tzinfo, n: int) -> float:
    sys.path.insert(0, str(ROOT / "tests"))
    from web.calldata import call_times, random_call  # the tests' realistic generator

    rng = random.Random(2026)
    now = dt.datetime.now(dt.UTC)
    days = int(n / 190 * 7) + 14
    times = call_times(rng, (now - dt.timedelta(days=days)).date(), days, 180 * 0.85, 0.18, tz)
    times = [t for t in times if t < now][-n:]
    t0 = time.perf_counter()
    for i, t in enumerate(times):
        log.create(random_call(rng, t, "line1" if i % 3 else "line2"))
    return time.perf_counter() - t0


def _log_in(client: Any, auth: Any, admin: Any) -> None:
    """A logged-in session for ``admin`` on a test client."""
    with client.session_transaction() as s:
        s["auth"], s["user"], s["gen"], s["box"], s["at"] = (True, admin.name, admin.generation,
                                                             auth.box_generation(), time.time())


def _timed_pages(log: CallLog, newest: str) -> dict[str, tuple[str, Callable[[], None] | None]]:
    """Each page to time: its path, and what to do before every view (None: nothing)."""

    def touch() -> None:
        """A write between two views, as when a call arrives: every cache is invalidated."""
        log.update(newest, lambda r: setattr(r, "handled", not r.handled))

    pages: dict[str, tuple[str, Callable[[], None] | None]] = {
        name: (path, None) for name, path in PAGES.items()}
    pages["statistics_after_write"] = ("/stats", touch)
    pages["worklist_after_write"] = ("/worklist", touch)
    return pages


def _page_figures(client: Any, name: str, path: str, before: Callable[[], None] | None) -> list[dict[str, Any]]:
    """A page's first view, then its p95 over ``REPEAT`` views (``before`` run before each)."""
    t0 = time.perf_counter()
    r = client.get(path)
    cold = (time.perf_counter() - t0) * 1000
    if r.status_code != 200:
        raise RuntimeError(f"{path}: HTTP {r.status_code}")
    times = []
    for _ in range(REPEAT):
        if before is not None:
            before()
        t0 = time.perf_counter()
        client.get(path)
        times.append((time.perf_counter() - t0) * 1000)
    p95 = statistics.quantiles(times, n=20)[-1]
    targeted = name in TARGETED
    return [{"name": f"web.render_{name}_p95", "value": round(p95, 1), "unit": "ms",
             "target": f"<= {TARGET_MS:.0f}" if targeted else "info",
             "met": p95 <= TARGET_MS if targeted else True},
            {"name": f"web.render_{name}_first", "value": round(cold, 1), "unit": "ms",
             "target": "info", "met": True}]


def _cold_reader_figures(cfg: Config, tmp: Path, auth: Any, admin: Any) -> list[dict[str, Any]]:
    """A fresh reader process (no cache at all): what the first visit after a restart costs."""
    from appliance.store.calllog import CallLogReader
    from appliance.web import create_app

    reader_app = create_app(cfg, CallLogReader(tmp))
    reader = reader_app.test_client()
    _log_in(reader, auth, admin)
    out: list[dict[str, Any]] = []
    for name in ("statistics", "calls"):
        t0 = time.perf_counter()
        reader.get(PAGES[name])
        out.append({"name": f"web.render_{name}_cold_reader", "value":
                    round((time.perf_counter() - t0) * 1000, 1), "unit": "ms", "target": "info",
                    "met": True})
    return out


def _bench(tmp: Path) -> list[dict[str, Any]]:
    """``N_CALLS`` calls written into ``tmp``, then every page timed on them."""
    from appliance.config import load_config_text
    from appliance.store.calllog import CallLog
    from appliance.web import create_app

    out: list[dict[str, Any]] = []
    cfg = load_config_text(f'[company]\nname = "Bench"\n[storage]\ndata_dir = "{tmp}"\n')
    with CallLog(tmp) as log:
        gen_s = _generate(log, cfg.company.tz, N_CALLS)
        n = len(log.summaries())
        app = create_app(cfg, log)
        client = app.test_client()
        auth = app.extensions["permanence"].auth
        admin = auth.complete_setup("admin", "bench password 1234")
        _log_in(client, auth, admin)
        out.append({"name": "web.bench_calls_in_log", "value": float(n), "unit": "calls",
                    "target": f"{N_CALLS}", "met": n == N_CALLS})
        out.append({"name": "web.generate_calls_per_s", "value": round(n / gen_s, 1), "unit": "calls/s",
                    "target": "info", "met": True})
        newest = log.summaries(since=dt.datetime.now(dt.UTC) - dt.timedelta(days=30))[0]["id"]
        for name, (path, before) in _timed_pages(log, newest).items():
            out += _page_figures(client, name, path, before)
        out += _cold_reader_figures(cfg, tmp, auth, admin)
    return out


def run() -> list[dict[str, Any]]:
    base = "/dev/shm" if Path("/dev/shm").is_dir() else None
    tmp = Path(tempfile.mkdtemp(prefix="bench-web-", dir=base))
    try:
        return _bench(tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

if __name__ == "__main__":
    for row in run():
        print(f"{row['name']:40} {row['value']:>10} {row['unit']:8} target {row['target']:8} "
              f"{'met' if row['met'] else 'NOT MET'}")
