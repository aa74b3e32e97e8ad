"""Read a customer directory from a CSV or vCard export: entries, and each refused row with its line.

Parsing is free of I/O: bytes in, :class:`Parsed` out. CSV goes through the standard ``csv``
module (delimiter sniffed among , ; and TAB, UTF-8 with or without BOM, else Windows-1252 as
French Excel writes it); the headings are matched against ``columns.toml``. vCard (2.1, 3.0,
4.0, one file holding many cards, as phones and CRMs export them) goes through ``vobject``, one
card at a time, so a broken card is reported with its first line and the others are read.

>>> p = parse_csv("Nom;Société;Téléphone\\nGale;Gale & Fils;06 12 34 56 78\\nX;;pas un numéro\\n".encode())
>>> [(line, c.name, c.numbers) for line, c in p.rows]
[(2, 'Gale', ('+33612345678',))]
>>> p.errors
[(3, "number: 'pas un numéro' is not a telephone number")]
"""

from __future__ import annotations

import csv
import dataclasses
import io
import re
import tomllib
import unicodedata
from collections.abc import Iterable, Iterator
from pathlib import Path

from ..errors import DirectoryError
from .model import Contact, clean_text

COLUMNS_FILE = Path(__file__).with_name("columns.toml")
_NUMBER_SPLIT = re.compile(r"\s*(?:;|,|/|:::|\|)\s*")
MAX_ROWS = 100_000
_VOBJECT_LINE = re.compile(r"^At line \d+:\s*")  # vobject counts lines across cards: the card's line is ours


@dataclasses.dataclass
class Parsed:
    """Entries read (with the line each starts on) and refused rows (line, reason)."""

    rows: list[tuple[int, Contact]] = dataclasses.field(default_factory=list)
    errors: list[tuple[int, str]] = dataclasses.field(default_factory=list)


def heading_key(heading: str) -> str:
    """``"Téléphone mobile"`` -> ``"telephonemobile"``: how headings are compared."""
    decomposed = unicodedata.normalize("NFKD", heading)
    return "".join(c for c in decomposed if c.isalnum() and not unicodedata.combining(c)).casefold()


def load_columns(path: Path = COLUMNS_FILE) -> dict[str, frozenset[str]]:
    """Field -> the folded headings that mean it."""
    with open(path, "rb") as f:
        data = tomllib.load(f)
    return {field: frozenset(heading_key(h) for h in headings) for field, headings in data.items()}


