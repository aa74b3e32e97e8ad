"""The call handler asks the customer directory and the call log about the caller when it answers:
the dialog gets CallContext.known and earlier_attempts, the record keeps them, the alert says them.

Real service, real GSM driver on a pty, the line simulator placing the calls."""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from appliance.alerts.callinfo import call_info
from appliance.alerts.text import urgent_sms
from appliance.config import Config, LineConfig, load_config_text
from appliance.conversation.base import CallContext, Dialog, Reply
from appliance.conversation.minimal import MinimalDialog
from appliance.directory import Contact, Directory
from appliance.service import Service
from appliance.store.calllog import CallLogReader
from appliance.store.record import CallRecord
from appliance.telephony import open_line
from appliance.telephony.simulator import Simulator
from appliance.telephony.simulator.callers import ScriptedCaller

CFG = """
[company]
name = "Maintenance Dupuis"
language = "fr"
[speech]
enabled = false
[conversation]
max_call_seconds = 20
[capture]
enabled = false
[[directory.contracts]]
id = "premium"
label = "Premium"
priority_floor = "high"
"""


class Ended:
    """Records the calls that ended; waits on a condition, not a sleep."""

    def __init__(self) -> None:
        self.records: list[CallRecord] = []
        self.cond = threading.Condition()

    def call_event(self, kind: str, rec: CallRecord) -> None:
        if kind == "ended":
            with self.cond:
                self.records.append(rec)
                self.cond.notify_all()

    def urgent(self, rec: CallRecord) -> None:
        pass

    def wait(self, n: int, timeout: float = 30) -> list[CallRecord]:
        with self.cond:
            assert self.cond.wait_for(lambda: len(self.records) >= n, timeout), f"{len(self.records)} ended"
            return list(self.records)


class SpyDialog(MinimalDialog):
    contexts: list[CallContext] = []

    def start(self, ctx: CallContext) -> Reply:
        SpyDialog.contexts.append(ctx)
        return super().start(ctx)


class SpyService(Service):
    def _dialog_factory(self) -> Callable[[CallRecord], tuple[Dialog, str]]:
        return lambda rec: (SpyDialog(company=self.cfg.company.name), "fr")


@pytest.fixture
def box(tmp_path: Path) -> Iterator[tuple[Service, Simulator, Ended, Path]]:
    cfg: Config = load_config_text(CFG, source="test")
    cfg = dataclasses.replace(cfg, lines=(LineConfig(name="sim1", driver="sim", rings_before_answer=3),))
    data = tmp_path / "data"
    Directory(data, cfg.directory).save(
        Contact.build(numbers=["06 12 34 56 78", "01 45 67 89 10"], name="Mme Gale", company="Gale & Fils",
                      site="Annecy", contract="premium", greeting="Madame Gale"), who="test")
    sim = Simulator("gsm", ring_interval=0.3, country="FR")
    obs = Ended()
    svc = SpyService(cfg, data_dir=data, web_port=0, observers=[obs], speech=False, leds=False,
                     line_factory=lambda lc, **kw: open_line(lc, simulator=sim, **kw))
    SpyDialog.contexts = []
    svc.start()
    try:
        assert svc.ready.wait(20), "line never ready"
        yield svc, sim, obs, data
    finally:
        svc.stop()
        sim.close()


def test_known_caller_after_two_unanswered_attempts(box: Any) -> None:
    _svc, sim, obs, data = box
    for i in range(2):
        sim.place_call(ScriptedCaller(id=f"gave-up-{i}", caller_id="+33612345678", hangup_after_rings=1)).wait(30)
    sim.place_call(ScriptedCaller(id="third", caller_id="+33612345678", hangup_after_seconds=1.0)).wait(30)
    records = obs.wait(3)
    assert [r.state for r in records] == ["abandoned", "abandoned", "answered"]
    ctx = SpyDialog.contexts[-1]
    assert ctx.known is not None and ctx.known.name == "Mme Gale" and ctx.known.company == "Gale & Fils"
    assert ctx.known.contract == "premium" and ctx.known.priority_floor == "high"
    assert ctx.known.greeting_name == "Madame Gale" and ctx.known.site == "Annecy"
    assert ctx.earlier_attempts == 2
    rec = CallLogReader(data).get(records[-1].id)
    assert rec is not None and rec.known and rec.known["name"] == "Mme Gale" and rec.earlier_attempts == 2
    # the alert names the directory's values and says which attempt this is
    info = call_info(rec)
    assert (info["name"], info["company"], info["contract"], info["attempt"]) == ("Mme Gale", "Gale & Fils",
                                                                                  "premium", 3)
    text = urgent_sms(info, lang="fr", company="Maintenance Dupuis", ack_word="OK")
    assert "Mme Gale (Gale & Fils)" in text and "3e appel aujourd'hui" in text and "[contrat premium]" in text


def test_unknown_number_and_withheld_caller(box: Any) -> None:
    _svc, sim, obs, data = box
    sim.place_call(ScriptedCaller(id="stranger", caller_id="+33698765432", hangup_after_seconds=1.0)).wait(30)
    sim.place_call(ScriptedCaller(id="anon", caller_id=None, hangup_after_seconds=1.0)).wait(30)
    obs.wait(2)
    assert [(c.known, c.earlier_attempts) for c in SpyDialog.contexts] == [(None, 0), (None, 0)]
    got = CallLogReader(data).get(obs.records[0].id)
    assert got is not None
    info = call_info(got)
    assert info["attempt"] is None and info["known"] is False


def test_a_broken_directory_never_stops_a_call(box: Any) -> None:
    _svc, sim, obs, data = box
    (data / "directory.json").write_text("{not json", encoding="utf-8")
    sim.place_call(ScriptedCaller(id="c", caller_id="+33612345678", hangup_after_seconds=1.0)).wait(30)
    rec = obs.wait(1)[0]
    assert rec.state == "answered" and SpyDialog.contexts[-1].known is None
    assert list((data / "quarantine").glob("directory.json.*"))  # moved aside for a human, not deleted
    assert any("directory.json" in p for p in _svc.problems())  # a health fault
