"""Headless Chromium against the app served by waitress: first-run setup, login, a call with its
recording, the statistics; screenshots for the README."""

from __future__ import annotations

import contextlib
import http.client
import io
import json
import os
import tempfile
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from selenium import webdriver
from selenium.common.exceptions import (
    NoAlertPresentException,
    NoSuchElementException,
    StaleElementReferenceException,
)
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from appliance.web import serve
from appliance.web.cli import run_passwd

from .calldata import HOSTILE_NAME, HOSTILE_SAID
from .conftest import PASSWORD, Box, make_app


# The README's screenshots are refreshed with `make screenshots`; a plain test run writes them to a temporary
# directory so that running the tests leaves the work tree as it was.
def _screenshot_dir(tmp_path: Path) -> Path:
    target = os.environ.get("PERMANENCE_SCREENSHOTS")
    return Path(target) if target else tmp_path / "screenshots"


@pytest.fixture
def browser() -> Iterator[webdriver.Chrome]:
    with tempfile.TemporaryDirectory(prefix="chromium-") as profile:
        opts = webdriver.ChromeOptions()
        opts.binary_location = "/usr/bin/chromium"
        for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                    "--disable-background-networking", "--disable-component-update", "--disable-sync",
                    "--no-first-run", f"--user-data-dir={profile}", "--window-size=1280,900",
                    "--lang=fr-FR"):
            opts.add_argument(arg)
        opts.set_capability("goog:loggingPrefs", {"browser": "ALL"})
        driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=opts)
        driver.set_page_load_timeout(30)
        try:
            yield driver
        finally:
            driver.quit()


def _setup_code(data_dir: Path) -> str:
    """What an installer does: run `permanence passwd` and read the code it prints."""
    out = io.StringIO()
    args = type("Args", (), {"reset": False, "data_dir": data_dir, "config": None})()
    with contextlib.redirect_stdout(out):
        assert run_passwd(args) == 0  # type: ignore[arg-type]
    return out.getvalue().strip().rsplit(" ", 1)[-1]


def _wait(driver: webdriver.Chrome, condition: Any) -> Any:
    """Wait for a condition across a page load (elements of the old page go stale meanwhile)."""
    return WebDriverWait(driver, 15, ignored_exceptions=(StaleElementReferenceException,
                                                         NoSuchElementException)).until(condition)


def _no_alert(driver: webdriver.Chrome) -> None:
    with pytest.raises(NoAlertPresentException):
        driver.switch_to.alert  # noqa: B018 - property access raises when no alert is open


def _csp_violations(driver: webdriver.Chrome) -> list[str]:
    return [e["message"] for e in driver.get_log("browser") if "Content Security Policy" in e["message"]]


def _full_page_screenshot(driver: webdriver.Chrome, path: Path, width: int = 1280) -> None:
    height = int(driver.execute_script("return document.documentElement.scrollHeight"))
    driver.set_window_size(width, min(max(height + 120, 700), 4000))
    path.parent.mkdir(parents=True, exist_ok=True)
    driver.save_screenshot(str(path))
    driver.set_window_size(1280, 900)


def _fetch(url: str, driver: webdriver.Chrome) -> tuple[int, str, bytes]:
    cookies = "; ".join(f"{c['name']}={c['value']}" for c in driver.get_cookies())
    req = urllib.request.Request(url, headers={"Cookie": cookies})
    try:
        with urllib.request.urlopen(req, timeout=10) as resp:
            return resp.status, resp.headers.get("Content-Type", ""), resp.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers.get("Content-Type", ""), b""


