"""The service: wires lines, speech, conversation, alerts, the web page and the LEDs.

``permanence run`` and ``permanence demo`` both build a :class:`Service` and
call :meth:`Service.start`, then :meth:`Service.wait`; SIGTERM or Ctrl-C call
:meth:`Service.stop`, which hangs up, closes ports and flushes the log.

The service receives its parts as typed interfaces (:mod:`appliance.parts`): each
keyword has a default built from the configuration, and a test or the demo passes
its own. Start-up order: the call log (repaired: interrupted calls, unreadable files
to quarantine), the lines, then the alerts (their SMS path goes through a line), the
handlers, the status page. A failure the service survives is logged and counted
(:class:`~appliance.faults.FaultLog`), and shown on the health page.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from .call import CallerLookup, CallObserver, LineHandler, Recorder, TransferDesk
from .config import Config, LineConfig
from .conversation.base import Dialog
from .conversation.minimal import MinimalDialog
from .errors import PermanenceError, StoreError
from .faults import FaultLog
from .parts import (
    AlertsFactory,
    AlertsPart,
    LedsPart,
    LineFactory,
    LiveStatus,
    SpeechEngine,
    WatchdogPart,
    WebFactory,
    WebPart,
)
from .store.calllog import CallLog
from .store.diskspace import DiskSpace
from .store.record import CallRecord
from .telephony.at import Capture
from .telephony.line import Line, LineState, LineStatus, SmsReceived

if TYPE_CHECKING:
    from .directory import Directory
    from .worklist.notify import WorklistNotifier

log = logging.getLogger(__name__)


class Service:
    """One process, one handler per line, one writer of the call log."""

    def __init__(
        self,
        cfg: Config,
        *,
        data_dir: Path | None = None,
        observers: Sequence[CallObserver] = (),
        speech: SpeechEngine | bool = True,
        line_factory: LineFactory | None = None,
        dialogs: Callable[[CallRecord], tuple[Dialog, str]] | None = None,
        alerts: AlertsFactory | None = None,
        mqtt_url: str | None = None,
        leds: LedsPart | bool = True,
        watchdog: WatchdogPart | None = None,
        web: WebFactory | None = None,
        web_port: int | None = None,
        config_path: Path | None = None,
        faults: FaultLog | None = None,
        start_problems: Sequence[str] = (),
    ) -> None:
        self.cfg = cfg
        self.data_dir = Path(data_dir) if data_dir is not None else cfg.data_path
        self.observers: list[CallObserver] = list(observers)
        self.config_path = config_path
        self.start_problems = list(start_problems)  # e.g. running on the last good configuration
        self.faults = faults or FaultLog()
        self._speech_arg = speech
        self.speech: SpeechEngine | None = None
        self.line_factory = line_factory
        self._dialogs = dialogs
        self.alerts_factory = alerts if alerts is not None else _default_alerts(cfg, self.data_dir, mqtt_url,
                                                                                 self.faults)
        self.web_factory = web if web is not None else _default_web(cfg, web_port, config_path)
        self._leds_arg = leds
        self.watchdog = watchdog
        if watchdog is not None:
            watchdog.add_check(self.health_check)
        self.log: CallLog | None = None
        self.disk = DiskSpace(self.data_dir, reserve_mb=cfg.storage.reserve_mb,
                              reserve_percent=cfg.storage.reserve_percent,
                              retention_days=cfg.storage.retention_days) if self.data_dir.is_dir() else None
        self.handlers: list[LineHandler] = []
        self.lines: list[Line] = []
        self.alerts: AlertsPart | None = None
        self.directory: Directory | None = None  # its names and companies bias the recogniser
        self.notifier: WorklistNotifier | None = None
        self.transfers: TransferDesk | None = None  # when someone on the rota accepts transfers
        self.web: WebPart | None = None
        self.web_url: str | None = None
        self.leds: LedsPart | None = None
        self.started_at = time.time()
        self.errors: list[str] = []
        self.captures: list[CaptureWriterPart] = []
        self._stopped = threading.Event()
        self._status_thread: threading.Thread | None = None
        self._health_published: tuple[str, ...] | None = None
        self.ready = threading.Event()

    # -- building blocks -------------------------------------------------------------------
    def _build_speech(self) -> SpeechEngine | None:
        if self._speech_arg is False or not self.cfg.speech.enabled:
            return None
        if not isinstance(self._speech_arg, bool):
            return self._speech_arg
        from .speechio import EngineSpeech

        may_grow = self.disk.may_grow if self.disk is not None else None
        directory = self.directory  # the customer directory's names and companies bias the recogniser
        return EngineSpeech(self.cfg, cache_dir=self.data_dir / "prompt-cache", may_grow=may_grow,
                            extra_phrases=(lambda lang: directory.phrases()) if directory is not None else None)

    def _dialog_factory(self) -> Callable[[CallRecord], tuple[Dialog, str]]:
        if self._dialogs is not None:
            return self._dialogs
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
        may_grow = self.disk.may_grow if self.disk is not None else None

        def make(call_id: str) -> Recorder:
            if may_grow is not None and not may_grow(64_000):  # two seconds of audio, or no recording
                raise StoreError("disk nearly full: the call is not recorded (room kept for the call log)")
            return CallRecorder(calllog.recording_path(call_id), may_grow=may_grow)
        return make

    def _open_lines(self) -> list[Line]:
        factory: LineFactory = self.line_factory or _open_line
        lines = []
        for lc in self.cfg.lines:
            capture: Capture | None = None
            if self.cfg.capture.enabled:
                from .capture.writer import CaptureWriter

                writer = CaptureWriter(self.data_dir / "captures", lc.name, max_bytes=self.cfg.capture.max_bytes,
                                       days=self.cfg.capture.days,
                                       may_grow=self.disk.may_grow if self.disk is not None else None)
                self.captures.append(writer)
                capture = writer.record
            lines.append(factory(lc, capture=capture))
        return lines

    # -- lifecycle -------------------------------------------------------------------------
    def start(self) -> None:
        self.faults.attach()
        self._open_log()
        self.directory = self._open_directory()  # before speech: its names and companies are phrases
        self.speech = self._build_speech()
        if self.speech is not None:
            self._prerender()
        self._start_leds()
        self.lines = self._open_lines()
        self._start_alerts()
        self.transfers = self._transfer_desk()
        recorder_factory = self._recorder_factory()
        dialog_factory = self._dialog_factory()
        observers = list(self.observers)
        if self.alerts is not None:
            observers.append(_AlertsObserver(self.alerts))
            observers.extend(self._start_worklist_notices(self.alerts))
        assert self.log is not None
        lookup = self._caller_lookup()
        for line, lc in zip(self.lines, self.cfg.lines, strict=True):
            h = LineHandler(line, lc, self.cfg, self.log, dialog_factory=dialog_factory, speech=self.speech,
                            observers=observers, recorder_factory=recorder_factory, on_sms=self._on_sms,
                            office_open=self._office_open, caller_lookup=lookup, transfers=self.transfers,
                            faults=self.faults)
            self.handlers.append(h)
            h.start()
        self._start_web()
        self._status_thread = threading.Thread(target=self._status_loop, name="status", daemon=True)
        self._status_thread.start()

    def _open_log(self) -> None:
        try:
            self.data_dir.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreError(f"{self.data_dir}: cannot create the data directory: {exc.strerror or exc} "
                             f"(choose another with storage.data_dir or --data)") from None
        if self.disk is None:
            self.disk = DiskSpace(self.data_dir, reserve_mb=self.cfg.storage.reserve_mb,
                                  reserve_percent=self.cfg.storage.reserve_percent,
                                  retention_days=self.cfg.storage.retention_days)
        from .speech.recording import finish_partials

        finish_partials(self.data_dir / "recordings", delete=self.disk.free() < self.disk.reserve_bytes)
        self.log = CallLog(self.data_dir, faults=self.faults)
        interrupted = self.log.recover()
        if interrupted:
            log.warning("%d call(s) cut off by the last stop marked interrupted", len(interrupted))

    def _open_directory(self) -> Directory:
        from .directory import Directory

        country = self.cfg.lines[0].country if self.cfg.lines else "FR"
        quarantine = self.log.quarantine if self.log is not None else None  # a bad file: a health fault
        return Directory(self.data_dir, self.cfg.directory, country=country, quarantine=quarantine)

    def _caller_lookup(self) -> CallerLookup:
        from .directory.lookup import CallerLookup as DirectoryLookup

        assert self.log is not None
        return DirectoryLookup(self.directory, self.log, self.cfg.company.tz)

    def _start_worklist_notices(self, alerts: AlertsPart) -> list[CallObserver]:
        """Overdue callbacks and the morning digest to the office; the optional message to callers."""
        from .worklist.caller_sms import CallerSms
        from .worklist.notify import WorklistNotifier

        assert self.log is not None
        self.notifier = WorklistNotifier(self.cfg, self.log, alerts, self.data_dir, directory=self.directory,
                                         quarantine=self.log.quarantine if self.log is not None else None)
        self.notifier.start()
        caller_sms = CallerSms(self.cfg, self.log, alerts, self.data_dir)
        alerts.on_other_sms = caller_sms.sms_received
        return [caller_sms]

    def _transfer_desk(self) -> TransferDesk | None:
        """Urgent callers are put through when someone on the rota accepts it (appliance.transfer)."""
        if not any(p.transfer for p in self.cfg.rota.people):
            return None
        from .transfer import TransferDesk as Desk

        alerts, calllog = self.alerts, self.log
        assert calllog is not None

        def acknowledge(call_id: str, person: str) -> None:
            if alerts is not None:
                alerts.acknowledge(call_id, person, via="transfer")
            else:  # no alert path configured: the timeline still says who took the call
                calllog.add_event(call_id, "acknowledged", by=person, via="transfer")
        return Desk(self.cfg, acknowledge=acknowledge)

    def _office_open(self) -> bool:
        return self.cfg.company.is_open(dt.datetime.now(dt.UTC))

    def _prerender(self) -> None:
        from .prerender import fixed_prompts

        assert self.speech is not None
        lang = self.cfg.company.language
        try:
            texts = fixed_prompts(self.cfg, lang)
            n = self.speech.prerender(texts, lang)
        except PermanenceError as exc:
            log.error("cannot render the fixed prompts: %s", exc)
            self.faults.count("prompt cache", str(exc))
            return
        log.info("prompt cache: %d fixed prompt(s) ready", n)

    def _start_alerts(self) -> None:
        if self.alerts_factory is None:
            return
        assert self.log is not None
        self.alerts = self.alerts_factory(self.log, self.lines)
        self.alerts.start()
        n = self.alerts.reconcile(self.log)
        if n:
            log.warning("alerts: %d urgent call(s) of the log had no alert under way (a crash): alerted now", n)

    def _on_sms(self, ev: SmsReceived) -> None:
        if self.alerts is not None:
            self.alerts.sms_received(ev.sender, ev.text)

    def _start_leds(self) -> None:
        if not isinstance(self._leds_arg, bool):
            self.leds = self._leds_arg
            return
        leds = self.cfg.leds
        if not self._leds_arg or all(p is None for p in (leds.ready, leds.in_call, leds.urgent, leds.fault)):
            return
        try:
            from .status.leds import StatusLeds

            self.leds = StatusLeds(leds)
        except PermanenceError as exc:  # no GPIO on this machine: the service still runs
            log.warning("status LEDs unavailable: %s", exc)
            self.errors.append(f"LEDs: {exc}")
            self.faults.count("status LEDs", str(exc))

    def _start_web(self) -> None:
        if self.web_factory is None:
            return
        assert self.log is not None
        self.web = self.web_factory(self.log, self.live, self.config_changed, self.directory)
        bind = self.cfg.web.bind
        host = bind if bind not in ("0.0.0.0", "::") else "127.0.0.1"
        self.web_url = f"{self.web.scheme}://{f'[{host}]' if ':' in host else host}:{self.web.port}/"

    def config_changed(self, cfg: Config) -> None:
        """The settings page saved a new configuration: the rota and alert texts apply at once."""
        self.cfg = cfg
        if self.alerts is not None:
            self.alerts.update_config(cfg)
        if self.config_path is not None:
            self.remember_config()

    def remember_config(self) -> None:
        """Keep the configuration file as the last good one (:mod:`appliance.lastgood`)."""
        from .lastgood import remember

        if self.config_path is None:
            return
        try:
            text = self.config_path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            log.warning("cannot keep a copy of the configuration: %s", exc)
            return
        remember(text, self.data_dir)

    # -- status ----------------------------------------------------------------------------
    def line_states(self) -> dict[str, str]:
        return {h.line.name: str(h.state) for h in self.handlers}

    def _line_dicts(self) -> list[dict[str, object]]:
        lines: list[dict[str, object]] = []
        for h in self.handlers:
            try:
                st = h.line.status()
            except Exception as exc:  # noqa: BLE001 - a broken driver shows as a fault on the page
                self.faults.count(f"line {h.line.name}: status", f"{type(exc).__name__}: {exc}")
                st = LineStatus(name=h.line.name, driver="?", state=LineState.FAULT, last_error=str(exc))
            d: dict[str, object] = {k: (str(v) if isinstance(v, LineState) else v) for k, v in st.__dict__.items()}
            d["handler_state"] = str(h.state)
            d["current_call"] = h.call.id if h.call else None
            lines.append(d)
        return lines

    def live(self) -> LiveStatus:
        captures_dir = self.data_dir / "captures"
        return {
            "lines": self._line_dicts(),
            "uptime_s": round(time.time() - self.started_at, 1),
            "models": dict(self.speech.describe()) if self.speech else {"speech": "disabled"},
            "errors": list(self.errors[-20:]) + [h.last_error for h in self.handlers if h.last_error],
            "problems": self.problems(),
            "faults": self.faults.snapshot(),
            "disk_free_bytes": self.disk.free() if self.disk is not None else None,
            "disk_reserve_bytes": self.disk.reserve_bytes if self.disk is not None else None,
            "captures": sorted(str(p) for p in captures_dir.glob("*")) if captures_dir.is_dir() else [],
            "urgent_pending": self.alerts.pending_urgent() if self.alerts is not None else [],
        }

    def health_problems(self) -> list[str]:
        """What makes the service unable to do its job (the watchdog stops pinging: systemd restarts it)."""
        problems = []
        now = time.monotonic()
        for h in self.handlers:
            if not h.alive():
                problems.append(f"line {h.line.name}: handler thread stopped")
            elif now - h.last_poll > 5:
                problems.append(f"line {h.line.name}: not polled for {now - h.last_poll:.0f} s")
        return problems

    def health_check(self) -> str | None:
        return "; ".join(self.health_problems()) or None

    def problems(self) -> list[str]:
        """Faults the owner must see (health page, fault LED, MQTT health) while the box keeps answering:
        disk nearly full, files moved to quarantine, the call log failing to write."""
        out: list[str] = list(self.start_problems)
        if self.disk is not None and (p := self.disk.problem()):
            out.append(p)
        if self.log is not None:
            out.extend(self.log.problems())
        if self.alerts is not None:
            out.extend(self.alerts.problems())
        return out

    def _status_loop(self) -> None:
        ticks = 0
        while not self._stopped.wait(0.5):
            ticks += 1
            states = [h.state for h in self.handlers]
            if not self.ready.is_set() and states and all(s != LineState.STARTING for s in states):
                self.ready.set()
                log.info("permanence: ready (%s)", ", ".join(f"{h.line.name}={h.state}" for h in self.handlers))
                if self.watchdog is not None:
                    self.watchdog.ready()
            problems = self.problems()
            if self.leds is not None:
                pending = bool(self.alerts.pending_urgent()) if self.alerts is not None else False
                worst = _worst(states)
                with self.faults.guard("status LEDs", log):  # a health fault shows while no call is on
                    self.leds.show("fault" if problems and worst in ("ready", "starting") else worst, pending)
            if self.alerts is not None:
                with self.faults.guard("MQTT state", log):
                    self._publish_state(problems)
            if self.watchdog is not None and ticks % 2 == 0:
                self.watchdog.tick()
            if self.disk is not None and ticks % 10 == 1:
                with self.faults.guard("disk reserve", log):
                    self.disk.keep_reserve()
            if self.disk is not None and ticks % 7200 == 1:  # hourly (and at start)
                with self.faults.guard("recording retention", log):
                    self.disk.expire_recordings()

    def _publish_state(self, problems: list[str]) -> None:
        assert self.log is not None and self.alerts is not None
        start = dt.datetime.now(self.cfg.company.tz).replace(hour=0, minute=0, second=0, microsecond=0)
        rows = self.log.summaries(since=start)
        self.alerts.publish_state(self.line_states(), len(rows), sum(1 for r in rows if r["state"] == "abandoned"))
        if tuple(problems) != self._health_published:
            self.alerts.publish_health(problems)
            self._health_published = tuple(problems)

    def calls_finished(self) -> int:
        return sum(h.calls_finished for h in self.handlers)

    def wait(self, timeout: float | None = None) -> bool:
        return self._stopped.wait(timeout)

    def stop(self) -> None:
        if self._stopped.is_set():
            return
        self._stopped.set()
        log.info("permanence: stopping")
        if self.watchdog is not None:
            with self.faults.guard("stop: watchdog", log):
                self.watchdog.stopping()
        for h in self.handlers:
            h.stop()
        closers: list[tuple[str, Callable[[], None] | None]] = [
            ("status page", self.web.close if self.web is not None else None),
            ("worklist notices", self.notifier.close if self.notifier is not None else None),
            ("alerts", self.alerts.close if self.alerts is not None else None),
            ("status LEDs", self.leds.close if self.leds is not None else None),
            ("speech", self.speech.close if self.speech is not None else None),
            ("watchdog", self.watchdog.close if self.watchdog is not None else None),
            *((f"capture {w.line_name}", w.close) for w in self.captures),
        ]
        for what, close in closers:
            if close is not None:
                with self.faults.guard(f"stop: {what}", log):
                    close()
        if self._status_thread is not None:
            self._status_thread.join(5)
        if self.log is not None:
            self.log.close()
        self.faults.detach()
        log.info("permanence: stopped")


class CaptureWriterPart(Protocol):
    """What the service keeps of a capture writer (appliance.capture.writer.CaptureWriter)."""

    line_name: str

    def close(self) -> None: ...


class _AlertsObserver:
    """Tells the alerts about calls (on each line's event thread, once the change is on disk)."""

    def __init__(self, alerts: AlertsPart) -> None:
        self.alerts = alerts

    def call_event(self, kind: str, rec: CallRecord) -> None:
        self.alerts.call_event(kind, rec)

    def urgent(self, rec: CallRecord) -> None:
        self.alerts.urgent(rec)


def _open_line(cfg: LineConfig, *, capture: Capture | None = None) -> Line:
    from .telephony import open_line

    return open_line(cfg, capture=capture)


def _default_alerts(cfg: Config, data_dir: Path, mqtt_url: str | None, faults: FaultLog) -> AlertsFactory | None:
    from .alerts.wiring import alerts_factory

    return alerts_factory(cfg, data_dir, mqtt_url=mqtt_url, faults=faults)


def _default_web(cfg: Config, port: int | None, config_path: Path | None) -> WebFactory | None:
    port = cfg.web.port if port is None else port
    if not port:
        return None
    from .web.server import status_page

    # a negative port asks for any free port (the demo, when its usual port is taken)
    return status_page(cfg, max(0, port), config_path)


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
