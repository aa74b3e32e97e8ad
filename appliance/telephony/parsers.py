"""Parsers for the modem lines the drivers act on. Pure functions, table-tested.

Malformed input never raises: a parser returns ``None`` (or a partial value)
and the driver logs the line and goes on.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Sequence

from ..phone import normalise
from .callerid import cid_params, is_unavailable, is_withheld, marker, parse_cid, parse_cid_hex, to_caller
from .line import CallerId

__all__ = ["cid_params", "parse_cid_hex"]

def _marker(text: str) -> str:
    return marker(text)


def _num(s: str) -> bool:
    """ASCII digits only (``str.isdigit`` also accepts "²" and other digits ``int`` may refuse)."""
    return s.isascii() and s.isdigit()


def split_fields(s: str) -> list[str]:
    """Split ``a,"b,c",d`` into fields, honouring quotes; quotes are removed.

    Field by field: a field that starts with ``"`` ends at the ``"`` followed by a comma
    (or the end of the line), so a quote inside a caller's name (``"Jean "Le Boss" Dupont"``)
    stays in the name instead of swallowing the next field."""
    out: list[str] = []
    i, n = 0, len(s)
    while True:
        j = i
        while j < n and s[j] == " ":
            j += 1
        if j < n and s[j] == '"':
            end = _closing_quote(s, j + 1)
            if end is None:  # cut short: the rest of the line
                out.append(s[j + 1:].strip())
                return out
            out.append(s[j + 1:end].strip())
            i = s.find(",", end)
            if i < 0:
                return out
        else:
            i = s.find(",", j)
            if i < 0:
                out.append(s[j:].strip())
                return out
            out.append(s[j:i].strip())
        i += 1


def _closing_quote(s: str, start: int) -> int | None:
    """Index of the ``"`` that closes a quoted field opened before ``start``."""
    k = s.find('"', start)
    while k >= 0:
        rest = s[k + 1:].lstrip(" ")
        if not rest or rest[0] == ",":
            return k
        k = s.find('"', k + 1)
    return None


def _after(line: str, prefix: str) -> str | None:
    if not line.upper().startswith(prefix.upper()):
        return None
    return line[len(prefix):].strip()


def normalise_number(number: str, ntype: int | None) -> str:
    """Type 145 (international): make sure there is exactly one leading ``+``.

    Some networks send an international number with its dialling prefix
    (``"0033612345678",145``): the ``00`` is the ``+``."""
    n = re.sub(r"[\s\-().]", "", number)
    if ntype is not None and ntype & 0x70 == 0x10 and n and not n.startswith("+"):
        if n.startswith("00") and len(n) > 4:
            n = n[2:]
        n = "+" + n.lstrip("+")
    return n


def parse_clip(line: str, country: str | None = None) -> CallerId | None:
    """``+CLIP: <number>,<type>[,<subaddr>,<satype>[,<alpha>[,<CLI validity>]]]`` (27.007 7.18).

    Also ``+CCWA: <number>,<type>,<class>[,<alpha>[,<CLI validity>]]``. Validity 1 is
    withheld, 2 unavailable; an empty number with no validity is unavailable
    (withheld when the type is 128 and nothing else is known)."""
    for prefix in ("+CLIP:", "+CCWA:"):
        rest = _after(line, prefix)
        if rest is not None:
            break
    else:
        return None
    f = split_fields(rest)
    number = f[0] if f else ""
    ntype: int | None = None
    if len(f) > 1 and _num(f[1]):
        ntype = int(f[1])
    name: str | None = None
    validity: int | None = None
    if prefix == "+CLIP:":
        if len(f) > 4 and f[4]:
            name = f[4]
        if len(f) > 5 and _num(f[5]):
            validity = int(f[5])
    else:
        if len(f) > 3 and f[3]:
            name = f[3]
        if len(f) > 4 and _num(f[4]):
            validity = int(f[4])
    raw = number or None
    if validity == 1 or is_withheld(number):
        return CallerId(None, name, ntype, withheld=True, raw=raw)
    if validity == 2 or is_unavailable(number) or not number:
        if validity is None and not number and ntype == 128:
            return CallerId(None, name, ntype, withheld=True, raw=raw)
        return CallerId(None, name, ntype, unavailable=True, raw=raw)
    number = normalise_number(number, ntype)
    if not re.fullmatch(r"\+?[0-9*#A-Da-d]{1,32}", number):
        return CallerId(None, name, ntype, unavailable=True, raw=raw)
    if country:
        number = normalise(number, country, number_type=ntype).e164 or number
    return CallerId(number, name, ntype, raw=raw)


def parse_csq(line: str) -> tuple[int | None, int | None]:
    """``+CSQ: <rssi>,<ber>`` -> (dBm, rssi). 99 is unknown."""
    rest = _after(line, "+CSQ:")
    if rest is None:
        return None, None
    f = split_fields(rest)
    try:
        rssi = int(f[0])
    except (ValueError, IndexError):
        return None, None
    if rssi == 99 or not 0 <= rssi <= 31:
        return None, None
    return -113 + 2 * rssi, rssi


