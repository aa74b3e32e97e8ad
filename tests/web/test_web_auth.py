"""First-run setup, login, throttling, sessions, CSRF: Flask test client against a real call log."""

from __future__ import annotations

import argparse
import contextlib
import html
import io
import os
import stat
from pathlib import Path
from typing import Any

import pytest

from appliance.web.auth import AuthStore, RateLimiter
from appliance.web.cli import register, run_passwd

from .conftest import PASSWORD, Box, csrf_from, make_app, setup_password, stored


class FakeClock:
    def __init__(self) -> None:
        self.t = 1000.0

    def __call__(self) -> float:
        return self.t


def _login(client: Any, password: str, ip: str = "10.0.0.5", next_: str = "", user: str = "") -> Any:
    page = client.get("/login", environ_base={"REMOTE_ADDR": ip})
    return client.post("/login", data={"csrf_token": csrf_from(page.text), "password": password, "next": next_,
                                       "user": user}, environ_base={"REMOTE_ADDR": ip})


@pytest.mark.parametrize("path", ["/", "/calls", "/stats", "/health", "/settings", "/login",
                                  "/calls/20261127T091403-line1-7f3a9c/recording"])
def test_new_box_sends_every_page_to_setup(app: Any, path: str) -> None:
    r = app.test_client().get(path)
    assert r.status_code == 302 and r.headers["Location"].endswith("/setup")


@pytest.mark.parametrize("path", ["/api/calls", "/api/stats", "/api/health", "/api/lines", "/api/export"])
def test_new_box_api_says_setup_required(app: Any, path: str) -> None:
    r = app.test_client().get(path)
    assert r.status_code == 401 and "setup" in r.get_json()["error"]


def test_setup_files_are_private_and_password_is_scrypt(app: Any, box: Box) -> None:
    web = box.data_dir / "web"
    assert stat.S_IMODE(os.stat(web).st_mode) == 0o700
    for name in ("secret-key", "setup-code"):
        assert stat.S_IMODE(os.stat(web / name).st_mode) == 0o600
    c = app.test_client()
    assert setup_password(c, app).status_code == 302
    assert not (web / "setup-code").exists()  # one-time: gone once used
    pw = (web / "accounts.json").read_text()
    assert stat.S_IMODE(os.stat(web / "accounts.json").st_mode) == 0o600
    assert '"hash":"scrypt:' in pw and PASSWORD not in pw and '"role":"admin"' in pw
    # after setup, /setup no longer accepts anything and leads to login
    fresh = app.test_client()
    assert fresh.get("/setup").headers["Location"].endswith("/login")
    assert c.get("/").status_code == 200


@pytest.mark.parametrize("code_ok, pw1, pw2, status, message", [
    (False, PASSWORD, PASSWORD, 403, "Code d'installation incorrect"),
    (True, PASSWORD, PASSWORD + "x", 400, "Les deux mots de passe diffèrent"),
    (True, "short", "short", 400, "at least 10 characters"),
    (True, "aaaaaaaaaaaa", "aaaaaaaaaaaa", 400, "same few characters"),
    (True, "", "", 400, "at least 10 characters"),
])
def test_setup_refusals(app: Any, code_ok: bool, pw1: str, pw2: str, status: int, message: str) -> None:
    c = app.test_client()
    page = c.get("/setup")
    code = app.extensions["permanence"].auth.setup_code() if code_ok else "ZZZZ-ZZZZ-ZZZZ"
    r = c.post("/setup", data={"csrf_token": csrf_from(page.text), "code": code, "password": pw1,
                               "password2": pw2})
    assert r.status_code == status and message in html.unescape(r.text)
    assert not app.extensions["permanence"].auth.has_password()


def test_setup_code_accepts_lowercase_and_no_dashes(app: Any) -> None:
    c = app.test_client()
    page = c.get("/setup")
    code = app.extensions["permanence"].auth.setup_code().replace("-", "").lower()
    r = c.post("/setup", data={"csrf_token": csrf_from(page.text), "code": code, "password": PASSWORD,
                               "password2": PASSWORD})
    assert r.status_code == 302


