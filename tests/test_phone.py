"""E.164 normalisation of every number the box meets (issue 16, item 4): a table per country."""

from __future__ import annotations

import pytest

from appliance.phone import normalise, to_e164

CASES = [
    # number as the network or the caller gave it, line country, type of number, E.164 (None: not a number)
    # France
    ("0612345678", "FR", 129, "+33612345678"),
    ("06 12 34 56 78", "FR", None, "+33612345678"),
    ("0033612345678", "FR", 129, "+33612345678"),
    ("0033612345678", "FR", 145, "+33612345678"),
    ("33612345678", "FR", 145, "+33612345678"),
    ("+33612345678", "FR", 145, "+33612345678"),
    ("0145678901", "FR", 161, "+33145678901"),
    ("612345678", "FR", None, "+33612345678"),
    # United Kingdom (the line's country code is GB; UK accepted)
    ("07700900123", "GB", 129, "+447700900123"),
    ("02079460000", "UK", None, "+442079460000"),
    ("00447700900123", "GB", None, "+447700900123"),
    ("447700900123", "FR", 145, "+447700900123"),
    # United States / Canada (011 is the international prefix there)
    ("2125550123", "US", 129, "+12125550123"),
    ("12125550123", "US", 161, "+12125550123"),
    ("(202) 555-0142", "US", None, "+12025550142"),
    ("011442079460001", "US", None, "+442079460001"),
    ("5551212", "US", 129, None),  # a local 7-digit number has no E.164 form
    # Belgium
    ("0470123456", "BE", 129, "+32470123456"),
    ("022345678", "BE", None, "+3222345678"),
    ("0032470123456", "FR", None, "+32470123456"),
    # Switzerland
    ("0791234567", "CH", 129, "+41791234567"),
    ("0041791234567", "CH", 129, "+41791234567"),
    ("+41 44 668 18 00", "FR", None, "+41446681800"),
    # Germany
    ("015112345678", "DE", 129, "+4915112345678"),
    ("030123456", "DE", None, "+4930123456"),
    ("004915112345678", "DE", 129, "+4915112345678"),
    # not numbers, or not whole ones
    ("", "FR", None, None),
    ("Orange", "FR", 208, None),
    ("12 34", "FR", None, None),
    ("+1", "FR", None, None),
    ("0612345678", "FR", 208, None),  # alphanumeric type: never a number
    ("06\x0012345678", "FR", None, None),
]


@pytest.mark.parametrize(("number", "country", "ntype", "expected"), CASES)
def test_to_e164(number: str, country: str, ntype: int | None, expected: str | None) -> None:
    assert to_e164(number, country, number_type=ntype) == expected


def test_raw_form_is_kept_beside_it() -> None:
    n = normalise(" 0612345678 ", "FR", number_type=129)
    assert (n.raw, n.e164, n.best) == ("0612345678", "+33612345678", "+33612345678")
    alpha = normalise("EDF", "FR")
    assert (alpha.raw, alpha.e164, alpha.best) == ("EDF", None, "EDF")


def test_conversation_to_e164_delegates() -> None:
    from appliance.conversation.numbers import to_e164 as conv

    assert conv("0033612345678", "FR") == "+33612345678"
    assert conv("0791234567", "CH") == "+41791234567"
