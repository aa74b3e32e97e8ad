"""image/: the pi-gen stage's scripts and data (the emulated build itself is `make image-check`)."""

from __future__ import annotations

import hashlib
import os
import re
import subprocess
from pathlib import Path

import pytest

from appliance.config import load_config_text

ROOT = Path(__file__).resolve().parents[2]
IMAGE = ROOT / "image"
STAGE = IMAGE / "stage-permanence"
SCRIPTS = [IMAGE / "check.sh", IMAGE / "build.sh", IMAGE / "fetch-models.sh", STAGE / "prerun.sh",
           STAGE / "00-install" / "00-run.sh", STAGE / "00-install" / "00-run-chroot.sh",
           STAGE / "00-install" / "files" / "firstboot.sh"]


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda p: p.name)
def test_scripts_parse_and_are_executable(script):
    r = subprocess.run(["bash", "-n", str(script)], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert os.access(script, os.X_OK)


def test_packages():
    pkgs = set((STAGE / "00-install" / "00-packages-nr").read_text().split())
    assert {"libatomic1", "espeak-ng", "python3-lgpio", "python3-venv"} <= pkgs


def test_fetch_models_pins_every_checksum():
    text = (IMAGE / "fetch-models.sh").read_text()
    pins = dict(re.findall(r"^(\w+_(?:SHA256|MD5))=(\S+)$", text, re.M))
    assert set(pins) == {"VOSK_SHA256", "PIPER_ONNX_SHA256", "PIPER_ONNX_MD5", "PIPER_JSON_SHA256",
                         "PIPER_JSON_MD5"}
    for key, value in pins.items():
        assert re.fullmatch("[0-9a-f]{64}" if key.endswith("SHA256") else "[0-9a-f]{32}", value), key


@pytest.mark.parametrize("kind", ["tampered", "truncated", "empty"])
def test_fetch_models_rejects_files_that_are_not_the_pinned_ones(tmp_path, kind):
    mirror = tmp_path / "mirror"
    mirror.mkdir()
    body = {"tampered": b"PK\x03\x04 not the model", "truncated": b"PK\x03", "empty": b""}[kind]
    for name in ("vosk-model-small-fr-0.22.zip", "fr_FR-siwis-medium.onnx", "fr_FR-siwis-medium.onnx.json"):
        (mirror / name).write_bytes(body)
    dest = tmp_path / "models"
    r = _run_from_mirror(IMAGE / "fetch-models.sh", dest, mirror)
    assert r.returncode != 0
    assert "SHA-256 mismatch" in r.stderr and "vosk-model-small-fr-0.22.zip" in r.stderr
    assert list(dest.iterdir()) == []  # the bad file is removed, nothing unpacked, nothing linked


def test_fetch_models_refuses_an_unpinned_checksum(tmp_path):
    script = tmp_path / "fetch-models.sh"
    text = (IMAGE / "fetch-models.sh").read_text()
    script.write_text(re.sub(r"^VOSK_SHA256=\S+$", "VOSK_SHA256=TODO", text, flags=re.M))
    r = subprocess.run(["bash", str(script), str(tmp_path / "models")], capture_output=True, text=True, timeout=30)
    assert r.returncode == 3
    assert "not pinned" in r.stderr and "refusing" in r.stderr
    assert not (tmp_path / "models").exists()  # nothing downloaded


def test_fetch_models_verify(tmp_path):
    f = tmp_path / "model.bin"
    f.write_bytes(b"some model bytes")
    good = hashlib.sha256(b"some model bytes").hexdigest()
    r = subprocess.run([str(IMAGE / "fetch-models.sh"), "--verify", str(f), good], capture_output=True, text=True)
    assert r.returncode == 0 and "SHA-256 ok" in r.stdout
    r = subprocess.run([str(IMAGE / "fetch-models.sh"), "--verify", str(f), "0" * 64], capture_output=True,
                       text=True)
    assert r.returncode != 0 and "mismatch" in r.stderr
    assert not f.exists()  # a corrupt download is removed, never used


def test_device_config_is_valid_and_uses_the_udev_names():
    sed = STAGE / "00-install" / "files" / "device-config.sed"
    r = subprocess.run(["sed", "-f", str(sed), str(ROOT / "examples" / "permanence.toml")], capture_output=True,
                       text=True, check=True)
    cfg = load_config_text(r.stdout, source="device-config")
    line = cfg.lines[0]
    assert (line.driver, line.model, line.power_gpio) == ("gsm", "sim7600", 6)
    assert line.port == "/dev/permanence/sim7600-at"
    assert line.audio_port == "/dev/permanence/sim7600-audio"
    assert line.sms_port == "/dev/permanence/sim7600-at2"
    rules = (ROOT / "firmware" / "udev" / "99-permanence.rules").read_text()
    for p in (line.port, line.audio_port, line.sms_port):
        assert f'SYMLINK+="{p.removeprefix("/dev/")}"' in rules


def test_no_default_password_in_the_image():
    build = (IMAGE / "build.sh").read_text()
    assert "FIRST_USER_PASS" not in build
    assert re.search(r"(?m)^ENABLE_SSH=0$", build)
    for p in [*STAGE.rglob("*"), *(ROOT / "systemd").iterdir()]:
        if p.is_file() and p.suffix != ".whl":
            text = p.read_text(errors="replace")
            assert not re.search(r"(?i)(passw(or)?d|secret)\s*=\s*['\"][^'\"]+['\"]", text), p
            assert "chpasswd" not in text, p


def _pinned_copy(tmp_path: Path, files: dict[str, bytes]) -> Path:
    """fetch-models.sh with its pins replaced by the digests of local files (a test mirror)."""
    script = (IMAGE / "fetch-models.sh").read_text()
    pins = {"VOSK_SHA256": hashlib.sha256(files["vosk-model-small-fr-0.22.zip"]).hexdigest(),
            "PIPER_ONNX_SHA256": hashlib.sha256(files["fr_FR-siwis-medium.onnx"]).hexdigest(),
            "PIPER_ONNX_MD5": hashlib.md5(files["fr_FR-siwis-medium.onnx"]).hexdigest(),
            "PIPER_JSON_SHA256": hashlib.sha256(files["fr_FR-siwis-medium.onnx.json"]).hexdigest(),
            "PIPER_JSON_MD5": hashlib.md5(files["fr_FR-siwis-medium.onnx.json"]).hexdigest()}
    for key, value in pins.items():
        script, n = re.subn(rf"^{key}=\S+$", f"{key}={value}", script, flags=re.M)
        assert n == 1, key
    out = tmp_path / "fetch-models.sh"
    out.write_text(script)
    out.chmod(0o755)
    return out


def _mirror(tmp_path: Path) -> dict[str, bytes]:
    import io
    import zipfile

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("vosk-model-small-fr-0.22/am/final.mdl", b"am")
        z.writestr("vosk-model-small-fr-0.22/conf/model.conf", b"--endpoint.rule2.min-trailing-silence=0.5\n")
    files = {"vosk-model-small-fr-0.22.zip": buf.getvalue(), "fr_FR-siwis-medium.onnx": b"onnx bytes",
             "fr_FR-siwis-medium.onnx.json": b'{"audio": {"sample_rate": 22050}}'}
    mirror = tmp_path / "mirror"
    mirror.mkdir()
    for name, data in files.items():
        (mirror / name).write_bytes(data)
    return files


def _run_from_mirror(script: Path, dest: Path, mirror: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(script), str(dest)], capture_output=True, text=True, timeout=60,
                          env=dict(os.environ, MIRROR=str(mirror)))


