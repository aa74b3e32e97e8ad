"""Template filters: local times, durations, money, caller display. Output is plain text
(Jinja escapes it); nothing here marks caller text safe."""

from __future__ import annotations

import datetime as dt
from typing import Any

from ..store.record import parse_iso
from ..textsafe import strip_bidi


def local_time(value: str | None, tz: dt.tzinfo, fmt: str = "%Y-%m-%d %H:%M") -> str:
    if not value:
        return ""
    try:
        return parse_iso(value).astimezone(tz).strftime(fmt)
    except (ValueError, TypeError):
        return str(value)


def duration(seconds: Any) -> str:
    if seconds is None:
        return ""
    try:
        s = round(float(seconds))
    except (TypeError, ValueError):
        return ""
    if s < 60:
        return f"{s} s"
    if s < 3600:
        return f"{s // 60} min {s % 60:02d} s"
    return f"{s // 3600} h {s % 3600 // 60:02d} min"


def money(amount: Any, currency: str = "EUR", lang: str = "fr") -> str:
    try:
        value = float(amount)
    except (TypeError, ValueError):
        return ""
    text = f"{value:,.0f}"
    symbol = {"EUR": "€", "USD": "$", "GBP": "£"}.get(currency, currency)
    if lang == "fr":
        return text.replace(",", "\u202f") + f"\u00a0{symbol}"
    return f"{symbol}{text}" if symbol in ("$", "£") else f"{text} {symbol}"


def caller(row: dict[str, Any]) -> str:
    """Who called, as text (escaped later by the template)."""
    name = strip_bidi(str(row.get("caller_name") or ""))
    number = strip_bidi(str(row.get("caller_number") or ""))
    if row.get("caller_withheld") and not number:
        number = "withheld"
    if name and number:
        return f"{name} ({number})"
    return name or number or "?"


def uptime(seconds: Any) -> str:
    if seconds is None:
        return "?"
    s = int(float(seconds))
    days, rest = divmod(s, 86400)
    return (f"{days} d " if days else "") + f"{rest // 3600:02d}:{rest % 3600 // 60:02d}:{rest % 60:02d}"
