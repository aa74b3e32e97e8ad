"""Staff accounts, roles, and sessions that end (issue 15.6, issue 17.6): Flask's test client against a
real call log and a real accounts file."""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import sys
from typing import Any

import pytest

from appliance.web.auth import AuthStore
from appliance.web.cli import run_passwd

from .conftest import PASSWORD, Box, csrf_from, stored

ANNE = "anne's office password"
TOM = "tom the technician 42"


def login(app: Any, user: str, password: str) -> Any:
    c = app.test_client()
    page = c.get("/login")
    r = c.post("/login", data={"csrf_token": csrf_from(page.text), "user": user, "password": password})
    assert r.status_code == 302, (user, r.status_code)
    return c


def post(c: Any, path: str, data: dict[str, Any], page: str = "/account") -> Any:
    token = csrf_from(c.get(page).text)
    return c.post(path, data={"csrf_token": token, **data})


def copy_session(app: Any, c: Any) -> Any:
    """Another device holding a copy of the cookie (a stolen or forgotten session)."""
    other = app.test_client()
    other.set_cookie("permanence_session", c.get_cookie("permanence_session").value)
    return other


@pytest.fixture
def staff(app: Any, client: Any) -> Any:
    """An admin logged in (``client``), an office account and a technician account."""
    auth = app.extensions["permanence"].auth
    auth.create_account("anne", "office", ANNE, by="admin")
    auth.create_account("tom", "technician", TOM, by="admin")
    return app


# --------------------------------------------------------------------------- sessions end

def test_logout_ends_a_copied_session_cookie(app: Any, client: Any) -> None:
    copy = copy_session(app, client)
    assert copy.get("/api/calls").status_code == 200
    assert post(client, "/logout", {}).status_code == 302
    assert copy.get("/api/calls").status_code == 401  # the copy died with the logout
    assert client.get("/").status_code == 302


def test_password_change_ends_every_other_session_but_keeps_this_one(staff: Any) -> None:
    here = login(staff, "anne", ANNE)
    elsewhere = login(staff, "anne", ANNE)
    r = post(here, "/account/password", {"current": ANNE, "password": "a brand new password",
                                         "password2": "a brand new password"})
    assert r.status_code == 302
    assert here.get("/api/calls").status_code == 200
    assert elsewhere.get("/api/calls").status_code == 401
    login(staff, "anne", "a brand new password")
    # a wrong current password changes nothing
    r = post(here, "/account/password", {"current": "not it at all", "password": "x" * 12, "password2": "x" * 12})
    assert here.get("/api/calls").status_code == 200
    assert staff.extensions["permanence"].auth.check_login("anne", "a brand new password") is not None


