"""systemd's sd_notify protocol, without any dependency, and a health-gated watchdog.

systemd (``Type=notify``) passes the path of a datagram socket in
``$NOTIFY_SOCKET``; a leading ``@`` means a Linux abstract socket. The service
sends newline-separated ``KEY=value`` assignments: ``READY=1`` once started,
``STATUS=...`` for ``systemctl status``, ``WATCHDOG=1`` at least every
``$WATCHDOG_USEC`` microseconds (we ping at half of it), ``STOPPING=1`` on
shutdown. Outside systemd (no ``$NOTIFY_SOCKET``) every call is a no-op.

The :class:`Watchdog` pings only while every health check passes, so a service
whose lines are no longer polled or whose call log cannot be written is killed
and restarted by systemd (``WatchdogSec=`` + ``Restart=on-failure``) instead of
pretending to be alive.

>>> n = Notifier(env={})        # not under systemd
>>> n.enabled
False
>>> n.ready("2 lines ready")    # silently nothing
False
"""

from __future__ import annotations

import logging
import os
import socket
import threading
from collections.abc import Callable, Mapping

from ..errors import PermanenceError

log = logging.getLogger(__name__)

HealthCheck = Callable[[], "str | None"]


class NotifyError(PermanenceError, ValueError):
    """A notify message or the watchdog settings are malformed."""


def watchdog_interval(env: Mapping[str, str] | None = None) -> float | None:
    """Seconds between watchdog pings (half of ``$WATCHDOG_USEC``), or None when no watchdog.

    ``$WATCHDOG_PID``, when set, must be this process (systemd sets it for the main PID).

    >>> watchdog_interval({"WATCHDOG_USEC": "20000000"})
    10.0
    >>> watchdog_interval({}) is None
    True
    """
    env = os.environ if env is None else env
    raw = env.get("WATCHDOG_USEC", "").strip()
    if not raw:
        return None
    pid = env.get("WATCHDOG_PID", "").strip()
    if pid and pid != str(os.getpid()):
        return None  # the watchdog is meant for another process
    try:
        usec = int(raw)
    except ValueError:
        raise NotifyError(f"$WATCHDOG_USEC: expected microseconds as an integer, got {raw!r}") from None
    if usec <= 0:
        raise NotifyError(f"$WATCHDOG_USEC: expected a positive number of microseconds, got {usec}")
    return usec / 2_000_000


class Notifier:
    """Sends sd_notify datagrams to ``$NOTIFY_SOCKET`` (or ``socket_path``)."""

    def __init__(self, socket_path: str | None = None, *, env: Mapping[str, str] | None = None) -> None:
        env = os.environ if env is None else env
        path = socket_path if socket_path is not None else env.get("NOTIFY_SOCKET", "")
        self._address: str | bytes | None = None
        if path:
            if path.startswith("@"):
                self._address = b"\0" + path[1:].encode()
            elif path.startswith("/"):
                self._address = path
            else:
                raise NotifyError(f"$NOTIFY_SOCKET: expected an absolute path or @abstract name, "
                                  f"got {path!r}")
        self._sock: socket.socket | None = None
        self._lock = threading.Lock()

    @property
    def enabled(self) -> bool:
        return self._address is not None

    def notify(self, **fields: str | int) -> bool:
        """Send ``KEY=value`` assignments; True when the datagram was sent."""
        lines = []
        for key, value in fields.items():
            text = str(value)
            if "\n" in text:
                raise NotifyError(f"sd_notify {key}: a value must not contain a newline")
            lines.append(f"{key.upper()}={text}")
        return self.send("\n".join(lines))

    def send(self, message: str) -> bool:
        if self._address is None:
            return False
        with self._lock:
            try:
                if self._sock is None:
                    self._sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM | socket.SOCK_CLOEXEC)
                self._sock.sendto(message.encode("utf-8"), self._address)
            except OSError as exc:
                log.warning("sd_notify to %r failed: %s", self._address, exc)
                return False
        return True

    def ready(self, status: str | None = None) -> bool:
        return self.notify(READY=1, **({"STATUS": status} if status else {}))

    def status(self, text: str) -> bool:
        return self.notify(STATUS=_one_line(text))

    def watchdog(self) -> bool:
        return self.notify(WATCHDOG=1)

    def stopping(self, status: str | None = None) -> bool:
        return self.notify(STOPPING=1, **({"STATUS": _one_line(status)} if status else {}))

    def close(self) -> None:
        with self._lock:
            if self._sock is not None:
                self._sock.close()
                self._sock = None

    def __enter__(self) -> Notifier:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _one_line(text: str) -> str:
    return text.replace("\r", " ").replace("\n", " ")[:400]


