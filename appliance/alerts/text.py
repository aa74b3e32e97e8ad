"""Alert texts: what the SMS says, how caller text is cleaned, and how replies are read.

Caller-controlled text (names, companies, what was said) is cleaned before it
goes into an SMS: control characters (newlines included) become spaces, HTML
tags are removed, runs of spaces collapse and each field is cut to a short
length. MQTT payloads keep the raw text inside JSON strings instead.

>>> clean("Jean\\n<b>Dupont</b>\\x07 ")
'Jean Dupont'
>>> is_ack("ok merci", ("OK",))
True
>>> is_ack("Pris !", ("PRIS",)), is_ack("pas ok", ("OK",))
(True, False)
"""

from __future__ import annotations

import functools
import re
import unicodedata
from typing import Any

from ..conversation.language import LANGS, language
from ..conversation.text import fold
from ..telephony.gsm7 import is_gsm7

_TAG = re.compile(r"<[^<>]{0,200}>")
_ANSI = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|\x1b[@-_]")
_SPACES = re.compile(r"\s+")

def clean(text: Any, limit: int = 160) -> str:
    """One line of printable text: no control characters, no HTML tags, at most ``limit`` chars."""
    if text is None:
        return ""
    s = _ANSI.sub(" ", str(text))
    s = "".join(" " if unicodedata.category(c) in ("Cc", "Cf", "Zl", "Zp") else c for c in s)
    s = _TAG.sub(" ", s).replace("<", " ").replace(">", " ")
    s = _SPACES.sub(" ", s).strip()
    if len(s) > limit:
        s = s[: limit - 1].rstrip() + "…"
    return s


def needs_unicode(text: str) -> bool:
    return not is_gsm7(text)


@functools.lru_cache(maxsize=1)
def _negations() -> frozenset[str]:
    """A word that negates the next one in any language the box speaks ("pas ok", "not ok", "no ok"):
    the languages' negations and one-word "no" answers (their language files)."""
    return frozenset(w for lang in LANGS for w in language(lang).matching.negations |
                     {fold(n) for n in language(lang).answers["no"] if " " not in fold(n)})


def is_ack(text: str, ack_words: tuple[str, ...]) -> bool:
    """True when a reply contains one of the ack words (case and accents ignored),
    and is not negated ("pas ok", "not ok")."""
    words = re.findall(r"\w+", fold(text))
    wanted = {fold(w) for w in ack_words if w.strip()}
    for i, w in enumerate(words):
        if w in wanted and not (i > 0 and words[i - 1] in _negations()):
            return True
    return False


_LABELS = {
    "fr": {"urgent": "URGENT", "call": "Appel", "callback": "Rappeler",
           "reply": "Répondez {ack} pour prendre",
           "digest": "Appels non urgents", "more": "et {n} autres", "unknown": "inconnu",
           "level": "niveau", "attempt": "{n}e appel aujourd'hui", "contract": "contrat"},
    "en": {"urgent": "URGENT", "call": "Call", "callback": "Call back", "reply": "Reply {ack} to take it",
           "digest": "Non-urgent calls", "more": "and {n} more", "unknown": "unknown",
           "level": "level", "attempt": "attempt {n} today", "contract": "contract"},
}


def labels(lang: str) -> dict[str, str]:
    return _LABELS.get(lang, _LABELS["en"])


def urgent_sms(info: dict[str, Any], *, lang: str, company: str, ack_word: str) -> str:
    """The short urgent SMS: who, their company, what, urgency, callback number, link."""
    lb = labels(lang)
    who = clean(info.get("name"), 40) or clean(info.get("caller_number"), 20) or lb["unknown"]
    org = clean(info.get("company"), 40)
    what = clean(info.get("summary") or info.get("category"), 120)
    urgency = clean(info.get("urgency"), 20)
    callback = clean(info.get("callback"), 20)
    url = clean(info.get("url"), 120)
    parts = [f"{lb['urgent']} {clean(company, 30)}:", who + (f" ({org})" if org else "")]
    parts.extend(caller_notes(info, lang))
    if what:
        parts.append("- " + what)
    if urgency:
        parts.append(f"[{urgency}]")
    text = " ".join(parts) + "."
    if callback:
        text += f" {lb['callback']} {callback}."
    if url:
        text += f" {url}"
    text += " " + lb["reply"].format(ack=clean(ack_word, 10) or "OK") + "."
    return text


def caller_notes(info: dict[str, Any], lang: str) -> list[str]:
    """What the directory and the call log add about the caller: "[contrat premium]", "3e appel aujourd'hui"."""
    lb = labels(lang)
    notes = []
    contract = clean(info.get("contract"), 20)
    if contract:
        notes.append(f"[{lb['contract']} {contract}]")
    attempt = info.get("attempt")
    if isinstance(attempt, int) and attempt > 1:
        notes.append("(" + lb["attempt"].format(n=attempt) + ")")
    return notes


def digest_sms(items: list[dict[str, Any]], *, lang: str, company: str, max_items: int = 5) -> str:
    lb = labels(lang)
    lines = [f"{clean(company, 30)}: {lb['digest']} ({len(items)})"]
    for it in items[:max_items]:
        who = clean(it.get("name"), 30) or clean(it.get("caller_number"), 20) or lb["unknown"]
        what = clean(it.get("summary") or it.get("category"), 60)
        notes = " ".join(caller_notes(it, lang))
        lines.append(f"- {who}" + (f" {notes}" if notes else "") + (f": {what}" if what else ""))
    if len(items) > max_items:
        lines.append(lb["more"].format(n=len(items) - max_items))
    return "\n".join(lines)
