"""Every fixed sentence the call script can say, for the prompt cache.

The device renders them once (at first boot, at start, after a settings change),
so that on the call path a fixed sentence is read from the cache and only the
variable ones (a number read back) are synthesised live. The list follows the
prompt file: sentences whose fields are all known from the configuration
(company name, opening hours, FAQ answers, urgency delays) are fixed; those with
a field that changes from call to call (``{number}``, ``{name}``, ``{because}``...) are not.
"""

from __future__ import annotations

import string

from .config import Config
from .conversation.dialog import ScriptedDialog
from .conversation.prompts import CALL_FIELDS
from .conversation.qualifier import Qualifier


def fixed_prompts(cfg: Config, lang: str) -> list[str]:
    """The texts of every fixed prompt for this configuration and language."""
    qualifier = Qualifier.load(lang, cfg.qualification.rules or None)
    dialog = ScriptedDialog(cfg.company, lang, qualifier, cfg.conversation.prompts or None)
    prompts = dialog.prompts
    levels = [(lv.id, lv.minutes) for lv in qualifier.rules.levels]
    answers = {
        "rates": cfg.company.rates, "availability": cfg.company.availability,
        "service_area": cfg.company.service_area, "address": cfg.company.address,
    }
    out: list[str] = []
    for key, text in prompts.text.items():
        fields = {f for _, f, _, _ in string.Formatter().parse(text) if f}
        if fields & set(CALL_FIELDS):
            continue  # a number, a name, a reason: different on every call
        base = {"company": cfg.company.name}
        if fields <= {"company"}:
            out.append(text.format(**base))
        elif fields & {"delay", "minutes"}:
            for level, minutes in levels:
                delay = prompts.delays.get(level) or f"{minutes} minutes"
                out.append(text.format(**base, delay=delay, minutes=minutes))
        elif key == "faq_opening_hours":
            hours = dialog.opening_hours_text()
            if hours:
                out.append(text.format(**base, hours=hours))
        elif key == "faq_topic":
            out.extend(text.format(**base, answer=a) for a in cfg.company.faq.values())
        elif key.startswith("faq_") and key[4:] in answers and answers[key[4:]]:
            out.append(text.format(**base, answer=answers[key[4:]]))
    if prompts.transfer and any(p.transfer for p in cfg.rota.people):
        from .transfer.texts import TransferTexts

        delays = [prompts.delays.get(level) or f"{minutes} minutes" for level, minutes in levels]
        out.extend(TransferTexts(prompts, cfg.company.name).fixed_texts(delays))
    return list(dict.fromkeys(out))
