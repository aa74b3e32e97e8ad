"""Configuration: one TOML file read with ``tomllib`` into frozen dataclasses.

The device reads ``/etc/permanence/permanence.toml``; ``--config PATH`` points
anywhere else. Every key is documented in ``examples/permanence.toml``.

Validation is strict: an unknown key, a wrong type or an impossible value is a
:class:`~appliance.errors.ConfigError` naming the file, the dotted key and what
is expected, e.g.::

    /etc/permanence/permanence.toml: lines[0].rings_before_answer: expected an
    integer from 0 to 20, got -1

>>> cfg = load_config_text('[company]\\nname = "ACME"\\n', source="<doc>")
>>> cfg.company.name
'ACME'
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import ipaddress
import re
import tomllib
import types
import typing
import zoneinfo
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal, get_args, get_origin

from .errors import ConfigError
from .textsafe import control_characters

DEFAULT_CONFIG_PATH = Path("/etc/permanence/permanence.toml")

_TIME_RANGE = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)-([01]\d|2[0-4]):([0-5]\d)$")
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_E164 = re.compile(r"^\+[1-9]\d{6,14}$")


class _Invalid(ValueError):
    """Raised inside validators; the loader adds file and key."""

    def __init__(self, message: str, key: str | None = None) -> None:
        super().__init__(message)
        self.key = key


def parse_time_ranges(spec: str) -> tuple[tuple[dt.time, dt.time], ...]:
    """Parse ``"08:00-12:00, 13:30-18:00"`` (or ``"closed"``) into time pairs."""
    spec = spec.strip()
    if spec.lower() in ("", "closed", "ferme", "fermé"):
        return ()
    out: list[tuple[dt.time, dt.time]] = []
    for part in spec.split(","):
        m = _TIME_RANGE.match(part.strip())
        if not m:
            raise _Invalid(f'expected "HH:MM-HH:MM[, HH:MM-HH:MM]" or "closed", got {spec!r}')
        h1, m1, h2, m2 = (int(g) for g in m.groups())
        if h2 == 24 and m2 != 0:
            raise _Invalid(f"expected an end time no later than 24:00, got {part.strip()!r}")
        start = dt.time(h1, m1)
        end = dt.time.max if h2 == 24 else dt.time(h2, m2)
        if end <= start:
            raise _Invalid(f"expected the end after the start in {part.strip()!r}")
        out.append((start, end))
    return tuple(out)


def _check_e164(value: str, key: str, what: str = "phone number") -> None:
    if not _E164.match(value):
        raise _Invalid(f"expected a {what} in E.164 form such as +33612345678, got {value!r}", key)


def _check_text(value: str, key: str, limit: int) -> None:
    if len(value) > limit:
        raise _Invalid(f"expected at most {limit} characters", key)
    if any(ord(c) < 32 or ord(c) == 127 for c in value):
        raise _Invalid("expected text without control characters", key)


# --------------------------------------------------------------------------- sections


@dataclasses.dataclass(frozen=True)
class CompanyConfig:
    """Who answers, when the office is open, and the answers to simple questions."""

    name: str = "Permanence"
    language: Literal["fr", "en"] = "fr"
    timezone: str = "Europe/Paris"
    phone: str = ""
    address: str = ""
    service_area: str = ""
    rates: str = ""
    availability: str = ""
    opening_hours: Mapping[str, str] = dataclasses.field(
        default_factory=lambda: {d: "08:00-12:00, 13:30-18:00" for d in WEEKDAYS[:5]}
        | {"sat": "closed", "sun": "closed"}
    )
    holidays: tuple[str, ...] = ()
    faq: Mapping[str, str] = dataclasses.field(default_factory=dict)
    average_order_value: float = 1200.0
    conversion_rate: float = 0.40
    currency: str = "EUR"

    def __post_init__(self) -> None:
        if not self.name.strip():
            raise _Invalid("expected a non-empty company name", "name")
        try:
            zoneinfo.ZoneInfo(self.timezone)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError) as exc:
            raise _Invalid(f"expected an IANA time zone such as Europe/Paris, got {self.timezone!r}",
                           "timezone") from exc
        for day, spec in self.opening_hours.items():
            if day not in WEEKDAYS:
                raise _Invalid(f"expected a weekday among {', '.join(WEEKDAYS)}", f"opening_hours.{day}")
            try:
                parse_time_ranges(spec)
            except _Invalid as exc:
                raise _Invalid(str(exc), f"opening_hours.{day}") from None
        for i, day_s in enumerate(self.holidays):
            try:
                dt.date.fromisoformat(day_s)
            except ValueError:
                raise _Invalid(f"expected a date YYYY-MM-DD, got {day_s!r}", f"holidays[{i}]") from None
        if self.average_order_value < 0:
            raise _Invalid("expected a non-negative amount", "average_order_value")
        if not 0.0 <= self.conversion_rate <= 1.0:
            raise _Invalid("expected a rate between 0 and 1", "conversion_rate")

    @property
    def tz(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.timezone)

    def is_open(self, when: dt.datetime) -> bool:
        """True when ``when`` (aware or naive local time) falls in opening hours."""
        local = when.astimezone(self.tz) if when.tzinfo else when
        if local.date().isoformat() in self.holidays:
            return False
        spec = self.opening_hours.get(WEEKDAYS[local.weekday()], "closed")
        t = local.time()
        return any(start <= t < end for start, end in parse_time_ranges(spec))


@dataclasses.dataclass(frozen=True)
class LineConfig:
    """One telephone line: a GSM HAT, an analog voice modem, or the built-in simulator."""

    name: str = "line1"
    driver: Literal["gsm", "voicemodem", "sim"] = "sim"
    port: str = ""
    audio_port: str = ""
    sms_port: str = ""
    model: Literal["auto", "sim7600", "sim800", "usr5637", "cx93010"] = "auto"
    sim_dialect: Literal["gsm", "voicemodem"] = "gsm"
    rings_before_answer: int = 1
    country: Literal["FR", "GB", "US", "CA", "BE", "CH", "DE"] = "FR"  # the countries whose ring cadence is known
    pin: str = ""
    command_timeout: float = 5.0
    power_gpio: int | None = None
    sms: bool = True
    transfer: Literal["auto", "multiparty", "hook_flash", "none"] = "auto"
    """How the line puts an urgent caller through: ``multiparty`` (GSM call hold, 27.007 +CHLD),
    ``hook_flash`` (an analog line whose operator offers call transfer), ``none``; ``auto``:
    multiparty on GSM lines, none on analog ones."""
    flash_ms: int = 270
    flash_back: str = "1"
    announce_after: float = 12.0

    @property
    def analog(self) -> bool:
        return self.driver == "voicemodem" or (self.driver == "sim" and self.sim_dialect == "voicemodem")

    @property
    def transfer_kind(self) -> Literal["multiparty", "hook_flash", "none"]:
        if self.transfer == "auto":
            return "none" if self.analog else "multiparty"
        return self.transfer

    def __post_init__(self) -> None:
        if not re.match(r"^[A-Za-z0-9_-]{1,32}$", self.name):
            raise _Invalid(f"expected a line name of letters, digits, - or _ (1-32), got {self.name!r}",
                           "name")
        if self.driver != "sim" and not self.port:
            raise _Invalid("expected a serial port (a device path or a pyserial URL such as "
                           "socket://127.0.0.1:5000) for a real modem", "port")
        if not 0 <= self.rings_before_answer <= 20:
            raise _Invalid(f"expected an integer from 0 to 20, got {self.rings_before_answer}",
                           "rings_before_answer")
        if self.pin and not re.match(r"^\d{4,8}$", self.pin):
            raise _Invalid("expected a SIM PIN of 4 to 8 digits", "pin")
        if not 0.1 <= self.command_timeout <= 120:
            raise _Invalid(f"expected seconds from 0.1 to 120, got {self.command_timeout}", "command_timeout")
        if self.power_gpio is not None and not 0 <= self.power_gpio <= 27:
            raise _Invalid(f"expected a BCM GPIO number from 0 to 27, got {self.power_gpio}", "power_gpio")
        if self.transfer == "multiparty" and self.analog:
            raise _Invalid("expected hook_flash or none on an analog line (multiparty is GSM call hold)",
                           "transfer")
        if self.transfer == "hook_flash" and not self.analog:
            raise _Invalid("expected multiparty or none on a GSM line (hook_flash is for analog lines)",
                           "transfer")
        if not 50 <= self.flash_ms <= 1000:
            raise _Invalid(f"expected milliseconds from 50 to 1000, got {self.flash_ms}", "flash_ms")
        if not re.fullmatch(r"[0-9*#]{0,4}", self.flash_back):
            raise _Invalid(f"expected up to 4 keypad keys (0-9 * #), got {self.flash_back!r}", "flash_back")
        if not 3 <= self.announce_after <= 60:
            raise _Invalid(f"expected seconds from 3 to 60, got {self.announce_after}", "announce_after")


@dataclasses.dataclass(frozen=True)
class LanguageSpeechConfig:
    """Engines and model paths for one language."""

    recognizer: Literal["vosk", "whisper"] = "vosk"
    model: str = ""
    synthesizer: Literal["piper", "espeak"] = "espeak"
    voice: str = ""
    length_scale: float = 1.0

    def __post_init__(self) -> None:
        if not 0.3 <= self.length_scale <= 3.0:
            raise _Invalid(f"expected a speaking-rate factor from 0.3 to 3.0, got {self.length_scale}",
                           "length_scale")


@dataclasses.dataclass(frozen=True)
class SpeechConfig:
    """Speech recognition, synthesis and turn-taking."""

    enabled: bool = True
    prompt_cache: str = ""
    end_silence_ms: int = 700
    short_end_silence_ms: int = 350
    max_turn_seconds: float = 20.0
    no_speech_seconds: float = 6.0
    barge_in: bool = True
    fr: LanguageSpeechConfig = dataclasses.field(default_factory=LanguageSpeechConfig)
    en: LanguageSpeechConfig = dataclasses.field(default_factory=LanguageSpeechConfig)

    def __post_init__(self) -> None:
        if not 100 <= self.end_silence_ms <= 5000:
            raise _Invalid("expected milliseconds from 100 to 5000", "end_silence_ms")
        if not 50 <= self.short_end_silence_ms <= self.end_silence_ms:
            raise _Invalid("expected milliseconds from 50 to end_silence_ms", "short_end_silence_ms")
        if not 2 <= self.max_turn_seconds <= 120:
            raise _Invalid("expected seconds from 2 to 120", "max_turn_seconds")
        if not 1 <= self.no_speech_seconds <= 60:
            raise _Invalid("expected seconds from 1 to 60", "no_speech_seconds")

    def for_language(self, lang: str) -> LanguageSpeechConfig:
        return self.en if lang == "en" else self.fr


@dataclasses.dataclass(frozen=True)
class ConversationConfig:
    """The call script."""

    prompts: str = ""
    max_call_seconds: float = 180.0
    greeting_only: bool = False

    def __post_init__(self) -> None:
        if not 10 <= self.max_call_seconds <= 3600:
            raise _Invalid("expected seconds from 10 to 3600", "max_call_seconds")


@dataclasses.dataclass(frozen=True)
class QualificationConfig:
    """Where the rules the business edits live ("" = the built-in rules for the language)."""

    rules: str = ""


@dataclasses.dataclass(frozen=True)
class Person:
    name: str = ""
    phone: str = ""
    transfer: bool = False
    """Urgent callers may be put through to this person's phone while they are on call."""

    def __post_init__(self) -> None:
        if not self.name.strip():
            raise _Invalid("expected a person's name", "name")
        _check_e164(self.phone, "phone")