def test_permanence_passwd_user_ends_that_accounts_sessions(staff: Any, client: Any, box: Box,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    anne = login(staff, "anne", ANNE)
    monkeypatch.setattr(sys, "stdin", io.StringIO("set from the console\n"))
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert run_passwd(argparse.Namespace(reset=False, user="anne", data_dir=box.data_dir, config=None)) == 0
    assert "anne" in out.getvalue()
    assert anne.get("/api/calls").status_code == 401
    assert client.get("/api/calls").status_code == 200  # other accounts keep their sessions
    login(staff, "anne", "set from the console")
    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        assert run_passwd(argparse.Namespace(reset=False, user="nobody", data_dir=box.data_dir, config=None)) == 2
    assert "no account named 'nobody'" in err.getvalue() and "anne" in err.getvalue()


def test_passwd_reset_ends_every_session_of_every_account(staff: Any, client: Any, box: Box) -> None:
    anne = login(staff, "anne", ANNE)
    with contextlib.redirect_stdout(io.StringIO()):
        assert run_passwd(argparse.Namespace(reset=True, user=None, data_dir=box.data_dir, config=None)) == 0
    assert client.get("/api/calls").status_code == 401
    assert anne.get("/api/calls").status_code == 401
    assert staff.extensions["permanence"].auth.account("anne") is not None  # staff accounts stay


def test_an_older_single_password_becomes_the_admin_account(box: Box) -> None:
    from werkzeug.security import generate_password_hash

    web = box.data_dir / "web"
    web.mkdir(exist_ok=True)
    (web / "password.json").write_text(json.dumps({"hash": generate_password_hash(PASSWORD, method="scrypt"),
                                                   "generation": "g1"}))
    store = AuthStore(box.data_dir)
    acc = store.check_login("admin", PASSWORD)
    assert acc is not None and acc.role == "admin"
    assert not (web / "password.json").exists() and (web / "accounts.json").exists()


# --------------------------------------------------------------------------- roles

@pytest.mark.parametrize("path, status", [
    ("/worklist", 200), ("/calls", 200), ("/api/worklist", 200), ("/api/calls", 200), ("/account", 200),
    ("/stats", 403), ("/settings", 403), ("/directory", 403), ("/health", 403), ("/accounts", 403),
    ("/api/stats", 403), ("/api/export", 403), ("/calls/export", 403), ("/worklist/history.csv", 403),
])
def test_technician_sees_the_worklist_and_the_calls_only(staff: Any, path: str, status: int) -> None:
    tom = login(staff, "tom", TOM)
    assert tom.get(path).status_code == status


def test_technician_lands_on_the_worklist_and_cannot_act(staff: Any, box: Box) -> None:
    tom = login(staff, "tom", TOM)
    r = tom.get("/")
    assert r.status_code == 302 and r.headers["Location"].endswith("/worklist")
    page = tom.get("/worklist").text
    assert "outcome-form" not in page and "/settings" not in page and "/stats" not in page
    token = csrf_from(page)
    call_id = box.notable.hostile
    assert tom.post(f"/calls/{call_id}/note", data={"csrf_token": token, "text": "x"}).status_code == 403
    r = tom.post("/worklist/outcome", data={"csrf_token": token, "calls": call_id, "outcome": "reached"})
    assert r.status_code == 403
    assert stored(box.log, call_id).callback is None
    assert tom.get(f"/calls/{call_id}").status_code == 200


def test_office_acts_but_cannot_change_settings_or_accounts(staff: Any, box: Box) -> None:
    anne = login(staff, "anne", ANNE)
    settings = anne.get("/settings")
    assert settings.status_code == 200 and 'id="settings-admin-only"' in settings.text
    assert post(anne, "/settings", {"section": "company", "name": "Pwned"}, "/settings").status_code == 403
    assert post(anne, "/accounts", {"action": "create", "name": "eve", "role": "admin", "password": PASSWORD,
                                    "password2": PASSWORD}).status_code == 403
    r = post(anne, f"/calls/{box.notable.hostile}/note", {"text": "called back, all fine"})
    assert r.status_code == 302
    assert stored(box.log, box.notable.hostile).notes[-1]["by"] == "anne"  # who did it


def test_admin_creates_accounts_with_checks(staff: Any, client: Any) -> None:
    auth = staff.extensions["permanence"].auth
    r = post(client, "/accounts", {"action": "create", "name": "lea", "role": "office", "password": "lea's password!",
                                   "password2": "lea's password!"}, "/accounts")
    assert r.status_code == 302 and auth.account("lea").role == "office"
    for bad in ({"name": "lea"}, {"name": "Bad Name"}, {"password": "short", "password2": "short"},
                {"role": "root"}):
        form = {"action": "create", "name": "zoe", "role": "office", "password": "zoe's password!",
                "password2": "zoe's password!"} | bad
        post(client, "/accounts", form, "/accounts")
    assert [a.name for a in auth.accounts()].count("lea") == 1 and auth.account("zoe") is None
    # the last administrator keeps the role and the account
    post(client, "/accounts", {"action": "role", "name": "admin", "role": "office"}, "/accounts")
    post(client, "/accounts", {"action": "delete", "name": "admin"}, "/accounts")
    assert auth.account("admin").role == "admin"
    # the admin changes tom's role: tom's sessions end (his rights changed)
    tom = login(staff, "tom", TOM)
    post(client, "/accounts", {"action": "role", "name": "tom", "role": "office"}, "/accounts")
    assert tom.get("/api/calls").status_code == 401
    assert login(staff, "tom", TOM).get("/stats").status_code == 200


def test_a_corrupt_accounts_file_is_kept_aside_and_setup_starts_again(box: Box) -> None:
    web = box.data_dir / "web"
    web.mkdir(exist_ok=True)
    (web / "accounts.json").write_text("{broken")
    store = AuthStore(box.data_dir, quarantine=box.log.quarantine)  # as the service's page builds it
    assert not store.has_password() and store.setup_code()
    (moved,) = (box.data_dir / "quarantine").glob("web__accounts.json.*")  # for a human to look at, never deleted
    assert moved.read_text() == "{broken"
    assert any("accounts.json" in p and "quarantine" in p for p in box.log.problems())  # a health fault
    store.complete_setup("admin", PASSWORD)
    assert store.check_login("admin", PASSWORD) is not None
