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

import dataclasses
import datetime as dt
import os
import re
import shutil
import socket
import subprocess
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any, Literal

from ..config import Config, LineConfig, load_config
from ..errors import LineError, ModemError, ModemTimeout, PermanenceError, PortGone
from .health import disk_free, log_writable

Status = Literal["ok", "warn", "fail", "skip"]
_MARK = {"ok": "  ok ", "warn": " WARN", "fail": " FAIL", "skip": " skip"}


@dataclasses.dataclass(frozen=True)
class Finding:
    check: str
    status: Status
    detail: str
    fix: str = ""

    def to_dict(self) -> dict[str, str]:
        return dataclasses.asdict(self)


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
        name = f"line {line.name}"
        if line.driver == "sim":
            self.add(f"{name}: modem", "skip", "simulator line (driver = \"sim\"): no modem to check")
            return
        port = line.port
        if service_running:
            if line.sms_port:
                port = line.sms_port
            else:
                self.add(f"{name}: modem", "skip", f"the service owns {line.port}",
                         "to test the modem: sudo systemctl stop permanence; permanence doctor; "
                         "sudo systemctl start permanence")
                return
        from ..telephony.at import AtChannel

        ch = AtChannel(port, name=line.name, timeout=self.timeout)
        try:
            try:
                ch.open()
            except PortGone as exc:
                self.add(f"{name}: port", "fail", str(exc),
                         "check the USB cable / HAT, `ls -l /dev/permanence/` (udev names from "
                         "firmware/udev/99-permanence.rules), and that the user is in group dialout")
                return
            self.add(f"{name}: port", "ok", f"{port} opens")
            if not self._modem_basics(ch, line):
                return
            if line.driver == "gsm":
                self._gsm_checks(ch, line)
            else:
                self._voicemodem_checks(ch, line)
        finally:
            ch.close()
        self._check_audio(line)

    def _cmd(self, ch: Any, cmd: str) -> Any:
        return ch.command(cmd, timeout=self.timeout, check=False)

    def _modem_basics(self, ch: Any, line: LineConfig) -> bool:
        name = f"line {line.name}"
        try:
            r = self._cmd(ch, "AT")
        except ModemTimeout:
            self.add(f"{name}: modem", "fail", f"no reply to AT within {self.timeout:.0f} s on {ch.url}",
                     "the modem is off or hung: power-cycle it (HAT power key"
                     f"{f' on GPIO {line.power_gpio}' if line.power_gpio is not None else ''}, or unplug and "
                     "replug its USB cable), check the port is the AT port (sim7600-at, not -diag/-nmea)")
            return False
        except LineError as exc:
            self.add(f"{name}: modem", "fail", str(exc), "unplug and replug the modem, then run doctor again")
            return False
        if not r.ok:
            self.add(f"{name}: modem", "fail", f"AT answered {r.final!r}", "reset the modem (ATZ or power cycle)")
            return False
        ident = self._first_info(ch, "AT+CGMM") or self._first_info(ch, "ATI") or "?"
        fw = self._first_info(ch, "AT+CGMR") or "?"
        fw = re.sub(r"^\+CGMR:\s*", "", fw)
        self.add(f"{name}: modem", "ok", f"answers AT; model {ident!r}, firmware {fw!r}")
        if line.model != "auto":
            from ..modem_profiles import identify_model

            found = identify_model(ident)
            if found is not None and found != line.model:
                self.add(f"{name}: model", "warn", f"configured model {line.model!r} but the modem says "
                         f"{ident!r} ({found})", f"set model = \"{found}\" (or \"auto\") in [[lines]]")
        return True

    def _first_info(self, ch: Any, cmd: str) -> str | None:
        try:
            r = self._cmd(ch, cmd)
        except LineError:
            return None
        lines = [ln for ln in r.lines if ln.strip()]
        return lines[0].strip() if r.ok and lines else None

    def _gsm_checks(self, ch: Any, line: LineConfig) -> None:
        name = f"line {line.name}"
        try:
            r = self._cmd(ch, "AT+CPIN?")
            cpin = r.value("+CPIN:") or r.final
            if "READY" in cpin:
                self.add(f"{name}: SIM", "ok", "SIM ready (no PIN needed, or already entered)")
            elif "SIM PIN" in cpin:
                how = ("the configured pin has not been entered yet: start the service" if line.pin
                       else "set pin = \"NNNN\" in this [[lines]] block, or remove the PIN with a phone")
                self.add(f"{name}: SIM", "fail", "the SIM asks for its PIN", how)
            elif "PUK" in cpin:
                self.add(f"{name}: SIM", "fail", f"the SIM is blocked ({cpin})",
                         "unblock it with its PUK code in a phone; never retry PINs from the box")
            else:
                self.add(f"{name}: SIM", "fail", f"no usable SIM ({cpin})",
                         "insert the SIM (power off first), contacts down, and check it works in a phone")
                return
            rssi = _int_field(self._cmd(ch, "AT+CSQ").value("+CSQ:"), 0)
            if rssi is None or rssi == 99:
                self.add(f"{name}: signal", "fail", "no signal (+CSQ 99)",
                         "connect the antenna to the MAIN connector, place it high and away from metal")
            else:
                dbm = -113 + 2 * rssi
                status: Status = "ok" if rssi >= 10 else "warn"
                self.add(f"{name}: signal", status, f"+CSQ {rssi} ({dbm} dBm)",
                         "" if status == "ok" else "weak signal: move the antenna (window, higher) or use a "
                         "longer cable to a better spot")
            stat = _int_field(self._cmd(ch, "AT+CREG?").value("+CREG:"), 1)
            reg = {1: ("ok", "registered (home network)"), 5: ("ok", "registered (roaming)"),
                   2: ("warn", "searching for a network"), 0: ("fail", "not registered, not searching"),
                   3: ("fail", "registration denied by the network")}
            st, text = reg.get(stat if stat is not None else -1, ("fail", f"unknown registration state {stat}"))
            self.add(f"{name}: network", st, text,  # type: ignore[arg-type]
                     "" if st == "ok" else "check the SIM has an active voice plan and the antenna; "
                     "wait a minute after power-on")
            if line.sms:
                formats = self._cmd(ch, "AT+CMGF=?").value("+CMGF:") or ""
                smsc = self._cmd(ch, "AT+CSCA?").value("+CSCA:") or ""
                if "0" not in formats and "1" not in formats:
                    self.add(f"{name}: SMS", "fail", "the modem offers no SMS mode (AT+CMGF=?)",
                             "use another line for SMS alerts (alerts.sms.line) or set sms = false")
                elif not re.search(r'"\+?\d{5,}"', smsc):
                    self.add(f"{name}: SMS", "fail", f"no SMS centre number (AT+CSCA? = {smsc!r})",
                             'set it once: AT+CSCA="+33XXXXXXXXX" (your operator\'s SMSC), or ask the operator')
                else:
                    self.add(f"{name}: SMS", "ok", f"text/PDU modes {formats}, SMS centre {smsc}")
        except ModemTimeout as exc:
            self.add(f"{name}: modem", "fail", f"stopped answering: {exc}",
                     "power-cycle the modem; if it recurs, check the power supply (5 V 3 A for a Pi + LTE HAT)")
        except LineError as exc:
            self.add(f"{name}: modem", "fail", str(exc), "unplug and replug the modem")

    def _voicemodem_checks(self, ch: Any, line: LineConfig) -> None:
        name = f"line {line.name}"
        try:
            classes = self._cmd(ch, "AT+FCLASS=?").text() or ""
            if "8" not in re.split(r"[^0-9.]+", classes):
                self.add(f"{name}: voice", "fail", f"the modem has no voice mode (AT+FCLASS=? = {classes!r})",
                         "use a voice modem (USRobotics 5637 or a Conexant CX93010 stick): data-only "
                         "modems cannot answer calls with speech")
                return
            self.add(f"{name}: voice", "ok", "voice mode (+FCLASS=8) supported")
            vsm = self._cmd(ch, "AT+VSM=?")
            self.add(f"{name}: audio", "ok" if vsm.ok else "fail",
                     "voice sample formats: " + (vsm.text().replace("\n", "; ") or "?") if vsm.ok
                     else f"AT+VSM=? answered {vsm.final}",
                     "" if vsm.ok else "the modem cannot stream voice samples: check the model")
            cid = self._cmd(ch, "AT+VCID=1")
            self.add(f"{name}: caller id", "ok" if cid.ok else "warn",
                     "caller id reporting enabled" if cid.ok else f"AT+VCID=1 answered {cid.final}",
                     "" if cid.ok else "caller numbers will not show; ask the operator to enable caller id")
        except ModemError as exc:
            self.add(f"{name}: voice", "fail", str(exc), "reset the modem (unplug/replug)")
        except LineError as exc:
            self.add(f"{name}: modem", "fail", str(exc), "unplug and replug the modem")

    def _check_audio(self, line: LineConfig) -> None:
        name = f"line {line.name}: audio path"
        if line.driver != "gsm":
            return  # voice modems carry audio on the AT port (checked with AT+VSM=?)
        if not line.audio_port:
            if line.model == "sim800":
                self.add(name, "warn" if not Path("/dev/snd").exists() else "ok",
                         "SIM800: analog audio through a USB sound card" +
                         ("" if Path("/dev/snd").exists() else " (no /dev/snd: none found)"),
                         "" if Path("/dev/snd").exists() else "plug the USB sound card wired to the HAT's audio")
            else:
                self.add(name, "warn", "no audio_port: calls are answered and logged, but no conversation",
                         'set audio_port = "/dev/permanence/sim7600-audio" in this [[lines]] block')
            return
        try:
            import serial

            with serial.serial_for_url(line.audio_port, timeout=0.1, write_timeout=1.0):
                pass
            self.add(name, "ok", f"{line.audio_port} opens")
        except (OSError, ValueError, serial.SerialException) as exc:
            self.add(name, "fail", f"cannot open the audio port {line.audio_port!r}: {exc}",
                     "check the SIM7600 USB cable and /dev/permanence/sim7600-audio; after a failed call "
                     "only AT+CRESET (or a power cycle) revives it")

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
        problem = disk_free(d)()
        free = shutil.disk_usage(d).free
        self.add("disk space", "fail" if problem else "ok", problem or f"{free / 1e9:.1f} GB free on {d}",
                 "delete old recordings (storage.retention_days) or use a bigger SD card" if problem else "")

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


def _int_field(value: str | None, index: int) -> int | None:
    if not value:
        return None
    parts = [p.strip() for p in value.split(",")]
    try:
        return int(parts[index])
    except (IndexError, ValueError):
        return None


def _writer_alive(cfg: Config) -> bool:
    try:
        from ..store.calllog import CallLogReader
    except ImportError:
        return False
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