@dataclasses.dataclass(frozen=True)
class Shift:
    """Who is on call on which days between which hours (local time)."""

    person: str = ""
    days: tuple[str, ...] = WEEKDAYS
    hours: str = "00:00-24:00"

    def __post_init__(self) -> None:
        for i, d in enumerate(self.days):
            if d not in WEEKDAYS:
                raise _Invalid(f"expected a weekday among {', '.join(WEEKDAYS)}, got {d!r}", f"days[{i}]")
        try:
            if not parse_time_ranges(self.hours):
                raise _Invalid("expected at least one time range")
        except _Invalid as exc:
            raise _Invalid(str(exc), "hours") from None


@dataclasses.dataclass(frozen=True)
class Override:
    """A holiday or swap: ``person`` is on call from ``start`` to ``end`` (ISO dates, inclusive)."""

    person: str = ""
    start: str = ""
    end: str = ""

    def __post_init__(self) -> None:
        for key in ("start", "end"):
            try:
                dt.date.fromisoformat(getattr(self, key))
            except ValueError:
                raise _Invalid(f"expected a date YYYY-MM-DD, got {getattr(self, key)!r}", key) from None
        if self.end < self.start:
            raise _Invalid("expected end on or after start", "end")


@dataclasses.dataclass(frozen=True)
class TransferConfig:
    """Putting an urgent caller through to the on-call person (people with ``transfer = true``)."""

    ring_seconds: float = 15.0
    hold_limit_seconds: float = 30.0
    key_seconds: float = 8.0
    people: int = 1
    explicit_transfer: bool = True

    def __post_init__(self) -> None:
        if not 5 <= self.ring_seconds <= 60:
            raise _Invalid(f"expected seconds from 5 to 60, got {self.ring_seconds}", "ring_seconds")
        if not 10 <= self.hold_limit_seconds <= 120:
            raise _Invalid(f"expected seconds from 10 to 120, got {self.hold_limit_seconds}", "hold_limit_seconds")
        if not 3 <= self.key_seconds <= 30:
            raise _Invalid(f"expected seconds from 3 to 30, got {self.key_seconds}", "key_seconds")
        if not 1 <= self.people <= 10:
            raise _Invalid(f"expected from 1 to 10 people, got {self.people}", "people")


