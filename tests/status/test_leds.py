"""Status LEDs against gpiozero's MockFactory: recorded pin states per transition."""

from __future__ import annotations

import itertools

import pytest
from gpiozero.pins.mock import MockFactory, MockPin
from waiting import wait_until

from appliance.config import LedsConfig
from appliance.status.leds import LedError, StatusLeds, overall_state

PINS = {"ready": 17, "in_call": 27, "urgent": 22, "fault": 23}
SLOW = (0.05, 0.05)
FAST = (0.02, 0.02)


@pytest.fixture
def factory():
    f = MockFactory(pin_class=MockPin)
    yield f
    f.reset()


@pytest.fixture
def leds(factory):
    s = StatusLeds(LedsConfig(ready=17, in_call=27, urgent=22, fault=23), pin_factory=factory,
                   slow=SLOW, fast=FAST, starting=SLOW)
    yield s
    s.close()


def _pins(factory):
    return {name: factory.pin(n) for name, n in PINS.items()}


def _clear(factory):
    for p in _pins(factory).values():
        p.clear_states()


def _history(pin):
    return [s.state for s in pin.states]


def _blinks(pin, min_toggles=4, timeout=3.0):
    """Wait until the pin has toggled ``min_toggles`` times; return its history."""
    def toggled():
        hist = _history(pin)
        return hist if sum(1 for a, b in itertools.pairwise(hist) if a != b) >= min_toggles else None
    return wait_until(toggled, timeout, interval=0.01, message=f"pin blinking: {_history(pin)}")


def test_transitions_record_expected_pin_states(factory, leds):
    p = _pins(factory)
    for pin in p.values():
        pin.assert_states([False])  # all off at construction
    _idle_then_ringing_are_steady(factory, leds, p)
    _call_and_urgent_blink(factory, leds, p)
    _acknowledged_urgent_stays_off(factory, leds, p)
    _fault_then_recovered(factory, leds, p)
    _close_turns_everything_off(leds, p)


def _idle_then_ringing_are_steady(factory: MockFactory, leds: StatusLeds, p: dict[str, MockPin]) -> None:
    # idle: ready steady
    _clear(factory)
    leds.show("ready", urgent_pending=False)
    p["ready"].assert_states([False, True])
    for name in ("in_call", "urgent", "fault"):
        p[name].assert_states([False])

    # ringing: in_call LED steady on, ready stays on
    _clear(factory)
    leds.show("ringing", urgent_pending=False)
    p["in_call"].assert_states([False, True])
    p["ready"].assert_states([True])


def _call_and_urgent_blink(factory: MockFactory, leds: StatusLeds, p: dict[str, MockPin]) -> None:
    # in call: slow blink of in_call
    _clear(factory)
    leds.show("in_call", urgent_pending=False)
    hist = _blinks(p["in_call"])
    assert set(hist) == {True, False}
    p["urgent"].assert_states([False])
    p["ready"].assert_states([True])

    # urgent pending (call still running): urgent fast blink, in_call keeps blinking
    _clear(factory)
    leds.show("in_call", urgent_pending=True)
    hist_u = _blinks(p["urgent"], min_toggles=6)
    assert hist_u[0] is False and True in hist_u
    _blinks(p["in_call"], min_toggles=1)  # still blinking, not restarted into a steady state

    # call over, urgent still pending: ready steady, in_call off, urgent still blinking
    _clear(factory)
    leds.show("ready", urgent_pending=True)
    assert p["in_call"].state is False
    assert p["ready"].state is True
    _blinks(p["urgent"], min_toggles=2)


def _acknowledged_urgent_stays_off(factory: MockFactory, leds: StatusLeds, p: dict[str, MockPin]) -> None:
    # acknowledged: urgent off and stays off (its blink thread is stopped, so nothing can toggle it)
    leds.show("ready", urgent_pending=False)
    _clear(factory)
    assert leds._leds["urgent"]._blink_thread is None
    p["urgent"].assert_states([False])
    p["in_call"].assert_states([False])


def _fault_then_recovered(factory: MockFactory, leds: StatusLeds, p: dict[str, MockPin]) -> None:
    # fault: fault steady on, ready off
    _clear(factory)
    leds.show("fault", urgent_pending=False)
    p["fault"].assert_states([False, True])
    p["ready"].assert_states([True, False])

    # recovered
    _clear(factory)
    leds.show("ready", urgent_pending=False)
    p["fault"].assert_states([True, False])
    p["ready"].assert_states([False, True])


def _close_turns_everything_off(leds: StatusLeds, p: dict[str, MockPin]) -> None:
    # close: everything off
    leds.show("in_call", urgent_pending=True)
    _blinks(p["urgent"], min_toggles=2)
    leds.close()
    for name, pin in p.items():
        assert pin.state is False, name


def test_same_state_twice_does_not_restart_or_flicker(factory, leds):
    p = _pins(factory)
    leds.show("ready", urgent_pending=False)
    _clear(factory)
    for _ in range(5):
        leds.show("ready", urgent_pending=False)
    p["ready"].assert_states([True])


def test_starting_blinks_ready(factory, leds):
    leds.show("starting", urgent_pending=False)
    _blinks(_pins(factory)["ready"], min_toggles=2)


def test_active_low_leds_are_inverted(factory):
    with StatusLeds(LedsConfig(ready=5, active_high=False), pin_factory=factory) as s:
        pin = factory.pin(5)
        assert pin.state is True  # off = high on an active-low LED
        s.show("ready", urgent_pending=False)
        assert pin.state is False
    assert factory.pin(5).state is True


def test_missing_leds_are_left_out(factory):
    with StatusLeds(LedsConfig(fault=23), pin_factory=factory) as s:
        s.show("fault", urgent_pending=True)
        assert factory.pin(23).state is True


def test_pin_conflict_is_a_clear_error(factory):
    taken = StatusLeds(LedsConfig(ready=17), pin_factory=factory)
    try:
        with pytest.raises(LedError, match=r"\[leds\].*gpio"):
            StatusLeds(LedsConfig(ready=4, fault=17), pin_factory=factory)
    finally:
        taken.close()


@pytest.mark.parametrize("bad", ["", "READY", "busy", "closed"])
def test_unknown_state_is_rejected(leds, bad):
    with pytest.raises(LedError, match="unknown LED state"):
        leds.show(bad, urgent_pending=False)


@pytest.mark.parametrize(
    ("states", "expected"),
    [
        ([], "starting"),
        (["ready"], "ready"),
        (["ready", "ringing"], "ringing"),
        (["ringing", "in_call"], "in_call"),
        (["in_call", "fault", "ready"], "fault"),
        (["closed", "ready"], "ready"),
        (["starting", "ready"], "starting"),
    ],
)
def test_overall_state_is_the_worst(states, expected):
    assert overall_state(states) == expected


def test_overall_state_rejects_garbage():
    with pytest.raises(LedError):
        overall_state(["ready", "exploded"])


def test_show_after_close_is_ignored(factory, leds):
    leds.close()
    leds.show("fault", urgent_pending=True)
    assert factory.pin(23).state is False
