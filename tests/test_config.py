"""Configuration: table-driven validation, with the file and key in every error."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from pathlib import Path

import pytest

from appliance.config import Config, dump_config, load_config, load_config_text
from appliance.errors import ConfigError

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "permanence.toml"


def test_example_config_is_valid_and_documents_every_key() -> None:
    cfg = load_config(EXAMPLE)
    assert cfg.company.name == "Maintenance Industrielle Martin"
    assert cfg.lines[0].driver == "sim"
    text = EXAMPLE.read_text(encoding="utf-8")
    # every key of every section appears in the example
    for line in dump_config(Config()).splitlines():
        if "=" in line and not line.startswith("#"):
            key = line.split("=")[0].strip()
            assert f"{key} =" in text or f"# {key} =" in text or f".{key}]" in text, key


@pytest.mark.parametrize("country", ["FR", "GB", "US", "CA", "BE", "CH", "DE"])
def test_every_country_with_a_known_ring_cadence_is_a_line_country(country: str) -> None:
    cfg = load_config_text(f"[[lines]]\ncountry = '{country}'", source="t.toml")
    assert cfg.lines[0].country == country


def test_defaults_are_valid() -> None:
    cfg = load_config_text("", source="empty.toml")
    assert cfg.company.language == "fr"
    assert cfg.lines[0].rings_before_answer == 1


@pytest.mark.parametrize(
    ("toml", "key", "expected"),
    [
        ("[company]\nnam = 'x'", "company.nam", "unknown key"),
        ("[company]\nname = ''", "company.name", "non-empty"),
        ("[company]\nlanguage = 'de'", "company.language", "one of 'fr', 'en'"),
        ("[company]\ntimezone = 'Mars/Olympus'", "company.timezone", "IANA"),
        ("[company.opening_hours]\nmon = '8h-12h'", "company.opening_hours.mon", "HH:MM-HH:MM"),
        ("[company.opening_hours]\nmon = '18:00-08:00'", "company.opening_hours.mon", "end after the start"),
        ("[company.opening_hours]\nmonday = 'closed'", "company.opening_hours.monday", "weekday"),
        ("[company]\nholidays = ['25/12/2026']", "company.holidays[0]", "YYYY-MM-DD"),
        ("[company]\nconversion_rate = 1.5", "company.conversion_rate", "between 0 and 1"),
        ("[[lines]]\nrings_before_answer = -1", "lines[0].rings_before_answer", "from 0 to 20"),
        ("[[lines]]\nrings_before_answer = '2'", "lines[0].rings_before_answer", "an integer"),
        ("[[lines]]\ndriver = 'gsm'", "lines[0].port", "serial port"),
        ("[[lines]]\ndriver = 'isdn'", "lines[0].driver", "one of"),
        ("[[lines]]\nname = 'a b'", "lines[0].name", "line name"),
        ("[[lines]]\n[[lines]]", "lines", "each line name once"),
        ("lines = []", "lines", "at least one"),
        ("[[lines]]\npin = '12'", "lines[0].pin", "4 to 8 digits"),
        ("[[lines]]\npower_gpio = 40", "lines[0].power_gpio", "0 to 27"),
        ("[[lines]]\ncountry = 'IT'", "lines[0].country", "'CH', 'DE'"),  # no known ring cadence
        ("[[lines]]\ncountry = 'de'", "lines[0].country", "one of"),
        ("[speech]\nend_silence_ms = 20", "speech.end_silence_ms", "100 to 5000"),
        ("[speech.fr]\nrecognizer = 'google'", "speech.fr.recognizer", "one of"),
        ("[rota]\n[[rota.people]]\nname = 'A'\nphone = '0612'", "rota.people[0].phone", "E.164"),
        ("[rota]\n[[rota.shifts]]\nperson = 'Nobody'", "rota.shifts[0].person", "rota.people"),
        ("[rota]\ndigest_times = ['25:00']", "rota.digest_times[0]", "HH:MM"),
        ("[alerts.mqtt]\nport = 70000", "alerts.mqtt.port", "1 to 65535"),
        ("[alerts.mqtt]\ntopic_prefix = 'a/#'", "alerts.mqtt.topic_prefix", "topic prefix"),
        ("[alerts]\nbox_id = 'Box 1'", "alerts.box_id", "box id"),
        ("[web]\nport = true", "web.port", "an integer"),
        ("[leds]\nready = 17\nfault = 17", "leds.ready", "different GPIO"),
        ("[storage]\nretention_days = -3", "storage.retention_days", "keep forever"),
        ("[logging]\nlevel = 'LOUD'", "logging.level", "one of"),
        ("company = 3", "company", "a table"),
    ],
)
def test_invalid_values_name_file_and_key(toml: str, key: str, expected: str) -> None:
    with pytest.raises(ConfigError) as err:
        load_config_text(toml, source="/etc/permanence/permanence.toml")
    msg = str(err.value)
    assert msg.startswith(f"/etc/permanence/permanence.toml: {key}: "), msg
    assert expected in msg


@pytest.mark.parametrize("text", ["[company", "x = ", "a = 'unterminated", "\x00"])
def test_broken_toml_is_a_clear_error(text: str) -> None:
    with pytest.raises(ConfigError, match=r"^broken\.toml: not valid TOML"):
        load_config_text(text, source="broken.toml")


def test_missing_file_says_what_to_do(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="no such configuration file"):
        load_config(tmp_path / "nope.toml")


def test_non_utf8_file(tmp_path: Path) -> None:
    p = tmp_path / "latin1.toml"
    p.write_bytes("[company]\nname = 'Société'\n".encode("latin-1"))
    with pytest.raises(ConfigError, match="cannot read"):
        load_config(p)


def test_opening_hours() -> None:
    cfg = load_config_text("[company]\ntimezone = 'Europe/Paris'\nholidays = ['2026-12-25']\n"
                           "[company.opening_hours]\nmon = '08:00-12:00, 13:30-18:00'\n", source="x")
    paris = cfg.company.tz
    assert cfg.company.is_open(dt.datetime(2026, 11, 23, 9, 0, tzinfo=paris))  # Monday
    assert not cfg.company.is_open(dt.datetime(2026, 11, 23, 12, 30, tzinfo=paris))
    assert not cfg.company.is_open(dt.datetime(2026, 11, 22, 10, 0, tzinfo=paris))  # Sunday
    assert not cfg.company.is_open(dt.datetime(2026, 12, 25, 9, 0, tzinfo=paris))  # holiday (Friday)
    # a UTC instant is converted to the company's zone: 07:30 UTC is 08:30 in Paris in winter
    assert cfg.company.is_open(dt.datetime(2026, 11, 23, 7, 30, tzinfo=dt.UTC))


def test_dump_round_trips() -> None:
    cfg = load_config(EXAMPLE)
    again = load_config_text(dump_config(cfg).replace('password = "********"', 'password = ""'), source="x")
    assert again.company == cfg.company
    assert again.lines == cfg.lines
    assert again.rota == cfg.rota


def test_config_check_command(tmp_path: Path) -> None:
    ok = subprocess.run([sys.executable, "-m", "appliance.cli", "config", "check", "--config", str(EXAMPLE)],
                        capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert ok.returncode == 0, ok.stderr
    assert 'name = "Maintenance Industrielle Martin"' in ok.stdout
    bad = tmp_path / "bad.toml"
    bad.write_text("[web]\nport = 'eighty'\n")
    r = subprocess.run([sys.executable, "-m", "appliance.cli", "config", "check", "--config", str(bad)],
                       capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert r.returncode == 1
    assert f"{bad}: web.port: expected an integer, got 'eighty'" in r.stderr
