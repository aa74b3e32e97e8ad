"""A capture turned into a replay script: command exchanges and unsolicited bursts.

Walking the records in order:

* a ``tx`` record is a command of the box; the ``rx`` lines that follow it, up
  to and including its final result code (``OK``, ``ERROR``, ``+CME ERROR``,
  ``CONNECT``, ``NO CARRIER``...), are its reply *as the field saw it* — with
  any unsolicited or boot line that arrived in between, in place (echo lines
  equal to the command are dropped: the replay echoes by itself, as the
  modem's ``ATE`` state says). A reply with no final code ends at the next
  ``tx``, after 40 lines or 10 s; the replay then adds nothing for our own
  captures (the driver times out, as it did in the field) and an ``OK`` for a
  pasted log (where a missing ``OK`` is a cut paste);
* every other ``rx`` line is unsolicited; lines less than 50 ms apart form one
  burst, written in one go (``+CRING`` and ``+CLIP`` in separate reads stay
  separate when the capture shows them apart);
* audio summaries only carry time.

Commands are compared by :func:`norm_command` (upper case, no spaces, no
``\\r``). ``<DLE>x`` sent by the box (end of playback, stop recording) are
commands named ``<DLE>!``, ``<DLE><ETX>``.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Sequence

from ..telephony.at import CONNECT_FINALS, is_final
from .formats import CaptureRecord

BURST_S = 0.05
MAX_REPLY_LINES = 40
MAX_REPLY_S = 10.0

ANSWER_COMMANDS = frozenset({"ATA", "AT+VLS=1", "ATA0"})
HANGUP_COMMANDS = frozenset({"AT+CHUP", "ATH", "ATH0", "AT+CVHU=0;H", "ATH1"})
VOICE_DATA_COMMANDS = frozenset({"AT+VTX", "AT+VRX", "AT+VTR"})


def norm_command(data: bytes) -> str:
    """``b"at+clip=1\\r"`` -> ``"AT+CLIP=1"``; ``b"\\x10!"`` -> ``"<DLE>!"``."""
    if data[:1] == b"\x10" and len(data) >= 2:
        code = data[1]
        return "<DLE><ETX>" if code == 3 else "<DLE>" + chr(code)
    text = data.decode("latin-1").strip().rstrip("\x1a")
    if text[:2].upper() == "AT" or text[:2].upper() == "A/":
        # keep quoted parts as they are (SMS numbers), upper-case the rest, drop spaces
        out: list[str] = []
        quoted = False
        for ch in text:
            if ch == '"':
                quoted = not quoted
                out.append(ch)
            elif quoted:
                out.append(ch)
            elif not ch.isspace():
                out.append(ch.upper())
        return "".join(out)
    return text


@dataclasses.dataclass
class Exchange:
    """A command the box sent and what the modem answered."""

    command: str
    reply: list[bytes]
    t: float | None
    index: int = 0
    source: int = 0
    """Line of the capture file the command is on."""
    consumed: bool = False
    skipped: bool = False

    @property
    def final(self) -> str:
        for raw in reversed(self.reply):
            if ends_reply(raw, self.command):
                return raw.decode("latin-1").strip()
        return ""


@dataclasses.dataclass
class Burst:
    """Unsolicited modem output (lines or ``<DLE>x`` events) written in one go."""

    lines: list[bytes]
    t: float | None
    index: int = 0
    source: int = 0
    """Line of the capture file the burst starts on."""
    sources: list[int] = dataclasses.field(default_factory=list)
    """Line of the capture file of each line (when known)."""

    def source_of(self, i: int) -> int:
        return self.sources[i] if i < len(self.sources) else self.source


Step = Exchange | Burst


def ends_reply(raw: bytes, command: str = "ATA") -> bool:
    """Final result code of ``command``: ``CONNECT``, ``VCON``, ``NO CARRIER``... end only the
    commands that can end with them (answer, dial, voice data, line select)."""
    s = raw.decode("latin-1").strip()
    extra = CONNECT_FINALS if command.startswith(("ATA", "ATD", "AT+V", "<DLE>")) else ()
    return is_final(s, extra)


def build_script(records: Sequence[CaptureRecord], *, complete_replies: bool = False) -> list[Step]:
    """Steps in capture order (see the module docstring).

    ``complete_replies``: give an ``OK`` to a command whose captured reply has no final
    code (pasted logs: a missing ``OK`` is far more often a paste cut than a silent modem;
    our own captures keep the silence)."""
    steps: list[Step] = []
    current: Exchange | None = None
    for rec in records:
        if rec.is_audio:
            continue
        if rec.direction == "tx":
            cmd = norm_command(rec.data)
            if not cmd:
                continue
            if current is not None and not current.reply and cmd == current.command:
                continue  # a log showing both the command sent and its echo
            current = Exchange(cmd, [], rec.t, source=rec.source)
            steps.append(current)
            continue
        data = rec.data.strip(b"\r\n") if rec.data[:1] != b"\x10" else rec.data
        if not data.strip():
            continue
        if current is not None and (len(current.reply) >= MAX_REPLY_LINES or (
                current.t is not None and rec.t is not None and rec.t - current.t > MAX_REPLY_S)):
            current = None  # no final code came: what follows is unsolicited
        if current is not None:
            if not current.reply and norm_command(data) == current.command and data[:1] != b"\x10":
                continue  # the modem's echo
            current.reply.append(data)
            if ends_reply(data, current.command):
                current = None
            continue
        last = steps[-1] if steps else None
        if (isinstance(last, Burst) and last.t is not None and rec.t is not None
                and 0 <= rec.t - last.t < BURST_S and data[:1] != b"\x10" and last.lines[-1][:1] != b"\x10"):
            last.lines.append(data)
            last.sources.append(rec.source)
        else:
            steps.append(Burst([data], rec.t, source=rec.source, sources=[rec.source]))
    for i, s in enumerate(steps):
        s.index = i
        if complete_replies and isinstance(s, Exchange) and not s.final:
            s.reply.append(b"OK")
    return steps


_STATUS_RE = re.compile(r"^(?:\+CPIN:|\+CREG:|\+CEREG:|\+CGREG:|\+CSQ:|\+COPS:)")


def is_query(command: str) -> bool:
    """Commands whose captured reply can answer the same command anywhere in the replay."""
    return (command.endswith("?") or command.startswith(("ATI", "AT+CGM", "AT+GM", "AT+CGSN", "AT+CIMI", "AT+CSQ"))
            ) and not command.startswith("AT+CLCC")
