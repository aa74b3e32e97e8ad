"""Outbox, rota, texts and limits: table-driven, malformed input included."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from pathlib import Path

import pytest

from appliance.alerts.model import Alert, backoff, make_key
from appliance.alerts.mqtt import mqtt_config_from_url
from appliance.alerts.outbox import Outbox
from appliance.alerts.ratelimit import SlidingWindowLimit
from appliance.alerts.rota import rota_from_config, same_number
from appliance.alerts.text import clean, is_ack, urgent_sms
from appliance.config import MqttConfig, load_config_text
from appliance.errors import AlertError, ConfigError, PermanenceError

from .helpers import make_config


def _alert(call_id: str = "c1", kind: str = "urgent", channel: str = "sms",
           to: str = "+33611111111") -> Alert:
    return Alert.new(call_id=call_id, kind=kind, channel=channel, recipient=to, payload={"text": "x"},
                     now=10.0)


def test_outbox_same_key_same_alert_and_survives_reopen(tmp_path: Path) -> None:
    ob = Outbox(tmp_path)
    a, created = ob.add(_alert())
    assert created and (tmp_path / "outbox" / f"{a.id}.json").exists()
    other = dataclasses.replace(_alert(), payload={"text": "different"})
    b, created2 = ob.add(other)
    assert not created2 and b == a and b.payload == {"text": "x"}
    ob2 = Outbox(tmp_path)
    assert ob2.get(a.id) == a and ob2.by_key(make_key("c1", "urgent", "+33611111111")) == a


def test_outbox_archive_on_delivery_and_key_still_known(tmp_path: Path) -> None:
    ob = Outbox(tmp_path)
    a, _ = ob.add(_alert())
    ob.save(dataclasses.replace(a, state="delivered", delivered_at=11.0, reference="7"))
    assert not (tmp_path / "outbox" / f"{a.id}.json").exists()
    assert (tmp_path / "outbox" / "archive" / f"{a.id}.json").exists()
    assert ob.open_alerts() == []
    again, created = Outbox(tmp_path).add(_alert())
    assert not created and again.state == "delivered" and again.reference == "7"
    with pytest.raises(AlertError):
        ob.save(dataclasses.replace(a, state="pending"))


def test_outbox_crash_between_archive_and_unlink(tmp_path: Path) -> None:
    ob = Outbox(tmp_path)
    a, _ = ob.add(_alert())
    done = dataclasses.replace(a, state="delivered", delivered_at=11.0)
    (tmp_path / "outbox" / "archive" / f"{a.id}.json").write_text(json.dumps(done.to_dict()))
    ob2 = Outbox(tmp_path)  # both files exist: the archive copy wins
    assert ob2.open_alerts() == [] and ob2.get(a.id) == done
    assert not (tmp_path / "outbox" / f"{a.id}.json").exists()


@pytest.mark.parametrize("content", [b"", b"{not json", b"[]", b'{"id": "x"}', b'{"id":"x","key":"k",'
                                     b'"call_id":"c","kind":"urgent","channel":"sms","recipient":"+3","payload":{},'
                                     b'"state":"bogus"}', b"\xff\xfe"])
def test_outbox_corrupt_files_are_moved_aside_not_lost(tmp_path: Path, content: bytes) -> None:
    d = tmp_path / "outbox"
    d.mkdir()
    (d / "bad.json").write_bytes(content)
    first = Outbox(tmp_path)
    good, _ = first.add(_alert())
    ob = Outbox(tmp_path)
    assert [a.id for a in ob.open_alerts()] == [good.id]
    (moved,) = (tmp_path / "quarantine").iterdir()  # kept for a person, out of the outbox's way
    assert moved.name.startswith("outbox__bad.json.") and moved.read_bytes() == content
    assert not (d / "bad.json").exists() and first.corrupt == [moved]
    assert first.quarantine.problems() and "bad.json" in first.quarantine.problems()[0]


@pytest.mark.parametrize("kw", [
    {"call_id": ""}, {"call_id": "a/b"}, {"kind": "Urgent!"}, {"kind": ""}, {"channel": "fax"}, {"to": ""},
])
def test_alert_bad_input_is_a_clear_error(kw: dict[str, str]) -> None:
    with pytest.raises(AlertError) as ei:
        _alert(**kw)
    assert isinstance(ei.value, PermanenceError) and "alert" in str(ei.value)


@pytest.mark.parametrize("attempts,expected", [(0, 0.0), (1, 2.0), (2, 4.0), (3, 8.0), (8, 256.0), (9, 300.0),
                                               (100, 300.0)])
def test_backoff(attempts: int, expected: float) -> None:
    assert backoff(attempts, 2.0, 300.0) == expected


ROTA = """
[[lines]]
name = "line1"
[rota]
people = [{ name = "Ann", phone = "+33611111111" }, { name = "Bob", phone = "+33622222222" },
          { name = "Cy", phone = "+33633333333" }]
