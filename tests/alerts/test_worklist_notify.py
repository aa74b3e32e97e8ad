"""Overdue callbacks and the morning digest reach the office (SMS through python-gammu to the line
simulator, MQTT through a real mosquitto); the optional message to a caller a busy line missed."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from waiting import wait_until

from appliance.alerts.manager import AlertManager
from appliance.alerts.sms import GammuSmsSender
from appliance.config import Config, load_config_text
from appliance.store.calllog import CallLog
from appliance.store.record import CallRecord, iso, new_call_id
from appliance.telephony.simulator import Simulator
from appliance.worklist import outcome
from appliance.worklist.caller_sms import CallerSms
from appliance.worklist.notify import WorklistNotifier

from .broker import Broker, Subscriber

PARIS = dt.timezone(dt.timedelta(hours=1))  # December: Paris is UTC+1
MONDAY = dt.datetime(2026, 12, 7, tzinfo=PARIS)
ANNE, BRUNO = "+33611111111", "+33622222222"


def config(port: int, extra: str = "") -> Config:
    return load_config_text(f"""
[company]
name = "Maintenance Dupuis"
language = "fr"
timezone = "Europe/Paris"
[company.opening_hours]
mon = "08:00-18:00"
tue = "08:00-18:00"
wed = "08:00-18:00"
thu = "08:00-18:00"
fri = "08:00-18:00"
sat = "closed"
sun = "closed"
[[lines]]
name = "line1"
[alerts]
box_id = "box1"
retry_initial_seconds = 0.2
retry_max_seconds = 1.0
[alerts.mqtt]
enabled = true
port = {port}
[alerts.sms]
enabled = true
max_per_hour = 50
[worklist]
digest_time = "08:30"
office = [{{ name = "Anne", phone = "{ANNE}" }}, {{ name = "Bruno", phone = "{BRUNO}" }}]
{extra}
""", source="<test>")


@dataclasses.dataclass
class Office:
    cfg: Config
    log: CallLog
    alerts: AlertManager
    sim: Any
    sub: Subscriber
    data: Path

    def sms_to(self, number: str) -> list[str]:
        return [m.text for m in self.sim.sent_sms if m.number == number]

    def missed(self, at: dt.datetime, number: str, state: str = "abandoned", **kw: Any) -> CallRecord:
        rec = CallRecord(id=new_call_id("line1", at), line="line1", started_at=iso(at), caller_number=number,
                         state=state, ended_at=iso(at + dt.timedelta(seconds=20)), ring_seconds=20, rings=4, **kw)
        self.log.create(rec)
        return rec


@pytest.fixture
def office(tmp_path: Path, broker: Broker) -> Iterator[Office]:
    cfg = config(broker.port)
    sim = Simulator(dialect="gsm")
    sim.start()
    log = CallLog(tmp_path)
    sender = GammuSmsSender(str(sim.sms_port))
    alerts = AlertManager(cfg, tmp_path, sms_sender=sender, tick=0.05)
    sub = Subscriber(broker.port, ("permanence/box1/worklist/#",))
    alerts.start()
    try:
        yield Office(cfg, log, alerts, sim, sub, tmp_path)
    finally:
        alerts.close()
        sub.close()
        log.close()
        sim.close()


def test_overdue_callback_told_once_to_the_office_in_opening_hours(office: Office) -> None:
    o = office
    rec = o.missed(MONDAY.replace(hour=10), "+33687654321")
    n = WorklistNotifier(o.cfg, o.log, o.alerts, o.data)
    # 11:59: due at 12:00 (two working hours), nothing yet
    assert n.step(MONDAY.replace(hour=11, minute=59))["overdue"] == 0
    assert n.step(MONDAY.replace(hour=12, minute=5))["overdue"] == 1
    assert wait_until(lambda: bool(o.sms_to(ANNE) and o.sms_to(BRUNO)), 30)
    text = o.sms_to(ANNE)[0]
    assert "RAPPELER, en retard de 5 min" in text and "06 87 65 43 21" in text and "5 min" in text
    assert o.sub.wait_for(lambda: o.sub.json_on("permanence/box1/worklist/overdue"))
    msg = o.sub.json_on("permanence/box1/worklist/overdue")[0]
    assert msg["number"] == "+33687654321" and msg["calls"] == [rec.id] and msg["key"]
    # told once: not again at the next step, nor after a restart
    assert n.step(MONDAY.replace(hour=12, minute=30))["overdue"] == 0
    assert WorklistNotifier(o.cfg, o.log, o.alerts, o.data).step(MONDAY.replace(hour=13))["overdue"] == 0
    assert o.alerts.drain(10)
    assert len(o.sms_to(ANNE)) == 1


def test_not_told_outside_opening_hours_nor_once_handled(office: Office) -> None:
    o = office
    handled = o.missed(MONDAY.replace(hour=10), "+33687654322")
    waiting = o.missed(MONDAY.replace(hour=10, minute=1), "+33687654326")
    n = WorklistNotifier(o.cfg, o.log, o.alerts, o.data)
    assert n.step(MONDAY.replace(hour=19))["overdue"] == 0  # both overdue since 12:00, but the office is closed
    assert n.step(MONDAY.replace(day=12, hour=10))["overdue"] == 0  # Saturday: closed
    outcome.record(o.log, [handled.id], "reached", who="anne")
    assert n.step(MONDAY.replace(day=8, hour=9))["overdue"] == 1  # Tuesday: only the one still waiting
    assert o.sub.wait_for(lambda: o.sub.json_on("permanence/box1/worklist/overdue"))
    assert [m["calls"] for m in o.sub.json_on("permanence/box1/worklist/overdue")] == [[waiting.id]]


def test_sms_rate_limited_per_person_mqtt_still_told(office: Office, broker: Broker) -> None:
    o = office
    cfg = dataclasses.replace(o.cfg, worklist=dataclasses.replace(o.cfg.worklist, max_sms_per_hour=1))
    for i in range(3):
        o.missed(MONDAY.replace(hour=9, minute=i), f"+3368765430{i}")
    n = WorklistNotifier(cfg, o.log, o.alerts, o.data)
    assert n.step(MONDAY.replace(hour=14))["overdue"] == 3
    assert o.sub.wait_for(lambda: len(o.sub.json_on("permanence/box1/worklist/overdue")) == 3)
    assert o.alerts.drain(15)
    assert len(o.sms_to(ANNE)) == 1 and len(o.sms_to(BRUNO)) == 1


def test_morning_digest_lists_yesterdays_unresolved_calls(office: Office) -> None:
    o = office
    a = o.missed(MONDAY.replace(hour=17, minute=50), "+33687654323")
    b = o.missed(MONDAY.replace(hour=17, minute=55), "+33687654324")
    o.missed(MONDAY.replace(hour=11), "+33687654325")
    outcome.record(o.log, [b.id], "message_left", who="anne")
    n = WorklistNotifier(o.cfg, o.log, o.alerts, o.data)
    tuesday = MONDAY + dt.timedelta(days=1)
    assert n.step(tuesday.replace(hour=8, minute=29))["digest"] == 0
    assert n.step(tuesday.replace(hour=8, minute=31))["digest"] == 2  # a, and the one at 11:00
    assert n.step(tuesday.replace(hour=9))["digest"] == 0  # once a day
    assert o.sub.wait_for(lambda: o.sub.json_on("permanence/box1/worklist/digest"))
    digest = o.sub.json_on("permanence/box1/worklist/digest")[0]
    assert digest["day"] == "2026-12-07" and a.id in digest["calls"] and b.id not in digest["calls"]
    assert wait_until(lambda: any("d'hier" in t for t in o.sms_to(ANNE)), 30)
    # Saturday: no digest; Monday: Friday's (and the weekend's) calls, since Friday's digest
    friday = MONDAY + dt.timedelta(days=4)
    assert n.step(friday.replace(hour=8, minute=31))["digest"] == 0  # Monday's were told on Tuesday
    c = o.missed(friday.replace(hour=17, minute=50), "+33687654327")
    assert n.step((friday + dt.timedelta(days=1)).replace(hour=8, minute=31))["digest"] == 0
    monday = friday + dt.timedelta(days=3)
    assert n.step(monday.replace(hour=8, minute=31))["digest"] == 1
    assert o.sub.wait_for(lambda: any(c.id in m["calls"] and m["from"] == "2026-12-11"
                                      for m in o.sub.json_on("permanence/box1/worklist/digest")))


# --------------------------------------------------------------------------- message to the caller

def busy_missed(o: Office, at: dt.datetime, number: str) -> CallRecord:
    return o.missed(at, number, state="missed",
                    events=[{"at": iso(at), "kind": "call_waiting", "caller": number}])


@pytest.mark.parametrize("number, hour, weekday_offset, stop, expected", [
    ("+33687654399", 10, 0, False, "queued"),                   # a mobile, Monday 10:00
    ("+33145678910", 10, 0, False, "not a mobile number"),      # a landline is never texted
    ("+33687654399", 21, 0, False, "outside caller_sms.hours"),  # 21:00
    ("+33687654399", 10, 6, False, "outside caller_sms.hours"),  # a Sunday
    ("+33687654399", 10, 0, True, "answered STOP"),
])
def test_message_to_a_caller_the_busy_line_missed(office: Office, number: str, hour: int, weekday_offset: int,
                                                  stop: bool, expected: str) -> None:
    o = office
    cfg = dataclasses.replace(o.cfg, caller_sms=dataclasses.replace(o.cfg.caller_sms, enabled=True))
    sms = CallerSms(cfg, o.log, o.alerts, o.data)
    if stop:
        assert sms.sms_received("0687654399", "Stop")
    rec = busy_missed(o, (MONDAY + dt.timedelta(days=weekday_offset)).replace(hour=hour), number)
    sms.call_event("ended", rec)
    got = o.log.get(rec.id)
    assert got is not None and expected in got.events[-1]["result"]
    if expected == "queued":
        assert wait_until(lambda: bool(o.sms_to(number)), 30)
        text = o.sms_to(number)[0]
        assert text.startswith("Maintenance Dupuis : nous avons bien reçu votre appel")
        assert "aujourd'hui avant 12:00" in text and "STOP" in text
    else:
        assert o.alerts.drain(10) and o.sms_to(number) == []


def test_at_most_one_message_per_number_per_day_and_off_by_default(office: Office) -> None:
    o = office
    off = CallerSms(o.cfg, o.log, o.alerts, o.data)
    first = busy_missed(o, MONDAY.replace(hour=9), "+33687654398")
    off.call_event("ended", first)  # caller_sms.enabled is false by default: nothing at all
    assert all(e["kind"] != "caller_sms" for e in o.log.get(first.id).events)  # type: ignore[union-attr]
    cfg = dataclasses.replace(o.cfg, caller_sms=dataclasses.replace(o.cfg.caller_sms, enabled=True))
    on = CallerSms(cfg, o.log, o.alerts, o.data)
    for minute in (10, 20, 30):
        on.call_event("ended", busy_missed(o, MONDAY.replace(hour=10, minute=minute), "+33687654398"))
    on.call_event("ended", busy_missed(o, (MONDAY + dt.timedelta(days=1)).replace(hour=10), "+33687654398"))
    assert wait_until(lambda: len(o.sms_to("+33687654398")) >= 2, 30)
    assert o.alerts.drain(10)
    assert len(o.sms_to("+33687654398")) == 2  # Monday once, Tuesday once
    # an abandoned call (not a busy line) gets nothing
    on.call_event("ended", o.missed(MONDAY.replace(hour=11), "+33687654397"))
    assert o.alerts.drain(10) and o.sms_to("+33687654397") == []


def test_unreadable_notices_are_moved_aside_and_the_worklist_goes_on(office: Office) -> None:
    """Issue 15 req. 2: a corrupt notices file is quarantined (a health fault), notices start afresh."""
    o = office
    path = o.data / "worklist" / "notices.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text('{"told": {"+3368', encoding="utf-8")  # cut short
    o.missed(MONDAY.replace(hour=10), "+33687654327")
    n = WorklistNotifier(o.cfg, o.log, o.alerts, o.data, quarantine=o.log.quarantine)
    assert [q.source for q in o.log.quarantine.moved] == [str(path)]
    assert o.log.quarantine.problems()
    assert n.step(MONDAY.replace(hour=12, minute=5))["overdue"] == 1
    assert wait_until(lambda: bool(o.sms_to(ANNE)), 30)
