"""The doctor's speech-model checks: each engine of the box's language present, then loaded once.

Uses the speech area's locators (:mod:`appliance.speech.models`), so the doctor
finds models exactly where the service will look for them.
"""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

from ..config import Config, LanguageSpeechConfig
from ..errors import PermanenceError
from .findings import Findings

_FETCH = "sudo /opt/permanence/fetch-models.sh (checksum-verified download into /var/lib/permanence/models)"


def check_models(doc: Findings, cfg: Config) -> None:
    if not cfg.speech.enabled:
        doc.add("speech models", "skip", "speech.enabled = false (calls are answered and recorded only)")
        return
    lang = cfg.company.language
    sp = cfg.speech.for_language(lang)
    _check_recognizer(doc, lang, sp)
    check = f"speech synthesiser ({lang}, {sp.synthesizer})"
    if sp.synthesizer == "espeak":
        _check_espeak(doc, lang, check)
    else:
        _check_piper(doc, lang, sp, check)


def _check_recognizer(doc: Findings, lang: str, sp: LanguageSpeechConfig) -> None:
    """The recogniser's model present, then (unless --no-load) loaded once."""
    from ..speech import models

    check = f"speech recogniser ({lang}, {sp.recognizer})"
    try:
        if sp.recognizer == "vosk":
            path = models.vosk_model_dir(lang, sp.model)
        else:
            path = models.whisper_model_dir(sp.model)
    except (PermanenceError, OSError) as exc:
        doc.add(check, "fail", str(exc), f"install the model: {_FETCH}, or fix speech.{lang}.model")
        return
    if not doc.load_models:
        doc.add(check, "ok", f"{path} present (not loaded: --no-load)")
        return
    t0 = time.monotonic()
    try:
        _load_recognizer(sp.recognizer, path)
    except Exception as exc:  # noqa: BLE001 - any load failure is reported, with its type
        doc.add(check, "fail", f"{path} present but does not load: {type(exc).__name__}: {exc}",
                f"the files are damaged or incomplete: delete {path} and run {_FETCH}")
    else:
        doc.add(check, "ok", f"{path} loads ({time.monotonic() - t0:.1f} s)")


def _load_recognizer(recognizer: str, path: Path) -> None:
    """Load the model at ``path`` as the service would (raises what the engine raises)."""
    if recognizer == "vosk":
        import vosk

        vosk.SetLogLevel(-1)
        vosk.Model(str(path))
    else:
        from faster_whisper import WhisperModel

        WhisperModel(str(path), device="cpu", compute_type="int8")


def _check_espeak(doc: Findings, lang: str, check: str) -> None:
    """espeak-ng installed and speaking ``lang``."""
    from ..speech import models

    try:
        exe = models.espeak_ng()
        r = subprocess.run([str(exe), "-q", "-v", lang, "ok"], capture_output=True, text=True, timeout=20)
    except (PermanenceError, OSError, subprocess.TimeoutExpired) as exc:
        doc.add(check, "fail", str(exc), "sudo apt-get install espeak-ng")
        return
    if r.returncode != 0:
        doc.add(check, "fail", f"espeak-ng -v {lang} failed: {r.stderr.strip()[:200]}",
                "reinstall espeak-ng (sudo apt-get install --reinstall espeak-ng espeak-ng-data)")
    else:
        doc.add(check, "ok", f"{exe} speaks {lang}")


def _check_piper(doc: Findings, lang: str, sp: LanguageSpeechConfig, check: str) -> None:
    """The piper voice present, then (unless --no-load) loaded once."""
    from ..speech import models

    try:
        onnx, _json = models.piper_voice(lang, sp.voice)
    except (PermanenceError, OSError) as exc:
        doc.add(check, "fail", str(exc), f"install the voice: {_FETCH}, or set speech.{lang}.synthesizer = "
                "\"espeak\"")
        return
    if not doc.load_models:
        doc.add(check, "ok", f"{onnx} present (not loaded: --no-load)")
        return
    t0 = time.monotonic()
    try:
        from piper import PiperVoice

        PiperVoice.load(str(onnx))
    except Exception as exc:  # noqa: BLE001 - any load failure is reported, with its type
        doc.add(check, "fail", f"{onnx} present but does not load: {type(exc).__name__}: {exc}",
                f"delete {onnx} and its .json, then run {_FETCH}")
    else:
        doc.add(check, "ok", f"{onnx} loads ({time.monotonic() - t0:.1f} s)")
