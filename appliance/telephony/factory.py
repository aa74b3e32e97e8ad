"""Build the line a :class:`~appliance.config.LineConfig` describes.

The hardware drivers (``gsm``, ``voicemodem``) need nothing else. The ``sim``
driver lives with the simulator (:mod:`.simulator.lines`), imported only when a
line is configured so: a box on real hardware never loads the simulator.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ..errors import ConfigError
from .at import Capture
from .gsm import GsmLine
from .line import Line
from .voicemodem import VoiceModemLine

if TYPE_CHECKING:
    from ..config import LineConfig


def open_line(cfg: LineConfig, *, simulator: Any = None, capture: Capture | None = None,
              power_cycle: Callable[[], None] | None = None, ring_interval: float | None = None) -> Line:
    """Create and open the line for ``cfg`` (not yet Ready: wait for the :class:`Ready` event).

    Driver ``"sim"`` starts a simulator of dialect ``cfg.sim_dialect`` (or uses
    ``simulator``) and opens the matching driver on its pty; see
    :func:`.simulator.lines.open_sim_line`.
    """
    if cfg.driver == "sim":
        from .simulator.lines import open_sim_line

        return open_sim_line(cfg, simulator=simulator, capture=capture, ring_interval=ring_interval)
    if power_cycle is None and cfg.power_gpio is not None:
        from .power import gpio_power_cycle

        power_cycle = gpio_power_cycle(cfg.power_gpio)
    line = driver_line(cfg, cfg.driver, cfg.port, cfg.audio_port, cfg.model, capture=capture,
                       power_cycle=power_cycle)
    line.open()
    return line


def driver_line(cfg: LineConfig, driver: str, port: str, audio_port: str, model: str, *,
                capture: Capture | None = None, power_cycle: Callable[[], None] | None = None,
                ring_period: float | None = None) -> GsmLine | VoiceModemLine:
    """The driver object for ``cfg`` on ``port`` (not opened)."""
    if driver == "gsm":
        return GsmLine(cfg.name, port, audio_port=audio_port, model=model, pin=cfg.pin, country=cfg.country,
                       command_timeout=cfg.command_timeout, capture=capture, power_cycle=power_cycle,
                       ring_timeout=max(1.0, 2.5 * ring_period) if ring_period is not None else 8.0,
                       transfer="none" if cfg.transfer == "none" else "multiparty")
    if driver == "voicemodem":
        return VoiceModemLine(cfg.name, port, model=model, country=cfg.country,
                              command_timeout=cfg.command_timeout, capture=capture, power_cycle=power_cycle,
                              ring_period=ring_period,
                              transfer="hook_flash" if cfg.transfer == "hook_flash" else "none",
                              flash_ms=cfg.flash_ms, flash_back=cfg.flash_back, announce_after=cfg.announce_after)
    raise ConfigError(f"line {cfg.name}: unknown driver {driver!r}; expected gsm, voicemodem or sim")
