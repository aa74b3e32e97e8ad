"""Received SMS, whatever the mode the modem prints them in: the header line and its body to an event.

Text mode (``+CMGR``, SIMCom's ``+CMGRD``, ``+CMGL``, ``+CMT``; senders plain,
UCS2 hex, with or without their type) and PDU mode (an SMS-DELIVER in hex, the
sender's type inside it: international, national, alphanumeric). The sender is
in E.164 for the line's country when it is a number, as the network gave it
otherwise (``EDF``, ``Orange``), and always kept raw beside it.
"""

from __future__ import annotations

from collections.abc import Sequence

from ..phone import normalise
from .line import SmsReceived
from .parsers import SmsHeader, sms_header, sms_text
from .pdu import PduError, decode_deliver

__all__ = ["SmsHeader", "sms_from", "sms_header"]


def sms_from(head: SmsHeader | None, body: Sequence[str], country: str | None) -> SmsReceived | None:
    """The message a header and its body lines say, or None if they are not one."""
    if head is None:
        return None
    if head.pdu:
        hexpdu = "".join(x.strip() for x in body)
        for has_sca in (True, False):
            try:
                d = decode_deliver(hexpdu, has_sca=has_sca)
            except PduError:
                continue
            return _received(d.sender, d.sender_type, d.text, country)
        return None
    return _received(head.sender, head.sender_type, sms_text(list(body), head.ucs2), country)


def _received(sender: str, ntype: int | None, text: str, country: str | None) -> SmsReceived:
    n = normalise(sender, country, number_type=ntype)
    return SmsReceived(sender=n.best, text=text, sender_raw=sender)
