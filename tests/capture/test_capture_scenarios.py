"""Replay the project's captures of every telephony scenario (issue 3), in both forms, and
check what the real drivers derive: the whole story of each session, in order."""

from __future__ import annotations

from typing import Any

import pytest

from appliance.capture.replay import ReplayOptions, ReplayResult

from .helpers import forms, run_many, story

# name -> (driver, country, expected story). Field truth, written from the captures.
SCENARIOS: dict[str, tuple[str, str, list[str]]] = {
    "gsm_answered_dtmf_caller_hangup": ("gsm", "FR", [
        "ringing#1 +33612345678", "ringing#2 +33612345678", "answered", "dtmf:1", "dtmf:#", "hung_up:caller"]),
    "gsm_abandoned_no_carrier": ("gsm", "FR", ["ringing#1 +33612345678", "missed:caller"]),
    "gsm_missed_call_sim7600": ("gsm", "FR", [
        "ringing#1 +447700900123", "ringing#2 +447700900123", "ringing#3 +447700900123",
        "ringing#4 +447700900123", "missed:caller"]),
    "gsm_rings_then_silence": ("gsm", "FR", ["ringing#1 +33145678901", "ringing#2 +33145678901", "missed:caller"]),
    "gsm_withheld_then_unavailable": ("gsm", "FR", [
        "ringing#1 withheld", "ringing#2 withheld", "missed:caller", "ringing#1 unavailable", "missed:caller"]),
    "gsm_box_hangs_up": ("gsm", "FR", ["ringing#1 +33612345678", "answered", "hung_up:box"]),
    "gsm_box_rejects": ("gsm", "FR", ["ringing#1 +33612345678", "missed:box"]),
    "gsm_network_end_clcc": ("gsm", "FR", ["ringing#1 +33612345678", "answered", "hung_up:network"]),
    "gsm_call_waiting": ("gsm", "FR", [
        "ringing#1 +33612345678", "answered", "call_waiting +33698765432", "hung_up:caller"]),
    "gsm_sms_received": ("gsm", "FR", ["sms:+33612345678:Rappelez-moi vite, fuite au 2e"]),
    "gsm_sim800_dtmf": ("gsm", "FR", ["ringing#1 +33612345678", "answered", "dtmf:4", "dtmf:2", "hung_up:caller"]),
    "gsm_modem_restart_rdy": ("gsm", "FR", ["fault", "ringing#1 +33612345678", "missed:caller"]),
    "voice_fr_answered_dtmf_busy": ("voicemodem", "FR", [
        "ringing#1 -", "caller_id +33145678901", "ringing#2 +33145678901", "answered", "dtmf:3", "dtmf:3", "dtmf:7",
        "hung_up:caller"]),
    "voice_uk_cid_before_first_ring": ("voicemodem", "GB", [
        "ringing#1 +442079460000/SMITH J", "ringing#2 +442079460000/SMITH J", "ringing#3 +442079460000/SMITH J",
        "missed:caller"]),
    "voice_us_full_cid": ("voicemodem", "US", [
        "ringing#1 -", "caller_id +12125550123/JOHN DOE", "ringing#2 +12125550123/JOHN DOE",
        "ringing#3 +12125550123/JOHN DOE", "missed:caller"]),
    "voice_private_and_unavailable": ("voicemodem", "FR", [
        "ringing#1 -", "caller_id withheld", "ringing#2 withheld", "missed:caller",
        "ringing#1 -", "caller_id unavailable", "ringing#2 unavailable", "missed:caller"]),
    "voice_loop_break_hangup": ("voicemodem", "FR", [
        "ringing#1 -", "caller_id +33612345678", "ringing#2 +33612345678", "answered", "hung_up:caller"]),
    "voice_conexant_dtmf_repeats": ("voicemodem", "FR", [
        "ringing#1 -", "caller_id +33612345678", "ringing#2 +33612345678", "answered", "dtmf:4", "dtmf:2",
        "hung_up:caller"]),
    "voice_staff_picks_up": ("voicemodem", "FR", [
        "ringing#1 -", "caller_id +33612345678", "ringing#2 +33612345678", "ringing#3 +33612345678", "missed:staff"]),
    "voice_box_hangs_up": ("voicemodem", "FR", [
        "ringing#1 -", "caller_id +33612345678", "ringing#2 +33612345678", "answered", "hung_up:box"]),
}

CASES = [(name, path) for name in SCENARIOS for path in forms(name)]


@pytest.fixture(scope="module")
def results() -> dict[str, ReplayResult]:
    jobs = []
    for name, path in CASES:
        driver, country, _ = SCENARIOS[name]
        jobs.append((str(path), path, ReplayOptions(driver, speed=0, country=country, timeout=60)))  # type: ignore[arg-type]
    return run_many(jobs)


@pytest.mark.parametrize(("name", "path"), CASES, ids=[f"{n}-{p.suffix[1:]}" for n, p in CASES])
def test_scenario_story(results: dict[str, ReplayResult], name: str, path: Any) -> None:
    r = results[str(path)]
    assert not r.timed_out
    if path.suffix == ".jsonl":
        assert r.skipped_records == 0  # text logs may hold other log output, skipped on purpose
    assert story(r.events) == SCENARIOS[name][2]


