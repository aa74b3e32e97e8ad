"""The prompt file: every sentence the box says, per language, editable (TOML).

Sections: ``[prompts]`` (sentences with ``{fields}``), ``[delays]`` (callback
delay per urgency level, in words), ``[hours]`` (how to say opening hours),
``[words]`` (more ways of saying yes, no, "I don't know"... than the language's own, which come from
its language file ``rules/<lang>.lang.toml`` [answers]: one list per language for the dialog and the
recogniser), ``[faq]`` (words that ask each simple question), ``[transfer]`` (what the box says when it puts an
urgent caller through: to the caller, and the brief to the technician; a prompt file without it uses the built-in
one of its language), ``[spelling]`` (letters and the spelling alphabet, see :mod:`.spelling`; a prompt file
without it uses the built-in one of its language). A missing sentence or an unknown ``{field}`` is a
:class:`~appliance.errors.ConfigError` naming the file and the key.
"""

from __future__ import annotations

import dataclasses
import string
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ..errors import ConfigError, QualificationError
from .language import language
from .spelling import Spelling
from .text import fold

PROMPTS_DIR = Path(__file__).with_name("prompts")

REQUIRED = ("greeting", "greeting_closed", "greeting_known", "greeting_known_closed", "ask_reason", "ask_urgency",
            "keypad_yes_no", "ask_identity", "ask_name", "confirm_identity", "confirm_name", "confirm_company",
            "ask_identity_again", "ask_name_again", "spell_name", "spell_company", "confirm_known",
            "confirm_known_name", "confirm_caller_id", "ask_number", "read_back", "number_not_understood",
            "number_confirmed", "no_callback", "urgent_because", "urgency_lowered", "urgent", "noted", "dont_know",
            "anything_else", "repeat", "take_message", "goodbye", "goodbye_no_callback", "goodbye_message",
            "faq_opening_hours", "faq_rates", "faq_availability", "faq_service_area", "faq_address", "faq_topic",
            "faq_unknown")
OPTIONAL = ("ask_company",)  # a business's prompt file written before a sentence existed still loads: never said
FIELDS = {"company", "number", "minutes", "delay", "answer", "hours", "because", "name", "caller_company",
          "greeting_name"}
CALL_FIELDS = ("number", "because", "name", "caller_company", "greeting_name")  # differ call by call: not cached
WORD_SETS = ("yes", "no", "dont_know", "nothing_else", "no_callback", "deny_urgent", "no_company")
FAQ_TOPICS = ("opening_hours", "rates", "availability", "service_area", "address")
HOURS_KEYS = ("days", "single_day", "day_span", "range", "join", "group_join", "time", "time_exact", "every_day",
              "all_day")
TRANSFER_KEYS = ("putting_through", "still_trying", "not_reached", "brief", "brief_name", "brief_name_company",
                 "brief_what", "brief_delay", "brief_number", "choice", "connecting")
TRANSFER_FIELDS = {"company", "person", "name", "caller_company", "what", "delay", "minutes", "number"}


@dataclasses.dataclass(frozen=True)
class Prompts:
    lang: str
    source: str
    text: Mapping[str, str]
    delays: Mapping[str, str]
    hours: Mapping[str, Any]
    words: Mapping[str, tuple[str, ...]]  # folded phrases
    phrases: Mapping[str, tuple[str, ...]]  # the same, as written (a grammar hint for the recogniser)
    faq: Mapping[str, tuple[str, ...]]  # folded phrases (may end with *)
    spelling: Spelling
    transfer: Mapping[str, str] = dataclasses.field(default_factory=dict)
    """Sentences of a transfer (TRANSFER_KEYS)."""

    def say(self, key: str, **fields: Any) -> str:
        return self.text[key].format(**fields)

    def fixed(self, key: str) -> bool:
        """True when the sentence is the same on every call (it can come from the prompt cache)."""
        return not any(f"{{{f}}}" in self.text[key] for f in CALL_FIELDS)


def _fail(source: str, key: str, msg: str) -> ConfigError:
    return ConfigError(f"{source}: {key}: {msg}")


def _strings(source: str, key: str, value: Any) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise _fail(source, key, "expected a list of non-empty strings")
    return tuple(value)


def _fold_phrase(p: str) -> str:
    return " ".join(fold(p.replace("*", " zqzstar ")).replace(" zqzstar", "*").split())


def _answers(lang: str) -> Mapping[str, tuple[str, ...]]:
    """The language's own answer words (none for a language without a language file)."""
    try:
        return language(lang).answers
    except QualificationError:
        return {}


