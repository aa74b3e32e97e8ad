"""Telephony: the Line interface, modem drivers and the line simulator.

* :func:`open_line` (``factory.py``) builds and opens the line a
  :class:`~appliance.config.LineConfig` describes: ``gsm`` ->
  :class:`~.gsm.GsmLine` (SIM7600/SIM800, 27.007), ``voicemodem`` ->
  :class:`~.voicemodem.VoiceModemLine` (V.253: USR 5637, Conexant CX93010),
  ``sim`` -> a :class:`~.simulator.Simulator` of ``cfg.sim_dialect`` with the
  matching driver on its pty (``line.simulator``).
* Events come from ``line.next_event(timeout)`` (see :mod:`.line`); the driver
  counts rings and never answers by itself.
* ``at.py``: the AT channel (any pyserial URL, reader thread, final/URC routing,
  ``capture(direction, data)`` hook); ``dle.py``: V.253 DLE codec;
  ``parsers.py``: line parsers; ``modem.py``: supervisor with recovery and paced
  playback; ``power.py``: GPIO power cycle; ``cli.py``: ``permanence simulate``.
"""

from .factory import open_line

__all__ = ["open_line"]
