"""Builds the AlertManager the service runs, wired to the call log and the lines.

``alerts_factory(cfg, data_dir, mqtt_url=None)`` returns what the service calls once the
call log exists and its lines are open (None when neither MQTT nor SMS is on):
``factory(calllog, lines) -> AlertManager``. The lines are open before the alerts are
built, so the SMS path is chosen at once:

* MQTT from ``alerts.mqtt`` (or ``--mqtt URL`` over it, see :func:`mqtt_config_from_url`);
* SMS when ``alerts.sms.enabled``: the line named ``alerts.sms.line`` (else the first
  GSM line with ``sms = true``). With an SMS port (``sms_port``: a SIM7600's second AT
  port, or the simulated modem's) gammu talks to that port and polls it for replies; a
  GSM line without one (single-port SIM800) lends its port to gammu between calls
  (``GsmLine.port_released``) and replies come as the line's ``SmsReceived`` events;
  any other line sends with its own ``send_sms``;
* ``on_alert_change`` upserts the alert (by id) into the call record's ``alerts``;
  ``on_call_event`` appends to its ``events`` timeline (``CallLog.update``).
"""

from __future__ import annotations

import dataclasses
import logging
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from ..config import Config, LineConfig
from ..errors import PermanenceError
from ..faults import FaultLog
from ..store.calllog import CallLog
from ..store.record import CallRecord
from ..telephony.gsm import GsmLine
from ..telephony.line import Line
from ..telephony.modem import ModemLine
from .manager import AlertManager
from .mqtt import MqttLink, mqtt_config_from_url
from .sms import GammuSmsSender, LineSmsSender, ReleasedPortSmsSender, SmsTransport

log = logging.getLogger(__name__)

Json = dict[str, object]


def upsert_alert(rec: CallRecord, alert: Json) -> None:
    for i, a in enumerate(rec.alerts):
        if a.get("id") == alert.get("id"):
            rec.alerts[i] = alert
            return
    rec.alerts.append(alert)


@dataclasses.dataclass(frozen=True)
class RecordCallbacks:
    """``on_alert_change`` and ``on_call_event`` writing into the call log."""

    calllog: CallLog

    def on_alert_change(self, call_id: str, alert: Json) -> None:
        try:
            self.calllog.update(call_id, lambda r: upsert_alert(r, alert))
        except PermanenceError as exc:
            log.warning("alerts: cannot record alert %s in call %s: %s", alert.get("id"), call_id, exc)

    def on_call_event(self, call_id: str, event: Json) -> None:
        try:
            self.calllog.update(call_id, lambda r: r.events.append(event))
        except PermanenceError as exc:
            log.warning("alerts: cannot record event %s in call %s: %s", event.get("kind"), call_id, exc)


def _sms_line_config(cfg: Config) -> LineConfig | None:
    wanted = cfg.alerts.sms.line
    candidates = [ln for ln in cfg.lines if ln.sms and (not wanted or ln.name == wanted)
                  and ln.driver != "voicemodem" and not (ln.driver == "sim" and ln.sim_dialect == "voicemodem")]
    return candidates[0] if candidates else None


def sms_transport_for(cfg: Config, lines: Sequence[Line]) -> SmsTransport | None:
    """The SMS path of the configuration, through the open ``lines`` (None: SMS off or impossible)."""
    if not cfg.alerts.sms.enabled:
        return None
    lc = _sms_line_config(cfg)
    if lc is None:
        log.warning("alerts: SMS enabled but no line can send SMS (lines[].sms / alerts.sms.line)")
        return None
    line = next((ln for ln in lines if ln.name == lc.name), None)
    sms_port = lc.sms_port
    if not sms_port and isinstance(line, ModemLine):
        sms_port = line.sms_port  # a second AT port the line knows of (the simulated SIM7600's)
    if sms_port:
        return GammuSmsSender(str(sms_port))
    if isinstance(line, GsmLine):
        return ReleasedPortSmsSender(line.port_released, lc.port)
    if line is not None:
        return LineSmsSender(line)
    log.warning("alerts: line %s is not open; SMS disabled", lc.name)
    return None


def build_alert_manager(cfg: Config, data_dir: Path, calllog: CallLog, *, mqtt_url: str | None = None,
                        lines: Sequence[Line] = (), faults: FaultLog | None = None, tick: float = 0.2,
                        clock: Callable[[], float] | None = None) -> AlertManager:
    mcfg = cfg.alerts.mqtt
    if mqtt_url:
        mcfg = mqtt_config_from_url(mqtt_url, mcfg)
    mqtt = MqttLink(mcfg, cfg.alerts.box_id) if mcfg.enabled else None
    cfg = dataclasses.replace(cfg, alerts=dataclasses.replace(cfg.alerts, mqtt=mcfg))
    cbs = RecordCallbacks(calllog)
    return AlertManager(cfg, data_dir, sms_sender=sms_transport_for(cfg, lines), mqtt=mqtt,
                        on_alert_change=cbs.on_alert_change, on_call_event=cbs.on_call_event, tick=tick,
                        faults=faults, clock=clock or time.time)


def alerts_factory(cfg: Config, data_dir: Path, *, mqtt_url: str | None = None,
                   faults: FaultLog | None = None) -> Callable[[CallLog, Sequence[Line]], AlertManager] | None:
    """What the service calls to build its alerts once the lines are open (None: alerts off)."""
    if not (cfg.alerts.mqtt.enabled or mqtt_url is not None or cfg.alerts.sms.enabled):
        return None

    def make(calllog: CallLog, lines: Sequence[Line]) -> AlertManager:
        return build_alert_manager(cfg, data_dir, calllog, mqtt_url=mqtt_url, lines=lines, faults=faults)
    return make