REG_STATES = {0: "not registered", 1: "home", 2: "searching", 3: "denied", 4: "unknown", 5: "roaming",
              6: "home (SMS only)", 7: "roaming (SMS only)", 8: "emergency only", 11: "no service"}


def parse_creg(line: str) -> str | None:
    """``+CREG: [<n>,]<stat>[,...]`` (response or unsolicited; also +CEREG/+CGREG) -> state name."""
    for prefix in ("+CREG:", "+CEREG:", "+CGREG:"):
        rest = _after(line, prefix)
        if rest is not None:
            break
    else:
        return None
    f = split_fields(rest)
    # A response is "<n>,<stat>[,lac,ci]"; an unsolicited code is "<stat>[,lac,ci]".
    # The lac field is 4 hex digits, so "n,stat" starts with two small integers.
    nums = [x for x in f if _num(x)]
    if not nums:
        return None
    pair = len(f) >= 2 and _num(f[0]) and _num(f[1]) and len(f[1]) <= 2
    stat = int(f[1]) if pair else int(nums[0])
    return REG_STATES.get(stat, f"state {stat}")


@dataclasses.dataclass(frozen=True)
class ClccEntry:
    index: int
    incoming: bool
    stat: int
    mode: int
    number: str
    caller: CallerId | None = dataclasses.field(default=None, compare=False)
    """The number as a caller id (E.164 for the line's country, with its raw form)."""

    @property
    def active(self) -> bool:
        return self.stat == 0

    @property
    def ringing(self) -> bool:
        return self.stat in (4, 5)


CLCC_STATES = {0: "active", 1: "held", 2: "dialing", 3: "alerting", 4: "incoming", 5: "waiting", 6: "disconnect"}


def parse_clcc(line: str, country: str | None = None) -> ClccEntry | None:
    """``+CLCC: <id>,<dir>,<stat>,<mode>,<mpty>[,<number>,<type>[,<alpha>]]`` (one entry per line:
    several calls give several lines)."""
    rest = _after(line, "+CLCC:")
    if rest is None:
        return None
    f = split_fields(rest)
    try:
        idx, direction, stat, mode = int(f[0]), int(f[1]), int(f[2]), int(f[3])
    except (ValueError, IndexError):
        return None
    number = f[5] if len(f) > 5 else ""
    ntype = int(f[6]) if len(f) > 6 and _num(f[6]) else None
    alpha = f'"{f[7]}"' if len(f) > 7 and f[7] else '""'
    cid = parse_clip(f'+CLIP: "{number}",{ntype if ntype is not None else ""},"",,{alpha}', country)
    if cid is not None and cid.number and not country:
        cid = dataclasses.replace(cid, number=normalise_number(number, ntype))
    return ClccEntry(idx, direction == 1, stat, mode, normalise_number(number, ntype), cid)


def parse_dtmf(line: str) -> str | None:
    """``+DTMF: 5`` (SIM800), ``+RXDTMF: 5`` (SIM7600), ``+DTMF:5``; one key or None."""
    ev = parse_dtmf_event(line)
    return ev[0] if ev else None


def parse_dtmf_event(line: str) -> tuple[str, int | None] | None:
    """``+DTMF: 5``, ``+DTMF: 5,120`` (SIM800 after ``AT+DDET=1,100,1,1``: key, duration in ms),
    ``+RXDTMF: 5`` (SIM7600) -> (key, duration or None)."""
    for prefix in ("+RXDTMF:", "+DTMF:"):
        rest = _after(line, prefix)
        if rest is not None:
            f = split_fields(rest)
            d = f[0].strip().strip('"')
            duration = int(f[1]) if len(f) > 1 and _num(f[1]) and len(f[1]) <= 6 else None
            if len(d) == 1 and d.upper() in "0123456789*#ABCD" and (len(f) == 1 or duration is not None):
                return d.upper(), duration
            return None
    return None


def parse_cid_fields(line: str) -> list[tuple[str, str]] | None:
    """Every caller-id field of one voice-modem line (see :func:`.callerid.parse_cid`), or None."""
    c = parse_cid(line)
    return list(c.fields) if c is not None and c.fields else None


def parse_cid_line(line: str) -> tuple[str, str] | None:
    """The first caller-id field of one voice-modem line."""
    fields = parse_cid_fields(line)
    return fields[0] if fields else None


def cid_to_caller(fields: dict[str, str], country: str | None = None) -> CallerId:
    """Caller id from the ``DATE/TIME/NMBR/NAME`` fields seen so far (see :func:`.callerid.to_caller`)."""
    return to_caller(fields, country)