def test_first_visit_setup_login_call_recording_statistics(filled_box: Box, browser: webdriver.Chrome,
                                                            tmp_path: Path) -> None:
    b = filled_box
    shots = _screenshot_dir(tmp_path)
    # a fresh web directory: this box has never been set up (the shared box's is used by other tests)
    app = make_app(b)
    app.extensions["permanence"].auth.dir = tmp_path / "web"
    (tmp_path / "web").mkdir(mode=0o700)
    with serve(app, "127.0.0.1", 0) as server:
        base = f"http://127.0.0.1:{server.port}"
        _first_visit_sets_up(browser, base, tmp_path)
        _log_out_and_in(browser, base)
        _dashboard_shows_today(browser, b, shots)
        src = _open_hostile_call(browser, b, shots)
        _recording_served_to_the_session_only(browser, b, base, server.port, src)
        _statistics_match_the_log(browser, b, base, shots)
        _phone_screen_never_scrolls_sideways(browser, b, base, shots)
    for name in ("dashboard.png", "call.png", "statistics.png", "dashboard-phone.png"):
        assert (shots / name).read_bytes().startswith(b"\x89PNG\r\n\x1a\n"), name


def _submit_setup(d: webdriver.Chrome, code: str) -> None:
    d.find_element(By.ID, "code").send_keys(code)
    d.find_element(By.ID, "password").send_keys(PASSWORD)
    d.find_element(By.ID, "password2").send_keys(PASSWORD)
    d.find_element(By.CSS_SELECTOR, "#setup-form button").click()


def _first_visit_sets_up(d: webdriver.Chrome, base: str, data_dir: Path) -> None:
    """1. first visit: any page leads to the setup page; a wrong code is refused, the printed one works."""
    d.get(base + "/stats")
    assert d.current_url.endswith("/setup")
    assert "Première mise en service" in d.find_element(By.TAG_NAME, "h1").text
    # a wrong code is refused
    _submit_setup(d, "AAAA-BBBB-CCCC")
    _wait(d, lambda drv: drv.find_elements(By.CLASS_NAME, "error"))
    assert "Code d'installation incorrect" in d.find_element(By.CLASS_NAME, "error").text
    # the code printed by `permanence passwd` works (the data dir of this app's web files)
    _submit_setup(d, _setup_code(data_dir))
    _wait(d, lambda drv: drv.find_element(By.TAG_NAME, "h1").text == "Tableau de bord")


def _log_out_and_in(d: webdriver.Chrome, base: str) -> None:
    """2. log out, then log in: back to the page asked for, then the dashboard."""
    d.find_element(By.CSS_SELECTOR, "nav button").click()
    _wait(d, lambda drv: "/login" in drv.current_url)
    d.get(base + "/calls")
    assert "/login" in d.current_url
    d.find_element(By.ID, "password").send_keys(PASSWORD)
    d.find_element(By.CSS_SELECTOR, "#login-form button").click()
    # the path itself, not the URL's end: the login page's own URL (/login?next=/calls) also ends with "/calls"
    _wait(d, lambda drv: urllib.parse.urlsplit(drv.current_url).path == "/calls")
    d.get(base + "/")


def _dashboard_shows_today(d: webdriver.Chrome, b: Box, shots: Path) -> None:
    """3. the dashboard shows today's numbers, both lines and the urgent alerts."""
    today = [r for r in b.log.summaries(since=_local_midnight(b)) if r["state"] != "ringing"]
    answered = sum(r["state"] in ("answered", "staff") for r in today)
    abandoned = sum(r["state"] == "abandoned" for r in today)
    assert d.find_element(By.ID, "kpi-answered").text == str(answered)
    assert d.find_element(By.ID, "kpi-abandoned").text == str(abandoned)
    assert d.find_element(By.ID, "kpi-urgent").text == str(sum(bool(r["urgent"]) for r in today))
    lines = d.find_element(By.ID, "lines").text
    assert "line1" in lines and "line2" in lines and "en panne" in lines
    assert HOSTILE_NAME in d.find_element(By.TAG_NAME, "main").text  # shown as text, not markup
    assert d.find_elements(By.CSS_SELECTOR, "main img") == []
    _no_alert(d)
    _full_page_screenshot(d, shots / "dashboard.png")


