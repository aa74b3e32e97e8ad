"""Spoken telephone numbers: every French form 0-99, hundreds, groupings, digits, English."""

from __future__ import annotations

import pytest

from appliance.conversation.numbers import (
    damaged_repeat,
    find_phone,
    incomplete_number,
    misheard_repeat,
    read_back,
    refers_to_caller_id,
    spoken_digits,
    to_e164,
)

# Written out by hand, the way a recogniser writes them (with hyphens).
FRENCH_0_99 = """zéro un deux trois quatre cinq six sept huit neuf dix onze douze treize quatorze quinze seize
dix-sept dix-huit dix-neuf vingt vingt-et-un vingt-deux vingt-trois vingt-quatre vingt-cinq vingt-six
vingt-sept vingt-huit vingt-neuf trente trente-et-un trente-deux trente-trois trente-quatre trente-cinq
trente-six trente-sept trente-huit trente-neuf quarante quarante-et-un quarante-deux quarante-trois
quarante-quatre quarante-cinq quarante-six quarante-sept quarante-huit quarante-neuf cinquante
cinquante-et-un cinquante-deux cinquante-trois cinquante-quatre cinquante-cinq cinquante-six cinquante-sept
cinquante-huit cinquante-neuf soixante soixante-et-un soixante-deux soixante-trois soixante-quatre
soixante-cinq soixante-six soixante-sept soixante-huit soixante-neuf soixante-dix soixante-et-onze
soixante-douze soixante-treize soixante-quatorze soixante-quinze soixante-seize soixante-dix-sept
soixante-dix-huit soixante-dix-neuf quatre-vingts quatre-vingt-un quatre-vingt-deux quatre-vingt-trois
quatre-vingt-quatre quatre-vingt-cinq quatre-vingt-six quatre-vingt-sept quatre-vingt-huit quatre-vingt-neuf
quatre-vingt-dix quatre-vingt-onze quatre-vingt-douze quatre-vingt-treize quatre-vingt-quatorze
quatre-vingt-quinze quatre-vingt-seize quatre-vingt-dix-sept quatre-vingt-dix-huit quatre-vingt-dix-neuf""".split()


def test_the_table_has_every_number() -> None:
    assert len(FRENCH_0_99) == 100


@pytest.mark.parametrize("n", range(100))
def test_every_french_form_alone(n: int) -> None:
    assert spoken_digits(FRENCH_0_99[n], "fr") == str(n)


@pytest.mark.parametrize("n", range(10, 100))
def test_every_two_digit_group_inside_a_number(n: int) -> None:
    # 03 + n + 12 34 56: the group is read in a complete national number, hyphens or spaces
    for form in (FRENCH_0_99[n], FRENCH_0_99[n].replace("-", " ")):
        said = f"zéro trois {form} douze trente-quatre cinquante-six"
        assert find_phone(said, lang="fr") == f"+333{n:02d}123456", said


@pytest.mark.parametrize("said,expected", [
    ("vingt et un", "21"), ("soixante et onze", "71"), ("quatre vingt", "80"), ("quatre-vingt", "80"),
    ("cent", "100"), ("cent onze", "111"), ("deux cents", "200"), ("trois cent douze", "312"),
    ("neuf cent quatre-vingt-dix-neuf", "999"), ("quatre vingt dix neuf", "99"), ("une", "1"),
])
def test_other_french_forms(said: str, expected: str) -> None:
    assert spoken_digits(said, "fr") == expected


