"""Modem lines no driver understood (issue 16, item 6): counted per line with their first occurrence,
logged sparingly, shown on the Health page (caller-controlled text escaped)."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import pytest

from appliance.telephony.line import LineState, LineStatus
from appliance.telephony.unparsed import UnparsedLines


def test_counted_per_line_with_first_occurrence_and_rate_limited_log(caplog: pytest.LogCaptureFixture) -> None:
    u = UnparsedLines(logging.getLogger("test.unparsed"), "gsm1", log_every=60.0)
    with caplog.at_level(logging.WARNING, logger="test.unparsed"):
        for t in (1000.0, 1001.0, 1002.0, 1070.0):
            u.add("+QWERTY: 1", now=t)
        u.add("^NEW: 2", now=1003.0)
    rows = {r["line"]: r for r in u.snapshot()}
    assert rows["+QWERTY: 1"]["count"] == 4 and rows["^NEW: 2"]["count"] == 1
    assert [r["line"] for r in u.snapshot()] == ["+QWERTY: 1", "^NEW: 2"]  # by first occurrence
    logged = [r.getMessage() for r in caplog.records]
    assert len(logged) == 3  # first of each, then once after log_every: not once per line seen
    assert any("4 times so far" in m for m in logged)


def test_bounded() -> None:
    u = UnparsedLines(logging.getLogger("test.unparsed"), "gsm1", keep=3, max_chars=10)
    for i in range(10):
        u.add(f"LINE {i} " + "x" * 50)
    snap = u.snapshot()
    assert len(snap) == 3 and all(len(str(r["line"])) <= 10 for r in snap) and u.total == 10


def test_health_page_shows_them(tmp_path: Path) -> None:
    from appliance.config import load_config
    from appliance.store.calllog import CallLog
    from appliance.web import create_app

    cfg_path = tmp_path / "p.toml"
    cfg_path.write_text(f'[[lines]]\nname = "gsm1"\ndriver = "sim"\n[storage]\ndata_dir = "{tmp_path / "d"}"\n')
    cfg = load_config(cfg_path)
    u = UnparsedLines(logging.getLogger("test.unparsed"), "gsm1")
    u.add("<b>+ODD: 1</b>")
    u.add("<b>+ODD: 1</b>")
    status = LineStatus(name="gsm1", driver="gsm", state=LineState.READY, unparsed=u.snapshot())

    def live() -> dict[str, Any]:
        return {"lines": [status]}

    log = CallLog(tmp_path / "d")
    try:
        app = create_app(cfg, log, live=live)
        app.testing = True
        c = app.test_client()
        page = c.get("/setup")
        import re

        token = re.search(r'name="csrf-token" content="([^"]+)"', page.text)
        assert token
        code = app.extensions["permanence"].auth.setup_code()
        c.post("/setup", data={"csrf_token": token.group(1), "code": code, "password": "pw long enough 123",
                               "password2": "pw long enough 123"})
        html = c.get("/health").text
        assert "&lt;b&gt;+ODD: 1&lt;/b&gt;</code> × 2" in html and "<b>+ODD" not in html
        api = c.get("/api/health").get_json()
        assert api["lines"][0]["unparsed"][0]["count"] == 2
    finally:
        log.close()
