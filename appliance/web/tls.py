"""Optional HTTPS for the status page: a self-signed certificate made on the box, TLS on waitress.

With ``web.https = true`` the page is served over TLS only, so the session cookie can be
``Secure`` on a LAN. The certificate and its key live in ``<data_dir>/web/tls/`` (``cert.pem``,
``key.pem`` 0600); the first-boot unit makes them (``permanence-firstboot``), and the service makes
them at start if they are missing: an EC P-256 key and a certificate for the box's host name,
``<host>.local``, ``localhost`` and 127.0.0.1, valid ten years, made by ``openssl`` (Debian's
``openssl`` package). The browser warns once about a self-signed certificate: compare the
SHA-256 fingerprint the service logs (and the Health page shows) with the one it displays.
To use a certificate of your own, put it in place of these two files.

waitress has no TLS of its own: :func:`tls_channel` wraps each accepted connection with Python's
``ssl`` module without blocking the server's loop (the handshake advances inside the reads; a
"want read/write" is not an error), on top of whatever channel class the server uses.
"""

from __future__ import annotations

import hashlib
import logging
import os
import socket
import ssl
import subprocess
import time
from pathlib import Path
from typing import Any

from ..errors import WebError

log = logging.getLogger(__name__)

DAYS = 3650


def tls_dir(data_dir: str | os.PathLike[str]) -> Path:
    return Path(data_dir) / "web" / "tls"


def ensure_certificate(data_dir: str | os.PathLike[str], hostname: str | None = None) -> tuple[Path, Path]:
    """The box's certificate and key, made (self-signed) if they do not exist yet."""
    d = tls_dir(data_dir)
    cert, key = d / "cert.pem", d / "key.pem"
    if cert.is_file() and key.is_file():
        return cert, key
    host = (hostname or socket.gethostname() or "permanence").split(".")[0] or "permanence"
    try:
        d.mkdir(parents=True, exist_ok=True, mode=0o700)
    except OSError as exc:
        raise WebError(f"{d}: cannot create the certificate's directory: {exc}") from exc
    san = f"subjectAltName=DNS:{host},DNS:{host}.local,DNS:localhost,IP:127.0.0.1"
    tmp_key, tmp_cert = d / ".key.pem.tmp", d / ".cert.pem.tmp"
    cmd = ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
           "-days", str(DAYS), "-subj", f"/CN={host}.local/O=Permanence", "-addext", san,
           "-keyout", str(tmp_key), "-out", str(tmp_cert)]
    old = os.umask(0o077)
    try:
        subprocess.run(cmd, check=True, capture_output=True, timeout=60)
        os.replace(tmp_key, key)
        os.replace(tmp_cert, cert)
    except FileNotFoundError:
        raise WebError("web.https: the openssl command is missing (apt-get install openssl) to make the "
                       "box's certificate") from None
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired, OSError) as exc:
        detail = getattr(exc, "stderr", b"") or b""
        raise WebError(f"web.https: cannot make the certificate in {d}: {exc} "
                       f"{detail.decode(errors='replace')[:200]}") from None
    finally:
        os.umask(old)
    log.info("status page: self-signed certificate made for %s (SHA-256 %s)", host, fingerprint(cert))
    return cert, key


def fingerprint(cert: Path) -> str:
    """The certificate's SHA-256 fingerprint as browsers show it (``AB:CD:...``)."""
    der = ssl.PEM_cert_to_DER_cert(cert.read_text(encoding="ascii"))
    digest = hashlib.sha256(der).hexdigest().upper()
    return ":".join(digest[i:i + 2] for i in range(0, len(digest), 2))


def server_context(cert: Path, key: Path) -> ssl.SSLContext:
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2
    try:
        ctx.load_cert_chain(str(cert), str(key))
    except (OSError, ssl.SSLError) as exc:
        raise WebError(f"web.https: cannot load {cert} and {key}: {exc} (delete both to make new ones)") from exc
    return ctx


def context_for(data_dir: str | os.PathLike[str]) -> ssl.SSLContext:
    """The TLS context of the box (certificate made if needed)."""
    cert, key = ensure_certificate(data_dir)
    return server_context(cert, key)


class _TlsMixin:
    """Wraps the accepted socket with TLS; want-read/want-write are waits, not errors."""

    tls_context: ssl.SSLContext
    socket: Any
    adj: Any
    connected: bool

    def __init__(self, server: Any, sock: socket.socket, addr: Any, adj: Any, map: Any = None) -> None:
        sock.setblocking(False)
        wrapped = self.tls_context.wrap_socket(sock, server_side=True, do_handshake_on_connect=False)
        super().__init__(server, wrapped, addr, adj, map)  # type: ignore[call-arg]

    def handle_read(self) -> None:
        try:
            data = self.socket.recv(self.adj.recv_bytes)
        except (ssl.SSLWantReadError, ssl.SSLWantWriteError):
            return  # the handshake or a record is not complete yet
        except OSError as exc:  # ssl.SSLError included: a client that does not speak TLS, a reset
            log.debug("status page: TLS connection closed: %s", exc)
            self.handle_close()  # type: ignore[attr-defined]
            return
        if data:
            self.last_activity = time.time()
            self.received(data)  # type: ignore[attr-defined]
        else:
            self.handle_close()  # type: ignore[attr-defined]
            self.connected = False

    def send(self, data: bytes, do_close: bool = True) -> int:
        try:
            return int(super().send(data, do_close))  # type: ignore[misc]
        except (ssl.SSLWantReadError, ssl.SSLWantWriteError):
            return 0
        except ssl.SSLError as exc:
            log.debug("status page: TLS send failed: %s", exc)
            if do_close:
                self.handle_close()  # type: ignore[attr-defined]
            return 0


def tls_channel(base: type, ctx: ssl.SSLContext) -> type:
    """``base`` (waitress's channel class, or one derived from it) speaking TLS with ``ctx``."""
    return type(f"Tls{base.__name__}", (_TlsMixin, base), {"tls_context": ctx})
