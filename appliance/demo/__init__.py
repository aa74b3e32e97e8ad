"""``permanence demo``: the whole appliance on its built-in line simulator.

The service runs exactly as on the device — call log, conversation, speech,
alerts, status page — but its line is the simulator (a modem on the far side of
a pty) and scripted callers ring it one after another: the project's own demo
callers (``callers-fr.jsonl`` / ``callers-en.jsonl`` beside this file) or a
``--script FILE`` in the corpus format (``{"id", "lang", "caller_id", "turns"}``
per line; optional ``hangup_after_rings``, ``hangup_after_turn``,
``hangup_after_seconds``, ``dtmf``, ``expect``). A caller with ``expect`` (the
corpus labels: ``urgent``, ``name``, ``company``...) answers the box's closed
urgency question and its read-back of the name and company truthfully from it,
and spells when asked; it knows which question the box asked from the box's own
turns in the call record (:class:`BoxPrompts`), and speaks its answer like any
turn, for the box's recogniser to hear.

The on-call people who accept transfers (``demo.toml``: both) have simulated phones that answer,
hear the brief and press 1: an urgent caller is put through, and the record's timeline shows
each step. English callers speak with the piper voice, French ones with espeak-ng (robotic: the demo
says so when it starts); the box recognises them with the engines of the demo configuration
(``demo.toml``). ``--type`` and ``--mic`` make you the caller instead
(:mod:`appliance.demo.interactive`).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import logging
import shutil
import signal
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from ..config import Config, LineConfig, load_config, load_config_text
from ..errors import ConfigError, PermanenceError, WebError
from ..qualification import Qualification
from ..store.record import CallRecord
from ..textsafe import control_characters

if TYPE_CHECKING:
    from ..service import Service
    from ..speech.voices import CallerVoices

log = logging.getLogger(__name__)
HERE = Path(__file__).resolve().parent
TRANSFER_STEPS = ("transfer_started", "caller_on_hold", "technician_dialled", "technician_ringing",
                  "technician_answered", "technician_accepted", "technician_declined", "technician_no_answer",
                  "technician_busy", "technician_unreachable", "technician_no_key", "hold_limit", "caller_back",
                  "transfer_refused", "transfer_error", "transferred", "joined", "acknowledged")


def add_demo_phones(sim: Any, cfg: Config) -> None:
    """A simulated phone for each on-call person who accepts transfers: answers, hears the brief, presses 1."""
    from ..telephony.simulator import SimPhone

    for p in cfg.rota.people:
        if p.transfer:
            sim.add_phone(SimPhone(p.phone, answer_after_rings=2, keys="1", name=p.name))


def demo_config(lang: str, base: Config | None = None) -> Config:
    """The demo's configuration: ``demo.toml`` (or ``base``) with one simulated line."""
    own = base is None
    if base is None:
        text = (HERE / "demo.toml").read_text(encoding="utf-8")
        base = load_config_text(text, source=str(HERE / "demo.toml"))
    lines = tuple(dataclasses.replace(ln, driver="sim", port="") for ln in base.lines) or (LineConfig(),)
    company = dataclasses.replace(base.company, language="en" if lang == "en" else "fr") if lang else base.company
    if own and lang == "en":
        company = dataclasses.replace(company, name="Martin Industrial Maintenance", timezone="Europe/London")
        lines = tuple(dataclasses.replace(ln, country="GB") for ln in lines)
    return dataclasses.replace(base, company=company, lines=lines)


_OPTIONAL = {"hangup_after_rings": int, "hangup_after_turn": int, "hangup_after_seconds": float,
             "caller_name": str, "linger": float}


class BoxPrompts:
    """The simulated callers' side channel: what the box asked on each line.

    An observer of the service (``call_event``/``urgent``) that keeps the turns of the call in
    progress on each line, as the call record holds them. :meth:`since_caller` gives a caller
    a channel that returns the (prompt key, text) of the box's prompts recorded since the caller
    last started speaking (the question it is to answer), read from the record rather than
    guessed from timing. A reply is recorded once all its sentences are queued, so a pause
    between two sentences is not taken for the end of the box's turn.
    """

    def __init__(self) -> None:
        self._turns: dict[str, tuple[str, list[dict[str, Any]]]] = {}
        self._lock = threading.Lock()

    def call_event(self, kind: str, rec: CallRecord) -> None:
        with self._lock:
            self._turns[rec.line] = (rec.id, list(rec.turns))

    def urgent(self, rec: CallRecord) -> None:
        self.call_event("urgent", rec)

    def turns(self, line: str) -> tuple[str, list[dict[str, Any]]]:
        """(call id, turns) of the call on ``line`` as last recorded."""
        with self._lock:
            call_id, turns = self._turns.get(line, ("", []))
            return call_id, list(turns)

    def since_caller(self, line: str) -> _BoxChannel:
        return _BoxChannel(self, line)