@dataclasses.dataclass(frozen=True)
class RotaConfig:
    """On-call rota: people, weekly shifts, holiday overrides and escalation."""

    people: tuple[Person, ...] = ()
    shifts: tuple[Shift, ...] = ()
    overrides: tuple[Override, ...] = ()
    ack_minutes: float = 5.0
    ack_words: tuple[str, ...] = ("OK", "ACK", "PRIS", "YES", "OUI")
    digest_times: tuple[str, ...] = ("12:00", "17:30")
    transfer: TransferConfig = dataclasses.field(default_factory=TransferConfig)

    def __post_init__(self) -> None:
        names = [p.name for p in self.people]
        if len(set(names)) != len(names):
            raise _Invalid("expected each person's name once", "people")
        for i, s in enumerate(self.shifts):
            if s.person not in names:
                raise _Invalid(f"expected a name listed in rota.people, got {s.person!r}", f"shifts[{i}].person")
        for i, o in enumerate(self.overrides):
            if o.person not in names:
                raise _Invalid(f"expected a name listed in rota.people, got {o.person!r}",
                               f"overrides[{i}].person")
        if not 0.1 <= self.ack_minutes <= 1440:
            raise _Invalid("expected minutes from 0.1 to 1440", "ack_minutes")
        for i, t in enumerate(self.digest_times):
            if not re.match(r"^([01]\d|2[0-3]):[0-5]\d$", t):
                raise _Invalid(f"expected HH:MM, got {t!r}", f"digest_times[{i}]")


