"""The doctor's speech-model checks: each engine of the box's language present, then loaded once.

Uses the speech area's locators (:mod:`appliance.speech.models`), so the doctor
finds models exactly where the service will look for them.
"""

from __future__ import annotations

import subprocess
import time

from ..config import Config
from ..errors import PermanenceError
from .findings import Findings

_FETCH = "sudo /opt/permanence/fetch-models.sh (checksum-verified download into /var/lib/permanence/models)"


def check_models(doc: Findings, cfg: Config) -> None:
    if not cfg.speech.enabled:
        doc.add("speech models", "skip", "speech.enabled = false (calls are answered and recorded only)")
        return
    lang = cfg.company.language
    sp = cfg.speech.for_language(lang)
    from ..speech import models

    # recogniser
    check = f"speech recogniser ({lang}, {sp.recognizer})"
    try:
        if sp.recognizer == "vosk":
            path = models.vosk_model_dir(lang, sp.model)
        else:
            path = models.whisper_model_dir(sp.model)
    except (PermanenceError, OSError) as exc:
        doc.add(check, "fail", str(exc), f"install the model: {_FETCH}, or fix speech.{lang}.model")
    else:
        if not doc.load_models:
            doc.add(check, "ok", f"{path} present (not loaded: --no-load)")
        else:
            t0 = time.monotonic()
            try:
                if sp.recognizer == "vosk":
                    import vosk

                    vosk.SetLogLevel(-1)
                    vosk.Model(str(path))
                else:
                    from faster_whisper import WhisperModel

                    WhisperModel(str(path), device="cpu", compute_type="int8")
            except Exception as exc:  # noqa: BLE001 - any load failure is reported, with its type
                doc.add(check, "fail", f"{path} present but does not load: {type(exc).__name__}: {exc}",
                        f"the files are damaged or incomplete: delete {path} and run {_FETCH}")
            else:
                doc.add(check, "ok", f"{path} loads ({time.monotonic() - t0:.1f} s)")

    # synthesiser
    check = f"speech synthesiser ({lang}, {sp.synthesizer})"
    if sp.synthesizer == "espeak":
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
        return
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
