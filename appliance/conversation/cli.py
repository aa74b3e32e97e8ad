"""``permanence qualify``: qualify transcripts from the command line.

Plain mode reads one call from stdin, one caller turn per line. ``--jsonl``
reads one call per line, ``{"id", "caller_id", "turns": [...], "lang"?}``, and
prints one JSON object per call. A malformed line is reported on stderr with
its line number; the other calls are still qualified and the exit status is 1.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any, TextIO

from ..errors import QualificationError
from .qualifier import Qualifier

_COUNTRY = {"fr": "FR", "en": "GB"}


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = subparsers.add_parser("qualify", help="qualify call transcripts (category, urgency, who, callback)",
                              description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--lang", choices=("fr", "en"), default="fr", help="language of the calls (default fr)")
    p.add_argument("--caller-id", default=None, help="number the call came from (plain mode)")
    p.add_argument("--jsonl", action="store_true", help="one call per input line as JSON")
    p.add_argument("--rules", default=None, help="rules file (default: the built-in rules of the language)")
    p.add_argument("--country", default=None, help="country for national numbers (default FR for fr, GB for en)")
    p.set_defaults(func=run)


def _qualifier(cache: dict[str, Qualifier], lang: str, rules: str | None) -> Qualifier:
    if lang not in cache:
        cache[lang] = Qualifier.load(lang, rules)
    return cache[lang]


def run(args: argparse.Namespace, stdin: TextIO | None = None, stdout: TextIO | None = None,
        stderr: TextIO | None = None) -> int:
    stdin = stdin or sys.stdin
    stdout = stdout or sys.stdout
    stderr = stderr or sys.stderr
    cache: dict[str, Qualifier] = {}
    try:
        _qualifier(cache, args.lang, args.rules)
    except QualificationError as exc:
        print(f"permanence qualify: {exc}", file=stderr)
        return 2
    if not args.jsonl:
        turns = [line.rstrip("\n") for line in stdin]
        country = args.country or _COUNTRY.get(args.lang, "FR")
        q = cache[args.lang].qualify(turns, args.caller_id, country=country)
        print(json.dumps(q.to_dict(), ensure_ascii=False), file=stdout)
        return 0
    failed = 0
    for lineno, line in enumerate(stdin, 1):
        if not line.strip():
            continue
        try:
            call = _parse_call(line)
        except ValueError as exc:
            failed += 1
            print(f"permanence qualify: stdin line {lineno}: {exc}; line skipped", file=stderr)
            continue
        lang = call.get("lang") or args.lang
        if lang not in ("fr", "en"):
            failed += 1
            print(f"permanence qualify: stdin line {lineno}: unknown lang {lang!r} (expected fr or en); "
                  "line skipped", file=stderr)
            continue
        try:
            qualifier = _qualifier(cache, lang, args.rules if lang == args.lang else None)
        except QualificationError as exc:
            failed += 1
            print(f"permanence qualify: stdin line {lineno}: {exc}", file=stderr)
            continue
        country = args.country or _COUNTRY.get(lang, "FR")
        q = qualifier.qualify(call["turns"], call.get("caller_id") or args.caller_id, country=country,
                              call_id=call.get("id"))
        print(json.dumps(q.to_dict(), ensure_ascii=False), file=stdout, flush=True)
    if failed:
        print(f"permanence qualify: {failed} line(s) could not be read", file=stderr)
        return 1
    return 0


def _parse_call(line: str) -> dict[str, Any]:
    try:
        call = json.loads(line)
    except json.JSONDecodeError as exc:
        raise ValueError(f"not valid JSON ({exc.msg} at column {exc.colno})") from None
    if not isinstance(call, dict):
        raise ValueError('expected a JSON object {"id", "caller_id", "turns": [...]}')
    turns = call.get("turns")
    if not isinstance(turns, list) or not all(isinstance(t, str) or t is None for t in turns):
        raise ValueError('expected "turns": a list of strings')
    call["turns"] = [t or "" for t in turns]
    for key in ("id", "caller_id", "lang"):
        if call.get(key) is not None and not isinstance(call[key], str):
            raise ValueError(f"expected {key!r} to be a string or null")
    return call


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="permanence")
    sub = parser.add_subparsers(dest="command", required=True)
    register(sub)
    args = parser.parse_args(argv)
    result: int = args.func(args)
    return result


if __name__ == "__main__":
    raise SystemExit(main())
