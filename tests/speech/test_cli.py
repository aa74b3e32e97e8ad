"""``permanence speech`` subcommands (models, say, transcribe) with the real engines."""

from __future__ import annotations

import argparse
import json
import wave
from pathlib import Path

import pytest

from appliance.speech import cli


def parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="permanence")
    parser.add_argument("--config")
    cli.register(parser.add_subparsers(dest="command", required=True))
    return parser.parse_args(argv)


@pytest.fixture()
def config(tmp_path: Path) -> Path:
    p = tmp_path / "permanence.toml"
    p.write_text('[speech.en]\nrecognizer = "whisper"\nsynthesizer = "piper"\n'
                 '[speech.fr]\nrecognizer = "vosk"\nsynthesizer = "espeak"\n')
    return p


def test_models_reports_found_and_missing(config: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PERMANENCE_MODELS", str(tmp_path / "none"))
    args = parse(["--config", str(config), "speech", "models"])
    assert args.func(args) == 1  # the French vosk model is not installed here
    lines = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    fr, en = lines
    assert "vosk-model-small-fr-0.22" in fr["recognizer_error"] and "espeak-ng" in fr["voice"]
    assert en["recognizer_model"].endswith("whisper-base") and en["voice"].endswith("en_US-joe-medium.onnx")
    args = parse(["--config", str(config), "speech", "models", "--lang", "en"])
    assert args.func(args) == 0


def test_say_then_transcribe(config: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "say.wav"
    args = parse(["--config", str(config), "speech", "say", "My boiler is broken.", "--lang", "en",
                  "-o", str(out)])
    assert args.func(args) == 0
    with wave.open(str(out)) as w:
        assert (w.getframerate(), w.getnchannels(), w.getsampwidth()) == (8000, 1, 2)
        assert w.getnframes() > 8000
    capsys.readouterr()
    args = parse(["--config", str(config), "speech", "transcribe", str(out), "--lang", "en"])
    assert args.func(args) == 0
    events = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    ends = [e for e in events if e["event"] == "EndOfTurn"]
    assert len(ends) == 1 and "boiler" in ends[0]["text"].lower()


@pytest.mark.parametrize("content", [b"", b"RIFF0000WAVEjunk", b"\x00" * 100])
def test_transcribe_garbage_file(config: Path, tmp_path: Path, content: bytes,
                                 capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.wav"
    bad.write_bytes(content)
    args = parse(["--config", str(config), "speech", "transcribe", str(bad), "--lang", "en"])
    assert args.func(args) == 1
    assert "not a readable WAV file" in capsys.readouterr().err
