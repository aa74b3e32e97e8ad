"""``permanence demo --type`` and ``--mic``: you are the caller.

Both run the whole appliance as ``permanence demo`` does — the simulated line, the real
dialog, qualifier, call log, alerts and status page — and place one call whose caller is you:

* ``--type``: you type each caller turn at the prompt. The typed line replaces only the
  recogniser's output (:class:`TypedListener`): it reaches the dialog as the caller's turn and
  is recorded with ``"kind": "typed"``, never as recognised speech. The box answers in text and,
  when the computer has speakers, aloud.
* ``--mic``: you speak into the computer's microphone (opened at 16 kHz when it allows, else at
  its own rate; :mod:`appliance.demo.audio_io`). Your voice is resampled to 8 kHz and sent down
  the simulated line as a caller's voice would be: the box hears you through the same driver,
  VAD, recogniser and turn-taking as a call. While the box speaks your microphone is muted (use
  headphones to talk over it is not supported: the speakers would be heard as you).
* ``--mic-wav FILE``: a recording in place of the microphone. It is cut at its pauses of a
  second or more (:func:`~appliance.demo.audio_io.split_turns`) and each part is said as one
  turn, once the box has replied to the one before (as the record of the call shows it), the way
  a person waits for the box to finish: the call does not depend on how fast the machine is.

Commands at the ``--type`` prompt: ``/keys 0612#`` presses keypad keys, ``/bye`` (or Ctrl-D)
hangs up.
"""

from __future__ import annotations

import argparse
import dataclasses
import queue
import signal
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from ..config import Config
from ..conversation.base import ListenSpec, Prompt
from ..errors import PermanenceError
from ..speech.turns import EndOfTurn
from .audio_io import TURN_PAUSE_SECONDS, AudioSource, MicrophoneSource, Speakers, WavSource, open_speakers

if TYPE_CHECKING:
    from ..service import Service
    from ..telephony.simulator import Simulator
    from . import BoxPrompts, DemoPrinter

HUMAN_CALL_SECONDS = 1800.0  # a person typing or thinking is slower than a scripted caller
MUTE_AFTER_BOX = 0.4  # seconds after the box's last voiced frame before your audio goes through
DEFAULT_NUMBER = {"fr": "+33612345678", "en": "+447700900123"}


class TypedListener:
    """The call's listener when the caller types: each typed line is one caller turn.

    Lines wait in ``lines`` until the box listens and has finished its prompt; then the next
    feed returns it as an :class:`EndOfTurn` with ``source="typed"`` and no confidence, words or
    alternatives. No silence timeout: a person typing is never "silent".
    """

    def __init__(self, lines: queue.Queue[str]) -> None:
        self.lines = lines
        self.listening = False
        self.playing = False
        self.time = 0.0

    def prompt_started(self) -> None:
        self.playing = True

    def prompt_audio(self, pcm: bytes) -> None:
        return None

    def prompt_finished(self) -> None:
        self.playing = False

    def listen(self, spec: ListenSpec | None = None) -> None:
        self.listening = True

    def feed(self, frame: bytes) -> EndOfTurn | None:
        self.time += len(frame) / 16000
        if not self.listening or self.playing:
            return None
        try:
            text = self.lines.get_nowait()
        except queue.Empty:
            return None
        self.listening = False
        return EndOfTurn(text=text, start=self.time, end=self.time, confidence=None, reason="typed",
                         decided_at=self.time, source="typed")

    def close(self) -> None:
        return None


class TypedSpeech:
    """The speech port of ``--type``: the box's voice as usual, typed lines instead of a recogniser."""

    def __init__(self, cfg: Config, *, cache_dir: Path) -> None:
        from ..speechio import EngineSpeech

        self.engine = EngineSpeech(cfg, cache_dir=cache_dir, recognize=False)
        self.lines: queue.Queue[str] = queue.Queue()

    def prompt_chunks(self, prompt: Prompt, lang: str) -> Iterator[bytes]:
        return self.engine.prompt_chunks(prompt, lang)

    def listener(self, lang: str) -> TypedListener:
        return TypedListener(self.lines)

    def prerender(self, texts: Any, lang: str) -> int:
        return self.engine.prerender(texts, lang)

    def describe(self) -> dict[str, Any]:
        return {**self.engine.describe(), "recognition": "typed lines (--type)"}

    def close(self) -> None:
        self.engine.close()