@dataclasses.dataclass(frozen=True)
class MqttConfig:
    enabled: bool = False
    host: str = "127.0.0.1"
    port: int = 1883
    tls: bool = False
    ca_file: str = ""
    username: str = ""
    password: str = ""
    topic_prefix: str = "permanence"
    discovery_prefix: str = "homeassistant"
    keepalive: int = 30

    def __post_init__(self) -> None:
        if not 1 <= self.port <= 65535:
            raise _Invalid(f"expected a TCP port from 1 to 65535, got {self.port}", "port")
        for key in ("topic_prefix", "discovery_prefix"):
            v = getattr(self, key)
            if not re.match(r"^[A-Za-z0-9_/-]+$", v) or v.startswith("/") or v.endswith("/"):
                raise _Invalid(f"expected a topic prefix of letters, digits, _ - and /, got {v!r}", key)
        if not 5 <= self.keepalive <= 3600:
            raise _Invalid("expected seconds from 5 to 3600", "keepalive")


@dataclasses.dataclass(frozen=True)
class SmsConfig:
    enabled: bool = False
    line: str = ""
    max_per_caller_per_hour: int = 2
    max_per_hour: int = 20

    def __post_init__(self) -> None:
        if self.max_per_caller_per_hour < 1 or self.max_per_hour < 1:
            raise _Invalid("expected a rate limit of at least 1", "max_per_hour")