def test_login_wrong_then_right_and_safe_next(client: Any, app: Any) -> None:
    c = app.test_client()
    assert _login(c, "nope nope nope").status_code == 403
    assert c.get("/").status_code == 302
    r = _login(c, PASSWORD, next_="/stats?weeks=4")
    assert r.status_code == 302 and r.headers["Location"] == "/stats?weeks=4"
    for evil in ("https://evil.invalid/", "//evil.invalid/x", "/\\evil.invalid", "javascript:alert(1)"):
        c2 = app.test_client()
        r = _login(c2, PASSWORD, next_=evil)
        assert r.headers["Location"] == "/", evil


def test_login_throttled_per_address_with_backoff(box: Box) -> None:
    clock = FakeClock()
    app = make_app(box, limiter=RateLimiter(free=5, base=2.0, cap=60.0, clock=clock))
    c = app.test_client()
    setup_password(c, app)
    attacker = app.test_client()
    for _ in range(5):
        assert _login(attacker, "wrong password!", ip="10.9.9.9").status_code == 403
    # locked: even the right password is refused, with the wait in the message
    r = _login(attacker, PASSWORD, ip="10.9.9.9")
    assert r.status_code == 429 and "attendez 2 secondes" in r.text
    # another address is not locked out by this one
    assert _login(app.test_client(), PASSWORD, ip="10.1.1.1").status_code == 302
    clock.t += 2.1
    assert _login(attacker, "wrong again!!", ip="10.9.9.9").status_code == 403
    r = _login(attacker, PASSWORD, ip="10.9.9.9")
    assert r.status_code == 429 and "attendez 4 secondes" in r.text  # doubled
    clock.t += 4.1
    assert _login(attacker, PASSWORD, ip="10.9.9.9").status_code == 302


def test_guessing_from_many_addresses_never_locks_the_owner_out(box: Box) -> None:
    """Issue 15.4: five wrong passwords from each of five addresses used to lock the owner out."""
    clock = FakeClock()
    app = make_app(box, limiter=RateLimiter(free=5, base=2.0, global_free=10, window=600, clock=clock))
    setup_password(app.test_client(), app)
    for i in range(5):
        for _ in range(5):
            assert _login(app.test_client(), "wrong password!", ip=f"10.0.1.{i}").status_code in (403, 429)
    # the owner, from a clean address, with the right password: in at once
    assert _login(app.test_client(), PASSWORD, ip="10.0.2.1").status_code == 302
    # guessing stays slow under pressure: a fresh address gets one try, then waits
    assert _login(app.test_client(), "wrong password!", ip="10.0.3.1").status_code == 403
    r = _login(app.test_client(), PASSWORD, ip="10.0.3.1")
    assert r.status_code == 429 and "attendez 2 secondes" in r.text
    clock.t += 2.1
    assert _login(app.test_client(), PASSWORD, ip="10.0.3.1").status_code == 302
    # the guessing addresses themselves stay throttled
    assert _login(app.test_client(), PASSWORD, ip="10.0.1.0").status_code == 429
    # once the window has passed, the pressure is gone
    clock.t += 601
    assert not app.extensions["permanence"].limiter.under_pressure()


def test_each_account_is_throttled_separately(box: Box) -> None:
    clock = FakeClock()
    app = make_app(box, limiter=RateLimiter(free=3, base=2.0, clock=clock))
    c = app.test_client()
    setup_password(c, app)
    app.extensions["permanence"].auth.create_account("anne", "office", "anne's good password", by="admin")
    for _ in range(3):
        assert _login(app.test_client(), "wrong password!", ip="10.0.0.7").status_code == 403
    assert _login(app.test_client(), PASSWORD, ip="10.0.0.7").status_code == 429  # admin from here: waits
    # anne, from the same office computer, is not slowed by the failures on admin
    assert _login(app.test_client(), "anne's good password", ip="10.0.0.7", user="anne").status_code == 302


def test_setup_code_guessing_is_throttled(box: Box) -> None:
    app = make_app(box, limiter=RateLimiter(free=3, clock=FakeClock()))
    c = app.test_client()
    for _ in range(3):
        page = c.get("/setup")
        c.post("/setup", data={"csrf_token": csrf_from(page.text), "code": "AAAA-AAAA-AAAA",
                               "password": PASSWORD, "password2": PASSWORD})
    page = c.get("/setup")
    code = app.extensions["permanence"].auth.setup_code()
    r = c.post("/setup", data={"csrf_token": csrf_from(page.text), "code": code, "password": PASSWORD,
                               "password2": PASSWORD})
    assert r.status_code == 429


