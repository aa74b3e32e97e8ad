"""``permanence rota`` and ``permanence outbox``: read-only views for the installer.

``permanence rota [--days 7]`` prints who is on call, day by day (company time zone).
``permanence outbox`` lists the alerts not yet confirmed (``data_dir/outbox``) and pending
escalations. Neither writes anything: the running service is the only writer.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
from pathlib import Path

from ..config import load_config
from ..errors import PermanenceError
from .escalation import EscalationStore
from .model import iso_of
from .outbox import Outbox
from .rota import rota_from_config


def _rota(args: argparse.Namespace) -> int:
    cfg = load_config(args.config)
    r = rota_from_config(cfg.rota, cfg.company.timezone)
    if args.json:
        print(json.dumps(r.schedule(args.days), ensure_ascii=False, indent=2))
        return 0
    now = dt.datetime.now(dt.UTC)
    who = r.on_call(now)
    print(f"on call now: {who.name} {who.phone}" if who else "on call now: nobody")
    for day in r.schedule(args.days):
        slots = ", ".join(f"{s['start']}-{s['end']} {s['person']}"
                          + (" (override)" if s["source"] == "override" else "") for s in day["slots"])
        print(f"{day['date']} {day['weekday']}: {slots or 'nobody'}")
    return 0


def _outbox(args: argparse.Namespace) -> int:
    cfg = load_config(args.config)
    data = Path(args.data_dir) if args.data_dir else cfg.data_path
    if not (data / "outbox").is_dir():
        print(f"{data}/outbox: no outbox yet")
        return 0
    try:
        ob = Outbox(data, readonly=True)
        esc = EscalationStore(data / "alerts", readonly=True)
    except PermanenceError as exc:
        print(f"error: {exc}")
        return 1
    rows = ob.open_alerts()
    print(f"{len(rows)} alert(s) waiting for confirmation")
    for a in rows:
        print(f"  {a.state:<8} {a.channel:<4} {a.kind:<18} to {a.recipient:<14} attempts {a.attempts} "
              f"next {iso_of(a.next_attempt_at)} call {a.call_id} {a.last_error[:60]!r}")
    pending = esc.pending()
    print(f"{len(pending)} urgent call(s) not acknowledged")
    for e in pending:
        last = e.alerted[-1]["person"] if e.alerted else "-"
        print(f"  {e.call_id} since {iso_of(e.started_at)} last alerted {last} "
              f"{'(escalation exhausted)' if e.exhausted else ''}")
    return 0


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = subparsers.add_parser("rota", help="show who is on call (from the configuration)")
    p.add_argument("--config", default=None, help="configuration file")
    p.add_argument("--days", type=int, default=7, help="days to show (default 7)")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=_rota)
    o = subparsers.add_parser("outbox", help="list alerts not yet confirmed and unacknowledged urgent calls")
    o.add_argument("--config", default=None, help="configuration file")
    o.add_argument("--data-dir", default=None, help="data directory (default: storage.data_dir)")
    o.set_defaults(func=_outbox)
