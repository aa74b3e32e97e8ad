"""``permanence replay`` and ``permanence capture export``.

    permanence replay FILE --driver gsm|voicemodem [--json] [--speed X]
                           [--caller-id-country FR|GB|US] [--line NAME] [--timeout S]
    permanence capture export [--config PATH | --data DIR] [--line NAME] [--since WHEN] [-o FILE]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from pathlib import Path

from ..errors import PermanenceError


def _parse_since(s: str) -> float:
    s = s.strip()
    now = dt.datetime.now(dt.UTC)
    if s[-1:] in ("d", "h", "m") and s[:-1].isdigit():
        n = int(s[:-1])
        delta = {"d": dt.timedelta(days=n), "h": dt.timedelta(hours=n), "m": dt.timedelta(minutes=n)}[s[-1]]
        return (now - delta).timestamp()
    try:
        t = dt.datetime.fromisoformat(s)
    except ValueError:
        raise PermanenceError(f"--since: expected a date (2026-11-01), a date-time (2026-11-01T09:00), "
                              f"or 7d / 12h / 30m ago, got {s!r}") from None
    return (t if t.tzinfo else t.astimezone()).timestamp()


def _speed(s: str) -> float:
    try:
        v = float(s)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number (10 = ten times faster, 0 = as fast as "
                                         f"possible), got {s!r}") from None
    if not 0 <= v <= 10000:
        raise argparse.ArgumentTypeError(f"expected 0 to 10000, got {v}")
    return v


def _timeout(s: str) -> float:
    try:
        v = float(s)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected seconds, got {s!r}") from None
    if not 1 <= v <= 86400:
        raise argparse.ArgumentTypeError(f"expected 1 to 86400 seconds, got {v}")
    return v


def cmd_replay(args: argparse.Namespace) -> int:
    from .replay import ReplayEvent, ReplayOptions, replay

    opt = ReplayOptions(driver=args.driver, speed=args.speed, country=args.caller_id_country,
                        model=args.model, timeout=args.timeout)
    out = sys.stdout

    def show(ev: ReplayEvent) -> None:
        if args.json:
            out.write(json.dumps(ev.to_dict(), ensure_ascii=False) + "\n")
        else:
            out.write(ev.text() + "\n")
        out.flush()

    if args.offline:
        from .formats import load
        from .offline import replay_offline

        parsed = load(Path(args.file), args.line)
        result = replay_offline(parsed.records, args.driver, args.caller_id_country, parsed, show)
    else:
        result = replay(Path(args.file), opt, show, line=args.line)
    summary = {"event": "end", "format": result.format, "records": result.records,
               "skipped_records": result.skipped_records, "steps": result.steps,
               "commands_from_capture": result.matched, "commands_defaulted": result.defaulted,
               "exchanges_not_sent_by_driver": result.skipped, "timed_out": result.timed_out}
    if args.json:
        out.write(json.dumps(summary) + "\n")
    else:
        out.write(f"end: {result.records} records ({result.format}, {result.skipped_records} unreadable), "
                  f"{result.matched} commands answered from the capture, {result.defaulted} by default, "
                  f"{result.skipped} captured exchanges the driver did not send"
                  + (", TIMED OUT" if result.timed_out else "") + "\n")
    return 3 if result.timed_out else 0


def cmd_export(args: argparse.Namespace) -> int:
    from ..store.atomic import atomic_write_bytes
    from .export import export_captures

    if args.data:
        data_dir = Path(args.data)
    else:
        from ..config import load_config

        data_dir = load_config(args.config).data_path
    cap_dir = data_dir / "captures"
    if not cap_dir.is_dir():
        raise PermanenceError(f"{cap_dir}: no captures here (captures are on by default once the service "
                              "has run; give --data DIR or --config PATH)")
    since = _parse_since(args.since) if args.since else None
    data = export_captures(cap_dir, line=args.line, since=since)
    if not data:
        what = f"line {args.line!r}" if args.line else "any line"
        print(f"no capture of {what} in {cap_dir}" + (f" since {args.since}" if args.since else ""),
              file=sys.stderr)
        return 1
    if args.output and args.output != "-":
        atomic_write_bytes(args.output, data, mode=0o640)
        print(f"{len(data)} bytes written to {args.output}", file=sys.stderr)
    else:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
    return 0


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    r = subparsers.add_parser(
        "replay", help="replay a modem capture (ours or a pasted log) against the real driver",
        description="Plays the modem side of FILE to the real line driver through a pty and prints what the "
                    "driver derived (ringing, caller id, answered, hung up, missed, DTMF, SMS, unparsed lines).")
    r.add_argument("file", metavar="FILE", help="a capture (.jsonl from `permanence capture export`) or a text log")
    r.add_argument("--driver", choices=("gsm", "voicemodem"), required=True)
    r.add_argument("--json", action="store_true", help="one JSON object per event")
    r.add_argument("--speed", type=_speed, default=10.0,
                   help="divide the captured gaps by X (default 10; 0 = as fast as the driver allows)")
    r.add_argument("--caller-id-country", "--country", dest="caller_id_country",
                   choices=("FR", "GB", "US", "CA", "BE", "CH", "DE"), default="FR",
                   help="the line's country: national numbers to E.164, ring cadence of a voice modem (default FR)")
    r.add_argument("--offline", action="store_true",
                   help="run the driver's call logic without a pty or threads (exact, instant; each event names "
                        "the capture line that produced it)")
    r.add_argument("--model", default="auto",
                   choices=("auto", "sim7600", "sim800", "usr5637", "cx93010"),
                   help="modem model (default: what the capture's identification replies say)")
    r.add_argument("--line", help="the line to replay when the capture holds several")
    r.add_argument("--timeout", type=_timeout, default=None,
                   help="stop after this many seconds (default: 60 + 2 per ring in the capture, at most 900)")
    r.set_defaults(func=cmd_replay)

    c = subparsers.add_parser("capture", help="modem session captures")
    cs = c.add_subparsers(dest="capture_command", metavar="ACTION")
    e = cs.add_parser("export", help="write the captures of the data directory as one JSONL file")
    src = e.add_mutually_exclusive_group()
    src.add_argument("--config", help="configuration file (its storage.data_dir)")
    src.add_argument("--data", help="the data directory")
    e.add_argument("--line", help="only this line")
    e.add_argument("--since", help="from this date/time, or 7d / 12h / 30m ago")
    e.add_argument("-o", "--output", help="output file (default: standard output)")
    e.set_defaults(func=cmd_export)

    def capture_help(a: argparse.Namespace) -> int:
        c.print_help()
        return 2

    c.set_defaults(func=capture_help)
