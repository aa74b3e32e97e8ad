"""Child of test_urgent_crash: the service on the parent's simulated SIM7600 (its ptys), killed by the
fault hook right after the Nth durable write that follows the urgent decision.

Argv: data dir, config file, N (0: no kill; then it waits until the alerts are out, writes the list
of those writes to the trace file given as 4th argument, and exits). Prints "ready" when the line is.

The conversation is a stand-in (the caller's key 9 makes the call urgent): what is under test is
what the box does with an urgent decision across a crash, not how the conversation reaches it.
"""

from __future__ import annotations

import logging
import sys
import threading
from pathlib import Path

from waiting import wait_until

from appliance.config import load_config
from appliance.conversation.base import CallContext, Heard, ListenSpec, Reply
from appliance.qualification import Qualification
from appliance.service import Service
from appliance.store.faulthooks import HOOKS
from appliance.store.record import CallRecord

URGENT = Qualification(category="breakdown", urgent=True, urgency="critical", sla_minutes=15,
                       name="Jeanne Test", company="Test SA", summary="fuite de gaz", callback="+33699999999")


class KeypadUrgentDialog:
    """Key 9 makes the call urgent; that moment arms the kill hook."""

    lang = "fr"

    def __init__(self, kill_after: int, trace: str, decided: threading.Event) -> None:
        self.kill_after, self.trace, self.decided = kill_after, trace, decided
        self.q: Qualification | None = None

    def start(self, ctx: CallContext) -> Reply:
        return Reply(listen=ListenSpec("digits"))

    def hear(self, text: str, *, confidence: float | None = None, heard: Heard | None = None) -> Reply:
        return Reply(listen=ListenSpec("digits"))

    def dtmf(self, digits: str) -> Reply:
        if "9" not in digits or self.q is not None:
            return Reply(listen=ListenSpec("digits"))
        self.q = URGENT
        with HOOKS.lock:
            HOOKS.write_trace = self.trace
            HOOKS.kill_after_writes = HOOKS.writes + self.kill_after if self.kill_after else 0
        self.decided.set()
        return Reply(urgent=True, listen=ListenSpec("digits"))

    def silence(self) -> Reply:
        return Reply(listen=ListenSpec("digits"))

    def hung_up(self) -> None:
        pass

    def qualification(self) -> Qualification | None:
        return self.q


def main() -> None:
    logging.basicConfig(level=logging.WARNING, format="%(name)s: %(message)s")
    data, cfg_path, kill_after = Path(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3])
    trace = sys.argv[4] if len(sys.argv) > 4 else ""
    decided = threading.Event()

    def dialogs(rec: CallRecord) -> tuple[KeypadUrgentDialog, str]:
        return KeypadUrgentDialog(kill_after, trace, decided), "fr"

    svc = Service(load_config(cfg_path), data_dir=data, speech=False, leds=False, web_port=0, dialogs=dialogs)
    svc.start()
    try:
        if not svc.ready.wait(30):
            raise SystemExit("line not ready")
        print("ready", flush=True)
        decided.wait(120)
        # only the run without a kill gets here: wait until the alerts are out, then stop
        assert svc.alerts is not None and svc.log is not None
        alerts = svc.alerts
        wait_until(lambda: alerts.pending_urgent() and alerts.drain(0.1), 60, message="urgent alerts delivered")
        if not svc.log.flush(30):
            raise SystemExit("alerts not delivered")
        HOOKS.write_trace = ""  # what the stop writes is not part of the urgent call
        print("done", flush=True)
    finally:
        svc.stop()


if __name__ == "__main__":
    main()
