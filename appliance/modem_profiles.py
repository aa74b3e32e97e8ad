"""Modem profiles: per-model, per-country init strings and figures, kept as data files.

Each supported modem has one TOML file (``firmware/modems/<model>.toml``). Its
top-level tables are the model's defaults; ``[country.FR]``, ``[country.GB]``,
``[country.US]`` override or extend them for the telephone network of that
country (caller-id signalling, ring cadence, the modem's country setting).
Lists named ``init`` are *concatenated* (model init, then country init); every
other key in a country table replaces the default.

Drivers call :func:`load_profile`::

    >>> p = load_profile("usr5637", "FR")
    >>> p.voice_sample_format, p.vsd
    ('u8', '128,0')
    >>> p.ring_cadence_ms
    (1500, 3500)

Files are looked up in, first match wins: the ``directory`` argument;
``$PERMANENCE_MODEM_PROFILES``; ``/etc/permanence/modems`` (local overrides);
the source tree's ``firmware/modems``; ``/usr/share/permanence/modems`` (the SD
image installs them there). A malformed file is a :class:`ModemProfileError`
naming the file, the key and what is expected.
"""

from __future__ import annotations

import dataclasses
import os
import re
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from .errors import ConfigError

MODELS = ("sim7600", "sim800", "usr5637", "cx93010")
COUNTRIES = ("FR", "GB", "US")
SAMPLE_FORMATS = ("s16le", "u8", "alaw", "ulaw")
_AT = re.compile(r"^AT[\x20-\x7e]*$")
_VSD = re.compile(r"^\d{1,3},\d{1,5}$")

_SEARCH = (
    Path("/etc/permanence/modems"),
    Path(__file__).resolve().parents[1] / "firmware" / "modems",
    Path("/usr/share/permanence/modems"),
)


class ModemProfileError(ConfigError):
    """A modem profile is missing or malformed (file, key, what is expected)."""


@dataclasses.dataclass(frozen=True)
class ModemProfile:
    """Everything a driver needs to know about one modem model on one country's network."""

    model: str
    country: str
    description: str
    driver: str  # "gsm" or "voicemodem"
    identify: tuple[str, ...]  # substrings of ATI / AT+CGMM replies that identify this model
    init: tuple[str, ...]  # sent in order after the port opens (model init, then country init)
    caller_id: tuple[str, ...]  # commands that enable caller id delivery
    answer: tuple[str, ...]
    hangup: tuple[str, ...]
    audio_start: tuple[str, ...]  # after answering: start the audio path
    audio_stop: tuple[str, ...]
    voice_sample_format: str  # format on the wire: s16le, u8, alaw, ulaw
    voice_sample_rate: int
    vsd: str | None  # AT+VSD silence detection "sensitivity,tenths" (voice modems), None for GSM
    vsm: str | None  # AT+VSM argument selecting the sample format (voice modems)
    ring_cadence_ms: tuple[int, ...]  # on, off[, on, off] in milliseconds
    caller_id_timing: str  # "network" (GSM +CLIP), "before_first_ring", "between_rings"
    country_code: str  # E.164 country code without "+"
    trunk_prefix: str  # national dialling prefix stripped when normalising numbers
    command_timeouts: Mapping[str, float]  # per-command timeouts in seconds (e.g. "ATA": 10)
    source: str  # the file it came from
    notes: str = ""

    def timeout_for(self, command: str, default: float) -> float:
        """The timeout for ``command`` (matched on its prefix up to '=' or '?'), else ``default``."""
        key = re.split(r"[=?]", command, maxsplit=1)[0].upper()
        return float(self.command_timeouts.get(key, default))


_STR_LISTS = ("identify", "init", "caller_id", "answer", "hangup", "audio_start", "audio_stop")
_AT_LISTS = ("init", "caller_id", "answer", "hangup", "audio_start", "audio_stop")
_KNOWN = set(_STR_LISTS) | {
    "model", "description", "driver", "voice_sample_format", "voice_sample_rate", "vsd", "vsm",
    "ring_cadence_ms", "caller_id_timing", "country_code", "trunk_prefix", "command_timeouts", "notes",
    "country",
}
_COUNTRY_ONLY_FORBIDDEN = {"model", "driver", "country"}