def interactive_config(cfg: Config) -> Config:
    """The demo's configuration with room for a person: long calls, and the whole conversation with the box
    (no transfer to a simulated technician: the scripted demo shows that)."""
    conv = dataclasses.replace(cfg.conversation, max_call_seconds=HUMAN_CALL_SECONDS)
    people = tuple(dataclasses.replace(p, transfer=False) for p in cfg.rota.people)
    return dataclasses.replace(cfg, conversation=conv, rota=dataclasses.replace(cfg.rota, people=people))


def _speaker_pump(handle: Any, speakers: Speakers | None, done: threading.Event) -> None:
    """The box's audio, as the simulated caller's phone receives it, to the computer's speakers."""
    sent = 0
    while not done.is_set() and not handle.done.is_set():
        frames = handle.result.box_audio
        new = [pcm for _, pcm in frames[sent:]]
        sent += len(new)
        if new and speakers is not None:
            speakers.play(b"".join(new))
        time.sleep(0.02)


def _box_quiet(sim: Any) -> bool:
    """The call is up, the box has greeted, and it has been quiet for a moment."""
    call = sim.current_call()
    return (call is not None and call.connected and call.box_spoke
            and time.monotonic() - call.last_box_voice >= MUTE_AFTER_BOX)


def _mic_pump(sim: Any, handle: Any, source: AudioSource, done: threading.Event) -> None:
    """Your microphone down the simulated line, muted while the box speaks (half duplex): its
    audio is dropped meanwhile (it would be the box heard through the speakers)."""
    for pcm in source.chunks():
        if done.is_set() or handle.done.is_set():
            return
        call = sim.current_call()
        if call is not None and _box_quiet(sim):
            call.say(pcm)


def _read_typed(lines: queue.Queue[str], handle: Any, stdin: IO[str], out: IO[str]) -> None:
    """Typed caller turns until /bye, end of input or the end of the call."""
    for raw in stdin:
        if handle.done.is_set():
            return
        text = raw.strip()
        if not text:
            continue
        if text in ("/bye", "/quit", "/hangup"):
            break
        if text.startswith("/keys"):
            keys = "".join(c for c in text[5:] if c in "0123456789*#")
            if keys:
                handle.press(keys)
            else:
                print("permanence demo: /keys needs digits, * or #", file=out, flush=True)
            continue
        lines.put(text)
    handle.hang_up()


def banner(mode: str, lang: str, cfg: Config) -> str:
    """What the user is about to try, said plainly."""
    engine = cfg.speech.for_language(lang).recognizer
    if mode == "type":
        return ("permanence demo --type: you are the caller. Type what you would say and press Enter; "
                "the box answers in text (and aloud when this computer has speakers). Your typed words "
                "replace only the speech recogniser: the dialog, qualifier, call log and alerts are the "
                "real ones. /keys 0612# presses keypad keys; /bye or Ctrl-D hangs up.")
    return (f"permanence demo --mic: you are the caller. Speak into the microphone when the box has "
            f"finished speaking; it hears you through the simulated telephone line (8 kHz) and the "
            f"{engine} recogniser, as it would hear a call. Ctrl-C hangs up.")


@dataclasses.dataclass
class _Session:
    """What one call with you as the caller holds open: the service, the simulator, your audio or typing, and
    the temporary data directory (``tmp``, removed by :func:`_close_session`)."""

    svc: Service
    sim: Simulator
    printer: DemoPrinter
    box: BoxPrompts
    speech: Any
    source: AudioSource | None
    speakers: Speakers | None
    tmp: str | None
    done: threading.Event = dataclasses.field(default_factory=threading.Event)


def _open_source(args: argparse.Namespace, mode: str, info: IO[str]) -> AudioSource | None:
    """``--mic``: the microphone (or the ``--mic-wav`` recording), said at which rate it is opened."""
    if mode != "mic":
        return None
    source: AudioSource = WavSource(args.mic_wav) if args.mic_wav else MicrophoneSource()
    print(f"permanence demo: microphone at {source.rate} Hz, sent to the box at 8 kHz", file=info, flush=True)
    return source


