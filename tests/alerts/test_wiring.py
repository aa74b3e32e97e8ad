"""The service wiring: alerts and their states land in the call record (real CallLog, real broker)."""

from __future__ import annotations

import json
from pathlib import Path

from waiting import wait_until

from appliance.alerts.wiring import build_alert_manager
from appliance.qualification import Qualification
from appliance.store.calllog import CallLog
from appliance.store.record import CallRecord, new_call_id

from .broker import Broker, Subscriber
from .helpers import make_config


def test_call_record_shows_alerts_and_acknowledgement(broker: Broker, tmp_path: Path) -> None:
    cfg = make_config(mqtt=False)  # MQTT comes from the --mqtt URL, as in `permanence demo --mqtt`
    log = CallLog(tmp_path)
    sub = Subscriber(broker.port, ("permanence/box1/#",))
    rec = CallRecord(id=new_call_id("line1"), line="line1", started_at="2026-11-27T09:00:00.000+00:00",
                     caller_number="+33699999999", state="in_call",
                     qualification=Qualification(name="Jean", urgent=True, summary="fuite"))
    log.create(rec)
    m = build_alert_manager(cfg, tmp_path, log, mqtt_url=f"mqtt://127.0.0.1:{broker.port}", tick=0.05)
    try:
        m.start()
        m.call_event("started", rec)
        m.urgent(rec)
        assert sub.wait_for(lambda: sub.json_on("permanence/box1/urgent"))
        assert m.drain(10)
        m.acknowledge(rec.id, "Bob", via="web")

        def acknowledged() -> bool:
            got = log.get(rec.id)
            return got is not None and any(e["kind"] == "acknowledged" for e in got.events) \
                and bool(got.alerts) and got.alerts[0]["state"] == "acknowledged"
        wait_until(acknowledged, 10, message="the acknowledgement in the call record")
        got = log.get(rec.id)
        assert got is not None
        assert [(a["kind"], a["channel"], a["state"], a["acknowledged_by"]) for a in got.alerts] == [
            ("urgent", "mqtt", "acknowledged", "Bob")]
        a = got.alerts[0]
        assert a["created_at"] <= a["sent_at"] <= a["delivered_at"] <= a["acknowledged_at"]
        ack = next(e for e in got.events if e["kind"] == "acknowledged")
        assert ack["by"] == "Bob" and ack["via"] == "web" and ack["after_seconds"] >= 0
        assert got.summary()["acknowledged"] is True and got.summary()["alerts_pending"] == 0
        # every alert and event payload is JSON (the retained state topics carry plain values: ON, OFF, ready)
        with sub.cond:
            payloads = [p for t, p, _ in sub.messages if "/state/" not in t and not t.endswith("/availability")]
        assert payloads and all(isinstance(json.loads(p), dict) for p in payloads)
    finally:
        m.close()
        sub.close()
        log.close()


def test_service_wiring_finds_the_simulator_sms_port(tmp_path: Path) -> None:
    from appliance.telephony.factory import open_line

    cfg = make_config(mqtt=False, sms=True)
    log = CallLog(tmp_path)
    line = open_line(cfg.lines[0])  # driver "sim": a SIM7600-style simulator with a second AT port
    m = build_alert_manager(cfg, tmp_path, log, lines=[line], tick=0.05)
    try:
        rec = CallRecord(id=new_call_id("line1"), line="line1", started_at="2026-11-27T09:00:00.000+00:00",
                         caller_number="+33699999999", state="in_call",
                         qualification=Qualification(name="Jean", urgent=True, summary="fuite"))
        log.create(rec)
        m.start()
        m.urgent(rec)
        sim = line.simulator  # type: ignore[attr-defined]
        wait_until(lambda: sim.sent_sms, 30, message="the SMS at the simulated modem")
        assert [s.number for s in sim.sent_sms] == ["+33622222222"]
        assert m.drain(10)

        def delivered() -> bool:
            got = log.get(rec.id)
            return got is not None and any(a["state"] == "delivered" for a in got.alerts)
        wait_until(delivered, 30, message="the delivery in the call record")
        got = log.get(rec.id)
        assert got is not None
        (a,) = got.alerts
        assert a["channel"] == "sms" and a["person"] == "Bob" and a["reference"]
        assert [e["kind"] for e in got.events] == ["alert_sent"]
    finally:
        m.close()
        line.close()
        log.close()
