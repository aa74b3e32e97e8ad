"""Our field corpus (issue 16, item 5): transcripts written from what real modems printed in public
reports, manuals, other projects' comments and fixtures (numbers masked), each with its source and
the fields the driver must derive, as ``# expect:`` lines:

    number +33612345678     a call (ringing, caller id, missed call, call waiting) from this E.164 number
    raw 5550162             ... whose number the modem gave in this form (no E.164 form exists)
    name SMITH J            ... with this name
    withheld / unavailable  ... whose number was withheld / not available
    rings N                 the highest ring count reached
    calls N                 how many calls the driver saw (first rings and missed calls)
    event NAME              this event happened (answered, hung_up:caller, missed:caller, missed_call...)
    dtmf 123#               these keys, in order
    sms SENDER | TEXT       an SMS from SENDER whose text starts with TEXT

A transcript is *clean* when the replay neither timed out, faulted (unless expected) nor left a
modem line unparsed. ``python -m tests.capture.field`` prints the figures.
"""

from __future__ import annotations

import dataclasses
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from appliance.capture.events import ReplayEvent

from .helpers import DATA, story

FIELD = DATA / "field"
CALL_EVENTS = ("ringing", "caller_id", "missed_call", "call_waiting")


@dataclasses.dataclass(frozen=True)
class Transcript:
    path: Path
    source: str
    origin: str
    driver: str
    country: str
    expect: tuple[str, ...]

    @property
    def name(self) -> str:
        return self.path.stem


def transcripts(folder: Path = FIELD) -> list[Transcript]:
    out = []
    for p in sorted(folder.glob("*.log")):
        head: dict[str, list[str]] = {}
        for line in p.read_text().splitlines():
            if line.startswith("# ") and ":" in line:
                k, v = line[2:].split(":", 1)
                head.setdefault(k.strip(), []).append(v.strip())
        out.append(Transcript(p, head["source"][0], head.get("origin", ["published"])[0], head["driver"][0],
                              head["country"][0], tuple(head.get("expect", []))))
    return out


def check(expect: str, events: Sequence[ReplayEvent]) -> bool:
    """One ``# expect:`` line against what the driver derived."""
    kind, _, arg = expect.partition(" ")
    calls = [e.fields for e in events if e.event in CALL_EVENTS]
    if kind == "number":
        return any(f.get("number") == arg for f in calls)
    if kind == "raw":
        return any(f.get("raw") == arg for f in calls)
    if kind == "name":
        return any(f.get("name") == arg for f in calls)
    if kind in ("withheld", "unavailable"):
        return any(f.get(kind) for f in calls)
    if kind == "rings":
        return max((e.fields["count"] for e in events if e.event == "ringing"), default=0) == int(arg)
    if kind == "calls":
        n = sum(1 for e in events if (e.event == "ringing" and e.fields["count"] == 1) or e.event == "missed_call")
        return n == int(arg)
    if kind == "event":
        return arg in story(events) or any(e.event == arg for e in events)
    if kind == "dtmf":
        return "".join(e.fields["digit"] for e in events if e.event == "dtmf") == arg
    if kind == "sms":
        sender, _, text = (x.strip() for x in arg.partition("|"))
        return any(e.fields["sender"] == sender and e.fields["text"].startswith(text)
                   for e in events if e.event == "sms")
    raise ValueError(f"unknown expectation {expect!r}")


def clean(t: Transcript, events: Sequence[ReplayEvent], timed_out: bool = False) -> bool:
    fault_expected = "event fault" in t.expect
    return not timed_out and not any(e.event in ("unparsed", "timeout") or (e.event == "fault" and not fault_expected)
                                     for e in events)


def figures(results: Iterable[tuple[Transcript, Sequence[ReplayEvent], bool]]) -> dict[str, Any]:
    n = cleans = checks = passed = 0
    failures: list[str] = []
    for t, events, timed_out in results:
        n += 1
        ok_clean = clean(t, events, timed_out)
        cleans += ok_clean
        for e in t.expect:
            checks += 1
            if check(e, events):
                passed += 1
            else:
                failures.append(f"{t.name}: {e}")
        if not ok_clean:
            failures.append(f"{t.name}: not clean {[x for x in story(events) if x.startswith(('unparsed', 'fault'))]}")
    return {"transcripts": n, "clean": cleans, "checks": checks, "passed": passed, "failures": failures}


def main(argv: list[str]) -> int:
    """``python -m tests.capture.field [--pty]``: the corpus's figures, offline or through the pty."""
    from appliance.capture.formats import load
    from appliance.capture.offline import replay_offline
    from appliance.capture.replay import ReplayOptions

    from .helpers import run_many

    ts = transcripts()
    if "--pty" in argv:
        jobs = [(t.name, t.path, ReplayOptions(t.driver, speed=0, country=t.country, timeout=60))  # type: ignore[arg-type]
                for t in ts]
        res = run_many(jobs)
        rows = [(t, res[t.name].events, res[t.name].timed_out) for t in ts]
    else:
        rows = []
        for t in ts:
            parsed = load(t.path)
            r = replay_offline(parsed.records, t.driver, t.country, parsed)
            rows.append((t, r.events, False))
    fig = figures(rows)
    published = sum(1 for t in ts if t.origin == "published")
    print(f"{fig['transcripts']} transcripts ({published} from published lines), {fig['clean']} clean, "
          f"{fig['passed']}/{fig['checks']} checks pass")
    for f in fig["failures"]:
        print("  " + f)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