def parse_prompts(data: Mapping[str, Any], source: str) -> Prompts:
    allowed = {"lang", "prompts", "delays", "hours", "words", "faq", "transfer", "spelling"}
    for k in data:
        if k not in allowed:
            raise _fail(source, k, f"unknown key (known keys: {', '.join(sorted(allowed))})")
    lang = data.get("lang")
    if not isinstance(lang, str) or not lang:
        raise _fail(source, "lang", "expected a language code such as fr or en")
    prompts = data.get("prompts")
    if not isinstance(prompts, dict):
        raise _fail(source, "prompts", "expected a [prompts] table")
    for key in REQUIRED:
        if key not in prompts:
            raise _fail(source, f"prompts.{key}", "missing sentence")
    for key, value in prompts.items():
        if key not in REQUIRED and key not in OPTIONAL:
            raise _fail(source, f"prompts.{key}", f"unknown prompt (known: {', '.join(REQUIRED + OPTIONAL)})")
        if not isinstance(value, str) or not value.strip():
            raise _fail(source, f"prompts.{key}", "expected a non-empty sentence")
        try:
            names = {f for _, f, _, _ in string.Formatter().parse(value) if f is not None}
        except ValueError as exc:
            raise _fail(source, f"prompts.{key}", f"bad {{field}} syntax: {exc}") from None
        unknown = names - FIELDS
        if unknown:
            raise _fail(source, f"prompts.{key}",
                        f"unknown field {{{sorted(unknown)[0]}}} (known: {', '.join(sorted(FIELDS))})")
    delays = data.get("delays", {})
    if not isinstance(delays, dict) or not all(isinstance(v, str) for v in delays.values()):
        raise _fail(source, "delays", "expected a table of level id = \"delay in words\"")
    hours = data.get("hours")
    if not isinstance(hours, dict):
        raise _fail(source, "hours", "expected an [hours] table")
    for key in HOURS_KEYS:
        if key not in hours:
            raise _fail(source, f"hours.{key}", "missing")
    if len(_strings(source, "hours.days", hours["days"])) != 7:
        raise _fail(source, "hours.days", "expected the seven day names, Monday first")
    words = data.get("words", {})
    if not isinstance(words, dict):
        raise _fail(source, "words", "expected a [words] table")
    wsets = {}
    raw = {}
    base = _answers(lang)
    for key in WORD_SETS:
        raw[key] = tuple(dict.fromkeys([*base.get(key, ()), *_strings(source, f"words.{key}", words.get(key, []))]))
        wsets[key] = tuple(_fold_phrase(p) for p in raw[key])
    for key in words:
        if key not in WORD_SETS:
            raise _fail(source, f"words.{key}", f"unknown word list (known: {', '.join(WORD_SETS)})")
    faq = data.get("faq", {})
    if not isinstance(faq, dict):
        raise _fail(source, "faq", "expected a [faq] table")
    fsets = {}
    for key, value in faq.items():
        if key not in FAQ_TOPICS:
            raise _fail(source, f"faq.{key}", f"unknown topic (known: {', '.join(FAQ_TOPICS)})")
        fsets[key] = tuple(_fold_phrase(p) for p in _strings(source, f"faq.{key}", value))
    spelling, xfer = _tables(data, source, lang)
    return Prompts(lang, source, dict(prompts), dict(delays), dict(hours), wsets, raw, fsets, spelling, xfer)


def _sentences(table: Any, source: str, section: str, keys: tuple[str, ...], fields: set[str]) -> dict[str, str]:
    if not isinstance(table, dict):
        raise _fail(source, section, f"expected a [{section}] table")
    for key in keys:
        if key not in table:
            raise _fail(source, f"{section}.{key}", "missing sentence")
    for key, value in table.items():
        if key not in keys:
            raise _fail(source, f"{section}.{key}", f"unknown sentence (known: {', '.join(keys)})")
        if not isinstance(value, str) or not value.strip():
            raise _fail(source, f"{section}.{key}", "expected a non-empty sentence")
        try:
            names = {f for _, f, _, _ in string.Formatter().parse(value) if f is not None}
        except ValueError as exc:
            raise _fail(source, f"{section}.{key}", f"bad {{field}} syntax: {exc}") from None
        unknown = names - fields
        if unknown:
            raise _fail(source, f"{section}.{key}",
                        f"unknown field {{{sorted(unknown)[0]}}} (known: {', '.join(sorted(fields))})")
    return dict(table)


def _builtin_table(data: Mapping[str, Any], section: str, source: str, lang: str) -> Any:
    """``data[section]``, or the built-in prompt file's when a business file has none."""
    if section in data:
        return data[section]
    builtin = PROMPTS_DIR / f"{lang}.toml"
    if str(builtin) == source or not builtin.is_file():
        raise _fail(source, section, f"missing [{section}] table")
    try:
        return tomllib.loads(builtin.read_text(encoding="utf-8")).get(section, {})
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"{builtin}: cannot read the built-in [{section}] table: {exc}") from None


def _tables(data: Mapping[str, Any], source: str, lang: str) -> tuple[Spelling, dict[str, str]]:
    """The ``[spelling]`` tables and the ``[transfer]`` sentences (the built-in ones when a file has none)."""
    return Spelling.parse(_builtin_table(data, "spelling", source, lang), source), _transfer(data, source, lang)


def _transfer(data: Mapping[str, Any], source: str, lang: str) -> dict[str, str]:
    """The ``[transfer]`` sentences; a prompt file without them takes the built-in ones of its language
    (none for a language without a built-in file: its calls then take the alert path only)."""
    builtin = PROMPTS_DIR / f"{lang}.toml"
    if "transfer" not in data and (str(builtin) == source or not builtin.is_file()):
        return {}
    where = source if "transfer" in data else str(builtin)
    return _sentences(_builtin_table(data, "transfer", source, lang), where, "transfer", TRANSFER_KEYS,
                      TRANSFER_FIELDS)


def load_prompts(lang: str, path: str | Path | None = None) -> Prompts:
    """The prompt file ``path`` or the built-in ``prompts/<lang>.toml``."""
    p = Path(path) if path else PROMPTS_DIR / f"{lang}.toml"
    try:
        data = tomllib.loads(p.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{p}: no such prompt file (built-in languages: fr, en)") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{p}: cannot read the prompt file: {exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{p}: not valid TOML: {exc}") from None
    return parse_prompts(data, str(p))
