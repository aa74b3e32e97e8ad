"""The customer directory: CSV and vCard imports (table-driven, malformed rows reported with their
line), the store's limits, merging, corrupt files, lookups in E.164 and the recogniser's phrases."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import pytest

from appliance.config import ContractConfig, DirectoryConfig
from appliance.directory import Contact, Directory
from appliance.directory.importers import parse_csv, parse_file, parse_vcard
from appliance.errors import DirectoryError

CONTRACTS = ["standard", "premium"]


# --------------------------------------------------------------------------- CSV

@pytest.mark.parametrize("text, rows, errors", [
    # French Excel: semicolons, accents, a name split in two columns, several numbers in one cell
    ("Prénom;Nom;Société;Téléphone mobile;Téléphone bureau;Contrat\n"
     "Anne;Gale;Gale & Fils;06 12 34 56 78;01 45 67 89 10;premium\n",
     [("Anne Gale", "Gale & Fils", ("+33612345678", "+33145678910"), "premium")], []),
    # Google Contacts: commas, "Phone 1 - Value" with ' ::: ' between numbers
    ('Name,Organization 1 - Name,Phone 1 - Value\n"Paul Durand",Durand SA,+33 6 98 76 54 32 ::: 0145678911\n',
     [("Paul Durand", "Durand SA", ("+33698765432", "+33145678911"), "")], []),
    # a company without a person, a tab-separated file
    ("company\tphone\nBoulangerie du Lac\t04 50 12 34 56\n", [("", "Boulangerie du Lac", ("+33450123456",), "")], []),
    # bad rows: no number, a word for a number, unknown contract, nothing to name; empty lines skipped
    ("Nom;Téléphone;Contrat\nSans numéro;;\nMot;pas un numéro;\n\nOr;06 11 11 11 11;gold\n;06 22 22 22 22;\n"
     "Bon;06 33 33 33 33;STANDARD\n",
     [("Bon", "", ("+33633333333",), "standard")],
     [(2, "expected at least one telephone number"), (3, "is not a telephone number"),
      (5, "unknown level 'gold'"), (6, "expected at least one of them")]),
    # a quoted cell over two lines: the next row's line number is still right
    ('Nom,Téléphone,Site\n"Gale","06 12 34 56 78","3 rue du Lac\nAnnecy"\nX,nope,\n',
     [("Gale", "", ("+33612345678",), "")], [(4, "is not a telephone number")]),
    # no telephone column at all: the whole file is refused on line 1, with the headings seen
    ("Nom;Ville\nGale;Annecy\n", [], [(1, "no telephone column among the headings ('Nom', 'Ville')")]),
    ("", [], [(1, "the file is empty")]),
    # control and bidi characters are cleaned, a NUL byte does not stop the file
    ("Nom;Tel\nMme\u202eGale\x00;0612345678\n", [("Mme Gale", "", ("+33612345678",), "")], []),
    # a field too long is refused with its line
    ("Nom;Tel\n" + "x" * 150 + ";0612345678\n", [], [(2, "name: expected at most 100 characters")]),
])
def test_csv_import(text: str, rows: list[tuple[str, str, tuple[str, ...], str]],
                    errors: list[tuple[int, str]]) -> None:
    got = parse_csv(text.encode("utf-8"), country="FR", contracts=CONTRACTS)
    assert [(c.name, c.company, c.numbers, c.contract) for _, c in got.rows] == rows
    assert len(got.errors) == len(errors), got.errors
    for (line, msg), (want_line, want_msg) in zip(got.errors, errors, strict=True):
        assert line == want_line and want_msg in msg, (line, msg)


def test_csv_in_windows_1252_with_a_bom_free_header() -> None:
    data = "Nom;Société;Tél\r\nHélène Mérieux;Éts Mérieux;0612345678\r\n".encode("cp1252")
    got = parse_csv(data)
    assert [(c.name, c.company) for _, c in got.rows] == [("Hélène Mérieux", "Éts Mérieux")]


def test_numbers_from_a_british_line_and_international_ones() -> None:
    got = parse_csv(b"Name,Phone\nAnn,020 7946 0958\nBob,+33 6 12 34 56 78\n", country="GB")
    assert [c.numbers for _, c in got.rows] == [("+442079460958",), ("+33612345678",)]


# --------------------------------------------------------------------------- vCard

VCF = """BEGIN:VCARD
VERSION:3.0
FN:Mme Gale
ORG:Gale & Fils;Atelier
TEL;TYPE=CELL:06 12 34 56 78
TEL;TYPE=WORK:+33 1 45 67 89 10
ADR;TYPE=WORK:;;3 rue du Lac;Annecy;;74000;France
CATEGORIES:premium,VIP
X-PERMANENCE-GREETING:Madame Gale
END:VCARD
BEGIN:VCARD
VERSION:2.1
N:Durand;Paul
TEL;CELL:0698765432
END:VCARD
BEGIN:VCARD
VERSION:3.0
FN:Broken
TEL;TYPE=CELL:06 11 11 11 11
this line is garbage without a colon
END:VCARD
BEGIN:VCARD
VERSION:4.0
FN:No number
END:VCARD
BEGIN:VCARD
VERSION:3.0
FN:Never closed
TEL:0622222222
"""


def test_vcard_import_reads_good_cards_and_reports_bad_ones_by_line() -> None:
    got = parse_vcard(VCF.encode(), contracts=CONTRACTS)
    assert [(line, c.name, c.company, c.numbers, c.site, c.contract, c.greeting) for line, c in got.rows] == [
        (1, "Mme Gale", "Gale & Fils", ("+33612345678", "+33145678910"), "3 rue du Lac, Annecy", "premium",
         "Madame Gale"),
        (11, "Paul Durand", "", ("+33698765432",), "", "", "")]
    assert [line for line, _ in got.errors] == [16, 22, 26]
    assert "unreadable card" in got.errors[0][1] and "telephone" in got.errors[1][1]
    assert "without END:VCARD" in got.errors[2][1]


@pytest.mark.parametrize("data, name, kind", [
    (VCF.encode(), "contacts.vcf", "vcard"), (VCF.encode(), "", "vcard"),
    (b"Nom;Tel\nA;0612345678\n", "export.csv", "csv"), (b"not a vcard at all", "x.vcf", "vcard"),
])
def test_parse_file_tells_csv_from_vcard(data: bytes, name: str, kind: str) -> None:
    got = parse_file(data, name, contracts=CONTRACTS)
    if kind == "vcard":
        assert got.rows or "BEGIN:VCARD" in got.errors[0][1]
    else:
        assert got.rows[0][1].name == "A"


# --------------------------------------------------------------------------- store

def contact(numbers: list[str], name: str = "", company: str = "", **kw: str) -> Contact:
    return Contact.build(numbers=numbers, name=name, company=company, **kw)


def test_lookup_in_e164_whatever_the_caller_id_form(tmp_path: Path) -> None:
    d = Directory(tmp_path, DirectoryConfig(contracts=(ContractConfig("premium", "Premium", "critical"),)))
    d.save(contact(["06 12 34 56 78"], "Mme Gale", "Gale & Fils", contract="premium", greeting="Madame Gale"),
           who="anne")
    for caller_id in ("+33612345678", "0612345678", "06.12.34.56.78", "0033612345678"):
        assert d.lookup(caller_id) is not None, caller_id
    assert d.lookup("0698765432") is None and d.lookup(None) is None and d.lookup("Orange") is None
    k = d.known_caller("0612345678")
    assert k is not None and (k.name, k.company, k.contract, k.priority_floor, k.greeting_name) == (
        "Mme Gale", "Gale & Fils", "premium", "critical", "Madame Gale")
    # a second process (the CLI) sees the change: the file is re-read when it changed
    other = Directory(tmp_path)
    assert other.lookup("+33612345678") is not None
    assert json.loads((tmp_path / "directory-changes.jsonl").read_text().splitlines()[0])["by"] == "anne"


def test_a_number_belongs_to_one_entry_and_the_directory_has_a_size_limit(tmp_path: Path) -> None:
    d = Directory(tmp_path, DirectoryConfig(max_entries=2))
    a = d.save(contact(["0611111111"], "A"), who="t")
    with pytest.raises(DirectoryError, match="already belongs to A"):
        d.save(contact(["0622222222", "06 11 11 11 11"], "B"), who="t")
    d.save(contact(["0622222222"], "B"), who="t")
    with pytest.raises(DirectoryError, match="directory is full"):
        d.save(contact(["0633333333"], "C"), who="t")
    d.save(Contact.build(id=a.id, numbers=["0611111111"], name="A renamed"), who="t")  # an edit is no new entry
    assert [c.name for c in d.all()] == ["A renamed", "B"]
    with pytest.raises(DirectoryError, match="unknown level"):
        d.save(contact(["0644444444"], "D", contract="gold"), who="t")
    assert d.delete(a.id, who="t") and not d.delete(a.id, who="t")


def test_import_merges_by_number_respects_the_limit_and_can_replace(tmp_path: Path) -> None:
    d = Directory(tmp_path, DirectoryConfig(max_entries=3))
    d.save(contact(["0611111111"], "Anne"), who="t")
    parsed = parse_csv("Nom;Société;Tel\nAnne Gale;Gale & Fils;06 11 11 11 11\nB;;0622222222\nC;;0633333333\n"
                       "D;;0644444444\n".encode())
    report = d.import_contacts(parsed.rows, who="anne")
    assert (report.added, report.updated) == (2, 1)
    assert report.errors == [(5, "the directory is full (3 entries, directory.max_entries)")]
    gale = d.lookup("0611111111")
    assert gale is not None and (gale.name, gale.company, gale.updated_by) == ("Anne Gale", "Gale & Fils", "anne")
    report = d.import_contacts(parse_csv(b"Nom;Tel\nZ;0655555555\n").rows, who="anne", replace=True)
    assert report.added == 1 and [c.name for c in d.all()] == ["Z"]


def test_corrupt_file_is_moved_aside_and_the_box_goes_on(tmp_path: Path) -> None:
    (tmp_path / "directory.json").write_text('{"contacts": [{"id": 3}]}')
    d = Directory(tmp_path)
    assert d.lookup("0611111111") is None and len(d) == 0
    (moved,) = (tmp_path / "quarantine").glob("directory.json.*")  # for a human to look at, never deleted
    assert moved.read_text() == '{"contacts": [{"id": 3}]}'
    assert any("directory.json" in p for p in d.quarantine.problems())
    d.save(contact(["0611111111"], "A"), who="t")
    assert d.lookup("0611111111") is not None


def test_phrases_are_the_names_and_companies_once(tmp_path: Path) -> None:
    d = Directory(tmp_path)
    d.save(contact(["0611111111"], "Mme Gale", "Gale & Fils"), who="t")
    d.save(contact(["0622222222"], "Paul Gale", "Gale & Fils"), who="t")
    d.save(contact(["0633333333"], company="Boulangerie du Lac"), who="t")
    assert sorted(d.phrases()) == ["Boulangerie du Lac", "Gale & Fils", "Mme Gale", "Paul Gale"]


def test_concurrent_writers_lose_nothing(tmp_path: Path) -> None:
    """The page and a command-line import write at once: the flock serialises them."""
    a, b = Directory(tmp_path), Directory(tmp_path)

    def fill(d: Directory, base: int) -> None:
        for i in range(15):
            d.save(contact([f"06{base + i:08d}"], f"n{base + i}"), who="t")

    threads = [threading.Thread(target=fill, args=(a, 10_000_000)), threading.Thread(target=fill, args=(b, 20_000_000))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(Directory(tmp_path)) == 30
