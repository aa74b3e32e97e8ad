"""One modem-emulator core: the AT-answering logic the line simulator and the replay share.

* :mod:`.dialects` — per-model tables: identity replies, voice formats, SMS centre;
* :mod:`.commands` — :class:`~.commands.CommandSet`, every command of 27.007/27.005 (GSM) and V.253
  (voice modems) the drivers and python-gammu send, answered per dialect;
* :mod:`.session` — one AT port's byte stream: echo, verbose or numeric results, the SMS prompt,
  voice data modes;
* :mod:`.modem` — the :class:`~.modem.EmulatedModem` interface they answer against, and
  :class:`~.modem.StaticModem` (no line behind it: the replay's);
* :mod:`.pty` — the pty a driver opens as its serial port.

The line simulator (:mod:`..simulator`: calls, callers, faults) and the capture replay's fake modem
(:mod:`appliance.capture.fakemodem`) are both built on it; nothing a real line needs imports it.
"""