@pytest.mark.parametrize("said,expected", [
    ("zéro six douze trente-quatre cinquante-six soixante-dix-huit", "+33612345678"),
    ("zero six douze trente quatre cinquante six soixante dix huit", "+33612345678"),
    ("zéro deux cinquante soixante soixante-dix quatre-vingts", "+33250607080"),
    ("zéro un soixante soixante-dix quatre-vingts quatre-vingt-dix", "+33160708090"),
    ("zéro trois vingt dix dix dix", "+33320101010"),
    ("zéro quatre soixante et onze zéro zéro zéro cent onze", "+33471000111"),
    ("zéro cinq cinquante zéro cent onze vingt-deux", "+33550011122"),
    ("zéro six double zéro trente-trois quarante-quatre cinquante-cinq", "+33600334455"),
    ("06 12 34 56 78", "+33612345678"),
    ("0612345678", "+33612345678"),
    ("+33612345678", "+33612345678"),
    ("Rappelez-moi au 06.12.34.56.78.", "+33612345678"),
    ("zéro six 12 trente-quatre 56 soixante-dix-huit", "+33612345678"),
    ("rappelez-moi au zéro sept vingt et un vingt-deux quatre-vingt-un quatre-vingt-onze", "+33721228191"),
    ("plus trente-trois six douze trente-quatre cinquante-six soixante-dix-huit", "+33612345678"),
    ("euh zéro six douze euh trente-quatre cinquante-six soixante-dix-huit", "+33612345678"),
    ("non c'est le zéro six douze trente-quatre cinquante-six soixante-dix-neuf", "+33612345679"),
    ("c'est un zéro six dix onze douze treize", "+33610111213"),
])
def test_french_phone_numbers(said: str, expected: str) -> None:
    assert find_phone(said, lang="fr") == expected


@pytest.mark.parametrize("said", [
    "", "bonjour", "zéro six douze", "la facture numéro deux mille trois cent douze",
    "un devis pour deux chaudières", "zéro six douze trente-quatre cinquante-six soixante-dix-huit quatre-vingt-dix"
    " onze douze treize quatorze quinze seize",
])
def test_no_phone_number(said: str) -> None:
    assert find_phone(said, lang="fr") is None


def test_a_correction_wins() -> None:
    said = "zéro six douze douze douze douze non pardon zéro six treize treize treize treize"
    assert find_phone(said, lang="fr") == "+33613131313"


@pytest.mark.parametrize("said,expected", [
    ("au bureau zéro deux quarante vingt-neuf quatorze quatre-vingt-deux sinon le portable zéro six cinquante-huit "
     "vingt-deux soixante-sept treize mais de préférence le bureau", "+33240291482"),
    ("le fixe zéro deux quatre-vingt-dix-sept quarante et un cinquante trente-huit mais plutôt sur le portable zéro six "
     "dix soixante-quatorze vingt-cinq quatre-vingt-huit", "+33610742588"),
    ("le fixe zéro deux quatre-vingt-dix-sept quarante et un cinquante trente-huit ou le portable zéro six dix "
     "soixante-quatorze vingt-cinq quatre-vingt-huit", "+33610742588"),  # no preference: the last one said
    ("au zéro quatre quatre-vingt-onze cinquante-cinq quatre-vingt-deux zéro zéro ou à défaut sur mon portable zéro "
     "six vingt-trois quarante-cinq soixante-sept quatre-vingt-neuf", "+33491558200"),  # the other one if need be
    ("zéro sept quarante-cinq quatre-vingt-neuf trente-trois dix ou celui de ma mère si je réponds pas zéro six "
     "douze zéro neuf quatre-vingt-huit soixante et onze", "+33745893310"),
    # a time after the number is no correction of it
    ("zéro six treize quatre-vingt-douze soixante-six zéro quatre plutôt entre quatorze heures et seize heures",
     "+33613926604"),
])
def test_the_preferred_line(said: str, expected: str) -> None:
    assert find_phone(said, lang="fr") == expected


@pytest.mark.parametrize("said,lang,country,expected", [
    # only the last group said again, after a correction word
    ("zéro trois quatre-vingt-sept soixante-cinq onze quarante-huit non pardon quarante-neuf", "fr", "FR",
     "+33387651149"),
    ("zéro six douze trente-quatre cinquante-six soixante-dix-huit plutôt soixante-dix-neuf", "fr", "FR",
     "+33612345679"),
    ("oh seven seven double oh nine hundred one two three sorry one two four", "en", "GB", "+447700900124"),
    # a number said after other words is not a correction
    ("zéro six douze trente-quatre cinquante-six soixante-dix-huit poste vingt-deux", "fr", "FR", "+33612345678"),
    ("zéro six douze trente-quatre cinquante-six soixante-dix-huit non c'est bon", "fr", "FR", "+33612345678"),
    # a number followed by "et ..." ("et dépêchez-vous"): the "et" is not "vingt et un"
    ("zéro trois quatre-vingt-sept quatre-vingt-onze vingt-trois cinquante-cinq et dépêchez-vous", "fr", "FR",
     "+33387912355"),
])
def test_a_corrected_last_group(said: str, lang: str, country: str, expected: str) -> None:
    assert find_phone(said, lang=lang, country=country) == expected


