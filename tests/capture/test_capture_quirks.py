"""Real-world modem quirks (issue 9, item 4), one capture each, replayed in both forms against
the real drivers. The expectation is the field truth: what the caller's line really showed.

A failure here is a driver that mishandles the quirk (appliance/telephony is not patched from
here: the failing case is the report)."""

from __future__ import annotations

from typing import Any

import pytest

from appliance.capture.replay import ReplayOptions, ReplayResult

from .helpers import forms, last_caller, run_many, story

W = (None, None, True, False)  # withheld
U = (None, None, False, True)  # unavailable


def num(number: str, name: str | None = None) -> tuple[Any, ...]:
    return (number, name, False, False)


# case -> (driver, expected caller (number, name, withheld, unavailable) of the call, expected outcome)
CALLER_CASES: dict[str, tuple[str, tuple[Any, ...], str]] = {
    # voice modems: caller id lines, France unless named
    "v_uk_cid_before_first_ring": ("voicemodem", num("+442079460000", "SMITH J"), "missed:caller"),
    "v_eq_spaces_both": ("voicemodem", num("+33612345678"), "missed:caller"),
    "v_eq_spaces_none": ("voicemodem", num("+33612345678"), "missed:caller"),
    "v_eq_space_before": ("voicemodem", num("+33612345678"), "missed:caller"),
    "v_eq_space_after": ("voicemodem", num("+33612345678"), "missed:caller"),
    "v_eq_many_spaces": ("voicemodem", num("+33612345678", "DUPONT"), "missed:caller"),
    "v_fields_one_line": ("voicemodem", num("+33612345678", "DUPONT"), "missed:caller"),
    "v_fields_one_line_nospace": ("voicemodem", num("+33612345678"), "missed:caller"),
    "v_label_runs_into_next": ("voicemodem", num("+33612345678"), "missed:caller"),
    "v_number_runs_into_name": ("voicemodem", num("+33612345678", "DUPONT"), "missed:caller"),
    "v_label_ddn_nmbr": ("voicemodem", num("+33612345678"), "missed:caller"),
    "v_label_nbr": ("voicemodem", num("+33612345678"), "missed:caller"),
    "v_label_caller_number": ("voicemodem", num("+33612345678", "DUPONT"), "missed:caller"),
    "v_mesg_with_number": ("voicemodem", num("+33612345678"), "missed:caller"),
    "v_mesg_reason_private": ("voicemodem", W, "missed:caller"),
    "v_mesg_reason_unavailable": ("voicemodem", U, "missed:caller"),
    "v_hex_mdmf": ("voicemodem", num("+33612345678", "DUPONT"), "missed:caller"),
    "v_hex_sdmf": ("voicemodem", num("+33612345678"), "missed:caller"),
    "v_hex_mdmf_private": ("voicemodem", W, "missed:caller"),
    "v_date_mmdd": ("voicemodem", num("+33612345678"), "missed:caller"),
    "v_date_mm_slash_dd": ("voicemodem", num("+33612345678"), "missed:caller"),
    "v_date_six_digits": ("voicemodem", num("+33612345678"), "missed:caller"),
    "v_marker_p_upper": ("voicemodem", W, "missed:caller"),
    "v_marker_private_upper": ("voicemodem", W, "missed:caller"),
    "v_marker_private_mixed": ("voicemodem", W, "missed:caller"),
    "v_marker_withheld_upper": ("voicemodem", W, "missed:caller"),
    "v_marker_withheld_mixed": ("voicemodem", W, "missed:caller"),
    "v_marker_anonymous_upper": ("voicemodem", W, "missed:caller"),
    "v_marker_o_upper": ("voicemodem", U, "missed:caller"),
    "v_marker_unavailable_upper": ("voicemodem", U, "missed:caller"),
    "v_marker_unavailable_mixed": ("voicemodem", U, "missed:caller"),
    "v_marker_out_of_area_mixed": ("voicemodem", U, "missed:caller"),
    "v_marker_out_of_area_upper": ("voicemodem", U, "missed:caller"),
    "v_name_private_with_number": ("voicemodem", num("+33612345678"), "missed:caller"),
    "v_name_out_of_area_with_number": ("voicemodem", num("+33612345678"), "missed:caller"),
    # GSM: +CLIP number types and field styles
    "g_clip_type_129": ("gsm", num("+33612345678"), "missed:caller"),
    "g_clip_type_145_plus": ("gsm", num("+33612345678"), "missed:caller"),
    "g_clip_type_145_no_plus": ("gsm", num("+33612345678"), "missed:caller"),
    "g_clip_type_145_00_prefix": ("gsm", num("+33612345678"), "missed:caller"),
    "g_clip_type_161": ("gsm", num("+33612345678"), "missed:caller"),
    "g_clip_type_128_number": ("gsm", num("+33612345678"), "missed:caller"),
    "g_clip_empty_fields_quoted": ("gsm", num("+33612345678"), "missed:caller"),
    "g_clip_empty_fields_bare": ("gsm", num("+33612345678"), "missed:caller"),
    "g_clip_short": ("gsm", num("+33612345678"), "missed:caller"),
    "g_clip_no_space": ("gsm", num("+33612345678"), "missed:caller"),
    "g_clip_with_name": ("gsm", num("+33612345678", "DUPONT"), "missed:caller"),
    "g_clip_withheld_validity": ("gsm", W, "missed:caller"),
    "g_clip_withheld_bare": ("gsm", W, "missed:caller"),
    "g_clip_withheld_short": ("gsm", W, "missed:caller"),
    "g_clip_withheld_unquoted": ("gsm", W, "missed:caller"),
    "g_clip_unavailable_validity": ("gsm", U, "missed:caller"),
    "g_clip_anonymous_text": ("gsm", W, "missed:caller"),
    "g_clip_before_ring": ("gsm", num("+33612345678"), "missed:caller"),
    "g_cring_voice": ("gsm", num("+33612345678"), "missed:caller"),
    "g_cring_clip_separate_reads": ("gsm", num("+33612345678"), "missed:caller"),
    "g_boot_lines_in_replies": ("gsm", num("+33612345678"), "missed:caller"),
    # beyond the list, seen in the field: rings reported as <DLE>R in voice mode (V.253)
    "v_dle_ring_in_voice_mode": ("voicemodem", num("+33612345678"), "missed:caller"),
}
FIRST_RING_HAS_CALLER = {"v_uk_cid_before_first_ring", "g_clip_before_ring", "g_cring_voice",
                         "g_cring_clip_separate_reads", "g_clip_type_129", "g_clip_withheld_validity"}
