"""The page's server cannot be filled or taken down from the LAN (issue 15, requirement 5).

The real service serves the status page (waitress) while a simulated line takes calls:

* a 200 MB body is refused at once (413) from its declared length, without being read;
* 220 connections trickle a byte every half second (slowloris) from loopback; meanwhile a
  logged-in page load gets its page and a simulated call is answered and logged.
"""

from __future__ import annotations

import http.cookiejar
import re
import socket
import threading
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from waiting import wait_until

from appliance.config import load_config_text
from appliance.service import Service
from appliance.store.record import CallRecord
from appliance.telephony import open_line
from appliance.telephony.simulator import Simulator
from appliance.telephony.simulator.callers import ScriptedCaller
from appliance.web.auth import AuthStore

PASSWORD = "a long enough password"


class Ended:
    def __init__(self) -> None:
        self.records: list[CallRecord] = []

    def call_event(self, kind: str, rec: CallRecord) -> None:
        if kind == "ended":
            self.records.append(rec)

    def urgent(self, rec: CallRecord) -> None:
        pass


@pytest.fixture
def service(tmp_path: Path) -> Iterator[tuple[Service, Simulator, Ended]]:
    cfg = load_config_text('[company]\nname = "ACME"\n[speech]\nenabled = false\n[capture]\nenabled = false\n'
                           '[web]\nbind = "127.0.0.1"\n', source="t")
    sim = Simulator("gsm", ring_interval=0.3)
    ended = Ended()
    svc = Service(cfg, data_dir=tmp_path, speech=False, leds=False, web_port=-1, observers=[ended],
                  line_factory=lambda lc, **kw: open_line(lc, simulator=sim, **kw))
    svc.start()
    try:
        assert svc.ready.wait(20)
        yield svc, sim, ended
    finally:
        svc.stop()
        sim.close()


def logged_in(base: str, data_dir: Path) -> urllib.request.OpenerDirector:
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(base + "setup", timeout=10).read().decode()
    token = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert token, page[:500]
    code = AuthStore(data_dir).setup_code()
    form = {"csrf_token": token.group(1), "code": code, "password": PASSWORD, "password2": PASSWORD}
    opener.open(base + "setup", data=urllib.parse.urlencode(form).encode(), timeout=10).read()
    return opener


def test_a_huge_body_is_refused_from_its_length(service: tuple[Service, Simulator, Ended]) -> None:
    svc, _sim, _ended = service
    assert svc.web is not None
    t0 = time.monotonic()
    with socket.create_connection(("127.0.0.1", svc.web.port), timeout=10) as s:
        s.sendall(b"POST /login HTTP/1.1\r\nHost: box\r\nContent-Type: application/x-www-form-urlencoded\r\n"
                  b"Content-Length: 209715200\r\n\r\n" + b"x" * 65536)
        reply = s.recv(4096)
    assert reply.startswith(b"HTTP/1.1 413"), reply[:200]
    assert time.monotonic() - t0 < 5  # answered from the headers, not after 200 MB


class Slowloris:
    """``n`` connections from loopback, each sending a request one byte every ``pace`` seconds; a
    connection the server drops is opened again."""

    def __init__(self, port: int, n: int, pace: float = 0.5) -> None:
        self.port, self.n, self.pace = port, n, pace
        self.stop = threading.Event()
        self.opened = 0
        self.dropped = 0
        self.rounds = 0  # times every connection sent its next byte
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _open(self) -> socket.socket | None:
        try:
            s = socket.create_connection(("127.0.0.1", self.port), timeout=2)
        except OSError:
            return None
        s.setblocking(False)
        self.opened += 1
        return s

    def _run(self) -> None:
        request = b"GET / HTTP/1.1\r\nHost: box\r\n" + b"X-Slow: " + b"a" * 10_000
        socks: list[tuple[socket.socket | None, int]] = [(self._open(), 0) for _ in range(self.n)]
        while not self.stop.wait(self.pace):
            for i, (s, pos) in enumerate(socks):
                if s is None:
                    socks[i] = (self._open(), 0)
                    continue
                try:
                    s.send(request[pos % len(request):pos % len(request) + 1])
                    socks[i] = (s, pos + 1)
                except OSError:  # dropped by the server: come back, as an attacker would
                    self.dropped += 1
                    s.close()
                    socks[i] = (self._open(), 0)
            self.rounds += 1
        for s, _ in socks:
            if s is not None:
                s.close()

    def __enter__(self) -> Slowloris:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        self.thread.join(30)


def test_slow_connections_leave_the_owner_and_the_calls_a_way_in(service: tuple[Service, Simulator, Ended],
                                                                tmp_path: Path) -> None:
    svc, sim, ended = service
    assert svc.web is not None and svc.web_url is not None
    owner = logged_in(svc.web_url, tmp_path)
    with Slowloris(svc.web.port, 220) as attack:
        wait_until(lambda: attack.opened >= 220, 30, message="220 slow connections open")
        rounds = attack.rounds
        wait_until(lambda: attack.rounds >= rounds + 2, 30, message="two more bytes on every connection")
        t0 = time.monotonic()
        page = owner.open(svc.web_url, timeout=20).read().decode()
        assert "ACME" in page and "csrf-token" in page  # the dashboard, logged in
        assert time.monotonic() - t0 < 20
        handle = sim.place_call(ScriptedCaller(id="during", caller_id="+33612345678", hangup_after_seconds=1))
        handle.wait(30)
        wait_until(lambda: ended.records, 30, message="the call logged")
        assert ended.records[0].state == "answered" and ended.records[0].caller_number
        assert attack.opened >= 220 and not attack.stop.is_set()
    assert attack.dropped > 0  # the server cut the slow ones off
    assert owner.open(svc.web_url + "calls", timeout=10).status == 200