def test_fetch_models_from_a_mirror_installs_verified_models(tmp_path):
    files = _mirror(tmp_path)
    script = _pinned_copy(tmp_path, files)
    dest = tmp_path / "models"
    r = _run_from_mirror(script, dest, tmp_path / "mirror")
    assert r.returncode == 0, r.stderr
    assert (dest / "vosk-model-small-fr-0.22" / "am" / "final.mdl").read_bytes() == b"am"
    assert (dest / "fr_FR-siwis-medium.onnx").read_bytes() == b"onnx bytes"
    # the speech area's default paths resolve to the same files
    assert (dest / "vosk-fr" / "conf" / "model.conf").is_file()
    assert (dest / "piper" / "fr_FR-siwis-medium.onnx.json").read_bytes() == files["fr_FR-siwis-medium.onnx.json"]
    assert not list(dest.glob("*.zip")) and not list(dest.glob("*.part"))


def test_fetch_models_rejects_a_tampered_file(tmp_path):
    files = _mirror(tmp_path)
    script = _pinned_copy(tmp_path, files)
    (tmp_path / "mirror" / "fr_FR-siwis-medium.onnx").write_bytes(b"tampered")
    dest = tmp_path / "models"
    r = _run_from_mirror(script, dest, tmp_path / "mirror")
    assert r.returncode != 0 and "mismatch" in r.stderr
    assert not (dest / "fr_FR-siwis-medium.onnx").exists()
    assert not list(dest.glob("*.part"))


def test_fetch_models_checks_the_upstream_md5_too(tmp_path):
    files = _mirror(tmp_path)
    script = _pinned_copy(tmp_path, files)
    script.write_text(re.sub(r"^PIPER_JSON_MD5=\S+$", "PIPER_JSON_MD5=" + "0" * 32, script.read_text(), flags=re.M))
    dest = tmp_path / "models"
    r = _run_from_mirror(script, dest, tmp_path / "mirror")
    assert r.returncode != 0 and "MD5 mismatch" in r.stderr
    assert not (dest / "fr_FR-siwis-medium.onnx.json").exists()
    assert not list(dest.glob("*.part"))
