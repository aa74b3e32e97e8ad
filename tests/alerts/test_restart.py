"""State that must survive a restart: rate limits, escalation deadlines, idempotency keys.

The managers here are never started: alerts are queued on disk but no transport is
contacted (GammuSmsSender opens its port lazily, at the first send)."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

from appliance.alerts.manager import AlertManager
from appliance.alerts.sms import GammuSmsSender

from .conftest import FakeClock
from .helpers import make_config, urgent_record


def _m(tmp_path: Path, clock: FakeClock, **cfg: Any) -> AlertManager:
    return AlertManager(make_config(mqtt=False, sms=True, **cfg), tmp_path, clock=clock,
                        sms_sender=GammuSmsSender(str(tmp_path / "unused-port")))


def test_rate_limits_survive_restart(tmp_path: Path, clock: FakeClock) -> None:
    m1 = _m(tmp_path, clock, per_caller=2, per_hour=3)
    m1.urgent(urgent_record("c1", caller="+33655555555"))
    m1.urgent(urgent_record("c2", caller="+33655555555"))
    m1.urgent(urgent_record("c3", caller="+33677777777"))
    assert len(m1.outbox.open_alerts("sms")) == 3
    m2 = _m(tmp_path, clock, per_caller=2, per_hour=3)
    m2.urgent(urgent_record("c4", caller="+33655555555"))  # third from that caller this hour
    assert m2.escalations.get("c4").sms_limited  # type: ignore[union-attr]
    m2.urgent(urgent_record("c5", caller="+33688888888"))  # fourth SMS this hour
    (a5,) = [a for a in m2.outbox.for_call("c5") if a.channel == "sms"]
    assert a5.state == "cancelled" and "max_per_hour" in a5.last_error
    clock.advance(3601)  # an hour later both limits are free again
    m3 = _m(tmp_path, clock, per_caller=2, per_hour=3)
    m3.urgent(urgent_record("c6", caller="+33655555555"))
    assert [a.state for a in m3.outbox.for_call("c6") if a.channel == "sms"] == ["pending"]


def test_escalation_deadline_survives_restart(tmp_path: Path, clock: FakeClock) -> None:
    m1 = _m(tmp_path, clock, ack_minutes=5)
    m1.urgent(urgent_record("c-r"))
    assert [a.recipient for a in m1.outbox.open_alerts("sms")] == ["+33622222222"]
    clock.advance(301)
    m2 = _m(tmp_path, clock, ack_minutes=5)
    assert m2.pending_urgent()[0]["alerted"][0]["person"] == "Bob"
    m2.run_due()  # the deadline passed while the box was down: next person now
    assert sorted(a.recipient for a in m2.outbox.open_alerts("sms")) == ["+33622222222", "+33633333333"]
    m2.run_due()
    assert len(m2.outbox.open_alerts("sms")) == 2  # not twice
    m2.urgent(urgent_record("c-r"))  # said urgent again after the restart: same escalation
    assert len(m2.outbox.open_alerts("sms")) == 2
    assert m2.acknowledge("c-r", "Cy", via="web")["after_seconds"] == 301  # type: ignore[index]
    m3 = _m(tmp_path, clock, ack_minutes=5)
    assert m3.pending_urgent() == [] and m3.outbox.open_alerts("sms") == []
    assert {a.state for a in m3.outbox.for_call("c-r") if a.channel == "sms"} == {"cancelled"}


def test_old_alerts_are_failed_not_retried_forever(tmp_path: Path, clock: FakeClock) -> None:
    m1 = AlertManager(make_config(mqtt_port=1), tmp_path, clock=clock, max_age_seconds=600)
    m1.call_event("started", urgent_record("c-old"))
    (a,) = m1.outbox.open_alerts()
    clock.advance(601)
    assert m1._expired(a, clock())
    assert m1.outbox.get(a.id).state == "failed"  # type: ignore[union-attr]
    assert m1.outbox.open_alerts() == []


def test_rota_edited_while_running(tmp_path: Path, clock: FakeClock) -> None:
    m = _m(tmp_path, clock, ack_minutes=1)
    m.urgent(urgent_record("c-e1"))  # Bob on call; Cy would be next
    cfg = make_config(mqtt=False, sms=True, ack_minutes=1)
    people = tuple(p for p in cfg.rota.people if p.name != "Cy")
    m.update_config(dataclasses.replace(cfg, rota=dataclasses.replace(cfg.rota, people=people, shifts=())))
    clock.advance(61)
    m.run_due()  # Cy left the rota: skipped, Ann is alerted
    assert sorted(a.payload["person"] for a in m.outbox.open_alerts("sms")) == ["Ann", "Bob"]
    m.urgent(urgent_record("c-e2"))  # nobody on call now: rota order, Ann first
    assert [a.payload["person"] for a in m.outbox.for_call("c-e2") if a.channel == "sms"] == ["Ann"]
