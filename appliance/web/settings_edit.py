"""Edit the configuration file from the Settings page, with the config file's own validation.

The form's values replace keys in the data of the current file; only the keys whose value
changed are written into the file (:func:`appliance.tomledit.edit`: every comment, the order
and the formatting of the file stay), the result is checked with
:func:`appliance.config.load_config_text`, and only then written (atomically) over the file.
Each change is appended to ``<data_dir>/settings-changes.jsonl`` (who, when, from where,
which keys).
"""

from __future__ import annotations

import json
import os
import re
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from .. import tomledit
from ..config import WEEKDAYS, Config, load_config_text
from ..errors import ConfigError, StoreError
from ..store.atomic import atomic_write_text
from ..store.record import iso

_BARE = re.compile(r"^[A-Za-z0-9_-]+$")
SECTIONS = ("company", "faq", "rota", "rules")


# --------------------------------------------------------------------------- form -> data

def _lines(text: str) -> list[str]:
    return [ln.strip() for ln in text.replace("\r", "").split("\n") if ln.strip()]


def _number(raw: str) -> Any:
    """A number when the text is one; otherwise the text itself, for the validator to name."""
    s = raw.strip().replace(",", ".").replace("\u202f", "").replace(" ", "")
    try:
        return int(s) if re.fullmatch(r"-?\d+", s) else float(s)
    except ValueError:
        return raw.strip()


def _split(line: str, n: int, where: str, example: str) -> list[str]:
    parts = [p.strip() for p in line.split(";")]
    if len(parts) != n:
        raise ConfigError(f"{where}: expected {n} fields separated by ';' such as {example!r}, got {line!r}")
    return parts


TRANSFER_WORDS = ("transfer", "transfert")
"""A third field on a rota person's line: urgent callers may be put through to them."""


def _person(line: str, where: str) -> dict[str, Any]:
    """``Marc Petit; +33612345678`` or ``Marc Petit; +33612345678; transfer``."""
    parts = [p.strip() for p in line.split(";")]
    if len(parts) == 3 and parts[2].lower() in TRANSFER_WORDS:
        return {"name": parts[0], "phone": parts[1], "transfer": True}
    name, phone = _split(line, 2, where, "Marc Petit; +33612345678 (or Marc Petit; +33612345678; transfer)")
    return {"name": name, "phone": phone}


def apply_form(data: dict[str, Any], section: str, form: Mapping[str, str]) -> dict[str, Any]:
    """A copy of the file's data with one section replaced from the form's fields."""
    new = json.loads(json.dumps(data, default=str))  # deep copy; dates never occur in a valid config
    if section == "company":
        c = new.setdefault("company", {})
        for k in ("name", "phone", "address", "service_area", "rates", "availability", "timezone",
                  "language", "currency"):
            if k in form:
                c[k] = form[k].strip()
        if "average_order_value" in form:
            c["average_order_value"] = _number(form["average_order_value"])
        if "conversion_rate" in form:  # the form says "40" for 40 %
            rate = _number(form["conversion_rate"].replace("%", ""))
            c["conversion_rate"] = rate / 100 if isinstance(rate, int | float) else rate
        opening = {d: form.get(f"hours_{d}", "").strip() or "closed" for d in WEEKDAYS if f"hours_{d}" in form}
        if opening:
            c["opening_hours"] = opening
        if "holidays" in form:
            c["holidays"] = [h.strip() for h in re.split(r"[,\s]+", form["holidays"]) if h.strip()]
    elif section == "faq":
        faq: dict[str, str] = {}
        for i, text in enumerate(_lines(form.get("faq", ""))):
            topic, sep, answer = text.partition(":")
            if not sep or not topic.strip() or not answer.strip():
                raise ConfigError(f"company.faq line {i + 1}: expected 'topic: answer', got {text!r}")
            faq[topic.strip()] = answer.strip()
        new.setdefault("company", {})["faq"] = faq
    elif section == "rota":
        r = new.setdefault("rota", {})
        r["people"] = [_person(ln, f"rota.people line {i + 1}") for i, ln in enumerate(_lines(form.get("people", "")))]
        shifts: list[dict[str, Any]] = []
        for i, ln in enumerate(_lines(form.get("shifts", ""))):
            person, days, hours = _split(ln, 3, f"rota.shifts line {i + 1}", "Marc Petit; mon,tue; 08:00-18:00")
            shifts.append({"person": person, "days": [d.strip() for d in days.split(",") if d.strip()],
                           "hours": hours})
        r["shifts"] = shifts
        r["overrides"] = [dict(zip(("person", "start", "end"),
                                   _split(ln, 3, f"rota.overrides line {i + 1}",
                                          "Marc Petit; 2026-12-24; 2026-12-26")))
                          for i, ln in enumerate(_lines(form.get("overrides", "")))]
        if "ack_minutes" in form:
            r["ack_minutes"] = _number(form["ack_minutes"])
    elif section == "rules":
        new.setdefault("qualification", {})["rules"] = form.get("rules", "").strip()
    else:
        raise ConfigError(f"unknown settings section {section!r}: expected one of {', '.join(SECTIONS)}")
    return new


