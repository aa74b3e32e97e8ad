"""firmware/: udev rules and the Pi boot config, parsed and checked against what the drivers expect."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
RULES = ROOT / "firmware" / "udev" / "99-permanence.rules"
BOOT = ROOT / "firmware" / "boot" / "config.txt"

_TOKEN = re.compile(r'^\s*([A-Z_]+)(?:\{([A-Za-z0-9_]+)\})?\s*(==|!=|\+=|:=|=)\s*"([^"]*)"\s*$')
_MATCH_KEYS = {"SUBSYSTEM", "KERNEL", "ATTRS", "ENV", "DRIVERS", "SUBSYSTEMS"}
_ASSIGN_KEYS = {"SYMLINK", "GROUP", "MODE", "ENV", "OWNER"}


def parse_rule(line: str) -> list[tuple[str, str | None, str, str]]:
    tokens = []
    for part in line.split(", "):
        m = _TOKEN.match(part)
        if not m:
            raise ValueError(f"not a udev key/operator/value token: {part!r}")
        key, attr, op, value = m.groups()
        if op in ("==", "!=") and key not in _MATCH_KEYS:
            raise ValueError(f"{key} cannot be matched")
        if op in ("=", "+=", ":=") and key not in _ASSIGN_KEYS:
            raise ValueError(f"{key} cannot be assigned")
        tokens.append((key, attr, op, value))
    return tokens


def rules() -> list[list[tuple[str, str | None, str, str]]]:
    return [parse_rule(ln) for ln in RULES.read_text().splitlines() if ln.strip() and not ln.startswith("#")]


def _get(rule, key, attr=None, ops=("==",)):
    return next((v for k, a, op, v in rule if k == key and a == attr and op in ops), None)


@pytest.mark.parametrize(
    ("line", "ok"),
    [
        ('SUBSYSTEM=="tty", SYMLINK+="x"', True),
        ('SUBSYSTEM="tty", SYMLINK+="x"', False),  # assignment to a match-only key
        ('SUBSYSTEM=="tty" SYMLINK+="x"', False),  # missing comma
        ('SUBSYSTEM=="tty", SYMLINK+=x', False),  # unquoted value
        ('ENV{ID_MM_DEVICE_IGNORE}="1"', True),
    ],
)
def test_rule_parser_itself(line, ok):
    if ok:
        assert parse_rule(line)
    else:
        with pytest.raises(ValueError):
            parse_rule(line)


def test_every_rule_parses_and_hides_the_port_from_modemmanager():
    rs = rules()
    assert len(rs) >= 8
    for r in rs:
        assert ("ENV", "ID_MM_DEVICE_IGNORE", "=", "1") in r, r


@pytest.mark.parametrize(
    ("interface", "name"),
    [("00", "sim7600-diag"), ("01", "sim7600-nmea"), ("02", "sim7600-at"), ("03", "sim7600-at2"),
     ("04", "sim7600-audio")],
)
def test_sim7600_ports_by_interface_number(interface, name):
    matches = [r for r in rules() if _get(r, "ENV", "ID_USB_INTERFACE_NUM") == interface]
    assert len(matches) == 1
    r = matches[0]
    assert _get(r, "ATTRS", "idVendor") == "1e0e" and _get(r, "ATTRS", "idProduct") == "9001"
    assert _get(r, "SYMLINK", ops=("+=",)) == f"permanence/{name}"
    assert _get(r, "GROUP", ops=("=",)) == "dialout"
    assert _get(r, "SUBSYSTEM") == "tty"


@pytest.mark.parametrize(("vid", "pid", "name"), [("0baf", "0303", "usr5637"), ("0572", "1329", "cx93010")])
def test_voice_modems(vid, pid, name):
    r = next(r for r in rules() if _get(r, "ATTRS", "idVendor") == vid)
    assert _get(r, "ATTRS", "idProduct") == pid
    assert _get(r, "SYMLINK", ops=("+=",)) == f"permanence/{name}"


def test_symlinks_unique():
    names = [_get(r, "SYMLINK", ops=("+=",)) for r in rules()]
    names = [n for n in names if n]
    assert len(names) == len(set(names))


def _boot() -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for ln in BOOT.read_text().splitlines():
        ln = ln.strip()
        if not ln or ln.startswith("#") or ln.startswith("["):
            continue
        key, _, value = ln.partition("=")
        assert _, f"not key=value: {ln!r}"
        out.setdefault(key, []).append(value)
    return out


def test_boot_config_enables_uart_and_frees_pl011():
    b = _boot()
    assert b["enable_uart"] == ["1"]
    assert "disable-bt" in b["dtoverlay"] or "miniuart-bt" in b["dtoverlay"]


def test_boot_config_power_key_and_leds_match_examples():
    import tomllib

    b = _boot()
    gpio = b["gpio"]
    assert any(g.startswith("6=") for g in gpio)  # SIM7600 HAT PWRKEY (BCM 6)
    example = tomllib.loads((ROOT / "examples" / "permanence.toml").read_text())
    leds = example["leds"]
    led_pins = {leds[k] for k in ("ready", "in_call", "urgent", "fault")}
    declared = {int(p) for g in gpio if "op" in g for p in g.split("=")[0].split(",")}
    assert led_pins <= declared
    assert not led_pins & {4, 6, 14, 15}  # HAT: flight mode, power key, UART
