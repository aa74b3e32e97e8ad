"""Power-cycle a modem that answers nothing, through a GPIO (relay or transistor on its supply).

The GPIO is active high = power cut: ``cycle()`` drives it high for ``off_seconds``
then low, and waits ``boot_seconds`` for the modem to boot.

    >>> # cycle = gpio_power_cycle(17); cycle()
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

from ..errors import LineError

log = logging.getLogger(__name__)


def gpio_power_cycle(pin: int, *, off_seconds: float = 2.0, boot_seconds: float = 8.0,
                     pin_factory: Any = None) -> Callable[[], None]:
    """A callable that power-cycles the modem wired to BCM GPIO ``pin``."""
    if not 0 <= pin <= 27:
        raise LineError(f"modem power GPIO must be a BCM number 0-27, got {pin}")

    def cycle() -> None:
        from gpiozero import DigitalOutputDevice
        from gpiozero.exc import GPIOZeroError

        try:
            dev = DigitalOutputDevice(pin, pin_factory=pin_factory)
        except GPIOZeroError as e:
            raise LineError(f"cannot drive modem power GPIO {pin}: {e}; check [line] power_gpio and "
                            "that the user is in group gpio") from e
        try:
            log.warning("power-cycling the modem through GPIO %d", pin)
            dev.on()
            time.sleep(off_seconds)
            dev.off()
        finally:
            dev.close()
        time.sleep(boot_seconds)

    return cycle
