"""What the service is made of, as typed interfaces: it receives each part through its constructor.

:class:`~appliance.service.Service` knows its parts only by these Protocols, so mypy
checks the wiring and a test can hand it any implementation:

* :class:`AlertsPart` — alerts (urgent calls, events, acknowledgements by SMS) and the
  state published for Home Assistant (:class:`StatePublisher`); built by an
  :class:`AlertsFactory` once the call log exists and the lines are open (the SMS path
  goes through a line), so nothing resolves lazily;
* :class:`LedsPart` — the status LEDs;
* :class:`WatchdogPart` — systemd's watchdog, pinged while the service's checks pass;
* :class:`WebPart` — the status page's server, built by a :class:`WebFactory` from the call
  log and the service's live status;
* :class:`SpeechEngine` — recognition and synthesis (the call handler's port, plus start-up
  and shutdown);
* :class:`LineFactory` — the line of a ``[[lines]]`` entry.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Protocol, TypedDict

from .call import SpeechPort
from .config import Config, LineConfig
from .store.calllog import CallLog
from .store.record import CallRecord
from .telephony.at import Capture
from .telephony.line import Line

if TYPE_CHECKING:
    from .directory import Directory

HealthCheck = Callable[[], "str | None"]


class LiveStatus(TypedDict):
    """What the service says about itself to the status page (``Service.live``)."""

    lines: list[dict[str, object]]  # LineStatus fields + handler_state, current_call
    uptime_s: float
    models: dict[str, object]
    errors: list[str]
    problems: list[str]  # health faults: disk nearly full, files in quarantine...
    faults: list[dict[str, object]]  # failures survived, counted (appliance.faults.FaultLog.snapshot)
    disk_free_bytes: int | None
    disk_reserve_bytes: int | None
    captures: list[str]
    urgent_pending: list[dict[str, object]]


class StatePublisher(Protocol):
    """Retained state for Home Assistant: lines, today's counts, the box's health."""

    def publish_state(self, lines: Mapping[str, str], calls_today: int, abandoned_today: int) -> None: ...

    def publish_health(self, problems: Sequence[str]) -> None: ...


class AlertsPart(StatePublisher, Protocol):
    """Urgent alerts, call events, acknowledgements; see :class:`appliance.alerts.manager.AlertManager`."""

    def start(self) -> None: ...

    def reconcile(self, calllog: CallLog) -> int:
        """Create the escalation every urgent call of the log still lacks (after a crash)."""
        ...

    def urgent(self, rec: CallRecord) -> None: ...

    def call_event(self, kind: str, rec: CallRecord) -> None: ...

    on_other_sms: Callable[[str, str], object] | None  # an SMS from someone not in the rota

    def sms_received(self, sender: str, text: str) -> object: ...

    def acknowledge(self, call_id: str, by: str, via: str = "api") -> object: ...

    def notice(self, notice_id: str, kind: str, recipients: Sequence[tuple[str, str]], text: str, *,
               topic_tail: str | None = None, message: dict[str, object] | None = None) -> object:
        """A message that belongs to no call (the worklist's notices, a message to a caller)."""
        ...

    @property
    def sends_sms(self) -> bool: ...

    def pending_urgent(self) -> list[dict[str, object]]: ...

    def update_config(self, cfg: Config) -> None: ...

    def problems(self) -> list[str]:
        """Its files moved to quarantine, for the health page."""
        ...

    def drain(self, timeout: float) -> bool: ...

    def close(self) -> None: ...


class AlertsFactory(Protocol):
    def __call__(self, calllog: CallLog, lines: Sequence[Line], /) -> AlertsPart: ...


class LedsPart(Protocol):
    def show(self, state: str, urgent_pending: bool) -> None: ...

    def close(self) -> None: ...


class WatchdogPart(Protocol):
    def add_check(self, check: HealthCheck) -> None: ...

    def ready(self, status: str | None = None) -> bool: ...

    def tick(self) -> bool: ...

    def stopping(self, status: str | None = None) -> bool: ...

    def close(self) -> None: ...


class WebPart(Protocol):
    @property
    def port(self) -> int: ...

    @property
    def scheme(self) -> str: ...

    def close(self) -> None: ...


class WebFactory(Protocol):
    def __call__(self, calllog: CallLog, live: Callable[[], LiveStatus],
                 config_changed: Callable[[Config], None], directory: Directory | None, /) -> WebPart: ...


class SpeechEngine(SpeechPort, Protocol):
    """The speech port, plus what the service does with it at start and stop."""

    def prerender(self, texts: Iterable[str], lang: str) -> int: ...

    def describe(self) -> Mapping[str, object]: ...

    def close(self) -> None: ...


class LineFactory(Protocol):
    def __call__(self, line: LineConfig, /, *, capture: Capture | None = ...) -> Line: ...
