"""``permanence doctor``: the status area's subcommand."""

from __future__ import annotations

import argparse
import json
import sys

from ..config import DEFAULT_CONFIG_PATH
from .doctor import Doctor, render_text


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = subparsers.add_parser(
        "doctor", help="check the box: config, modems, SIM, signal, models, disk, broker, clock",
        description="Run every self-test and print what is wrong with the fix for it. "
                    "Exit code 1 when any check fails (warnings do not fail).")
    p.add_argument("--config", help=f"configuration file (default {DEFAULT_CONFIG_PATH})")
    p.add_argument("--json", action="store_true", help="print the findings as JSON")
    p.add_argument("--timeout", type=float, default=3.0, help="seconds to wait for each modem reply (default 3)")
    p.add_argument("--no-load", action="store_true",
                   help="check that speech models are present without loading them (faster, less memory)")
    p.set_defaults(func=run_doctor)


def run_doctor(args: argparse.Namespace) -> int:
    if not 0.1 <= args.timeout <= 60:
        print("permanence doctor: --timeout must be 0.1-60 seconds", file=sys.stderr)
        return 2
    doc = Doctor(args.config or DEFAULT_CONFIG_PATH, timeout=args.timeout, load_models=not args.no_load)
    findings = doc.run()
    if args.json:
        json.dump({"ok": not doc.failed, "findings": [f.to_dict() for f in findings]}, sys.stdout,
                  ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
    else:
        print(render_text(findings))
    if doc.failed:
        failed = [f.check for f in findings if f.status == "fail"]
        print(f"permanence doctor: {len(failed)} check(s) failed: {', '.join(failed)}", file=sys.stderr)
    return 1 if doc.failed else 0
