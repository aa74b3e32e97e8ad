"""Configuration values are checked where they enter (issue 15, requirement 7): a control or bidi
character in any text value, from the file or the settings page, is a clear error naming the key;
``web.bind`` must be an address."""

from __future__ import annotations

import dataclasses
import typing
from collections.abc import Iterator, Mapping
from pathlib import Path

import pytest

from appliance.config import Config, load_config_text
from appliance.errors import ConfigError
from appliance.web import settings_edit

ROOT = Path(__file__).resolve().parents[2]

# a minimal valid value beside the bad one, for the fields that need others to be valid
CONTEXT = {
    "rota.people": '[[rota.people]]\nname = "Ann"\nphone = "+33611111111"\n',
    "lines": "",
}


def text_fields(cls: type, prefix: str = "") -> Iterator[tuple[str, str]]:
    """(dotted key, kind) of every text value of the configuration: "str", "list" or "table"."""
    hints = typing.get_type_hints(cls)
    for f in dataclasses.fields(cls):
        if f.name == "source":
            continue
        tp = hints[f.name]
        key = f"{prefix}{f.name}"
        origin = typing.get_origin(tp)
        args = typing.get_args(tp)
        if tp is str:
            yield key, "str"
        elif origin is tuple and args and args[0] is str:
            yield key, "list"
        elif origin in (Mapping, dict):
            yield key, "table"
        elif dataclasses.is_dataclass(tp):
            yield from text_fields(tp, key + ".")  # type: ignore[arg-type]
        elif origin is tuple and args and dataclasses.is_dataclass(args[0]):
            yield from text_fields(args[0], key + "[].")  # type: ignore[arg-type]


def toml_for(key: str, kind: str, value: str) -> str:
    """TOML text setting ``key`` (dotted, ``[]`` for an array of tables) to ``value`` (a TOML string)."""
    rendered = {"str": value, "list": f"[{value}]", "table": f"{{ topic = {value} }}"}[kind]
    if "[]" in key:
        table, field = key.split("[].")
        extra = {"lines": 'name = "l1"\n', "rota.people": 'name = "Ann"\nphone = "+33611111111"\n'}
        base = extra.get(table, "")
        body = "".join(ln for ln in base.splitlines(keepends=True) if not ln.startswith(f"{field} ="))
        pre = CONTEXT["rota.people"] if table.startswith("rota.") and table != "rota.people" else ""
        return f"{pre}[[{table}]]\n{body}{field} = {rendered}\n"
    section, _, field = key.rpartition(".")
    return (f"[{section}]\n" if section else "") + f"{field} = {rendered}\n"


FIELDS = sorted(set(text_fields(Config)))
BAD = [("NUL", "\\u0000"), ("newline", "\\n"), ("escape", "\\u001b[2J"), ("DEL", "\\u007f"),
       ("right-to-left override", "\\u202e")]


def test_every_text_value_of_the_configuration_is_listed() -> None:
    keys = {k for k, _ in FIELDS}
    assert {"company.name", "company.faq", "company.opening_hours", "lines[].port", "rota.ack_words",
            "rota.people[].name", "alerts.mqtt.password", "storage.data_dir", "web.bind"} <= keys, keys
    assert len(FIELDS) >= 30


@pytest.mark.parametrize(("key", "kind"), FIELDS, ids=[k for k, _ in FIELDS])
@pytest.mark.parametrize(("what", "char"), BAD, ids=[b[0] for b in BAD])
def test_a_control_character_in_any_text_value_is_refused(key: str, kind: str, what: str, char: str) -> None:
    text = toml_for(key, kind, f'"ok{char}ok"')
    with pytest.raises(ConfigError) as err:
        load_config_text(text, source="p.toml")
    message = str(err.value)
    assert message.startswith("p.toml: "), message
    field = key.split("[].")[-1].split(".")[-1]
    assert field in message and "without control characters" in message and "\n" not in message, message


@pytest.mark.parametrize("bind", ["not an ip", "localhost", "0.0.0.0:8080", "", "999.1.1.1"])
def test_web_bind_must_be_an_address(bind: str) -> None:
    with pytest.raises(ConfigError, match=r"web\.bind: expected an IP address"):
        load_config_text(f'[web]\nbind = "{bind}"\n', source="p.toml")


@pytest.mark.parametrize("bind", ["0.0.0.0", "127.0.0.1", "::", "192.168.1.20"])
def test_web_bind_addresses_are_accepted(bind: str) -> None:
    assert load_config_text(f'[web]\nbind = "{bind}"\n', source="p.toml").web.bind == bind


@pytest.mark.parametrize("value", ["ACME\x00 SA", "ACME\nSA", "ACME \u202eAS", "ACME\x1b[2J"])
def test_the_settings_page_refuses_the_same_characters(tmp_path: Path, value: str) -> None:
    cfg = tmp_path / "permanence.toml"
    original = (ROOT / "examples" / "permanence.toml").read_text(encoding="utf-8")
    cfg.write_text(original, encoding="utf-8")
    with pytest.raises(ConfigError, match=r"company\.name: expected text without control characters"):
        settings_edit.save_section(cfg, tmp_path, "company", {"name": value}, who="admin", ip="127.0.0.1")
    assert cfg.read_text(encoding="utf-8") == original  # nothing written
