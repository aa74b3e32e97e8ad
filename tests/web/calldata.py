"""Realistic calls for the status page tests and benchmark, written through the store's API.

Covers answered calls with transcripts and qualification, abandoned calls under and
over 5 s, missed and interrupted calls, urgent calls with alerts pending and
acknowledged, several categories, conversions with amounts, and hostile caller text
(``<script>`` in a transcript, HTML in a caller id name) to prove escaping.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import math
import random
import struct
import wave
from pathlib import Path
from typing import Any

from appliance.qualification import Qualification
from appliance.store.calllog import CallLog
from appliance.store.record import CallRecord, iso, new_call_id

HOSTILE_SAID = "<script>alert(1)</script> la chaudière fuit"
HOSTILE_NAME = '<img src=x onerror="alert(2)">Bob & "Co"'
HOSTILE_SUMMARY = "</svg><script>alert(3)</script>"
FORMULA = "=HYPERLINK(\"http://evil.invalid\",\"x\")"

SAYINGS = {
    "breakdown": ("bonjour notre compresseur est en panne toute la production est à l'arrêt",
                  "Panne compresseur, production arrêtée"),
    "quote": ("je voudrais un devis pour l'entretien annuel de deux chaudières", "Devis entretien chaudières"),
    "appointment": ("je voudrais prendre rendez-vous pour la visite de maintenance", "Rendez-vous maintenance"),
    "followup": ("je rappelle pour l'intervention de mardi dernier", "Suivi intervention"),
    "billing": ("j'ai une question sur votre facture de septembre", "Question facture"),
    "info": ("à quelle heure ouvrez-vous demain matin", "Horaires d'ouverture"),
    "job": ("je vous appelle pour une candidature de technicien", "Candidature"),
}
NAMES = ["Jean Dupont", "Martine Lefèvre", "Paul Martin", "Thomas Garnier", "Sophie Bernard", "Luc Moreau"]
COMPANIES = ["Laiterie du Val", "SCI des Tilleuls", None, "Boucherie Garnier", "Garage Central", None]


def write_wav(path: Path, seconds: float = 1.0, freq: float = 440.0) -> None:
    """A real 8 kHz 16-bit mono WAV file (a tone), written with the wave module."""
    path.parent.mkdir(parents=True, exist_ok=True)
    n = int(8000 * seconds)
    frames = b"".join(struct.pack("<h", int(8000 * math.sin(2 * math.pi * freq * i / 8000))) for i in range(n))
    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(8000)
        w.writeframes(frames)
    path.write_bytes(buf.getvalue())


def _answered(rng: random.Random, start: dt.datetime, line: str, category: str, *, urgent: bool,
              caller_name: str | None = None, said: str | None = None, summary: str | None = None,
              ack: bool | None = None) -> CallRecord:
    rings = rng.randint(1, 2)
    ring_s = rings * 5.0 - 2 + rng.random()
    answered = start + dt.timedelta(seconds=ring_s)
    text, default_summary = SAYINGS[category]
    text = said or text
    i = rng.randrange(len(NAMES))
    turns = [
        {"speaker": "box", "text": "Bonjour, Maintenance Dupuis, je vous écoute.", "start": 0.0, "end": 2.5,
         "kind": "prompt", "confidence": None},
        {"speaker": "caller", "text": text, "start": 3.0, "end": 8.0, "kind": "speech", "confidence": 0.82},
        {"speaker": "box", "text": "Quel est votre nom et votre société ?", "start": 8.5, "end": 10.5,
         "kind": "prompt", "confidence": None},
        {"speaker": "caller", "text": f"{NAMES[i]} {COMPANIES[i] or ''}".strip(), "start": 11.0, "end": 13.5,
         "kind": "speech", "confidence": 0.9},
    ]
    duration = 20.0 + rng.random() * 60
    ended = answered + dt.timedelta(seconds=duration)
    rules = [f"category:{category} matched {text.split()[2]!r}"]
    if urgent:
        rules.append("urgency:critical matched 'arrêt'")
    qual = Qualification.from_dict({"category": category, "urgent": urgent, "urgency": "critical" if urgent else "normal",
            "sla_minutes": 15 if urgent else 120, "name": NAMES[i], "company": COMPANIES[i],
            "callback": "+33612345678", "summary": summary or default_summary, "rules": rules})
    events: list[dict[str, Any]] = [{"at": iso(start), "kind": "ring", "count": 1},
              {"at": iso(answered), "kind": "answered"},
              {"at": iso(ended), "kind": "hangup", "by": "caller"}]
    alerts: list[dict[str, Any]] = []
    if urgent:
        sent = answered + dt.timedelta(seconds=15)
        alert = {"id": "a1", "at": iso(sent), "channel": "sms", "to": "+33600000001", "state": "pending"}
        if ack:
            alert |= {"state": "acknowledged", "acknowledged_at": iso(sent + dt.timedelta(minutes=2)),
                      "acknowledged_by": "+33600000001"}
        alerts.append(alert)
    return CallRecord(id=new_call_id(line, start), line=line, started_at=iso(start),
                      caller_number="+336" + "".join(str(rng.randrange(10)) for _ in range(8)),
                      caller_name=caller_name, state="answered", rings=rings, ring_seconds=round(ring_s, 1),
                      answered_at=iso(answered), ended_at=iso(ended), hangup_by="caller",
                      duration=round(duration, 1), lang="fr", turns=turns, qualification=qual,
                      events=events, alerts=alerts)


def _unanswered(rng: random.Random, start: dt.datetime, line: str, state: str, ring_s: float) -> CallRecord:
    end = start + dt.timedelta(seconds=ring_s)
    return CallRecord(id=new_call_id(line, start), line=line, started_at=iso(start),
                      caller_number="+337" + "".join(str(rng.randrange(10)) for _ in range(8)),
                      state=state, rings=max(1, int(ring_s // 5) + 1), ring_seconds=round(ring_s, 1),
                      ended_at=iso(end), hangup_by="caller" if state == "abandoned" else "network",
                      events=[{"at": iso(start), "kind": "ring", "count": 1},
                              {"at": iso(end), "kind": "ring_stopped", "by": "caller"}])


@dataclasses.dataclass
class Notable:
    hostile: str = ""
    recorded: str = ""
    urgent_pending: str = ""
    urgent_acked: str = ""
    converted: list[str] = dataclasses.field(default_factory=list)
    total: int = 0


def random_call(rng: random.Random, start: dt.datetime, line: str = "line1") -> CallRecord:
    """One call drawn like the seed's week: ~79 % answered, ~8 % abandoned < 5 s, some longer, missed."""
    x = rng.random()
    if x < 0.79:
        cat = rng.choices(list(SAYINGS), weights=[20, 25, 15, 15, 8, 12, 5])[0]
        return _answered(rng, start, line, cat, urgent=cat == "breakdown" and rng.random() < 0.4,
                         ack=rng.random() < 0.8)
    if x < 0.87:
        return _unanswered(rng, start, line, "abandoned", rng.uniform(1.0, 4.8))
    if x < 0.93:
        return _unanswered(rng, start, line, "abandoned", rng.uniform(5.0, 30.0))
    if x < 0.99:
        return _unanswered(rng, start, line, "missed", rng.uniform(0.5, 3.0))
    rec = _answered(rng, start, line, "info", urgent=False)
    rec.state, rec.ended_at, rec.hangup_by = "interrupted", None, "box"
    return rec