def decode(data: bytes) -> str:
    """UTF-8 (a BOM is dropped), else Windows-1252; NUL bytes removed."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")
    return text.replace("\x00", "")


def _dialect(sample: str) -> type[csv.Dialect] | csv.Dialect:
    try:
        return csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        return csv.excel


def _map_headings(header: list[str], columns: dict[str, frozenset[str]]) -> dict[str, list[int]]:
    mapping: dict[str, list[int]] = {}
    for i, heading in enumerate(header):
        key = heading_key(heading)
        for field, names in columns.items():
            if key in names:
                mapping.setdefault(field, []).append(i)
                break
    return mapping


def _cell(row: list[str], idx: list[int]) -> str:
    return " ".join(clean_text(row[i]) for i in idx if i < len(row) and row[i].strip())


def parse_csv(data: bytes, *, country: str = "FR", contracts: Iterable[str] | None = None,
              columns: dict[str, frozenset[str]] | None = None) -> Parsed:
    """Entries of a CSV export whose first row names the columns."""
    cols = columns if columns is not None else load_columns()
    out = Parsed()
    text = decode(data)
    reader = csv.reader(io.StringIO(text, newline=""), _dialect(text[:8192]))
    try:
        header = next(reader)
    except StopIteration:
        out.errors.append((1, "the file is empty"))
        return out
    except csv.Error as exc:
        out.errors.append((1, f"not a CSV file: {exc}"))
        return out
    mapping = _map_headings(header, cols)
    if "number" not in mapping:
        shown = ", ".join(repr(clean_text(h)[:30]) for h in header[:12])
        out.errors.append((1, f"no telephone column among the headings ({shown}): name one "
                              f"'Phone' or 'Téléphone', or add its heading to directory/columns.toml"))
        return out
    if not ({"name", "first_name", "last_name", "company"} & set(mapping)):
        out.errors.append((1, "no name or company column among the headings"))
        return out
    allowed = list(contracts) if contracts is not None else None
    line = reader.line_num + 1
    while True:
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            out.errors.append((line, f"unreadable row: {exc}"))
            line = reader.line_num + 1
            continue
        this, line = line, reader.line_num + 1
        if not any(cell.strip() for cell in row):
            continue
        if len(out.rows) + len(out.errors) >= MAX_ROWS:
            out.errors.append((this, f"more than {MAX_ROWS} rows: the rest is ignored"))
            break
        _read_row(row, this, mapping, country, allowed, out)
    return out


def _read_row(row: list[str], line: int, mapping: dict[str, list[int]], country: str,
              allowed: list[str] | None, out: Parsed) -> None:
    numbers = [n for i in mapping["number"] if i < len(row) for n in _NUMBER_SPLIT.split(row[i]) if n.strip()]
    name = _cell(row, mapping.get("name", [])) or " ".join(
        x for x in (_cell(row, mapping.get("first_name", [])), _cell(row, mapping.get("last_name", []))) if x)
    try:
        c = Contact.build(numbers=numbers, country=country, contracts=allowed, name=name,
                          company=_cell(row, mapping.get("company", [])),
                          site=_cell(row, mapping.get("site", [])),
                          contract=_cell(row, mapping.get("contract", [])).casefold(),
                          greeting=_cell(row, mapping.get("greeting", [])))
    except DirectoryError as exc:
        out.errors.append((line, str(exc)))
        return
    out.rows.append((line, c))


# --------------------------------------------------------------------------- vCard

def split_cards(text: str) -> Iterator[tuple[int, str]]:
    """Each ``BEGIN:VCARD`` ... ``END:VCARD`` block with the line it starts on; text outside
    cards is skipped."""
    start: int | None = None
    lines: list[str] = []
    for n, raw in enumerate(text.splitlines(), start=1):
        tag = raw.strip().upper()
        if tag == "BEGIN:VCARD":
            start, lines = n, [raw]
        elif start is not None:
            lines.append(raw)
            if tag == "END:VCARD":
                yield start, "\r\n".join(lines) + "\r\n"
                start, lines = None, []
    if start is not None:
        yield start, ""  # a card never closed


def parse_vcard(data: bytes, *, country: str = "FR", contracts: Iterable[str] | None = None) -> Parsed:
    """Entries of a vCard file (one or many cards)."""
    import vobject  # a well-kept vCard parser; imported here so the call path never loads it

    out = Parsed()
    allowed = list(contracts) if contracts is not None else None
    found = False
    for line, card in split_cards(decode(data)):
        found = True
        if not card:
            out.errors.append((line, "card without END:VCARD"))
            continue
        if len(out.rows) + len(out.errors) >= MAX_ROWS:
            out.errors.append((line, f"more than {MAX_ROWS} cards: the rest is ignored"))
            break
        try:
            vc = vobject.readOne(card)
            c = _from_vcard(vc, country, allowed)
        except DirectoryError as exc:
            out.errors.append((line, str(exc)))
        except Exception as exc:  # noqa: BLE001 - vobject raises many kinds on a broken card: report it
            why = _VOBJECT_LINE.sub("", clean_text(exc))[:120]
            out.errors.append((line, f"unreadable card: {why}"))
        else:
            out.rows.append((line, c))
    if not found:
        out.errors.append((1, "no BEGIN:VCARD in the file: not a vCard export"))
    return out


def _values(vc: object, name: str) -> list[object]:
    return [p.value for p in getattr(vc, "contents", {}).get(name, [])]


def _from_vcard(vc: object, country: str, allowed: list[str] | None) -> Contact:
    name = " ".join(str(v) for v in _values(vc, "fn")[:1]).strip()
    if not name:
        for n in _values(vc, "n")[:1]:
            name = " ".join(x for x in (getattr(n, "given", ""), getattr(n, "family", "")) if isinstance(x, str))
    company = ""
    for org in _values(vc, "org")[:1]:
        company = str(org[0]) if isinstance(org, list) and org else str(org or "")
    site = ""
    for adr in _values(vc, "adr")[:1]:
        parts = [getattr(adr, k, "") for k in ("street", "city")]
        site = ", ".join(" ".join(p) if isinstance(p, list) else str(p) for p in parts if p)
    contract = ""
    for raw in _values(vc, "x-permanence-contract")[:1] + _values(vc, "categories"):
        for item in raw if isinstance(raw, list) else [raw]:
            key = clean_text(item).casefold()
            if allowed is None or key in allowed:
                contract = key
                break
        if contract:
            break
    return Contact.build(numbers=[str(v) for v in _values(vc, "tel")], country=country, contracts=allowed,
                         name=name, company=company, site=site, contract=contract,
                         greeting=" ".join(str(v) for v in _values(vc, "x-permanence-greeting")[:1]))


def parse_file(data: bytes, filename: str = "", **kw: object) -> Parsed:
    """CSV or vCard, told by the name's extension or, without one, by the content."""
    lower = filename.lower()
    if lower.endswith((".vcf", ".vcard")) or (not lower.endswith((".csv", ".txt"))
                                               and b"BEGIN:VCARD" in data[:4096].upper()):
        return parse_vcard(data, **kw)  # type: ignore[arg-type]
    return parse_csv(data, **kw)  # type: ignore[arg-type]
