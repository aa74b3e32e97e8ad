"""Status LEDs on the Raspberry Pi's GPIO header, driven with gpiozero.

One LED per meaning, so a technician reads the box at a glance (pins come from
``[leds]`` in the configuration; a missing key leaves that LED out):

===========  ====================  ==============================================
LED          pattern               meaning
===========  ====================  ==============================================
ready        slow blink (0.5 s)    the service is starting (lines initialising)
ready        steady on             the service runs and every line is healthy
in_call      steady on             a line is ringing (the box is about to answer)
in_call      slow blink (1 s)      a call is in progress
urgent       fast blink (0.125 s)  an urgent call is pending, until acknowledged
fault        steady on             a line or the service is in fault
(all)        off                   the service is stopped (clean shutdown)
===========  ====================  ==============================================

The overall state is the *worst* line state: fault wins, then in_call, then
ringing, then starting, then ready (see :func:`overall_state`). Urgent is
independent of the state: it blinks over whatever else is shown.

Example with gpiozero's mock pins (no hardware)::

    >>> from gpiozero.pins.mock import MockFactory
    >>> from appliance.config import LedsConfig
    >>> factory = MockFactory()
    >>> leds = StatusLeds(LedsConfig(ready=17, fault=23), pin_factory=factory)
    >>> leds.show("ready", urgent_pending=False)
    >>> factory.pin(17).state, factory.pin(23).state
    (True, False)
    >>> leds.close()
    >>> factory.pin(17).state
    False
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from typing import Any, Literal

from gpiozero import LED

from ..config import LedsConfig
from ..errors import PermanenceError

STATES = ("starting", "ready", "ringing", "in_call", "fault")
# Higher is worse: the overall state of several lines is the worst one.
_SEVERITY = {"ready": 0, "closed": 0, "starting": 1, "ringing": 2, "in_call": 3, "fault": 4}

Mode = Literal["off", "on", "slow", "fast", "starting"]


class LedError(PermanenceError, ValueError):
    """An unknown LED state was asked for, or the GPIO could not be claimed."""


def overall_state(line_states: Iterable[str]) -> str:
    """The state the LEDs show for several lines: the worst of them.

    ``fault`` wins, then ``in_call``, ``ringing``, ``starting``, ``ready``.
    ``closed`` lines count as ready; no lines at all is ``starting``.

    >>> overall_state(["ready", "in_call", "ringing"])
    'in_call'
    >>> overall_state(["in_call", "fault"])
    'fault'
    """
    worst: str | None = None
    for s in line_states:
        s = str(s)
        if s not in _SEVERITY:
            raise LedError(f"unknown line state {s!r} (expected one of {', '.join(_SEVERITY)})")
        if s == "closed":
            s = "ready"
        if worst is None or _SEVERITY[s] > _SEVERITY[worst]:
            worst = s
    return worst if worst is not None else "starting"


class StatusLeds:
    """The four status LEDs. Call :meth:`show` whenever a line state changes.

    ``pin_factory`` is passed to every gpiozero device (``None``: gpiozero's
    default, lgpio on a Pi 5; tests pass a ``MockFactory``). Blink periods are
    keywords so tests can run quickly; the defaults are the documented ones.
    """

    def __init__(
        self,
        cfg: LedsConfig,
        *,
        pin_factory: Any = None,
        slow: tuple[float, float] = (1.0, 1.0),
        fast: tuple[float, float] = (0.125, 0.125),
        starting: tuple[float, float] = (0.5, 0.5),
    ) -> None:
        self._lock = threading.Lock()
        self._periods: dict[str, tuple[float, float]] = {"slow": slow, "fast": fast, "starting": starting}
        self._leds: dict[str, LED] = {}
        self._modes: dict[str, Mode] = {}
        self._closed = False
        try:
            for name in ("ready", "in_call", "urgent", "fault"):
                pin = getattr(cfg, name)
                if pin is None:
                    continue
                self._leds[name] = LED(pin, active_high=cfg.active_high, initial_value=False,
                                       pin_factory=pin_factory)
                self._modes[name] = "off"
        except Exception as exc:  # gpiozero raises many kinds; release what we took
            self.close()
            raise LedError(f"[leds]: cannot claim the status LED GPIOs ({exc}); check that no other "
                           f"program uses them and that the user is in the 'gpio' group") from exc
        self.state = "off"
        self.urgent_pending = False

    # ----------------------------------------------------------------- API

    def show(self, state: str, urgent_pending: bool) -> None:
        """Show the overall ``state`` and whether an urgent call awaits acknowledgement."""
        if state not in STATES:
            raise LedError(f"unknown LED state {state!r} (expected one of {', '.join(STATES)})")
        wanted: dict[str, Mode] = {
            "ready": {"starting": "starting", "fault": "off"}.get(state, "on"),  # type: ignore[dict-item]
            "in_call": {"ringing": "on", "in_call": "slow"}.get(state, "off"),  # type: ignore[dict-item]
            "urgent": "fast" if urgent_pending else "off",
            "fault": "on" if state == "fault" else "off",
        }
        with self._lock:
            if self._closed:
                return
            self.state = state
            self.urgent_pending = urgent_pending
            for name, mode in wanted.items():
                self._set(name, mode)

    def close(self) -> None:
        """Stop blinking, switch every LED off and release the GPIOs (idempotent)."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            for led in self._leds.values():
                try:
                    led.off()
                finally:
                    led.close()
            self._leds.clear()
            self.state = "off"

    def __enter__(self) -> StatusLeds:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ----------------------------------------------------------------- internals

    def _set(self, name: str, mode: Mode) -> None:
        led = self._leds.get(name)
        if led is None or self._modes.get(name) == mode:
            return  # absent LED, or already showing this (do not restart a blink)
        self._modes[name] = mode
        if mode == "off":
            led.off()
        elif mode == "on":
            led.on()
        else:
            on_time, off_time = self._periods[mode]
            led.blink(on_time=on_time, off_time=off_time, background=True)