def call_times(rng: random.Random, first_day: dt.date, days: int, per_week: float, growth_per_year: float,
               tz: dt.tzinfo) -> list[dt.datetime]:
    """Call start times in working hours (peaks mid-morning and early afternoon), growing over time."""
    out = []
    for d in range(days):
        day = first_day + dt.timedelta(days=d)
        if day.weekday() == 6:
            continue
        rate = per_week / 5.3 * (1 + growth_per_year) ** (d / 365)
        n = rng.randint(max(0, int(rate * 0.7)), int(rate * 1.3) + 1)
        if day.weekday() == 5:
            n //= 5
        for _ in range(n):
            h = rng.choices(range(7, 20), weights=[2, 8, 12, 11, 9, 3, 6, 9, 8, 7, 5, 2, 1])[0]
            local = dt.datetime.combine(day, dt.time(h, rng.randrange(60), rng.randrange(60)), tz)
            out.append(local.astimezone(dt.UTC))
    return sorted(out)


def fill(log: CallLog, now: dt.datetime, tz: dt.tzinfo, *, weeks: int = 10, per_week: float = 60,
         seed: int = 7) -> Notable:
    """A realistic log ending at ``now``, plus the notable calls the tests look for."""
    rng = random.Random(seed)
    first = (now.astimezone(tz) - dt.timedelta(weeks=weeks)).date()
    times = [t for t in call_times(rng, first, weeks * 7 + 1, per_week, 0.3, tz) if t < now - dt.timedelta(hours=1)]
    notable = Notable()
    for i, t in enumerate(times):
        rec = random_call(rng, t, "line1" if i % 3 else "line2")
        category = rec.qualification.category if rec.qualification else None
        if category in ("breakdown", "quote", "appointment", "followup") and rng.random() < 0.6:
            rec.handled = True
            if rng.random() < 0.45:
                rec.converted, rec.amount = True, float(rng.choice([450, 800, 1200, 1500, 2400]))
                notable.converted.append(rec.id)
        log.create(rec)
    # today's notable calls (minutes before now)
    hostile = _answered(rng, now - dt.timedelta(minutes=50), "line1", "breakdown", urgent=True,
                        caller_name=HOSTILE_NAME, said=HOSTILE_SAID, summary=HOSTILE_SUMMARY, ack=False)
    hostile.notes.append({"at": iso(now), "by": "admin", "text": FORMULA})
    log.create(hostile)
    write_wav(log.recording_path(hostile.id), 1.0)
    log.update(hostile.id, lambda r: setattr(r, "recording", str(log.recording_path(hostile.id))))
    notable.hostile = notable.recorded = notable.urgent_pending = hostile.id
    acked = _answered(rng, now - dt.timedelta(minutes=40), "line2", "breakdown", urgent=True, ack=True)
    log.create(acked)
    notable.urgent_acked = acked.id
    log.create(_unanswered(rng, now - dt.timedelta(minutes=30), "line1", "abandoned", 3.0))
    log.create(_unanswered(rng, now - dt.timedelta(minutes=20), "line1", "abandoned", 12.0))
    log.create(_unanswered(rng, now - dt.timedelta(minutes=10), "line2", "missed", 1.0))
    notable.total = len(times) + 5
    return notable
