"""`permanence doctor` against the real line simulator (a modem behind a pty), real mosquitto,
real files; faults injected into the simulator."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from appliance.status.doctor import Doctor, render_text
from appliance.telephony.simulator import Simulator

from .conftest import free_port

ROOT = Path(__file__).resolve().parents[2]
T = 1.0  # modem reply timeout in these tests


def write_config(tmp_path: Path, lines: str, *, mqtt_port: int | None = None, extra: str = "") -> Path:
    data = tmp_path / "data"
    data.mkdir(exist_ok=True)
    mqtt = (f'[alerts.mqtt]\nenabled = true\nhost = "127.0.0.1"\nport = {mqtt_port}\n' if mqtt_port
            else "")
    text = f"{lines}\n[speech]\nenabled = false\n[storage]\ndata_dir = \"{data}\"\n{mqtt}{extra}"
    p = tmp_path / "permanence.toml"
    p.write_text(text)
    return p


def gsm_line(sim: Simulator, **kw: str) -> str:
    parts = {"name": '"gsm1"', "driver": '"gsm"', "port": f'"{sim.port}"', "audio_port": f'"{sim.audio_port}"',
             "sms_port": f'"{sim.sms_port}"', "model": '"sim7600"'} | kw
    return "[[lines]]\n" + "\n".join(f"{k} = {v}" for k, v in parts.items()) + "\n"


def doctor(cfg: Path, **kw) -> Doctor:
    kw.setdefault("service_running", lambda c: False)
    kw.setdefault("timedatectl", lambda: "yes")
    kw.setdefault("unit_state", lambda unit: "inactive")
    d = Doctor(cfg, timeout=T, **kw)
    d.run()
    return d


def by_check(d: Doctor) -> dict[str, tuple[str, str, str]]:
    return {f.check: (f.status, f.detail, f.fix) for f in d.findings}


@pytest.fixture
def gsm():
    with Simulator("gsm") as sim:
        sim.start()
        yield sim


def test_healthy_gsm_box(tmp_path, gsm, mosquitto):
    d = doctor(write_config(tmp_path, gsm_line(gsm), mqtt_port=mosquitto))
    f = by_check(d)
    assert not d.failed, render_text(d.findings)
    assert f["config"][0] == "ok"
    assert f["line gsm1: port"][0] == "ok"
    assert f["line gsm1: modem"][0] == "ok" and "SIM7600" in f["line gsm1: modem"][1]
    assert "LE20B04" in f["line gsm1: modem"][1]  # firmware from AT+CGMR
    assert f["line gsm1: SIM"][0] == "ok"
    assert f["line gsm1: signal"][0] == "ok" and "dBm" in f["line gsm1: signal"][1]
    assert f["line gsm1: network"][0] == "ok"
    assert f["line gsm1: SMS"][0] == "ok"
    assert f["line gsm1: audio path"][0] == "ok"
    assert f["MQTT broker"][0] == "ok"
    assert f["call log"][0] == "ok" and f["disk space"][0] == "ok"
    assert f["clock"][0] == "ok"
    # the doctor really talked to the modem
    sent = gsm.recorded.commands_on("main") if hasattr(gsm.recorded, "commands_on") else []
    assert any("CPIN" in c for c in sent) or any("CPIN" in c for c in gsm.recorded.commands)


def test_mute_modem_fails_with_fix_and_nonzero_exit(tmp_path, gsm):
    gsm.inject("mute")
    cfg = write_config(tmp_path, gsm_line(gsm))
    d = doctor(cfg)
    status, detail, fix = by_check(d)["line gsm1: modem"]
    assert status == "fail" and "no reply to AT" in detail
    assert "power-cycle" in fix
    assert d.failed
    # the same through the command line: non-zero exit, the fix printed
    r = subprocess.run([sys.executable, "-c", "import sys; from appliance.cli import main; sys.exit(main())",
                        "doctor", "--config", str(cfg), "--timeout", str(T), "--no-load"],
                       capture_output=True, text=True, timeout=60, cwd=ROOT)
    assert r.returncode == 1, r.stdout + r.stderr
    assert "FAIL] line gsm1: modem: " in r.stdout and "fix: " in r.stdout


def test_json_output(tmp_path, gsm):
    gsm.inject("mute")
    cfg = write_config(tmp_path, gsm_line(gsm))
    r = subprocess.run([sys.executable, "-c", "import sys; from appliance.cli import main; sys.exit(main())",
                        "doctor", "--config", str(cfg), "--timeout", str(T), "--json"],
                       capture_output=True, text=True, timeout=60, cwd=ROOT)
    out = json.loads(r.stdout)
    assert out["ok"] is False and r.returncode == 1
    modem = next(f for f in out["findings"] if f["check"] == "line gsm1: modem")
    assert modem["status"] == "fail" and modem["fix"]


def test_sim_pin_required(tmp_path):
    with Simulator("gsm", pin="1234") as sim:
        sim.start()
        d = doctor(write_config(tmp_path, gsm_line(sim)))
    status, detail, fix = by_check(d)["line gsm1: SIM"]
    assert status == "fail" and "PIN" in detail and "pin =" in fix


@pytest.mark.parametrize(
    ("attr", "value", "check", "status", "words"),
    [
        ("rssi", 99, "line gsm1: signal", "fail", "no signal"),
        ("rssi", 5, "line gsm1: signal", "warn", "-103 dBm"),
        ("registration", 3, "line gsm1: network", "fail", "denied"),
        ("registration", 2, "line gsm1: network", "warn", "searching"),
        ("registration", 5, "line gsm1: network", "ok", "roaming"),
    ],
)
def test_radio_conditions(tmp_path, gsm, attr, value, check, status, words):
    setattr(gsm, attr, value)
    d = doctor(write_config(tmp_path, gsm_line(gsm)))
    got = by_check(d)[check]
    assert got[0] == status and words in got[1]
    if status != "ok":
        assert got[2]


def test_unplugged_modem(tmp_path, gsm):
    cfg = write_config(tmp_path, gsm_line(gsm))
    gsm.inject("unplug")
    d = doctor(cfg)
    status, detail, fix = by_check(d)["line gsm1: port"]
    assert status == "fail" and "cannot open" in detail and "dialout" in fix


def test_audio_port_missing(tmp_path, gsm):
    d = doctor(write_config(tmp_path, gsm_line(gsm, audio_port=f'"{tmp_path}/no-audio"')))
    status, detail, fix = by_check(d)["line gsm1: audio path"]
    assert status == "fail" and "no-audio" in detail and "CRESET" in fix


def test_service_running_uses_the_second_at_port(tmp_path, gsm):
    d = doctor(write_config(tmp_path, gsm_line(gsm)), service_running=lambda c: True)
    assert by_check(d)["line gsm1: SIM"][0] == "ok"
    assert gsm.recorded.commands_on("sms")  # the doctor used the SMS port, not the service's port


def test_service_running_without_second_port_skips(tmp_path, gsm):
    d = doctor(write_config(tmp_path, gsm_line(gsm, sms_port='""')), service_running=lambda c: True)
    status, _detail, fix = by_check(d)["line gsm1: modem"]
    assert status == "skip" and "systemctl stop permanence" in fix


def test_voice_modem(tmp_path):
    with Simulator("voicemodem", model="usr5637") as sim:
        sim.start()
        lines = f'[[lines]]\nname = "pstn"\ndriver = "voicemodem"\nport = "{sim.port}"\nmodel = "usr5637"\n'
        d = doctor(write_config(tmp_path, lines))
    f = by_check(d)
    assert not d.failed, render_text(d.findings)
    assert f["line pstn: voice"][0] == "ok"
    assert f["line pstn: audio"][0] == "ok"
    assert f["line pstn: caller id"][0] == "ok"


def test_wrong_model_configured_is_a_warning(tmp_path, gsm):
    d = doctor(write_config(tmp_path, gsm_line(gsm, model='"sim800"')))
    status, _detail, fix = by_check(d)["line gsm1: model"]
    assert status == "warn" and "sim7600" in fix


def test_broker_down(tmp_path):
    d = doctor(write_config(tmp_path, '[[lines]]\nname = "s"\ndriver = "sim"\n', mqtt_port=free_port()))
    status, detail, fix = by_check(d)["MQTT broker"]
    assert status == "fail" and "cannot connect" in detail and "mosquitto" in fix


def test_broker_that_is_not_mqtt(tmp_path):
    import socket
    import threading

    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen()
    port = srv.getsockname()[1]
    conns = []
    t = threading.Thread(target=lambda: conns.append(srv.accept()), daemon=True)
    t.start()
    try:
        d = doctor(write_config(tmp_path, '[[lines]]\nname = "s"\ndriver = "sim"\n', mqtt_port=port))
    finally:
        for c, _ in conns:
            c.close()
        srv.close()
    status, detail, _ = by_check(d)["MQTT broker"]
    assert status == "fail" and ("CONNACK" in detail or "failed" in detail)


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("[[lines]]\nname = 'x'\ndriver = 'gsm'\n", "expected a serial port"),
        ("[company]\nname = 'A'\ncolour = 'red'\n", "unknown key"),
        ("not toml [", "not valid TOML"),
    ],
)
def test_bad_config(tmp_path, text, words):
    p = tmp_path / "bad.toml"
    p.write_text(text)
    d = doctor(p)
    status, detail, fix = by_check(d)["config"]
    assert status == "fail" and words in detail and "config check" in fix
    assert d.failed


def test_missing_config_file(tmp_path):
    d = doctor(tmp_path / "absent.toml")
    assert by_check(d)["config"][0] == "fail"


def test_data_dir_missing(tmp_path):
    p = write_config(tmp_path, '[[lines]]\nname = "s"\ndriver = "sim"\n')
    p.write_text(p.read_text().replace(str(tmp_path / "data"), str(tmp_path / "gone")))
    status, _detail, fix = by_check(doctor(p))["call log"]
    assert status == "fail" and "install -d" in fix


@pytest.mark.parametrize(
    ("now", "ntp", "status"),
    [
        (dt.datetime(2000, 1, 1, tzinfo=dt.UTC), "yes", "fail"),
        (dt.datetime(2026, 11, 27, tzinfo=dt.UTC), "no", "warn"),
        (dt.datetime(2026, 11, 27, tzinfo=dt.UTC), "yes", "ok"),
        (dt.datetime(2026, 11, 27, tzinfo=dt.UTC), None, "ok"),
    ],
)
def test_clock(tmp_path, now, ntp, status):
    p = write_config(tmp_path, '[[lines]]\nname = "s"\ndriver = "sim"\n')
    d = doctor(p, now=lambda: now, timedatectl=lambda: ntp)
    assert by_check(d)["clock"][0] == status


def test_models_present_and_loaded(tmp_path):
    """Real vosk load (the Korean model is the only vosk model obtainable here) and real espeak-ng."""
    from appliance.speech import models

    ko = models.vosk_model_dir("ko")
    p = write_config(tmp_path, '[[lines]]\nname = "s"\ndriver = "sim"\n')
    text = p.read_text().replace("[speech]\nenabled = false\n", "")
    text += (f'[speech]\nenabled = true\n[speech.fr]\nrecognizer = "vosk"\nmodel = "{ko}"\n'
             f'synthesizer = "espeak"\n')
    p.write_text(text)
    d = doctor(p)
    f = by_check(d)
    assert f["speech recogniser (fr, vosk)"][0] == "ok" and "loads" in f["speech recogniser (fr, vosk)"][1]
    assert f["speech synthesiser (fr, espeak)"][0] == "ok"
    assert f["prompt cache"][0] == "warn" and "prompts render" in f["prompt cache"][2]
    (tmp_path / "data" / "prompt-cache").mkdir()
    (tmp_path / "data" / "prompt-cache" / "greeting.wav").write_bytes(b"RIFF")
    assert by_check(doctor(p, load_models=False))["prompt cache"][0] == "ok"


@pytest.mark.parametrize("where", ["model", "voice"])
def test_models_missing(tmp_path, where):
    p = write_config(tmp_path, '[[lines]]\nname = "s"\ndriver = "sim"\n')
    text = p.read_text().replace("[speech]\nenabled = false\n", "")
    model = f"{tmp_path}/no-model" if where == "model" else ""
    voice = f"{tmp_path}/no-voice.onnx" if where == "voice" else ""
    rec = "vosk" if where == "model" else "whisper"
    text += (f'[speech]\nenabled = true\n[speech.fr]\nrecognizer = "{rec}"\nmodel = "{model}"\n'
             f'synthesizer = "piper"\nvoice = "{voice}"\n')
    p.write_text(text)
    d = doctor(p, load_models=False)
    f = by_check(d)
    key = "speech recogniser (fr, vosk)" if where == "model" else "speech synthesiser (fr, piper)"
    assert f[key][0] == "fail" and "fetch-models.sh" in f[key][2]
    assert d.failed


def test_modemmanager_running_is_a_warning(tmp_path, gsm):
    seen: list[str] = []

    def unit_state(unit: str) -> str:
        seen.append(unit)
        return "active"

    d = doctor(write_config(tmp_path, gsm_line(gsm)), unit_state=unit_state)
    status, _detail, fix = by_check(d)["ModemManager"]
    assert seen == ["ModemManager.service"] and status == "warn" and "disable --now ModemManager" in fix
    assert not d.failed


def test_disk_nearly_full_and_quarantine_are_said(tmp_path):
    """Issue 15, requirements 1 and 2: the data directory on a 2 MB tmpfs of its own (``unshare``: a
    private mount namespace) filled to 1.9 MB, with a file moved to quarantine: the doctor fails on
    "disk nearly full" with its fix, warns about the quarantined file, and exits non-zero."""
    assert shutil.which("unshare"), "util-linux's unshare is part of Debian's base system"
    mnt = tmp_path / "mnt"
    mnt.mkdir()
    cfg = tmp_path / "permanence.toml"
    cfg.write_text(f'[[lines]]\nname = "s"\ndriver = "sim"\n[speech]\nenabled = false\n'
                   f'[storage]\ndata_dir = "{mnt / "data"}"\n')
    script = (f'mount -t tmpfs -o size=2m tmpfs "{mnt}" && mkdir -p "{mnt}/data/quarantine" && '
              f'echo "{{" > "{mnt}/data/quarantine/calls__2026__11__2026-11-27.json.20261127T091403Z" && '
              f'head -c 1900000 /dev/zero > "{mnt}/filler" && '
              f'exec "{sys.executable}" -m appliance.cli doctor --config "{cfg}" --timeout 1 --no-load --json')
    r = subprocess.run(["unshare", "--user", "--map-root-user", "--mount", "sh", "-c", script],
                       capture_output=True, text=True, timeout=60, cwd=ROOT)
    out = json.loads(r.stdout)
    f = {x["check"]: x for x in out["findings"]}
    assert r.returncode == 1 and out["ok"] is False, r.stderr
    assert f["disk space"]["status"] == "fail" and f["disk space"]["detail"].startswith("disk nearly full")
    assert "retention_days" in f["disk space"]["fix"]
    assert f["quarantine"]["status"] == "warn" and "calls__2026__11__2026-11-27.json" in f["quarantine"]["detail"]
    assert f["call log"]["status"] == "ok"  # the log itself can still be written: calls are still logged
