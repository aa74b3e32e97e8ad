"""Telling the office: overdue callbacks (SMS and MQTT, rate-limited, only in opening hours) and the
morning digest of yesterday's unresolved ones.

:class:`WorklistNotifier` runs a step every ``period`` seconds on its own thread (tests call
:meth:`WorklistNotifier.step` with their own clock). Each overdue row is told once per due time
(``notice-overdue-...`` ids: the alert outbox makes a retry the same message); what was told is kept
in ``<data_dir>/worklist/notices.json`` so a restart does not tell it again. SMS go to
``worklist.office`` (at most ``worklist.max_sms_per_hour`` per person); MQTT to
``<prefix>/<box>/worklist/overdue`` and ``.../worklist/digest``.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol

from ..alerts.ratelimit import SlidingWindowLimit
from ..alerts.text import clean
from ..config import Config
from ..directory.numbers import national
from ..errors import PermanenceError
from ..store.atomic import atomic_write_json, read_json
from ..store.calllog import CallLog, CallLogReader
from ..store.quarantine import Quarantine
from .hours import is_working_day
from .items import Item, group
from .trace import Entry, TraceCache, trace

log = logging.getLogger(__name__)
MESSAGES = Path(__file__).with_name("messages")


def messages(lang: str) -> dict[str, Any]:
    """The texts of ``messages/<lang>.toml`` (English when the language has none)."""
    path = MESSAGES / f"{lang}.toml"
    if not path.is_file():
        path = MESSAGES / "en.toml"
    with open(path, "rb") as f:
        return tomllib.load(f)


class Notices(Protocol):
    """What the notifier needs of the alert manager (appliance.alerts.manager.AlertManager)."""

    def notice(self, notice_id: str, kind: str, recipients: Any, text: str, *, topic_tail: str | None = None,
               message: dict[str, Any] | None = None) -> Any: ...


def duration_text(minutes: float) -> str:
    m = max(0, round(minutes))
    return f"{m} min" if m < 60 else f"{m // 60} h {m % 60:02d}"


class WorklistNotifier:
    def __init__(self, cfg: Config, log_: CallLog | CallLogReader, alerts: Notices, data_dir: Path, *,
                 directory: Any = None, clock: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC),
                 period: float = 30.0, quarantine: Quarantine | None = None) -> None:
        self.cfg = cfg
        self.quarantine = quarantine
        self.log = log_
        self.alerts = alerts
        self.directory = directory
        self.clock = clock
        self.period = period
        self.path = Path(data_dir) / "worklist" / "notices.json"
        self.limiter = SlidingWindowLimit(per_key=cfg.worklist.max_sms_per_hour, total=10**6)
        self.trace_cache = TraceCache()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._state = self._load()

    # -- state ------------------------------------------------------------------------------
    def _load(self) -> dict[str, Any]:
        try:
            data = read_json(self.path, default=None)
        except PermanenceError as exc:
            log.error("worklist: %s; notices start afresh", exc)
            if self.quarantine is not None:  # moved aside with a health fault (some notices may go out twice)
                self.quarantine.move(self.path, "unreadable worklist notices; they start afresh")
            data = None
        if not isinstance(data, dict) or not isinstance(data.get("told"), dict):
            data = {"told": {}, "digest_day": None}
        return data

    def _save(self) -> None:
        try:
            atomic_write_json(self.path, self._state)
        except PermanenceError as exc:
            log.error("worklist: cannot keep what was told: %s", exc)

    # -- thread -----------------------------------------------------------------------------
    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="worklist-notify", daemon=True)
        self._thread.start()

    def close(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)

    def _run(self) -> None:
        while not self._stop.wait(self.period):
            try:
                self.step()
            except Exception:  # the notifier must never stop: log and try at the next step
                log.exception("worklist: notification step failed")

    # -- one step ---------------------------------------------------------------------------
    def step(self, now: dt.datetime | None = None) -> dict[str, int]:
        """Tell what is due now; returns {"overdue": n, "digest": n} for what was sent this step."""
        now = now or self.clock()
        horizon = self.cfg.worklist.horizon_days
        rows = self.log.summaries(since=now - dt.timedelta(days=horizon + 1))
        entries = trace(rows, self.cfg, {ln.name: ln.country for ln in self.cfg.lines}, self.trace_cache)
        sent = {"overdue": 0, "digest": 0}
        if self.cfg.company.is_open(now):
            for it in group(entries, now, horizon):
                if it.overdue(now) and self._tell_overdue(it, now):
                    sent["overdue"] += 1
        sent["digest"] = self._digest(entries, now)
        self._prune(now)
        return sent

    def _people(self, now: dt.datetime) -> list[tuple[str, str]]:
        """Office staff whose SMS budget allows one more."""
        t = now.timestamp()
        return [(p.name, p.phone) for p in self.cfg.worklist.office if self.limiter.allow(p.phone, now=t)]

    def _who(self, it: Item) -> tuple[str, str]:
        """"Name (Company) 06 12 34 56 78" (the directory's values first) and the contract level."""
        contact = self.directory.lookup(it.number) if self.directory is not None and it.number else None
        said_name, said_company = it.said()
        name = clean((contact.name if contact else "") or said_name or "", 40)
        company = clean((contact.company if contact else "") or said_company or "", 40)
        who = " ".join(x for x in (name, f"({company})" if company else "", national(it.number)) if x)
        return who or messages(self.cfg.company.language)["unknown"], (contact.contract if contact else "")

    def _tell_overdue(self, it: Item, now: dt.datetime) -> bool:
        wl = self.cfg.worklist
        notice_id = f"notice-overdue-{it.key}-{it.due_at:%Y%m%dT%H%M}"
        if notice_id in self._state["told"]:
            return False
        m = messages(self.cfg.company.language)
        who, contract = self._who(it)
        notes = (f" [{clean(contract, 20)}]" if contract else "") + (
            f", {m['attempts'].format(n=it.attempts)}" if it.attempts > 1 else "")
        what = clean(next((e.row.get("summary") for e in reversed(it.entries) if e.row.get("summary")), ""), 100)
        late = duration_text((now - it.due_at).total_seconds() / 60)
        text = m["overdue"].format(late=late, caller=who, notes=notes, what=what).strip()
        message = {"number": it.number, "name": who, "contract": contract or None, "attempts": it.attempts,
                   "due_at": it.due_at.isoformat(), "calls": list(it.call_ids), "reasons": list(it.reasons)}
        people = self._people(now) if wl.overdue_sms else []
        self.alerts.notice(notice_id, "worklist-overdue", people, text,
                           topic_tail="worklist/overdue" if wl.overdue_mqtt else None, message=message)
        self._state["told"][notice_id] = now.isoformat()
        self._save()
        log.info("worklist: overdue callback %s told to %d person(s)", it.key, len(people))
        return True

    def _digest(self, entries: list[Entry], now: dt.datetime) -> int:
        """At ``worklist.digest_time`` on a working day: the calls since the last digest's day (yesterday,
        or the weekend and Friday on a Monday) still to call back."""
        wl = self.cfg.worklist
        if not wl.digest_time:
            return 0
        tz = self.cfg.company.tz
        local = now.astimezone(tz)
        today = local.date()
        h, mi = (int(x) for x in wl.digest_time.split(":"))
        last = self._state.get("digest_day")
        if local.time() < dt.time(h, mi) or last == today.isoformat() or not is_working_day(today, self.cfg.company):
            return 0
        self._state["digest_day"] = today.isoformat()
        self._save()
        first = dt.date.fromisoformat(last) if last else today - dt.timedelta(days=1)
        first = max(first, today - dt.timedelta(days=7))
        items = group([e for e in entries if first <= e.started_at.astimezone(tz).date() < today], now,
                      wl.horizon_days)
        if not items:
            return 0
        m = messages(self.cfg.company.language)
        company = clean(self.cfg.company.name, 30)
        lines = [m["digest_title"].format(company=company, n=len(items)) if first >= today - dt.timedelta(days=1)
                 else m["digest_title_since"].format(company=company, n=len(items), day=m["weekdays"][first.weekday()])]
        for it in items[:5]:
            who, contract = self._who(it)
            notes = f" [{clean(contract, 20)}]" if contract else ""
            summary = clean(next((e.row.get("summary") for e in it.entries if e.row.get("summary")), ""), 50)
            lines.append(m["digest_line"].format(caller=who, notes=notes, what=f": {summary}" if summary else ""))
        if len(items) > 5:
            lines.append(m["more"].format(n=len(items) - 5))
        people = self._people(now) if wl.overdue_sms else []
        self.alerts.notice(f"notice-digest-{today.isoformat()}", "worklist-digest", people,
                           "\n".join(lines), topic_tail="worklist/digest" if wl.overdue_mqtt else None,
                           message={"day": (today - dt.timedelta(days=1)).isoformat(), "from": first.isoformat(),
                                    "count": len(items), "numbers": [it.number for it in items],
                                    "calls": [c for it in items for c in it.call_ids]})
        return len(items)

    def _prune(self, now: dt.datetime) -> None:
        oldest = (now - dt.timedelta(days=self.cfg.worklist.horizon_days + 2)).isoformat()
        told = self._state["told"]
        stale = [k for k, at in told.items() if str(at) < oldest]
        for k in stale:
            del told[k]
        if stale:
            self._save()
