"""The ``sim`` line driver: a :class:`Simulator` with the matching real driver on its pty."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..at import Capture
from ..factory import driver_line
from ..line import Line
from .core import Simulator

if TYPE_CHECKING:
    from ...config import LineConfig


def open_sim_line(cfg: LineConfig, *, simulator: Simulator | None = None, capture: Capture | None = None,
                  ring_interval: float | None = None) -> Line:
    """Start a simulator of dialect ``cfg.sim_dialect`` (or use ``simulator``) and open the driver on it.

    The simulator is ``line.simulator`` (its second AT port is ``line.sms_port``) and is
    closed with the line if this function started it."""
    own = simulator is None
    if simulator is None:
        smodel = None if cfg.model == "auto" else cfg.model
        simulator = Simulator(cfg.sim_dialect, model=smodel, country=cfg.country, ring_interval=ring_interval,
                              pin=cfg.pin)
    sim = simulator.start()
    line = driver_line(cfg, sim.dialect, sim.port, sim.audio_port or "", sim.model, capture=capture,
                       ring_period=sim.ring_interval)
    setattr(line, "simulator", sim)  # noqa: B010 - tests and the alerts wiring reach the simulator here
    line.sms_port = sim.sms_port or ""
    if own:
        line.close_with(sim.close)
    line.open()
    return line
