"""Fixtures for the status page: a filled call log, a configuration file, the app, a logged-in client."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from appliance.config import Config, load_config
from appliance.store.calllog import CallLog
from appliance.store.record import CallRecord
from appliance.telephony.line import LineState, LineStatus
from appliance.web import create_app

from .calldata import Notable, fill

PASSWORD = "correct horse battery staple"

CONFIG_TEXT = """\
[company]
name = "Maintenance Dupuis"
language = "fr"
timezone = "Europe/Paris"
phone = "+33145678910"
average_order_value = 1200.0
conversion_rate = 0.4

[company.faq]
horaires = "Du lundi au vendredi, 8 h - 18 h"

[[lines]]
name = "line1"
driver = "sim"

[[lines]]
name = "line2"
driver = "sim"

[rota]
ack_minutes = 5.0

[[rota.people]]
name = "Marc Petit"
phone = "+33612345678"

[[rota.shifts]]
person = "Marc Petit"
days = ["mon", "tue", "wed", "thu", "fri"]
hours = "08:00-18:00"

[web]
saturation_abandoned_per_week = 6
saturation_simultaneous = 2

[storage]
data_dir = "{data_dir}"
"""


def live_status() -> dict[str, Any]:
    return {
        "lines": [LineStatus(name="line1", driver="gsm", state=LineState.READY, model="SIM7600E-H",
                             firmware="LE20B04", signal_dbm=-71, signal_quality=21, registration="home",
                             operator="Orange F", sim="ready", audio="usb audio 8 kHz"),
                  dataclasses.asdict(LineStatus(name="line2", driver="voicemodem", state=LineState.FAULT,
                                                model="USR5637", last_error="no answer to AT (timeout 5 s)"))],
        "models": {"asr": "vosk-model-small-fr-0.22", "tts": "piper fr_FR-siwis-medium"},
        "uptime_s": 93784.0,
        "errors": ["line2: no answer to AT <script>x</script>"],
        "captures": [],
    }


@dataclasses.dataclass
class Box:
    cfg: Config
    config_path: Path
    data_dir: Path
    log: CallLog
    notable: Notable
    now: dt.datetime


@pytest.fixture(scope="session")
def filled_box(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Box]:
    """One filled call log shared by the read-only tests (filling takes a few seconds)."""
    root = tmp_path_factory.mktemp("box")
    yield from _make_box(root)


@pytest.fixture
def box(tmp_path: Path) -> Iterator[Box]:
    """A fresh, smaller box for tests that write."""
    yield from _make_box(tmp_path, weeks=3, per_week=20)


def _make_box(root: Path, weeks: int = 10, per_week: float = 60) -> Iterator[Box]:
    data_dir = root / "data"
    data_dir.mkdir()
    config_path = root / "permanence.toml"
    config_path.write_text(CONFIG_TEXT.format(data_dir=data_dir), encoding="utf-8")
    cfg = load_config(config_path)
    log = CallLog(data_dir)
    now = dt.datetime.now(dt.UTC)
    notable = fill(log, now, cfg.company.tz, weeks=weeks, per_week=per_week)
    try:
        yield Box(cfg, config_path, data_dir, log, notable, now)
    finally:
        log.close()


def stored(log: CallLog, call_id: str) -> CallRecord:
    rec = log.get(call_id)
    assert rec is not None, call_id
    return rec


def csrf_from(html: str) -> str:
    m = re.search(r'name="csrf-token" content="([^"]+)"', html)
    assert m, "no CSRF token in the page"
    return m.group(1)


def make_app(b: Box, **kw: Any) -> Any:
    app = create_app(b.cfg, b.log, live=live_status, config_path=b.config_path, **kw)
    app.testing = True
    return app


def setup_password(client: Any, app: Any, password: str = PASSWORD) -> Any:
    page = client.get("/setup")
    code = app.extensions["permanence"].auth.setup_code()
    return client.post("/setup", data={"csrf_token": csrf_from(page.text), "code": code,
                                       "password": password, "password2": password})


@pytest.fixture
def app(box: Box) -> Any:
    return make_app(box)


@pytest.fixture
def client(app: Any) -> Any:
    c = app.test_client()
    r = setup_password(c, app)
    assert r.status_code == 302
    return c


@pytest.fixture(scope="session")
def shared_client(filled_box: Box) -> Any:
    app = make_app(filled_box)
    c = app.test_client()
    assert setup_password(c, app).status_code == 302
    return c
