"""Putting an urgent caller through to the on-call technician (issue 17).

* :mod:`.machine` — the transfer as a state machine free of I/O (events in, orders out, clock in);
* :mod:`.texts` — the prompt file's ``[transfer]`` sentences and the technician's brief;
* :mod:`.runner` — carries the machine's orders out on one call (line, voice, timeline, acknowledgement);
* :mod:`.desk` — whether an urgent call is put through and to whom (rota, line, settings).

The call handler (:mod:`appliance.call`) knows only two hooks: the desk's ``intercept`` when a
reply turns the call urgent, and the session's ``transfer`` (a runner) that takes the call's
events while the transfer goes on.
"""

from .desk import TransferDesk
from .machine import Target, Transfer, TransferSettings

__all__ = ["Target", "Transfer", "TransferDesk", "TransferSettings"]