class _BoxChannel:
    """One caller's view of :class:`BoxPrompts` (see ``ScriptedCaller.box_said``)."""

    def __init__(self, prompts: BoxPrompts, line: str) -> None:
        self.prompts, self.line = prompts, line
        self.call_id = ""
        self.seen: int | None = None  # turns of the record when the caller last started speaking

    def mark(self) -> None:
        """The caller starts speaking: what the box has said so far is being answered."""
        self.call_id, turns = self.prompts.turns(self.line)
        self.seen = len(turns)

    def __call__(self) -> list[tuple[str, str]]:
        """The box's prompts after the caller's latest turn, once the record holds that turn: the record is
        written to disk before observers see it, and may lag the audio by seconds on a loaded machine, so
        prompts recorded after the caller started speaking but said before (a late write) are not the reply."""
        call_id, turns = self.prompts.turns(self.line)
        seen = self.seen if call_id == self.call_id else None  # None: the caller has not spoken on this call
        out: list[tuple[str, str]] = []
        for t in reversed(turns[seen or 0:]):
            if t.get("speaker") != "box":
                return out[::-1]
            out.append((str(t.get("key") or ""), str(t.get("text") or "")))
        return out[::-1] if seen is None else []


def _expect(d: dict[str, Any]) -> dict[str, Any] | None:
    e = d.get("expect")
    if e is None:
        return None
    if not isinstance(e, dict):
        raise TypeError('"expect" must be a JSON object (urgent, name, company, ...)')
    if "urgent" in e and not isinstance(e["urgent"], bool):
        raise TypeError('"expect.urgent" must be true or false')
    for key in ("name", "company"):
        if e.get(key) is not None and not isinstance(e[key], str):
            raise TypeError(f'"expect.{key}" must be a string or null')
    return e


