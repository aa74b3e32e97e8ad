"""Serve the Flask app with waitress in a background thread of the service process."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from ..config import Config
from ..errors import WebError
from ..store.calllog import CallLog

log = logging.getLogger(__name__)


class WebServer:
    """A waitress server running in a daemon thread; ``port`` is the port actually bound.

    >>> # server = serve(app, "127.0.0.1", 0); print(server.url); server.close()
    """

    def __init__(self, app: Any, host: str, port: int, *, threads: int = 4) -> None:
        from waitress.server import create_server

        try:
            self._server: Any = create_server(app, host=host, port=port, threads=threads,
                                                  ident="permanence", asyncore_loop_timeout=0.5)
        except OSError as exc:
            raise WebError(f"status page: cannot listen on {host}:{port}: {exc} "
                           f"(choose another port with --web-port or web.port)") from exc
        self.host = host
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
        return f"http://{host}:{self.port}/"

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


def serve(app: Any, host: str, port: int) -> WebServer:
    """Start serving ``app`` on ``host:port`` (0 = an ephemeral port) in a background thread."""
    server = WebServer(app, host, port)
    log.info("status page listening on %s", server.url)
    return server


class _Actions:
    """The service's hooks, as the settings page calls them (:class:`~appliance.web.context.WebActions`)."""

    def __init__(self, config_changed: Callable[[Config], None]) -> None:
        self._config_changed = config_changed

    def config_changed(self, cfg: Config) -> None:
        self._config_changed(cfg)


LiveFn = Callable[[], Mapping[str, Any]]


def status_page(cfg: Config, port: int, config_path: Path | None
                ) -> Callable[[CallLog, LiveFn, Callable[[Config], None]], WebServer]:
    """What the service calls to start its status page once the call log is open."""

    def make(calllog: CallLog, live: LiveFn, config_changed: Callable[[Config], None]) -> WebServer:
        from .app import create_app

        app = create_app(cfg, calllog, live=live, config_path=config_path, actions=_Actions(config_changed))
        return serve(app, cfg.web.bind, port)
    return make
