"""Serve the Flask app with waitress in a background thread of the service process."""

from __future__ import annotations

import logging
import ssl
import threading
from typing import Any

from ..errors import WebError

log = logging.getLogger(__name__)


class WebServer:
    """A waitress server running in a daemon thread; ``port`` is the port actually bound.

    >>> # server = serve(app, "127.0.0.1", 0); print(server.url); server.close()
    """

    def __init__(self, app: Any, host: str, port: int, *, threads: int = 4,
                 tls: ssl.SSLContext | None = None) -> None:
        from waitress.server import create_server

        try:
            self._server: Any = create_server(app, host=host, port=port, threads=threads,
                                                  ident="permanence", asyncore_loop_timeout=0.5)
        except OSError as exc:
            raise WebError(f"status page: cannot listen on {host}:{port}: {exc} "
                           f"(choose another port with --web-port or web.port)") from exc
        self.host = host
        self.scheme = "https" if tls is not None else "http"
        if tls is not None:
            from .tls import tls_channel

            server: Any = self._server
            server.channel_class = tls_channel(server.channel_class, tls)
        addr = self._server.socket.getsockname()  # type: ignore[union-attr]
        self.port = int(addr[1])
        self._thread = threading.Thread(target=self._run, name="web", daemon=True)
        self._closed = False
        self._thread.start()

    def _run(self) -> None:
        try:
            self._server.run()
        except OSError as exc:  # socket closed by close(): normal shutdown
            if not self._closed:
                log.error("status page server stopped: %s", exc)

    @property
    def url(self) -> str:
        host = "127.0.0.1" if self.host in ("0.0.0.0", "") else self.host
        if ":" in host:
            host = f"[{host}]"
        return f"{self.scheme}://{host}:{self.port}/"

    def close(self) -> None:
        """Stop accepting connections and stop the thread. Idempotent."""
        if self._closed:
            return
        self._closed = True
        from waitress import wasyncore

        self._server.task_dispatcher.shutdown(timeout=2)
        wasyncore.close_all(self._server._map)  # listening socket, trigger and open connections
        self._thread.join(timeout=5)

    def __enter__(self) -> WebServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def serve(app: Any, host: str, port: int, *, tls: ssl.SSLContext | None = None) -> WebServer:
    """Start serving ``app`` on ``host:port`` (0 = an ephemeral port) in a background thread;
    over TLS only when ``tls`` is given (see :mod:`.tls`)."""
    server = WebServer(app, host, port, tls=tls)
    log.info("status page listening on %s", server.url)
    return server
