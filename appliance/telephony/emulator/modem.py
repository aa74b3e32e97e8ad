"""What the AT-answering core needs from a modem, and a modem with no line behind it.

:class:`EmulatedModem` is the interface :class:`~.commands.CommandSet` and
:class:`~.session.Session` answer against: the line simulator (calls, SMS,
faults) is one, and :class:`StaticModem` — identification, SIM, signal and
registration of the dialect, no call unless told — is the replay's. Both answer
with the same dialect tables (:mod:`.dialects`).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from ..pdu import SubmitPdu
    from .commands import CommandSet
    from .session import Reply, Session


@dataclasses.dataclass
class StoredSms:
    index: int
    sender: str
    text: str
    when: tuple[int, int, int, int, int, int]
    read: bool = False


@dataclasses.dataclass
class Faults:
    mute: bool = False
    one_way: bool = False
    dead_audio: bool = False
    noise_dbfs: float | None = None


class EmulatedModem(Protocol):
    dialect: str
    model: str
    unsupported: frozenset[str]
    pin: str
    pin_ok: bool
    rssi: int
    registration: int
    sms_store: list[StoredSms]
    off_hook: bool
    pcm_on: bool
    faults: Faults
    commands: CommandSet

    def dial(self, s: Session, number: str) -> Reply: ...
    def chld(self, s: Session, arg: str) -> Reply: ...
    def box_answer(self, s: Session, how: str) -> Reply: ...
    def box_hangup(self, s: Session) -> None: ...
    def clcc_lines(self) -> list[str]: ...
    def cpas(self) -> int: ...
    def in_call(self) -> bool: ...
    def modem_reset(self) -> None: ...
    def voice_format(self, vsm: str) -> str | None: ...
    def sms_submitted(self, part: SubmitPdu) -> int: ...
    def sms_text_submitted(self, number: str, text: str) -> int: ...
    def sms_delete(self, idx: int, flag: int) -> None: ...
    def record_command(self, port: str, text: str) -> None: ...
    def box_voice_data(self, data: bytes, s: Session) -> None: ...
    def vrx_started(self, s: Session) -> None: ...
    def vrx_ended(self, s: Session) -> None: ...
    def vtx_started(self, s: Session) -> None: ...
    def vtx_ended(self, s: Session) -> None: ...


class StaticModem:
    """A modem of ``model`` with no line: it answers, but nothing rings unless ``clcc`` says so.

    ``clcc()`` gives the ``+CLCC`` lines (the replay's call model); answering and
    hanging up are accepted (the replay's call model follows them)."""

    def __init__(self, model: str, clcc: Callable[[], list[str]] | None = None) -> None:
        from .commands import CommandSet
        from .dialects import DIALECT_OF, VOICE_FORMATS

        self.model = model
        self.dialect = DIALECT_OF[model]
        self.unsupported: frozenset[str] = frozenset()
        self.pin = ""
        self.pin_ok = True
        self.rssi = 20
        self.registration = 1
        self.sms_store: list[StoredSms] = []
        self.off_hook = True  # voice data commands answer CONNECT whenever the capture asks for them
        self.pcm_on = False
        self.faults = Faults()
        self._clcc = clcc
        self._formats = VOICE_FORMATS.get(model, {})
        self.commands = CommandSet(self)
        self.sent: list[tuple[str, str]] = []

    def dial(self, s: Session, number: str) -> Reply:
        from .session import Reply

        return Reply(final="NO CARRIER")

    def chld(self, s: Session, arg: str) -> Reply:
        """Call hold and multiparty: listed, and accepted (the capture says what followed)."""
        from .session import Reply

        if arg.strip() == "=?":
            return Reply(("+CHLD: (0,1,1x,2,2x,3,4)",))
        return Reply()

    def box_answer(self, s: Session, how: str) -> Reply:
        from .session import Reply

        return Reply()

    def box_hangup(self, s: Session) -> None:
        return None

    def clcc_lines(self) -> list[str]:
        return self._clcc() if self._clcc is not None else []

    def cpas(self) -> int:
        return 3 if self.clcc_lines() else 0

    def in_call(self) -> bool:
        return bool(self.clcc_lines())

    def modem_reset(self) -> None:
        return None

    def voice_format(self, vsm: str) -> str | None:
        return self._formats.get(vsm.split(",")[0].strip())

    def sms_submitted(self, part: SubmitPdu) -> int:
        self.sent.append((part.number, part.text))
        return len(self.sent) % 256

    def sms_text_submitted(self, number: str, text: str) -> int:
        self.sent.append((number, text))
        return len(self.sent) % 256

    def sms_delete(self, idx: int, flag: int) -> None:
        self.sms_store = [m for m in self.sms_store if m.index != idx]

    def record_command(self, port: str, text: str) -> None:
        return None

    def box_voice_data(self, data: bytes, s: Session) -> None:
        return None

    def vrx_started(self, s: Session) -> None:
        return None

    def vrx_ended(self, s: Session) -> None:
        return None

    def vtx_started(self, s: Session) -> None:
        return None

    def vtx_ended(self, s: Session) -> None:
        return None
