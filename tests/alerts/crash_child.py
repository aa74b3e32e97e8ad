"""Child process for the crash test: queue alerts, say so, then wait to be killed (SIGKILL)."""

from __future__ import annotations

import signal
import sys
from pathlib import Path

from appliance.alerts.manager import AlertManager
from appliance.alerts.mqtt import MqttLink
from appliance.alerts.sms import GammuSmsSender

from .helpers import make_config, urgent_record


def main() -> None:
    data_dir, port, mode = Path(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
    cfg = make_config(mqtt_port=port, sms=mode == "sms")
    if mode == "lwt":
        link = MqttLink(cfg.alerts.mqtt, "box1")
        link.start()
        link.wait_connected(10)
        print("online", flush=True)
        signal.pause()  # until the test kills it
        return
    # "written, not yet sent": the manager is built but its threads are not started
    sms = GammuSmsSender(sys.argv[4]) if mode == "sms" else None  # not contacted before the kill
    m = AlertManager(cfg, data_dir, sms_sender=sms)
    m.urgent(urgent_record("20261127T100000-line1-crash1"))
    m.call_event("ended", urgent_record("20261127T100000-line1-crash1"))
    print("written", flush=True)
    signal.pause()  # until the test kills it


if __name__ == "__main__":
    main()
