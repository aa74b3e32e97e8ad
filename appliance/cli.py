"""``permanence``: the command line. Thin: parse arguments, call the service.

Subcommands of this module: ``run``, ``demo``, ``calls``, ``config check``.
Each area adds its own through ``appliance.<area>.cli.register(subparsers)``:
``qualify`` (conversation), ``simulate``/``replay``/``capture`` (telephony),
``passwd`` (web), ``doctor`` (status), ``prompts`` (speech).
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import importlib
import io
import json
import logging
import os
import signal
import sys
import traceback
from pathlib import Path
from types import FrameType
from typing import NoReturn

from . import __version__
from .config import DEFAULT_CONFIG_PATH, Config, dump_config, load_config
from .errors import PermanenceError
from .qualification import Qualification
from .status.logsetup import setup_logging
from .store.record import CallRecord
from .textsafe import csv_cell, strip_bidi

log = logging.getLogger("appliance")

_PLUGINS = (
    "appliance.conversation.cli",
    "appliance.telephony.cli",
    "appliance.web.cli",
    "appliance.status.cli",
    "appliance.speech.cli",
    "appliance.alerts.cli",
    "appliance.capture.cli",
)


def _load(args: argparse.Namespace) -> Config:
    path = getattr(args, "config", None)
    return load_config(Path(path) if path else DEFAULT_CONFIG_PATH)


# ------------------------------------------------------------------------------ run


def _install_signal_handlers(stop: object) -> None:
    def handler(signum: int, frame: FrameType | None) -> None:
        log.info("signal %s received", signal.Signals(signum).name)
        stop()  # type: ignore[operator]

    signal.signal(signal.SIGTERM, handler)
    signal.signal(signal.SIGINT, handler)


def cmd_run(args: argparse.Namespace) -> int:
    from .lastgood import load_or_last_good
    from .service import Service
    from .status.sdnotify import Watchdog

    path = Path(args.config) if args.config else DEFAULT_CONFIG_PATH
    setup_logging(args.log_level or "INFO")
    cfg, problem = load_or_last_good(path)
    setup_logging(args.log_level or cfg.logging.level)
    svc = Service(cfg, web_port=args.web_port, config_path=path, mqtt_url=args.mqtt, watchdog=Watchdog([]),
                  start_problems=[problem] if problem else [])
    _install_signal_handlers(svc.stop)
    try:
        svc.start()
        if problem is None:
            svc.remember_config()
        if svc.web_url:
            print(f"permanence: status page at {svc.web_url}", file=sys.stderr, flush=True)
        svc.wait()
    finally:
        svc.stop()
    return 0


# ------------------------------------------------------------------------------ demo


def cmd_demo(args: argparse.Namespace) -> int:
    from .demo import run_demo

    return run_demo(args)


# ------------------------------------------------------------------------------ calls


def _parse_when(s: str) -> dt.datetime:
    s = s.strip()
    now = dt.datetime.now(dt.UTC)
    if s.endswith(("d", "h")) and s[:-1].isdigit():
        n = int(s[:-1])
        return now - (dt.timedelta(days=n) if s.endswith("d") else dt.timedelta(hours=n))
    try:
        t = dt.datetime.fromisoformat(s)
    except ValueError:
        raise PermanenceError(f"--since/--until: expected a date (2026-11-01), a date-time, or 7d / 12h, "
                              f"got {s!r}") from None
    return t if t.tzinfo else t.astimezone()


CSV_FIELDS = ("id", "line", "started_at", "state", "caller_number", "caller_name", "rings", "ring_seconds",
              "duration", "hangup_by", "category", "urgency", "urgent", "name", "company", "callback", "summary",
              "handled", "converted", "amount", "recording")


def call_row(rec: CallRecord) -> dict[str, object]:
    q = rec.qualification or Qualification()
    d = rec.to_dict()
    return {k: (getattr(q, k) if k in ("category", "urgency", "urgent", "name", "company", "callback", "summary")
                else d.get(k)) for k in CSV_FIELDS}


def cmd_calls(args: argparse.Namespace) -> int:
    from .store.calllog import CallLogReader

    if args.data:
        data_dir = Path(args.data)
    else:
        data_dir = _load(args).data_path
    if not data_dir.is_dir():
        raise PermanenceError(f"{data_dir}: no call log here (give --data DIR or --config PATH)")
    reader = CallLogReader(data_dir)
    since = _parse_when(args.since) if args.since else None
    until = _parse_when(args.until) if args.until else None
    records = reader.calls(since=since, until=until)
    records.reverse()  # oldest first for export
    alive = reader.writer_alive()
    out = sys.stdout
    if args.format == "jsonl":
        for r in records:
            d = r.to_dict()
            if r.is_open and not alive:
                d["state_note"] = "open when the service stopped; marked interrupted at the next start"
            out.write(json.dumps(d, ensure_ascii=False) + "\n")
    elif args.format == "csv":
        buf = io.StringIO()
        w = csv.DictWriter(buf, fieldnames=CSV_FIELDS)
        w.writeheader()
        for r in records:
            row = call_row(r)
            w.writerow({k: csv_cell(v) if isinstance(v, str) else v for k, v in row.items()})
        out.write(buf.getvalue())
    else:
        out.write(f"{'started (local)':19}  {'line':8} {'state':11} {'caller':16} {'dur':>5}  "
                  f"{'category':11} {'urg':8} who\n")
        for r in records:
            q = r.qualification or Qualification()
            t = dt.datetime.fromisoformat(r.started_at).astimezone().strftime("%Y-%m-%d %H:%M:%S")
            who = " / ".join(str(x) for x in (q.name, q.company) if x)
            dur = f"{r.duration:.0f}s" if r.duration is not None else "-"
            caller = (r.caller_number or ("withheld" if r.caller_withheld else "unknown"))[:16]
            out.write(f"{t:19}  {r.line[:8]:8} {r.state:11} {_printable(caller):16} {dur:>5}  "
                      f"{_printable(str(q.category or '-'))[:11]:11} "
                      f"{_printable(str(q.urgency or '-'))[:8]:8} {_printable(who)[:40]}\n")
        out.write(f"{len(records)} call(s)\n")
    out.flush()
    for bad in reader.unreadable:  # every readable day was printed; the others are named, then the exit says it
        print(f"permanence calls: skipped an unreadable file: {bad}", file=sys.stderr)
    return 1 if reader.unreadable else 0


def _printable(s: str) -> str:
    """Caller-controlled text on a terminal: no control characters, no escape sequences, no bidi controls."""
    return "".join(c if c.isprintable() else "?" for c in strip_bidi(s))


# ------------------------------------------------------------------------------ config


def cmd_config_check(args: argparse.Namespace) -> int:
    cfg = _load(args)
    sys.stdout.write(dump_config(cfg))
    print(f"# {cfg.source}: configuration is valid", file=sys.stderr)
    return 0


# ------------------------------------------------------------------------------ prompts


def cmd_prompts(args: argparse.Namespace) -> int:
    from .prerender import fixed_prompts

    cfg = _load(args)
    langs = [args.lang] if args.lang else [cfg.company.language]
    if args.prompts_command == "list":
        for lang in langs:
            for text in fixed_prompts(cfg, lang):
                print(json.dumps({"lang": lang, "text": text}, ensure_ascii=False))
        return 0
    from .speechio import EngineSpeech

    speech = EngineSpeech(cfg, cache_dir=cfg.data_path / "prompt-cache", languages=langs)
    try:
        for lang in langs:
            texts = fixed_prompts(cfg, lang)
            rendered = speech.prerender(texts, lang)
            print(f"{lang}: {len(texts)} fixed prompt(s), {rendered} rendered now, "
                  f"{len(texts) - rendered} already in {speech.cache_dir / lang}")
    finally:
        speech.close()
    return 0


# ------------------------------------------------------------------------------ parser


class _Parser(argparse.ArgumentParser):
    """Bad arguments are one line on stderr (what was wrong, where to read more) and exit code 2.

    Sub-command parsers (also the areas' ``register``) are of this class too."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


_LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")


def build_parser() -> argparse.ArgumentParser:
    p = _Parser(prog="permanence", description="Answer every business call, offline.")
    p.add_argument("--version", action="version", version=f"permanence {__version__}")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")
    _add_run(sub)
    _add_demo(sub)
    _add_calls(sub)
    _add_config(sub)
    _add_prompts(sub)
    for name in _PLUGINS:
        importlib.import_module(name).register(sub)
    return p


def _add_run(sub: argparse._SubParsersAction[_Parser]) -> None:
    r = sub.add_parser("run", help="run the service (Ctrl-C or SIGTERM stops it cleanly)")
    r.add_argument("--config", help=f"configuration file (default {DEFAULT_CONFIG_PATH})")
    r.add_argument("--web-port", type=int, default=None, help="status page port (0 = off)")
    r.add_argument("--mqtt", default=None, help="publish events to mqtt://HOST:PORT (overrides the config)")
    r.add_argument("--log-level", choices=_LOG_LEVELS, default=None)
    r.set_defaults(func=cmd_run)


def _add_demo(sub: argparse._SubParsersAction[_Parser]) -> None:
    d = sub.add_parser("demo", help="run the appliance on its built-in line simulator with scripted callers")
    d.add_argument("--calls", type=int, default=None, help="exit after N calls (default: all scripted callers)")
    d.add_argument("--script", help="caller scripts, JSONL: {id, lang, caller_id, turns}")
    d.add_argument("--lang", choices=("fr", "en"), default=None, help="language of the box and built-in callers")
    d.add_argument("--data", help="keep the call log in DIR (default: a temporary directory)")
    d.add_argument("--json", action="store_true",
                   help="print each finished call record as one JSON line, and exit when the calls are done")
    d.add_argument("--config", help="start from this configuration instead of the demo's")
    d.add_argument("--web-port", type=int, default=None, help="status page port (default 8080; 0 = off)")
    d.add_argument("--mqtt", default=None, help="publish the demo's events to mqtt://HOST:PORT")
    d.add_argument("--dialect", choices=("gsm", "voicemodem"), default="gsm", help="simulated modem")
    d.add_argument("--no-speech", action="store_true", help="signalling only: no recognition or synthesis")
    you = d.add_mutually_exclusive_group()
    you.add_argument("--type", action="store_true",
                     help="you are the caller: type each turn at the prompt (replaces only the recogniser)")
    you.add_argument("--mic", action="store_true",
                     help="you are the caller: speak into the microphone (heard as on a call, at 8 kHz)")
    you.add_argument("--mic-wav", metavar="FILE",
                     help="like --mic, with a recorded 16-bit WAV in place of the microphone: cut at its pauses "
                          "of 1 s or more, each part said as one turn after the box has replied")
    d.add_argument("--caller-id", default=None, help="the number your --type/--mic call comes from (E.164)")
    d.add_argument("--log-level", choices=_LOG_LEVELS, default=None)
    d.set_defaults(func=cmd_demo)


def _add_calls(sub: argparse._SubParsersAction[_Parser]) -> None:
    c = sub.add_parser("calls", help="list or export the call log")
    c.add_argument("--config", help="configuration file (its storage.data_dir)")
    c.add_argument("--data", help="the data directory of the call log")
    c.add_argument("--since", help="from this date/time, or 7d / 12h ago")
    c.add_argument("--until", help="until this date/time (exclusive)")
    c.add_argument("--format", choices=("table", "csv", "jsonl"), default="table")
    c.set_defaults(func=cmd_calls)


def _add_config(sub: argparse._SubParsersAction[_Parser]) -> None:
    cf = sub.add_parser("config", help="configuration tools")
    cfs = cf.add_subparsers(dest="config_command", metavar="ACTION")
    chk = cfs.add_parser("check", help="validate and print the effective configuration")
    chk.add_argument("--config", help=f"configuration file (default {DEFAULT_CONFIG_PATH})")
    chk.set_defaults(func=cmd_config_check)

    def config_help(a: argparse.Namespace) -> int:
        cf.print_help()
        return 2

    cf.set_defaults(func=config_help)


def _add_prompts(sub: argparse._SubParsersAction[_Parser]) -> None:
    pr = sub.add_parser("prompts", help="the prompt cache: every fixed sentence, rendered once")
    prs = pr.add_subparsers(dest="prompts_command", metavar="ACTION", required=True)
    for action, text in (("render", "render the fixed prompts missing from the cache (first boot, after "
                                    "a settings change)"),
                         ("list", "print every fixed prompt of the configuration (JSON lines)")):
        a = prs.add_parser(action, help=text)
        a.add_argument("--config", help=f"configuration file (default {DEFAULT_CONFIG_PATH})")
        a.add_argument("--lang", choices=("fr", "en"), default=None, help="default: the company's language")
        a.set_defaults(func=cmd_prompts)


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        rc = args.func(args)
        return int(rc or 0)
    except PermanenceError as exc:
        return _fail(f"permanence: error: {exc}", 1)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # output piped into `head` and the like
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except OSError as exc:  # a file or device named on the command line that cannot be used
        where = f" ({exc.filename})" if exc.filename else ""
        return _fail(f"permanence: error: {exc.strerror or exc}{where}", 1)
    except Exception as exc:  # noqa: BLE001 - a bug: one line for the user, the traceback on request
        if os.environ.get("PERMANENCE_DEBUG"):
            traceback.print_exc()
        return _fail(f"permanence: internal error: {type(exc).__name__}: {exc} (run again with "
                     f"PERMANENCE_DEBUG=1 for the details, and report it)", 70)


def _fail(message: str, code: int) -> int:
    print(" ".join(message.split()), file=sys.stderr)  # one line, whatever the message holds
    return code


if __name__ == "__main__":
    sys.exit(main())