@pytest.mark.parametrize("said,expected", [
    ("oh seven seven double oh nine hundred one two three", "+447700900123"),
    ("zero two zero seven nine four six zero zero zero one", "+442079460001"),
    ("oh one six three two nine six oh triple five", "+441632960555"),
    ("call me on oh seven nine one two three four five six seven eight", "+447912345678"),
    ("oh seven seven double oh nine hundred and twelve", None),
    ("oh one six three two nine six oh double two two", "+441632960222"),
    ("07700 900123", "+447700900123"),
    ("Call me on +44 7700 900123, please.", "+447700900123"),
    ("Oh, seven, seven, double oh, nine hundred, one, two, three.", "+447700900123"),
])
def test_english_phone_numbers(said: str, expected: str | None) -> None:
    assert find_phone(said, lang="en", country="GB") == expected


@pytest.mark.parametrize("number,country,expected", [
    ("06 12 34 56 78", "FR", "+33612345678"),
    ("06.12.34.56.78", "FR", "+33612345678"),
    ("0033612345678", "FR", "+33612345678"),
    ("+33 6 12 34 56 78", "FR", "+33612345678"),
    ("612345678", "FR", "+33612345678"),
    ("07700 900123", "GB", "+447700900123"),
    ("(202) 555-0142", "US", "+12025550142"),
    ("+44 20 7946 0001", "FR", "+442079460001"),
    ("12 34", "FR", None),
    ("", "FR", None),
    ("abc", "FR", None),
    ("+1", "FR", None),
])
def test_to_e164(number: str, country: str, expected: str | None) -> None:
    assert to_e164(number, country) == expected


def test_read_back_groups() -> None:
    assert read_back("+33612345678") == "06 12 34 56 78"
    assert read_back("+447700900123") == "07700 900 123"


@pytest.mark.parametrize("said,lang,expected", [
    ("vous pouvez me rappeler sur ce numéro", "fr", True),
    ("sur le numéro qui s'affiche", "fr", True),
    ("vous avez mon numéro", "fr", True),
    ("pas besoin de me rappeler merci", "fr", True),
    ("zéro six douze", "fr", False),
    ("on this number please", "en", True),
    ("on the number you have", "en", True),
    ("i can send you a brochure", "en", False),
])
def test_caller_id_phrases(said: str, lang: str, expected: bool) -> None:
    assert refers_to_caller_id(said, lang) is expected


@pytest.mark.parametrize("said,lang,country,expected", [
    # a hesitation inside the number, even inside "vingt et un"
    ("zéro quatre soixante-dix-huit soixante trente-cinq vingt hein et un", "fr", "FR", "+33478603521"),
    ("04 bah 78 hein 15 15 20", "fr", "FR", "+33478151520"),
    # a number word misheard by a letter: the first one heard as its twin, a hyphen kept
    ("séro quatre soixante-douze quinze quatre-vingt-dix-huit zéro trois", "fr", "FR", "+33472159803"),
    ("zéro quatre quatre-vingt-six vingt et un quarande-quatre soixante-dix", "fr", "FR", "+33486214470"),
    ("oh seven seven double oh mine hundred five five five", "en", "GB", "+447700900555"),
    # one repair makes the next word a number's neighbour; short words between two numbers
    ("oh seven seven double eh nane hundled six three six", "en", "GB", "+447700900636"),
    ("oh seven seven double oh nine uh hundred oni ono erm eight", "en", "GB", "+447700900118"),
    # the trunk zero lost, the rest said in the pairs a French number is said in
    ("cinq soixante-deux dix-huit vingt-quatre trente", "fr", "FR", "+33562182430"),
    ("rappelez-moi au 4 50 66 12 08", "fr", "FR", "+33450661208"),
    ("six quatorze trente-trois soixante-quinze zéro deux", "fr", "FR", "+33614337502"),
    ("six dix-neuf soixante et un double zéro quarante-deux", "fr", "FR", "+33619610042"),
    # not a number: English digits without their "oh" (order numbers are said so), a word that is no number word
    ("one six three two nine six oh five five five", "en", "GB", None),
    ("zéro six douze trente-quatre cinquante-six soixante-dix-huit", "fr", "FR", "+33612345678"),
    ("zéro six douze trente-quatre cinquante-six soixante-dix-huit sixte", "fr", "FR", "+33612345678"),
])
def test_a_damaged_number_is_read(said: str, lang: str, country: str, expected: str | None) -> None:
    assert find_phone(said, lang=lang, country=country) == expected


