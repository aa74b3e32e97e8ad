"""A minimal conversation: greet, record what the caller says, hang up after a limit.

Used when no full call script is configured (``conversation.greeting_only``)
and as the simplest example of the :class:`~appliance.conversation.base.Dialog`
interface.
"""

from __future__ import annotations

from ..qualification import Qualification
from .base import CallContext, Heard, ListenSpec, Prompt, Reply

_TEXT = {
    "fr": {
        "greeting": "Bonjour, vous êtes bien chez {company}. Laissez votre message après ce bip, "
                    "nous vous rappelons au plus vite.",
        "goodbye": "Merci, nous vous rappelons. Au revoir.",
    },
    "en": {
        "greeting": "Hello, you have reached {company}. Please leave your message and we will "
                    "call you back shortly.",
        "goodbye": "Thank you, we will call you back. Goodbye.",
    },
}


class MinimalDialog:
    """Greeting, then up to ``max_turns`` caller turns recorded as they are, then goodbye."""

    def __init__(self, *, company: str, lang: str = "fr", max_turns: int = 3) -> None:
        self.lang = lang if lang in _TEXT else "fr"
        self.company = company
        self.max_turns = max_turns
        self.heard: list[str] = []
        self.silences = 0

    def _t(self, key: str) -> str:
        return _TEXT[self.lang][key].format(company=self.company)

    def start(self, ctx: CallContext) -> Reply:
        return Reply(say=(Prompt(self._t("greeting"), key="greeting"),), listen=ListenSpec("free"))

    def _next(self) -> Reply:
        if len(self.heard) >= self.max_turns or self.silences >= 2:
            return Reply(say=(Prompt(self._t("goodbye"), key="goodbye"),), hangup=True)
        return Reply(listen=ListenSpec("free"))

    def hear(self, text: str, *, confidence: float | None = None, heard: Heard | None = None) -> Reply:
        if text.strip():
            self.heard.append(text.strip())
        return self._next()

    def dtmf(self, digits: str) -> Reply:
        return self._next()

    def silence(self) -> Reply:
        self.silences += 1
        return self._next()

    def hung_up(self) -> None:
        return None

    def qualification(self) -> Qualification | None:
        return None