"""Caller id that arrives before (or with) the first ring must be on the first Ringing event."""

SMS_CASES: dict[str, tuple[str, str]] = {
    "g_cmti_sm": ("+33612345678", "Fuite au sous-sol"),
    "g_cmti_me": ("+33612345678", "Fuite au sous-sol"),
    "g_cmti_mt_space": ("+33612345678", "Fuite au sous-sol"),
    "g_cmti_unquoted": ("+33612345678", "Fuite au sous-sol"),
    "g_cmti_extra_field": ("+33612345678", "Fuite au sous-sol"),
    "g_cmti_no_space": ("+33612345678", "Fuite au sous-sol"),
    "g_sms_ucs2_sender": ("+33612345678", "Bonjour !"),
    # beyond the list, common with SIM800 (AT+CNMI=2,2): the SMS comes whole in a +CMT
    "g_cmt_direct_delivery": ("+33612345678", "Fuite au sous-sol"),
}

STORY_CASES: dict[str, tuple[str, list[str]]] = {
    "g_voice_call_begin_before_ok": ("gsm", ["ringing#1 +33612345678", "answered", "hung_up:caller"]),
    # Huawei dongles (chan_dongle users): the call ends with ^CEND, not NO CARRIER
    "g_huawei_cend": ("gsm", ["ringing#1 +79161234567", "answered", "hung_up:caller"]),
}

ALL = {**{k: v[0] for k, v in CALLER_CASES.items()}, **{k: "gsm" for k in SMS_CASES},
       **{k: v[0] for k, v in STORY_CASES.items()}}
CASES = [(name, path) for name in ALL for path in forms(name, "quirks")]
IDS = [f"{n}-{p.suffix[1:]}" for n, p in CASES]


@pytest.fixture(scope="module")
def results() -> dict[str, ReplayResult]:
    jobs = []
    for name, path in CASES:
        country = "GB" if "_uk_" in name else "FR"
        jobs.append((str(path), path, ReplayOptions(ALL[name], speed=0, country=country, timeout=60)))  # type: ignore[arg-type]
    return run_many(jobs)


def _case(results: dict[str, ReplayResult], path: Any) -> ReplayResult:
    r = results[str(path)]
    assert not r.timed_out
    return r


@pytest.mark.parametrize(("name", "path"), [c for c in CASES if c[0] in CALLER_CASES],
                         ids=[i for c, i in zip(CASES, IDS, strict=True) if c[0] in CALLER_CASES])
def test_caller_id_quirk(results: dict[str, ReplayResult], name: str, path: Any) -> None:
    r = _case(results, path)
    _, caller, outcome = CALLER_CASES[name]
    s = story(r.events)
    assert [x for x in s if x.startswith("unparsed")] == [], "lines the driver did not understand"
    assert "fault" not in s
    assert last_caller(r.events) == caller, s
    assert s[-1] == outcome, s
    if name in FIRST_RING_HAS_CALLER:
        first = next(e for e in r.events if e.event == "ringing")
        assert (first.fields["number"], first.fields["withheld"]) == (caller[0], caller[2]), s


@pytest.mark.parametrize(("name", "path"), [c for c in CASES if c[0] in SMS_CASES],
                         ids=[i for c, i in zip(CASES, IDS, strict=True) if c[0] in SMS_CASES])
def test_sms_quirk(results: dict[str, ReplayResult], name: str, path: Any) -> None:
    r = _case(results, path)
    sender, text = SMS_CASES[name]
    assert story(r.events) == [f"sms:{sender}:{text}"]


@pytest.mark.parametrize(("name", "path"), [c for c in CASES if c[0] in STORY_CASES],
                         ids=[i for c, i in zip(CASES, IDS, strict=True) if c[0] in STORY_CASES])
def test_story_quirk(results: dict[str, ReplayResult], name: str, path: Any) -> None:
    r = _case(results, path)
    assert story(r.events) == STORY_CASES[name][1]


def test_every_quirk_capture_is_in_the_table() -> None:
    from .helpers import DATA

    on_disk = {p.stem for p in (DATA / "quirks").glob("*.log")}
    assert on_disk == set(ALL)
