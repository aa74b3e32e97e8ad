"""Modem profiles: every shipped model x country loads; malformed files give clear errors."""

from __future__ import annotations

import textwrap

import pytest

from appliance.errors import ConfigError, PermanenceError
from appliance.modem_profiles import (
    COUNTRIES,
    MODELS,
    ModemProfileError,
    identify_model,
    load_profile,
)


@pytest.mark.parametrize("model", MODELS)
@pytest.mark.parametrize("country", COUNTRIES)
def test_every_shipped_profile_loads(model, country):
    p = load_profile(model, country)
    assert p.model == model and p.country == country
    assert p.init and p.caller_id and p.answer and p.hangup
    assert all(c.startswith("AT") for c in p.init + p.caller_id + p.answer + p.hangup)
    assert len(p.ring_cadence_ms) % 2 == 0
    assert p.source.endswith(f"{model}.toml")
    if p.driver == "voicemodem":
        assert p.vsd and p.vsm and p.voice_sample_format == "u8"
    else:
        assert p.vsd is None and p.caller_id == ("AT+CLIP=1",)


@pytest.mark.parametrize(
    ("model", "country", "field", "expected"),
    [
        ("usr5637", "FR", "vsd", "128,0"),
        ("cx93010", "FR", "vsd", "0,0"),
        ("usr5637", "US", "vsm", "128,8000"),
        ("cx93010", "GB", "vsm", "1,8000,0,0"),
        ("usr5637", "FR", "ring_cadence_ms", (1500, 3500)),
        ("cx93010", "GB", "ring_cadence_ms", (400, 200, 400, 2000)),
        ("usr5637", "US", "ring_cadence_ms", (2000, 4000)),
        ("usr5637", "US", "caller_id_timing", "between_rings"),
        ("cx93010", "FR", "caller_id_timing", "before_first_ring"),
        ("cx93010", "FR", "caller_id", ("AT+VCID=1", "AT-SCID=1")),
        ("sim7600", "FR", "audio_start", ("AT+CPCMREG=1",)),
        ("sim7600", "GB", "voice_sample_format", "s16le"),
        ("sim800", "US", "country_code", "1"),
        ("sim7600", "FR", "country_code", "33"),
        ("usr5637", "GB", "trunk_prefix", "0"),
    ],
)
def test_profile_values(model, country, field, expected):
    assert getattr(load_profile(model, country), field) == expected


def test_country_init_is_appended_after_model_init():
    p = load_profile("usr5637", "GB")
    assert p.init[0] == "ATZ" and p.init[-1] == "AT+GCI=B4"


def test_timeouts_per_command():
    p = load_profile("sim7600", "FR")
    assert p.timeout_for("ATA", 5) == 10.0
    assert p.timeout_for("AT+CPCMREG=1", 9) == 5.0
    assert p.timeout_for("AT+CSQ", 3.5) == 3.5


@pytest.mark.parametrize(
    ("reply", "model"),
    [
        ("Manufacturer: SIMCOM INCORPORATED\nModel: SIMCOM_SIM7600E-H\nRevision: LE20B04", "sim7600"),
        ("SIM800 R14.18", "sim800"),
        ("U.S. Robotics 56K FAX USB V1.2.23", "usr5637"),
        ("CX93001-EIS_V0.2002-V92", "cx93010"),
        ("Quectel EC25", None),
        ("", None),
    ],
)
def test_identify_model(reply, model):
    assert identify_model(reply) == model


GOOD = textwrap.dedent("""
    model = "usr5637"
    description = "test"
    driver = "voicemodem"
    identify = ["X"]
    init = ["ATZ"]
    caller_id = ["AT+VCID=1"]
    answer = ["AT+VLS=1"]
    hangup = ["ATH0"]
    vsd = "128,0"
    vsm = "128,8000"
    voice_sample_format = "u8"
    voice_sample_rate = 8000
    ring_cadence_ms = [1500, 3500]
    caller_id_timing = "between_rings"
    country_code = "33"
    trunk_prefix = "0"

    [country.FR]
    init = ["AT+GCI=3D"]
""")


def _write(tmp_path, text):
    (tmp_path / "usr5637.toml").write_text(text)
    return tmp_path


