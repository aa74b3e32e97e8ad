"""Finding the installed models offline; missing models are clear errors."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from appliance.config import LanguageSpeechConfig
from appliance.errors import ModelMissing, PermanenceError, SpeechError
from appliance.speech import models
from appliance.speech.recognizer import load_recognizer
from appliance.speech.synthesizer import load_synthesizer


def test_packaged_models_are_found() -> None:
    ko = models.vosk_model_dir("ko")
    assert (ko / "am" / "final.mdl").is_file()
    onnx, js = models.piper_voice("en")
    assert onnx.name == "en_US-joe-medium.onnx" and js.is_file()
    assert models.espeak_ng().name == "espeak-ng"


def test_whisper_model_reassembled_once_atomically(tmp_path: Path) -> None:
    part1, part2 = models._whisper_parts()
    results: list[Path] = []
    threads = [threading.Thread(target=lambda: results.append(models.whisper_model_dir(cache=tmp_path)))
               for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    d = tmp_path / "whisper-base"
    assert results == [d, d, d]
    mb = d / "model.bin"
    assert mb.stat().st_size == part1.stat().st_size + part2.stat().st_size
    with open(mb, "rb") as f, open(part2, "rb") as p2:
        f.seek(part1.stat().st_size)
        assert f.read(4096) == p2.read(4096)
    assert {p.name for p in d.iterdir()} >= {"model.bin", "config.json", "tokenizer.json"}
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".whisper-base.tmp")]
    mtime = mb.stat().st_mtime_ns
    assert models.whisper_model_dir(cache=tmp_path) == d
    assert mb.stat().st_mtime_ns == mtime  # not rewritten


def test_truncated_whisper_copy_is_repaired(tmp_path: Path) -> None:
    d = tmp_path / "whisper-base"
    d.mkdir()
    (d / "model.bin").write_bytes(b"half a model")
    (d / "config.json").write_text("{}")
    assert models.whisper_model_dir(cache=tmp_path) == d
    part1, part2 = models._whisper_parts()
    assert (d / "model.bin").stat().st_size == part1.stat().st_size + part2.stat().st_size


@pytest.mark.parametrize("call,words", [
    (lambda: models.vosk_model_dir("fr"), ["vosk-model-small-fr-0.22", "vosk-fr/am/final.mdl",
                                          "image/fetch-models.sh"]),
    (lambda: models.vosk_model_dir("en"), ["vosk-model-small-en-us-0.15", "vosk-en"]),
    (lambda: models.vosk_model_dir("de"), ["speech.de.model"]),
    (lambda: models.vosk_model_dir("fr", "/nonexistent/model"), ["/nonexistent/model/am/final.mdl"]),
    (lambda: models.whisper_model_dir("/nonexistent/w"), ["/nonexistent/w/model.bin"]),
    (lambda: models.piper_voice("fr"), ["fr_FR-siwis-medium.onnx", "espeak"]),
    (lambda: models.piper_voice("en", "/nonexistent/v.onnx"), ["/nonexistent/v.onnx"]),
    (lambda: models.piper_voice("de"), ["speech.de.voice"]),
    (lambda: load_recognizer("fr", LanguageSpeechConfig(recognizer="vosk")), ["vosk-model-small-fr-0.22"]),
    (lambda: load_synthesizer("fr", LanguageSpeechConfig(synthesizer="piper")), ["fr_FR-siwis-medium"]),
])
def test_missing_model_says_what_and_how(call, words: list[str], tmp_path: Path,  # type: ignore[no-untyped-def]
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PERMANENCE_MODELS", str(tmp_path / "models"))
    with pytest.raises(ModelMissing) as ei:
        call()
    assert isinstance(ei.value, PermanenceError) and isinstance(ei.value, FileNotFoundError)
    for w in words:
        assert w in str(ei.value)


def test_models_dir_from_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # A vosk model copied into the device's model directory is found there.
    src = models.vosk_model_dir("ko")
    dst = tmp_path / "vosk-fr"
    for sub in ("am", "conf"):
        (dst / sub).mkdir(parents=True)
    (dst / "am" / "final.mdl").symlink_to(src / "am" / "final.mdl")
    (dst / "conf" / "model.conf").symlink_to(src / "conf" / "model.conf")
    monkeypatch.setenv("PERMANENCE_MODELS", str(tmp_path))
    assert models.vosk_model_dir("fr") == dst


def test_vosk_decoder_overlay(tmp_path: Path) -> None:
    from appliance.errors import SpeechError
    from appliance.speech.vosk_engine import VoskModelHandle, tuned_model_dir

    src = models.vosk_model_dir("ko")
    d = tuned_model_dir(src, {"max-active": 1000, "beam": 8.0}, cache=tmp_path)
    conf = (d / "conf" / "model.conf").read_text().splitlines()
    assert "--max-active=1000" in conf and "--beam=8.0" in conf
    assert not any(ln.startswith("--max-active=3000") for ln in conf)
    assert (d / "am" / "final.mdl").resolve() == (src / "am" / "final.mdl").resolve()
    assert (src / "conf" / "model.conf").read_text().count("--max-active=3000") == 1  # source untouched
    assert tuned_model_dir(src, {"max-active": 1000, "beam": 8.0}, cache=tmp_path) == d
    for bad in ({"beam; rm": 1}, {"beam": "8"}, {"beam": True}):
        with pytest.raises(SpeechError):
            tuned_model_dir(src, bad, cache=tmp_path)  # type: ignore[arg-type]
    handle = VoskModelHandle(src, decoder={"max-active": 1000, "beam": 8.0}, cache=tmp_path)
    assert handle.path == d and handle.source_path == src
    rec = handle.stream()
    assert rec.feed(b"\x00\x00" * 8000) == [] and rec.flush() == []
    handle.close()


def test_load_recognizer_from_config(tmp_path: Path) -> None:
    from appliance.speech.recognizer import TUNED_DECODER

    tuned = load_recognizer("ko", LanguageSpeechConfig(recognizer="vosk", model=str(models.vosk_model_dir("ko"))),
                            cache=str(tmp_path), decoder=TUNED_DECODER)
    assert "--max-active=1000" in (tuned.path / "conf" / "model.conf").read_text()  # type: ignore[attr-defined]
    tuned.close()
    vosk = load_recognizer("ko", LanguageSpeechConfig(recognizer="vosk", model=str(models.vosk_model_dir("ko"))))
    assert vosk.engine == "vosk" and vosk.lang == "ko"
    vosk.close()
    with pytest.raises(SpeechError, match="closed"):
        vosk.stream()
    whisper = load_recognizer("fr", LanguageSpeechConfig(recognizer="whisper"))
    assert whisper.engine == "whisper" and whisper.lang == "fr"
    whisper.close()
