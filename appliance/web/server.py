"""Serve the Flask app with waitress in a background thread of the service process.

What the LAN can make the box hold is bounded (:class:`ServerLimits`):

* a request body is at most 2 MiB (waitress answers 413 as soon as the length says more,
  without reading it; Flask's ``MAX_CONTENT_LENGTH`` says the same), headers at most 32 KiB;
* a request must arrive whole (headers and body) within ``request_seconds`` of its first
  byte, and an idle keep-alive connection is closed after ``idle_seconds``: a client that
  trickles a byte now and then (slowloris) is cut off;
* at most ``connections`` connections are open; when one more arrives, the connection that
  has waited longest without a complete request is dropped (never one being answered), so
  a flood of slow connections cannot keep the owner out: their new connection is the
  freshest, and once its request is read it is served.
"""

from __future__ import annotations

import dataclasses
import logging
import ssl
import threading
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from waitress.adjustments import Adjustments
from waitress.channel import HTTPChannel
from waitress.server import TcpWSGIServer
from waitress.task import ThreadedTaskDispatcher

from ..config import Config
from ..errors import WebError
from ..store.calllog import CallLog

if TYPE_CHECKING:
    from ..directory import Directory

log = logging.getLogger(__name__)

MAX_BODY = 2 * 1024 * 1024


@dataclasses.dataclass(frozen=True)
class ServerLimits:
    connections: int = 64
    request_seconds: float = 10.0
    idle_seconds: int = 30
    max_body: int = MAX_BODY
    max_header: int = 32 * 1024


class _GuardedChannel(HTTPChannel):  # type: ignore[misc]
    """A waitress channel that knows since when its current request has been arriving."""

    request_started: float | None = None

    def received(self, data: bytes) -> bool:
        if data and self.request is None and self.request_started is None:
            self.request_started = time.time()
        try:
            return bool(super().received(data))
        finally:
            if self.request is None:  # every request read so far is complete
                self.request_started = None


class _GuardedServer(TcpWSGIServer):  # type: ignore[misc]
    """Cuts off slow requests and idle connections, and makes room for new connections."""

    channel_class = _GuardedChannel

    def __init__(self, app: Any, limits: ServerLimits, **kw: Any) -> None:
        self.limits = limits
        self.dropped = 0
        self._reported = 0
        super().__init__(app, **kw)

    def _channels(self) -> list[Any]:
        channels: dict[int, Any] = self.active_channels  # type: ignore[assignment]  # the stubs say a channel
        return list(channels.values())

    def maintenance(self, now: Any) -> None:
        super().maintenance(now)  # idle connections (channel_timeout)
        for ch in self._channels():
            started = getattr(ch, "request_started", None)
            if started is not None and not ch.requests and now - started > self.limits.request_seconds:
                ch.will_close = True  # waitress closes it at its next write turn
                self.dropped += 1
        if self.dropped > self._reported:
            log.warning("status page: %d connection(s) dropped that did not send a whole request within %g s or "
                        "were over the limit of %d", self.dropped - self._reported, self.limits.request_seconds,
                        self.limits.connections)
            self._reported = self.dropped

    def readable(self) -> bool:
        open_ = [ch for ch in self._channels() if not ch.will_close]
        if self.accepting and len(open_) >= self.limits.connections:
            self._make_room(open_)
        return bool(super().readable())

    def _make_room(self, channels: list[Any]) -> None:
        """Drop the connection that has waited longest without a whole request. It is marked, not
        closed here: this runs while the loop lists its sockets; waitress closes it at its next turn."""
        waiting = [ch for ch in channels if not ch.requests and not ch.total_outbufs_len]
        if waiting:
            oldest = min(waiting, key=lambda ch: ch.creation_time)
            oldest.will_close = True
            self.dropped += 1


class WebServer:
    """A waitress server running in a daemon thread; ``port`` is the port actually bound.

    >>> # server = serve(app, "127.0.0.1", 0); print(server.url); server.close()
    """

    def __init__(self, app: Any, host: str, port: int, *, threads: int = 4,
                 limits: ServerLimits = ServerLimits(), tls: ssl.SSLContext | None = None) -> None:
        adj = Adjustments(host=host, port=port, threads=threads, ident="permanence", asyncore_loop_timeout=0.5,
                          max_request_body_size=limits.max_body, max_request_header_size=limits.max_header,
                          channel_timeout=limits.idle_seconds, cleanup_interval=1,
                          connection_limit=limits.connections + 16)  # ours makes room before waitress's
        dispatcher = ThreadedTaskDispatcher()
        dispatcher.set_thread_count(threads)
        try:
            self._server: Any = _GuardedServer(app, limits, map={}, dispatcher=dispatcher, adj=adj,
                                               sockinfo=adj.listen[0])
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


class _Actions:
    """The service's hooks, as the settings page calls them (:class:`~appliance.web.context.WebActions`)."""

    def __init__(self, config_changed: Callable[[Config], None]) -> None:
        self._config_changed = config_changed

    def config_changed(self, cfg: Config) -> None:
        self._config_changed(cfg)


LiveFn = Callable[[], Mapping[str, Any]]


def status_page(cfg: Config, port: int, config_path: Path | None
                ) -> Callable[[CallLog, LiveFn, Callable[[Config], None], Directory | None], WebServer]:
    """What the service calls to start its status page once the call log is open (over HTTPS
    with the box's self-signed certificate when ``web.https``)."""

    def make(calllog: CallLog, live: LiveFn, config_changed: Callable[[Config], None],
             directory: Directory | None) -> WebServer:
        from .app import create_app

        app = create_app(cfg, calllog, live=live, config_path=config_path, actions=_Actions(config_changed),
                         directory=directory)
        tls = None
        if cfg.web.https:
            from .tls import context_for

            tls = context_for(calllog.data_dir)  # a self-signed certificate is made on first use
        return serve(app, cfg.web.bind, port, tls=tls)
    return make
