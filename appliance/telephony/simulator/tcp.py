"""Serve the simulated modem's AT dialect on a TCP port (``socket://127.0.0.1:PORT``)."""

from __future__ import annotations

import logging
import select
import socket
import threading
from typing import TYPE_CHECKING

from ...errors import LineError
from ..emulator.session import Session

if TYPE_CHECKING:
    from .core import Simulator

log = logging.getLogger(__name__)


class SocketEndpoint:
    def __init__(self, conn: socket.socket) -> None:
        self.conn = conn
        self.closed = False

    def read(self, timeout: float) -> bytes | None:
        if self.closed:
            return None
        try:
            r, _, _ = select.select([self.conn], [], [], timeout)
            if not r:
                return b""
            data = self.conn.recv(4096)
        except (OSError, ValueError):
            return None
        return data if data else None

    def write(self, data: bytes, timeout: float = 1.0) -> bool:
        if self.closed:
            return False
        try:
            self.conn.settimeout(max(timeout, 0.01))
            self.conn.sendall(data)
            return True
        except OSError:
            return False

    def close(self) -> None:
        self.closed = True
        try:
            self.conn.close()
        except OSError:
            pass


class TcpServer:
    """Accepts AT clients; each connection is one more main port of the modem."""

    def __init__(self, sim: Simulator, port: int) -> None:
        self.sim = sim
        try:
            self.sock = socket.create_server(("127.0.0.1", port))
        except OSError as e:
            raise LineError(f"simulator: cannot listen on TCP port {port}: {e}; choose another --tcp-port") from e
        self.port = self.sock.getsockname()[1]
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="sim-tcp", daemon=True)
        self._endpoints: list[SocketEndpoint] = []

    def start(self) -> None:
        self._thread.start()

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                r, _, _ = select.select([self.sock], [], [], 0.2)
                if not r:
                    continue
                conn, addr = self.sock.accept()
            except OSError:
                return
            log.info("simulator: TCP client %s", addr)
            ep = SocketEndpoint(conn)
            self._endpoints.append(ep)
            s = Session(self.sim, f"tcp{addr[1]}", ep, "tcp")
            self.sim.add_tcp_session(s)
            s.start()

    def close(self) -> None:
        self._stop.set()
        try:
            self.sock.close()
        except OSError:
            pass
        for ep in self._endpoints:
            ep.close()
        self._thread.join(timeout=2)
