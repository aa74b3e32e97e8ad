"""Call-log benchmark: insert/update cost as the history grows, and dashboard queries.

Targets (issue 2): one insert or update <= 20 ms with 1 000, 10 000 and 50 000 calls
already stored; each dashboard query <= 100 ms at 50 000 calls. Calls are spread over
the last 365 days (50 000 calls = 137 a day, denser than the seed's 26 a day), with
realistic transcripts and qualifications. Queries are timed cold (a fresh reader, as
the CLI or a restarted page sees it) and warm (the page's reader, files unchanged).
"""

from __future__ import annotations

import datetime as dt
import random
import statistics
import tempfile
import time
from pathlib import Path

from appliance.qualification import Qualification
from appliance.store.calllog import CallLog, CallLogReader
from appliance.store.record import CallRecord, iso, new_call_id

CATS = ["breakdown", "quote", "appointment", "followup", "billing", "info", "job", "sales", "other"]


def make_record(when: dt.datetime, rnd: random.Random, line: str = "gsm1") -> CallRecord:
    state = rnd.choices(["answered", "abandoned", "missed", "staff"], [80, 10, 5, 5])[0]
    rec = CallRecord(id=new_call_id(line, when), line=line, started_at=iso(when),
                     caller_number=f"+336{rnd.randrange(10**8):08d}", state=state, rings=rnd.randint(1, 4),
                     ring_seconds=round(rnd.uniform(0.5, 20), 2), ended_at=iso(when + dt.timedelta(seconds=50)),
                     hangup_by="caller", lang="fr")
    if state == "answered":
        rec.answered_at = iso(when + dt.timedelta(seconds=3))
        rec.duration = round(rnd.uniform(20, 90), 1)
        rec.turns = [
            {"speaker": "box", "text": "Bonjour, vous êtes bien chez Maintenance Martin. Quel est l'objet de votre appel ?",
             "start": 0.0, "end": 4.0, "kind": "prompt"},
            {"speaker": "caller", "text": "bonjour notre compresseur est en panne toute la ligne est arrêtée",
             "start": 4.5, "end": 9.0, "kind": "speech"},
            {"speaker": "box", "text": "Pouvez-vous me donner votre nom et votre société ?", "start": 9.3,
             "end": 12.0, "kind": "prompt"},
            {"speaker": "caller", "text": "jean dupont de la laiterie du val", "start": 12.5, "end": 15.0,
             "kind": "speech"},
        ]
        cat = rnd.choice(CATS)
        rec.qualification = Qualification(category=cat, urgent=cat == "breakdown" and rnd.random() < 0.4,
                                          urgency="normal", sla_minutes=120, name="Jean Dupont",
                                          company="Laiterie du Val", callback=rec.caller_number,
                                          summary="compresseur en panne", rules=("cat.breakdown.panne",))
    rec.events = [{"at": rec.started_at, "kind": "ring", "count": 1}, {"at": rec.ended_at, "kind": "ended"}]
    return rec


def build(root: Path, n: int, rnd: random.Random) -> None:
    now = dt.datetime.now(dt.UTC)
    recs = []
    for i in range(n):
        when = now - dt.timedelta(days=365) + dt.timedelta(seconds=i * (365 * 86400 - 3600) / n)
        recs.append(make_record(when, rnd))
    with CallLog(root) as log:
        log.import_records(recs)


def p(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))]


def week_counts(reader: CallLogReader) -> dict[str, dict[str, int]]:
    """Calls per ISO week and state over 12 months, from the per-day aggregates."""
    since = dt.datetime.now(dt.UTC) - dt.timedelta(days=365)
    out: dict[str, dict[str, int]] = {}
    for day, agg in reader.day_aggregates(since=since):
        y, w, _ = day.isocalendar()
        bucket = out.setdefault(f"{y}-W{w:02d}", {})
        for state, hours in agg["by_hour"].items():
            bucket[state] = bucket.get(state, 0) + sum(hours)
    return out


def run() -> list[dict[str, object]]:
    figures: list[dict[str, object]] = []
    rnd = random.Random(7)
    for n in (1000, 10000, 50000):
        with tempfile.TemporaryDirectory() as tmp:
            root = Path(tmp)
            build(root, n, rnd)
            ins: list[float] = []
            upd: list[float] = []
            with CallLog(root) as log:
                for _ in range(40):
                    rec = make_record(dt.datetime.now(dt.UTC), rnd)
                    rec.state = "ringing"
                    t = time.perf_counter()
                    log.create(rec)
                    ins.append((time.perf_counter() - t) * 1000)
                    t = time.perf_counter()
                    log.update(rec.id, lambda r: r.turns.append(
                        {"speaker": "caller", "text": "oui c'est bien ça", "start": 1, "end": 2}))
                    upd.append((time.perf_counter() - t) * 1000)
            for label, vals in (("insert", ins), ("update", upd)):
                v = p(vals, 0.95)
                figures.append({"name": f"log.{label}_p95_at_{n}", "value": round(v, 2), "unit": "ms",
                                "target": "<= 20", "met": v <= 20})
            if n == 50000:
                since7 = dt.datetime.now(dt.UTC) - dt.timedelta(days=7)
                cold7, cold12 = [], []
                for _ in range(3):
                    reader = CallLogReader(root)
                    t = time.perf_counter()
                    rows = reader.summaries(since=since7)
                    cold7.append((time.perf_counter() - t) * 1000)
                    reader = CallLogReader(root)
                    t = time.perf_counter()
                    weeks = week_counts(reader)
                    cold12.append((time.perf_counter() - t) * 1000)
                warm7, warm12 = [], []
                for _ in range(5):
                    t = time.perf_counter()
                    reader.summaries(since=since7)
                    warm7.append((time.perf_counter() - t) * 1000)
                    t = time.perf_counter()
                    week_counts(reader)
                    warm12.append((time.perf_counter() - t) * 1000)
                assert len(rows) > 0 and len(weeks) >= 52
                for name, vals in (("query_last7days_cold", cold7), ("query_weekly_12months_cold", cold12),
                                   ("query_last7days_warm", warm7), ("query_weekly_12months_warm", warm12)):
                    v = statistics.median(vals)
                    figures.append({"name": f"log.{name}_at_50000", "value": round(v, 1), "unit": "ms",
                                    "target": "<= 100", "met": v <= 100})
    return figures
