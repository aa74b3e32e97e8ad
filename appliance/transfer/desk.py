"""Whether an urgent call is put through, and to whom: the rota, the line, the settings.

:meth:`TransferDesk.intercept` is called by the call session with the dialog's
reply the moment the call turns urgent. When the line can put callers through
(``lines[].transfer``) and someone on the rota accepts transfers
(``rota.people[].transfer``), the reply's "the technician will call you back"
is replaced by "please hold, I am putting you through", the question that
followed is kept for later, and a :class:`~.runner.TransferRun` is attached to
the session; it starts when that sentence has been said. Otherwise the reply is
returned untouched and the call goes on as before. Either way the urgent alert
(SMS, MQTT, escalation) goes out exactly as without a transfer; the transfer
acknowledges it when the technician takes the call.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from ..alerts.rota import rota_from_config
from ..config import Config
from ..conversation.base import Reply
from ..conversation.prompts import load_prompts
from ..errors import PermanenceError
from .machine import Target, Transfer, TransferSettings
from .runner import TransferRun
from .texts import TransferTexts

if TYPE_CHECKING:
    from ..call import CallSession

log = logging.getLogger(__name__)

URGENT_KEYS = ("urgent", "urgent_because")
"""The dialog's "I am alerting the technician, they will call you back" sentences: replaced by "please hold"."""


class TransferDesk:
    """One per service: decides, for each urgent call, whether and to whom it is put through."""

    def __init__(self, cfg: Config, *, acknowledge: Callable[[str, str], None] | None = None,
                 now: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC),
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.acknowledge_cb = acknowledge
        self.now = now
        self.clock = clock
        self._lock = threading.Lock()
        self._texts: dict[str, TransferTexts] = {}
        self.update_config(cfg)

    def update_config(self, cfg: Config) -> None:
        """The rota was edited on the status page: who accepts transfers applies from the next call."""
        with self._lock:
            self.cfg = cfg
            self.rota = rota_from_config(cfg.rota, cfg.company.timezone)
            self._texts.clear()

    def texts(self, lang: str) -> TransferTexts:
        with self._lock:
            if lang not in self._texts:
                prompts = load_prompts(lang, self.cfg.conversation.prompts or None)
                self._texts[lang] = TransferTexts(prompts, self.cfg.company.name)
            return self._texts[lang]

    def targets(self) -> list[Target]:
        """The person on duty when they accept transfers, then (``rota.transfer.people`` > 1) the next
        ones in escalation order who accept them; nobody when the person on duty does not."""
        now = self.now()
        on_call = self.rota.on_call(now)
        if on_call is None or not on_call.transfer:
            return []
        order = self.rota.escalation_order(now)
        people = [Target(p.name, p.phone) for p in order if p.transfer]
        return people[: self.cfg.rota.transfer.people]

    def settings(self, kind: str) -> TransferSettings:
        t = self.cfg.rota.transfer
        analog = kind == "hook_flash"
        return TransferSettings(ring_seconds=t.ring_seconds, hold_limit=t.hold_limit_seconds,
                                key_seconds=t.key_seconds, explicit_transfer=t.explicit_transfer or analog,
                                join_fallback=not analog)

    def intercept(self, session: CallSession, reply: Reply) -> Reply:
        """The urgent reply as the caller should hear it (see the module's description)."""
        kind = session.h.line.transfer_kind()
        if kind == "none" or session.transfer is not None:
            return reply
        targets = self.targets()
        if not targets:
            log.info("call %s: urgent, nobody on call accepts transfers; the alert path only", session.call_id)
            return reply
        try:
            texts = self.texts(session.lang)
        except PermanenceError as exc:  # a broken prompt file must not cost the caller the alert path
            log.error("call %s: no transfer sentences (%s); the alert path only", session.call_id, exc)
            return reply
        keys = [p.key for p in reply.say]
        cut = next((i for i, k in enumerate(keys) if k in URGENT_KEYS), len(keys))
        before, after = reply.say[:cut], reply.say[cut + 1:]
        rest = Reply(say=after, listen=reply.listen, hangup=reply.hangup)
        machine = Transfer(targets, self.settings(kind))
        session.transfer = TransferRun(session, machine, texts, rest, acknowledge=self.acknowledge,
                                       clock=self.clock)
        say = (*before, texts.say("putting_through", {}, ""))
        log.info("call %s: urgent: putting the caller through to %s (%s line)", session.call_id,
                 ", ".join(t.name for t in targets), kind)
        return dataclasses.replace(reply, say=say, listen=None, hangup=False)

    def acknowledge(self, call_id: str, person: str) -> None:
        if self.acknowledge_cb is not None:
            self.acknowledge_cb(call_id, person)