def test_other_log_output_is_left_out(results: dict[str, ReplayResult]) -> None:
    # the two python-logging / journald logs carry "appliance.call: ..." lines between modem lines
    assert results[str(forms("gsm_answered_dtmf_caller_hangup")[0])].skipped_records == 4  # "opened", "ready" and two appliance.call lines
    assert results[str(forms("gsm_abandoned_no_carrier")[0])].skipped_records == 1


def test_every_form_is_read_as_what_it_is(results: dict[str, ReplayResult]) -> None:
    for _name, path in CASES:
        assert results[str(path)].format == ("jsonl" if path.suffix == ".jsonl" else "text")


def test_captured_replies_answer_the_driver(results: dict[str, ReplayResult]) -> None:
    # the full-session captures hold the driver's own init: every command it sent was found in them
    r = results[str(forms("gsm_answered_dtmf_caller_hangup")[1])]
    assert r.matched >= 16
    v = results[str(forms("voice_fr_answered_dtmf_busy")[0])]
    assert v.matched >= 12


PASTED_ONLY = {
    # several calls in one untimed paste: a +CLIP with another number is another call
    "two calls": (b'RING\r\n+CLIP: "0612345678",129,"",0,"",0\r\nRING\r\n+CLIP: "0612345678",129,"",0,"",0\r\n'
                  b'RING\r\n+CLIP: "0698765432",129,"",0,"",0\r\nATA\r\nOK\r\nNO CARRIER\r\n',
                  ["ringing#1 +33612345678", "ringing#2 +33612345678", "missed:caller", "ringing#1 +33698765432",
                   "answered", "hung_up:caller"]),
    # a reply cut from the paste (no OK after the SMS text): completed, the SMS is read
    "cut reply": (b'+CMTI: "SM",3\nAT+CMGF=1\nOK\nAT+CMGR=3\n'
                  b'+CMGR: "REC UNREAD","+33612345678","","26/11/27,12:00:00+04"\nFuite au sous-sol\n',
                  ["sms:+33612345678:Fuite au sous-sol"]),
}


def _day_of_status_lines() -> bytes:
    """Ten hours of +CSQ/^RSSI/+CREG reports around two calls, timed like a real log."""
    out, t = [], 0.0

    def at(t: float, text: str) -> str:
        return f"{int(t // 3600) % 24:02d}:{int(t % 3600 // 60):02d}:{t % 60:06.3f} RX: {text}"

    for i in range(3000):
        out.append(at(t, f"+CSQ: {10 + i % 20},99"))
        t += 10
    out += [at(t, "RING"), at(t + 0.05, '+CLIP: "0612345678",129,"",0,"",0'), at(t + 5, "RING"),
            at(t + 5.05, '+CLIP: "0612345678",129,"",0,"",0'), at(t + 7, "NO CARRIER")]
    t += 100
    for _ in range(500):
        out.append(at(t, "+CREG: 1"))
        t += 10
    out += [at(t, "RING"), at(t + 0.05, '+CLIP: "0698765432",129,"",0,"",0'), at(t + 0.5, "TX: ATA"),
            at(t + 0.8, "OK"), at(t + 20, "NO CARRIER")]
    return ("\n".join(out) + "\n").replace("RX: TX: ", "TX: ").encode()


PASTED_ONLY["a day of status lines"] = (_day_of_status_lines(), [
    "ringing#1 +33612345678", "ringing#2 +33612345678", "missed:caller", "ringing#1 +33698765432", "answered",
    "hung_up:caller"])


@pytest.fixture(scope="module")
def pasted(tmp_path_factory: pytest.TempPathFactory) -> dict[str, ReplayResult]:
    d = tmp_path_factory.mktemp("pasted")
    jobs = []
    for name, (raw, _) in PASTED_ONLY.items():
        p = d / (name.replace(" ", "_") + ".log")
        p.write_bytes(raw)
        jobs.append((name, p, ReplayOptions("gsm", speed=0 if len(raw) < 10_000 else 10, timeout=60)))
    # the same cut reply in our own format: the modem really said nothing, the driver times out
    from appliance.capture.formats import parse_bytes
    from appliance.capture.writer import CaptureWriter

    w = CaptureWriter(d / "own", "gsm1", max_bytes=100_000, days=7)
    for rec in parse_bytes(PASTED_ONLY["cut reply"][0]).records:
        w.record(rec.direction, rec.data)
    w.close()
    assert w.path is not None
    jobs.append(("own cut reply", w.path, ReplayOptions("gsm", speed=0, timeout=60)))
    return run_many(jobs)


@pytest.mark.parametrize("name", list(PASTED_ONLY))
def test_pasted_logs(pasted: dict[str, ReplayResult], name: str) -> None:
    assert story(pasted[name].events) == PASTED_ONLY[name][1]


def test_own_capture_keeps_a_silent_modem_silent(pasted: dict[str, ReplayResult]) -> None:
    s = story(pasted["own cut reply"].events)
    assert s[0] == "fault" and not any(x.startswith("sms") for x in s)