class Watchdog:
    """Pings systemd's watchdog only while every health check passes.

    A check returns None when healthy, or a short problem description. A check
    that raises counts as failing. :meth:`tick` runs the checks once;
    :meth:`start` runs ticks in a background thread every ``interval`` seconds
    (default: from ``$WATCHDOG_USEC``; no thread when systemd set no watchdog).
    """

    def __init__(
        self,
        health_checks: list[HealthCheck],
        *,
        notifier: Notifier | None = None,
        interval: float | None = None,
        env: Mapping[str, str] | None = None,
    ) -> None:
        self.checks = list(health_checks)
        self._own_notifier = notifier is None
        self.notifier = notifier if notifier is not None else Notifier(env=env)
        self.interval = interval if interval is not None else watchdog_interval(env)
        if self.interval is not None and self.interval <= 0:
            raise NotifyError(f"watchdog interval: expected positive seconds, got {self.interval}")
        self.problems: list[str] = []
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._last_status: str | None = None

    def add_check(self, check: HealthCheck) -> None:
        """One more health check (the service adds its own when it receives the watchdog)."""
        self.checks.append(check)

    def ready(self, status: str | None = None) -> bool:
        """Tell systemd the service is up (``READY=1``); call once every line is initialised."""
        if status:
            self._last_status = _one_line(status)
        return self.notifier.ready(_one_line(status) if status else None)

    def stopping(self, status: str | None = None) -> bool:
        """Tell systemd the service is shutting down (``STOPPING=1``)."""
        return self.notifier.stopping(status)

    def check(self) -> list[str]:
        """Run every health check; the list of problems (empty = healthy)."""
        problems: list[str] = []
        for chk in self.checks:
            try:
                result = chk()
            except Exception as exc:  # noqa: BLE001 - a broken check is a failing check (logged by tick), never a crash
                name = getattr(chk, "__name__", repr(chk))
                problems.append(f"health check {name} raised {type(exc).__name__}: {exc}")
                continue
            if result:
                problems.append(result)
        return problems

    def tick(self) -> bool:
        """Check once; ping the watchdog if healthy. Returns True when healthy."""
        self.problems = self.check()
        if self.problems:
            status = "unhealthy: " + "; ".join(self.problems)
            if status != self._last_status:
                log.error("watchdog withheld: %s", "; ".join(repr(p) for p in self.problems))
            self._status(status)
            return False
        self._status("healthy")
        self.notifier.watchdog()
        return True

    def _status(self, text: str) -> None:
        if text != self._last_status:
            self._last_status = text
            self.notifier.status(text)

    def start(self) -> None:
        """Start pinging in a daemon thread (no-op when there is no interval)."""
        if self.interval is None or self._thread is not None:
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="sd-watchdog", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        interval = self.interval if self.interval is not None else 1.0
        while not self._stop.is_set():
            self.tick()
            self._stop.wait(interval)

    def close(self) -> None:
        """Stop the thread (joins it) and close the notifier if this watchdog created it."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
            self._thread = None
        if self._own_notifier:
            self.notifier.close()

    def __enter__(self) -> Watchdog:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