def test_session_cookie_flags_and_lifetime(app: Any) -> None:
    c = app.test_client()
    page = c.get("/setup")
    code = app.extensions["permanence"].auth.setup_code()
    r = c.post("/setup", data={"csrf_token": csrf_from(page.text), "code": code, "password": PASSWORD,
                               "password2": PASSWORD})
    cookie = r.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and "Expires=" in cookie
    assert "Secure" not in cookie
    assert app.permanent_session_lifetime.total_seconds() == app.extensions["permanence"].cfg.web.session_minutes * 60


def test_secure_cookie_over_https(box: Box) -> None:
    import dataclasses

    cfg = dataclasses.replace(box.cfg, web=dataclasses.replace(box.cfg.web, https=True))
    from appliance.web import create_app

    app = create_app(cfg, box.log)
    c = app.test_client()
    page = c.get("/setup", base_url="https://box.local")
    code = app.extensions["permanence"].auth.setup_code()
    r = c.post("/setup", base_url="https://box.local", data={"csrf_token": csrf_from(page.text), "code": code,
                                                             "password": PASSWORD, "password2": PASSWORD})
    assert "Secure" in r.headers["Set-Cookie"]
    assert r.headers["Strict-Transport-Security"].startswith("max-age=")


def test_expired_session_cookie_is_refused(box: Box) -> None:
    import dataclasses
    import time

    cfg = dataclasses.replace(box.cfg, web=dataclasses.replace(box.cfg.web, session_minutes=5))
    from appliance.web import create_app

    app = create_app(cfg, box.log)
    c = app.test_client()
    setup_password(c, app)
    assert c.get("/").status_code == 200
    real = time.time
    try:  # itsdangerous checks the cookie's signed timestamp against the lifetime
        time.time = lambda: real() + 6 * 60  # type: ignore[assignment]
        assert c.get("/").status_code == 302
    finally:
        time.time = real  # type: ignore[assignment]


def test_passwd_cli_prints_code_and_reset_signs_everyone_out(client: Any, app: Any, box: Box) -> None:
    args = argparse.Namespace(reset=False, data_dir=box.data_dir, config=None)
    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        assert run_passwd(args) == 1  # a password is set: no code to show
    assert "--reset" in err.getvalue()
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert run_passwd(argparse.Namespace(reset=True, data_dir=box.data_dir, config=None)) == 0
    code = out.getvalue().strip().rsplit(" ", 1)[-1]
    assert code == AuthStore(box.data_dir).setup_code()
    # the old session is over: back to setup
    r = client.get("/")
    assert r.status_code == 302 and r.headers["Location"].endswith("/setup")
    # and `permanence passwd` now prints the same code
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert run_passwd(argparse.Namespace(reset=False, data_dir=box.data_dir, config=None)) == 0
    assert out.getvalue().strip().endswith(code)
    # after a new setup, a session from before the reset still does not come back
    assert setup_password(app.test_client(), app, "another good password").status_code == 302
    assert client.get("/").status_code == 302


def test_passwd_registers_a_subcommand(tmp_path: Path) -> None:
    parser = argparse.ArgumentParser()
    register(parser.add_subparsers())
    args = parser.parse_args(["passwd", "--data-dir", str(tmp_path)])
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert args.func(args) == 0
    assert len(out.getvalue().strip().rsplit(" ", 1)[-1]) == 14


def test_passwd_without_config_says_what_to_do(tmp_path: Path) -> None:
    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        rc = run_passwd(argparse.Namespace(reset=False, data_dir=None, config=str(tmp_path / "absent.toml")))
    assert rc == 2 and "no such configuration file" in err.getvalue()


# --------------------------------------------------------------------------- CSRF

