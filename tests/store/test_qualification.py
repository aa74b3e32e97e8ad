"""The qualification is one typed value from the qualifier to the record, the page, the alerts and
the exports: stored as JSON, read back into the same dataclass once, unknown keys kept."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest

from appliance.alerts.callinfo import call_info
from appliance.cli import call_row
from appliance.conversation.qualifier import Qualifier
from appliance.qualification import Qualification
from appliance.store.calllog import CallLog, CallLogReader
from appliance.store.days import TABLE, day_paths, parse_day
from appliance.store.record import CallRecord, day_of_call_id, iso, new_call_id
from appliance.web.views.calls import field_checks, fired_rules

WHEN = dt.datetime.now(dt.UTC) - dt.timedelta(hours=1)


def stored(root: Path, call_id: str) -> dict[str, Any]:
    """The record as it is on disk (the day file's JSON)."""
    calls = json.loads(day_paths(root, day_of_call_id(call_id))[0].read_bytes())["calls"]
    return next(raw for raw in calls.values() if raw["id"] == call_id)


def test_the_qualifiers_value_is_what_the_record_reads_back(tmp_path: Path) -> None:
    q = Qualifier.load("fr").qualify(["bonjour ici Jean Dupont de la société Durand",
                                      "la chaudière est en panne, il y a une fuite de gaz"],
                                     "+33612345678")
    q = dataclasses.replace(q, callback_confirmed=True, confirmed=("name",), heard={"name": "jean dupond"})
    assert isinstance(q, Qualification) and q.urgent
    rec = CallRecord(id=new_call_id("l1", WHEN), line="l1", started_at=iso(WHEN), state="answered",
                     qualification=q)
    with CallLog(tmp_path) as log:
        log.create(rec)
        assert log.flush(10)
    back = CallLogReader(tmp_path).get(rec.id)
    assert back is not None and isinstance(back.qualification, Qualification)
    assert back.qualification == q
    raw = stored(tmp_path, rec.id)["qualification"]
    assert raw["rules"] == list(q.rules) and raw["heard"] == {"name": "jean dupond"} and "extra" not in raw
    # the index row, the alerts and the CLI export read the same typed value
    summary = CallLogReader(tmp_path).summaries(since=WHEN - dt.timedelta(minutes=1))[0]
    assert (summary["category"], summary["urgent"], summary["sla_minutes"]) == (q.category, True, q.sla_minutes)
    info = call_info(back)
    assert (info["category"], info["urgent"], info["summary"]) == (q.category, True, q.summary)
    assert call_info(back.to_dict()) == info
    assert call_row(back)["category"] == q.category


NEWER = {"category": "breakdown", "urgent": True, "urgency": "critical", "sla_minutes": 15,
         "summary": "fuite", "rules": ["cat.breakdown.panne"],
         # keys a newer version (or another engineer's branch) adds, and malformed values of an old record
         "raw_hearing": [{"text": "fuite de gaz", "confidence": 0.4}],
         "directory_values": {"customer": "C-12", "site": "Lyon"},
         "unconfirmed_fields": ["site"]}


@pytest.mark.parametrize("odd", [{}, {"sla_minutes": "15"}, {"rules": "cat.breakdown.panne"},
                                 {"urgent": "yes"}, {"heard": ["not", "a", "table"]}])
def test_unknown_keys_and_malformed_values_survive_a_read_and_a_save(tmp_path: Path, odd: dict[str, Any]) -> None:
    qual = NEWER | odd
    rec = CallRecord(id=new_call_id("l1", WHEN), line="l1", started_at=iso(WHEN), state="answered")
    with CallLog(tmp_path) as log:
        log.create(rec)
        assert log.flush(10)
    # the record as an older or newer version wrote it
    path = day_paths(tmp_path, day_of_call_id(rec.id))[0]
    doc = json.loads(path.read_bytes())
    next(iter(doc["calls"].values()))["qualification"] = qual
    path.write_text(json.dumps(doc))

    with CallLog(tmp_path) as log:
        back = log.get(rec.id)
        assert back is not None and isinstance(back.qualification, Qualification)
        assert back.qualification.extra["directory_values"] == {"customer": "C-12", "site": "Lyon"}
        for k, v in odd.items():  # a value of the wrong type is kept as read, not coerced nor dropped
            assert back.qualification.extra[k] == v
        log.update(rec.id, lambda r: setattr(r, "handled", True))
        assert log.flush(10)
    raw = stored(tmp_path, rec.id)
    assert raw["handled"] is True
    assert {k: v for k, v in raw["qualification"].items() if k in qual} == qual


def test_what_reads_a_record_reads_the_dataclass_not_the_json(tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    rec = CallRecord(id=new_call_id("l1", WHEN), line="l1", started_at=iso(WHEN), state="answered",
                     qualification=Qualification(category="quote", summary="devis", name="Ann"))
    with CallLog(tmp_path) as log:
        log.create(rec)
        assert log.flush(10)
    reads: list[object] = []
    real = Qualification.from_dict.__func__  # type: ignore[attr-defined]

    def counted(cls: type[Qualification], d: dict[str, Any]) -> Qualification:
        reads.append(d)
        return real(cls, d)  # type: ignore[no-any-return]

    monkeypatch.setattr(Qualification, "from_dict", classmethod(counted))
    back = CallLogReader(tmp_path).get(rec.id)
    assert back is not None and isinstance(back.qualification, Qualification) and reads
    # what reads the record afterwards (index row, alerts, CLI row, call page) reads the dataclass,
    # never the JSON again
    reads.clear()
    back.summary()
    call_info(back)
    call_row(back)
    fired_rules(back)
    field_checks(back)
    assert reads == []


@pytest.mark.parametrize("bad", ["urgent", ["breakdown"], 3, True])
def test_a_qualification_that_is_no_object_makes_the_record_unreadable_by_name(bad: object) -> None:
    doc = CallRecord(id=new_call_id("l1", WHEN), line="l1", started_at=iso(WHEN), state="answered").to_dict()
    doc["qualification"] = bad
    with pytest.raises(ValueError, match="qualification is a JSON"):
        CallRecord.from_dict(doc)
    content = parse_day({TABLE: {"1": doc}})
    assert content.docs == [] and content.problem is not None and "qualification is a JSON" in content.problem


def test_every_field_set_reads_back_typed_with_nothing_left_in_extra() -> None:
    full = Qualification(id="c1", category="breakdown", urgent=True, urgency="critical", sla_minutes=15,
                         name="Ann Lee", company="Lee SA", callback="+33612345678", summary="fuite",
                         rules=("cat.breakdown.panne@0.41",), equipment="chaudière", site="Lyon", routing="transfer",
                         possibly_urgent=True, decisive=True, urgent_because="fuite de gaz", unconfirmed=("company",),
                         caller_claims_urgent=True, callback_confirmed=True, confirmed=("name",), spelled=("name",),
                         heard={"name": "anne lee", "company": None})
    assert {f.name for f in dataclasses.fields(full) if getattr(full, f.name) == getattr(Qualification(), f.name)} \
        == {"extra"}  # the table sets every field
    back = Qualification.from_dict(json.loads(json.dumps(full.to_dict())))
    assert back == full and back.extra == {}