@dataclasses.dataclass(frozen=True)
class AlertsConfig:
    box_id: str = "permanence"
    base_url: str = ""
    retry_initial_seconds: float = 2.0
    retry_max_seconds: float = 300.0
    mqtt: MqttConfig = dataclasses.field(default_factory=MqttConfig)
    sms: SmsConfig = dataclasses.field(default_factory=SmsConfig)

    def __post_init__(self) -> None:
        if not re.match(r"^[a-z0-9_-]{1,32}$", self.box_id):
            raise _Invalid(f"expected a box id of lower-case letters, digits, - or _, got {self.box_id!r}",
                           "box_id")
        if not 0.1 <= self.retry_initial_seconds <= self.retry_max_seconds <= 86400:
            raise _Invalid("expected 0.1 <= retry_initial_seconds <= retry_max_seconds <= 86400",
                           "retry_initial_seconds")


@dataclasses.dataclass(frozen=True)
class WebConfig:
    bind: str = "0.0.0.0"
    port: int = 8080
    session_minutes: int = 480
    https: bool = False
    saturation_abandoned_per_week: int = 10
    saturation_simultaneous: int = 2

    def __post_init__(self) -> None:
        try:
            ipaddress.ip_address(self.bind)
        except ValueError:
            raise _Invalid(f"expected an IP address to listen on (0.0.0.0 for every interface, 127.0.0.1 "
                           f"for this machine only), got {self.bind!r}", "bind") from None
        if not 0 <= self.port <= 65535:
            raise _Invalid(f"expected a TCP port from 0 (off) to 65535, got {self.port}", "port")
        if not 5 <= self.session_minutes <= 43200:
            raise _Invalid("expected minutes from 5 to 43200", "session_minutes")


@dataclasses.dataclass(frozen=True)
class StorageConfig:
    """Where the call log lives; how much of the disk stays free for it (the smaller of
    ``reserve_mb`` and ``reserve_percent``: recordings, captures and the prompt cache stop
    growing there); how long recordings are kept (0: forever, and never deleted for room)."""

    data_dir: str = "/var/lib/permanence"
    record_audio: bool = True
    retention_days: int = 0
    reserve_mb: float = 50.0
    reserve_percent: float = 5.0

    def __post_init__(self) -> None:
        if not self.data_dir:
            raise _Invalid("expected a directory for the call log", "data_dir")
        if self.retention_days < 0:
            raise _Invalid("expected 0 (keep forever) or a number of days", "retention_days")
        if not 0 <= self.reserve_mb <= 100_000:
            raise _Invalid(f"expected megabytes from 0 to 100000, got {self.reserve_mb}", "reserve_mb")
        if not 0 <= self.reserve_percent <= 50:
            raise _Invalid(f"expected a percentage from 0 to 50, got {self.reserve_percent}", "reserve_percent")


@dataclasses.dataclass(frozen=True)
class LedsConfig:
    """BCM GPIO numbers of the status LEDs; omit a key to leave that LED out."""

    ready: int | None = None
    in_call: int | None = None
    urgent: int | None = None
    fault: int | None = None
    active_high: bool = True

    def __post_init__(self) -> None:
        pins = [p for p in (self.ready, self.in_call, self.urgent, self.fault) if p is not None]
        for p in pins:
            if not 0 <= p <= 27:
                raise _Invalid(f"expected a BCM GPIO number from 0 to 27, got {p}", "ready")
        if len(set(pins)) != len(pins):
            raise _Invalid("expected a different GPIO for each LED", "ready")


@dataclasses.dataclass(frozen=True)
class CaptureConfig:
    enabled: bool = True
    max_bytes: int = 5_000_000
    days: int = 14

    def __post_init__(self) -> None:
        if self.max_bytes < 10_000:
            raise _Invalid("expected at least 10000 bytes", "max_bytes")
        if self.days < 1:
            raise _Invalid("expected at least 1 day", "days")


