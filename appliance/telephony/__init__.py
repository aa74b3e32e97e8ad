"""Telephony: the Line interface, modem drivers (GSM HAT, analog voice modem) and the line simulator.

``open_line(cfg)`` builds the line a :class:`~appliance.config.LineConfig` describes.
"""

from .factory import open_line

__all__ = ["open_line"]