def load_script(path: Path, default_lang: str, errors: IO[str]) -> list[Any]:
    """Scripted callers from a JSONL file; a bad line (not UTF-8, not JSON, NUL or other control
    characters, lone surrogates, wrong fields) is reported and skipped, the others kept."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read the caller script: {exc.strerror or exc}") from None
    callers = []
    for n, line in enumerate(raw.splitlines(), 1):
        if not line.strip():
            continue
        try:
            callers.append(_caller(json.loads(line.decode("utf-8")), n, default_lang))
        except (ValueError, TypeError, KeyError) as exc:  # UnicodeDecodeError and JSONDecodeError are ValueErrors
            print(f"permanence demo: {path}:{n}: skipped: {exc}", file=errors, flush=True)
    if not callers:
        raise ConfigError(f"{path}: no usable caller in the script (one JSON object per line with "
                          f'"id", "lang", "caller_id", "turns")')
    return callers


def _checked_text(value: Any, what: str) -> str:
    if not isinstance(value, str):
        raise TypeError(f"{what} must be a string")
    if any(0xD800 <= ord(c) <= 0xDFFF for c in value):
        raise ValueError(f"{what} holds a lone surrogate (not text)")
    bad = control_characters(value)
    if bad:
        raise ValueError(f"{what} holds control characters ({' '.join(sorted(set(bad)))})")
    return value


def _caller(d: Any, n: int, default_lang: str) -> Any:
    from ..telephony.simulator.callers import ScriptedCaller

    if not isinstance(d, dict):
        raise TypeError("expected a JSON object")
    turns = d.get("turns")
    if not isinstance(turns, list):
        raise TypeError('"turns" must be a list of strings')
    turns = [_checked_text(t, f"turn {i + 1}") for i, t in enumerate(turns)]
    cid = d.get("caller_id")
    if cid is not None:
        cid = _checked_text(cid, '"caller_id"')
    lang = d.get("lang") or default_lang
    if lang not in ("fr", "en"):
        raise ValueError(f'"lang" must be "fr" or "en", got {lang!r}')
    extra: dict[str, Any] = {}
    for key, typ in _OPTIONAL.items():
        if d.get(key) is not None:
            extra[key] = _checked_text(d[key], f'"{key}"') if typ is str else typ(d[key])
    if isinstance(d.get("dtmf"), dict):
        extra["dtmf"] = {int(k): _checked_text(v, '"dtmf"') for k, v in d["dtmf"].items()}
    return ScriptedCaller(id=_checked_text(str(d.get("id", f"line{n}")), '"id"'), caller_id=cid, lang=lang,
                          turns=turns, expect=_expect(d), **extra)


class DemoPrinter:
    """Prints what happens: one JSON record per finished call (``--json``) or a readable line per event."""

    def __init__(self, *, json_mode: bool, out: IO[str]) -> None:
        self.json_mode = json_mode
        self.out = out
        self.lock = threading.Lock()
        self.finished: list[str] = []
        self.cond = threading.Condition(self.lock)
        self._turns_shown: dict[str, int] = {}
        self.log_reader: Any = None

    def _p(self, text: str) -> None:
        self.out.write(text + "\n")
        self.out.flush()

    def call_event(self, kind: str, rec: CallRecord) -> None:
        with self.lock:
            if not self.json_mode:
                self._readable(kind, rec)
            if kind == "ended":
                if self.json_mode:
                    full = self.log_reader.get(rec.id) if self.log_reader is not None else None
                    self._p(json.dumps((full or rec).to_dict(), ensure_ascii=False))
                self.finished.append(rec.id)
                self.cond.notify_all()

    def urgent(self, rec: CallRecord) -> None:
        if not self.json_mode:
            q = rec.qualification or Qualification()
            with self.lock:
                self._readable("urgent", rec)
                self._p(f"  !! URGENT {q.category} — on-call technician alerted "
                        f"(call back within {q.sla_minutes} min)")

    def _readable(self, kind: str, rec: CallRecord) -> None:
        caller = _safe(rec.caller_number or ("withheld" if rec.caller_withheld else "unknown"))
        if kind == "started":
            self._p(f"[{rec.line}] ringing: call {rec.id} from {caller}")
        elif kind == "answered":
            self._p(f"[{rec.line}] answered after {rec.rings} ring(s)")
        shown = self._turns_shown.get(rec.id, 0)
        for t in rec.turns[shown:]:
            who = "box   " if t.get("speaker") == "box" else "you   " if t.get("kind") == "typed" else "caller"
            if t.get("to") == "technician":
                who = "box -> technician"
            text = _safe(t.get("text") or f"({t.get('kind')})")
            self._p(f"    {who}: {text}")
        self._turns_shown[rec.id] = len(rec.turns)
        if kind == "ended":
            self._transfer_steps(rec)
            q = rec.qualification or Qualification()
            dur = f"{rec.duration:.0f} s" if rec.duration is not None else "-"
            self._p(f"[{rec.line}] ended: {rec.state}, by {rec.hangup_by}, {dur}; "
                    f"category={q.category} urgency={q.urgency} name={_safe(str(q.name))} "
                    f"company={_safe(str(q.company))} callback={q.callback}")

    def _transfer_steps(self, rec: CallRecord) -> None:
        """The steps of putting the caller through, from the record's timeline."""
        full = self.log_reader.get(rec.id) if self.log_reader is not None else None
        for e in (full or rec).events:
            kind = str(e.get("kind", ""))
            if kind in TRANSFER_STEPS:
                at = str(e.get("at", ""))[11:19]
                who = _safe(str(e.get("person") or ""))
                extra = f" (on hold {e['held_seconds']} s)" if "held_seconds" in e else ""
                self._p(f"  -> {at} {kind.replace('_', ' ')}{' ' + who if who else ''}{extra}")

    def wait_finished(self, n: int, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        with self.cond:
            while len(self.finished) < n:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self.cond.wait(left)
        return True


def _print_sms(sim: Any, seen: list[int], out: IO[str]) -> None:
    """Show the SMS the simulated modem received from the box since the last call."""
    sent = list(getattr(sim, "sent_sms", []))
    for sms in sent[seen[0]:]:
        print(f"  SMS to {sms.number} (modem ref {sms.reference}): {_safe(sms.text)!r}", file=out, flush=True)
    seen[0] = len(sent)


def _safe(s: str) -> str:
    return "".join(c if c.isprintable() else "?" for c in s)


def data_directory(args: argparse.Namespace) -> tuple[Path, str | None]:
    """Where the demo keeps its call log: ``--data DIR``, else a temporary directory (returned
    second, to be removed at the end)."""
    if args.data:
        return Path(args.data), None
    tmp = tempfile.mkdtemp(prefix="permanence-demo-")
    return Path(tmp), tmp


def what_callers_are(lang: str, cfg: Config) -> str:
    """Said when the demo starts: who the simulated callers are, plainly."""
    engine = cfg.speech.for_language(lang).recognizer
    if lang == "fr":
        return (f"permanence demo: the French callers here are espeak-ng's robotic synthetic voice, heard by "
                f"{engine} at 8 kHz: expect garbled transcripts, names and companies. This shows how a call "
                f"goes, not how well French is understood. To talk to the box yourself: "
                f"permanence demo --lang fr --type (typed turns) or --mic (your voice).")
    return (f"permanence demo: the English callers here are a synthetic piper voice heard by {engine} at "
            f"8 kHz. To talk to the box yourself: permanence demo --type or --mic.")


def _demo_language(args: argparse.Namespace, callers: list[Any] | None, default_lang: str) -> str:
    """The box's language: ``--lang``, else the most frequent language of the scripted callers, else the
    default."""
    if args.lang:
        return str(args.lang)
    if callers:
        langs = [c.lang for c in callers]
        return max(("fr", "en"), key=langs.count)
    return default_lang


def _scripted_setup(args: argparse.Namespace) -> tuple[Config, str, list[Any], int]:
    """The scripted demo's configuration, language, callers and number of calls (logging set up on the way)."""
    from ..status.logsetup import setup_logging

    base = load_config(Path(args.config)) if args.config else None
    default_lang = args.lang or (base.company.language if base else "fr")
    callers = load_script(Path(args.script), default_lang, sys.stderr) if args.script else None
    lang = _demo_language(args, callers, default_lang)
    cfg = demo_config(lang, base)
    setup_logging(args.log_level or "WARNING")
    if callers is None:
        callers = load_script(HERE / f"callers-{lang}.jsonl", lang, sys.stderr)
    n_calls = len(callers) if args.calls is None else args.calls
    if n_calls < 0:
        raise ConfigError("--calls: expected 0 or more")
    return cfg, lang, callers, n_calls


class _ScriptedDemo:
    """One run of the scripted demo: the simulator, with the on-call people's phones, ringing the service
    with scripted callers, and the printer of their calls. Built, then :meth:`run`, then always
    :meth:`close`."""

    def __init__(self, args: argparse.Namespace, cfg: Config, lang: str, callers: list[Any], n_calls: int) -> None:
        from ..telephony.simulator import Simulator

        self.args, self.cfg, self.lang, self.callers, self.n_calls = args, cfg, lang, callers, n_calls
        self.info = sys.stderr if args.json else sys.stdout
        self.data_dir, self.tmp = data_directory(args)
        self.voices: CallerVoices | None = None
        if not args.no_speech:
            from ..speech.voices import CallerVoices

            self.voices = CallerVoices()
        self.sim = Simulator(dialect=args.dialect, country=cfg.lines[0].country,
                             voice=self.voices.speak if self.voices is not None else None)
        add_demo_phones(self.sim, cfg)
        self.sim.start()
        self.printer = DemoPrinter(json_mode=args.json, out=sys.stdout)
        self.box = BoxPrompts()
        self.sms_seen: list[int] = [0]
        self.web_port = cfg.web.port if args.web_port is None else args.web_port
        self.svc = self._service(self.web_port, config_path=None)
        self.stop = threading.Event()

    def _line(self, lc: LineConfig, **kw: Any) -> Any:
        from ..telephony import open_line

        return open_line(lc, simulator=self.sim, **kw)

    def _service(self, web_port: int | None, **extra: Any) -> Service:
        from ..service import Service

        return Service(self.cfg, data_dir=self.data_dir, web_port=web_port, observers=[self.printer, self.box],
                       speech=not self.args.no_speech, line_factory=self._line, mqtt_url=self.args.mqtt,
                       leds=False, **extra)

    def _say(self, text: str) -> None:
        print(text, file=self.info, flush=True)

    def stop_on_signals(self) -> None:
        """SIGTERM and SIGINT (Ctrl-C) end the demo after the call in progress."""

        def on_signal(signum: int, frame: object) -> None:
            self.stop.set()

        signal.signal(signal.SIGTERM, on_signal)
        signal.signal(signal.SIGINT, on_signal)

    def run(self) -> int:
        """Start the service, place the calls, keep the status page for a person watching; the exit code."""
        self._say(f"permanence demo: loading ({self.lang}, {len(self.callers)} scripted caller(s), "
                  f"data in {self.data_dir})")
        if not self.args.no_speech:
            self._say(what_callers_are(self.lang, self.cfg))
        self._start_service()
        self.printer.log_reader = self.svc.log
        if self.svc.web_url:
            self._say(f"permanence demo: status page at {self.svc.web_url}")
        if not self.svc.ready.wait(120):
            raise PermanenceError("the simulated line did not become ready within 120 s")
        rc = self._place_calls()
        if self.args.calls is None and not self.args.json and not self.stop.is_set() and self.svc.web_url:
            # a person watching keeps the status page; a program reading --json gets its exit when the calls end
            self._say(f"permanence demo: done; the status page stays at {self.svc.web_url} (Ctrl-C to stop)")
            while not self.stop.wait(1):
                pass
        return rc

    def _start_service(self) -> None:
        """Start the service; when its web port is busy, start it again on a free port."""
        try:
            self.svc.start()
        except WebError as exc:
            if self.svc.web is None and self.web_port and "cannot listen" in str(exc):
                self._say(f"permanence demo: port {self.web_port} is busy, using a free port")
                self.svc.stop()
                self.svc = self._service(-1)
                self.svc.start()
            else:
                raise

    def _place_calls(self) -> int:
        """Ring the box with the callers in turn until ``n_calls`` are done or the demo is stopped."""
        rc = 0
        for i in range(self.n_calls):
            if self.stop.is_set():
                break
            caller = dataclasses.replace(self.callers[i % len(self.callers)],
                                         box_said=self.box.since_caller(self.cfg.lines[0].name))
            self._say(f"permanence demo: call {i + 1}/{self.n_calls}: {caller.id} ({caller.lang})")
            if not self._one_call(i, caller):
                rc = 1
        return rc

    def _one_call(self, i: int, caller: Any) -> bool:
        """Call number ``i`` (from 0): False when the box logged nothing within 30 s of the caller hanging up."""
        logged = True
        handle = self.sim.place_call(caller)
        while not self.stop.is_set() and not self.printer.wait_finished(i + 1, 0.5):
            if handle.done.is_set() and not self.printer.wait_finished(i + 1, 30):
                print(f"permanence demo: call {caller.id}: the box logged nothing within 30 s of the "
                      f"caller hanging up", file=sys.stderr, flush=True)
                logged = False
                break
        try:
            handle.wait(30)
        except PermanenceError as exc:
            log.warning("demo: the simulated caller %s did not finish: %s", caller.id, exc)
        time.sleep(0.5)
        _print_sms(self.sim, self.sms_seen, self.info)
        return logged

    def close(self) -> None:
        """Give queued alerts a chance, then stop the service, the simulator and the voices, and remove the
        temporary data directory."""
        if self.svc.alerts is not None:
            # alerts queued while a broker was unreachable: give them a chance before exiting
            # (they stay on disk in the outbox either way, and go out at the next start)
            with self.svc.faults.guard("demo: sending the last alerts", log):
                self.svc.alerts.drain(30)
        self.svc.stop()
        self.sim.close()
        if self.voices is not None:
            self.voices.close()
        if self.tmp is not None:
            shutil.rmtree(self.tmp, ignore_errors=True)


def run_demo(args: argparse.Namespace) -> int:
    if getattr(args, "type", False) or getattr(args, "mic", False) or getattr(args, "mic_wav", None):
        return _run_you_call(args)
    demo = _ScriptedDemo(args, *_scripted_setup(args))
    demo.stop_on_signals()
    rc = 0
    try:
        rc = demo.run()
    finally:
        demo.close()
    return 130 if demo.stop.is_set() and rc == 0 and args.calls is not None else rc


def _run_you_call(args: argparse.Namespace) -> int:
    """``--type`` / ``--mic``: one call in which the user is the caller."""
    from ..status.logsetup import setup_logging
    from .interactive import run_interactive

    if args.script or args.no_speech:
        raise ConfigError("--type, --mic: you are the caller, so --script and --no-speech do not apply")
    base = load_config(Path(args.config)) if args.config else None
    lang = args.lang or (base.company.language if base else "fr")
    cfg = demo_config(lang, base)
    setup_logging(args.log_level or "WARNING")
    info = sys.stderr if args.json else sys.stdout
    mode = "type" if args.type else "mic"
    return run_interactive(args, mode=mode, cfg=cfg, lang=lang, info=info)