@dataclasses.dataclass(frozen=True)
class ContractConfig:
    """A contract level of the customer directory; under it every breakdown is at least
    ``priority_floor`` (an urgency level id of the rules file, "" = no floor)."""

    id: str = ""
    label: str = ""
    priority_floor: str = ""

    def __post_init__(self) -> None:
        if not re.match(r"^[a-z0-9_-]{1,32}$", self.id):
            raise _Invalid(f"expected a contract id of lower-case letters, digits, - or _ (1-32), got {self.id!r}",
                           "id")
        if self.priority_floor and not re.match(r"^[a-z_]{1,32}$", self.priority_floor):
            raise _Invalid(f"expected an urgency level id such as high or critical, got {self.priority_floor!r}",
                           "priority_floor")
        _check_text(self.label, "label", 60)


@dataclasses.dataclass(frozen=True)
class DirectoryConfig:
    """The customer directory: how big it may grow, and the contract levels it may name."""

    max_entries: int = 5000
    max_import_bytes: int = 1_048_576
    contracts: tuple[ContractConfig, ...] = (ContractConfig("standard", "Standard"),
                                             ContractConfig("premium", "Premium", "high"))

    def __post_init__(self) -> None:
        if not 1 <= self.max_entries <= 100_000:
            raise _Invalid("expected from 1 to 100000 entries", "max_entries")
        if not 1024 <= self.max_import_bytes <= 2_000_000:
            raise _Invalid("expected from 1024 to 2000000 bytes (the page accepts at most 2 MiB)",
                           "max_import_bytes")
        ids = [c.id for c in self.contracts]
        if len(set(ids)) != len(ids):
            raise _Invalid("expected each contract id once", "contracts")

    def contract(self, contract_id: str | None) -> ContractConfig | None:
        return next((c for c in self.contracts if c.id == contract_id), None)


@dataclasses.dataclass(frozen=True)
class WorklistConfig:
    """The callback worklist: time limits, the office staff told about overdue callbacks."""

    missed_limit_minutes: int = 120  # abandoned and missed calls: working minutes to call back
    skip_categories: tuple[str, ...] = ("sales",)  # answered calls of these categories need no callback
    office: tuple[Person, ...] = ()  # the office staff list: overdue callbacks and the morning digest
    overdue_sms: bool = True
    overdue_mqtt: bool = True
    max_sms_per_hour: int = 4  # per person, overdue notices and digest together
    digest_time: str = "08:30"  # the morning digest of yesterday's unresolved callbacks ("" = none)
    horizon_days: int = 30  # older unresolved calls leave the page (they stay in the history and the funnel)

    def __post_init__(self) -> None:
        if not 1 <= self.missed_limit_minutes <= 7 * 24 * 60:
            raise _Invalid("expected minutes from 1 to 10080", "missed_limit_minutes")
        if not 1 <= self.max_sms_per_hour <= 60:
            raise _Invalid("expected from 1 to 60", "max_sms_per_hour")
        if not 1 <= self.horizon_days <= 366:
            raise _Invalid("expected days from 1 to 366", "horizon_days")
        if self.digest_time and not re.match(r"^([01]\d|2[0-3]):[0-5]\d$", self.digest_time):
            raise _Invalid(f"expected HH:MM or \"\", got {self.digest_time!r}", "digest_time")
        names = [p.name for p in self.office]
        if len(set(names)) != len(names):
            raise _Invalid("expected each person's name once", "office")


@dataclasses.dataclass(frozen=True)
class CallerSmsConfig:
    """The optional SMS to a caller the box could not answer (line busy): off by default."""

    enabled: bool = False
    text: str = ""  # "" = the default text of the company's language; {company}, {when} are filled in
    hours: str = "08:00-20:00"  # sent only then, Monday to Saturday, never on a holiday

    def __post_init__(self) -> None:
        _check_text(self.text, "text", 300)
        try:
            self.text.format(company="x", when="y")
        except (KeyError, IndexError, ValueError) as exc:
            raise _Invalid(f"expected a text whose only fields are {{company}} and {{when}}: {exc}", "text") from None
        try:
            if not parse_time_ranges(self.hours):
                raise _Invalid("expected at least one time range")
        except _Invalid as exc:
            raise _Invalid(str(exc), "hours") from None


@dataclasses.dataclass(frozen=True)
class LoggingConfig:
    level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"


