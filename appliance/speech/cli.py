"""``permanence speech``: check the models, speak a sentence, transcribe a recording.

* ``permanence speech models`` — which recogniser, synthesiser and model files
  each language of the configuration uses; exit status 1 if one is missing (the
  message says which file and how to install it).
* ``permanence speech say TEXT --lang fr -o out.wav`` — synthesise with the
  configured engine, 8 kHz 16-bit mono WAV (what callers hear).
* ``permanence speech transcribe FILE.wav --lang en [--expect yes_no]`` — run
  the configured recogniser with the turn-taking rules over a recording (any
  rate; a stereo call recording uses its caller channel) and print one JSON
  line per turn event.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
import wave
from pathlib import Path
from typing import Any

import numpy as np

from ..config import DEFAULT_CONFIG_PATH, SpeechConfig, load_config
from ..errors import AudioFormatError, PermanenceError
from .audio import SAMPLE_RATE, frames, resample


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = subparsers.add_parser("speech", help="speech models, synthesis and recognition tools",
                              description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="speech_command", required=True)
    m = sub.add_parser("models", help="check the speech models of each configured language")
    m.add_argument("--lang", action="append", choices=("fr", "en"), help="language(s) to check (default both)")
    m.set_defaults(func=cmd_models)
    s = sub.add_parser("say", help="synthesise TEXT to an 8 kHz WAV file")
    s.add_argument("text")
    s.add_argument("--lang", choices=("fr", "en"), default="fr")
    s.add_argument("-o", "--out", required=True, help="WAV file to write")
    s.set_defaults(func=cmd_say)
    t = sub.add_parser("transcribe", help="recognise the caller's turns in a WAV file")
    t.add_argument("wav")
    t.add_argument("--lang", choices=("fr", "en"), default="fr")
    t.add_argument("--expect", choices=("free", "yes_no", "number", "name", "digits"), default="free")
    t.set_defaults(func=cmd_transcribe)


def _speech_config(args: argparse.Namespace) -> SpeechConfig:
    path = getattr(args, "config", None)
    if path:
        return load_config(Path(path)).speech
    if DEFAULT_CONFIG_PATH.exists():
        return load_config(DEFAULT_CONFIG_PATH).speech
    return SpeechConfig()


def cmd_models(args: argparse.Namespace) -> int:
    from .models import espeak_ng, piper_voice, vosk_model_dir, whisper_model_dir

    try:
        cfg = _speech_config(args)
    except PermanenceError as exc:
        print(f"permanence speech: {exc}", file=sys.stderr)
        return 2
    missing = 0
    for lang in args.lang or ("fr", "en"):
        lc = cfg.for_language(lang)
        report: dict[str, Any] = {"lang": lang, "recognizer": lc.recognizer, "synthesizer": lc.synthesizer}
        try:
            report["recognizer_model"] = str(vosk_model_dir(lang, lc.model) if lc.recognizer == "vosk"
                                             else whisper_model_dir(lc.model))
        except PermanenceError as exc:
            report["recognizer_error"] = str(exc)
            missing += 1
        try:
            if lc.synthesizer == "piper":
                report["voice"] = str(piper_voice(lang, lc.voice)[0])
            else:
                report["voice"] = f"{espeak_ng()} -v {lc.voice or ('en-us' if lang == 'en' else lang)}"
        except PermanenceError as exc:
            report["synthesizer_error"] = str(exc)
            missing += 1
        print(json.dumps(report, ensure_ascii=False))
    return 1 if missing else 0


def cmd_say(args: argparse.Namespace) -> int:
    from .synthesizer import load_synthesizer

    try:
        synth = load_synthesizer(args.lang, _speech_config(args).for_language(args.lang))
        pcm = b"".join(synth.synthesize(args.text))
        synth.close()
        with open(args.out, "wb") as f, wave.open(f, "wb") as w:  # a path refused fails before wave starts
            w.setnchannels(1)
            w.setsampwidth(2)
            w.setframerate(SAMPLE_RATE)
            w.writeframes(pcm)
    except (PermanenceError, OSError) as exc:
        print(f"permanence speech say: {exc}", file=sys.stderr)
        return 1
    print(json.dumps({"out": args.out, "seconds": round(len(pcm) / 2 / SAMPLE_RATE, 3)}))
    return 0


def read_wav_8k(path: str | Path) -> bytes:
    """A 16-bit WAV file as 8 kHz mono PCM (left channel of a stereo call recording)."""
    try:
        with wave.open(str(path)) as w:
            ch, width, rate = w.getnchannels(), w.getsampwidth(), w.getframerate()
            data = w.readframes(w.getnframes())
    except (wave.Error, EOFError) as exc:
        raise AudioFormatError(f"{path}: not a readable WAV file ({exc})") from exc
    except OSError as exc:
        raise AudioFormatError(f"{path}: cannot read: {exc}") from exc
    if width != 2:
        raise AudioFormatError(f"{path}: {8 * width}-bit samples; expected 16-bit PCM (convert with sox)")
    x = np.frombuffer(data[: len(data) // (2 * ch) * 2 * ch], "<i2")
    if ch > 1:
        x = x[0::ch]
    return resample(x.tobytes(), rate, SAMPLE_RATE)


def cmd_transcribe(args: argparse.Namespace) -> int:
    from ..conversation.base import ListenSpec
    from .recognizer import load_recognizer
    from .turns import Listener, Partial

    try:
        cfg = _speech_config(args)
        pcm = read_wav_8k(args.wav)
        factory = load_recognizer(args.lang, cfg.for_language(args.lang))
    except PermanenceError as exc:
        print(f"permanence speech transcribe: {exc}", file=sys.stderr)
        return 1
    listener = Listener(factory, cfg, args.lang, ListenSpec(expect=args.expect))
    for frame in frames(pcm + b"\x00\x00" * SAMPLE_RATE * 2):
        ev = listener.feed(frame)
        if ev is None or isinstance(ev, Partial):
            continue
        print(json.dumps({"event": type(ev).__name__, **dataclasses.asdict(ev)}, ensure_ascii=False))
        if not listener.listening:
            listener.listen(ListenSpec(expect=args.expect))
    listener.close()
    factory.close()
    return 0