shifts = [{ person = "Ann", days = ["mon", "tue", "wed", "thu", "fri"], hours = "08:00-18:00" },
          { person = "Bob", days = ["mon", "tue", "wed", "thu", "fri"], hours = "00:00-08:00, 18:00-24:00" },
          { person = "Cy", days = ["sat", "sun"] }]
overrides = [{ person = "Cy", start = "2026-12-24", end = "2026-12-26" },
             { person = "Bob", start = "2026-12-26", end = "2026-12-26" }]
"""


@pytest.mark.parametrize("local,who", [
    ("2026-11-23T08:00", "Ann"),   # Monday start of day shift
    ("2026-11-23T17:59", "Ann"),
    ("2026-11-23T18:00", "Bob"),   # evening
    ("2026-11-24T03:00", "Bob"),   # night
    ("2026-11-28T12:00", "Cy"),    # Saturday
    ("2026-12-24T10:00", "Cy"),    # override on a Thursday
    ("2026-12-26T10:00", "Bob"),   # later override wins
    ("2026-12-27T10:00", "Cy"),    # Sunday, back to shifts
])
def test_rota_on_call(local: str, who: str) -> None:
    cfg = load_config_text(ROTA)
    r = rota_from_config(cfg.rota, "Europe/Paris")
    assert r.on_call(dt.datetime.fromisoformat(local)).name == who  # type: ignore[union-attr]
    aware = dt.datetime.fromisoformat(local).replace(tzinfo=r.tz).astimezone(dt.UTC)
    assert r.on_call(aware).name == who  # type: ignore[union-attr]


def test_rota_gap_order_and_schedule() -> None:
    cfg = load_config_text(ROTA.replace('"00:00-08:00, 18:00-24:00"', '"18:00-24:00"'))
    r = rota_from_config(cfg.rota, "Europe/Paris")
    assert r.on_call(dt.datetime(2026, 11, 23, 7, 0)) is None
    assert [p.name for p in r.escalation_order(dt.datetime(2026, 11, 23, 7, 0))] == ["Ann", "Bob", "Cy"]
    assert [p.name for p in r.escalation_order(dt.datetime(2026, 11, 23, 20, 0))] == ["Bob", "Cy", "Ann"]
    sched = r.schedule(7, start=dt.datetime(2026, 12, 21, 12, 0, tzinfo=dt.UTC))
    assert [d["weekday"] for d in sched] == ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
    assert sched[0]["slots"] == [
        {"start": "08:00", "end": "18:00", "person": "Ann", "phone": "+33611111111", "source": "shift"},
        {"start": "18:00", "end": "24:00", "person": "Bob", "phone": "+33622222222", "source": "shift"}]
    assert sched[3]["slots"][0]["source"] == "override" and sched[3]["slots"][0]["person"] == "Cy"
    assert sched[5]["slots"][0]["person"] == "Bob"
    with pytest.raises(ValueError):
        r.schedule(0)


@pytest.mark.parametrize("bad", [
    '[rota]\npeople = [{ name = "Ann", phone = "0611" }]',
    '[rota]\npeople = [{ name = "Ann", phone = "+33611111111" }]\nshifts = [{ person = "Zed" }]',
    '[rota]\npeople = [{ name = "Ann", phone = "+33611111111" }]\n'
    'shifts = [{ person = "Ann", days = ["mo"] }]',
    '[rota]\npeople = [{ name = "Ann", phone = "+33611111111" }]\n'
    'overrides = [{ person = "Ann", start = "2026-12-26", end = "2026-12-24" }]',
])
def test_rota_bad_config_names_the_key(bad: str) -> None:
    with pytest.raises(ConfigError) as ei:
        load_config_text(bad, source="t.toml")
    assert "t.toml: rota." in str(ei.value)


@pytest.mark.parametrize("a,b,same", [
    ("+33611111111", "+33611111111", True), ("+33611111111", "0611111111", True),
    ("0033 6 11 11 11 11", "+33611111111", True), ("+33611111111", "+33611111112", False),
    ("", "+33611111111", False), ("123", "0123", False),
])
def test_same_number(a: str, b: str, same: bool) -> None:
    assert same_number(a, b) is same


@pytest.mark.parametrize("raw,out", [
    ("Jean\nDupont", "Jean Dupont"), ("a\x00b\x1bc\x7fd", "a b c d"),
    ("<script>alert(1)</script>x", "alert(1) x"),
    ("  many   spaces\t", "many spaces"), ("a\x1b[2Jb\x1b[31;1mc\x1b]0;title\x07d", "a b c d"), ("\u202eevil", "evil"), (None, ""), (42, "42"),
    ("é" * 300, "é" * 159 + "…"),
])
def test_clean(raw: object, out: str) -> None:
    assert clean(raw, 160) == out


@pytest.mark.parametrize("text,ack", [
    ("OK", True), ("ok", True), ("Ok merci", True), ("pris", True), ("Prîs !", True), ("OUI", True),
    ("pas ok", False), ("not ok", False), ("okay", False), ("", False), ("\x00ok\x00", True), ("nope", False),
])
def test_is_ack(text: str, ack: bool) -> None:
    assert is_ack(text, ("OK", "ACK", "PRIS", "YES", "OUI")) is ack


def test_urgent_sms_is_short_clean_and_complete() -> None:
    info = {"call_id": "c1", "name": "Jean\n<b>Dupont</b>\x07", "company": "Dupont\rSA",
            "caller_number": "+33699",
            "summary": "fuite\nd'eau", "urgency": "critique", "callback": "+33699999999",
            "url": "https://box.example/calls/c1"}
    text = urgent_sms(info, lang="fr", company="ACME", ack_word="OK")
    assert text == ("URGENT ACME: Jean Dupont (Dupont SA) - fuite d'eau [critique]. Rappeler +33699999999. "
                    "https://box.example/calls/c1 Répondez OK pour prendre.")
    assert all(ord(c) >= 32 for c in text)


def test_rate_limiter_table() -> None:
    lim = SlidingWindowLimit(per_key=2, total=3, window=3600)
    got = [lim.allow(k, now=t) for k, t in [("a", 0), ("a", 1), ("a", 2), ("b", 3), ("c", 4), ("a", 3601)]]
    assert got == [True, True, False, True, False, True]
    with pytest.raises(ValueError):
        SlidingWindowLimit(per_key=0, total=1)


@pytest.mark.parametrize("url,expect", [
    ("mqtt://127.0.0.1:1884", ("127.0.0.1", 1884, False, "", "")),
    ("mqtt://broker", ("broker", 1883, False, "", "")),
    ("mqtts://u%40x:p%3Aw@broker:8884", ("broker", 8884, True, "u@x", "p:w")),
    ("mqtts://broker", ("broker", 8883, True, "", "")),
])
def test_mqtt_url(url: str, expect: tuple[object, ...]) -> None:
    c = mqtt_config_from_url(url, MqttConfig(topic_prefix="x"))
    assert (c.host, c.port, c.tls, c.username, c.password) == expect and c.enabled and c.topic_prefix == "x"


@pytest.mark.parametrize("url", ["http://x:1", "mqtt://", "mqtt://h:99999", "mqtt://h:abc", "127.0.0.1:1883"])
def test_mqtt_url_bad(url: str) -> None:
    with pytest.raises(ConfigError):
        mqtt_config_from_url(url, MqttConfig())


def test_config_helper_is_valid() -> None:
    assert make_config().rota.people[1].name == "Bob"
