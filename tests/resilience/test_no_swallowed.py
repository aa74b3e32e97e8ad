"""No swallowed failure (issue 15, requirement 9).

* the code: no ``contextlib.suppress(Exception)``, no handler of ``Exception`` (or a bare
  ``except``) that neither logs, counts, re-raises nor reports, and no guarded import of the
  package's own modules (a failed ``sdnotify`` import once meant no READY=1 and a silent kill);
* at run time: a part that keeps failing (the LEDs, the MQTT state) is logged once, then at
  most once a minute with a count, is counted on the health page, and the box keeps answering.
"""

from __future__ import annotations

import ast
import logging
from pathlib import Path

import pytest
from waiting import wait_until

from appliance.config import load_config_text
from appliance.faults import FaultLog
from appliance.service import Service

ROOT = Path(__file__).resolve().parents[2]
SOURCES = sorted((ROOT / "appliance").rglob("*.py"))
BROAD = {"Exception", "BaseException"}
REPORTS = {"exception", "error", "warning", "info", "critical", "report", "count", "print", "_fail", "append", "add",
           "_survive", "handleError"}


def _names(node: ast.expr | None) -> set[str]:
    if node is None:
        return {"BaseException"}
    if isinstance(node, ast.Tuple):
        return {n for e in node.elts for n in _names(e)}
    if isinstance(node, ast.Attribute):
        return {node.attr}
    return {node.id} if isinstance(node, ast.Name) else set()


def _reports(body: list[ast.stmt]) -> bool:
    for node in ast.walk(ast.Module(body=body, type_ignores=[])):
        if isinstance(node, ast.Raise):
            return True
        if isinstance(node, ast.Call):
            f = node.func
            name = f.attr if isinstance(f, ast.Attribute) else f.id if isinstance(f, ast.Name) else ""
            if name in REPORTS:
                return True
    return False


def _own_import(stmt: ast.stmt) -> bool:
    return (isinstance(stmt, ast.ImportFrom) and (stmt.level > 0 or (stmt.module or "").startswith("appliance"))) \
        or (isinstance(stmt, ast.Import) and any(a.name.startswith("appliance") for a in stmt.names))


def findings() -> list[str]:
    out = []
    for path in SOURCES:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        rel = path.relative_to(ROOT)
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "suppress" \
                    and any(_names(a) & BROAD for a in node.args):
                out.append(f"{rel}:{node.lineno}: contextlib.suppress of every exception")
            if isinstance(node, ast.Try):
                for h in node.handlers:
                    caught = _names(h.type)
                    if caught & BROAD and not _reports(h.body):
                        out.append(f"{rel}:{h.lineno}: except {'/'.join(sorted(caught))} that neither logs, "
                                   f"counts nor re-raises")
                    if caught & {"ImportError", "ModuleNotFoundError"} and any(_own_import(s) for s in node.body):
                        out.append(f"{rel}:{h.lineno}: an import of the package's own module is guarded")
    return out


def test_no_failure_is_swallowed_in_the_code() -> None:
    assert findings() == []


def test_the_check_finds_what_it_is_for(tmp_path: Path) -> None:
    bad = ("import contextlib\ntry:\n    from .status import sdnotify\nexcept ImportError:\n    pass\n"
           "try:\n    x()\nexcept Exception:\n    pass\nwith contextlib.suppress(Exception):\n    y()\n")
    tree = ast.parse(bad)
    tries = [n for n in ast.walk(tree) if isinstance(n, ast.Try)]
    assert _own_import(tries[0].body[0]) and not _reports(tries[1].handlers[0].body)
    assert any(isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute) and n.func.attr == "suppress"
               for n in ast.walk(tree))


def test_a_failure_repeating_is_logged_once_a_minute_and_counted(caplog: pytest.LogCaptureFixture) -> None:
    now = [1000.0]
    faults = FaultLog(interval=60.0, clock=lambda: now[0])
    lg = logging.getLogger("appliance.test")
    with caplog.at_level(logging.ERROR, logger="appliance.test"):
        for _ in range(120):  # twice a second for a minute
            with faults.guard("status LEDs", lg):
                raise OSError("GPIO 17 busy")
            now[0] += 0.5
        with faults.guard("status LEDs", lg):
            raise OSError("GPIO 17 busy")
    messages = [r.getMessage() for r in caplog.records]
    assert len(messages) == 2, messages
    assert caplog.records[0].exc_info is not None  # the first time with its traceback
    assert "120 more time(s)" in messages[1] or "119 more time(s)" in messages[1], messages[1]
    (row,) = faults.snapshot()
    assert row["where"] == "status LEDs" and row["count"] == 121 and row["last_error"] == "OSError: GPIO 17 busy"


class BrokenLeds:
    """An LED part whose GPIO fails at every update (as a pin claimed by another program would)."""

    def __init__(self) -> None:
        self.calls = 0

    def show(self, state: str, urgent_pending: bool) -> None:
        self.calls += 1
        raise OSError("GPIO 17: device or resource busy")

    def close(self) -> None:
        raise OSError("GPIO 17: cannot release")


def test_a_broken_part_is_counted_on_the_health_page_and_the_box_goes_on(tmp_path: Path,
                                                                         caplog: pytest.LogCaptureFixture) -> None:
    cfg = load_config_text('[speech]\nenabled = false\n[capture]\nenabled = false\n', source="t")
    leds = BrokenLeds()
    svc = Service(cfg, data_dir=tmp_path, speech=False, leds=leds, web_port=0)
    with caplog.at_level(logging.ERROR, logger="appliance"):
        svc.start()
        try:
            assert svc.ready.wait(20)
            wait_until(lambda: leds.calls >= 6, 20, message="the status loop went on")
            faults = {f["where"]: f for f in svc.live()["faults"]}
            assert int(str(faults["status LEDs"]["count"])) >= 6
            assert all(h.alive() for h in svc.handlers)
        finally:
            svc.stop()
    logged = [r for r in caplog.records if r.getMessage().startswith("status LEDs failed")]
    assert len(logged) == 1 and logged[0].exc_info is not None  # once, with its traceback: not six times
    assert any("stop: status LEDs" in r.getMessage() for r in caplog.records)  # the stop's failure too