def form_defaults(cfg: Config) -> dict[str, str]:
    """Text for the form fields from the effective configuration."""
    c, r = cfg.company, cfg.rota
    out = {k: str(getattr(c, k)) for k in ("name", "phone", "address", "service_area", "rates", "availability",
                                            "timezone", "language", "currency", "average_order_value")}
    out["conversion_rate"] = f"{c.conversion_rate * 100:g}"
    out.update({f"hours_{d}": c.opening_hours.get(d, "closed") for d in WEEKDAYS})
    out["holidays"] = ", ".join(c.holidays)
    out["faq"] = "\n".join(f"{k}: {v}" for k, v in c.faq.items())
    out["people"] = "\n".join(f"{p.name}; {p.phone}" + ("; transfer" if p.transfer else "") for p in r.people)
    out["shifts"] = "\n".join(f"{s.person}; {','.join(s.days)}; {s.hours}" for s in r.shifts)
    out["overrides"] = "\n".join(f"{o.person}; {o.start}; {o.end}" for o in r.overrides)
    out["ack_minutes"] = f"{r.ack_minutes:g}"
    out["rules"] = cfg.qualification.rules
    return out


def save_section(config_path: Path, data_dir: Path, section: str, form: Mapping[str, str], *,
                 who: str, ip: str) -> tuple[Config, list[str]]:
    """Validate and write; returns the new configuration and the keys that changed.

    Raises :class:`ConfigError` (file untouched) when the result would not load."""
    text = _read(config_path)
    old = tomledit.plain(tomledit.parse(text, source=str(config_path)))
    new_text, keys = tomledit.edit(text, apply_form(old, section, form), source=str(config_path))
    cfg = load_config_text(new_text, source=str(config_path))
    if keys:
        try:
            mode = os.stat(config_path).st_mode & 0o777
        except OSError:
            mode = 0o640
        try:
            atomic_write_text(config_path, new_text, mode=mode)
        except StoreError as exc:
            raise ConfigError(str(exc)) from exc
        log_change(data_dir, {"at": iso(), "who": who, "ip": ip, "section": section, "keys": keys,
                              "file": str(config_path)})
    return cfg, keys


def _read(config_path: Path) -> str:
    try:
        return config_path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{config_path}: cannot read the configuration: {exc}") from None


def rules_text(cfg: Config) -> tuple[str, str]:
    """(path shown, content) of the owner's rules file in use; without one, the language's starter file
    (``rules/<lang>.owner.toml``: additions to the built-in rules, which keep arriving with upgrades)."""
    from ..conversation.rules import RULES_DIR

    path = Path(cfg.qualification.rules) if cfg.qualification.rules else \
        RULES_DIR / f"{cfg.company.language}.owner.toml"
    try:
        return str(path), path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return str(path), ""


