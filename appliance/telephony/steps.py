"""What the drivers' call logic asks of the code around it, as plain values.

The call logic of each driver (:mod:`.gsm_calls`, :mod:`.voice_calls`) has no
port, thread or clock of its own: every input (a modem line, a DLE event, a
tick, the handler's answer or hang-up) is a generator that *yields* steps and
receives the reply of each command it yields:

* :class:`Cmd` — send an AT command; the generator receives its :class:`AtResponse`
  (``raw`` bytes instead of a command line: ``<DLE>!`` and the like);
* :class:`Emit` — a :class:`~.line.LineEvent` for the call handler;
* :class:`SetState` / :class:`Status` — what the Health page shows;
* :class:`Audio` — start or stop the audio path (the shell's business: the USB
  audio port, ``AT+VRX``/``AT+VTX``).

The real driver runs these steps against an :class:`~.at.AtChannel`; a test or
``permanence replay --offline`` runs them against a recorded stream with a
virtual clock (:mod:`appliance.capture.offline`), so the logic is tested as pure
functions over recorded bytes.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Generator
from typing import Any, Literal

from ..errors import LineError
from .line import LineEvent, LineState
from .protocol import AtResponse


@dataclasses.dataclass(frozen=True)
class Cmd:
    text: str
    timeout: float | None = None
    finals: tuple[str, ...] = ()
    raw: bytes | None = None
    voice: bool = False
    """After its ``CONNECT``, the modem sends DLE-shielded voice data (``AT+VRX``)."""
    check: bool = False
    """An error reply is a fault of the line (:class:`~appliance.errors.ModemError`)."""


@dataclasses.dataclass(frozen=True)
class Emit:
    event: LineEvent


@dataclasses.dataclass(frozen=True)
class SetState:
    state: LineState


@dataclasses.dataclass(frozen=True)
class Status:
    fields: dict[str, Any]


@dataclasses.dataclass(frozen=True)
class Audio:
    action: Literal["start", "stop", "stop_quietly", "play_stop"]


Step = Cmd | Emit | SetState | Status | Audio
Work = Generator[Step, AtResponse | None, None]
Clock = Callable[[], float]


def send(cmd: Cmd) -> Generator[Step, AtResponse | None, AtResponse]:
    """``r = yield from send(Cmd(...))``: the command's response, typed."""
    r = yield cmd
    if not isinstance(r, AtResponse):
        raise LineError(f"no response to {cmd.text!r}")
    return r
