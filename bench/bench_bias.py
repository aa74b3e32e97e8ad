"""The recogniser biased toward the business's words, A/B (issue 13, item 3).

Every caller turn of the English dev corpus (../shared/corpus/calls-en.dev.jsonl) is spoken by
the piper voice, put on a telephone line (idle-channel noise, G.711 mu-law) and heard through a
:class:`~appliance.speech.turns.Listener` with Whisper base — the call path's turn-taking and
recogniser, fed frame by frame, so the machine's load does not change what is heard. The heard
turns are qualified and scored like ``permanence qualify``, three ways:

* ``A`` — no bias (the question the caller answers is Whisper's context, as before);
* ``B`` — the business's words as Whisper's hotwords: the rules' danger cues and equipment
  (what ``EngineSpeech`` gives every call now);
* ``C`` — B plus every caller's name and company, as a customer directory holding all of them
  would (the best case of the directory's bias: no caller here is unknown).

Figures: urgent recall, category, name, company, callback through each, and the word error rate
of the turns. Skipped when ../shared/corpus is absent. About 6 minutes.
"""

from __future__ import annotations

import json
import re
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from bench_qualify import _company_ok, _name_ok, _phone_ok  # noqa: E402

CORPUS = ROOT.parent / "shared" / "corpus"
QUESTIONS = ["Hello, you've reached Martin Industrial Maintenance. How can I help you?",
             "May I have your name and the name of your company, please?",
             "Which number can we call you back on?"]


def _line(pcm: bytes, seed: int) -> bytes:
    from appliance.speech.audio import from_pcm16, to_pcm16

    rng = np.random.default_rng(seed)
    n = len(pcm) // 2 + 8000 * 3
    x = rng.standard_normal(n) * 10 ** (-50 / 20) * 32767
    x[4000 : 4000 + len(pcm) // 2] += np.frombuffer(pcm, "<i2")
    line = np.clip(x, -32768, 32767).astype("<i2").tobytes()
    return to_pcm16(from_pcm16(line, "ulaw"), "ulaw")


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9']+", text.lower())


def _errors(ref: str, hyp: str) -> tuple[int, int]:
    r, h = _words(ref), _words(hyp)
    d = list(range(len(h) + 1))
    for i in range(1, len(r) + 1):
        prev, d[0] = d[0], i
        for j in range(1, len(h) + 1):
            cur = min(d[j] + 1, d[j - 1] + 1, prev + (r[i - 1] != h[j - 1]))
            prev, d[j] = d[j], cur
    return d[len(h)], len(r)


def hear(handle: Any, audio: bytes, spec: Any, bias: Any) -> str:
    from appliance.config import SpeechConfig
    from appliance.speech.audio import frames
    from appliance.speech.turns import EndOfTurn, Listener

    listener = Listener(handle, SpeechConfig(), "en", listening=False, bias=bias)
    listener.listen(spec)
    texts = []
    for f in frames(audio):
        ev = listener.feed(f)
        if isinstance(ev, EndOfTurn):
            texts.append(ev.text)
            listener.listen(spec)
    listener.close()
    return " ".join(texts)


def score(calls: list[dict[str, Any]], heard: list[list[str]]) -> dict[str, float]:
    from appliance.conversation.qualifier import Qualifier

    q = Qualifier.load("en")
    tp = fn = fp = cat = nm = co = cb = 0
    for c, turns in zip(calls, heard):
        e = c["expect"]
        p = q.qualify(turns, c.get("caller_id"), country="GB")
        tp += e["urgent"] and p.urgent
        fn += e["urgent"] and not p.urgent
        fp += p.urgent and not e["urgent"]
        cat += p.category == e["category"]
        nm += _name_ok(e["name"], p.name)
        co += _company_ok(e["company"], p.company)
        cb += _phone_ok(e["callback"], p.callback)
    n = len(calls) or 1
    return {"urgent_recall": tp / (tp + fn) if tp + fn else 1.0,
            "urgent_precision": tp / (tp + fp) if tp + fp else 1.0,
            "category": cat / n, "name": nm / n, "company": co / n, "callback": cb / n}


def run() -> list[dict[str, Any]]:
    path = CORPUS / "calls-en.dev.jsonl"
    if not path.exists():
        return []
    from appliance.conversation.base import Expect, ListenSpec
    from appliance.demo import demo_config
    from appliance.speech.models import whisper_model_dir
    from appliance.speech.voices import CallerVoices
    from appliance.speech.whisper_engine import WhisperModelHandle
    from appliance.speechio import EngineSpeech

    calls = [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines() if x.strip()]
    rules = EngineSpeech.__new__(EngineSpeech)  # only its phrase list: no engine loaded
    rules.cfg, rules.extra_phrases, rules._rule_phrases = demo_config("en"), None, {}
    business = rules.bias_phrases("en")
    directory = [x for c in calls for x in (c["expect"].get("name"), c["expect"].get("company")) if x]
    setups = {"A": None, "B": lambda: business, "C": lambda: directory + business}
    handle = WhisperModelHandle(whisper_model_dir(), lang="en")
    out: list[dict[str, Any]] = []
    with CallerVoices() as voices:
        audio = [[_line(voices.speak(t, "en"), i * 10 + k) for k, t in enumerate(c["turns"])]
                 for i, c in enumerate(calls)]
        for name, bias in setups.items():
            t0 = time.monotonic()
            heard: list[list[str]] = []
            errs = words = 0
            for c, clips in zip(calls, audio):
                turns = []
                for k, (said, clip) in enumerate(zip(c["turns"], clips)):
                    expect: Expect = "name" if k == 1 else "free"
                    spec = ListenSpec(expect, context=QUESTIONS[min(k, len(QUESTIONS) - 1)])
                    turns.append(hear(handle, clip, spec, bias))
                    e, n = _errors(said, turns[-1])
                    errs, words = errs + e, words + n
                heard.append(turns)
            figures = score(calls, heard)
            print(f"   {name}: {len(calls)} calls in {time.monotonic() - t0:.0f} s; WER {errs / words * 100:.1f} %; "
                  + ", ".join(f"{k} {v * 100:.0f}" for k, v in figures.items()))
            for c, turns in zip(calls, heard):
                print(f"     {name} {c['id']}: {' | '.join(turns)}")
            for key, value in {**figures, "wer": errs / max(1, words)}.items():
                out.append({"name": f"bias.{name}.{key}", "value": round(value * 100, 1), "unit": "%",
                            "target": "report (A/B)", "met": True})
    return out


if __name__ == "__main__":
    for fig in run():
        print(json.dumps(fig))
