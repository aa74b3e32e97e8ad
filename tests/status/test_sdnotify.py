"""sd_notify against a real AF_UNIX datagram socket standing in for systemd's."""

from __future__ import annotations

import os
import socket
import time

import pytest

from appliance.status.sdnotify import Notifier, NotifyError, Watchdog, watchdog_interval


@pytest.fixture(params=["path", "abstract"])
def systemd_socket(request, tmp_path):
    """A datagram socket like the one systemd listens on; yields (NOTIFY_SOCKET value, socket)."""
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    if request.param == "path":
        path = str(tmp_path / "notify.sock")
        sock.bind(path)
        value = path
    else:
        name = f"permanence-test-{os.getpid()}-{time.monotonic_ns()}"
        sock.bind(b"\0" + name.encode())
        value = "@" + name
    sock.settimeout(5)
    yield value, sock
    sock.close()


def _recv(sock) -> str:
    return sock.recv(4096).decode()


def test_ready_status_watchdog_stopping(systemd_socket):
    value, sock = systemd_socket
    with Notifier(env={"NOTIFY_SOCKET": value}) as n:
        assert n.enabled
        assert n.ready("2 lines ready")
        assert _recv(sock) == "READY=1\nSTATUS=2 lines ready"
        assert n.watchdog()
        assert _recv(sock) == "WATCHDOG=1"
        assert n.status("line1 fault:\nno SIM")
        assert _recv(sock) == "STATUS=line1 fault: no SIM"
        assert n.stopping()
        assert _recv(sock) == "STOPPING=1"


def test_without_systemd_everything_is_a_noop():
    n = Notifier(env={})
    assert not n.enabled
    assert n.ready() is False
    assert n.watchdog() is False
    n.close()


def test_socket_gone_is_logged_not_raised(tmp_path, caplog):
    n = Notifier(env={"NOTIFY_SOCKET": str(tmp_path / "absent.sock")})
    assert n.watchdog() is False
    assert "sd_notify" in caplog.text
    n.close()


@pytest.mark.parametrize("bad", ["relative/path", "notify.sock"])
def test_malformed_notify_socket(bad):
    with pytest.raises(NotifyError, match="NOTIFY_SOCKET"):
        Notifier(env={"NOTIFY_SOCKET": bad})


def test_newline_in_value_is_rejected(systemd_socket):
    value, _sock = systemd_socket
    with Notifier(env={"NOTIFY_SOCKET": value}) as n, pytest.raises(NotifyError):
        n.notify(STATUS="a\nWATCHDOG=1")


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({}, None),
        ({"WATCHDOG_USEC": "30000000"}, 15.0),
        ({"WATCHDOG_USEC": "1000"}, 0.0005),
        ({"WATCHDOG_USEC": "30000000", "WATCHDOG_PID": "1"}, None),  # for another process
        ({"WATCHDOG_USEC": "30000000", "WATCHDOG_PID": str(os.getpid())}, 15.0),
    ],
)
def test_watchdog_interval(env, expected):
    assert watchdog_interval(env) == expected


@pytest.mark.parametrize("bad", ["abc", "-5", "0", "1.5"])
def test_watchdog_interval_malformed(bad):
    with pytest.raises(NotifyError, match="WATCHDOG_USEC"):
        watchdog_interval({"WATCHDOG_USEC": bad})


def test_watchdog_pings_only_when_all_checks_pass(systemd_socket):
    value, sock = systemd_socket
    problem: list[str | None] = [None]

    def broken() -> str | None:
        raise RuntimeError("boom")

    n = Notifier(env={"NOTIFY_SOCKET": value})
    wd = Watchdog([lambda: None, lambda: problem[0]], notifier=n, interval=60)
    assert wd.tick() is True
    assert _recv(sock) == "STATUS=healthy"
    assert _recv(sock) == "WATCHDOG=1"

    problem[0] = "line1 not polled for 45 s"
    assert wd.tick() is False
    assert _recv(sock) == "STATUS=unhealthy: line1 not polled for 45 s"
    sock.settimeout(0.2)
    with pytest.raises(TimeoutError):
        _recv(sock)  # no WATCHDOG=1 while unhealthy

    wd.checks.append(broken)
    problem[0] = None
    assert wd.tick() is False
    assert "RuntimeError: boom" in wd.problems[0]
    wd.checks.pop()

    sock.settimeout(5)
    _recv(sock)  # the status about the broken check
    assert wd.tick() is True
    assert _recv(sock) == "STATUS=healthy"
    assert _recv(sock) == "WATCHDOG=1"
    assert wd.ready("2 lines ready")
    assert _recv(sock) == "READY=1\nSTATUS=2 lines ready"
    assert wd.stopping()
    assert _recv(sock) == "STOPPING=1"
    wd.close()
    n.close()


def test_watchdog_thread_pings_periodically_and_stops(systemd_socket):
    value, sock = systemd_socket
    env = {"NOTIFY_SOCKET": value, "WATCHDOG_USEC": "100000"}  # ping every 50 ms
    with Watchdog([lambda: None], env=env) as wd:
        assert wd.interval == 0.05
        wd.start()
        got = [_recv(sock) for _ in range(4)]
        assert got.count("WATCHDOG=1") >= 3
    assert wd._thread is None
    sock.settimeout(0.3)
    # drain anything sent before close, then nothing more arrives
    try:
        while True:
            _recv(sock)
    except TimeoutError:
        pass
    # the thread is joined (above): nothing can send any more; a last wait for proof
    with pytest.raises(TimeoutError):
        _recv(sock)


def test_watchdog_without_interval_starts_no_thread():
    with Watchdog([lambda: None], env={}) as wd:
        wd.start()
        assert wd._thread is None