def try_rules(cfg: Config, transcript: str, caller_id: str = "") -> dict[str, Any]:
    """What the qualifier in use decides for a pasted transcript (one caller turn per line), and why."""
    from ..conversation.qualifier import Qualifier
    from ..errors import QualificationError

    turns = [t.strip() for t in transcript.replace("\r\n", "\n").split("\n") if t.strip()][:TRY_MAX_TURNS]
    if not turns:
        raise ConfigError("try it: paste a transcript, one caller turn per line")
    try:
        q = Qualifier.load(cfg.company.language, cfg.qualification.rules or None)
    except QualificationError as exc:
        raise ConfigError(str(exc)) from None
    r = q.qualify([t[:TRY_MAX_CHARS] for t in turns], caller_id.strip()[:30] or None)
    reasons = {u.id: u.reason for u in q.rules.urgency if u.reason}
    return r.to_dict() | {"turns": turns, "explained": [(rule, reasons.get(rule.split("@")[0], "")) for rule in r.rules]}


TRY_MAX_TURNS = 20
TRY_MAX_CHARS = 1000


def save_rules(config_path: Path, data_dir: Path, form: Mapping[str, str], *, who: str,
               ip: str) -> tuple[Config, list[str]]:
    """Validate the rules text with the qualifier's own loader, write it, then point the
    configuration at it. Nothing is written unless both are valid."""
    from ..conversation.rules import RULES_DIR, rules_from_text
    from ..errors import QualificationError

    path_text = form.get("rules", "").strip()
    content = form.get("rules_content", "").replace("\r\n", "\n")
    if not content.strip() or not path_text:  # no path: back to the built-in rules
        return save_section(config_path, data_dir, "rules", {"rules": path_text}, who=who, ip=ip)
    path = Path(path_text)
    if not path.is_absolute() or path.suffix != ".toml":
        raise ConfigError(f"qualification.rules: expected an absolute path ending in .toml, got {path_text!r}")
    if path.resolve().is_relative_to(RULES_DIR.resolve()):
        raise ConfigError("qualification.rules: the built-in rules cannot be changed; save a copy elsewhere")
    try:
        rules_from_text(content, str(path), cfg_language(config_path))
    except QualificationError as exc:
        raise ConfigError(str(exc)) from None
    try:
        old = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        old = None
    # the configuration must accept the path too before anything is written
    text = _read(config_path)
    old_data = tomledit.plain(tomledit.parse(text, source=str(config_path)))
    load_config_text(tomledit.edit(text, apply_form(old_data, "rules", {"rules": path_text}),
                                   source=str(config_path))[0], source=str(config_path))
    keys: list[str] = []
    if old != content:
        try:
            atomic_write_text(path, content, mode=0o640)
        except StoreError as exc:
            raise ConfigError(str(exc)) from exc
        keys.append(f"rules file {path}")
        log_change(data_dir, {"at": iso(), "who": who, "ip": ip, "section": "rules", "keys": keys,
                              "file": str(path)})
    cfg, more = save_section(config_path, data_dir, "rules", {"rules": path_text}, who=who, ip=ip)
    return cfg, keys + more


def cfg_language(config_path: Path) -> str:
    """The company's language in the configuration file (the rules a file adds to are that language's)."""
    try:
        lang = tomllib.loads(config_path.read_text(encoding="utf-8")).get("company", {}).get("language", "fr")
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError, AttributeError):
        return "fr"
    return lang if isinstance(lang, str) else "fr"


def log_change(data_dir: Path, entry: Mapping[str, Any]) -> None:
    path = data_dir / "settings-changes.jsonl"
    line = (json.dumps(dict(entry), ensure_ascii=False) + "\n").encode("utf-8")
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o640)
    try:
        os.write(fd, line)
        os.fsync(fd)
    finally:
        os.close(fd)


def recent_changes(data_dir: Path, n: int = 10) -> list[dict[str, Any]]:
    path = data_dir / "settings-changes.jsonl"
    try:
        lines = path.read_text(encoding="utf-8").splitlines()[-n:]
    except (OSError, UnicodeDecodeError):
        return []
    out = []
    for ln in reversed(lines):
        try:
            item = json.loads(ln)
        except json.JSONDecodeError:
            continue  # a line cut by a power loss
        if isinstance(item, dict):
            out.append(item)
    return out