@dataclasses.dataclass(frozen=True)
class Config:
    """The whole configuration. ``source`` is the file it came from."""

    company: CompanyConfig = dataclasses.field(default_factory=CompanyConfig)
    lines: tuple[LineConfig, ...] = (LineConfig(),)
    speech: SpeechConfig = dataclasses.field(default_factory=SpeechConfig)
    conversation: ConversationConfig = dataclasses.field(default_factory=ConversationConfig)
    qualification: QualificationConfig = dataclasses.field(default_factory=QualificationConfig)
    rota: RotaConfig = dataclasses.field(default_factory=RotaConfig)
    alerts: AlertsConfig = dataclasses.field(default_factory=AlertsConfig)
    web: WebConfig = dataclasses.field(default_factory=WebConfig)
    storage: StorageConfig = dataclasses.field(default_factory=StorageConfig)
    leds: LedsConfig = dataclasses.field(default_factory=LedsConfig)
    capture: CaptureConfig = dataclasses.field(default_factory=CaptureConfig)
    logging: LoggingConfig = dataclasses.field(default_factory=LoggingConfig)
    directory: DirectoryConfig = dataclasses.field(default_factory=DirectoryConfig)
    worklist: WorklistConfig = dataclasses.field(default_factory=WorklistConfig)
    caller_sms: CallerSmsConfig = dataclasses.field(default_factory=CallerSmsConfig)
    source: str = dataclasses.field(default="<defaults>", compare=False)

    def __post_init__(self) -> None:
        names = [ln.name for ln in self.lines]
        if len(set(names)) != len(names):
            raise _Invalid("expected each line name once", "lines")
        if not self.lines:
            raise _Invalid("expected at least one [[lines]] entry", "lines")
        if self.alerts.sms.enabled and self.alerts.sms.line and self.alerts.sms.line not in names:
            raise _Invalid(f"expected the name of a configured line, got {self.alerts.sms.line!r}",
                           "alerts.sms.line")

    def line(self, name: str) -> LineConfig:
        for ln in self.lines:
            if ln.name == name:
                return ln
        raise KeyError(name)

    @property
    def data_path(self) -> Path:
        return Path(self.storage.data_dir)


# --------------------------------------------------------------------------- loader


def _type_name(tp: Any) -> str:
    origin = get_origin(tp)
    if tp is str:
        return "a string"
    if tp is bool:
        return "true or false"
    if tp is int:
        return "an integer"
    if tp is float:
        return "a number"
    if origin is Literal:
        return "one of " + ", ".join(repr(a) for a in get_args(tp))
    if origin in (typing.Union, types.UnionType):
        return " or ".join(_type_name(a) for a in get_args(tp) if a is not type(None))
    if origin is tuple:
        return f"a list of {_type_name(get_args(tp)[0]).removeprefix('a ').removeprefix('an ')}s"
    if origin in (Mapping, dict) or tp is dict:
        return "a table of strings"
    if dataclasses.is_dataclass(tp):
        return "a table"
    return str(tp)


def _text(value: str, key: str) -> str:
    """Every text value of the configuration, from the file or the settings page: no control
    characters (a NUL stops the service, a newline forges a log line or an SMS line) and no
    bidirectional controls (they show text reversed)."""
    bad = control_characters(value)
    if bad:
        raise _Invalid(f"expected text without control characters, got {' '.join(sorted(set(bad)))} in "
                       f"{value[:40]!r}", key)
    return value


