"""End to end: `permanence run` (the lead's service) on a simulated line, under a fake systemd
notify socket: READY=1 once the lines are ready, then WATCHDOG=1 pings while healthy."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_run_notifies_ready_and_pings_the_watchdog(tmp_path):
    sock_path = tmp_path / "notify.sock"
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(str(sock_path))
    sock.settimeout(1.0)
    data = tmp_path / "data"
    data.mkdir()
    cfg = tmp_path / "p.toml"
    cfg.write_text(f'[[lines]]\nname = "sim1"\ndriver = "sim"\n[speech]\nenabled = false\n'
                   f'[storage]\ndata_dir = "{data}"\n[web]\nport = 0\n')
    env = dict(os.environ, NOTIFY_SOCKET=str(sock_path), WATCHDOG_USEC="2000000", PYTHONPATH=str(ROOT))
    env.pop("WATCHDOG_PID", None)
    proc = subprocess.Popen([sys.executable, "-c", "import sys; from appliance.cli import main; sys.exit(main())",
                             "run", "--config", str(cfg), "--web-port", "0"], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    got: list[str] = []
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                got.append(sock.recv(4096).decode())
            except TimeoutError:
                if proc.poll() is not None:
                    break
                continue
            ready_at = next((i for i, m in enumerate(got) if m.startswith("READY=1")), None)
            if ready_at is not None and any(m == "WATCHDOG=1" for m in got[ready_at:]):
                break
    finally:
        proc.send_signal(signal.SIGTERM)
        _out, err = proc.communicate(timeout=30)
        sock.close()
    assert proc.returncode == 0, err[-2000:]
    ready_at = next(i for i, m in enumerate(got) if m.startswith("READY=1"))
    assert "WATCHDOG=1" in got[ready_at:], got
    assert not any(m.startswith("STATUS=unhealthy") for m in got), got
