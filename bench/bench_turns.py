"""How fast the box answers: the caller's end of speech -> first sound of the box's reply (issue 13, item 7).

Measured from the caller's side of the line simulator, as a caller would hear it: the demo's
English callers (the piper voice) call the real service (GSM driver over a pty, Listener with
its VAD and end-of-turn rules, recogniser, dialog, prompt cache or live synthesis, audio paced
back to the simulated modem). For every caller turn, the time from the end of its words (the
last 5 ms above -40 dBFS in the turn's audio, placed where the simulator sent it) to the first
voiced frame of the box's audio that follows. The simulator notices a turn's end within 20 ms;
that 20 ms is counted against the box.

Two recognisers, each alone (one line, calls one after another) and with 8 calls at once (8
lines, each call paced at 20 ms by its simulator):

* ``whisper`` — the demo's configuration (Whisper base for English); it understands these
  callers, so every end-of-turn rule is in play (a sentence said to its end, yes/no, numbers);
* ``vosk`` — the device's engine, with the only vosk model obtainable here (Korean): English
  comes back as Korean words, so only the silence rules apply (a free-speech turn waits for the
  full ``end_silence_ms``) and the dialog's path differs; the figure is the vosk path's cost.

Targets: p50 <= 600 ms, p95 <= 1000 ms. Run: ``python bench/run.py turns`` (about 8 minutes).
"""

from __future__ import annotations

import dataclasses
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from appliance.config import LanguageSpeechConfig, LineConfig  # noqa: E402
from appliance.demo import demo_config  # noqa: E402

VOICED_RMS = 400.0  # the simulator's own "box is speaking" level
CALLERS = ROOT / "appliance" / "demo" / "callers-en.jsonl"


def _offset(pcm: bytes) -> float:
    """End of the words in ``pcm``: end of the last 5 ms block above -40 dBFS."""
    x = np.frombuffer(pcm, "<i2").astype(np.float64) / 32768
    for i in range(len(x) - 40, 0, -40):
        if 10 * np.log10(np.mean(x[i : i + 40] ** 2) + 1e-12) > -40:
            return (i + 40) / 8000
    return len(x) / 8000


def reply_latencies(result: Any, turns: list[str], speak: Any) -> list[float]:
    """Seconds from the end of each caller turn's words to the box's next voiced frame."""
    voiced = [t for t, f in result.box_audio
              if float(np.sqrt(np.mean(np.frombuffer(f, "<i2").astype(np.float64) ** 2))) > VOICED_RMS]
    out = []
    for t_ev, what in result.events:
        if not (what.startswith("turn ") and what.endswith(" spoken")):
            continue
        k = int(what.split()[1])
        pcm = speak(turns[k], "en")
        end_of_words = t_ev - (len(pcm) / 16000 - _offset(pcm)) - 0.02
        after = [t for t in voiced if t > end_of_words]
        if after:
            out.append(after[0] - end_of_words)
    return out


def _config(engine: str, n_lines: int) -> Any:
    cfg = demo_config("en")
    lines = tuple(LineConfig(name=f"sim{i + 1}", driver="sim", country="GB", rings_before_answer=1)
                  for i in range(n_lines))
    if engine == "vosk":
        from appliance.speech.models import vosk_model_dir

        en = LanguageSpeechConfig(recognizer="vosk", model=str(vosk_model_dir("ko")), synthesizer="piper")
        cfg = dataclasses.replace(cfg, speech=dataclasses.replace(cfg.speech, en=en))
    return dataclasses.replace(cfg, lines=lines)


def measure(engine: str, n_lines: int, rounds: int) -> list[float]:
    """Place the demo's callers ``rounds`` times on ``n_lines`` lines at once; every reply latency."""
    from appliance.service import Service
    from appliance.speech.voices import CallerVoices
    from appliance.telephony import open_line
    from appliance.telephony.simulator import Simulator
    from appliance.telephony.simulator.callers import ScriptedCaller

    scripts = [json.loads(x) for x in CALLERS.read_text(encoding="utf-8").splitlines() if x.strip()]
    scripts = [s for s in scripts if len(s["turns"]) >= 2]
    cfg = _config(engine, n_lines)
    voices = CallerVoices()
    sims = {lc.name: Simulator("gsm", country="GB", voice=voices.speak) for lc in cfg.lines}
    out: list[float] = []
    with tempfile.TemporaryDirectory() as tmp:
        svc = Service(cfg, data_dir=Path(tmp), web_port=0, leds=False,
                      line_factory=lambda lc, **kw: open_line(lc, simulator=sims[lc.name], **kw))
        svc.start()
        try:
            if not svc.ready.wait(180):
                raise RuntimeError("lines not ready")
            time.sleep(2.0)  # the recognisers made ready at start-up
            k = 0
            for _ in range(rounds):
                handles = []
                for sim in sims.values():
                    s = scripts[k % len(scripts)]
                    k += 1
                    caller = ScriptedCaller(id=f"{s['id']}-{k}", caller_id=s.get("caller_id"), lang="en",
                                            turns=list(s["turns"]))
                    handles.append((sim.place_call(caller), s["turns"]))
                for h, turns in handles:
                    out += reply_latencies(h.wait(300), turns, voices.speak)
                time.sleep(1.0)
        finally:
            svc.stop()
            for sim in sims.values():
                sim.close()
            voices.close()
    return out


def _pct(xs: list[float], q: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, round(q * (len(xs) - 1)))] * 1000 if xs else float("nan")


def run() -> list[dict[str, Any]]:
    figures: list[dict[str, Any]] = []
    load = []
    for engine in ("whisper", "vosk"):
        for label, n_lines, rounds in (("alone", 1, 4), ("calls8", 8, 1)):
            lat = measure(engine, n_lines, rounds)
            load.append(os.getloadavg()[0])
            p50, p95 = _pct(lat, 0.5), _pct(lat, 0.95)
            print(f"   {engine} {label}: {len(lat)} replies, p50 {p50:.0f} ms, p95 {p95:.0f} ms, "
                  f"max {_pct(lat, 1.0):.0f} ms")
            note = (f"{len(lat)} caller turns; median of all {statistics.median(lat) * 1000:.0f} ms; max "
                    f"{_pct(lat, 1.0):.0f} ms; load average {load[-1]:.1f} on {os.cpu_count()} cores"
                    if lat else "no reply measured")
            figures.append({"name": f"turns.{engine}.{label}.reply_p50", "value": round(p50), "unit": "ms",
                            "target": "<= 600 ms", "met": p50 <= 600, "note": note})
            figures.append({"name": f"turns.{engine}.{label}.reply_p95", "value": round(p95), "unit": "ms",
                            "target": "<= 1000 ms", "met": p95 <= 1000, "note": note})
    return figures


if __name__ == "__main__":
    for fig in run():
        print(json.dumps(fig))
