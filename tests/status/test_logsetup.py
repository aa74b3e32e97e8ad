"""Logging setup: levels, journald priority prefixes, escaping of caller-controlled text."""

from __future__ import annotations

import io
import logging

import pytest

from appliance.errors import ConfigError
from appliance.status.logsetup import escape_control, setup_logging


@pytest.fixture(autouse=True)
def _restore_root():
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    for h in list(root.handlers):
        if h not in handlers:
            root.removeHandler(h)
    root.setLevel(level)


@pytest.mark.parametrize(
    ("raw", "escaped"),
    [
        ("plain", "plain"),
        ("Hélène Dupré", "Hélène Dupré"),
        ("a\nb", "a\\nb"),
        ("\r\t", "\\r\\t"),
        ("\x1b[31mred", "\\x1b[31mred"),
        ("\x00\x7f\x85", "\\x00\\x7f\\x85"),
        ("bidi\u202etxt", "bidi\\u202etxt"),
        ("line\u2028sep", "line\\u2028sep"),
    ],
)
def test_escape_control(raw, escaped):
    assert escape_control(raw) == escaped


def test_journald_prefix_and_escaping():
    out = io.StringIO()
    setup_logging("INFO", stream=out, env={"JOURNAL_STREAM": "8:1234"})
    log = logging.getLogger("permanence.test")
    log.debug("hidden")
    log.info("caller name %s", "Eve\n<3>permanence: forged")
    log.warning("w")
    log.error("e")
    lines = out.getvalue().splitlines()
    assert lines == [
        "<6>permanence.test: caller name Eve\\n<3>permanence: forged",
        "<4>permanence.test: w",
        "<3>permanence.test: e",
    ]


def test_plain_stderr_has_timestamp_and_level():
    out = io.StringIO()
    setup_logging("debug", stream=out, env={})
    logging.getLogger("x").debug("hello")
    line = out.getvalue().strip()
    assert line.endswith("DEBUG x: hello") and line[:4].isdigit()


def test_setup_twice_keeps_one_handler():
    out = io.StringIO()
    setup_logging("INFO", stream=out, env={})
    setup_logging("WARNING", stream=out, env={})
    logging.getLogger("y").info("dropped")
    logging.getLogger("y").warning("kept")
    assert out.getvalue().count("kept") == 1 and "dropped" not in out.getvalue()


def test_exception_lines_carry_priority():
    out = io.StringIO()
    setup_logging("INFO", stream=out, env={"JOURNAL_STREAM": "1:2"})
    try:
        raise ValueError("bad")
    except ValueError:
        logging.getLogger("z").exception("failed")
    assert all(line.startswith("<3>") for line in out.getvalue().splitlines())


@pytest.mark.parametrize("bad", ["", "verbose", "TRACE"])
def test_bad_level(bad):
    with pytest.raises(ConfigError, match=r"logging\.level"):
        setup_logging(bad, stream=io.StringIO(), env={})