def test_good_fixture_loads(tmp_path):
    p = load_profile("usr5637", "FR", directory=_write(tmp_path, GOOD))
    assert p.init == ("ATZ", "AT+GCI=3D") and p.description == "test"


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda t: t + "\n[[[", "not valid TOML"),
        (lambda t: t.replace('model = "usr5637"', 'model = "sim800"'), "model: expected 'usr5637'"),
        (lambda t: t.replace('driver = "voicemodem"', 'driver = "isdn"'), "driver: expected one of"),
        (lambda t: t.replace('vsd = "128,0"', 'vsd = "loud"'), "vsd: expected 'sensitivity,tenths"),
        (lambda t: t.replace('vsd = "128,0"\n', ""), "needs both vsd and vsm"),
        (lambda t: t.replace('vsm = "128,8000"', 'vsm = "fast"'), "vsm: expected the form"),
        (lambda t: t.replace('init = ["ATZ"]', 'init = ["ATZ\\r\\nATH"]'), r"init\[0\]: expected an AT"),
        (lambda t: t.replace('init = ["ATZ"]', 'init = ["+++"]'), r"init\[0\]: expected an AT command"),
        (lambda t: t.replace('init = ["ATZ"]', 'init = "ATZ"'), "init: expected a list"),
        (lambda t: t.replace('hangup = ["ATH0"]', 'hangup = [0]'), "hangup: expected a list of strings"),
        (lambda t: t.replace('answer = ["AT+VLS=1"]\n', ""), "answer: missing"),
        (lambda t: t.replace("[1500, 3500]", "[1500]"), "ring_cadence_ms: expected an even list"),
        (lambda t: t.replace("[1500, 3500]", "[1500, -1]"), "ring_cadence_ms"),
        (lambda t: t.replace("[1500, 3500]", '["long", "short"]'), "ring_cadence_ms"),
        (lambda t: t.replace("voice_sample_rate = 8000", "voice_sample_rate = 44100"), "voice_sample_rate"),
        (lambda t: t.replace("voice_sample_rate = 8000", "voice_sample_rate = true"), "voice_sample_rate"),
        (lambda t: t.replace('"u8"', '"mp3"'), "voice_sample_format: expected one of"),
        (lambda t: t.replace('"between_rings"', '"whenever"'), "caller_id_timing"),
        (lambda t: t.replace('country_code = "33"', 'country_code = "+33"'), "country_code"),
        (lambda t: 'colour = "blue"\n' + t, "colour: unknown key"),
        (lambda t: t + 'colour = "blue"\n', r"country\.FR\.colour: unknown or not allowed"),
        (lambda t: t.replace("[country.FR]", "[country.DE]"), r"country\.DE: expected a country"),
        (lambda t: t.replace("[country.FR]", "[country.GB]"), r"country\.FR: this modem has no profile"),
        (lambda t: t + 'driver = "gsm"\n', r"country\.FR\.driver: unknown or not allowed"),
        (lambda t: t + 'vsd = "x"\n', r"country\.FR\.vsd: expected"),
        (lambda t: t + 'command_timeouts = { ATA = -1 }\n', "command_timeouts"),
        (lambda t: t + 'ring_cadence_ms = [1]\n', r"country\.FR\.ring_cadence_ms"),
    ],
)
def test_malformed_profiles(tmp_path, mutate, message):
    d = _write(tmp_path, mutate(GOOD))
    with pytest.raises(ModemProfileError, match=message) as ei:
        load_profile("usr5637", "FR", directory=d)
    assert str(d / "usr5637.toml") in str(ei.value)
    assert isinstance(ei.value, ConfigError) and isinstance(ei.value, PermanenceError)


@pytest.mark.parametrize(
    ("model", "country", "message"),
    [
        ("zoom3095", "FR", "expected one of sim7600"),
        ("", "FR", "expected one of"),
        ("sim7600", "DE", "country 'DE'"),
        ("sim7600", "fr", "country 'fr'"),
    ],
)
def test_unknown_model_or_country(model, country, message):
    with pytest.raises(ModemProfileError, match=message):
        load_profile(model, country)


def test_env_directory_wins(tmp_path, monkeypatch):
    _write(tmp_path, GOOD.replace('description = "test"', 'description = "from env"'))
    monkeypatch.setenv("PERMANENCE_MODEM_PROFILES", str(tmp_path))
    assert load_profile("usr5637", "FR").description == "from env"


def test_missing_file_lists_where_it_looked(tmp_path, monkeypatch):
    import appliance.modem_profiles as mp

    monkeypatch.setattr(mp, "_SEARCH", (tmp_path / "a",))
    with pytest.raises(ModemProfileError, match=r"no profile for modem 'sim800'.*a/sim800\.toml"):
        load_profile("sim800", "FR")
