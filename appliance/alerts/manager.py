"""AlertManager: urgent alerts, escalation, acknowledgements, digests and MQTT events.

Public API (what the service uses)::

    m = AlertManager(cfg, data_dir, sms_sender=None, mqtt=None, clock=time.time,
                     on_alert_change=lambda call_id, alert_dict: ...,
                     on_ack=lambda call_id, ack_dict: ...,
                     on_call_event=lambda call_id, event_dict: ...)
    m.start()                      # threads: MQTT delivery, SMS delivery + inbox poll, scheduler
    m.urgent(rec)                  # the moment the conversation knows it is urgent (CallRecord or dict)
    m.call_event(kind, rec)        # "started" | "answered" | "qualified" | "ended" (MQTT events; digests)
    m.acknowledge(call_id, by, via="api") -> dict | None
    m.sms_received(sender, text)   # an SMS read by the line driver (single-port modems)
    m.pending_urgent() -> list[dict]
    m.drain(timeout) -> bool       # wait until every open alert is confirmed (demo, before close)
    m.update_config(cfg)           # the rota was edited on the status page
    m.publish_state(lines={"line1": "ready"}, calls_today=3, abandoned_today=1)
    m.close()

Every alert is written to the outbox (:mod:`.outbox`) before any send attempt
and leaves it only when the broker's PUBACK (MQTT) or the modem's message
reference (SMS) confirms it; retries back off exponentially from
``alerts.retry_initial_seconds`` to ``alerts.retry_max_seconds``, and after a
reconnect every open MQTT alert is re-sent at once. Alerts older than
``max_age_seconds`` (default one day) are marked ``failed``.

Urgent call: an MQTT alert on ``<prefix>/<box>/urgent`` and an SMS to the
on-call person (:mod:`.rota`). Without acknowledgement within
``rota.ack_minutes`` the next person in :meth:`Rota.escalation_order` gets an
SMS, and so on. After the last person it **wraps** to the first again, up to
``max_rounds`` rounds (default 3); then escalation stops ("exhausted") and the
call stays pending on the status page and on the ``urgent_pending`` sensor.
Acknowledgement (an SMS reply with an ack word from a rota person, an MQTT
message on ``<prefix>/<box>/ack`` or :meth:`acknowledge`) stops it and is
recorded (who, how, when, after how many seconds). A caller saying "urgent"
ten times makes one escalation (one per call id); calls from the same number
beyond ``sms.max_per_caller_per_hour`` get MQTT only, and
``sms.max_per_hour`` caps all SMS.

Non-urgent calls that ended are collected and sent as one digest (SMS to the
person on call at that time, and MQTT ``<prefix>/<box>/digest``) at each of
``rota.digest_times`` (company time zone).

MQTT topics (``<p>`` = ``<topic_prefix>/<box_id>``; JSON payloads, QoS 1; every
payload carries ``key``, the idempotency key, so duplicates are recognisable):
``<p>/urgent``, ``<p>/event/started|answered|qualified|ended|acknowledged``,
``<p>/digest``; retained ``<p>/availability`` (online/offline, last will) and
``<p>/state/...`` for Home Assistant; the box listens on ``<p>/ack``
(``{"call_id": ..., "by": ...}`` or an alert key).

Known limits: delivery is at-least-once (a PUBACK lost in a broker outage means
the same payload, same key, is published again); an SMS is "delivered" when the
modem accepted it and returned a message reference, not when the handset got it
(no delivery reports); on a single-port SIM800 each SMS waits for the line to be
free and for libGammu's AT initialisation (about 5 s).

Callbacks run on one notifier thread, in order; their exceptions are logged.
The clock is injectable (``clock()`` returns epoch seconds) so tests can run
escalation fast.
"""

from __future__ import annotations

import collections
import dataclasses
import datetime as dt
import logging
import queue
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from ..config import Config
from ..errors import AlertError
from ..faults import FaultLog
from ..store.calllog import CallLog, CallLogReader
from ..store.quarantine import Quarantine
from ..store.record import CallRecord
from .callinfo import call_info
from .escalation import DigestStore, Escalation, EscalationStore
from .ha import discovery_messages, state_topic
from .model import Alert, backoff, iso_of, make_key
from .mqtt import MqttLink
from .outbox import Outbox
from .ratelimit import SlidingWindowLimit
from .rota import rota_from_config
from .sms import SmsError, SmsTransport
from .text import digest_sms, is_ack, urgent_sms

