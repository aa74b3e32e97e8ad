"""The call page says which fields the caller confirmed, spelled or left unconfirmed (issue 13)."""

from __future__ import annotations

import datetime as dt
import html
from typing import Any

import pytest

from appliance.qualification import Qualification
from appliance.store.record import CallRecord, iso, new_call_id

from .conftest import Box


def _call(box: Box, qual: dict[str, Any]) -> str:
    start = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=5)
    rec = CallRecord(id=new_call_id("line1", start), line="line1", started_at=iso(start), caller_number="+33612345678",
                     state="answered", answered_at=iso(start), ended_at=iso(start + dt.timedelta(seconds=60)),
                     hangup_by="caller", duration=60.0, lang="fr",
                     qualification=Qualification.from_dict({"category": "breakdown", "urgent": True, "urgency": "critical",
                                    "sla_minutes": 15, "name": "Giles Mercer", "company": "Mercer <Logistics>",
                                    "callback": "+33612345678", "summary": "x", "rules": []} | qual))
    box.log.create(rec)
    return rec.id


@pytest.mark.parametrize("qual,badges,heard", [
    ({"confirmed": ["name", "callback", "urgent"], "unconfirmed": ["company"], "spelled": [],
      "heard": {"name": "Charles <b>Mercer</b>"}},
     {"name": "confirmed", "callback": "confirmed", "urgent": "confirmed", "company": "unconfirmed"},
     "Charles <b>Mercer</b>"),
    ({"confirmed": [], "unconfirmed": [], "spelled": ["name"]}, {"name": "spelled"}, None),
    ({}, {}, None),  # a call recorded before this existed
    ({"confirmed": "name", "heard": ["not", "a", "dict"]}, {}, None),  # malformed: shown without badges
])
def test_confirmed_and_unconfirmed_fields_on_the_call_page(client: Any, box: Box, qual: dict[str, Any],
                                                           badges: dict[str, str], heard: str | None) -> None:
    call_id = _call(box, qual)
    page = client.get(f"/calls/{call_id}").text
    assert client.get(f"/calls/{call_id}").status_code == 200
    for field, state in badges.items():
        assert f'<span class="badge check-{state}" data-check="{field}">' in page, field
    assert page.count('data-check="') == len(badges)
    if heard:
        assert html.escape(heard, quote=False) in page and heard not in page  # escaped, caller-controlled
    assert "Mercer &lt;Logistics&gt;" in page
    for key in ("confirmed", "unconfirmed", "spelled", "heard"):
        assert f"<dt>{key}</dt>" not in page  # shown as badges, not as raw lists
