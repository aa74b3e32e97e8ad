"""Telephone numbers to E.164, with the ``phonenumbers`` library and the line's country.

Every number the box meets — a caller id, a callback number said or typed, an
SMS sender — goes through :func:`normalise` (or its shortcut :func:`to_e164`)
with the country of the line it arrived on. The modem's own form is kept
beside the result (:attr:`PhoneNumber.raw`), so a record shows both.

* national numbers use the country's trunk prefix (``0612345678`` on a French line);
* international numbers come with ``+``, the country's international prefix
  (``00``, ``011`` in North America) or a number type saying so (3GPP TS 24.008
  type of number: 145 = international, 161 = national, 129 = unknown);
* a number that cannot be a whole number of that country (too short, a local
  7-digit North American number without its area code) has no E.164 form;
* an alphanumeric sender (``Orange``, type 208) is not a number: kept as given.

>>> to_e164("06 12 34 56 78", "FR")
'+33612345678'
>>> normalise("0033612345678", "FR").e164
'+33612345678'
>>> normalise("447700900123", "FR", number_type=145).e164
'+447700900123'
>>> normalise("Orange", "FR").e164 is None
True
"""

from __future__ import annotations

import dataclasses
import re

import phonenumbers

INTERNATIONAL = 145
"""Type of number (TS 24.008 10.5.4.7) with the international bit: 0x91."""
TON_MASK = 0x70
TON_INTERNATIONAL = 0x10
TON_ALPHANUMERIC = 0x50

_DIAL_CHARS = re.compile(r"[\s\-().\u00a0/]")
_DIGITS = re.compile(r"\+?[0-9]{3,20}")
_ALIASES = {"UK": "GB"}


@dataclasses.dataclass(frozen=True)
class PhoneNumber:
    """A number as the network gave it (``raw``) and its E.164 form (``None`` if it has none)."""

    raw: str
    e164: str | None

    @property
    def best(self) -> str:
        """The E.164 form when there is one, else the raw form."""
        return self.e164 or self.raw


def region(country: str | None) -> str:
    """An ISO 3166 region code for ``phonenumbers`` (``UK`` is ``GB``); unknown codes pass as given."""
    c = (country or "").strip().upper()
    return _ALIASES.get(c, c)


def _international(digits: str) -> str | None:
    try:
        n = phonenumbers.parse("+" + digits, None)
    except phonenumbers.NumberParseException:
        return None
    return _format(n)


def _format(n: phonenumbers.PhoneNumber) -> str | None:
    """E.164 if ``n`` has the length of a whole fixed-line or mobile number of its country (the
    metadata's lengths; numbers the metadata calls local-only have no E.164 form)."""
    kind = phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE
    if phonenumbers.is_possible_number_for_type_with_reason(n, kind) != phonenumbers.ValidationResult.IS_POSSIBLE:
        return None
    return phonenumbers.format_number(n, phonenumbers.PhoneNumberFormat.E164)


def to_e164(number: str, country: str | None = "FR", *, number_type: int | None = None) -> str | None:
    """``number`` in E.164 (``+33612345678``), or None when it cannot be one.

    ``country``: the line's country, for national numbers. ``number_type``: the
    modem's type of number field when it gave one (145 international, 161
    national, 129 unknown, 208 alphanumeric)."""
    s = _DIAL_CHARS.sub("", number or "")
    if not _DIGITS.fullmatch(s):
        return None
    ton = number_type & TON_MASK if number_type is not None else None
    if ton == TON_ALPHANUMERIC:
        return None
    if s.startswith("+"):
        return _international(s.lstrip("+"))
    if ton == TON_INTERNATIONAL:
        return _international(s[2:] if s.startswith("00") else s)
    reg = region(country)
    try:
        parsed = phonenumbers.parse(s, reg or None)
    except phonenumbers.NumberParseException:
        parsed = None
    found = _format(parsed) if parsed is not None else None
    if found is None and s.startswith("00") and ton is None:
        return _international(s[2:])  # 00 is the international prefix of most of the world
    return found


def normalise(number: str, country: str | None = "FR", *, number_type: int | None = None) -> PhoneNumber:
    """The number as given (stripped) and its E.164 form; see :func:`to_e164`."""
    raw = (number or "").strip()
    return PhoneNumber(raw, to_e164(raw, country, number_type=number_type))