def test_csrf_refused_on_forms_and_api(client: Any, box: Box) -> None:
    call_id = box.notable.hostile
    r = client.post(f"/calls/{call_id}/note", data={"text": "hello"})
    assert r.status_code == 403
    r = client.post(f"/calls/{call_id}/note", data={"text": "hello", "csrf_token": "forged"})
    assert r.status_code == 403
    r = client.post(f"/api/calls/{call_id}/handled", json={"handled": True})
    assert r.status_code == 403 and "CSRF" in r.get_json()["error"]
    r = client.post(f"/api/calls/{call_id}/handled", json={"handled": True}, headers={"X-CSRF-Token": "x" * 43})
    assert r.status_code == 403
    r = client.post("/settings", data={"section": "company", "name": "Pwned"})
    assert r.status_code == 403
    r = client.post("/logout")
    assert r.status_code == 403
    assert not stored(box.log, call_id).handled
    assert all(n["text"] != "hello" for n in stored(box.log, call_id).notes)
    # with the token from the page, the same requests pass
    token = csrf_from(client.get("/").text)
    r = client.post(f"/api/calls/{call_id}/handled", json={"handled": True}, headers={"X-CSRF-Token": token})
    assert r.status_code == 200 and r.get_json()["call"]["handled"] is True
    assert stored(box.log, call_id).handled


def test_login_form_needs_csrf_token(app: Any) -> None:
    c = app.test_client()
    setup_password(app.test_client(), app)
    r = c.post("/login", data={"password": PASSWORD})
    assert r.status_code == 403


def test_session_lifetime_counts_from_login_even_when_active(box: Box) -> None:
    """The dashboard refreshes itself; the session still ends session_minutes after the login."""
    import dataclasses
    import time

    cfg = dataclasses.replace(box.cfg, web=dataclasses.replace(box.cfg.web, session_minutes=5))
    from appliance.web import create_app

    app = create_app(cfg, box.log)
    c = app.test_client()
    setup_password(c, app)
    real = time.time
    start = real()
    try:
        for minutes in (1, 2, 3, 4):  # active every minute: the cookie is refreshed each time
            time.time = lambda m=minutes: start + m * 60  # type: ignore[misc]
            assert c.get("/api/dashboard").status_code == 200
        time.time = lambda: start + 5 * 60 + 1  # type: ignore[assignment]
        assert c.get("/api/dashboard").status_code == 401
    finally:
        time.time = real  # type: ignore[assignment]


def test_web_files_belong_to_the_data_directory_owner(tmp_path: Path) -> None:
    """`sudo permanence passwd` must not leave files the service's user cannot read."""
    data = tmp_path / "data"
    data.mkdir()
    if os.geteuid() == 0:
        os.chown(data, 65534, 65534)  # as if the service ran as "nobody"
    store = AuthStore(data)
    store.secret_key()
    code = store.reset()
    owner = os.stat(data).st_uid
    for p in (store.dir, store.key_file, store.code_file):
        assert os.stat(p).st_uid == owner, p
    assert store.check_setup_code(code)


def test_passwd_reads_the_data_dir_from_the_config(box: Box) -> None:
    parser = argparse.ArgumentParser()
    register(parser.add_subparsers())
    args = parser.parse_args(["passwd", "--config", str(box.config_path)])
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert args.func(args) == 0
    assert out.getvalue().strip().endswith(AuthStore(box.data_dir).setup_code() or "?")


@pytest.mark.parametrize("damage", ["short", "unreadable"])
def test_a_damaged_session_key_is_moved_aside_and_replaced(tmp_path: Path, damage: str) -> None:
    """Issue 15 req. 2: a session key the box cannot use costs the sessions (a new key), never the page."""
    store = AuthStore(tmp_path)
    store.dir.mkdir(parents=True, exist_ok=True)
    if damage == "short":
        store.key_file.write_bytes(b"abc")
    else:
        store.key_file.mkdir()  # reading it fails with an OSError, as an unreadable file does
    key = store.secret_key()
    assert len(key) >= 32 and store.key_file.read_bytes() == key
    assert [q.source for q in store.quarantine.moved] == [str(store.key_file)]
    assert any("secret-key" in p.name for p in store.quarantine.dir.iterdir())
    assert AuthStore(tmp_path).secret_key() == key  # read back as it is, from now on
