"""``permanence passwd``: the status page's setup code, password resets, staff passwords."""

from __future__ import annotations

import argparse
import getpass
import sys
from pathlib import Path

from ..config import load_config
from ..errors import PermanenceError
from .auth import AuthStore


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = subparsers.add_parser(
        "passwd", help="show the status page's setup code, reset it, or set an account's password",
        description="Without a password set, print the one-time setup code to enter on the status page. "
                    "With --reset, forget the administrators (every session of every account ends) and print "
                    "a new setup code. With --user NAME, set that account's password (asked twice on a "
                    "terminal, or one line read from standard input): every session of that account ends.")
    p.add_argument("--reset", action="store_true", help="forget the administrators and print a new setup code")
    p.add_argument("--user", default=None, metavar="NAME", help="set the password of this account")
    p.add_argument("--list", action="store_true", help="list the accounts and their roles")
    p.add_argument("--config", default=None,
                   help="configuration file whose storage.data_dir holds the status page's files "
                        "(default /etc/permanence/permanence.toml)")
    p.add_argument("--data-dir", type=Path, default=None,
                   help="data directory (default: storage.data_dir of the configuration)")
    p.set_defaults(func=run_passwd)


def read_new_password() -> str:
    """Twice on a terminal; otherwise one line of standard input (scripts, tests)."""
    if sys.stdin.isatty():
        first = getpass.getpass("new password: ")
        if getpass.getpass("again: ") != first:
            raise PermanenceError("the two passwords differ")
        return first
    return sys.stdin.readline().rstrip("\r\n")


def run_passwd(args: argparse.Namespace) -> int:
    try:
        data_dir = args.data_dir
        if data_dir is None:
            data_dir = load_config(getattr(args, "config", None)).data_path
        store = AuthStore(data_dir)
        if getattr(args, "list", False):
            for acc in store.accounts():
                print(f"{acc.name}\t{acc.role}")
            return 0
        if args.reset:
            print(f"administrators removed, every session ended; open the status page and enter the setup "
                  f"code: {store.reset()}")
            return 0
        user = getattr(args, "user", None)
        if user:
            name = user.strip().lower()
            if store.account(name) is None:
                known = ", ".join(a.name for a in store.accounts()) or "none yet"
                raise PermanenceError(f"no account named {name!r} (accounts: {known})")
            store.set_password(name, read_new_password())
            print(f"password of {name} changed; every session of {name} ended")
            return 0
        code = store.setup_code()
        if code is None:
            print("a password is set; use `permanence passwd --user NAME` to set an account's password, "
                  "or `permanence passwd --reset` to start the setup again", file=sys.stderr)
            return 1
        print(f"setup code for the status page: {code}")
        return 0
    except (PermanenceError, OSError) as exc:
        print(f"permanence passwd: {exc}", file=sys.stderr)
        return 2
