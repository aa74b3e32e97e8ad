"""Headless Chromium: an office account logs in, opens "À rappeler" (first in the navigation), sees the
overdue row in red with the directory's name, records an outcome, and the row is gone; a technician
sees the list without the forms. Served by waitress, as on the box."""

from __future__ import annotations

import urllib.parse

from selenium import webdriver
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from appliance.web import serve

from .test_web_browser import _csp_violations, _wait, browser  # noqa: F401 - the browser fixture
from .test_web_worklist import GALE, Office, office  # noqa: F401 - the office fixture

ANNE = "anne's office password"
TOM = "tom the technician 42"


def log_in(d: webdriver.Chrome, base: str, user: str, password: str) -> None:
    d.delete_all_cookies()
    d.get(base + "/login")
    name = d.find_element(By.ID, "user")
    name.clear()
    name.send_keys(user)
    d.find_element(By.ID, "password").send_keys(password)
    d.find_element(By.CSS_SELECTOR, "#login-form button").click()
    _wait(d, lambda drv: urllib.parse.urlsplit(drv.current_url).path != "/login")


def test_office_account_records_a_callback_outcome(office: Office, browser: webdriver.Chrome) -> None:  # noqa: F811
    o, d = office, browser
    auth = o.app.extensions["permanence"].auth
    auth.create_account("anne", "office", ANNE, by="admin")
    auth.create_account("tom", "technician", TOM, by="admin")
    with serve(o.app, "127.0.0.1", 0) as server:
        base = f"http://127.0.0.1:{server.port}"
        log_in(d, base, "anne", ANNE)
        assert d.find_element(By.ID, "kpi-callback").text == "3"
        nav = d.find_elements(By.CSS_SELECTOR, "nav a")
        assert nav[0].text == "À rappeler"
        nav[0].click()
        _wait(d, lambda drv: drv.find_elements(By.CSS_SELECTOR, "article.wl-item"))
        rows = d.find_elements(By.CSS_SELECTOR, "article.wl-item")
        assert len(rows) == 3
        first = rows[0]
        assert "overdue" in (first.get_attribute("class") or "")
        assert first.value_of_css_property("border-left-color") in ("rgb(198, 40, 40)", "rgba(198, 40, 40, 1)")  # red
        assert "Mme Gale" in first.text and "06 12 34 56 78" in first.text and "2 appel(s)" in first.text
        assert "<script>" not in d.page_source.split("<main>")[1].split("</main>")[0].replace("&lt;script&gt;", "")
        Select(first.find_element(By.CSS_SELECTOR, "select.wl-outcome")).select_by_value("converted")
        first.find_element(By.CSS_SELECTOR, "input.wl-amount").send_keys("950")
        first.find_element(By.CSS_SELECTOR, ".wl-note input").send_keys("contrat signé")
        first.find_element(By.CSS_SELECTOR, "button.wl-save").click()
        _wait(d, lambda drv: drv.find_elements(By.CSS_SELECTOR, ".flash.ok"))
        assert "Enregistré" in d.find_element(By.CSS_SELECTOR, ".flash.ok").text
        left = d.find_elements(By.CSS_SELECTOR, "article.wl-item")
        assert len(left) == 2 and all("Mme Gale" not in r.text for r in left)
        for key in ("gale1", "gale2"):
            rec = o.log.get(o.calls[key].id)
            assert rec is not None and rec.callback is not None
            assert (rec.callback["by"], rec.callback["outcome"], rec.amount) == ("anne", "converted", 950.0)
            assert rec.notes[-1] == {"at": rec.callback["at"], "by": "anne", "text": "contrat signé"}
        # a phone-sized screen: the list reads without horizontal scrolling
        d.set_window_size(390, 844)
        for path in ("/worklist", "/directory", "/stats"):
            d.get(base + path)
            assert d.execute_script("return document.documentElement.scrollWidth <= window.innerWidth + 1"), path
        d.set_window_size(1280, 900)
        assert _csp_violations(d) == []

        # the technician sees the rows, not the forms, and lands on the list
        log_in(d, base, "tom", TOM)
        assert urllib.parse.urlsplit(d.current_url).path == "/worklist"
        assert len(d.find_elements(By.CSS_SELECTOR, "article.wl-item")) == 2
        assert d.find_elements(By.CSS_SELECTOR, "form.outcome-form") == []
        assert [a.text for a in d.find_elements(By.CSS_SELECTOR, "nav a")][:2] == ["À rappeler", "Appels"]
        assert GALE not in d.find_element(By.TAG_NAME, "main").text
        assert _csp_violations(d) == []
