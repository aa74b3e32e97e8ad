"""SMS PDUs (3GPP TS 23.040): SMS-SUBMIT and SMS-DELIVER, both ways (the driver reads
what the modem delivers; the simulator decodes what the box submits).

GSM 7-bit default alphabet (with the extension table) and UCS2, user data
headers with concatenation (8- and 16-bit references).
"""

from __future__ import annotations

import dataclasses

from ..errors import LineError
from .gsm7 import GSM7_BASIC, GSM7_EXT

_GSM7_REV = {c: i for i, c in enumerate(GSM7_BASIC)}
_GSM7_EXT_REV = {c: i for i, c in GSM7_EXT.items()}


class PduError(LineError, ValueError):
    """An SMS PDU could not be decoded."""


@dataclasses.dataclass(frozen=True)
class SubmitPdu:
    """A decoded SMS-SUBMIT: one part of a message the box sends."""

    number: str
    text: str
    reference: int
    concat_ref: int | None = None
    part: int = 1
    parts: int = 1
    dcs: int = 0


def gsm7_decode_septets(septets: list[int]) -> str:
    out: list[str] = []
    esc = False
    for s in septets:
        if esc:
            out.append(GSM7_EXT.get(s, " "))
            esc = False
        elif s == 0x1B:
            esc = True
        else:
            out.append(GSM7_BASIC[s])
    return "".join(out)


def gsm7_encode_septets(text: str) -> list[int] | None:
    """Septets for ``text``, or None if it needs UCS2."""
    out: list[int] = []
    for ch in text:
        if ch in _GSM7_REV:
            out.append(_GSM7_REV[ch])
        elif ch in _GSM7_EXT_REV:
            out += [0x1B, _GSM7_EXT_REV[ch]]
        else:
            return None
    return out


def unpack_septets(data: bytes, count: int, skip_bits: int = 0) -> list[int]:
    bits = int.from_bytes(data, "little")
    return [(bits >> (skip_bits + 7 * i)) & 0x7F for i in range(count)]