def profile_dirs(directory: str | os.PathLike[str] | None = None) -> list[Path]:
    dirs: list[Path] = []
    if directory is not None:
        dirs.append(Path(directory))
    env = os.environ.get("PERMANENCE_MODEM_PROFILES")
    if env:
        dirs.append(Path(env))
    dirs.extend(_SEARCH)
    return dirs


def find_profile_file(model: str, directory: str | os.PathLike[str] | None = None) -> Path:
    if model not in MODELS:
        raise ModemProfileError(f"modem model {model!r}: expected one of {', '.join(MODELS)} "
                                f"(set [[lines]] model, or 'auto' to identify the modem)")
    tried = []
    for d in profile_dirs(directory):
        f = d / f"{model}.toml"
        tried.append(str(f))
        if f.is_file():
            return f
    raise ModemProfileError(f"no profile for modem {model!r}: looked for {', '.join(tried)}; "
                            f"install firmware/modems/ to /usr/share/permanence/modems")


def load_profile(
    model: str, country: str, *, directory: str | os.PathLike[str] | None = None
) -> ModemProfile:
    """The profile of ``model`` (sim7600, sim800, usr5637, cx93010) for ``country`` (FR, GB, US)."""
    if country not in COUNTRIES:
        raise ModemProfileError(f"country {country!r}: expected one of {', '.join(COUNTRIES)}")
    path = find_profile_file(model, directory)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ModemProfileError(f"{path}: not valid TOML: {exc}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ModemProfileError(f"{path}: cannot read: {exc}") from None
    return profile_from_dict(data, model, country, source=str(path))


def profile_from_dict(data: Mapping[str, Any], model: str, country: str, *, source: str) -> ModemProfile:
    """Validate and merge a parsed profile file (defaults + ``[country.<CC>]``)."""
    def err(key: str, msg: str) -> ModemProfileError:
        return ModemProfileError(f"{source}: {key}: {msg}")

    for k in data:
        if k not in _KNOWN:
            raise err(k, f"unknown key (known: {', '.join(sorted(_KNOWN))})")
    if data.get("model") != model:
        raise err("model", f"expected {model!r} (the file name), got {data.get('model')!r}")
    countries = data.get("country", {})
    if not isinstance(countries, dict):
        raise err("country", "expected tables [country.FR], [country.GB], [country.US]")
    for cc in countries:
        if cc not in COUNTRIES:
            raise err(f"country.{cc}", f"expected a country among {', '.join(COUNTRIES)}")
    if country not in countries:
        raise err(f"country.{country}", f"this modem has no profile for {country}; add a [country.{country}] "
                                        f"table (ring cadence, caller id) after checking the network's rules")
    over = countries[country]
    if not isinstance(over, dict):
        raise err(f"country.{country}", "expected a table")
    for k in over:
        if k not in _KNOWN or k in _COUNTRY_ONLY_FORBIDDEN:
            raise err(f"country.{country}.{k}", "unknown or not allowed in a country table")

    merged: dict[str, Any] = {k: v for k, v in data.items() if k != "country"}
    for k, v in over.items():
        if k == "init":
            base = merged.get("init", [])
            if not isinstance(base, list) or not isinstance(v, list):
                raise err(f"country.{country}.init", "expected a list of AT commands")
            merged["init"] = [*base, *v]
        else:
            merged[k] = v

    def key_of(k: str) -> str:
        return f"country.{country}.{k}" if k in over else k

    def strings(k: str, *, required: bool = True) -> tuple[str, ...]:
        v = merged.get(k)
        if v is None:
            if required:
                raise err(k, "missing (expected a list of strings)")
            return ()
        if not isinstance(v, list) or not all(isinstance(x, str) for x in v):
            raise err(key_of(k), f"expected a list of strings, got {v!r}")
        if k in _AT_LISTS:
            for i, cmd in enumerate(v):
                if not _AT.match(cmd):
                    raise err(f"{key_of(k)}[{i}]", f"expected an AT command of printable ASCII starting "
                                                   f"with 'AT' (no CR/LF), got {cmd!r}")
        return tuple(v)

    def string(k: str, *, allowed: tuple[str, ...] | None = None, pattern: str | None = None,
               optional: bool = False) -> str | None:
        v = merged.get(k)
        if v is None:
            if optional:
                return None
            raise err(k, "missing")
        if not isinstance(v, str):
            raise err(key_of(k), f"expected a string, got {v!r}")
        if allowed is not None and v not in allowed:
            raise err(key_of(k), f"expected one of {', '.join(allowed)}, got {v!r}")
        if pattern is not None and not re.fullmatch(pattern, v):
            raise err(key_of(k), f"expected the form {pattern}, got {v!r}")
        return v

    driver = string("driver", allowed=("gsm", "voicemodem"))
    vsd = string("vsd", optional=True)
    if vsd is not None and not _VSD.match(vsd):
        raise err(key_of("vsd"), f"expected 'sensitivity,tenths_of_second' such as '128,0', got {vsd!r}")
    vsm = string("vsm", optional=True, pattern=r"\d{1,3}(,\d{1,5}){1,3}")
    if driver == "voicemodem" and (vsd is None or vsm is None):
        raise err("vsd", "a voice modem profile needs both vsd and vsm")

    rate = merged.get("voice_sample_rate")
    if isinstance(rate, bool) or not isinstance(rate, int) or rate not in (8000, 16000):
        raise err(key_of("voice_sample_rate"), f"expected 8000 or 16000, got {rate!r}")
    cadence = merged.get("ring_cadence_ms")
    if (not isinstance(cadence, list) or not cadence or len(cadence) % 2
            or not all(isinstance(x, int) and not isinstance(x, bool) and 50 <= x <= 10000 for x in cadence)):
        raise err(key_of("ring_cadence_ms"), f"expected an even list of on/off durations in ms (50-10000), "
                                             f"such as [1500, 3500], got {cadence!r}")
    timeouts = merged.get("command_timeouts", {})
    if not isinstance(timeouts, dict) or not all(
            isinstance(v, int | float) and not isinstance(v, bool) and 0.1 <= v <= 300
            for v in timeouts.values()):
        raise err(key_of("command_timeouts"),
                  f"expected a table of seconds (0.1-300) per command, got {timeouts!r}")

    return ModemProfile(
        model=model,
        country=country,
        description=string("description") or "",
        driver=driver or "",
        identify=strings("identify"),
        init=strings("init"),
        caller_id=strings("caller_id"),
        answer=strings("answer"),
        hangup=strings("hangup"),
        audio_start=strings("audio_start", required=False),
        audio_stop=strings("audio_stop", required=False),
        voice_sample_format=string("voice_sample_format", allowed=SAMPLE_FORMATS) or "",
        voice_sample_rate=rate,
        vsd=vsd,
        vsm=vsm,
        ring_cadence_ms=tuple(cadence),
        caller_id_timing=string("caller_id_timing",
                                allowed=("network", "before_first_ring", "between_rings")) or "",
        country_code=string("country_code", pattern=r"[1-9]\d{0,2}") or "",
        trunk_prefix=string("trunk_prefix", pattern=r"\d{0,2}") or "",
        command_timeouts={k.upper(): float(v) for k, v in timeouts.items()},
        source=source,
        notes=string("notes", optional=True) or "",
    )


def identify_model(reply: str) -> str | None:
    """The model whose ``identify`` substrings occur in an ``ATI``/``AT+CGMM`` reply, else None."""
    text = reply.upper()
    for model in MODELS:
        try:
            path = find_profile_file(model)
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (ModemProfileError, OSError, tomllib.TOMLDecodeError):
            continue
        for s in data.get("identify", []):
            if isinstance(s, str) and s and s.upper() in text:
                return model
    return None
