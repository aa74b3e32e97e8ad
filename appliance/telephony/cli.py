"""``permanence simulate``: a simulated modem in the foreground, for drivers, minicom or gammu.

    permanence simulate --dialect gsm --ring-interval 2
    # prints: port /tmp/permanence-sim-xxxx/modem, audio ..., sms ...
    # then type commands: call +33612345678 | hangup | sms +336... text | unplug | replug | ...
"""

from __future__ import annotations

import argparse
import shlex
import signal
import sys
import threading
from pathlib import Path
from types import FrameType
from typing import TextIO

from ..errors import PermanenceError
from .simulator import ScriptedCaller, Simulator

HELP = """commands:
  call [NUMBER|withheld|unavailable] [TEXT...]   ring the box (the caller says TEXT after the greeting)
  hangup                                         the current caller hangs up
  press DIGITS                                   the current caller presses keys
  sms NUMBER TEXT...                             deliver an incoming SMS (+CMTI)
  sent                                           list the SMS the box sent
  unplug [SECONDS] | replug                      the port vanishes (and comes back after SECONDS)
  garbage [N] | mute [SECONDS] | unmute | one_way_audio | noise [DBFS] | drop_call | clear
  status | help | quit"""


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = subparsers.add_parser("simulate", help="run a simulated modem (GSM HAT or analog voice modem) on a pty",
                              description="Run a simulated modem at the far end of a pty (and optionally TCP), "
                                          "print its port paths, and read commands from stdin.",
                              epilog=HELP, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--dialect", choices=("gsm", "voicemodem"), default="gsm")
    p.add_argument("--model", choices=("sim7600", "sim800", "usr5637", "cx93010"), default=None)
    p.add_argument("--country", choices=("FR", "GB", "US", "CA", "BE", "CH", "DE"), default="FR")
    p.add_argument("--tcp-port", type=int, default=None, help="also serve the AT port on 127.0.0.1:PORT")
    p.add_argument("--ring-interval", type=float, default=None, help="seconds between rings (default: country)")
    p.add_argument("--voice", choices=("espeak", "tone"), default="espeak",
                   help="how callers speak (espeak-ng, or a tone for timing tests)")
    p.add_argument("--corpus", default=None, help="place every call of this corpus JSONL file in turn")
    p.add_argument("--pin", default="", help="SIM PIN the simulated SIM asks for")
    p.add_argument("--dir", default=None,
                   help="directory for the port symlinks (modem, audio, sms), so their paths are stable")
    p.set_defaults(func=run_simulate)


def run_simulate(args: argparse.Namespace, stdin: TextIO | None = None, out: TextIO | None = None) -> int:
    out = out or sys.stdout
    stdin = stdin or sys.stdin
    from .simulator.voice import espeak_voice, tone_voice

    voice = tone_voice if args.voice == "tone" else espeak_voice
    if args.corpus and not Path(args.corpus).is_file():
        print(f"permanence simulate: {args.corpus}: no such corpus file", file=sys.stderr)
        return 2
    try:
        sim = Simulator(args.dialect, model=args.model, country=args.country, tcp_port=args.tcp_port,
                        voice=voice, ring_interval=args.ring_interval, pin=args.pin, directory=_dir(args.dir))
        sim.start()
    except PermanenceError as e:
        print(f"permanence simulate: {e}", file=sys.stderr)
        return 2
    stop = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, on_signal)
    try:
        print(f"simulated {sim.model} ({sim.dialect}, {sim.country}, ring every {sim.ring_interval:g} s)", file=out)
        print(f"port {sim.port}", file=out)
        if sim.audio_port:
            print(f"audio {sim.audio_port}", file=out)
        if sim.sms_port:
            print(f"sms {sim.sms_port}", file=out)
        if sim.tcp_url:
            print(f"tcp {sim.tcp_url}", file=out)
        print("type 'help' for commands", file=out, flush=True)
        if args.corpus:
            threading.Thread(target=_corpus, args=(sim, args.corpus, stop, out), daemon=True).start()
        while not stop.is_set():
            line = stdin.readline()
            if not line:
                stop.wait()
                break
            if not _command(sim, line, out):
                break
    except KeyboardInterrupt:
        pass
    finally:
        sim.close()
    return 0


def _dir(path: str | None) -> str | None:
    if path is None:
        return None
    from pathlib import Path

    Path(path).mkdir(parents=True, exist_ok=True)
    return path


def _corpus(sim: Simulator, path: str, stop: threading.Event, out: TextIO) -> None:
    try:
        callers = sim.load_corpus_callers(path)
    except PermanenceError as e:
        print(f"corpus: {e}", file=out, flush=True)
        return
    for c in callers:
        if stop.is_set():
            return
        print(f"calling from {c.caller_id!r} ({c.id})", file=out, flush=True)
        r = sim.place_call(c).wait(c.max_call_seconds + 120)
        print(f"call {c.id}: answered={r.answered} rings={r.rings} hung up by {r.hung_up_by}", file=out, flush=True)


def _command(sim: Simulator, line: str, out: TextIO) -> bool:
    try:
        words = shlex.split(line)
    except ValueError as e:
        print(f"? {e}", file=out, flush=True)
        return True
    if not words:
        return True
    cmd, rest = words[0].lower(), words[1:]
    try:
        if cmd in ("quit", "exit"):
            return False
        if cmd == "help":
            print(HELP, file=out)
        elif cmd == "call":
            number = rest[0] if rest else "+33612345678"
            turns = [" ".join(rest[1:])] if len(rest) > 1 else ["bonjour, je voudrais un rendez-vous"]
            cid = None if number == "withheld" else number
            sim.place_call(ScriptedCaller(id="cli", caller_id=cid, turns=turns, wait_for_box_hangup=True))
            print(f"ringing from {number}", file=out)
        elif cmd in ("hangup", "press"):
            c = sim.current_call()
            if c is None:
                print("no call", file=out)
            elif cmd == "hangup":
                c.handle.hang_up()
            else:
                c.handle.press("".join(rest))
        elif cmd == "sms" and len(rest) >= 2:
            print(f"stored at index {sim.inject_sms(rest[0], ' '.join(rest[1:]))}", file=out)
        elif cmd == "sent":
            for s in sim.sent_sms:
                print(f"{s.reference}: to {s.number}: {s.text!r}", file=out)
        elif cmd == "status":
            c = sim.current_call()
            print(f"plugged={sim.plugged} call={'none' if c is None else c.result.caller} faults={sim.faults}",
                  file=out)
        elif cmd in ("unplug", "mute") and rest:
            sim.inject(cmd, duration=float(rest[0]))
        elif cmd == "garbage" and rest:
            sim.inject(cmd, count=int(rest[0]))
        elif cmd == "noise" and rest:
            sim.inject(cmd, level_dbfs=float(rest[0]))
        else:
            sim.inject(cmd)
    except (PermanenceError, ValueError) as e:
        print(f"? {e}", file=out, flush=True)
        return True
    print("ok", file=out, flush=True)
    return True