@pytest.mark.parametrize("said,number,expected", [
    ("+44770090065", "+447700900654", True),   # a digit lost at the end
    ("+44163296222", "+441632960222", True),   # ... in the middle
    ("+3347319522", "+33647319522", True),
    ("+335928147", "+33559281467", True),       # two lost
    ("+447700900654", "+447700900654", False),  # the same number is not damaged
    ("+33559281467", "+33559281400", False),   # a whole number that differs: another line (a direct line)
    ("+33502432195", "+33652432195", False),
    ("+3312", "+33612345678", False),
])
def test_a_damaged_repeat_of_a_number(said: str, number: str, expected: bool) -> None:
    assert damaged_repeat(said, number) is expected


@pytest.mark.parametrize("said", [
    "la facture numéro un deux trois quatre cinq six sept huit neuf",
    "commande six cent douze trois cent quarante-cinq six cent soixante-dix-huit",
    "commande cinq six deux un huit deux quatre trois zéro",  # nine digits said one by one: a reference
    "le numéro de commande 562182430",
])
def test_reference_numbers_are_not_phone_numbers(said: str) -> None:
    assert find_phone(said, lang="fr") is None


def test_us_numbers_have_no_trunk_zero() -> None:
    assert find_phone("two oh two five five five oh one four two", lang="en", country="US") == "+12025550142"


@pytest.mark.parametrize("said,lang,country,expected", [
    # a group lost by the recogniser: the digits that came out, for the technician to read
    ("rappelez-moi au zéro six quarante-trois dix-huit zéro deux", "fr", "FR", "06431802"),
    ("sur mon portable plutôt 06 43 18 02", "fr", "FR", "06431802"),
    ("call me on oh seven seven double oh nine hundred", "en", "GB", "07700900"),
    ("+33 6 43 18", "fr", "FR", "+3364318"),
    # a whole number is no incomplete one
    ("zéro six quarante-trois dix-huit zéro deux cinquante", "fr", "FR", None),
    ("oh seven seven double oh nine hundred six five four", "en", "GB", None),
    # numbers that are no telephone number: too short, or not begun with a trunk 0 or a +
    ("on ouvre à quatorze heures trente", "fr", "FR", None),
    ("la commande quarante-cinq soixante-dix-huit douze trente", "fr", "FR", None),
    ("zéro six douze", "fr", "FR", None),
    # malformed input
    ("", "fr", "FR", None),
    ("----", "en", "GB", None),
    ("0", "fr", "FR", None),
    ("\x00 zéro \ufffd six", "fr", "FR", None),
])
def test_a_number_said_but_not_whole(said: str, lang: str, country: str, expected: str | None) -> None:
    assert incomplete_number(said, lang=lang, country=country) == expected


@pytest.mark.parametrize("said,number,expected", [
    ("+447700909877", "+447700900987", True),   # "900 987" heard as "909 877": a digit moved between groups
    ("+33612435678", "+33612345678", False),    # two digits swapped: changed in place, another number
    ("+44770090065", "+447700900654", True),    # a digit lost (damaged_repeat)
    ("+447700900987", "+447700900987", False),  # the same number is no misheard one
    ("+33559281400", "+33559281467", False),    # digits changed in place: another line
    ("+33712345678", "+33612345678", False),    # one digit changed: another number
    ("+33654321876", "+33612345678", False),    # nothing alike
    ("", "+33612345678", False),
    ("abc", "", False),
])
def test_a_number_said_back_misheard(said: str, number: str, expected: bool) -> None:
    assert misheard_repeat(said, number) is expected
