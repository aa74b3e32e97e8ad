"""``permanence passwd``: the status page's setup code, and password reset."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..config import load_config
from ..errors import PermanenceError
from .auth import AuthStore


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = subparsers.add_parser(
        "passwd", help="show the status page's setup code, or reset its password",
        description="Without a password set, print the one-time setup code to enter on the status page. "
                    "With --reset, forget the password (every session ends) and print a new setup code.")
    p.add_argument("--reset", action="store_true", help="forget the current password and print a new setup code")
    p.add_argument("--config", default=None,
                   help="configuration file whose storage.data_dir holds the status page's files "
                        "(default /etc/permanence/permanence.toml)")
    p.add_argument("--data-dir", type=Path, default=None,
                   help="data directory (default: storage.data_dir of the configuration)")
    p.set_defaults(func=run_passwd)


def run_passwd(args: argparse.Namespace) -> int:
    try:
        data_dir = args.data_dir
        if data_dir is None:
            data_dir = load_config(getattr(args, "config", None)).data_path
        store = AuthStore(data_dir)
        if args.reset:
            print(f"password removed; open the status page and enter the setup code: {store.reset()}")
            return 0
        code = store.setup_code()
        if code is None:
            print("a password is set; use `permanence passwd --reset` to choose a new one", file=sys.stderr)
            return 1
        print(f"setup code for the status page: {code}")
        return 0
    except (PermanenceError, OSError) as exc:
        print(f"permanence passwd: {exc}", file=sys.stderr)
        return 2
