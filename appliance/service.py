"""The service: wires lines, speech, conversation, alerts, the web page and the LEDs.

``permanence run`` and ``permanence demo`` both build a :class:`Service` and
call :meth:`Service.start`, then :meth:`Service.wait`; SIGTERM or Ctrl-C call
:meth:`Service.stop`, which hangs up, closes ports and flushes the log.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import shutil
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .call import CallObserver, LineHandler, Recorder, SpeechPort
from .config import Config
from .conversation.base import Dialog
from .conversation.minimal import MinimalDialog
from .errors import PermanenceError
from .store.calllog import CallLog
from .store.record import CallRecord
from .telephony.line import Line, LineState, LineStatus, SmsReceived

log = logging.getLogger(__name__)


class Service:
    """One process, one handler per line, one writer of the call log."""

    def __init__(
        self,
        cfg: Config,
        *,
        data_dir: Path | None = None,
        web_port: int | None = None,
        observers: list[CallObserver] | None = None,
        speech: SpeechPort | bool | None = True,
        line_factory: Callable[..., Line] | None = None,
        mqtt_url: str | None = None,
        leds: bool = True,
        config_path: Path | None = None,
    ) -> None:
        self.cfg = cfg
        self.data_dir = Path(data_dir) if data_dir is not None else cfg.data_path
        self.web_port = cfg.web.port if web_port is None else web_port
        self.observers: list[CallObserver] = list(observers or [])
        self._speech_arg = speech
        self.speech: SpeechPort | None = None
        self.line_factory = line_factory
        self.mqtt_url = mqtt_url
        self.use_leds = leds
        self.config_path = config_path
        self.log: CallLog | None = None
        self.handlers: list[LineHandler] = []
        self.lines: list[Line] = []
        self.alerts: Any = None
        self.directory: Any = None  # appliance.directory.Directory: its phrases() bias the recogniser
        self.notifier: Any = None
        self.transfers: Any = None  # appliance.transfer.TransferDesk, when someone accepts transfers
        self.web: Any = None
        self.web_url: str | None = None
        self.leds: Any = None
        self.watchdog: Any = None
        self.started_at = time.time()
        self.errors: list[str] = []
        self.captures: list[Any] = []
        self._stopped = threading.Event()
        self._status_thread: threading.Thread | None = None
        self.ready = threading.Event()

    # -- building blocks -------------------------------------------------------------------
    def _build_speech(self) -> SpeechPort | None:
        if self._speech_arg is False or not self.cfg.speech.enabled:
            return None
        if self._speech_arg is not True and self._speech_arg is not None:
            return self._speech_arg  # type: ignore[return-value]
        from .speechio import EngineSpeech

        directory = self.directory  # the customer directory's names and companies bias the recogniser
        return EngineSpeech(self.cfg, cache_dir=self.data_dir / "prompt-cache",
                            extra_phrases=(lambda lang: directory.phrases()) if directory is not None else None)

    def _dialog_factory(self) -> Callable[[CallRecord], tuple[Dialog, str]]:
        lang = self.cfg.company.language
        if self.cfg.conversation.greeting_only:
            return lambda rec: (MinimalDialog(company=self.cfg.company.name, lang=lang), lang)
        from .conversation.dialog import ScriptedDialog
        from .conversation.qualifier import Qualifier

        qualifier = Qualifier.load(lang, self.cfg.qualification.rules or None)  # errors surface at start
        prompts = self.cfg.conversation.prompts or None
        countries = {lc.name: lc.country for lc in self.cfg.lines}

        def make(rec: CallRecord) -> tuple[Dialog, str]:
            return (ScriptedDialog(self.cfg.company, lang, qualifier, prompts,
                                   country=countries.get(rec.line)), lang)
        return make

    def _recorder_factory(self) -> Callable[[str], Recorder] | None:
        if not self.cfg.storage.record_audio or self.log is None:
            return None
        from .speech.recording import CallRecorder

        calllog = self.log

        def make(call_id: str) -> Recorder:
            return CallRecorder(calllog.recording_path(call_id))  # type: ignore[return-value]
        return make

    def _open_lines(self) -> list[Line]:
        from .telephony import open_line

        factory = self.line_factory or open_line
        lines = []
        for lc in self.cfg.lines:
            capture = None
            if self.cfg.capture.enabled:
                from .capture.writer import CaptureWriter

                writer = CaptureWriter(self.data_dir / "captures", lc.name, max_bytes=self.cfg.capture.max_bytes,
                                       days=self.cfg.capture.days)
                self.captures.append(writer)
                capture = writer.record
            lines.append(factory(lc, capture=capture))
        return lines

    # -- lifecycle -------------------------------------------------------------------------
    def start(self) -> None:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.log = CallLog(self.data_dir)
        interrupted = self.log.recover()
        if interrupted:
            log.warning("%d call(s) cut off by the last stop marked interrupted", len(interrupted))
        self.directory = self._open_directory()  # before speech: its names and companies are phrases
        self.speech = self._build_speech()
        if self.speech is not None:
            self._prerender()
        self._start_alerts()
        self.transfers = self._transfer_desk()
        self._start_leds()
        self.lines = self._open_lines()
        recorder_factory = self._recorder_factory()
        dialog_factory = self._dialog_factory()
        observers = list(self.observers)
        if self.alerts is not None:
            observers.append(self.alerts_observer())
            observers.extend(self._start_worklist_notices())
        for line, lc in zip(self.lines, self.cfg.lines, strict=True):
            h = LineHandler(line, lc, self.cfg, self.log, dialog_factory=dialog_factory, speech=self.speech,
                            observers=observers, recorder_factory=recorder_factory, on_sms=self._on_sms,
                            office_open=self._office_open, caller_lookup=self._caller_lookup(),
                            transfers=self.transfers)
            self.handlers.append(h)
            h.start()
        self._start_web()
        self._status_thread = threading.Thread(target=self._status_loop, name="status", daemon=True)
        self._status_thread.start()

    def _open_directory(self) -> Any:
        from .directory import Directory

        country = self.cfg.lines[0].country if self.cfg.lines else "FR"
        return Directory(self.data_dir, self.cfg.directory, country=country)

    def _caller_lookup(self) -> Any:
        from .directory.lookup import CallerLookup

        assert self.log is not None
        return CallerLookup(self.directory, self.log, self.cfg.company.tz)

    def _start_worklist_notices(self) -> list[CallObserver]:
        """Overdue callbacks and the morning digest to the office; the optional message to callers."""
        from .worklist.caller_sms import CallerSms
        from .worklist.notify import WorklistNotifier

        assert self.log is not None
        self.notifier = WorklistNotifier(self.cfg, self.log, self.alerts, self.data_dir, directory=self.directory)
        self.notifier.start()
        caller_sms = CallerSms(self.cfg, self.log, self.alerts, self.data_dir)
        self.alerts.on_other_sms = caller_sms.sms_received
        return [caller_sms]

    def _transfer_desk(self) -> Any:
        """Urgent callers are put through when someone on the rota accepts it (appliance.transfer)."""
        if not any(p.transfer for p in self.cfg.rota.people):
            return None
        from .transfer import TransferDesk

        alerts, calllog = self.alerts, self.log
        assert calllog is not None

        def acknowledge(call_id: str, person: str) -> None:
            if alerts is not None:
                alerts.acknowledge(call_id, person, via="transfer")
            else:  # no alert path configured: the timeline still says who took the call
                calllog.add_event(call_id, "acknowledged", by=person, via="transfer")
        return TransferDesk(self.cfg, acknowledge=acknowledge)

    def _office_open(self) -> bool:
        return self.cfg.company.is_open(dt.datetime.now(dt.UTC))

    def _prerender(self) -> None:
        from .prerender import fixed_prompts

        assert self.speech is not None
        lang = self.cfg.company.language
        try:
            texts = fixed_prompts(self.cfg, lang)
        except PermanenceError as exc:
            log.error("cannot list the fixed prompts: %s", exc)
            return
        prerender = getattr(self.speech, "prerender", None)
        if prerender is not None:
            n = prerender(texts, lang)
            log.info("prompt cache: %d fixed prompt(s) ready", n)

    def _start_alerts(self) -> None:
        mqtt_on = self.cfg.alerts.mqtt.enabled or self.mqtt_url is not None
        if not (mqtt_on or self.cfg.alerts.sms.enabled):
            return
        from .alerts.wiring import build_alert_manager

        assert self.log is not None
        self.alerts = build_alert_manager(self.cfg, self.data_dir, self.log, mqtt_url=self.mqtt_url,
                                          lines=lambda: self.lines)
        self.alerts.start()

    def alerts_observer(self) -> CallObserver:
        manager = self.alerts

        class _Obs:
            def call_event(self, kind: str, rec: CallRecord) -> None:
                manager.call_event(kind, rec)

            def urgent(self, rec: CallRecord) -> None:
                manager.urgent(rec)
        return _Obs()

    def _on_sms(self, ev: SmsReceived) -> None:
        if self.alerts is not None and hasattr(self.alerts, "sms_received"):
            self.alerts.sms_received(ev.sender, ev.text)

    def _start_leds(self) -> None:
        if not self.use_leds:
            return
        leds = self.cfg.leds
        if all(p is None for p in (leds.ready, leds.in_call, leds.urgent, leds.fault)):
            return
        try:
            from .status.leds import StatusLeds

            self.leds = StatusLeds(leds)
        except Exception as exc:  # noqa: BLE001 - no GPIO on this machine: the service still runs
            log.warning("status LEDs unavailable: %s", exc)
            self.errors.append(f"LEDs: {exc}")

    def _start_web(self) -> None:
        if not self.web_port:
            return
        from .web import create_app, serve

        assert self.log is not None
        app = create_app(self.cfg, self.log, live=self.live, config_path=self.config_path,
                         directory=self.directory)
        tls = None
        if self.cfg.web.https:
            from .web.tls import context_for

            tls = context_for(self.data_dir)  # a self-signed certificate is made on first use
        # a negative port asks for any free port (the demo, when its usual port is taken)
        self.web = serve(app, self.cfg.web.bind, max(0, self.web_port), tls=tls)
        host = self.cfg.web.bind if self.cfg.web.bind not in ("0.0.0.0", "::") else "127.0.0.1"
        self.web_url = f"{self.web.scheme}://{host}:{self.web.port}/"

    # -- status ----------------------------------------------------------------------------
    def line_states(self) -> dict[str, str]:
        return {h.line.name: str(h.state) for h in self.handlers}

    def live(self) -> dict[str, Any]:
        lines = []
        for h in self.handlers:
            try:
                st = h.line.status()
            except Exception as exc:  # noqa: BLE001 - a broken driver shows as a fault on the page
                st = LineStatus(name=h.line.name, driver="?", state=LineState.FAULT, last_error=str(exc))
            d = {k: (str(v) if isinstance(v, LineState) else v) for k, v in st.__dict__.items()}
            d["handler_state"] = str(h.state)
            d["current_call"] = h.call.id if h.call else None
            lines.append(d)
        du = shutil.disk_usage(self.data_dir)
        return {
            "lines": lines,
            "uptime_s": round(time.time() - self.started_at, 1),
            "models": getattr(self.speech, "describe", lambda: {})() if self.speech else {"speech": "disabled"},
            "errors": list(self.errors[-20:]) + [h.last_error for h in self.handlers if h.last_error],
            "disk_free_bytes": du.free,
            "captures": sorted(str(p) for p in (self.data_dir / "captures").glob("*")) if (
                self.data_dir / "captures").is_dir() else [],
            "urgent_pending": self.alerts.pending_urgent() if self.alerts is not None else [],
        }

    def health_problems(self) -> list[str]:
        problems = []
        now = time.monotonic()
        for h in self.handlers:
            if not h.alive():
                problems.append(f"line {h.line.name}: handler thread stopped")
            elif now - h.last_poll > 5:
                problems.append(f"line {h.line.name}: not polled for {now - h.last_poll:.0f} s")
        try:
            probe = self.data_dir / ".health-probe"
            probe.write_bytes(b"ok")
            probe.unlink()
        except OSError as exc:
            problems.append(f"call log not writable: {exc}")
        return problems

    def _status_loop(self) -> None:
        all_ready_logged = False
        while not self._stopped.wait(0.5):
            states = [h.state for h in self.handlers]
            if not all_ready_logged and states and all(s != LineState.STARTING for s in states):
                all_ready_logged = True
                self.ready.set()
                log.info("permanence: ready (%s)", ", ".join(f"{h.line.name}={h.state}" for h in self.handlers))
                if self.watchdog is not None:
                    self.watchdog.ready()
            if self.leds is not None:
                worst = _worst(states)
                pending = bool(self.alerts.pending_urgent()) if self.alerts is not None else False
                with contextlib.suppress(Exception):
                    self.leds.show(worst, pending)
            if self.alerts is not None and hasattr(self.alerts, "publish_state") and self.log is not None:
                with contextlib.suppress(Exception):
                    self._publish_state()

    def _publish_state(self) -> None:
        assert self.log is not None
        start = dt.datetime.now(self.cfg.company.tz).replace(hour=0, minute=0, second=0, microsecond=0)
        rows = self.log.summaries(since=start)
        self.alerts.publish_state(self.line_states(), len(rows), sum(1 for r in rows if r["state"] == "abandoned"))

    def calls_finished(self) -> int:
        return sum(h.calls_finished for h in self.handlers)

    def wait(self, timeout: float | None = None) -> bool:
        return self._stopped.wait(timeout)

    def stop(self) -> None:
        if self._stopped.is_set():
            return
        self._stopped.set()
        log.info("permanence: stopping")
        for h in self.handlers:
            h.stop()
        if self.web is not None:
            with contextlib.suppress(Exception):
                self.web.close()
        if self.notifier is not None:
            self.notifier.close()
        if self.alerts is not None:
            with contextlib.suppress(Exception):
                self.alerts.close()
        if self.leds is not None:
            with contextlib.suppress(Exception):
                self.leds.close()
        if self.speech is not None and hasattr(self.speech, "close"):
            with contextlib.suppress(Exception):
                self.speech.close()
        for w in self.captures:
            with contextlib.suppress(Exception):
                w.close()
        if self.log is not None:
            self.log.close()
        log.info("permanence: stopped")


def _worst(states: list[LineState]) -> str:
    if any(s == LineState.FAULT for s in states):
        return "fault"
    if any(s == LineState.IN_CALL for s in states):
        return "in_call"
    if any(s == LineState.RINGING for s in states):
        return "ringing"
    if states and all(s in (LineState.READY,) for s in states):
        return "ready"
    return "starting"