def pack_septets(septets: list[int], skip_bits: int = 0) -> bytes:
    bits = 0
    for i, s in enumerate(septets):
        bits |= s << (skip_bits + 7 * i)
    nbits = skip_bits + 7 * len(septets)
    return bits.to_bytes((nbits + 7) // 8, "little")


def decode_semi_octets(data: bytes, digits: int) -> str:
    s = ""
    for b in data:
        for nib in (b & 0x0F, b >> 4):
            s += "0123456789*#abc"[nib] if nib < 15 else ""
    return s[:digits]


def encode_address(number: str) -> bytes:
    """Address field (length in digits, type, semi-octets) for ``number``."""
    intl = number.startswith("+")
    digits = number.lstrip("+")
    if not digits.isdigit():
        raise PduError(f"SMS address {number!r} must be digits with an optional leading +")
    padded = digits + ("F" if len(digits) % 2 else "")
    sw = bytes.fromhex("".join(padded[i + 1] + padded[i] for i in range(0, len(padded), 2)))
    return bytes((len(digits), 0x91 if intl else 0x81)) + sw


@dataclasses.dataclass(frozen=True)
class DeliverPdu:
    """A decoded SMS-DELIVER: a message the modem received. ``sender_type`` is the TS 24.008
    type of number (0x91 international, 0x81 unknown, 0xA1 national, 0xD0 alphanumeric)."""

    sender: str
    sender_type: int
    text: str


def _address(pdu: bytes, i: int) -> tuple[str, int, int]:
    """(number, type of number, index after) of the address field at ``i``."""
    ndigits, ntype = pdu[i], pdu[i + 1]
    nbytes = (ndigits + 1) // 2
    field = pdu[i + 2 : i + 2 + nbytes]
    if len(field) != nbytes:
        raise PduError("SMS PDU address field is cut short")
    if ntype & 0x70 == 0x50:  # alphanumeric, GSM 7-bit packed
        number = gsm7_decode_septets(unpack_septets(field, ndigits * 4 // 7)).rstrip("@")
    else:
        number = decode_semi_octets(field, ndigits)
        if ntype & 0x70 == 0x10:
            number = "+" + number
    return number, ntype, i + 2 + nbytes


def _user_data(dcs: int, udl: int, ud: bytes, udhi: bool) -> str:
    if dcs & 0xC0 == 0 or dcs & 0xF0 == 0xF0:
        alphabet = (dcs >> 2) & 0x03 if dcs & 0xC0 == 0 else (1 if dcs & 0x04 else 0)
    else:
        alphabet = (dcs >> 2) & 0x03
    hlen = ud[0] + 1 if udhi and ud else 0
    if alphabet == 0:
        skip = hlen * 8
        fill = (7 - skip % 7) % 7
        start = (skip + fill) // 7
        return gsm7_decode_septets(unpack_septets(ud, udl - start, skip + fill)) if udl > start else ""
    if alphabet == 2:
        return ud[hlen:udl].decode("utf-16-be", errors="replace")
    return ud[hlen:udl].decode("latin-1")


def decode_deliver(hexpdu: str, *, has_sca: bool = True) -> DeliverPdu:
    """Decode an SMS-DELIVER as ``AT+CMGR``/``AT+CMGL``/``+CMT`` print it in PDU mode."""
    try:
        pdu = bytes.fromhex(hexpdu.strip())
    except ValueError as e:
        raise PduError(f"SMS PDU is not hex: {hexpdu[:40]!r}") from e
    try:
        i = 1 + pdu[0] if has_sca else 0
        fo = pdu[i]
        if fo & 0x03 != 0x00:
            raise PduError(f"not an SMS-DELIVER (first octet {fo:#04x})")
        sender, stype, i = _address(pdu, i + 1)
        dcs = pdu[i + 1]
        i += 2 + 7  # PID, DCS, service centre time stamp
        udl = pdu[i]
        return DeliverPdu(sender, stype, _user_data(dcs, udl, pdu[i + 1 :], bool(fo & 0x40)))
    except IndexError as e:
        raise PduError(f"SMS PDU too short: {hexpdu[:60]!r}") from e


def decode_submit(hexpdu: str, *, has_sca: bool = True) -> SubmitPdu:
    """Decode an SMS-SUBMIT given as the hex text of ``AT+CMGS`` in PDU mode."""
    try:
        pdu = bytes.fromhex(hexpdu.strip())
    except ValueError as e:
        raise PduError(f"SMS PDU is not hex: {hexpdu[:40]!r}") from e
    try:
        return _decode_submit(pdu, has_sca)
    except IndexError as e:
        raise PduError(f"SMS PDU too short: {hexpdu[:60]!r}") from e


def _decode_submit(pdu: bytes, has_sca: bool) -> SubmitPdu:
    i = 0
    if has_sca:
        i = 1 + pdu[0]
    fo = pdu[i]
    i += 1
    if fo & 0x03 != 0x01:
        raise PduError(f"not an SMS-SUBMIT (first octet {fo:#04x})")
    vpf = (fo >> 3) & 0x03
    udhi = bool(fo & 0x40)
    mr = pdu[i]
    i += 1
    ndigits = pdu[i]
    ntype = pdu[i + 1]
    nbytes = (ndigits + 1) // 2
    if ntype & 0x70 == 0x50:  # alphanumeric address
        number = gsm7_decode_septets(unpack_septets(pdu[i + 2 : i + 2 + nbytes], ndigits * 4 // 7))
    else:
        number = decode_semi_octets(pdu[i + 2 : i + 2 + nbytes], ndigits)
        if ntype & 0x70 == 0x10:
            number = "+" + number
    i += 2 + nbytes
    i += 1  # PID
    dcs = pdu[i]
    i += 1
    i += {0: 0, 2: 1, 1: 7, 3: 7}[vpf]
    udl = pdu[i]
    i += 1
    ud = pdu[i:]
    if dcs & 0xC0 == 0 or dcs & 0xF0 == 0xF0:
        alphabet = (dcs >> 2) & 0x03 if dcs & 0xC0 == 0 else (1 if dcs & 0x04 else 0)
    else:
        alphabet = (dcs >> 2) & 0x03
    concat_ref: int | None = None
    part = parts = 1
    hlen = 0
    if udhi:
        hlen = ud[0] + 1
        j = 1
        while j < hlen:
            iei, ilen = ud[j], ud[j + 1]
            val = ud[j + 2 : j + 2 + ilen]
            if iei == 0x00 and ilen == 3:
                concat_ref, parts, part = val[0], val[1], val[2]
            elif iei == 0x08 and ilen == 4:
                concat_ref, parts, part = (val[0] << 8) | val[1], val[2], val[3]
            j += 2 + ilen
    if alphabet == 0:
        skip = hlen * 8
        fill = (7 - skip % 7) % 7
        start_septet = (skip + fill) // 7
        septets = unpack_septets(ud, udl - start_septet, skip + fill) if udl > start_septet else []
        text = gsm7_decode_septets(septets)
    elif alphabet == 2:
        text = ud[hlen:udl].decode("utf-16-be", errors="replace")
    else:
        text = ud[hlen:udl].decode("latin-1")
    return SubmitPdu(number, text, mr, concat_ref, part, parts, dcs)


def _timestamp(t: tuple[int, int, int, int, int, int]) -> bytes:
    out = bytearray()
    for v in (*t, 0):
        s = f"{v % 100:02d}"
        out.append(int(s[1] + s[0], 16))
    return bytes(out)


def encode_deliver(sender: str, text: str, when: tuple[int, int, int, int, int, int]) -> str:
    """Hex SMS-DELIVER (with an empty SMSC field) as ``AT+CMGR``/``AT+CMGL`` print it.

    ``when`` is (year, month, day, hour, minute, second). Texts longer than one
    SMS are cut (the simulator delivers single-part messages).
    """
    septets = gsm7_encode_septets(text)
    if sender and not sender.lstrip("+").isdigit():
        al = gsm7_encode_septets(sender) or []
        packed = pack_septets(al)
        addr = bytes((len(packed) * 2, 0xD0)) + packed
    else:
        addr = encode_address(sender or "0")
    if septets is not None:
        septets = septets[:160]
        dcs, udl, ud = 0x00, len(septets), pack_septets(septets)
    else:
        raw = text.encode("utf-16-be")[:140]
        dcs, udl, ud = 0x08, len(raw), raw
    pdu = b"\x00" + bytes((0x04,)) + addr + bytes((0x00, dcs)) + _timestamp(when) + bytes((udl,)) + ud
    return pdu.hex().upper()
