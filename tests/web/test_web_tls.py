"""Optional HTTPS (issue 15.6): a self-signed certificate made on the box, the page served over TLS by
waitress, the session cookie Secure; real sockets, Python's ssl client and headless-free checks."""

from __future__ import annotations

import contextlib
import dataclasses
import http.client
import os
import socket
import ssl
import stat
from pathlib import Path
from typing import Any

from appliance.web import create_app, serve
from appliance.web.tls import context_for, ensure_certificate, fingerprint

from .conftest import Box, csrf_from


def client_context(cert: Path) -> ssl.SSLContext:
    ctx = ssl.create_default_context(cafile=str(cert))  # trust exactly the box's own certificate
    ctx.check_hostname = True
    return ctx


def test_certificate_is_made_once_private_and_names_the_box(tmp_path: Path) -> None:
    cert, key = ensure_certificate(tmp_path, "atelier")
    assert stat.S_IMODE(os.stat(key).st_mode) == 0o600
    text = ssl._ssl._test_decode_cert(str(cert))  # type: ignore[attr-defined]
    names = {v for k, v in text["subjectAltName"]}
    assert {"atelier", "atelier.local", "localhost", "127.0.0.1"} <= names
    first = fingerprint(cert)
    assert len(first.split(":")) == 32
    assert ensure_certificate(tmp_path, "atelier") == (cert, key) and fingerprint(cert) == first  # kept


def test_page_over_tls_with_a_secure_cookie(box: Box) -> None:
    cfg = dataclasses.replace(box.cfg, web=dataclasses.replace(box.cfg.web, https=True))
    app = create_app(cfg, box.log)
    tls = context_for(box.data_dir)
    cert, _ = ensure_certificate(box.data_dir)
    with serve(app, "127.0.0.1", 0, tls=tls) as server:
        assert server.url.startswith("https://")
        conn = http.client.HTTPSConnection("localhost", server.port, timeout=10, context=client_context(cert))
        conn.request("GET", "/setup")
        resp = conn.getresponse()
        page = resp.read().decode()
        assert resp.status == 200 and resp.getheader("Strict-Transport-Security", "").startswith("max-age=")
        cookie = resp.getheader("Set-Cookie", "")
        assert "Secure" in cookie and "HttpOnly" in cookie
        code = app.extensions["permanence"].auth.setup_code()
        body = (f"csrf_token={csrf_from(page)}&code={code}&password=correct+horse+battery+staple"
                f"&password2=correct+horse+battery+staple")
        conn.request("POST", "/setup", body=body, headers={"Cookie": cookie.split(";")[0],
                                                           "Content-Type": "application/x-www-form-urlencoded"})
        resp = conn.getresponse()
        resp.read()
        assert resp.status == 302 and "Secure" in resp.getheader("Set-Cookie", "")
        # a large page comes through whole (TLS records, want-write on a full socket buffer)
        conn.request("GET", "/api/calls?per_page=500", headers={"Cookie": str(resp.getheader("Set-Cookie")).split(";")[0]})
        big = conn.getresponse()
        assert big.status == 200 and len(big.read()) > 20_000
        conn.close()


def test_plain_http_and_garbage_on_the_tls_port_do_not_stop_it(box: Box) -> None:
    cfg = dataclasses.replace(box.cfg, web=dataclasses.replace(box.cfg.web, https=True))
    app = create_app(cfg, box.log)
    cert, _ = ensure_certificate(box.data_dir)
    with serve(app, "127.0.0.1", 0, tls=context_for(box.data_dir)) as server:
        for junk in (b"GET / HTTP/1.1\r\nHost: x\r\n\r\n", b"\x16\x03\x01\x00\x05garbage", b""):
            with socket.create_connection(("127.0.0.1", server.port), timeout=5) as s:
                # the server may answer garbage by closing at once (ENOTCONN, EPIPE on our side): it must live on
                with contextlib.suppress(OSError):
                    s.sendall(junk)
                    s.shutdown(socket.SHUT_WR)
                    s.recv(100)  # whatever it answers (an alert, nothing)
        # a half-open handshake left hanging does not block others
        idle = socket.create_connection(("127.0.0.1", server.port), timeout=5)
        conn = http.client.HTTPSConnection("localhost", server.port, timeout=10, context=client_context(cert))
        conn.request("GET", "/login")
        resp: Any = conn.getresponse()
        assert resp.status in (200, 302)
        resp.read()
        conn.close()
        idle.close()
