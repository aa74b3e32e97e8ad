"""The optional message to a caller the box could not answer (``[caller_sms]``, off by default).

When a call is missed because the line was busy (``missed``: a second call during a call, or a call
the modem reports as missed while the box was busy, ``MISSED_CALL``), the caller
gets one SMS saying the call was received and when the company will call back (the worklist's due
time), if all of these hold:

* ``caller_sms.enabled`` and the box sends SMS (``alerts.sms``);
* the number is a **mobile** number (phonenumbers, by the line's country): never a landline;
* no message to that number yet **that day** (the outbox id carries number and day);
* within ``caller_sms.hours`` (default 08:00-20:00), Monday to Saturday, not on a company holiday;
* the number has not answered STOP (kept in ``<data_dir>/worklist/caller-sms-stop.json``).

It is a service message answering the caller's own call, never advertising; the README says which
French rules on commercial SMS it follows. What happened is written in the call's timeline
(``caller_sms`` event: ``queued`` or the reason it was not sent).
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from pathlib import Path
from typing import Any

from ..alerts.text import clean, fold
from ..config import Config, parse_time_ranges
from ..directory.numbers import is_mobile, to_e164
from ..errors import PermanenceError
from ..store.atomic import atomic_write_json, read_json
from ..store.calllog import CallLog
from ..store.record import CallRecord, parse_iso
from .notify import Notices, messages
from .trace import due_for

log = logging.getLogger(__name__)


class CallerSms:
    """A call observer (appliance.call.CallObserver) sending the message when a busy line missed a call."""

    def __init__(self, cfg: Config, log_: CallLog, alerts: Notices, data_dir: Path) -> None:
        self.cfg = cfg
        self.log = log_
        self.alerts = alerts
        self.stop_path = Path(data_dir) / "worklist" / "caller-sms-stop.json"
        self._lock = threading.Lock()

    # -- opt-out ------------------------------------------------------------------------------
    def stopped(self) -> set[str]:
        try:
            data = read_json(self.stop_path, default=[])
        except PermanenceError as exc:
            log.error("caller SMS: %s (no message is sent until it is fixed)", exc)
            return {"*"}
        return {str(n) for n in data} if isinstance(data, list) else {"*"}

    def sms_received(self, sender: str, text: str) -> bool:
        """An SMS from a non-rota number: a stop word puts the number on the stop list."""
        words = {fold(w) for w in messages(self.cfg.company.language)["stop_words"]}
        if fold(text.strip()).strip(" .!") not in words:
            log.info("caller SMS: message from %r ignored: %r", sender, clean(text, 80))
            return False
        number = to_e164(sender, self.cfg.lines[0].country if self.cfg.lines else "FR") or sender
        with self._lock:
            stopped = self.stopped() - {"*"}
            stopped.add(number)
            atomic_write_json(self.stop_path, sorted(stopped))
        log.info("caller SMS: %s answered STOP: no more messages to it", number)
        return True

    # -- observer -----------------------------------------------------------------------------
    def call_event(self, kind: str, rec: CallRecord) -> None:
        if kind != "ended" or rec.state != "missed" or not self.cfg.caller_sms.enabled:
            return
        if not any(e.get("kind") in ("call_waiting", "missed_call") for e in rec.events):
            return  # missed for another reason than a busy box (a line in fault)
        outcome = self._send(rec)
        try:
            self.log.add_event(rec.id, "caller_sms", result=outcome)
        except PermanenceError as exc:
            log.warning("caller SMS: cannot note it in call %s: %s", rec.id, exc)

    def urgent(self, rec: CallRecord) -> None:
        return None

    def allowed_now(self, when: dt.datetime) -> bool:
        co = self.cfg.company
        local = when.astimezone(co.tz)
        if local.weekday() == 6 or local.date().isoformat() in co.holidays:
            return False
        t = local.time()
        return any(a <= t < b for a, b in parse_time_ranges(self.cfg.caller_sms.hours))

    def _send(self, rec: CallRecord) -> str:
        country = next((ln.country for ln in self.cfg.lines if ln.name == rec.line), "FR")
        number = to_e164(rec.caller_number, country)
        sends = getattr(self.alerts, "sends_sms", True)
        started = parse_iso(rec.started_at)
        reason = ("no SMS path (alerts.sms)" if not sends else "no number" if number is None
                  else "not a mobile number" if not is_mobile(number, country)
                  else "the number answered STOP" if number in self.stopped() or "*" in self.stopped()
                  else "outside caller_sms.hours, Sundays and holidays" if not self.allowed_now(started) else "")
        if reason:
            log.info("caller SMS: not sent for call %s: %s", rec.id, reason)
            return f"not sent: {reason}"
        assert number is not None
        day = started.astimezone(self.cfg.company.tz).date().isoformat()
        text = self.text(rec, started)
        self.alerts.notice(f"notice-caller-{number}-{day}", "caller-sms", [("caller", number)], text)
        return "queued"

    def text(self, rec: CallRecord, started: dt.datetime) -> str:
        m = messages(self.cfg.company.language)
        co = self.cfg.company
        due = due_for(rec.summary(), "missed", started, self.cfg).astimezone(co.tz)
        hhmm = due.strftime("%H:%M")
        when = (m["when_today"].format(time=hhmm) if due.date() == started.astimezone(co.tz).date()
                else m["when_other_day"].format(day=m["weekdays"][due.weekday()], time=hhmm))
        template = self.cfg.caller_sms.text or m["caller_sms"]
        values: dict[str, Any] = {"company": clean(co.name, 40), "when": when}
        try:
            return clean(template.format(**values), 300)
        except (KeyError, IndexError, ValueError) as exc:
            log.error("caller_sms.text: %s; the default text is used", exc)
            return clean(m["caller_sms"].format(**values), 300)
