"""Telephone numbers of the directory in E.164 (:mod:`appliance.phone`, the box's one normaliser, by the
line's country), mobile or not, and written for people.

>>> to_e164("06 12 34 56 78", "FR"), to_e164("+44 20 7946 0958", "FR"), to_e164("12", "FR")
('+33612345678', '+442079460958', None)
>>> is_mobile("+33612345678"), is_mobile("+33145678910")
(True, False)
"""

from __future__ import annotations

import functools

import phonenumbers

from .. import phone

MAX_INPUT = 40


@functools.lru_cache(maxsize=65536)
def to_e164(number: str | None, country: str = "FR") -> str | None:
    """``number`` in E.164 (``+33612345678``), read as a national number of ``country`` when it has
    no international prefix; None when it is not a possible telephone number. Cached: the same
    numbers come back on every page of the worklist."""
    if not number or len(number) > MAX_INPUT:
        return None
    return phone.to_e164(number, country)


def same_number_key(number: str | None, country: str = "FR") -> str | None:
    """The key calls from one number are grouped by: its E.164 form, else the digits as given."""
    if not number:
        return None
    e164 = to_e164(number, country)
    if e164:
        return e164
    digits = "".join(c for c in number if c.isdigit() or c == "+")
    return digits or None


def is_mobile(number: str | None, country: str = "FR") -> bool:
    """True for a valid mobile number (the only kind the box ever texts a caller on)."""
    e164 = to_e164(number, country)
    if e164 is None:
        return False
    parsed = phonenumbers.parse(e164, None)
    if not phonenumbers.is_valid_number(parsed):
        return False
    # strictly mobile: where a plan cannot tell (FIXED_LINE_OR_MOBILE, as in the US) nothing is sent,
    # since a text to a landline is read aloud to whoever picks up
    return bool(phonenumbers.number_type(parsed) == phonenumbers.PhoneNumberType.MOBILE)


@functools.lru_cache(maxsize=16384)
def national(number: str | None) -> str:
    """How a person writes it at home (``06 12 34 56 78``); the input unchanged when unparsable."""
    if not number:
        return ""
    try:
        parsed = phonenumbers.parse(number, None)
    except phonenumbers.NumberParseException:
        return number
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.NATIONAL)