log = logging.getLogger(__name__)

EVENT_KINDS = ("started", "answered", "qualified", "ended")
ARCHIVE_DAYS = 30
BROKER = "broker"
NOTICE_PREFIX = "notice-"  # ids of notices that belong to no call (worklist, messages to callers)


class AlertManager:
    def __init__(self, cfg: Config, data_dir: Path, *, sms_sender: SmsTransport | None = None,
                 mqtt: MqttLink | None = None, clock: Callable[[], float] = time.time,
                 on_alert_change: Callable[[str, dict[str, Any]], None] | None = None,
                 on_ack: Callable[[str, dict[str, Any]], None] | None = None,
                 on_call_event: Callable[[str, dict[str, Any]], None] | None = None,
                 tick: float = 0.2, max_rounds: int = 3, sms_poll_seconds: float = 5.0,
                 max_age_seconds: float = 86400.0, close_transports: bool = True,
                 faults: FaultLog | None = None) -> None:
        self.cfg = cfg
        self.faults = faults or FaultLog()
        self.acfg = cfg.alerts
        self.clock = clock
        self.rota = rota_from_config(cfg.rota, cfg.company.timezone)
        self.tz = cfg.company.tz
        root = Path(data_dir)
        quarantine = Quarantine(root)
        self.outbox = Outbox(root, clock=clock, quarantine=quarantine)
        self.escalations = EscalationStore(root / "alerts", quarantine=quarantine)
        self.digest = DigestStore(root / "alerts", quarantine=quarantine)
        self.sms = sms_sender
        self.on_alert_change = on_alert_change
        self.on_ack = on_ack
        self.on_call_event = on_call_event
        self.tick = tick
        self.max_rounds = max(1, max_rounds)
        self.sms_poll_seconds = sms_poll_seconds
        self.max_age_seconds = max_age_seconds
        self.close_transports = close_transports
        self.per_caller = SlidingWindowLimit(per_key=self.acfg.sms.max_per_caller_per_hour, total=10**9)
        self.global_sms = SlidingWindowLimit(per_key=10**9, total=self.acfg.sms.max_per_hour)
        self._seed_limiters()
        if mqtt is None and self.acfg.mqtt.enabled:
            mqtt = MqttLink(self.acfg.mqtt, self.acfg.box_id)
        self.mqtt = mqtt
        if mqtt is not None:
            mqtt.on_ack_message = self._mqtt_ack
            mqtt.on_connection = self._mqtt_connection
        self._lock = threading.RLock()
        self._stop = threading.Event()
        self._wake_mqtt = threading.Event()
        self._wake_sms = threading.Event()
        self._mqtt_flush = False
        self._notify_q: queue.Queue[tuple[Callable[..., object], tuple[Any, ...]] | None] = queue.Queue()
        self._threads: list[threading.Thread] = []
        self._inflight: set[str] = set()
        self._last_urgent: dict[str, Any] | None = None
        self._next_prune = 0.0
        # passes of each worker loop, and incoming SMS handled: a test waits for one more pass to know
        # that what it checks did not happen has had its chance to
        self.passes: collections.Counter[str] = collections.Counter()
        self.on_other_sms: Callable[[str, str], object] | None = None

    # ------------------------------------------------------------------ lifecycle
    def start(self) -> None:
        if self._threads:
            return
        if self.mqtt is not None:
            base = self.mqtt.base
            for topic, payload in discovery_messages(
                    self.acfg.mqtt.discovery_prefix, base, self.mqtt.availability_topic, self.acfg.box_id,
                    self.cfg.company.name, tuple(ln.name for ln in self.cfg.lines)):
                self.mqtt.set_retained(topic, payload)
            self._publish_urgent_state()
            self.mqtt.start()
        for name, target in (("alerts-notify", self._notify_loop), ("alerts-mqtt", self._mqtt_loop),
                             ("alerts-sms", self._sms_loop), ("alerts-scheduler", self._scheduler_loop)):
            t = threading.Thread(target=target, name=name, daemon=True)
            t.start()
            self._threads.append(t)

    def close(self) -> None:
        self._stop.set()
        self._wake_mqtt.set()
        self._wake_sms.set()
        for t in self._threads:
            if t.name != "alerts-notify":
                t.join(timeout=10)
        self._notify_q.put(None)
        for t in self._threads:
            if t.name == "alerts-notify":
                t.join(timeout=10)
        self._threads.clear()
        if self.close_transports:
            if self.mqtt is not None:
                self.mqtt.close()
            if self.sms is not None:
                self.sms.close()

    def update_config(self, cfg: Config) -> None:
        """Take a new configuration (rota edited on the status page): people, shifts,
        overrides, ack time and words, digest times apply from now on. Escalations
        already running keep their order; a name no longer in the rota is skipped."""
        with self._lock:
            self.cfg = cfg
            self.acfg = cfg.alerts
            self.rota = rota_from_config(cfg.rota, cfg.company.timezone)
            self.tz = cfg.company.tz

    def drain(self, timeout: float) -> bool:
        """Wait (up to ``timeout`` s) until no alert is open; True if none is left.

        For ``permanence demo``: call before :meth:`close` so a broker that came back
        late still gets everything. Nothing is lost either way: open alerts stay on disk."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not any(self._deliverable(a) for a in self.outbox.open_alerts()):
                return True
            self._wake_mqtt.set()
            time.sleep(0.05)
        return not any(self._deliverable(a) for a in self.outbox.open_alerts())

    def _deliverable(self, a: Alert) -> bool:
        return (a.channel == "mqtt" and self.mqtt is not None) or (a.channel == "sms" and self.sms is not None)

    def __enter__(self) -> AlertManager:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ------------------------------------------------------------------ notifications
    def _notify(self, fn: Callable[..., object] | None, *args: Any) -> None:
        if fn is not None:
            self._notify_q.put((fn, args))

    def _notify_loop(self) -> None:
        while True:
            item = self._notify_q.get()
            if item is None:
                return
            fn, args = item
            with self.faults.guard(f"alerts: callback {getattr(fn, '__name__', fn)}", log):
                fn(*args)

    def _changed(self, a: Alert) -> None:
        if not a.call_id.startswith(("digest-", NOTICE_PREFIX)) and not a.kind.startswith("event-"):
            self._notify(self.on_alert_change, a.call_id, a.record_view())

    def _event(self, call_id: str, kind: str, **fields: Any) -> None:
        self._notify(self.on_call_event, call_id, {"at": iso_of(self.clock()), "kind": kind, **fields})

    # ------------------------------------------------------------------ queueing
    def _queue(self, *, call_id: str, kind: str, channel: str, recipient: str,
               payload: dict[str, Any]) -> Alert:
        key = make_key(call_id, kind, recipient)
        if channel == "mqtt":
            payload = {**payload, "message": {**payload["message"], "key": key}}
        a = Alert.new(call_id=call_id, kind=kind, channel=channel, recipient=recipient, payload=payload,
                      now=self.clock())
        stored, created = self.outbox.add(a)
        if created:
            self._changed(stored)
            (self._wake_mqtt if channel == "mqtt" else self._wake_sms).set()
        return stored

    def _queue_mqtt(self, call_id: str, kind: str, topic_tail: str, message: dict[str, Any]) -> Alert | None:
        if self.mqtt is None:
            return None
        return self._queue(call_id=call_id, kind=kind, channel="mqtt", recipient=BROKER,
                           payload={"topic": self.mqtt.topic(topic_tail), "message": message})

    # ------------------------------------------------------------------ public API
    def urgent(self, rec: CallRecord | dict[str, Any]) -> None:
        """Alert now: MQTT to the broker, SMS to the on-call person; escalation starts."""
        info = call_info(rec, self.acfg.base_url)
        call_id = info["call_id"]
        now = self.clock()
        with self._lock:
            self._queue_mqtt(call_id, "urgent", "urgent",
                             {"event": "urgent", "at": iso_of(now), "box": self.acfg.box_id, **info})
            if self.escalations.get(call_id) is not None:
                return  # same call said "urgent" again: one escalation only
            at = dt.datetime.fromtimestamp(now, dt.UTC)
            order = tuple(p.name for p in self.rota.escalation_order(at))
            esc = Escalation(call_id=call_id, info=info, started_at=now, order=order)
            caller = info.get("caller_number")
            if self.sms is not None and caller:  # withheld numbers are not limited per caller
                if not self.per_caller.allow(str(caller), now=now):
                    esc = dataclasses.replace(esc, sms_limited=True)
                    self._event(call_id, "alert_rate_limited", caller=caller,
                                limit=self.acfg.sms.max_per_caller_per_hour)
            self.escalations.save(esc)
            self._last_urgent = {"call_id": call_id, "at": iso_of(now), "summary": info.get("summary") or "",
                                 "name": info.get("name") or "", "caller_number": info.get("caller_number")}
            self._alert_next(esc, first=True)
        self._publish_urgent_state()

    def _sms_enabled(self, esc: Escalation) -> bool:
        return self.sms is not None and not esc.sms_limited

    def _alert_next(self, esc: Escalation, *, first: bool = False) -> Escalation:
        """Alert the person at esc.level (first) or the next one; sets the next deadline."""
        now = self.clock()
        level, rnd = esc.level, esc.round
        if not first:
            level += 1
            if level >= len(esc.order):
                level, rnd = 0, rnd + 1
        if not esc.order or rnd > self.max_rounds or not self._sms_enabled(esc):
            esc = dataclasses.replace(esc, next_at=None, exhausted=bool(esc.order) and rnd > self.max_rounds)
            if esc.exhausted:
                self._event(esc.call_id, "escalation_exhausted", rounds=self.max_rounds)
            return self.escalations.save(esc)
        person = self.rota.person(esc.order[level])
        if person is None:  # rota edited since: skip this name
            esc = dataclasses.replace(esc, level=level, round=rnd)
            return self._alert_next(esc)
        kind = "urgent" if rnd == 1 else f"urgent-r{rnd}"
        ack_word = self.cfg.rota.ack_words[0] if self.cfg.rota.ack_words else "OK"
        text = urgent_sms(esc.info, lang=self.cfg.company.language, company=self.cfg.company.name,
                          ack_word=ack_word)
        payload = {"text": text, "person": person.name, "level": level, "round": rnd}
        alert = self._queue(call_id=esc.call_id, kind=kind, channel="sms", recipient=person.phone,
                            payload=payload)
        if alert.is_open and alert.attempts == 0 and not self.global_sms.allow("all", now=now):
            alert = self.outbox.save(dataclasses.replace(
                alert, state="cancelled", last_error=f"rate limited: more than {self.acfg.sms.max_per_hour} "
                                                     f"SMS in the last hour (alerts.sms.max_per_hour)"))
            self._changed(alert)
        entry = {"person": person.name, "phone": person.phone, "at": iso_of(now), "alert_id": alert.id,
                 "level": level, "round": rnd}
        esc = dataclasses.replace(esc, level=level, round=rnd, alerted=(*esc.alerted, entry),
                                  next_at=now + self.cfg.rota.ack_minutes * 60.0)
        self.escalations.save(esc)
        self._event(esc.call_id, "alert_sent" if first else "alert_escalated", person=person.name,
                    level=level, round=rnd, alert_id=alert.id)
        return esc

    def call_event(self, kind: str, rec: CallRecord | dict[str, Any]) -> None:
        """A call started, was qualified or ended: MQTT event; ended non-urgent calls join the digest."""
        if kind not in EVENT_KINDS:
            log.debug("alerts: call event %r ignored", kind)
            return
        info = call_info(rec, self.acfg.base_url)
        now = self.clock()
        self._queue_mqtt(info["call_id"], f"event-{kind}", f"event/{kind}",
                         {"event": kind, "at": iso_of(now), "box": self.acfg.box_id, **info})
        if kind == "ended" and not info["urgent"] and self.escalations.get(info["call_id"]) is None:
            self.digest.add({k: info.get(k) for k in ("call_id", "started_at", "state", "caller_number",
                                                       "name", "company", "category", "summary", "url",
                                                       "contract", "attempt")})

    def acknowledge(self, call_id: str, by: str, via: str = "api") -> dict[str, Any] | None:
        """Stop the escalation of ``call_id``; returns the ack record (None if no such urgent call)."""
        now = self.clock()
        with self._lock:
            esc = self.escalations.get(call_id)
            if esc is None:
                return None
            if not esc.pending:
                return self._ack_dict(esc)
            esc = self.escalations.save(dataclasses.replace(esc, acked_by=by, acked_at=now, ack_via=via,
                                                            next_at=None))
            for a in self.outbox.for_call(call_id):
                if a.channel == "sms" and a.is_open:
                    a = self.outbox.save(dataclasses.replace(a, state="cancelled",
                                                             last_error=f"acknowledged by {by}"))
                    self._changed(a)
                elif a.state == "delivered" and a.kind.startswith("urgent"):
                    a = self.outbox.save(dataclasses.replace(a, state="acknowledged", acknowledged_at=now,
                                                             acknowledged_by=by))
                    self._changed(a)
            ack = self._ack_dict(esc)
            self._queue_mqtt(call_id, "event-acknowledged", "event/acknowledged",
                             {"event": "acknowledged", "box": self.acfg.box_id, **ack})
        self._notify(self.on_ack, call_id, ack)
        self._event(call_id, "acknowledged", by=by, via=via, after_seconds=ack["after_seconds"])
        self._publish_urgent_state()
        return ack

    @staticmethod
    def _ack_dict(esc: Escalation) -> dict[str, Any]:
        after = None if esc.acked_at is None else round(esc.acked_at - esc.started_at, 3)
        return {"call_id": esc.call_id, "by": esc.acked_by, "via": esc.ack_via, "at": iso_of(esc.acked_at),
                "after_seconds": after}

    def notice(self, notice_id: str, kind: str, recipients: Sequence[tuple[str, str]], text: str, *,
               topic_tail: str | None = None, message: dict[str, Any] | None = None) -> list[Alert]:
        """A notice that belongs to no call (an overdue callback, the worklist digest, a message to a
        caller): SMS to each ``(name, phone)`` and MQTT on ``<p>/<topic_tail>``, durable in the outbox
        like every alert. ``notice_id`` (``notice-...``) makes it idempotent: the same id and recipient
        never make a second message. SMS count against ``alerts.sms.max_per_hour``."""
        if not notice_id.startswith(NOTICE_PREFIX):
            raise AlertError(f"alerts: a notice id starts with {NOTICE_PREFIX!r}, got {notice_id[:40]!r}")
        now = self.clock()
        out: list[Alert] = []
        with self._lock:
            if topic_tail is not None:
                mq = self._queue_mqtt(notice_id, kind, topic_tail, {"event": kind, "at": iso_of(now),
                                                                    "box": self.acfg.box_id, **(message or {})})
                out.extend([mq] if mq is not None else [])
            for name, phone in recipients if self.sms is not None else ():
                a = self._queue(call_id=notice_id, kind=kind, channel="sms", recipient=phone,
                                payload={"text": text, "person": name})
                if a.attempts == 0 and a.is_open and a.created_at >= now and not self.global_sms.allow("all", now=now):
                    a = self.outbox.save(dataclasses.replace(a, state="cancelled", last_error="rate limited"))
                out.append(a)
        return out

    @property
    def sends_sms(self) -> bool:
        return self.sms is not None

    def sms_received(self, sender: str, text: str) -> dict[str, Any] | None:
        """An incoming SMS: an ack word from a rota person acknowledges their latest pending alert;
        an SMS from anyone else goes to ``on_other_sms`` (a caller answering STOP)."""
        person = self.rota.person_by_phone(sender)
        if person is None:
            if self.on_other_sms is not None:
                self._notify(self.on_other_sms, sender, text)
            else:
                log.info("alerts: SMS from %r who is not in the rota, ignored", sender)
            return None
        if not is_ack(text, self.cfg.rota.ack_words):
            log.info("alerts: SMS from %s without an ack word: %r", person.name, text[:80])
            return None
        for esc in reversed(self.escalations.pending()):
            if esc.alerted_person(person.name):
                return self.acknowledge(esc.call_id, person.name, via="sms")
        log.info("alerts: ack SMS from %s but no pending alert was sent to them", person.name)
        return None

    def pending_urgent(self) -> list[dict[str, Any]]:
        out = []
        for e in self.escalations.pending():
            out.append({"call_id": e.call_id, "started_at": iso_of(e.started_at),
                        "caller_number": e.info.get("caller_number"), "name": e.info.get("name"),
                        "summary": e.info.get("summary"), "url": e.info.get("url"),
                        "alerted": list(e.alerted), "level": e.level, "round": e.round,
                        "next_at": iso_of(e.next_at), "exhausted": e.exhausted, "sms_limited": e.sms_limited})
        return out

    def reconcile(self, calllog: CallLog | CallLogReader) -> int:
        """After a crash, nothing urgent is left unalerted; returns how many calls were taken up.

        The urgent decision is written in the call record (its ``urgent`` event) before the
        alerts hear of it; a crash between the two, or between the escalation's first save
        and its first SMS, leaves an urgent call without an alert under way. At start every
        such call of the last ``max_age_seconds`` is alerted now. The alert keys (call, kind,
        recipient) are the ones a run without the crash would have used, so an alert already
        in the outbox is not made twice."""
        since = dt.datetime.fromtimestamp(self.clock() - self.max_age_seconds, dt.UTC)
        n = 0
        for rec in calllog.calls(since=since):
            if self.escalations.get(rec.id) is None and any(e.get("kind") == "urgent" for e in rec.events):
                log.warning("alerts: urgent call %s has no alert under way (a crash): alerting now", rec.id)
                self.urgent(rec)
                n += 1
        with self._lock:
            for esc in self.escalations.pending():
                if not esc.alerted and esc.next_at is None and not esc.exhausted and esc.order \
                        and self._sms_enabled(esc):
                    log.warning("alerts: escalation of %s was saved but nobody alerted (a crash): alerting now",
                                esc.call_id)
                    self._alert_next(esc, first=True)
                    n += 1
        return n

    def problems(self) -> list[str]:
        """Alert files moved to quarantine since start (for the health page)."""
        return self.outbox.quarantine.problems()

    def publish_health(self, problems: Sequence[str]) -> None:
        """The box's health faults (disk nearly full, files in quarantine...) on ``<p>/state/health``."""
        if self.mqtt is None:
            return
        self.mqtt.set_retained(state_topic(self.mqtt.base, "health"),
                               {"state": "ON" if problems else "OFF", "problems": [str(p) for p in problems]})

    def publish_state(self, lines: Mapping[str, str], calls_today: int, abandoned_today: int) -> None:
        if self.mqtt is None:
            return
        base = self.mqtt.base
        self.mqtt.set_retained(state_topic(base, "calls_today"), str(int(calls_today)))
        self.mqtt.set_retained(state_topic(base, "abandoned_today"), str(int(abandoned_today)))
        for name, st in lines.items():
            if name in {ln.name for ln in self.cfg.lines}:
                self.mqtt.set_retained(state_topic(base, f"line/{name}"), str(st))
        self._publish_urgent_state()

    def _publish_urgent_state(self) -> None:
        if self.mqtt is None:
            return
        base = self.mqtt.base
        self.mqtt.set_retained(state_topic(base, "urgent_pending"),
                               "ON" if self.escalations.pending() else "OFF")
        if self._last_urgent is not None:
            self.mqtt.set_retained(state_topic(base, "last_urgent"), self._last_urgent)

    # ------------------------------------------------------------------ MQTT side
    def _mqtt_connection(self, up: bool) -> None:
        if up:
            self._mqtt_flush = True
            self._wake_mqtt.set()

    def _mqtt_ack(self, obj: Any) -> None:
        call_id = by = None
        if isinstance(obj, dict):
            call_id, by = obj.get("call_id"), obj.get("by")
            if call_id is None and isinstance(obj.get("key"), str):
                obj = obj["key"]
        if isinstance(obj, str):
            a = self.outbox.by_key(obj)
            call_id = a.call_id if a is not None else None
        if not isinstance(call_id, str) or not call_id:
            log.warning("alerts: MQTT ack %r names no known call", str(obj)[:200])
            return
        self.acknowledge(call_id, str(by)[:60] if by else "mqtt", via="mqtt")

    def _mqtt_loop(self) -> None:
        while not self._stop.is_set():
            self._wake_mqtt.wait(self.tick)
            self._wake_mqtt.clear()
            if self.mqtt is None or not self.mqtt.connected:
                continue
            now = self.clock()
            flush, self._mqtt_flush = self._mqtt_flush, False
            todo = self.outbox.open_alerts("mqtt") if flush else self.outbox.due("mqtt", now)
            for a in todo:
                if self._stop.is_set():
                    return
                self._deliver_mqtt(a, now)

    def _deliver_mqtt(self, a: Alert, now: float) -> None:
        assert self.mqtt is not None
        now = max(now, self.clock())  # the batch's clock may predate an alert created meanwhile
        if self._expired(a, now):
            return
        sent = self._mark_sent(a, now)
        if sent is None:
            return
        a = sent
        self._changed(a)
        alert_id = a.id

        def confirmed() -> None:
            self._mqtt_confirmed(alert_id)

        mid = self.mqtt.publish(str(a.payload["topic"]), a.payload["message"], on_confirmed=confirmed)
        if mid is None:
            log.info("alerts: MQTT not connected; %s will be re-sent", a.key)

    def _mark_sent(self, a: Alert, now: float) -> Alert | None:
        """The alert on disk as sent (one more attempt, the next one scheduled), or None when it was closed
        meanwhile (acknowledged or cancelled between the batch and this send): not sent, said in the log."""
        attempts = a.attempts + 1
        nxt = now + backoff(attempts, self.acfg.retry_initial_seconds, self.acfg.retry_max_seconds)
        try:
            return self.outbox.save(dataclasses.replace(a, state="sent", attempts=attempts, sent_at=now,
                                                        next_attempt_at=nxt))
        except AlertError as exc:
            log.info("alerts: %s not sent: %s", a.key, exc)
            return None

    def _mqtt_confirmed(self, alert_id: str) -> None:
        a = self.outbox.get(alert_id)
        if a is None or not a.is_open:
            return
        a = self.outbox.save(dataclasses.replace(a, state="delivered", delivered_at=self.clock(),
                                                 reference="puback"))
        self._changed(a)

    def _expired(self, a: Alert, now: float) -> bool:
        if now - a.created_at <= self.max_age_seconds:
            return False
        a = self.outbox.save(dataclasses.replace(a, state="failed",
                                                 last_error=a.last_error or "not delivered within max age"))
        self._changed(a)
        return True

    # ------------------------------------------------------------------ SMS side
    def _sms_loop(self) -> None:
        last_poll = 0.0
        connect = getattr(self.sms, "connect", None)
        last_try = -1e9
        while not self._stop.is_set():
            self._wake_sms.wait(self.tick)
            self._wake_sms.clear()
            if self.sms is None:
                continue
            if connect is not None and time.monotonic() - last_try >= 5.0:
                last_try = time.monotonic()
                try:
                    connect()  # warm up (gammu Init, ~5 s) before the first urgent SMS needs it
                    connect = None
                except SmsError as exc:
                    log.info("alerts: SMS modem not ready yet: %s", exc)
            now = self.clock()
            for a in self.outbox.due("sms", now):
                if self._stop.is_set():
                    return
                self._deliver_sms(a, now)
            if time.monotonic() - last_poll >= self.sms_poll_seconds:
                last_poll = time.monotonic()
                self.poll_inbox()
            self.passes["sms"] += 1

    def poll_inbox(self) -> int:
        """Read waiting SMS (acknowledgements); returns how many were read."""
        if self.sms is None:
            return 0
        try:
            msgs = self.sms.receive()
        except SmsError as exc:
            log.warning("alerts: %s", exc)
            return 0
        for m in msgs:
            self.sms_received(m.sender, m.text)
            self.passes["sms received"] += 1
        return len(msgs)

    def _deliver_sms(self, a: Alert, now: float) -> None:
        assert self.sms is not None
        now = max(now, self.clock())
        if self._expired(a, now):
            return
        sent = self._mark_sent(a, now)
        if sent is None:
            return
        a = sent
        try:
            refs = self.sms.send(a.recipient, str(a.payload["text"]))
        except SmsError as exc:
            log.warning("alerts: SMS %s attempt %d failed: %s", a.key, a.attempts, exc)
            cur = self.outbox.get(a.id)
            if cur is not None and cur.is_open:
                a = self.outbox.save(dataclasses.replace(cur, state="pending", last_error=str(exc)[:300]))
                self._changed(a)
            return
        cur = self.outbox.get(a.id)
        if cur is not None and cur.is_open:
            a = self.outbox.save(dataclasses.replace(cur, state="delivered", delivered_at=self.clock(),
                                                     reference=",".join(refs), last_error=""))
            self._changed(a)

    # ------------------------------------------------------------------ scheduler
    def _scheduler_loop(self) -> None:
        while not self._stop.wait(self.tick):
            with self.faults.guard("alerts: scheduler step", log):
                self.run_due()
            self.passes["scheduler"] += 1

    def run_due(self) -> None:
        """Escalate unacknowledged urgent calls whose deadline passed; send due digests; once an
        hour, forget delivered alerts older than ``ARCHIVE_DAYS`` (their outcome is in the call record)."""
        now = self.clock()
        if time.monotonic() >= self._next_prune:
            self._next_prune = time.monotonic() + 3600
            self.outbox.prune_archive(ARCHIVE_DAYS)
        with self._lock:
            for esc in self.escalations.pending():
                if esc.next_at is not None and now >= esc.next_at:
                    self._alert_next(esc)
        self._digest_due(now)

    def _seed_limiters(self) -> None:
        horizon = self.clock() - 3600
        for a in self.outbox.recent(horizon):
            if a.channel == "sms" and a.state != "cancelled":
                self.global_sms.record("all", a.created_at)
        for e in self.escalations.all():
            if e.started_at >= horizon and not e.sms_limited and e.info.get("caller_number"):
                self.per_caller.record(str(e.info["caller_number"]), e.started_at)

    def _digest_due(self, now: float) -> None:
        times = self.cfg.rota.digest_times
        if not times:
            return
        local = dt.datetime.fromtimestamp(now, self.tz)
        slots = []
        for day in (local.date() - dt.timedelta(days=1), local.date()):
            for t in times:
                h, m = (int(x) for x in t.split(":"))
                s = dt.datetime(day.year, day.month, day.day, h, m, tzinfo=self.tz)
                if s <= local:
                    slots.append(s)
        if not slots:
            return
        latest = max(slots)
        slot = latest.strftime("%Y%m%dT%H%M")
        if self.digest.last_slot is None:
            self.digest.set_slot(slot)  # first run: start from now, no digest for the past
            return
        if slot <= self.digest.last_slot:
            return
        items = list(self.digest.items)
        if items:
            call_id = f"digest-{slot}"
            person = self.rota.on_call(latest) or (self.rota.people[0] if self.rota.people else None)
            if self.sms is not None and person is not None:
                text = digest_sms(items, lang=self.cfg.company.language, company=self.cfg.company.name)
                a = self._queue(call_id=call_id, kind="digest", channel="sms", recipient=person.phone,
                                payload={"text": text, "person": person.name})
                if a.attempts == 0 and a.is_open and not self.global_sms.allow("all", now=now):
                    self.outbox.save(dataclasses.replace(a, state="cancelled", last_error="rate limited"))
            self._queue_mqtt(call_id, "digest", "digest",
                             {"event": "digest", "slot": latest.isoformat(), "box": self.acfg.box_id,
                              "calls": items})
        self.digest.take(slot, {str(i.get('call_id')) for i in items})