def decode_ucs2_hex(s: str) -> str | None:
    """Text the modem wrote in UCS2 hex (``AT+CSCS="UCS2"``): ``00420069`` -> ``Bi``.

    None unless ``s`` is whole UCS2 hex of printable text."""
    s = s.strip()
    if not s or len(s) % 4 or not re.fullmatch(r"[0-9A-Fa-f]+", s):
        return None
    try:
        text = bytes.fromhex(s).decode("utf-16-be")
    except UnicodeDecodeError:
        return None
    if any(not ch.isprintable() and ch not in "\r\n\t" for ch in text):
        return None
    return text


@dataclasses.dataclass(frozen=True)
class SmsHeader:
    """The header of a text-mode SMS: ``sender`` decoded; ``ucs2``: the texts are UCS2 hex;
    ``sender_type``: the type of address when the modem gives it (``AT+CSDH=1``);
    ``pdu``: a PDU-mode header (the body is an SMS-DELIVER in hex, the sender inside it)."""

    sender: str
    ucs2: bool
    sender_type: int | None = dataclasses.field(default=None, compare=False)
    pdu: bool = dataclasses.field(default=False, compare=False)


def _ucs2_dcs(field: str) -> bool:
    """A data coding scheme (3GPP TS 23.038) that says UCS2."""
    if not _num(field) or len(field) > 3:
        return False
    dcs = int(field)
    if dcs & 0xC0 == 0x00 or dcs & 0xC0 == 0x40:  # general data coding groups
        return dcs & 0x0C == 0x08
    return dcs & 0xF0 == 0xE0  # message waiting group, UCS2


_SMS_HEADS = (("+CMGRD:", 1), ("+CMGR:", 1), ("+CMGL:", 2), ("+CMT:", 0))
"""Message headers and where their sender (``<oa>``) is: ``+CMGR``/SIMCom's read-and-delete
``+CMGRD`` after the status, ``+CMGL`` after the index and status, ``+CMT`` first."""


def sms_header(line: str) -> SmsHeader | None:
    """A message header of either mode: text (see :func:`parse_sms_header`) or PDU
    (``+CMGR: <stat>,[<alpha>],<length>``, ``+CMGL: <index>,<stat>,[<alpha>],<length>``,
    ``+CMT: [<alpha>],<length>``: the sender is in the PDU that follows)."""
    for prefix, oa in _SMS_HEADS:
        rest = _after(line, prefix)
        if rest is not None:
            f = split_fields(rest)
            if len(f) == oa + 2 and _num(f[-1]) and (oa == 0 or _num(f[oa - 1])):
                return SmsHeader(sender="", ucs2=False, pdu=True)
            return parse_sms_header(line)
    return None


def parse_sms_header(line: str) -> SmsHeader | None:
    """``+CMGR: <stat>,<oa>,[<alpha>],<scts>[,<tooa>,<fo>,<pid>,<dcs>,...]``,
    ``+CMGL: <index>,<stat>,<oa>,...`` or ``+CMT: <oa>,[<alpha>],<scts>[,<tooa>,<fo>,<pid>,<dcs>,...]``
    (27.005 text mode; ``+CMGRD`` as ``+CMGR``).

    A sender in UCS2 hex (the modem's character set is UCS2) is decoded, and
    marks the message text as UCS2 hex too; so does a UCS2 data coding scheme.
    None if the line is none of them, has no sender, or is a PDU-mode header."""
    head = next(((p, o) for p, o in _SMS_HEADS if line.upper().startswith(p)), None)
    if head is None:
        return None
    prefix, oa = head
    f = split_fields(line[len(prefix):].strip())
    if (oa and _num(f[oa - 1]) and len(f) == oa + 2 and _num(f[-1])) or (not oa and len(f) == 2 and _num(f[1])):
        return None  # PDU mode: ``+CMGR: <stat>,[<alpha>],<length>``, ``+CMT: [<alpha>],<length>``
    if oa == 1 and _num(f[0]) and len(f) <= 3:
        return None
    if len(f) <= oa or not f[oa]:
        return None  # no sender
    raw = f[oa] if len(f) > oa else ""
    decoded = decode_ucs2_hex(raw) if not raw.startswith("+") else None
    ucs2 = decoded is not None and decoded.isascii()
    sender = decoded if ucs2 and decoded is not None else raw
    dcs = f[oa + 6] if len(f) > oa + 6 else ""
    tooa = int(f[oa + 3]) if len(f) > oa + 3 and _num(f[oa + 3]) and len(f[oa + 3]) <= 3 else None
    return SmsHeader(sender=sender, ucs2=ucs2 or _ucs2_dcs(dcs), sender_type=tooa)


def sms_text(lines: Sequence[str], ucs2: bool) -> str:
    """The text lines of a message, decoded from UCS2 hex when the header says so (and they are)."""
    text = "\n".join(lines)
    if ucs2:
        decoded = decode_ucs2_hex("".join(x.strip() for x in lines))
        if decoded is not None:
            return decoded
    return text
