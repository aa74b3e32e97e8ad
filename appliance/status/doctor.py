"""``permanence doctor``: a self-test a technician runs on the box, with the fix for each failure.

Checks, in order: the configuration; for each line, the modem (port, ``AT``,
model, firmware), the SIM and its PIN, signal, registration, SMS capability and
the audio path; the speech models (present and loadable); the prompt cache;
disk space and call-log writability; the MQTT broker; the clock.

Each check gives a :class:`Finding`: ``ok``, ``warn`` (works, but look at it),
``fail`` (the box will not do its job: the finding says how to fix it) or
``skip``. The exit code is 1 when any check fails.

The modem is spoken to over its AT port with :class:`appliance.telephony.at.AtChannel`.
While the service runs it owns that port: the doctor then uses the line's
second AT port (``sms_port``) when there is one, and otherwise skips the modem
checks and says so (``sudo systemctl stop permanence`` first).
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import socket
import subprocess
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..config import Config, LineConfig, load_config
from ..errors import PermanenceError
from ..store.diskspace import DiskSpace
from .findings import Finding, Status
from .health import log_writable

_MARK = {"ok": "  ok ", "warn": " WARN", "fail": " FAIL", "skip": " skip"}


class Doctor:
    """Runs every check. ``service_running`` (default: the call log's writer lock is held)
    tells whether the service owns the modem ports."""

    def __init__(
        self,
        config_path: str | Path | None,
        *,
        timeout: float = 3.0,
        load_models: bool = True,
        service_running: Callable[[Config], bool] | None = None,
        now: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC),
        timedatectl: Callable[[], str | None] | None = None,
        unit_state: Callable[[str], str | None] | None = None,
    ) -> None:
        self.config_path = config_path
        self.timeout = timeout
        self.load_models = load_models
        self._service_running = service_running or _writer_alive
        self._now = now
        self._timedatectl = timedatectl or _timedatectl_ntp
        self._unit_state = unit_state or _systemctl_is_active
        self.findings: list[Finding] = []

    # ---------------------------------------------------------------- driver

    def run(self) -> list[Finding]:
        self.findings = []
        cfg = self._check_config()
        if cfg is not None:
            running = self._check_service(cfg)
            self._check_modemmanager(cfg)
            for line in cfg.lines:
                self._check_line(line, running)
            self._check_models(cfg)
            self._check_prompt_cache(cfg)
            self._check_storage(cfg)
            self._check_broker(cfg)
        self._check_clock()
        return self.findings

    @property
    def failed(self) -> bool:
        return any(f.status == "fail" for f in self.findings)

    def add(self, check: str, status: Status, detail: str, fix: str = "") -> Finding:
        f = Finding(check, status, detail, fix)
        self.findings.append(f)
        return f

    # ---------------------------------------------------------------- config & service

    def _check_config(self) -> Config | None:
        try:
            cfg = load_config(self.config_path)
        except PermanenceError as exc:
            self.add("config", "fail", str(exc),
                     "fix the file and run `permanence config check --config PATH` until it passes "
                     "(examples/permanence.toml documents every key)")
            return None
        self.add("config", "ok", f"{cfg.source}: valid ({len(cfg.lines)} line(s))")
        return cfg

    def _check_service(self, cfg: Config) -> bool:
        try:
            running = self._service_running(cfg)
        except (PermanenceError, OSError) as exc:
            self.add("service", "warn", f"cannot tell whether the service runs: {exc}")
            return False
        if running:
            self.add("service", "ok", "the service is running (it owns the modem ports)")
        else:
            self.add("service", "warn", "the service is not running",
                     "start it: sudo systemctl start permanence (journalctl -u permanence shows why it stopped)")
        return running

    def _check_modemmanager(self, cfg: Config) -> None:
        if all(line.driver == "sim" for line in cfg.lines):
            return
        if self._unit_state("ModemManager.service") == "active":
            self.add("ModemManager", "warn", "ModemManager is running: it can probe and grab modem ports "
                     "(firmware/udev/99-permanence.rules tells it to ignore the supported modems)",
                     "the box does not need it: sudo systemctl disable --now ModemManager")

    # ---------------------------------------------------------------- lines

    def _check_line(self, line: LineConfig, service_running: bool) -> None:
        from .doctor_lines import check_line

        check_line(self, line, service_running)

    # ---------------------------------------------------------------- speech

    def _check_models(self, cfg: Config) -> None:
        from . import doctor_models

        doctor_models.check_models(self, cfg)

    def _check_prompt_cache(self, cfg: Config) -> None:
        if not cfg.speech.enabled:
            return
        d = Path(cfg.speech.prompt_cache) if cfg.speech.prompt_cache else cfg.data_path / "prompt-cache"
        files = [p for p in d.rglob("*") if p.is_file()] if d.is_dir() else []
        if files:
            self.add("prompt cache", "ok", f"{len(files)} rendered prompt file(s) in {d}")
        else:
            self.add("prompt cache", "warn", f"no rendered prompts in {d}: the first calls synthesise every "
                     "sentence (slower answers)", "run: sudo -u permanence permanence prompts render")

    # ---------------------------------------------------------------- storage, broker, clock

    def _check_storage(self, cfg: Config) -> None:
        d = cfg.data_path
        if not d.is_dir():
            self.add("call log", "fail", f"data directory {d} does not exist",
                     f"create it: sudo install -d -o permanence -g permanence -m 0750 {d}")
            return
        problem = log_writable(d)()
        self.add("call log", "fail" if problem else "ok", problem or f"{d} is writable (write + fsync)",
                 f"give the service's user the directory: sudo chown -R permanence: {d}" if problem else "")
        disk = DiskSpace(d, reserve_mb=cfg.storage.reserve_mb, reserve_percent=cfg.storage.reserve_percent,
                         retention_days=cfg.storage.retention_days)
        problem = disk.problem()
        self.add("disk space", "fail" if problem else "ok",
                 problem or f"{disk.free() / 1e9:.1f} GB free on {d} ({disk.reserve_bytes / 1e6:.0f} MB kept in "
                 f"reserve for the call log)",
                 "delete old recordings or set storage.retention_days (the oldest go first when room is short), "
                 "or use a bigger SD card" if problem else "")
        moved = sorted((d / "quarantine").iterdir()) if (d / "quarantine").is_dir() else []
        self.add("quarantine", "warn" if moved else "ok",
                 f"{len(moved)} unreadable file(s) moved aside in {d / 'quarantine'}: " + ", ".join(
                     p.name for p in moved[:5]) if moved else "no unreadable file met",
                 "look at them (each name says where it came from), repair or delete them" if moved else "")

    def _check_broker(self, cfg: Config) -> None:
        m = cfg.alerts.mqtt
        if not m.enabled:
            self.add("MQTT broker", "skip", "alerts.mqtt.enabled = false")
            return
        status, detail = mqtt_probe(m.host, m.port, username=m.username, password=m.password, tls=m.tls,
                                    ca_file=m.ca_file, timeout=self.timeout)
        fix = "" if status == "ok" else (f"start the broker (sudo systemctl start mosquitto) or fix "
                                         f"alerts.mqtt.host/port; test: mosquitto_sub -h {m.host} -p {m.port} -t '#'")
        self.add("MQTT broker", status, detail, fix)

    def _check_clock(self) -> None:
        now = self._now()
        if now.year < 2025:
            self.add("clock", "fail", f"the clock says {now:%Y-%m-%d %H:%M} UTC",
                     "the Pi has no battery clock: connect the box to the network (NTP) or add an RTC "
                     "(a UPS HAT with RTC); call times are wrong until then")
            return
        ntp = self._timedatectl()
        if ntp is None:
            self.add("clock", "ok", f"{now:%Y-%m-%d %H:%M} UTC (NTP status unknown: no timedatectl)")
        elif ntp == "yes":
            self.add("clock", "ok", f"{now:%Y-%m-%d %H:%M} UTC, NTP synchronised")
        else:
            self.add("clock", "warn", f"{now:%Y-%m-%d %H:%M} UTC, NTP not synchronised",
                     "check the network; sudo timedatectl set-ntp true")


def _writer_alive(cfg: Config) -> bool:
    from ..store.calllog import CallLogReader

    if not cfg.data_path.is_dir():
        return False
    return bool(CallLogReader(cfg.data_path).writer_alive())


def _systemctl_is_active(unit: str) -> str | None:
    exe = shutil.which("systemctl")
    if not exe:
        return None
    try:
        r = subprocess.run([exe, "is-active", unit], capture_output=True, text=True, timeout=5)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return r.stdout.strip() or None


def _timedatectl_ntp() -> str | None:
    exe = shutil.which("timedatectl")
    if not exe:
        return None
    try:
        r = subprocess.run([exe, "show", "-p", "NTPSynchronized", "--value"], capture_output=True, text=True,
                           timeout=5)
    except (OSError, subprocess.TimeoutExpired):
        return None
    value = r.stdout.strip()
    return value if r.returncode == 0 and value in ("yes", "no") else None


def mqtt_probe(host: str, port: int, *, username: str = "", password: str = "", tls: bool = False,
               ca_file: str = "", timeout: float = 3.0) -> tuple[Status, str]:
    """TCP connect, then an MQTT CONNECT with paho; ("ok"|"fail", detail)."""
    try:
        with socket.create_connection((host, port), timeout=timeout):
            pass
    except OSError as exc:
        return "fail", f"cannot connect to {host}:{port}: {exc}"
    import paho.mqtt.client as mqtt

    done = threading.Event()
    result: dict[str, Any] = {}

    def on_connect(client: Any, userdata: Any, flags: Any, reason: Any, properties: Any = None) -> None:
        result["reason"] = reason
        done.set()

    client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=f"permanence-doctor-{os.getpid()}")
    client.on_connect = on_connect
    if username:
        client.username_pw_set(username, password or None)
    if tls:
        client.tls_set(ca_certs=ca_file or None)
    try:
        client.connect(host, port, keepalive=10)
        client.loop_start()
        if not done.wait(timeout):
            return "fail", f"{host}:{port} accepts TCP but sent no MQTT CONNACK within {timeout:.0f} s"
        reason = result["reason"]
        if getattr(reason, "is_failure", False):
            return "fail", f"{host}:{port} refused the MQTT connection: {reason}"
        return "ok", f"{host}:{port} accepted an MQTT connection"
    except (OSError, ValueError) as exc:
        return "fail", f"MQTT connection to {host}:{port} failed: {exc}"
    finally:
        client.loop_stop()
        client.disconnect()


def render_text(findings: list[Finding]) -> str:
    out = []
    for f in findings:
        out.append(f"[{_MARK[f.status]}] {f.check}: {f.detail}")
        if f.fix and f.status in ("fail", "warn"):
            out.append(f"         fix: {f.fix}")
    n_fail = sum(f.status == "fail" for f in findings)
    n_warn = sum(f.status == "warn" for f in findings)
    out.append("")
    out.append(f"{n_fail} failure(s), {n_warn} warning(s)" if n_fail or n_warn else "all checks passed")
    return "\n".join(out)
