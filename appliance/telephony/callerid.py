"""Analog caller id as voice modems print it: one table-driven parser for every layout seen.

:func:`parse_cid` reads one modem line and returns a :class:`CidLine`: the
ring words it starts with, the caller-id fields it holds (``DATE``, ``TIME``,
``NMBR``, ``NAME``, plus ``CALLED``), and whether it opens or closes a framed
record. The layouts are data (:data:`LABELS`, :data:`LAYOUTS`), each one a row
of the test table in ``tests/telephony/test_callerid.py``:

* ``LABEL = value`` lines (Rockwell/Conexant, USR, Lucent/Agere, Zoom...), with
  or without spaces around ``=``, ``:`` labels (ZyXEL ``CALLER NUMBER:``,
  ``TIME: 12-29 18:48``), label variants (``DDN_NMBR``, ``DDN``, ``NBR``,
  ``NUMBER``, ``CALLER'S NUMBER``, ``CallerID:``, ZyXEL 2864 ``FM:`` / ``TO:``);
* several fields on one line, labels glued to the previous value
  (``NAME=ONMBR=5072884388``: a name ``O`` then the number), ring words in
  front (``RING RING DATE=...``, UK ``CID RING``), framing lines (``CALLING
  MSG`` / ``END MSG``);
* ``MESG = <hex>`` records whose MDMF parameters are decoded (Bell Canada puts
  the number in parameter 0x03, the dialable directory number);
* unformatted records (``AT#CID=2``): SDMF (0x04) and MDMF (0x80) as one line
  of ASCII hex, with their checksum verified when present;
* single-line layouts of their own: NetCallerID ``###DATE...NMBR...NAME...+++``,
  ELSA ``RING;<caller>;<called>``.

``O`` / ``P`` (and the words for them: out of area, private, withheld...) are
markers, resolved by :func:`to_caller`. Malformed input never raises.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable, Mapping

from ..phone import normalise
from .line import CallerId

LABELS: tuple[tuple[str, str], ...] = (
    # (label as printed, regex-escaped where needed; the field it gives)
    (r"REASON FOR NO CALLER NUMBER", "NMBR"),
    (r"REASON FOR NO CALLER NAME", "NAME"),
    (r"CALLER'?S? NUMBER", "NMBR"),
    (r"CALLER NAME", "NAME"),
    (r"CALLED NUMBER", "CALLED"),
    (r"CALLER ?ID", "NMBR"),
    (r"DDN[_ ]NMBR", "NMBR"),
    (r"DDN", "NMBR"),
    (r"NMBR", "NMBR"),
    (r"NUMBER", "NMBR"),
    (r"NBR", "NMBR"),
    (r"NAME", "NAME"),
    (r"DATE ?(?:AND ?|/ ?)?TIME", "TIME"),
    (r"DATE", "DATE"),
    (r"TIME", "TIME"),
    (r"MESG", "MESG"),
    (r"FM", "NMBR"),
    (r"TO", "CALLED"),
)
"""Caller-id labels of the voice-modem chipsets (Rockwell/Conexant, USR, Lucent/Agere, ZyXEL, Kortex, ELSA...)."""

_LABEL_RE = re.compile(r"(" + "|".join(lb for lb, _ in LABELS) + r")\s*[=:]", re.IGNORECASE)
_KEYS = [(re.compile(lb + r"\Z", re.IGNORECASE), key) for lb, key in LABELS]
_RING_RE = re.compile(r"^(?:(?:CID\s+)?RING\b[ \t]*)+", re.IGNORECASE)
_DISTINCTIVE_RE = re.compile(r"^(?:[0-9A-D]|\d{1,2})$")
FRAMES = {"CALLING MSG": "start", "END MSG": "end"}

LAYOUTS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("netcallerid", re.compile(r"^###DATE(?P<DATE>\d{4})?(?P<TIME>\d{4})?\.\.\.NMBR(?P<NMBR>.*?)\.\.\.NAME(?P<NAME>.*?)"
                               r"\+\+\+\s*$", re.IGNORECASE)),
    ("elsa", re.compile(r"^RING;(?P<NMBR>[^;]*)(?:;(?P<CALLED>.*))?$", re.IGNORECASE)),
)
"""Whole-line layouts that carry no labels (NetCallerID box, ELSA MicroLink)."""

_WITHHELD = {"p", "private", "restricted", "withheld", "anonymous", "unknown caller", "private number",
             "withheld number", "number withheld", "restricted number", "anonymous caller", "blocked",
             "blocked number", "caller withheld", "presentation restricted", "clir", "private caller"}
_UNAVAILABLE = {"o", "out of area", "unavailable", "unknown", "not available", "outofarea", "unknown number",
                "number unavailable", "unavailable number", "no caller id", "no number", "out of area call",
                "international", "coin", "payphone"}


@dataclasses.dataclass(frozen=True)
class CidLine:
    """What one modem line says: rings, caller-id fields, framing."""

    fields: tuple[tuple[str, str], ...] = ()
    rings: int = 0
    frame: str | None = None
    layout: str = "labels"

def marker(text: str) -> str:
    """A caller-id marker normalised for lookup: ``Out-of-Area``, ``OUT_OF_AREA`` -> ``out of area``."""
    return re.sub(r"[\s_\-.]+", " ", text).strip().lower()


def is_withheld(text: str) -> bool:
    return marker(text) in _WITHHELD


def is_unavailable(text: str) -> bool:
    return marker(text) in _UNAVAILABLE


def parse_cid(line: str) -> CidLine | None:
    """The rings and caller-id fields of one modem line; None if it is neither."""
    text = line.strip()
    if not text:
        return None
    for name, pattern in LAYOUTS:
        m = pattern.match(text)
        if m:
            fields = tuple((k, v.strip()) for k, v in m.groupdict().items() if v is not None and v.strip())
            return CidLine(fields, rings=1 if name == "elsa" else 0, layout=name)
    frame = FRAMES.get(re.sub(r"\s+", " ", text.upper()))
    if frame is not None:
        return CidLine(frame=frame, layout="frame")
    rings = 0
    m = _RING_RE.match(text)
    if m:
        rings = len(re.findall(r"RING", m.group(0), re.IGNORECASE))
        text = text[m.end():].strip()
        if not text or _DISTINCTIVE_RE.match(text):  # "RING", "RING 2" / "RING B" (distinctive ring)
            return CidLine(rings=rings, layout="ring")
    hexed = parse_cid_hex(text)
    if hexed is not None:
        return CidLine(tuple(hexed), rings, layout="hex")
    labelled = _labelled(text)
    if labelled is None:
        return CidLine(rings=rings, layout="ring") if rings else None
    return CidLine(tuple(labelled), rings)


def _labelled(text: str) -> list[tuple[str, str]] | None:
    matches = list(_LABEL_RE.finditer(text))
    if not matches or text[: matches[0].start()].strip():
        return None
    out: list[tuple[str, str]] = []
    for i, m in enumerate(matches):
        end = matches[i + 1].start() if i + 1 < len(matches) else len(text)
        label = m.group(1)
        key = next(k for rx, k in _KEYS if rx.match(label))
        value = text[m.end():end].strip()
        if key == "MESG":
            params = cid_params(value)
            out.extend(params if params is not None else [("MESG", value)])
            continue
        out.append((key, value))
    return out


# ------------------------------------------------------------------------------- binary records

_SDMF = 0x04
_MDMF = 0x80
PARAM_KEYS = {0x01: "DATETIME", 0x02: "NMBR", 0x03: "DDN", 0x04: "NMBR", 0x07: "NAME", 0x08: "NAME"}
"""MDMF parameter types (Bellcore GR-30 / ETSI EN 300 659-3): 0x01 date-time, 0x02 calling number,
0x03 dialable directory number (Bell Canada's number), 0x04 reason the number is absent (``O``/``P``),
0x07 name, 0x08 reason the name is absent. Others (call type, message waiting...) carry nothing the
box uses."""


def parse_cid_hex(line: str) -> list[tuple[str, str]] | None:
    """An unformatted caller-id message in hex (``AT#CID=2``) -> fields.

    SDMF (Bellcore GR-30, type 0x04): date-time ``MMDDhhmm`` then the number
    (or ``O`` / ``P``). MDMF (type 0x80, also ETSI EN 300 659): parameters.
    The checksum byte is verified when the message carries one (some modems
    print the message without it). None if the line is no such message."""
    s = re.sub(r"\s+", "", line)
    if len(s) < 8 or len(s) % 2 or not re.fullmatch(r"[0-9A-Fa-f]+", s):
        return None
    data = bytes.fromhex(s)
    kind, length = data[0], data[1]
    if kind not in (_SDMF, _MDMF):
        return None
    if len(data) == length + 3:
        if sum(data) % 256:
            return None
        body = data[2:-1]
    elif len(data) == length + 2 and all(0x20 <= b < 0x7F for b in data[2:]) and kind == _SDMF:
        body = data[2:]  # printed without its checksum byte (some Rockwell manuals show it so)
    else:
        return None
    if kind == _MDMF:
        return _params(body)
    text = body.decode("latin-1")
    if len(text) < 8 or not (text[:8].isascii() and text[:8].isdigit()):
        return None
    out = [("DATE", text[:4]), ("TIME", text[4:8])]
    if text[8:]:
        out.append(("NMBR", text[8:]))
    return out


def cid_params(hexstr: str) -> list[tuple[str, str]] | None:
    """Hex MDMF parameters (type, length, value)* as in a ``MESG`` record -> fields.

    None unless the whole string is well-formed parameters."""
    s = re.sub(r"\s+", "", hexstr)
    if len(s) < 4 or len(s) % 2 or not re.fullmatch(r"[0-9A-Fa-f]+", s):
        return None
    return _params(bytes.fromhex(s))


def _params(body: bytes) -> list[tuple[str, str]] | None:
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
        key = PARAM_KEYS.get(ptype)
        text = "".join(ch for ch in value.decode("latin-1") if ch.isprintable()).strip()
        if key == "DATETIME":
            if len(text) >= 8 and text[:8].isdigit():
                out += [("DATE", text[:4]), ("TIME", text[4:8])]
        elif key is not None:
            out.append((key, text))
    return out


# ------------------------------------------------------------------------------- fields to a caller


def merge(fields: dict[str, str], new: Iterable[tuple[str, str]]) -> None:
    """Add ``new`` fields to a call's record: empty values never erase, and a marker (``O``)
    never masks a number already received (some networks send the number, then ``NMBR = O``)."""
    for key, value in new:
        if not value:
            continue
        old = fields.get(key)
        if old and key in ("NMBR", "NAME", "DDN") and _is_marker(value) and not _is_marker(old):
            continue
        fields[key] = value


def _is_marker(text: str) -> bool:
    return is_withheld(text) or is_unavailable(text)


def to_caller(fields: Mapping[str, str], country: str | None = None) -> CallerId:
    """Caller id from the fields seen so far (any may be missing); the number in E.164 for ``country``.

    The calling number (``NMBR``) wins over the dialable directory number (``DDN``)."""
    number = (fields.get("NMBR") or "").strip()
    if not number or (_is_marker(number) and fields.get("DDN")):
        number = (fields.get("DDN") or number).strip()
    name = (fields.get("NAME") or "").strip() or None
    if name and _is_marker(name):
        name = None
    if is_withheld(number):
        return CallerId(None, name, withheld=True, raw=number)
    if not number or is_unavailable(number):
        return CallerId(None, name, unavailable=True, raw=number or None)
    digits = re.sub(r"[\s\-().]", "", number)
    if not re.fullmatch(r"\+?[0-9*#]{1,32}", digits):
        return CallerId(None, name, unavailable=True, raw=number)
    e164 = normalise(digits, country).e164 if country else None
    return CallerId(e164 or digits, name, raw=number)
