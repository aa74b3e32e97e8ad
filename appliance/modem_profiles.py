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


@dataclasses.dataclass(frozen=True)
class _Text:
    """A text field of a profile: one string, or (``many``) a list of strings; ``allowed`` and ``pattern``
    constrain a single string."""

    key: str
    many: bool = False
    required: bool = True
    allowed: tuple[str, ...] | None = None
    pattern: str | None = None


# The text fields, in the order they are read (the first fault found is the one reported).
_TEXT_FIELDS = (
    _Text("description"),
    *(_Text(k, many=True) for k in ("identify", "init", "caller_id", "answer", "hangup")),
    *(_Text(k, many=True, required=False) for k in ("audio_start", "audio_stop")),
    _Text("voice_sample_format", allowed=SAMPLE_FORMATS),
    _Text("caller_id_timing", allowed=("network", "before_first_ring", "between_rings")),
    _Text("country_code", pattern=r"[1-9]\d{0,2}"),
    _Text("trunk_prefix", pattern=r"\d{0,2}"),
    _Text("notes", required=False),
)


def _error(source: str, key: str, msg: str) -> ModemProfileError:
    return ModemProfileError(f"{source}: {key}: {msg}")


def _country_table(data: Mapping[str, Any], model: str, country: str, source: str) -> dict[str, Any]:
    """The file's ``[country.<country>]`` table, after checking the file's keys, model and country tables."""
    for k in data:
        if k not in _KNOWN:
            raise _error(source, k, f"unknown key (known: {', '.join(sorted(_KNOWN))})")
    if data.get("model") != model:
        raise _error(source, "model", f"expected {model!r} (the file name), got {data.get('model')!r}")
    countries = data.get("country", {})
    if not isinstance(countries, dict):
        raise _error(source, "country", "expected tables [country.FR], [country.GB], [country.US]")
    for cc in countries:
        if cc not in COUNTRIES:
            raise _error(source, f"country.{cc}", f"expected a country among {', '.join(COUNTRIES)}")
    if country not in countries:
        raise _error(source, f"country.{country}",
                     f"this modem has no profile for {country}; add a [country.{country}] "
                     f"table (ring cadence, caller id) after checking the network's rules")
    over = countries[country]
    if not isinstance(over, dict):
        raise _error(source, f"country.{country}", "expected a table")
    for k in over:
        if k not in _KNOWN or k in _COUNTRY_ONLY_FORBIDDEN:
            raise _error(source, f"country.{country}.{k}", "unknown or not allowed in a country table")
    return over


def _merged(data: Mapping[str, Any], over: Mapping[str, Any], country: str, source: str) -> dict[str, Any]:
    """The model's defaults with the country table applied: its ``init`` appended, its other keys replacing."""
    merged: dict[str, Any] = {k: v for k, v in data.items() if k != "country"}
    for k, v in over.items():
        if k == "init":
            base = merged.get("init", [])
            if not isinstance(base, list) or not isinstance(v, list):
                raise _error(source, f"country.{country}.init", "expected a list of AT commands")
            merged["init"] = [*base, *v]
        else:
            merged[k] = v
    return merged