def _open_session(args: argparse.Namespace, mode: str, cfg: Config, lang: str, info: IO[str]) -> _Session:
    """The banner said, the simulator started and the service built (not started) for one call with you."""
    from ..service import Service
    from ..telephony import open_line
    from ..telephony.simulator import Simulator
    from . import BoxPrompts, DemoPrinter, data_directory

    source = _open_source(args, mode, info)
    print(banner(mode, lang, cfg), file=info, flush=True)
    data_dir, tmp = data_directory(args)
    sim = Simulator(dialect=args.dialect, country=cfg.lines[0].country)
    sim.start()
    speech: Any = TypedSpeech(cfg, cache_dir=data_dir / "prompt-cache") if mode == "type" else True
    printer = DemoPrinter(json_mode=args.json, out=sys.stdout)
    box = BoxPrompts()
    web_port = cfg.web.port if args.web_port is None else args.web_port
    svc = Service(cfg, data_dir=data_dir, web_port=web_port, observers=[printer, box], speech=speech,
                  line_factory=lambda lc, **kw: open_line(lc, simulator=sim, **kw), mqtt_url=args.mqtt,
                  leds=False, config_path=None)
    return _Session(svc=svc, sim=sim, printer=printer, box=box, speech=speech, source=source, speakers=open_speakers(),
                    tmp=tmp)


def _start_box(s: _Session, info: IO[str]) -> None:
    """Start the service and wait (up to 120 s) for its simulated line to be ready."""
    s.svc.start()
    s.printer.log_reader = s.svc.log
    if s.svc.web_url:
        print(f"permanence demo: status page at {s.svc.web_url}", file=info, flush=True)
    if not s.svc.ready.wait(120):
        raise PermanenceError("the simulated line did not become ready within 120 s")


def _connect_you(s: _Session, handle: Any, mode: str, info: IO[str]) -> None:
    """The box to the speakers, your microphone or typing to the call; Ctrl-C (or SIGTERM) hangs up."""
    threading.Thread(target=_speaker_pump, args=(handle, s.speakers, s.done), daemon=True,
                     name="demo-speakers").start()
    if s.source is not None and s.source.live:  # a recording is said turn by turn by the simulator
        threading.Thread(target=_mic_pump, args=(s.sim, handle, s.source, s.done), daemon=True,
                         name="demo-mic").start()
    if mode == "type":
        reader = threading.Thread(target=_read_typed, args=(s.speech.lines, handle, sys.stdin, info),
                                  daemon=True, name="demo-typed")
        reader.start()
    signal.signal(signal.SIGINT, lambda signum, frame: handle.hang_up())  # Ctrl-C: you hang up
    signal.signal(signal.SIGTERM, lambda signum, frame: handle.hang_up())


def _your_call(s: _Session, args: argparse.Namespace, mode: str, lang: str, info: IO[str]) -> int:
    """Start the box, place the call with you as the caller, wait for its end; the exit code."""
    from ..telephony.simulator.callers import ScriptedCaller
    from . import _print_sms

    _start_box(s, info)
    caller = ScriptedCaller(id="you", caller_id=args.caller_id or DEFAULT_NUMBER[lang], lang=lang, turns=[],
                            wait_for_box_hangup=True, max_call_seconds=HUMAN_CALL_SECONDS)
    if isinstance(s.source, WavSource):
        parts = s.source.turns()
        print(f"permanence demo: the recording holds {len(parts)} turn(s) (cut at pauses of "
              f"{TURN_PAUSE_SECONDS:g} s); each is said once the box has replied", file=info, flush=True)
        caller = dataclasses.replace(caller, turns=[""] * len(parts), turn_audio=parts,
                                     box_said=s.box.since_caller(s.svc.cfg.lines[0].name))
    handle = s.sim.place_call(caller)
    _connect_you(s, handle, mode, info)
    while not handle.done.wait(0.2):
        pass
    if not s.printer.wait_finished(1, 30):
        print("permanence demo: the box logged nothing within 30 s of the call's end", file=sys.stderr)
        return 1
    _print_sms(s.sim, [0], info)
    return 0


def _close_session(s: _Session) -> None:
    """Stop your audio, give queued alerts a chance, stop the service and the simulator, remove the data."""
    s.done.set()
    if s.source is not None:
        s.source.close()
    if s.speakers is not None:
        s.speakers.close()
    with s.svc.faults.guard("demo: sending the last alerts"):  # the outbox keeps what is not sent
        if s.svc.alerts is not None:
            s.svc.alerts.drain(10)
    s.svc.stop()
    s.sim.close()
    if s.tmp is not None:
        import shutil

        shutil.rmtree(s.tmp, ignore_errors=True)


def run_interactive(args: argparse.Namespace, *, mode: str, cfg: Config, lang: str, info: IO[str]) -> int:
    """One call in which you are the caller (``mode`` "type" or "mic"); returns the exit code."""
    cfg = interactive_config(cfg)
    session = _open_session(args, mode, cfg, lang, info)
    try:
        return _your_call(session, args, mode, lang, info)
    finally:
        _close_session(session)
