"""Drive the drivers' call logic with modem lines, as pure functions: no pty, thread or sleep."""

from __future__ import annotations

from collections.abc import Callable

from appliance.capture.events import ReplayEvent
from appliance.capture.formats import parse_bytes
from appliance.capture.offline import replay_offline
from appliance.telephony.line import LineEvent
from appliance.telephony.protocol import AtResponse
from appliance.telephony.steps import Cmd, Emit, Work


def run(lines: list[str], driver: str = "voicemodem", country: str = "FR") -> list[ReplayEvent]:
    """The events the logic of ``driver`` derives from a pasted log of ``lines``."""
    parsed = parse_bytes(("\n".join(lines) + "\n").encode("latin-1"))
    return list(replay_offline(parsed.records, driver, country, parsed).events)


def caller(events: list[ReplayEvent]) -> tuple[object, ...] | None:
    """(number, name, withheld, unavailable) of the last call event."""
    found = None
    for e in events:
        if e.event in ("ringing", "caller_id", "missed_call", "call_waiting"):
            f = e.fields
            found = (f["number"], f["name"], f["withheld"], f["unavailable"])
    return found


def names(events: list[ReplayEvent]) -> list[str]:
    return [e.event for e in events if e.event != "ready"]


def drive(work: Work, modem: Callable[[Cmd], AtResponse]) -> list[LineEvent]:
    """Run one piece of driver logic to its end: each command answered by ``modem``; the events it emitted."""
    events: list[LineEvent] = []
    reply: AtResponse | None = None
    while True:
        try:
            step = work.send(reply)
        except StopIteration:
            return events
        reply = modem(step) if isinstance(step, Cmd) else None
        if isinstance(step, Emit):
            events.append(step.event)
