"""Parsers for the modem lines the drivers act on. Pure functions, table-tested.

Malformed input never raises: a parser returns ``None`` (or a partial value)
and the driver logs the line and goes on.
"""

from __future__ import annotations

import dataclasses
import re

from .line import CallerId

_WITHHELD_WORDS = {"p", "private", "restricted", "withheld", "anonymous", "unknown caller"}
_UNAVAILABLE_WORDS = {"o", "out of area", "unavailable", "unknown", "not available"}


def _num(s: str) -> bool:
    """ASCII digits only (``str.isdigit`` also accepts "²" and other digits ``int`` may refuse)."""
    return s.isascii() and s.isdigit()


def split_fields(s: str) -> list[str]:
    """Split ``a,"b,c",d`` into fields, honouring quotes; quotes are removed."""
    out: list[str] = []
    cur: list[str] = []
    quoted = False
    for ch in s:
        if ch == '"':
            quoted = not quoted
        elif ch == "," and not quoted:
            out.append("".join(cur).strip())
            cur = []
        else:
            cur.append(ch)
    out.append("".join(cur).strip())
    return out


def _after(line: str, prefix: str) -> str | None:
    if not line.upper().startswith(prefix.upper()):
        return None
    return line[len(prefix):].strip()


def normalise_number(number: str, ntype: int | None) -> str:
    """Type 145 (international): make sure there is exactly one leading ``+``."""
    n = re.sub(r"[\s\-().]", "", number)
    if ntype is not None and ntype & 0x70 == 0x10 and n and not n.startswith("+"):
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
    low = number.strip().lower()
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


def parse_cid_line(line: str) -> tuple[str, str] | None:
    """Voice-modem caller id: ``NMBR = 0612345678``, ``NAME=DUPONT``, ``DATE=1127``... -> (key, value)."""
    m = re.match(r"^\s*(DATE|TIME|NMBR|NAME|DDN_NMBR|MESG|CALLER NUMBER|CALLER NAME)\s*[=:]\s*(.*?)\s*$",
                 line, re.IGNORECASE)
    if not m:
        return None
    key = m.group(1).upper().replace("CALLER NUMBER", "NMBR").replace("CALLER NAME", "NAME")
    if key == "DDN_NMBR":
        key = "NMBR"
    return key, m.group(2)


def cid_to_caller(fields: dict[str, str]) -> CallerId:
    """Caller id from the ``DATE/TIME/NMBR/NAME`` fields seen so far (any may be missing)."""
    number = fields.get("NMBR", "").strip()
    name = fields.get("NAME", "").strip() or None
    if name and name.upper() in ("P", "O"):
        name = None
    low = number.lower()
    if low in _WITHHELD_WORDS:
        return CallerId(None, name, withheld=True)
    if not number or low in _UNAVAILABLE_WORDS:
        return CallerId(None, name, unavailable=True)
    n = re.sub(r"[\s\-().]", "", number)
    if not re.fullmatch(r"\+?[0-9*#]{1,32}", n):
        return CallerId(None, name, unavailable=True)
    return CallerId(n, name)


def parse_cme(line: str) -> str | None:
    """The text or code of ``+CME ERROR: x`` / ``+CMS ERROR: x``."""
    for prefix in ("+CME ERROR:", "+CMS ERROR:"):
        rest = _after(line, prefix)
        if rest is not None:
            return rest
    return None
