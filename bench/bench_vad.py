"""VADs on noisy 8 kHz calls: the energy VAD against webrtcvad and Silero (issue 13, item 7).

Caller turns (English sentences spoken by the piper voice, some made of two sentences with a
450 ms pause between their words) sit in 1.5 s of background before and 2 s after, through the G.711 mu-law
codec, with synthetic street, workshop and car noise (appliance.speech.noise, seeded) at 20, 10,
5 and 0 dB SNR. Each VAD drives the same onset confirmation, hangover and end-of-turn rule as a
call (the turn ends after 700 ms of silence). A turn goes wrong when:

* ``missed``: speech is not confirmed within 400 ms of its true start (it never starts, or a
  false start in the noise before it took the turn);
* ``false start``: the VAD starts a turn in the noise before the caller speaks;
* ``cut``: the turn ends before the caller finished (a pause inside taken for the end);
* ``late``: the turn ends more than 500 ms after the ideal moment (700 ms after the words), or
  never (noise kept it open).

Figures: turns gone wrong per VAD (of every turn, noise and SNR), the median end-of-turn delay,
the CPU per 20 ms frame, and a table per noise and SNR (printed, and in the figure's note).
Run: ``python bench/run.py vad`` or ``python bench/bench_vad.py`` (about 2 minutes).
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from appliance.speech.audio import from_pcm16, to_pcm16  # noqa: E402
from appliance.speech.noise import NOISES, noisy  # noqa: E402

SR = 8000
SNRS = (20, 10, 5, 0)
VADS = ("energy", "webrtc1", "webrtc2", "webrtc3", "silero")
END_SILENCE = 0.7
PAUSE = 0.45  # a pause inside a turn (between the words of two sentences)
SENTENCES = [
    "Hello, my boiler is broken and there is water everywhere.",
    "Please call me back on 07712 345 678.",
    "My name is John Smith, I live at twelve Station Road.",
    "Yes, that is right.",
    "No.",
    "The heating stopped working last night.",
    "It is quite urgent, the kitchen is flooding.",
    "Fred Keller, Keller Plastics.",
]
PAIRS = [("The compressor has stopped.", "We will lose the whole batch."),
         ("It's Anna Baker.", "From Riverside Meats."),
         ("Hello.", "The lift is stuck between two floors.")]


def _edges(pcm: bytes) -> tuple[float, float]:
    """True start and end of the words: first and last 5 ms block above -45 dBFS in the clean audio."""
    x = np.frombuffer(pcm, "<i2").astype(np.float64) / 32768
    n = len(x) // 40
    p = 10 * np.log10(np.mean(x[: n * 40].reshape(n, 40) ** 2, axis=1) + 1e-12)
    idx = np.nonzero(p > -45)[0]
    return idx[0] * 40 / SR, (idx[-1] + 1) * 40 / SR


def _turns() -> list[tuple[bytes, float, float]]:
    from appliance.speech.voices import CallerVoices

    out = []
    with CallerVoices() as voices:
        texts: list[tuple[str, ...]] = [(s,) for s in SENTENCES] + list(PAIRS)
        for parts in texts:
            said = [voices.speak(p, "en") for p in parts]
            # the words of each part, then a pause of PAUSE (shorter than the end-of-turn silence)
            cut = [s[int(_edges(s)[0] * SR) * 2 : int(_edges(s)[1] * SR) * 2] for s in said]
            pcm = (b"\x00\x00" * int(PAUSE * SR)).join(cut)
            clip = b"\x00\x00" * int(1.5 * SR) + pcm + b"\x00\x00" * int(2.0 * SR)
            on, off = _edges(clip)
            out.append((clip, on, off))
    return out


def judge(vad: Any, audio: bytes, on: float, off: float) -> tuple[str, float | None]:
    """Run one VAD over one turn as the Listener does; (verdict, end-of-turn delay after the words)."""
    from appliance.speech.audio import frames

    start: float | None = None
    false_start = False
    for f in frames(audio):
        st = vad.feed(f)
        if st.event == "start" and start is None:
            if st.speech_start is not None and st.speech_start < on - 0.15:
                false_start = True
            start = st.speech_start
        if start is not None and not st.voiced and vad.silence_seconds + 0.01 >= END_SILENCE:
            end = st.t
            if false_start:
                return "false start", None
            if end < off + 0.05:
                return ("missed" if (start or 0) > on + 0.4 else "cut"), end - off
            if start > on + 0.4:
                return "missed", end - off
            if end > off + END_SILENCE + 0.5:
                return "late", end - off
            return "ok", end - off
    if false_start:
        return "false start", None
    return ("missed" if start is None else "late"), None


def run() -> list[dict[str, Any]]:
    from appliance.speech.vad import VoiceActivityDetector
    from appliance.speech.vad_models import make_classifier

    turns = _turns()
    results: dict[str, dict[tuple[str, int], list[str]]] = {v: {} for v in VADS}
    delays: dict[str, list[float]] = {v: [] for v in VADS}
    cpu: dict[str, float] = dict.fromkeys(VADS, 0.0)
    n_frames = 0
    for kind in NOISES:
        for snr in SNRS:
            for i, (clip, on, off) in enumerate(turns):
                audio = to_pcm16(from_pcm16(noisy(clip, kind, snr, seed=i), "ulaw"), "ulaw")
                n_frames += len(audio) // 320
                for name in VADS:
                    vad = VoiceActivityDetector(classifier=make_classifier(name))
                    t = time.process_time()
                    verdict, delay = judge(vad, audio, on, off)
                    cpu[name] += time.process_time() - t
                    results[name].setdefault((kind, snr), []).append(verdict)
                    if verdict == "ok" and delay is not None:
                        delays[name].append(delay)
    n = len(turns)
    header = "VAD      " + " ".join(f"{k[:4]}{s:>3}" for k in NOISES for s in SNRS) + "  wrong  end(ms)  cpu/frame"
    lines = [header]
    figures: list[dict[str, Any]] = []
    for name in VADS:
        cells = [sum(v != "ok" for v in results[name][(k, s)]) for k in NOISES for s in SNRS]
        wrong = sum(cells)
        kinds: dict[str, int] = {}
        for verdicts in results[name].values():
            for v in verdicts:
                kinds[v] = kinds.get(v, 0) + 1
        med = statistics.median(delays[name]) * 1000 if delays[name] else float("nan")
        per_frame = cpu[name] / n_frames * 1000
        lines.append(f"{name:8} " + " ".join(f"{c:>7}" for c in cells)
                     + f"  {wrong:>5}  {med:>7.0f}  {per_frame:.3f} ms")
        total = n * len(NOISES) * len(SNRS)
        figures.append({"name": f"vad.{name}.turns_wrong", "value": round(100 * wrong / total, 1), "unit": "%",
                        "target": "report (the lowest is kept)", "met": True,
                        "note": f"{wrong} of {total} noisy turns; " + ", ".join(f"{k} {c}" for k, c in sorted(kinds.items()))
                                + f"; median end of turn {med:.0f} ms after the words; CPU {per_frame:.3f} ms "
                                  f"per 20 ms frame"})
    print(f"   turns wrong of {n} per noise and SNR (dB):\n" + "\n".join("   " + x for x in lines))
    figures[0]["note"] = str(figures[0]["note"]) + "\n" + "\n".join(lines)
    return figures


if __name__ == "__main__":
    for fig in run():
        print(fig["name"], fig["value"], fig["unit"], fig["note"].splitlines()[0])
