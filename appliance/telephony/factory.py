"""Build the line a :class:`~appliance.config.LineConfig` describes."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from ..errors import ConfigError
from .at import Capture
from .gsm import GsmLine
from .line import Line
from .voicemodem import VoiceModemLine

if TYPE_CHECKING:
    from ..config import LineConfig
    from .simulator import Simulator


def open_line(cfg: LineConfig, *, simulator: Simulator | None = None, capture: Capture | None = None,
              power_cycle: Callable[[], None] | None = None, ring_interval: float | None = None) -> Line:
    """Create and open the line for ``cfg`` (not yet Ready: wait for the :class:`Ready` event).

    Driver ``"sim"`` starts a :class:`Simulator` of dialect ``cfg.sim_dialect``
    (or uses ``simulator``) and opens the matching driver on its pty; the
    simulator is then ``line.simulator`` and is closed with the line if the
    factory started it.
    """
    sim = None
    own_sim = False
    if power_cycle is None and cfg.power_gpio is not None and cfg.driver != "sim":
        from .power import gpio_power_cycle

        power_cycle = gpio_power_cycle(cfg.power_gpio)
    driver = cfg.driver
    port, audio_port = cfg.port, cfg.audio_port
    model = cfg.model
    if driver == "sim":
        from .simulator import Simulator

        if simulator is None:
            smodel = None if model == "auto" else model
            simulator = Simulator(cfg.sim_dialect, model=smodel, country=cfg.country,
                                  ring_interval=ring_interval, pin=cfg.pin)
            own_sim = True
        sim = simulator.start()
        driver = sim.dialect
        port, audio_port = sim.port, sim.audio_port or ""
        model = sim.model  # type: ignore[assignment]
    line: GsmLine | VoiceModemLine
    if driver == "gsm":
        line = GsmLine(cfg.name, port, audio_port=audio_port, model=model, pin=cfg.pin,
                       command_timeout=cfg.command_timeout, capture=capture, power_cycle=power_cycle,
                       ring_timeout=max(1.0, 2.5 * sim.ring_interval) if sim is not None else 8.0)
    elif driver == "voicemodem":
        line = VoiceModemLine(cfg.name, port, model=model, country=cfg.country,
                              command_timeout=cfg.command_timeout, capture=capture, power_cycle=power_cycle,
                              ring_period=sim.ring_interval if sim is not None else None)
    else:
        raise ConfigError(f"line {cfg.name}: unknown driver {driver!r}; expected gsm, voicemodem or sim")
    line.simulator = sim
    line.owns_simulator = own_sim
    line.open()
    return line