def _convert(tp: Any, value: Any, key: str) -> Any:
    origin = get_origin(tp)
    if origin in (typing.Union, types.UnionType):
        args = [a for a in get_args(tp) if a is not type(None)]
        for a in args:
            try:
                return _convert(a, value, key)
            except _Invalid:
                continue
        raise _Invalid(f"expected {_type_name(tp)}, got {value!r}", key)
    if origin is Literal:
        if value not in get_args(tp):
            raise _Invalid(f"expected {_type_name(tp)}, got {value!r}", key)
        return value
    if tp is bool:
        if not isinstance(value, bool):
            raise _Invalid(f"expected true or false, got {value!r}", key)
        return value
    if tp is int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise _Invalid(f"expected an integer, got {value!r}", key)
        return value
    if tp is float:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise _Invalid(f"expected a number, got {value!r}", key)
        return float(value)
    if tp is str:
        if not isinstance(value, str):
            raise _Invalid(f"expected a string, got {value!r}", key)
        return _text(value, key)
    if origin is tuple:
        if not isinstance(value, list):
            raise _Invalid(f"expected {_type_name(tp)}, got {value!r}", key)
        (item_tp, *_rest) = get_args(tp)
        return tuple(_convert(item_tp, v, f"{key}[{i}]") for i, v in enumerate(value))
    if origin in (Mapping, dict):
        if not isinstance(value, dict):
            raise _Invalid(f"expected a table, got {value!r}", key)
        out = {}
        for k, v in value.items():
            if not isinstance(v, str):
                raise _Invalid(f"expected a string, got {v!r}", f"{key}.{k}")
            out[_text(k, f"{key}.{k}")] = _text(v, f"{key}.{k}")
        return out
    if dataclasses.is_dataclass(tp):
        if not isinstance(value, dict):
            raise _Invalid(f"expected a table, got {value!r}", key)
        return _build(tp, value, key)
    raise _Invalid(f"unsupported type {tp!r}", key)  # pragma: no cover - programming error


def _build(cls: Any, data: Mapping[str, Any], prefix: str) -> Any:
    hints = typing.get_type_hints(cls)
    fields = {f.name: f for f in dataclasses.fields(cls) if f.init and f.name != "source"}
    kwargs: dict[str, Any] = {}
    for k, v in data.items():
        key = f"{prefix}.{k}" if prefix else k
        if k not in fields:
            known = ", ".join(sorted(fields))
            raise _Invalid(f"unknown key (known keys here: {known})", key)
        kwargs[k] = _convert(hints[k], v, key)
    try:
        return cls(**kwargs)
    except _Invalid as exc:
        sub = exc.key
        if sub is None:
            raise _Invalid(str(exc), prefix or None) from None
        raise _Invalid(str(exc), f"{prefix}.{sub}" if prefix else sub) from None


def load_config_text(text: str, *, source: str = "<string>") -> Config:
    """Parse and validate TOML text; errors name ``source`` and the key."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{source}: not valid TOML: {exc}") from None
    try:
        cfg = _build(Config, data, "")
    except _Invalid as exc:
        where = f"{source}: {exc.key}: " if exc.key else f"{source}: "
        raise ConfigError(where + str(exc)) from None
    return dataclasses.replace(cfg, source=source)


def load_config(path: str | Path | None = None) -> Config:
    """Load the configuration file (default: /etc/permanence/permanence.toml)."""
    p = Path(path) if path is not None else DEFAULT_CONFIG_PATH
    try:
        text = p.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"{p}: no such configuration file (copy examples/permanence.toml there, "
                          f"or pass --config PATH)") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{p}: cannot read the configuration: {exc}") from None
    return load_config_text(text, source=str(p))


# --------------------------------------------------------------------------- dump


def _plain(obj: Any) -> dict[str, Any]:
    """A configuration section as plain TOML data (None values left out: not set)."""
    out: dict[str, Any] = {}
    for f in dataclasses.fields(obj):
        v = getattr(obj, f.name)
        if f.name == "source" or v is None:
            continue
        if dataclasses.is_dataclass(v):
            out[f.name] = _plain(v)
        elif isinstance(v, tuple) and v and dataclasses.is_dataclass(v[0]):
            out[f.name] = [_plain(x) for x in v]
        elif isinstance(v, tuple):
            out[f.name] = list(v)
        elif isinstance(v, Mapping):
            out[f.name] = dict(v)
        else:
            out[f.name] = v
    return out


def dump_config(cfg: Config) -> str:
    """The effective configuration as TOML (passwords masked), written by the one TOML writer."""
    from .tomledit import dumps

    masked = dataclasses.replace(
        cfg,
        alerts=dataclasses.replace(
            cfg.alerts,
            mqtt=dataclasses.replace(cfg.alerts.mqtt, password="********" if cfg.alerts.mqtt.password else ""),
        ),
        lines=tuple(dataclasses.replace(ln, pin="****" if ln.pin else "") for ln in cfg.lines),
    )
    return dumps(_plain(masked), header=f"effective configuration from {cfg.source}")
