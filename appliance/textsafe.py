"""Caller-controlled text, made safe where it goes: spreadsheets, screens, configuration values.

* :func:`csv_cell` — a CSV cell a spreadsheet will not run as a formula (``= + - @``, TAB, CR
  first: prefixed with ``'``); the page's export and ``permanence calls --format csv`` share it.
* :func:`strip_bidi` — the bidirectional controls (U+202A–202E embeddings and overrides,
  U+2066–2069 isolates) removed, so a caller id or a name cannot show a number reversed or
  reorder the text around it (page, SMS, MQTT, logs).
* :func:`control_characters` — the control characters of a configuration value (config file
  and settings page share the check).

>>> csv_cell("=HYPERLINK(1)"), csv_cell("\\tx"), csv_cell("-12"), csv_cell(None)
("'=HYPERLINK(1)", "'\\tx", '-12', '')
>>> strip_bidi("+33 6 \\u202e87 65\\u202c 43")
'+33 6 87 65 43'
>>> control_characters("ACME\\x00 SA\\n")
['\\\\x00', '\\\\n']
"""

from __future__ import annotations

import unicodedata

BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_BIDI_TABLE = {ord(c): None for c in BIDI_CONTROLS}


def strip_bidi(text: str) -> str:
    return text.translate(_BIDI_TABLE)


def strip_bidi_opt(text: str | None) -> str | None:
    return None if text is None else strip_bidi(text)


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def csv_cell(value: object) -> str:
    """A CSV cell that a spreadsheet will not run as a formula."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    text = strip_bidi(str(value))
    if text[:1] in ("=", "+", "-", "@", "\t", "\r") and not _is_number(text):
        text = "'" + text
    return text


def control_characters(text: str) -> list[str]:
    """The control characters (Unicode category Cc: C0, DEL, C1) and bidi controls in ``text``, escaped."""
    out = []
    for ch in text:
        if unicodedata.category(ch) == "Cc" or ch in BIDI_CONTROLS:
            out.append(repr(ch)[1:-1])
    return out