class _Fields:
    """Reads the typed fields of a merged profile; an error names the file and the key (``country.<CC>.key``
    when the country table set it)."""

    def __init__(self, merged: Mapping[str, Any], over: Mapping[str, Any], country: str, source: str) -> None:
        self.merged, self.over, self.country, self.source = merged, over, country, source

    def err(self, key: str, msg: str) -> ModemProfileError:
        return _error(self.source, key, msg)

    def key_of(self, k: str) -> str:
        return f"country.{self.country}.{k}" if k in self.over else k

    def text(self, f: _Text) -> str | tuple[str, ...]:
        """The field ``f``: a tuple of strings, or a string ("" for an absent optional one)."""
        if f.many:
            return self.strings(f.key, required=f.required)
        return self.string(f.key, allowed=f.allowed, pattern=f.pattern, optional=not f.required) or ""

    def strings(self, k: str, *, required: bool = True) -> tuple[str, ...]:
        v = self.merged.get(k)
        if v is None:
            if required:
                raise self.err(k, "missing (expected a list of strings)")
            return ()
        if not isinstance(v, list) or not all(isinstance(x, str) for x in v):
            raise self.err(self.key_of(k), f"expected a list of strings, got {v!r}")
        if k in _AT_LISTS:
            for i, cmd in enumerate(v):
                if not _AT.match(cmd):
                    raise self.err(f"{self.key_of(k)}[{i}]", f"expected an AT command of printable ASCII "
                                                             f"starting with 'AT' (no CR/LF), got {cmd!r}")
        return tuple(v)

    def string(self, k: str, *, allowed: tuple[str, ...] | None = None, pattern: str | None = None,
               optional: bool = False) -> str | None:
        v = self.merged.get(k)
        if v is None:
            if optional:
                return None
            raise self.err(k, "missing")
        if not isinstance(v, str):
            raise self.err(self.key_of(k), f"expected a string, got {v!r}")
        if allowed is not None and v not in allowed:
            raise self.err(self.key_of(k), f"expected one of {', '.join(allowed)}, got {v!r}")
        if pattern is not None and not re.fullmatch(pattern, v):
            raise self.err(self.key_of(k), f"expected the form {pattern}, got {v!r}")
        return v

    def driver_and_voice(self) -> tuple[str, str | None, str | None]:
        """``driver``, ``vsd`` and ``vsm`` (both needed by a voice modem)."""
        driver = self.string("driver", allowed=("gsm", "voicemodem"))
        vsd = self.string("vsd", optional=True)
        if vsd is not None and not _VSD.match(vsd):
            raise self.err(self.key_of("vsd"), f"expected 'sensitivity,tenths_of_second' such as '128,0', "
                                               f"got {vsd!r}")
        vsm = self.string("vsm", optional=True, pattern=r"\d{1,3}(,\d{1,5}){1,3}")
        if driver == "voicemodem" and (vsd is None or vsm is None):
            raise self.err("vsd", "a voice modem profile needs both vsd and vsm")
        return driver or "", vsd, vsm

    def sample_rate(self) -> int:
        rate = self.merged.get("voice_sample_rate")
        if isinstance(rate, bool) or not isinstance(rate, int) or rate not in (8000, 16000):
            raise self.err(self.key_of("voice_sample_rate"), f"expected 8000 or 16000, got {rate!r}")
        return rate

    def ring_cadence(self) -> tuple[int, ...]:
        cadence = self.merged.get("ring_cadence_ms")
        if (not isinstance(cadence, list) or not cadence or len(cadence) % 2
                or not all(isinstance(x, int) and not isinstance(x, bool) and 50 <= x <= 10000 for x in cadence)):
            raise self.err(self.key_of("ring_cadence_ms"), f"expected an even list of on/off durations in ms "
                                                           f"(50-10000), such as [1500, 3500], got {cadence!r}")
        return tuple(cadence)

    def command_timeouts(self) -> dict[str, float]:
        timeouts = self.merged.get("command_timeouts", {})
        if not isinstance(timeouts, dict) or not all(
                isinstance(v, int | float) and not isinstance(v, bool) and 0.1 <= v <= 300
                for v in timeouts.values()):
            raise self.err(self.key_of("command_timeouts"),
                           f"expected a table of seconds (0.1-300) per command, got {timeouts!r}")
        return {k.upper(): float(v) for k, v in timeouts.items()}


def profile_from_dict(data: Mapping[str, Any], model: str, country: str, *, source: str) -> ModemProfile:
    """Validate and merge a parsed profile file (defaults + ``[country.<CC>]``)."""
    over = _country_table(data, model, country, source)
    fields = _Fields(_merged(data, over, country, source), over, country, source)
    driver, vsd, vsm = fields.driver_and_voice()
    rate, cadence, timeouts = fields.sample_rate(), fields.ring_cadence(), fields.command_timeouts()
    texts: dict[str, Any] = {f.key: fields.text(f) for f in _TEXT_FIELDS}
    return ModemProfile(model=model, country=country, driver=driver, voice_sample_rate=rate, vsd=vsd, vsm=vsm,
                        ring_cadence_ms=cadence, command_timeouts=timeouts, source=source, **texts)


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
