"""The doctor's per-line checks: port, modem (AT, model, firmware), SIM, signal, registration,
SMS, voice mode and the audio path. Spoken over :class:`appliance.telephony.at.AtChannel`."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from ..config import LineConfig
from ..errors import LineError, ModemError, ModemTimeout, PortGone
from .findings import Findings, Status


def check_line(doc: Findings, line: LineConfig, service_running: bool) -> None:
    name = f"line {line.name}"
    if line.driver == "sim":
        doc.add(f"{name}: modem", "skip", "simulator line (driver = \"sim\"): no modem to check")
        return
    port = line.port
    if service_running:
        if line.sms_port:
            port = line.sms_port
        else:
            doc.add(f"{name}: modem", "skip", f"the service owns {line.port}",
                     "to test the modem: sudo systemctl stop permanence; permanence doctor; "
                     "sudo systemctl start permanence")
            return
    from ..telephony.at import AtChannel

    ch = AtChannel(port, name=line.name, timeout=doc.timeout)
    try:
        try:
            ch.open()
        except PortGone as exc:
            doc.add(f"{name}: port", "fail", str(exc),
                     "check the USB cable / HAT, `ls -l /dev/permanence/` (udev names from "
                     "firmware/udev/99-permanence.rules), and that the user is in group dialout")
            return
        doc.add(f"{name}: port", "ok", f"{port} opens")
        if not _modem_basics(doc, ch, line):
            return
        if line.driver == "gsm":
            _gsm_checks(doc, ch, line)
        else:
            _voicemodem_checks(doc, ch, line)
    finally:
        ch.close()
    _check_audio(doc, line)

def _cmd(doc: Findings, ch: Any, cmd: str) -> Any:
    return ch.command(cmd, timeout=doc.timeout, check=False)

def _modem_basics(doc: Findings, ch: Any, line: LineConfig) -> bool:
    name = f"line {line.name}"
    try:
        r = _cmd(doc, ch, "AT")
    except ModemTimeout:
        doc.add(f"{name}: modem", "fail", f"no reply to AT within {doc.timeout:.0f} s on {ch.url}",
                 "the modem is off or hung: power-cycle it (HAT power key"
                 f"{f' on GPIO {line.power_gpio}' if line.power_gpio is not None else ''}, or unplug and "
                 "replug its USB cable), check the port is the AT port (sim7600-at, not -diag/-nmea)")
        return False
    except LineError as exc:
        doc.add(f"{name}: modem", "fail", str(exc), "unplug and replug the modem, then run doctor again")
        return False
    if not r.ok:
        doc.add(f"{name}: modem", "fail", f"AT answered {r.final!r}", "reset the modem (ATZ or power cycle)")
        return False
    ident = _first_info(doc, ch, "AT+CGMM") or _first_info(doc, ch, "ATI") or "?"
    fw = _first_info(doc, ch, "AT+CGMR") or "?"
    fw = re.sub(r"^\+CGMR:\s*", "", fw)
    doc.add(f"{name}: modem", "ok", f"answers AT; model {ident!r}, firmware {fw!r}")
    if line.model != "auto":
        from ..modem_profiles import identify_model

        found = identify_model(ident)
        if found is not None and found != line.model:
            doc.add(f"{name}: model", "warn", f"configured model {line.model!r} but the modem says "
                     f"{ident!r} ({found})", f"set model = \"{found}\" (or \"auto\") in [[lines]]")
    return True

def _first_info(doc: Findings, ch: Any, cmd: str) -> str | None:
    try:
        r = _cmd(doc, ch, cmd)
    except LineError:
        return None
    lines = [ln for ln in r.lines if ln.strip()]
    return lines[0].strip() if r.ok and lines else None

def _gsm_checks(doc: Findings, ch: Any, line: LineConfig) -> None:
    name = f"line {line.name}"
    try:
        r = _cmd(doc, ch, "AT+CPIN?")
        cpin = r.value("+CPIN:") or r.final
        if "READY" in cpin:
            doc.add(f"{name}: SIM", "ok", "SIM ready (no PIN needed, or already entered)")
        elif "SIM PIN" in cpin:
            how = ("the configured pin has not been entered yet: start the service" if line.pin
                   else "set pin = \"NNNN\" in this [[lines]] block, or remove the PIN with a phone")
            doc.add(f"{name}: SIM", "fail", "the SIM asks for its PIN", how)
        elif "PUK" in cpin:
            doc.add(f"{name}: SIM", "fail", f"the SIM is blocked ({cpin})",
                     "unblock it with its PUK code in a phone; never retry PINs from the box")
        else:
            doc.add(f"{name}: SIM", "fail", f"no usable SIM ({cpin})",
                     "insert the SIM (power off first), contacts down, and check it works in a phone")
            return
        rssi = _int_field(_cmd(doc, ch, "AT+CSQ").value("+CSQ:"), 0)
        if rssi is None or rssi == 99:
            doc.add(f"{name}: signal", "fail", "no signal (+CSQ 99)",
                     "connect the antenna to the MAIN connector, place it high and away from metal")
        else:
            dbm = -113 + 2 * rssi
            status: Status = "ok" if rssi >= 10 else "warn"
            doc.add(f"{name}: signal", status, f"+CSQ {rssi} ({dbm} dBm)",
                     "" if status == "ok" else "weak signal: move the antenna (window, higher) or use a "
                     "longer cable to a better spot")
        stat = _int_field(_cmd(doc, ch, "AT+CREG?").value("+CREG:"), 1)
        reg = {1: ("ok", "registered (home network)"), 5: ("ok", "registered (roaming)"),
               2: ("warn", "searching for a network"), 0: ("fail", "not registered, not searching"),
               3: ("fail", "registration denied by the network")}
        st, text = reg.get(stat if stat is not None else -1, ("fail", f"unknown registration state {stat}"))
        doc.add(f"{name}: network", st, text,  # type: ignore[arg-type]
                 "" if st == "ok" else "check the SIM has an active voice plan and the antenna; "
                 "wait a minute after power-on")
        if line.sms:
            formats = _cmd(doc, ch, "AT+CMGF=?").value("+CMGF:") or ""
            smsc = _cmd(doc, ch, "AT+CSCA?").value("+CSCA:") or ""
            if "0" not in formats and "1" not in formats:
                doc.add(f"{name}: SMS", "fail", "the modem offers no SMS mode (AT+CMGF=?)",
                         "use another line for SMS alerts (alerts.sms.line) or set sms = false")
            elif not re.search(r'"\+?\d{5,}"', smsc):
                doc.add(f"{name}: SMS", "fail", f"no SMS centre number (AT+CSCA? = {smsc!r})",
                         'set it once: AT+CSCA="+33XXXXXXXXX" (your operator\'s SMSC), or ask the operator')
            else:
                doc.add(f"{name}: SMS", "ok", f"text/PDU modes {formats}, SMS centre {smsc}")
    except ModemTimeout as exc:
        doc.add(f"{name}: modem", "fail", f"stopped answering: {exc}",
                 "power-cycle the modem; if it recurs, check the power supply (5 V 3 A for a Pi + LTE HAT)")
    except LineError as exc:
        doc.add(f"{name}: modem", "fail", str(exc), "unplug and replug the modem")

def _voicemodem_checks(doc: Findings, ch: Any, line: LineConfig) -> None:
    name = f"line {line.name}"
    try:
        classes = _cmd(doc, ch, "AT+FCLASS=?").text() or ""
        if "8" not in re.split(r"[^0-9.]+", classes):
            doc.add(f"{name}: voice", "fail", f"the modem has no voice mode (AT+FCLASS=? = {classes!r})",
                     "use a voice modem (USRobotics 5637 or a Conexant CX93010 stick): data-only "
                     "modems cannot answer calls with speech")
            return
        doc.add(f"{name}: voice", "ok", "voice mode (+FCLASS=8) supported")
        vsm = _cmd(doc, ch, "AT+VSM=?")
        doc.add(f"{name}: audio", "ok" if vsm.ok else "fail",
                 "voice sample formats: " + (vsm.text().replace("\n", "; ") or "?") if vsm.ok
                 else f"AT+VSM=? answered {vsm.final}",
                 "" if vsm.ok else "the modem cannot stream voice samples: check the model")
        cid = _cmd(doc, ch, "AT+VCID=1")
        doc.add(f"{name}: caller id", "ok" if cid.ok else "warn",
                 "caller id reporting enabled" if cid.ok else f"AT+VCID=1 answered {cid.final}",
                 "" if cid.ok else "caller numbers will not show; ask the operator to enable caller id")
    except ModemError as exc:
        doc.add(f"{name}: voice", "fail", str(exc), "reset the modem (unplug/replug)")
    except LineError as exc:
        doc.add(f"{name}: modem", "fail", str(exc), "unplug and replug the modem")

def _check_audio(doc: Findings, line: LineConfig) -> None:
    name = f"line {line.name}: audio path"
    if line.driver != "gsm":
        return  # voice modems carry audio on the AT port (checked with AT+VSM=?)
    if not line.audio_port:
        if line.model == "sim800":
            doc.add(name, "warn" if not Path("/dev/snd").exists() else "ok",
                     "SIM800: analog audio through a USB sound card" +
                     ("" if Path("/dev/snd").exists() else " (no /dev/snd: none found)"),
                     "" if Path("/dev/snd").exists() else "plug the USB sound card wired to the HAT's audio")
        else:
            doc.add(name, "warn", "no audio_port: calls are answered and logged, but no conversation",
                     'set audio_port = "/dev/permanence/sim7600-audio" in this [[lines]] block')
        return
    try:
        import serial

        with serial.serial_for_url(line.audio_port, timeout=0.1, write_timeout=1.0):
            pass
        doc.add(name, "ok", f"{line.audio_port} opens")
    except (OSError, ValueError, serial.SerialException) as exc:
        doc.add(name, "fail", f"cannot open the audio port {line.audio_port!r}: {exc}",
                 "check the SIM7600 USB cable and /dev/permanence/sim7600-audio; after a failed call "
                 "only AT+CRESET (or a power cycle) revives it")


def _int_field(value: str | None, index: int) -> int | None:
    if not value:
        return None
    parts = [p.strip() for p in value.split(",")]
    try:
        return int(parts[index])
    except (IndexError, ValueError):
        return None
