"""Builds the AlertManager the service runs, wired to the call log and the lines.

``build_alert_manager(cfg, data_dir, calllog, mqtt_url=None, lines=lambda: [...])``:

* MQTT from ``alerts.mqtt`` (or ``--mqtt URL`` over it, see :func:`mqtt_config_from_url`);
* SMS when ``alerts.sms.enabled``: the line named ``alerts.sms.line`` (else the first
  GSM line with ``sms = true``). With ``sms_port`` set (SIM7600 second AT port, or the
  simulator's ``sms_port``) gammu talks to that port and polls it for replies; with a
  ``port_released()`` context manager on the line (single-port SIM800) gammu borrows
  the port between calls and replies come as the line's ``SmsReceived`` events (open
  that line with ``read_sms=True``); otherwise the line's own ``send_sms`` is used;
* ``on_alert_change`` upserts the alert (by id) into the call record's ``alerts``;
  ``on_call_event`` appends to its ``events`` timeline (``CallLog.update``).
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from ..config import Config
from ..errors import PermanenceError
from ..store.record import CallRecord
from .manager import AlertManager
from .mqtt import MqttLink, mqtt_config_from_url
from .sms import (
    GammuSmsSender,
    IncomingSms,
    LineSmsSender,
    ReleasedPortSmsSender,
    SmsError,
    SmsTransport,
)

log = logging.getLogger(__name__)


def upsert_alert(rec: CallRecord, alert: dict[str, Any]) -> None:
    for i, a in enumerate(rec.alerts):
        if a.get("id") == alert.get("id"):
            rec.alerts[i] = alert
            return
    rec.alerts.append(alert)


def record_callbacks(calllog: Any) -> dict[str, Callable[[str, dict[str, Any]], None]]:
    """``on_alert_change`` and ``on_call_event`` writing into ``calllog`` (a CallLog)."""

    def on_alert_change(call_id: str, alert: dict[str, Any]) -> None:
        try:
            calllog.update(call_id, lambda r: upsert_alert(r, alert))
        except PermanenceError as exc:
            log.warning("alerts: cannot record alert %s in call %s: %s", alert.get("id"), call_id, exc)

    def on_call_event(call_id: str, event: dict[str, Any]) -> None:
        try:
            calllog.update(call_id, lambda r: r.events.append(event))
        except PermanenceError as exc:
            log.warning("alerts: cannot record event %s in call %s: %s", event.get("kind"), call_id, exc)

    return {"on_alert_change": on_alert_change, "on_call_event": on_call_event}


def sms_transport_for(cfg: Config, lines: Sequence[Any]) -> SmsTransport | None:
    if not cfg.alerts.sms.enabled:
        return None
    wanted = cfg.alerts.sms.line
    candidates = [ln for ln in cfg.lines if ln.sms and (not wanted or ln.name == wanted)
                  and ln.driver != "voicemodem" and not (ln.driver == "sim" and ln.sim_dialect == "voicemodem")]
    if not candidates:
        log.warning("alerts: SMS enabled but no line can send SMS (lines[].sms / alerts.sms.line)")
        return None
    lc = candidates[0]
    line = next((ln for ln in lines if getattr(ln, "name", None) == lc.name), None)
    sms_port = lc.sms_port or (getattr(line, "sms_port", "") if line is not None else "")
    sim = getattr(line, "simulator", None)
    if not sms_port and sim is not None:
        sms_port = getattr(sim, "sms_port", "") or ""  # the simulator's second AT port (SIM7600 style)
    if sms_port:
        return GammuSmsSender(str(sms_port))
    if line is not None and hasattr(line, "port_released"):
        return ReleasedPortSmsSender(line.port_released, lc.port)
    if line is not None:
        return LineSmsSender(line)
    log.warning("alerts: line %s is not open; SMS disabled", lc.name)
    return None


class DeferredSms:
    """Resolves the SMS path at first use: the service opens its lines after the alerts."""

    def __init__(self, cfg: Config, lines: Callable[[], Sequence[Any]]) -> None:
        self.cfg = cfg
        self.lines = lines
        self._t: SmsTransport | None = None

    def _get(self) -> SmsTransport:
        if self._t is None:
            self._t = sms_transport_for(self.cfg, list(self.lines()))
            if self._t is None:
                raise SmsError("sms: no line able to send SMS is open yet")
        return self._t

    def send(self, number: str, text: str) -> list[str]:
        return self._get().send(number, text)

    def receive(self) -> list[IncomingSms]:
        return self._get().receive()

    def connect(self) -> None:
        t = self._get()
        connect = getattr(t, "connect", None)
        if connect is not None:
            connect()

    def close(self) -> None:
        if self._t is not None:
            self._t.close()


def build_alert_manager(cfg: Config, data_dir: Path, calllog: Any, *, mqtt_url: str | None = None,
                        lines: Callable[[], Sequence[Any]] | None = None, **kwargs: Any) -> AlertManager:
    mcfg = cfg.alerts.mqtt
    if mqtt_url:
        mcfg = mqtt_config_from_url(mqtt_url, mcfg)
    mqtt = MqttLink(mcfg, cfg.alerts.box_id) if mcfg.enabled else None
    cfg = dataclasses.replace(cfg, alerts=dataclasses.replace(cfg.alerts, mqtt=mcfg))
    sms: SmsTransport | None = None
    if cfg.alerts.sms.enabled:
        sms = DeferredSms(cfg, lines) if lines is not None else sms_transport_for(cfg, [])
    cbs = record_callbacks(calllog)
    return AlertManager(cfg, data_dir, sms_sender=sms, mqtt=mqtt, on_alert_change=cbs["on_alert_change"],
                        on_call_event=cbs["on_call_event"], **kwargs)
