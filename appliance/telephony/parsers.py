"""Parsers for the modem lines the drivers act on. Pure functions, table-tested.

Malformed input never raises: a parser returns ``None`` (or a partial value)
and the driver logs the line and goes on.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Sequence

from .line import CallerId

_WITHHELD_WORDS = {"p", "private", "restricted", "withheld", "anonymous", "unknown caller", "private number",
                   "withheld number", "number withheld", "restricted number", "anonymous caller", "blocked",
                   "blocked number", "caller withheld", "presentation restricted", "clir", "private caller"}
_UNAVAILABLE_WORDS = {"o", "out of area", "unavailable", "unknown", "not available", "outofarea", "unknown number",
                      "number unavailable", "unavailable number", "no caller id", "no number"}


def _marker(text: str) -> str:
    """A caller-id marker normalised for lookup: ``Out-of-Area``, ``OUT_OF_AREA`` -> ``out of area``."""
    return re.sub(r"[\s_\-.]+", " ", text).strip().lower()


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


def parse_clip(line: str) -> CallerId | None:
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
    low = _marker(number)
    if validity == 1 or low in _WITHHELD_WORDS:
        return CallerId(None, name, ntype, withheld=True)
    if validity == 2 or low in _UNAVAILABLE_WORDS or not number:
        if validity is None and not number and ntype == 128:
            return CallerId(None, name, ntype, withheld=True)
        return CallerId(None, name, ntype, unavailable=True)
    number = normalise_number(number, ntype)
    if not re.fullmatch(r"\+?[0-9*#A-Da-d]{1,32}", number):
        return CallerId(None, name, ntype, unavailable=True)
    return CallerId(number, name, ntype)


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

    @property
    def active(self) -> bool:
        return self.stat == 0

    @property
    def ringing(self) -> bool:
        return self.stat in (4, 5)


CLCC_STATES = {0: "active", 1: "held", 2: "dialing", 3: "alerting", 4: "incoming", 5: "waiting", 6: "disconnect"}


def parse_clcc(line: str) -> ClccEntry | None:
    """``+CLCC: <id>,<dir>,<stat>,<mode>,<mpty>[,<number>,<type>[,<alpha>]]``."""
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
    return ClccEntry(idx, direction == 1, stat, mode, normalise_number(number, ntype))


def parse_dtmf(line: str) -> str | None:
    """``+DTMF: 5`` (SIM800), ``+RXDTMF: 5`` (SIM7600), ``+DTMF:5``; one key or None."""
    for prefix in ("+RXDTMF:", "+DTMF:"):
        rest = _after(line, prefix)
        if rest is not None:
            d = rest.strip().strip('"')
            if len(d) == 1 and d.upper() in "0123456789*#ABCD":
                return d.upper()
            return None
    return None


_CID_LABELS = {
    "DATE": "DATE", "TIME": "TIME", "DDN_NMBR": "NMBR", "DDN NMBR": "NMBR", "NMBR": "NMBR", "NBR": "NMBR",
    "NUMBER": "NMBR", "CALLER NUMBER": "NMBR", "CALLER NAME": "NAME", "NAME": "NAME", "MESG": "MESG",
}
"""Caller-id labels of the voice-modem chipsets (Rockwell/Conexant, USR, Lucent, Agere...)."""
_CID_LABEL_RE = re.compile(
    r"(CALLER NUMBER|CALLER NAME|DDN[_ ]NMBR|NMBR|NUMBER|NBR|NAME|DATE|TIME|MESG)\s*[=:]", re.IGNORECASE)


def parse_cid_line(line: str) -> tuple[str, str] | None:
    """Voice-modem caller id: ``NMBR = 0612345678``, ``NAME=DUPONT``, ``DATE=1127``... -> (key, value).

    The first field of the line (see :func:`parse_cid_fields` for all of them)."""
    fields = parse_cid_fields(line)
    return fields[0] if fields else None


def parse_cid_fields(line: str) -> list[tuple[str, str]] | None:
    """Every caller-id field of one voice-modem line, as (key, value) with key DATE/TIME/NMBR/NAME/MESG.

    Handles one field per line (``NMBR = 0612345678``, spaces or not around
    ``=`` or ``:``), several on one line (``DATE=1127 TIME=0914 NMBR=...``),
    a label running into the next (``TIME=0914NMBR=0612345678``), label
    variants (``DDN_NMBR``, ``NBR``, ``CALLER NUMBER``...), ``MESG`` records
    whose hex parameters are decoded (``MESG = 040150`` is a private number),
    and unformatted hex records (``AT#CID=2``: SDMF/MDMF, see
    :func:`parse_cid_hex`). None if the line is not caller id."""
    hexed = parse_cid_hex(line)
    if hexed is not None:
        return hexed
    matches = list(_CID_LABEL_RE.finditer(line))
    if not matches or line[: matches[0].start()].strip():
        return None
    out: list[tuple[str, str]] = []
    for i, m in enumerate(matches):
        end = matches[i + 1].start() if i + 1 < len(matches) else len(line)
        label = re.sub(r"\s+", " ", m.group(1).upper()).replace("DDN NMBR", "DDN_NMBR")
        key = _CID_LABELS[label]
        value = line[m.end():end].strip()
        if key == "MESG":
            params = cid_params(value)
            if params:
                out.extend(params)
                continue
        out.append((key, value))
    return out


_SDMF = 0x04
_MDMF = 0x80


def parse_cid_hex(line: str) -> list[tuple[str, str]] | None:
    """An unformatted caller-id message in hex (``AT#CID=2``), checksum verified -> fields.

    SDMF (Bellcore GR-30, type 0x04): date-time ``MMDDhhmm`` then the number
    (or ``O`` unavailable / ``P`` private). MDMF (type 0x80, also ETSI
    EN 300 659): parameters, see :func:`cid_params`. None if the line is not
    such a message or its length or checksum is wrong."""
    s = re.sub(r"\s+", "", line)
    if len(s) < 8 or len(s) % 2 or not re.fullmatch(r"[0-9A-Fa-f]+", s):
        return None
    data = bytes.fromhex(s)
    kind, length = data[0], data[1]
    if kind not in (_SDMF, _MDMF) or len(data) != length + 3 or sum(data) % 256:
        return None
    body = data[2:-1]
    if kind == _MDMF:
        return _params_to_fields(body)
    text = body.decode("latin-1")
    if len(text) < 8 or not _num(text[:8]):
        return None
    out = [("DATE", text[:4]), ("TIME", text[4:8])]
    if text[8:]:
        out.append(("NMBR", text[8:]))
    return out


_PARAM_KEYS = {0x01: "DATETIME", 0x02: "NMBR", 0x04: "NMBR", 0x07: "NAME", 0x08: "NAME"}
"""MDMF parameter types: 0x01 date-time, 0x02 number, 0x04 reason the number is absent
(``O``/``P``), 0x07 name, 0x08 reason the name is absent. Others (called number, call
type...) carry nothing the box uses."""


def cid_params(hexstr: str) -> list[tuple[str, str]] | None:
    """Hex MDMF parameters (type, length, value)* as in a ``MESG`` record -> fields.

    None unless the whole string is well-formed parameters."""
    s = re.sub(r"\s+", "", hexstr)
    if len(s) < 4 or len(s) % 2 or not re.fullmatch(r"[0-9A-Fa-f]+", s):
        return None
    return _params_to_fields(bytes.fromhex(s))


def _params_to_fields(body: bytes) -> list[tuple[str, str]] | None:
    out: list[tuple[str, str]] = []
    i = 0
    while i < len(body):
        if i + 2 > len(body):
            return None
        ptype, plen = body[i], body[i + 1]
        value = body[i + 2 : i + 2 + plen]
        if len(value) != plen:
            return None
        i += 2 + plen
        key = _PARAM_KEYS.get(ptype)
        text = value.decode("latin-1").strip()
        if key == "DATETIME":
            if len(text) >= 8 and _num(text[:8]):
                out += [("DATE", text[:4]), ("TIME", text[4:8])]
        elif key is not None:
            out.append((key, text))
    return out


def cid_to_caller(fields: dict[str, str]) -> CallerId:
    """Caller id from the ``DATE/TIME/NMBR/NAME`` fields seen so far (any may be missing)."""
    number = fields.get("NMBR", "").strip()
    name = fields.get("NAME", "").strip() or None
    if name and _marker(name) in _WITHHELD_WORDS | _UNAVAILABLE_WORDS:
        name = None
    low = _marker(number)
    if low in _WITHHELD_WORDS:
        return CallerId(None, name, withheld=True)
    if not number or low in _UNAVAILABLE_WORDS:
        return CallerId(None, name, unavailable=True)
    n = re.sub(r"[\s\-().]", "", number)
    if not re.fullmatch(r"\+?[0-9*#]{1,32}", n):
        return CallerId(None, name, unavailable=True)
    return CallerId(n, name)


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
    """The header of a text-mode SMS: ``sender`` decoded; ``ucs2``: the texts are UCS2 hex."""

    sender: str
    ucs2: bool


def _ucs2_dcs(field: str) -> bool:
    """A data coding scheme (3GPP TS 23.038) that says UCS2."""
    if not _num(field) or len(field) > 3:
        return False
    dcs = int(field)
    if dcs & 0xC0 == 0x00 or dcs & 0xC0 == 0x40:  # general data coding groups
        return dcs & 0x0C == 0x08
    return dcs & 0xF0 == 0xE0  # message waiting group, UCS2


def parse_sms_header(line: str) -> SmsHeader | None:
    """``+CMGR: <stat>,<oa>,[<alpha>],<scts>[,<tooa>,<fo>,<pid>,<dcs>,...]`` or
    ``+CMT: <oa>,[<alpha>],<scts>[,<tooa>,<fo>,<pid>,<dcs>,...]`` (27.005 text mode).

    A sender in UCS2 hex (the modem's character set is UCS2) is decoded, and
    marks the message text as UCS2 hex too; so does a UCS2 data coding scheme.
    None if the line is neither, has no sender, or is a PDU-mode header."""
    rest = _after(line, "+CMGR:")
    oa = 1
    if rest is None:
        rest = _after(line, "+CMT:")
        oa = 0
    if rest is None:
        return None
    f = split_fields(rest)
    if (oa and _num(f[0])) or (not oa and len(f) == 2 and _num(f[1])):
        return None  # PDU mode: ``+CMGR: <stat>,[<alpha>],<length>``, ``+CMT: [<alpha>],<length>``
    if len(f) <= oa or not f[oa]:
        return None  # no sender
    raw = f[oa] if len(f) > oa else ""
    decoded = decode_ucs2_hex(raw) if not raw.startswith("+") else None
    ucs2 = decoded is not None and decoded.isascii()
    sender = decoded if ucs2 and decoded is not None else raw
    dcs = f[oa + 6] if len(f) > oa + 6 else ""
    return SmsHeader(sender=sender, ucs2=ucs2 or _ucs2_dcs(dcs))


def sms_text(lines: Sequence[str], ucs2: bool) -> str:
    """The text lines of a message, decoded from UCS2 hex when the header says so (and they are)."""
    text = "\n".join(lines)
    if ucs2:
        decoded = decode_ucs2_hex("".join(x.strip() for x in lines))
        if decoded is not None:
            return decoded
    return text
