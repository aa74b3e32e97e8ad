"""The GSM 7-bit default alphabet (3GPP TS 23.038), once: the SMS encoder of the alerts and the
simulated modem's PDU codec read it from here.

>>> is_gsm7("Répondez OK [urgent] 12€"), is_gsm7("Zoë ✓")
(True, False)
"""

from __future__ import annotations

# index = septet value; 0x1B is the escape to the extension table, not a character
GSM7_BASIC = (
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ\x1bÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_ESCAPE = 0x1B
# extension table: escape + septet value
GSM7_EXT = {0x0A: "\f", 0x14: "^", 0x28: "{", 0x29: "}", 0x2F: "\\", 0x3C: "[", 0x3D: "~", 0x3E: "]",
            0x40: "|", 0x65: "€"}
GSM7_CHARS = frozenset(GSM7_BASIC.replace("\x1b", "")) | frozenset(GSM7_EXT.values())


def is_gsm7(text: str) -> bool:
    """True when ``text`` fits the GSM 7-bit alphabet (else an SMS goes as UCS-2)."""
    return all(c in GSM7_CHARS for c in text)