def _open_hostile_call(d: webdriver.Chrome, b: Box, shots: Path) -> str:
    """4. open the hostile call from the last calls, with its recording; returns the recording's URL."""
    d.find_element(By.CSS_SELECTOR, f'a[href="/calls/{b.notable.recorded}"]').click()
    _wait(d, lambda drv: drv.find_elements(By.ID, "caller"))
    assert d.find_element(By.ID, "caller").text.startswith(HOSTILE_NAME)
    assert HOSTILE_SAID in d.find_element(By.ID, "transcript").text
    _no_alert(d)
    audio = d.find_element(By.ID, "recording")
    src = audio.get_attribute("src") or ""
    assert src.endswith(f"/calls/{b.notable.recorded}/recording")
    _full_page_screenshot(d, shots / "call.png")
    return src


def _recording_served_to_the_session_only(d: webdriver.Chrome, b: Box, base: str, port: int, src: str) -> None:
    """4 (cont.): the recording is a WAV for the session, a redirect to the login page without it."""
    status, ctype, body = _fetch(src, d)
    assert (status, ctype) == (200, "audio/wav") and body[:4] == b"RIFF" and body[8:12] == b"WAVE"
    # the same URL without the session cookie leads to the login page, never to the audio
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    conn.request("GET", f"/calls/{b.notable.recorded}/recording")
    resp = conn.getresponse()
    assert resp.status == 302 and "/login" in resp.getheader("Location", "")
    assert b"RIFF" not in resp.read()
    conn.close()
    status, _, _ = _fetch(base + f"/api/calls/{b.notable.recorded}", d)
    assert status == 200
    # the browser can play it (duration read from the WAV header)
    duration = d.execute_script(
        "const a = document.getElementById('recording'); return a.readyState > 0 ? a.duration : null;")
    assert duration is None or abs(float(duration) - 1.0) < 0.05


def _statistics_match_the_log(d: webdriver.Chrome, b: Box, base: str, shots: Path) -> None:
    """5. statistics: the figures shown are those of the log."""
    d.get(base + "/stats")
    stats = json.loads(_fetch(base + "/api/stats", d)[2])
    rows = [r for r in b.log.summaries(since=_period_start(b, stats))
            if r["state"] not in ("ringing", "in_call")]
    assert d.find_element(By.ID, "st-calls").text == str(len(rows))
    assert d.find_element(By.ID, "st-answered").text == str(sum(r["state"] in ("answered", "staff")
                                                               for r in rows))
    short = sum(r["state"] == "abandoned" and r["ring_seconds"] < 5 for r in rows)
    assert d.find_element(By.ID, "st-ab-short").text == str(short)
    assert d.find_element(By.ID, "st-missed").text == str(sum(r["state"] == "missed" for r in rows))
    assert d.find_element(By.ID, "op-converted").text == str(len(b.notable.converted))
    assert "l'an prochain" in d.find_element(By.ID, "projection").text
    assert len(d.find_elements(By.CSS_SELECTOR, "svg.chart")) == 4
    assert "Saturation" in d.find_element(By.ID, "saturation").text
    _full_page_screenshot(d, shots / "statistics.png")


def _phone_screen_never_scrolls_sideways(d: webdriver.Chrome, b: Box, base: str, shots: Path) -> None:
    """6. a phone-sized screen: no horizontal scrolling of the page; no CSP violation all along."""
    d.set_window_size(390, 844)
    for path in ("/", "/calls", f"/calls/{b.notable.recorded}", "/stats", "/health", "/settings"):
        d.get(base + path)
        assert d.execute_script("return document.documentElement.scrollWidth <= window.innerWidth + 1"), path
    d.get(base + "/")
    d.save_screenshot(str(shots / "dashboard-phone.png"))
    assert _csp_violations(d) == []


def _local_midnight(b: Box) -> Any:
    import datetime as dt

    now = dt.datetime.now(dt.UTC).astimezone(b.cfg.company.tz)
    return dt.datetime.combine(now.date(), dt.time(), b.cfg.company.tz)


def _period_start(b: Box, stats: dict[str, Any]) -> Any:
    import datetime as dt

    return dt.datetime.combine(dt.date.fromisoformat(stats["period"]["from"]), dt.time(), b.cfg.company.tz)
